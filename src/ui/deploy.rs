//! State of the Deploy tab and of the unfinished-rollout prompt: the shift
//! form, the preview and its confirmation, the live progress of running
//! rollouts, and the commands for the rollout runner.
//!
//! Nothing here calls AWS. The app queues [`DeployCommand`] values; the UI
//! loop hands them to the [`crate::rollout::runner::Runner`] and feeds its
//! events back through [`App::apply_rollout`].

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use super::action::Action;
use super::app::{App, DetailTab, View};
use super::messages::deploy as text;
use crate::model::{Alias, FunctionEntry, FunctionKey};
use crate::rollout::executor::RunEnd;
use crate::rollout::runner::{AliasKey, Preview, Progress, RunFailure, RunRequest, RunnerEvent};
use crate::rollout::{
    AnalysisWindow, Evaluation, Rollout, Strategy, Thresholds, is_published_version,
};

/// Progress lines kept per rollout.
const MAX_LINES: usize = 8;
/// Guard verdicts kept per rollout, one per analysis window.
const MAX_INTERVALS: usize = 12;

/// The predefined CodeDeploy strategies, in the order the form offers them.
pub const STRATEGIES: [Strategy; 9] = [
    Strategy::canary(10, 5),
    Strategy::canary(10, 10),
    Strategy::canary(10, 15),
    Strategy::canary(10, 30),
    Strategy::linear(10, 1),
    Strategy::linear(10, 2),
    Strategy::linear(10, 3),
    Strategy::linear(10, 10),
    Strategy::AllAtOnce,
];

/// A request from the app to the UI loop.
#[derive(Debug, Clone)]
pub enum DeployCommand {
    Submit(RunRequest),
    Abort { key: AliasKey, reason: String },
}

/// Whether this cockpit can send alias writes at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    Available,
    /// Writes cannot be sent; the text gives the reason and the next step.
    Disabled(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Alias,
    Target,
    Strategy,
    Percent,
    Minutes,
    MaxErrorRate,
    MaxErrorRateRatio,
    MinInvocations,
}

/// The strategy choice of the form: a predefined one, or a custom plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyChoice {
    Predefined(usize),
    CustomCanary,
    CustomLinear,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftForm {
    pub field: Field,
    pub alias: Option<String>,
    pub target: Option<String>,
    pub strategy: StrategyChoice,
    pub custom_percent: u8,
    pub custom_minutes: u32,
    pub thresholds: Thresholds,
}

impl ShiftForm {
    fn new(thresholds: Thresholds) -> Self {
        ShiftForm {
            field: Field::Alias,
            alias: None,
            target: None,
            strategy: StrategyChoice::Predefined(0),
            custom_percent: 10,
            custom_minutes: 5,
            thresholds,
        }
    }

    /// Returns the fields shown, in order; the custom plan adds percent and minutes.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::Alias, Field::Target, Field::Strategy];
        if !matches!(self.strategy, StrategyChoice::Predefined(_)) {
            fields.extend([Field::Percent, Field::Minutes]);
        }
        fields.extend([
            Field::MaxErrorRate,
            Field::MaxErrorRateRatio,
            Field::MinInvocations,
        ]);
        fields
    }

    pub fn strategy(&self) -> Strategy {
        match self.strategy {
            StrategyChoice::Predefined(index) => {
                STRATEGIES.get(index).copied().unwrap_or(STRATEGIES[0])
            }
            StrategyChoice::CustomCanary => {
                Strategy::canary(self.custom_percent, self.custom_minutes)
            }
            StrategyChoice::CustomLinear => {
                Strategy::linear(self.custom_percent, self.custom_minutes)
            }
        }
    }

    fn move_field(&mut self, down: bool) {
        let fields = self.fields();
        let index = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let next = if down {
            (index + 1).min(fields.len() - 1)
        } else {
            index.saturating_sub(1)
        };
        self.field = fields[next];
    }

    /// Changes the selected field by one step; `aliases` and `versions` are
    /// the choices the function offers.
    fn change(&mut self, increase: bool, aliases: &[String], versions: &[String]) {
        let sign = if increase { 1.0 } else { -1.0 };
        match self.field {
            Field::Alias => self.alias = cycle(aliases, self.alias.as_deref(), increase),
            Field::Target => self.target = cycle(versions, self.target.as_deref(), increase),
            Field::Strategy => self.strategy = next_strategy(self.strategy, increase),
            Field::Percent => {
                let step: i32 = if increase { 5 } else { -5 };
                self.custom_percent = (i32::from(self.custom_percent) + step).clamp(1, 99) as u8;
            }
            Field::Minutes => {
                self.custom_minutes = if increase {
                    (self.custom_minutes + 1).min(60)
                } else {
                    self.custom_minutes.saturating_sub(1).max(1)
                };
            }
            Field::MaxErrorRate => {
                let rate = self.thresholds.max_error_rate + sign * 0.005;
                self.thresholds.max_error_rate =
                    (rate * 1000.0).round().clamp(1.0, 1000.0) / 1000.0;
            }
            Field::MaxErrorRateRatio => {
                let ratio = self.thresholds.max_error_rate_ratio + sign * 0.5;
                self.thresholds.max_error_rate_ratio = ratio.clamp(1.0, 100.0);
            }
            Field::MinInvocations => {
                self.thresholds.min_invocations = if increase {
                    (self.thresholds.min_invocations + 10).min(100_000)
                } else {
                    self.thresholds.min_invocations.saturating_sub(10).max(1)
                };
            }
        }
        if !self.fields().contains(&self.field) {
            self.field = Field::Strategy;
        }
    }
}

