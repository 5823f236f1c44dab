//! GetMetricData for the Metrics tab and the concurrency hunt against
//! mocked clients: percentiles the endpoint rejects, PartialData and
//! Messages, paging, the point limits, and the hunt's two-step search.

mod common;

use anshin::aws::{DrillRequest, ErrorKind, fetch_drill_metrics, fetch_hunt};
use anshin::model::Collected;
use anshin::model::drill_metrics::{HuntWindow, MAX_POINTS_PER_CALL, Scope, TimeRange};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::{GetMetricDataInput, GetMetricDataOutput};
use aws_sdk_cloudwatch::types::{MessageData, MetricDataResult, StatusCode};
use aws_smithy_mocks::mock;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{http_response, read_json, with_cloudwatch};
use serde_json::Value;

const CASE_20: &str = "cases/20-metrics-getmetricdata-partial-and-messages/input.json";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 30)
        .single()
        .expect("valid time")
}

fn request(range: TimeRange) -> DrillRequest {
    DrillRequest {
        function: "orders-api".to_string(),
        aliases: vec!["live".to_string()],
        weighted: vec![("live".to_string(), vec!["12".to_string(), "13".to_string()])],
        range,
    }
}

fn is_percentile(input: &GetMetricDataInput) -> bool {
    input
        .metric_data_queries()
        .iter()
        .any(|q| q.metric_stat().and_then(|s| s.stat()) == Some("p99"))
}

fn smithy_time(at: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(at.timestamp())
}

/// Returns one data point per query, ten minutes before the window's end,
/// whose value is the query's position, so each series can be traced back.
fn echo(input: &GetMetricDataInput) -> GetMetricDataOutput {
    let at = smithy_time(now() - Duration::minutes(10));
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
                .values(number + 1.0)
                .build()
        })
        .collect();
    GetMetricDataOutput::builder()
        .set_metric_data_results(Some(results))
        .build()
}

