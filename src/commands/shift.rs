//! `anshin shift`: pre-flight, preview, confirmation, then the guarded
//! rollout through the executor.

use chrono::Utc;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, bail};
use serde_json::json;

use super::confirm::update_alias_preview;
use super::exit_status::{NEEDS_OPERATOR, NOT_STARTED, ROLLED_BACK, SUCCESS};
use super::{WriteContext, confirm_write, not_confirmed, print_result};
use crate::aws;
use crate::model::Alias;
use crate::rollout::executor::{Executor, RunEnd, StateStore};
use crate::rollout::preflight::{self, Level, PreflightInput};
use crate::rollout::runner;
use crate::rollout::{Event, Outcome, Phase, Rollout, Strategy};

/// The arguments of `anshin shift`.
#[derive(Debug, Clone)]
pub struct ShiftArgs {
    pub function: String,
    pub alias: String,
    /// Target version; `None` only with `resume`.
    pub to: Option<String>,
    pub strategy: Strategy,
    pub yes: bool,
    pub resume: bool,
}

/// Runs `anshin shift` and returns the exit status.
pub async fn shift(context: &WriteContext<'_>, args: &ShiftArgs) -> Result<u8> {
    let store = StateStore::new(&context.state_dir);
    let state_file = store.path(&args.function, &args.alias);
    let persisted = store
        .load(&args.function, &args.alias)
        .wrap_err("cannot read the persisted rollout")?
        .filter(|rollout| !rollout.phase.is_terminal());

    if let Some(rollout) = persisted {
        if args.resume {
            return resume(context, args, rollout).await;
        }
        eprintln!(
            "an unfinished rollout of {}:{} ({} → {}, {}) is {} in {}",
            args.function,
            args.alias,
            rollout.stable_version,
            rollout.new_version,
            rollout.strategy,
            rollout.phase.name(),
            state_file.display()
        );
        eprintln!(
            "no new rollout started. Resume it with `anshin shift {} --alias {} --resume`, or \
             send all traffic back to version {} with `anshin rollback {} --alias {}`",
            args.function, args.alias, rollout.stable_version, args.function, args.alias
        );
        print_result(&json!({
            "function": args.function,
            "alias": args.alias,
            "outcome": "unfinished_rollout_exists",
            "phase": rollout.phase,
            "state_file": state_file,
        }));
        return Ok(NEEDS_OPERATOR);
    }
    if args.resume {
        bail!(
            "no unfinished rollout of {}:{} to resume ({} has none)",
            args.function,
            args.alias,
            state_file.display()
        );
    }
    let Some(target) = &args.to else {
        bail!("missing --to VERSION: the version to shift traffic to");
    };
    start(context, args, target).await
}

