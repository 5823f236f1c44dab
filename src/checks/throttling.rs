//! Throttling at the API in front of the function: without stage limits a
//! burst of requests reaches the function and everything behind it.

use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};

pub(super) const RULES: &[Rule] = &[Rule {
    id: "THR-001",
    topic: Topic::Throttling,
    severity: Severity::High,
    title: "API Gateway stage has no throttling limits",
    peer_ids: &["serverless-rules ES2003"],
    fix: Fix {
        text: "Set ThrottlingBurstLimit and ThrottlingRateLimit in the stage's method settings for resource path /* and HTTP method *, sized to what the function and its downstreams can take.",
        doc_url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
    },
    check: stage_throttling,
}];

fn stage_throttling(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let frontend = require(
        &input.resources.rest_api,
        "API Gateway REST APIs in front of the function",
    )?;
    if frontend.stages.is_empty() {
        return Ok(Verdict::not_applicable(
            "no API Gateway REST stage invokes the function",
        ));
    }
    let unlimited: Vec<String> = frontend
        .stages
        .iter()
        .filter(|stage| {
            stage.burst_limit.is_none_or(|burst| burst <= 0)
                || stage.rate_limit.is_none_or(|rate| rate <= 0.0)
        })
        .map(|stage| format!("{}/{}", stage.api_id, stage.stage_name))
        .collect();
    Ok(if unlimited.is_empty() {
        Verdict::pass("every stage sets burst and rate limits")
            .with("stages", frontend.stages.len())
    } else {
        Verdict::fail(
            "a stage has no burst or rate limit for all methods, so only account limits apply",
        )
        .with("stages_without_limits", unlimited.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, RestApiFrontend, RestStageThrottling};

    fn stage(burst: Option<i32>, rate: Option<f64>) -> RestStageThrottling {
        RestStageThrottling {
            api_id: "a1b2c3".to_string(),
            stage_name: "prod".to_string(),
            burst_limit: burst,
            rate_limit: rate,
        }
    }

    #[test]
    fn stage_limits_table() {
        let cases = [
            (vec![stage(Some(100), Some(50.0))], Status::Pass),
            (vec![stage(Some(100), None)], Status::Fail),
            (vec![stage(None, Some(50.0))], Status::Fail),
            (
                vec![stage(Some(100), Some(50.0)), stage(None, None)],
                Status::Fail,
            ),
            (vec![stage(Some(0), Some(0.0))], Status::Fail),
            (Vec::new(), Status::NotApplicable),
        ];
        for (stages, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.rest_api = Collected::Loaded(RestApiFrontend {
                stages: stages.clone(),
                methods: Vec::new(),
            });
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{stages:?}");
        }
    }
}
