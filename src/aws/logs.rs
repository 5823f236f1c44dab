//! CloudWatch Logs log groups of Lambda functions.

use std::collections::BTreeMap;

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;
use crate::model::LogGroupInfo;

/// The prefix of the log groups Lambda creates by default.
pub const LAMBDA_LOG_GROUP_PREFIX: &str = "/aws/lambda/";

/// Reads every log group under `/aws/lambda/`, all pages, by name.
pub async fn describe_lambda_log_groups(
    clients: &RegionClients,
) -> Result<BTreeMap<String, LogGroupInfo>, AwsError> {
    let mut pages = clients
        .logs
        .describe_log_groups()
        .log_group_name_prefix(LAMBDA_LOG_GROUP_PREFIX)
        .into_paginator()
        .send();
    let mut groups = BTreeMap::new();
    while let Some(page) = traced_page(
        "logs:DescribeLogGroups",
        &clients.region,
        None,
        pages.next(),
    )
    .await
    {
        for group in page?.log_groups() {
            let Some(name) = group.log_group_name() else {
                continue;
            };
            groups.insert(
                name.to_string(),
                LogGroupInfo {
                    name: name.to_string(),
                    retention_days: group.retention_in_days(),
                },
            );
        }
    }
    Ok(groups)
}
