//! The rollout state machine. [`decide`] is a pure function of the state,
//! the time and the observations; it returns what the executor must do next.
//! The executor reports what happened through [`Rollout::apply`], and writes
//! the state to disk after every applied event.
//!
//! Phases: `Planned → Shifting(step) → Baking(step) → … → Completed`, with
//! `RolledBack` and `Aborted` as the other ends. A write is recorded as
//! `Shifting` or `RollingBack` before it is sent, so a restart during a write
//! knows that its outcome is unknown and asks the operator instead of
//! guessing.
//!
//! Concurrency control follows Lambda's `RevisionId`: every `UpdateAlias`
//! carries the RevisionId of a `GetAlias` read made after the last write.
//! The RevisionId returned by a write is never reused, because Lambda can
//! change it again while the update settles.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::guard::{
    AlarmScope, Evaluation, InconclusiveReason, Observations, Thresholds, UnhealthyReason, Verdict,
    analysis_window, evaluate, to_delta, window_final_at,
};
use super::strategy::{Step, Strategy};
use super::weights::{AliasRouting, RoutingError, Weight, is_published_version};
use crate::model::Alias;

/// Version of the persisted state's layout. Raise it when a field changes
/// meaning, so an older build rejects a newer file instead of misreading it.
pub const ROLLOUT_FORMAT_VERSION: u32 = 1;

/// Settings of one rollout, persisted with it so a resumed rollout keeps the
/// limits it was confirmed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutConfig {
    pub thresholds: Thresholds,
    /// The function's configured timeout. It sets how far behind `now` the
    /// analysis window ends.
    pub function_timeout: Duration,
    /// How long an inconclusive step may hold after its bake before the
    /// rollout rolls back. Holding forever would leave a split alias with
    /// nobody watching it.
    pub max_hold: Duration,
    /// Time between guard evaluations while waiting.
    pub check_interval: Duration,
    /// Wait before sending a write again after Lambda answered that an
    /// update of the function is in progress.
    pub busy_retry_after: Duration,
    /// Busy answers in a row after which the rollout stops and asks the
    /// operator.
    pub max_busy_retries: u32,
    /// Alarms that count whatever their dimensions.
    pub extra_alarm_names: Vec<String>,
}

impl Default for RolloutConfig {
    fn default() -> Self {
        RolloutConfig {
            thresholds: Thresholds::default(),
            function_timeout: Duration::from_secs(3),
            max_hold: Duration::from_secs(30 * 60),
            check_interval: Duration::from_secs(60),
            busy_retry_after: Duration::from_secs(30),
            max_busy_retries: 10,
            extra_alarm_names: Vec::new(),
        }
    }
}

/// An `UpdateAlias` call the machine can ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum Write {
    /// Set the weights of plan step `step` (index into the plan).
    Step { step: usize },
    /// Send all traffic back to the stable version.
    RollBack { reason: RollbackReason },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum RollbackReason {
    AlarmFiring {
        alarms: Vec<String>,
    },
    Unhealthy {
        reasons: Vec<UnhealthyReason>,
    },
    /// The step stayed inconclusive for the configured maximum hold.
    HoldExpired {
        held_for: Duration,
        last: InconclusiveReason,
    },
    Operator {
        reason: String,
    },
}

impl fmt::Display for RollbackReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RollbackReason::AlarmFiring { alarms } => {
                write!(f, "alarm in ALARM: {}", alarms.join(", "))
            }
            RollbackReason::Unhealthy { reasons } => {
                let texts: Vec<String> = reasons.iter().map(ToString::to_string).collect();
                write!(f, "new version unhealthy: {}", texts.join("; "))
            }
            RollbackReason::HoldExpired { held_for, last } => write!(
                f,
                "held for {} minutes without a verdict ({last})",
                held_for.as_secs() / 60
            ),
            RollbackReason::Operator { reason } => write!(f, "requested by the operator: {reason}"),
        }
    }
}

