//! Request validation at the API in front of the function: API Gateway
//! can reject malformed bodies before they cost an invocation.

use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};
use crate::model::RestMethod;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "VAL-001",
    topic: Topic::RequestValidation,
    severity: Severity::Medium,
    title: "API method with a body has no request validator",
    peer_ids: &[],
    fix: Fix {
        text: "Attach a request validator that validates the body, and a JSON schema model for each content type, to the method.",
        doc_url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html",
    },
    check: body_validation,
}];

fn validates(method: &RestMethod) -> bool {
    method.request_validator_id.is_some()
        && method.validates_body
        && !method.request_models.is_empty()
}

fn body_validation(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let frontend = require(
        &input.resources.rest_api,
        "API Gateway REST APIs in front of the function",
    )?;
    if frontend.is_empty() {
        return Ok(Verdict::not_applicable(
            "no API Gateway REST API invokes the function",
        ));
    }
    let with_body: Vec<&RestMethod> = frontend.methods.iter().filter(|m| m.takes_body()).collect();
    if with_body.is_empty() {
        return Ok(Verdict::not_applicable("no method of the API takes a body"));
    }
    let unvalidated: Vec<String> = with_body
        .iter()
        .filter(|method| !validates(method))
        .map(|method| {
            format!(
                "{} {} ({})",
                method.http_method, method.resource_path, method.api_id
            )
        })
        .collect();
    Ok(if unvalidated.is_empty() {
        Verdict::pass("every method with a body validates it against a model")
            .with("methods_checked", with_body.len())
    } else {
        Verdict::fail("a method passes request bodies to the function without validation")
            .with("methods_without_validation", unvalidated.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, RestApiFrontend};

    fn method(verb: &str, validator: Option<&str>, body: bool, models: &[&str]) -> RestMethod {
        RestMethod {
            api_id: "a1b2c3".to_string(),
            resource_path: "/orders".to_string(),
            http_method: verb.to_string(),
            request_validator_id: validator.map(str::to_string),
            validates_body: body,
            request_models: models.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn validation_table() {
        let cases = [
            (
                vec![method("POST", Some("v1"), true, &["application/json"])],
                Status::Pass,
            ),
            (vec![method("POST", None, false, &[])], Status::Fail),
            (
                vec![method("PUT", Some("v1"), false, &["application/json"])],
                Status::Fail,
            ),
            (vec![method("PATCH", Some("v1"), true, &[])], Status::Fail),
            (vec![method("GET", None, false, &[])], Status::NotApplicable),
            (Vec::new(), Status::NotApplicable),
        ];
        for (methods, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.rest_api = Collected::Loaded(RestApiFrontend {
                stages: Vec::new(),
                methods: methods.clone(),
            });
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{methods:?}");
        }
    }
}
