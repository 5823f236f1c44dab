//! X-Ray paging and the filter-expression fallback against mocked clients.

mod common;

use anshin::aws::{
    ErrorKind, MAX_IDS_PER_BATCH, RegionClients, batch_get_traces, function_filter,
    get_trace_summaries,
};
use anshin::poll::{XrayFilterSupport, fetch_traces};
use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;
use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;
use aws_sdk_xray::operation::batch_get_traces::BatchGetTracesOutput;
use aws_sdk_xray::operation::get_trace_summaries::GetTraceSummariesOutput;
use aws_sdk_xray::types::{Segment, Trace, TraceSummary};
use aws_smithy_mocks::{Rule, RuleMode, create_mock_http_client, mock};
use chrono::{Duration, Utc};
use common::{REGION, http_response, with_logs};

fn xray_client(rules: &[&Rule]) -> aws_sdk_xray::Client {
    let interceptor = rules.iter().fold(
        aws_smithy_mocks::MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
        |interceptor, rule| interceptor.with_rule(rule),
    );
    let config = aws_sdk_xray::Config::builder()
        .behavior_version_latest()
        .region(aws_types::region::Region::new(REGION))
        .credentials_provider(aws_credential_types::Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "anshin-tests",
        ))
        .retry_config(aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(1))
        .http_client(create_mock_http_client())
        .interceptor(interceptor)
        .build();
    aws_sdk_xray::Client::from_conf(config)
}

fn clients(rules: &[&Rule]) -> RegionClients {
    with_logs(&[]).with_xray(xray_client(rules))
}

fn window() -> (chrono::DateTime<Utc>, chrono::DateTime<Utc>) {
    let end = Utc::now();
    (end - Duration::minutes(30), end)
}

fn summary(id: &str, fault: bool) -> TraceSummary {
    TraceSummary::builder()
        .id(id)
        .has_fault(fault)
        .has_error(false)
        .has_throttle(false)
        .duration(1.0)
        .build()
}

fn summaries_page(ids: &[&str], token: Option<&str>) -> GetTraceSummariesOutput {
    let mut output = GetTraceSummariesOutput::builder().traces_processed_count(10);
    for id in ids {
        output = output.trace_summaries(summary(id, false));
    }
    if let Some(token) = token {
        output = output.next_token(token);
    }
    output.build()
}

#[tokio::test]
async fn summaries_follow_next_token() {
    let filter = function_filter("orders-api");
    let expected_filter = filter.clone();
    let first = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .match_requests(move |input| {
            input.next_token().is_none()
                && input.filter_expression() == Some(expected_filter.as_str())
        })
        .then_output(|| summaries_page(&["1-a", "1-b"], Some("page-2")));
    let second = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .match_requests(|input| input.next_token() == Some("page-2"))
        .then_output(|| summaries_page(&["1-c"], None));
    let clients = clients(&[&first, &second]);

    let result = get_trace_summaries(&clients, "orders-api", window(), Some(&filter), 5, 100)
        .await
        .expect("two pages");
    let ids: Vec<&str> = result.summaries.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec!["1-a", "1-b", "1-c"]);
    assert_eq!(result.scanned, 20);
    assert!(!result.truncated);
    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 1);
}

#[tokio::test]
async fn summaries_bounded_by_pages() {
    let endless = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .then_output(|| summaries_page(&["1-x"], Some("again")));
    let clients = clients(&[&endless]);

    let result = get_trace_summaries(&clients, "orders-api", window(), None, 3, 100)
        .await
        .expect("bounded pages");
    assert_eq!(endless.num_calls(), 3);
    assert!(result.truncated);
    assert_eq!(result.summaries.len(), 3);
}

fn trace(id: &str, documents: &[String]) -> Trace {
    let mut trace = Trace::builder().id(id);
    for (index, document) in documents.iter().enumerate() {
        trace = trace.segments(
            Segment::builder()
                .id(format!("{id}-{index}"))
                .document(document)
                .build(),
        );
    }
    trace.build()
}

fn lambda_document(function: &str, fault: bool) -> String {
    serde_json::json!({
        "name": function, "id": format!("{function}-segment"), "start_time": 1.0,
        "end_time": 1.25, "origin": "AWS::Lambda::Function", "fault": fault,
    })
    .to_string()
}