async fn start(context: &WriteContext<'_>, args: &ShiftArgs, target: &str) -> Result<u8> {
    let clients = context.clients;
    let alias = aws::get_alias(clients, &args.function, &args.alias).await?;
    let function = aws::get_version_configuration(clients, &args.function, None).await?;
    let stable =
        aws::get_version_configuration(clients, &args.function, Some(&alias.function_version))
            .await?;
    let new = aws::get_version_configuration(clients, &args.function, Some(target))
        .await
        .wrap_err_with(|| format!("cannot read version {target} of {}", args.function))?;
    let production = is_production(context, &args.function, &function.function_arn).await;

    let codedeploy = aws::deployment_check(clients, &args.function, &args.alias).await;
    let provisioned = aws::list_provisioned_concurrency(clients, &args.function).await;
    let input = PreflightInput {
        function: function.status.clone(),
        alias: alias.clone(),
        planned_stable_version: None,
        stable: stable.version,
        target: new.version,
        codedeploy,
        provisioned_concurrency: provisioned.as_ref().ok().map(|configs| {
            aws::provisioned_for_shift(configs, &args.alias, &alias.function_version, target)
        }),
    };
    let mut findings = preflight::run(&input);
    if let Err(error) = &provisioned {
        findings.push(preflight::provisioned_concurrency_unread(error));
    }
    findings.extend(runner::recent_removal_finding(
        &context.state_dir,
        &args.function,
        &args.alias,
        target,
    ));
    for finding in &findings {
        eprintln!("pre-flight {:?}: {finding}", finding.level);
    }
    let strongest = findings.iter().map(|finding| finding.level).max();
    if matches!(strongest, Some(Level::Reject | Level::Wait)) {
        let outcome = if strongest == Some(Level::Reject) {
            "preflight_rejected"
        } else {
            "preflight_wait"
        };
        eprintln!("no traffic shifted: pre-flight found the problems above");
        print_result(&json!({
            "function": args.function,
            "alias": args.alias,
            "outcome": outcome,
            "findings": findings,
        }));
        return Ok(NOT_STARTED);
    }

    // The analysis window lags by the longest timeout of the two versions
    // and $LATEST, because an invocation's datapoint is final only once it
    // has ended.
    let timeout = [stable.timeout, new.timeout, function.timeout]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_default();
    let settings = context.settings.rollout_config(timeout);
    let mut rollout = Rollout::plan(
        &args.function,
        &alias,
        target,
        args.strategy,
        settings,
        Utc::now(),
    )?;
    print_plan(&rollout, &alias);
    if !confirm_write(context, &args.function, production, args.yes)? {
        return Ok(not_confirmed(&args.function, &args.alias));
    }

    let executor = context.executor().await;
    run(&executor, &mut rollout).await
}

/// Continues a persisted rollout. A rollout stopped on a conflict or during
/// a write resumes only after the operator has seen the alias as it is now.
async fn resume(context: &WriteContext<'_>, args: &ShiftArgs, mut rollout: Rollout) -> Result<u8> {
    let needs_operator = matches!(
        rollout.phase,
        Phase::Conflict { .. } | Phase::Shifting { .. } | Phase::RollingBack { .. }
    );
    eprintln!(
        "resuming the rollout of {}:{} ({} → {}), now {}",
        rollout.function_name,
        rollout.alias_name,
        rollout.stable_version,
        rollout.new_version,
        rollout.phase.name()
    );
    if needs_operator {
        let alias = aws::get_alias(context.clients, &args.function, &args.alias).await?;
        if let Phase::Conflict { conflict, .. } = &rollout.phase {
            eprintln!("stopped because {conflict}");
        }
        eprintln!(
            "the alias now routes {}; anshin last wrote or read {}",
            describe_alias(&alias),
            rollout.expected_routing
        );
        eprintln!(
            "continuing sends the interrupted write again, conditional on RevisionId {}",
            alias.revision_id.as_deref().unwrap_or("(none)")
        );
        if !confirm_write(context, &args.function, true, args.yes)? {
            return Ok(not_confirmed(&args.function, &args.alias));
        }
        rollout.apply(Utc::now(), Event::OperatorContinue { alias })?;
    }
    let executor = context.executor().await;
    run(&executor, &mut rollout).await
}

