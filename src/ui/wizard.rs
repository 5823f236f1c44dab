//! State of the guided rollback: evidence, suggested target, preview of the
//! exact UpdateAlias, confirmation, execution through the rollout runner,
//! and verification that the error rate returns to the stable level.
//!
//! The wizard never talks to AWS. It hands one [`RunRequest::SetAlias`] to
//! the event loop and reads back the runner's [`RunnerEvent::AliasWritten`];
//! the executor behind the runner enforces read-only mode and writes the
//! audit line.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::action::Action;
use super::app::{App, View};
use super::deploy::Writer;
use super::messages;
use crate::aws::AwsError;
use crate::model::{Alias, Collected, FunctionEntry, FunctionKey, FunctionMetrics, VersionMetrics};
use crate::rollout::executor::AuditRecord;
use crate::rollout::guard::{analysis_window, window_final_at};
use crate::rollout::preflight::{self, DeploymentCheck, Finding, FunctionStatus, RollbackInput};
use crate::rollout::runner::{AliasKey, RunFailure, RunRequest, RunnerEvent};
use crate::rollout::state::Rollout;
use crate::rollout::target::{SuggestedTarget, current_version, suggest_target};
use crate::rollout::{Thresholds, is_published_version};

/// Minutes of per-version metrics behind the evidence, as in the fleet table.
pub const EVIDENCE_MINUTES: i64 = crate::ui::rows::RECENT_MINUTES;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Evidence,
    Target,
    Preview,
    Confirm,
    /// The write was handed to the runner; waiting for its result.
    Executing,
    /// The write succeeded; watching the error rate.
    Verifying,
    /// The write failed or was refused; nothing to verify.
    Failed,
}

impl Step {
    /// Returns the step's number and title for the modal's header.
    pub fn title(self) -> &'static str {
        match self {
            Step::Evidence => "1/5 Evidence",
            Step::Target => "2/5 Rollback target",
            Step::Preview => "3/5 Preview",
            Step::Confirm => "4/5 Confirm",
            Step::Executing => "5/5 Sending UpdateAlias",
            Step::Verifying => "5/5 Verification",
            Step::Failed => "5/5 Not rolled back",
        }
    }
}

/// Settings the wizard takes from the `[rollout]` config table.
#[derive(Debug, Clone, PartialEq)]
pub struct WizardSettings {
    /// Minutes of final metrics after the rollback before the verdict.
    pub verify_minutes: u32,
    pub thresholds: Thresholds,
    /// Reason writes are disabled (read-only mode); `None` when allowed.
    pub read_only: Option<String>,
    /// True when a runner can do the pre-flight reads (CodeDeploy and
    /// provisioned concurrency). An offline or multi-region cockpit has none.
    pub has_runner: bool,
}

impl Default for WizardSettings {
    fn default() -> Self {
        WizardSettings {
            verify_minutes: 5,
            thresholds: Thresholds::default(),
            read_only: None,
            has_runner: true,
        }
    }
}

/// Error rate of one version behind the alias over the evidence window.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionEvidence {
    pub version: String,
    /// Share of the alias's traffic, 0.0 to 1.0.
    pub weight: f64,
    pub invocations: Option<f64>,
    pub errors: Option<f64>,
}

impl VersionEvidence {
    pub fn error_rate(&self) -> Option<f64> {
        match (self.errors, self.invocations) {
            (Some(errors), Some(invocations)) if invocations > 0.0 => Some(errors / invocations),
            _ => None,
        }
    }
}

/// Evidence shown in the first step.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub versions: Vec<VersionEvidence>,
    /// Reason per-version error rates are missing, if they are.
    pub metrics_note: Option<String>,
    /// Names of alarms in ALARM on the function or its aliases.
    pub firing: Vec<String>,
    /// Reason alarms are unknown, if they are.
    pub alarms_note: Option<String>,
}

/// The verification verdict after the rollback.
#[derive(Debug, Clone, PartialEq)]
pub enum Verification {
    /// Final metrics do not cover the verification period yet.
    Watching {
        final_at: DateTime<Utc>,
        minutes_final: i64,
        rate: Option<f64>,
        invocations: f64,
    },
    Recovered {
        rate: f64,
        invocations: f64,
        limit: f64,
    },
    NotRecovered {
        rate: f64,
        invocations: f64,
        limit: f64,
    },
    /// No invocations in the verification period, so nothing to judge.
    NoTraffic,
}

