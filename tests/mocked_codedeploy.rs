//! CodeDeploy and provisioned-concurrency reads of the pre-flight against
//! mocked SDK clients, for responses the local emulator cannot produce:
//! access denied, and provisioned concurrency, which moto 5.2.5 lacks.

mod common;

use anshin::aws::{
    ErrorKind, RegionClients, deployment_check, list_provisioned_concurrency, provisioned_for_shift,
};
use anshin::model::Alias;
use anshin::rollout::preflight::{
    self, Check, DeploymentCheck, FunctionStatus, Level, PreflightInput,
};
use aws_credential_types::Credentials;
use aws_sdk_codedeploy::Client as CodeDeploy;
use aws_smithy_mocks::{Rule, RuleMode, create_mock_http_client, mock};
use aws_types::region::Region;
use common::{REGION, http_response, read_json, with_lambda};

const AWS_JSON: &str = "application/x-amz-json-1.1";
const CASE_15: &str = "cases/15-codedeploy-appspec-version-mismatch/input.json";

fn codedeploy_client(rules: &[&Rule]) -> CodeDeploy {
    let interceptor = rules.iter().fold(
        aws_smithy_mocks::MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
        |interceptor, rule| interceptor.with_rule(rule),
    );
    let config = aws_sdk_codedeploy::Config::builder()
        .behavior_version_latest()
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    CodeDeploy::from_conf(config)
}

fn clients(codedeploy: &[&Rule]) -> RegionClients {
    with_lambda(&[], 1).with_codedeploy(codedeploy_client(codedeploy))
}

fn version(number: &str) -> anshin::model::Version {
    anshin::model::Version {
        version: number.to_string(),
        description: None,
        runtime: None,
        memory_mb: None,
        code_sha256: None,
        last_modified: None,
        revision_id: None,
        role: Some("arn:aws:iam::123456789012:role/app".to_string()),
        dead_letter_target: None,
    }
}

fn shift_input(codedeploy: DeploymentCheck) -> PreflightInput {
    PreflightInput {
        function: FunctionStatus {
            state: Some("Active".to_string()),
            last_update_status: Some("Successful".to_string()),
            ..FunctionStatus::default()
        },
        alias: Alias {
            name: "deployed".to_string(),
            function_version: "122".to_string(),
            routing: Vec::new(),
            revision_id: Some("rev-1".to_string()),
            description: None,
        },
        planned_stable_version: None,
        stable: version("122"),
        target: version("123"),
        codedeploy,
        provisioned_concurrency: None,
    }
}

#[tokio::test]
async fn denied_codedeploy_asks_operator() {
    let denied = mock!(CodeDeploy::list_deployments).then_http_response(|| {
        http_response(
            400,
            AWS_JSON,
            r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: codedeploy:ListDeployments"}"#,
        )
    });

    let check = deployment_check(&clients(&[&denied]), "orders-api", "live").await;

    let DeploymentCheck::Unknown(reason) = &check else {
        panic!("expected Unknown, got {check:?}");
    };
    assert!(reason.contains("codedeploy:ListDeployments"), "{reason}");
    assert!(reason.contains("access denied"), "{reason}");
    let findings = preflight::run(&shift_input(check));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].check, Check::CodeDeploy);
    assert!(matches!(
        preflight::outcome(&findings),
        preflight::Outcome::Ask { .. }
    ));
}

#[tokio::test]
async fn missing_codedeploy_client_is_unknown() {
    let check = deployment_check(&with_lambda(&[], 1), "orders-api", "live").await;

    assert!(
        matches!(&check, DeploymentCheck::Unknown(reason) if reason.contains("not supported")),
        "{check:?}"
    );
}

/// Builds a BatchGetDeployments response whose deployment carries the
/// AppSpec of the CodeDeploy version-mismatch case as its inline revision.
fn deployment_body(status: &str) -> String {
    let appspec = read_json(CASE_15)["appspec_same_version"].to_string();
    serde_json::json!({
        "deploymentsInfo": [{
            "deploymentId": "d-CASE15",
            "applicationName": "example-app",
            "deploymentGroupName": "example-group",
            "status": status,
            "computePlatform": "Lambda",
            "revision": {
                "revisionType": "AppSpecContent",
                "appSpecContent": {"content": appspec}
            }
        }]
    })
    .to_string()
}

#[tokio::test]
async fn in_progress_deployment_owns_alias() {
    let list = mock!(CodeDeploy::list_deployments)
        .match_requests(|request| request.include_only_statuses().len() == 5)
        .then_http_response(|| http_response(200, AWS_JSON, r#"{"deployments":["d-CASE15"]}"#));
    let batch = mock!(CodeDeploy::batch_get_deployments)
        .then_http_response(|| http_response(200, AWS_JSON, deployment_body("InProgress")));
    let clients = clients(&[&list, &batch]);

    let owner = deployment_check(&clients, "example_function_name", "deployed").await;
    let other = deployment_check(&clients, "example_function_name", "live").await;

    assert!(
        matches!(&owner, DeploymentCheck::Owned(ids) if ids[0].starts_with("d-CASE15 (InProgress")),
        "{owner:?}"
    );
    assert_eq!(other, DeploymentCheck::Known(false));
    let findings = preflight::run(&shift_input(owner));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].level, Level::Reject);
    assert!(
        findings[0]
            .message
            .contains("stop-deployment --deployment-id d-CASE15"),
        "{}",
        findings[0].message
    );
}

#[tokio::test]
async fn provisioned_concurrency_numbers_reach_preflight() {
    let configs = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
        .then_http_response(|| {
            http_response(
                200,
                "application/json",
                r#"{"ProvisionedConcurrencyConfigs":[
                    {"FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api:122",
                     "RequestedProvisionedConcurrentExecutions":20,"Status":"READY"},
                    {"FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api:deployed",
                     "RequestedProvisionedConcurrentExecutions":40,"Status":"READY"}]}"#,
            )
        });
    let clients = with_lambda(&[&configs], 1);

    let read = list_provisioned_concurrency(&clients, "orders-api")
        .await
        .expect("reads");
    let mut input = shift_input(DeploymentCheck::Known(false));
    input.provisioned_concurrency = Some(provisioned_for_shift(&read, "deployed", "122", "123"));
    let findings = preflight::run(&input);

    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(findings.len(), 2, "{messages:?}");
    assert!(
        messages[0].contains("up to 20 fewer warm instances"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("about 4 of them serve 123 and 36 serve 122"),
        "{messages:?}"
    );
    assert!(findings.iter().all(|f| f.level == Level::Warn));
}

#[tokio::test]
async fn unsupported_provisioned_concurrency_is_named() {
    let missing = mock!(aws_sdk_lambda::Client::list_provisioned_concurrency_configs)
        .then_http_response(|| http_response(404, "text/html", "<html>not found</html>"));
    let clients = with_lambda(&[&missing], 1);

    let error = list_provisioned_concurrency(&clients, "orders-api")
        .await
        .expect_err("the endpoint lacks the operation");
    let finding = preflight::provisioned_concurrency_unread(&error);

    assert_eq!(error.action, "lambda:ListProvisionedConcurrencyConfigs");
    assert_ne!(error.kind, ErrorKind::AccessDenied);
    assert!(
        finding
            .message
            .contains("lambda:ListProvisionedConcurrencyConfigs")
    );
}
