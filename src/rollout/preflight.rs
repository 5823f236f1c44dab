//! Pre-flight checks before a traffic shift, over values already read. Each
//! check yields findings; the strongest level decides whether the shift may
//! start, must wait, needs the operator, or is rejected.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::weights::{AliasRouting, is_published_version};
use crate::model::{Alias, Function, Version};

/// Effect of a finding on the shift, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Shown with the preview; does not stop the shift.
    Warn,
    /// Data is missing or unclear; the operator must confirm.
    Ask,
    /// A temporary condition; check again later.
    Wait,
    /// The shift must not start.
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    FunctionState,
    LastUpdateStatus,
    TargetVersion,
    AliasRouting,
    AliasDrift,
    ExecutionRole,
    DeadLetterQueue,
    CodeDeploy,
    ProvisionedConcurrency,
    AppSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub check: Check,
    pub level: Level,
    pub message: String,
}

impl Finding {
    fn new(check: Check, level: Level, message: impl Into<String>) -> Self {
        Finding {
            check,
            level,
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The overall result: the strongest level among the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The shift may start; warnings, if any, go with the preview.
    Ready {
        warnings: Vec<Finding>,
    },
    Ask {
        findings: Vec<Finding>,
    },
    Wait {
        findings: Vec<Finding>,
    },
    Reject {
        findings: Vec<Finding>,
    },
}

/// Reduces findings to an outcome. Each non-ready outcome lists only the
/// findings of its own level, the ones the operator must act on first.
pub fn outcome(findings: &[Finding]) -> Outcome {
    let strongest = findings.iter().map(|finding| finding.level).max();
    let at = |level: Level| -> Vec<Finding> {
        findings
            .iter()
            .filter(|finding| finding.level == level)
            .cloned()
            .collect()
    };
    match strongest {
        None | Some(Level::Warn) => Outcome::Ready {
            warnings: at(Level::Warn),
        },
        Some(Level::Ask) => Outcome::Ask {
            findings: at(Level::Ask),
        },
        Some(Level::Wait) => Outcome::Wait {
            findings: at(Level::Wait),
        },
        Some(Level::Reject) => Outcome::Reject {
            findings: at(Level::Reject),
        },
    }
}

/// `State` and `LastUpdateStatus` of the function, as GetFunction returns
/// them. Empty strings count as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionStatus {
    pub state: Option<String>,
    pub last_update_status: Option<String>,
    pub last_update_status_reason: Option<String>,
    pub last_update_status_reason_code: Option<String>,
}

impl FunctionStatus {
    /// Copies the status fields of a listed function. The model has no
    /// reason fields, so those stay empty.
    pub fn from_function(function: &Function) -> Self {
        FunctionStatus {
            state: function.state.clone(),
            last_update_status: function.last_update_status.clone(),
            last_update_status_reason: None,
            last_update_status_reason_code: None,
        }
    }

