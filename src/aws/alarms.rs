//! CloudWatch metric alarms, read for the checklist's alarm rules.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::MetricAlarm;

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;
use crate::model::AlarmInfo;

fn alarm_from_sdk(alarm: &MetricAlarm) -> AlarmInfo {
    let dimensions: BTreeMap<String, String> = alarm
        .dimensions()
        .iter()
        .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
        .collect();
    AlarmInfo {
        name: alarm.alarm_name().unwrap_or_default().to_string(),
        namespace: alarm.namespace().map(str::to_string),
        metric_name: alarm.metric_name().map(str::to_string),
        state: alarm.state_value().map(|s| s.as_str().to_string()),
        dimensions,
    }
}

/// Reads every metric alarm of the region, all pages. Composite alarms
/// carry no dimensions, so they cannot name a function and are skipped.
pub async fn describe_alarms(clients: &RegionClients) -> Result<Vec<AlarmInfo>, AwsError> {
    let mut pages = clients.cloudwatch.describe_alarms().into_paginator().send();
    let mut alarms = Vec::new();
    while let Some(page) = traced_page(
        "cloudwatch:DescribeAlarms",
        &clients.region,
        None,
        pages.next(),
    )
    .await
    {
        alarms.extend(page?.metric_alarms().iter().map(alarm_from_sdk));
    }
    Ok(alarms)
}
