//! The platform lines Lambda writes around each invocation.
//!
//! Text format (the default log format):
//!
//! ```text
//! REPORT RequestId: ID\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tInit Duration: 150.00 ms\tStatus: timeout\t
//! INIT_REPORT Init Duration: 10000.12 ms\tPhase: init\tStatus: timeout
//! 2023-09-05T02:50:33.669Z ID Task timed out after 31.04 seconds
//! ```
//!
//! `Init Duration` appears only on a cold start. `Status` and `Error Type`
//! appear only on REPORT lines written since 2025; before that, a timeout
//! was a separate "Task timed out" line. A function with the JSON log format
//! writes the same facts as a `platform.report` record, which
//! [`parse_report_line`] also reads.

use serde::{Deserialize, Serialize};

/// The `Status` field of a REPORT or INIT_REPORT line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportStatus {
    Success,
    Timeout,
    Error,
    /// `failure` in the JSON format: the runtime failed, as opposed to an
    /// error the handler raised.
    Failure,
    Other(String),
}

impl ReportStatus {
    /// Returns the value as the log line writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Success => "success",
            Self::Timeout => "timeout",
            Self::Error => "error",
            Self::Failure => "failure",
            Self::Other(other) => other,
        }
    }

    fn parse(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "success" => Self::Success,
            "timeout" => Self::Timeout,
            "error" => Self::Error,
            "failure" => Self::Failure,
            other => Self::Other(other.to_string()),
        }
    }
}

/// One REPORT line: the resources one invocation used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportLine {
    pub request_id: String,
    pub duration_ms: f64,
    pub billed_duration_ms: f64,
    pub memory_size_mb: u32,
    pub max_memory_used_mb: u32,
    /// Present only when this invocation started a new execution environment.
    pub init_duration_ms: Option<f64>,
    /// SnapStart functions report a restore in place of an init.
    pub restore_duration_ms: Option<f64>,
    pub status: Option<ReportStatus>,
    pub error_type: Option<String>,
    /// Present when active tracing sampled the invocation.
    pub xray_trace_id: Option<String>,
}

impl ReportLine {
    pub fn is_cold_start(&self) -> bool {
        self.init_duration_ms.is_some() || self.restore_duration_ms.is_some()
    }

    /// Max memory used as a percentage of the configured memory size; `None`
    /// when the size is zero.
    pub fn memory_used_percent(&self) -> Option<f64> {
        (self.memory_size_mb > 0)
            .then(|| f64::from(self.max_memory_used_mb) * 100.0 / f64::from(self.memory_size_mb))
    }

    /// True when the invocation ran for the whole configured timeout.
    pub fn reached_timeout(&self, timeout_seconds: u32) -> bool {
        timeout_seconds > 0 && self.duration_ms >= f64::from(timeout_seconds) * 1000.0
    }
}

/// One INIT_REPORT line: an init phase that failed or timed out, written
/// when the REPORT line of the invocation cannot carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitReportLine {
    pub init_duration_ms: f64,
    /// `init` or `invoke` (the init was retried inside the first invoke).
    pub phase: Option<String>,
    pub status: Option<ReportStatus>,
    pub error_type: Option<String>,
}

/// The "Task timed out after N seconds" line of the older log format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedOutLine {
    pub request_id: Option<String>,
    pub after_seconds: f64,
}

/// Parses a REPORT line in the text or the JSON log format. Returns `None`
/// for any other line, or when a field every REPORT carries is missing.
pub fn parse_report_line(line: &str) -> Option<ReportLine> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("REPORT ") {
        return parse_text_report(rest);
    }
    if line.starts_with('{') {
        return parse_json_report(line);
    }
    None
}

/// Parses an INIT_REPORT line; `None` for any other line.
pub fn parse_init_report_line(line: &str) -> Option<InitReportLine> {
    let rest = line.trim().strip_prefix("INIT_REPORT ")?;
    let mut report = InitReportLine {
        init_duration_ms: 0.0,
        phase: None,
        status: None,
        error_type: None,
    };
    let mut has_duration = false;
    for (key, value) in fields(rest) {
        match key {
            "Init Duration" => {
                report.init_duration_ms = parse_number(value, "ms")?;
                has_duration = true;
            }
            "Phase" => report.phase = Some(value.to_string()),
            "Status" => report.status = Some(ReportStatus::parse(value)),
            "Error Type" => report.error_type = Some(value.to_string()),
            _ => {}
        }
    }
    has_duration.then_some(report)
}

/// Parses a "Task timed out after 31.04 seconds" line, with or without the
/// timestamp and request id the runtime puts in front of it.
pub fn parse_timed_out_line(line: &str) -> Option<TimedOutLine> {
    const MARKER: &str = "Task timed out after ";
    let start = line.find(MARKER)?;
    let after = line[start + MARKER.len()..].trim();
    let seconds = after.strip_suffix("seconds").unwrap_or(after).trim();
    Some(TimedOutLine {
        request_id: super::find_request_id(&line[..start]).map(str::to_string),
        after_seconds: seconds.parse().ok()?,
    })
}

