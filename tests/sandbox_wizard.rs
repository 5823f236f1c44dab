//! The guided rollback and the CodeDeploy pre-flight against the sandbox
//! endpoint. They need the sandbox: `sandbox/test` starts it and runs them
//! with `--include-ignored`.
//!
//! The guided rollback changes cart-api's `live` alias and restores the
//! seeded routing (4 with 5 at 5 %) when it ends, pass or fail.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use anshin::aws::{self, RegionClients};
use anshin::config::RolloutSection;
use anshin::model::FunctionKey;
use anshin::poll::PollConfig;
use anshin::rollout::executor::AuditLog;
use anshin::rollout::preflight::{Check, DeploymentCheck, Finding, Level};
use anshin::rollout::runner::{Runner, RunnerContext, RunnerEvent};
use anshin::ui::app::{App, Mode};
use anshin::ui::deploy::Writer;
use anshin::ui::theme::Theme;
use anshin::ui::wizard::Step;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use chrono::Utc;
use common::sandbox::{clients, context, endpoint};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const REGION: &str = "us-east-1";

async fn set_cart_alias(clients: &RegionClients, primary: &str, extra: Option<(&str, f64)>) {
    let weights = extra
        .map(|(version, weight)| [(version.to_string(), weight)].into_iter().collect())
        .unwrap_or_default();
    clients
        .lambda
        .update_alias()
        .function_name("cart-api")
        .name("live")
        .function_version(primary)
        .routing_config(
            AliasRoutingConfiguration::builder()
                .set_additional_version_weights(Some(weights))
                .build(),
        )
        .send()
        .await
        .expect("alias updates");
}

