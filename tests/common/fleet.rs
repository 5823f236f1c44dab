//! A small, deterministic fleet built through the same `DataEvent`s the
//! poller sends, for UI tests.

use std::collections::BTreeMap;

use anshin::aws::{AwsError, ErrorKind};
use anshin::model::{
    Alias, CallerIdentity, Fleet, FleetMetrics, Function, FunctionMetrics, MetricSeries,
    PackageType, RoutingWeight, Version, VersionMetrics,
};
use anshin::poll::DataEvent;
use chrono::{DateTime, Duration, TimeZone, Utc};

pub const REGION: &str = "us-east-1";
pub const ENDPOINT: &str = "http://127.0.0.1:4566";
/// 64 characters, the longest name Lambda allows.
pub const LONG_NAME: &str = "checkout-recommendation-engine-batch-processor-shadow-traffic-v2";

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 30)
        .single()
        .expect("valid time")
}

pub fn empty_fleet() -> Fleet {
    Fleet::new(
        Some("sandbox".to_string()),
        vec![REGION.to_string()],
        Some(ENDPOINT.to_string()),
    )
}

pub fn function(name: &str, runtime: Option<&str>, memory: i32, timeout: i32) -> Function {
    Function {
        region: REGION.to_string(),
        name: name.to_string(),
        arn: format!("arn:aws:lambda:{REGION}:123456789012:function:{name}"),
        runtime: runtime.map(str::to_string),
        package_type: if runtime.is_some() {
            PackageType::Zip
        } else {
            PackageType::Image
        },
        handler: runtime.map(|_| "app.handler".to_string()),
        memory_mb: Some(memory),
        timeout_s: Some(timeout),
        architectures: vec!["arm64".to_string()],
        code_size_bytes: if runtime.is_some() { 2048 } else { 0 },
        description: None,
        role: Some("arn:aws:iam::123456789012:role/shop-lambda".to_string()),
        last_modified: Some(now() - Duration::days(3)),
        state: Some("Active".to_string()),
        last_update_status: Some("Successful".to_string()),
        tracing_mode: Some("Active".to_string()),
        revision_id: Some("rev-1".to_string()),
        vpc: None,
        environment_keys: vec!["TABLE_NAME".to_string()],
        layers: Vec::new(),
        dead_letter_target: None,
        kms_key_arn: None,
        log_group: Some(format!("/aws/lambda/{name}")),
        log_format: Some("JSON".to_string()),
        ephemeral_storage_mb: Some(512),
        environment: None,
    }
}

/// A series with one point per minute for the last hour.
fn per_minute(value: impl Fn(i64) -> Option<f64>) -> MetricSeries {
    let end = now() - Duration::seconds(30);
    MetricSeries::from_pairs((0..60).filter_map(|i| {
        let at = end - Duration::minutes(60 - i);
        value(i).map(|v| (at, v))
    }))
}

fn metrics(invocations: f64, error_rate: f64, avg_ms: f64, max_ms: f64) -> FunctionMetrics {
    FunctionMetrics {
        invocations: per_minute(|i| Some(invocations + (i % 7) as f64)),
        errors: per_minute(|i| Some(((invocations + (i % 7) as f64) * error_rate).round())),
        throttles: per_minute(|i| Some(if i == 30 { 2.0 } else { 0.0 })),
        duration_sum_ms: per_minute(|i| Some((invocations + (i % 7) as f64) * avg_ms)),
        duration_count: per_minute(|i| Some(invocations + (i % 7) as f64)),
        duration_max_ms: per_minute(|_| Some(max_ms)),
        concurrency_max: per_minute(|_| Some((invocations / 60.0 * avg_ms / 1000.0).ceil())),
        duration_p99_ms: None,
    }
}

