//! Handed real-world log cases, kept in `tests/fixtures/cases/`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::emf::{EmfProblem, parse_emf};
use super::invocation::{InvocationLog, Outcome};
use super::report::{ReportStatus, parse_report_line};

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "@message")]
    message: String,
}

#[derive(Deserialize)]
struct TimeoutCase {
    format_2026_no_task_timed_out_line: Vec<Event>,
    format_2023_with_task_timed_out_line: Vec<Event>,
}

fn timeout_case() -> TimeoutCase {
    let input = include_str!("../../tests/fixtures/cases/16-log-timeout-status-field/input.json");
    serde_json::from_str(input).expect("the fixture is valid JSON")
}

fn classify(events: &[Event]) -> InvocationLog {
    let mut log = InvocationLog::new();
    for event in events {
        log.push(None, &event.message);
    }
    log
}

#[test]
fn new_format_single_timeout() {
    let log = classify(&timeout_case().format_2026_no_task_timed_out_line);
    let outcomes: Vec<Outcome> = log.invocations().map(|i| i.outcome()).collect();
    assert_eq!(outcomes, vec![Outcome::Timeout]);
}

#[test]
fn new_format_uses_status_key() {
    let case = timeout_case();
    let report = parse_report_line(&case.format_2026_no_task_timed_out_line[0].message)
        .expect("a REPORT line");
    assert_eq!(report.status, Some(ReportStatus::Timeout));
    let log = classify(&case.format_2026_no_task_timed_out_line);
    let invocation = log.invocations().next().expect("one invocation");
    assert_eq!(invocation.timed_out_after_seconds, None);
    assert_eq!(invocation.outcome(), Outcome::Timeout);
}

#[test]
fn old_format_single_timeout() {
    let log = classify(&timeout_case().format_2023_with_task_timed_out_line);
    let outcomes: Vec<Outcome> = log.invocations().map(|i| i.outcome()).collect();
    assert_eq!(outcomes, vec![Outcome::Timeout]);
}

#[test]
fn old_format_joined_by_request_id() {
    let log = classify(&timeout_case().format_2023_with_task_timed_out_line);
    let invocation = log
        .get("22222222-c005-4fe5-be49-d57ed09d3b05")
        .expect("joined under the request id");
    assert_eq!(invocation.timed_out_after_seconds, Some(31.04));
    assert!(invocation.report.is_some());
    assert_eq!(log.counts().timeouts, 1);
}

#[test]
fn both_formats_count_two_timeouts() {
    let case = timeout_case();
    let mut log = classify(&case.format_2026_no_task_timed_out_line);
    for event in &case.format_2023_with_task_timed_out_line {
        log.push(None, &event.message);
    }
    // The old block again: a repeated read must not add a timeout.
    for event in &case.format_2023_with_task_timed_out_line {
        log.push(None, &event.message);
    }
    assert_eq!(log.counts().timeouts, 2);
    assert_eq!(log.counts().ok, 0);
}

#[test]
fn trailing_tabs_and_blank_lines_tolerated() {
    let case = timeout_case();
    let old = parse_report_line(&case.format_2023_with_task_timed_out_line[3].message)
        .expect("REPORT ending in a tab and a newline");
    assert_eq!(old.max_memory_used_mb, 119);
    assert_eq!(old.status, None);
    let timed_out = &case.format_2023_with_task_timed_out_line[1].message;
    assert!(timed_out.ends_with("\n\n"));
    assert!(super::report::parse_timed_out_line(timed_out).is_some());
}

#[test]
fn timeout_at_limit_and_memory_share() {
    let case = timeout_case();
    let report = parse_report_line(&case.format_2026_no_task_timed_out_line[0].message)
        .expect("a REPORT line");
    assert!(report.reached_timeout(180));
    let percent = report.memory_used_percent().expect("a memory size");
    assert_eq!(percent.round(), 94.0);
}

fn emf_case() -> String {
    include_str!("../../tests/fixtures/cases/18-emf-empty-dimension-value/input.json").to_string()
}

#[test]
fn emf_recognised() {
    assert!(parse_emf(&emf_case()).is_some());
}

#[test]
fn emf_empty_dimension_reported() {
    let document = parse_emf(&emf_case()).expect("an EMF document");
    assert!(!document.is_valid());
    assert_eq!(
        document.problems,
        vec![EmfProblem::EmptyDimensionValue {
            dimension: "environment".to_string()
        }]
    );
    assert!(
        document.problems[0]
            .to_string()
            .contains("metric will be published WITHOUT dimensions")
    );
}

#[test]
fn emf_preview_without_dimensions() {
    let document = parse_emf(&emf_case()).expect("an EMF document");
    assert_eq!(document.metrics.len(), 1);
    let metric = &document.metrics[0];
    assert_eq!(metric.name, "TEST_METRIC");
    assert_eq!(metric.namespace, "example-llm-service");
    assert_eq!(metric.unit.as_deref(), Some("Count"));
    assert_eq!(metric.dimension_sets, vec![BTreeMap::new()]);
}

#[test]
fn emf_single_element_array() {
    let document = parse_emf(&emf_case()).expect("an EMF document");
    assert_eq!(document.metrics[0].values, vec![1.0]);
}

#[test]
fn emf_limits_flagged() {
    let values: Vec<String> = (0..101).map(|n| n.to_string()).collect();
    let keys: Vec<String> = (0..31).map(|n| format!("\"k{n}\"")).collect();
    let members: String = (0..31).map(|n| format!(r#","k{n}":"v""#)).collect();
    let definitions: Vec<String> = (0..101).map(|n| format!(r#"{{"Name":"m{n}"}}"#)).collect();
    let line = format!(
        r#"{{"_aws":{{"CloudWatchMetrics":[{{"Namespace":"ns","Dimensions":[[{}]],"Metrics":[{}]}}]}}{members},"m0":[{}]}}"#,
        keys.join(","),
        definitions.join(","),
        values.join(",")
    );
    let document = parse_emf(&line).expect("an EMF document");
    assert!(
        document
            .problems
            .contains(&EmfProblem::TooManyDimensionKeys { count: 31 })
    );
    assert!(
        document
            .problems
            .contains(&EmfProblem::TooManyMetricDefinitions { count: 101 })
    );
    assert!(document.problems.contains(&EmfProblem::TooManyValues {
        metric: "m0".to_string(),
        count: 101
    }));
}
