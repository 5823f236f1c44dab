//! Checklist rules on the handed real-world cases, read from
//! tests/fixtures/cases, and on variants of each case that cover the same
//! kind of input.

use std::collections::{BTreeMap, BTreeSet};

use anshin::checks::policy::{self, Channel, Principal};
use anshin::checks::{
    CheckInput, ChecksConfig, RuleResult, Severity, Status, UnknownReason, Verdict, evaluate_all,
    rule,
};
use anshin::model::{
    AccountResources, Collected, DailyMetrics, Function, FunctionResources, FunctionUrlConfig,
    InspectorCoverage, InspectorFinding, MetricSeries, PackageType, ResourcePolicy,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

fn read_case(folder: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cases")
        .join(folder)
        .join("input.json");
    let text = std::fs::read_to_string(&path).expect("case input is readable");
    serde_json::from_str(&text).expect("case input is JSON")
}

/// The day the handed cases are judged on.
fn check_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0)
        .single()
        .expect("valid date")
}

fn function(name: &str, account: &str) -> Function {
    Function {
        region: "us-east-1".to_string(),
        name: name.to_string(),
        arn: format!("arn:aws:lambda:us-east-1:{account}:function:{name}"),
        runtime: Some("python3.13".to_string()),
        package_type: PackageType::Zip,
        handler: Some("app.handler".to_string()),
        memory_mb: Some(512),
        timeout_s: Some(10),
        architectures: vec!["x86_64".to_string()],
        code_size_bytes: 2048,
        description: None,
        role: None,
        last_modified: None,
        state: Some("Active".to_string()),
        last_update_status: Some("Successful".to_string()),
        tracing_mode: Some("Active".to_string()),
        revision_id: None,
        vpc: None,
        environment_keys: Vec::new(),
        layers: Vec::new(),
        dead_letter_target: None,
        kms_key_arn: None,
        log_group: None,
        log_format: Some("JSON".to_string()),
        ephemeral_storage_mb: None,
        environment: None,
    }
}

fn resources_with_policy(document: &Value) -> FunctionResources {
    let policy = ResourcePolicy::parse(&document.to_string()).expect("policy parses");
    FunctionResources {
        policy: Collected::Loaded(Some(policy)),
        ..FunctionResources::default()
    }
}

fn evaluate(id: &str, input: &CheckInput, config: &ChecksConfig) -> Verdict {
    rule(id)
        .unwrap_or_else(|| panic!("rule {id} exists"))
        .evaluate(input, config)
}

fn evidence<'a>(verdict: &'a Verdict, name: &str) -> Option<&'a str> {
    verdict
        .evidence
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.value.as_str())
}

/// Evaluates one rule on a policy document for a function of account
/// 123456789012.
fn policy_verdict(id: &str, document: &Value, config: &ChecksConfig) -> Verdict {
    let function = function("example-fn", "123456789012");
    let resources = resources_with_policy(document);
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    evaluate(id, &input, config)
}

