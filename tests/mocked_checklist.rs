//! The checklist's reads beyond Lambda against mocked SDK clients: multi-page
//! Inspector findings, denied calls, the API Gateway integration fallback,
//! days without metrics and cut-short log reads, which the local emulator
//! cannot all produce.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anshin::aws::{
    ErrorKind, describe_subnet_zones, fetch_daily_metrics, finding_from_sdk, inspector_coverage,
    list_lambda_findings, queue_has_redrive, read_report_summary, read_rest_apis,
};
use anshin::checks::{Status, UnknownReason};
use anshin::model::{
    Collected, DailyMetrics, Fleet, FunctionKey, InspectorFinding, MetricSeries,
    RegionChecklistData, ReportLineSummary,
};
use anshin::poll::DataEvent;
use aws_credential_types::Credentials;
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, create_mock_http_client, mock};
use aws_types::region::Region;
use chrono::{TimeZone, Utc};
use common::{REGION, http_response, with_cloudwatch, with_logs};
use serde_json::{Value, json};

const JSON: &str = "application/json";

/// Builds a client of `$sdk` whose responses come from `$rules`, with
/// dummy credentials and no endpoint to reach.
macro_rules! mock_client {
    ($sdk:ident, $mode:expr, $rules:expr) => {{
        let rules: &[&aws_smithy_mocks::Rule] = $rules;
        let interceptor = rules.iter().fold(
            MockResponseInterceptor::new().rule_mode($mode),
            |i, rule| i.with_rule(rule),
        );
        let config = $sdk::Config::builder()
            .behavior_version_latest()
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        $sdk::Client::from_conf(config)
    }};
}
const ACCOUNT: &str = "123456789012";
const ORDERS_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";
const CART_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cart-api";

fn lambda_resource(arn: &str, version: &str) -> Value {
    json!({
        "type": "AWS_LAMBDA_FUNCTION",
        "id": format!("{arn}:{version}"),
        "details": {"awsLambdaFunction": {
            "functionName": arn.rsplit(':').next(),
            "version": version,
            "runtime": "PYTHON_3_12",
            "codeSha256": "x",
            "executionRoleArn": "arn:aws:iam::123456789012:role/r",
        }},
    })
}

fn package_finding(id: &str, severity: &str, resource: Value) -> Value {
    json!({
        "awsAccountId": ACCOUNT,
        "findingArn": format!("arn:aws:inspector2:us-east-1:123456789012:finding/{id}"),
        "title": format!("{id} - flask"),
        "description": "d",
        "severity": severity,
        "status": "ACTIVE",
        "type": "PACKAGE_VULNERABILITY",
        "firstObservedAt": 1725468637,
        "lastObservedAt": 1725468637,
        "remediation": {"recommendation": {"text": "update"}},
        "resources": [resource],
        "packageVulnerabilityDetails": {
            "vulnerabilityId": id,
            "source": "NVD",
            "vulnerablePackages": [{"name": "flask", "version": "2.0.0", "fixedInVersion": "2.3.2"}],
        },
    })
}

/// Replaces every `…At` timestamp string of the EventBridge form with the
/// epoch seconds that ListFindings uses, recursively.
fn epoch_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                if key.ends_with("At") && field.is_string() {
                    *field = json!(1725468637.627);
                } else {
                    epoch_timestamps(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(epoch_timestamps),
        _ => {}
    }
}

fn inspector(rules: &[&aws_smithy_mocks::Rule]) -> aws_sdk_inspector2::Client {
    mock_client!(aws_sdk_inspector2, RuleMode::Sequential, rules)
}

