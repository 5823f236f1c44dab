//! The keymap: one table from keys to actions, per input context. The help
//! overlay is drawn from the same table, so it always lists every key.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::tabs::DetailTab;

/// Where the keyboard focus is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Keys that work in every view (except while typing a filter).
    Global,
    Fleet,
    /// Keys of every tab of the function screen.
    Detail,
    /// Keys of one tab; the `Detail` keys apply there too unless the tab
    /// binds the same key.
    Tab(DetailTab),
    /// The fleet-wide failures view.
    Failures,
    /// The account views: budgets and the concurrency hunt.
    Account,
    /// The unfinished-rollout prompt, a modal over every view.
    Prompt,
    /// The guided rollback wizard, a modal over every view.
    Wizard,
    Help,
}

pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub action: Action,
    /// The key as the help overlay shows it.
    pub label: &'static str,
    pub help: &'static str,
}

const fn bind(
    context: Context,
    code: KeyCode,
    modifiers: KeyModifiers,
    action: Action,
    label: &'static str,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        code,
        modifiers,
        action,
        label,
        help,
    }
}

/// A number key that opens one tab of the function screen.
const fn tab_key(number: char, tab: DetailTab) -> Binding {
    bind(
        Context::Detail,
        KeyCode::Char(number),
        KeyModifiers::NONE,
        Action::ShowTab(tab),
        "1 … 8",
        "open a tab by its number",
    )
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

use Context::{Detail, Failures, Fleet, Global, Help};

pub const BINDINGS: &[Binding] = &[
    bind(Global, KeyCode::Char('q'), NONE, Action::Quit, "q", "quit"),
    bind(
        Global,
        KeyCode::Char('c'),
        CTRL,
        Action::Quit,
        "Ctrl-C",
        "quit",
    ),
    bind(
        Global,
        KeyCode::Char('?'),
        NONE,
        Action::ToggleHelp,
        "?",
        "show or hide this help",
    ),
    bind(
        Global,
        KeyCode::Char('?'),
        SHIFT,
        Action::ToggleHelp,
        "?",
        "show or hide this help",
    ),
    bind(
        Global,
        KeyCode::Char('r'),
        NONE,
        Action::Refresh,
        "r",
        "refresh every source now",
    ),
    bind(
        Fleet,
        KeyCode::Down,
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Fleet,
        KeyCode::Char('j'),
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Fleet,
        KeyCode::Up,
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Fleet,
        KeyCode::Char('k'),
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Fleet,
        KeyCode::PageDown,
        NONE,
        Action::PageDown,
        "PgUp PgDn",
        "move one page",
    ),
    bind(
        Fleet,
        KeyCode::PageUp,
        NONE,
        Action::PageUp,
        "PgUp PgDn",
        "move one page",
    ),
    bind(
        Fleet,
        KeyCode::Home,
        NONE,
        Action::First,
        "Home End g G",
        "first or last function",
    ),
    bind(
        Fleet,
        KeyCode::Char('g'),
        NONE,
        Action::First,
        "Home End g G",
        "first or last function",
    ),
    bind(
        Fleet,
        KeyCode::End,
        NONE,
        Action::Last,
        "Home End g G",
        "first or last function",
    ),
    bind(
        Fleet,
        KeyCode::Char('G'),
        SHIFT,
        Action::Last,
        "Home End g G",
        "first or last function",
    ),
    bind(
        Fleet,
        KeyCode::Char('G'),
        NONE,
        Action::Last,
        "Home End g G",
        "first or last function",
    ),
    bind(
        Fleet,
        KeyCode::Enter,
        NONE,
        Action::Open,
        "Enter",
        "open the function's detail",
    ),
    bind(
        Fleet,
        KeyCode::Char('/'),
        NONE,
        Action::StartFilter,
        "/",
        "filter: text or tag:key=value",
    ),
    bind(
        Fleet,
        KeyCode::Esc,
        NONE,
        Action::Back,
        "Esc",
        "clear the filter",
    ),
    bind(
        Fleet,
        KeyCode::Char('s'),
        NONE,
        Action::NextSortColumn,
        "s",
        "sort by the next column",
    ),
    bind(
        Fleet,
        KeyCode::Char('S'),
        SHIFT,
        Action::PreviousSortColumn,
        "S",
        "sort by the previous column",
    ),
    bind(
        Fleet,
        KeyCode::Char('S'),
        NONE,
        Action::PreviousSortColumn,
        "S",
        "sort by the previous column",
    ),
    bind(
        Fleet,
        KeyCode::Char('i'),
        NONE,
        Action::ReverseSort,
        "i",
        "reverse the sort order",
    ),
    bind(
        Fleet,
        KeyCode::Char('f'),
        NONE,
        Action::OpenFailures,
        "f",
        "checklist failures of the fleet",
    ),
    bind(
        Fleet,
        KeyCode::Char('w'),
        NONE,
        Action::JumpToTrouble,
        "w",
        "worst first: failing canary, then error rate",
    ),
    bind(
        Fleet,
        KeyCode::Char('$'),
        NONE,
        Action::OpenBudgets,
        "$",
        "budgets and Lambda spend",
    ),
    bind(
        Fleet,
        KeyCode::Char('$'),
        SHIFT,
        Action::OpenBudgets,
        "$",
        "budgets and Lambda spend",
    ),
    bind(
        Fleet,
        KeyCode::Char('c'),
        NONE,
        Action::OpenHunt,
        "c",
        "concurrency hunt: the peak and its functions",
    ),
    bind(
        Fleet,
        KeyCode::Char('b'),
        NONE,
        Action::OpenRollbackWizard,
        "b",
        "back out: guided rollback of the function's alias",
    ),
    bind(
        Detail,
        KeyCode::Char('b'),
        NONE,
        Action::OpenRollbackWizard,
        "b",
        "back out: guided rollback of the function's alias",
    ),
    bind(
        Context::Wizard,
        KeyCode::Enter,
        NONE,
        Action::WizardNext,
        "Enter",
        "next step",
    ),
    bind(
        Context::Wizard,
        KeyCode::Backspace,
        NONE,
        Action::WizardBack,
        "Backspace",
        "previous step",
    ),
    bind(
        Context::Wizard,
        KeyCode::Esc,
        NONE,
        Action::WizardClose,
        "Esc",
        "cancel, or close once the rollback is sent",
    ),
    bind(
        Context::Wizard,
        KeyCode::Left,
        NONE,
        Action::Decrease,
        "← →",
        "choose the alias or the target version",
    ),
    bind(
        Context::Wizard,
        KeyCode::Right,
        NONE,
        Action::Increase,
        "← →",
        "choose the alias or the target version",
    ),
    bind(
        Context::Wizard,
        KeyCode::Char('y'),
        NONE,
        Action::Confirm,
        "y",
        "send the rollback (functions not tagged env=prod)",
    ),
    bind(
        Context::Account,
        KeyCode::Esc,
        NONE,
        Action::Back,
        "Esc",
        "back to the fleet",
    ),
    bind(
        Context::Account,
        KeyCode::Char('c'),
        NONE,
        Action::OpenHunt,
        "c",
        "run the concurrency hunt again",
    ),
    bind(
        Context::Account,
        KeyCode::Char('$'),
        NONE,
        Action::OpenBudgets,
        "$",
        "budgets and Lambda spend",
    ),
    bind(
        Context::Tab(DetailTab::Metrics),
        KeyCode::Char(']'),
        NONE,
        Action::NextRange,
        "[ ]",
        "shorter or longer time range",
    ),
    bind(
        Context::Tab(DetailTab::Metrics),
        KeyCode::Char('['),
        NONE,
        Action::PreviousRange,
        "[ ]",
        "shorter or longer time range",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Left,
        NONE,
        Action::Decrease,
        "← → h l",
        "change the selected form field",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Char('h'),
        NONE,
        Action::Decrease,
        "← → h l",
        "change the selected form field",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Right,
        NONE,
        Action::Increase,
        "← → h l",
        "change the selected form field",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Char('l'),
        NONE,
        Action::Increase,
        "← → h l",
        "change the selected form field",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Enter,
        NONE,
        Action::RequestShift,
        "Enter",
        "pre-flight and preview the shift",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Char('y'),
        NONE,
        Action::Confirm,
        "y",
        "confirm the preview or the abort shown",
    ),
    bind(
        Context::Tab(DetailTab::Deploy),
        KeyCode::Char('a'),
        NONE,
        Action::RequestAbort,
        "a",
        "abort the rollout: roll back to the stable version",
    ),
    bind(
        Context::Prompt,
        KeyCode::Char('r'),
        NONE,
        Action::PromptResume,
        "r",
        "resume the unfinished rollout",
    ),
    bind(
        Context::Prompt,
        KeyCode::Char('b'),
        NONE,
        Action::PromptRollBack,
        "b",
        "roll the alias back to the stable version",
    ),
    bind(
        Context::Prompt,
        KeyCode::Char('l'),
        NONE,
        Action::PromptLeave,
        "l",
        "leave the rollout as is",
    ),
    bind(
        Context::Prompt,
        KeyCode::Char('y'),
        NONE,
        Action::Confirm,
        "y",
        "confirm the chosen write",
    ),
    bind(
        Context::Prompt,
        KeyCode::Esc,
        NONE,
        Action::Back,
        "Esc",
        "cancel the chosen write",
    ),
    bind(
        Detail,
        KeyCode::Esc,
        NONE,
        Action::Back,
        "Esc",
        "back to the fleet",
    ),
    bind(
        Detail,
        KeyCode::Tab,
        NONE,
        Action::NextTab,
        "Tab S-Tab",
        "next or previous tab",
    ),
    bind(
        Detail,
        KeyCode::BackTab,
        SHIFT,
        Action::PreviousTab,
        "Tab S-Tab",
        "next or previous tab",
    ),
    bind(
        Detail,
        KeyCode::BackTab,
        NONE,
        Action::PreviousTab,
        "Tab S-Tab",
        "next or previous tab",
    ),
    tab_key('1', DetailTab::Overview),
    tab_key('2', DetailTab::Checklist),
    tab_key('3', DetailTab::Metrics),
    tab_key('4', DetailTab::Traces),
    tab_key('5', DetailTab::Logs),
    tab_key('6', DetailTab::Cost),
    tab_key('7', DetailTab::Findings),
    tab_key('8', DetailTab::Deploy),
    bind(
        Context::Tab(DetailTab::Traces),
        KeyCode::Enter,
        NONE,
        Action::OpenTrace,
        "Enter",
        "show the selected trace's waterfall",
    ),
    bind(
        Context::Tab(DetailTab::Traces),
        KeyCode::Esc,
        NONE,
        Action::CloseTrace,
        "Esc",
        "back to the trace list, or to the fleet",
    ),
    bind(
        Detail,
        KeyCode::Down,
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "scroll, or select a checklist rule",
    ),
    bind(
        Detail,
        KeyCode::Char('j'),
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "scroll, or select a checklist rule",
    ),
    bind(
        Detail,
        KeyCode::Up,
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "scroll, or select a checklist rule",
    ),
    bind(
        Detail,
        KeyCode::End,
        NONE,
        Action::Last,
        "End G",
        "last rule of the checklist",
    ),
    bind(
        Detail,
        KeyCode::Char('G'),
        SHIFT,
        Action::Last,
        "End G",
        "last rule of the checklist",
    ),
    bind(
        Detail,
        KeyCode::Char('G'),
        NONE,
        Action::Last,
        "End G",
        "last rule of the checklist",
    ),
    bind(
        Detail,
        KeyCode::Char('k'),
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "scroll, or select a checklist rule",
    ),
    bind(
        Detail,
        KeyCode::PageDown,
        NONE,
        Action::PageDown,
        "PgUp PgDn",
        "scroll one page",
    ),
    bind(
        Detail,
        KeyCode::PageUp,
        NONE,
        Action::PageUp,
        "PgUp PgDn",
        "scroll one page",
    ),
    bind(
        Detail,
        KeyCode::Home,
        NONE,
        Action::First,
        "Home g",
        "scroll to the top, or the first rule",
    ),
    bind(
        Detail,
        KeyCode::Char('g'),
        NONE,
        Action::First,
        "Home g",
        "scroll to the top, or the first rule",
    ),
    bind(
        Failures,
        KeyCode::Down,
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Failures,
        KeyCode::Char('j'),
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Failures,
        KeyCode::Up,
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Failures,
        KeyCode::Char('k'),
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "move the selection",
    ),
    bind(
        Failures,
        KeyCode::PageDown,
        NONE,
        Action::PageDown,
        "PgUp PgDn",
        "move one page",
    ),
    bind(
        Failures,
        KeyCode::PageUp,
        NONE,
        Action::PageUp,
        "PgUp PgDn",
        "move one page",
    ),
    bind(
        Failures,
        KeyCode::Enter,
        NONE,
        Action::Open,
        "Enter",
        "open the function's checklist",
    ),
    bind(
        Failures,
        KeyCode::Esc,
        NONE,
        Action::Back,
        "Esc",
        "back to the fleet",
    ),
    bind(
        Help,
        KeyCode::Esc,
        NONE,
        Action::ToggleHelp,
        "Esc",
        "close this help",
    ),
    bind(
        Help,
        KeyCode::Down,
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "scroll this help",
    ),
    bind(
        Help,
        KeyCode::Char('j'),
        NONE,
        Action::Down,
        "↑ ↓ j k",
        "scroll this help",
    ),
    bind(
        Help,
        KeyCode::Up,
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "scroll this help",
    ),
    bind(
        Help,
        KeyCode::Char('k'),
        NONE,
        Action::Up,
        "↑ ↓ j k",
        "scroll this help",
    ),
    bind(
        Help,
        KeyCode::PageDown,
        NONE,
        Action::PageDown,
        "PgUp PgDn",
        "scroll this help by a page",
    ),
    bind(
        Help,
        KeyCode::PageUp,
        NONE,
        Action::PageUp,
        "PgUp PgDn",
        "scroll this help by a page",
    ),
];

/// The action for `key` in `context`, or `None` for an unbound key.
/// `filtering` is true while the filter prompt has the focus: then printable
/// keys are text, and only Enter, Esc, Backspace, Ctrl-U and Ctrl-C act.
pub fn resolve(context: Context, filtering: bool, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if filtering {
        return match (key.code, key.modifiers) {
            (KeyCode::Char('c'), CTRL) => Some(Action::Quit),
            (KeyCode::Enter, _) => Some(Action::FilterApply),
            (KeyCode::Esc, _) => Some(Action::FilterCancel),
            (KeyCode::Backspace, _) => Some(Action::FilterBackspace),
            (KeyCode::Char('u'), CTRL) => Some(Action::FilterClear),
            (KeyCode::Char(ch), modifiers) if !modifiers.contains(CTRL) => {
                Some(Action::FilterInput(ch))
            }
            _ => None,
        };
    }
    let lookup = |wanted: Context| {
        BINDINGS
            .iter()
            .find(|b| b.context == wanted && b.code == key.code && b.modifiers == key.modifiers)
            .map(|b| b.action)
    };
    let fallback = match context {
        Context::Tab(_) => lookup(Context::Detail),
        _ => None,
    };
    lookup(context)
        .or(fallback)
        .or_else(|| lookup(Context::Global))
}

/// The bindings of one context for the help overlay, one line per label.
pub fn help_lines(context: Context) -> Vec<(&'static str, &'static str)> {
    let mut lines: Vec<(&'static str, &'static str)> = Vec::new();
    for binding in BINDINGS.iter().filter(|b| b.context == context) {
        if !lines.iter().any(|(label, _)| *label == binding.label) {
            lines.push((binding.label, binding.help));
        }
    }
    lines
}