pub struct RollbackWizard {
    pub key: FunctionKey,
    pub aliases: Vec<Alias>,
    pub alias_index: usize,
    pub step: Step,
    pub evidence: Evidence,
    pub suggestion: Option<SuggestedTarget>,
    /// Published versions the operator can pick, newest first.
    pub choices: Vec<String>,
    pub target: Option<String>,
    pub findings: Vec<Finding>,
    /// True when the function is tagged env=prod or its tags are unknown.
    pub production: bool,
    pub production_note: Option<String>,
    /// Reason the rollback cannot be sent from this cockpit, if any.
    pub blocked: Option<String>,
    pub typed: String,
    pub notice: Option<String>,
    pub settings: WizardSettings,
    /// The alias as the runner returned it after the write.
    pub written: Option<Alias>,
    pub failure: Option<RunFailure>,
    pub sent_at: Option<DateTime<Utc>>,
    pub verification: Option<Verification>,
    /// The function's timeout, which sets how late metrics become final.
    pub function_timeout: Duration,
    /// End of the metrics poll that the evidence reads.
    evidence_end: DateTime<Utc>,
    /// Unfinished rollouts of the function, any alias.
    rollouts: Vec<Rollout>,
    records: Vec<AuditRecord>,
    outbox: Option<RunRequest>,
    /// The function's state as the poll read it, for the pre-flight.
    status: FunctionStatus,
    /// The CodeDeploy read of the selected alias; `Unknown` until the
    /// runner returns it.
    codedeploy: DeploymentCheck,
    /// The runner's read of provisioned concurrency; `None` until it
    /// returns.
    provisioned: Option<Result<Vec<(String, u32)>, AwsError>>,
    /// True when no runner can do the pre-flight reads, as offline.
    offline: bool,
}

/// Picks the alias to roll back: a weighted one (the one with an alarm
/// firing on it first), else `live`, else the first.
fn default_alias(aliases: &[Alias], firing_resources: &[String]) -> usize {
    let weighted: Vec<usize> = (0..aliases.len())
        .filter(|i| aliases[*i].is_weighted())
        .collect();
    if let Some(index) = weighted.iter().copied().find(|i| {
        firing_resources
            .iter()
            .any(|resource| resource.ends_with(&format!(":{}", aliases[*i].name)))
    }) {
        return index;
    }
    if let Some(index) = weighted.first() {
        return *index;
    }
    aliases
        .iter()
        .position(|alias| alias.name == "live")
        .unwrap_or(0)
}

impl RollbackWizard {
    /// Opens the wizard on `entry`. `records` is the audit log and
    /// `unfinished` the persisted rollouts of the function; `blocked` gives
    /// the reason nothing can be written (offline snapshot), if so. The
    /// evidence covers the minutes before `evidence_end`, the end of the
    /// last metrics poll.
    pub fn open(
        entry: &FunctionEntry,
        records: Vec<AuditRecord>,
        unfinished: Vec<Rollout>,
        settings: WizardSettings,
        blocked: Option<String>,
        evidence_end: DateTime<Utc>,
    ) -> Self {
        let aliases = entry.aliases.clone().unwrap_or_default();
        let (firing, firing_resources, alarms_note) = match &entry.resources.alarms {
            Collected::Loaded(alarms) => {
                let firing: Vec<_> = alarms
                    .iter()
                    .filter(|alarm| alarm.state.as_deref() == Some("ALARM"))
                    .collect();
                (
                    firing.iter().map(|alarm| alarm.name.clone()).collect(),
                    firing
                        .iter()
                        .filter_map(|alarm| alarm.dimensions.get("Resource").cloned())
                        .collect(),
                    None,
                )
            }
            Collected::NotCollected => (
                Vec::new(),
                Vec::new(),
                Some("alarms not collected yet".to_string()),
            ),
            Collected::Failed(error) => (Vec::new(), Vec::new(), Some(error.to_string())),
        };
        let alias_index = default_alias(&aliases, &firing_resources);
        let (production, production_note) = match &entry.tags {
            Some(tags) => (tags.get("env").is_some_and(|env| env == "prod"), None),
            None => (
                true,
                Some("tags not read yet, so the function counts as env=prod".to_string()),
            ),
        };
        let offline = !settings.has_runner;
        let blocked = blocked.or_else(|| settings.read_only.clone());
        let mut choices: Vec<String> = entry
            .versions
            .as_ref()
            .map(|versions| {
                versions
                    .iter()
                    .map(|version| version.version.clone())
                    .filter(|version| is_published_version(version))
                    .collect()
            })
            .unwrap_or_default();
        choices.sort_by_key(|version| std::cmp::Reverse(version.parse::<u64>().unwrap_or(0)));

        let mut wizard = RollbackWizard {
            key: entry.key(),
            aliases,
            alias_index,
            step: Step::Evidence,
            evidence: Evidence {
                versions: Vec::new(),
                metrics_note: None,
                firing,
                alarms_note,
            },
            suggestion: None,
            choices,
            target: None,
            findings: Vec::new(),
            production,
            production_note,
            blocked,
            typed: String::new(),
            notice: None,
            settings,
            written: None,
            failure: None,
            sent_at: None,
            verification: None,
            function_timeout: Duration::from_secs(
                entry
                    .function
                    .timeout_s
                    .and_then(|s| u64::try_from(s).ok())
                    .unwrap_or(3),
            ),
            evidence_end,
            rollouts: unfinished,
            records,
            outbox: None,
            status: FunctionStatus::from_function(&entry.function),
            codedeploy: DeploymentCheck::Unknown(messages::deploy::CODEDEPLOY_NOT_READ.to_string()),
            provisioned: None,
            offline,
        };
        wizard.select_alias(entry);
        wizard
    }