fn cycle(choices: &[String], current: Option<&str>, forward: bool) -> Option<String> {
    if choices.is_empty() {
        return None;
    }
    let index = current.and_then(|c| choices.iter().position(|choice| choice == c));
    let next = match (index, forward) {
        (None, _) => 0,
        (Some(i), true) => (i + 1) % choices.len(),
        (Some(i), false) => (i + choices.len() - 1) % choices.len(),
    };
    Some(choices[next].clone())
}

fn next_strategy(choice: StrategyChoice, forward: bool) -> StrategyChoice {
    let mut all: Vec<StrategyChoice> = (0..STRATEGIES.len())
        .map(StrategyChoice::Predefined)
        .collect();
    all.extend([StrategyChoice::CustomCanary, StrategyChoice::CustomLinear]);
    let index = all.iter().position(|c| *c == choice).unwrap_or(0);
    let next = if forward {
        (index + 1) % all.len()
    } else {
        (index + all.len() - 1) % all.len()
    };
    all[next]
}

/// Position of the shift form in its two-phase confirmation.
#[derive(Debug, Clone)]
pub enum Stage {
    Form,
    /// Pre-flight and the preview reads are running.
    Preparing(AliasKey),
    /// The exact UpdateAlias is shown. A production alias needs the function
    /// name typed into `typed`; others need `y`.
    Preview {
        key: AliasKey,
        preview: Box<Preview>,
        typed: String,
    },
}

/// The guard's verdict on one analysis window.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalVerdict {
    pub at: DateTime<Utc>,
    pub step: usize,
    pub window: Option<AnalysisWindow>,
    pub evaluation: Evaluation,
}

/// State of one rollout that the cockpit runs or ran, from the runner's events.
#[derive(Debug, Clone)]
pub struct RunView {
    pub rollout: Rollout,
    pub progress: Option<Progress>,
    pub intervals: VecDeque<IntervalVerdict>,
    pub lines: VecDeque<(DateTime<Utc>, String)>,
    pub end: Option<Result<RunEnd, RunFailure>>,
    pub abort_sent: bool,
}

impl RunView {
    fn new(rollout: Rollout) -> Self {
        RunView {
            rollout,
            progress: None,
            intervals: VecDeque::new(),
            lines: VecDeque::new(),
            end: None,
            abort_sent: false,
        }
    }

    pub fn is_running(&self) -> bool {
        self.end.is_none()
    }

    fn record(&mut self, progress: Progress) {
        self.rollout = progress.rollout.clone();
        if let (Some(evaluation), Some(step)) = (&progress.evaluation, baking_step(&progress)) {
            let window = evaluation.window;
            let is_new = self
                .intervals
                .back()
                .is_none_or(|last| last.window != window || last.step != step);
            if is_new {
                if self.intervals.len() == MAX_INTERVALS {
                    self.intervals.pop_front();
                }
                self.intervals.push_back(IntervalVerdict {
                    at: progress.at,
                    step,
                    window,
                    evaluation: evaluation.clone(),
                });
            } else if let Some(last) = self.intervals.back_mut() {
                // The same window read again: keep the newest numbers.
                last.evaluation = evaluation.clone();
                last.at = progress.at;
            }
        }
        self.progress = Some(progress);
    }
}

