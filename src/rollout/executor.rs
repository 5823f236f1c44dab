//! The async executor: reads AWS, calls [`decide`] for the next action,
//! performs it and reports the result through [`Rollout::apply`]. It persists
//! the state after every step and appends one audit line per write attempt.
//!
//! Read-only mode is enforced here: with `read_only` set, every write
//! returns [`ExecutorError::ReadOnly`] before any request is built.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::guard::Observations;
use super::machine::{Decision, Outcome, decide};
use super::state::{Conflict, Phase, Rollout, StateError, Write, WriteFailure};
use super::transition::{Event, TransitionError};
use super::weights::AliasRouting;
use crate::aws::{self, AwsError, MetricsRequest, RegionClients};
use crate::model::Alias;

/// Maximum single sleep. The executor wakes at least this often to read
/// alarms and metrics again, whatever the decision's wait time.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Minimum sleep, so a wait time already in the past cannot spin.
const MIN_SLEEP: Duration = Duration::from_millis(200);

/// Upper bound on loop iterations of one run. Each iteration either writes,
/// reads or sleeps, so a rollout within its hold and bake limits never
/// reaches it.
const MAX_ITERATIONS: usize = 100_000;

#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    #[error(
        "read-only mode: {action} on {function}:{alias} was not sent; remove --read-only \
         (or `read_only` in the [rollout] config table) to allow writes"
    )]
    ReadOnly {
        action: &'static str,
        function: String,
        alias: String,
    },
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error("invalid rollout transition: {0}")]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot {operation} {path}: {source}")]
    Io {
        operation: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the rollout did not finish within {0} executor iterations")]
    TooManyIterations(usize),
}

/// The state files of rollouts: `<state dir>/rollouts/<function>-<alias>.json`.
#[derive(Debug, Clone)]
pub struct StateStore {
    dir: PathBuf,
}

impl StateStore {
    pub fn new(state_dir: &Path) -> Self {
        StateStore {
            dir: state_dir.join("rollouts"),
        }
    }

    pub fn path(&self, function: &str, alias: &str) -> PathBuf {
        self.dir.join(format!("{function}-{alias}.json"))
    }

    /// Reads the persisted rollout of the alias, if any.
    pub fn load(&self, function: &str, alias: &str) -> Result<Option<Rollout>, ExecutorError> {
        let path = self.path(function, alias);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(Rollout::from_json(&text)?)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ExecutorError::Io {
                operation: "read",
                path,
                source,
            }),
        }
    }

    /// Writes the state through a temporary file and a rename, so a crash
    /// leaves the old state or the new one, never half a file.
    pub fn save(&self, rollout: &Rollout) -> Result<(), ExecutorError> {
        let path = self.path(&rollout.function_name, &rollout.alias_name);
        let io = |operation, source| ExecutorError::Io {
            operation,
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| io("create the directory of", e))?;
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, rollout.to_json()?).map_err(|e| io("write", e))?;
        std::fs::rename(&temporary, &path).map_err(|e| io("replace", e))
    }
}

/// An alias's routing and RevisionId at one moment, for the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliasSnapshot {
    pub function_version: String,
    /// `AdditionalVersionWeights`: version to share (0.0 to 1.0).
    pub weights: BTreeMap<String, f64>,
    pub revision_id: Option<String>,
}

impl AliasSnapshot {
    pub fn from_routing(routing: &AliasRouting, revision_id: Option<String>) -> Self {
        AliasSnapshot {
            function_version: routing.function_version.clone(),
            weights: routing.additional_version_weights(),
            revision_id,
        }
    }

    pub fn from_alias(alias: &Alias) -> Self {
        AliasSnapshot {
            function_version: alias.function_version.clone(),
            weights: alias
                .routing
                .iter()
                .map(|r| (r.version.clone(), r.weight))
                .collect(),
            revision_id: alias.revision_id.clone(),
        }
    }
}

/// Caller, profile and region: the fixed fields of every audit line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditIdentity {
    /// ARN from GetCallerIdentity; `None` when that call failed.
    pub caller_arn: Option<String>,
    pub profile: Option<String>,
    pub region: String,
}

/// The purpose of an UpdateAlias: a shift step or a rollback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// A step of a shift towards a new version. Lines written before the
    /// field existed read as this.
    #[default]
    Shift,
    /// A rollback: by the guard, the wizard or `anshin rollback`.
    Rollback,
}