#[tokio::test]
async fn findings_follow_next_token() {
    let first = json!({
        "findings": [package_finding("CVE-1", "HIGH", lambda_resource(ORDERS_ARN, "13"))],
        "nextToken": "page-2",
    })
    .to_string();
    let second = json!({
        "findings": [
            package_finding("CVE-2", "MEDIUM", lambda_resource(CART_ARN, "$LATEST")),
            package_finding("CVE-3", "LOW", lambda_resource(ORDERS_ARN, "12")),
        ],
    })
    .to_string();
    let page_one = mock!(aws_sdk_inspector2::Client::list_findings)
        .match_requests(|request| {
            request.next_token().is_none()
                && request
                    .filter_criteria()
                    .map(|criteria| criteria.resource_type())
                    .is_some_and(|types| types[0].value() == "AWS_LAMBDA_FUNCTION")
        })
        .then_http_response(move || http_response(200, JSON, first.clone()));
    let page_two = mock!(aws_sdk_inspector2::Client::list_findings)
        .match_requests(|request| request.next_token() == Some("page-2"))
        .then_http_response(move || http_response(200, JSON, second.clone()));
    let client = inspector(&[&page_one, &page_two]);

    let findings = list_lambda_findings(REGION, &client)
        .await
        .expect("both pages read");

    assert_eq!(page_one.num_calls(), 1);
    assert_eq!(page_two.num_calls(), 1);
    let orders = &findings[ORDERS_ARN];
    let ids: Vec<_> = orders.iter().map(|f| f.vulnerability_id.clone()).collect();
    assert_eq!(
        ids,
        vec![Some("CVE-1".to_string()), Some("CVE-3".to_string())]
    );
    assert_eq!(orders[0].function_version.as_deref(), Some("13"));
    assert_eq!(findings[CART_ARN][0].severity, "MEDIUM");
    assert_eq!(findings.len(), 2);
}

#[tokio::test]
async fn sdk_mapping_matches_json_parser() {
    let case = common::read_json("cases/23-inspector2-lambda-findings/input.json");
    let mut details: Vec<Value> = ["package_vulnerability_event", "code_vulnerability_event"]
        .iter()
        .map(|event| case[event]["detail"].clone())
        .collect();
    let expected: Vec<InspectorFinding> = details
        .iter()
        .map(|detail| InspectorFinding::from_json(detail).expect("case parses"))
        .collect();
    details.iter_mut().for_each(epoch_timestamps);
    let body = json!({ "findings": details }).to_string();
    let rule = mock!(aws_sdk_inspector2::Client::list_findings)
        .then_http_response(move || http_response(200, JSON, body.clone()));
    let client = inspector(&[&rule]);

    let output = client
        .list_findings()
        .send()
        .await
        .expect("the SDK reads the case");
    let mapped: Vec<InspectorFinding> = output.findings().iter().map(finding_from_sdk).collect();

    for (sdk, json) in mapped.iter().zip(&expected) {
        // The JSON parser reads the version from the resource; the SDK path
        // sets it where it files the finding under its function.
        let json = InspectorFinding {
            function_version: None,
            ..json.clone()
        };
        assert_eq!(sdk, &json);
    }
    assert_eq!(mapped.len(), 2);
    assert_eq!(expected[0].function_version.as_deref(), Some("$LATEST"));

    let filed = {
        let body = json!({ "findings": [details[0].clone()] }).to_string();
        let rule = mock!(aws_sdk_inspector2::Client::list_findings)
            .then_http_response(move || http_response(200, JSON, body.clone()));
        list_lambda_findings(REGION, &inspector(&[&rule]))
            .await
            .expect("findings read")
    };
    let function = "arn:aws:lambda:eu-central-1:123456789012:function:VulnerableFunction";
    assert_eq!(filed[function], vec![expected[0].clone()]);
}

#[tokio::test]
async fn denied_findings_name_the_action() {
    let rule = mock!(aws_sdk_inspector2::Client::list_findings).then_http_response(|| {
        http_response(
            403,
            JSON,
            r#"{"__type":"AccessDeniedException","message":"not authorized to perform inspector2:ListFindings"}"#,
        )
    });
    let client = inspector(&[&rule]);

    let error = list_lambda_findings(REGION, &client)
        .await
        .expect_err("the call is denied");

    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(
        UnknownReason::from_error(&error),
        UnknownReason::AccessDenied {
            action: "inspector2:ListFindings".to_string()
        }
    );
}

