//! Fleet metrics from CloudWatch GetMetricData.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use super::RegionClients;
use super::error::AwsError;
use super::metric_data::{MAX_QUERIES_PER_CALL, get_metric_data, lambda_stat};
use crate::model::{FleetMetrics, FunctionMetrics, MetricSeries, VersionMetrics};

pub const PERCENTILE_STAT: &str = "p99";

/// The request of one metrics poll of a region.
#[derive(Debug, Clone)]
pub struct MetricsRequest {
    pub functions: Vec<String>,
    /// Weighted aliases: function, alias and every version that receives
    /// traffic, for the {FunctionName, Resource, ExecutedVersion} series.
    pub weighted_aliases: Vec<(String, String, Vec<String>)>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_s: i32,
}

impl MetricsRequest {
    /// A window of `minutes` that ends at the next whole minute, so every
    /// period lines up with CloudWatch's minute boundaries.
    pub fn last_minutes(now: DateTime<Utc>, minutes: i64) -> (DateTime<Utc>, DateTime<Utc>) {
        let end_secs = (now.timestamp() / 60 + 1) * 60;
        let end = Utc.timestamp_opt(end_secs, 0).single().unwrap_or(now);
        (end - chrono::Duration::minutes(minutes), end)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FunctionSeries {
    Invocations,
    Errors,
    Throttles,
    DurationSum,
    DurationCount,
    DurationMax,
    ConcurrencyMax,
}

impl FunctionSeries {
    const ALL: [FunctionSeries; 7] = [
        FunctionSeries::Invocations,
        FunctionSeries::Errors,
        FunctionSeries::Throttles,
        FunctionSeries::DurationSum,
        FunctionSeries::DurationCount,
        FunctionSeries::DurationMax,
        FunctionSeries::ConcurrencyMax,
    ];

    fn metric_and_stat(self) -> (&'static str, &'static str) {
        match self {
            FunctionSeries::Invocations => ("Invocations", "Sum"),
            FunctionSeries::Errors => ("Errors", "Sum"),
            FunctionSeries::Throttles => ("Throttles", "Sum"),
            FunctionSeries::DurationSum => ("Duration", "Sum"),
            FunctionSeries::DurationCount => ("Duration", "SampleCount"),
            FunctionSeries::DurationMax => ("Duration", "Maximum"),
            FunctionSeries::ConcurrencyMax => ("ConcurrentExecutions", "Maximum"),
        }
    }

    fn slot(self, metrics: &mut FunctionMetrics) -> &mut MetricSeries {
        match self {
            FunctionSeries::Invocations => &mut metrics.invocations,
            FunctionSeries::Errors => &mut metrics.errors,
            FunctionSeries::Throttles => &mut metrics.throttles,
            FunctionSeries::DurationSum => &mut metrics.duration_sum_ms,
            FunctionSeries::DurationCount => &mut metrics.duration_count,
            FunctionSeries::DurationMax => &mut metrics.duration_max_ms,
            FunctionSeries::ConcurrencyMax => &mut metrics.concurrency_max,
        }
    }
}

/// Where the result of one query goes.
#[derive(Debug, Clone)]
enum Target {
    Function(String, FunctionSeries),
    /// Function, index into its version list, and whether this is Errors.
    Version(String, usize, bool),
    AccountConcurrency,
    Percentile(String),
}

struct Query {
    target: Target,
    metric: &'static str,
    stat: &'static str,
    dimensions: Vec<(&'static str, String)>,
}

/// The result of a batch of queries: one series per query, in query order,
/// plus any partial-data notes.
struct BatchResult {
    series: Vec<MetricSeries>,
    messages: Vec<String>,
}

/// Runs the queries in as few GetMetricData calls as the 500-query limit
/// allows, following NextToken within each call.
async fn run_queries(
    clients: &RegionClients,
    queries: &[Query],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period_s: i32,
) -> Result<BatchResult, AwsError> {
    let stats = queries
        .iter()
        .map(|query| lambda_stat(query.metric, query.stat, &query.dimensions, period_s))
        .collect::<Vec<_>>();
    let data = get_metric_data(clients, &stats, start, end, MAX_QUERIES_PER_CALL).await?;

    let mut messages: Vec<String> = data
        .messages
        .iter()
        .map(|m| format!("{}: {}", m.code.as_deref().unwrap_or("message"), m.value))
        .collect();
    for (index, query) in queries.iter().enumerate() {
        let target = describe_target(&query.target);
        if data.partial[index] {
            messages.push(format!("partial data for {} {target}", query.metric));
        }
        for message in &data.result_messages[index] {
            messages.push(format!("{} {target}: {message}", query.metric));
        }
    }
    messages.dedup();
    let series = data
        .points
        .into_iter()
        .map(MetricSeries::from_pairs)
        .collect();
    Ok(BatchResult { series, messages })
}

fn describe_target(target: &Target) -> String {
    match target {
        Target::Function(name, _) | Target::Percentile(name) => name.clone(),
        Target::Version(name, index, _) => format!("{name} (version #{index})"),
        Target::AccountConcurrency => "account".to_string(),
    }
}

fn fleet_queries(request: &MetricsRequest) -> Vec<Query> {
    let mut queries = Vec::new();
    for function in &request.functions {
        for series in FunctionSeries::ALL {
            let (metric, stat) = series.metric_and_stat();
            queries.push(Query {
                target: Target::Function(function.clone(), series),
                metric,
                stat,
                dimensions: vec![("FunctionName", function.clone())],
            });
        }
    }
    for (function, alias, versions) in &request.weighted_aliases {
        for (index, version) in versions.iter().enumerate() {
            for (metric, is_errors) in [("Invocations", false), ("Errors", true)] {
                queries.push(Query {
                    target: Target::Version(function.clone(), index, is_errors),
                    metric,
                    stat: "Sum",
                    dimensions: vec![
                        ("FunctionName", function.clone()),
                        ("Resource", format!("{function}:{alias}")),
                        ("ExecutedVersion", version.clone()),
                    ],
                });
            }
        }
    }
    queries.push(Query {
        target: Target::AccountConcurrency,
        metric: "ConcurrentExecutions",
        stat: "Maximum",
        dimensions: Vec::new(),
    });
    queries
}

/// Reads the fleet's series for the window. Returns the metrics and the
/// number of metrics requested, which is what CloudWatch bills.
pub async fn fetch_fleet_metrics(
    clients: &RegionClients,
    request: &MetricsRequest,
) -> Result<(FleetMetrics, u64), AwsError> {
    let queries = fleet_queries(request);
    let billed = queries.len() as u64;
    let batch = run_queries(
        clients,
        &queries,
        request.start,
        request.end,
        request.period_s,
    )
    .await?;

    let mut metrics = FleetMetrics {
        start: request.start,
        end: request.end,
        period_s: i64::from(request.period_s),
        messages: batch.messages,
        ..FleetMetrics::default()
    };
    for function in &request.functions {
        metrics
            .functions
            .insert(function.clone(), FunctionMetrics::default());
    }
    for (function, alias, versions) in &request.weighted_aliases {
        let list = versions
            .iter()
            .map(|version| VersionMetrics {
                alias: alias.clone(),
                version: version.clone(),
                ..VersionMetrics::default()
            })
            .collect();
        metrics.versions.insert(function.clone(), list);
    }
    for (query, series) in queries.iter().zip(batch.series) {
        match &query.target {
            Target::Function(name, kind) => {
                if let Some(function) = metrics.functions.get_mut(name) {
                    *kind.slot(function) = series;
                }
            }
            Target::Version(name, index, is_errors) => {
                if let Some(version) = metrics
                    .versions
                    .get_mut(name)
                    .and_then(|list| list.get_mut(*index))
                {
                    if *is_errors {
                        version.errors = series;
                    } else {
                        version.invocations = series;
                    }
                }
            }
            Target::AccountConcurrency => metrics.account_concurrency = series,
            Target::Percentile(_) => {}
        }
    }
    Ok((metrics, billed))
}

/// Reads Duration p99 per function. Kept out of the fleet call because some
/// endpoints fail a whole GetMetricData call that contains a percentile.
pub async fn fetch_percentiles(
    clients: &RegionClients,
    functions: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period_s: i32,
) -> Result<(BTreeMap<String, MetricSeries>, u64), AwsError> {
    let queries: Vec<Query> = functions
        .iter()
        .map(|function| Query {
            target: Target::Percentile(function.clone()),
            metric: "Duration",
            stat: PERCENTILE_STAT,
            dimensions: vec![("FunctionName", function.clone())],
        })
        .collect();
    if queries.is_empty() {
        return Ok((BTreeMap::new(), 0));
    }
    let billed = queries.len() as u64;
    let batch = run_queries(clients, &queries, start, end, period_s).await?;
    let by_function = functions.iter().cloned().zip(batch.series).collect();
    Ok((by_function, billed))
}
