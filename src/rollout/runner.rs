//! Runs rollouts and single alias writes for the cockpit as tokio tasks.
//!
//! The UI submits a [`RunRequest`] and reads [`RunnerEvent`] values from one
//! bounded channel, so rendering never waits on AWS. Every write goes
//! through [`Executor`], which enforces read-only mode, keeps the audit log
//! and persists the rollout state after every step.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::executor::{
    AliasSnapshot, AliasWrite, AuditIdentity, AuditLog, Executor, ExecutorError, RunEnd, RunHooks,
    StateStore, WriteKind,
};
use super::guard::{Evaluation, Observations};
use super::machine::Decision;
use super::preflight::{self, DeploymentCheck, Finding, Level, PreflightInput};
use super::state::{Phase, Rollout, WriteFailure};
use super::strategy::Strategy;
use super::transition::Event;
use super::weights::{AliasRouting, is_published_version};
use crate::aws::{self, RegionClients};
use crate::config::RolloutSection;
use crate::model::Alias;

/// Capacity of the event channel. Progress lines beyond it are dropped
/// (the next decision repeats the state); results always wait for room.
const EVENT_CAPACITY: usize = 256;

/// Clients and settings with which the runner reads and writes one region.
#[derive(Debug, Clone)]
pub struct RunnerContext {
    pub clients: RegionClients,
    pub profile: Option<String>,
    pub settings: RolloutSection,
    pub state_dir: PathBuf,
    /// `--read-only`, or the config's read-only setting for the profile.
    pub read_only: bool,
}

/// The alias a request acts on. The region is the runner's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AliasKey {
    pub function: String,
    pub alias: String,
}

impl AliasKey {
    pub fn new(function: &str, alias: &str) -> Self {
        AliasKey {
            function: function.to_string(),
            alias: alias.to_string(),
        }
    }

    pub fn of(rollout: &Rollout) -> Self {
        AliasKey::new(&rollout.function_name, &rollout.alias_name)
    }
}

#[derive(Debug, Clone)]
pub enum RunRequest {
    /// Reads the alias and the versions, runs pre-flight and plans the
    /// rollout. Writes nothing; the result is [`RunnerEvent::Prepared`].
    Prepare {
        key: AliasKey,
        target: String,
        strategy: Strategy,
        /// Replaces the configured guard thresholds of this rollout.
        thresholds: Option<super::guard::Thresholds>,
    },
    /// Runs a confirmed rollout from its planned state.
    Start(Box<Rollout>),
    /// Continues a persisted rollout. A rollout stopped on a conflict or
    /// during a write continues with the alias re-read now, and its next
    /// write is conditional on that read's RevisionId.
    Resume(Box<Rollout>),
    /// Sends all traffic of a persisted rollout back to its stable version.
    RollBack {
        rollout: Box<Rollout>,
        reason: String,
    },
    /// Reads what the guided rollback's pre-flight needs beyond the poll:
    /// the alias as it is now, whether an active CodeDeploy deployment owns
    /// it, and the function's provisioned concurrency. Writes nothing; the result is
    /// [`RunnerEvent::PreflightRead`].
    ReadPreflight { key: AliasKey },
    /// One conditional UpdateAlias that sends all traffic to `target`, for
    /// an alias without a rollout (the guided rollback).
    SetAlias {
        key: AliasKey,
        /// The alias as the operator saw it in the preview; its RevisionId
        /// guards the write.
        seen: Box<Alias>,
        target: String,
        reason: String,
    },
}

/// Pre-flight and plan of a shift, as shown in the preview.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The alias as read for the preview, with its RevisionId.
    pub alias: Alias,
    pub findings: Vec<Finding>,
    /// The planned rollout, or why it cannot be planned.
    pub plan: Result<Rollout, String>,
    /// True when the function is tagged env=prod, or its tags could not be
    /// read (then `production_note` gives the reason).
    pub production: bool,
    pub production_note: Option<String>,
}

impl Preview {
    /// True when pre-flight rejects the shift or requests a wait, or no plan
    /// exists: nothing may be written.
    pub fn blocked(&self) -> bool {
        self.plan.is_err()
            || self
                .findings
                .iter()
                .any(|finding| matches!(finding.level, Level::Reject | Level::Wait))
    }
}

