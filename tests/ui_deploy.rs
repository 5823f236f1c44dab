//! The Deploy tab and the unfinished-rollout prompt, driven by key events
//! and runner events and rendered with ratatui's TestBackend. The rollout
//! runner runs against mocked Lambda and CloudWatch clients here too.

mod common;

use std::time::Duration;

use anshin::config::RolloutSection;
use anshin::model::{Alias, FunctionKey};
use anshin::rollout::executor::{RunEnd, StateStore};
use anshin::rollout::runner::{
    self, AliasKey, Preview, Progress, RunFailure, RunRequest, Runner, RunnerContext, RunnerEvent,
};
use anshin::rollout::{
    AnalysisWindow, Decision, Evaluation, Event, InconclusiveReason, Outcome, RollbackReason,
    Rollout, RolloutConfig, Strategy, UnhealthyReason, Verdict, VersionStats, Write,
};
use anshin::ui::app::{App, DetailTab, Mode, View};
use anshin::ui::deploy::{DeployCommand, Field, Stage, Writer};
use anshin::ui::theme::Theme;
use anshin::ui::views;
use aws_sdk_cloudwatch::Client as CloudWatch;
use aws_sdk_lambda::Client as Lambda;
use aws_sdk_sts::Client as Sts;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use chrono::TimeDelta;
use common::fleet::{REGION, now, populated_fleet};
use common::{cloudwatch_client, http_response, lambda_client, logs_client, sts_client};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_text(app: &mut App, text: &str) {
    for ch in text.chars() {
        press(app, KeyCode::Char(ch));
    }
}

fn orders_key() -> FunctionKey {
    FunctionKey {
        region: REGION.to_string(),
        name: "orders-api".to_string(),
    }
}

fn live_key() -> AliasKey {
    AliasKey::new("orders-api", "live")
}

/// Opens the cockpit on orders-api's Deploy tab, with writes available.
fn deploy_tab() -> App {
    let mut app = App::new(populated_fleet(), Mode::Live, Theme::default(), now());
    app.deploy.writer = Writer::Available;
    app.selected = Some(orders_key());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('8'));
    assert_eq!(app.view, View::Detail(orders_key()));
    assert_eq!(app.detail_tab, DetailTab::Deploy);
    app
}

fn alias_v12() -> Alias {
    Alias {
        name: "live".to_string(),
        function_version: "12".to_string(),
        routing: Vec::new(),
        revision_id: Some("rev-1".to_string()),
        description: None,
    }
}

fn planned() -> Rollout {
    Rollout::plan(
        "orders-api",
        &alias_v12(),
        "13",
        Strategy::canary(10, 5),
        RolloutConfig::default(),
        now(),
    )
    .expect("plan is valid")
}

/// Returns the planned rollout with its first step written and baking.
fn baking() -> Rollout {
    let mut rollout = planned();
    rollout
        .apply(now(), Event::WriteSent(Write::Step { step: 0 }))
        .expect("write sent");
    rollout
        .apply(now(), Event::WriteSucceeded)
        .expect("write succeeded");
    rollout
}

fn preview(production: bool) -> Preview {
    Preview {
        alias: alias_v12(),
        findings: Vec::new(),
        plan: Ok(planned()),
        production,
        production_note: None,
    }
}

fn prepared(app: &mut App, production: bool) {
    app.apply_rollout(RunnerEvent::Prepared {
        key: live_key(),
        result: Ok(Box::new(preview(production))),
    });
}

fn submitted(app: &mut App) -> Vec<RunRequest> {
    app.take_deploy_commands()
        .into_iter()
        .filter_map(|command| match command {
            DeployCommand::Submit(request) => Some(request),
            DeployCommand::Abort { .. } => None,
        })
        .collect()
}

/// Starts a rollout of orders-api:live from the preview.
fn running() -> App {
    let mut app = deploy_tab();
    press(&mut app, KeyCode::Enter);
    submitted(&mut app);
    prepared(&mut app, false);
    press(&mut app, KeyCode::Char('y'));
    let requests = submitted(&mut app);
    assert!(matches!(requests.as_slice(), [RunRequest::Start(_)]));
    app
}

