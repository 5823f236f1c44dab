//! The checklist data read beyond Lambda (Inspector, EC2 subnets, SQS
//! redrive, API Gateway, daily metrics, REPORT lines) against the sandbox,
//! with the real SDK clients. `sandbox/test` runs these with
//! `--include-ignored`; `sandbox/README.md` lists what the seed plants.

mod common;

use anshin::checks::{ChecksConfig, Status, UnknownReason};
use anshin::model::{Collected, Fleet, FunctionEntry, FunctionKey};
use anshin::poll::PollConfig;
use anshin::snapshot;
use common::sandbox::{SEEDED_REGION, collect, context};

const SECOND_REGION: &str = "ap-northeast-1";

fn entry<'a>(fleet: &'a Fleet, region: &str, name: &str) -> &'a FunctionEntry {
    let key = FunctionKey {
        region: region.to_string(),
        name: name.to_string(),
    };
    fleet
        .entry(&key)
        .unwrap_or_else(|| panic!("{name} is listed"))
}

/// Returns the status and the evidence, as `name=value` lines, of one rule.
fn result(fleet: &Fleet, region: &str, function: &str, rule_id: &str) -> (Status, String) {
    let checklist = entry(fleet, region, function)
        .checklist
        .as_ref()
        .unwrap_or_else(|| panic!("{function} was evaluated"));
    let result = checklist
        .results
        .iter()
        .find(|r| r.rule_id == rule_id)
        .unwrap_or_else(|| panic!("{rule_id} ran on {function}"));
    let evidence = result
        .verdict
        .evidence
        .iter()
        .map(|e| format!("{}={}", e.name, e.value))
        .collect::<Vec<_>>()
        .join("\n");
    (result.verdict.status.clone(), evidence)
}

fn assert_status_in(
    fleet: &Fleet,
    region: &str,
    function: &str,
    rule_id: &str,
    expected: Status,
) -> String {
    let (status, evidence) = result(fleet, region, function, rule_id);
    assert_eq!(status, expected, "{rule_id} on {function}: {evidence}");
    evidence
}