fn baking_step(progress: &Progress) -> Option<usize> {
    match progress.rollout.phase {
        crate::rollout::Phase::Baking { step, .. } => Some(step),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptChoice {
    Resume,
    RollBack,
}

/// The modal about an unfinished rollout: found at start, or stopped for
/// the operator during this session.
#[derive(Debug, Clone)]
pub struct ResumePrompt {
    pub rollout: Rollout,
    /// The alias as re-read after a conflict, when the runner read it.
    pub alias_now: Option<Alias>,
    /// Reason the rollout stopped, when it stopped during this session.
    pub reason: Option<String>,
    /// The choice waiting for its confirmation.
    pub pending: Option<PromptChoice>,
}

impl ResumePrompt {
    pub fn new(rollout: Rollout) -> Self {
        ResumePrompt {
            rollout,
            alias_now: None,
            reason: None,
            pending: None,
        }
    }
}

pub struct DeployState {
    pub writer: Writer,
    /// Read-only mode. The executor rejects every write; the tab shows this
    /// beforehand, and shows the rejection.
    pub read_only: bool,
    pub default_thresholds: Thresholds,
    /// The function the form belongs to; another function resets it.
    pub function: Option<FunctionKey>,
    pub form: ShiftForm,
    pub stage: Stage,
    pub runs: BTreeMap<AliasKey, RunView>,
    /// The rollout whose abort waits for its confirmation.
    pub abort_pending: Option<AliasKey>,
    pub prompt: Option<ResumePrompt>,
    /// Further prompts, shown after the current one closes.
    pub prompt_queue: VecDeque<ResumePrompt>,
    /// State files that could not be read, with the reason.
    pub unreadable: Vec<String>,
    commands: Vec<DeployCommand>,
}

impl Default for DeployState {
    fn default() -> Self {
        DeployState {
            writer: Writer::Disabled(text::NO_WRITER.to_string()),
            read_only: false,
            default_thresholds: Thresholds::default(),
            function: None,
            form: ShiftForm::new(Thresholds::default()),
            stage: Stage::Form,
            runs: BTreeMap::new(),
            abort_pending: None,
            prompt: None,
            prompt_queue: VecDeque::new(),
            unreadable: Vec::new(),
            commands: Vec::new(),
        }
    }
}

impl DeployState {
    /// Queues the unfinished rollouts found at start; the first one opens
    /// the prompt.
    pub fn set_unfinished(&mut self, found: Vec<Result<Rollout, String>>) {
        for item in found {
            match item {
                Ok(rollout) => self.push_prompt(ResumePrompt::new(rollout)),
                Err(error) => self.unreadable.push(error),
            }
        }
    }

    fn push_prompt(&mut self, prompt: ResumePrompt) {
        if self.prompt.is_none() {
            self.prompt = Some(prompt);
        } else {
            self.prompt_queue.push_back(prompt);
        }
    }

    fn close_prompt(&mut self) {
        self.prompt = self.prompt_queue.pop_front();
    }

    /// True while a text field has the keyboard: the typed confirmation.
    pub fn is_typing(&self) -> bool {
        self.prompt.is_none()
            && matches!(&self.stage, Stage::Preview { preview, .. }
                if preview.production && !preview.blocked())
    }

    pub fn take_commands(&mut self) -> Vec<DeployCommand> {
        std::mem::take(&mut self.commands)
    }

    /// Returns the run shown on the tab of `function`: a running one first, else
    /// the most recent.
    pub fn run_for(&self, function: &str) -> Option<(&AliasKey, &RunView)> {
        let mut runs: Vec<(&AliasKey, &RunView)> = self
            .runs
            .iter()
            .filter(|(key, _)| key.function == function)
            .collect();
        runs.sort_by_key(|(_, run)| (run.is_running(), run.rollout.updated_at));
        runs.pop()
    }

    fn reset_for(&mut self, function: &FunctionKey, entry: &FunctionEntry) {
        if self.function.as_ref() != Some(function) {
            self.function = Some(function.clone());
            self.form = ShiftForm::new(self.default_thresholds.clone());
            self.stage = Stage::Form;
            self.abort_pending = None;
        }
        // Aliases and versions can arrive after the tab opened, so empty
        // choices are filled whenever the data is there.
        if self.form.alias.is_none() {
            let aliases = alias_names(entry);
            self.form.alias = aliases
                .iter()
                .find(|name| *name == "live")
                .or(aliases.first())
                .cloned();
        }
        if self.form.target.is_some() {
            return;
        }
        let current = self
            .form
            .alias
            .as_deref()
            .and_then(|name| find_alias(entry, name))
            .map(|alias| alias.function_version.clone());
        self.form.target = published_versions(entry)
            .into_iter()
            .rev()
            .find(|version| Some(version) != current.as_ref());
    }
}

pub fn alias_names(entry: &FunctionEntry) -> Vec<String> {
    entry
        .aliases
        .iter()
        .flatten()
        .map(|alias| alias.name.clone())
        .collect()
}

pub fn find_alias<'a>(entry: &'a FunctionEntry, name: &str) -> Option<&'a Alias> {
    entry
        .aliases
        .iter()
        .flatten()
        .find(|alias| alias.name == name)
}