#[tokio::test]
async fn coverage_reads_lambda_states() {
    let state = |status: &str| json!({"status": status, "errorCode": "ALREADY_ENABLED", "errorMessage": ""});
    let body = json!({
        "accounts": [{
            "accountId": ACCOUNT,
            "state": state("ENABLED"),
            "resourceState": {
                "ec2": state("DISABLED"),
                "ecr": state("DISABLED"),
                "lambda": state("ENABLED"),
                "lambdaCode": state("DISABLED"),
            },
        }],
        "failedAccounts": [],
    })
    .to_string();
    let enabled = mock!(aws_sdk_inspector2::Client::batch_get_account_status)
        .match_requests(|request| request.account_ids() == [ACCOUNT.to_string()])
        .then_http_response(move || http_response(200, JSON, body.clone()));
    let unknown_account = mock!(aws_sdk_inspector2::Client::batch_get_account_status)
        .then_http_response(|| http_response(200, JSON, r#"{"accounts":[],"failedAccounts":[]}"#));
    let client = inspector(&[&enabled, &unknown_account]);

    let coverage = inspector_coverage(REGION, &client, ACCOUNT)
        .await
        .expect("status read");
    assert!(coverage.lambda_standard_scanning);
    assert!(!coverage.lambda_code_scanning);

    let coverage = inspector_coverage(REGION, &client, "999999999999")
        .await
        .expect("status read");
    assert!(!coverage.lambda_standard_scanning);
    assert!(!coverage.lambda_code_scanning);
}

#[tokio::test]
async fn subnet_zones_use_filter() {
    use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
    use aws_sdk_ec2::types::Subnet;

    let rule = mock!(aws_sdk_ec2::Client::describe_subnets)
        .match_requests(|request| {
            request.subnet_ids().is_empty()
                && request.filters()[0].name() == Some("subnet-id")
                && request.filters()[0].values().len() == 2
        })
        .then_output(|| {
            DescribeSubnetsOutput::builder()
                .subnets(
                    Subnet::builder()
                        .subnet_id("subnet-a")
                        .availability_zone("us-east-1a")
                        .build(),
                )
                .build()
        });
    let client = mock_client!(aws_sdk_ec2, RuleMode::Sequential, &[&rule]);

    let zones = describe_subnet_zones(
        REGION,
        &client,
        &["subnet-a".to_string(), "subnet-gone".to_string()],
    )
    .await
    .expect("subnets read");

    // A deleted subnet is missing from the response rather than failing it.
    assert_eq!(
        zones,
        BTreeMap::from([("subnet-a".to_string(), "us-east-1a".to_string())])
    );
}

#[tokio::test]
async fn queue_redrive_read_by_name_and_owner() {
    use aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesOutput;
    use aws_sdk_sqs::operation::get_queue_url::GetQueueUrlOutput;
    use aws_sdk_sqs::types::QueueAttributeName;

    let url = mock!(aws_sdk_sqs::Client::get_queue_url)
        .match_requests(|request| {
            request.queue_name() == Some("refunds")
                && request.queue_owner_aws_account_id() == Some(ACCOUNT)
        })
        .then_output(|| {
            GetQueueUrlOutput::builder()
                .queue_url("https://sqs.us-east-1.amazonaws.com/123456789012/refunds")
                .build()
        });
    let with_policy = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        GetQueueAttributesOutput::builder()
            .attributes(
                QueueAttributeName::RedrivePolicy,
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:refunds-dlq","maxReceiveCount":"5"}"#,
            )
            .build()
    });
    let without_policy = mock!(aws_sdk_sqs::Client::get_queue_attributes)
        .then_output(|| GetQueueAttributesOutput::builder().build());
    let client = mock_client!(
        aws_sdk_sqs,
        RuleMode::MatchAny,
        &[&url, &with_policy, &without_policy]
    );
    let queue = "arn:aws:sqs:us-east-1:123456789012:refunds";

    assert_eq!(queue_has_redrive(REGION, &client, queue).await, Ok(true));
    let client = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, &[&url, &without_policy]);
    assert_eq!(queue_has_redrive(REGION, &client, queue).await, Ok(false));
}

