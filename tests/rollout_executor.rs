//! The rollout executor against mocked Lambda and CloudWatch clients:
//! conditional writes, no blind retries, read-only mode and the audit log.

mod common;

use std::path::Path;

use anshin::aws::RegionClients;
use anshin::model::Alias;
use anshin::rollout::executor::{
    AuditIdentity, AuditLog, AuditRecord, Executor, ExecutorError, RunEnd, StateStore,
};
use anshin::rollout::{Conflict, Event, Outcome, Phase, Rollout, RolloutConfig, Strategy};
use aws_sdk_cloudwatch::Client as CloudWatch;
use aws_sdk_lambda::Client as Lambda;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use chrono::Utc;
use common::{REGION, cloudwatch_client, http_response, lambda_client, logs_client, sts_client};

const JSON: &str = "application/json";
const NO_ALARMS: &str = r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms></MetricAlarms></DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAlarmsResponse>"#;

fn clients(lambda_rules: &[&Rule], cloudwatch_rules: &[&Rule]) -> RegionClients {
    // Three attempts: the SDK would retry a throttled call, so a single
    // UpdateAlias request proves the write path switched retries off.
    RegionClients::from_clients(
        REGION,
        lambda_client(RuleMode::MatchAny, lambda_rules, 3),
        cloudwatch_client(RuleMode::MatchAny, cloudwatch_rules, 1),
        logs_client(RuleMode::MatchAny, &[]),
        sts_client(RuleMode::MatchAny, &[]),
        1_000,
    )
    .expect("valid rate")
}

fn no_alarms() -> Rule {
    mock!(CloudWatch::describe_alarms)
        .then_http_response(|| http_response(200, "text/xml", NO_ALARMS))
}

fn alias_body(version: &str, weights: &str, revision_id: &str) -> String {
    format!(
        r#"{{"Name":"live","FunctionVersion":"{version}","RoutingConfig":{{"AdditionalVersionWeights":{weights}}},"RevisionId":"{revision_id}"}}"#
    )
}

fn live_alias() -> Alias {
    Alias {
        name: "live".to_string(),
        function_version: "12".to_string(),
        routing: Vec::new(),
        revision_id: Some("rev-1".to_string()),
        description: None,
    }
}

fn plan(strategy: Strategy) -> Rollout {
    Rollout::plan(
        "orders-api",
        &live_alias(),
        "13",
        strategy,
        RolloutConfig::default(),
        Utc::now(),
    )
    .expect("plan is valid")
}

fn executor<'a>(clients: &'a RegionClients, state_dir: &Path, read_only: bool) -> Executor<'a> {
    Executor {
        clients,
        store: StateStore::new(state_dir),
        audit: AuditLog::new(state_dir),
        identity: AuditIdentity {
            caller_arn: Some("arn:aws:sts::123456789012:assumed-role/oncall/alice".to_string()),
            profile: Some("prod".to_string()),
            region: REGION.to_string(),
        },
        read_only,
    }
}

/// Loads the rollout state that the executor saved for orders-api:live.
fn saved_state(state_dir: &Path) -> Rollout {
    StateStore::new(state_dir)
        .load("orders-api", "live")
        .expect("state reads")
        .expect("state was saved")
}

fn audit_records(state_dir: &Path) -> Vec<AuditRecord> {
    AuditLog::new(state_dir).records().expect("audit log reads")
}

#[tokio::test]
async fn precondition_failed_stops_without_retry() {
    let update = mock!(Lambda::update_alias).then_http_response(|| {
        http_response(
            412,
            JSON,
            r#"{"__type":"PreconditionFailedException","message":"The RevisionId provided does not match the latest RevisionId"}"#,
        )
    });
    let reread = mock!(Lambda::get_alias)
        .then_http_response(|| http_response(200, JSON, alias_body("14", "{}", "rev-other")));
    let alarms = no_alarms();
    let clients = clients(&[&update, &reread], &[&alarms]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::canary(10, 5));

    let mut lines = Vec::new();
    let end = executor(&clients, dir.path(), false)
        .run(&mut rollout, &mut |line| lines.push(line))
        .await
        .expect("executor stops for the operator");

    let RunEnd::NeedsOperator {
        conflict, alias, ..
    } = end
    else {
        panic!("expected a stop for the operator, got {end:?}");
    };
    assert_eq!(conflict, Conflict::RevisionMismatch);
    assert_eq!(
        alias.map(|a| a.function_version),
        Some("14".to_string()),
        "the alias is re-read for the report"
    );
    assert_eq!(update.num_calls(), 1, "the write is never sent again");
    assert_eq!(reread.num_calls(), 1);

    let records = audit_records(dir.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, "failed");
    assert_eq!(records[0].before.revision_id.as_deref(), Some("rev-1"));
    assert!(
        records[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("PreconditionFailedException")),
        "{:?}",
        records[0].error
    );

    let saved = saved_state(dir.path());
    assert!(
        matches!(saved.phase, Phase::Conflict { .. }),
        "{:?}",
        saved.phase
    );
}

#[tokio::test]
async fn throttled_write_is_not_retried() {
    let update = mock!(Lambda::update_alias).then_http_response(|| {
        http_response(
            429,
            JSON,
            r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#,
        )
    });
    let reread = mock!(Lambda::get_alias)
        .then_http_response(|| http_response(200, JSON, alias_body("12", "{}", "rev-1")));
    let alarms = no_alarms();
    let clients = clients(&[&update, &reread], &[&alarms]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::AllAtOnce);

    let end = executor(&clients, dir.path(), false)
        .run(&mut rollout, &mut |_| {})
        .await
        .expect("executor stops for the operator");

    assert!(
        matches!(
            end,
            RunEnd::NeedsOperator {
                conflict: Conflict::WriteFailed { .. },
                ..
            }
        ),
        "{end:?}"
    );
    assert_eq!(update.num_calls(), 1, "the SDK must not retry UpdateAlias");
    assert_eq!(audit_records(dir.path()).len(), 1);
}

