//! API Gateway REST API reads: which methods integrate a Lambda function,
//! whether each method validates its request body, and the stage-wide
//! throttling limits.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use aws_sdk_apigateway::types::{Method, Stage};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::call::{traced, traced_page};
use super::error::AwsError;
use super::inspector::unqualified_function_arn;
use crate::model::{RestApiInfo, RestIntegration, RestMethod, RestStageThrottling};

/// The method settings key that applies to every resource and method of a
/// stage.
const ALL_METHODS_KEY: &str = "*/*";

/// Pages of request validators read per API. An API rarely has more than a
/// handful, so the bound only keeps a misbehaving endpoint from looping.
const MAX_VALIDATOR_PAGES: usize = 20;

/// API Gateway management calls per second while reading. API Gateway sets
/// small fixed per-account quotas on its management API, shared with every
/// deployment tool of the account, so the read paces itself.
/// NOTE: 2 per second is a conservative choice, not a documented quota.
const REQUESTS_PER_SECOND: u32 = 2;

/// Returns the unqualified ARN of the Lambda function that an integration
/// URI invokes (`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/
/// FUNCTION_ARN/invocations`), or `None` for any other integration.
pub fn integrated_function_arn(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("/functions/")?;
    let arn = rest.strip_suffix("/invocations").unwrap_or(rest);
    arn.starts_with("arn:")
        .then(|| unqualified_function_arn(arn))
        .filter(|arn| arn.split(':').count() == 7)
}

/// Reads the `*/*` throttling of a stage. A limit that is absent, zero or
/// negative leaves the stage without its own limit, which the rule reports.
pub fn stage_throttling(api_id: &str, stage: &Stage) -> RestStageThrottling {
    let all = stage
        .method_settings()
        .and_then(|settings| settings.get(ALL_METHODS_KEY));
    RestStageThrottling {
        api_id: api_id.to_string(),
        stage_name: stage.stage_name().unwrap_or_default().to_string(),
        burst_limit: all.map(|s| s.throttling_burst_limit()),
        rate_limit: all.map(|s| s.throttling_rate_limit()),
    }
}

/// Maps one method. `validates_body` stays false until the API's validators
/// are read.
fn rest_method(api_id: &str, path: &str, verb: &str, method: &Method) -> RestMethod {
    let validator = method.request_validator_id().map(str::to_string);
    let mut request_models: Vec<String> = method
        .request_models()
        .map(|models| models.keys().cloned().collect())
        .unwrap_or_default();
    request_models.sort();
    RestMethod {
        api_id: api_id.to_string(),
        resource_path: path.to_string(),
        http_method: method.http_method().unwrap_or(verb).to_string(),
        request_validator_id: validator,
        validates_body: false,
        request_models,
    }
}

/// Reads `validateRequestBody` of every request validator of the API, by id.
async fn body_validators(
    region: &str,
    client: &aws_sdk_apigateway::Client,
    pace: &DefaultDirectRateLimiter,
    api_id: &str,
) -> Result<BTreeMap<String, bool>, AwsError> {
    let mut validators = BTreeMap::new();
    let mut position: Option<String> = None;
    for _ in 0..MAX_VALIDATOR_PAGES {
        pace.until_ready().await;
        let page = traced(
            "apigateway:GET",
            region,
            None,
            client
                .get_request_validators()
                .rest_api_id(api_id)
                .set_position(position.clone())
                .send(),
        )
        .await?;
        for validator in page.items() {
            if let Some(id) = validator.id() {
                validators.insert(id.to_string(), validator.validate_request_body());
            }
        }
        position = page
            .position()
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        if position.is_none() {
            break;
        }
    }
    Ok(validators)
}

