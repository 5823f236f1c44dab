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
    fleet.apply(open_url_event());
    fleet
}

/// Like [`fleet_with_open_url`], with orders-api tagged to suppress
/// NET-002.
fn fleet_with_suppressed_url() -> Fleet {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::FunctionDetail {
        region: REGION.to_string(),
        function: "orders-api".to_string(),
        aliases: Ok(Vec::new()),
        tags: Ok([
            ("team".to_string(), "orders".to_string()),
            ("anshin:suppress".to_string(), "NET-002".to_string()),
        ]
        .into_iter()
        .collect()),
    });
    fleet.apply(open_url_event());
    fleet
}

fn open_url_event() -> DataEvent {
    DataEvent::FunctionResources {
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
    }
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
    assert_eq!(failing.status.code(), Some(1), "{failing:?}");
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
fn snapshot_missing_region_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("fleet.json");
    // The snapshot names a second region whose function list never loaded.
    let mut fleet = fleet_with_open_url();
    fleet.regions.push("eu-west-1".to_string());
    anshin::snapshot::write(&fleet, &snapshot).expect("snapshot written");
    let snapshot = snapshot.to_str().expect("UTF-8 path");

    let output = anshin(dir.path(), &["report", "--snapshot", snapshot]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "no report is printed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no function list for eu-west-1"),
        "{stderr}"
    );
}

#[test]
fn open_piped_names_snapshot_gap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("fleet.json");
    let mut fleet = fleet_with_open_url();
    fleet.regions.push("eu-west-1".to_string());
    anshin::snapshot::write(&fleet, &snapshot).expect("snapshot written");
    let snapshot = snapshot.to_str().expect("UTF-8 path");

    // Output captured by the test is a pipe, so `open` prints the table.
    let output = anshin(dir.path(), &["open", snapshot]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("orders-api"),
        "the table is printed: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{snapshot} has no function list for eu-west-1")),
        "{stderr}"
    );
    assert!(!stderr.contains("function list failed"), "{stderr}");
}

#[test]
fn snapshot_unlisted_region_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("fleet.json");
    // An edited file: the functions stay, the region list is emptied.
    let mut fleet = fleet_with_open_url();
    fleet.regions.clear();
    anshin::snapshot::write(&fleet, &snapshot).expect("snapshot written");
    let snapshot = snapshot.to_str().expect("UTF-8 path");

    let output = anshin(dir.path(), &["report", "--snapshot", snapshot]);

    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty(), "no report is printed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds functions of us-east-1"), "{stderr}");
}

#[test]
fn poll_flags_rejected_on_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("fleet.json");
    anshin::snapshot::write(&fleet_with_open_url(), &snapshot).expect("snapshot written");
    let snapshot = snapshot.to_str().expect("UTF-8 path");
    let cases: [(&[&str], &str); 3] = [
        (
            &["report", "--snapshot", snapshot, "--region", "eu-west-1"],
            "--region",
        ),
        (&["open", snapshot, "--region", "eu-west-1"], "--region"),
        (&["open", snapshot, "--lambda-rps", "3"], "--lambda-rps"),
    ];

    for (args, flag) in cases {
        let output = anshin(dir.path(), args);

        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?} prints nothing");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{flag} has no effect")),
            "{args:?}: {stderr}"
        );
    }
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

#[test]
fn baseline_compares_only_regions_both_reports_read() {
    let mut before = Report::from_fleet(&fleet_with_open_url());
    // The baseline also read Tokyo, where it found one failure.
    before.regions.push("ap-northeast-1".to_string());
    let mut tokyo = before.findings[0].clone();
    tokyo.region = "ap-northeast-1".to_string();
    before.findings.push(tokyo);
    let mut after = Report::from_fleet(&fleet_with_open_url());
    after.compare_with(&before, "r1.json");

    let diff = after.baseline.as_ref().expect("a comparison");
    assert!(diff.resolved.is_empty(), "{diff:?}");
    assert!(diff.new.is_empty(), "{diff:?}");
    assert_eq!(diff.compared_regions, vec![REGION.to_string()]);
    assert_eq!(
        diff.baseline_regions_not_compared,
        vec!["ap-northeast-1".to_string()]
    );
    let text = report::markdown::render(&after);
    assert!(
        text.contains("Not compared, read only by the baseline: ap-northeast-1."),
        "{text}"
    );
    assert!(text.contains("Resolved (0):"), "{text}");

    // The other way round: a region only this report read lists nothing
    // as new.
    let mut wider = Report::from_fleet(&fleet_with_open_url());
    wider.regions.push("ap-northeast-1".to_string());
    let mut tokyo = wider.findings[0].clone();
    tokyo.region = "ap-northeast-1".to_string();
    wider.findings.push(tokyo);
    wider.compare_with(&Report::from_fleet(&fleet_with_open_url()), "r1.json");
    let diff = wider.baseline.as_ref().expect("a comparison");
    assert!(diff.new.is_empty(), "{diff:?}");
    assert_eq!(
        diff.regions_not_in_baseline,
        vec!["ap-northeast-1".to_string()]
    );
}

