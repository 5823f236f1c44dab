//! CloudWatch Logs log groups of Lambda functions.

use std::collections::BTreeMap;

use super::RegionClients;
use super::call::{traced, traced_page};
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

/// The events one FilterLogEvents read returned, up to a bound.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilteredEvents {
    pub events: Vec<crate::logs::summary::LogEvent>,
    /// True when the page bound stopped the read with pages left.
    pub truncated: bool,
}

/// The lines the Logs and Traces tabs read: platform REPORT and INIT_REPORT
/// lines (text and JSON format), error lines, the older timeout line and EMF
/// documents. `?` joins terms with OR.
pub const DRILL_FILTER_PATTERN: &str =
    "?REPORT ?INIT_REPORT ?ERROR ?\"Task timed out\" ?\"_aws\" ?\"platform.report\"";

/// Reads the events of `log_group` between `start` and `end` that match
/// `pattern`, following nextToken for at most `max_pages` pages.
pub async fn filter_log_events(
    clients: &RegionClients,
    function: &str,
    log_group: &str,
    window: (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    pattern: Option<&str>,
    max_pages: usize,
) -> Result<FilteredEvents, AwsError> {
    let mut result = FilteredEvents::default();
    let mut next_token: Option<String> = None;
    for page in 0..max_pages.max(1) {
        let request = clients
            .logs
            .filter_log_events()
            .log_group_name(log_group)
            .start_time(window.0.timestamp_millis())
            .end_time(window.1.timestamp_millis())
            .set_filter_pattern(pattern.map(str::to_string))
            .set_next_token(next_token.take());
        let output = traced(
            "logs:FilterLogEvents",
            &clients.region,
            Some(function),
            request.send(),
        )
        .await?;
        result.events.extend(
            output
                .events()
                .iter()
                .map(|event| crate::logs::summary::LogEvent {
                    timestamp_ms: event.timestamp(),
                    log_stream: event.log_stream_name().map(str::to_string),
                    message: event.message().unwrap_or_default().to_string(),
                }),
        );
        next_token = output
            .next_token()
            .filter(|token| !token.is_empty())
            .map(str::to_string);
        if next_token.is_none() {
            break;
        }
        if page + 1 == max_pages.max(1) {
            result.truncated = true;
        }
    }
    Ok(result)
}
