use super::tabs::DetailTab;

/// Everything the user can ask the UI to do. Keys map to these through the
/// keymap, and `App::update` is the one place that acts on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    Back,
    Refresh,
    StartFilter,
    ToggleHelp,
    NextSortColumn,
    PreviousSortColumn,
    ReverseSort,
    FilterInput(char),
    FilterBackspace,
    FilterApply,
    FilterCancel,
    /// Opens the next tab of the function screen.
    NextTab,
    PreviousTab,
    ShowTab(DetailTab),
    /// Opens the fleet-wide list of checklist failures.
    OpenFailures,
}