/// Why the machine stopped to ask the operator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "conflict", rename_all = "snake_case")]
pub enum Conflict {
    /// Lambda rejected the write with `PreconditionFailedException`: the
    /// alias changed after anshin read its RevisionId.
    RevisionMismatch,
    /// A `GetAlias` read found routing that anshin did not write.
    AliasChanged {
        expected: AliasRouting,
        found: String,
    },
    /// The rollout stopped while a write was in flight, so whether Lambda
    /// applied it is unknown.
    OutcomeUnknown,
    /// The write failed for another reason, or the function stayed busy.
    WriteFailed { message: String },
    /// `GetAlias` returned no RevisionId, so no write can be conditional.
    MissingRevisionId,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::RevisionMismatch => f.write_str(
                "the alias was changed by someone else since anshin read it \
                 (PreconditionFailedException)",
            ),
            Conflict::AliasChanged { expected, found } => {
                write!(
                    f,
                    "the alias routes {found}, but anshin expected {expected}"
                )
            }
            Conflict::OutcomeUnknown => {
                f.write_str("anshin stopped while a write was in flight; its outcome is unknown")
            }
            Conflict::WriteFailed { message } => write!(f, "the write failed: {message}"),
            Conflict::MissingRevisionId => f.write_str("GetAlias returned no RevisionId"),
        }
    }
}

/// How an `UpdateAlias` call failed, as the executor classifies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum WriteFailure {
    /// `PreconditionFailedException` (HTTP 412): stale RevisionId.
    PreconditionFailed,
    /// `ResourceConflictException`: an update of the function is in
    /// progress. The write was not applied and may be sent again with the
    /// same RevisionId, which still guards against concurrent changes.
    UpdateInProgress,
    Other {
        message: String,
    },
}

impl WriteFailure {
    /// Classifies an `UpdateAlias` error by its error code, not its message.
    pub fn from_error_code(code: Option<&str>, message: &str) -> Self {
        match code {
            Some("PreconditionFailedException") => WriteFailure::PreconditionFailed,
            Some("ResourceConflictException") => WriteFailure::UpdateInProgress,
            _ => WriteFailure::Other {
                message: message.to_string(),
            },
        }
    }
}

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Created and confirmed; nothing written yet.
    Planned,
    /// A write is due, possibly not before a time (after a busy answer or
    /// after the operator resolved a conflict).
    Pending {
        write: Write,
        not_before: Option<DateTime<Utc>>,
    },
    /// `UpdateAlias` for `step` was sent; its outcome is not recorded yet.
    Shifting {
        step: usize,
        sent_at: DateTime<Utc>,
    },
    /// The weights of `step` are live since `started_at`; the guard watches.
    Baking {
        step: usize,
        started_at: DateTime<Utc>,
    },
    /// The rollback write was sent; its outcome is not recorded yet.
    RollingBack {
        reason: RollbackReason,
        sent_at: DateTime<Utc>,
    },
    /// Stopped until the operator has seen the alias re-read and chosen.
    Conflict {
        resume: Write,
        conflict: Conflict,
    },
    Completed {
        at: DateTime<Utc>,
    },
    RolledBack {
        at: DateTime<Utc>,
        reason: RollbackReason,
    },
    /// Stopped by the operator; the alias was left as it was.
    Aborted {
        at: DateTime<Utc>,
        reason: String,
    },
}

impl Phase {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Phase::Completed { .. } | Phase::RolledBack { .. } | Phase::Aborted { .. }
        )
    }

    fn name(&self) -> &'static str {
        match self {
            Phase::Planned => "planned",
            Phase::Pending { .. } => "pending",
            Phase::Shifting { .. } => "shifting",
            Phase::Baking { .. } => "baking",
            Phase::RollingBack { .. } => "rolling back",
            Phase::Conflict { .. } => "conflict",
            Phase::Completed { .. } => "completed",
            Phase::RolledBack { .. } => "rolled back",
            Phase::Aborted { .. } => "aborted",
        }
    }
}