    pub fn alias(&self) -> Option<&Alias> {
        self.aliases.get(self.alias_index)
    }

    /// Replaces the wizard's copy of an alias with the one a write returned.
    fn record_alias_write(&mut self, written: &Alias) {
        if let Some(alias) = self
            .aliases
            .iter_mut()
            .find(|alias| alias.name == written.name)
        {
            *alias = written.clone();
        }
    }

    fn unfinished(&self) -> Option<&Rollout> {
        let alias = self.alias()?;
        self.rollouts
            .iter()
            .find(|rollout| rollout.alias_name == alias.name && !rollout.phase.is_terminal())
    }

    /// The version being rolled back on the selected alias.
    pub fn current_version(&self) -> Option<String> {
        self.alias()
            .map(|alias| current_version(alias, self.unfinished()))
    }

    /// Recomputes the evidence, the suggestion and the pre-flight for the
    /// selected alias, and queues a request for the runner's pre-flight reads.
    fn select_alias(&mut self, entry: &FunctionEntry) {
        self.recompute(entry);
        let Some(alias) = self.alias().cloned() else {
            return;
        };

        // The poll reads neither CodeDeploy nor provisioned concurrency, so
        // the runner reads them for this alias, with the alias itself.
        let unread = if self.offline {
            messages::deploy::CODEDEPLOY_OFFLINE
        } else {
            messages::deploy::CODEDEPLOY_NOT_READ
        };
        self.codedeploy = DeploymentCheck::Unknown(unread.to_string());
        self.provisioned = None;
        if !self.offline {
            self.outbox = Some(RunRequest::ReadPreflight {
                key: AliasKey::new(&self.key.name, &alias.name),
            });
        }
        self.refresh_findings();
    }

    /// Recomputes the evidence, the suggestion and the target for the
    /// selected alias.
    fn recompute(&mut self, entry: &FunctionEntry) {
        self.evidence.versions.clear();
        self.evidence.metrics_note = None;
        self.suggestion = None;
        self.target = None;
        let Some(alias) = self.alias().cloned() else {
            self.evidence.metrics_note = Some(match &entry.aliases {
                None => "aliases not read yet".to_string(),
                Some(_) => "the function has no alias to roll back".to_string(),
            });
            return;
        };
        self.evidence.versions =
            version_evidence(&alias, &entry.version_metrics, self.evidence_end);
        if self
            .evidence
            .versions
            .iter()
            .all(|version| version.invocations.is_none())
        {
            self.evidence.metrics_note = Some(if alias.is_weighted() {
                "per-version metrics not collected yet for this alias".to_string()
            } else {
                "per-version metrics are collected only while the alias routes to two versions"
                    .to_string()
            });
        }
        self.suggestion = suggest_target(&self.key.name, &alias, self.unfinished(), &self.records);
        self.target = self
            .suggestion
            .as_ref()
            .map(|suggestion| suggestion.version.clone());
    }