fn statement_policy(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

// Case 01: an S3 trigger conditioned on AWS:SourceArn only.

#[test]
fn case01_s3_sourcearn_not_public() {
    let document = read_case("01-policy-s3-sourcearn-no-sourceaccount");
    let analysis = policy::analyze(&document).expect("policy parses");
    assert!(!analysis.is_public());
    assert!(analysis.exposures().is_empty());
    assert_eq!(analysis.unscoped_service_grants().count(), 0);
    assert_eq!(analysis.s3_grants_without_source_account().count(), 1);

    let config = ChecksConfig::default();
    assert_eq!(
        policy_verdict("NET-001", &document, &config).status,
        Status::Pass
    );
    assert_eq!(
        policy_verdict("NET-003", &document, &config).status,
        Status::Pass
    );
    let advisory = policy_verdict("NET-004", &document, &config);
    assert_eq!(advisory.status, Status::Fail);
    assert_eq!(evidence(&advisory, "statement_id"), Some("AllowS3Invoke"));
}

#[test]
fn case01_advisory_is_lower_severity() {
    let document = read_case("01-policy-s3-sourcearn-no-sourceaccount");
    let function = function("example-fn", "123456789012");
    let resources = resources_with_policy(&document);
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let results = evaluate_all(&input, &ChecksConfig::default());
    let find = |id: &str| results.iter().find(|r| r.rule_id == id).cloned();

    let advisory: Option<RuleResult> = find("NET-004");
    assert_eq!(
        advisory.as_ref().map(|r| r.severity),
        Some(Severity::Medium)
    );
    assert!(advisory.is_some_and(|r| r.needs_attention()));
    let public = find("NET-001");
    assert_eq!(public.map(|r| r.verdict.status), Some(Status::Pass));
}

#[test]
fn case01_condition_key_case_insensitive() {
    for key in ["AWS:SourceArn", "aws:sourcearn", "aws:SourceArn"] {
        let document = statement_policy(json!({
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Condition": {"ArnLike": {key: "arn:aws:s3:::example-bucket"}}
        }));
        let analysis = policy::analyze(&document).expect("policy parses");
        assert_eq!(analysis.unscoped_service_grants().count(), 0, "{key}");
    }
}

#[test]
fn case01_variants() {
    let config = ChecksConfig::default();
    let s3 = |condition: Value| {
        statement_policy(json!({
            "Sid": "s3", "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "arn:aws:lambda:eu-central-1:123456789012:function:example-fn",
            "Condition": condition
        }))
    };
    // Both conditions: no advisory.
    let both = s3(json!({
        "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::example-bucket"},
        "StringEquals": {"AWS:SourceAccount": "123456789012"}
    }));
    assert_eq!(
        policy_verdict("NET-004", &both, &config).status,
        Status::Pass
    );
    assert_eq!(
        policy_verdict("NET-003", &both, &config).status,
        Status::Pass
    );

    // A wildcard source ARN names no bucket.
    let wildcard = s3(json!({"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::*"}}));
    assert_eq!(
        policy_verdict("NET-003", &wildcard, &config).status,
        Status::Fail
    );

    // No condition at all.
    let none = statement_policy(json!({
        "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "lambda:InvokeFunction"
    }));
    assert_eq!(
        policy_verdict("NET-003", &none, &config).status,
        Status::Fail
    );
    assert_eq!(
        policy_verdict("NET-001", &none, &config).status,
        Status::Pass
    );

    // A function without S3 permissions has nothing to advise on.
    assert_eq!(
        policy_verdict("NET-004", &none, &config).status,
        Status::NotApplicable
    );
}

#[test]
fn s3_grant_without_conditions_fails_both() {
    let config = ChecksConfig::default();
    let bare = statement_policy(json!({
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction"
    }));
    assert_eq!(
        policy_verdict("NET-003", &bare, &config).status,
        Status::Fail
    );
    assert_eq!(
        policy_verdict("NET-004", &bare, &config).status,
        Status::Fail
    );
}

// Case 03: Principal "*" with no condition.

#[test]
fn case03_wildcard_principal_public() {
    let document = read_case("03-policy-principal-star-no-condition");
    let analysis = policy::analyze(&document).expect("policy parses");
    assert!(analysis.is_public());
    let exposures = analysis.exposures();
    assert_eq!(exposures.len(), 1);
    assert_eq!(exposures[0].channel, Channel::InvokeApi);
    assert_eq!(exposures[0].sids, vec!["backdoor".to_string()]);

    let function = function("example-backdoor-fn", "123456789012");
    let resources = resources_with_policy(&document);
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let results = evaluate_all(&input, &ChecksConfig::default());
    let public = results.iter().find(|r| r.rule_id == "NET-001");
    assert_eq!(public.map(|r| r.severity), Some(Severity::Critical));
    assert_eq!(public.map(|r| &r.verdict.status), Some(&Status::Fail));
    assert_eq!(
        public.and_then(|r| evidence(&r.verdict, "statement_ids")),
        Some("backdoor")
    );
    assert!(public.is_some_and(|r| r.fix.text.contains("remove-permission")));
}

#[test]
fn case03_principal_and_action_forms() {
    let principals = [
        json!("*"),
        json!({"AWS": "*"}),
        json!({"AWS": ["*"]}),
        json!({"AWS": ["arn:aws:iam::111122223333:root", "*"]}),
        json!({"AWS": "arn:aws:iam::*:root"}),
    ];
    let actions = [
        json!("lambda:InvokeFunction"),
        json!(["lambda:GetFunction", "lambda:InvokeFunction"]),
        json!("lambda:*"),
        json!("*"),
        json!("Lambda:Invoke*"),
    ];
    let config = ChecksConfig::default();
    for principal in &principals {
        for action in &actions {
            let document = statement_policy(json!({
                "Sid": "backdoor", "Effect": "Allow",
                "Principal": principal, "Action": action
            }));
            let verdict = policy_verdict("NET-001", &document, &config);
            assert_eq!(verdict.status, Status::Fail, "{principal} {action}");
        }
    }
    // Statement as a single object instead of a list.
    let single = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}});
    assert_eq!(
        policy_verdict("NET-001", &single, &config).status,
        Status::Fail
    );
    // Actions that do not invoke.
    let read_only = statement_policy(json!({
        "Effect": "Allow", "Principal": "*", "Action": ["lambda:GetFunction"]
    }));
    assert_eq!(
        policy_verdict("NET-001", &read_only, &config).status,
        Status::Pass
    );
    // NotAction that leaves invoke allowed.
    let not_action = statement_policy(json!({
        "Effect": "Allow", "Principal": "*", "NotAction": "lambda:DeleteFunction"
    }));
    assert_eq!(
        policy_verdict("NET-001", &not_action, &config).status,
        Status::Fail
    );
}

