//! Transitions of the rollout state on what the executor reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::guard::to_delta;
use super::state::{Conflict, Phase, RollbackReason, Rollout, Write, WriteFailure};
use super::strategy::Step;
use super::weights::{AliasRouting, RoutingError};
use crate::model::Alias;

/// Report from the executor to the machine.
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("event {event} is not valid while the rollout is {phase}")]
    InvalidEvent { phase: &'static str, event: String },
    #[error("invalid write: step {step} is not the next step of this rollout")]
    UnexpectedStep { step: usize },
    #[error("the alias read after the conflict has no RevisionId; read it again")]
    MissingRevisionId,
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

    /// Computes the phase after `event` and updates the RevisionId, expected
    /// routing and busy counter. `None` keeps the phase.
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

    /// Resumes after a conflict, or after a restart during a write, with the
    /// alias the operator was shown. When the alias already routes as the
    /// interrupted write intended, the write counts as done; otherwise it is
    /// due again with the new RevisionId.
    fn on_continue(
        &mut self,
        now: DateTime<Utc>,
        alias: &Alias,
        event: &Event,
    ) -> Result<Option<Phase>, TransitionError> {
        let resume = match &self.phase {
            Phase::Conflict { resume, .. } => resume.clone(),
            Phase::Shifting { .. } | Phase::RollingBack { .. } => {
                self.in_flight().ok_or_else(|| self.invalid(event))?
            }
            _ => return Err(self.invalid(event)),
        };
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