/// What the executor reports to the machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// About to send the write that [`decide`] returned. Persist the state
    /// before sending.
    WriteSent(Write),
    WriteSucceeded,
    WriteFailed(WriteFailure),
    /// The alias as `GetAlias` returned it.
    AliasRead(Alias),
    /// The operator saw `alias` (read after the conflict) and chose to go on.
    OperatorContinue {
        alias: Alias,
    },
    RollBackRequested {
        reason: String,
    },
    /// Stops the rollout and leaves the alias as it is.
    AbortRequested {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "wait", rename_all = "snake_case")]
pub enum WaitReason {
    /// An alarm is in `ALARM` before the first shift; the rollout starts
    /// when it clears.
    AlarmBeforeStart { alarms: Vec<String> },
    /// Lambda reported an update in progress; the write is sent again then.
    FunctionBusy,
    /// The step bakes until its metrics are final at `final_at`.
    Baking {
        step: usize,
        final_at: DateTime<Utc>,
    },
}

/// How a rollout ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    RolledBack { reason: RollbackReason },
    Aborted { reason: String },
}

/// What the executor must do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Nothing to do before `until`; call [`decide`] again then.
    Wait {
        until: DateTime<Utc>,
        reason: WaitReason,
    },
    /// Call `GetAlias` and report [`Event::AliasRead`]: the next write needs a
    /// RevisionId read after the last one.
    ReadAlias,
    /// Report [`Event::WriteSent`], then call `UpdateAlias` with `routing`
    /// and `expected_revision_id`.
    ApplyWeights {
        step: usize,
        routing: AliasRouting,
        expected_revision_id: String,
    },
    /// Report [`Event::WriteSent`], then call `UpdateAlias` with all traffic
    /// on the stable version.
    RollBack {
        reason: RollbackReason,
        routing: AliasRouting,
        expected_revision_id: String,
    },
    /// The step is inconclusive after its bake. It holds until the data is
    /// conclusive or `roll_back_at`, when the rollout rolls back.
    Hold {
        reason: InconclusiveReason,
        since: DateTime<Utc>,
        roll_back_at: DateTime<Utc>,
        next_check: DateTime<Utc>,
    },
    /// Re-read the alias, show the operator what changed against
    /// `expected`, and ask again. Never send `resume` blindly.
    AskOperator {
        conflict: Conflict,
        resume: Write,
        expected: AliasRouting,
    },
    /// The rollout is over.
    Finished(Outcome),
}

