//! Against the sandbox endpoint: the cockpit's unfinished-rollout prompt
//! after a real `anshin shift` was killed with SIGKILL mid-rollout, and the
//! guard's duration limit. Needs the sandbox: `sandbox/test` starts it and
//! runs these with `--include-ignored`.
//!
//! The tests change cart-api's `live` alias, so they hold one lock and
//! restore the seeded routing (4 with 5 at 5 %) when they end, pass or fail.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anshin::aws::{self, RegionClients};
use anshin::config::RolloutSection;
use anshin::model::Fleet;
use anshin::rollout::Phase;
use anshin::rollout::executor::{AuditLog, RunEnd, StateStore};
use anshin::rollout::runner::{self, RunRequest, Runner, RunnerContext, RunnerEvent};
use anshin::ui::app::{App, Mode};
use anshin::ui::deploy::{DeployCommand, Writer};
use anshin::ui::theme::Theme;
use anshin::ui::views;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use chrono::Utc;
use common::sandbox::{clients, endpoint};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

static CART_ALIAS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const REGION: &str = "us-east-1";

async fn set_cart_alias(clients: &RegionClients, primary: &str, extra: Option<(&str, f64)>) {
    let weights = extra
        .map(|(version, weight)| [(version.to_string(), weight)].into_iter().collect())
        .unwrap_or_default();
    let routing = AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(weights))
        .build();
    clients
        .lambda
        .update_alias()
        .function_name("cart-api")
        .name("live")
        .function_version(primary)
        .routing_config(routing)
        .send()
        .await
        .expect("alias updates");
}

/// Starts `anshin shift cart-api --alias live --to 5 --strategy STRATEGY
/// --yes` with its own state and config directories under `dirs`.
fn spawn_shift(dirs: &Path, strategy: &str, config_toml: &str) -> std::process::Child {
    let state = dirs.join("state");
    let config = dirs.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), config_toml).expect("config writes");
    Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args([
            "shift",
            "cart-api",
            "--alias",
            "live",
            "--to",
            "5",
            "--strategy",
            strategy,
            "--yes",
        ])
        .args(["--endpoint-url", &endpoint(), "--region", REGION])
        .env("ANSHIN_STATE_DIR", &state)
        .env("ANSHIN_CONFIG_DIR", &config)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("anshin starts")
}

/// Starts a 30-minute canary of cart-api with `anshin shift`, waits until
/// its state file records the first step as baking, and kills it with
/// SIGKILL by its PID.
fn start_and_kill_shift(dirs: &Path) {
    let state = dirs.join("state");
    let mut child = spawn_shift(dirs, "canary:10:30", "[rollout]\ncheck_interval_s = 10\n");

    let store = StateStore::new(&state);
    let started = Instant::now();
    loop {
        let baking = store
            .load("cart-api", "live")
            .ok()
            .flatten()
            .is_some_and(|rollout| matches!(rollout.phase, Phase::Baking { .. }));
        if baking {
            break;
        }
        assert!(
            child.try_wait().expect("anshin status").is_none(),
            "anshin shift ended before its first step baked"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the first step did not bake within 2 minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // `Child::kill` sends SIGKILL on Unix, to this child's PID only.
    child.kill().expect("anshin is killed");
    let status = child.wait().expect("anshin exit status");
    assert_eq!(status.code(), None, "ended by a signal");
}

fn cockpit(state_dir: &Path) -> App {
    let fleet = Fleet::new(None, vec![REGION.to_string()], Some(endpoint()));
    let mut app = App::new(fleet, Mode::Live, Theme::default(), Utc::now());
    app.deploy.writer = Writer::Available;
    app.deploy
        .set_unfinished(runner::unfinished_rollouts(state_dir));
    app
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal.backend().to_string()
}

fn press(app: &mut App, ch: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE));
}

