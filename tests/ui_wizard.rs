//! The guided rollback wizard, driven by key events and runner events and
//! rendered with ratatui's TestBackend: every step, the typed confirmation
//! of an env=prod function, the verification, and the refusals of
//! read-only and offline mode.

mod common;

use std::path::PathBuf;

use anshin::aws::{AwsError, ErrorKind};
use anshin::model::{Alias, FunctionKey, FunctionMetrics, MetricSeries, RoutingWeight};
use anshin::rollout::executor::{AliasSnapshot, AuditIdentity, AuditLog, AuditRecord, WriteKind};
use anshin::rollout::preflight::DeploymentCheck;
use anshin::rollout::runner::{AliasKey, RunFailure, RunRequest, RunnerEvent};
use anshin::ui::app::{App, Mode, View};
use anshin::ui::deploy::Writer;
use anshin::ui::keymap::Context;
use anshin::ui::theme::Theme;
use anshin::ui::views;
use anshin::ui::wizard::{Step, Verification};
use chrono::{DateTime, Duration, Utc};
use common::fleet::{REGION, now, populated_fleet};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTH: u16 = 110;
const HEIGHT: u16 = 36;

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

/// The fleet with orders-api selected and writes available. `state_dir`
/// contains no audit log unless a test writes one.
fn cockpit(state_dir: PathBuf) -> App {
    let mut app = App::new(populated_fleet(), Mode::Live, Theme::default(), now());
    app.deploy.writer = Writer::Available;
    app.rollback.state_dir = Some(state_dir);
    app.selected = Some(orders_key());
    app
}

fn set_env(app: &mut App, env: &str) {
    let entry = app
        .fleet
        .functions
        .get_mut(REGION)
        .and_then(|functions| functions.get_mut("orders-api"))
        .expect("orders-api is in the fleet");
    if let Some(tags) = entry.tags.as_mut() {
        tags.insert("env".to_string(), env.to_string());
    }
}

/// Opens the wizard with `b` and completes its pre-flight reads as the
/// runner would, for orders-api's `live` alias.
fn open_wizard_with(
    app: &mut App,
    codedeploy: DeploymentCheck,
    provisioned: Result<Vec<(String, u32)>, AwsError>,
) {
    press(app, KeyCode::Char('b'));
    let request = app.take_wizard_request();
    let Some(RunRequest::ReadPreflight { key }) = request else {
        panic!("the wizard reads its pre-flight first, got {request:?}");
    };
    // GetAlias returns the alias as the poll read it.
    let alias = app
        .rollback
        .wizard
        .as_ref()
        .and_then(|wizard| wizard.alias().cloned())
        .expect("the wizard has an alias");
    app.apply_runner_event(RunnerEvent::PreflightRead {
        key,
        alias: Ok(alias),
        codedeploy,
        provisioned,
    });
}

/// Opens the wizard on an alias that no CodeDeploy deployment owns, on a
/// function without provisioned concurrency.
fn open_wizard(app: &mut App) {
    open_wizard_with(app, DeploymentCheck::Known(false), Ok(Vec::new()));
}

fn step(app: &App) -> Option<Step> {
    app.rollback.wizard.as_ref().map(|wizard| wizard.step)
}

fn canary() -> Alias {
    Alias {
        name: "live".to_string(),
        function_version: "12".to_string(),
        routing: vec![RoutingWeight {
            version: "13".to_string(),
            weight: 0.1,
        }],
        revision_id: Some("alias-rev".to_string()),
        description: None,
    }
}

fn rolled_back() -> Alias {
    Alias {
        name: "live".to_string(),
        function_version: "12".to_string(),
        routing: Vec::new(),
        revision_id: Some("alias-rev-2".to_string()),
        description: None,
    }
}