impl Decision {
    /// The write to report in [`Event::WriteSent`] for a write decision.
    pub fn write(&self) -> Option<Write> {
        match self {
            Decision::ApplyWeights { step, .. } => Some(Write::Step { step: *step }),
            Decision::RollBack { reason, .. } => Some(Write::RollBack {
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "invalid target version {0:?}: a rollout shifts to a published version number, \
         never $LATEST; publish a version first"
    )]
    TargetNotPublished(String),
    #[error("nothing to shift: alias already points to version {0}")]
    SameVersion(String),
    #[error(
        "alias {alias} already splits traffic ({routing}); finish or roll back that shift first"
    )]
    AliasAlreadyWeighted { alias: String, routing: String },
    #[error("alias {0} was read without a RevisionId; read it again before planning")]
    MissingRevisionId(String),
    #[error("invalid alias routing: {0}")]
    Routing(#[from] RoutingError),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("event {event} is not valid while the rollout is {phase}")]
    InvalidEvent { phase: &'static str, event: String },
    #[error("invalid write: step {step} is not the next step of this rollout")]
    UnexpectedStep { step: usize },
    #[error("the alias read after the conflict has no RevisionId; read it again")]
    MissingRevisionId,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("invalid rollout state file: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "unsupported rollout state format version {found}; this build reads version \
         {ROLLOUT_FORMAT_VERSION}, so finish the rollout with the build that started it"
    )]
    UnsupportedVersion { found: u64 },
    #[error("invalid rollout state file: missing format_version")]
    MissingVersion,
    #[error("invalid rollout state: {0}")]
    Inconsistent(String),
}

/// One guarded traffic shift of one alias, as persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollout {
    pub format_version: u32,
    pub function_name: String,
    pub alias_name: String,
    /// The alias's `FunctionVersion` read for the preview: where traffic
    /// returns on rollback.
    pub stable_version: String,
    pub new_version: String,
    pub strategy: Strategy,
    /// The plan expanded at creation, so a newer build with other step
    /// arithmetic resumes the same plan.
    pub steps: Vec<Step>,
    pub config: RolloutConfig,
    /// The routing that anshin last wrote, or read before its first write.
    pub expected_routing: AliasRouting,
    /// The alias RevisionId for the next write; `None` until a `GetAlias`
    /// after the last write has been read.
    pub revision_id: Option<String>,
    /// `ResourceConflictException` answers in a row.
    pub busy_retries: u32,
    pub phase: Phase,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Rollout {
    /// Plans a rollout from the alias as read for the preview. The stable
    /// version is the alias's live `FunctionVersion`, never a cached one, and
    /// the preview's RevisionId guards the first write.
    pub fn plan(
        function_name: &str,
        alias: &Alias,
        new_version: &str,
        strategy: Strategy,
        config: RolloutConfig,
        now: DateTime<Utc>,
    ) -> Result<Self, PlanError> {
        if !is_published_version(new_version) {
            return Err(PlanError::TargetNotPublished(new_version.to_string()));
        }
        let current = AliasRouting::from_alias(alias)?;
        if current.additional.is_some() {
            return Err(PlanError::AliasAlreadyWeighted {
                alias: alias.name.clone(),
                routing: current.to_string(),
            });
        }
        if alias.function_version == new_version {
            return Err(PlanError::SameVersion(new_version.to_string()));
        }
        let Some(revision_id) = alias.revision_id.clone() else {
            return Err(PlanError::MissingRevisionId(alias.name.clone()));
        };
        let steps = strategy.plan();
        for step in &steps {
            AliasRouting::for_step(&alias.function_version, new_version, step.weight)?;
        }

        Ok(Rollout {
            format_version: ROLLOUT_FORMAT_VERSION,
            function_name: function_name.to_string(),
            alias_name: alias.name.clone(),
            stable_version: alias.function_version.clone(),
            new_version: new_version.to_string(),
            strategy,
            steps,
            config,
            expected_routing: current,
            revision_id: Some(revision_id),
            busy_retries: 0,
            phase: Phase::Planned,
            created_at: now,
            updated_at: now,
        })
    }

    /// The routing of plan step `step`. Steps were validated when planned;
    /// an index past the plan returns the rollback routing.
    pub fn routing_for_step(&self, step: usize) -> AliasRouting {
        let weight = self.steps.get(step).map_or(Weight::ZERO, |s| s.weight);
        AliasRouting::for_step(&self.stable_version, &self.new_version, weight)
            .unwrap_or_else(|_| self.rollback_routing())
    }

    pub fn rollback_routing(&self) -> AliasRouting {
        AliasRouting::single(&self.stable_version)
    }

    fn routing_for_write(&self, write: &Write) -> AliasRouting {
        match write {
            Write::Step { step } => self.routing_for_step(*step),
            Write::RollBack { .. } => self.rollback_routing(),
        }
    }

    fn alarm_scope(&self) -> AlarmScope {
        AlarmScope {
            function_name: self.function_name.clone(),
            extra_alarm_names: self.config.extra_alarm_names.clone(),
        }
    }

    /// Evaluates the guard for the step that is baking, for display.
    pub fn evaluate_current(
        &self,
        now: DateTime<Utc>,
        observations: &Observations,
    ) -> Option<Evaluation> {
        let Phase::Baking { started_at, .. } = &self.phase else {
            return None;
        };
        let window = analysis_window(now, *started_at, self.config.function_timeout);
        Some(evaluate(
            observations,
            window,
            &self.alarm_scope(),
            &self.config.thresholds,
        ))
    }

    /// Serializes the state for the state directory.
    pub fn to_json(&self) -> Result<String, StateError> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// Reads a persisted state, rejecting other format versions and plans
    /// that no build of this version would write.
    pub fn from_json(text: &str) -> Result<Self, StateError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or(StateError::MissingVersion)?;
        if found != u64::from(ROLLOUT_FORMAT_VERSION) {
            return Err(StateError::UnsupportedVersion { found });
        }
        let rollout: Rollout = serde_json::from_value(value)?;
        rollout.check_consistent()?;
        Ok(rollout)
    }

