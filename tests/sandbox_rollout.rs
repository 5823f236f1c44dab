//! `anshin shift` and `anshin rollback` against the sandbox endpoint, run as
//! the real binary. They need the sandbox: `sandbox/test` starts it and runs
//! them with `--include-ignored`.
//!
//! The tests change the `live` aliases of orders-api and cart-api, so they
//! hold one lock and restore the seeded routing when they end, pass or fail:
//! orders-api 12 with 13 at 10 %, cart-api 4 with 5 at 5 %.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use anshin::aws::{self, RegionClients};
use anshin::model::Alias;
use aws_sdk_lambda::types::AliasRoutingConfiguration;
use common::sandbox::{clients, endpoint};
use tokio::sync::Mutex;

const REGION: &str = "us-east-1";

/// Guard settings that let a short canary reach a verdict on the
/// simulator's traffic, below the default minimum of 100 invocations.
///
/// The failing canary sends 20 % of orders-api to version 13 for three
/// minutes. The simulator's traffic is lowest at 07:00 UTC, where that is
/// about 86 invocations at about 8 % errors, and all of them succeed with
/// a chance of about 0.1 % (Poisson), which the guard would rightly read as
/// healthy. A 10 % canary left that chance at about 3 % in that hour.
const FAST_CONFIG: &str =
    "[rollout]\nmin_invocations = 20\ncheck_interval_s = 10\nmax_hold_minutes = 5\n";

/// [`FAST_CONFIG`] for the healthy canary of cart-api version 5 (0.2 %
/// errors). One error in its 20 to 45 invocations of a minute is 2 % to 5 %,
/// above the default `ratio_min_error_rate` of 1 %, so it would roll back
/// about one run in fifteen. At 5 % it takes two or three errors, a chance
/// below 0.1 %.
const HEALTHY_CONFIG: &str = "[rollout]\nmin_invocations = 20\ncheck_interval_s = 10\n\
                              max_hold_minutes = 5\nratio_min_error_rate = 0.05\n";

/// Upper bound for one `anshin shift` run. A canary takes its bake (one or
/// three minutes here) plus the two-minute metrics lag and a minute of
/// alignment, plus up to several minutes of waiting for an alarm to clear
/// before the first shift.
const SHIFT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

static ALIASES: Mutex<()> = Mutex::const_new(());

async fn read_alias(clients: &RegionClients, function: &str) -> Alias {
    aws::get_alias(clients, function, "live")
        .await
        .expect("alias reads")
}

/// Sets the `live` alias directly, outside anshin, for set-up and clean-up.
async fn set_alias(
    clients: &RegionClients,
    function: &str,
    primary: &str,
    extra: Option<(&str, f64)>,
) {
    let weights = extra
        .map(|(version, weight)| [(version.to_string(), weight)].into_iter().collect())
        .unwrap_or_default();
    let routing = AliasRoutingConfiguration::builder()
        .set_additional_version_weights(Some(weights))
        .build();
    clients
        .lambda
        .update_alias()
        .function_name(function)
        .name("live")
        .function_version(primary)
        .routing_config(routing)
        .send()
        .await
        .expect("alias updates");
}

async fn restore_seeded(clients: &RegionClients) {
    set_alias(clients, "orders-api", "12", Some(("13", 0.1))).await;
    set_alias(clients, "cart-api", "4", Some(("5", 0.05))).await;
}

/// Runs `anshin ARGS` with [`FAST_CONFIG`] and its own state and config
/// directories, killing it after `timeout`.
fn run_anshin(dirs: &Path, args: &[&str], timeout: Duration) -> Output {
    run_anshin_with(dirs, args, timeout, FAST_CONFIG)
}