/// One line of `<state dir>/audit.log`: one UpdateAlias attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub time: DateTime<Utc>,
    #[serde(flatten)]
    pub identity: AuditIdentity,
    pub function: String,
    pub alias: String,
    /// The routing anshin read or last wrote, with the RevisionId sent.
    pub before: AliasSnapshot,
    /// The requested routing, with the RevisionId Lambda returned.
    pub after: AliasSnapshot,
    pub reason: String,
    #[serde(default)]
    pub kind: WriteKind,
    /// `succeeded`, `failed` or `refused_read_only`.
    pub outcome: String,
    pub error: Option<String>,
}

/// The append-only audit log, JSON lines.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(state_dir: &Path) -> Self {
        AuditLog {
            path: state_dir.join("audit.log"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn append(&self, record: &AuditRecord) -> Result<(), ExecutorError> {
        let io = |operation, source| ExecutorError::Io {
            operation,
            path: self.path.clone(),
            source,
        };
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io("create the directory of", e))?;
        }
        let mut line = serde_json::to_string(record).map_err(StateError::from)?;
        line.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| io("open", e))?;
        file.write_all(line.as_bytes())
            .map_err(|e| io("append to", e))
    }

    /// Reads every record; lines that do not parse are skipped.
    pub fn records(&self) -> Result<Vec<AuditRecord>, ExecutorError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(text
                .lines()
                .filter_map(|line| serde_json::from_str(line).ok())
                .collect()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(ExecutorError::Io {
                operation: "read",
                path: self.path.clone(),
                source,
            }),
        }
    }
}

/// End of one executor run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum RunEnd {
    Finished(Outcome),
    /// The machine asked the operator. Headless runs stop here and never
    /// send `resume` on their own.
    NeedsOperator {
        conflict: Conflict,
        resume: Write,
        expected: AliasRouting,
        /// The alias as re-read after the conflict; `None` if that failed.
        alias: Option<Box<Alias>>,
    },
}

/// The callback of [`RunHooks::decided`]: the state, the time, the
/// observations and the decision of one executor iteration.
pub type DecidedHook<'a> = dyn FnMut(&Rollout, DateTime<Utc>, &Observations, &Decision) + Send + 'a;

/// Optional hooks of [`Executor::run_with`], used by the cockpit.
#[derive(Default)]
pub struct RunHooks<'a> {
    /// Called after every decision, before it is performed.
    pub decided: Option<&'a mut DecidedHook<'a>>,
    /// An abort request: once it contains `Some(reason)`, the executor stops
    /// waiting and rolls the alias back to the stable version. A write in
    /// flight is never interrupted; the rollback follows it.
    pub abort: Option<tokio::sync::watch::Receiver<Option<String>>>,
}

impl RunHooks<'_> {
    fn abort_reason(&self) -> Option<String> {
        self.abort.as_ref().and_then(|abort| abort.borrow().clone())
    }

    /// Sleeps until `until`, or until an abort is requested while none has
    /// been applied yet.
    async fn sleep_until(&mut self, until: DateTime<Utc>, abort_applied: bool) {
        match self.abort.as_mut() {
            Some(abort) if !abort_applied => {
                tokio::select! {
                    () = sleep_until(until) => {}
                    // An error means the sender is gone: no abort can come,
                    // so the sleep runs out as usual.
                    closed = async { abort.wait_for(Option::is_some).await.is_err() } => {
                        if closed {
                            sleep_until(until).await;
                        }
                    }
                }
            }
            _ => sleep_until(until).await,
        }
    }
}

/// One alias write: what the caller wants and why.
#[derive(Debug, Clone)]
pub struct AliasWrite<'a> {
    pub function: &'a str,
    pub alias: &'a str,
    pub before: AliasSnapshot,
    pub routing: &'a AliasRouting,
    pub expected_revision_id: &'a str,
    pub reason: String,
    pub kind: WriteKind,
}

/// Sends writes, persists state and keeps the audit log.
pub struct Executor<'a> {
    pub clients: &'a RegionClients,
    pub store: StateStore,
    pub audit: AuditLog,
    pub identity: AuditIdentity,
    pub read_only: bool,
}

