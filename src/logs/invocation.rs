//! Joins the lines of one invocation by request id and classifies it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::report::{
    InitReportLine, ReportLine, ReportStatus, parse_init_report_line, parse_report_line,
    parse_timed_out_line,
};

/// The outcome of one invocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    Ok,
    Error,
    Timeout,
}

/// Every signal the log contains about one request id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    pub request_id: String,
    pub report: Option<ReportLine>,
    /// Seconds from a "Task timed out after N seconds" line, when one exists.
    pub timed_out_after_seconds: Option<f64>,
    /// Lines at ERROR level (or the runtime's `[ERROR]` prefix) that name this
    /// request id.
    pub error_lines: Vec<String>,
    /// Milliseconds since the epoch of the newest line seen.
    pub last_seen_ms: Option<i64>,
}

impl Invocation {
    /// Classifies the invocation. A timeout wins over an error, because a
    /// timed-out invocation often also logs the interrupted work as errors.
    /// Either timeout signal (the REPORT `Status: timeout` or the older
    /// "Task timed out" line) makes one timeout, never two.
    pub fn outcome(&self) -> Outcome {
        let status = self
            .report
            .as_ref()
            .and_then(|report| report.status.as_ref());
        if self.timed_out_after_seconds.is_some() || status == Some(&ReportStatus::Timeout) {
            return Outcome::Timeout;
        }
        let failed_status = matches!(status, Some(ReportStatus::Error | ReportStatus::Failure));
        let error_type = self
            .report
            .as_ref()
            .is_some_and(|report| report.error_type.is_some());
        // NOTE: an ERROR line the handler wrote for an error it handled counts
        // too, so these errors can exceed the function's Errors metric.
        if failed_status || error_type || !self.error_lines.is_empty() {
            return Outcome::Error;
        }
        Outcome::Ok
    }
}

/// Counts of classified invocations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub ok: usize,
    pub errors: usize,
    pub timeouts: usize,
}

/// Accumulates log lines, in any order, into invocations keyed by request id.
#[derive(Debug, Clone, Default)]
pub struct InvocationLog {
    invocations: BTreeMap<String, Invocation>,
    init_reports: Vec<InitReportLine>,
}

impl InvocationLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads one log event. `timestamp_ms` is the event's CloudWatch Logs
    /// timestamp, when known.
    pub fn push(&mut self, timestamp_ms: Option<i64>, message: &str) {
        if let Some(report) = parse_report_line(message) {
            let entry = self.entry(&report.request_id, timestamp_ms);
            entry.report = Some(report);
        } else if let Some(init) = parse_init_report_line(message) {
            self.init_reports.push(init);
        } else if let Some(timed_out) = parse_timed_out_line(message) {
            // A timeout line without a request id cannot be joined; keep it
            // under an empty key so it still counts once.
            let id = timed_out.request_id.unwrap_or_default();
            let entry = self.entry(&id, timestamp_ms);
            entry.timed_out_after_seconds = Some(timed_out.after_seconds);
        } else if is_error_line(message)
            && let Some(id) = super::find_request_id(message)
        {
            let id = id.to_string();
            let entry = self.entry(&id, timestamp_ms);
            entry.error_lines.push(message.trim_end().to_string());
        }
    }

    fn entry(&mut self, request_id: &str, timestamp_ms: Option<i64>) -> &mut Invocation {
        let entry = self
            .invocations
            .entry(request_id.to_string())
            .or_insert_with(|| Invocation {
                request_id: request_id.to_string(),
                ..Invocation::default()
            });
        if let Some(timestamp) = timestamp_ms {
            entry.last_seen_ms = Some(
                entry
                    .last_seen_ms
                    .map_or(timestamp, |seen| seen.max(timestamp)),
            );
        }
        entry
    }

    pub fn invocations(&self) -> impl Iterator<Item = &Invocation> {
        self.invocations.values()
    }

    pub fn get(&self, request_id: &str) -> Option<&Invocation> {
        self.invocations.get(request_id)
    }

    pub fn init_reports(&self) -> &[InitReportLine] {
        &self.init_reports
    }

    pub fn counts(&self) -> OutcomeCounts {
        let mut counts = OutcomeCounts::default();
        for invocation in self.invocations.values() {
            match invocation.outcome() {
                Outcome::Ok => counts.ok += 1,
                Outcome::Error => counts.errors += 1,
                Outcome::Timeout => counts.timeouts += 1,
            }
        }
        counts
    }
}