/// Runs `anshin ARGS` like [`run_anshin`], with the config file `config_toml`.
fn run_anshin_with(dirs: &Path, args: &[&str], timeout: Duration, config_toml: &str) -> Output {
    let state = dirs.join("state");
    let config = dirs.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), config_toml).expect("config writes");
    let mut child = Command::new(env!("CARGO_BIN_EXE_anshin"))
        .args(args)
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
        .expect("anshin starts");
    let started = Instant::now();
    while child.try_wait().expect("anshin status").is_none() {
        if started.elapsed() > timeout {
            child.kill().expect("anshin stops");
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    child.wait_with_output().expect("anshin output")
}

fn result_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Runs `body` while holding the alias lock, then restores the seeded
/// aliases whether or not it panicked.
async fn with_seeded_aliases<F>(body: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let _lock = ALIASES.lock().await;
    let clients = clients(REGION).await;
    let result = tokio::spawn(body).await;
    restore_seeded(&clients).await;
    if let Err(error) = result {
        std::panic::resume_unwind(error.into_panic());
    }
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn rollback_moves_alias_to_primary() {
    with_seeded_aliases(async {
        let clients = clients(REGION).await;
        restore_seeded(&clients).await;
        let dirs = tempfile::tempdir().expect("temp dir");

        // Without --yes and without a terminal, nothing is confirmed.
        let unconfirmed = run_anshin(
            dirs.path(),
            &["rollback", "orders-api", "--alias", "live"],
            Duration::from_secs(120),
        );
        assert_eq!(unconfirmed.status.code(), Some(5), "{unconfirmed:?}");
        assert_eq!(result_json(&unconfirmed)["outcome"], "not_confirmed");
        let alias = read_alias(&clients, "orders-api").await;
        assert_eq!(alias.routing.len(), 1, "nothing was written");

        let output = run_anshin(
            dirs.path(),
            &["rollback", "orders-api", "--alias", "live", "--yes"],
            Duration::from_secs(120),
        );

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
        assert_eq!(result_json(&output)["outcome"], "rolled_back");
        let alias = read_alias(&clients, "orders-api").await;
        assert_eq!(alias.function_version, "12");
        assert!(alias.routing.is_empty(), "{:?}", alias.routing);

        let log =
            std::fs::read_to_string(dirs.path().join("state/audit.log")).expect("audit log exists");
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|line| serde_json::from_str(line).expect("audit line is JSON"))
            .collect();
        assert_eq!(lines.len(), 1, "{log}");
        assert_eq!(lines[0]["outcome"], "succeeded");
        assert_eq!(lines[0]["function"], "orders-api");
        assert_eq!(lines[0]["before"]["weights"]["13"], 0.1);
        assert_eq!(lines[0]["after"]["function_version"], "12");
        assert!(lines[0]["caller_arn"].is_string(), "{}", lines[0]);
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn failing_canary_rolls_back() {
    with_seeded_aliases(async {
        let clients = clients(REGION).await;
        set_alias(&clients, "orders-api", "12", None).await;
        let dirs = tempfile::tempdir().expect("temp dir");

        let output = run_anshin(
            dirs.path(),
            &[
                "shift",
                "orders-api",
                "--alias",
                "live",
                "--to",
                "13",
                "--strategy",
                "canary:20:3",
                "--yes",
            ],
            SHIFT_TIMEOUT,
        );

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "stderr:\n{stderr}");
        let result = result_json(&output);
        assert_eq!(result["outcome"], "rolled_back", "{result}");
        let alias = read_alias(&clients, "orders-api").await;
        assert_eq!(alias.function_version, "12");
        assert!(alias.routing.is_empty(), "{:?}", alias.routing);

        let log =
            std::fs::read_to_string(dirs.path().join("state/audit.log")).expect("audit log exists");
        let outcomes: Vec<serde_json::Value> = log
            .lines()
            .map(|line| serde_json::from_str(line).expect("audit line is JSON"))
            .collect();
        assert_eq!(outcomes.len(), 2, "the canary step and the rollback: {log}");
        assert!(
            outcomes[1]["reason"]
                .as_str()
                .is_some_and(|reason| reason.starts_with("rollback:")),
            "{log}"
        );

        // Shifting to version 13 again warns that the guard just took it
        // off. --read-only sends nothing; the run is stopped once the
        // pre-flight has printed, since it may wait for the alarm.
        let again = run_anshin(
            dirs.path(),
            &[
                "shift",
                "orders-api",
                "--alias",
                "live",
                "--to",
                "13",
                "--strategy",
                "AllAtOnce",
                "--read-only",
                "--yes",
            ],
            Duration::from_secs(60),
        );
        let stderr = String::from_utf8_lossy(&again.stderr);
        assert!(
            stderr.contains("version 13 was taken off this alias"),
            "stderr:\n{stderr}"
        );
        let alias = read_alias(&clients, "orders-api").await;
        assert!(alias.routing.is_empty(), "read-only sent nothing");
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn healthy_canary_completes() {
    with_seeded_aliases(async {
        let clients = clients(REGION).await;
        set_alias(&clients, "cart-api", "4", None).await;
        let dirs = tempfile::tempdir().expect("temp dir");

        let output = run_anshin_with(
            dirs.path(),
            &[
                "shift",
                "cart-api",
                "--alias",
                "live",
                "--to",
                "5",
                "--strategy",
                "canary:10:1",
                "--yes",
            ],
            SHIFT_TIMEOUT,
            HEALTHY_CONFIG,
        );

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "stderr:\n{stderr}");
        assert_eq!(result_json(&output)["outcome"], "completed");
        let alias = read_alias(&clients, "cart-api").await;
        assert_eq!(alias.function_version, "5");
        assert!(alias.routing.is_empty(), "{:?}", alias.routing);
    })
    .await;
}

#[tokio::test]
#[ignore = "needs the sandbox endpoint: run sandbox/test"]
async fn unfinished_rollout_blocks_new_shift() {
    with_seeded_aliases(async {
        let clients = clients(REGION).await;
        set_alias(&clients, "cart-api", "4", None).await;
        let dirs = tempfile::tempdir().expect("temp dir");
        let shift = [
            "shift",
            "cart-api",
            "--alias",
            "live",
            "--to",
            "5",
            "--strategy",
            "canary:10:30",
            "--yes",
        ];

        // A 30-minute canary killed after its first step leaves its state.
        let first = run_anshin(dirs.path(), &shift, Duration::from_secs(20));
        assert_eq!(first.status.code(), None, "killed while baking");
        let second = run_anshin(dirs.path(), &shift, Duration::from_secs(60));

        let stderr = String::from_utf8_lossy(&second.stderr);
        assert_eq!(second.status.code(), Some(4), "stderr:\n{stderr}");
        assert_eq!(result_json(&second)["outcome"], "unfinished_rollout_exists");
        assert!(stderr.contains("--resume"), "{stderr}");

        let rollback = run_anshin(
            dirs.path(),
            &["rollback", "cart-api", "--alias", "live", "--yes"],
            Duration::from_secs(60),
        );
        assert_eq!(rollback.status.code(), Some(0));
        let alias = read_alias(&clients, "cart-api").await;
        assert_eq!(alias.function_version, "4", "the rollout's stable version");
        assert!(alias.routing.is_empty(), "{:?}", alias.routing);
    })
    .await;
}