fn alias(name: &str, version: &str, routing: &[(&str, f64)]) -> Alias {
    Alias {
        name: name.to_string(),
        function_version: version.to_string(),
        routing: routing
            .iter()
            .map(|(v, w)| RoutingWeight {
                version: v.to_string(),
                weight: *w,
            })
            .collect(),
        revision_id: Some("alias-rev".to_string()),
        description: None,
    }
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The events of one complete poll of a small shop.
pub fn populated_events() -> Vec<DataEvent> {
    let at = now();
    let functions = vec![
        function("orders-api", Some("python3.12"), 512, 10),
        function("cart-api", Some("nodejs20.x"), 256, 6),
        function("email-sender", Some("python3.8"), 128, 30),
        function("image-resizer", None, 2048, 60),
        function(LONG_NAME, Some("java21"), 1024, 15),
        function("nightly-report", Some("provided.al2023"), 512, 900),
    ];
    let mut events = vec![
        DataEvent::Identity {
            at,
            result: Ok(CallerIdentity {
                account: Some("123456789012".to_string()),
                arn: Some("arn:aws:iam::123456789012:user/oncall".to_string()),
                user_id: Some("AIDAEXAMPLE".to_string()),
            }),
        },
        DataEvent::Functions {
            region: REGION.to_string(),
            at,
            result: Ok(functions),
        },
    ];
    let details = [
        (
            "orders-api",
            vec![alias("live", "12", &[("13", 0.1)])],
            tags(&[("team", "orders"), ("env", "prod"), ("owner", "注文チーム")]),
        ),
        (
            "cart-api",
            vec![alias("live", "5", &[])],
            tags(&[("team", "cart"), ("env", "prod")]),
        ),
        (
            "email-sender",
            vec![alias("live", "3", &[])],
            tags(&[("team", "growth"), ("env", "prod")]),
        ),
        (
            "image-resizer",
            vec![],
            tags(&[("team", "media"), ("env", "staging")]),
        ),
        (
            LONG_NAME,
            vec![alias("live", "2", &[])],
            tags(&[("team", "checkout"), ("env", "prod")]),
        ),
        (
            "nightly-report",
            vec![alias("live", "7", &[])],
            tags(&[("team", "finance"), ("env", "prod")]),
        ),
    ];
    for (name, aliases, tags) in details {
        events.push(DataEvent::FunctionDetail {
            region: REGION.to_string(),
            function: name.to_string(),
            aliases: Ok(aliases),
            tags: Ok(tags),
        });
    }
    events.push(DataEvent::DetailsDone {
        region: REGION.to_string(),
        at,
        first_error: None,
    });
    events.push(DataEvent::Versions {
        region: REGION.to_string(),
        function: "orders-api".to_string(),
        result: Ok(["$LATEST", "11", "12", "13"]
            .iter()
            .map(|v| Version {
                version: v.to_string(),
                description: Some(format!("release {v}")),
                runtime: Some("python3.12".to_string()),
                memory_mb: Some(512),
                code_sha256: None,
                last_modified: Some(now() - Duration::hours(2)),
                revision_id: None,
                role: None,
                dead_letter_target: None,
            })
            .collect()),
    });
    events.push(DataEvent::VersionsDone {
        region: REGION.to_string(),
        at,
        first_error: None,
    });

    let mut fleet_metrics = FleetMetrics {
        start: now() - Duration::minutes(60) + Duration::seconds(30),
        end: now() + Duration::seconds(30),
        period_s: 60,
        ..FleetMetrics::default()
    };
    fleet_metrics.functions.insert(
        "orders-api".to_string(),
        metrics(600.0, 0.011, 120.0, 2400.0),
    );
    fleet_metrics
        .functions
        .insert("cart-api".to_string(), metrics(300.0, 0.002, 45.0, 400.0));
    fleet_metrics.functions.insert(
        "email-sender".to_string(),
        metrics(40.0, 0.0, 850.0, 29_000.0),
    );
    fleet_metrics.functions.insert(
        "image-resizer".to_string(),
        metrics(12.0, 0.09, 3_100.0, 9_000.0),
    );
    fleet_metrics
        .functions
        .insert(LONG_NAME.to_string(), metrics(90.0, 0.0, 300.0, 900.0));
    // nightly-report was not invoked in the last hour: no datapoints.
    fleet_metrics
        .functions
        .insert("nightly-report".to_string(), FunctionMetrics::default());
    fleet_metrics.versions.insert(
        "orders-api".to_string(),
        vec![
            VersionMetrics {
                alias: "live".to_string(),
                version: "12".to_string(),
                invocations: per_minute(|_| Some(540.0)),
                errors: per_minute(|i| Some(if i % 2 == 0 { 2.0 } else { 1.0 })),
            },
            VersionMetrics {
                alias: "live".to_string(),
                version: "13".to_string(),
                invocations: per_minute(|_| Some(60.0)),
                errors: per_minute(|_| Some(5.0)),
            },
        ],
    );
    fleet_metrics.account_concurrency = per_minute(|_| Some(14.0));
    events.push(DataEvent::Metrics {
        region: REGION.to_string(),
        at,
        result: Ok(fleet_metrics),
        billed_metrics: 47,
    });
    events.push(DataEvent::Percentiles {
        region: REGION.to_string(),
        at,
        result: Err(AwsError {
            kind: ErrorKind::Unsupported,
            action: "cloudwatch:GetMetricData".to_string(),
            code: None,
            message: None,
            status: Some(500),
            request_id: None,
        }),
        billed_metrics: 0,
    });
    // The checklist's resource read finished; its data stays as collected.
    events.push(DataEvent::ResourcesDone {
        region: REGION.to_string(),
        at,
        first_error: None,
    });
    events
}

pub fn populated_fleet() -> Fleet {
    let mut fleet = empty_fleet();
    for event in populated_events() {
        fleet.apply(event);
    }
    fleet
}