#[tokio::test]
async fn read_only_sends_no_write() {
    let update = mock!(Lambda::update_alias)
        .then_http_response(|| http_response(200, JSON, alias_body("13", "{}", "rev-2")));
    let alarms = no_alarms();
    let clients = clients(&[&update], &[&alarms]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::AllAtOnce);

    let error = executor(&clients, dir.path(), true)
        .run(&mut rollout, &mut |_| {})
        .await
        .expect_err("read-only mode rejects the write");

    assert!(matches!(error, ExecutorError::ReadOnly { .. }), "{error}");
    assert_eq!(update.num_calls(), 0);
    assert_eq!(rollout.phase, Phase::Planned);
    let records = audit_records(dir.path());
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, "refused_read_only");
    assert!(
        !StateStore::new(dir.path())
            .path("orders-api", "live")
            .exists(),
        "a refused rollout leaves no state file"
    );
}

#[tokio::test]
async fn successful_write_is_audited() {
    let update = mock!(Lambda::update_alias)
        .match_requests(|request| {
            request.revision_id() == Some("rev-1") && request.function_version() == Some("13")
        })
        .then_http_response(|| http_response(200, JSON, alias_body("13", "{}", "rev-2")));
    let alarms = no_alarms();
    let clients = clients(&[&update], &[&alarms]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::AllAtOnce);

    let end = executor(&clients, dir.path(), false)
        .run(&mut rollout, &mut |_| {})
        .await
        .expect("rollout completes");

    assert_eq!(end, RunEnd::Finished(Outcome::Completed));
    assert_eq!(update.num_calls(), 1);
    let records = audit_records(dir.path());
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record.outcome, "succeeded");
    assert_eq!(record.function, "orders-api");
    assert_eq!(record.alias, "live");
    assert_eq!(
        record.identity.caller_arn.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/oncall/alice")
    );
    assert_eq!(record.identity.profile.as_deref(), Some("prod"));
    assert_eq!(record.before.function_version, "12");
    assert_eq!(record.before.revision_id.as_deref(), Some("rev-1"));
    assert_eq!(record.after.function_version, "13");
    assert_eq!(record.after.revision_id.as_deref(), Some("rev-2"));
    assert!(
        record.reason.contains("shift step 1 of 1"),
        "{}",
        record.reason
    );

    let saved = saved_state(dir.path());
    assert!(
        matches!(saved.phase, Phase::Completed { .. }),
        "{:?}",
        saved.phase
    );
}

#[tokio::test]
async fn alias_changed_while_baking_stops() {
    // The first step writes 10 % to version 13. While it bakes, another
    // operator rolls the alias back to version 12 alone.
    let update = mock!(Lambda::update_alias).then_http_response(|| {
        http_response(200, JSON, alias_body("12", r#"{"13":0.1}"#, "rev-2"))
    });
    let rolled_back = mock!(Lambda::get_alias)
        .then_http_response(|| http_response(200, JSON, alias_body("12", "{}", "rev-3")));
    let alarms = no_alarms();
    let clients = clients(&[&update, &rolled_back], &[&alarms]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::canary(10, 5));

    let end = executor(&clients, dir.path(), false)
        .run(&mut rollout, &mut |_| {})
        .await
        .expect("the run ends");

    let RunEnd::NeedsOperator { conflict, .. } = end else {
        panic!("expected NeedsOperator, got {end:?}");
    };
    assert!(
        matches!(conflict, Conflict::AliasChanged { .. }),
        "{conflict:?}"
    );
    assert_eq!(update.num_calls(), 1, "nothing is written over the change");
    assert!(rolled_back.num_calls() >= 1);
    let saved = saved_state(dir.path());
    assert!(
        matches!(saved.phase, Phase::Conflict { .. }),
        "{:?}",
        saved.phase
    );
}

#[tokio::test]
async fn rollout_ended_elsewhere_is_adopted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rollout = plan(Strategy::canary(10, 5));
    // What `anshin rollback` in another shell saves for this rollout.
    let mut ended = rollout.clone();
    ended
        .apply(
            Utc::now(),
            Event::RollBackRequested {
                reason: "rolled back from another shell".to_string(),
            },
        )
        .expect("the rollout aborts");
    let state_dir = dir.path().to_path_buf();
    let update = mock!(Lambda::update_alias).then_http_response(|| {
        http_response(200, JSON, alias_body("12", r#"{"13":0.1}"#, "rev-2"))
    });
    // The other process saves its state while this one reads the alias.
    let rolled_back = mock!(Lambda::get_alias).then_http_response(move || {
        StateStore::new(&state_dir)
            .save(&ended)
            .expect("state saved");
        http_response(200, JSON, alias_body("12", "{}", "rev-3"))
    });
    let alarms = no_alarms();
    let clients = clients(&[&update, &rolled_back], &[&alarms]);

    let end = executor(&clients, dir.path(), false)
        .run(&mut rollout, &mut |_| {})
        .await
        .expect("the run ends");

    assert!(
        matches!(end, RunEnd::Finished(Outcome::Aborted { .. })),
        "{end:?}"
    );
    assert_eq!(update.num_calls(), 1, "nothing is written over the change");
    let saved = saved_state(dir.path());
    assert!(
        matches!(saved.phase, Phase::Aborted { .. }),
        "{:?}",
        saved.phase
    );
}
