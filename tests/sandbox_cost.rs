//! Cost and concurrency reads against the local AWS endpoint with the real
//! SDK clients: AWS Budgets, Cost Explorer, Compute Optimizer (which the
//! emulator lacks), the Metrics tab's per-alias series and the hunt. They
//! need the sandbox: `sandbox/test` starts it and runs them with
//! `--include-ignored`.

mod common;

use anshin::aws::{
    self, DrillRequest, ErrorKind, caller_identity, describe_budgets, fetch_drill_metrics,
    fetch_hunt, has_daily_budget, lambda_daily_spend, lambda_recommendations,
};
use anshin::model::Collected;
use anshin::model::drill_metrics::{HuntWindow, Scope, TimeRange};
use chrono::Utc;
use common::sandbox::{SEEDED_REGION, clients};

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn budgets_have_calculated_spend() {
    let clients = clients(SEEDED_REGION).await;
    let cost = clients.cost.as_ref().expect("cost clients");
    let account = caller_identity(&clients)
        .await
        .expect("identity")
        .account
        .expect("account id");

    let budgets = describe_budgets(&cost.budgets, &clients.region, &account)
        .await
        .expect("budgets read");

    let monthly = budgets
        .iter()
        .find(|b| b.name == "shop-monthly")
        .expect("seeded budget");
    assert_eq!(monthly.time_unit, "MONTHLY");
    assert_eq!(monthly.limit, Some(500.0));
    assert_eq!(monthly.actual, Some(430.0));
    assert!(monthly.actual_share().is_some_and(|s| s > 0.8));
    let lambda = budgets
        .iter()
        .find(|b| b.name == "lambda-monthly")
        .expect("seeded budget");
    assert!(lambda.forecast_share().is_some_and(|s| s > 1.0));
    // The planted problem: no daily budget.
    assert!(!has_daily_budget(&budgets));
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn cost_explorer_has_fourteen_days() {
    let clients = clients(SEEDED_REGION).await;
    let cost = clients.cost.as_ref().expect("cost clients");

    let (spend, requests) = lambda_daily_spend(
        &cost.cost_explorer,
        &clients.region,
        Utc::now().date_naive(),
        14,
    )
    .await;
    let days = spend.expect("spend read");

    assert_eq!(requests, 1);
    assert_eq!(days.len(), 14, "{days:?}");
    assert!(days.iter().any(|d| d.amount == Some(0.0)));
    assert!(days.iter().all(|d| d.unit == "USD"));
    assert!(days.windows(2).all(|pair| pair[0].day < pair[1].day));
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn compute_optimizer_is_unsupported() {
    let clients = clients(SEEDED_REGION).await;
    let cost = clients.cost.as_ref().expect("cost clients");

    let error = lambda_recommendations(&cost.compute_optimizer, &clients.region)
        .await
        .expect_err("moto has no Compute Optimizer");

    assert_eq!(error.kind, ErrorKind::Unsupported, "{error}");
    assert_eq!(
        error.action,
        "compute-optimizer:GetLambdaFunctionRecommendations"
    );
    assert!(error.to_string().contains("not supported by this endpoint"));
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn per_alias_and_version_series() {
    let clients = clients(SEEDED_REGION).await;
    let request = DrillRequest {
        function: "orders-api".to_string(),
        aliases: vec!["live".to_string()],
        weighted: vec![("live".to_string(), vec!["12".to_string(), "13".to_string()])],
        range: TimeRange::OneHour,
    };

    let (metrics, billed) = fetch_drill_metrics(&clients, &request, Utc::now())
        .await
        .expect("series read");

    assert_eq!(billed, 4 * 7);
    let function = metrics.function().expect("function scope");
    assert!(function.series.invocations.sum().is_some_and(|n| n > 0.0));
    let alias = metrics
        .scope(&Scope::Alias("live".to_string()))
        .expect("alias scope");
    assert!(alias.series.invocations.sum().is_some_and(|n| n > 0.0));
    let canary = metrics
        .scope(&Scope::Version {
            alias: "live".to_string(),
            version: "13".to_string(),
        })
        .expect("canary scope");
    let stable = metrics
        .scope(&Scope::Version {
            alias: "live".to_string(),
            version: "12".to_string(),
        })
        .expect("stable scope");
    let canary_rate = canary.series.error_rate().expect("canary has traffic");
    let stable_rate = stable.series.error_rate().expect("stable has traffic");
    assert!(
        canary_rate > stable_rate * 5.0,
        "{canary_rate} vs {stable_rate}"
    );
    // moto rejects percentiles, so the p99 carries that error instead of an
    // empty series.
    match &function.p99_ms {
        Collected::Failed(error) => assert_eq!(error.kind, ErrorKind::Unsupported),
        other => panic!("p99 should be unsupported: {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn hunt_finds_planted_spike() {
    let clients = clients(SEEDED_REGION).await;
    let functions: Vec<String> = aws::list_functions(&clients)
        .await
        .expect("functions list")
        .into_iter()
        .map(|f| f.name)
        .collect();

    let (hunt, billed) = fetch_hunt(&clients, &functions, HuntWindow::default(), Utc::now())
        .await
        .expect("hunt runs");

    assert_eq!(hunt.coarse_period_s, 900);
    assert_eq!(hunt.fine_period_s, 60);
    assert_eq!(billed, 2 + 3 * functions.len() as u64);
    let (_, peak) = hunt.peak.expect("a peak");
    assert_eq!(peak, 490.0);
    let top: Vec<&str> = hunt
        .contributors
        .iter()
        .take(2)
        .map(|c| c.function.as_str())
        .collect();
    assert_eq!(top, vec!["order-fulfillment-worker", "email-sender"]);
    let worker = &hunt.contributors[0];
    let estimate = worker.estimated_concurrency.expect("estimate");
    assert!((estimate - 262.5).abs() < 1.0, "{estimate}");
}
