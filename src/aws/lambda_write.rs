//! Lambda calls of the traffic-shift write path: the alias read and its
//! conditional update, and the version and function status that the
//! pre-flight checks need.

use std::time::Duration;

use aws_sdk_lambda::types::AliasRoutingConfiguration;
use aws_smithy_types::retry::RetryConfig;

use super::RegionClients;
use super::call::traced;
use super::error::AwsError;
use super::lambda::{alias_from_sdk, version_from_sdk};
use crate::model::{Alias, Version};
use crate::rollout::AliasRouting;
use crate::rollout::preflight::FunctionStatus;

/// One version's configuration as GetFunctionConfiguration returns it.
#[derive(Debug, Clone)]
pub struct VersionConfiguration {
    pub function_arn: String,
    pub version: Version,
    pub status: FunctionStatus,
    /// The configured timeout; `None` when Lambda did not return it.
    pub timeout: Option<Duration>,
}

pub async fn get_alias(
    clients: &RegionClients,
    function: &str,
    alias: &str,
) -> Result<Alias, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = traced(
        "lambda:GetAlias",
        &clients.region,
        Some(function),
        clients
            .lambda
            .get_alias()
            .function_name(function)
            .name(alias)
            .send(),
    )
    .await?;
    Ok(alias_from_output(
        output.name(),
        output.function_version(),
        output.routing_config(),
        output.revision_id(),
        output.description(),
    ))
}

/// Maps the alias fields that GetAlias and UpdateAlias both return, through
/// the same conversion that ListAliases uses.
fn alias_from_output(
    name: Option<&str>,
    function_version: Option<&str>,
    routing: Option<&AliasRoutingConfiguration>,
    revision_id: Option<&str>,
    description: Option<&str>,
) -> Alias {
    let configuration = aws_sdk_lambda::types::AliasConfiguration::builder()
        .set_name(name.map(str::to_string))
        .set_function_version(function_version.map(str::to_string))
        .set_routing_config(routing.cloned())
        .set_revision_id(revision_id.map(str::to_string))
        .set_description(description.map(str::to_string))
        .build();
    alias_from_sdk(&configuration)
}

/// Reads the configuration of `qualifier` (a version number, or `None` for
/// `$LATEST`, whose `State` and `LastUpdateStatus` are the function's).
pub async fn get_version_configuration(
    clients: &RegionClients,
    function: &str,
    qualifier: Option<&str>,
) -> Result<VersionConfiguration, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = traced(
        "lambda:GetFunctionConfiguration",
        &clients.region,
        Some(function),
        clients
            .lambda
            .get_function_configuration()
            .function_name(function)
            .set_qualifier(qualifier.map(str::to_string))
            .send(),
    )
    .await?;
    let configuration = aws_sdk_lambda::types::FunctionConfiguration::builder()
        .set_version(output.version().map(str::to_string))
        .set_description(output.description().map(str::to_string))
        .set_runtime(output.runtime().cloned())
        .set_memory_size(output.memory_size())
        .set_code_sha256(output.code_sha256().map(str::to_string))
        .set_last_modified(output.last_modified().map(str::to_string))
        .set_revision_id(output.revision_id().map(str::to_string))
        .set_role(output.role().map(str::to_string))
        .set_dead_letter_config(output.dead_letter_config().cloned())
        .build();
    Ok(VersionConfiguration {
        function_arn: output.function_arn().unwrap_or_default().to_string(),
        version: version_from_sdk(&configuration),
        status: FunctionStatus {
            state: output.state().map(|s| s.as_str().to_string()),
            last_update_status: output.last_update_status().map(|s| s.as_str().to_string()),
            last_update_status_reason: output.last_update_status_reason().map(str::to_string),
            last_update_status_reason_code: output
                .last_update_status_reason_code()
                .map(|c| c.as_str().to_string()),
        },
        timeout: output
            .timeout()
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(Duration::from_secs),
    })
}

/// Sends one conditional UpdateAlias that sets `routing` on the alias.
///
/// The SDK retry policy is switched off for this call: a write that timed
/// out may have been applied, and sending it again would act on a state
/// nobody has looked at. Every failure, throttling included, returns to the
/// caller, which re-reads the alias before any further write. An empty
/// `AdditionalVersionWeights` map clears a weighted routing.
pub async fn update_alias(
    clients: &RegionClients,
    function: &str,
    alias: &str,
    routing: &AliasRouting,
    expected_revision_id: &str,
) -> Result<Alias, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let weights = routing.additional_version_weights();
    let routing_config = AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(weights.into_iter().collect()))
        .build();
    let output = traced(
        "lambda:UpdateAlias",
        &clients.region,
        Some(function),
        clients
            .lambda
            .update_alias()
            .function_name(function)
            .name(alias)
            .function_version(&routing.function_version)
            .routing_config(routing_config)
            .revision_id(expected_revision_id)
            .customize()
            .config_override(
                aws_sdk_lambda::config::Config::builder().retry_config(RetryConfig::disabled()),
            )
            .send(),
    )
    .await?;
    Ok(alias_from_output(
        output.name(),
        output.function_version(),
        output.routing_config(),
        output.revision_id(),
        output.description(),
    ))
}