async fn check_prompt_after_kill(clients: RegionClients, dirs: &Path) {
    let state = dirs.join("state");
    start_and_kill_shift(dirs);
    let split = aws::get_alias(&clients, "cart-api", "live")
        .await
        .expect("alias reads");
    assert_eq!(split.function_version, "4");
    assert_eq!(split.routing.len(), 1, "the killed canary left its split");

    // Leave as is: the prompt closes, nothing is written, the state stays.
    let mut app = cockpit(&state);
    let text = screen(&app);
    assert!(text.contains("Unfinished rollout"), "{text}");
    assert!(text.contains("cart-api:live  v4 → v5"), "{text}");
    press(&mut app, 'l');
    assert!(app.deploy.prompt.is_none());
    assert!(app.take_deploy_commands().is_empty());
    assert!(
        StateStore::new(&state)
            .load("cart-api", "live")
            .expect("state reads")
            .is_some_and(|rollout| !rollout.phase.is_terminal())
    );
    let unchanged = aws::get_alias(&clients, "cart-api", "live")
        .await
        .expect("alias reads");
    assert_eq!(unchanged.routing, split.routing);

    // Roll back: the runner sends the alias to the stable version.
    let mut app = cockpit(&state);
    press(&mut app, 'b');
    press(&mut app, 'y');
    let mut runner = Runner::new(RunnerContext {
        clients: clients.clone(),
        profile: None,
        settings: RolloutSection::default(),
        state_dir: state.clone(),
        read_only: false,
    });
    for command in app.take_deploy_commands() {
        if let DeployCommand::Submit(request) = command {
            assert!(matches!(request, RunRequest::RollBack { .. }));
            runner.submit(request);
        }
    }
    let end = loop {
        let event = tokio::time::timeout(Duration::from_secs(60), runner.next_event())
            .await
            .expect("the rollback ends within a minute")
            .expect("the channel stays open");
        if let RunnerEvent::Finished { result, .. } = &event {
            let result = result.clone();
            app.apply_rollout(event);
            break result;
        }
        app.apply_rollout(event);
    };
    assert!(
        matches!(
            end,
            Ok(RunEnd::Finished(
                anshin::rollout::Outcome::RolledBack { .. }
            ))
        ),
        "{end:?}"
    );
    let alias = aws::get_alias(&clients, "cart-api", "live")
        .await
        .expect("alias reads");
    assert_eq!(alias.function_version, "4");
    assert!(alias.routing.is_empty(), "{:?}", alias.routing);
    let records = AuditLog::new(&state).records().expect("audit reads");
    assert!(
        records
            .iter()
            .any(|record| record.reason.starts_with("rollback") && record.outcome == "succeeded"),
        "{records:?}"
    );
    assert!(runner::unfinished_rollouts(&state).is_empty());
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn killed_shift_shows_prompt() {
    let _lock = CART_ALIAS.lock().await;
    let clients = clients(REGION).await;
    set_cart_alias(&clients, "4", None).await;
    let dirs = tempfile::tempdir().expect("temp dir");

    let result = tokio::spawn({
        let clients = clients.clone();
        let dirs = dirs.path().to_path_buf();
        async move { check_prompt_after_kill(clients, &dirs).await }
    })
    .await;

    set_cart_alias(&clients, "4", Some(("5", 0.05))).await;
    if let Err(error) = result {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// cart-api version 5 runs about 40 ms at the median in the simulator, so
/// an average-duration limit of 30 ms fails its canary on duration alone:
/// its error rate (0.2 %) and the alias alarm stay within the guard.
#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn duration_limit_rolls_back() {
    let _lock = CART_ALIAS.lock().await;
    let clients = clients(REGION).await;
    set_cart_alias(&clients, "4", None).await;
    let dirs = tempfile::tempdir().expect("temp dir");
    let config = "[rollout]\nmin_invocations = 20\ncheck_interval_s = 10\nmax_hold_minutes = 5\n\
                  max_avg_duration_ms = 30.0\n";

    let output = tokio::task::spawn_blocking({
        let dirs = dirs.path().to_path_buf();
        move || {
            let mut child = spawn_shift(&dirs, "canary:10:3", config);
            let started = Instant::now();
            while child.try_wait().expect("anshin status").is_none() {
                if started.elapsed() > Duration::from_secs(15 * 60) {
                    child.kill().expect("anshin stops");
                    break;
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            child.wait_with_output().expect("anshin output")
        }
    })
    .await
    .expect("shift runs");

    set_cart_alias(&clients, "4", Some(("5", 0.05))).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "stderr:\n{stderr}");
    assert!(
        stderr.contains("average duration") && stderr.contains("above the maximum of 30 ms"),
        "{stderr}"
    );
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn prepare_previews_first_write() {
    let _lock = CART_ALIAS.lock().await;
    let clients = clients(REGION).await;
    set_cart_alias(&clients, "4", None).await;
    let dirs = tempfile::tempdir().expect("temp dir");
    let mut runner = Runner::new(RunnerContext {
        clients: clients.clone(),
        profile: None,
        settings: RolloutSection::default(),
        state_dir: dirs.path().to_path_buf(),
        read_only: false,
    });

    runner.submit(RunRequest::Prepare {
        key: runner::AliasKey::new("cart-api", "live"),
        target: "5".to_string(),
        strategy: anshin::rollout::Strategy::canary(10, 5),
        thresholds: None,
    });
    let event = tokio::time::timeout(Duration::from_secs(30), runner.next_event())
        .await
        .expect("pre-flight ends within 30 s")
        .expect("the channel stays open");

    set_cart_alias(&clients, "4", Some(("5", 0.05))).await;
    let RunnerEvent::Prepared { result, .. } = event else {
        panic!("expected the preview, got {event:?}");
    };
    let preview = result.expect("pre-flight reads");
    assert!(!preview.blocked(), "{:?}", preview.findings);
    assert!(preview.production, "cart-api is tagged env=prod");
    assert_eq!(preview.alias.function_version, "4");
    let plan = preview.plan.expect("plan");
    assert_eq!(plan.stable_version, "4");
    assert_eq!(plan.revision_id, preview.alias.revision_id);
    assert!(
        StateStore::new(dirs.path())
            .load("cart-api", "live")
            .expect("state reads")
            .is_none(),
        "pre-flight writes no state"
    );
}