/// One executor decision with what it was based on.
#[derive(Debug, Clone)]
pub struct Progress {
    pub at: DateTime<Utc>,
    pub rollout: Rollout,
    pub decision: Decision,
    /// The guard's verdict with its numbers, while a step bakes.
    pub evaluation: Option<Evaluation>,
}

/// Reason a run or a write ended without a result.
#[derive(Debug, Clone, PartialEq)]
pub enum RunFailure {
    /// Read-only mode rejected the write; nothing was sent.
    ReadOnly(String),
    /// Lambda returned PreconditionFailedException: the alias changed since
    /// the preview. `alias` is the alias re-read afterwards, if that worked.
    Conflict {
        alias: Option<Box<Alias>>,
    },
    Error(String),
}

#[derive(Debug, Clone)]
pub enum RunnerEvent {
    Prepared {
        key: AliasKey,
        result: Result<Box<Preview>, String>,
    },
    Line {
        key: AliasKey,
        at: DateTime<Utc>,
        text: String,
    },
    Progress {
        key: AliasKey,
        progress: Box<Progress>,
    },
    /// A rollout run ended. `rollout` is its state at the end.
    Finished {
        key: AliasKey,
        rollout: Box<Rollout>,
        result: Result<RunEnd, RunFailure>,
    },
    /// A [`RunRequest::SetAlias`] write ended.
    AliasWritten {
        key: AliasKey,
        result: Result<Box<Alias>, RunFailure>,
    },
    /// The reads of a [`RunRequest::ReadPreflight`].
    PreflightRead {
        key: AliasKey,
        /// The alias as GetAlias returns it now.
        alias: Result<Alias, aws::AwsError>,
        codedeploy: DeploymentCheck,
        /// Requested provisioned concurrency by qualifier (version number
        /// or alias name).
        provisioned: Result<Vec<(String, u32)>, aws::AwsError>,
    },
}

impl RunnerEvent {
    pub fn key(&self) -> &AliasKey {
        match self {
            RunnerEvent::Prepared { key, .. }
            | RunnerEvent::Line { key, .. }
            | RunnerEvent::Progress { key, .. }
            | RunnerEvent::Finished { key, .. }
            | RunnerEvent::AliasWritten { key, .. }
            | RunnerEvent::PreflightRead { key, .. } => key,
        }
    }
}

/// Owns the tasks and the event channel of the cockpit's writes.
pub struct Runner {
    context: RunnerContext,
    sender: mpsc::Sender<RunnerEvent>,
    events: mpsc::Receiver<RunnerEvent>,
    aborts: BTreeMap<AliasKey, watch::Sender<Option<String>>>,
    tasks: JoinSet<()>,
}

impl Runner {
    pub fn new(context: RunnerContext) -> Self {
        let (sender, events) = mpsc::channel(EVENT_CAPACITY);
        Runner {
            context,
            sender,
            events,
            aborts: BTreeMap::new(),
            tasks: JoinSet::new(),
        }
    }

    pub fn is_read_only(&self) -> bool {
        self.context.read_only
    }

    /// Starts `request` as a task. Its events arrive through
    /// [`Runner::next_event`].
    pub fn submit(&mut self, request: RunRequest) {
        let context = self.context.clone();
        let sender = self.sender.clone();
        match request {
            RunRequest::Prepare {
                key,
                target,
                strategy,
                thresholds,
            } => {
                self.tasks.spawn(async move {
                    let result = prepare(&context, &key, &target, strategy, thresholds)
                        .await
                        .map(Box::new);
                    let _ = sender.send(RunnerEvent::Prepared { key, result }).await;
                });
            }
            RunRequest::Start(rollout) => self.spawn_run(*rollout, RunStart::Planned),
            RunRequest::Resume(rollout) => self.spawn_run(*rollout, RunStart::Resume),
            RunRequest::RollBack { rollout, reason } => {
                self.spawn_run(*rollout, RunStart::RollBack(reason));
            }
            RunRequest::ReadPreflight { key } => {
                self.tasks.spawn(async move {
                    let clients = &context.clients;
                    let alias = aws::get_alias(clients, &key.function, &key.alias).await;
                    let codedeploy =
                        aws::deployment_check(clients, &key.function, &key.alias).await;
                    let provisioned = aws::list_provisioned_concurrency(clients, &key.function)
                        .await
                        .map(|configs| {
                            configs
                                .iter()
                                .map(|config| (config.qualifier.clone(), config.requested))
                                .collect()
                        });
                    let event = RunnerEvent::PreflightRead {
                        key,
                        alias,
                        codedeploy,
                        provisioned,
                    };
                    let _ = sender.send(event).await;
                });
            }
            RunRequest::SetAlias {
                key,
                seen,
                target,
                reason,
            } => {
                self.tasks.spawn(async move {
                    let result = set_alias(&context, &key, &seen, &target, reason).await;
                    let _ = sender.send(RunnerEvent::AliasWritten { key, result }).await;
                });
            }
        }
    }

