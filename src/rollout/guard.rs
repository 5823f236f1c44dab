//! Guard evaluation: whether the new version is healthy enough to take the
//! next step, judged from CloudWatch series over a closed analysis window.
//!
//! Missing data never passes a step. No datapoints, or fewer invocations than
//! the minimum, give `Inconclusive`, which keeps the rollout at its step.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{AlarmInfo, MetricSeries, VersionMetrics};

/// The smallest lag behind `now` for the analysis window. CloudWatch stamps
/// Lambda datapoints with the invocation's start and can publish them
/// minutes later, so the last minutes of any series are still filling.
pub const MIN_METRICS_LAG: Duration = Duration::from_secs(120);

/// Period of the per-version series that the guard reads.
const PERIOD: TimeDelta = TimeDelta::minutes(1);

/// The closed interval of datapoint timestamps that the guard judges:
/// `start <= at < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl AnalysisWindow {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// How far behind `now` the window must end: the function's timeout (an
/// invocation is stamped at its start, so its Errors datapoint can appear
/// only after it times out), and never less than [`MIN_METRICS_LAG`].
pub fn metrics_lag(function_timeout: Duration) -> TimeDelta {
    to_delta(function_timeout.max(MIN_METRICS_LAG))
}

/// Computes the window for a step that started at `step_started_at`, or
/// `None` while no complete minute of the step is final yet.
///
/// The start is rounded up to the next minute because the datapoint of the
/// minute in which the weights changed mixes traffic from before and after
/// the change. The end is `now` minus [`metrics_lag`], rounded down to a
/// minute, so only complete periods count.
pub fn analysis_window(
    now: DateTime<Utc>,
    step_started_at: DateTime<Utc>,
    function_timeout: Duration,
) -> Option<AnalysisWindow> {
    let start = ceil_to_period(step_started_at);
    let end = floor_to_period(now - metrics_lag(function_timeout));
    (end > start).then_some(AnalysisWindow { start, end })
}

/// Returns the earliest `now` at which the window of a step started at
/// `step_started_at` reaches `covered_until`: from then on, the guard has
/// final data for everything up to that instant.
pub fn window_final_at(
    step_started_at: DateTime<Utc>,
    covered_until: DateTime<Utc>,
    function_timeout: Duration,
) -> DateTime<Utc> {
    // The window must contain at least one full period after the start.
    let first_end = ceil_to_period(step_started_at) + PERIOD;
    ceil_to_period(covered_until).max(first_end) + metrics_lag(function_timeout)
}

fn floor_to_period(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(PERIOD).unwrap_or(at)
}

fn ceil_to_period(at: DateTime<Utc>) -> DateTime<Utc> {
    let floor = floor_to_period(at);
    if floor == at { at } else { floor + PERIOD }
}

/// Converts a standard duration, saturating at the largest `TimeDelta`
/// instead of failing on absurd configuration values.
pub(crate) fn to_delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// Limits the new version must stay within.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Maximum error rate (errors / invocations, 0.0 to 1.0) of the new
    /// version, whatever the stable version does.
    pub max_error_rate: f64,
    /// Maximum ratio of the new version's error rate to the stable
    /// version's, such as 2.0 for "at most twice as many errors".
    pub max_error_rate_ratio: f64,
    /// Error rate below which the ratio is not applied. Without it, one
    /// error on the new version against a stable version with none would be
    /// an infinite ratio and roll back.
    pub ratio_min_error_rate: f64,
    /// Invocations of the new version the window must contain before any
    /// verdict but `Inconclusive`. The stable version needs as many for the
    /// ratio to apply.
    pub min_invocations: u64,
    /// Maximum p99 duration of the new version in milliseconds.
    pub max_p99_ms: Option<f64>,
    /// Maximum average duration of the new version in milliseconds.
    pub max_avg_duration_ms: Option<f64>,
    /// Maximum throttled requests on the alias within the window.
    pub max_throttles: Option<u64>,
    /// Maximum share of throttled requests on the alias within the window:
    /// throttles / (throttles + invocations of both versions), 0.0 to 1.0.
    #[serde(default)]
    pub max_throttle_rate: Option<f64>,
    /// Maximum ratio of the new version's average duration to the stable
    /// version's, such as 1.5 for "at most half as slow again".
    #[serde(default)]
    pub max_avg_duration_ratio: Option<f64>,
    /// Maximum ratio of the new version's p99 duration to the stable
    /// version's.
    #[serde(default)]
    pub max_p99_ratio: Option<f64>,
    /// Duration in milliseconds below which the duration ratios are not
    /// applied, so 4 ms against 2 ms does not count as twice as slow.
    #[serde(default = "default_ratio_min_duration_ms")]
    pub ratio_min_duration_ms: f64,
}

