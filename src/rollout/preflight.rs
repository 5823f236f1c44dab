//! Pre-flight checks before a traffic shift, over values already read. Each
//! check yields findings; the strongest level decides whether the shift may
//! start, must wait, needs the operator, or is rejected.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::weights::{AliasRouting, is_published_version};
use crate::aws::{ActiveDeployment, AwsError};
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
    RecentRemoval,
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
    /// The active deployments whose AppSpec names the alias, each described
    /// as "id (status, application / group)".
    Owned(Vec<String>),
    /// The check could not run, such as for lack of
    /// `codedeploy:ListDeployments` permission, or an active deployment's
    /// AppSpec could not be read.
    Unknown(String),
}

/// Decides whether a CodeDeploy deployment owns `function:alias`, from the
/// result of listing the active Lambda deployments.
pub fn codedeploy_check(
    function: &str,
    alias: &str,
    deployments: Result<Vec<ActiveDeployment>, AwsError>,
) -> DeploymentCheck {
    let deployments = match deployments {
        Ok(deployments) => deployments,
        Err(error) => return DeploymentCheck::Unknown(error.to_string()),
    };
    let owners: Vec<String> = deployments
        .iter()
        .filter(|deployment| {
            deployment
                .target
                .as_ref()
                .is_some_and(|target| target.function_name() == function && target.alias == alias)
        })
        .map(ActiveDeployment::describe)
        .collect();
    if !owners.is_empty() {
        return DeploymentCheck::Owned(owners);
    }
    let unreadable: Vec<String> = deployments
        .iter()
        .filter(|deployment| deployment.target.is_none())
        .map(|deployment| {
            let place = deployment
                .revision_type
                .as_deref()
                .map_or_else(String::new, |kind| format!(" in {kind}"));
            format!("{} keeps its AppSpec{place}", deployment.describe())
        })
        .collect();
    if unreadable.is_empty() {
        DeploymentCheck::Known(false)
    } else {
        DeploymentCheck::Unknown(format!(
            "active Lambda deployment {}, so anshin cannot tell which alias it shifts",
            unreadable.join("; ")
        ))
    }
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
        DeploymentCheck::Owned(deployments) => {
            // Each description starts with the deployment id.
            let first_id = deployments
                .first()
                .and_then(|description| description.split(' ').next())
                .unwrap_or("ID");
            vec![Finding::new(
                Check::CodeDeploy,
                Level::Reject,
                format!(
                    "CodeDeploy deployment {} owns this alias; let it finish, or stop it with \
                     `aws deploy stop-deployment --deployment-id {first_id} \
                     --auto-rollback-enabled` before changing the alias with anshin",
                    deployments.join(", ")
                ),
            )]
        }
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
    let stable = &input.stable.version;
    match concurrency.new_version_status.as_deref() {
        Some("IN_PROGRESS") => findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Wait,
            format!(
                "provisioned concurrency of version {new} is still being allocated; wait until \
                 it is READY"
            ),
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
                "version {stable} has {stable_count} provisioned concurrency and version {new} \
                 has {new_count}: traffic moved to {new} runs on up to {} fewer warm instances \
                 and starts cold beyond {new_count}; configure {stable_count} on version {new} \
                 first. After the shift the {stable_count} on version {stable} keep billing \
                 although the alias no longer routes to it; delete that configuration then",
                stable_count - new_count
            ),
        ));
    } else if stable_count > 0 {
        findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Warn,
            format!(
                "after the shift the {stable_count} provisioned concurrency on version {stable} \
                 keep billing although the alias no longer routes to it; delete that \
                 configuration once the shift has completed"
            ),
        ));
    }
    if let Some(on_alias) = concurrency.on_alias.filter(|count| *count > 0) {
        findings.push(alias_split_finding(
            &input.alias.name,
            on_alias,
            stable,
            new,
            0.1,
        ));
    }
    findings
}

/// Explains how a shift moves an alias's provisioned concurrency: Lambda
/// splits it between the two versions of a weighted alias by their weights,
/// so each weight change re-allocates warm instances. `example_weight` is
/// the share of `to` used for the worked example, such as a 10 % canary.
fn alias_split_finding(
    alias: &str,
    on_alias: u32,
    from: &str,
    to: &str,
    example_weight: f64,
) -> Finding {
    let on_to = (f64::from(on_alias) * example_weight).round() as u32;
    Finding::new(
        Check::ProvisionedConcurrency,
        Level::Warn,
        format!(
            "alias {alias} has {on_alias} provisioned concurrency, split between its versions \
             by weight: at {:.0}% on version {to} about {on_to} of them serve {to} and {} serve \
             {from}; at 100% all {on_alias} move to {to}. Each move re-allocates warm \
             instances, and invocations above the allocated ones start cold meanwhile",
            example_weight * 100.0,
            on_alias - on_to
        ),
    )
}

