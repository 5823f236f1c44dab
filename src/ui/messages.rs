//! The UI's fixed text in one place, so wording stays consistent and a
//! translation has one file to cover.

pub const APP_NAME: &str = "anshin";
pub const REFRESH_REQUESTED: &str = "refresh requested";
pub const REFRESH_PENDING: &str = "refresh already requested; wait a few seconds";
pub const OFFLINE_REFRESH: &str = "offline snapshot: refresh is disabled";
pub const OFFLINE_BADGE: &str = "OFFLINE snapshot, read-only";
pub const READ_ONLY_BADGE: &str = "READ-ONLY";
pub const NOT_AWS_BADGE: &str = "not AWS";
pub const HELP_TITLE: &str = " Keys ";
pub const FILTER_PROMPT: &str = "filter: ";
pub const FILTER_HINT: &str = "  (Enter keeps, Esc clears, Ctrl-U erases; text or tag:key=value)";
pub const FOOTER_HINT: &str =
    "? help  / filter  s sort  w worst  Enter open  f failures  r refresh  q quit";
pub const NO_TROUBLE: &str = "No function has errors or a failing canary in the window.";
pub const DETAIL_HINT: &str = "Esc back  Tab/1-8 tabs  ↑↓ scroll  r refresh  ? help  q quit";
pub const CHECKLIST_HINT: &str =
    "Esc back  Tab/1-8 tabs  ↑↓ select rule  r refresh  ? help  q quit";
pub const FAILURES_HINT: &str =
    "Esc back  ↑↓ select  Enter open checklist  r refresh  ? help  q quit";
pub const FAILURES_TITLE: &str = " Checklist failures by rule ";
pub const NO_FAILURES: &str = "No checklist failures in the fleet.";
pub const CHECKLIST_PENDING: &str =
    "The checklist has not run yet: it runs once the function list has arrived.";

pub const NO_IDENTITY: &str = "account …";

pub fn loading_functions(regions: &str) -> String {
    format!("Loading functions in {regions}…")
}

pub fn no_functions(region: &str) -> String {
    format!("no functions in {region}")
}

pub fn no_match(filter: &str) -> String {
    format!("no functions match the filter {filter:?}. Esc clears it.")
}

pub fn list_failed(region: &str, error: &str) -> String {
    format!("Could not list functions in {region}: {error}")
}

pub const RETRY_HINT: &str = "Press r to retry, or q to quit. Details are in the log file.";

pub const METRICS_LOADING: &str = "Reading metrics…";
pub const METRICS_OFFLINE: &str =
    "Metrics tab series are read live and are not part of a snapshot.";
/// Overview values for settings left at Lambda's defaults.
pub const NO_DEAD_LETTER_QUEUE: &str = "none";
pub const DEFAULT_KMS_KEY: &str = "none (AWS managed key)";
pub const DEFAULT_LOG_FORMAT: &str = "Text, the default";

/// Names the log group Lambda uses when none is configured.
pub fn default_log_group(function: &str) -> String {
    format!("/aws/lambda/{function} (default)")
}

/// Summary of a metric row whose series has no data point in the range.
/// The version columns leave about 32 characters for it.
pub const METRIC_NO_POINTS: &str = "no data points in range";
/// Summary of an empty Throttles row. Unlike an empty Invocations row, it
/// is the usual case for a function that was not throttled.
pub const THROTTLES_NO_POINTS: &str = "no data (usual when none)";
pub const METRICS_NO_DATA: &str = "No data points in this range: the function was not invoked, or its metrics are missing. No data is not zero.";
pub const METRICS_PARTIAL: &str =
    "PARTIAL DATA: CloudWatch returned only part of these series (StatusCode PartialData)";
pub const METRICS_FORBIDDEN_HINT: &str =
    "CloudWatch refused cross-region data; query the metric's own region.";
pub const METRICS_HINT: &str =
    "[ ] range  Esc back  Tab/1-8 tabs  ↑↓ scroll  r refresh  ? help  q quit";
