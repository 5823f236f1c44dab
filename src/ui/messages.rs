//! The UI's fixed text in one place, so wording stays consistent and a
//! translation has one file to cover.

pub const APP_NAME: &str = "anshin";
pub const REFRESH_REQUESTED: &str = "refresh requested";
pub const REFRESH_PENDING: &str = "refresh already requested; wait a few seconds";
pub const OFFLINE_REFRESH: &str = "offline snapshot: refresh is disabled";
pub const OFFLINE_BADGE: &str = "OFFLINE snapshot, read-only";
pub const NOT_AWS_BADGE: &str = "not AWS";
pub const HELP_TITLE: &str = " Keys ";
pub const FILTER_PROMPT: &str = "filter: ";
pub const FILTER_HINT: &str = "  (Enter keeps, Esc clears; text or tag:key=value)";
pub const FOOTER_HINT: &str = "? help  / filter  s sort  Enter open  f failures  r refresh  q quit";
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