    fn check_consistent(&self) -> Result<(), StateError> {
        if !self.steps.last().is_some_and(Step::is_promotion) {
            return Err(StateError::Inconsistent(
                "the plan does not end with a step at 100%".to_string(),
            ));
        }
        let step = match &self.phase {
            Phase::Shifting { step, .. } | Phase::Baking { step, .. } => Some(*step),
            Phase::Pending {
                write: Write::Step { step },
                ..
            }
            | Phase::Conflict {
                resume: Write::Step { step },
                ..
            } => Some(*step),
            _ => None,
        };
        if let Some(step) = step
            && step >= self.steps.len()
        {
            return Err(StateError::Inconsistent(format!(
                "step {step} is past the plan's {} steps",
                self.steps.len()
            )));
        }
        Ok(())
    }
}

/// Decides the next action. Pure: the same state, time and observations
/// always give the same decision, and nothing is changed.
pub fn decide(rollout: &Rollout, now: DateTime<Utc>, observations: &Observations) -> Decision {
    match &rollout.phase {
        Phase::Completed { .. } => Decision::Finished(Outcome::Completed),
        Phase::RolledBack { reason, .. } => Decision::Finished(Outcome::RolledBack {
            reason: reason.clone(),
        }),
        Phase::Aborted { reason, .. } => Decision::Finished(Outcome::Aborted {
            reason: reason.clone(),
        }),
        Phase::Conflict { resume, conflict } => {
            ask_operator(rollout, conflict.clone(), resume.clone())
        }
        Phase::Shifting { step, .. } => ask_operator(
            rollout,
            Conflict::OutcomeUnknown,
            Write::Step { step: *step },
        ),
        Phase::RollingBack { reason, .. } => ask_operator(
            rollout,
            Conflict::OutcomeUnknown,
            Write::RollBack {
                reason: reason.clone(),
            },
        ),
        Phase::Planned => start(rollout, now, observations),
        Phase::Pending { write, not_before } => {
            if let Some(not_before) = not_before
                && now < *not_before
            {
                return Decision::Wait {
                    until: *not_before,
                    reason: WaitReason::FunctionBusy,
                };
            }
            match write {
                Write::Step { step: 0 } => start(rollout, now, observations),
                Write::Step { step } => {
                    let firing = rollout.alarm_scope().firing(&observations.alarms);
                    if firing.is_empty() {
                        apply_step(rollout, *step)
                    } else {
                        roll_back(rollout, alarm_reason(firing))
                    }
                }
                Write::RollBack { reason } => roll_back(rollout, reason.clone()),
            }
        }
        Phase::Baking { step, started_at } => bake(rollout, now, observations, *step, *started_at),
    }
}

fn ask_operator(rollout: &Rollout, conflict: Conflict, resume: Write) -> Decision {
    Decision::AskOperator {
        conflict,
        resume,
        expected: rollout.expected_routing.clone(),
    }
}

fn alarm_reason(firing: Vec<&str>) -> RollbackReason {
    RollbackReason::AlarmFiring {
        alarms: firing.into_iter().map(str::to_string).collect(),
    }
}