    /// Runs the pre-flight on what the cockpit has read: the poll's function
    /// state and alias, and the runner's pre-flight reads.
    fn refresh_findings(&mut self) {
        let (Some(alias), Some(target)) = (self.alias().cloned(), self.target.clone()) else {
            // Without a target only the CodeDeploy check applies, and an
            // owning deployment is worth knowing before choosing one.
            self.findings = if self.alias().is_some() {
                preflight::check_codedeploy(&self.codedeploy)
            } else {
                Vec::new()
            };
            return;
        };
        let input = RollbackInput {
            function: self.status.clone(),
            alias,
            target,
            codedeploy: self.codedeploy.clone(),
            provisioned: self
                .provisioned
                .as_ref()
                .and_then(|read| read.as_ref().ok().cloned()),
        };
        self.findings = preflight::run_rollback(&input);
        if let Some(Err(error)) = &self.provisioned {
            self.findings
                .push(preflight::provisioned_concurrency_unread(error));
        }
    }

    /// Returns the reason Enter cannot move past the preview, if any.
    pub fn send_blocker(&self) -> Option<String> {
        if let Some(reason) = &self.blocked {
            return Some(reason.clone());
        }
        let alias = self.alias()?;
        let target = self.target.as_ref()?;
        if !alias.is_weighted() && &alias.function_version == target {
            return Some(format!(
                "nothing to roll back: {} already sends all traffic to version {target}",
                alias.name
            ));
        }
        if alias.revision_id.is_none() {
            return Some(
                "the alias was read without a RevisionId, so the write cannot be conditional"
                    .to_string(),
            );
        }
        self.findings
            .iter()
            .find(|finding| {
                matches!(
                    finding.level,
                    preflight::Level::Reject | preflight::Level::Wait
                )
            })
            // The preview lists the finding itself, so the reason points
            // to it instead of repeating it.
            .map(|_| messages::WIZARD_PREFLIGHT_BLOCKS.to_string())
    }

    /// True while the confirmation takes typed text.
    pub fn is_typing(&self) -> bool {
        self.step == Step::Confirm && self.production
    }

    /// True once the write has been handed over; Esc then only hides the
    /// wizard.
    pub fn is_sent(&self) -> bool {
        matches!(self.step, Step::Executing | Step::Verifying | Step::Failed)
    }

    /// Takes the request for the event loop to hand to the runner; a second
    /// call returns `None`.
    pub fn take_request(&mut self) -> Option<RunRequest> {
        self.outbox.take()
    }

    /// Moves to the next step (Enter).
    pub fn next(&mut self, now: DateTime<Utc>) {
        self.notice = None;
        match self.step {
            Step::Evidence => {
                if self.alias().is_some() {
                    self.step = Step::Target;
                }
            }
            Step::Target => {
                if self.target.is_some() {
                    self.step = Step::Preview;
                } else {
                    self.notice = Some("choose a version with ← →".to_string());
                }
            }
            // The preview already shows why it cannot be sent.
            Step::Preview => {
                if self.send_blocker().is_none() {
                    self.step = Step::Confirm;
                }
            }
            Step::Confirm if self.production => {
                if self.typed == self.key.name {
                    self.send(now);
                } else {
                    self.notice = Some(format!(
                        "the typed name does not match {}; nothing was sent",
                        self.key.name
                    ));
                    self.typed.clear();
                }
            }
            Step::Confirm | Step::Executing | Step::Verifying | Step::Failed => {}
        }
    }

    /// Sends on the second key of a non-production confirmation.
    pub fn confirm_key(&mut self, now: DateTime<Utc>) {
        if self.step == Step::Confirm && !self.production {
            self.send(now);
        }
    }

    /// Goes one step back (Backspace), before anything was sent.
    pub fn back(&mut self) {
        self.notice = None;
        self.step = match self.step {
            Step::Target => Step::Evidence,
            Step::Preview => Step::Target,
            Step::Confirm => {
                self.typed.clear();
                Step::Preview
            }
            other => other,
        };
    }

