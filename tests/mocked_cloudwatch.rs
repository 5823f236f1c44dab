//! GetMetricData packing and failure handling against mocked clients.

mod common;

use anshin::aws::{ErrorKind, MetricsRequest, fetch_fleet_metrics, fetch_percentiles};
use anshin::model::{Fleet, FunctionMetrics};
use anshin::poll::DataEvent;
use anshin::ui::rows::{Filter, Sort, fleet_rows};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::types::{MetricDataResult, StatusCode};
use aws_smithy_mocks::mock;
use chrono::{TimeZone, Utc};
use common::{http_response, read_json, with_cloudwatch};

fn window() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let end = Utc
        .with_ymd_and_hms(2026, 12, 4, 12, 0, 0)
        .single()
        .expect("valid time");
    (end - chrono::Duration::hours(1), end)
}

fn request(functions: usize) -> MetricsRequest {
    let (start, end) = window();
    MetricsRequest {
        functions: (0..functions).map(|i| format!("fn-{i:03}")).collect(),
        weighted_aliases: vec![(
            "fn-000".to_string(),
            "live".to_string(),
            vec!["12".to_string(), "13".to_string()],
        )],
        start,
        end,
        period_s: 60,
    }
}

/// Returns, for every query, one datapoint at the window's last minute whose
/// value is the query's number, so each series can be traced to its query.
fn echo_output(
    input: &aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataInput,
) -> GetMetricDataOutput {
    let (_, end) = window();
    let at =
        aws_smithy_types::DateTime::from_secs((end - chrono::Duration::minutes(1)).timestamp());
    let results = input
        .metric_data_queries()
        .iter()
        .map(|query| {
            let id = query.id().unwrap_or_default().to_string();
            let number: f64 = id.trim_start_matches('q').parse().unwrap_or(-1.0);
            MetricDataResult::builder()
                .id(id)
                .status_code(StatusCode::Complete)
                .timestamps(at)
                .values(number)
                .build()
        })
        .collect();
    GetMetricDataOutput::builder()
        .set_metric_data_results(Some(results))
        .build()
}

#[tokio::test]
async fn queries_are_packed_500_per_call() {
    let rule = mock!(Client::get_metric_data).then_compute_output(echo_output);
    let clients = with_cloudwatch(&[&rule], 1);
    // 80 functions x 7 series + 4 per-version series + 1 account series.
    let request = request(80);

    let (metrics, billed) = fetch_fleet_metrics(&clients, &request)
        .await
        .expect("metrics load");

    assert_eq!(billed, 565);
    assert_eq!(rule.num_calls(), 2);
    assert_eq!(metrics.functions.len(), 80);
    // Query q7 is the first series of the second function: its invocations.
    let second = &metrics.functions["fn-001"];
    assert_eq!(second.invocations.sum(), Some(7.0));
    let versions = &metrics.versions["fn-000"];
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].version, "13");
    assert!(!metrics.account_concurrency.is_empty());
}

#[tokio::test]
async fn html_500_percentile_is_unsupported() {
    let rule = mock!(Client::get_metric_data).then_http_response(|| {
        http_response(
            500,
            "text/html",
            "<!doctype html><title>500 Internal Server Error</title>",
        )
    });
    let clients = with_cloudwatch(&[&rule], 1);
    let (start, end) = window();

    let error = fetch_percentiles(&clients, &["fn-000".to_string()], start, end, 60)
        .await
        .expect_err("endpoint rejects percentiles");

    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert_eq!(error.action, "cloudwatch:GetMetricData");
}

#[tokio::test]
async fn partial_data_status_is_reported() {
    let rule = mock!(Client::get_metric_data).then_compute_output(|input| {
        let mut output = echo_output(input);
        let mut results = output.metric_data_results.take().unwrap_or_default();
        results[0].status_code = Some(StatusCode::PartialData);
        output.metric_data_results = Some(results);
        output
    });
    let clients = with_cloudwatch(&[&rule], 1);

    let (metrics, _) = fetch_fleet_metrics(&clients, &request(1))
        .await
        .expect("metrics load");

    assert!(
        metrics.messages.iter().any(|m| m.contains("partial data")),
        "{:?}",
        metrics.messages
    );
}

#[tokio::test]
async fn idle_function_reads_as_no_data() {
    // The idle-function answer: every series Complete with no datapoints.
    let case = read_json("cases/21-metrics-no-data-is-not-zero/input.json");
    let expected_empty = case["b_get_metric_data_idle_function"]["MetricDataResults"]
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r["Values"].as_array().is_some_and(Vec::is_empty));
    assert!(expected_empty, "the case describes empty series");
    let rule = mock!(Client::get_metric_data).then_compute_output(|input| {
        let results = input
            .metric_data_queries()
            .iter()
            .map(|query| {
                MetricDataResult::builder()
                    .id(query.id().unwrap_or_default())
                    .status_code(StatusCode::Complete)
                    .build()
            })
            .collect();
        GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results))
            .build()
    });
    let clients = with_cloudwatch(&[&rule], 1);
    let request = request(1);

    let (metrics, _) = fetch_fleet_metrics(&clients, &request)
        .await
        .expect("metrics load");
    let function: &FunctionMetrics = &metrics.functions["fn-000"];
    assert!(function.invocations.is_empty());
    assert_eq!(function.error_rate_since(request.start), None);

    // The same through the table: no zero anywhere.
    let mut fleet = Fleet::new(None, vec![common::REGION.to_string()], None);
    let config = serde_json::json!({"Functions": [{"FunctionName": "fn-000"}]}).to_string();
    let lambda_rule = mock!(aws_sdk_lambda::Client::list_functions)
        .then_http_response(move || http_response(200, "application/json", config.clone()));
    let lambda = common::with_lambda(&[&lambda_rule], 1);
    let functions = anshin::aws::list_functions(&lambda).await.expect("list");
    fleet.apply(DataEvent::Functions {
        region: common::REGION.to_string(),
        at: request.end,
        result: Ok(functions),
    });
    fleet.apply(DataEvent::Metrics {
        region: common::REGION.to_string(),
        at: request.end,
        result: Ok(metrics),
        billed_metrics: 0,
    });
    let rows = fleet_rows(&fleet, &Filter::default(), Sort::default());
    assert_eq!(rows[0].invocations, None);
    assert_eq!(rows[0].error_rate, None);
    assert_eq!(rows[0].p99_ms, None);
    assert_eq!(anshin::ui::format::percent(rows[0].error_rate), "–");
}
