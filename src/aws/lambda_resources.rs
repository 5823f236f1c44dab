//! Lambda reads that the checklist needs beyond the function list: the
//! resource policy, the function URL, the asynchronous invocation settings,
//! reserved concurrency and the region's event source mappings.
//!
//! For a function without a policy, URL or event invoke configuration AWS
//! returns ResourceNotFoundException. That is the normal "has none"
//! response, so it maps to `Ok(None)` and never to an error.

use aws_sdk_lambda::types::EventSourceMappingConfiguration;

use super::RegionClients;
use super::call::{traced, traced_page};
use super::error::{AwsError, ErrorKind};
use crate::model::{EventInvokeConfig, EventSourceMapping, FunctionUrlConfig, ResourcePolicy};

/// Turns "not found" into `Ok(None)`.
fn none_if_not_found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(error) if error.kind == ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Reads the function's resource-based policy; `None` when it has none.
/// A document that is not JSON is reported as a failed call, so rules
/// report Unknown instead of judging half a policy.
pub async fn get_policy(
    clients: &RegionClients,
    function: &str,
) -> Result<Option<ResourcePolicy>, AwsError> {
    const ACTION: &str = "lambda:GetPolicy";
    clients.lambda_limiter.until_ready().await;
    let output = none_if_not_found(
        traced(
            ACTION,
            &clients.region,
            Some(function),
            clients.lambda.get_policy().function_name(function).send(),
        )
        .await,
    )?;
    let Some(document) = output.as_ref().and_then(|o| o.policy()) else {
        return Ok(None);
    };
    ResourcePolicy::parse(document)
        .map(Some)
        .map_err(|error| AwsError {
            kind: ErrorKind::Other,
            action: ACTION.to_string(),
            code: None,
            message: Some(error.to_string()),
            status: None,
            request_id: None,
        })
}

/// Reads the URL of the unqualified function; `None` when it has none.
///
/// NOTE: a URL bound to an alias (`Qualifier`) is not read here, so a
/// function whose only URL is on an alias reads as having none.
pub async fn get_function_url(
    clients: &RegionClients,
    function: &str,
) -> Result<Option<FunctionUrlConfig>, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = none_if_not_found(
        traced(
            "lambda:GetFunctionUrlConfig",
            &clients.region,
            Some(function),
            clients
                .lambda
                .get_function_url_config()
                .function_name(function)
                .send(),
        )
        .await,
    )?;
    Ok(output.map(|url| FunctionUrlConfig {
        url: url.function_url().to_string(),
        function_arn: url.function_arn().to_string(),
        auth_type: url.auth_type().as_str().to_string(),
        cors_allow_origins: url
            .cors()
            .map(|cors| cors.allow_origins().to_vec())
            .unwrap_or_default(),
    }))
}

/// Reads the asynchronous invocation settings of the unqualified function;
/// `None` when none are set.
pub async fn get_event_invoke_config(
    clients: &RegionClients,
    function: &str,
) -> Result<Option<EventInvokeConfig>, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = none_if_not_found(
        traced(
            "lambda:GetFunctionEventInvokeConfig",
            &clients.region,
            Some(function),
            clients
                .lambda
                .get_function_event_invoke_config()
                .function_name(function)
                .send(),
        )
        .await,
    )?;
    Ok(output.map(|config| {
        let destinations = config.destination_config();
        EventInvokeConfig {
            on_success_destination: destinations
                .and_then(|d| d.on_success())
                .and_then(|d| d.destination())
                .filter(|arn| !arn.is_empty())
                .map(str::to_string),
            on_failure_destination: destinations
                .and_then(|d| d.on_failure())
                .and_then(|d| d.destination())
                .filter(|arn| !arn.is_empty())
                .map(str::to_string),
            maximum_retry_attempts: config.maximum_retry_attempts(),
            maximum_event_age_s: config.maximum_event_age_in_seconds(),
        }
    }))
}

/// Reads the reserved concurrency; `None` when none is reserved.
pub async fn get_reserved_concurrency(
    clients: &RegionClients,
    function: &str,
) -> Result<Option<i32>, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = traced(
        "lambda:GetFunctionConcurrency",
        &clients.region,
        Some(function),
        clients
            .lambda
            .get_function_concurrency()
            .function_name(function)
            .send(),
    )
    .await?;
    Ok(output.reserved_concurrent_executions())
}

fn mapping_from_sdk(mapping: &EventSourceMappingConfiguration) -> EventSourceMapping {
    EventSourceMapping {
        uuid: mapping.uuid().unwrap_or_default().to_string(),
        event_source_arn: mapping
            .event_source_arn()
            .filter(|arn| !arn.is_empty())
            .map(str::to_string),
        function_arn: mapping.function_arn().unwrap_or_default().to_string(),
        state: mapping.state().map(str::to_string),
        batch_size: mapping.batch_size(),
        maximum_concurrency: mapping
            .scaling_config()
            .and_then(|s| s.maximum_concurrency()),
        on_failure_destination: mapping
            .destination_config()
            .and_then(|d| d.on_failure())
            .and_then(|d| d.destination())
            .filter(|arn| !arn.is_empty())
            .map(str::to_string),
        bisect_batch_on_function_error: mapping.bisect_batch_on_function_error(),
        maximum_retry_attempts: mapping.maximum_retry_attempts(),
    }
}

/// Reads every event source mapping of the region, all pages. One call for
/// the region costs far fewer requests than one per function.
pub async fn list_event_source_mappings(
    clients: &RegionClients,
) -> Result<Vec<EventSourceMapping>, AwsError> {
    let mut pages = clients
        .lambda
        .list_event_source_mappings()
        .into_paginator()
        .send();
    let mut mappings = Vec::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) = traced_page(
            "lambda:ListEventSourceMappings",
            &clients.region,
            None,
            pages.next(),
        )
        .await
        else {
            break;
        };
        mappings.extend(page?.event_source_mappings().iter().map(mapping_from_sdk));
    }
    Ok(mappings)
}