    /// Changes the alias (evidence step) or the target (target step).
    pub fn cycle(&mut self, forward: bool, entry: &FunctionEntry) {
        match self.step {
            Step::Evidence if !self.aliases.is_empty() => {
                let len = self.aliases.len();
                self.alias_index = if forward {
                    (self.alias_index + 1) % len
                } else {
                    (self.alias_index + len - 1) % len
                };
                self.select_alias(entry);
            }
            Step::Target => {
                let current = self.current_version();
                let choices: Vec<&String> = self
                    .choices
                    .iter()
                    .filter(|version| Some(*version) != current.as_ref())
                    .collect();
                if choices.is_empty() {
                    return;
                }
                let position = self
                    .target
                    .as_ref()
                    .and_then(|target| choices.iter().position(|v| *v == target));
                let next = match (position, forward) {
                    (None, _) => 0,
                    (Some(i), true) => (i + 1) % choices.len(),
                    (Some(i), false) => (i + choices.len() - 1) % choices.len(),
                };
                self.target = Some(choices[next].clone());
                self.refresh_findings();
            }
            _ => {}
        }
    }

    pub fn input(&mut self, ch: char) {
        if self.is_typing() {
            self.typed.push(ch);
        }
    }

    pub fn backspace(&mut self) {
        if self.is_typing() {
            self.typed.pop();
        }
    }

    fn send(&mut self, now: DateTime<Utc>) {
        let (Some(alias), Some(target)) = (self.alias().cloned(), self.target.clone()) else {
            return;
        };
        if let Some(reason) = self.send_blocker() {
            self.notice = Some(format!("cannot send: {reason}"));
            return;
        }
        let reason = match &self.suggestion {
            Some(suggestion) if suggestion.version == target => format!(
                "guided rollback to version {target} ({})",
                suggestion.reason
            ),
            _ => format!("guided rollback to version {target}, chosen by the operator"),
        };
        self.outbox = Some(RunRequest::SetAlias {
            key: AliasKey::new(&self.key.name, &alias.name),
            seen: Box::new(alias),
            target,
            reason,
        });
        self.sent_at = Some(now);
        self.step = Step::Executing;
    }

    /// Takes the runner's pre-flight reads and the result of the write this
    /// wizard sent. `entry` is the function as the poll has it, for the
    /// evidence. Returns true when the event was this wizard's.
    pub fn on_runner_event(
        &mut self,
        event: &RunnerEvent,
        now: DateTime<Utc>,
        entry: Option<&FunctionEntry>,
    ) -> bool {
        if let RunnerEvent::PreflightRead {
            key,
            alias,
            codedeploy,
            provisioned,
        } = event
        {
            return self.on_preflight_read(key, alias, codedeploy, provisioned, entry);
        }
        let RunnerEvent::AliasWritten { key, result } = event else {
            return false;
        };
        let ours = self.step == Step::Executing
            && key.function == self.key.name
            && self.alias().is_some_and(|alias| alias.name == key.alias);
        if !ours {
            return false;
        }
        match result {
            Ok(alias) => {
                self.written = Some((**alias).clone());
                self.sent_at = Some(now);
                self.step = Step::Verifying;
            }
            Err(failure) => {
                self.failure = Some(failure.clone());
                self.step = Step::Failed;
            }
        }
        true
    }

    /// Takes the runner's pre-flight reads of the selected alias. A read of
    /// an alias the operator has since left is dropped, because selecting
    /// an alias requests a new read.
    fn on_preflight_read(
        &mut self,
        key: &AliasKey,
        alias: &Result<Alias, AwsError>,
        codedeploy: &DeploymentCheck,
        provisioned: &Result<Vec<(String, u32)>, AwsError>,
        entry: Option<&FunctionEntry>,
    ) -> bool {
        let current = key.function == self.key.name
            && self.alias().is_some_and(|alias| alias.name == key.alias);
        if !current {
            return key.function == self.key.name;
        }
        self.codedeploy = codedeploy.clone();
        self.provisioned = Some(provisioned.clone());

        // The poll's copy of the alias can be a minute old. The preview and
        // the write's RevisionId must show the alias as it is now.
        match alias {
            Ok(fresh) if self.alias() != Some(fresh) => {
                self.record_alias_write(fresh);
                // Past the evidence step the operator has seen a target, so
                // only the evidence step gets a new suggestion.
                if let (Step::Evidence, Some(entry)) = (self.step, entry) {
                    self.recompute(entry);
                }
                self.notice = Some(messages::WIZARD_ALIAS_CHANGED.to_string());
            }
            Ok(_) => {}
            Err(error) => {
                self.notice = Some(messages::wizard_alias_unread(&error.to_string()));
            }
        }
        self.refresh_findings();
        true
    }

