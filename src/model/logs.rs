//! Recent invocations of one function as its log group records them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::logs::{EmfDocument, InitReportLine, Outcome};

/// One failed invocation for the list of recent errors and timeouts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogProblem {
    pub timestamp: Option<DateTime<Utc>>,
    pub request_id: String,
    /// From the log stream name, which Lambda writes as `DATE/[VERSION]ID`.
    pub version: Option<String>,
    pub outcome: Outcome,
    /// The error line, or a description of the timeout.
    pub message: String,
    pub trace_id: Option<String>,
    pub duration_ms: Option<f64>,
    /// True when the invocation ran for the whole configured timeout.
    pub timed_out_at_limit: bool,
}

/// One EMF document found in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmfSample {
    pub timestamp: Option<DateTime<Utc>>,
    pub document: EmfDocument,
}

/// Minimum, median, 90th percentile and maximum of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub count: usize,
    pub min: f64,
    pub median: f64,
    pub p90: f64,
    pub max: f64,
}

impl Distribution {
    /// Nearest-rank percentiles of `values`; `None` when empty.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index]
        };
        Some(Self {
            count: sorted.len(),
            min: sorted[0],
            median: rank(0.5),
            p90: rank(0.9),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The log events read for one function over a recent window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsData {
    pub log_group: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub events_read: usize,
    /// True when the page limit stopped the read before the window's end.
    pub truncated: bool,
    /// Errors and timeouts, newest first.
    pub problems: Vec<LogProblem>,
    pub errors: usize,
    pub timeouts: usize,
    /// Invocations with a REPORT line.
    pub reports: usize,
    pub cold_starts: usize,
    pub init_durations_ms: Vec<f64>,
    /// INIT_REPORT lines: init phases that failed or timed out.
    pub init_failures: Vec<InitReportLine>,
    /// The memory size of the newest REPORT line.
    pub memory_size_mb: Option<u32>,
    /// The maximum of `Max Memory Used` over the window.
    pub max_memory_used_mb: Option<u32>,
    /// The newest EMF documents, newest first.
    pub emf: Vec<EmfSample>,
    /// Version by request id, from the log stream names.
    pub request_versions: BTreeMap<String, String>,
    /// Request id by X-Ray trace id, from REPORT lines of traced functions.
    pub trace_requests: BTreeMap<String, String>,
}

impl LogsData {
    /// Share of invocations that were cold starts; `None` without REPORT
    /// lines.
    pub fn cold_start_share(&self) -> Option<f64> {
        (self.reports > 0).then(|| self.cold_starts as f64 / self.reports as f64)
    }

    pub fn init_distribution(&self) -> Option<Distribution> {
        Distribution::of(&self.init_durations_ms)
    }

    /// Max memory used as a percentage of the memory size.
    pub fn memory_used_percent(&self) -> Option<f64> {
        let size = self.memory_size_mb.filter(|size| *size > 0)?;
        let used = self.max_memory_used_mb?;
        Some(f64::from(used) * 100.0 / f64::from(size))
    }

    /// Finds the failed invocations that a trace or a request id points to.
    pub fn problems_for(&self, request_id: Option<&str>, trace_id: &str) -> Vec<&LogProblem> {
        let request_id =
            request_id.or_else(|| self.trace_requests.get(trace_id).map(String::as_str));
        self.problems
            .iter()
            .filter(|problem| {
                problem.trace_id.as_deref() == Some(trace_id)
                    || request_id.is_some_and(|id| problem.request_id == id)
            })
            .collect()
    }

    /// The version that served a trace, joined through its request id.
    pub fn version_of(&self, request_id: Option<&str>, trace_id: &str) -> Option<&str> {
        let request_id =
            request_id.or_else(|| self.trace_requests.get(trace_id).map(String::as_str))?;
        self.request_versions.get(request_id).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::Distribution;

    #[test]
    fn distribution_nearest_rank() {
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let distribution = Distribution::of(&values).expect("values");
        assert_eq!(distribution.min, 1.0);
        assert_eq!(distribution.median, 5.0);
        assert_eq!(distribution.p90, 9.0);
        assert_eq!(distribution.max, 10.0);
        assert_eq!(distribution.count, 10);
    }

    #[test]
    fn distribution_empty() {
        assert_eq!(Distribution::of(&[]), None);
        assert_eq!(Distribution::of(&[f64::NAN]), None);
    }
}
