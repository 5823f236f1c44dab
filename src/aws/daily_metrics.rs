//! Daily sums of each function's Invocations and Errors over the last week,
//! for the checklist's error-rate rule.

use std::collections::BTreeMap;

use aws_sdk_cloudwatch::types::MetricStat;
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::RegionClients;
use super::error::AwsError;
use super::metric_data::{MAX_QUERIES_PER_CALL, get_metric_data, lambda_stat};
use crate::model::{DailyMetrics, MetricSeries};

/// One datapoint per UTC day.
const DAY_S: i32 = 86_400;
/// Whole UTC days before today that the window covers.
pub const DAILY_WINDOW_DAYS: i64 = 7;
/// Datapoints of one series as GetMetricData returns them.
type Points = Vec<(DateTime<Utc>, f64)>;

/// The two series read per function, in query order.
const METRICS: [&str; 2] = ["Invocations", "Errors"];

/// Returns the window of the daily read: from midnight UTC seven days ago to
/// the next midnight, so that each period is one UTC day and today is partial.
pub fn daily_window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let today = now.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
    let today = Utc.from_utc_datetime(&today);
    (
        today - Duration::days(DAILY_WINDOW_DAYS),
        today + Duration::days(1),
    )
}

/// Reads the daily Invocations and Errors sums of `functions` for the
/// window of [`daily_window`]. Returns the metrics by function name and the
/// number of metrics requested, which is what CloudWatch bills. A day
/// without a datapoint stays absent from the series: no data, never zero.
/// `timeouts` is left `None`; it comes from the log lines.
pub async fn fetch_daily_metrics(
    clients: &RegionClients,
    functions: &[String],
    now: DateTime<Utc>,
) -> Result<(BTreeMap<String, DailyMetrics>, u64), AwsError> {
    let (start, end) = daily_window(now);
    // Statistic `2 * f + m` is metric `m` of function `f`.
    let stats: Vec<MetricStat> = functions
        .iter()
        .flat_map(|function| {
            let dimensions = [("FunctionName", function.clone())];
            METRICS.map(|metric| lambda_stat(metric, "Sum", &dimensions, DAY_S))
        })
        .collect();
    let billed = stats.len() as u64;
    let data = get_metric_data(clients, &stats, start, end, MAX_QUERIES_PER_CALL).await?;
    let mut points = data.points.into_iter();
    let pairs: Vec<[Points; 2]> = functions
        .iter()
        .map(|_| {
            [
                points.next().unwrap_or_default(),
                points.next().unwrap_or_default(),
            ]
        })
        .collect();

    let metrics = functions
        .iter()
        .cloned()
        .zip(pairs)
        .map(|(function, [invocations, errors])| {
            let daily = DailyMetrics {
                invocations: MetricSeries::from_pairs(invocations),
                errors: MetricSeries::from_pairs(errors),
                timeouts: None,
            };
            (function, daily)
        })
        .collect();
    Ok((metrics, billed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_whole_utc_days() {
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 13, 7, 0).unwrap();
        let (start, end) = daily_window(now);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap());
    }
}