#[tokio::test]
async fn batch_get_traces_five_ids_per_call() {
    let batch = mock!(aws_sdk_xray::Client::batch_get_traces)
        .match_requests(|input| input.next_token().is_none())
        .then_compute_output(|input| {
            let mut output = BatchGetTracesOutput::builder();
            for id in input.trace_ids() {
                output = output.traces(trace(id, &[lambda_document("orders-api", false)]));
            }
            // The first batch sends its last trace on a second page.
            if input.trace_ids().first().map(String::as_str) == Some("1-0") {
                output = output.next_token("more");
            }
            output.build()
        });
    let second_page = mock!(aws_sdk_xray::Client::batch_get_traces)
        .match_requests(|input| input.next_token() == Some("more"))
        .then_output(|| {
            BatchGetTracesOutput::builder()
                .traces(trace("1-4", &[lambda_document("orders-api", true)]))
                .build()
        });
    let oversized = mock!(aws_sdk_xray::Client::batch_get_traces)
        .match_requests(|input| input.trace_ids().len() > MAX_IDS_PER_BATCH)
        .then_http_response(|| http_response(400, "application/json", "{}"));
    let clients = clients(&[&oversized, &batch, &second_page]);

    let ids: Vec<String> = (0..12).map(|n| format!("1-{n}")).collect();
    let traces = batch_get_traces(&clients, "orders-api", &ids)
        .await
        .expect("three batches");
    assert_eq!(oversized.num_calls(), 0);
    assert_eq!(batch.num_calls(), 3);
    assert_eq!(second_page.num_calls(), 1);
    assert_eq!(traces.len(), 12);
    let paged = traces
        .iter()
        .find(|trace| trace.id == "1-4")
        .expect("the paged trace");
    assert_eq!(paged.documents.len(), 2);
}

const LOG_GROUP: &str = "/aws/lambda/orders-api";

fn report_event(request: &str, trace: &str, timestamp: i64) -> FilteredLogEvent {
    FilteredLogEvent::builder()
        .timestamp(timestamp)
        .log_stream_name("2026/12/05/[13]abc")
        .message(format!(
            "REPORT RequestId: {request}\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\nXRAY TraceId: {trace}\tSegmentId: 1\tSampled: true\n"
        ))
        .build()
}

#[tokio::test]
async fn rejected_filter_reads_ids_from_log() {
    let filtered = mock!(aws_sdk_xray::Client::get_trace_summaries).then_http_response(|| {
        http_response(
            500,
            "application/json",
            r#"{"__type":"InternalFailure","message":"Not implemented yet - moto"}"#,
        )
    });
    let failed_request = "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab";
    let ok_request = "4a6d3e9f-8b5c-4d2e-8f30-123456789abc";
    let log = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events)
        .match_requests(|input| input.log_group_name() == Some(LOG_GROUP))
        .then_output(move || {
            FilterLogEventsOutput::builder()
                .events(report_event(ok_request, "1-00000002-ok", 2_000))
                .events(
                    FilteredLogEvent::builder()
                        .timestamp(900)
                        .message(format!(
                            "2026-12-05T00:00:00.900Z\t{failed_request}\tERROR\tInvoke Error"
                        ))
                        .build(),
                )
                .events(report_event(failed_request, "1-00000001-fault", 1_000))
                .build()
        });
    let documents = mock!(aws_sdk_xray::Client::batch_get_traces).then_compute_output(|input| {
        let mut output = BatchGetTracesOutput::builder();
        for id in input.trace_ids() {
            let fault = id.ends_with("fault");
            output = output.traces(trace(id, &[lambda_document("orders-api", fault)]));
        }
        output.build()
    });
    let clients = common::with_logs(&[&log]).with_xray(xray_client(&[&filtered, &documents]));
    let support = XrayFilterSupport::default();

    let (result, billed) = fetch_traces(&clients, "orders-api", LOG_GROUP, &support).await;
    let data = result.expect("trace ids from the log");
    assert!(data.ids_from_log);
    assert_eq!(data.ids_found, 2);
    let ids: Vec<&str> = data.traces.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec!["1-00000001-fault", "1-00000002-ok"]);
    assert_eq!(billed.traces_retrieved, 2);
    assert_eq!(billed.traces_scanned, 0);
    assert_eq!(filtered.num_calls(), 1);

    // The rejection is remembered: the next read skips GetTraceSummaries.
    let (again, _) = fetch_traces(&clients, "orders-api", LOG_GROUP, &support).await;
    assert!(again.is_ok());
    assert_eq!(filtered.num_calls(), 1);
    assert_eq!(log.num_calls(), 2);
}