/// The first write waits while any alarm fires: shifting traffic into an
/// incident would make the guard blame the new version for it.
fn start(rollout: &Rollout, now: DateTime<Utc>, observations: &Observations) -> Decision {
    let firing = rollout.alarm_scope().firing(&observations.alarms);
    if !firing.is_empty() {
        return Decision::Wait {
            until: now + to_delta(rollout.config.check_interval),
            reason: WaitReason::AlarmBeforeStart {
                alarms: firing.into_iter().map(str::to_string).collect(),
            },
        };
    }
    apply_step(rollout, 0)
}

fn apply_step(rollout: &Rollout, step: usize) -> Decision {
    let Some(expected_revision_id) = rollout.revision_id.clone() else {
        return Decision::ReadAlias;
    };
    Decision::ApplyWeights {
        step,
        routing: rollout.routing_for_step(step),
        expected_revision_id,
    }
}

fn roll_back(rollout: &Rollout, reason: RollbackReason) -> Decision {
    let Some(expected_revision_id) = rollout.revision_id.clone() else {
        return Decision::ReadAlias;
    };
    Decision::RollBack {
        reason,
        routing: rollout.rollback_routing(),
        expected_revision_id,
    }
}

/// Judges a baking step. Alarms and unhealthy verdicts roll back at once,
/// even on a partial window; passing needs a window that covers the whole
/// bake with final data, so a step lasts its bake plus the metrics lag.
fn bake(
    rollout: &Rollout,
    now: DateTime<Utc>,
    observations: &Observations,
    step: usize,
    started_at: DateTime<Utc>,
) -> Decision {
    let config = &rollout.config;
    let window = analysis_window(now, started_at, config.function_timeout);
    let evaluation = evaluate(
        observations,
        window,
        &rollout.alarm_scope(),
        &config.thresholds,
    );
    match evaluation.verdict {
        Verdict::AlarmFiring(alarms) => {
            return roll_back(rollout, RollbackReason::AlarmFiring { alarms });
        }
        Verdict::Unhealthy(reasons) => {
            return roll_back(rollout, RollbackReason::Unhealthy { reasons });
        }
        Verdict::Healthy | Verdict::Inconclusive(_) => {}
    }

    let bake = rollout.steps.get(step).map_or(Duration::ZERO, |s| s.bake);
    let final_at = window_final_at(
        started_at,
        started_at + to_delta(bake),
        config.function_timeout,
    );
    let next_check = now + to_delta(config.check_interval);
    if now < final_at {
        return Decision::Wait {
            until: next_check.min(final_at),
            reason: WaitReason::Baking { step, final_at },
        };
    }

    match evaluation.verdict {
        Verdict::Inconclusive(reason) => {
            let roll_back_at = final_at + to_delta(config.max_hold);
            if now >= roll_back_at {
                return roll_back(
                    rollout,
                    RollbackReason::HoldExpired {
                        held_for: config.max_hold,
                        last: reason,
                    },
                );
            }
            Decision::Hold {
                reason,
                since: final_at,
                roll_back_at,
                next_check: next_check.min(roll_back_at),
            }
        }
        _ => apply_step(rollout, step + 1),
    }
}

impl Rollout {
    /// Records what the executor did or saw. On error the state is unchanged.
    pub fn apply(&mut self, now: DateTime<Utc>, event: Event) -> Result<(), TransitionError> {
        let next = self.next_phase(now, &event)?;
        if let Some(phase) = next {
            self.phase = phase;
        }
        self.updated_at = now;
        Ok(())
    }

    fn invalid(&self, event: &Event) -> TransitionError {
        TransitionError::InvalidEvent {
            phase: self.phase.name(),
            event: event_name(event).to_string(),
        }
    }

