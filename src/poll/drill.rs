//! On-demand reads for the Traces and Logs tabs of the function screen:
//! X-Ray traces and the function's log events over a recent window.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Duration, Utc};
use tokio::sync::mpsc;

use super::DataEvent;
use crate::aws::{self, AwsError, DRILL_FILTER_PATTERN, ErrorKind, RegionClients, TraceSummaryRef};
use crate::logs::summary::{LogsWindow, summarize};
use crate::model::{BilledUsage, FunctionKey, LogsData, TracesData};
use crate::traces::decode_trace;

/// How far back the tabs look.
pub const WINDOW_MINUTES: i64 = 30;
/// GetTraceSummaries pages read at most.
const MAX_SUMMARY_PAGES: usize = 5;
/// Summaries kept from those pages.
const MAX_SUMMARIES: usize = 500;
/// Traces whose documents are read.
const MAX_TRACES: usize = 25;
/// FilterLogEvents pages read at most.
pub const MAX_LOG_PAGES: usize = 10;

/// Remembers that the endpoint cannot list a function's traces, so later
/// reads take the trace ids from the log straight away.
#[derive(Debug, Default)]
pub struct XrayFilterSupport {
    rejected: AtomicBool,
}

/// Reads the traces of one function and sends the result, and the billed
/// traces, to the app.
pub(crate) async fn read_traces(
    clients: RegionClients,
    key: FunctionKey,
    log_group: String,
    filter_support: Arc<XrayFilterSupport>,
    tx: mpsc::Sender<DataEvent>,
) {
    let (result, billed) = fetch_traces(&clients, &key.name, &log_group, &filter_support).await;
    if billed != BilledUsage::default() {
        let _ = tx.send(DataEvent::Billed(billed)).await;
    }
    let at = Utc::now();
    let _ = tx.send(DataEvent::DrillTraces { key, at, result }).await;
}

/// Reads the log events of one function and sends the summary to the app.
pub(crate) async fn read_logs(
    clients: RegionClients,
    key: FunctionKey,
    log_group: String,
    timeout_s: Option<u32>,
    tx: mpsc::Sender<DataEvent>,
) {
    let result = fetch_logs(&clients, &key.name, log_group, timeout_s).await;
    let at = Utc::now();
    let _ = tx.send(DataEvent::DrillLogs { key, at, result }).await;
}

/// Reads the function's trace ids and their documents; returns what X-Ray
/// bills for them even when a later call fails.
///
/// The ids come from GetTraceSummaries with a filter expression on the
/// function. When the endpoint cannot serve that (moto 5.2.5 rejects any
/// FilterExpression with InternalFailure, and its unfiltered summaries do
/// not parse), they come from the `XRAY TraceId` field of the function's
/// REPORT lines in `log_group` instead.
pub async fn fetch_traces(
    clients: &RegionClients,
    function: &str,
    log_group: &str,
    filter_support: &XrayFilterSupport,
) -> (Result<TracesData, AwsError>, BilledUsage) {
    let end = Utc::now();
    let window = (end - Duration::minutes(WINDOW_MINUTES), end);
    let mut billed = BilledUsage::default();
    if clients.xray.is_none() {
        return (Err(aws::no_xray_client("xray:GetTraceSummaries")), billed);
    }

    let mut from_summaries = None;
    if !filter_support.rejected.load(Ordering::Relaxed) {
        let filter = aws::function_filter(function);
        match aws::get_trace_summaries(
            clients,
            function,
            window,
            Some(&filter),
            MAX_SUMMARY_PAGES,
            MAX_SUMMARIES,
        )
        .await
        {
            Ok(found) => from_summaries = Some(found),
            Err(error) if filter_rejected(&error) => {
                tracing::warn!(
                    function,
                    error = %error,
                    "X-Ray cannot list the function's traces; reading trace ids from its log"
                );
                filter_support.rejected.store(true, Ordering::Relaxed);
            }
            Err(error) => return (Err(error), billed),
        }
    }

    let (ids, ids_found, truncated) = match &from_summaries {
        Some(found) => {
            // X-Ray bills every trace a request returns as retrieved and
            // every trace a filter looks at as scanned.
            billed.traces_scanned += found.scanned;
            billed.traces_retrieved += found.summaries.len() as u64;
            let ids = pick_trace_ids(&found.summaries, MAX_TRACES);
            let truncated = found.truncated || found.summaries.len() > ids.len();
            (ids, found.summaries.len(), truncated)
        }
        None => {
            let logs = match fetch_logs(clients, function, log_group.to_string(), None).await {
                Ok(logs) => logs,
                Err(error) => return (Err(error), billed),
            };
            let ids = trace_ids_from_log(&logs, MAX_TRACES);
            let found = logs.trace_requests.len();
            (ids, found, logs.truncated || found > MAX_TRACES)
        }
    };

    let documents = match aws::batch_get_traces(clients, function, &ids).await {
        Ok(documents) => documents,
        Err(error) => return (Err(error), billed),
    };
    billed.traces_retrieved += documents.len() as u64;

    let mut data = TracesData {
        window_start: window.0,
        window_end: window.1,
        traces: documents
            .iter()
            .map(|trace| decode_trace(&trace.id, &trace.documents))
            .collect(),
        ids_found,
        ids_from_log: from_summaries.is_none(),
        truncated,
    };
    data.sort();
    (Ok(data), billed)
}

