//! The one GetMetricData loop that every metrics reader shares: the fleet
//! poll, the function screen, the concurrency hunt and the checklist's daily
//! sums. Each reader builds its own list of metric statistics. This module
//! splits the list into calls, follows NextToken, and returns the datapoints
//! by list position with every status and message, so no reader can drop a
//! `PartialData` flag or a message by accident.

use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, StatusCode};
use chrono::{DateTime, TimeZone, Utc};

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;

/// GetMetricData accepts at most 500 queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// Builds a metric statistic of the `AWS/Lambda` namespace.
pub fn lambda_stat(
    metric: &str,
    stat: &str,
    dimensions: &[(&str, String)],
    period_s: i32,
) -> MetricStat {
    let dimensions = dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(*name).value(value).build())
        .collect::<Vec<_>>();
    let metric = Metric::builder()
        .namespace("AWS/Lambda")
        .metric_name(metric)
        .set_dimensions(Some(dimensions))
        .build();
    MetricStat::builder()
        .metric(metric)
        .period(period_s)
        .stat(stat)
        .build()
}

/// A top-level message of a GetMetricData response, such as "Maximum number
/// of allowed metrics exceeded".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseMessage {
    pub code: Option<String>,
    pub value: String,
}

/// The GetMetricData results, indexed like the requested statistics.
#[derive(Debug, Default)]
pub struct MetricData {
    /// Datapoints of each statistic, in the order the pages brought them.
    pub points: Vec<Vec<(DateTime<Utc>, f64)>>,
    /// True where a result had the status `PartialData`.
    pub partial: Vec<bool>,
    /// Messages attached to each result.
    pub result_messages: Vec<Vec<String>>,
    /// Messages of the responses themselves.
    pub messages: Vec<ResponseMessage>,
}

/// Reads `stats` over `[start, end)` in calls of at most `per_call`
/// statistics, following NextToken within each call. A `PartialData` result
/// without NextToken (math expressions) ends the paging like any last page.
pub async fn get_metric_data(
    clients: &RegionClients,
    stats: &[MetricStat],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    per_call: usize,
) -> Result<MetricData, AwsError> {
    let mut data = MetricData {
        points: vec![Vec::new(); stats.len()],
        partial: vec![false; stats.len()],
        result_messages: vec![Vec::new(); stats.len()],
        messages: Vec::new(),
    };
    let per_call = per_call.clamp(1, MAX_QUERIES_PER_CALL);
    let start_time = aws_smithy_types::DateTime::from_secs(start.timestamp());
    let end_time = aws_smithy_types::DateTime::from_secs(end.timestamp());

    for (chunk_index, chunk) in stats.chunks(per_call).enumerate() {
        // The id carries the position in `stats`, so results can come back
        // in any order and across pages.
        let offset = chunk_index * per_call;
        let queries = chunk
            .iter()
            .enumerate()
            .map(|(i, stat)| {
                MetricDataQuery::builder()
                    .id(format!("q{}", offset + i))
                    .metric_stat(stat.clone())
                    .return_data(true)
                    .build()
            })
            .collect::<Vec<_>>();
        let mut pages = clients
            .cloudwatch
            .get_metric_data()
            .set_metric_data_queries(Some(queries))
            .start_time(start_time)
            .end_time(end_time)
            .into_paginator()
            .send();
        while let Some(page) = traced_page(
            "cloudwatch:GetMetricData",
            &clients.region,
            None,
            pages.next(),
        )
        .await
        {
            let page = page?;
            for message in page.messages() {
                data.messages.push(ResponseMessage {
                    code: message.code().map(str::to_string),
                    value: message.value().unwrap_or_default().to_string(),
                });
            }
            for result in page.metric_data_results() {
                let Some(index) = result
                    .id()
                    .and_then(|id| id.strip_prefix('q'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|index| *index < stats.len())
                else {
                    continue;
                };
                if result.status_code() == Some(&StatusCode::PartialData) {
                    data.partial[index] = true;
                }
                data.result_messages[index].extend(
                    result
                        .messages()
                        .iter()
                        .map(|m| m.value().unwrap_or_default().to_string()),
                );
                let timestamps = result.timestamps().iter().filter_map(to_chrono);
                data.points[index].extend(timestamps.zip(result.values().iter().copied()));
            }
        }
    }
    data.messages.dedup();
    Ok(data)
}

fn to_chrono(time: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(time.secs(), time.subsec_nanos()).single()
}
