//! UI state and the one function that changes it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use crossterm::event::{Event, KeyEvent};

use super::action::Action;
use super::checklist;
use super::keymap::{self, Context};
use super::rows::{Column, Filter, FleetRow, Sort, fleet_rows};
use super::theme::Theme;
use crate::model::{Fleet, FunctionKey};
use crate::poll::{DataEvent, PollRequest};

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Live,
    /// A snapshot file: nothing is polled and every write is disabled.
    Offline {
        path: PathBuf,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Fleet,
    Detail(FunctionKey),
    /// Checklist failures of the whole fleet, grouped by rule.
    Failures,
    /// AWS Budgets and Lambda's daily spend.
    Budgets,
    /// The account's concurrency peak and the functions behind it.
    Hunt,
}

pub use super::tabs::DetailTab;

/// Seconds after a refresh during which another `r` is ignored.
const REFRESH_COOLDOWN_S: i64 = 10;

pub struct App {
    pub fleet: Fleet,
    pub mode: Mode,
    pub view: View,
    pub theme: Theme,
    pub show_help: bool,
    /// First line of the help overlay shown, for terminals shorter than it.
    pub help_scroll: u16,
    /// True while the filter prompt has the keyboard.
    pub filtering: bool,
    pub filter_text: String,
    pub sort: Sort,
    /// The selected function; the row index follows from the sorted rows,
    /// so a refresh or re-sort keeps the selection on the same function.
    pub selected: Option<FunctionKey>,
    pub detail_scroll: u16,
    pub detail_tab: DetailTab,
    /// The selected rule in the checklist tab, an index into
    /// `checklist::ordered_results`.
    pub checklist_cursor: usize,
    /// The selected row of the failures view, an index into
    /// `checklist::failure_keys`.
    pub failures_cursor: usize,
    /// The time range of the Metrics tab.
    pub metrics_range: crate::model::drill_metrics::TimeRange,
    /// True when the open detail was reached from the failures view, so Esc
    /// goes back there.
    detail_from_failures: bool,
    /// Terminal size, for paging.
    pub viewport: (u16, u16),
    /// The Deploy tab, the running rollouts and the unfinished-rollout prompt.
    pub deploy: super::deploy::DeployState,
    /// The guided rollback wizard and its verification.
    pub rollback: super::wizard::RollbackState,
    /// The Traces tab's selection and open waterfall.
    pub drill: super::drill::DrillState,
    /// The clock for ages in the header, set on every tick, so rendering
    /// stays a pure function of state.
    pub now: DateTime<Utc>,
    /// A one-line notice in the footer, such as "refresh requested".
    pub notice: Option<String>,
    pub should_quit: bool,
    /// When the last refresh was sent, to ignore repeated presses.
    last_refresh: Option<DateTime<Utc>>,
    /// The function the last `w` selected: pressed again on it, `w` moves
    /// on; from any other selection it starts at the worst.
    last_trouble_jump: Option<FunctionKey>,
    requests: Vec<PollRequest>,
}

impl App {
    pub fn new(fleet: Fleet, mode: Mode, theme: Theme, now: DateTime<Utc>) -> Self {
        let mut app = Self {
            fleet,
            mode,
            view: View::Fleet,
            theme,
            show_help: false,
            help_scroll: 0,
            filtering: false,
            filter_text: String::new(),
            sort: Sort::default(),
            selected: None,
            detail_scroll: 0,
            detail_tab: DetailTab::Overview,
            checklist_cursor: 0,
            failures_cursor: 0,
            metrics_range: crate::model::drill_metrics::TimeRange::default(),
            detail_from_failures: false,
            viewport: (80, 24),
            deploy: super::deploy::DeployState::default(),
            rollback: super::wizard::RollbackState::default(),
            drill: super::drill::DrillState::default(),
            now,
            notice: None,
            should_quit: false,
            last_refresh: None,
            last_trouble_jump: None,
            requests: Vec::new(),
        };
        app.reconcile_selection();
        app
    }

    pub fn is_offline(&self) -> bool {
        matches!(self.mode, Mode::Offline { .. })
    }

    pub fn filter(&self) -> Filter {
        Filter::parse(&self.filter_text)
    }