fn default_ratio_min_duration_ms() -> f64 {
    20.0
}

impl Thresholds {
    /// True when a limit needs the Duration series of the two versions.
    pub fn needs_duration(&self) -> bool {
        self.max_p99_ms.is_some()
            || self.max_avg_duration_ms.is_some()
            || self.max_avg_duration_ratio.is_some()
            || self.max_p99_ratio.is_some()
    }

    /// True when a limit needs the alias's Throttles series.
    pub fn needs_throttles(&self) -> bool {
        self.max_throttles.is_some() || self.max_throttle_rate.is_some()
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_error_rate: 0.05,
            max_error_rate_ratio: 2.0,
            ratio_min_error_rate: 0.01,
            min_invocations: 100,
            max_p99_ms: None,
            max_avg_duration_ms: None,
            max_throttles: None,
            max_throttle_rate: None,
            max_avg_duration_ratio: None,
            max_p99_ratio: None,
            ratio_min_duration_ms: default_ratio_min_duration_ms(),
        }
    }
}

/// Duration series of the new version, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DurationSeries {
    pub sum_ms: MetricSeries,
    pub sample_count: MetricSeries,
    /// Per-period p99; `None` when the endpoint did not return percentiles.
    pub p99_ms: Option<MetricSeries>,
}

impl DurationSeries {
    /// Builds the series from one scope of the Metrics tab's read, which has
    /// Duration Sum and Average per period: their quotient is the sample
    /// count, exactly, because Average is Sum / SampleCount.
    pub fn from_scope(scope: &crate::model::drill_metrics::ScopeMetrics) -> Self {
        let series = &scope.series;
        let averages: std::collections::BTreeMap<DateTime<Utc>, f64> = series
            .duration_avg_ms
            .points
            .iter()
            .map(|point| (point.at, point.value))
            .collect();
        let sample_count =
            MetricSeries::from_pairs(series.duration_sum_ms.points.iter().filter_map(|point| {
                let average = averages.get(&point.at).copied()?;
                (average > 0.0).then(|| (point.at, (point.value / average).round()))
            }));
        let p99_ms = match &scope.p99_ms {
            crate::model::Collected::Loaded(series) => Some(series.clone()),
            _ => None,
        };
        DurationSeries {
            sum_ms: series.duration_sum_ms.clone(),
            sample_count,
            p99_ms,
        }
    }
}

/// Metrics and alarms that the executor reads before every decision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// Invocations and Errors with the `ExecutedVersion` dimension of the
    /// new version.
    pub new: VersionMetrics,
    /// The same for the stable version; `None` when it was not read.
    pub stable: Option<VersionMetrics>,
    /// Throttles of the alias (`Resource` = `function:alias`). Throttled
    /// requests never execute, so they carry no `ExecutedVersion`.
    pub throttles: Option<MetricSeries>,
    pub new_duration: Option<DurationSeries>,
    /// Duration series of the stable version, for the duration ratios.
    #[serde(default)]
    pub stable_duration: Option<DurationSeries>,
    /// Alarms read for the function, in any state.
    pub alarms: Vec<AlarmInfo>,
}