/// Published versions, oldest first, by version number.
pub fn published_versions(entry: &FunctionEntry) -> Vec<String> {
    let mut versions: Vec<String> = entry
        .versions
        .iter()
        .flatten()
        .map(|version| version.version.clone())
        .filter(|version| is_published_version(version))
        .collect();
    versions.sort_by_key(|version| version.parse::<u64>().unwrap_or(0));
    versions
}

impl App {
    /// True while the typed confirmation has the keyboard.
    pub fn deploy_typing(&self) -> bool {
        self.view_is_deploy() && self.deploy.is_typing()
    }

    fn view_is_deploy(&self) -> bool {
        matches!(self.view, View::Detail(_)) && self.detail_tab == DetailTab::Deploy
    }

    /// Returns the reason no write can be sent from this cockpit, if any. Read-only
    /// mode is not such a reason: its writes go to the executor, which
    /// rejects them and reports it.
    pub fn write_block_reason(&self) -> Option<String> {
        if self.is_offline() {
            return Some(text::OFFLINE.to_string());
        }
        match &self.deploy.writer {
            Writer::Available => None,
            Writer::Disabled(reason) => Some(reason.clone()),
        }
    }

    pub fn take_deploy_commands(&mut self) -> Vec<DeployCommand> {
        self.deploy.take_commands()
    }

    /// Opens the Deploy tab's form on the selected function, choosing its
    /// defaults from the function's aliases and versions.
    pub(super) fn sync_deploy_form(&mut self) {
        let View::Detail(key) = &self.view else {
            return;
        };
        if let Some(entry) = self.fleet.entry(key) {
            self.deploy.reset_for(key, entry);
        }
    }

    /// Handles `action` when the deploy prompt or the Deploy tab uses it.
    /// Returns false to let the app handle it as usual.
    pub(super) fn handle_deploy_action(&mut self, action: Action) -> bool {
        if self.show_help {
            return false;
        }
        if self.deploy.prompt.is_some() {
            return self.handle_prompt_action(action);
        }
        if !self.view_is_deploy() {
            return false;
        }
        self.sync_deploy_form();
        if self.deploy.abort_pending.is_some() {
            return self.handle_abort_confirmation(action);
        }
        match self.deploy.stage.clone() {
            Stage::Form => self.handle_form_action(action),
            Stage::Preparing(_) => match action {
                Action::Back => {
                    // The reads finish in the background; their result is
                    // dropped because the stage moved on.
                    self.deploy.stage = Stage::Form;
                    true
                }
                _ => is_deploy_action(action),
            },
            Stage::Preview { key, preview, .. } => {
                self.handle_preview_action(action, key, &preview)
            }
        }
    }

    fn handle_form_action(&mut self, action: Action) -> bool {
        let View::Detail(function) = &self.view else {
            return false;
        };
        let Some(entry) = self.fleet.entry(function) else {
            return false;
        };
        let aliases = alias_names(entry);
        let versions = published_versions(entry);
        match action {
            Action::Up => self.deploy.form.move_field(false),
            Action::Down => self.deploy.form.move_field(true),
            Action::Decrease => self.deploy.form.change(false, &aliases, &versions),
            Action::Increase => self.deploy.form.change(true, &aliases, &versions),
            Action::RequestShift => self.request_shift(),
            Action::RequestAbort => self.request_abort(),
            Action::Confirm => {}
            _ => return false,
        }
        true
    }