    pub fn rows(&self) -> Vec<FleetRow<'_>> {
        fleet_rows(&self.fleet, &self.filter(), self.sort)
    }

    /// The index of the selected row among `rows`.
    pub fn selected_index(&self, rows: &[FleetRow<'_>]) -> Option<usize> {
        let selected = self.selected.as_ref()?;
        rows.iter().position(|row| &row.entry.key() == selected)
    }

    /// Requests for the data layer since the last call.
    pub fn take_requests(&mut self) -> Vec<PollRequest> {
        std::mem::take(&mut self.requests)
    }

    pub fn context(&self) -> Context {
        if self.show_help {
            Context::Help
        } else if self.wizard_open() {
            Context::Wizard
        } else if self.deploy.prompt.is_some() {
            Context::Prompt
        } else {
            match self.view {
                View::Fleet => Context::Fleet,
                View::Detail(_) => Context::Tab(self.detail_tab),
                View::Failures => Context::Failures,
                View::Budgets | View::Hunt => Context::Account,
            }
        }
    }

    pub fn handle_event(&mut self, event: Event) {
        match event {
            Event::Key(key) => self.handle_key(key),
            Event::Resize(width, height) => self.viewport = (width, height),
            _ => {}
        }
    }

    pub fn handle_key(&mut self, key: KeyEvent) {
        // The typed confirmation of a production shift takes text like the
        // filter prompt does.
        let typing = self.filtering || self.deploy_typing() || self.wizard_typing();
        if let Some(action) = keymap::resolve(self.context(), typing, key) {
            self.update(action);
        }
    }

    pub fn apply(&mut self, event: DataEvent) {
        self.fleet.apply(event);
        self.reconcile_selection();
        self.sync_deploy_form();
        self.refresh_verification();
    }

    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.refresh_drill_metrics_when_due();
        self.request_traces_and_logs(false);
        self.refresh_verification();
    }

    /// Keeps the selection on a visible row: none when the table is empty,
    /// the first row when the selected function is gone or filtered out.
    fn reconcile_selection(&mut self) {
        let first = {
            let rows = self.rows();
            if self.selected_index(&rows).is_some() {
                return;
            }
            rows.first().map(FleetRow::key)
        };
        self.selected = first;
    }

    /// Moves the selection down the fleet's trouble list: functions with a
    /// failing canary first, then by error rate. In an incident the first
    /// question is "which one?", and sorting by a column loses the canary.
    fn jump_to_trouble(&mut self) {
        let next = {
            let rows = self.rows();
            let mut troubled: Vec<&FleetRow<'_>> = rows
                .iter()
                .filter(|row| row.canary_alert.is_some() || row.error_rate.is_some_and(|r| r > 0.0))
                .collect();
            troubled.sort_by(|a, b| {
                b.canary_alert
                    .is_some()
                    .cmp(&a.canary_alert.is_some())
                    .then_with(|| {
                        b.error_rate
                            .unwrap_or(0.0)
                            .total_cmp(&a.error_rate.unwrap_or(0.0))
                    })
            });
            let current = self
                .selected
                .as_ref()
                .filter(|selected| self.last_trouble_jump.as_ref() == Some(*selected))
                .and_then(|selected| troubled.iter().position(|row| &row.key() == selected));
            let index = current.map_or(0, |i| (i + 1) % troubled.len().max(1));
            troubled.get(index).map(|row| row.key())
        };
        match next {
            Some(key) => {
                self.selected = Some(key.clone());
                self.last_trouble_jump = Some(key);
            }
            None => self.notice = Some(super::messages::NO_TROUBLE.to_string()),
        }
    }

    /// After a new sort order the top of the list is what matters, such as
    /// the worst error rate, so the selection moves there.
    fn select_first_row(&mut self) {
        let first = self.rows().first().map(FleetRow::key);
        self.selected = first;
    }

    fn page_size(&self) -> usize {
        // Header, table header, borders and footer take nine lines.
        usize::from(self.viewport.1.saturating_sub(9)).max(1)
    }

    fn move_selection(&mut self, step: impl FnOnce(usize, usize) -> usize) {
        let next = {
            let rows = self.rows();
            if rows.is_empty() {
                return;
            }
            let current = self.selected_index(&rows).unwrap_or(0);
            let index = step(current, rows.len()).min(rows.len() - 1);
            rows[index].key()
        };
        self.selected = Some(next);
    }

    pub fn update(&mut self, action: Action) {
        self.notice = None;
        if self.handle_wizard_action(action) {
            return;
        }
        if self.handle_deploy_action(action) {
            return;
        }
        if super::drill::handle_action(self, action) {
            return;
        }
        match action {
            Action::Quit => self.should_quit = true,
            Action::ToggleHelp => {
                self.show_help = !self.show_help;
                self.help_scroll = 0;
            }
            Action::Refresh => {
                if self.is_offline() {
                    self.notice = Some(super::messages::OFFLINE_REFRESH.to_string());
                } else if self
                    .last_refresh
                    .is_some_and(|at| self.now - at < chrono::Duration::seconds(REFRESH_COOLDOWN_S))
                {
                    // Each refresh re-reads every metric, which CloudWatch
                    // bills; repeated presses while one runs add nothing.
                    self.notice = Some(super::messages::REFRESH_PENDING.to_string());
                } else {
                    self.requests.push(PollRequest::RefreshAll);
                    self.request_traces_and_logs(true);
                    self.last_refresh = Some(self.now);
                    self.notice = Some(super::messages::REFRESH_REQUESTED.to_string());
                }
            }
            Action::StartFilter => self.filtering = true,
            Action::FilterInput(ch) => {
                self.filter_text.push(ch);
                self.reconcile_selection();
            }
            Action::FilterBackspace => {
                self.filter_text.pop();
                self.reconcile_selection();
            }
            // Typed confirmations receive the same text actions, so Ctrl-U
            // there must not erase the fleet filter behind them.
            Action::FilterClear if self.filtering => {
                self.filter_text.clear();
                self.reconcile_selection();
            }
            Action::FilterClear => {}
            Action::FilterApply => self.filtering = false,
            Action::FilterCancel => {
                self.filtering = false;
                self.filter_text.clear();
                self.reconcile_selection();
            }
            Action::NextSortColumn | Action::PreviousSortColumn => {
                let columns = Column::SORTABLE;
                let current = columns
                    .iter()
                    .position(|c| *c == self.sort.column)
                    .unwrap_or(0);
                let next = if action == Action::NextSortColumn {
                    (current + 1) % columns.len()
                } else {
                    (current + columns.len() - 1) % columns.len()
                };
                self.sort.column = columns[next];
                // Names read best A to Z; numbers are wanted worst first.
                self.sort.descending = !matches!(
                    self.sort.column,
                    Column::Name | Column::Region | Column::Runtime | Column::Routing
                );
                self.select_first_row();
            }
            Action::ReverseSort => {
                self.sort.descending = !self.sort.descending;
                self.select_first_row();
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                self.navigate(action);
            }
            Action::Open => match self.view {
                View::Failures => self.open_failure(),
                _ => self.open_selected(),
            },
            Action::NextTab => self.show_tab(self.detail_tab.next()),
            Action::PreviousTab => self.show_tab(self.detail_tab.previous()),
            Action::ShowTab(tab) => self.show_tab(tab),
            Action::JumpToTrouble => self.jump_to_trouble(),
            Action::OpenFailures => {
                self.view = View::Failures;
                let count = checklist::failure_keys(&self.fleet).len();
                self.failures_cursor = self.failures_cursor.min(count.saturating_sub(1));
            }
            Action::NextRange | Action::PreviousRange => self.step_range(action),
            // Outside the Deploy tab and the prompt these keys do nothing.
            Action::Decrease
            | Action::Increase
            | Action::RequestShift
            | Action::RequestAbort
            | Action::Confirm
            | Action::PromptResume
            | Action::PromptRollBack
            | Action::PromptLeave => {}
            // The Traces tab handles these while it shows a trace.
            Action::OpenTrace => {}
            Action::CloseTrace => self.update(Action::Back),
            Action::OpenBudgets => self.view = View::Budgets,
            Action::OpenHunt => self.open_hunt(),
            // The wizard handles these while it is open.
            Action::OpenRollbackWizard
            | Action::WizardNext
            | Action::WizardBack
            | Action::WizardClose => {}
            Action::Back => match self.view {
                View::Detail(_) => {
                    self.view = if self.detail_from_failures {
                        View::Failures
                    } else {
                        View::Fleet
                    };
                    self.detail_from_failures = false;
                    self.detail_scroll = 0;
                }
                View::Failures | View::Budgets | View::Hunt => self.view = View::Fleet,
                View::Fleet => {
                    self.filter_text.clear();
                    self.reconcile_selection();
                }
            },
        }
    }

    fn show_tab(&mut self, tab: DetailTab) {
        self.detail_tab = tab;
        self.detail_scroll = 0;
        self.sync_deploy_form();
        self.request_drill_metrics();
        self.request_traces_and_logs(false);
    }

    /// Sends the reads the open Traces or Logs tab needs now.
    fn request_traces_and_logs(&mut self, force: bool) {
        let requests = super::drill::due_requests(self, force);
        self.requests.extend(requests);
    }

    /// Moves a cursor over `len` items by one navigation action.
    fn step_cursor(&self, cursor: usize, len: usize, action: Action) -> usize {
        let page = self.page_size();
        let last = len.saturating_sub(1);
        let next = match action {
            Action::Up => cursor.saturating_sub(1),
            Action::Down => cursor + 1,
            Action::PageUp => cursor.saturating_sub(page),
            Action::PageDown => cursor + page,
            Action::Last => last,
            _ => 0,
        };
        next.min(last)
    }

    fn navigate(&mut self, action: Action) {
        if self.show_help {
            // The overlay clamps the offset to its own height when drawn.
            let page = self.page_size() as u16;
            self.help_scroll = match action {
                Action::Up => self.help_scroll.saturating_sub(1),
                Action::Down => self.help_scroll.saturating_add(1),
                Action::PageUp => self.help_scroll.saturating_sub(page),
                Action::PageDown => self.help_scroll.saturating_add(page),
                _ => 0,
            };
            return;
        }
        if matches!(self.view, View::Budgets | View::Hunt) {
            return;
        }
        if let View::Failures = self.view {
            let len = checklist::failure_keys(&self.fleet).len();
            self.failures_cursor = self.step_cursor(self.failures_cursor, len, action);
            return;
        }
        if let View::Detail(key) = &self.view
            && self.detail_tab == DetailTab::Checklist
        {
            let len = self
                .fleet
                .entry(key)
                .and_then(|entry| entry.checklist.as_ref())
                .map_or(0, |c| c.results.len());
            self.checklist_cursor = self.step_cursor(self.checklist_cursor, len, action);
            return;
        }
        if let View::Detail(_) = self.view {
            let page = self.page_size() as u16;
            self.detail_scroll = match action {
                Action::Up => self.detail_scroll.saturating_sub(1),
                Action::Down => self.detail_scroll.saturating_add(1),
                Action::PageUp => self.detail_scroll.saturating_sub(page),
                Action::PageDown => self.detail_scroll.saturating_add(page),
                _ => 0,
            };
            return;
        }
        let page = self.page_size();
        match action {
            Action::Up => self.move_selection(|i, _| i.saturating_sub(1)),
            Action::Down => self.move_selection(|i, _| i + 1),
            Action::PageUp => self.move_selection(|i, _| i.saturating_sub(page)),
            Action::PageDown => self.move_selection(|i, _| i + page),
            Action::First => self.move_selection(|_, _| 0),
            Action::Last => self.move_selection(|_, len| len.saturating_sub(1)),
            _ => {}
        }
    }

    /// Asks the data layer to read one function's aliases again, such as
    /// after the Deploy tab wrote its alias.
    pub(super) fn request_function_refresh(&mut self, name: &str) {
        if self.is_offline() {
            return;
        }
        let Some(entry) = self
            .fleet
            .entries()
            .find(|entry| entry.function.name == name)
        else {
            return;
        };
        let request = PollRequest::Function {
            key: entry.key(),
            arn: entry.function.arn.clone(),
        };
        self.requests.push(request);
    }

    fn open_selected(&mut self) {
        let Some(key) = self.selected.clone() else {
            return;
        };
        let Some(entry) = self.fleet.entry(&key) else {
            return;
        };
        if !self.is_offline() {
            self.requests.push(PollRequest::Function {
                key: key.clone(),
                arn: entry.function.arn.clone(),
            });
        }
        self.view = View::Detail(key);
        self.detail_scroll = 0;
        self.checklist_cursor = 0;
        self.detail_from_failures = false;
        self.request_drill_metrics();
        self.sync_deploy_form();
    }

    /// Opens the function of the selected failure on its checklist tab,
    /// with the failing rule selected.
    fn open_failure(&mut self) {
        let groups = checklist::failures_by_rule(&self.fleet);
        let Some((key, rule_id)) = groups
            .iter()
            .flat_map(|group| group.functions.iter())
            .nth(self.failures_cursor)
            .map(|failing| (failing.key.clone(), failing.result.rule_id.clone()))
        else {
            return;
        };
        drop(groups);
        self.selected = Some(key);
        self.open_selected();
        if let View::Detail(key) = &self.view {
            self.detail_from_failures = true;
            self.detail_tab = DetailTab::Checklist;
            self.checklist_cursor = self
                .fleet
                .entry(key)
                .and_then(|entry| entry.checklist.as_ref())
                .and_then(|c| {
                    checklist::ordered_results(c)
                        .iter()
                        .position(|r| r.rule_id == rule_id)
                })
                .unwrap_or(0);
        }
    }
}

