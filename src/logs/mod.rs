//! Parsers for the lines Lambda writes to a function's log group: the
//! platform REPORT, INIT_REPORT and "Task timed out" lines, an invocation
//! classifier built on them, and embedded-metric-format (EMF) documents.
//!
//! Everything here is a pure function of log text, so the checklist, the
//! poller and the Logs tab share one reading of each line.

pub mod emf;
pub mod invocation;
pub mod report;
pub mod summary;

#[cfg(test)]
mod cases;

pub use emf::{EmfDocument, EmfMetric, EmfProblem, parse_emf};
pub use invocation::{Invocation, InvocationLog, Outcome};
pub use report::{
    InitReportLine, ReportLine, ReportStatus, TimedOutLine, parse_init_report_line,
    parse_report_line, parse_timed_out_line,
};

/// Returns the first token of `text` shaped like a Lambda request id (a
/// hyphenated 8-4-4-4-12 hexadecimal UUID).
pub fn find_request_id(text: &str) -> Option<&str> {
    text.split(|c: char| c.is_whitespace() || c == '"' || c == ',' || c == ':')
        .find(|token| is_request_id(token))
}

fn is_request_id(token: &str) -> bool {
    let groups: Vec<&str> = token.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::find_request_id;

    #[test]
    fn request_id_in_app_line() {
        let line = "2026-12-05T00:01:02.003Z\t0f6c1c7a-6d11-4c39-9a40-3b8f2f1a9e01\tERROR\tboom";
        assert_eq!(
            find_request_id(line),
            Some("0f6c1c7a-6d11-4c39-9a40-3b8f2f1a9e01")
        );
    }

    #[test]
    fn request_id_absent() {
        assert_eq!(
            find_request_id("INIT_START Runtime Version: python:3.12"),
            None
        );
        assert_eq!(find_request_id("1-5f84c7a1-0123456789abcdef01234567"), None);
    }
}