#[test]
fn wizard_steps_render() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());

    open_wizard(&mut app);
    assert_eq!(step(&app), Some(Step::Evidence));
    let evidence = draw(&app);
    assert!(evidence.contains("v12 90% + v13 10%"), "{evidence}");
    assert!(
        evidence.contains("v13 errors 8.3% vs v12 0.3%"),
        "{evidence}"
    );
    insta::assert_snapshot!("wizard_1_evidence", evidence);

    press(&mut app, KeyCode::Enter);
    assert_eq!(step(&app), Some(Step::Target));
    let target = draw(&app);
    assert!(target.contains("version 12: primary version"), "{target}");
    insta::assert_snapshot!("wizard_2_target", target);

    press(&mut app, KeyCode::Enter);
    assert_eq!(step(&app), Some(Step::Preview));
    let preview = draw(&app);
    assert!(preview.contains("FunctionVersion  12"), "{preview}");
    assert!(preview.contains("RevisionId       alias-rev"), "{preview}");
    insta::assert_snapshot!("wizard_3_preview", preview);

    press(&mut app, KeyCode::Enter);
    assert_eq!(step(&app), Some(Step::Confirm));
    insta::assert_snapshot!("wizard_4_confirm_prod", draw(&app));
}

#[test]
fn prod_confirmation_needs_the_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    open_wizard(&mut app);
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(step(&app), Some(Step::Confirm));

    // `y` is text here, not a confirmation.
    type_text(&mut app, "y");
    press(&mut app, KeyCode::Enter);
    assert_eq!(step(&app), Some(Step::Confirm));
    assert!(app.take_wizard_request().is_none());
    let refused = draw(&app);
    assert!(refused.contains("does not match orders-api"), "{refused}");
    insta::assert_snapshot!("wizard_4_wrong_name", refused);

    type_text(&mut app, "orders-api");
    press(&mut app, KeyCode::Enter);
    assert_eq!(step(&app), Some(Step::Executing));
    let Some(RunRequest::SetAlias {
        key,
        seen,
        target,
        reason,
    }) = app.take_wizard_request()
    else {
        panic!("expected a SetAlias request");
    };
    assert_eq!(key, AliasKey::new("orders-api", "live"));
    assert_eq!(*seen, canary());
    assert_eq!(target, "12");
    assert!(reason.contains("guided rollback to version 12"), "{reason}");
    assert!(
        app.take_wizard_request().is_none(),
        "the request is sent once"
    );
}

#[test]
fn non_prod_confirms_with_second_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    set_env(&mut app, "staging");
    open_wizard(&mut app);
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(step(&app), Some(Step::Confirm));
    insta::assert_snapshot!("wizard_4_confirm_key", draw(&app));

    press(&mut app, KeyCode::Char('y'));

    assert_eq!(step(&app), Some(Step::Executing));
    assert!(matches!(
        app.take_wizard_request(),
        Some(RunRequest::SetAlias { target, .. }) if target == "12"
    ));
}

#[test]
fn esc_cancels_before_sending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    open_wizard(&mut app);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(step(&app), Some(Step::Evidence));

    press(&mut app, KeyCode::Esc);

    assert!(app.rollback.wizard.is_none());
    assert!(app.take_wizard_request().is_none());
    assert_eq!(app.view, View::Fleet);
}

#[test]
fn operator_changes_the_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    open_wizard(&mut app);
    press(&mut app, KeyCode::Enter);

    press(&mut app, KeyCode::Right);

    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert_eq!(wizard.target.as_deref(), Some("11"));
    assert!(draw(&app).contains("versions: 12  [11]"));
}

fn audit_record(before: Alias, after: Alias, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        time: at,
        identity: AuditIdentity::default(),
        function: "orders-api".to_string(),
        alias: "live".to_string(),
        before: AliasSnapshot::from_alias(&before),
        after: AliasSnapshot::from_alias(&after),
        reason: "shift step 1 of 2 (Canary10Percent5Minutes)".to_string(),
        kind: WriteKind::Shift,
        outcome: "succeeded".to_string(),
        error: None,
    }
}

#[test]
fn audit_log_suggests_the_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let audit = AuditLog::new(dir.path());
    let mut v11 = rolled_back();
    v11.function_version = "11".to_string();
    // The canary of 13 started from 11: the audit log outranks the routing,
    // whose primary is 12.
    let mut canary_from_11 = canary();
    canary_from_11.function_version = "11".to_string();
    audit
        .append(&audit_record(
            v11,
            canary_from_11,
            now() - Duration::minutes(20),
        ))
        .expect("appends");
    let mut app = cockpit(dir.path().to_path_buf());

    open_wizard(&mut app);
    press(&mut app, KeyCode::Enter);

    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert_eq!(wizard.target.as_deref(), Some("11"));
    let screen = draw(&app);
    assert!(
        screen.contains("version 11: the alias routed all traffic"),
        "{screen}"
    );
}

