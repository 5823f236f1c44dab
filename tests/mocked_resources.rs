//! Checklist reads against mocked SDK clients: "has none" responses, denied
//! calls and multi-page lists, which the local emulator cannot all produce.

mod common;

use anshin::aws::{
    ErrorKind, describe_alarms, describe_lambda_log_groups, get_event_invoke_config,
    get_function_url, get_policy, get_reserved_concurrency, list_event_source_mappings,
};
use anshin::checks::{ChecksConfig, Status, UnknownReason};
use anshin::model::{Fleet, FunctionKey, RegionResources};
use anshin::poll::DataEvent;
use aws_sdk_lambda::Client;
use aws_smithy_mocks::mock;
use common::{REGION, http_response, with_cloudwatch, with_lambda, with_logs};

const JSON: &str = "application/json";

fn not_found() -> aws_smithy_runtime_api::client::orchestrator::HttpResponse {
    http_response(
        404,
        JSON,
        r#"{"__type":"ResourceNotFoundException","Message":"The resource you requested does not exist."}"#,
    )
}

#[tokio::test]
async fn missing_policy_is_no_policy() {
    let rule = mock!(Client::get_policy).then_http_response(not_found);
    let clients = with_lambda(&[&rule], 1);

    let policy = get_policy(&clients, "orders").await;

    assert_eq!(policy, Ok(None));
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn policy_document_is_parsed() {
    let document = r#"{"Version":"2012-10-17","Statement":[{"Sid":"any","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:orders"}]}"#;
    let body = serde_json::json!({ "Policy": document, "RevisionId": "r-1" }).to_string();
    let rule = mock!(Client::get_policy)
        .then_http_response(move || http_response(200, JSON, body.clone()));
    let clients = with_lambda(&[&rule], 1);

    let policy = get_policy(&clients, "orders")
        .await
        .expect("call succeeds")
        .expect("a policy exists");

    assert_eq!(policy.document, document);
    assert_eq!(policy.parsed["Statement"][0]["Principal"], "*");
}

#[tokio::test]
async fn missing_url_and_invoke_config_are_none() {
    let url = mock!(Client::get_function_url_config).then_http_response(not_found);
    let invoke = mock!(Client::get_function_event_invoke_config).then_http_response(not_found);
    let clients = with_lambda(&[&url, &invoke], 1);

    assert_eq!(get_function_url(&clients, "orders").await, Ok(None));
    assert_eq!(get_event_invoke_config(&clients, "orders").await, Ok(None));
}

#[tokio::test]
async fn url_auth_type_is_read() {
    let rule = mock!(Client::get_function_url_config).then_http_response(|| {
        http_response(
            200,
            JSON,
            r#"{"FunctionUrl":"https://abc.lambda-url.us-east-1.on.aws/","FunctionArn":"arn:aws:lambda:us-east-1:123456789012:function:admin","AuthType":"NONE","Cors":{"AllowOrigins":["*"]},"CreationTime":"2024-01-01T00:00:00Z","LastModifiedTime":"2024-01-01T00:00:00Z"}"#,
        )
    });
    let clients = with_lambda(&[&rule], 1);

    let url = get_function_url(&clients, "admin")
        .await
        .expect("call succeeds")
        .expect("a URL exists");

    assert_eq!(url.auth_type, "NONE");
    assert_eq!(url.cors_allow_origins, vec!["*".to_string()]);
}

#[tokio::test]
async fn denied_concurrency_names_action() {
    let rule = mock!(Client::get_function_concurrency).then_http_response(|| {
        http_response(
            403,
            JSON,
            r#"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: lambda:GetFunctionConcurrency"}"#,
        )
    });
    let clients = with_lambda(&[&rule], 1);

    let error = get_reserved_concurrency(&clients, "orders")
        .await
        .expect_err("the call is denied");

    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert_eq!(error.action, "lambda:GetFunctionConcurrency");
}

#[tokio::test]
async fn denied_policy_makes_rules_unknown() {
    let denied = mock!(Client::get_policy).then_http_response(|| {
        http_response(
            403,
            JSON,
            r#"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: lambda:GetPolicy"}"#,
        )
    });
    let clients = with_lambda(&[&denied], 1);
    let policy = get_policy(&clients, "orders").await;

    let mut fleet = Fleet::new(None, vec![REGION.to_string()], None);
    fleet.checks_config = ChecksConfig::default();
    let function = common::fleet::function("orders", Some("python3.12"), 512, 10);
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: common::fleet::now(),
        result: Ok(vec![function]),
    });
    fleet.apply(DataEvent::FunctionResources {
        region: REGION.to_string(),
        function: "orders".to_string(),
        at: common::fleet::now(),
        policy: policy.into(),
        url: anshin::model::Collected::Loaded(None),
        event_invoke: anshin::model::Collected::Loaded(None),
        reserved_concurrency: anshin::model::Collected::Loaded(None),
    });

    let key = FunctionKey {
        region: REGION.to_string(),
        name: "orders".to_string(),
    };
    let checklist = fleet
        .entry(&key)
        .and_then(|entry| entry.checklist.as_ref())
        .expect("the checklist ran");
    let public_policy = checklist
        .results
        .iter()
        .find(|r| r.rule_id == "NET-001")
        .expect("NET-001 ran");
    assert_eq!(
        public_policy.verdict.status,
        Status::Unknown(UnknownReason::AccessDenied {
            action: "lambda:GetPolicy".to_string()
        })
    );
}