fn window(start_minute: i64) -> AnalysisWindow {
    AnalysisWindow {
        start: now() + TimeDelta::minutes(start_minute),
        end: now() + TimeDelta::minutes(start_minute + 3),
    }
}

fn progress(decision: Decision, evaluation: Evaluation) -> RunnerEvent {
    RunnerEvent::Progress {
        key: live_key(),
        progress: Box::new(Progress {
            at: now(),
            rollout: baking(),
            decision,
            evaluation: Some(evaluation),
        }),
    }
}

#[test]
fn form_shows_routing_and_defaults() {
    let app = deploy_tab();

    let form = &app.deploy.form;
    assert_eq!(form.alias.as_deref(), Some("live"));
    assert_eq!(
        form.target.as_deref(),
        Some("13"),
        "newest version not live"
    );
    assert_eq!(form.strategy(), Strategy::canary(10, 5));
    let screen = draw(&app);
    assert!(screen.contains("v12 90.0% + v13 10.0%"), "{screen}");
    assert!(screen.contains("RevisionId alias-rev"), "{screen}");
    insta::assert_snapshot!("deploy_form", screen);
}

#[test]
fn form_fields_change_with_arrows() {
    let mut app = deploy_tab();

    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Down);
    for _ in 0..9 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);

    let form = &app.deploy.form;
    assert_eq!(form.target.as_deref(), Some("12"));
    assert_eq!(form.strategy(), Strategy::canary(20, 6));
    assert_eq!(form.field, Field::MaxErrorRate);
    assert!((form.thresholds.max_error_rate - 0.055).abs() < 1e-9);
    assert_eq!(
        app.view,
        View::Detail(orders_key()),
        "arrows stay on the tab"
    );
    let screen = draw(&app);
    assert!(screen.contains("custom canary:20:6"), "{screen}");
    insta::assert_snapshot!("deploy_form_custom", screen);
}

#[test]
fn enter_requests_preflight_only() {
    let mut app = deploy_tab();

    press(&mut app, KeyCode::Enter);

    let requests = submitted(&mut app);
    let [
        RunRequest::Prepare {
            key,
            target,
            strategy,
            ..
        },
    ] = requests.as_slice()
    else {
        panic!("expected one pre-flight request, got {requests:?}");
    };
    assert_eq!(key, &live_key());
    assert_eq!(target, "13");
    assert_eq!(*strategy, Strategy::canary(10, 5));
    assert!(matches!(app.deploy.stage, Stage::Preparing(_)));
}

#[test]
fn preview_needs_second_confirmation() {
    let mut app = deploy_tab();
    press(&mut app, KeyCode::Enter);
    submitted(&mut app);
    prepared(&mut app, false);

    let screen = draw(&app);
    assert!(
        screen.contains("UpdateAlias FunctionName=orders-api Name=live"),
        "{screen}"
    );
    assert!(
        screen.contains(r#"AdditionalVersionWeights={"13":0.1}"#),
        "{screen}"
    );
    assert!(screen.contains("RevisionId=rev-1"), "{screen}");
    insta::assert_snapshot!("deploy_preview", screen);

    press(&mut app, KeyCode::Enter);
    assert!(
        submitted(&mut app).is_empty(),
        "a second Enter does not send"
    );
    press(&mut app, KeyCode::Char('y'));
    let requests = submitted(&mut app);
    assert!(
        matches!(requests.as_slice(), [RunRequest::Start(r)] if r.new_version == "13"),
        "{requests:?}"
    );
}

#[test]
fn preview_cancel_sends_nothing() {
    let mut app = deploy_tab();
    press(&mut app, KeyCode::Enter);
    submitted(&mut app);
    prepared(&mut app, false);

    press(&mut app, KeyCode::Esc);

    assert!(matches!(app.deploy.stage, Stage::Form));
    assert_eq!(app.view, View::Detail(orders_key()));
    assert!(submitted(&mut app).is_empty());
}

#[test]
fn prod_needs_typed_function_name() {
    let mut app = deploy_tab();
    press(&mut app, KeyCode::Enter);
    submitted(&mut app);
    prepared(&mut app, true);

    press(&mut app, KeyCode::Char('y'));
    assert!(submitted(&mut app).is_empty(), "y is text here");
    press(&mut app, KeyCode::Backspace);
    type_text(&mut app, "orders");
    press(&mut app, KeyCode::Enter);
    assert!(
        submitted(&mut app).is_empty(),
        "a partial name does not send"
    );
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("does not match")),
        "{:?}",
        app.notice
    );

    type_text(&mut app, "-api");
    let screen = draw(&app);
    assert!(screen.contains("type the function name"), "{screen}");
    insta::assert_snapshot!("deploy_prod_confirmation", screen);
    press(&mut app, KeyCode::Enter);
    let requests = submitted(&mut app);
    assert!(
        matches!(requests.as_slice(), [RunRequest::Start(_)]),
        "{requests:?}"
    );
}

