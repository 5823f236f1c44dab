//! The persisted state of a rollout: its plan, settings, phase and the
//! alias RevisionId for the next write.
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
    AlarmScope, Evaluation, InconclusiveReason, Observations, Thresholds, UnhealthyReason,
    analysis_window, evaluate,
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
    /// Maximum time an inconclusive step may hold after its bake before the
    /// rollout rolls back. Holding forever would leave a split alias without
    /// a guard.
    pub max_hold: Duration,
    /// Time between guard evaluations while waiting.
    pub check_interval: Duration,
    /// Delay before a write is sent again after Lambda returned that an
    /// update of the function is in progress.
    pub busy_retry_after: Duration,
    /// Consecutive busy errors after which the rollout stops and asks the
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

/// Reason the machine stopped to ask the operator.
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

/// Failure of an `UpdateAlias` call, as the executor classifies it.
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

/// Current phase of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Created and confirmed; nothing written yet.
    Planned,
    /// A write is due, possibly not before a time (after a busy error or
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

    /// Returns the phase in lower case, for messages.
    pub fn name(&self) -> &'static str {
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

    /// Returns the routing of plan step `step`. Steps were validated when planned;
    /// an index past the plan returns the rollback routing.
    pub fn routing_for_step(&self, step: usize) -> AliasRouting {
        let weight = self.steps.get(step).map_or(Weight::ZERO, |s| s.weight);
        AliasRouting::for_step(&self.stable_version, &self.new_version, weight)
            .unwrap_or_else(|_| self.rollback_routing())
    }

    pub fn rollback_routing(&self) -> AliasRouting {
        AliasRouting::single(&self.stable_version)
    }

    pub(super) fn routing_for_write(&self, write: &Write) -> AliasRouting {
        match write {
            Write::Step { step } => self.routing_for_step(*step),
            Write::RollBack { .. } => self.rollback_routing(),
        }
    }

    /// Returns the alarms that count against this rollout.
    pub fn alarm_scope(&self) -> AlarmScope {
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