pub const P99_UNSUPPORTED: &str = "not supported by this endpoint";
pub const ACCOUNT_HINT: &str = "Esc back  $ budgets  c hunt again  r refresh  ? help  q quit";
pub const BUDGETS_TITLE: &str = " Budgets and Lambda spend ";
pub const NO_BUDGETS: &str = "The account has no AWS Budgets budget.";
pub const NO_DAILY_BUDGET: &str = "No budget has a daily period (checklist rule COST-004).";
pub const SPEND_TITLE: &str = " Lambda spend per day, last 14 days (Cost Explorer) ";
pub const NO_SPEND: &str = "Cost Explorer returned no days for AWS Lambda.";
pub const HUNT_TITLE: &str = " Concurrency hunt ";
pub const HUNT_LOADING: &str = "Searching for the concurrency peak…";
pub const COST_DATA_OFFLINE: &str =
    "Not in this snapshot: budgets and Cost Explorer are read only while the cockpit runs live.";
pub const HUNT_OFFLINE: &str = "The hunt reads CloudWatch live; it is not part of a snapshot.";
pub const HUNT_NO_PEAK: &str = "No ConcurrentExecutions data points in the lookback: the account ran no functions, or the metric is missing.";
pub const COST_FORMULA: &str =
    "cost/day = GB-s/day × price per GB-s + requests/day ÷ 1,000,000 × price per million requests";
pub const COST_NO_USAGE: &str = "No estimate: Invocations or Duration has no data points in the window. No data is not zero cost.";

/// Returns the reason a piece of data is missing, for views that show it
/// in place of the data.
pub fn missing_reason(error: Option<&crate::aws::AwsError>) -> String {
    match error {
        None => "not collected yet".to_string(),
        Some(error) => error.to_string(),
    }
}

/// Text of the Deploy tab and of the unfinished-rollout prompt.
pub mod deploy {
    pub const NO_WRITER: &str =
        "writes are disabled: this cockpit has no AWS clients to write with";
    pub const OFFLINE: &str =
        "offline snapshot: writes are disabled; open the live cockpit to shift traffic";
    pub const MULTI_REGION: &str = "writes are disabled: the cockpit reads several regions; restart it with a single --region to shift traffic";
    pub const READ_ONLY: &str = "read-only mode: anshin rejects every alias write (set by --read-only, \
         or by `read_only` or `read_only_profiles` in the [rollout] config table)";
    pub const FORM_INCOMPLETE: &str =
        "choose an alias and a target version first (the function has none loaded yet)";
    pub const PREPARING: &str = "running pre-flight and reading the alias…";
    pub const NOT_CONFIRMED: &str = "not confirmed; nothing was written";
    pub const BLOCKED: &str = "pre-flight stopped this shift; nothing can be sent";
    pub const STARTED: &str = "rollout started";
    pub const NOTHING_TO_ABORT: &str = "no running rollout of this function to abort";
    pub const ABORT_REASON: &str = "aborted from the Deploy tab";
    pub const ABORT_SENT: &str = "abort sent: the rollout rolls back to the stable version";
    pub const ABORT_CANCELLED: &str = "abort cancelled; the rollout continues";
    pub const PROMPT_ROLLBACK_REASON: &str = "rolled back from the unfinished-rollout prompt";
    pub const RESUMING: &str = "resuming the rollout";
    pub const ROLLING_BACK: &str = "rolling back to the stable version";

