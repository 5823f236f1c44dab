//! Provisioned concurrency of a function's versions and aliases, for the
//! shift pre-flight.

use serde::{Deserialize, Serialize};

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;
use crate::rollout::preflight::ProvisionedConcurrency;

/// One provisioned-concurrency configuration, on a version or an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedConfig {
    /// The version number or alias name the configuration is on.
    pub qualifier: String,
    pub requested: u32,
    pub allocated: Option<u32>,
    /// `IN_PROGRESS`, `READY` or `FAILED`.
    pub status: Option<String>,
}

/// Reads every provisioned-concurrency configuration of `function`.
pub async fn list_provisioned_concurrency(
    clients: &RegionClients,
    function: &str,
) -> Result<Vec<ProvisionedConfig>, AwsError> {
    let mut pages = clients
        .lambda
        .list_provisioned_concurrency_configs()
        .function_name(function)
        .into_paginator()
        .send();
    let mut configs = Vec::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) = traced_page(
            "lambda:ListProvisionedConcurrencyConfigs",
            &clients.region,
            Some(function),
            pages.next(),
        )
        .await
        else {
            break;
        };
        configs.extend(
            page?
                .provisioned_concurrency_configs()
                .iter()
                .filter_map(|item| {
                    // The ARN is qualified: `...:function:NAME:QUALIFIER`.
                    let qualifier = item.function_arn()?.rsplit(':').next()?.to_string();
                    Some(ProvisionedConfig {
                        qualifier,
                        requested: count(item.requested_provisioned_concurrent_executions()),
                        allocated: item
                            .allocated_provisioned_concurrent_executions()
                            .map(|n| count(Some(n))),
                        status: item.status().map(|s| s.as_str().to_string()),
                    })
                }),
        );
    }
    Ok(configs)
}

fn count(value: Option<i32>) -> u32 {
    value.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// Picks the configurations that matter for moving `alias` from
/// `stable_version` to `new_version`.
pub fn provisioned_for_shift(
    configs: &[ProvisionedConfig],
    alias: &str,
    stable_version: &str,
    new_version: &str,
) -> ProvisionedConcurrency {
    let find = |qualifier: &str| configs.iter().find(|c| c.qualifier == qualifier);
    ProvisionedConcurrency {
        on_alias: find(alias).map(|c| c.requested),
        on_stable_version: find(stable_version).map(|c| c.requested),
        on_new_version: find(new_version).map(|c| c.requested),
        new_version_status: find(new_version).and_then(|c| c.status.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(qualifier: &str, requested: u32, status: &str) -> ProvisionedConfig {
        ProvisionedConfig {
            qualifier: qualifier.to_string(),
            requested,
            allocated: Some(requested),
            status: Some(status.to_string()),
        }
    }

    #[test]
    fn shift_picks_alias_and_versions() {
        let configs = vec![
            config("live", 10, "READY"),
            config("12", 20, "READY"),
            config("13", 5, "IN_PROGRESS"),
            config("11", 7, "READY"),
        ];

        let picked = provisioned_for_shift(&configs, "live", "12", "13");

        assert_eq!(picked.on_alias, Some(10));
        assert_eq!(picked.on_stable_version, Some(20));
        assert_eq!(picked.on_new_version, Some(5));
        assert_eq!(picked.new_version_status.as_deref(), Some("IN_PROGRESS"));
    }

    #[test]
    fn shift_without_configs_is_empty() {
        let picked = provisioned_for_shift(&[], "live", "12", "13");

        assert_eq!(picked, ProvisionedConcurrency::default());
    }
}
