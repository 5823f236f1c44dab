//! The rollout state machine. [`decide`] is a pure function of the state,
//! the time and the observations; it returns what the executor must do next.
//! The executor reports what happened through [`Rollout::apply`], and writes
//! the state to disk after every applied event.
//!
//! Phases: `Planned → Shifting(step) → Baking(step) → … → Completed`, with
//! `RolledBack` and `Aborted` as the other ends. A write is recorded as
//! `Shifting` or `RollingBack` before it is sent. After a restart during a
//! write the outcome is unknown, so the machine asks the operator instead of
//! guessing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

use super::guard::{
    InconclusiveReason, Observations, Verdict, analysis_window, evaluate, to_delta, window_final_at,
};
use super::state::{Conflict, Phase, RollbackReason, Rollout, Write};
use super::weights::AliasRouting;

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

/// Final result of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    RolledBack { reason: RollbackReason },
    Aborted { reason: String },
}

/// Next action for the executor.
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
    /// The step is inconclusive after its bake. The rollout stays at this
    /// step until the data is conclusive, or rolls back at `roll_back_at`.
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
    /// Returns the write to report in [`Event::WriteSent`] for a write
    /// decision.
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
/// even on a partial window. Passing needs final data for the whole bake,
/// so a step lasts its bake plus the metrics lag.
fn bake(
    rollout: &Rollout,
    now: DateTime<Utc>,
    observations: &Observations,
    step: usize,
    started_at: DateTime<Utc>,
) -> Decision {
    // Read the alias right after each write: a later rollback then needs no
    // extra round trip, and someone else's change shows up at once.
    if rollout.revision_id.is_none() {
        return Decision::ReadAlias;
    }
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