/// Reports that provisioned concurrency could not be read, so the preview
/// names the failed call instead of showing no effect.
/// Warns that the shift brings back a version that a write took off the
/// alias recently, as a default target is the newest version and that is
/// often the one just rolled back.
pub fn recently_removed(version: &str, record: &crate::rollout::executor::AuditRecord) -> Finding {
    Finding::new(
        Check::RecentRemoval,
        Level::Warn,
        format!(
            "version {version} was taken off this alias at {} ({}); make sure its fault is \
             fixed before shifting traffic to it again",
            record.time.format("%Y-%m-%d %H:%M UTC"),
            record.reason
        ),
    )
}

pub fn provisioned_concurrency_unread(error: &AwsError) -> Finding {
    Finding::new(
        Check::ProvisionedConcurrency,
        Level::Warn,
        format!(
            "provisioned concurrency was not checked ({error}); if the function uses it, check \
             that the target version has its own before moving traffic"
        ),
    )
}

/// Everything the pre-flight of a rollback reads: one UpdateAlias that sends
/// all traffic to `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollbackInput {
    pub function: FunctionStatus,
    /// The alias as GetAlias returned it just now.
    pub alias: Alias,
    pub target: String,
    pub codedeploy: DeploymentCheck,
    /// Provisioned concurrency by qualifier (version number or alias name);
    /// `None` when it was not read.
    pub provisioned: Option<Vec<(String, u32)>>,
}

/// Runs the checks that apply to a rollback. Unlike a shift, a rollback
/// starts from a weighted alias and needs no matching role or dead-letter
/// queue, because the alias ends on one version.
pub fn run_rollback(input: &RollbackInput) -> Vec<Finding> {
    let mut findings = check_function_status(&input.function);
    if !is_published_version(&input.target) {
        findings.push(Finding::new(
            Check::TargetVersion,
            Level::Reject,
            format!(
                "rollback target {:?} is not a published version; name a version number",
                input.target
            ),
        ));
    }
    findings.extend(check_codedeploy(&input.codedeploy));
    if let Some(provisioned) = &input.provisioned {
        findings.extend(check_rollback_provisioned(input, provisioned));
    }
    findings
}