    fn reason_suffix(&self) -> String {
        let code = non_empty(&self.last_update_status_reason_code);
        let reason = non_empty(&self.last_update_status_reason);
        match (code, reason) {
            (Some(code), Some(reason)) => format!(" ({code}: {reason})"),
            (Some(text), None) | (None, Some(text)) => format!(" ({text})"),
            (None, None) => String::new(),
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Checks that the function can take an alias update now. `State == Active`
/// alone is not enough: a function can be Active while an update is still
/// in progress, and Lambda then rejects further changes with
/// `ResourceConflictException`.
pub fn check_function_status(status: &FunctionStatus) -> Vec<Finding> {
    let mut findings = Vec::new();
    let suffix = status.reason_suffix();

    match non_empty(&status.state) {
        Some("Active") => {}
        Some("Pending") | None => findings.push(Finding::new(
            Check::FunctionState,
            Level::Wait,
            format!(
                "function state is {}; wait until it is Active",
                non_empty(&status.state).unwrap_or("not reported yet")
            ),
        )),
        Some("Failed") => findings.push(Finding::new(
            Check::FunctionState,
            Level::Reject,
            format!("function state is Failed{suffix}; fix the function before shifting traffic"),
        )),
        Some("Inactive") => findings.push(Finding::new(
            Check::FunctionState,
            Level::Reject,
            "function state is Inactive; invoke it once to make it Active, then check again",
        )),
        Some(other) => findings.push(Finding::new(
            Check::FunctionState,
            Level::Ask,
            format!("function state {other:?} is unknown to anshin; confirm it can take traffic"),
        )),
    }

    match non_empty(&status.last_update_status) {
        Some("Successful") => {}
        Some("InProgress") => findings.push(Finding::new(
            Check::LastUpdateStatus,
            Level::Wait,
            format!(
                "function is updating (LastUpdateStatus InProgress{suffix}); the shift waits \
                 until the update is Successful"
            ),
        )),
        Some("Failed") => findings.push(Finding::new(
            Check::LastUpdateStatus,
            Level::Reject,
            format!(
                "the last update of the function failed{suffix}; fix and redeploy it before \
                 shifting traffic"
            ),
        )),
        None => findings.push(Finding::new(
            Check::LastUpdateStatus,
            Level::Wait,
            "LastUpdateStatus is not reported yet; wait until it is Successful",
        )),
        Some(other) => findings.push(Finding::new(
            Check::LastUpdateStatus,
            Level::Ask,
            format!(
                "LastUpdateStatus {other:?} is unknown to anshin; confirm the function is settled"
            ),
        )),
    }
    findings
}

/// Whether a CodeDeploy deployment owns the alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentCheck {
    /// `true` when an active deployment targets the alias.
    Known(bool),
    /// The check could not run, such as for lack of
    /// `codedeploy:ListDeployments` permission.
    Unknown(String),
}

/// Provisioned concurrency around the shift, where it was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedConcurrency {
    /// Requested provisioned concurrency on the alias itself.
    pub on_alias: Option<u32>,
    pub on_stable_version: Option<u32>,
    pub on_new_version: Option<u32>,
    /// Status of the new version's configuration: `IN_PROGRESS`, `READY`
    /// or `FAILED`.
    pub new_version_status: Option<String>,
}

/// Everything the pre-flight checks read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreflightInput {
    pub function: FunctionStatus,
    /// The alias as GetAlias returned it just now.
    pub alias: Alias,
    /// The alias's `FunctionVersion` when the plan or preview was built, if
    /// that was earlier than the read above.
    pub planned_stable_version: Option<String>,
    pub stable: Version,
    pub target: Version,
    pub codedeploy: DeploymentCheck,
    pub provisioned_concurrency: Option<ProvisionedConcurrency>,
}

/// Runs every check.
pub fn run(input: &PreflightInput) -> Vec<Finding> {
    let mut findings = check_function_status(&input.function);
    findings.extend(check_target(input));
    findings.extend(check_same_configuration(&input.stable, &input.target));
    findings.extend(check_codedeploy(&input.codedeploy));
    if let Some(concurrency) = &input.provisioned_concurrency {
        findings.extend(check_provisioned_concurrency(concurrency, input));
    }
    findings
}

fn check_target(input: &PreflightInput) -> Vec<Finding> {
    let mut findings = Vec::new();
    let live = &input.alias.function_version;
    let target = &input.target.version;

    if !is_published_version(target) {
        findings.push(Finding::new(
            Check::TargetVersion,
            Level::Reject,
            format!(
                "target {target:?} is not a published version; publish a version and shift to \
                 its number (weighted aliases cannot use $LATEST)"
            ),
        ));
    }
    if target == live {
        findings.push(Finding::new(
            Check::TargetVersion,
            Level::Reject,
            format!(
                "nothing to shift: alias {} already points to version {live}",
                input.alias.name
            ),
        ));
    }
    if &input.stable.version != live {
        findings.push(Finding::new(
            Check::AliasDrift,
            Level::Reject,
            format!(
                "stable version {} was read, but alias {} points to version {live}; read the \
                 alias's version again",
                input.stable.version, input.alias.name
            ),
        ));
    }
    if let Some(planned) = &input.planned_stable_version
        && planned != live
    {
        findings.push(Finding::new(
            Check::AliasDrift,
            Level::Reject,
            format!(
                "alias {} moved from version {planned} to {live} since the plan was made; \
                 rebuild the plan from the alias's current state",
                input.alias.name
            ),
        ));
    }

    match AliasRouting::from_alias(&input.alias) {
        Ok(routing) if routing.additional.is_some() => findings.push(Finding::new(
            Check::AliasRouting,
            Level::Reject,
            format!(
                "alias {} already splits traffic ({routing}); finish or roll back that shift first",
                input.alias.name
            ),
        )),
        Ok(_) => {}
        Err(error) => findings.push(Finding::new(
            Check::AliasRouting,
            Level::Reject,
            format!(
                "alias {} has routing anshin cannot apply: {error}",
                input.alias.name
            ),
        )),
    }
    findings
}

/// Lambda routes one alias to two versions only when both use the same
/// execution role and the same dead-letter queue (or none).
pub fn check_same_configuration(stable: &Version, target: &Version) -> Vec<Finding> {
    let mut findings = Vec::new();
    match (&stable.role, &target.role) {
        (Some(stable_role), Some(target_role)) if stable_role != target_role => {
            findings.push(Finding::new(
                Check::ExecutionRole,
                Level::Reject,
                format!(
                    "versions {} and {} use different execution roles ({stable_role} and \
                     {target_role}); a weighted alias needs the same role on both",
                    stable.version, target.version
                ),
            ));
        }
        (Some(_), Some(_)) => {}
        _ => findings.push(Finding::new(
            Check::ExecutionRole,
            Level::Ask,
            format!(
                "the execution role of version {} or {} was not read; confirm both use the \
                 same role",
                stable.version, target.version
            ),
        )),
    }
    if stable.dead_letter_target != target.dead_letter_target {
        findings.push(Finding::new(
            Check::DeadLetterQueue,
            Level::Reject,
            format!(
                "versions {} and {} have different dead-letter queues ({} and {}); a weighted \
                 alias needs the same one, or none, on both",
                stable.version,
                target.version,
                stable.dead_letter_target.as_deref().unwrap_or("none"),
                target.dead_letter_target.as_deref().unwrap_or("none"),
            ),
        ));
    }
    findings
}

/// Two controllers moving one alias would fight over it and trip each
/// other's RevisionId checks.
pub fn check_codedeploy(check: &DeploymentCheck) -> Vec<Finding> {
    match check {
        DeploymentCheck::Known(false) => Vec::new(),
        DeploymentCheck::Known(true) => vec![Finding::new(
            Check::CodeDeploy,
            Level::Reject,
            "a CodeDeploy deployment owns this alias; let it finish or stop it in CodeDeploy \
             before shifting with anshin",
        )],
        DeploymentCheck::Unknown(reason) => vec![Finding::new(
            Check::CodeDeploy,
            Level::Ask,
            format!(
                "could not check for an active CodeDeploy deployment ({reason}); confirm that \
                 none owns this alias"
            ),
        )],
    }
}

fn check_provisioned_concurrency(
    concurrency: &ProvisionedConcurrency,
    input: &PreflightInput,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let new = &input.target.version;
    match concurrency.new_version_status.as_deref() {
        Some("IN_PROGRESS") => findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Wait,
            format!("provisioned concurrency of version {new} is still being allocated; wait until it is READY"),
        )),
        Some("FAILED") => findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Warn,
            format!(
                "provisioned concurrency of version {new} failed to allocate; its share of \
                 traffic runs on on-demand instances with cold starts"
            ),
        )),
        _ => {}
    }

    let stable_count = concurrency.on_stable_version.unwrap_or(0);
    let new_count = concurrency.on_new_version.unwrap_or(0);
    if stable_count > 0 && new_count < stable_count {
        findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Warn,
            format!(
                "version {} has {stable_count} provisioned concurrency and version {new} has \
                 {new_count}; configure the same on version {new} first, or expect cold starts \
                 and lower capacity as traffic moves",
                input.stable.version
            ),
        ));
    }
    if let Some(on_alias) = concurrency.on_alias.filter(|count| *count > 0) {
        // NOTE: how Lambda allocates an alias's provisioned concurrency
        // between the two versions of a weighted alias is not modelled here,
        // so this stays a warning for the operator to confirm.
        findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Warn,
            format!(
                "alias {} has {on_alias} provisioned concurrency; check its status after each \
                 weight change, because latency on the new version depends on it",
                input.alias.name
            ),
        ));
    }
    findings
}

