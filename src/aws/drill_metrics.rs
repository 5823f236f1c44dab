//! GetMetricData for the function screen's Metrics tab and for the
//! account's concurrency hunt. The fleet poll in `cloudwatch.rs` reads one
//! hour for every function. These calls read one function over a chosen
//! range, or the account over days. They keep `PartialData` and `Messages`
//! apart, so the screen can show them.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::RegionClients;
use super::error::AwsError;
use super::metric_data::{get_metric_data, lambda_stat};
use crate::model::drill_metrics::{
    DrillMetrics, HuntContributor, HuntResult, HuntWindow, MetricMessage, Scope, ScopeMetrics,
    ScopeSeries, TimeRange, choose_period_s, estimate_concurrency, queries_per_call,
};
use crate::model::{Collected, MetricSeries};

const PERCENTILE_STAT: &str = "p99";

/// The Metrics tab's request for one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillRequest {
    pub function: String,
    pub aliases: Vec<String>,
    /// Weighted aliases with every version that receives traffic.
    pub weighted: Vec<(String, Vec<String>)>,
    pub range: TimeRange,
}

impl DrillRequest {
    /// The scopes in display order: the function, each alias, then each
    /// executed version of each weighted alias.
    pub fn scopes(&self) -> Vec<Scope> {
        let mut scopes = vec![Scope::Function];
        scopes.extend(self.aliases.iter().cloned().map(Scope::Alias));
        for (alias, versions) in &self.weighted {
            for version in versions {
                scopes.push(Scope::Version {
                    alias: alias.clone(),
                    version: version.clone(),
                });
            }
        }
        scopes
    }
}

/// One metric query and where its series goes.
#[derive(Debug, Clone)]
struct Query {
    metric: &'static str,
    stat: &'static str,
    dimensions: Vec<(&'static str, String)>,
    description: String,
}

/// Series in query order, the descriptions of series marked `PartialData`,
/// and every message.
struct Answers {
    series: Vec<MetricSeries>,
    partial: Vec<String>,
    messages: Vec<MetricMessage>,
}

/// Runs `queries` in calls of at most 500 queries and at most 100,800 data
/// points.
async fn run(
    clients: &RegionClients,
    queries: &[Query],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period_s: i64,
) -> Result<Answers, AwsError> {
    let points = (end - start).num_seconds() / period_s.max(1);
    let period = i32::try_from(period_s).unwrap_or(i32::MAX);
    let stats = queries
        .iter()
        .map(|query| lambda_stat(query.metric, query.stat, &query.dimensions, period))
        .collect::<Vec<_>>();
    let data = get_metric_data(clients, &stats, start, end, queries_per_call(points)).await?;

    let mut messages: Vec<MetricMessage> = data
        .messages
        .into_iter()
        .map(|m| MetricMessage {
            code: m.code,
            value: m.value,
        })
        .collect();
    let mut partial = Vec::new();
    for (index, query) in queries.iter().enumerate() {
        let description = &query.description;
        if data.partial[index] && !partial.contains(description) {
            partial.push(description.clone());
        }
        for message in &data.result_messages[index] {
            messages.push(MetricMessage {
                code: None,
                value: format!("{description}: {message}"),
            });
        }
    }
    messages.dedup();
    Ok(Answers {
        series: data
            .points
            .into_iter()
            .map(MetricSeries::from_pairs)
            .collect(),
        partial,
        messages,
    })
}

fn scope_dimensions(function: &str, scope: &Scope) -> Vec<(&'static str, String)> {
    let mut dimensions = vec![("FunctionName", function.to_string())];
    match scope {
        Scope::Function => {}
        Scope::Alias(alias) => dimensions.push(("Resource", format!("{function}:{alias}"))),
        Scope::Version { alias, version } => {
            dimensions.push(("Resource", format!("{function}:{alias}")));
            dimensions.push(("ExecutedVersion", version.clone()));
        }
    }
    dimensions
}

/// The metric and statistic of each [`ScopeSeries`] field, in field order.
const SCOPE_SERIES: [(&str, &str); 7] = [
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "Average"),
    ("Duration", "Maximum"),
    ("Duration", "Sum"),
    ("ConcurrentExecutions", "Maximum"),
];

