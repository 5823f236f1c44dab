//! Integration tests against the local AWS endpoint with the real SDK
//! clients. They need the sandbox: `sandbox/test` starts it, exports
//! AWS_ENDPOINT_URL and dummy credentials, and runs them with
//! `--include-ignored`.

mod common;

use std::process::Command;

use anshin::aws::{self, ErrorKind, RegionClients};
use anshin::snapshot;
use anshin::ui::app::{App, Mode};
use anshin::ui::rows::{Filter, Sort, fleet_rows};
use anshin::ui::theme::Theme;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StatisticSet};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use chrono::{Duration as ChronoDuration, Utc};
use common::sandbox::{SEEDED_REGION, clients, collect, endpoint};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Builds the smallest valid zip archive: an end-of-central-directory record.
fn empty_zip() -> Blob {
    let mut bytes = b"PK\x05\x06".to_vec();
    bytes.extend([0u8; 18]);
    Blob::new(bytes)
}

/// Reads the execution role of a seeded function, which exists in the emulator.
async fn seeded_role() -> String {
    let seeded = clients(SEEDED_REGION).await;
    let functions = aws::list_functions(&seeded)
        .await
        .expect("seeded fleet lists");
    functions
        .iter()
        .find_map(|f| f.role.clone())
        .expect("a seeded function has a role")
}