    /// Returns the error rate that counts as recovered: the stable version's
    /// rate before the rollback times the guard's allowed ratio, and never
    /// below the rate under which the guard ignores ratios. Without a stable
    /// rate, it returns the guard's absolute maximum.
    pub fn recovery_limit(&self) -> f64 {
        let thresholds = &self.settings.thresholds;
        match self.stable_rate() {
            Some(rate) => {
                (rate * thresholds.max_error_rate_ratio).max(thresholds.ratio_min_error_rate)
            }
            None => thresholds.max_error_rate,
        }
    }

    /// Returns the target version's error rate from the evidence, before the
    /// rollback.
    fn stable_rate(&self) -> Option<f64> {
        let target = self.target.as_ref()?;
        self.evidence
            .versions
            .iter()
            .find(|version| &version.version == target)
            .and_then(VersionEvidence::error_rate)
    }

    /// Explains [`Self::recovery_limit`] in a few words, since it comes from
    /// one of three rules and the numbers alone do not say which.
    pub fn recovery_limit_basis(&self) -> String {
        let thresholds = &self.settings.thresholds;
        let target = self.target.as_deref().unwrap_or("?");
        match self.stable_rate() {
            Some(rate)
                if rate * thresholds.max_error_rate_ratio >= thresholds.ratio_min_error_rate =>
            {
                format!(
                    "v{target}'s {:.1}% before, times {}",
                    rate * 100.0,
                    thresholds.max_error_rate_ratio
                )
            }
            Some(_) => "the guard's floor for ratios".to_string(),
            None => format!("the guard's maximum: no error rate of v{target} before"),
        }
    }

    /// Re-judges the verification from the function's metrics, read up to
    /// `now`. Called on every tick and data event while verifying.
    // NOTE: after the rollback the alias routes to one version, for which
    // the poll collects no per-version series, so this reads the function's
    // Errors and Invocations of all aliases and versions together.
    pub fn verify(&mut self, metrics: Option<&FunctionMetrics>, now: DateTime<Utc>) {
        if self.step != Step::Verifying {
            return;
        }
        let Some(sent_at) = self.sent_at else {
            return;
        };
        let minutes = i64::from(self.settings.verify_minutes.max(1));
        let covered_until = sent_at + TimeDelta::minutes(minutes);
        let final_at = window_final_at(sent_at, covered_until, self.function_timeout);
        let window = analysis_window(now, sent_at, self.function_timeout);
        let (invocations, errors) = match (metrics, window) {
            (Some(metrics), Some(window)) => {
                let sum = |series: &crate::model::MetricSeries| -> f64 {
                    series
                        .points
                        .iter()
                        .filter(|point| window.contains(point.at) && point.at < covered_until)
                        .map(|point| point.value)
                        .sum()
                };
                (sum(&metrics.invocations), sum(&metrics.errors))
            }
            _ => (0.0, 0.0),
        };
        let rate = (invocations > 0.0).then(|| errors / invocations);
        let limit = self.recovery_limit();
        self.verification = Some(if now < final_at {
            Verification::Watching {
                final_at,
                minutes_final: window.map_or(0, |w| {
                    (w.end.min(covered_until) - w.start).num_minutes().max(0)
                }),
                rate,
                invocations,
            }
        } else {
            match rate {
                None => Verification::NoTraffic,
                Some(rate) if rate <= limit => Verification::Recovered {
                    rate,
                    invocations,
                    limit,
                },
                Some(rate) => Verification::NotRecovered {
                    rate,
                    invocations,
                    limit,
                },
            }
        });
    }
}

/// Per-version invocations and errors of `alias` over the evidence window,
/// in the alias's routing order (primary first).
fn version_evidence(
    alias: &Alias,
    metrics: &[VersionMetrics],
    end: DateTime<Utc>,
) -> Vec<VersionEvidence> {
    let since = end - TimeDelta::minutes(EVIDENCE_MINUTES);
    alias
        .traffic_split()
        .into_iter()
        .map(|(version, weight)| {
            let series = metrics
                .iter()
                .find(|m| m.alias == alias.name && m.version == version);
            VersionEvidence {
                invocations: series.and_then(|m| m.invocations.sum_since(since)),
                errors: series.and_then(|m| m.errors.sum_since(since)),
                version,
                weight,
            }
        })
        .collect()
}