    /// The phase after `event`, with the side fields (RevisionId, expected
    /// routing, busy counter) updated. `None` keeps the phase.
    fn next_phase(
        &mut self,
        now: DateTime<Utc>,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        if self.phase.is_terminal() {
            return Err(self.invalid(event));
        }
        match event {
            Event::WriteSent(write) => self.on_write_sent(now, write, event),
            Event::WriteSucceeded => self.on_write_succeeded(now, event),
            Event::WriteFailed(failure) => self.on_write_failed(now, failure, event),
            Event::AliasRead(alias) => self.on_alias_read(alias, event),
            Event::OperatorContinue { alias } => self.on_continue(now, alias, event),
            Event::RollBackRequested { reason } => {
                Ok(Some(self.on_rollback_requested(now, reason)))
            }
            Event::AbortRequested { reason } => Ok(Some(Phase::Aborted {
                at: now,
                reason: reason.clone(),
            })),
        }
    }

    fn on_write_sent(
        &mut self,
        now: DateTime<Utc>,
        write: &Write,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        if self.revision_id.is_none() {
            return Err(self.invalid(event));
        }
        match write {
            Write::Step { step } => {
                let expected = match &self.phase {
                    Phase::Planned => 0,
                    Phase::Pending {
                        write: Write::Step { step },
                        ..
                    } => *step,
                    Phase::Baking { step, .. } => step + 1,
                    _ => return Err(self.invalid(event)),
                };
                if *step != expected || *step >= self.steps.len() {
                    return Err(TransitionError::UnexpectedStep { step: *step });
                }
                Ok(Some(Phase::Shifting {
                    step: *step,
                    sent_at: now,
                }))
            }
            Write::RollBack { reason } => match &self.phase {
                Phase::Pending { .. } | Phase::Baking { .. } => Ok(Some(Phase::RollingBack {
                    reason: reason.clone(),
                    sent_at: now,
                })),
                _ => Err(self.invalid(event)),
            },
        }
    }

    fn on_write_succeeded(
        &mut self,
        now: DateTime<Utc>,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        let write = self.in_flight().ok_or_else(|| self.invalid(event))?;
        self.expected_routing = self.routing_for_write(&write);
        // The RevisionId that UpdateAlias returns may already be stale; the
        // next write waits for a fresh GetAlias.
        self.revision_id = None;
        self.busy_retries = 0;
        Ok(Some(self.phase_after_success(now, write)))
    }

    fn phase_after_success(&self, now: DateTime<Utc>, write: Write) -> Phase {
        match write {
            Write::Step { step } if self.steps.get(step).is_some_and(Step::is_promotion) => {
                Phase::Completed { at: now }
            }
            Write::Step { step } => Phase::Baking {
                step,
                started_at: now,
            },
            Write::RollBack { reason } => Phase::RolledBack { at: now, reason },
        }
    }

    fn on_write_failed(
        &mut self,
        now: DateTime<Utc>,
        failure: &WriteFailure,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        let write = self.in_flight().ok_or_else(|| self.invalid(event))?;
        let phase = match failure {
            WriteFailure::UpdateInProgress if self.busy_retries < self.config.max_busy_retries => {
                self.busy_retries += 1;
                Phase::Pending {
                    write,
                    not_before: Some(now + to_delta(self.config.busy_retry_after)),
                }
            }
            WriteFailure::UpdateInProgress => {
                self.busy_retries = 0;
                Phase::Conflict {
                    resume: write,
                    conflict: Conflict::WriteFailed {
                        message: format!(
                            "the function was still updating after {} attempts",
                            self.config.max_busy_retries + 1
                        ),
                    },
                }
            }
            WriteFailure::PreconditionFailed => {
                self.revision_id = None;
                Phase::Conflict {
                    resume: write,
                    conflict: Conflict::RevisionMismatch,
                }
            }
            WriteFailure::Other { message } => {
                self.revision_id = None;
                Phase::Conflict {
                    resume: write,
                    conflict: Conflict::WriteFailed {
                        message: message.clone(),
                    },
                }
            }
        };
        Ok(Some(phase))
    }

