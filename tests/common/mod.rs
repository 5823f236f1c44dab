//! Shared helpers for integration tests: mocked SDK clients built with
//! aws-smithy-mocks, and a deterministic fleet for UI snapshots.

#![allow(dead_code)]

pub mod fleet;
pub mod sandbox;

use std::path::PathBuf;

use anshin::aws::RegionClients;
use aws_credential_types::Credentials;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client};
use aws_smithy_types::retry::RetryConfig;
use aws_types::region::Region;

pub const REGION: &str = "us-east-1";

pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

pub fn read_json(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(path)).expect("fixture is readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn interceptor(mode: RuleMode, rules: &[&Rule]) -> MockResponseInterceptor {
    rules
        .iter()
        .fold(MockResponseInterceptor::new().rule_mode(mode), |i, rule| {
            i.with_rule(rule)
        })
}

/// Retries with a 1 ms backoff, so retry tests do not sleep for seconds.
fn fast_retries(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(std::time::Duration::from_millis(1))
}

fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "anshin-tests")
}

pub fn lambda_client(mode: RuleMode, rules: &[&Rule], max_attempts: u32) -> aws_sdk_lambda::Client {
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version_latest()
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .retry_config(fast_retries(max_attempts))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(mode, rules))
        .build();
    aws_sdk_lambda::Client::from_conf(config)
}

pub fn cloudwatch_client(
    mode: RuleMode,
    rules: &[&Rule],
    max_attempts: u32,
) -> aws_sdk_cloudwatch::Client {
    let config = aws_sdk_cloudwatch::Config::builder()
        .behavior_version_latest()
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .retry_config(fast_retries(max_attempts))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(mode, rules))
        .build();
    aws_sdk_cloudwatch::Client::from_conf(config)
}

pub fn logs_client(mode: RuleMode, rules: &[&Rule]) -> aws_sdk_cloudwatchlogs::Client {
    let config = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version_latest()
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .retry_config(fast_retries(1))
        .http_client(create_mock_http_client())
        .interceptor(interceptor(mode, rules))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(config)
}

pub fn sts_client(mode: RuleMode, rules: &[&Rule]) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version_latest()
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .http_client(create_mock_http_client())
        .interceptor(interceptor(mode, rules))
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// Builds region clients whose Lambda client responds with `rules`; the other
/// clients have no rules and are not expected to be called.
pub fn with_lambda(rules: &[&Rule], max_attempts: u32) -> RegionClients {
    RegionClients::from_clients(
        REGION,
        lambda_client(RuleMode::MatchAny, rules, max_attempts),
        cloudwatch_client(RuleMode::MatchAny, &[], 1),
        logs_client(RuleMode::MatchAny, &[]),
        sts_client(RuleMode::MatchAny, &[]),
        1_000,
    )
    .expect("valid rate")
}

pub fn with_cloudwatch(rules: &[&Rule], max_attempts: u32) -> RegionClients {
    RegionClients::from_clients(
        REGION,
        lambda_client(RuleMode::MatchAny, &[], 1),
        cloudwatch_client(RuleMode::MatchAny, rules, max_attempts),
        logs_client(RuleMode::MatchAny, &[]),
        sts_client(RuleMode::MatchAny, &[]),
        1_000,
    )
    .expect("valid rate")
}

/// Builds a raw HTTP response, so the real SDK deserializer reads the body.
pub fn http_response(
    status: u16,
    content_type: &str,
    body: impl Into<String>,
) -> aws_smithy_runtime_api::client::orchestrator::HttpResponse {
    let mut response = aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).expect("valid status"),
        aws_smithy_types::body::SdkBody::from(body.into()),
    );
    response
        .headers_mut()
        .insert("content-type", content_type.to_string());
    response
}

pub fn with_logs(rules: &[&Rule]) -> RegionClients {
    RegionClients::from_clients(
        REGION,
        lambda_client(RuleMode::MatchAny, &[], 1),
        cloudwatch_client(RuleMode::MatchAny, &[], 1),
        logs_client(RuleMode::MatchAny, rules),
        sts_client(RuleMode::MatchAny, &[]),
        1_000,
    )
    .expect("valid rate")
}