/// Converts one of the case's results to the API type, under the id of the
/// first query.
fn case_result(case: &Value, id: &str) -> MetricDataResult {
    let status = case["StatusCode"].as_str().unwrap_or("Complete");
    let timestamps = case["Timestamps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| smithy_time(t.with_timezone(&Utc)));
    let values = case["Values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_f64);
    MetricDataResult::builder()
        .id(id)
        .status_code(StatusCode::from(status))
        .set_timestamps(Some(timestamps.collect()))
        .set_values(Some(values.collect()))
        .build()
}

/// Returns the output for one of case 20's inputs: its results under the
/// first query's id, its top-level Messages, and no NextToken.
fn case_output(input: &GetMetricDataInput, case: &Value) -> GetMetricDataOutput {
    let first_id = input
        .metric_data_queries()
        .first()
        .and_then(|q| q.id())
        .unwrap_or_default()
        .to_string();
    let results = case["MetricDataResults"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|result| case_result(result, &first_id))
        .collect();
    let messages = case["Messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            MessageData::builder()
                .code(m["Code"].as_str().unwrap_or_default())
                .value(m["Value"].as_str().unwrap_or_default())
                .build()
        })
        .collect();
    GetMetricDataOutput::builder()
        .set_metric_data_results(Some(results))
        .set_messages(Some(messages))
        .build()
}

#[tokio::test]
async fn rejected_percentile_keeps_other_series() {
    let percentile = mock!(Client::get_metric_data)
        .match_requests(is_percentile)
        .then_http_response(|| {
            http_response(
                500,
                "text/html",
                "<!doctype html><title>500 Internal Server Error</title>",
            )
        });
    let series = mock!(Client::get_metric_data)
        .match_requests(|input| !is_percentile(input))
        .then_compute_output(echo);
    let clients = with_cloudwatch(&[&percentile, &series], 1);

    let (metrics, billed) = fetch_drill_metrics(&clients, &request(TimeRange::OneHour), now())
        .await
        .expect("series load");

    // 4 scopes x 7 series; the rejected percentiles are not billed.
    assert_eq!(billed, 28);
    assert_eq!(metrics.scopes.len(), 4);
    let function = metrics.function().expect("function scope");
    assert_eq!(function.series.invocations.sum(), Some(1.0));
    for scope in &metrics.scopes {
        match &scope.p99_ms {
            Collected::Failed(error) => assert_eq!(error.kind, ErrorKind::Unsupported),
            other => panic!("p99 of {:?} should be unsupported: {other:?}", scope.scope),
        }
    }
    let version = metrics
        .scope(&Scope::Version {
            alias: "live".to_string(),
            version: "13".to_string(),
        })
        .expect("version scope");
    assert!(!version.series.invocations.is_empty());
}

#[tokio::test]
async fn case_20_partial_data_without_next_token() {
    let case = read_json(CASE_20)["a_math_expression_partial_no_next_token"].clone();
    let rule = mock!(Client::get_metric_data)
        .match_requests(|input| !is_percentile(input))
        .then_compute_output(move |input| case_output(input, &case));
    let percentile = mock!(Client::get_metric_data)
        .match_requests(is_percentile)
        .then_compute_output(echo);
    let clients = with_cloudwatch(&[&rule, &percentile], 1);

    let (metrics, _) = fetch_drill_metrics(&clients, &request(TimeRange::OneHour), now())
        .await
        .expect("series load");

    // One call, no wait for a NextToken that never comes.
    assert_eq!(rule.num_calls(), 1);
    // The values that did arrive are kept.
    let function = metrics.function().expect("function scope");
    assert_eq!(function.series.invocations.points.len(), 2);
    assert!(metrics.is_partial());
    assert!(
        metrics.partial[0].contains("Invocations"),
        "{:?}",
        metrics.partial
    );
}

#[tokio::test]
async fn case_20_messages_are_kept() {
    let case = read_json(CASE_20)["b_search_limited"].clone();
    let rule = mock!(Client::get_metric_data)
        .match_requests(|input| !is_percentile(input))
        .then_compute_output(move |input| case_output(input, &case));
    let percentile = mock!(Client::get_metric_data)
        .match_requests(is_percentile)
        .then_compute_output(echo);
    let clients = with_cloudwatch(&[&rule, &percentile], 1);

    let (metrics, _) = fetch_drill_metrics(&clients, &request(TimeRange::OneHour), now())
        .await
        .expect("series load");

    let function = metrics.function().expect("function scope");
    assert_eq!(function.series.invocations.sum(), Some(812.4));
    assert!(!metrics.is_partial());
    assert_eq!(metrics.messages.len(), 1);
    assert!(
        metrics.messages[0]
            .value
            .contains("Maximum number of allowed metrics exceeded"),
        "{:?}",
        metrics.messages
    );
}

#[tokio::test]
async fn case_20_forbidden_is_an_error_message() {
    let case = read_json(CASE_20)["c_cross_region"].clone();
    let rule = mock!(Client::get_metric_data)
        .match_requests(|input| !is_percentile(input))
        .then_compute_output(move |input| case_output(input, &case));
    let percentile = mock!(Client::get_metric_data)
        .match_requests(is_percentile)
        .then_compute_output(echo);
    let clients = with_cloudwatch(&[&rule, &percentile], 1);

    let (metrics, _) = fetch_drill_metrics(&clients, &request(TimeRange::OneHour), now())
        .await
        .expect("series load");

    assert!(metrics.has_no_data());
    assert!(metrics.messages.iter().any(|m| m.is_forbidden()));
}

#[tokio::test]
async fn pages_follow_next_token() {
    let first = mock!(Client::get_metric_data)
        .match_requests(|input| !is_percentile(input) && input.next_token().is_none())
        .then_compute_output(|input| {
            let mut output = echo(input);
            output.next_token = Some("page-2".to_string());
            output
        });
    let second = mock!(Client::get_metric_data)
        .match_requests(|input| input.next_token() == Some("page-2"))
        .then_compute_output(|input| {
            let at = smithy_time(now() - Duration::minutes(5));
            let results = input
                .metric_data_queries()
                .iter()
                .map(|query| {
                    MetricDataResult::builder()
                        .id(query.id().unwrap_or_default())
                        .status_code(StatusCode::Complete)
                        .timestamps(at)
                        .values(100.0)
                        .build()
                })
                .collect();
            GetMetricDataOutput::builder()
                .set_metric_data_results(Some(results))
                .build()
        });
    let percentile = mock!(Client::get_metric_data)
        .match_requests(is_percentile)
        .then_compute_output(echo);
    let clients = with_cloudwatch(&[&second, &first, &percentile], 1);

    let (metrics, _) = fetch_drill_metrics(&clients, &request(TimeRange::OneHour), now())
        .await
        .expect("series load");

    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 1);
    let function = metrics.function().expect("function scope");
    assert_eq!(function.series.invocations.points.len(), 2);
    assert_eq!(function.series.invocations.sum(), Some(101.0));
}