/// The guided rollback's part of the app state.
#[derive(Default)]
pub struct RollbackState {
    pub wizard: Option<RollbackWizard>,
    /// A sent rollback still under verification, set aside while the
    /// operator opens the wizard on another function. It comes back when
    /// that wizard closes without sending, or on `b` on its function.
    pub watching: Option<RollbackWizard>,
    /// True when Esc closed the wizard after the write: the footer keeps
    /// showing the verification.
    pub hidden: bool,
    /// Directory of the audit log and the rollout state files. `None` means
    /// the default state directory when the cockpit can write, else none.
    pub state_dir: Option<std::path::PathBuf>,
    /// `[rollout] verify_minutes`; `None` means the default.
    pub verify_minutes: Option<u32>,
}

impl App {
    /// True while the wizard is on screen and has the keyboard.
    pub fn wizard_open(&self) -> bool {
        self.rollback.wizard.is_some() && !self.rollback.hidden
    }

    /// True while the wizard's typed confirmation takes text.
    pub fn wizard_typing(&self) -> bool {
        self.wizard_open()
            && self
                .rollback
                .wizard
                .as_ref()
                .is_some_and(RollbackWizard::is_typing)
    }

    /// Takes the rollback request for the rollout runner; a second call
    /// returns `None`.
    pub fn take_wizard_request(&mut self) -> Option<RunRequest> {
        self.rollback.wizard.as_mut()?.take_request()
    }

    /// Hands a runner event to the wizard. Returns true when it was the
    /// wizard's write; other events go to the Deploy tab.
    pub fn apply_wizard_event(&mut self, event: &RunnerEvent) -> bool {
        let now = self.now;
        let Some(wizard) = self.rollback.wizard.as_mut() else {
            return false;
        };
        let entry = self.fleet.entry(&wizard.key);
        if !wizard.on_runner_event(event, now, entry) {
            return false;
        }
        if let RunnerEvent::AliasWritten {
            result: Ok(written),
            ..
        } = event
        {
            let key = wizard.key.clone();
            self.fleet.record_alias_write(&key, written);
            // The wizard's own copy of the routing is stale too.
            if let Some(wizard) = self.rollback.wizard.as_mut() {
                wizard.record_alias_write(written);
            }
        }
        self.refresh_verification();
        true
    }

    /// Re-judges the verification; called on ticks and data events.
    pub fn refresh_verification(&mut self) {
        let now = self.now;
        let fleet = &self.fleet;
        let wizards = [
            self.rollback.wizard.as_mut(),
            self.rollback.watching.as_mut(),
        ];
        for wizard in wizards.into_iter().flatten() {
            let metrics = fleet
                .entry(&wizard.key)
                .and_then(|entry| entry.metrics.as_ref());
            // The metrics are only as recent as their last poll: judging by
            // the wall clock alone would count minutes not fetched yet as
            // quiet.
            let data_end = fleet
                .metrics_window
                .get(&wizard.key.region)
                .map_or(now, |window| window.end.min(now));
            wizard.verify(metrics, data_end);
        }
    }

    /// Returns the reason this cockpit cannot send the rollback, if any.
    fn wizard_blocker(&self) -> Option<String> {
        if self.is_offline() {
            return Some(super::messages::WIZARD_OFFLINE.to_string());
        }
        if self.deploy.read_only {
            return Some(super::messages::WIZARD_READ_ONLY.to_string());
        }
        match &self.deploy.writer {
            Writer::Available => None,
            Writer::Disabled(reason) => Some(reason.clone()),
        }
    }

    fn wizard_state_dir(&self) -> Option<std::path::PathBuf> {
        // The runner writes the audit log to the default state directory, so
        // a cockpit that can write reads the same one.
        self.rollback.state_dir.clone().or_else(|| {
            matches!(self.deploy.writer, Writer::Available).then(crate::config::state_dir)
        })
    }