/// Seconds between re-reads of the Metrics tab's series while it is open.
const DRILL_REFRESH_S: i64 = 60;

impl App {
    /// Requests the open function's Metrics tab series for the selected
    /// range. The Metrics and Cost tabs both read them.
    fn request_drill_metrics(&mut self) {
        if self.is_offline() || !matches!(self.detail_tab, DetailTab::Metrics | DetailTab::Cost) {
            return;
        }
        let View::Detail(key) = &self.view else {
            return;
        };
        let Some(entry) = self.fleet.entry(key) else {
            return;
        };
        let aliases = entry.aliases.as_deref().unwrap_or_default();
        let request = crate::aws::DrillRequest {
            function: key.name.clone(),
            aliases: aliases.iter().map(|alias| alias.name.clone()).collect(),
            weighted: aliases
                .iter()
                .filter(|alias| !alias.routing.is_empty())
                .map(|alias| {
                    let versions = alias.traffic_split().into_iter().map(|(v, _)| v).collect();
                    (alias.name.clone(), versions)
                })
                .collect(),
            range: self.metrics_range,
        };
        let key = key.clone();
        self.fleet
            .note_drill_request(&key, self.metrics_range, self.now);
        self.requests
            .push(PollRequest::DrillMetrics { key, request });
    }