async fn run(executor: &Executor<'_>, rollout: &mut Rollout) -> Result<u8> {
    let mut progress = |line: String| eprintln!("{line}");
    let end = executor.run(rollout, &mut progress).await?;
    let state_file = executor
        .store
        .path(&rollout.function_name, &rollout.alias_name);
    let (outcome, reason, status) = match &end {
        RunEnd::Finished(Outcome::Completed) => ("completed", None, SUCCESS),
        RunEnd::Finished(Outcome::RolledBack { reason }) => {
            ("rolled_back", Some(reason.to_string()), ROLLED_BACK)
        }
        RunEnd::Finished(Outcome::Aborted { reason }) => {
            ("aborted", Some(reason.clone()), NEEDS_OPERATOR)
        }
        RunEnd::NeedsOperator { conflict, .. } => {
            ("needs_operator", Some(conflict.to_string()), NEEDS_OPERATOR)
        }
    };
    match &end {
        RunEnd::Finished(_) => eprintln!(
            "rollout {outcome}{}",
            reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ),
        RunEnd::NeedsOperator { alias, .. } => {
            eprintln!("rollout stopped: {}", reason.as_deref().unwrap_or_default());
            if let Some(alias) = alias {
                eprintln!("the alias now routes {}", describe_alias(alias));
            }
            eprintln!(
                "nothing more was written. Resume with `anshin shift {} --alias {} --resume`, or \
                 roll back with `anshin rollback {} --alias {}`",
                rollout.function_name,
                rollout.alias_name,
                rollout.function_name,
                rollout.alias_name
            );
        }
    }
    let alias_after = match &end {
        RunEnd::NeedsOperator { alias, .. } => alias.clone(),
        RunEnd::Finished(_) => None,
    };
    print_result(&json!({
        "function": rollout.function_name,
        "alias": rollout.alias_name,
        "stable_version": rollout.stable_version,
        "new_version": rollout.new_version,
        "strategy": rollout.strategy,
        "outcome": outcome,
        "reason": reason,
        "phase": rollout.phase,
        "expected_routing": rollout.expected_routing.to_string(),
        "alias_after": alias_after,
        "state_file": state_file,
    }));
    Ok(status)
}

fn print_plan(rollout: &Rollout, alias: &Alias) {
    eprintln!(
        "shift {}:{} from version {} to {} with {}:",
        rollout.function_name,
        rollout.alias_name,
        rollout.stable_version,
        rollout.new_version,
        rollout.strategy
    );
    for (index, step) in rollout.steps.iter().enumerate() {
        eprintln!(
            "  step {}: {} on version {}, then watch for {} s",
            index + 1,
            step.weight,
            rollout.new_version,
            step.bake.as_secs()
        );
    }
    let thresholds = &rollout.config.thresholds;
    eprintln!(
        "  guard: alarms on {} in ALARM, error rate above {:.2}% or above {}× the stable \
         version's; at least {} invocations per verdict",
        rollout.function_name,
        thresholds.max_error_rate * 100.0,
        thresholds.max_error_rate_ratio,
        thresholds.min_invocations
    );
    let first = rollout.routing_for_step(0);
    eprintln!("first write:");
    eprintln!(
        "{}",
        update_alias_preview(
            &rollout.function_name,
            &alias.name,
            &first,
            alias.revision_id.as_deref().unwrap_or("(none)")
        )
    );
}

/// Returns whether the function is tagged env=prod. When the tags cannot be
/// read, the function counts as production, so the stricter confirmation
/// applies.
pub(super) async fn is_production(context: &WriteContext<'_>, function: &str, arn: &str) -> bool {
    match aws::list_tags(context.clients, function, &unqualified_arn(arn)).await {
        Ok(tags) => tags.get("env").is_some_and(|env| env == "prod"),
        Err(error) => {
            eprintln!(
                "warning: cannot read the tags of {function}, treating it as env=prod: {error}"
            );
            true
        }
    }
}

/// Strips a version or alias qualifier from a function ARN for ListTags,
/// because Lambda keeps tags on the function, not on versions or aliases.
fn unqualified_arn(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

pub(super) fn describe_alias(alias: &Alias) -> String {
    let split: Vec<String> = alias
        .traffic_split()
        .into_iter()
        .map(|(version, weight)| format!("version {version} = {:.2}%", weight * 100.0))
        .collect();
    format!(
        "{} (RevisionId {})",
        split.join(", "),
        alias.revision_id.as_deref().unwrap_or("none")
    )
}

#[cfg(test)]
mod tests {
    use super::unqualified_arn;

    #[test]
    fn qualifier_is_stripped() {
        let unqualified = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";
        assert_eq!(unqualified_arn(&format!("{unqualified}:12")), unqualified);
        assert_eq!(unqualified_arn(unqualified), unqualified);
    }
}
