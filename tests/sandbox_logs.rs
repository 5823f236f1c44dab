//! The Logs tab's EMF documents and the log-format rule against the
//! sandbox. `sandbox/test` starts the sandbox, exports AWS_ENDPOINT_URL and
//! dummy credentials, and runs these with `--include-ignored`.

mod common;

use anshin::aws;
use anshin::checks::Status;
use anshin::model::FunctionKey;
use anshin::poll::fetch_logs;
use common::sandbox::{SEEDED_REGION, clients, collect};

/// The seeded function whose canary version 13 writes EMF documents with an
/// empty `environment` value; version 12 writes `production`.
const FUNCTION: &str = "orders-api";

/// The documents are the newest of the window whatever they hold, each
/// carries the version of its log stream, and the broken ones are exactly
/// the canary's.
#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn emf_documents_by_version() {
    let clients = clients(SEEDED_REGION).await;
    let logs = fetch_logs(
        &clients,
        FUNCTION,
        format!("{}{FUNCTION}", aws::LAMBDA_LOG_GROUP_PREFIX),
        Some(15),
    )
    .await
    .expect("log events read");

    assert!(
        logs.emf
            .windows(2)
            .all(|pair| pair[0].timestamp >= pair[1].timestamp),
        "newest first"
    );

    let documents_of = |version: &str| {
        logs.emf
            .iter()
            .filter(|sample| sample.document.version.as_deref() == Some(version))
            .collect::<Vec<_>>()
    };

    let (canary, stable) = (documents_of("13"), documents_of("12"));
    assert!(!canary.is_empty(), "no EMF document of version 13");
    assert!(!stable.is_empty(), "no EMF document of version 12");
    assert_eq!(canary.len() + stable.len(), logs.emf.len());

    assert!(canary.iter().all(|sample| !sample.document.is_valid()));
    assert!(stable.iter().all(|sample| sample.document.is_valid()));
    assert!(stable.iter().all(|sample| {
        sample.document.metrics[0].dimension_sets[0]
            .get("environment")
            .map(String::as_str)
            == Some("production")
    }));
}

/// moto omits LoggingConfig; the rule then judges Lambda's default format,
/// as the Overview tab shows it.
#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn log_format_default_judged() {
    let fleet = collect(SEEDED_REGION).await;
    let key = FunctionKey {
        region: SEEDED_REGION.to_string(),
        name: FUNCTION.to_string(),
    };
    let entry = fleet.entry(&key).expect("orders-api is listed");
    let result = entry
        .checklist
        .as_ref()
        .expect("orders-api was evaluated")
        .results
        .iter()
        .find(|result| result.rule_id == "OBS-004")
        .expect("OBS-004 ran");
    let evidence: Vec<String> = result
        .verdict
        .evidence
        .iter()
        .map(|e| format!("{}={}", e.name, e.value))
        .collect();
    match entry.function.log_format.as_deref() {
        None => {
            assert_eq!(result.verdict.status, Status::Warn, "{evidence:?}");
            assert_eq!(
                evidence,
                vec!["log_format=Text (not returned; Lambda's default)".to_string()]
            );
        }
        Some(format) => assert!(
            !matches!(result.verdict.status, Status::Unknown(_)),
            "{format}: {evidence:?}"
        ),
    }
}