/// Errors and invocations per minute for the verification window.
fn function_metrics(
    from: DateTime<Utc>,
    minutes: i64,
    invocations: f64,
    errors: f64,
) -> FunctionMetrics {
    let at = |i: i64| from + Duration::minutes(i);
    FunctionMetrics {
        invocations: MetricSeries::from_pairs((0..minutes).map(|i| (at(i), invocations))),
        errors: MetricSeries::from_pairs((0..minutes).map(|i| (at(i), errors))),
        ..FunctionMetrics::default()
    }
}

fn sent_and_written(app: &mut App) {
    set_env(app, "staging");
    open_wizard(app);
    for _ in 0..3 {
        press(app, KeyCode::Enter);
    }
    press(app, KeyCode::Char('y'));
    assert!(app.take_wizard_request().is_some());
    app.apply_runner_event(RunnerEvent::AliasWritten {
        key: AliasKey::new("orders-api", "live"),
        result: Ok(Box::new(rolled_back())),
    });
}

/// Sets orders-api's metrics as a poll that read them up to `read_until`.
fn set_metrics(app: &mut App, metrics: FunctionMetrics, read_until: DateTime<Utc>) {
    app.fleet
        .metrics_window
        .get_mut(REGION)
        .expect("the region has a metrics window")
        .end = read_until;
    app.fleet
        .functions
        .get_mut(REGION)
        .and_then(|functions| functions.get_mut("orders-api"))
        .expect("orders-api is in the fleet")
        .metrics = Some(metrics);
}

#[test]
fn verification_reports_recovery() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    sent_and_written(&mut app);
    assert_eq!(step(&app), Some(Step::Verifying));
    insta::assert_snapshot!("wizard_5_verifying", draw(&app));

    // 0.4 % errors after the rollback, under twice v12's 0.28 % floored at
    // the 1 % below which ratios are ignored.
    // CloudWatch stamps datapoints on minute boundaries; the one of the
    // minute of the write (12:00) mixes traffic from before it and is left
    // out, so the window covers 12:01 to 12:05.
    let sent = now();
    let first_full_minute = sent + Duration::seconds(30);
    let metrics = function_metrics(first_full_minute, 10, 500.0, 2.0);
    set_metrics(&mut app, metrics.clone(), sent + Duration::minutes(3));
    app.tick(sent + Duration::minutes(3));
    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert!(
        matches!(wizard.verification, Some(Verification::Watching { .. })),
        "{:?}",
        wizard.verification
    );

    // The clock passed the end, but the last poll did not: keep watching.
    app.tick(sent + Duration::minutes(9));
    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert!(
        matches!(wizard.verification, Some(Verification::Watching { .. })),
        "{:?}",
        wizard.verification
    );

    set_metrics(&mut app, metrics, sent + Duration::minutes(9));
    app.tick(sent + Duration::minutes(9));
    let wizard = app.rollback.wizard.as_ref().expect("open");
    let Some(Verification::Recovered {
        rate, invocations, ..
    }) = wizard.verification
    else {
        panic!("expected Recovered, got {:?}", wizard.verification);
    };
    assert!((rate - 0.004).abs() < 1e-9, "{rate}");
    assert_eq!(invocations, 2500.0);
    insta::assert_snapshot!("wizard_5_recovered", draw(&app));
}

#[test]
fn verification_reports_no_recovery() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    sent_and_written(&mut app);
    let sent = now();
    set_metrics(
        &mut app,
        function_metrics(sent + Duration::seconds(30), 10, 500.0, 40.0),
        sent + Duration::minutes(9),
    );

    app.tick(sent + Duration::minutes(9));

    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert!(
        matches!(wizard.verification, Some(Verification::NotRecovered { rate, .. }) if (rate - 0.08).abs() < 1e-9),
        "{:?}",
        wizard.verification
    );
    assert!(draw(&app).contains("not recovered: error rate 8.0%"));
}