fn scope_series(mut series: impl Iterator<Item = MetricSeries>) -> ScopeSeries {
    let mut next = || series.next().unwrap_or_default();
    ScopeSeries {
        invocations: next(),
        errors: next(),
        throttles: next(),
        duration_avg_ms: next(),
        duration_max_ms: next(),
        duration_sum_ms: next(),
        concurrency_max: next(),
    }
}

/// Reads the Metrics tab's series of one function for `request.range`
/// ending at `now`. Duration p99 goes in a call of its own, because an
/// endpoint that rejects percentiles fails the whole call: then each
/// scope's p99 carries that error and the other series stay. Returns the
/// metrics and the number of metrics requested, which CloudWatch bills.
pub async fn fetch_drill_metrics(
    clients: &RegionClients,
    request: &DrillRequest,
    now: DateTime<Utc>,
) -> Result<(DrillMetrics, u64), AwsError> {
    let (start, end, period_s) = request.range.window(now);
    let scopes = request.scopes();
    let queries: Vec<Query> = scopes
        .iter()
        .flat_map(|scope| {
            SCOPE_SERIES.iter().map(move |(metric, stat)| Query {
                metric,
                stat,
                dimensions: scope_dimensions(&request.function, scope),
                description: format!("{metric} {stat} ({})", scope.label()),
            })
        })
        .collect();
    let answers = run(clients, &queries, start, end, period_s).await?;
    let mut billed = queries.len() as u64;

    let percentile_queries: Vec<Query> = scopes
        .iter()
        .map(|scope| Query {
            metric: "Duration",
            stat: PERCENTILE_STAT,
            dimensions: scope_dimensions(&request.function, scope),
            description: format!("Duration p99 ({})", scope.label()),
        })
        .collect();
    let percentiles = run(clients, &percentile_queries, start, end, period_s).await;
    let mut partial = answers.partial;
    let mut messages = answers.messages;
    let p99: Vec<Collected<MetricSeries>> = match percentiles {
        Ok(found) => {
            billed += percentile_queries.len() as u64;
            partial.extend(found.partial);
            messages.extend(found.messages);
            found.series.into_iter().map(Collected::Loaded).collect()
        }
        Err(error) => vec![Collected::Failed(error); scopes.len()],
    };

    let mut series = answers.series.into_iter();
    let scopes = scopes
        .into_iter()
        .zip(p99)
        .map(|(scope, p99_ms)| ScopeMetrics {
            scope,
            series: scope_series(series.by_ref().take(SCOPE_SERIES.len())),
            p99_ms,
        })
        .collect();
    let metrics = DrillMetrics {
        range: request.range,
        start,
        end,
        period_s,
        scopes,
        partial,
        messages,
    };
    Ok((metrics, billed))
}

