//! The Metrics tab's data: series of one function, its aliases and the
//! executed versions of weighted aliases over a chosen time range, and the
//! concurrency hunt of the account.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::metrics::{MetricSeries, ratio};
use super::resources::Collected;

/// CloudWatch keeps 1-minute data for 15 days and 5-minute data for 63
/// days. Older data exists only at 1-hour resolution.
pub const ONE_MINUTE_RETENTION_DAYS: i64 = 15;
pub const FIVE_MINUTE_RETENTION_DAYS: i64 = 63;
/// Maximum points per metric in one request. GetMetricStatistics rejects
/// more, and GetMetricData stays cheap to render at this size.
pub const MAX_POINTS_PER_METRIC: i64 = 1_440;
/// GetMetricData returns at most this many data points per call.
pub const MAX_POINTS_PER_CALL: i64 = 100_800;
/// GetMetricData accepts at most 500 queries per call.
pub const MAX_QUERIES_PER_CALL: usize = 500;

/// Periods the chooser picks from, in seconds: CloudWatch accepts any
/// multiple of 60, and these keep chart buckets on round boundaries.
const PERIODS_S: [i64; 9] = [60, 120, 300, 600, 900, 1_800, 3_600, 21_600, 86_400];

/// Returns the period for a query window: the shortest that keeps the
/// window within [`MAX_POINTS_PER_METRIC`] points and that CloudWatch still
/// keeps at the age of `start`.
pub fn choose_period_s(start: DateTime<Utc>, end: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let window_s = (end - start).num_seconds().max(1);
    let age = now - start;
    let retention_floor = if age > Duration::days(FIVE_MINUTE_RETENTION_DAYS) {
        3_600
    } else if age > Duration::days(ONE_MINUTE_RETENTION_DAYS) {
        300
    } else {
        60
    };
    let points_floor = (window_s + MAX_POINTS_PER_METRIC - 1) / MAX_POINTS_PER_METRIC;
    let floor = retention_floor.max(points_floor);
    PERIODS_S
        .iter()
        .copied()
        .find(|period| *period >= floor)
        .unwrap_or(86_400)
}

/// Returns how many queries fit in one GetMetricData call when each
/// returns `points_per_query` data points.
pub fn queries_per_call(points_per_query: i64) -> usize {
    let by_points = (MAX_POINTS_PER_CALL / points_per_query.max(1)).max(1) as usize;
    by_points.min(MAX_QUERIES_PER_CALL)
}

/// The time ranges of the Metrics tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum TimeRange {
    #[default]
    OneHour,
    ThreeHours,
    TwelveHours,
    OneDay,
    SevenDays,
}

impl TimeRange {
    pub const ALL: [TimeRange; 5] = [
        TimeRange::OneHour,
        TimeRange::ThreeHours,
        TimeRange::TwelveHours,
        TimeRange::OneDay,
        TimeRange::SevenDays,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TimeRange::OneHour => "1h",
            TimeRange::ThreeHours => "3h",
            TimeRange::TwelveHours => "12h",
            TimeRange::OneDay => "24h",
            TimeRange::SevenDays => "7d",
        }
    }

    pub fn duration(self) -> Duration {
        match self {
            TimeRange::OneHour => Duration::hours(1),
            TimeRange::ThreeHours => Duration::hours(3),
            TimeRange::TwelveHours => Duration::hours(12),
            TimeRange::OneDay => Duration::hours(24),
            TimeRange::SevenDays => Duration::days(7),
        }
    }

    /// Returns the window of this range that ends at the next whole minute
    /// after `now`, and the period for it.
    pub fn window(self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>, i64) {
        let end_s = (now.timestamp() / 60 + 1) * 60;
        let end = DateTime::from_timestamp(end_s, 0).unwrap_or(now);
        let start = end - self.duration();
        (start, end, choose_period_s(start, end, now))
    }
}

/// The dimensions of the series in a [`ScopeMetrics`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Dimension {FunctionName}.
    Function,
    /// Dimensions {FunctionName, Resource=`name:alias`}.
    Alias(String),
    /// Dimensions {FunctionName, Resource, ExecutedVersion} of a weighted
    /// alias.
    Version { alias: String, version: String },
}

impl Scope {
    pub fn label(&self) -> String {
        match self {
            Scope::Function => "function".to_string(),
            Scope::Alias(alias) => format!("alias {alias}"),
            Scope::Version { alias, version } => format!("{alias} → v{version}"),
        }
    }
}

/// The series of one scope. Every series may be empty, which means no data
/// and is drawn as a gap.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopeSeries {
    pub invocations: MetricSeries,
    pub errors: MetricSeries,
    pub throttles: MetricSeries,
    pub duration_avg_ms: MetricSeries,
    pub duration_max_ms: MetricSeries,
    /// Duration Sum, for GB-seconds in the cost estimate.
    pub duration_sum_ms: MetricSeries,
    pub concurrency_max: MetricSeries,
}

