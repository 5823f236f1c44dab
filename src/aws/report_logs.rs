//! REPORT lines from a function's log group: the largest memory used and
//! the invocations that timed out, per UTC day.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;
use crate::logs::{ReportStatus, parse_report_line};
use crate::model::MetricSeries;

/// Matches REPORT lines in the text log format and `platform.report`
/// records in the JSON format.
pub const REPORT_FILTER_PATTERN: &str = "?\"REPORT RequestId\" ?\"platform.report\"";

/// Pages of FilterLogEvents read per function and pass. Each page holds up
/// to 10,000 events, so a function busier than that keeps a sample.
pub const MAX_REPORT_PAGES: usize = 10;

/// The summary of one pass over a function's REPORT lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportSummary {
    /// The largest `Max Memory Used`, in MB, or `None` without a REPORT line.
    pub max_memory_used_mb: Option<f64>,
    /// REPORT lines with `Status: timeout`, per UTC day that had at least
    /// one REPORT line. `None` when the page bound cut the read short, since
    /// a partial count would understate the timeout rate.
    pub timeouts: Option<MetricSeries>,
    pub report_lines: usize,
}

/// Returns the start of the log window: midnight UTC of yesterday, so that
/// yesterday is read whole and its count compares with the daily
/// Invocations sum.
pub fn report_window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let yesterday = now.date_naive() - Duration::days(1);
    Utc.from_utc_datetime(&yesterday.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Folds log messages with their timestamps (ms since the epoch) into a
/// summary. Lines that are not REPORT lines are skipped.
pub fn summarize<'a>(
    events: impl IntoIterator<Item = (i64, &'a str)>,
    complete: bool,
) -> ReportSummary {
    let mut max_memory: Option<u32> = None;
    let mut days: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    let mut lines = 0;
    for (timestamp_ms, message) in events {
        let Some(report) = parse_report_line(message) else {
            continue;
        };
        let Some(at) = Utc.timestamp_millis_opt(timestamp_ms).single() else {
            continue;
        };
        lines += 1;
        max_memory = Some(max_memory.map_or(report.max_memory_used_mb, |m| {
            m.max(report.max_memory_used_mb)
        }));
        let timed_out = report.status == Some(ReportStatus::Timeout);
        *days.entry(at.date_naive()).or_insert(0.0) += if timed_out { 1.0 } else { 0.0 };
    }
    let timeouts = complete.then(|| {
        MetricSeries::from_pairs(days.into_iter().filter_map(|(day, count)| {
            let midnight = day.and_hms_opt(0, 0, 0)?;
            Some((Utc.from_utc_datetime(&midnight), count))
        }))
    });
    ReportSummary {
        max_memory_used_mb: max_memory.map(f64::from),
        timeouts,
        report_lines: lines,
    }
}

/// Reads the REPORT lines of `log_group` since [`report_window_start`], at
/// most [`MAX_REPORT_PAGES`] pages. A log group that does not exist has no
/// REPORT lines, which is an empty summary rather than an error.
pub async fn read_report_summary(
    clients: &RegionClients,
    function: &str,
    log_group: &str,
    now: DateTime<Utc>,
) -> Result<ReportSummary, AwsError> {
    let mut pages = clients
        .logs
        .filter_log_events()
        .log_group_name(log_group)
        .filter_pattern(REPORT_FILTER_PATTERN)
        .start_time(report_window_start(now).timestamp_millis())
        .end_time(now.timestamp_millis())
        .into_paginator()
        .send();
    let mut events: Vec<(i64, String)> = Vec::new();
    let mut complete = true;
    let mut read = 0;
    loop {
        if read == MAX_REPORT_PAGES {
            // NOTE: a function with more REPORT lines than the bound keeps
            // the largest memory of the pages read and no timeout count.
            complete = false;
            break;
        }
        let Some(page) = traced_page(
            "logs:FilterLogEvents",
            &clients.region,
            Some(function),
            pages.next(),
        )
        .await
        else {
            break;
        };
        let page = match page {
            Ok(page) => page,
            Err(error) if error.kind == super::ErrorKind::NotFound => {
                return Ok(ReportSummary {
                    timeouts: Some(MetricSeries::default()),
                    ..ReportSummary::default()
                });
            }
            Err(error) => return Err(error),
        };
        read += 1;
        events.extend(
            page.events()
                .iter()
                .filter_map(|event| Some((event.timestamp()?, event.message()?.to_string()))),
        );
    }
    Ok(summarize(
        events.iter().map(|(at, message)| (*at, message.as_str())),
        complete,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "REPORT RequestId: 0f6c1c7a-6d11-4c39-9a40-3b8f2f1a9e01\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\tStatus: timeout";
    const REPORT_OK: &str = "REPORT RequestId: 1f6c1c7a-6d11-4c39-9a40-3b8f2f1a9e01\tDuration: 12.00 ms\tBilled Duration: 12 ms\tMemory Size: 512 MB\tMax Memory Used: 120 MB";

    fn ms(day: u32, hour: u32) -> i64 {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn summary_counts_timeouts_per_day() {
        let events = [
            (ms(4, 10), REPORT),
            (ms(4, 11), REPORT_OK),
            (ms(5, 1), REPORT_OK),
            (ms(5, 2), "START RequestId: x Version: $LATEST"),
        ];
        let summary = summarize(events, true);
        assert_eq!(summary.report_lines, 3);
        assert_eq!(summary.max_memory_used_mb, Some(120.0));
        let timeouts = summary.timeouts.expect("complete read counts timeouts");
        let values: Vec<f64> = timeouts.points.iter().map(|p| p.value).collect();
        assert_eq!(values, vec![1.0, 0.0]);
    }

    #[test]
    fn truncated_read_has_no_timeout_count() {
        let summary = summarize([(ms(4, 10), REPORT)], false);
        assert_eq!(summary.max_memory_used_mb, Some(91.0));
        assert_eq!(summary.timeouts, None);
    }

    #[test]
    fn no_report_lines_have_no_memory() {
        let summary = summarize(
            [(ms(4, 10), "INIT_START Runtime Version: python:3.12")],
            true,
        );
        assert_eq!(summary.max_memory_used_mb, None);
        assert_eq!(summary.timeouts.map(|t| t.points.len()), Some(0));
    }

    #[test]
    fn window_starts_yesterday_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 0, 30, 0).unwrap();
        assert_eq!(
            report_window_start(now),
            Utc.with_ymd_and_hms(2026, 12, 4, 0, 0, 0).unwrap()
        );
    }
}