/// Splits tab-separated `Key: Value` fields. Trailing tabs, newlines and
/// empty fields are skipped.
fn fields(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split(['\t', '\n'])
        .filter_map(|field| field.split_once(": "))
        .map(|(key, value)| (key.trim(), value.trim()))
}

fn parse_number(value: &str, unit: &str) -> Option<f64> {
    value
        .strip_suffix(unit)
        .unwrap_or(value)
        .trim()
        .parse()
        .ok()
}

fn parse_text_report(rest: &str) -> Option<ReportLine> {
    let mut request_id = None;
    let mut duration_ms = None;
    let mut billed_duration_ms = None;
    let mut memory_size_mb = None;
    let mut max_memory_used_mb = None;
    let mut report = ReportLine {
        request_id: String::new(),
        duration_ms: 0.0,
        billed_duration_ms: 0.0,
        memory_size_mb: 0,
        max_memory_used_mb: 0,
        init_duration_ms: None,
        restore_duration_ms: None,
        status: None,
        error_type: None,
        xray_trace_id: None,
    };
    for (key, value) in fields(rest) {
        match key {
            "RequestId" => request_id = Some(value.to_string()),
            "Duration" => duration_ms = parse_number(value, "ms"),
            "Billed Duration" => billed_duration_ms = parse_number(value, "ms"),
            "Memory Size" => memory_size_mb = parse_number(value, "MB"),
            "Max Memory Used" => max_memory_used_mb = parse_number(value, "MB"),
            "Init Duration" => report.init_duration_ms = parse_number(value, "ms"),
            "Restore Duration" => report.restore_duration_ms = parse_number(value, "ms"),
            "Status" => report.status = Some(ReportStatus::parse(value)),
            "Error Type" => report.error_type = Some(value.to_string()),
            "XRAY TraceId" => report.xray_trace_id = Some(value.to_string()),
            _ => {}
        }
    }
    report.request_id = request_id.filter(|id| !id.is_empty())?;
    report.duration_ms = duration_ms?;
    report.billed_duration_ms = billed_duration_ms?;
    report.memory_size_mb = to_megabytes(memory_size_mb?)?;
    report.max_memory_used_mb = to_megabytes(max_memory_used_mb?)?;
    Some(report)
}

fn to_megabytes(value: f64) -> Option<u32> {
    // The range check makes the cast exact up to the dropped fraction.
    (value.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u32)
}

