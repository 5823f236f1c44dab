//! State of the Traces and Logs tabs: the selected trace, the open
//! waterfall, and when their data is read.
//!
//! Both tabs read their data only while open: on opening, on `r`, and
//! again once a minute.

use chrono::Duration;

use super::action::Action;
use super::app::{App, DetailTab, View};
use crate::model::{DecodedTrace, DrillKind, FunctionKey, LogsData};
use crate::poll::PollRequest;

/// Seconds between re-reads while a tab stays open.
pub const REFRESH_SECONDS: i64 = 60;
/// A request without a response after this long is sent again.
const STALLED_SECONDS: i64 = 30;

/// Per-function state of the Traces tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrillState {
    /// The function this state belongs to; another function starts afresh.
    function: Option<FunctionKey>,
    /// The selected row of the trace list.
    pub trace_cursor: usize,
    /// The trace whose waterfall is shown.
    pub open_trace: Option<String>,
    /// First waterfall line shown.
    pub waterfall_scroll: u16,
}

impl DrillState {
    fn follow(&mut self, key: &FunctionKey) {
        if self.function.as_ref() != Some(key) {
            *self = DrillState {
                function: Some(key.clone()),
                ..DrillState::default()
            };
        }
    }
}

/// The traces of the open function in list order.
pub fn traces<'a>(app: &'a App, key: &FunctionKey) -> &'a [DecodedTrace] {
    app.fleet
        .drill
        .get(key)
        .and_then(|drill| drill.traces.data.as_ref())
        .map_or(&[], |data| data.traces.as_slice())
}

pub fn logs<'a>(app: &'a App, key: &FunctionKey) -> Option<&'a LogsData> {
    app.fleet.drill.get(key)?.logs.data.as_ref()
}

/// Returns the reads the open tab needs now and marks each as loading.
/// `force` requests the data again even when it is fresh, as `r` does.
pub fn due_requests(app: &mut App, force: bool) -> Vec<PollRequest> {
    let View::Detail(key) = &app.view else {
        return Vec::new();
    };
    let key = key.clone();
    app.drill.follow(&key);
    if app.is_offline() {
        return Vec::new();
    }
    // The Traces tab shows the error lines and versions from the log too.
    let kinds: &[DrillKind] = match app.detail_tab {
        DetailTab::Traces => &[DrillKind::Traces, DrillKind::Logs],
        DetailTab::Logs => &[DrillKind::Logs],
        _ => return Vec::new(),
    };
    let Some(entry) = app.fleet.entry(&key) else {
        return Vec::new();
    };
    let log_group = entry
        .function
        .log_group
        .clone()
        .unwrap_or_else(|| format!("{}{}", crate::aws::LAMBDA_LOG_GROUP_PREFIX, key.name));
    let timeout_s = entry
        .function
        .timeout_s
        .and_then(|seconds| u32::try_from(seconds).ok());

    let mut requests = Vec::new();
    for kind in kinds {
        let slot = app.fleet.drill.get(&key);
        let (loading_since, last) = match (slot, kind) {
            (Some(drill), DrillKind::Traces) => {
                (drill.traces.loading_since, drill.traces.last_activity())
            }
            (Some(drill), DrillKind::Logs) => {
                (drill.logs.loading_since, drill.logs.last_activity())
            }
            (None, _) => (None, None),
        };
        let stalled = loading_since
            .is_some_and(|since| app.now - since >= Duration::seconds(STALLED_SECONDS));
        if loading_since.is_some() && !stalled {
            continue;
        }
        let stale = last.is_none_or(|at| app.now - at >= Duration::seconds(REFRESH_SECONDS));
        if !(force || stale || stalled) {
            continue;
        }
        app.fleet.mark_drill_loading(&key, *kind, app.now);
        requests.push(match kind {
            DrillKind::Traces => PollRequest::DrillTraces {
                key: key.clone(),
                log_group: log_group.clone(),
            },
            DrillKind::Logs => PollRequest::DrillLogs {
                key: key.clone(),
                log_group: log_group.clone(),
                timeout_s,
            },
        });
    }
    requests
}

/// Handles the Traces tab's keys. Returns true when the action was used.
pub fn handle_action(app: &mut App, action: Action) -> bool {
    if app.show_help || app.detail_tab != DetailTab::Traces {
        return false;
    }
    let View::Detail(key) = &app.view else {
        return false;
    };
    let key = key.clone();
    app.drill.follow(&key);
    let count = traces(app, &key).len();
    let page = usize::from(app.viewport.1.saturating_sub(12)).max(1);
    match action {
        Action::OpenTrace => {
            let id = traces(app, &key)
                .get(app.drill.trace_cursor.min(count.saturating_sub(1)))
                .map(|trace| trace.id.clone());
            if let Some(id) = id {
                app.drill.open_trace = Some(id);
                app.drill.waterfall_scroll = 0;
            }
            true
        }
        Action::CloseTrace if app.drill.open_trace.is_some() => {
            app.drill.open_trace = None;
            true
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::First
        | Action::Last => {
            if app.drill.open_trace.is_some() {
                let scroll = &mut app.drill.waterfall_scroll;
                let page = page as u16;
                *scroll = match action {
                    Action::Up => scroll.saturating_sub(1),
                    Action::Down => scroll.saturating_add(1),
                    Action::PageUp => scroll.saturating_sub(page),
                    Action::PageDown => scroll.saturating_add(page),
                    _ => 0,
                };
            } else {
                let cursor = app.drill.trace_cursor;
                let last = count.saturating_sub(1);
                app.drill.trace_cursor = match action {
                    Action::Up => cursor.saturating_sub(1),
                    Action::Down => cursor + 1,
                    Action::PageUp => cursor.saturating_sub(page),
                    Action::PageDown => cursor + page,
                    Action::Last => last,
                    _ => 0,
                }
                .min(last);
            }
            true
        }
        _ => false,
    }
}