#[tokio::test]
async fn rest_api_falls_back_to_get_integration() {
    use aws_sdk_apigateway::operation::get_integration::GetIntegrationOutput;
    use aws_sdk_apigateway::operation::get_request_validators::GetRequestValidatorsOutput;
    use aws_sdk_apigateway::operation::get_resources::GetResourcesOutput;
    use aws_sdk_apigateway::operation::get_rest_apis::GetRestApisOutput;
    use aws_sdk_apigateway::operation::get_stages::GetStagesOutput;
    use aws_sdk_apigateway::types::{
        Method, MethodSetting, RequestValidator, Resource, RestApi, Stage,
    };

    let apis = mock!(aws_sdk_apigateway::Client::get_rest_apis).then_output(|| {
        GetRestApisOutput::builder()
            .items(RestApi::builder().id("a1").name("shop").build())
            .build()
    });
    let validators = mock!(aws_sdk_apigateway::Client::get_request_validators).then_output(|| {
        GetRequestValidatorsOutput::builder()
            .items(
                RequestValidator::builder()
                    .id("v1")
                    .validate_request_body(true)
                    .build(),
            )
            .build()
    });
    // The embedded method carries no integration, as some endpoints send it.
    let resources = mock!(aws_sdk_apigateway::Client::get_resources)
        .match_requests(|request| request.embed() == ["methods".to_string()])
        .then_output(|| {
            GetResourcesOutput::builder()
                .items(
                    Resource::builder()
                        .id("r1")
                        .path("/orders")
                        .resource_methods(
                            "POST",
                            Method::builder()
                                .http_method("POST")
                                .request_validator_id("v1")
                                .request_models("application/json", "Order")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let integration = mock!(aws_sdk_apigateway::Client::get_integration)
        .match_requests(|request| {
            request.resource_id() == Some("r1") && request.http_method() == Some("POST")
        })
        .then_output(|| {
            GetIntegrationOutput::builder()
                .uri(format!(
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ORDERS_ARN}:live/invocations"
                ))
                .build()
        });
    let stages = mock!(aws_sdk_apigateway::Client::get_stages).then_output(|| {
        GetStagesOutput::builder()
            .item(
                Stage::builder()
                    .stage_name("prod")
                    .method_settings(
                        "*/*",
                        MethodSetting::builder()
                            .throttling_burst_limit(50)
                            .throttling_rate_limit(20.0)
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_apigateway,
        RuleMode::MatchAny,
        &[&apis, &validators, &resources, &integration, &stages]
    );

    let apis = read_rest_apis(REGION, &client).await.expect("APIs read");

    assert_eq!(integration.num_calls(), 1);
    assert_eq!(apis.len(), 1);
    let api = &apis[0];
    assert_eq!(api.integrations[0].function_arn, ORDERS_ARN);
    let method = &api.integrations[0].method;
    assert_eq!(method.resource_path, "/orders");
    assert!(method.validates_body);
    assert_eq!(method.request_models, vec!["application/json".to_string()]);
    assert_eq!(api.stages[0].burst_limit, Some(50));
    assert_eq!(api.stages[0].rate_limit, Some(20.0));
}

#[tokio::test]
async fn daily_metrics_keep_missing_days_absent() {
    use aws_sdk_cloudwatch::Client;
    use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
    use aws_sdk_cloudwatch::types::MetricDataResult;

    let day = |d: u32| {
        aws_smithy_types::DateTime::from_secs(
            Utc.with_ymd_and_hms(2026, 12, d, 0, 0, 0)
                .unwrap()
                .timestamp(),
        )
    };
    let rule = mock!(Client::get_metric_data)
        .match_requests(|request| {
            request.metric_data_queries().len() == 2
                && request.metric_data_queries()[0]
                    .metric_stat()
                    .is_some_and(|stat| stat.period() == Some(86_400))
        })
        .then_output(move || {
            GetMetricDataOutput::builder()
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("q0")
                        .timestamps(day(4))
                        .timestamps(day(3))
                        .values(100.0)
                        .values(80.0)
                        .build(),
                )
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("q1")
                        .timestamps(day(4))
                        .values(20.0)
                        .build(),
                )
                .build()
        });
    let clients = with_cloudwatch(&[&rule], 1);
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();

    let (metrics, billed) = fetch_daily_metrics(&clients, &["orders-api".to_string()], now)
        .await
        .expect("metrics read");

    assert_eq!(billed, 2);
    let orders = &metrics["orders-api"];
    assert_eq!(orders.invocations.points.len(), 2);
    // Errors has no datapoint on the 3rd: no data, not zero.
    assert_eq!(orders.errors.points.len(), 1);
    assert_eq!(
        orders.errors.points[0].at.date_naive().to_string(),
        "2026-12-04"
    );
    assert_eq!(orders.timeouts, None);
}

fn report_event(minute: i64, message: &str) -> aws_sdk_cloudwatchlogs::types::FilteredLogEvent {
    let base = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap();
    aws_sdk_cloudwatchlogs::types::FilteredLogEvent::builder()
        .timestamp((base + chrono::Duration::minutes(minute)).timestamp_millis())
        .message(message)
        .build()
}

const REPORT_TIMEOUT: &str = "REPORT RequestId: 0f6c1c7a-6d11-4c39-9a40-3b8f2f1a9e01\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\tStatus: timeout";

#[tokio::test]
async fn report_read_cut_short_has_no_timeouts() {
    use aws_sdk_cloudwatchlogs::Client;
    use aws_sdk_cloudwatchlogs::operation::filter_log_events::FilterLogEventsOutput;

    let pages = Arc::new(AtomicUsize::new(0));
    let endless = mock!(Client::filter_log_events)
        .match_requests(|request| {
            request.filter_pattern() == Some(anshin::aws::REPORT_FILTER_PATTERN)
        })
        .then_compute_output(move |_| {
            // The paginator stops on a repeated token, so each page names
            // the next one.
            let page = pages.fetch_add(1, Ordering::SeqCst);
            FilterLogEventsOutput::builder()
                .events(report_event(1, REPORT_TIMEOUT))
                .next_token(format!("page-{}", page + 1))
                .build()
        });
    let clients = with_logs(&[&endless]);
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap();

    let summary = read_report_summary(&clients, "orders-api", "/aws/lambda/orders-api", now)
        .await
        .expect("pages read");

    assert_eq!(endless.num_calls(), anshin::aws::MAX_REPORT_PAGES);
    assert_eq!(summary.max_memory_used_mb, Some(91.0));
    assert_eq!(summary.timeouts, None);
}

#[tokio::test]
async fn missing_log_group_has_no_report_lines() {
    use aws_sdk_cloudwatchlogs::Client;

    let missing = mock!(Client::filter_log_events).then_http_response(|| {
        http_response(
            400,
            JSON,
            r#"{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}"#,
        )
    });
    let clients = with_logs(&[&missing]);

    let summary = read_report_summary(&clients, "orders-api", "/aws/lambda/orders-api", Utc::now())
        .await
        .expect("a missing group is no lines");

    assert_eq!(summary.max_memory_used_mb, None);
    assert_eq!(summary.timeouts.map(|t| t.points.len()), Some(0));
}

fn function(name: &str) -> anshin::model::Function {
    common::fleet::function(name, Some("python3.12"), 512, 10)
}

#[test]
fn fleet_splits_region_checklist_data() {
    let mut fleet = Fleet::new(None, vec![REGION.to_string()], None);
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: Utc::now(),
        result: Ok(vec![function("orders-api"), function("cart-api")]),
    });
    let finding = InspectorFinding {
        finding_arn: None,
        title: None,
        severity: "HIGH".to_string(),
        status: "ACTIVE".to_string(),
        finding_type: "PACKAGE_VULNERABILITY".to_string(),
        vulnerability_id: Some("CVE-1".to_string()),
        cwes: Vec::new(),
        packages: Vec::new(),
        function_version: Some("13".to_string()),
    };
    let orders_arn = fleet
        .entries()
        .find(|e| e.function.name == "orders-api")
        .map(|e| e.function.arn.clone())
        .expect("orders-api listed");
    fleet.apply(DataEvent::RegionChecklist {
        region: REGION.to_string(),
        at: Utc::now(),
        data: Box::new(RegionChecklistData {
            inspector_findings: Collected::Loaded(BTreeMap::from([(orders_arn, vec![finding])])),
            daily_metrics: Collected::Loaded(BTreeMap::from([(
                "orders-api".to_string(),
                DailyMetrics::default(),
            )])),
            ..RegionChecklistData::default()
        }),
    });
    // A later update with only the REPORT lines keeps the findings.
    fleet.apply(DataEvent::RegionChecklist {
        region: REGION.to_string(),
        at: Utc::now(),
        data: Box::new(RegionChecklistData {
            report_lines: Collected::Loaded(BTreeMap::from([(
                "orders-api".to_string(),
                ReportLineSummary {
                    max_memory_used_mb: Some(100.0),
                    timeouts: Some(MetricSeries::default()),
                },
            )])),
            ..RegionChecklistData::default()
        }),
    });

    let key = |name: &str| FunctionKey {
        region: REGION.to_string(),
        name: name.to_string(),
    };
    let orders = &fleet.entry(&key("orders-api")).expect("listed").resources;
    assert_eq!(orders.inspector_findings.loaded().map(Vec::len), Some(1));
    assert_eq!(orders.max_memory_used_mb, Collected::Loaded(Some(100.0)));
    assert_eq!(
        orders
            .daily_metrics
            .loaded()
            .and_then(|d| d.timeouts.clone()),
        Some(MetricSeries::default())
    );
    let cart = &fleet.entry(&key("cart-api")).expect("listed").resources;
    assert_eq!(cart.inspector_findings, Collected::Loaded(Vec::new()));
    // Read before cart-api had metrics: not collected, never zero.
    assert_eq!(cart.daily_metrics, Collected::NotCollected);
    assert_eq!(cart.rest_api, Collected::NotCollected);

    let checklist = fleet
        .entry(&key("orders-api"))
        .and_then(|e| e.checklist.as_ref())
        .expect("evaluated");
    let vulnerabilities = checklist
        .results
        .iter()
        .find(|r| r.rule_id == "VULN-001")
        .expect("rule ran");
    // Without Inspector coverage an active finding still fails.
    assert_eq!(vulnerabilities.verdict.status, Status::Fail);
}

#[tokio::test]
async fn endpoint_without_inspector_is_unsupported() {
    let rule = mock!(aws_sdk_inspector2::Client::list_findings)
        .then_http_response(|| http_response(404, "text/html", "<html>Not Found</html>"));
    let client = inspector(&[&rule]);
    let findings = list_lambda_findings(REGION, &client).await;
    let error = findings.clone().expect_err("the endpoint lacks the API");
    assert_eq!(error.kind, ErrorKind::Unsupported);

    let mut fleet = Fleet::new(None, vec![REGION.to_string()], None);
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: Utc::now(),
        result: Ok(vec![function("orders-api")]),
    });
    fleet.apply(DataEvent::RegionChecklist {
        region: REGION.to_string(),
        at: Utc::now(),
        data: Box::new(RegionChecklistData {
            inspector_findings: findings.into(),
            ..RegionChecklistData::default()
        }),
    });

    let key = FunctionKey {
        region: REGION.to_string(),
        name: "orders-api".to_string(),
    };
    let result = fleet
        .entry(&key)
        .and_then(|e| e.checklist.as_ref())
        .and_then(|c| c.results.iter().find(|r| r.rule_id == "VULN-001"))
        .expect("VULN-001 ran");
    assert_eq!(
        result.verdict.status,
        Status::Unknown(UnknownReason::Unsupported {
            action: "inspector2:ListFindings".to_string()
        })
    );
}
