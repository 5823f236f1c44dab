//! Headless commands that change AWS state: `anshin shift` and
//! `anshin rollback`. Progress goes to standard error, one JSON result to
//! standard output.

mod confirm;
pub mod rollback;
pub mod shift;

use std::path::PathBuf;

use color_eyre::Result;

use crate::aws::RegionClients;
use crate::config::RolloutSection;
use crate::rollout::executor::{AuditIdentity, AuditLog, Executor, StateStore};

/// Exit statuses of `shift` and `rollback`, documented in their `--help`.
pub mod exit_status {
    /// The shift completed, or the rollback moved the alias (or had nothing
    /// to do).
    pub const SUCCESS: u8 = 0;
    /// An error: invalid input, a failed AWS call, read-only mode.
    pub const ERROR: u8 = 1;
    /// The guard rolled the shift back.
    pub const ROLLED_BACK: u8 = 3;
    /// Stopped for the operator: the alias changed under anshin, a write's
    /// outcome is unknown, the rollout was aborted, or an unfinished
    /// rollout exists.
    pub const NEEDS_OPERATOR: u8 = 4;
    /// Nothing was written: pre-flight rejected the shift or asked to wait,
    /// or the operator did not confirm.
    pub const NOT_STARTED: u8 = 5;
}

/// The help text that lists the exit statuses.
pub const EXIT_STATUS_HELP: &str = "Exit status:\n  \
    0  the shift completed, or the rollback moved the alias (or had nothing to do)\n  \
    1  error: invalid input, a failed AWS call, or read-only mode\n  \
    3  the guard rolled the shift back\n  \
    4  stopped for the operator: the alias changed, a write's outcome is unknown, \
    the rollout was aborted, or an unfinished rollout exists\n  \
    5  nothing written: pre-flight rejected the shift or asked to wait, or it was not confirmed";

/// What a write command needs besides its arguments.
pub struct WriteContext<'a> {
    pub clients: &'a RegionClients,
    pub profile: Option<String>,
    pub settings: &'a RolloutSection,
    pub state_dir: PathBuf,
    /// `--read-only` on the command line; the config can also set it.
    pub read_only_flag: bool,
}

impl WriteContext<'_> {
    pub fn read_only(&self) -> bool {
        self.read_only_flag || self.settings.is_read_only(self.profile.as_deref())
    }

    async fn executor(&self) -> Executor<'_> {
        let caller_arn = match crate::aws::caller_identity(self.clients).await {
            Ok(identity) => identity.arn,
            Err(error) => {
                eprintln!("warning: cannot read the caller identity for the audit log: {error}");
                None
            }
        };
        Executor {
            clients: self.clients,
            store: StateStore::new(&self.state_dir),
            audit: AuditLog::new(&self.state_dir),
            identity: AuditIdentity {
                caller_arn,
                profile: self.profile.clone(),
                region: self.clients.region.clone(),
            },
            read_only: self.read_only(),
        }
    }
}

/// Asks for confirmation, except in read-only mode, where the write is
/// rejected anyway and the preview is all the command does.
fn confirm_write(
    context: &WriteContext<'_>,
    function: &str,
    production: bool,
    yes: bool,
) -> Result<bool> {
    if context.read_only() {
        eprintln!("read-only mode: the write above will not be sent");
        return Ok(true);
    }
    confirm::confirm(function, production, yes)
}

/// Reports a write the operator did not confirm: a line on standard error,
/// the JSON result on standard output, and the exit status.
fn not_confirmed(function: &str, alias: &str) -> u8 {
    eprintln!("not confirmed; nothing was written");
    print_result(&serde_json::json!({
        "function": function,
        "alias": alias,
        "outcome": "not_confirmed",
    }));
    exit_status::NOT_STARTED
}

/// Writes the JSON result to standard output.
fn print_result(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}