impl ScopeSeries {
    /// Errors over invocations for the whole window, `None` without traffic.
    pub fn error_rate(&self) -> Option<f64> {
        ratio(self.errors.sum(), self.invocations.sum())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeMetrics {
    pub scope: Scope,
    pub series: ScopeSeries,
    /// Duration p99. `Failed` with kind `Unsupported` when the endpoint
    /// rejects percentile statistics; never an empty series in that case.
    pub p99_ms: Collected<MetricSeries>,
}

/// One entry of GetMetricData's top-level `Messages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricMessage {
    pub code: Option<String>,
    pub value: String,
}

impl MetricMessage {
    /// True for the `Forbidden` code, which CloudWatch sends when it cannot
    /// read another region's data for this request.
    pub fn is_forbidden(&self) -> bool {
        self.code.as_deref() == Some("Forbidden")
    }
}

/// The Metrics tab's data of one function for one time range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillMetrics {
    pub range: TimeRange,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_s: i64,
    /// The function first, then each alias, then each executed version.
    pub scopes: Vec<ScopeMetrics>,
    /// The series CloudWatch marked `PartialData`, by description.
    pub partial: Vec<String>,
    /// Top-level `Messages` and per-result messages.
    pub messages: Vec<MetricMessage>,
}

impl DrillMetrics {
    pub fn scope(&self, scope: &Scope) -> Option<&ScopeMetrics> {
        self.scopes.iter().find(|metrics| &metrics.scope == scope)
    }

    pub fn function(&self) -> Option<&ScopeMetrics> {
        self.scope(&Scope::Function)
    }

    pub fn is_partial(&self) -> bool {
        !self.partial.is_empty()
    }

    /// True when no series of any scope has a data point.
    pub fn has_no_data(&self) -> bool {
        self.scopes.iter().all(|metrics| {
            let s = &metrics.series;
            [
                &s.invocations,
                &s.errors,
                &s.throttles,
                &s.duration_avg_ms,
                &s.duration_max_ms,
                &s.duration_sum_ms,
                &s.concurrency_max,
            ]
            .iter()
            .all(|series| series.is_empty())
        })
    }
}

/// The Metrics tab's state for one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillMetricsState {
    /// The range of the last request, which may still be in flight.
    pub requested: TimeRange,
    pub requested_at: DateTime<Utc>,
    /// The last result: data or the error of the whole request.
    pub result: Collected<DrillMetrics>,
    pub received_at: Option<DateTime<Utc>>,
}

impl DrillMetricsState {
    /// True while the result for the requested range has not arrived.
    pub fn is_loading(&self) -> bool {
        match &self.result {
            Collected::Loaded(metrics) => metrics.range != self.requested,
            Collected::NotCollected => true,
            Collected::Failed(_) => self.received_at.is_none_or(|at| at < self.requested_at),
        }
    }
}

/// Hunt settings: how far back to look for the peak and how many minutes
/// before it count as its cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HuntWindow {
    pub lookback_days: i64,
    pub minutes_before_peak: i64,
}

impl Default for HuntWindow {
    fn default() -> Self {
        Self {
            lookback_days: 14,
            minutes_before_peak: 6,
        }
    }
}

/// One function's share in the minutes before a concurrency peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HuntContributor {
    pub function: String,
    /// `None` when the function had no Invocations data points.
    pub invocations: Option<f64>,
    pub avg_duration_ms: Option<f64>,
    /// Invocations per second times average duration in seconds over the
    /// window: Little's law applied to the window's averages.
    pub estimated_concurrency: Option<f64>,
}

/// Estimated concurrency of invocations that average `avg_duration_ms` and
/// arrive `invocations` times in `minutes` minutes: arrivals per second
/// times seconds in flight.
pub fn estimate_concurrency(
    invocations: Option<f64>,
    avg_duration_ms: Option<f64>,
    minutes: i64,
) -> Option<f64> {
    if minutes <= 0 {
        return None;
    }
    let per_second = invocations? / (minutes as f64 * 60.0);
    Some(per_second * avg_duration_ms? / 1_000.0)
}

/// The result of one hunt in one region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HuntResult {
    pub region: String,
    pub window: HuntWindow,
    pub searched_from: DateTime<Utc>,
    pub searched_to: DateTime<Utc>,
    /// The period of the search over the whole lookback, in seconds.
    pub coarse_period_s: i64,
    /// The period of the refined search around the peak, in seconds.
    pub fine_period_s: i64,
    /// Time and value of the highest ConcurrentExecutions Maximum; `None`
    /// when the account had no data points in the lookback.
    pub peak: Option<(DateTime<Utc>, f64)>,
    /// Functions by estimated concurrency, highest first.
    pub contributors: Vec<HuntContributor>,
    pub partial: Vec<String>,
    pub messages: Vec<MetricMessage>,
}