    /// Asks the running rollout of `key` to roll back. Returns false when
    /// no rollout of that alias runs.
    pub fn abort(&mut self, key: &AliasKey, reason: &str) -> bool {
        self.aborts
            .get(key)
            .is_some_and(|abort| abort.send(Some(reason.to_string())).is_ok())
    }

    /// Returns the next event. Waits forever when no task runs, so it can
    /// sit in a `select!` next to other sources.
    pub async fn next_event(&mut self) -> Option<RunnerEvent> {
        // Finished tasks are reaped here, so the set does not grow.
        while self.tasks.try_join_next().is_some() {}
        let event = self.events.recv().await;
        if let Some(RunnerEvent::Finished { key, .. }) = &event {
            self.aborts.remove(key);
        }
        event
    }

    /// Returns an event that is already queued, without waiting.
    pub fn try_next_event(&mut self) -> Option<RunnerEvent> {
        let event = self.events.try_recv().ok();
        if let Some(RunnerEvent::Finished { key, .. }) = &event {
            self.aborts.remove(key);
        }
        event
    }

    /// Stops every task. A rollout stopped this way keeps its persisted
    /// state, so the next start offers to resume it.
    pub fn shutdown(mut self) {
        self.tasks.abort_all();
    }

    fn spawn_run(&mut self, rollout: Rollout, start: RunStart) {
        let key = AliasKey::of(&rollout);
        let (abort_sender, abort) = watch::channel(None);
        self.aborts.insert(key.clone(), abort_sender);
        let context = self.context.clone();
        let sender = self.sender.clone();
        self.tasks.spawn(async move {
            let mut rollout = rollout;
            let result = run(&context, &mut rollout, start, abort, &sender).await;
            let _ = sender
                .send(RunnerEvent::Finished {
                    key,
                    rollout: Box::new(rollout),
                    result,
                })
                .await;
        });
    }
}

/// Starting point of a run.
enum RunStart {
    Planned,
    Resume,
    RollBack(String),
}

/// Reads the unfinished rollouts persisted in `<state dir>/rollouts`.
/// Files that cannot be read are returned as errors, so the cockpit can
/// name them instead of ignoring them.
pub fn unfinished_rollouts(state_dir: &Path) -> Vec<Result<Rollout, String>> {
    let dir = state_dir.join("rollouts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let parsed = std::fs::read_to_string(&path)
                .map_err(|error| error.to_string())
                .and_then(|text| Rollout::from_json(&text).map_err(|error| error.to_string()));
            match parsed {
                Ok(rollout) if rollout.phase.is_terminal() => None,
                Ok(rollout) => Some(Ok(rollout)),
                Err(error) => Some(Err(format!("{}: {error}", path.display()))),
            }
        })
        .collect()
}

async fn executor(context: &RunnerContext) -> Executor<'_> {
    let caller_arn = match aws::caller_identity(&context.clients).await {
        Ok(identity) => identity.arn,
        Err(error) => {
            tracing::warn!(%error, "cannot read the caller identity for the audit log");
            None
        }
    };
    Executor {
        clients: &context.clients,
        store: StateStore::new(&context.state_dir),
        audit: AuditLog::new(&context.state_dir),
        identity: AuditIdentity {
            caller_arn,
            profile: context.profile.clone(),
            region: context.clients.region.clone(),
        },
        read_only: context.read_only,
    }
}