/// True for an application line at error level: the `ERROR` field of the
/// Node.js and Java runtimes, Python's `[ERROR]` prefix, or a JSON record
/// with `"level":"ERROR"`.
pub fn is_error_line(message: &str) -> bool {
    let trimmed = message.trim_start();
    if trimmed.starts_with("[ERROR]") {
        return true;
    }
    if message.split('\t').any(|field| field.trim() == "ERROR") {
        return true;
    }
    trimmed.starts_with('{')
        && serde_json::from_str::<serde_json::Value>(trimmed).is_ok_and(|value| {
            value
                .get("level")
                .and_then(|level| level.as_str())
                .is_some_and(|level| level.eq_ignore_ascii_case("error"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab";

    fn report(extra: &str) -> String {
        format!(
            "REPORT RequestId: {ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t{extra}"
        )
    }

    #[test]
    fn ok_invocation() {
        let mut log = InvocationLog::new();
        log.push(Some(1), &report(""));
        assert_eq!(log.get(ID).map(Invocation::outcome), Some(Outcome::Ok));
        assert_eq!(log.counts().ok, 1);
    }

    #[test]
    fn both_timeout_signals_count_once() {
        let mut log = InvocationLog::new();
        log.push(
            Some(1),
            &format!("2026-12-05T00:00:03.000Z {ID} Task timed out after 3.00 seconds"),
        );
        log.push(Some(2), &report("Status: timeout"));
        assert_eq!(log.counts().timeouts, 1);
        assert_eq!(log.invocations().count(), 1);
        assert_eq!(log.get(ID).and_then(|i| i.last_seen_ms), Some(2));
    }

    #[test]
    fn error_line_joins_report() {
        let mut log = InvocationLog::new();
        log.push(
            Some(1),
            &format!("[ERROR]\t2026-12-05T00:00:01.000Z\t{ID}\tValueError: bad order"),
        );
        log.push(Some(2), &report(""));
        let invocation = log.get(ID).expect("joined by request id");
        assert_eq!(invocation.outcome(), Outcome::Error);
        assert_eq!(invocation.error_lines.len(), 1);
        assert!(invocation.report.is_some());
    }

    #[test]
    fn status_error_is_error() {
        let mut log = InvocationLog::new();
        log.push(
            None,
            &report("Status: error\tError Type: Runtime.ExitError"),
        );
        assert_eq!(log.counts().errors, 1);
    }

    #[test]
    fn timeout_wins_over_error_lines() {
        let mut log = InvocationLog::new();
        log.push(
            None,
            &format!("2026-12-05T00:00:01.000Z\t{ID}\tERROR\tconnection reset"),
        );
        log.push(None, &report("Status: timeout"));
        assert_eq!(log.get(ID).map(Invocation::outcome), Some(Outcome::Timeout));
    }

    #[test]
    fn init_reports_collected() {
        let mut log = InvocationLog::new();
        log.push(
            None,
            "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout",
        );
        assert_eq!(log.init_reports().len(), 1);
        assert_eq!(log.invocations().count(), 0);
    }

    #[test]
    fn error_line_kinds() {
        assert!(is_error_line(
            "[ERROR] Runtime.ImportModuleError: no module"
        ));
        assert!(is_error_line(&format!(
            "2026-12-05T00:00:01.000Z\t{ID}\tERROR\tInvoke Error"
        )));
        assert!(is_error_line(r#"{"level":"ERROR","message":"boom"}"#));
        assert!(!is_error_line(&format!(
            "2026-12-05T00:00:01.000Z\t{ID}\tINFO\tERRORS: 0"
        )));
        assert!(!is_error_line(r#"{"level":"INFO","message":"ERROR"}"#));
    }
}
