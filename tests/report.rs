//! `anshin report`: Markdown grouping, the JSON shape, `--fail-on` exit
//! status through the binary, and `--baseline` differences.

mod common;

use std::path::Path;
use std::process::Command;

use anshin::checks::Severity;
use anshin::model::{Collected, Fleet, FunctionUrlConfig, ResourcePolicy};
use anshin::poll::DataEvent;
use anshin::report::{self, FindingStatus, Report};
use common::fleet::{REGION, now, populated_fleet};

/// The populated UI fleet plus an open function URL on orders-api, which
/// fails NET-002 (high).
fn fleet_with_open_url() -> Fleet {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::FunctionResources {
        region: REGION.to_string(),
        function: "orders-api".to_string(),
        at: now(),
        // The statement a console-created public URL gets.
        policy: Collected::Loaded(Some(
            ResourcePolicy::parse(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:123456789012:function:orders-api","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}"#,
            )
            .expect("policy parses"),
        )),
        url: Collected::Loaded(Some(FunctionUrlConfig {
            url: "https://abc.lambda-url.us-east-1.on.aws/".to_string(),
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:orders-api".to_string(),
            auth_type: "NONE".to_string(),
            cors_allow_origins: Vec::new(),
        })),
        event_invoke: Collected::Loaded(None),
        reserved_concurrency: Collected::Loaded(None),
    });
    fleet
}

#[test]
fn markdown_groups_by_severity_then_function() {
    let text = report::markdown::render(&Report::from_fleet(&fleet_with_open_url()));

    let high = text.find("## High").expect("a High section");
    let medium = text.find("## Medium").expect("a Medium section");
    assert!(high < medium, "{text}");
    let orders = text[high..medium]
        .find("### orders-api (us-east-1)")
        .expect("orders-api under High");
    let net002 = text[high + orders..medium]
        .find("**NET-002**")
        .expect("NET-002 under orders-api");
    assert!(net002 > 0);
    assert!(text.contains("| high |"), "{text}");
    assert!(text.contains("## Unknown"), "{text}");
    assert!(text.contains("auth_type: `NONE`"), "{text}");
}

#[test]
fn json_has_summary_and_findings() {
    let report = Report::from_fleet(&fleet_with_open_url());
    let json: serde_json::Value =
        serde_json::from_str(&report::json::render(&report).expect("encodes")).expect("JSON");

    assert_eq!(json["format_version"], 1);
    assert_eq!(json["summary"]["functions"], 6);
    assert!(json["summary"]["failures_by_severity"]["high"].as_u64() >= Some(1));
    let finding = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "NET-002")
        .expect("NET-002 is listed");
    assert_eq!(finding["function"], "orders-api");
    assert_eq!(finding["severity"], "high");
    assert_eq!(finding["status"], "fail");
    assert!(
        finding["doc_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://"))
    );
    assert!(json.get("baseline").is_none());
}

#[test]
fn findings_sorted_worst_first() {
    let report = Report::from_fleet(&fleet_with_open_url());
    let severities: Vec<Severity> = report.findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(severities, sorted);
    assert!(report.failures_at_or_above(Severity::High) >= 1);
    assert!(
        report
            .findings
            .iter()
            .all(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Warn))
    );
}

#[test]
fn baseline_lists_new_and_resolved() {
    let before = Report::from_fleet(&populated_fleet());
    let mut after = Report::from_fleet(&fleet_with_open_url());
    after.compare_with(&before, "yesterday.json");

    let diff = after.baseline.as_ref().expect("a comparison");
    assert!(
        diff.new
            .iter()
            .any(|k| k.function == "orders-api" && k.rule_id == "NET-002"),
        "{diff:?}"
    );

    let mut reverse = Report::from_fleet(&populated_fleet());
    reverse.compare_with(&Report::from_fleet(&fleet_with_open_url()), "later.json");
    let diff = reverse.baseline.as_ref().expect("a comparison");
    assert!(
        diff.resolved
            .iter()
            .any(|k| k.function == "orders-api" && k.rule_id == "NET-002"),
        "{diff:?}"
    );
    assert!(diff.new.is_empty(), "{diff:?}");
    let text = report::markdown::render(&reverse);
    let resolved = text.find("Resolved (").expect("a Resolved list");
    assert!(
        text[resolved..].contains("`orders-api` in us-east-1: NET-002"),
        "{text}"
    );
}

fn anshin(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args(args)
        .env("ANSHIN_STATE_DIR", dir)
        .env("ANSHIN_CONFIG_DIR", dir)
        // --snapshot sends nothing to AWS; these keep it so if that changes.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("anshin runs")
}

#[test]
fn fail_on_sets_exit_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("fleet.json");
    anshin::snapshot::write(&fleet_with_open_url(), &snapshot).expect("snapshot written");
    let snapshot = snapshot.to_str().expect("UTF-8 path");

    let failing = anshin(
        dir.path(),
        &["report", "--snapshot", snapshot, "--fail-on", "high"],
    );
    assert_eq!(failing.status.code(), Some(3), "{failing:?}");
    let stdout = String::from_utf8_lossy(&failing.stdout);
    assert!(stdout.starts_with("# anshin checklist report"), "{stdout}");
    let stderr = String::from_utf8_lossy(&failing.stderr);
    assert!(stderr.contains("at severity high or above"), "{stderr}");

    // The fixture fleet has no critical failure.
    let passing = anshin(
        dir.path(),
        &["report", "--snapshot", snapshot, "--fail-on", "critical"],
    );
    assert_eq!(passing.status.code(), Some(0), "{passing:?}");

    let invalid = anshin(
        dir.path(),
        &["report", "--snapshot", snapshot, "--fail-on", "severe"],
    );
    assert_eq!(invalid.status.code(), Some(2), "clap rejects the value");
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("invalid severity"));
}

#[test]
fn baseline_file_through_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let before = dir.path().join("before.json");
    let after = dir.path().join("after.json");
    anshin::snapshot::write(&populated_fleet(), &before).expect("snapshot written");
    anshin::snapshot::write(&fleet_with_open_url(), &after).expect("snapshot written");
    let baseline = dir.path().join("baseline.json");

    let first = anshin(
        dir.path(),
        &[
            "report",
            "--snapshot",
            before.to_str().expect("UTF-8 path"),
            "--format",
            "json",
            "-o",
            baseline.to_str().expect("UTF-8 path"),
        ],
    );
    assert!(first.status.success(), "{first:?}");
    assert!(first.stdout.is_empty(), "-o keeps standard output empty");

    let second = anshin(
        dir.path(),
        &[
            "report",
            "--snapshot",
            after.to_str().expect("UTF-8 path"),
            "--baseline",
            baseline.to_str().expect("UTF-8 path"),
        ],
    );
    assert!(second.status.success(), "{second:?}");
    let text = String::from_utf8_lossy(&second.stdout);
    let new = text.find("New (").expect("a New list");
    let resolved = text.find("Resolved (").expect("a Resolved list");
    assert!(
        text[new..resolved].contains("`orders-api` in us-east-1: NET-002"),
        "{text}"
    );
    assert!(text.contains("Resolved (0):"), "{text}");
}