    /// Accepts the RevisionId of a read only when the alias routes as anshin
    /// expects; anything else is someone else's change and goes to the
    /// operator.
    fn on_alias_read(
        &mut self,
        alias: &Alias,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        let resume = match &self.phase {
            Phase::Planned => Write::Step { step: 0 },
            Phase::Pending { write, .. } => write.clone(),
            Phase::Baking { step, .. } => Write::Step { step: *step },
            _ => return Err(self.invalid(event)),
        };
        let found = AliasRouting::from_alias(alias);
        if found.as_ref() != Ok(&self.expected_routing) {
            self.revision_id = None;
            return Ok(Some(Phase::Conflict {
                resume,
                conflict: Conflict::AliasChanged {
                    expected: self.expected_routing.clone(),
                    found: describe_found(alias, found),
                },
            }));
        }
        match &alias.revision_id {
            Some(revision_id) => {
                self.revision_id = Some(revision_id.clone());
                Ok(None)
            }
            None => Ok(Some(Phase::Conflict {
                resume,
                conflict: Conflict::MissingRevisionId,
            })),
        }
    }

    /// Resumes after a conflict with the alias the operator was shown. When
    /// the alias already routes as the interrupted write intended, the write
    /// counts as done; otherwise it is due again with the new RevisionId.
    fn on_continue(
        &mut self,
        now: DateTime<Utc>,
        alias: &Alias,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        let Phase::Conflict { resume, .. } = &self.phase else {
            return Err(self.invalid(event));
        };
        let resume = resume.clone();
        let Some(revision_id) = alias.revision_id.clone() else {
            return Err(TransitionError::MissingRevisionId);
        };
        let target = self.routing_for_write(&resume);
        let found = AliasRouting::from_alias(alias).ok();
        self.revision_id = Some(revision_id);
        self.busy_retries = 0;
        if found.as_ref() == Some(&target) {
            self.expected_routing = target;
            return Ok(Some(self.phase_after_success(now, resume)));
        }
        if let Some(found) = found {
            self.expected_routing = found;
        }
        Ok(Some(Phase::Pending {
            write: resume,
            not_before: None,
        }))
    }

    /// Before the first write there is nothing to roll back, so the rollout
    /// ends as aborted with the alias untouched.
    fn on_rollback_requested(&mut self, now: DateTime<Utc>, reason: &str) -> Phase {
        if self.phase == Phase::Planned {
            return Phase::Aborted {
                at: now,
                reason: format!("rollback requested before the first shift: {reason}"),
            };
        }
        if matches!(
            self.phase,
            Phase::Shifting { .. } | Phase::RollingBack { .. }
        ) {
            // The write's outcome is unknown, so the next write must follow
            // a fresh read that the operator confirms.
            self.revision_id = None;
        }
        Phase::Pending {
            write: Write::RollBack {
                reason: RollbackReason::Operator {
                    reason: reason.to_string(),
                },
            },
            not_before: None,
        }
    }

    fn in_flight(&self) -> Option<Write> {
        match &self.phase {
            Phase::Shifting { step, .. } => Some(Write::Step { step: *step }),
            Phase::RollingBack { reason, .. } => Some(Write::RollBack {
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

fn describe_found(alias: &Alias, routing: Result<AliasRouting, RoutingError>) -> String {
    match routing {
        Ok(routing) => routing.to_string(),
        Err(error) => format!(
            "version {} with routing that anshin cannot apply ({error})",
            alias.function_version
        ),
    }
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::WriteSent(_) => "write sent",
        Event::WriteSucceeded => "write succeeded",
        Event::WriteFailed(_) => "write failed",
        Event::AliasRead(_) => "alias read",
        Event::OperatorContinue { .. } => "operator continue",
        Event::RollBackRequested { .. } => "rollback requested",
        Event::AbortRequested { .. } => "abort requested",
    }
}