#[test]
fn blocked_preflight_cannot_start() {
    let mut app = deploy_tab();
    press(&mut app, KeyCode::Enter);
    submitted(&mut app);
    let mut blocked = preview(false);
    blocked.plan = Err("nothing to shift: alias already points to version 13".to_string());
    app.apply_rollout(RunnerEvent::Prepared {
        key: live_key(),
        result: Ok(Box::new(blocked)),
    });

    press(&mut app, KeyCode::Char('y'));

    assert!(submitted(&mut app).is_empty());
    let screen = draw(&app);
    assert!(screen.contains("cannot plan: nothing to shift"), "{screen}");
}

#[test]
fn progress_shows_hold_then_fail() {
    let mut app = running();
    let hold = Evaluation {
        verdict: Verdict::Inconclusive(InconclusiveReason::TooFewInvocations {
            version: "13".to_string(),
            invocations: 40.0,
            errors: 1.0,
            required: 100,
        }),
        window: Some(window(1)),
        new: None,
        stable: None,
        skipped: Vec::new(),
    };
    app.apply_rollout(progress(
        Decision::Hold {
            reason: InconclusiveReason::NoData {
                version: "13".to_string(),
            },
            since: now(),
            roll_back_at: now() + TimeDelta::minutes(30),
            next_check: now() + TimeDelta::seconds(60),
        },
        hold,
    ));
    let fail = Evaluation {
        verdict: Verdict::Unhealthy(vec![UnhealthyReason::ErrorRateAboveMax {
            rate: 0.2,
            max: 0.05,
        }]),
        window: Some(window(2)),
        new: Some(VersionStats {
            invocations: 150.0,
            errors: 30.0,
        }),
        stable: Some(VersionStats {
            invocations: 1350.0,
            errors: 4.0,
        }),
        skipped: Vec::new(),
    };
    let reason = RollbackReason::Unhealthy {
        reasons: vec![UnhealthyReason::ErrorRateAboveMax {
            rate: 0.2,
            max: 0.05,
        }],
    };
    app.apply_rollout(progress(
        Decision::RollBack {
            reason: reason.clone(),
            routing: planned().rollback_routing(),
            expected_revision_id: "rev-2".to_string(),
        },
        fail,
    ));

    let run = app.deploy.runs.get(&live_key()).expect("run is shown");
    assert_eq!(run.intervals.len(), 2, "one verdict per window");
    let screen = draw(&app);
    assert!(screen.contains("hold (inconclusive)"), "{screen}");
    assert!(screen.contains("40 invocations"), "{screen}");
    assert!(screen.contains("fail"), "{screen}");
    assert!(screen.contains("new 30/150 = 20"), "{screen}");
    insta::assert_snapshot!("deploy_progress_fail", screen);

    let mut rolled_back = baking();
    rolled_back.phase = anshin::rollout::Phase::RolledBack {
        at: now(),
        reason: reason.clone(),
    };
    app.apply_rollout(RunnerEvent::Finished {
        key: live_key(),
        rollout: Box::new(rolled_back),
        result: Ok(RunEnd::Finished(Outcome::RolledBack { reason })),
    });
    let screen = draw(&app);
    assert!(screen.contains("result: rolled back"), "{screen}");
}

