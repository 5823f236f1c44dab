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
    /// Erases the typed filter and keeps the prompt open, as Ctrl-U does
    /// in a shell.
    FilterClear,
    FilterApply,
    FilterCancel,
    /// Opens the next tab of the function screen.
    NextTab,
    PreviousTab,
    ShowTab(DetailTab),
    /// Opens the waterfall of the selected trace in the Traces tab.
    OpenTrace,
    /// Closes the waterfall, or leaves the function screen when none is open.
    CloseTrace,
    /// Opens the fleet-wide list of checklist failures.
    OpenFailures,
    /// Selects the function in the worst trouble (a failing canary first,
    /// then the highest error rate); pressed again, the next one.
    JumpToTrouble,
    /// Changes the selected field of the Deploy tab's form by one step.
    Decrease,
    Increase,
    /// Runs pre-flight and shows the preview of the shift in the form: the
    /// first phase of the two-phase confirmation.
    RequestShift,
    /// Asks to abort the running rollout: the first phase.
    RequestAbort,
    /// Confirms the preview or the abort on screen: the second phase.
    Confirm,
    /// Choices of the unfinished-rollout prompt. Resume and roll back wait
    /// for `Confirm`; leave closes the prompt at once.
    PromptResume,
    PromptRollBack,
    PromptLeave,
    /// Shows the next or previous time range of the Metrics tab.
    NextRange,
    PreviousRange,
    /// Opens the account's budgets and Lambda spend.
    OpenBudgets,
    /// Opens the concurrency hunt of the selected function's region.
    OpenHunt,
    /// Opens the guided rollback of the selected function's alias.
    OpenRollbackWizard,
    /// Moves the rollback wizard to its next step, or back one step.
    WizardNext,
    WizardBack,
    /// Cancels the wizard before the write, or hides it after.
    WizardClose,
}