    pub const TITLE_ROUTING: &str = "Alias routing";
    pub const TITLE_FORM: &str = "Shift";
    pub const TITLE_PREVIEW: &str = "Preview: the first UpdateAlias";
    pub const TITLE_PROGRESS: &str = "Rollout";
    pub const NO_ALIASES: &str = "no aliases: create an alias to shift traffic with weights";
    pub const ALIASES_NOT_READ: &str = "aliases not read yet";
    pub const NO_VERSIONS: &str = "no published version loaded";
    pub const FORM_HINT: &str = "↑↓ field  ←→ change  Enter pre-flight and preview";
    pub const PREVIEW_HINT: &str = "y send it  Esc cancel";
    pub const PREVIEW_BLOCKED_HINT: &str = "Esc back to the form";
    pub const ABORT_HINT: &str = "a abort (rolls back)";
    pub const NO_VERDICT_YET: &str = "no guard verdict yet: the first window is not final";
    pub const CODEDEPLOY_NOT_READ: &str = "CodeDeploy not read yet";
    pub const CODEDEPLOY_OFFLINE: &str = "not read from an offline snapshot";

    pub const PROMPT_TITLE: &str = " Unfinished rollout ";
    pub const PROMPT_HINT: &str = "r resume  b roll back  l leave as is";
    pub const PROMPT_CONFIRM_HINT: &str = "y confirm  Esc choose again";

    pub fn already_running(function: &str, alias: &str) -> String {
        format!("a rollout of {function}:{alias} is running; abort it or wait for its end")
    }

    pub fn name_mismatch(function: &str) -> String {
        format!("the typed name does not match; type {function} exactly, or Esc to cancel")
    }

    pub fn preflight_failed(error: &str) -> String {
        format!("pre-flight failed, nothing was written: {error}")
    }

    pub fn left_as_is(function: &str, alias: &str) -> String {
        format!(
            "left {function}:{alias} as is; its state file stays, and `anshin shift {function} \
             --alias {alias} --resume` continues it"
        )
    }

    pub fn production_prompt(function: &str) -> String {
        format!("{function} is tagged env=prod: type the function name, then Enter: ")
    }

    pub fn abort_question(function: &str, alias: &str, stable: &str) -> String {
        format!(
            "Abort the rollout of {function}:{alias}? All traffic goes back to version {stable} \
             with a conditional UpdateAlias.  y abort  Esc continue the rollout"
        )
    }
}

pub const WIZARD_TITLE: &str = "Guided rollback";
pub const WIZARD_NO_FUNCTION: &str = "select a function first: the rollback acts on its alias";
pub const WIZARD_NO_ALIAS: &str = "the function has no alias to roll back";
pub const WIZARD_NO_VERSION_DATA: &str = "(no per-version data)";
pub const WIZARD_NO_ALARMS: &str = "  none in ALARM";
pub const WIZARD_NO_SUGGESTION: &str = "  none: neither an unfinished rollout, the audit log nor the \
     routing names an earlier stable version; choose one with ← →";
pub const WIZARD_NO_VERSIONS: &str = "  no other published version loaded";
pub const WIZARD_CANNOT_SEND: &str = "cannot send";
pub const WIZARD_PREFLIGHT_BLOCKS: &str = "the pre-flight finding above stops this rollback";
pub const WIZARD_ALIAS_CHANGED: &str =
    "the alias changed since the last poll; the wizard shows it as read just now";

/// Notice of the wizard when the fresh GetAlias failed. The preview then
/// rests on the poll's copy, and the conditional write still guards it.
pub fn wizard_alias_unread(error: &str) -> String {
    format!("the alias could not be read again ({error}); it is shown as last polled")
}
pub const WIZARD_WRITES_DISABLED: &str = "writes disabled";
pub const WIZARD_OFFLINE: &str = "offline snapshot: the cockpit has no AWS connection; run \
     `anshin rollback FUNCTION --alias ALIAS` against the account";
pub const WIZARD_READ_ONLY: &str = "read-only mode (--read-only or `read_only` in the [rollout] \
     config table): the executor rejects every alias write";