/// A `platform.report` record of the JSON log format.
#[derive(Deserialize)]
struct JsonEvent {
    #[serde(rename = "type")]
    kind: String,
    record: JsonReport,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonReport {
    request_id: String,
    metrics: JsonMetrics,
    status: Option<String>,
    error_type: Option<String>,
    tracing: Option<JsonTracing>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonMetrics {
    duration_ms: f64,
    billed_duration_ms: f64,
    #[serde(rename = "memorySizeMB")]
    memory_size_mb: u32,
    #[serde(rename = "maxMemoryUsedMB")]
    max_memory_used_mb: u32,
    init_duration_ms: Option<f64>,
    restore_duration_ms: Option<f64>,
}

#[derive(Deserialize)]
struct JsonTracing {
    value: Option<String>,
}

fn parse_json_report(line: &str) -> Option<ReportLine> {
    let event: JsonEvent = serde_json::from_str(line).ok()?;
    if event.kind != "platform.report" {
        return None;
    }
    let record = event.record;
    // The tracing value reads `Root=1-...;Parent=...;Sampled=1`.
    let xray_trace_id = record
        .tracing
        .and_then(|tracing| tracing.value)
        .and_then(|value| {
            value
                .split(';')
                .find_map(|part| part.strip_prefix("Root=").map(str::to_string))
        });
    Some(ReportLine {
        request_id: record.request_id,
        duration_ms: record.metrics.duration_ms,
        billed_duration_ms: record.metrics.billed_duration_ms,
        memory_size_mb: record.metrics.memory_size_mb,
        max_memory_used_mb: record.metrics.max_memory_used_mb,
        init_duration_ms: record.metrics.init_duration_ms,
        restore_duration_ms: record.metrics.restore_duration_ms,
        status: record.status.as_deref().map(ReportStatus::parse),
        error_type: record.error_type,
        xray_trace_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARM: &str = "REPORT RequestId: 3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t";

    #[test]
    fn warm_report_fields() {
        let report = parse_report_line(WARM).expect("a REPORT line");
        assert_eq!(report.request_id, "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab");
        assert_eq!(report.duration_ms, 12.34);
        assert_eq!(report.billed_duration_ms, 13.0);
        assert_eq!(report.memory_size_mb, 128);
        assert_eq!(report.max_memory_used_mb, 64);
        assert_eq!(report.init_duration_ms, None);
        assert_eq!(report.status, None);
        assert!(!report.is_cold_start());
    }

    #[test]
    fn cold_report_with_trace() {
        let line = "REPORT RequestId: 3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab\tDuration: 102.50 ms\tBilled Duration: 103 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\tInit Duration: 412.07 ms\t\nXRAY TraceId: 1-5f84c7a1-0123456789abcdef01234567\tSegmentId: 0a1b2c3d4e5f6789\tSampled: true\t\n";
        let report = parse_report_line(line).expect("a REPORT line");
        assert_eq!(report.init_duration_ms, Some(412.07));
        assert!(report.is_cold_start());
        assert_eq!(
            report.xray_trace_id.as_deref(),
            Some("1-5f84c7a1-0123456789abcdef01234567")
        );
    }

    #[test]
    fn report_status_and_error_type() {
        let line = "REPORT RequestId: 3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime.OutOfMemory\n";
        let report = parse_report_line(line).expect("a REPORT line");
        assert_eq!(report.status, Some(ReportStatus::Error));
        assert_eq!(report.error_type.as_deref(), Some("Runtime.OutOfMemory"));
        assert_eq!(report.memory_used_percent(), Some(100.0));
    }

    #[test]
    fn report_missing_field_rejected() {
        let line = "REPORT RequestId: 3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab\tDuration: 5.00 ms\t";
        assert_eq!(parse_report_line(line), None);
        assert_eq!(
            parse_report_line("START RequestId: x Version: $LATEST"),
            None
        );
        assert_eq!(parse_report_line(""), None);
    }

    #[test]
    fn json_platform_report() {
        let line = r#"{"time":"2026-12-05T00:00:00.000Z","type":"platform.report","record":{"requestId":"3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab","metrics":{"durationMs":3000.0,"billedDurationMs":3000,"memorySizeMB":512,"maxMemoryUsedMB":100,"initDurationMs":250.5},"tracing":{"type":"X-Amzn-Trace-Id","value":"Root=1-5f84c7a1-0123456789abcdef01234567;Parent=0a1b2c3d4e5f6789;Sampled=1"},"status":"timeout"}}"#;
        let report = parse_report_line(line).expect("a platform.report record");
        assert_eq!(report.status, Some(ReportStatus::Timeout));
        assert_eq!(report.init_duration_ms, Some(250.5));
        assert_eq!(report.memory_size_mb, 512);
        assert_eq!(
            report.xray_trace_id.as_deref(),
            Some("1-5f84c7a1-0123456789abcdef01234567")
        );
        assert_eq!(
            parse_report_line(r#"{"type":"platform.start","record":{}}"#),
            None
        );
    }

    #[test]
    fn init_report_timeout() {
        let line = "INIT_REPORT Init Duration: 10000.12 ms\tPhase: init\tStatus: timeout\n";
        let report = parse_init_report_line(line).expect("an INIT_REPORT line");
        assert_eq!(report.init_duration_ms, 10000.12);
        assert_eq!(report.phase.as_deref(), Some("init"));
        assert_eq!(report.status, Some(ReportStatus::Timeout));
        assert_eq!(report.error_type, None);
    }

    #[test]
    fn init_report_error_type() {
        let line = "INIT_REPORT Init Duration: 1520.33 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError";
        let report = parse_init_report_line(line).expect("an INIT_REPORT line");
        assert_eq!(report.phase.as_deref(), Some("invoke"));
        assert_eq!(report.status, Some(ReportStatus::Error));
        assert_eq!(report.error_type.as_deref(), Some("Runtime.ExitError"));
        assert_eq!(parse_init_report_line(WARM), None);
    }

    #[test]
    fn timed_out_line_variants() {
        let with_id = "2023-09-05T02:50:33.669Z 22222222-c005-4fe5-be49-d57ed09d3b05 Task timed out after 31.04 seconds\n\n";
        let parsed = parse_timed_out_line(with_id).expect("a timeout line");
        assert_eq!(
            parsed.request_id.as_deref(),
            Some("22222222-c005-4fe5-be49-d57ed09d3b05")
        );
        assert_eq!(parsed.after_seconds, 31.04);

        let bare =
            parse_timed_out_line("Task timed out after 3.00 seconds").expect("a timeout line");
        assert_eq!(bare.request_id, None);
        assert_eq!(parse_timed_out_line(WARM), None);
    }

    #[test]
    fn reached_timeout_at_limit() {
        let mut report = parse_report_line(WARM).expect("a REPORT line");
        report.duration_ms = 180_000.0;
        assert!(report.reached_timeout(180));
        assert!(!report.reached_timeout(181));
        assert!(!report.reached_timeout(0));
    }
}