/// The Lambda part of a CodeDeploy AppSpec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSpecTarget {
    pub alias: String,
    pub current_version: String,
    pub target_version: String,
}

/// Checks an AppSpec against the alias as GetAlias returned it. CodeDeploy
/// rejects both failures below with a generic "AppSpec ... missing or has an
/// invalid configuration" message, so anshin names the cause before
/// submitting.
pub fn check_appspec(appspec: &AppSpecTarget, live: &Alias) -> Vec<Finding> {
    let mut findings = Vec::new();
    if appspec.target_version == appspec.current_version {
        findings.push(Finding::new(
            Check::AppSpec,
            Level::Reject,
            format!(
                "nothing to shift: the AppSpec's TargetVersion and CurrentVersion are both {}",
                appspec.current_version
            ),
        ));
    }
    if appspec.current_version != live.function_version {
        findings.push(Finding::new(
            Check::AppSpec,
            Level::Reject,
            format!(
                "the AppSpec's CurrentVersion is {} but alias {} points to version {}; rebuild \
                 the AppSpec from the alias's current state",
                appspec.current_version, live.name, live.function_version
            ),
        ));
    }
    if appspec.alias != live.name {
        findings.push(Finding::new(
            Check::AppSpec,
            Level::Reject,
            format!(
                "the AppSpec names alias {} but the alias read is {}; read the alias the AppSpec names",
                appspec.alias, live.name
            ),
        ));
    }
    findings
}

/// Error code CodeDeploy appends when the alias's version differs from the
/// AppSpec's CurrentVersion.
const INVALID_LAMBDA_CONFIGURATION: &str = "INVALID_LAMBDA_CONFIGURATION";

/// Explains a failed CodeDeploy Lambda deployment by re-running the AppSpec
/// checks against the live alias. Returns the specific causes, or `None`
/// when the message is not an AppSpec failure or no cause was found.
pub fn explain_appspec_failure(
    message: &str,
    appspec: &AppSpecTarget,
    live: &Alias,
) -> Option<Vec<Finding>> {
    let about_appspec =
        message.contains(INVALID_LAMBDA_CONFIGURATION) || message.contains("AppSpec");
    if !about_appspec {
        return None;
    }
    let findings = check_appspec(appspec, live);
    (!findings.is_empty()).then_some(findings)
}