/// The set of alarms that count against a rollout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmScope {
    pub function_name: String,
    /// Alarms named here count whatever their dimensions, such as an API
    /// Gateway 5XX alarm in front of the function.
    pub extra_alarm_names: Vec<String>,
}

impl AlarmScope {
    /// The names of the alarms in `ALARM` that concern the function: its
    /// `FunctionName` dimension (which every `AWS/Lambda` alarm on a version
    /// or alias also carries) or a configured name.
    pub fn firing<'a>(&self, alarms: &'a [AlarmInfo]) -> Vec<&'a str> {
        alarms
            .iter()
            .filter(|alarm| alarm.state.as_deref() == Some("ALARM"))
            .filter(|alarm| {
                alarm.dimensions.get("FunctionName") == Some(&self.function_name)
                    || self.extra_alarm_names.contains(&alarm.name)
            })
            .map(|alarm| alarm.name.as_str())
            .collect()
    }
}

/// Sums, over one window, of one version's series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VersionStats {
    pub invocations: f64,
    pub errors: f64,
}

impl VersionStats {
    pub fn error_rate(&self) -> Option<f64> {
        (self.invocations > 0.0).then(|| self.errors / self.invocations)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InconclusiveReason {
    /// The step is so recent that no complete minute of it is final.
    WindowNotOpen,
    /// No Invocations datapoint for the new version in the window.
    NoData { version: String },
    /// Invocations arrived but the Errors series is empty, so the error
    /// count is unknown (Lambda publishes zero errors as a datapoint).
    ErrorsMissing { version: String },
    TooFewInvocations {
        version: String,
        invocations: f64,
        errors: f64,
        required: u64,
    },
}

impl fmt::Display for InconclusiveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InconclusiveReason::WindowNotOpen => {
                f.write_str("no complete minute of this step has final metrics yet")
            }
            InconclusiveReason::NoData { version } => {
                write!(f, "no invocation data for version {version} in the window")
            }
            InconclusiveReason::ErrorsMissing { version } => write!(
                f,
                "version {version} has invocations but no Errors datapoints in the window"
            ),
            InconclusiveReason::TooFewInvocations {
                version,
                invocations,
                errors,
                required,
            } => write!(
                f,
                "version {version} has {invocations} invocations ({errors} errors) in the \
                 window; at least {required} are needed for a verdict"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UnhealthyReason {
    ErrorRateAboveMax {
        rate: f64,
        max: f64,
    },
    ErrorRateAboveStable {
        rate: f64,
        stable_rate: f64,
        max_ratio: f64,
    },
    P99AboveMax {
        p99_ms: f64,
        max_ms: f64,
    },
    AvgDurationAboveMax {
        avg_ms: f64,
        max_ms: f64,
    },
    ThrottlesAboveMax {
        throttles: f64,
        max: u64,
    },
    ThrottleRateAboveMax {
        rate: f64,
        throttles: f64,
        max: f64,
    },
    AvgDurationAboveStable {
        avg_ms: f64,
        stable_avg_ms: f64,
        max_ratio: f64,
    },
    P99AboveStable {
        p99_ms: f64,
        stable_p99_ms: f64,
        max_ratio: f64,
    },
}

impl fmt::Display for UnhealthyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnhealthyReason::ErrorRateAboveMax { rate, max } => write!(
                f,
                "error rate {:.2}% is above the maximum of {:.2}%",
                rate * 100.0,
                max * 100.0
            ),
            UnhealthyReason::ErrorRateAboveStable {
                rate,
                stable_rate,
                max_ratio,
            } => write!(
                f,
                "error rate {:.2}% is more than {max_ratio}× the stable version's {:.2}%",
                rate * 100.0,
                stable_rate * 100.0
            ),
            UnhealthyReason::P99AboveMax { p99_ms, max_ms } => {
                write!(
                    f,
                    "p99 duration {p99_ms:.0} ms is above the maximum of {max_ms:.0} ms"
                )
            }
            UnhealthyReason::AvgDurationAboveMax { avg_ms, max_ms } => write!(
                f,
                "average duration {avg_ms:.0} ms is above the maximum of {max_ms:.0} ms"
            ),
            UnhealthyReason::ThrottlesAboveMax { throttles, max } => {
                write!(
                    f,
                    "{throttles} throttled requests, above the maximum of {max}"
                )
            }
            UnhealthyReason::ThrottleRateAboveMax {
                rate,
                throttles,
                max,
            } => write!(
                f,
                "{:.2}% of requests throttled ({throttles}), above the maximum of {:.2}%",
                rate * 100.0,
                max * 100.0
            ),
            UnhealthyReason::AvgDurationAboveStable {
                avg_ms,
                stable_avg_ms,
                max_ratio,
            } => write!(
                f,
                "average duration {avg_ms:.0} ms is more than {max_ratio}× the stable \
                 version's {stable_avg_ms:.0} ms"
            ),
            UnhealthyReason::P99AboveStable {
                p99_ms,
                stable_p99_ms,
                max_ratio,
            } => write!(
                f,
                "p99 duration {p99_ms:.0} ms is more than {max_ratio}× the stable \
                 version's {stable_p99_ms:.0} ms"
            ),
        }
    }
}