#[test]
fn case03_non_restricting_conditions_stay_public() {
    let conditions = [
        json!({"StringLike": {"aws:SourceArn": "*"}}),
        json!({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}),
        json!({"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
        json!({"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}),
        json!({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}),
        json!({"ForAllValues:StringEquals": {"aws:SourceAccount": "123456789012"}}),
        json!({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}),
        json!({"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}),
        json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
    ];
    let config = ChecksConfig::default();
    for condition in conditions {
        let document = statement_policy(json!({
            "Effect": "Allow", "Principal": "*",
            "Action": ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
            "Condition": condition
        }));
        let analysis = policy::analyze(&document).expect("policy parses");
        assert!(analysis.is_public(), "{condition}");
        assert_eq!(
            policy_verdict("NET-001", &document, &config).status,
            Status::Fail,
            "{condition}"
        );
    }
}

#[test]
fn case03_fixed_conditions_restrict() {
    let conditions = [
        json!({"StringEquals": {"aws:SourceAccount": "123456789012"}}),
        json!({"ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}}),
        json!({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
        json!({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}),
        json!({"StringEquals": {"lambda:EventSourceToken": "amzn1.ask.skill.1"}}),
    ];
    for condition in conditions {
        let document = statement_policy(json!({
            "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
            "Condition": condition
        }));
        let analysis = policy::analyze(&document).expect("policy parses");
        assert!(!analysis.is_public(), "{condition}");
    }
}

#[test]
fn case03_deny_statements_counted() {
    let allow = json!({"Sid": "open", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"});
    let config = ChecksConfig::default();

    let deny_all = json!({"Effect": "Deny", "Principal": "*", "Action": "lambda:*"});
    let document = json!({"Statement": [deny_all, allow]});
    assert_eq!(
        policy_verdict("NET-001", &document, &config).status,
        Status::Pass
    );

    let deny_foreign = json!({
        "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "lambda:InvokeFunction",
        "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    });
    let document = json!({"Statement": [allow, deny_foreign]});
    assert_eq!(
        policy_verdict("NET-001", &document, &config).status,
        Status::Pass
    );

    // A Deny on another action leaves the grant open.
    let deny_other =
        json!({"Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunctionUrl"});
    let document = json!({"Statement": [allow, deny_other]});
    assert_eq!(
        policy_verdict("NET-001", &document, &config).status,
        Status::Fail
    );

    // A Deny for one named account does not cover everyone.
    let deny_one = json!({"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "*"});
    let document = json!({"Statement": [allow, deny_one]});
    assert_eq!(
        policy_verdict("NET-001", &document, &config).status,
        Status::Fail
    );
}

// Case 04: a public function URL in the two-statement form.

fn url_config(auth_type: &str) -> FunctionUrlConfig {
    FunctionUrlConfig {
        url: "https://abcdefghij.lambda-url.us-east-1.on.aws/".to_string(),
        function_arn: "arn:aws:lambda:us-east-1:123456789012:function:example-url-fn".to_string(),
        auth_type: auth_type.to_string(),
        cors_allow_origins: Vec::new(),
    }
}

#[test]
fn case04_one_url_exposure() {
    let document = read_case("04-policy-function-url-auth-none");
    let analysis = policy::analyze(&document).expect("policy parses");
    let exposures = analysis.exposures();
    assert_eq!(exposures.len(), 1, "{exposures:?}");
    assert_eq!(exposures[0].channel, Channel::FunctionUrl);
    assert_eq!(
        exposures[0].sids,
        vec![
            "FunctionURLAllowPublicAccess".to_string(),
            "FunctionURLAllowInvokeAction".to_string()
        ]
    );
    // The auth type is read, not counted as a restriction.
    let url_grant = analysis.grants.iter().find(|g| g.url_auth_type.is_some());
    assert_eq!(
        url_grant.and_then(|g| g.url_auth_type.as_deref()),
        Some("NONE")
    );
    assert!(url_grant.is_some_and(|g| !g.is_restricted()));
}

#[test]
fn case04_rules_report_url_only() {
    let document = read_case("04-policy-function-url-auth-none");
    let function = function("example-url-fn", "123456789012");
    let mut resources = resources_with_policy(&document);
    resources.url = Collected::Loaded(Some(url_config("NONE")));
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let config = ChecksConfig::default();

    // The InvokeFunction statement is limited to calls through the URL.
    assert_eq!(evaluate("NET-001", &input, &config).status, Status::Pass);
    let url = evaluate("NET-002", &input, &config);
    assert_eq!(url.status, Status::Fail);
    assert_eq!(evidence(&url, "auth_type"), Some("NONE"));
    assert_eq!(
        evidence(&url, "statement_ids"),
        Some("FunctionURLAllowPublicAccess, FunctionURLAllowInvokeAction")
    );
    assert_eq!(evidence(&url, "note"), None);

    let failures: Vec<_> = evaluate_all(&input, &config)
        .into_iter()
        .filter(|r| r.topic == anshin::checks::Topic::NetworkExposure)
        .filter(|r| r.verdict.status == Status::Fail)
        .map(|r| r.rule_id)
        .collect();
    assert_eq!(failures, vec!["NET-002"]);
}

#[test]
fn case04_single_statement_form() {
    let mut document = read_case("04-policy-function-url-auth-none");
    if let Some(statements) = document["Statement"].as_array_mut() {
        statements.truncate(1);
    }
    let analysis = policy::analyze(&document).expect("policy parses");
    assert_eq!(analysis.exposures().len(), 1);

    let function = function("example-url-fn", "123456789012");
    let mut resources = resources_with_policy(&document);
    resources.url = Collected::Loaded(Some(url_config("NONE")));
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let url = evaluate("NET-002", &input, &ChecksConfig::default());
    assert_eq!(url.status, Status::Fail);
    assert!(evidence(&url, "note").is_some_and(|note| note.contains("October 2025")));
}

#[test]
fn case04_invoke_via_url_forms() {
    for condition in [
        json!({"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}),
        json!({"Bool": {"lambda:InvokedViaFunctionUrl": true}}),
        json!({"StringEquals": {"lambda:InvokedViaFunctionUrl": "true"}}),
    ] {
        let document = statement_policy(json!({
            "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
            "Condition": condition
        }));
        let analysis = policy::analyze(&document).expect("policy parses");
        let channels: BTreeSet<Channel> = analysis.exposures().iter().map(|e| e.channel).collect();
        assert_eq!(
            channels,
            BTreeSet::from([Channel::FunctionUrl]),
            "{condition}"
        );
    }
}

// Case 05: an IAM-authenticated URL granted to another account.

#[test]
fn case05_cross_account_not_public() {
    let document = read_case("05-policy-function-url-iam-cross-account");
    let analysis = policy::analyze(&document).expect("policy parses");
    assert!(!analysis.is_public());
    let foreign: Vec<_> = analysis
        .foreign_account_grants("123456789012", |_| false)
        .collect();
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0].0, "111122223333");
    assert_eq!(foreign[0].1.channel, Channel::FunctionUrl);
    assert_eq!(foreign[0].1.url_auth_type.as_deref(), Some("AWS_IAM"));

    let untrusted = policy_verdict("NET-005", &document, &ChecksConfig::default());
    assert_eq!(untrusted.status, Status::Fail);
    assert_eq!(
        evidence(&untrusted, "foreign_accounts"),
        Some("111122223333 (eng)")
    );

    let trusted_config = ChecksConfig {
        trusted_accounts: BTreeSet::from(["111122223333".to_string()]),
        ..ChecksConfig::default()
    };
    let trusted = policy_verdict("NET-005", &document, &trusted_config);
    assert_eq!(trusted.status, Status::Pass);
}

#[test]
fn case05_iam_url_passes() {
    let document = read_case("05-policy-function-url-iam-cross-account");
    let function = function("example-subgroup-fn", "123456789012");
    let mut resources = resources_with_policy(&document);
    resources.url = Collected::Loaded(Some(url_config("AWS_IAM")));
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let config = ChecksConfig::default();
    let url = evaluate("NET-002", &input, &config);
    assert_eq!(url.status, Status::Pass);
    assert_eq!(evidence(&url, "auth_type"), Some("AWS_IAM"));
    assert_eq!(evaluate("NET-001", &input, &config).status, Status::Pass);
}

#[test]
fn case05_principal_forms() {
    for principal in [
        json!({"AWS": "111122223333"}),
        json!({"AWS": ["arn:aws:iam::111122223333:role/caller"]}),
        json!("arn:aws:iam::111122223333:root"),
    ] {
        let document = statement_policy(json!({
            "Effect": "Allow", "Principal": principal, "Action": "lambda:InvokeFunction"
        }));
        let verdict = policy_verdict("NET-005", &document, &ChecksConfig::default());
        assert_eq!(verdict.status, Status::Fail, "{principal}");
    }
    // The owner's own account is not foreign.
    let own = statement_policy(json!({
        "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "lambda:InvokeFunction"
    }));
    let verdict = policy_verdict("NET-005", &own, &ChecksConfig::default());
    assert_eq!(verdict.status, Status::Pass);
}

// Case 06: an Alexa trigger gated by lambda:EventSourceToken.

#[test]
fn case06_alexa_token_restricts() {
    let document = read_case("06-policy-alexa-eventsourcetoken");
    let analysis = policy::analyze(&document).expect("policy parses");
    assert!(!analysis.is_public());
    assert_eq!(
        analysis.grants[0].principal,
        Principal::Service("alexa-connectedhome.amazon.com".to_string())
    );
    assert_eq!(analysis.unscoped_service_grants().count(), 0);

    let config = ChecksConfig::default();
    for id in ["NET-001", "NET-003", "NET-005"] {
        assert_eq!(
            policy_verdict(id, &document, &config).status,
            Status::Pass,
            "{id}"
        );
    }
    assert_eq!(
        policy_verdict("NET-004", &document, &config).status,
        Status::NotApplicable
    );
}

#[test]
fn case06_token_with_wildcard_is_unscoped() {
    let document = statement_policy(json!({
        "Effect": "Allow", "Principal": {"Service": "alexa-appkit.amazon.com"},
        "Action": "lambda:InvokeFunction",
        "Condition": {"StringLike": {"lambda:EventSourceToken": "amzn1.ask.skill.*"}}
    }));
    let verdict = policy_verdict("NET-003", &document, &ChecksConfig::default());
    assert_eq!(verdict.status, Status::Fail);
}

// Case 08: a container-image function carries no runtime.

fn function_from_configuration(configuration: &Value) -> Function {
    let mut function = function(
        configuration["FunctionName"].as_str().unwrap_or_default(),
        "123456789012",
    );
    function.arn = configuration["FunctionArn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    function.runtime = configuration["Runtime"].as_str().map(str::to_string);
    function.handler = configuration["Handler"].as_str().map(str::to_string);
    function.package_type = match configuration["PackageType"].as_str() {
        Some("Image") => PackageType::Image,
        Some("Zip") | None => PackageType::Zip,
        Some(other) => PackageType::Other(other.to_string()),
    };
    function.code_size_bytes = configuration["CodeSize"].as_i64().unwrap_or_default();
    function.tracing_mode = configuration["TracingConfig"]["Mode"]
        .as_str()
        .map(str::to_string);
    function.log_format = configuration["LoggingConfig"]["LogFormat"]
        .as_str()
        .map(str::to_string);
    function
}

#[test]
fn case08_image_runtime_not_applicable() {
    let case = read_case("08-config-image-package-no-runtime");
    let function = function_from_configuration(&case["Configuration"]);
    assert!(function.runtime.is_none());
    let resources = FunctionResources::default();
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let results = evaluate_all(&input, &ChecksConfig::default());

    let runtime = results.iter().find(|r| r.rule_id == "RT-001");
    assert_eq!(
        runtime.map(|r| &r.verdict.status),
        Some(&Status::NotApplicable)
    );
    // CodeSize 0 of an image is no finding, and no rule panics on the
    // missing fields.
    assert!(
        results
            .iter()
            .all(|r| r.verdict.evidence.iter().all(|e| e.name != "code_size"))
    );
    let tracing = results.iter().find(|r| r.rule_id == "OBS-001");
    assert_eq!(tracing.map(|r| &r.verdict.status), Some(&Status::Fail));
}

// Case 11: runtime identifiers are an open set.

/// OBS-004 on the case-08 configuration as Lambda returns it, and with
/// LoggingConfig left out as moto does. Both log in the default Text format,
/// so both get the advisory verdict, and only the evidence differs.
#[test]
fn case08_log_format_default_when_not_returned() {
    let case = read_case("08-config-image-package-no-runtime");
    let returned = function_from_configuration(&case["Configuration"]);
    let mut configuration = case["Configuration"].clone();
    configuration
        .as_object_mut()
        .expect("a configuration object")
        .remove("LoggingConfig");
    let omitted = function_from_configuration(&configuration);
    assert_eq!(omitted.log_format, None);

    let resources = FunctionResources::default();
    let account = AccountResources::default();
    let config = ChecksConfig::default();
    let verdict = |function: &Function| {
        let input = CheckInput::new(function, &resources, &account, check_day());
        evaluate("OBS-004", &input, &config)
    };
    let (returned, omitted) = (verdict(&returned), verdict(&omitted));
    assert_eq!(returned.status, Status::Warn);
    assert_eq!(omitted.status, Status::Warn);
    assert_eq!(evidence(&returned, "log_format"), Some("Text"));
    assert_eq!(
        evidence(&omitted, "log_format"),
        Some("Text (not returned; Lambda's default)")
    );
}

fn runtime_verdict(
    runtime: Option<&str>,
    package_type: PackageType,
    now: DateTime<Utc>,
) -> Verdict {
    let mut function = function("example-fn", "123456789012");
    function.runtime = runtime.map(str::to_string);
    function.package_type = package_type;
    let resources = FunctionResources::default();
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, now);
    evaluate("RT-001", &input, &ChecksConfig::default())
}

#[test]
fn case11_runtime_strings() {
    let case = read_case("11-runtime-identifiers-open-set");
    let expected: BTreeMap<&str, (Status, Option<Severity>)> = BTreeMap::from([
        ("python3.14", (Status::Pass, None)),
        ("java21", (Status::Pass, None)),
        ("provided.al2023", (Status::Pass, None)),
        ("nodejs18.x", (Status::Fail, None)),
        ("python3.7", (Status::Fail, None)),
        ("image", (Status::NotApplicable, None)),
    ]);
    let entries = case["cases"].as_array().expect("cases list");
    assert_eq!(entries.len(), expected.len());
    for entry in entries {
        let runtime = entry["Runtime"].as_str();
        let package_type = match entry["PackageType"].as_str() {
            Some("Image") => PackageType::Image,
            _ => PackageType::Zip,
        };
        let verdict = runtime_verdict(runtime, package_type, check_day());
        let key = runtime.unwrap_or("image");
        let (status, severity) = &expected[key];
        assert_eq!(&verdict.status, status, "{key}");
        assert_eq!(&verdict.severity, severity, "{key}");
    }
}

#[test]
fn case11_deprecation_by_date() {
    let day = |y, m, d| {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("valid date")
    };

    // nodejs18.x ended support on 2025-09-01.
    assert_eq!(
        runtime_verdict(Some("nodejs18.x"), PackageType::Zip, day(2025, 9, 1)).status,
        Status::Fail
    );
    assert_eq!(
        runtime_verdict(Some("nodejs18.x"), PackageType::Zip, day(2025, 8, 1)).status,
        Status::Warn
    );

    // python3.7: deprecated, creation blocked, updates blocked from 2027-03-03.
    let deprecated = runtime_verdict(Some("python3.7"), PackageType::Zip, check_day());
    assert!(
        deprecated.summary.contains("rejects new functions"),
        "{}",
        deprecated.summary
    );
    let blocked = runtime_verdict(Some("python3.7"), PackageType::Zip, day(2027, 3, 3));
    assert_eq!(blocked.status, Status::Fail);
    assert_eq!(blocked.severity, Some(Severity::Critical));
    assert!(
        blocked.summary.contains("rejects updates"),
        "{}",
        blocked.summary
    );
}

#[test]
fn case11_unknown_runtime_never_passes() {
    for runtime in ["python3.99", "nodejs26.x", "", "PYTHON_3_11"] {
        let verdict = runtime_verdict(Some(runtime), PackageType::Zip, check_day());
        assert!(
            matches!(
                verdict.status,
                Status::Unknown(UnknownReason::Unrecognized { .. })
            ),
            "{runtime}: {verdict:?}"
        );
        assert_eq!(verdict.severity, Some(Severity::Info), "{runtime}");
    }
}

#[test]
fn case11_os_only_runtime_marked() {
    let verdict = runtime_verdict(Some("provided.al2023"), PackageType::Zip, check_day());
    assert!(evidence(&verdict, "runtime_kind").is_some_and(|kind| kind.starts_with("OS-only")));
    let verdict = runtime_verdict(Some("python3.13"), PackageType::Zip, check_day());
    assert_eq!(evidence(&verdict, "runtime_kind"), None);
}

// Case 21: empty metric series are no data, not zero.

fn series_from_result(result: &Value) -> MetricSeries {
    let timestamps = result["Timestamps"].as_array().cloned().unwrap_or_default();
    let values = result["Values"].as_array().cloned().unwrap_or_default();
    MetricSeries::from_pairs(
        timestamps
            .iter()
            .zip(values.iter())
            .filter_map(|(at, value)| {
                let at = at.as_str()?.parse::<DateTime<Utc>>().ok()?;
                Some((at, value.as_f64()?))
            }),
    )
}

#[test]
fn case21_empty_series_is_unknown() {
    let case = read_case("21-metrics-no-data-is-not-zero");
    let results = case["b_get_metric_data_idle_function"]["MetricDataResults"]
        .as_array()
        .expect("results list");
    let by_id = |id: &str| {
        results
            .iter()
            .find(|r| r["Id"] == id)
            .map(series_from_result)
            .unwrap_or_default()
    };
    let function = function("idle-fn", "123456789012");
    let resources = FunctionResources {
        daily_metrics: Collected::Loaded(DailyMetrics {
            invocations: by_id("inv"),
            errors: by_id("err"),
            timeouts: Some(MetricSeries::default()),
        }),
        ..FunctionResources::default()
    };
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    for id in ["COST-001", "COST-002"] {
        let verdict = evaluate(id, &input, &ChecksConfig::default());
        assert!(
            matches!(
                verdict.status,
                Status::Unknown(UnknownReason::InsufficientData { .. })
            ),
            "{id}: {verdict:?}"
        );
        assert!(
            verdict.summary.starts_with("no data"),
            "{id}: {}",
            verdict.summary
        );
    }
}

#[test]
fn case21_errors_without_invocations_unknown() {
    // Errors datapoints without any Invocations datapoint give no rate.
    let yesterday = check_day() - chrono::Duration::days(1);
    let function = function("idle-fn", "123456789012");
    let resources = FunctionResources {
        daily_metrics: Collected::Loaded(DailyMetrics {
            invocations: MetricSeries::default(),
            errors: MetricSeries::from_pairs([(yesterday, 0.0)]),
            timeouts: None,
        }),
        ..FunctionResources::default()
    };
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let verdict = evaluate("COST-001", &input, &ChecksConfig::default());
    assert!(verdict.is_unknown(), "{verdict:?}");
}

/// Daily metrics as the checklist reads them: Invocations and Errors per
/// day from CloudWatch, timeouts per day from REPORT log lines.
fn daily_input_verdict(id: &str, metrics: DailyMetrics) -> Verdict {
    let function = function("daily-fn", "123456789012");
    let resources = FunctionResources {
        daily_metrics: Collected::Loaded(metrics),
        ..FunctionResources::default()
    };
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    evaluate(id, &input, &ChecksConfig::default())
}

fn days_ago(days: i64, value: f64) -> (DateTime<Utc>, f64) {
    (check_day() - chrono::Duration::days(days), value)
}

#[test]
fn cost002_unknown_names_missing_lines() {
    // A week of Invocations, but REPORT lines only from today: the log read
    // starts at midnight UTC yesterday, and yesterday had none.
    let invocations = MetricSeries::from_pairs((0..7).map(|day| days_ago(day, 100.0)));
    let metrics = DailyMetrics {
        invocations: invocations.clone(),
        errors: MetricSeries::default(),
        timeouts: Some(MetricSeries::from_pairs([days_ago(0, 3.0)])),
    };
    let verdict = daily_input_verdict("COST-002", metrics.clone());
    assert_eq!(
        verdict.summary,
        "no data: REPORT log lines for a whole UTC day (yesterday): the log group has none"
    );
    assert!(
        matches!(
            verdict.status,
            Status::Unknown(UnknownReason::InsufficientData { .. })
        ),
        "{verdict:?}"
    );
    // COST-001 reads a week of CloudWatch metrics and keeps its own reason.
    let verdict = daily_input_verdict("COST-001", metrics);
    assert_eq!(
        verdict.summary,
        "no data: daily Invocations and Errors of the last 7 days"
    );

    // Timeouts counted yesterday, but no Invocations that day.
    let verdict = daily_input_verdict(
        "COST-002",
        DailyMetrics {
            invocations: MetricSeries::from_pairs([days_ago(3, 100.0)]),
            errors: MetricSeries::default(),
            timeouts: Some(MetricSeries::from_pairs([days_ago(1, 0.0)])),
        },
    );
    assert_eq!(
        verdict.summary,
        "no data: daily Invocations for the UTC days of the REPORT log lines"
    );
}

#[test]
fn daily_rate_pass_counts_days() {
    let invocations = MetricSeries::from_pairs((1..7).map(|day| days_ago(day, 100.0)));
    // Timeouts only for yesterday, the one whole day of the log read.
    let verdict = daily_input_verdict(
        "COST-002",
        DailyMetrics {
            invocations: invocations.clone(),
            errors: MetricSeries::default(),
            timeouts: Some(MetricSeries::from_pairs([days_ago(1, 4.0)])),
        },
    );
    assert_eq!(verdict.status, Status::Pass, "{verdict:?}");
    assert_eq!(
        verdict.summary,
        "2026-12-03, the only day with data, had at most 10 % timeouts"
    );
    assert_eq!(evidence(&verdict, "days_with_data"), Some("1"));
    assert_eq!(evidence(&verdict, "worst_day"), Some("2026-12-03"));
    assert_eq!(evidence(&verdict, "timeouts"), Some("4"));
    assert_eq!(evidence(&verdict, "rate_percent"), Some("4.0"));

    let verdict = daily_input_verdict(
        "COST-001",
        DailyMetrics {
            invocations,
            errors: MetricSeries::from_pairs((1..7).map(|day| days_ago(day, day as f64))),
            timeouts: None,
        },
    );
    assert_eq!(verdict.status, Status::Pass, "{verdict:?}");
    assert_eq!(
        verdict.summary,
        "none of the 6 days with data had more than 10 % errors"
    );
    assert_eq!(evidence(&verdict, "days_with_data"), Some("6"));
    assert_eq!(evidence(&verdict, "worst_day"), Some("2026-11-28"));
}

// Case 23: Inspector findings of both kinds on one function.

fn case23_findings() -> Vec<InspectorFinding> {
    let case = read_case("23-inspector2-lambda-findings");
    ["package_vulnerability_event", "code_vulnerability_event"]
        .iter()
        .map(|event| InspectorFinding::from_json(&case[event]["detail"]).expect("finding parses"))
        .collect()
}

#[test]
fn case23_findings_parse() {
    let findings = case23_findings();
    let package = &findings[0];
    assert_eq!(package.vulnerability_id.as_deref(), Some("CVE-2023-30861"));
    assert_eq!(package.severity, "HIGH");
    assert_eq!(package.packages[0].name, "flask");
    assert_eq!(
        package.packages[0].installed_version.as_deref(),
        Some("2.0.0")
    );
    assert_eq!(package.packages[0].fixed_version.as_deref(), Some("2.3.2"));

    let code = &findings[1];
    assert_eq!(code.finding_type, "CODE_VULNERABILITY");
    assert_eq!(code.severity, "CRITICAL");
    assert_eq!(code.cwes, vec!["CWE-798".to_string()]);
    assert!(code.packages.is_empty());
}

#[test]
fn case23_active_findings_fail() {
    let function = function("VulnerableFunction", "123456789012");
    let resources = FunctionResources {
        inspector_findings: Collected::Loaded(case23_findings()),
        ..FunctionResources::default()
    };
    let account = AccountResources {
        inspector_coverage: Collected::Loaded(InspectorCoverage {
            lambda_standard_scanning: true,
            lambda_code_scanning: true,
        }),
        ..AccountResources::default()
    };
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let results = evaluate_all(&input, &ChecksConfig::default());
    let vulnerabilities = results.iter().find(|r| r.rule_id == "VULN-001");

    assert_eq!(
        vulnerabilities.map(|r| &r.verdict.status),
        Some(&Status::Fail)
    );
    assert_eq!(
        vulnerabilities.map(|r| r.severity),
        Some(Severity::Critical)
    );
    let listed: Vec<&str> = vulnerabilities
        .map(|r| {
            r.verdict
                .evidence
                .iter()
                .filter(|e| e.name == "finding")
                .map(|e| e.value.as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].contains("CWE-798"), "{listed:?}");
    assert!(
        listed[1].contains("CVE-2023-30861 flask 2.0.0 -> 2.3.2"),
        "{listed:?}"
    );
}

#[test]
fn case23_closed_findings_pass() {
    let mut findings = case23_findings();
    for finding in &mut findings {
        finding.status = "CLOSED".to_string();
    }
    let function = function("VulnerableFunction", "123456789012");
    let resources = FunctionResources {
        inspector_findings: Collected::Loaded(findings),
        ..FunctionResources::default()
    };
    let account = AccountResources {
        inspector_coverage: Collected::Loaded(InspectorCoverage {
            lambda_standard_scanning: true,
            lambda_code_scanning: false,
        }),
        ..AccountResources::default()
    };
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let verdict = evaluate("VULN-001", &input, &ChecksConfig::default());
    assert_eq!(verdict.status, Status::Pass);
    let coverage = evaluate("VULN-002", &input, &ChecksConfig::default());
    assert_eq!(coverage.status, Status::Warn);
}

// Results serialise for the JSON report.

#[test]
fn results_serialise_to_json() {
    let document = read_case("03-policy-principal-star-no-condition");
    let function = function("example-backdoor-fn", "123456789012");
    let resources = resources_with_policy(&document);
    let account = AccountResources::default();
    let input = CheckInput::new(&function, &resources, &account, check_day());
    let results = evaluate_all(&input, &ChecksConfig::default());
    let json = serde_json::to_value(&results).expect("results serialise");
    let public = json
        .as_array()
        .and_then(|items| items.iter().find(|item| item["rule_id"] == "NET-001"));
    assert_eq!(
        public.map(|item| item["verdict"]["status"]["status"].clone()),
        Some(json!("fail"))
    );
}
