use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricPoint {
    pub at: DateTime<Utc>,
    pub value: f64,
}

/// A CloudWatch series in ascending time order. A minute without a datapoint
/// is absent, never zero: an idle function and a function whose metrics are
/// missing look the same here, and both read as "no data".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricSeries {
    pub points: Vec<MetricPoint>,
}

impl MetricSeries {
    /// Builds a series from CloudWatch's parallel timestamp and value lists,
    /// which may arrive newest first.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (DateTime<Utc>, f64)>) -> Self {
        let mut points: Vec<MetricPoint> = pairs
            .into_iter()
            .filter(|(_, value)| value.is_finite())
            .map(|(at, value)| MetricPoint { at, value })
            .collect();
        points.sort_by_key(|point| point.at);
        Self { points }
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    fn since(&self, since: DateTime<Utc>) -> impl Iterator<Item = &MetricPoint> {
        self.points.iter().filter(move |point| point.at >= since)
    }

    /// The sum of the datapoints at or after `since`, or `None` when there is
    /// none.
    pub fn sum_since(&self, since: DateTime<Utc>) -> Option<f64> {
        self.since(since)
            .map(|point| point.value)
            .reduce(|sum, value| sum + value)
    }

    pub fn max_since(&self, since: DateTime<Utc>) -> Option<f64> {
        self.since(since).map(|point| point.value).reduce(f64::max)
    }

    pub fn sum(&self) -> Option<f64> {
        self.points
            .iter()
            .map(|p| p.value)
            .reduce(|sum, value| sum + value)
    }

    pub fn max(&self) -> Option<f64> {
        self.points.iter().map(|p| p.value).reduce(f64::max)
    }

    pub fn latest(&self) -> Option<MetricPoint> {
        self.points.last().copied()
    }

    /// One value per period between `start` and `end`, with `None` where
    /// CloudWatch had no datapoint, so charts can draw gaps.
    pub fn buckets(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        period_s: i64,
    ) -> Vec<Option<f64>> {
        if period_s <= 0 || end <= start {
            return Vec::new();
        }
        let count = ((end - start).num_seconds() / period_s).max(0) as usize;
        let mut buckets = vec![None; count];
        for point in &self.points {
            let offset = (point.at - start).num_seconds();
            if offset < 0 {
                continue;
            }
            let index = (offset / period_s) as usize;
            if let Some(bucket) = buckets.get_mut(index) {
                *bucket = Some(bucket.unwrap_or(0.0) + point.value);
            }
        }
        buckets
    }
}

/// Ratio of two sums, `None` when either side has no data or the
/// denominator is zero, so that "no traffic" never reads as "0 % errors".
pub fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ => None,
    }
}

/// The `AWS/Lambda` series of one function, dimension {FunctionName}.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionMetrics {
    pub invocations: MetricSeries,
    pub errors: MetricSeries,
    pub throttles: MetricSeries,
    /// Duration Sum and SampleCount, in milliseconds and invocations: the
    /// average over any window is their ratio, which stays exact where an
    /// average of per-minute averages would not.
    pub duration_sum_ms: MetricSeries,
    pub duration_count: MetricSeries,
    pub duration_max_ms: MetricSeries,
    pub concurrency_max: MetricSeries,
    /// Duration p99 in milliseconds; `None` when it could not be read (the
    /// reason is in the percentile source's status).
    pub duration_p99_ms: Option<MetricSeries>,
}

impl FunctionMetrics {
    pub fn error_rate_since(&self, since: DateTime<Utc>) -> Option<f64> {
        ratio(
            self.errors.sum_since(since),
            self.invocations.sum_since(since),
        )
    }

    pub fn avg_duration_ms_since(&self, since: DateTime<Utc>) -> Option<f64> {
        ratio(
            self.duration_sum_ms.sum_since(since),
            self.duration_count.sum_since(since),
        )
    }

    pub fn p99_ms_since(&self, since: DateTime<Utc>) -> Option<f64> {
        self.duration_p99_ms.as_ref()?.max_since(since)
    }
}

/// Invocations and errors of one executed version behind an alias,
/// dimension {FunctionName, Resource, ExecutedVersion}.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VersionMetrics {
    pub alias: String,
    pub version: String,
    pub invocations: MetricSeries,
    pub errors: MetricSeries,
}

impl VersionMetrics {
    pub fn error_rate_since(&self, since: DateTime<Utc>) -> Option<f64> {
        ratio(
            self.errors.sum_since(since),
            self.invocations.sum_since(since),
        )
    }
}

/// One region's metrics from one poll.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FleetMetrics {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_s: i64,
    pub functions: BTreeMap<String, FunctionMetrics>,
    /// Per-version series, keyed by function name.
    pub versions: BTreeMap<String, Vec<VersionMetrics>>,
    pub account_concurrency: MetricSeries,
    /// `PartialData` statuses and `Messages` that CloudWatch returned.
    pub messages: Vec<String>,
}