/// The guard's verdict on one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Healthy,
    /// Not enough data to judge. Keeps the rollout at its step and never
    /// passes it.
    Inconclusive(InconclusiveReason),
    Unhealthy(Vec<UnhealthyReason>),
    /// Names of the alarms in `ALARM`.
    AlarmFiring(Vec<String>),
}

/// A verdict with the numbers behind it, for display and the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub verdict: Verdict,
    pub window: Option<AnalysisWindow>,
    pub new: Option<VersionStats>,
    pub stable: Option<VersionStats>,
    /// Checks that could not run, such as the ratio without stable traffic.
    pub skipped: Vec<String>,
}

/// Evaluates the guard over `window`. Alarms come first because they need
/// no window: an alarm in `ALARM` is a verdict even before metrics are final.
pub fn evaluate(
    input: &Observations,
    window: Option<AnalysisWindow>,
    scope: &AlarmScope,
    thresholds: &Thresholds,
) -> Evaluation {
    let mut evaluation = Evaluation {
        verdict: Verdict::Healthy,
        window,
        new: None,
        stable: None,
        skipped: Vec::new(),
    };

    let firing = scope.firing(&input.alarms);
    if !firing.is_empty() {
        evaluation.verdict = Verdict::AlarmFiring(firing.into_iter().map(str::to_string).collect());
        return evaluation;
    }

    let Some(window) = window else {
        evaluation.verdict = Verdict::Inconclusive(InconclusiveReason::WindowNotOpen);
        return evaluation;
    };

    let new = match version_stats(&input.new, &window, thresholds.min_invocations) {
        Ok(stats) => stats,
        Err(reason) => {
            evaluation.verdict = Verdict::Inconclusive(reason);
            return evaluation;
        }
    };
    evaluation.new = Some(new);

    let mut reasons = Vec::new();
    let new_rate = new.error_rate().unwrap_or(0.0);
    if new_rate > thresholds.max_error_rate {
        reasons.push(UnhealthyReason::ErrorRateAboveMax {
            rate: new_rate,
            max: thresholds.max_error_rate,
        });
    }

    let stable = input
        .stable
        .as_ref()
        .map(|stable| version_stats(stable, &window, thresholds.min_invocations));
    match stable {
        Some(Ok(stable)) => {
            evaluation.stable = Some(stable);
            let stable_rate = stable.error_rate().unwrap_or(0.0);
            let limit = (stable_rate * thresholds.max_error_rate_ratio)
                .max(thresholds.ratio_min_error_rate);
            if new_rate > limit {
                reasons.push(UnhealthyReason::ErrorRateAboveStable {
                    rate: new_rate,
                    stable_rate,
                    max_ratio: thresholds.max_error_rate_ratio,
                });
            }
        }
        Some(Err(reason)) => evaluation
            .skipped
            .push(format!("ratio to the stable version: {reason}")),
        None => evaluation
            .skipped
            .push("ratio to the stable version: its metrics were not read".to_string()),
    }

    reasons.extend(duration_reasons(
        input,
        &window,
        thresholds,
        &mut evaluation.skipped,
    ));
    let invocations = evaluation
        .stable
        .map(|stable| new.invocations + stable.invocations);
    reasons.extend(throttle_reasons(
        input,
        &window,
        thresholds,
        invocations,
        &mut evaluation.skipped,
    ));

    if !reasons.is_empty() {
        evaluation.verdict = Verdict::Unhealthy(reasons);
    }
    evaluation
}