fn run_anshin(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args(args)
        .args(["--endpoint-url", &endpoint(), "--region", REGION])
        .env("ANSHIN_STATE_DIR", state)
        .env("ANSHIN_CONFIG_DIR", state.join("config"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("anshin runs")
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn codedeploy_deployment_blocks_shift() {
    let clients = clients(REGION).await;

    let owned = aws::deployment_check(&clients, "search-api", "live").await;
    let free = aws::deployment_check(&clients, "catalog-api", "live").await;

    assert!(
        matches!(&owned, DeploymentCheck::Owned(ids) if ids[0].contains("application shop-search / group search-api-live")),
        "{owned:?}"
    );
    // The seeded server deployment keeps its revision in S3; only Lambda
    // deployments count, so it neither blocks nor makes the check unknown.
    assert_eq!(free, DeploymentCheck::Known(false));

    let state = tempfile::tempdir().expect("temp dir");
    let output = run_anshin(
        state.path(),
        &[
            "shift",
            "search-api",
            "--alias",
            "live",
            "--to",
            "8",
            "--yes",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "stderr:\n{stderr}");
    let result: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(result["outcome"], "preflight_rejected", "{result}");
    assert!(stderr.contains("application shop-search"), "{stderr}");
    assert!(stderr.contains("owns this alias"), "{stderr}");
    let alias = aws::get_alias(&clients, "search-api", "live")
        .await
        .expect("alias reads");
    assert_eq!(alias.function_version, "9");
    assert!(alias.routing.is_empty());
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Opens the cockpit on the sandbox fleet with `function` selected, and a
/// runner that writes to `state`.
async fn cockpit(function: &str, state: &Path) -> (App, Runner) {
    let context = context(REGION).await;
    let fleet = anshin::snapshot::collect(&context, PollConfig::default(), |_| {}).await;
    let mut app = App::new(fleet, Mode::Live, Theme::default(), Utc::now());
    app.deploy.writer = Writer::Available;
    app.rollback.state_dir = Some(state.to_path_buf());
    app.selected = Some(FunctionKey {
        region: REGION.to_string(),
        name: function.to_string(),
    });
    let runner = Runner::new(RunnerContext {
        clients: context.regions[0].clone(),
        profile: None,
        settings: RolloutSection::default(),
        state_dir: state.to_path_buf(),
        read_only: false,
    });
    (app, runner)
}

/// Hands the wizard's next request to the runner and its event back to
/// the app, as the cockpit's event loop does.
async fn round_trip(app: &mut App, runner: &mut Runner) -> RunnerEvent {
    let request = app
        .take_wizard_request()
        .expect("the wizard sends a request");
    runner.submit(request);
    let event = tokio::time::timeout(Duration::from_secs(60), runner.next_event())
        .await
        .expect("the runner reports within a minute")
        .expect("the runner reports");
    app.apply_runner_event(event.clone());
    event
}

/// Opens the wizard with `b` and lets the runner read CodeDeploy for the
/// suggested alias.
async fn open_wizard(app: &mut App, runner: &mut Runner) {
    press(app, KeyCode::Char('b'));
    let event = round_trip(app, runner).await;
    assert!(
        matches!(&event, RunnerEvent::PreflightRead { .. }),
        "{event:?}"
    );
}

fn codedeploy_findings(app: &App) -> Vec<Finding> {
    app.rollback
        .wizard
        .as_ref()
        .expect("wizard is open")
        .findings
        .iter()
        .filter(|finding| finding.check == Check::CodeDeploy)
        .cloned()
        .collect()
}

/// Drives the wizard from the fleet to the sent request, as an operator
/// would: `b`, Enter through evidence, target and preview, then the typed
/// name of the env=prod function.
async fn guided_rollback(state: &Path) {
    let (mut app, mut runner) = cockpit("cart-api", state).await;
    open_wizard(&mut app, &mut runner).await;
    let wizard = app.rollback.wizard.as_ref().expect("wizard opens");
    assert_eq!(wizard.alias().map(|a| a.name.as_str()), Some("live"));
    assert_eq!(wizard.target.as_deref(), Some("4"), "suggested target");
    // No CodeDeploy deployment owns cart-api, and the read succeeded.
    assert_eq!(codedeploy_findings(&app), Vec::new());

    for _ in 0..3 {
        press(&mut app, KeyCode::Enter);
    }
    assert_eq!(
        app.rollback.wizard.as_ref().map(|w| w.step),
        Some(Step::Confirm)
    );
    for ch in "cart-api".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    press(&mut app, KeyCode::Enter);

    let event = round_trip(&mut app, &mut runner).await;
    assert!(
        matches!(&event, RunnerEvent::AliasWritten { result: Ok(_), .. }),
        "{event:?}"
    );
    assert_eq!(
        app.rollback.wizard.as_ref().map(|w| w.step),
        Some(Step::Verifying)
    );
    runner.shutdown();
}

/// search-api's `live` alias belongs to a seeded CodeDeploy deployment, so
/// the wizard must not send a rollback of it: the two would fight.
#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn codedeploy_deployment_blocks_wizard() {
    let state = tempfile::tempdir().expect("temp dir");
    let (mut app, mut runner) = cockpit("search-api", state.path()).await;

    open_wizard(&mut app, &mut runner).await;
    // The alias routes all traffic to one version and anshin never wrote
    // it, so there is no suggestion: the operator picks a version.
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Right);
    assert!(
        app.rollback
            .wizard
            .as_ref()
            .is_some_and(|wizard| wizard.target.is_some()),
        "a target is chosen"
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.rollback.wizard.as_ref().map(|w| w.step),
        Some(Step::Preview)
    );
    press(&mut app, KeyCode::Enter);

    assert_eq!(
        app.rollback.wizard.as_ref().map(|w| w.step),
        Some(Step::Preview),
        "the preview does not move on to the confirmation"
    );
    let findings = codedeploy_findings(&app);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].level, Level::Reject);
    assert!(findings[0].message.contains("shop-search"), "{findings:?}");
    let blocker = app
        .rollback
        .wizard
        .as_ref()
        .and_then(|wizard| wizard.send_blocker());
    assert!(blocker.is_some(), "the wizard cannot send");
    runner.shutdown();
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn guided_rollback_of_canary() {
    let clients = clients(REGION).await;
    set_cart_alias(&clients, "4", Some(("5", 0.05))).await;
    let state = tempfile::tempdir().expect("temp dir");
    let path = state.path().to_path_buf();

    let result = tokio::spawn(async move { guided_rollback(&path).await }).await;
    let alias = aws::get_alias(&clients, "cart-api", "live")
        .await
        .expect("alias reads");
    set_cart_alias(&clients, "4", Some(("5", 0.05))).await;
    if let Err(error) = result {
        std::panic::resume_unwind(error.into_panic());
    }

    assert_eq!(alias.function_version, "4");
    assert!(alias.routing.is_empty(), "{:?}", alias.routing);
    let records = AuditLog::new(state.path())
        .records()
        .expect("audit log reads");
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record.function, "cart-api");
    assert_eq!(record.alias, "live");
    assert_eq!(record.outcome, "succeeded");
    assert_eq!(record.before.weights.get("5"), Some(&0.05));
    assert_eq!(record.after.function_version, "4");
    assert!(record.after.weights.is_empty(), "{:?}", record.after);
    assert!(
        record.reason.contains("guided rollback to version 4"),
        "{}",
        record.reason
    );
}