async fn prepare(
    context: &RunnerContext,
    key: &AliasKey,
    target: &str,
    strategy: Strategy,
    thresholds: Option<super::guard::Thresholds>,
) -> Result<Preview, String> {
    let clients = &context.clients;
    let function = &key.function;
    let alias = aws::get_alias(clients, function, &key.alias)
        .await
        .map_err(|e| e.to_string())?;
    let latest = aws::get_version_configuration(clients, function, None)
        .await
        .map_err(|e| e.to_string())?;
    let stable = aws::get_version_configuration(clients, function, Some(&alias.function_version))
        .await
        .map_err(|e| e.to_string())?;
    let new = aws::get_version_configuration(clients, function, Some(target))
        .await
        .map_err(|e| format!("cannot read version {target} of {function}: {e}"))?;

    let codedeploy = aws::deployment_check(clients, function, &key.alias).await;
    let provisioned = aws::list_provisioned_concurrency(clients, function).await;
    let input = PreflightInput {
        function: latest.status.clone(),
        alias: alias.clone(),
        planned_stable_version: None,
        stable: stable.version.clone(),
        target: new.version.clone(),
        codedeploy,
        provisioned_concurrency: provisioned.as_ref().ok().map(|configs| {
            aws::provisioned_for_shift(configs, &key.alias, &alias.function_version, target)
        }),
    };
    let mut findings = preflight::run(&input);
    if let Err(error) = &provisioned {
        findings.push(preflight::provisioned_concurrency_unread(error));
    }
    findings.extend(recent_removal_finding(
        &context.state_dir,
        function,
        &key.alias,
        target,
    ));

    let (production, production_note) =
        match aws::list_tags(clients, function, &unqualified_arn(&latest.function_arn)).await {
            Ok(tags) => (tags.get("env").is_some_and(|env| env == "prod"), None),
            Err(error) => (
                true,
                Some(format!(
                    "tags unreadable ({error}), so the alias counts as env=prod"
                )),
            ),
        };

    // The analysis window lags by the longest timeout of the two versions
    // and $LATEST, because an invocation's datapoint is final only once it
    // has ended.
    let timeout = [stable.timeout, new.timeout, latest.timeout]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default();
    let mut config = context.settings.rollout_config(timeout);
    if let Some(thresholds) = thresholds {
        config.thresholds = thresholds;
    }
    let plan = Rollout::plan(function, &alias, target, strategy, config, Utc::now())
        .map_err(|error| error.to_string());
    Ok(Preview {
        alias,
        findings,
        plan,
        production,
        production_note,
    })
}

/// Reads the audit log for a recent write that took `target` off the alias.
/// An unreadable log is logged and gives no finding, since the pre-flight
/// must not fail on it.
pub fn recent_removal_finding(
    state_dir: &Path,
    function: &str,
    alias: &str,
    target: &str,
) -> Option<Finding> {
    let records = match AuditLog::new(state_dir).records() {
        Ok(records) => records,
        Err(error) => {
            tracing::warn!(%error, "cannot read the audit log for the shift pre-flight");
            return None;
        }
    };
    super::target::recent_removal(&records, function, alias, target, Utc::now())
        .map(|record| preflight::recently_removed(target, record))
}

