//! Lambda reads against mocked SDK clients, for behaviours the local
//! emulator cannot produce: multi-page responses, throttling and odd shapes.

mod common;

use anshin::aws::{ErrorKind, list_aliases, list_functions, list_versions};
use anshin::model::PackageType;
use anshin::ui::rows::{Filter, Sort, fleet_rows};
use aws_sdk_lambda::Client;
use aws_smithy_mocks::mock;
use common::{http_response, read_json, with_lambda};

const CASE_26: &str = "cases/26-list-functions-pagination/input.json";

fn page(name: &str) -> String {
    read_json(CASE_26)[name].to_string()
}

#[tokio::test]
async fn list_functions_follows_next_marker() {
    let first = mock!(Client::list_functions)
        .match_requests(|request| request.marker().is_none())
        .then_http_response(|| http_response(200, "application/json", page("ListFunctions_page1")));
    let second = mock!(Client::list_functions)
        .match_requests(|request| request.marker() == Some("OPAQUE-MARKER-1"))
        .then_http_response(|| http_response(200, "application/json", page("ListFunctions_page2")));
    // The last page ends with NextMarker "": a request with Marker="" would
    // mean the loader did not stop.
    let empty_marker = mock!(Client::list_functions)
        .match_requests(|request| request.marker() == Some(""))
        .then_http_response(|| http_response(500, "application/json", "{}"));
    let clients = with_lambda(&[&first, &second, &empty_marker], 1);

    let functions = list_functions(&clients).await.expect("both pages load");

    assert_eq!(functions.len(), 51);
    assert!(functions.iter().any(|f| f.name == "example-fn-051"));
    assert_eq!(first.num_calls(), 1);
    assert_eq!(second.num_calls(), 1);
    assert_eq!(empty_marker.num_calls(), 0);
}

#[tokio::test]
async fn name_filter_applies_after_all_pages() {
    let first = mock!(Client::list_functions)
        .match_requests(|request| request.marker().is_none())
        .then_http_response(|| http_response(200, "application/json", page("ListFunctions_page1")));
    let second = mock!(Client::list_functions)
        .match_requests(|request| request.marker() == Some("OPAQUE-MARKER-1"))
        .then_http_response(|| http_response(200, "application/json", page("ListFunctions_page2")));
    let clients = with_lambda(&[&first, &second], 1);
    let functions = list_functions(&clients).await.expect("both pages load");

    let mut fleet = anshin::model::Fleet::new(None, vec![common::REGION.to_string()], None);
    fleet.apply(anshin::poll::DataEvent::Functions {
        region: common::REGION.to_string(),
        at: chrono::Utc::now(),
        result: Ok(functions),
    });
    let rows = fleet_rows(&fleet, &Filter::parse("fn-051"), Sort::default());

    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].entry.function.name, "example-fn-051");
}

#[tokio::test]
async fn list_versions_reaches_version_60() {
    let first = mock!(Client::list_versions_by_function)
        .match_requests(|request| request.marker().is_none())
        .then_http_response(|| {
            http_response(
                200,
                "application/json",
                page("ListVersionsByFunction_page1"),
            )
        });
    let second = mock!(Client::list_versions_by_function)
        .match_requests(|request| request.marker() == Some("OPAQUE-MARKER-V"))
        .then_http_response(|| {
            http_response(
                200,
                "application/json",
                page("ListVersionsByFunction_page2"),
            )
        });
    let clients = with_lambda(&[&first, &second], 1);

    let versions = list_versions(&clients, "example-fn-001")
        .await
        .expect("both pages load");

    assert_eq!(versions.len(), 61);
    assert!(versions.iter().any(|v| v.version == "$LATEST"));
    assert!(versions.iter().any(|v| v.version == "60"));
}

#[tokio::test]
async fn throttled_list_is_retried() {
    let throttled = mock!(Client::list_functions)
        .sequence()
        .http_response(|| {
            http_response(
                429,
                "application/json",
                r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
            )
        })
        .times(2)
        .http_response(|| {
            http_response(
                200,
                "application/json",
                r#"{"Functions":[{"FunctionName":"after-retry"}]}"#,
            )
        })
        .build();
    let clients = with_lambda(&[&throttled], 3);

    let functions = list_functions(&clients)
        .await
        .expect("third attempt succeeds");

    assert_eq!(functions.len(), 1);
    assert_eq!(throttled.num_calls(), 3);
}