fn check_rollback_provisioned(
    input: &RollbackInput,
    provisioned: &[(String, u32)],
) -> Vec<Finding> {
    let count = |qualifier: &str| -> u32 {
        provisioned
            .iter()
            .find(|(name, _)| name == qualifier)
            .map_or(0, |(_, count)| *count)
    };
    let target = &input.target;
    let mut findings = Vec::new();
    let leaving: Vec<(String, f64)> = input
        .alias
        .traffic_split()
        .into_iter()
        .filter(|(version, _)| version != target)
        .collect();
    for (version, weight) in &leaving {
        let on_version = count(version);
        if on_version > 0 {
            findings.push(Finding::new(
                Check::ProvisionedConcurrency,
                Level::Warn,
                format!(
                    "version {version} keeps its {on_version} provisioned concurrency after the \
                     rollback and keeps billing for it although the alias no longer routes to \
                     it; delete that configuration once the rollback holds"
                ),
            ));
        }
        let on_target = count(target);
        if on_version > on_target {
            findings.push(Finding::new(
                Check::ProvisionedConcurrency,
                Level::Warn,
                format!(
                    "version {target} has {on_target} provisioned concurrency against {on_version} \
                     on version {version}: the {:.0}% of traffic moving back runs on on-demand \
                     instances beyond {on_target} and starts cold",
                    weight * 100.0
                ),
            ));
        }
    }
    let on_alias = count(&input.alias.name);
    if on_alias > 0 && !leaving.is_empty() {
        let moving: f64 = leaving.iter().map(|(_, weight)| weight).sum();
        let moved = (f64::from(on_alias) * moving).round() as u32;
        findings.push(Finding::new(
            Check::ProvisionedConcurrency,
            Level::Warn,
            format!(
                "alias {} has {on_alias} provisioned concurrency, split by weight: about {moved} \
                 of them move to version {target}, and invocations above the allocated ones \
                 start cold until Lambda has re-allocated them",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{AppSpecLambda, ErrorKind};
    use crate::model::RoutingWeight;

    fn version(number: &str) -> Version {
        Version {
            version: number.to_string(),
            description: None,
            runtime: None,
            memory_mb: None,
            code_sha256: None,
            last_modified: None,
            revision_id: None,
            role: Some("arn:aws:iam::123456789012:role/app".to_string()),
            dead_letter_target: None,
        }
    }

    fn shift_input(concurrency: ProvisionedConcurrency) -> PreflightInput {
        PreflightInput {
            function: FunctionStatus {
                state: Some("Active".to_string()),
                last_update_status: Some("Successful".to_string()),
                ..FunctionStatus::default()
            },
            alias: Alias {
                name: "live".to_string(),
                function_version: "12".to_string(),
                routing: Vec::new(),
                revision_id: Some("rev".to_string()),
                description: None,
            },
            planned_stable_version: None,
            stable: version("12"),
            target: version("13"),
            codedeploy: DeploymentCheck::Known(false),
            provisioned_concurrency: Some(concurrency),
        }
    }

    fn deployment(function: &str, alias: &str) -> ActiveDeployment {
        ActiveDeployment {
            id: "d-123".to_string(),
            application: Some("orders".to_string()),
            group: Some("live".to_string()),
            status: "InProgress".to_string(),
            target: Some(AppSpecLambda {
                function: function.to_string(),
                alias: alias.to_string(),
                current_version: Some("12".to_string()),
                target_version: Some("13".to_string()),
            }),
            revision_type: Some("AppSpecContent".to_string()),
        }
    }

    #[test]
    fn target_without_provisioned_goes_cold() {
        let findings = run(&shift_input(ProvisionedConcurrency {
            on_stable_version: Some(20),
            on_new_version: Some(5),
            ..ProvisionedConcurrency::default()
        }));

        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].level, Level::Warn);
        assert!(
            findings[0]
                .message
                .contains("up to 15 fewer warm instances")
        );
        assert!(
            findings[0]
                .message
                .contains("the 20 on version 12 keep billing")
        );
    }

    #[test]
    fn stable_provisioned_keeps_billing() {
        let findings = run(&shift_input(ProvisionedConcurrency {
            on_stable_version: Some(20),
            on_new_version: Some(20),
            new_version_status: Some("READY".to_string()),
            ..ProvisionedConcurrency::default()
        }));

        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .message
                .contains("20 provisioned concurrency on version 12")
        );
        assert!(findings[0].message.contains("keep billing"));
    }

    #[test]
    fn alias_provisioned_moves_by_weight() {
        let findings = run(&shift_input(ProvisionedConcurrency {
            on_alias: Some(30),
            ..ProvisionedConcurrency::default()
        }));

        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .message
                .contains("at 10% on version 13 about 3 of them serve 13 and 27 serve 12"),
            "{}",
            findings[0].message
        );
        assert!(findings[0].message.contains("at 100% all 30 move to 13"));
    }

    #[test]
    fn unread_provisioned_names_the_error() {
        let error = AwsError {
            kind: ErrorKind::AccessDenied,
            action: "lambda:ListProvisionedConcurrencyConfigs".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        };

        let finding = provisioned_concurrency_unread(&error);

        assert_eq!(finding.level, Level::Warn);
        assert!(
            finding
                .message
                .contains("lambda:ListProvisionedConcurrencyConfigs")
        );
    }

    #[test]
    fn codedeploy_owning_deployment_is_found() {
        let check = codedeploy_check(
            "orders-api",
            "live",
            Ok(vec![
                deployment("cart-api", "live"),
                deployment(
                    "arn:aws:lambda:us-east-1:123456789012:function:orders-api",
                    "live",
                ),
            ]),
        );

        let DeploymentCheck::Owned(owners) = &check else {
            panic!("expected Owned, got {check:?}");
        };
        assert_eq!(owners.len(), 1);
        assert!(owners[0].contains("d-123 (InProgress, application orders / group live)"));
        assert_eq!(check_codedeploy(&check)[0].level, Level::Reject);
    }

    #[test]
    fn codedeploy_other_alias_is_free() {
        let check = codedeploy_check(
            "orders-api",
            "live",
            Ok(vec![deployment("orders-api", "beta")]),
        );

        assert_eq!(check, DeploymentCheck::Known(false));
        assert!(check_codedeploy(&check).is_empty());
    }

    #[test]
    fn codedeploy_s3_revision_asks() {
        let mut s3 = deployment("orders-api", "live");
        s3.target = None;
        s3.revision_type = Some("S3".to_string());

        let check = codedeploy_check("orders-api", "live", Ok(vec![s3]));

        let DeploymentCheck::Unknown(reason) = &check else {
            panic!("expected Unknown, got {check:?}");
        };
        assert!(reason.contains("keeps its AppSpec in S3"));
        assert_eq!(check_codedeploy(&check)[0].level, Level::Ask);
    }

    #[test]
    fn rollback_target_must_be_published() {
        let input = RollbackInput {
            function: FunctionStatus {
                state: Some("Active".to_string()),
                last_update_status: Some("Successful".to_string()),
                ..FunctionStatus::default()
            },
            alias: Alias {
                name: "live".to_string(),
                function_version: "12".to_string(),
                routing: vec![RoutingWeight {
                    version: "13".to_string(),
                    weight: 0.1,
                }],
                revision_id: Some("rev".to_string()),
                description: None,
            },
            target: "$LATEST".to_string(),
            codedeploy: DeploymentCheck::Known(false),
            provisioned: None,
        };

        let findings = run_rollback(&input);

        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].check, Check::TargetVersion);
        assert_eq!(findings[0].level, Level::Reject);
    }
}