fn version_stats(
    metrics: &VersionMetrics,
    window: &AnalysisWindow,
    min_invocations: u64,
) -> Result<VersionStats, InconclusiveReason> {
    let Some(invocations) = sum_in(&metrics.invocations, window) else {
        return Err(InconclusiveReason::NoData {
            version: metrics.version.clone(),
        });
    };
    let errors = sum_in(&metrics.errors, window);
    if invocations > 0.0 && errors.is_none() {
        return Err(InconclusiveReason::ErrorsMissing {
            version: metrics.version.clone(),
        });
    }
    let errors = errors.unwrap_or(0.0);
    // At least one invocation even with a minimum of zero, because a window
    // of zeros gives no evidence about the new version.
    let required = min_invocations.max(1);
    if invocations < required as f64 {
        return Err(InconclusiveReason::TooFewInvocations {
            version: metrics.version.clone(),
            invocations,
            errors,
            required,
        });
    }
    Ok(VersionStats {
        invocations,
        errors,
    })
}

fn duration_reasons(
    input: &Observations,
    window: &AnalysisWindow,
    thresholds: &Thresholds,
    skipped: &mut Vec<String>,
) -> Vec<UnhealthyReason> {
    let mut reasons = Vec::new();
    if !thresholds.needs_duration() {
        return reasons;
    }
    let Some(duration) = &input.new_duration else {
        skipped.push("duration: no duration series for the new version".to_string());
        return reasons;
    };
    let stable = input.stable_duration.as_ref();
    let floor = thresholds.ratio_min_duration_ms;

    // NOTE: the maximum of per-minute p99 values, not the p99 of the whole
    // window, which CloudWatch cannot derive from per-minute data. It errs
    // towards rolling back.
    let p99_ms = duration.p99_ms.as_ref().and_then(|p99| max_in(p99, window));
    if let Some(max_ms) = thresholds.max_p99_ms {
        match p99_ms {
            Some(p99_ms) if p99_ms > max_ms => {
                reasons.push(UnhealthyReason::P99AboveMax { p99_ms, max_ms });
            }
            Some(_) => {}
            None => skipped.push("p99 duration: no percentile data in the window".to_string()),
        }
    }
    if let Some(max_ratio) = thresholds.max_p99_ratio {
        let stable_p99 = stable
            .and_then(|series| series.p99_ms.as_ref())
            .and_then(|p99| max_in(p99, window));
        match (p99_ms, stable_p99) {
            (Some(p99_ms), Some(stable_p99_ms)) => {
                if p99_ms > floor && p99_ms > stable_p99_ms * max_ratio {
                    reasons.push(UnhealthyReason::P99AboveStable {
                        p99_ms,
                        stable_p99_ms,
                        max_ratio,
                    });
                }
            }
            _ => skipped.push(
                "p99 ratio to the stable version: no percentile data for both versions".to_string(),
            ),
        }
    }

    let avg_ms = average_in(duration, window);
    if let Some(max_ms) = thresholds.max_avg_duration_ms {
        match avg_ms {
            Some(avg_ms) if avg_ms > max_ms => {
                reasons.push(UnhealthyReason::AvgDurationAboveMax { avg_ms, max_ms });
            }
            Some(_) => {}
            None => skipped.push("average duration: no duration data in the window".to_string()),
        }
    }
    if let Some(max_ratio) = thresholds.max_avg_duration_ratio {
        match (avg_ms, stable.and_then(|series| average_in(series, window))) {
            (Some(avg_ms), Some(stable_avg_ms)) => {
                if avg_ms > floor && avg_ms > stable_avg_ms * max_ratio {
                    reasons.push(UnhealthyReason::AvgDurationAboveStable {
                        avg_ms,
                        stable_avg_ms,
                        max_ratio,
                    });
                }
            }
            _ => skipped.push(
                "average duration ratio to the stable version: no duration data for both \
                 versions"
                    .to_string(),
            ),
        }
    }
    reasons
}

