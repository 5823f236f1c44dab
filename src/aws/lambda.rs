//! Lambda control-plane reads: functions, aliases, versions and tags.

use std::collections::BTreeMap;

use aws_sdk_lambda::types::{AliasConfiguration, FunctionConfiguration};
use chrono::{DateTime, Utc};

use super::RegionClients;
use super::call::{traced, traced_page};
use super::error::AwsError;
use crate::model::{
    Alias, EnvironmentValues, Function, PackageType, RoutingWeight, Version, VpcConfig,
};

/// Parses Lambda's `LastModified`, which AWS writes with a colon-less offset
/// (`2024-08-07T13:20:10.000+0000`) that RFC 3339 parsers reject.
pub fn parse_last_modified(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|value| !value.is_empty()).map(str::to_string)
}

/// Maps one `FunctionConfiguration` to the model. Every field is optional in
/// the API (image functions have no runtime, handler or layers), so nothing
/// here assumes presence.
pub fn function_from_sdk(region: &str, config: &FunctionConfiguration) -> Function {
    let package_type = match config.package_type().map(|p| p.as_str()) {
        Some("Image") => PackageType::Image,
        Some("Zip") | None => PackageType::Zip,
        Some(other) => PackageType::Other(other.to_string()),
    };
    let vpc = config
        .vpc_config()
        .filter(|vpc| !vpc.subnet_ids().is_empty() || vpc.vpc_id().is_some_and(|id| !id.is_empty()))
        .map(|vpc| VpcConfig {
            vpc_id: non_empty(vpc.vpc_id()),
            subnet_ids: vpc.subnet_ids().to_vec(),
            security_group_ids: vpc.security_group_ids().to_vec(),
        });
    let mut environment_keys: Vec<String> = config
        .environment()
        .and_then(|env| env.variables())
        .map(|vars| vars.keys().cloned().collect())
        .unwrap_or_default();
    environment_keys.sort();

    Function {
        region: region.to_string(),
        name: config.function_name().unwrap_or_default().to_string(),
        arn: config.function_arn().unwrap_or_default().to_string(),
        runtime: config.runtime().map(|r| r.as_str().to_string()),
        package_type,
        handler: non_empty(config.handler()),
        memory_mb: config.memory_size(),
        timeout_s: config.timeout(),
        architectures: config
            .architectures()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        code_size_bytes: config.code_size(),
        description: non_empty(config.description()),
        role: non_empty(config.role()),
        last_modified: config.last_modified().and_then(parse_last_modified),
        state: config.state().map(|s| s.as_str().to_string()),
        last_update_status: config.last_update_status().map(|s| s.as_str().to_string()),
        tracing_mode: config
            .tracing_config()
            .and_then(|t| t.mode())
            .map(|m| m.as_str().to_string()),
        revision_id: non_empty(config.revision_id()),
        vpc,
        environment_keys,
        layers: config
            .layers()
            .iter()
            .filter_map(|layer| layer.arn().map(str::to_string))
            .collect(),
        dead_letter_target: config
            .dead_letter_config()
            .and_then(|d| non_empty(d.target_arn())),
        kms_key_arn: non_empty(config.kms_key_arn()),
        log_group: config
            .logging_config()
            .and_then(|l| non_empty(l.log_group())),
        log_format: config
            .logging_config()
            .and_then(|l| l.log_format())
            .map(|f| f.as_str().to_string()),
        ephemeral_storage_mb: config.ephemeral_storage().map(|e| e.size()),
        environment: Some(EnvironmentValues(
            config
                .environment()
                .and_then(|env| env.variables())
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        )),
    }
}

pub(super) fn version_from_sdk(config: &FunctionConfiguration) -> Version {
    Version {
        version: config.version().unwrap_or_default().to_string(),
        description: non_empty(config.description()),
        runtime: config.runtime().map(|r| r.as_str().to_string()),
        memory_mb: config.memory_size(),
        code_sha256: non_empty(config.code_sha256()),
        last_modified: config.last_modified().and_then(parse_last_modified),
        revision_id: non_empty(config.revision_id()),
        role: non_empty(config.role()),
        dead_letter_target: config
            .dead_letter_config()
            .and_then(|d| non_empty(d.target_arn())),
    }
}

pub(super) fn alias_from_sdk(alias: &AliasConfiguration) -> Alias {
    let mut routing: Vec<RoutingWeight> = alias
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .map(|weights| {
            weights
                .iter()
                .map(|(version, weight)| RoutingWeight {
                    version: version.clone(),
                    weight: *weight,
                })
                .collect()
        })
        .unwrap_or_default();
    routing.sort_by(|a, b| a.version.cmp(&b.version));
    Alias {
        name: alias.name().unwrap_or_default().to_string(),
        function_version: alias.function_version().unwrap_or_default().to_string(),
        routing,
        revision_id: non_empty(alias.revision_id()),
        description: non_empty(alias.description()),
    }
}

/// Reads every page of ListFunctions. The paginator stops on an absent or
/// empty `NextMarker`.
pub async fn list_functions(clients: &RegionClients) -> Result<Vec<Function>, AwsError> {
    let mut pages = clients.lambda.list_functions().into_paginator().send();
    let mut functions = Vec::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) =
            traced_page("lambda:ListFunctions", &clients.region, None, pages.next()).await
        else {
            break;
        };
        let page = page?;
        functions.extend(
            page.functions()
                .iter()
                .map(|config| function_from_sdk(&clients.region, config)),
        );
    }
    Ok(functions)
}

pub async fn list_aliases(clients: &RegionClients, function: &str) -> Result<Vec<Alias>, AwsError> {
    let mut pages = clients
        .lambda
        .list_aliases()
        .function_name(function)
        .into_paginator()
        .send();
    let mut aliases = Vec::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) = traced_page(
            "lambda:ListAliases",
            &clients.region,
            Some(function),
            pages.next(),
        )
        .await
        else {
            break;
        };
        aliases.extend(page?.aliases().iter().map(alias_from_sdk));
    }
    Ok(aliases)
}

/// Reads every published version and `$LATEST`.
pub async fn list_versions(
    clients: &RegionClients,
    function: &str,
) -> Result<Vec<Version>, AwsError> {
    let mut pages = clients
        .lambda
        .list_versions_by_function()
        .function_name(function)
        .into_paginator()
        .send();
    let mut versions = Vec::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) = traced_page(
            "lambda:ListVersionsByFunction",
            &clients.region,
            Some(function),
            pages.next(),
        )
        .await
        else {
            break;
        };
        versions.extend(page?.versions().iter().map(version_from_sdk));
    }
    Ok(versions)
}

pub async fn list_tags(
    clients: &RegionClients,
    function: &str,
    arn: &str,
) -> Result<BTreeMap<String, String>, AwsError> {
    clients.lambda_limiter.until_ready().await;
    let output = traced(
        "lambda:ListTags",
        &clients.region,
        Some(function),
        clients.lambda.list_tags().resource(arn).send(),
    )
    .await?;
    Ok(output
        .tags()
        .map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::parse_last_modified;

    #[test]
    fn last_modified_without_colon() {
        let parsed = parse_last_modified("2024-08-07T13:20:10.000+0000");
        assert_eq!(
            parsed.map(|t| t.to_rfc3339()),
            Some("2024-08-07T13:20:10+00:00".to_string())
        );
    }

    #[test]
    fn last_modified_rfc3339() {
        assert!(parse_last_modified("2024-08-07T13:20:10.123+09:00").is_some());
        assert!(parse_last_modified("not a date").is_none());
    }
}