/// Finds the highest account-level ConcurrentExecutions Maximum in the
/// lookback and the functions that ran most in the minutes before it.
///
/// The lookback is first read at a period that keeps it within 1,440 points
/// (15 minutes for 14 days). The coarse peak's period is then read again at
/// the finest period CloudWatch still keeps for that age, which places the
/// peak on its minute. Returns the result and the metrics billed.
pub async fn fetch_hunt(
    clients: &RegionClients,
    functions: &[String],
    window: HuntWindow,
    now: DateTime<Utc>,
) -> Result<(HuntResult, u64), AwsError> {
    let end_s = (now.timestamp() / 60 + 1) * 60;
    let searched_to = Utc.timestamp_opt(end_s, 0).single().unwrap_or(now);
    let searched_from = searched_to - Duration::days(window.lookback_days.max(1));
    let coarse_period_s = choose_period_s(searched_from, searched_to, now);
    let account = Query {
        metric: "ConcurrentExecutions",
        stat: "Maximum",
        dimensions: Vec::new(),
        description: "account ConcurrentExecutions Maximum".to_string(),
    };
    let coarse = run(
        clients,
        std::slice::from_ref(&account),
        searched_from,
        searched_to,
        coarse_period_s,
    )
    .await?;
    let mut billed = 1;
    let mut partial = coarse.partial;
    let mut messages = coarse.messages;
    let coarse_peak = highest(coarse.series.first());

    let mut result = HuntResult {
        region: clients.region.clone(),
        window,
        searched_from,
        searched_to,
        coarse_period_s,
        fine_period_s: coarse_period_s,
        peak: None,
        contributors: Vec::new(),
        partial: Vec::new(),
        messages: Vec::new(),
    };
    let Some((coarse_at, coarse_value)) = coarse_peak else {
        result.partial = partial;
        result.messages = messages;
        return Ok((result, billed));
    };

    // A coarse point stands for [at, at + period): read that span again.
    let fine_start = coarse_at;
    let fine_end = (coarse_at + Duration::seconds(coarse_period_s)).min(searched_to);
    let fine_period_s = choose_period_s(fine_start, fine_end, now);
    let mut peak = (coarse_at, coarse_value);
    if fine_period_s < coarse_period_s {
        let fine = run(
            clients,
            std::slice::from_ref(&account),
            fine_start,
            fine_end,
            fine_period_s,
        )
        .await?;
        billed += 1;
        partial.extend(fine.partial);
        messages.extend(fine.messages);
        if let Some(found) = highest(fine.series.first()) {
            peak = found;
        }
        result.fine_period_s = fine_period_s;
    }

    let minutes = window.minutes_before_peak.max(1);
    // The peak minute itself counts, so the window ends a period after it.
    let window_end = peak.0 + Duration::seconds(result.fine_period_s);
    let window_start = window_end - Duration::minutes(minutes);
    let window_period_s = (minutes * 60).max(60);
    let queries: Vec<Query> = functions
        .iter()
        .flat_map(|function| {
            [
                ("Invocations", "Sum"),
                ("Duration", "Sum"),
                ("Duration", "SampleCount"),
            ]
            .into_iter()
            .map(move |(metric, stat)| Query {
                metric,
                stat,
                dimensions: vec![("FunctionName", function.clone())],
                description: format!("{metric} {stat} ({function})"),
            })
        })
        .collect();
    if !queries.is_empty() {
        let answers = run(clients, &queries, window_start, window_end, window_period_s).await?;
        billed += queries.len() as u64;
        partial.extend(answers.partial);
        messages.extend(answers.messages);
        let mut series = answers.series.into_iter();
        for function in functions {
            let invocations = series.next().unwrap_or_default().sum();
            let duration_sum = series.next().unwrap_or_default().sum();
            let duration_count = series.next().unwrap_or_default().sum();
            let avg_duration_ms = average(duration_sum, duration_count);
            result.contributors.push(HuntContributor {
                function: function.clone(),
                invocations,
                avg_duration_ms,
                estimated_concurrency: estimate_concurrency(invocations, avg_duration_ms, minutes),
            });
        }
        result.contributors.sort_by(|a, b| {
            let a = a.estimated_concurrency.unwrap_or(-1.0);
            let b = b.estimated_concurrency.unwrap_or(-1.0);
            b.total_cmp(&a)
        });
    }
    result.peak = Some(peak);
    result.partial = partial;
    result.messages = messages;
    Ok((result, billed))
}

/// Returns the earliest point with the highest value.
fn highest(series: Option<&MetricSeries>) -> Option<(DateTime<Utc>, f64)> {
    series?.points.iter().fold(
        None,
        |best: Option<(DateTime<Utc>, f64)>, point| match best {
            Some((_, value)) if value >= point.value => best,
            _ => Some((point.at, point.value)),
        },
    )
}

fn average(sum: Option<f64>, count: Option<f64>) -> Option<f64> {
    match (sum, count) {
        (Some(sum), Some(count)) if count > 0.0 => Some(sum / count),
        _ => None,
    }
}