/// Average duration over the window from the sums, `None` without samples.
fn average_in(duration: &DurationSeries, window: &AnalysisWindow) -> Option<f64> {
    let sum = sum_in(&duration.sum_ms, window)?;
    let count = sum_in(&duration.sample_count, window)?;
    (count > 0.0).then(|| sum / count)
}

/// Throttles count on the alias, because a throttled request never runs
/// and so carries no `ExecutedVersion`: CloudWatch cannot attribute it to
/// a version, and no ratio to the stable version exists.
fn throttle_reasons(
    input: &Observations,
    window: &AnalysisWindow,
    thresholds: &Thresholds,
    invocations: Option<f64>,
    skipped: &mut Vec<String>,
) -> Vec<UnhealthyReason> {
    if !thresholds.needs_throttles() {
        return Vec::new();
    }
    let Some(throttles) = input
        .throttles
        .as_ref()
        .and_then(|series| sum_in(series, window))
    else {
        skipped.push("throttles: no Throttles data in the window".to_string());
        return Vec::new();
    };
    let mut reasons = Vec::new();
    if let Some(max) = thresholds.max_throttles
        && throttles > max as f64
    {
        reasons.push(UnhealthyReason::ThrottlesAboveMax { throttles, max });
    }
    if let Some(max) = thresholds.max_throttle_rate {
        match invocations {
            Some(invocations) if throttles + invocations > 0.0 => {
                let rate = throttles / (throttles + invocations);
                if rate > max {
                    reasons.push(UnhealthyReason::ThrottleRateAboveMax {
                        rate,
                        throttles,
                        max,
                    });
                }
            }
            _ => skipped.push("throttle rate: no invocations of both versions".to_string()),
        }
    }
    reasons
}

/// Sum of the datapoints inside the window, `None` when there is none.
fn sum_in(series: &MetricSeries, window: &AnalysisWindow) -> Option<f64> {
    series
        .points
        .iter()
        .filter(|point| window.contains(point.at))
        .map(|point| point.value)
        .reduce(|sum, value| sum + value)
}