async fn ensure_function(clients: &RegionClients, name: &str, role: &str) {
    let created = clients
        .lambda
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .handler("app.handler")
        .role(role)
        .code(FunctionCode::builder().zip_file(empty_zip()).build())
        .send()
        .await;
    if let Err(error) = created {
        let classified = aws::classify("lambda:CreateFunction", &error);
        assert!(
            classified.code.as_deref() == Some("ResourceConflictException"),
            "cannot create {name}: {classified}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn seeded_fleet_loads_with_canary() {
    let fleet = collect(SEEDED_REGION).await;

    assert!(
        fleet.function_count() >= 30,
        "found {}",
        fleet.function_count()
    );
    let orders = fleet
        .entries()
        .find(|e| e.function.name == "orders-api")
        .expect("orders-api is seeded");
    let live = orders
        .aliases
        .as_ref()
        .and_then(|aliases| aliases.iter().find(|a| a.name == "live"))
        .expect("orders-api:live exists");
    assert_eq!(live.function_version, "12");
    assert_eq!(
        live.traffic_split(),
        vec![("12".to_string(), 0.9), ("13".to_string(), 0.1)]
    );
    let versions = orders.versions.as_ref().expect("versions were read");
    assert!(versions.iter().any(|v| v.version == "13"));
    assert!(
        fleet
            .entries()
            .any(|e| e.function.runtime_label() == "container image"),
        "the image function shows as a container image"
    );

    // The simulator's per-version behaviour shows through the
    // ExecutedVersion series: v13 fails far more often than v12.
    let hour = Utc::now() - ChronoDuration::hours(1);
    let by_version = |version: &str| {
        orders
            .version_metrics
            .iter()
            .find(|v| v.version == version)
            .and_then(|v| v.error_rate_since(hour))
    };
    let (v12, v13) = (by_version("12"), by_version("13"));
    assert!(
        matches!((v12, v13), (Some(stable), Some(canary)) if canary > stable * 3.0),
        "v12 {v12:?} v13 {v13:?}"
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn lists_more_than_50_functions() {
    let region = "eu-west-3";
    let role = seeded_role().await;
    let clients = clients(region).await;
    for i in 1..=55 {
        ensure_function(&clients, &format!("bulk-fn-{i:03}"), &role).await;
    }

    let functions = aws::list_functions(&clients)
        .await
        .expect("all functions list");

    let bulk = functions
        .iter()
        .filter(|f| f.name.starts_with("bulk-fn-"))
        .count();
    assert_eq!(bulk, 55);
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn metrics_round_trip_to_table() {
    let region = "eu-west-2";
    // A fresh name per run: datapoints from an earlier run against the same
    // sandbox would add up with these.
    let name = &format!("roundtrip-{}", Utc::now().timestamp_millis());
    let role = seeded_role().await;
    let clients = clients(region).await;
    ensure_function(&clients, name, &role).await;

    // Ten finished minutes of known numbers: 100 invocations, 7 errors,
    // durations averaging 120 ms with a maximum of 900 ms.
    let minute = Utc::now().timestamp() / 60 * 60;
    let dimension = Dimension::builder()
        .name("FunctionName")
        .value(name)
        .build();
    let mut data = Vec::new();
    for back in 1..=10 {
        let at = aws_smithy_types::DateTime::from_secs(minute - back * 60);
        let datum = |metric: &str, value: f64| {
            MetricDatum::builder()
                .metric_name(metric)
                .dimensions(dimension.clone())
                .timestamp(at)
                .value(value)
                .unit(StandardUnit::Count)
                .build()
        };
        data.push(datum("Invocations", 100.0));
        data.push(datum("Errors", 7.0));
        data.push(datum("Throttles", 0.0));
        data.push(
            MetricDatum::builder()
                .metric_name("Duration")
                .dimensions(dimension.clone())
                .timestamp(at)
                .statistic_values(
                    StatisticSet::builder()
                        .sample_count(100.0)
                        .sum(12_000.0)
                        .minimum(40.0)
                        .maximum(900.0)
                        .build(),
                )
                .unit(StandardUnit::Milliseconds)
                .build(),
        );
    }
    clients
        .cloudwatch
        .put_metric_data()
        .namespace("AWS/Lambda")
        .set_metric_data(Some(data))
        .send()
        .await
        .expect("metrics are stored");

    let fleet = collect(region).await;
    let rows = fleet_rows(&fleet, &Filter::parse(name), Sort::default());
    let row = rows.first().expect("the round-trip function is listed");
    assert_eq!(row.invocations, Some(1_000.0));
    assert_eq!(row.error_rate, Some(0.07));
    assert_eq!(row.avg_ms, Some(120.0));
    assert_eq!(row.max_ms, Some(900.0));
    assert_eq!(row.throttles, Some(0.0));

    let app = App::new(fleet.clone(), Mode::Live, Theme::default(), Utc::now());
    let mut terminal = Terminal::new(TestBackend::new(160, 30)).expect("terminal");
    terminal
        .draw(|frame| anshin::ui::views::render(frame, &app))
        .expect("renders");
    let screen = terminal.backend().to_string();
    let line = screen
        .lines()
        .find(|l| l.contains(name))
        .expect("row is drawn");
    for expected in ["1.0k", "✗7.0%", "120ms", "900ms/3s"] {
        assert!(line.contains(expected), "{expected} missing in {line}");
    }
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn unimplemented_operation_is_unsupported() {
    let clients = clients(SEEDED_REGION).await;

    let error = clients
        .lambda
        .get_runtime_management_config()
        .function_name("orders-api")
        .send()
        .await
        .expect_err("the emulator lacks this operation");
    let classified = aws::classify("lambda:GetRuntimeManagementConfig", &error);

    assert_eq!(classified.kind, ErrorKind::Unsupported, "{classified}");
}

#[test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
fn snapshot_then_open_offline() {
    let endpoint = endpoint();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fleet.json");
    let binary = env!("CARGO_BIN_EXE_anshin");

    let written = Command::new(binary)
        .args(["snapshot", "-o"])
        .arg(&file)
        .args(["--region", SEEDED_REGION, "--endpoint-url", &endpoint])
        .env("ANSHIN_STATE_DIR", dir.path())
        .env("ANSHIN_CONFIG_DIR", dir.path())
        .output()
        .expect("anshin snapshot runs");
    assert!(
        written.status.success(),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let progress = String::from_utf8_lossy(&written.stderr);
    assert!(progress.contains("functions"), "{progress}");

    let fleet = snapshot::read(&file).expect("snapshot reads back");
    assert!(fleet.function_count() >= 30);

    // Standard output is a pipe here, so `open` prints the plain table
    // instead of taking over a terminal. It sends no request: the endpoint
    // points nowhere.
    let opened = Command::new(binary)
        .arg("open")
        .arg(&file)
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("ANSHIN_STATE_DIR", dir.path())
        .env("ANSHIN_CONFIG_DIR", dir.path())
        .output()
        .expect("anshin open runs");
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let table = String::from_utf8_lossy(&opened.stdout);
    assert!(table.contains("orders-api"), "{table}");
    assert!(table.contains("live 12:90% 13:10%"), "{table}");
}

#[test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
fn no_tty_prints_plain_table() {
    let endpoint = endpoint();
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args(["--region", SEEDED_REGION, "--endpoint-url", &endpoint])
        .env("ANSHIN_STATE_DIR", dir.path())
        .env("ANSHIN_CONFIG_DIR", dir.path())
        .env_remove("COLUMNS")
        .output()
        .expect("anshin runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.starts_with("FUNCTION"), "{table}");
    assert!(table.contains("orders-api"));
}

/// Every problem the seeding script plants, as (function, rule id).
const PLANTED: [(&str, &str); 8] = [
    ("admin-api", "NET-002"),
    ("legacy-coupon-service", "SEC-001"),
    ("reviews-api", "OBS-001"),
    ("cleanup-carts", "DWN-001"),
    ("refund-processor", "DWN-003"),
    ("legacy-coupon-service", "NET-001"),
    ("cleanup-carts", "DEP-001"),
    ("inventory-sync", "DEP-001"),
];

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn checklist_finds_planted_problems() {
    let fleet = collect(SEEDED_REGION).await;
    let report = anshin::report::Report::from_fleet(&fleet);

    for (function, rule_id) in PLANTED {
        let finding = report
            .findings
            .iter()
            .find(|f| f.function == function && f.rule_id == rule_id);
        assert!(
            finding.is_some_and(|f| f.status == anshin::report::FindingStatus::Fail),
            "{rule_id} on {function} not reported as failing"
        );
    }
    // Functions with an alias and a trigger on the alias pass DEP-001.
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.function == "orders-api" && f.rule_id == "DEP-001"),
        "orders-api invokes through its alias"
    );

    // The secret is masked in the evidence and absent from the functions of
    // the snapshot. (moto's caller identity uses the same example key id as
    // its user id, so the identity is left out here.)
    let json = serde_json::to_string(&fleet.functions).expect("functions encode");
    for secret in ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG"] {
        let leak = json.find(secret).map(|at| {
            let start = json.floor_char_boundary(at.saturating_sub(300));
            json[start..at].to_string()
        });
        assert_eq!(leak, None, "the snapshot holds {secret}");
    }
    assert!(json.contains("PARTNER_AWS_ACCESS_KEY_ID"));
}

#[test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
fn report_fail_on_high_exits_1() {
    let endpoint = endpoint();
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args(["report", "--format", "json", "--fail-on", "high"])
        .args(["--region", SEEDED_REGION, "--endpoint-url", &endpoint])
        .env("ANSHIN_STATE_DIR", dir.path())
        .env("ANSHIN_CONFIG_DIR", dir.path())
        .output()
        .expect("anshin report runs");

    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("standard output is the JSON report only");
    assert!(report["summary"]["failures"].as_u64() > Some(0));
    let progress = String::from_utf8_lossy(&output.stderr);
    assert!(progress.contains("checklist data read"), "{progress}");
}