    fn request_shift(&mut self) {
        let View::Detail(function) = &self.view else {
            return;
        };
        if let Some(reason) = self.write_block_reason() {
            self.notice = Some(reason);
            return;
        }
        let form = &self.deploy.form;
        let (Some(alias), Some(target)) = (form.alias.clone(), form.target.clone()) else {
            self.notice = Some(text::FORM_INCOMPLETE.to_string());
            return;
        };
        let key = AliasKey::new(&function.name, &alias);
        if self.deploy.runs.get(&key).is_some_and(RunView::is_running) {
            self.notice = Some(text::already_running(&key.function, &key.alias));
            return;
        }
        self.deploy
            .commands
            .push(DeployCommand::Submit(RunRequest::Prepare {
                key: key.clone(),
                target,
                strategy: form.strategy(),
                thresholds: Some(form.thresholds.clone()),
            }));
        self.deploy.stage = Stage::Preparing(key);
        self.notice = Some(text::PREPARING.to_string());
    }

    fn handle_preview_action(&mut self, action: Action, key: AliasKey, preview: &Preview) -> bool {
        match action {
            Action::Back | Action::FilterCancel => {
                self.deploy.stage = Stage::Form;
                self.notice = Some(text::NOT_CONFIRMED.to_string());
            }
            Action::Confirm if !preview.production && !preview.blocked() => {
                self.start_rollout(key, preview);
            }
            Action::Confirm if preview.blocked() => {
                self.notice = Some(text::BLOCKED.to_string());
            }
            Action::FilterInput(ch) => {
                if let Stage::Preview { typed, .. } = &mut self.deploy.stage {
                    typed.push(ch);
                }
            }
            Action::FilterBackspace => {
                if let Stage::Preview { typed, .. } = &mut self.deploy.stage {
                    typed.pop();
                }
            }
            Action::FilterApply => {
                let typed = match &self.deploy.stage {
                    Stage::Preview { typed, .. } => typed.clone(),
                    _ => String::new(),
                };
                if typed == key.function {
                    self.start_rollout(key, preview);
                } else {
                    self.notice = Some(text::name_mismatch(&key.function));
                }
            }
            _ => return is_deploy_action(action),
        }
        true
    }

    fn start_rollout(&mut self, key: AliasKey, preview: &Preview) {
        let Ok(rollout) = preview.plan.clone() else {
            self.notice = Some(text::BLOCKED.to_string());
            return;
        };
        self.deploy.runs.insert(key, RunView::new(rollout.clone()));
        self.deploy
            .commands
            .push(DeployCommand::Submit(RunRequest::Start(Box::new(rollout))));
        self.deploy.stage = Stage::Form;
        self.notice = Some(text::STARTED.to_string());
    }

    fn request_abort(&mut self) {
        let View::Detail(function) = &self.view else {
            return;
        };
        match self.deploy.run_for(&function.name) {
            Some((key, run)) if run.is_running() && !run.abort_sent => {
                self.deploy.abort_pending = Some(key.clone());
            }
            _ => self.notice = Some(text::NOTHING_TO_ABORT.to_string()),
        }
    }

    fn handle_abort_confirmation(&mut self, action: Action) -> bool {
        match action {
            Action::Confirm => {
                if let Some(key) = self.deploy.abort_pending.take() {
                    if let Some(run) = self.deploy.runs.get_mut(&key) {
                        run.abort_sent = true;
                    }
                    self.deploy.commands.push(DeployCommand::Abort {
                        key,
                        reason: text::ABORT_REASON.to_string(),
                    });
                    self.notice = Some(text::ABORT_SENT.to_string());
                }
            }
            Action::Back => {
                self.deploy.abort_pending = None;
                self.notice = Some(text::ABORT_CANCELLED.to_string());
            }
            _ => return is_deploy_action(action),
        }
        true
    }