fn max_in(series: &MetricSeries, window: &AnalysisWindow) -> Option<f64> {
    series
        .points
        .iter()
        .filter(|point| window.contains(point.at))
        .map(|point| point.value)
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, hour, minute, second)
            .single()
            .expect("valid time")
    }

    #[test]
    fn window_lags_at_least_two_minutes() {
        let window = analysis_window(at(12, 10, 30), at(12, 0, 0), Duration::from_secs(3));
        let expected = AnalysisWindow {
            start: at(12, 0, 0),
            end: at(12, 8, 0),
        };
        assert_eq!(window, Some(expected));
    }

    #[test]
    fn window_lags_by_long_timeout() {
        let window = analysis_window(at(12, 20, 0), at(12, 0, 0), Duration::from_secs(900));
        assert_eq!(window.map(|w| w.end), Some(at(12, 5, 0)));
    }

    #[test]
    fn window_skips_partial_first_minute() {
        let window = analysis_window(at(12, 10, 0), at(12, 0, 20), Duration::from_secs(3));
        assert_eq!(window.map(|w| w.start), Some(at(12, 1, 0)));
    }

    #[test]
    fn window_closed_until_a_minute_is_final() {
        let started = at(12, 0, 20);
        let timeout = Duration::from_secs(3);
        let opens = window_final_at(started, started, timeout);
        assert_eq!(opens, at(12, 4, 0));
        assert_eq!(analysis_window(at(12, 3, 59), started, timeout), None);
        assert!(analysis_window(opens, started, timeout).is_some());
    }

    #[test]
    fn window_final_covers_bake() {
        let started = at(12, 0, 0);
        let bake_end = started + TimeDelta::minutes(5);
        let timeout = Duration::from_secs(60);
        let final_at = window_final_at(started, bake_end, timeout);
        assert_eq!(final_at, at(12, 7, 0));
        let window = analysis_window(final_at, started, timeout).expect("open window");
        assert!(window.end >= bake_end);
    }

    fn series(value: f64) -> MetricSeries {
        MetricSeries::from_pairs((0..10).map(|minute| (at(12, minute, 0), value)))
    }

    fn version(name: &str, invocations: f64, errors: f64) -> VersionMetrics {
        VersionMetrics {
            alias: "live".to_string(),
            version: name.to_string(),
            invocations: series(invocations),
            errors: series(errors),
        }
    }

    fn duration(avg_ms: f64, p99_ms: Option<f64>) -> DurationSeries {
        DurationSeries {
            sum_ms: series(avg_ms * 50.0),
            sample_count: series(50.0),
            p99_ms: p99_ms.map(series),
        }
    }

    /// Ten minutes of healthy traffic: the new version 50 invocations a
    /// minute, the stable one 450, no errors, 100 ms average and 300 ms p99.
    fn observed() -> Observations {
        Observations {
            new: version("13", 50.0, 0.0),
            stable: Some(version("12", 450.0, 0.0)),
            new_duration: Some(duration(100.0, Some(300.0))),
            stable_duration: Some(duration(100.0, Some(300.0))),
            throttles: Some(series(0.0)),
            ..Observations::default()
        }
    }

    fn judge(observations: &Observations, thresholds: &Thresholds) -> Evaluation {
        let window = AnalysisWindow {
            start: at(12, 0, 0),
            end: at(12, 10, 0),
        };
        let scope = AlarmScope {
            function_name: "orders-api".to_string(),
            extra_alarm_names: Vec::new(),
        };
        evaluate(observations, Some(window), &scope, thresholds)
    }

    #[test]
    fn duration_and_throttle_table() {
        let limits = Thresholds {
            max_avg_duration_ratio: Some(1.5),
            max_p99_ratio: Some(2.0),
            max_throttle_rate: Some(0.01),
            ..Thresholds::default()
        };
        type Expect = fn(&Evaluation) -> bool;
        let cases: Vec<(&str, Observations, Thresholds, Expect)> = vec![
            ("same durations pass", observed(), limits.clone(), |e| {
                e.verdict == Verdict::Healthy && e.skipped.is_empty()
            }),
            (
                "average twice the stable fails",
                Observations {
                    new_duration: Some(duration(200.0, Some(300.0))),
                    ..observed()
                },
                limits.clone(),
                |e| {
                    e.verdict
                        == Verdict::Unhealthy(vec![UnhealthyReason::AvgDurationAboveStable {
                            avg_ms: 200.0,
                            stable_avg_ms: 100.0,
                            max_ratio: 1.5,
                        }])
                },
            ),
            (
                "average just below the ratio passes",
                Observations {
                    new_duration: Some(duration(149.0, Some(300.0))),
                    ..observed()
                },
                limits.clone(),
                |e| e.verdict == Verdict::Healthy,
            ),
            (
                "fast functions skip the ratio",
                Observations {
                    new_duration: Some(duration(9.0, None)),
                    stable_duration: Some(duration(3.0, None)),
                    ..observed()
                },
                Thresholds {
                    max_p99_ratio: None,
                    ..limits.clone()
                },
                |e| e.verdict == Verdict::Healthy,
            ),
            (
                "p99 three times the stable fails",
                Observations {
                    new_duration: Some(duration(100.0, Some(900.0))),
                    ..observed()
                },
                limits.clone(),
                |e| {
                    e.verdict
                        == Verdict::Unhealthy(vec![UnhealthyReason::P99AboveStable {
                            p99_ms: 900.0,
                            stable_p99_ms: 300.0,
                            max_ratio: 2.0,
                        }])
                },
            ),
            (
                "missing stable p99 is skipped, not passed silently",
                Observations {
                    stable_duration: Some(duration(100.0, None)),
                    ..observed()
                },
                limits.clone(),
                |e| {
                    e.verdict == Verdict::Healthy
                        && e.skipped.iter().any(|s| s.starts_with("p99 ratio"))
                },
            ),
            (
                "missing stable duration is skipped",
                Observations {
                    stable_duration: None,
                    ..observed()
                },
                limits.clone(),
                |e| {
                    e.skipped
                        .iter()
                        .any(|s| s.starts_with("average duration ratio"))
                },
            ),
            (
                "throttle rate above maximum fails",
                Observations {
                    throttles: Some(series(10.0)),
                    ..observed()
                },
                limits.clone(),
                |e| {
                    matches!(&e.verdict, Verdict::Unhealthy(reasons)
                        if matches!(reasons[..], [UnhealthyReason::ThrottleRateAboveMax { .. }]))
                },
            ),
            (
                "throttle rate below maximum passes",
                Observations {
                    throttles: Some(series(4.0)),
                    ..observed()
                },
                limits.clone(),
                |e| e.verdict == Verdict::Healthy,
            ),
            (
                "missing throttles are skipped",
                Observations {
                    throttles: None,
                    ..observed()
                },
                limits.clone(),
                |e| e.skipped.iter().any(|s| s.starts_with("throttles")),
            ),
            (
                "errors and duration both reported",
                Observations {
                    new: version("13", 50.0, 10.0),
                    new_duration: Some(duration(400.0, Some(300.0))),
                    ..observed()
                },
                limits.clone(),
                |e| matches!(&e.verdict, Verdict::Unhealthy(reasons) if reasons.len() == 3),
            ),
        ];

        for (name, observations, thresholds, expected) in cases {
            let evaluation = judge(&observations, &thresholds);
            assert!(expected(&evaluation), "{name}: got {evaluation:?}");
        }
    }

    #[test]
    fn duration_from_scope_counts_samples() {
        use crate::model::drill_metrics::{Scope, ScopeMetrics, ScopeSeries};
        let scope = ScopeMetrics {
            scope: Scope::Version {
                alias: "live".to_string(),
                version: "13".to_string(),
            },
            series: ScopeSeries {
                duration_sum_ms: series(5_000.0),
                duration_avg_ms: series(100.0),
                ..ScopeSeries::default()
            },
            p99_ms: crate::model::Collected::NotCollected,
        };

        let duration = DurationSeries::from_scope(&scope);

        assert_eq!(duration.sample_count, series(50.0));
        assert_eq!(duration.p99_ms, None, "missing percentiles stay missing");
        let window = AnalysisWindow {
            start: at(12, 0, 0),
            end: at(12, 10, 0),
        };
        assert_eq!(average_in(&duration, &window), Some(100.0));
    }

    #[test]
    fn old_thresholds_parse_with_defaults() {
        let json = r#"{"max_error_rate":0.05,"max_error_rate_ratio":2.0,"ratio_min_error_rate":0.01,
            "min_invocations":100,"max_p99_ms":null,"max_avg_duration_ms":null,"max_throttles":null}"#;

        let thresholds: Thresholds = serde_json::from_str(json).expect("parses");

        assert_eq!(thresholds, Thresholds::default());
    }
}