/// The hunt view's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HuntState {
    pub region: String,
    pub requested_at: DateTime<Utc>,
    pub result: Collected<HuntResult>,
}

impl super::Fleet {
    /// Records that the Metrics tab requested `range` of a function, so the
    /// view can show "loading" until the result arrives.
    pub fn note_drill_request(
        &mut self,
        key: &super::FunctionKey,
        range: TimeRange,
        at: DateTime<Utc>,
    ) {
        let state = self
            .drill_metrics
            .entry(key.clone())
            .or_insert_with(|| DrillMetricsState {
                requested: range,
                requested_at: at,
                result: Collected::NotCollected,
                received_at: None,
            });
        state.requested = range;
        state.requested_at = at;
    }

    /// Records that a hunt was requested, dropping an earlier result of
    /// another region.
    pub fn note_hunt_request(&mut self, region: &str, at: DateTime<Utc>) {
        let keep = self.hunt.as_ref().is_some_and(|hunt| hunt.region == region);
        if keep {
            if let Some(hunt) = self.hunt.as_mut() {
                hunt.requested_at = at;
            }
        } else {
            self.hunt = Some(HuntState {
                region: region.to_string(),
                requested_at: at,
                result: Collected::NotCollected,
            });
        }
    }

    pub(super) fn apply_drill_event(&mut self, event: crate::poll::DataEvent) {
        use crate::poll::DataEvent;
        match event {
            DataEvent::DrillMetrics {
                key,
                range,
                at,
                result,
                billed_metrics,
            } => {
                self.billed_metrics += billed_metrics;
                self.api_spend
                    .add(super::BilledUsage::metrics(billed_metrics));
                let state = self
                    .drill_metrics
                    .entry(key)
                    .or_insert_with(|| DrillMetricsState {
                        requested: range,
                        requested_at: at,
                        result: Collected::NotCollected,
                        received_at: None,
                    });
                // A result for a range the tab has left is not shown.
                if state.requested == range {
                    state.result = result.into();
                    state.received_at = Some(at);
                }
            }
            DataEvent::Hunt {
                region,
                at,
                result,
                billed_metrics,
            } => {
                self.billed_metrics += billed_metrics;
                self.api_spend
                    .add(super::BilledUsage::metrics(billed_metrics));
                self.hunt = Some(HuntState {
                    region,
                    requested_at: self.hunt.as_ref().map_or(at, |hunt| hunt.requested_at),
                    result: result.into(),
                });
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn period_per_range() {
        let expected = [
            (TimeRange::OneHour, 60),
            (TimeRange::ThreeHours, 60),
            (TimeRange::TwelveHours, 60),
            (TimeRange::OneDay, 60),
            (TimeRange::SevenDays, 600),
        ];
        for (range, period) in expected {
            let (start, end, chosen) = range.window(now());
            assert_eq!(chosen, period, "{}", range.label());
            let points = (end - start).num_seconds() / chosen;
            assert!(points <= MAX_POINTS_PER_METRIC, "{}", range.label());
        }
    }

    #[test]
    fn period_respects_retention() {
        let end = now();
        let sixteen_days_ago = end - Duration::days(16);
        assert_eq!(
            choose_period_s(sixteen_days_ago, sixteen_days_ago + Duration::hours(1), end),
            300
        );
        let seventy_days_ago = end - Duration::days(70);
        assert_eq!(
            choose_period_s(seventy_days_ago, seventy_days_ago + Duration::hours(1), end),
            3_600
        );
    }

    #[test]
    fn period_for_fourteen_days() {
        let end = now();
        let period = choose_period_s(end - Duration::days(14), end, end);
        assert_eq!(period, 900);
        assert!(Duration::days(14).num_seconds() / period <= MAX_POINTS_PER_METRIC);
    }

    #[test]
    fn queries_per_call_keeps_point_limit() {
        assert_eq!(queries_per_call(1_440), 70);
        assert_eq!(queries_per_call(60), 500);
        assert_eq!(queries_per_call(0), 500);
        assert!(queries_per_call(1_440) as i64 * 1_440 <= MAX_POINTS_PER_CALL);
    }

    #[test]
    fn concurrency_estimate() {
        // 3,600 invocations in 6 minutes is 10 per second. At 2 s each,
        // 20 are in flight on average.
        let estimate = estimate_concurrency(Some(3_600.0), Some(2_000.0), 6);
        assert_eq!(estimate, Some(10.0 * 2.0));
        assert_eq!(estimate_concurrency(None, Some(2_000.0), 6), None);
        assert_eq!(estimate_concurrency(Some(10.0), None, 6), None);
        assert_eq!(estimate_concurrency(Some(10.0), Some(5.0), 0), None);
    }
}
