//! Builds the Logs tab's summary from the events of one log group.

use chrono::{DateTime, Utc};

use super::emf::parse_emf;
use super::invocation::{InvocationLog, Outcome};
use crate::model::{EmfSample, LogProblem, LogsData};

/// Max EMF documents kept, newest first. The Logs tab counts its lines over
/// all kept documents, so they are picked by age only.
// NOTE: 500 is an estimate. It covers a 30-minute window up to about 16
// documents a minute, and of a busier function only the last minutes.
pub const MAX_EMF_DOCUMENTS: usize = 500;
/// Most errors and timeouts kept, newest first.
const MAX_PROBLEMS: usize = 100;

/// One event as FilterLogEvents returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEvent {
    pub timestamp_ms: Option<i64>,
    pub log_stream: Option<String>,
    pub message: String,
}

/// The window and limits of one read.
#[derive(Debug, Clone)]
pub struct LogsWindow {
    pub log_group: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The function's configured timeout, to tell a timeout at the limit.
    pub timeout_s: Option<u32>,
    pub truncated: bool,
}

/// The version in a Lambda log stream name, `2026/12/05/[13]0123abcd`.
pub fn stream_version(stream: &str) -> Option<&str> {
    let start = stream.find('[')? + 1;
    let end = start + stream[start..].find(']')?;
    Some(&stream[start..end]).filter(|version| !version.is_empty())
}

/// Returns the message of a runtime log line without the timestamp and request id
/// fields that the runtime puts in front of it, which the view shows in
/// their own columns.
pub fn strip_line_prefix(line: &str, request_id: &str) -> String {
    let fields: Vec<&str> = line
        .split('\t')
        .map(str::trim)
        .filter(|field| {
            !field.is_empty()
                && *field != request_id
                && DateTime::parse_from_rfc3339(field).is_err()
        })
        .collect();
    fields.join(" ")
}