#[test]
fn countdown_to_next_step() {
    let mut app = running();
    let baking_wait = Decision::Wait {
        until: now() + TimeDelta::seconds(60),
        reason: anshin::rollout::WaitReason::Baking {
            step: 0,
            final_at: now() + TimeDelta::seconds(7 * 60 + 5),
        },
    };
    app.apply_rollout(progress(
        baking_wait,
        Evaluation {
            verdict: Verdict::Healthy,
            window: Some(window(1)),
            new: Some(VersionStats {
                invocations: 120.0,
                errors: 0.0,
            }),
            stable: None,
            skipped: Vec::new(),
        },
    ));

    let screen = draw(&app);
    assert!(screen.contains("in 7:05"), "{screen}");
    assert!(screen.contains("pass"), "{screen}");
}

#[test]
fn abort_is_two_phase() {
    let mut app = running();

    press(&mut app, KeyCode::Char('a'));
    assert_eq!(app.deploy.abort_pending, Some(live_key()));
    let screen = draw(&app);
    assert!(
        screen.contains("Abort the rollout of orders-api:live?"),
        "{screen}"
    );
    insta::assert_snapshot!("deploy_abort_question", screen);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.deploy.abort_pending, None);
    assert!(app.take_deploy_commands().is_empty());
    assert_eq!(app.view, View::Detail(orders_key()), "Esc only cancels");

    press(&mut app, KeyCode::Char('a'));
    press(&mut app, KeyCode::Char('y'));
    let commands = app.take_deploy_commands();
    assert!(
        matches!(commands.as_slice(), [DeployCommand::Abort { key, .. }] if *key == live_key()),
        "{commands:?}"
    );
}

#[test]
fn read_only_rejection_is_shown() {
    let mut app = running();
    app.deploy.read_only = true;
    app.apply_rollout(RunnerEvent::Finished {
        key: live_key(),
        rollout: Box::new(planned()),
        result: Err(RunFailure::ReadOnly(
            "read-only mode: lambda:UpdateAlias on orders-api:live was not sent".to_string(),
        )),
    });

    let screen = draw(&app);
    assert!(
        screen.contains("read-only mode: anshin rejects every alias write"),
        "{screen}"
    );
    assert!(
        screen.contains("result: rejected: read-only mode"),
        "{screen}"
    );
    insta::assert_snapshot!("deploy_read_only", screen);
}

#[test]
fn offline_disables_writes() {
    let mut app = App::new(
        populated_fleet(),
        Mode::Offline {
            path: "snapshot.json".into(),
        },
        Theme::default(),
        now(),
    );
    app.selected = Some(orders_key());
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('8'));

    press(&mut app, KeyCode::Enter);

    assert!(app.take_deploy_commands().is_empty());
    assert!(
        app.notice
            .as_deref()
            .is_some_and(|n| n.contains("offline snapshot")),
        "{:?}",
        app.notice
    );
    let screen = draw(&app);
    assert!(
        screen.contains("offline snapshot: writes are disabled"),
        "{screen}"
    );
}

/// Starts the cockpit with the rollouts persisted in `dir`.
fn started_with(dir: &std::path::Path) -> App {
    let mut app = App::new(populated_fleet(), Mode::Live, Theme::default(), now());
    app.deploy.writer = Writer::Available;
    app.deploy.set_unfinished(runner::unfinished_rollouts(dir));
    app
}