#[test]
fn closed_wizard_keeps_verifying_in_footer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    sent_and_written(&mut app);

    press(&mut app, KeyCode::Esc);

    assert!(app.rollback.hidden);
    assert!(!app.wizard_open());
    let screen = draw(&app);
    assert!(
        screen.contains("rollback orders-api:live → v12: watching"),
        "{screen}"
    );
    // Back in the fleet, keys act on the table again.
    assert_eq!(app.context(), Context::Fleet);

    // `b` on the same function shows the verification again, not a new
    // wizard.
    press(&mut app, KeyCode::Char('b'));
    assert!(app.wizard_open());
    assert_eq!(step(&app), Some(Step::Verifying));

    // On another function it starts a new rollback.
    press(&mut app, KeyCode::Esc);
    app.selected = Some(FunctionKey {
        region: REGION.to_string(),
        name: "cart-api".to_string(),
    });
    press(&mut app, KeyCode::Char('b'));
    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert_eq!(wizard.key.name, "cart-api");
    assert_eq!(wizard.step, Step::Evidence);
}

#[test]
fn conflict_shows_new_routing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    set_env(&mut app, "staging");
    open_wizard(&mut app);
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    press(&mut app, KeyCode::Char('y'));
    let mut now_alias = canary();
    now_alias.routing[0].weight = 0.5;

    app.apply_runner_event(RunnerEvent::AliasWritten {
        key: AliasKey::new("orders-api", "live"),
        result: Err(RunFailure::Conflict {
            alias: Some(Box::new(now_alias)),
        }),
    });

    assert_eq!(step(&app), Some(Step::Failed));
    let screen = draw(&app);
    assert!(screen.contains("v12 50% + v13 50%"), "{screen}");
    assert!(screen.contains("Nothing was sent again"), "{screen}");
}

#[test]
fn read_only_refuses_to_send() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    app.deploy.read_only = true;

    open_wizard(&mut app);
    let evidence = draw(&app);
    assert!(
        evidence.contains("writes disabled: read-only mode"),
        "{evidence}"
    );
    assert!(evidence.contains("v13 errors"), "{evidence}");
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }

    assert_eq!(step(&app), Some(Step::Preview));
    assert!(app.take_wizard_request().is_none());
    insta::assert_snapshot!("wizard_read_only", draw(&app));
}

#[test]
fn offline_snapshot_refuses_to_send() {
    let mut app = App::new(
        populated_fleet(),
        Mode::Offline {
            path: PathBuf::from("fleet.json"),
        },
        Theme::default(),
        now(),
    );
    app.selected = Some(orders_key());
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::Detail(orders_key()));

    press(&mut app, KeyCode::Char('b'));
    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }

    assert_eq!(step(&app), Some(Step::Preview));
    let screen = draw(&app);
    assert!(screen.contains("offline snapshot"), "{screen}");
    assert!(screen.contains("cannot send"), "{screen}");
    assert!(app.take_wizard_request().is_none());
}

#[test]
fn codedeploy_owner_blocks_send() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    set_env(&mut app, "staging");
    let owner = "d-4Z8YC3PQB (InProgress, application shop-orders / group orders-api-live)";
    open_wizard_with(
        &mut app,
        DeploymentCheck::Owned(vec![owner.to_string()]),
        Ok(Vec::new()),
    );

    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    press(&mut app, KeyCode::Char('y'));

    assert_eq!(step(&app), Some(Step::Preview));
    assert!(app.take_wizard_request().is_none(), "nothing is sent");
    let screen = draw(&app);
    assert!(screen.contains("d-4Z8YC3PQB"), "{screen}");
    assert!(screen.contains("finding above stops"), "{screen}");
    insta::assert_snapshot!("wizard_codedeploy_owned", screen);
}

#[test]
fn codedeploy_unread_is_shown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    press(&mut app, KeyCode::Char('b'));
    for _ in 0..2 {
        press(&mut app, KeyCode::Enter);
    }

    assert_eq!(step(&app), Some(Step::Preview));
    let screen = draw(&app);
    assert!(screen.contains("CodeDeploy not read yet"), "{screen}");
}

#[test]
fn provisioned_unread_warns_in_preview() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    let unsupported = AwsError {
        kind: ErrorKind::Unsupported,
        action: "lambda:ListProvisionedConcurrencyConfigs".to_string(),
        code: None,
        message: None,
        status: Some(404),
        request_id: None,
    };
    open_wizard_with(&mut app, DeploymentCheck::Known(false), Err(unsupported));

    for _ in 0..2 {
        press(&mut app, KeyCode::Enter);
    }

    assert_eq!(step(&app), Some(Step::Preview));
    let screen = draw(&app);
    assert!(
        screen.contains("provisioned concurrency was not checked"),
        "{screen}"
    );
}