#[tokio::test]
async fn persistent_throttling_is_classified() {
    let throttled = mock!(Client::list_functions).then_http_response(|| {
        http_response(
            429,
            "application/json",
            r#"{"__type":"TooManyRequestsException","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#,
        )
    });
    let clients = with_lambda(&[&throttled], 2);

    let error = list_functions(&clients).await.expect_err("throttled twice");

    assert_eq!(error.kind, ErrorKind::Throttled);
    assert_eq!(error.action, "lambda:ListFunctions");
    assert_eq!(throttled.num_calls(), 2);
}

#[tokio::test]
async fn html_answer_is_unsupported() {
    let html = mock!(Client::list_aliases).then_http_response(|| {
        http_response(
            404,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><body>Not Found</body></html>",
        )
    });
    let clients = with_lambda(&[&html], 1);

    let error = list_aliases(&clients, "orders-api")
        .await
        .expect_err("404 page");

    assert_eq!(error.kind, ErrorKind::Unsupported);
    assert!(error.to_string().contains("not supported by this endpoint"));
}

#[tokio::test]
async fn access_denied_names_the_action() {
    let denied = mock!(Client::list_aliases).then_http_response(|| {
        http_response(
            403,
            "application/json",
            r#"{"__type":"AccessDeniedException","Message":"User is not authorized to perform: lambda:ListAliases"}"#,
        )
    });
    let clients = with_lambda(&[&denied], 1);

    let error = list_aliases(&clients, "orders-api")
        .await
        .expect_err("denied");

    assert_eq!(error.kind, ErrorKind::AccessDenied);
    assert!(
        error.to_string().contains("needs lambda:ListAliases"),
        "{error}"
    );
}

#[tokio::test]
async fn expired_token_is_a_credentials_error() {
    let expired = mock!(Client::list_functions).then_http_response(|| {
        http_response(
            403,
            "application/json",
            r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#,
        )
    });
    let clients = with_lambda(&[&expired], 1);

    let error = list_functions(&clients).await.expect_err("expired");

    assert_eq!(error.kind, ErrorKind::Credentials);
}

#[tokio::test]
async fn image_function_has_no_runtime() {
    let case = read_json("cases/08-config-image-package-no-runtime/input.json");
    let body = serde_json::json!({ "Functions": [case["Configuration"]] }).to_string();
    let rule = mock!(Client::list_functions)
        .then_http_response(move || http_response(200, "application/json", body.clone()));
    let clients = with_lambda(&[&rule], 1);

    let functions = list_functions(&clients)
        .await
        .expect("image function parses");
    let function = &functions[0];

    assert_eq!(function.package_type, PackageType::Image);
    assert_eq!(function.runtime, None);
    assert_eq!(function.handler, None);
    assert_eq!(function.runtime_label(), "container image");
    assert_eq!(
        function.last_modified.map(|t| t.to_rfc3339()),
        Some("2024-08-07T13:20:10+00:00".to_string())
    );
}

#[tokio::test]
async fn unknown_runtimes_are_kept_verbatim() {
    let case = read_json("cases/11-runtime-identifiers-open-set/input.json");
    let configs: Vec<serde_json::Value> = case["cases"]
        .as_array()
        .expect("cases list")
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            let mut config = serde_json::json!({ "FunctionName": format!("fn-{i}") });
            for key in ["Runtime", "PackageType"] {
                if let Some(value) = entry.get(key).filter(|v| !v.is_null()) {
                    config[key] = value.clone();
                }
            }
            config
        })
        .collect();
    let body = serde_json::json!({ "Functions": configs }).to_string();
    let rule = mock!(Client::list_functions)
        .then_http_response(move || http_response(200, "application/json", body.clone()));
    let clients = with_lambda(&[&rule], 1);

    let functions = list_functions(&clients)
        .await
        .expect("every runtime parses");
    let labels: Vec<String> = functions.iter().map(|f| f.runtime_label()).collect();

    assert_eq!(
        labels,
        [
            "python3.14",
            "java21",
            "provided.al2023",
            "nodejs18.x",
            "python3.7",
            "container image"
        ]
    );
}