#[test]
fn suppressed_results_are_listed_and_not_resolved() {
    let before = Report::from_fleet(&fleet_with_open_url());
    let mut after = Report::from_fleet(&fleet_with_suppressed_url());
    assert!(
        !after
            .findings
            .iter()
            .any(|f| f.function == "orders-api" && f.rule_id == "NET-002"),
        "the tag hides the finding"
    );
    let hidden = after
        .suppressed
        .iter()
        .find(|s| s.function == "orders-api" && s.rule_id == "NET-002")
        .expect("the suppressed result is listed");
    assert_eq!(hidden.severity, Severity::High);
    assert_eq!(hidden.verdict, "fail");
    assert_eq!(after.summary.suppressed, after.suppressed.len());
    // --fail-on keeps ignoring it.
    assert_eq!(
        after.failures_at_or_above(Severity::High),
        before.failures_at_or_above(Severity::High) - 1
    );

    after.compare_with(&before, "yesterday.json");
    let diff = after.baseline.as_ref().expect("a comparison");
    let key = |k: &&report::FindingKey| k.function == "orders-api" && k.rule_id == "NET-002";
    assert!(!diff.resolved.iter().any(|k| key(&k)), "{diff:?}");
    assert!(diff.suppressed.iter().any(|k| key(&k)), "{diff:?}");

    let text = report::markdown::render(&after);
    assert!(
        text.contains(
            "Hidden by suppress tags and ignored by `--fail-on`: failures 1 (high 1), warnings 0."
        ),
        "the summary names hidden failures: {text}"
    );
    let since = text
        .find("Suppressed since the baseline (1)")
        .expect("a suppressed-since list");
    assert!(
        text[since..].contains("`orders-api` in us-east-1: NET-002"),
        "{text}"
    );
    let section = text.find("## Suppressed (").expect("a Suppressed section");
    assert!(
        text[section..].contains(
            "| `orders-api` (us-east-1) | NET-002 Function URL is open to anyone | high | fail |"
        ),
        "{text}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&report::json::render(&after).expect("encodes")).expect("JSON");
    let listed = json["suppressed"]
        .as_array()
        .expect("suppressed list")
        .iter()
        .find(|s| s["rule_id"] == "NET-002")
        .expect("NET-002 listed");
    assert_eq!(listed["function"], "orders-api");
    assert_eq!(listed["severity"], "high");
    assert_eq!(json["baseline"]["suppressed"][0]["rule_id"], "NET-002");
}

#[test]
fn unknown_groups_name_their_functions() {
    let report = Report::from_fleet(&fleet_with_open_url());
    let group = report
        .unknown
        .iter()
        .find(|g| g.functions == 1)
        .expect("a rule unknown on one function");
    assert_eq!(group.names.len(), 1);
    let name = &group.names[0].function;
    let text = report::markdown::render(&report);
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("| {} ", group.rule_id)) && l.contains(&group.reason))
        .expect("a row for the group");
    assert!(
        row.contains(&format!("| 1: `{name}` (us-east-1) |")),
        "{row}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&report::json::render(&report).expect("encodes")).expect("JSON");
    let names = json["unknown"]
        .as_array()
        .expect("unknown list")
        .iter()
        .find(|g| g["rule_id"] == group.rule_id.as_str() && g["reason"] == group.reason.as_str())
        .expect("the group in JSON")["names"]
        .clone();
    assert_eq!(names[0]["function"], name.as_str());
}

#[test]
fn unknown_row_names_ten_functions_then_counts() {
    let mut report = Report::from_fleet(&fleet_with_open_url());
    let group = &mut report.unknown[0];
    let template = group.names[0].clone();
    group.names = (0..13)
        .map(|i| report::FunctionRef {
            function: format!("fn-{i:02}"),
            ..template.clone()
        })
        .collect();
    group.functions = 13;
    let text = report::markdown::render(&report);
    let row = text
        .lines()
        .find(|l| l.contains("`fn-00`"))
        .expect("the row");
    assert!(row.contains("| 13: `fn-00` (us-east-1),"), "{row}");
    assert!(row.contains("`fn-09` (us-east-1) and 3 more |"), "{row}");
    assert!(!row.contains("fn-10"), "{row}");
}

#[test]
fn bad_baseline_fails_before_any_aws_call() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.json");
    let markdown = dir.path().join("report.md");
    std::fs::write(&markdown, "# anshin checklist report\n").expect("written");

    for (path, expected) in [
        (&missing, "cannot read baseline report"),
        (&markdown, "is not an anshin JSON report"),
    ] {
        let started = std::time::Instant::now();
        // No --snapshot: without the early check this would poll the
        // closed endpoint and fail on the function list instead.
        let output = Command::new(env!("CARGO_BIN_EXE_anshin"))
            .args(["report", "--baseline", path.to_str().expect("UTF-8 path")])
            .env("ANSHIN_STATE_DIR", dir.path())
            .env("ANSHIN_CONFIG_DIR", dir.path())
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_CONFIG_FILE", dir.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("no-credentials"),
            )
            .output()
            .expect("anshin runs");
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains(path.to_str().expect("UTF-8 path")),
            "names the file: {stderr}"
        );
        assert!(!stderr.contains("function list"), "polled first: {stderr}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn baseline_without_new_fields_still_reads() {
    let mut json: serde_json::Value = serde_json::from_str(
        &report::json::render(&Report::from_fleet(&fleet_with_open_url())).expect("encodes"),
    )
    .expect("JSON");
    // The layout before suppressed results and unknown names were listed.
    json.as_object_mut().expect("object").remove("suppressed");
    for group in json["unknown"].as_array_mut().expect("unknown list") {
        group.as_object_mut().expect("object").remove("names");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.json");
    std::fs::write(&path, json.to_string()).expect("written");

    let old = report::read_baseline(&path).expect("an older report reads");
    assert!(old.suppressed.is_empty());
    let text = report::markdown::render(&old);
    assert!(text.contains("## Unknown"), "{text}");
}