#[test]
fn codedeploy_owner_shown_in_evidence() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    let owner = "d-4Z8YC3PQB (InProgress, application shop-orders / group orders-api-live)";

    open_wizard_with(
        &mut app,
        DeploymentCheck::Owned(vec![owner.to_string()]),
        Ok(Vec::new()),
    );

    assert_eq!(step(&app), Some(Step::Evidence));
    let screen = draw(&app);
    assert!(screen.contains("CodeDeploy"), "{screen}");
    assert!(screen.contains("d-4Z8YC3PQB"), "{screen}");
}

#[test]
fn other_wizard_keeps_verification() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    sent_and_written(&mut app);
    press(&mut app, KeyCode::Esc);
    let cart = FunctionKey {
        region: REGION.to_string(),
        name: "cart-api".to_string(),
    };
    app.selected = Some(cart.clone());

    // A wizard on cart-api, cancelled before sending.
    press(&mut app, KeyCode::Char('b'));
    assert_eq!(
        app.rollback.wizard.as_ref().map(|w| w.key.clone()),
        Some(cart)
    );
    let screen = draw(&app);
    assert!(
        screen.contains("rollback orders-api:live → v12: watching"),
        "the footer keeps the verification while the other wizard is open: {screen}"
    );
    press(&mut app, KeyCode::Esc);

    let screen = draw(&app);
    assert!(
        screen.contains("rollback orders-api:live → v12: watching"),
        "{screen}"
    );
    app.selected = Some(orders_key());
    press(&mut app, KeyCode::Char('b'));
    assert!(app.wizard_open());
    assert_eq!(step(&app), Some(Step::Verifying));
}

#[test]
fn written_alias_updates_fleet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());

    sent_and_written(&mut app);

    let entry = app.fleet.entry(&orders_key()).expect("orders-api entry");
    let live = entry
        .aliases
        .as_ref()
        .and_then(|aliases| aliases.iter().find(|alias| alias.name == "live"))
        .expect("live alias");
    assert_eq!(live, &rolled_back());
}

#[test]
fn fresh_alias_replaces_polled_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    press(&mut app, KeyCode::Char('b'));
    let Some(RunRequest::ReadPreflight { key }) = app.take_wizard_request() else {
        panic!("the wizard reads its pre-flight first");
    };

    // Someone rolled the alias back since the last poll.
    let mut now_alias = rolled_back();
    now_alias.revision_id = Some("rev-after-someone-else".to_string());
    app.apply_runner_event(RunnerEvent::PreflightRead {
        key,
        alias: Ok(now_alias.clone()),
        codedeploy: DeploymentCheck::Known(false),
        provisioned: Ok(Vec::new()),
    });

    let wizard = app.rollback.wizard.as_ref().expect("wizard is open");
    assert_eq!(wizard.alias(), Some(&now_alias));
    let screen = draw(&app);
    assert!(
        screen.contains("the alias changed since the last poll"),
        "{screen}"
    );
    assert!(screen.contains("rev-after-someone-else"), "{screen}");
}

#[test]
fn verification_names_limit_basis() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = cockpit(dir.path().to_path_buf());
    sent_and_written(&mut app);

    // v12 failed 3 % of its calls before the rollback: the limit is twice
    // that, above the guard's 1 % floor, and the text names its source.
    let wizard = app.rollback.wizard.as_mut().expect("open");
    let stable = wizard
        .evidence
        .versions
        .iter_mut()
        .find(|version| version.version == "12")
        .expect("v12 in the evidence");
    stable.invocations = Some(1000.0);
    stable.errors = Some(30.0);

    let wizard = app.rollback.wizard.as_ref().expect("open");
    assert!((wizard.recovery_limit() - 0.06).abs() < 1e-9);
    let screen = draw(&app);
    assert!(
        screen.contains("limit 6.0% (v12's 3.0% before, times 2)"),
        "{screen}"
    );

    // Without a rate for v12, the guard's maximum applies and is named.
    let wizard = app.rollback.wizard.as_mut().expect("open");
    for version in &mut wizard.evidence.versions {
        version.invocations = None;
    }
    let screen = draw(&app);
    assert!(
        screen.contains("(the guard's maximum: no error rate of v12 before)"),
        "{screen}"
    );
}