#[test]
fn startup_prompt_from_state_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    StateStore::new(dir.path())
        .save(&baking())
        .expect("state saves");

    let mut app = started_with(dir.path());

    let screen = draw(&app);
    assert!(screen.contains("Unfinished rollout"), "{screen}");
    assert!(screen.contains("orders-api:live  v12 → v13"), "{screen}");
    assert!(
        screen.contains("step 1 of 2 (10%) live, baking"),
        "{screen}"
    );
    insta::assert_snapshot!("deploy_startup_prompt", screen);

    press(&mut app, KeyCode::Char('l'));
    assert!(app.deploy.prompt.is_none());
    assert!(
        app.take_deploy_commands().is_empty(),
        "leave writes nothing"
    );
    assert!(
        StateStore::new(dir.path())
            .load("orders-api", "live")
            .expect("state reads")
            .is_some(),
        "leave keeps the state file"
    );
}

#[test]
fn startup_prompt_rolls_back_after_confirm() {
    let dir = tempfile::tempdir().expect("temp dir");
    StateStore::new(dir.path())
        .save(&baking())
        .expect("state saves");
    let mut app = started_with(dir.path());

    press(&mut app, KeyCode::Char('b'));
    assert!(app.take_deploy_commands().is_empty(), "b only asks");
    let screen = draw(&app);
    assert!(
        screen.contains("Roll back? UpdateAlias orders-api:live FunctionVersion=12"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('y'));

    let requests = submitted(&mut app);
    assert!(
        matches!(requests.as_slice(), [RunRequest::RollBack { rollout, .. }] if rollout.stable_version == "12"),
        "{requests:?}"
    );
    assert!(app.deploy.prompt.is_none());
}

#[test]
fn startup_prompt_resumes_after_confirm() {
    let dir = tempfile::tempdir().expect("temp dir");
    StateStore::new(dir.path())
        .save(&baking())
        .expect("state saves");
    let mut app = started_with(dir.path());

    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Esc);
    assert!(
        app.deploy
            .prompt
            .as_ref()
            .is_some_and(|p| p.pending.is_none())
    );
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('y'));

    let requests = submitted(&mut app);
    assert!(
        matches!(requests.as_slice(), [RunRequest::Resume(_)]),
        "{requests:?}"
    );
}

#[test]
fn unreadable_state_file_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("rollouts")).expect("dir");
    std::fs::write(dir.path().join("rollouts/orders-api-live.json"), "{}").expect("writes");

    let app = started_with(dir.path());

    assert!(app.deploy.prompt.is_none());
    assert_eq!(app.deploy.unreadable.len(), 1);
    assert!(app.deploy.unreadable[0].contains("orders-api-live.json"));
}

const JSON: &str = "application/json";
const NO_ALARMS: &str = r#"<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms></MetricAlarms></DescribeAlarmsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAlarmsResponse>"#;
const CALLER: &str = r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/oncall/alice</Arn><UserId>AROA:alice</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#;

fn mocked_runner(lambda: &[&Rule], state_dir: &std::path::Path, read_only: bool) -> Runner {
    let alarms = mock!(CloudWatch::describe_alarms)
        .then_http_response(|| http_response(200, "text/xml", NO_ALARMS));
    let caller = mock!(Sts::get_caller_identity)
        .then_http_response(|| http_response(200, "text/xml", CALLER));
    let clients = anshin::aws::RegionClients::from_clients(
        REGION,
        lambda_client(RuleMode::MatchAny, lambda, 3),
        cloudwatch_client(RuleMode::MatchAny, &[&alarms], 1),
        logs_client(RuleMode::MatchAny, &[]),
        sts_client(RuleMode::MatchAny, &[&caller]),
        1_000,
    )
    .expect("valid rate");
    Runner::new(RunnerContext {
        clients,
        profile: Some("prod".to_string()),
        settings: RolloutSection::default(),
        state_dir: state_dir.to_path_buf(),
        read_only,
    })
}

