//! The Traces and Logs tabs' data against the local AWS endpoint. They need
//! the sandbox: `sandbox/test` starts it, exports AWS_ENDPOINT_URL and dummy
//! credentials, and runs them with `--include-ignored`.

mod common;

use anshin::aws::{self, ErrorKind};
use anshin::logs::Outcome;
use anshin::poll::{XrayFilterSupport, fetch_logs, fetch_traces};
use common::sandbox::clients;

const REGION: &str = "us-east-1";
/// The seeded function whose canary version 13 fails.
const FUNCTION: &str = "orders-api";

fn log_group() -> String {
    format!("{}{FUNCTION}", aws::LAMBDA_LOG_GROUP_PREFIX)
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn faulty_canary_trace_found() {
    let clients = clients(REGION).await;
    let (result, billed) = fetch_traces(
        &clients,
        FUNCTION,
        &log_group(),
        &XrayFilterSupport::default(),
    )
    .await;
    let data = result.expect("traces read");
    assert!(!data.traces.is_empty(), "no traces of {FUNCTION}");
    assert!(billed.traces_retrieved > 0);

    let logs = fetch_logs(&clients, FUNCTION, log_group(), Some(15))
        .await
        .expect("log events read");
    assert!(
        data.traces[0].fault,
        "faults sort first: {:?}",
        data.traces[0].id
    );
    let canary = data
        .traces
        .iter()
        .filter(|trace| trace.fault)
        .find(|trace| {
            let version = trace
                .version
                .as_deref()
                .or_else(|| logs.version_of(trace.request_id.as_deref(), &trace.id));
            version == Some("13")
        })
        .expect("a faulty trace served by version 13");
    assert!(canary.nodes.iter().any(|node| node.fault));
    let lines = logs.problems_for(canary.request_id.as_deref(), &canary.id);
    assert!(
        lines.iter().any(|problem| problem.outcome == Outcome::Error
            && problem.message.contains("Unhandled downstream error")),
        "no error line for request {:?}",
        canary.request_id
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn orders_api_logs_summarised() {
    let clients = clients(REGION).await;
    let logs = fetch_logs(&clients, FUNCTION, log_group(), Some(15))
        .await
        .expect("log events read");
    assert!(logs.errors > 0);
    assert!(logs.reports > 0);
    assert!(logs.memory_used_percent().is_some());
    let newest = &logs.problems[0];
    assert!(newest.message.contains("ERROR") || newest.outcome == Outcome::Timeout);
    assert!(
        logs.problems
            .windows(2)
            .all(|pair| pair[0].timestamp >= pair[1].timestamp)
    );
    let canary_emf = logs
        .emf
        .iter()
        .find(|sample| !sample.document.is_valid())
        .expect("an EMF document of v13 with an empty dimension");
    assert!(
        canary_emf.document.problems[0]
            .to_string()
            .contains("WITHOUT dimensions")
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn missing_log_group_not_found() {
    let clients = clients(REGION).await;
    let error = fetch_logs(
        &clients,
        FUNCTION,
        "/aws/lambda/no-such-function".to_string(),
        None,
    )
    .await
    .expect_err("no such group");
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.action, "logs:FilterLogEvents");
}