fn assert_status(fleet: &Fleet, function: &str, rule_id: &str, expected: Status) -> String {
    assert_status_in(fleet, SEEDED_REGION, function, rule_id, expected)
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn planted_checklist_data_problems_found() {
    let fleet = collect(SEEDED_REGION).await;

    let evidence = assert_status(&fleet, "orders-api", "VULN-001", Status::Fail);
    assert!(
        evidence.contains(
            "CVE-2023-30861 flask 2.0.0 -> 2.3.2 (HIGH, PACKAGE_VULNERABILITY, version 13)"
        ),
        "{evidence}"
    );
    let evidence = assert_status(&fleet, "legacy-coupon-service", "VULN-001", Status::Fail);
    assert!(evidence.contains("high=1"), "{evidence}");
    assert!(evidence.contains("CWE-798"), "{evidence}");
    let evidence = assert_status(&fleet, "users-api", "VULN-001", Status::Warn);
    assert!(evidence.contains("CVE-2023-32681"), "{evidence}");

    let evidence = assert_status(&fleet, "checkout-api", "THR-001", Status::Fail);
    assert!(evidence.contains("/prod"), "{evidence}");
    // Two unrelated callers share email-sender's execution environments.
    let evidence = assert_status(&fleet, "email-sender", "ISO-001", Status::Warn);
    assert!(evidence.contains("marketing-campaigns"), "{evidence}");
    assert!(evidence.contains("email-outbox"), "{evidence}");

    let evidence = assert_status(&fleet, "checkout-api", "VAL-001", Status::Fail);
    assert!(evidence.contains("POST /checkout"), "{evidence}");

    let evidence = assert_status(&fleet, "inventory-api", "NET-008", Status::Fail);
    assert!(
        evidence.contains("availability_zones=us-east-1a"),
        "{evidence}"
    );

    let evidence = assert_status(&fleet, "refund-processor", "DWN-002", Status::Fail);
    assert!(
        evidence
            .contains("arn:aws:sqs:us-east-1:123456789012:refunds: queue has no redrive policy"),
        "{evidence}"
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn clean_functions_pass_checklist_data_rules() {
    let fleet = collect(SEEDED_REGION).await;

    // A closed finding does not count.
    assert_status(&fleet, "cart-api", "VULN-001", Status::Pass);
    assert_status(&fleet, "payments-api", "VULN-002", Status::Pass);

    let evidence = assert_status(&fleet, "payments-api", "THR-001", Status::Pass);
    assert!(evidence.contains("stages=1"), "{evidence}");
    assert_status(&fleet, "payments-api", "VAL-001", Status::Pass);
    // No REST API integrates orders-api: the rules do not apply.
    assert_status(&fleet, "orders-api", "THR-001", Status::NotApplicable);
    assert_status(&fleet, "orders-api", "VAL-001", Status::NotApplicable);

    let evidence = assert_status(&fleet, "orders-api", "NET-008", Status::Pass);
    assert!(evidence.contains("us-east-1b"), "{evidence}");
    assert_status(&fleet, "order-fulfillment-worker", "DWN-002", Status::Pass);
    // moto reports SnapStart off for every function.
    assert_status(&fleet, "orders-api", "DEP-003", Status::NotApplicable);
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn daily_metrics_and_report_lines_collected() {
    let fleet = collect(SEEDED_REGION).await;

    let orders = &entry(&fleet, SEEDED_REGION, "orders-api").resources;
    let daily = orders
        .daily_metrics
        .loaded()
        .expect("daily metrics are read");
    // The sandbox writes a week of history before its three-hour backfill,
    // so every whole day of the window has data whatever the hour.
    let today = chrono::Utc::now().date_naive();
    let days_before_today: std::collections::BTreeSet<_> = daily
        .invocations
        .points
        .iter()
        .map(|point| point.at.date_naive())
        .filter(|day| *day < today)
        .collect();
    assert_eq!(
        days_before_today.len() as i64,
        anshin::aws::DAILY_WINDOW_DAYS,
        "{daily:?}"
    );
    assert!(
        daily.timeouts.is_some(),
        "timeouts are counted from REPORT lines"
    );
    let memory = orders
        .max_memory_used_mb
        .loaded()
        .copied()
        .flatten()
        .expect("REPORT lines carry Max Memory Used");
    // The simulator writes 35 % of the memory size plus 40 MB.
    assert_eq!(memory, 398.0);
    assert_status(&fleet, "orders-api", "COST-003", Status::Warn);

    // price-feed-import fails on some runs only, so the verdicts vary with
    // the day, but they must rest on data. The sandbox logs every run of
    // yesterday, so the timeout rate has data too.
    for rule in ["COST-001", "COST-002"] {
        let (status, evidence) = result(&fleet, SEEDED_REGION, "price-feed-import", rule);
        assert!(
            matches!(status, Status::Pass | Status::Fail),
            "{rule} {status:?}: {evidence}"
        );
        assert!(evidence.contains("rate_percent="), "{rule} {evidence}");
    }

    // The daily GetMetricData read is counted in the API spend beside the
    // fleet poll's own metrics: two metrics per function.
    let outside_fleet_poll = fleet.api_spend.metrics_requested - fleet.billed_metrics;
    assert!(
        outside_fleet_poll >= 2 * fleet.function_count() as u64,
        "{:?}, fleet poll {}",
        fleet.api_spend,
        fleet.billed_metrics
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn inspector_off_in_second_region() {
    let fleet = collect(SECOND_REGION).await;

    let coverage = fleet
        .account_resources
        .get(SECOND_REGION)
        .map(|account| account.inspector_coverage.clone());
    assert!(
        matches!(coverage, Some(Collected::Loaded(c)) if !c.lambda_standard_scanning),
        "{coverage:?}"
    );
    assert_status_in(&fleet, SECOND_REGION, "users-api", "VULN-002", Status::Fail);
    let (status, evidence) = result(&fleet, SECOND_REGION, "users-api", "VULN-001");
    assert!(
        matches!(status, Status::Unknown(_)),
        "{status:?} {evidence}"
    );
}

/// `report` and `snapshot` read AWS Budgets and Compute Optimizer once, so
/// COST-004 grades as in the cockpit: the seed plants two monthly budgets
/// and no daily one.
#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn one_shot_collection_reads_budgets() {
    let fleet = snapshot::collect_with_checks(
        &context(SEEDED_REGION).await,
        PollConfig::default(),
        ChecksConfig::default(),
        |_| {},
    )
    .await;

    for function in ["orders-api", "legacy-coupon-service"] {
        assert_status(&fleet, function, "COST-004", Status::Fail);
        // Compute Optimizer was asked; moto does not serve it, so the
        // reason is the endpoint, not "not collected".
        let (status, evidence) = result(&fleet, SEEDED_REGION, function, "COST-005");
        assert!(
            !matches!(status, Status::Unknown(UnknownReason::DataMissing { .. })),
            "COST-005 on {function}: {status:?} {evidence}"
        );
    }
    assert!(
        matches!(fleet.lambda_spend, Collected::NotCollected),
        "Cost Explorer is not read: each request costs USD 0.01"
    );
}