async fn events_until_finished(runner: &mut Runner) -> Vec<RunnerEvent> {
    let mut events = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), runner.next_event())
            .await
            .expect("the runner reports within 10 s")
            .expect("the channel stays open");
        let done = matches!(event, RunnerEvent::Finished { .. });
        events.push(event);
        if done {
            return events;
        }
    }
}

#[tokio::test]
async fn precondition_failed_asks_again() {
    let update = mock!(Lambda::update_alias).then_http_response(|| {
        http_response(
            412,
            JSON,
            r#"{"__type":"PreconditionFailedException","message":"The RevisionId provided does not match the latest RevisionId"}"#,
        )
    });
    let reread = mock!(Lambda::get_alias).then_http_response(|| {
        http_response(
            200,
            JSON,
            r#"{"Name":"live","FunctionVersion":"14","RoutingConfig":{"AdditionalVersionWeights":{}},"RevisionId":"rev-other"}"#,
        )
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let mut runner = mocked_runner(&[&update, &reread], dir.path(), false);
    let mut app = running();

    runner.submit(RunRequest::Start(Box::new(planned())));
    for event in events_until_finished(&mut runner).await {
        app.apply_rollout(event);
    }

    assert_eq!(update.num_calls(), 1, "the write is never sent again");
    let prompt = app
        .deploy
        .prompt
        .as_ref()
        .expect("the operator is asked again");
    assert_eq!(
        prompt
            .alias_now
            .as_ref()
            .map(|a| a.function_version.as_str()),
        Some("14")
    );
    let screen = draw(&app);
    assert!(
        screen.contains("the alias now routes v14 100.0% (RevisionId rev-other)"),
        "{screen}"
    );
    assert!(screen.contains("PreconditionFailedException"), "{screen}");
}

#[tokio::test]
async fn read_only_runner_sends_nothing() {
    let update = mock!(Lambda::update_alias).then_http_response(|| http_response(200, JSON, "{}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut runner = mocked_runner(&[&update], dir.path(), true);

    runner.submit(RunRequest::Start(Box::new(planned())));
    let events = events_until_finished(&mut runner).await;

    assert_eq!(update.num_calls(), 0);
    let Some(RunnerEvent::Finished { result, .. }) = events.last() else {
        panic!("expected a finished event, got {events:?}");
    };
    assert!(matches!(result, Err(RunFailure::ReadOnly(_))), "{result:?}");
    assert!(
        StateStore::new(dir.path())
            .load("orders-api", "live")
            .expect("state reads")
            .is_none(),
        "a rejected rollout leaves no unfinished state"
    );
}

#[tokio::test]
async fn read_only_rollback_keeps_state() {
    let update = mock!(Lambda::update_alias).then_http_response(|| http_response(200, JSON, "{}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let store = StateStore::new(dir.path());
    let mut persisted = baking();
    persisted
        .apply(
            now(),
            Event::AliasRead(Alias {
                routing: vec![anshin::model::RoutingWeight {
                    version: "13".to_string(),
                    weight: 0.1,
                }],
                revision_id: Some("rev-2".to_string()),
                ..alias_v12()
            }),
        )
        .expect("alias read");
    store.save(&persisted).expect("state saves");
    let mut runner = mocked_runner(&[&update], dir.path(), true);

    runner.submit(RunRequest::RollBack {
        rollout: Box::new(persisted.clone()),
        reason: "test".to_string(),
    });
    let events = events_until_finished(&mut runner).await;

    assert_eq!(update.num_calls(), 0);
    let Some(RunnerEvent::Finished { result, .. }) = events.last() else {
        panic!("expected a finished event, got {events:?}");
    };
    assert!(matches!(result, Err(RunFailure::ReadOnly(_))), "{result:?}");
    let kept = store
        .load("orders-api", "live")
        .expect("state reads")
        .expect("state stays");
    assert_eq!(kept.phase, persisted.phase);
    let records = anshin::rollout::executor::AuditLog::new(dir.path())
        .records()
        .expect("audit reads");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, "refused_read_only");
}