    /// Opens the wizard on the selected function (fleet) or the open one.
    fn open_wizard(&mut self) {
        let key = match &self.view {
            View::Detail(key) => Some(key.clone()),
            View::Fleet => self.selected.clone(),
            _ => None,
        };
        let Some(entry) = key.as_ref().and_then(|key| self.fleet.entry(key)) else {
            self.notice = Some(super::messages::WIZARD_NO_FUNCTION.to_string());
            return;
        };
        let (records, unfinished) = match self.wizard_state_dir() {
            Some(dir) => {
                let records = crate::rollout::executor::AuditLog::new(&dir)
                    .records()
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "cannot read the audit log for the rollback target");
                        Vec::new()
                    });
                let unfinished = crate::rollout::runner::unfinished_rollouts(&dir)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|rollout| rollout.function_name == entry.function.name)
                    .collect();
                (records, unfinished)
            }
            None => (Vec::new(), Vec::new()),
        };
        let settings = WizardSettings {
            verify_minutes: self
                .rollback
                .verify_minutes
                .unwrap_or(WizardSettings::default().verify_minutes),
            thresholds: self.deploy.default_thresholds.clone(),
            read_only: None,
            // Read-only mode keeps its runner, which reads but never writes.
            has_runner: !self.is_offline() && matches!(self.deploy.writer, Writer::Available),
        };
        let evidence_end = self
            .fleet
            .metrics_window
            .get(&entry.function.region)
            .map_or(self.now, |window| window.end);
        let wizard = RollbackWizard::open(
            entry,
            records,
            unfinished,
            settings,
            self.wizard_blocker(),
            evidence_end,
        );
        // A rollback under verification is set aside, not dropped: its
        // verdict is what the operator waits for.
        if let Some(previous) = self.rollback.wizard.take()
            && previous.step == Step::Verifying
        {
            self.rollback.watching = Some(previous);
        }
        self.rollback.wizard = Some(wizard);
        self.rollback.hidden = false;
    }

    /// Closes the wizard on screen. A sent one stays for the footer; an
    /// unsent one gives way to the rollback set aside for it, if any.
    fn close_wizard(&mut self) {
        let sent = self
            .rollback
            .wizard
            .as_ref()
            .is_some_and(RollbackWizard::is_sent);
        if sent {
            self.rollback.hidden = true;
            return;
        }
        self.rollback.wizard = self.rollback.watching.take();
        self.rollback.hidden = self.rollback.wizard.is_some();
    }

    /// Handles `action` for the rollback wizard. Returns false to let the
    /// app handle it as usual.
    pub(super) fn handle_wizard_action(&mut self, action: Action) -> bool {
        if self.show_help {
            return false;
        }
        if action == Action::OpenRollbackWizard {
            let selected = match &self.view {
                View::Detail(key) => Some(key.clone()),
                _ => self.selected.clone(),
            };
            let show_again = self.rollback.wizard.as_ref().is_some_and(|wizard| {
                // A write in flight is shown again whatever is selected; a
                // rollback under verification when its function is.
                wizard.step == Step::Executing
                    || (wizard.is_sent() && selected.as_ref() == Some(&wizard.key))
            });
            let watched = self
                .rollback
                .watching
                .as_ref()
                .is_some_and(|wizard| selected.as_ref() == Some(&wizard.key));
            if show_again {
                self.rollback.hidden = false;
            } else if watched {
                // Back to the rollback set aside; an unsent wizard on screen
                // is dropped, a sent one is set aside in its place.
                let current = self.rollback.wizard.take();
                self.rollback.wizard = self.rollback.watching.take();
                self.rollback.watching = current.filter(|wizard| wizard.step == Step::Verifying);
                self.rollback.hidden = false;
            } else {
                self.open_wizard();
            }
            return true;
        }
        if !self.wizard_open() {
            return false;
        }
        let now = self.now;
        let key = self
            .rollback
            .wizard
            .as_ref()
            .map(|wizard| wizard.key.clone());
        let entry = key.and_then(|key| self.fleet.entry(&key).cloned());
        let Some(wizard) = self.rollback.wizard.as_mut() else {
            return false;
        };
        match action {
            Action::Quit => return false,
            Action::WizardNext | Action::FilterApply => wizard.next(now),
            Action::Confirm => wizard.confirm_key(now),
            Action::FilterInput(ch) => wizard.input(ch),
            Action::FilterBackspace => wizard.backspace(),
            Action::WizardBack => wizard.back(),
            Action::Decrease | Action::Increase => {
                if let Some(entry) = &entry {
                    wizard.cycle(action == Action::Increase, entry);
                }
            }
            Action::WizardClose | Action::FilterCancel => self.close_wizard(),
            _ => {}
        }
        self.refresh_verification();
        true
    }
}

impl App {
    /// Applies one event from the rollout runner: the wizard's write result
    /// to the wizard, everything else to the Deploy tab.
    pub fn apply_runner_event(&mut self, event: RunnerEvent) {
        if !self.apply_wizard_event(&event) {
            self.apply_rollout(event);
        }
    }
}
