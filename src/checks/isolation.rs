//! Execution-environment isolation: one environment serves invocations one
//! after another and keeps memory and `/tmp` between them, so callers of
//! different trust should not share a function, and code from layers runs
//! with the function's permissions.

use std::collections::BTreeSet;

use super::{
    CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, policy, require,
};

/// Accounts from which AWS publishes public layers: Powertools for AWS
/// Lambda (017000801446) and the Lambda Insights extension (580247275435).
/// NOTE: Lambda Insights uses other publisher accounts in some regions;
/// layers from those show as foreign until added to `trusted_accounts`.
pub const AWS_LAYER_ACCOUNTS: &[&str] = &["017000801446", "580247275435"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "ISO-001",
        topic: Topic::Isolation,
        severity: Severity::Medium,
        title: "Several distinct callers share the function",
        peer_ids: &["serverless-rules WS1002"],
        fix: Fix {
            text: "Give each caller or event source its own function, so data left in memory or /tmp by one caller cannot reach another.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        },
        check: distinct_callers,
    },
    Rule {
        id: "ISO-002",
        topic: Topic::Isolation,
        severity: Severity::Medium,
        title: "Layer published by a foreign account",
        peer_ids: &["Prowler awslambda_function_using_cross_account_layers"],
        fix: Fix {
            text: "Copy the layer into your own account after review, or add its publisher to `trusted_accounts` if you trust it.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html",
        },
        check: foreign_layers,
    },
];

fn distinct_callers(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let mut callers = BTreeSet::new();
    if let Some(analysis) = policy::analyze_input(input)? {
        callers.extend(analysis.invokers());
    }
    let mappings = require(
        &input.resources.event_source_mappings,
        "event source mappings",
    )?;
    callers.extend(mappings.iter().filter_map(|m| m.event_source_arn.clone()));

    let list = callers.iter().cloned().collect::<Vec<_>>().join(", ");
    Ok(match callers.len() {
        0 | 1 => Verdict::pass("at most one caller or event source"),
        _ => Verdict::warn(format!(
            "{} distinct callers and event sources share the execution environments",
            callers.len()
        )),
    }
    .with(
        "callers",
        if list.is_empty() {
            "none".to_string()
        } else {
            list
        },
    ))
}

/// The publisher account of a layer version ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`).
fn layer_account(arn: &str) -> Option<&str> {
    let fields: Vec<&str> = arn.split(':').collect();
    (fields.get(5) == Some(&"layer"))
        .then(|| fields.get(4).copied())
        .flatten()
}

fn foreign_layers(input: &CheckInput, config: &ChecksConfig) -> Evaluation {
    let layers = &input.function.layers;
    if layers.is_empty() {
        return Ok(Verdict::not_applicable("the function uses no layers"));
    }
    let Some(owner) = input.owner_account() else {
        return Err(Verdict::missing("account id of the function"));
    };
    let foreign: Vec<&str> = layers
        .iter()
        .filter(|arn| {
            layer_account(arn).is_none_or(|account| {
                account != owner
                    && !config.is_trusted_account(account)
                    && !AWS_LAYER_ACCOUNTS.contains(&account)
            })
        })
        .map(String::as_str)
        .collect();
    Ok(if foreign.is_empty() {
        Verdict::pass("every layer comes from this account, a trusted account or AWS")
            .with("layers", layers.join(", "))
    } else {
        Verdict::fail("a layer from a foreign account runs with the function's permissions")
            .with("foreign_layers", foreign.join(", "))
            .with("owner_account", owner)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, EventSourceMapping, ResourcePolicy};

    #[test]
    fn layer_account_table() {
        let own = "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3";
        let powertools = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:7";
        let foreign = "arn:aws:lambda:eu-west-1:999988887777:layer:free-tools:1";
        let trusted = "arn:aws:lambda:eu-west-1:111122223333:layer:shared:2";
        let config = ChecksConfig {
            trusted_accounts: BTreeSet::from(["111122223333".to_string()]),
            ..ChecksConfig::default()
        };
        let cases: [(&[&str], Status); 5] = [
            (&[own, powertools, trusted], Status::Pass),
            (&[own, foreign], Status::Fail),
            (&["not-an-arn"], Status::Fail),
            (&[foreign], Status::Fail),
            (&[], Status::NotApplicable),
        ];
        for (layers, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.layers = layers.iter().map(|l| l.to_string()).collect();
            let verdict = RULES[1].evaluate(&fixture.input(), &config);
            assert_eq!(verdict.status, expected, "{layers:?}");
        }
    }

    fn mapping(source: &str) -> EventSourceMapping {
        EventSourceMapping {
            uuid: source.to_string(),
            event_source_arn: Some(source.to_string()),
            function_arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live".to_string(),
            ..EventSourceMapping::default()
        }
    }

    #[test]
    fn distinct_callers_table() {
        let s3_policy = r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
            "Action":"lambda:invokeFunction","Resource":"*",
            "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::uploads"}}}]}"#;
        let queue = "arn:aws:sqs:eu-west-1:123456789012:jobs";
        let other_queue = "arn:aws:sqs:eu-west-1:123456789012:audit";
        let cases = [
            (None, vec![mapping(queue)], Status::Pass),
            (None, vec![mapping(queue), mapping(queue)], Status::Pass),
            (
                None,
                vec![mapping(queue), mapping(other_queue)],
                Status::Warn,
            ),
            (Some(s3_policy), vec![mapping(queue)], Status::Warn),
            (Some(s3_policy), Vec::new(), Status::Pass),
        ];
        for (policy, mappings, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.policy =
                Collected::Loaded(policy.and_then(|p| ResourcePolicy::parse(p).ok()));
            fixture.resources.event_source_mappings = Collected::Loaded(mappings.clone());
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{policy:?} {mappings:?}");
        }
    }
}