#[tokio::test]
async fn filtered_summaries_read_documents() {
    let summaries = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .match_requests(|input| input.filter_expression().is_some())
        .then_output(|| {
            GetTraceSummariesOutput::builder()
                .traces_processed_count(40)
                .trace_summaries(summary("1-ok", false))
                .trace_summaries(summary("1-fault", true))
                .build()
        });
    let documents = mock!(aws_sdk_xray::Client::batch_get_traces).then_compute_output(|input| {
        let mut output = BatchGetTracesOutput::builder();
        for id in input.trace_ids() {
            output = output.traces(trace(id, &[lambda_document("orders-api", id == "1-fault")]));
        }
        output.build()
    });
    let clients = clients(&[&summaries, &documents]);

    let (result, billed) = fetch_traces(
        &clients,
        "orders-api",
        LOG_GROUP,
        &XrayFilterSupport::default(),
    )
    .await;
    let data = result.expect("traces");
    assert!(!data.ids_from_log);
    assert_eq!(data.traces[0].id, "1-fault");
    assert!(data.traces[0].fault);
    assert_eq!(billed.traces_scanned, 40);
    assert_eq!(billed.traces_retrieved, 4);
}

#[tokio::test]
async fn access_denied_is_not_a_fallback() {
    let denied = mock!(aws_sdk_xray::Client::get_trace_summaries).then_http_response(|| {
        http_response(
            403,
            "application/json",
            r#"{"__type":"AccessDeniedException","message":"not authorized"}"#,
        )
    });
    let clients = clients(&[&denied]);
    let (result, _) = fetch_traces(
        &clients,
        "orders-api",
        LOG_GROUP,
        &XrayFilterSupport::default(),
    )
    .await;
    let error = result.expect_err("access denied");
    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.action, "xray:GetTraceSummaries");
    assert!(error.to_string().contains("xray:GetTraceSummaries"));
    assert_eq!(denied.num_calls(), 1);
}

#[tokio::test]
async fn missing_client_is_unsupported() {
    let clients = with_logs(&[]);
    let (result, _) = fetch_traces(
        &clients,
        "orders-api",
        LOG_GROUP,
        &XrayFilterSupport::default(),
    )
    .await;
    assert_eq!(result.expect_err("no client").kind, ErrorKind::Unsupported);
}

/// The body moto 5.2.5 sends for GetTraceSummaries, with its content type
/// `text/html`: `Users` is an object where the API has a list.
const MOTO_SUMMARIES: &str = r#"{"ApproximateTime": 1796430135, "TracesProcessedCount": 1, "TraceSummaries": [{"Annotations": {}, "Duration": 0, "HasError": false, "HasFault": true, "HasThrottle": false, "Http": {}, "Id": "1-6b13590c-758004edc9cfbc1435d21a85", "IsParital": false, "ResponseTime": 1, "ServiceIds": [], "Users": {}}]}"#;

#[tokio::test]
async fn unreadable_summaries_read_ids_from_log() {
    let summaries = mock!(aws_sdk_xray::Client::get_trace_summaries)
        .then_http_response(|| http_response(200, "text/html; charset=utf-8", MOTO_SUMMARIES));
    let clients = clients(&[&summaries]);
    let error = get_trace_summaries(&clients, "orders-api", window(), None, 1, 10)
        .await
        .expect_err("the body does not parse");
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error:?}");

    let log = mock!(aws_sdk_cloudwatchlogs::Client::filter_log_events).then_output(|| {
        FilterLogEventsOutput::builder()
            .events(report_event(
                "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab",
                "1-00000001-fault",
                1_000,
            ))
            .build()
    });
    let documents = mock!(aws_sdk_xray::Client::batch_get_traces).then_compute_output(|input| {
        let mut output = BatchGetTracesOutput::builder();
        for id in input.trace_ids() {
            output = output.traces(trace(id, &[lambda_document("orders-api", true)]));
        }
        output.build()
    });
    let clients = common::with_logs(&[&log]).with_xray(xray_client(&[&summaries, &documents]));
    let (result, _) = fetch_traces(
        &clients,
        "orders-api",
        LOG_GROUP,
        &XrayFilterSupport::default(),
    )
    .await;
    let data = result.expect("trace ids from the log");
    assert!(data.ids_from_log);
    assert_eq!(data.traces.len(), 1);
}