/// Trace ids of the log's REPORT lines, those of failed invocations first,
/// newest first within each group.
fn trace_ids_from_log(logs: &LogsData, limit: usize) -> Vec<String> {
    let mut ids: Vec<String> = logs
        .problems
        .iter()
        .filter_map(|problem| problem.trace_id.clone())
        .collect();
    // An X-Ray trace id is `1-EPOCH-RANDOM` with the epoch seconds as eight
    // hexadecimal digits, so reverse id order is newest first.
    for trace in logs.trace_requests.keys().rev() {
        if !ids.contains(trace) {
            ids.push(trace.clone());
        }
    }
    ids.truncate(limit);
    ids
}

/// True when the error means "this endpoint cannot evaluate the filter"
/// rather than a problem the user has to fix.
fn filter_rejected(error: &AwsError) -> bool {
    match error.kind {
        ErrorKind::Unsupported => true,
        ErrorKind::Transient | ErrorKind::Other => error.code.as_deref() == Some("InternalFailure"),
        _ => false,
    }
}

/// Picks the ids to read: faults, errors and throttles first by the summaries'
/// flags, then the slowest. The flags only order the reads, because some
/// endpoints set them loosely.
fn pick_trace_ids(summaries: &[TraceSummaryRef], limit: usize) -> Vec<String> {
    let mut ordered: Vec<&TraceSummaryRef> = summaries.iter().collect();
    ordered.sort_by(|a, b| {
        let rank = |s: &TraceSummaryRef| (!s.has_fault, !s.has_error, !s.has_throttle);
        rank(a).cmp(&rank(b)).then_with(|| {
            b.duration_s
                .unwrap_or(0.0)
                .total_cmp(&a.duration_s.unwrap_or(0.0))
        })
    });
    let mut ids: Vec<String> = Vec::new();
    for summary in ordered {
        if !ids.contains(&summary.id) {
            ids.push(summary.id.clone());
        }
        if ids.len() == limit {
            break;
        }
    }
    ids
}

pub async fn fetch_logs(
    clients: &RegionClients,
    function: &str,
    log_group: String,
    timeout_s: Option<u32>,
) -> Result<LogsData, AwsError> {
    let end = Utc::now();
    let start = end - Duration::minutes(WINDOW_MINUTES);
    let read = aws::filter_log_events(
        clients,
        function,
        &log_group,
        (start, end),
        Some(DRILL_FILTER_PATTERN),
        MAX_LOG_PAGES,
    )
    .await?;
    let window = LogsWindow {
        log_group,
        start,
        end,
        timeout_s,
        truncated: read.truncated,
    };
    Ok(summarize(window, &read.events))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: &str, fault: bool, error: bool, duration: f64) -> TraceSummaryRef {
        TraceSummaryRef {
            id: id.to_string(),
            has_fault: fault,
            has_error: error,
            has_throttle: false,
            duration_s: Some(duration),
        }
    }

    #[test]
    fn faults_then_errors_then_slowest() {
        let summaries = vec![
            summary("ok-slow", false, false, 9.0),
            summary("error", false, true, 1.0),
            summary("fault", true, false, 0.5),
            summary("ok-fast", false, false, 0.1),
        ];
        assert_eq!(
            pick_trace_ids(&summaries, 3),
            vec!["fault", "error", "ok-slow"]
        );
    }

    #[test]
    fn filter_rejection_kinds() {
        let error = |kind, code: Option<&str>| AwsError {
            kind,
            action: "xray:GetTraceSummaries".to_string(),
            code: code.map(str::to_string),
            message: None,
            status: None,
            request_id: None,
        };
        assert!(filter_rejected(&error(
            ErrorKind::Transient,
            Some("InternalFailure")
        )));
        assert!(!filter_rejected(&error(ErrorKind::Transient, None)));
        assert!(filter_rejected(&error(ErrorKind::Unsupported, None)));
        assert!(filter_rejected(&error(
            ErrorKind::Other,
            Some("InternalFailure")
        )));
        assert!(!filter_rejected(&error(ErrorKind::AccessDenied, None)));
        assert!(!filter_rejected(&error(
            ErrorKind::Other,
            Some("InvalidRequestException")
        )));
    }
}