/// Reads the integration URI of one method, for endpoints whose embedded
/// methods leave the integration out.
async fn integration_uri(
    region: &str,
    client: &aws_sdk_apigateway::Client,
    pace: &DefaultDirectRateLimiter,
    api_id: &str,
    resource_id: &str,
    verb: &str,
) -> Result<Option<String>, AwsError> {
    pace.until_ready().await;
    let output = traced(
        "apigateway:GET",
        region,
        None,
        client
            .get_integration()
            .rest_api_id(api_id)
            .resource_id(resource_id)
            .http_method(verb)
            .send(),
    )
    .await;
    match output {
        Ok(integration) => Ok(integration.uri().map(str::to_string)),
        Err(error) if error.kind == super::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Reads the methods of one API that invoke a Lambda function.
async fn lambda_integrations(
    region: &str,
    client: &aws_sdk_apigateway::Client,
    pace: &DefaultDirectRateLimiter,
    api_id: &str,
) -> Result<Vec<RestIntegration>, AwsError> {
    let mut pages = client
        .get_resources()
        .rest_api_id(api_id)
        .embed("methods")
        .into_paginator()
        .send();
    let mut integrations = Vec::new();
    loop {
        pace.until_ready().await;
        let Some(page) = traced_page("apigateway:GET", region, None, pages.next()).await else {
            break;
        };
        for resource in page?.items() {
            let path = resource.path().unwrap_or_default();
            let Some(methods) = resource.resource_methods() else {
                continue;
            };
            let mut verbs: Vec<&String> = methods.keys().collect();
            verbs.sort();
            for verb in verbs {
                let method = &methods[verb];
                let uri = match method.method_integration() {
                    Some(integration) => integration.uri().map(str::to_string),
                    None => match resource.id() {
                        Some(resource_id) => {
                            integration_uri(region, client, pace, api_id, resource_id, verb).await?
                        }
                        None => None,
                    },
                };
                let Some(function_arn) = uri.as_deref().and_then(integrated_function_arn) else {
                    continue;
                };
                integrations.push(RestIntegration {
                    function_arn,
                    method: rest_method(api_id, path, verb, method),
                });
            }
        }
    }
    Ok(integrations)
}

/// Reads every REST API of the region that integrates a Lambda function,
/// with its stages' throttling and its Lambda methods. APIs without a
/// Lambda integration are left out, so their stages and validators are
/// never read.
pub async fn read_rest_apis(
    region: &str,
    client: &aws_sdk_apigateway::Client,
) -> Result<Vec<RestApiInfo>, AwsError> {
    let rate = NonZeroU32::new(REQUESTS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
    let pace = RateLimiter::direct(Quota::per_second(rate));
    let mut pages = client.get_rest_apis().into_paginator().send();
    let mut api_ids = Vec::new();
    loop {
        pace.until_ready().await;
        let Some(page) = traced_page("apigateway:GET", region, None, pages.next()).await else {
            break;
        };
        api_ids.extend(page?.items().iter().filter_map(|api| {
            api.id()
                .map(|id| (id.to_string(), api.name().map(str::to_string)))
        }));
    }

    let mut apis = Vec::new();
    for (api_id, name) in api_ids {
        let mut integrations = lambda_integrations(region, client, &pace, &api_id).await?;
        if integrations.is_empty() {
            continue;
        }
        let validators = body_validators(region, client, &pace, &api_id).await?;
        for integration in &mut integrations {
            let method = &mut integration.method;
            method.validates_body = method
                .request_validator_id
                .as_ref()
                .and_then(|id| validators.get(id))
                .copied()
                .unwrap_or(false);
        }
        pace.until_ready().await;
        let stages = traced(
            "apigateway:GET",
            region,
            None,
            client.get_stages().rest_api_id(&api_id).send(),
        )
        .await?;
        let stages = stages
            .item()
            .iter()
            .map(|stage| stage_throttling(&api_id, stage))
            .collect();
        apis.push(RestApiInfo {
            api_id,
            name,
            stages,
            integrations,
        });
    }
    Ok(apis)
}

#[cfg(test)]
mod tests {
    use aws_sdk_apigateway::types::MethodSetting;

    use super::*;

    #[test]
    fn integration_uri_names_function() {
        let base = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/";
        let function = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";
        for uri in [
            format!("{base}{function}/invocations"),
            format!("{base}{function}:live/invocations"),
            format!("{base}{function}:${{stageVariables.alias}}/invocations"),
        ] {
            assert_eq!(
                integrated_function_arn(&uri).as_deref(),
                Some(function),
                "{uri}"
            );
        }
        assert_eq!(integrated_function_arn("https://example.com/orders"), None);
        assert_eq!(
            integrated_function_arn("arn:aws:apigateway:us-east-1:sqs:path/123/queue"),
            None
        );
    }

    #[test]
    fn stage_without_all_methods_key_has_no_limits() {
        let stage = Stage::builder().stage_name("prod").build();
        let throttling = stage_throttling("api1", &stage);
        assert_eq!(throttling.burst_limit, None);
        assert_eq!(throttling.rate_limit, None);
    }

    #[test]
    fn stage_all_methods_limits_are_read() {
        let setting = MethodSetting::builder()
            .throttling_burst_limit(200)
            .throttling_rate_limit(100.0)
            .build();
        let stage = Stage::builder()
            .stage_name("prod")
            .method_settings("*/*", setting.clone())
            .method_settings("orders/POST", setting)
            .build();
        let throttling = stage_throttling("api1", &stage);
        assert_eq!(throttling.stage_name, "prod");
        assert_eq!(throttling.burst_limit, Some(200));
        assert_eq!(throttling.rate_limit, Some(100.0));
    }
}