/// Strips a version or alias qualifier from a function ARN for ListTags,
/// because Lambda keeps tags on the function, not on versions or aliases.
fn unqualified_arn(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

async fn run(
    context: &RunnerContext,
    rollout: &mut Rollout,
    start: RunStart,
    abort: watch::Receiver<Option<String>>,
    sender: &mpsc::Sender<RunnerEvent>,
) -> Result<RunEnd, RunFailure> {
    let key = AliasKey::of(rollout);
    match start {
        RunStart::Planned => {}
        RunStart::Resume => {
            let needs_read = matches!(
                rollout.phase,
                Phase::Conflict { .. } | Phase::Shifting { .. } | Phase::RollingBack { .. }
            );
            if needs_read {
                let alias = aws::get_alias(&context.clients, &key.function, &key.alias)
                    .await
                    .map_err(|e| RunFailure::Error(e.to_string()))?;
                rollout
                    .apply(Utc::now(), Event::OperatorContinue { alias })
                    .map_err(|e| RunFailure::Error(e.to_string()))?;
            }
        }
        RunStart::RollBack(reason) => {
            // In read-only mode the executor rejects the write and keeps
            // the persisted state as it was.
            rollout
                .apply(Utc::now(), Event::RollBackRequested { reason })
                .map_err(|e| RunFailure::Error(e.to_string()))?;
        }
    }

    let executor = executor(context).await;
    let line_sender = sender.clone();
    let line_key = key.clone();
    let mut progress = move |text: String| {
        // A full channel drops the line: the next decision shows the state.
        let _ = line_sender.try_send(RunnerEvent::Line {
            key: line_key.clone(),
            at: Utc::now(),
            text,
        });
    };
    let decision_sender = sender.clone();
    let mut decided = move |rollout: &Rollout,
                            now: DateTime<Utc>,
                            observations: &Observations,
                            decision: &Decision| {
        let progress = Progress {
            at: now,
            rollout: rollout.clone(),
            decision: decision.clone(),
            evaluation: rollout.evaluate_current(now, observations),
        };
        let _ = decision_sender.try_send(RunnerEvent::Progress {
            key: AliasKey::of(rollout),
            progress: Box::new(progress),
        });
    };
    let hooks = RunHooks {
        decided: Some(&mut decided),
        abort: Some(abort),
    };
    executor
        .run_with(rollout, &mut progress, hooks)
        .await
        .map_err(classify)
}

fn classify(error: ExecutorError) -> RunFailure {
    match error {
        ExecutorError::ReadOnly { .. } => RunFailure::ReadOnly(error.to_string()),
        ExecutorError::Aws(error)
            if WriteFailure::from_error_code(error.code.as_deref(), &error.to_string())
                == WriteFailure::PreconditionFailed =>
        {
            RunFailure::Conflict { alias: None }
        }
        other => RunFailure::Error(other.to_string()),
    }
}

async fn set_alias(
    context: &RunnerContext,
    key: &AliasKey,
    seen: &Alias,
    target: &str,
    reason: String,
) -> Result<Box<Alias>, RunFailure> {
    if !is_published_version(target) {
        return Err(RunFailure::Error(format!(
            "invalid target version {target:?}: use a published version number, not $LATEST"
        )));
    }
    let Some(revision_id) = seen.revision_id.clone() else {
        return Err(RunFailure::Error(format!(
            "{}:{} was read without a RevisionId, so the write cannot be conditional; \
             read it again",
            key.function, key.alias
        )));
    };
    // The wizard's pre-flight may have read CodeDeploy minutes ago, and a
    // deployment that took the alias since then would fight this write.
    let codedeploy = aws::deployment_check(&context.clients, &key.function, &key.alias).await;
    if let Some(finding) = preflight::check_codedeploy(&codedeploy)
        .into_iter()
        .find(|finding| finding.level == Level::Reject)
    {
        return Err(RunFailure::Error(finding.to_string()));
    }
    let routing = AliasRouting::single(target);
    let executor = executor(context).await;
    let write = AliasWrite {
        function: &key.function,
        alias: &key.alias,
        before: AliasSnapshot::from_alias(seen),
        routing: &routing,
        expected_revision_id: &revision_id,
        reason,
        kind: WriteKind::Rollback,
    };
    match executor.write_alias(write).await {
        Ok(alias) => Ok(Box::new(alias)),
        Err(error) => match classify(error) {
            RunFailure::Conflict { .. } => {
                // Show the operator what the alias routes now; never send
                // the write again on its own.
                let alias = aws::get_alias(&context.clients, &key.function, &key.alias)
                    .await
                    .ok()
                    .map(Box::new);
                Err(RunFailure::Conflict { alias })
            }
            other => Err(other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifier_is_stripped() {
        let unqualified = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";
        assert_eq!(unqualified_arn(&format!("{unqualified}:12")), unqualified);
        assert_eq!(unqualified_arn(unqualified), unqualified);
    }

    #[test]
    fn unfinished_skips_terminal_and_names_bad_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let alias = Alias {
            name: "live".to_string(),
            function_version: "12".to_string(),
            routing: Vec::new(),
            revision_id: Some("rev-1".to_string()),
            description: None,
        };
        let store = StateStore::new(dir.path());
        let mut open = Rollout::plan(
            "orders-api",
            &alias,
            "13",
            Strategy::canary(10, 5),
            super::super::RolloutConfig::default(),
            Utc::now(),
        )
        .expect("plan is valid");
        store.save(&open).expect("saves");
        let mut done = open.clone();
        done.function_name = "cart-api".to_string();
        done.apply(
            Utc::now(),
            Event::AbortRequested {
                reason: "test".to_string(),
            },
        )
        .expect("aborts");
        store.save(&done).expect("saves");
        std::fs::write(dir.path().join("rollouts/broken-live.json"), "{").expect("writes");

        let found = unfinished_rollouts(dir.path());

        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .as_ref()
                .is_err_and(|e| e.contains("broken-live.json"))
        );
        open.updated_at = found[1].as_ref().expect("parses").updated_at;
        assert_eq!(found[1].as_ref().ok(), Some(&open));
    }
}