#[tokio::test]
async fn seven_days_stay_within_point_limits() {
    let rule = mock!(Client::get_metric_data).then_compute_output(|input| {
        let start = input.start_time().map_or(0, |t| t.secs());
        let end = input.end_time().map_or(0, |t| t.secs());
        for query in input.metric_data_queries() {
            let period = query.metric_stat().and_then(|s| s.period()).unwrap_or(0);
            assert!(period > 0);
            let points = (end - start) / i64::from(period);
            assert!(points <= 1_440, "{points} points per metric");
            let total = points * input.metric_data_queries().len() as i64;
            assert!(total <= MAX_POINTS_PER_CALL, "{total} points per call");
        }
        echo(input)
    });
    let clients = with_cloudwatch(&[&rule], 1);
    let many = DrillRequest {
        aliases: (0..20).map(|i| format!("alias-{i}")).collect(),
        ..request(TimeRange::SevenDays)
    };

    let (metrics, billed) = fetch_drill_metrics(&clients, &many, now())
        .await
        .expect("series load");

    // 23 scopes: 161 series in two calls of at most 100, then 23 p99s.
    assert_eq!(metrics.period_s, 600);
    assert_eq!(billed, 23 * 8);
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn hunt_finds_peak_minute_and_functions() {
    let peak_at = Utc
        .with_ymd_and_hms(2026, 12, 2, 3, 17, 0)
        .single()
        .expect("valid time");
    let account = |input: &GetMetricDataInput| {
        input.metric_data_queries().iter().all(|q| {
            q.metric_stat()
                .and_then(|s| s.metric())
                .is_some_and(|m| m.dimensions().is_empty())
        })
    };
    let period_of = |input: &GetMetricDataInput| {
        input
            .metric_data_queries()
            .first()
            .and_then(|q| q.metric_stat())
            .and_then(|s| s.period())
            .unwrap_or(0)
    };
    let coarse = mock!(Client::get_metric_data)
        .match_requests(move |input| account(input) && period_of(input) == 900)
        .then_compute_output(move |input| {
            let id = input.metric_data_queries()[0].id().unwrap_or_default();
            let bucket = Utc
                .with_ymd_and_hms(2026, 12, 2, 3, 15, 0)
                .single()
                .expect("time");
            MetricDataOutputBuilder::points(
                id,
                &[(bucket - Duration::hours(5), 40.0), (bucket, 490.0)],
            )
        });
    let fine = mock!(Client::get_metric_data)
        .match_requests(move |input| account(input) && period_of(input) == 60)
        .then_compute_output(move |input| {
            let id = input.metric_data_queries()[0].id().unwrap_or_default();
            MetricDataOutputBuilder::points(
                id,
                &[(peak_at - Duration::minutes(1), 400.0), (peak_at, 490.0)],
            )
        });
    let functions = mock!(Client::get_metric_data)
        .match_requests(move |input| !account(input))
        .then_compute_output(|input| {
            // Per function: Invocations Sum, Duration Sum, Duration SampleCount.
            let values = [
                21_000.0,
                21_000.0 * 4_500.0,
                21_000.0,
                600.0,
                600.0 * 800.0,
                600.0,
            ];
            let at = smithy_time(
                Utc.with_ymd_and_hms(2026, 12, 2, 3, 12, 0)
                    .single()
                    .expect("time"),
            );
            let results = input
                .metric_data_queries()
                .iter()
                .zip(values)
                .map(|(query, value)| {
                    MetricDataResult::builder()
                        .id(query.id().unwrap_or_default())
                        .status_code(StatusCode::Complete)
                        .timestamps(at)
                        .values(value)
                        .build()
                })
                .collect();
            GetMetricDataOutput::builder()
                .set_metric_data_results(Some(results))
                .build()
        });
    let clients = with_cloudwatch(&[&coarse, &fine, &functions], 1);
    let names = vec![
        "worker".to_string(),
        "mailer".to_string(),
        "idle".to_string(),
    ];

    let (hunt, billed) = fetch_hunt(&clients, &names, HuntWindow::default(), now())
        .await
        .expect("hunt runs");

    assert_eq!(hunt.coarse_period_s, 900);
    assert_eq!(hunt.fine_period_s, 60);
    assert_eq!(hunt.peak, Some((peak_at, 490.0)));
    assert_eq!(billed, 2 + 9);
    assert_eq!(hunt.contributors[0].function, "worker");
    // 21,000 invocations in 6 minutes at 4.5 s: 262.5 in flight on average.
    let estimate = hunt.contributors[0]
        .estimated_concurrency
        .expect("estimate");
    assert!((estimate - 262.5).abs() < 1e-9, "{estimate}");
    assert_eq!(hunt.contributors[1].function, "mailer");
    let idle = &hunt.contributors[2];
    assert_eq!(idle.function, "idle");
    assert_eq!(idle.invocations, None);
    assert_eq!(idle.estimated_concurrency, None);
}

#[tokio::test]
async fn hunt_without_data_has_no_peak() {
    let rule = mock!(Client::get_metric_data).then_compute_output(|input| {
        let results = input
            .metric_data_queries()
            .iter()
            .map(|q| {
                MetricDataResult::builder()
                    .id(q.id().unwrap_or_default())
                    .status_code(StatusCode::Complete)
                    .build()
            })
            .collect();
        GetMetricDataOutput::builder()
            .set_metric_data_results(Some(results))
            .build()
    });
    let clients = with_cloudwatch(&[&rule], 1);

    let (hunt, billed) = fetch_hunt(&clients, &["f".to_string()], HuntWindow::default(), now())
        .await
        .expect("hunt runs");

    assert_eq!(hunt.peak, None);
    assert!(hunt.contributors.is_empty());
    assert_eq!(billed, 1);
    assert_eq!(rule.num_calls(), 1);
}

/// Builds a one-series output from (time, value) pairs.
struct MetricDataOutputBuilder;

impl MetricDataOutputBuilder {
    fn points(id: &str, points: &[(DateTime<Utc>, f64)]) -> GetMetricDataOutput {
        let result = MetricDataResult::builder()
            .id(id)
            .status_code(StatusCode::Complete)
            .set_timestamps(Some(
                points.iter().map(|(at, _)| smithy_time(*at)).collect(),
            ))
            .set_values(Some(points.iter().map(|(_, v)| *v).collect()))
            .build();
        GetMetricDataOutput::builder()
            .metric_data_results(result)
            .build()
    }
}