impl Executor<'_> {
    /// Sends one conditional UpdateAlias, unless read-only, and appends its
    /// audit line whatever the outcome.
    pub async fn write_alias(&self, write: AliasWrite<'_>) -> Result<Alias, ExecutorError> {
        let mut record = AuditRecord {
            time: Utc::now(),
            identity: self.identity.clone(),
            function: write.function.to_string(),
            alias: write.alias.to_string(),
            before: write.before.clone(),
            after: AliasSnapshot::from_routing(write.routing, None),
            reason: write.reason.clone(),
            kind: write.kind,
            outcome: String::new(),
            error: None,
        };
        if self.read_only {
            record.outcome = "refused_read_only".to_string();
            self.audit.append(&record)?;
            return Err(ExecutorError::ReadOnly {
                action: "lambda:UpdateAlias",
                function: write.function.to_string(),
                alias: write.alias.to_string(),
            });
        }
        let result = aws::update_alias(
            self.clients,
            write.function,
            write.alias,
            write.routing,
            write.expected_revision_id,
        )
        .await;
        record.time = Utc::now();
        match &result {
            Ok(alias) => {
                record.outcome = "succeeded".to_string();
                record.after = AliasSnapshot::from_alias(alias);
            }
            Err(error) => {
                record.outcome = "failed".to_string();
                record.error = Some(error.to_string());
            }
        }
        self.audit.append(&record)?;
        Ok(result?)
    }

    /// Drives `rollout` until it finishes or needs the operator, saving it
    /// after every applied event. `progress` receives one line per step.
    pub async fn run(
        &self,
        rollout: &mut Rollout,
        progress: &mut (dyn FnMut(String) + Send),
    ) -> Result<RunEnd, ExecutorError> {
        self.run_with(rollout, progress, RunHooks::default()).await
    }

    /// Runs like [`Executor::run`], and also reports every decision to
    /// `hooks.decided` and turns an abort request into a rollback.
    pub async fn run_with(
        &self,
        rollout: &mut Rollout,
        progress: &mut (dyn FnMut(String) + Send),
        mut hooks: RunHooks<'_>,
    ) -> Result<RunEnd, ExecutorError> {
        let mut abort_applied = false;
        // In read-only mode nothing is persisted, so a refused rollout does
        // not leave an unfinished state behind.
        if !self.read_only {
            self.store.save(rollout)?;
        }
        for _ in 0..MAX_ITERATIONS {
            if !abort_applied && let Some(reason) = hooks.abort_reason() {
                abort_applied = true;
                if !rollout.phase.is_terminal() {
                    progress(format!("abort requested: {reason}; rolling back"));
                    rollout.apply(Utc::now(), Event::RollBackRequested { reason })?;
                    self.store.save(rollout)?;
                }
            }
            // While a step bakes, someone else (a second anshin, the console)
            // may roll the alias back. Reading it on every check stops the
            // rollout there, instead of judging a version that no longer
            // gets traffic and writing over that change later.
            if matches!(rollout.phase, Phase::Baking { .. }) {
                match aws::get_alias(self.clients, &rollout.function_name, &rollout.alias_name)
                    .await
                {
                    Ok(alias) => rollout.apply(Utc::now(), Event::AliasRead(alias))?,
                    Err(error) => progress(format!("warning: cannot read the alias: {error}")),
                }

                // `anshin rollback` in another shell also ends the rollout in
                // the state file. That record wins: adopting it finishes
                // this run, and saving over it would revive the rollout.
                if let Some(stored) = self.ended_elsewhere(rollout) {
                    progress(format!(
                        "the rollout was ended by another process: {}",
                        stored.phase.name()
                    ));
                    *rollout = stored;
                    continue;
                }
                self.store.save(rollout)?;
            }

            let now = Utc::now();
            let observations = self.observe(rollout, now, progress).await;
            let decision = decide(rollout, now, &observations);
            if let Some(decided) = hooks.decided.as_mut() {
                decided(rollout, now, &observations, &decision);
            }
            match decision {
                Decision::Finished(outcome) => return Ok(RunEnd::Finished(outcome)),
                Decision::Wait { until, reason } => {
                    progress(format!("waiting: {}", describe_wait(&reason, until)));
                    hooks.sleep_until(until, abort_applied).await;
                }
                Decision::Hold {
                    reason,
                    roll_back_at,
                    next_check,
                    ..
                } => {
                    progress(format!(
                        "holding: {reason}; rolls back at {} unless the data becomes conclusive",
                        roll_back_at.format("%H:%M:%S UTC")
                    ));
                    hooks.sleep_until(next_check, abort_applied).await;
                }
                Decision::ReadAlias => {
                    let alias =
                        aws::get_alias(self.clients, &rollout.function_name, &rollout.alias_name)
                            .await?;
                    rollout.apply(Utc::now(), Event::AliasRead(alias))?;
                    self.store.save(rollout)?;
                }
                Decision::ApplyWeights { .. } | Decision::RollBack { .. } => {
                    self.perform_write(rollout, &decision, progress).await?;
                }
                Decision::AskOperator {
                    conflict,
                    resume,
                    expected,
                } => {
                    let alias =
                        aws::get_alias(self.clients, &rollout.function_name, &rollout.alias_name)
                            .await
                            .ok()
                            .map(Box::new);
                    self.store.save(rollout)?;
                    return Ok(RunEnd::NeedsOperator {
                        conflict,
                        resume,
                        expected,
                        alias,
                    });
                }
            }
        }
        Err(ExecutorError::TooManyIterations(MAX_ITERATIONS))
    }

    /// Returns the saved copy of `rollout` when another process has ended
    /// it since this run last saved it.
    fn ended_elsewhere(&self, rollout: &Rollout) -> Option<Rollout> {
        let stored = self
            .store
            .load(&rollout.function_name, &rollout.alias_name)
            .ok()
            .flatten()?;
        (stored.created_at == rollout.created_at && stored.phase.is_terminal()).then_some(stored)
    }

    async fn perform_write(
        &self,
        rollout: &mut Rollout,
        decision: &Decision,
        progress: &mut (dyn FnMut(String) + Send),
    ) -> Result<(), ExecutorError> {
        let (routing, expected_revision_id, reason, kind) = match decision {
            Decision::ApplyWeights {
                step,
                routing,
                expected_revision_id,
            } => (
                routing,
                expected_revision_id,
                format!(
                    "shift step {} of {} ({})",
                    step + 1,
                    rollout.steps.len(),
                    rollout.strategy
                ),
                WriteKind::Shift,
            ),
            Decision::RollBack {
                reason,
                routing,
                expected_revision_id,
            } => (
                routing,
                expected_revision_id,
                format!("rollback: {reason}"),
                WriteKind::Rollback,
            ),
            _ => return Ok(()),
        };
        let Some(write) = decision.write() else {
            return Ok(());
        };
        let before = AliasSnapshot::from_routing(
            &rollout.expected_routing,
            Some(expected_revision_id.clone()),
        );
        let function = rollout.function_name.clone();
        let alias = rollout.alias_name.clone();
        let request = AliasWrite {
            function: &function,
            alias: &alias,
            before,
            routing,
            expected_revision_id,
            reason: reason.clone(),
            kind,
        };
        if self.read_only {
            // Reject the write before the state records it as in flight.
            return self.write_alias(request).await.map(|_| ());
        }

        progress(format!("{reason}: UpdateAlias to {routing}"));
        rollout.apply(Utc::now(), Event::WriteSent(write))?;
        self.store.save(rollout)?;
        let event = match self.write_alias(request).await {
            Ok(_) => Event::WriteSucceeded,
            Err(ExecutorError::Aws(error)) => {
                progress(format!("UpdateAlias failed: {error}"));
                let message = error.to_string();
                Event::WriteFailed(WriteFailure::from_error_code(
                    error.code.as_deref(),
                    &message,
                ))
            }
            Err(other) => return Err(other),
        };
        rollout.apply(Utc::now(), event)?;
        self.store.save(rollout)
    }

    /// Reads the alarms, and the per-version metrics of a baking step. A
    /// failed read is reported and leaves that part empty: missing metrics
    /// make the guard inconclusive, which never passes a step.
    // NOTE: a failed DescribeAlarms read counts as "no alarm firing" for
    // that iteration; the metrics guard still judges the step.
    async fn observe(
        &self,
        rollout: &Rollout,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(String) + Send),
    ) -> Observations {
        let mut observations = Observations::default();
        let needs_alarms = matches!(
            rollout.phase,
            Phase::Planned | Phase::Pending { .. } | Phase::Baking { .. }
        );
        if !needs_alarms {
            return observations;
        }
        match aws::describe_alarms(self.clients).await {
            Ok(alarms) => observations.alarms = alarms,
            Err(error) => progress(format!("warning: cannot read alarms: {error}")),
        }
        let Phase::Baking { started_at, .. } = rollout.phase else {
            return observations;
        };
        let start = started_at
            .duration_trunc(TimeDelta::minutes(1))
            .unwrap_or(started_at)
            - TimeDelta::minutes(1);
        let (_, end) = MetricsRequest::last_minutes(now, 1);
        let request = MetricsRequest {
            functions: Vec::new(),
            weighted_aliases: vec![(
                rollout.function_name.clone(),
                rollout.alias_name.clone(),
                vec![rollout.new_version.clone(), rollout.stable_version.clone()],
            )],
            start,
            end,
            period_s: 60,
        };
        match aws::fetch_fleet_metrics(self.clients, &request).await {
            Ok((metrics, _)) => {
                let mut versions = metrics
                    .versions
                    .get(&rollout.function_name)
                    .cloned()
                    .unwrap_or_default()
                    .into_iter();
                if let Some(new) = versions.next() {
                    observations.new = new;
                }
                observations.stable = versions.next();
            }
            Err(error) => progress(format!("warning: cannot read metrics: {error}")),
        }
        let thresholds = &rollout.config.thresholds;
        if thresholds.needs_duration() || thresholds.needs_throttles() {
            self.observe_duration_and_throttles(rollout, now, &mut observations, progress)
                .await;
        }
        observations
    }

    /// Reads the alias's Throttles and the Duration series of both versions,
    /// only when a limit needs them, because they cost extra metrics per
    /// check. A failed read leaves them empty, which the guard reports as a
    /// skipped check.
    async fn observe_duration_and_throttles(
        &self,
        rollout: &Rollout,
        now: DateTime<Utc>,
        observations: &mut Observations,
        progress: &mut (dyn FnMut(String) + Send),
    ) {
        use crate::model::drill_metrics::{Scope, TimeRange};
        let alias = rollout.alias_name.clone();
        let request = aws::DrillRequest {
            function: rollout.function_name.clone(),
            aliases: vec![alias.clone()],
            weighted: vec![(
                alias.clone(),
                vec![rollout.new_version.clone(), rollout.stable_version.clone()],
            )],
            // Three hours cover the longest bake plus the maximum hold.
            range: TimeRange::ThreeHours,
        };
        let metrics = match aws::fetch_drill_metrics(self.clients, &request, now).await {
            Ok((metrics, _)) => metrics,
            Err(error) => {
                progress(format!(
                    "warning: cannot read duration and throttles: {error}"
                ));
                return;
            }
        };
        observations.throttles = metrics
            .scope(&Scope::Alias(alias.clone()))
            .map(|scope| scope.series.throttles.clone());
        let duration_of = |version: &str| {
            metrics
                .scope(&Scope::Version {
                    alias: alias.clone(),
                    version: version.to_string(),
                })
                .map(super::guard::DurationSeries::from_scope)
        };
        observations.new_duration = duration_of(&rollout.new_version);
        observations.stable_duration = duration_of(&rollout.stable_version);
    }
}

fn describe_wait(reason: &super::machine::WaitReason, until: DateTime<Utc>) -> String {
    use super::machine::WaitReason;
    match reason {
        WaitReason::AlarmBeforeStart { alarms } => format!(
            "alarm in ALARM before the first shift ({}); checking again at {}",
            alarms.join(", "),
            until.format("%H:%M:%S UTC")
        ),
        WaitReason::FunctionBusy => format!(
            "the function is updating; sending the write again at {}",
            until.format("%H:%M:%S UTC")
        ),
        WaitReason::Baking { step, final_at } => format!(
            "step {} baking; metrics final at {}",
            step + 1,
            final_at.format("%H:%M:%S UTC")
        ),
    }
}

async fn sleep_until(until: DateTime<Utc>) {
    let remaining = (until - Utc::now()).to_std().unwrap_or(Duration::ZERO);
    tokio::time::sleep(remaining.clamp(MIN_SLEEP, MAX_SLEEP)).await;
}