fn mapping_page(uuid: &str, next: Option<&str>) -> String {
    let mut page = serde_json::json!({
        "EventSourceMappings": [{
            "UUID": uuid,
            "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:refunds",
            "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:refund-processor:live",
            "State": "Enabled",
            "BatchSize": 10
        }]
    });
    if let Some(marker) = next {
        page["NextMarker"] = serde_json::Value::String(marker.to_string());
    }
    page.to_string()
}

#[tokio::test]
async fn mappings_follow_next_marker() {
    let first = mock!(Client::list_event_source_mappings)
        .match_requests(|request| request.marker().is_none())
        .then_http_response(|| http_response(200, JSON, mapping_page("m-1", Some("PAGE-2"))));
    let second = mock!(Client::list_event_source_mappings)
        .match_requests(|request| request.marker() == Some("PAGE-2"))
        .then_http_response(|| http_response(200, JSON, mapping_page("m-2", None)));
    let clients = with_lambda(&[&first, &second], 1);

    let mappings = list_event_source_mappings(&clients)
        .await
        .expect("both pages load");

    let ids: Vec<&str> = mappings.iter().map(|m| m.uuid.as_str()).collect();
    assert_eq!(ids, vec!["m-1", "m-2"]);
    assert_eq!(mappings[0].maximum_concurrency, None);
    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 1);
}

#[tokio::test]
async fn qualified_mapping_reaches_its_function() {
    let rule = mock!(Client::list_event_source_mappings)
        .then_http_response(|| http_response(200, JSON, mapping_page("m-1", None)));
    let clients = with_lambda(&[&rule], 1);
    let mappings = list_event_source_mappings(&clients).await;

    let mut fleet = Fleet::new(None, vec![REGION.to_string()], None);
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: common::fleet::now(),
        result: Ok(vec![common::fleet::function(
            "refund-processor",
            Some("java21"),
            1024,
            60,
        )]),
    });
    fleet.apply(DataEvent::RegionResources {
        region: REGION.to_string(),
        at: common::fleet::now(),
        resources: RegionResources {
            event_source_mappings: mappings.into(),
            ..RegionResources::default()
        },
    });

    let key = FunctionKey {
        region: REGION.to_string(),
        name: "refund-processor".to_string(),
    };
    let entry = fleet.entry(&key).expect("function is listed");
    assert_eq!(
        entry.resources.event_source_mappings.loaded().map(Vec::len),
        Some(1)
    );
    let no_maximum = entry
        .checklist
        .as_ref()
        .and_then(|c| c.results.iter().find(|r| r.rule_id == "DWN-003"))
        .map(|r| r.verdict.status.clone());
    assert_eq!(no_maximum, Some(Status::Fail));
}

#[tokio::test]
async fn alarms_follow_next_token() {
    use aws_sdk_cloudwatch::Client as CloudWatch;
    let page = |name: &str, next: &str| {
        format!(
            r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms><member><AlarmName>{name}</AlarmName><Namespace>AWS/Lambda</Namespace><MetricName>Errors</MetricName><StateValue>OK</StateValue><Dimensions><member><Name>FunctionName</Name><Value>orders</Value></member></Dimensions></member></MetricAlarms>{next}</DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAlarmsResponse>"#
        )
    };
    let first_body = page("orders-errors", "<NextToken>T2</NextToken>");
    let second_body = page("orders-errors-2", "");
    let first = mock!(CloudWatch::describe_alarms)
        .match_requests(|request| request.next_token().is_none())
        .then_http_response(move || http_response(200, "text/xml", first_body.clone()));
    let second = mock!(CloudWatch::describe_alarms)
        .match_requests(|request| request.next_token() == Some("T2"))
        .then_http_response(move || http_response(200, "text/xml", second_body.clone()));
    let clients = with_cloudwatch(&[&first, &second], 1);

    let alarms = describe_alarms(&clients).await.expect("both pages load");

    assert_eq!(alarms.len(), 2);
    assert_eq!(
        alarms[0].dimensions.get("FunctionName").map(String::as_str),
        Some("orders")
    );
}

#[tokio::test]
async fn log_groups_keep_retention() {
    use aws_sdk_cloudwatchlogs::Client as Logs;
    let rule = mock!(Logs::describe_log_groups)
        .match_requests(|request| request.log_group_name_prefix() == Some("/aws/lambda/"))
        .then_http_response(|| {
            http_response(
                200,
                "application/x-amz-json-1.1",
                r#"{"logGroups":[{"logGroupName":"/aws/lambda/orders","retentionInDays":30},{"logGroupName":"/aws/lambda/legacy"}]}"#,
            )
        });
    let clients = with_logs(&[&rule]);

    let groups = describe_lambda_log_groups(&clients)
        .await
        .expect("the page loads");

    assert_eq!(
        groups
            .get("/aws/lambda/orders")
            .and_then(|g| g.retention_days),
        Some(30)
    );
    assert_eq!(
        groups.get("/aws/lambda/legacy").map(|g| g.retention_days),
        Some(None)
    );
}