    /// Re-reads the open Metrics or Cost tab's series once a minute.
    fn refresh_drill_metrics_when_due(&mut self) {
        let View::Detail(key) = &self.view else {
            return;
        };
        let due = self.fleet.drill_metrics.get(key).is_none_or(|state| {
            self.now - state.requested_at >= chrono::Duration::seconds(DRILL_REFRESH_S)
        });
        if due {
            self.request_drill_metrics();
        }
    }

    fn step_range(&mut self, action: Action) {
        use crate::model::drill_metrics::TimeRange;
        let ranges = TimeRange::ALL;
        let current = ranges
            .iter()
            .position(|range| *range == self.metrics_range)
            .unwrap_or(0);
        let next = if action == Action::NextRange {
            (current + 1).min(ranges.len() - 1)
        } else {
            current.saturating_sub(1)
        };
        if ranges[next] != self.metrics_range {
            self.metrics_range = ranges[next];
            self.request_drill_metrics();
        }
    }

    /// Opens the hunt view and requests a hunt in the selected function's
    /// region, or the first region, over every known function there.
    fn open_hunt(&mut self) {
        self.view = View::Hunt;
        let region = self
            .selected
            .as_ref()
            .map(|key| key.region.clone())
            .or_else(|| self.fleet.regions.first().cloned());
        let Some(region) = region else {
            return;
        };
        if self.is_offline() {
            return;
        }
        let functions = self
            .fleet
            .functions
            .get(&region)
            .map(|by_name| by_name.keys().cloned().collect())
            .unwrap_or_default();
        self.fleet.note_hunt_request(&region, self.now);
        self.requests.push(PollRequest::Hunt { region, functions });
    }
}