/// Summarises the events, in any order, of one window.
pub fn summarize(window: LogsWindow, events: &[LogEvent]) -> LogsData {
    let mut log = InvocationLog::new();
    let mut data = LogsData {
        log_group: window.log_group,
        window_start: window.start,
        window_end: window.end,
        events_read: events.len(),
        truncated: window.truncated,
        problems: Vec::new(),
        errors: 0,
        timeouts: 0,
        reports: 0,
        cold_starts: 0,
        init_durations_ms: Vec::new(),
        init_failures: Vec::new(),
        memory_size_mb: None,
        max_memory_used_mb: None,
        emf: Vec::new(),
        request_versions: Default::default(),
        trace_requests: Default::default(),
    };
    let mut newest_report_ms = None;

    for event in events {
        log.push(event.timestamp_ms, &event.message);
        let version = event.log_stream.as_deref().and_then(stream_version);
        if let (Some(version), Some(id)) = (version, super::find_request_id(&event.message)) {
            data.request_versions
                .entry(id.to_string())
                .or_insert_with(|| version.to_string());
        }
        if let Some(mut document) = parse_emf(&event.message) {
            document.version = version.map(str::to_string);
            data.emf.push(EmfSample {
                timestamp: event.timestamp_ms.and_then(DateTime::from_timestamp_millis),
                document,
            });
        }
        if let Some(report) = super::parse_report_line(&event.message)
            && newest_report_ms <= event.timestamp_ms
        {
            newest_report_ms = event.timestamp_ms;
            data.memory_size_mb = Some(report.memory_size_mb);
        }
    }

    for invocation in log.invocations() {
        if let Some(report) = &invocation.report {
            data.reports += 1;
            if report.is_cold_start() {
                data.cold_starts += 1;
            }
            if let Some(init) = report.init_duration_ms.or(report.restore_duration_ms) {
                data.init_durations_ms.push(init);
            }
            data.max_memory_used_mb = data.max_memory_used_mb.max(Some(report.max_memory_used_mb));
            if let Some(trace_id) = &report.xray_trace_id {
                data.trace_requests
                    .insert(trace_id.clone(), invocation.request_id.clone());
            }
        }
        let outcome = invocation.outcome();
        match outcome {
            Outcome::Ok => continue,
            Outcome::Error => data.errors += 1,
            Outcome::Timeout => data.timeouts += 1,
        }
        let report = invocation.report.as_ref();
        let message = match (outcome, invocation.error_lines.first()) {
            (Outcome::Error, Some(line)) => strip_line_prefix(line, &invocation.request_id),
            (Outcome::Timeout, _) => match invocation.timed_out_after_seconds {
                Some(seconds) => format!("Task timed out after {seconds:.2} seconds"),
                None => "REPORT Status: timeout".to_string(),
            },
            _ => report
                .and_then(|report| report.error_type.clone())
                .map_or_else(
                    || "REPORT Status: error".to_string(),
                    |kind| format!("Error Type: {kind}"),
                ),
        };
        data.problems.push(LogProblem {
            timestamp: invocation
                .last_seen_ms
                .and_then(DateTime::from_timestamp_millis),
            request_id: invocation.request_id.clone(),
            version: data.request_versions.get(&invocation.request_id).cloned(),
            outcome,
            message,
            trace_id: report.and_then(|report| report.xray_trace_id.clone()),
            duration_ms: report.map(|report| report.duration_ms),
            timed_out_at_limit: outcome == Outcome::Timeout
                && report
                    .zip(window.timeout_s)
                    .is_some_and(|(report, limit)| report.reached_timeout(limit)),
        });
    }
    data.init_failures = log.init_reports().to_vec();

    data.problems.sort_by(|a, b| {
        b.timestamp
            .cmp(&a.timestamp)
            .then_with(|| a.request_id.cmp(&b.request_id))
    });
    data.problems.truncate(MAX_PROBLEMS);
    // Keep the newest documents whatever their content, so the tab's counts
    // are shares of the function's output. The tab names the versions that
    // wrote each line, so a canary's broken documents stay attributable.
    data.emf
        .sort_by_key(|sample| std::cmp::Reverse(sample.timestamp));
    data.emf.truncate(MAX_EMF_DOCUMENTS);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID_A: &str = "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab";
    const ID_B: &str = "4a6d3e9f-8b5c-4d2e-8f30-123456789abc";

    fn event(ms: i64, stream: &str, message: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: Some(ms),
            log_stream: Some(stream.to_string()),
            message: message.to_string(),
        }
    }

    fn window() -> LogsWindow {
        LogsWindow {
            log_group: "/aws/lambda/orders-api".to_string(),
            start: DateTime::from_timestamp_millis(0).expect("epoch"),
            end: DateTime::from_timestamp_millis(100_000).expect("epoch"),
            timeout_s: Some(3),
            truncated: false,
        }
    }

    fn sample() -> Vec<LogEvent> {
        vec![
            event(
                1_000,
                "2026/12/05/[13]aa",
                &format!(
                    "2026-12-05T00:00:01.000Z\t{ID_A}\tERROR\tInvoke Error \t{{\"errorMessage\":\"Unhandled downstream error\"}}"
                ),
            ),
            event(
                1_001,
                "2026/12/05/[13]aa",
                &format!(
                    "REPORT RequestId: {ID_A}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 256 MB\tMax Memory Used: 130 MB\tInit Duration: 300.00 ms\t\nXRAY TraceId: 1-00000001-000000000000000000000001\tSegmentId: 1\tSampled: true\n"
                ),
            ),
            event(
                2_000,
                "2026/12/05/[12]bb",
                &format!(
                    "REPORT RequestId: {ID_B}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 256 MB\tMax Memory Used: 100 MB\tStatus: timeout\t"
                ),
            ),
            event(
                2_500,
                "2026/12/05/[12]bb",
                r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["env"]],"Metrics":[{"Name":"Orders"}]}]},"env":"","Orders":1}"#,
            ),
        ]
    }

    #[test]
    fn problems_newest_first() {
        let data = summarize(window(), &sample());
        assert_eq!(data.errors, 1);
        assert_eq!(data.timeouts, 1);
        let ids: Vec<&str> = data
            .problems
            .iter()
            .map(|p| p.request_id.as_str())
            .collect();
        assert_eq!(ids, vec![ID_B, ID_A]);
        assert!(data.problems[0].timed_out_at_limit);
        assert_eq!(data.problems[0].version.as_deref(), Some("12"));
        assert_eq!(data.problems[1].version.as_deref(), Some("13"));
        assert!(
            data.problems[1]
                .message
                .contains("Unhandled downstream error")
        );
    }

    #[test]
    fn cold_starts_and_memory() {
        let data = summarize(window(), &sample());
        assert_eq!(data.reports, 2);
        assert_eq!(data.cold_starts, 1);
        assert_eq!(data.cold_start_share(), Some(0.5));
        assert_eq!(data.init_durations_ms, vec![300.0]);
        assert_eq!(data.memory_size_mb, Some(256));
        assert_eq!(data.max_memory_used_mb, Some(130));
        assert_eq!(data.memory_used_percent().map(f64::round), Some(51.0));
    }

    #[test]
    fn trace_joined_to_error_line() {
        let data = summarize(window(), &sample());
        let trace = "1-00000001-000000000000000000000001";
        let problems = data.problems_for(None, trace);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].request_id, ID_A);
        assert_eq!(data.version_of(None, trace), Some("13"));
    }

    #[test]
    fn emf_found_with_problem() {
        let data = summarize(window(), &sample());
        assert_eq!(data.emf.len(), 1);
        assert!(!data.emf[0].document.is_valid());
        assert_eq!(data.emf[0].document.version.as_deref(), Some("12"));
    }

    /// Builds the sandbox's orders-api document: version 13 writes an empty
    /// `environment`, version 12 `production`.
    fn orders_emf(ms: i64, version: &str) -> LogEvent {
        let environment = if version == "13" { "" } else { "production" };
        event(
            ms,
            &format!("2026/12/05/[{version}]0123abcd"),
            &format!(
                "{{\"_aws\":{{\"Timestamp\":{ms},\"CloudWatchMetrics\":[{{\"Namespace\":\"shop/orders\",\"Dimensions\":[[\"environment\",\"service\"]],\"Metrics\":[{{\"Name\":\"OrdersPlaced\",\"Unit\":\"Count\"}}]}}]}},\"environment\":\"{environment}\",\"service\":\"orders-api\",\"OrdersPlaced\":[1]}}\n"
            ),
        )
    }

    #[test]
    fn emf_sample_not_picked_by_content() {
        // 60 documents, every third from the canary. A sample that kept
        // broken documents first would keep 20 broken ones only.
        let events: Vec<LogEvent> = (0..60)
            .map(|n| orders_emf(1_000 + n, if n % 3 == 0 { "13" } else { "12" }))
            .collect();
        let data = summarize(window(), &events);
        assert_eq!(data.emf.len(), 60);
        let broken: Vec<&EmfSample> = data
            .emf
            .iter()
            .filter(|sample| !sample.document.is_valid())
            .collect();
        assert_eq!(broken.len(), 20);
        assert!(
            broken
                .iter()
                .all(|sample| sample.document.version.as_deref() == Some("13"))
        );
        assert!(data.emf.iter().all(|sample| sample.document.is_valid()
            == (sample.document.version.as_deref() == Some("12"))));
        assert!(
            data.emf
                .windows(2)
                .all(|pair| pair[0].timestamp >= pair[1].timestamp),
            "newest first"
        );
    }

    #[test]
    fn emf_cap_keeps_newest() {
        // Events arrive oldest first, as FilterLogEvents returns them.
        let total = MAX_EMF_DOCUMENTS as i64 + 40;
        let events: Vec<LogEvent> = (0..total)
            .map(|n| orders_emf(1_000 + n, if n < 40 { "13" } else { "12" }))
            .collect();
        let data = summarize(window(), &events);
        assert_eq!(data.emf.len(), MAX_EMF_DOCUMENTS);
        assert_eq!(
            data.emf[0].timestamp,
            DateTime::from_timestamp_millis(1_000 + total - 1)
        );
        // The 40 oldest documents, all broken, are dropped: a broken
        // document is not kept for its content.
        assert!(data.emf.iter().all(|sample| sample.document.is_valid()));
    }

    #[test]
    fn emf_without_stream_version() {
        let mut event = orders_emf(1_000, "13");
        event.log_stream = None;
        let data = summarize(window(), &[event]);
        assert_eq!(data.emf[0].document.version, None);
    }

    #[test]
    fn line_prefix_stripped() {
        let node = format!("2026-12-05T00:00:01.000Z\t{ID_A}\tERROR\tInvoke Error \t{{}}\n");
        assert_eq!(strip_line_prefix(&node, ID_A), "ERROR Invoke Error {}");
        let python = format!("[ERROR]\t2026-12-05T00:00:01.000Z\t{ID_A}\tValueError: bad");
        assert_eq!(strip_line_prefix(&python, ID_A), "[ERROR] ValueError: bad");
    }

    #[test]
    fn stream_versions() {
        assert_eq!(stream_version("2026/12/05/[13]abc"), Some("13"));
        assert_eq!(stream_version("2026/12/05/[$LATEST]abc"), Some("$LATEST"));
        assert_eq!(stream_version("no-version"), None);
        assert_eq!(stream_version("2026/12/05/[]abc"), None);
    }
}