    fn handle_prompt_action(&mut self, action: Action) -> bool {
        let Some(prompt) = self.deploy.prompt.as_mut() else {
            return false;
        };
        match action {
            Action::PromptResume => prompt.pending = Some(PromptChoice::Resume),
            Action::PromptRollBack => prompt.pending = Some(PromptChoice::RollBack),
            Action::PromptLeave => {
                self.notice = Some(text::left_as_is(
                    &prompt.rollout.function_name,
                    &prompt.rollout.alias_name,
                ));
                self.deploy.close_prompt();
            }
            Action::Back => prompt.pending = None,
            Action::Confirm => {
                let Some(choice) = prompt.pending else {
                    return true;
                };
                if let Some(reason) = self.write_block_reason() {
                    self.notice = Some(reason);
                    if let Some(prompt) = self.deploy.prompt.as_mut() {
                        prompt.pending = None;
                    }
                    return true;
                }
                let Some(prompt) = self.deploy.prompt.as_mut() else {
                    return true;
                };
                let rollout = prompt.rollout.clone();
                let key = AliasKey::of(&rollout);
                let request = match choice {
                    PromptChoice::Resume => RunRequest::Resume(Box::new(rollout.clone())),
                    PromptChoice::RollBack => RunRequest::RollBack {
                        rollout: Box::new(rollout.clone()),
                        reason: text::PROMPT_ROLLBACK_REASON.to_string(),
                    },
                };
                self.deploy.runs.insert(key, RunView::new(rollout));
                self.deploy.commands.push(DeployCommand::Submit(request));
                self.deploy.close_prompt();
                self.notice = Some(match choice {
                    PromptChoice::Resume => text::RESUMING.to_string(),
                    PromptChoice::RollBack => text::ROLLING_BACK.to_string(),
                });
            }
            // Quitting leaves the state file for the next start.
            Action::Quit => return false,
            _ => {}
        }
        true
    }

    /// Applies one event from the rollout runner.
    pub fn apply_rollout(&mut self, event: RunnerEvent) {
        match event {
            RunnerEvent::Prepared { key, result } => {
                let waiting = matches!(&self.deploy.stage, Stage::Preparing(k) if *k == key);
                if !waiting {
                    return;
                }
                match result {
                    Ok(preview) => {
                        self.deploy.stage = Stage::Preview {
                            key,
                            preview,
                            typed: String::new(),
                        };
                        self.notice = None;
                    }
                    Err(error) => {
                        self.deploy.stage = Stage::Form;
                        self.notice = Some(text::preflight_failed(&error));
                    }
                }
            }
            RunnerEvent::Line { key, at, text } => {
                if let Some(run) = self.deploy.runs.get_mut(&key) {
                    // Waiting and holding repeat every check, and the
                    // countdown line already shows them: keep the newest.
                    let repeats =
                        |line: &str| line.starts_with("waiting:") || line.starts_with("holding:");
                    if repeats(&text)
                        && let Some((_, last)) = run.lines.back()
                        && repeats(last)
                    {
                        run.lines.pop_back();
                    }
                    if run.lines.len() == MAX_LINES {
                        run.lines.pop_front();
                    }
                    run.lines.push_back((at, text));
                }
            }
            RunnerEvent::Progress { key, progress } => {
                let function = key.function.clone();
                let run = self
                    .deploy
                    .runs
                    .entry(key)
                    .or_insert_with(|| RunView::new(progress.rollout.clone()));
                let phase_changed = run.rollout.phase.name() != progress.rollout.phase.name();
                run.record(*progress);
                // A new phase follows a write, so the routing shown is stale.
                if phase_changed {
                    self.request_function_refresh(&function);
                }
            }
            RunnerEvent::Finished {
                key,
                rollout,
                result,
            } => {
                if let Ok(RunEnd::NeedsOperator {
                    conflict, alias, ..
                }) = &result
                {
                    // Ask again with the alias as it is now; nothing more is
                    // written until the operator chooses.
                    let mut prompt = ResumePrompt::new((*rollout).clone());
                    prompt.alias_now = alias.as_deref().cloned();
                    prompt.reason = Some(conflict.to_string());
                    self.deploy.push_prompt(prompt);
                }
                if let Err(RunFailure::ReadOnly(message)) = &result {
                    self.notice = Some(message.clone());
                }
                self.request_function_refresh(&key.function);
                let run = self
                    .deploy
                    .runs
                    .entry(key)
                    .or_insert_with(|| RunView::new((*rollout).clone()));
                run.rollout = *rollout;
                run.end = Some(result);
                if self.deploy.abort_pending.as_ref() == Some(&AliasKey::of(&run.rollout)) {
                    self.deploy.abort_pending = None;
                }
            }
            // The guided rollback shows its own result and pre-flight.
            RunnerEvent::AliasWritten { .. } | RunnerEvent::PreflightRead { .. } => {}
        }
    }
}

/// Keys of the Deploy tab that must not fall through to other handlers
/// while a dialog is open.
fn is_deploy_action(action: Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::Decrease
            | Action::Increase
            | Action::RequestShift
            | Action::RequestAbort
            | Action::Confirm
            | Action::FilterInput(_)
            | Action::FilterBackspace
            | Action::FilterApply
            | Action::FilterCancel
    )
}