pub const WIZARD_CONFIRM_KEY: &str = "  Press y to send this UpdateAlias, Esc to cancel.";
pub const WIZARD_WAITING: &str = "  waiting for the result…";
pub const WIZARD_HINT_EVIDENCE: &str = "Enter next  ← → alias  Esc cancel";
pub const WIZARD_HINT_TARGET: &str = "Enter preview  ← → version  Backspace back  Esc cancel";
pub const WIZARD_HINT_PREVIEW: &str = "Enter confirm  Backspace back  Esc cancel";
pub const WIZARD_HINT_PREVIEW_BLOCKED: &str = "Backspace back  Esc cancel";
pub const WIZARD_HINT_CONFIRM: &str = "y send  Backspace back  Esc cancel";
pub const WIZARD_HINT_TYPED: &str = "type the function name, Enter send  Esc cancel";
pub const WIZARD_HINT_SENT: &str = "Esc close (the footer keeps the verification)";

// The Traces, Logs and Findings tabs of the function screen.

pub const DRILL_OFFLINE: &str =
    "Not part of a snapshot: traces and logs are read only in a live session.";
pub const TRACES_LOADING: &str = "Loading X-Ray traces…";
pub const LOGS_LOADING: &str = "Loading log events…";
pub const TRACES_HINT: &str = "↑↓ select a trace, Enter shows its waterfall";
pub const WATERFALL_HINT: &str = "Esc back to the list, ↑↓ scroll";
pub const TRACE_GONE: &str = "This trace is no longer in the window. Esc goes back to the list.";
pub const IDS_FROM_LOG: &str =
    "Trace ids from the log's REPORT lines: this endpoint cannot list traces by function.";
pub const NO_ERROR_LINES: &str = "No error line of this invocation in the log window.";
pub const NO_PROBLEMS: &str = "No errors or timeouts in the window.";
pub const NO_REPORTS: &str = "No REPORT lines in the window: no invocation finished.";
pub const NO_EMF: &str = "No embedded-metric-format documents in the window.";
pub const FINDINGS_NOT_COLLECTED: &str =
    "Inspector findings are not collected yet: they are read with the checklist data.";
pub const NO_FINDINGS: &str = "No Inspector findings for this function.";

pub fn inspector_not_scanning(region: &str) -> String {
    format!(
        "Amazon Inspector does not scan Lambda functions in {region}, so no finding here does \
         not mean no vulnerability. Enable Lambda standard scanning in Inspector."
    )
}

pub fn inspector_coverage_unknown(reason: &str) -> String {
    format!("Whether Amazon Inspector scans this region is unknown: {reason}")
}

pub fn traces_window(minutes: i64, age: &str, shown: usize, found: usize) -> String {
    format!(
        "X-Ray traces of the last {minutes} min, read {age} ago: {shown} shown of {found} found"
    )
}

pub fn no_traces(function: &str, minutes: i64) -> String {
    format!("No traces of {function} in the last {minutes} minutes.")
}

pub fn tracing_off(mode: &str) -> String {
    format!(
        "Active tracing is off (mode {mode}), so Lambda records a trace only when the caller sent a sampled one."
    )
}

pub fn xray_unsupported(error: &str) -> String {
    format!("X-Ray is not supported by this endpoint: {error}")
}

pub fn traces_failed(error: &str) -> String {
    format!("Could not read traces: {error}. Press r to retry.")
}

pub fn logs_failed(error: &str) -> String {
    format!("Could not read the log: {error}. Press r to retry.")
}

pub fn log_group_missing(group: &str) -> String {
    format!(
        "Log group {group} does not exist: the function has not logged yet, or it logs to another group."
    )
}

pub fn logs_window(group: &str, minutes: i64, age: &str, events: usize) -> String {
    format!("{group}, last {minutes} min, read {age} ago: {events} matching events")
}

pub fn logs_truncated(pages: usize) -> String {
    format!("Only the first {pages} pages were read; older events of the window are missing.")
}

pub fn findings_failed(error: &str) -> String {
    format!("Could not read Inspector findings: {error}")
}

pub fn inspector_unsupported(error: &str) -> String {
    format!("Amazon Inspector is not supported by this endpoint or region: {error}")
}
