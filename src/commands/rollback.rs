//! `anshin rollback`: one conditional UpdateAlias that sends all traffic to
//! the stable version.

use chrono::Utc;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, bail};
use serde_json::json;

use super::confirm::update_alias_preview;
use super::exit_status::{NEEDS_OPERATOR, NOT_STARTED, SUCCESS};
use super::shift::{describe_alias, is_production};
use super::{WriteContext, confirm_write, not_confirmed, print_result};
use crate::aws;
use crate::model::Alias;
use crate::rollout::executor::{
    AliasSnapshot, AliasWrite, AuditLog, AuditRecord, ExecutorError, StateStore, WriteKind,
};
use crate::rollout::preflight::{self, Level, RollbackInput};
use crate::rollout::target::{brought_in, current_version, suggest_target};
use crate::rollout::{AliasRouting, Event, Rollout, WriteFailure, is_published_version};

/// The arguments of `anshin rollback`.
#[derive(Debug, Clone)]
pub struct RollbackArgs {
    pub function: String,
    pub alias: String,
    pub to: Option<String>,
    pub yes: bool,
}

/// Runs `anshin rollback` and returns the exit status.
pub async fn rollback(context: &WriteContext<'_>, args: &RollbackArgs) -> Result<u8> {
    let store = StateStore::new(&context.state_dir);
    let unfinished = store
        .load(&args.function, &args.alias)
        .wrap_err("cannot read the persisted rollout")?
        .filter(|rollout| !rollout.phase.is_terminal());
    let alias = aws::get_alias(context.clients, &args.function, &args.alias).await?;
    eprintln!(
        "{}:{} routes {}",
        args.function,
        args.alias,
        describe_alias(&alias)
    );

    let target = match &args.to {
        Some(version) => version.clone(),
        None => {
            let records = AuditLog::new(&context.state_dir)
                .records()
                .wrap_err("cannot read the audit log")?;
            let Some(suggested) =
                suggest_target(&args.function, &alias, unfinished.as_ref(), &records)
            else {
                bail!(no_target_message(
                    &args.function,
                    &alias,
                    unfinished.as_ref(),
                    &records
                ));
            };
            eprintln!("rollback target: {suggested}");
            suggested.version
        }
    };
    if !is_published_version(&target) {
        bail!("invalid --to {target:?}: use a published version number, not $LATEST or an alias");
    }
    if alias.function_version == target && !alias.is_weighted() {
        eprintln!("nothing to roll back: all traffic already goes to version {target}");
        print_result(&json!({
            "function": args.function,
            "alias": args.alias,
            "outcome": "unchanged",
            "version": target,
        }));
        return Ok(SUCCESS);
    }
    let version = aws::get_version_configuration(context.clients, &args.function, Some(&target))
        .await
        .wrap_err_with(|| format!("cannot read version {target} of {}", args.function))?;
    let findings = rollback_preflight(context, &args.function, &alias, &target).await?;
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
        eprintln!("not rolled back: pre-flight found the problems above");
        print_result(&json!({
            "function": args.function,
            "alias": args.alias,
            "outcome": outcome,
            "findings": findings,
        }));
        return Ok(NOT_STARTED);
    }

    let Some(revision_id) = alias.revision_id.clone() else {
        bail!(
            "GetAlias returned no RevisionId for {}:{}, so the write cannot be conditional; try again",
            args.function,
            args.alias
        );
    };

    let routing = AliasRouting::single(&target);
    eprintln!(
        "roll back {}:{} to version {target}:",
        args.function, args.alias
    );
    eprintln!(
        "{}",
        update_alias_preview(&args.function, &args.alias, &routing, &revision_id)
    );
    let production = is_production(context, &args.function, &version.function_arn).await;
    if !confirm_write(context, &args.function, production, args.yes)? {
        return Ok(not_confirmed(&args.function, &args.alias));
    }

    let executor = context.executor().await;
    let write = AliasWrite {
        function: &args.function,
        alias: &args.alias,
        before: AliasSnapshot::from_alias(&alias),
        routing: &routing,
        expected_revision_id: &revision_id,
        reason: format!("rollback requested by the operator to version {target}"),
        kind: WriteKind::Rollback,
    };
    let written = match executor.write_alias(write).await {
        Ok(written) => written,
        Err(ExecutorError::Aws(error)) => {
            let failure = WriteFailure::from_error_code(error.code.as_deref(), &error.to_string());
            if failure != WriteFailure::PreconditionFailed {
                return Err(error.into());
            }
            // Someone changed the alias since the read above: show the new
            // state and stop, because the rollback may no longer be right.
            let now = aws::get_alias(context.clients, &args.function, &args.alias)
                .await
                .ok();
            eprintln!(
                "not rolled back: the alias changed since anshin read it (PreconditionFailedException)"
            );
            if let Some(now) = &now {
                eprintln!("it now routes {}", describe_alias(now));
            }
            eprintln!("check the new routing, then run the rollback again if it is still needed");
            print_result(&json!({
                "function": args.function,
                "alias": args.alias,
                "outcome": "conflict",
                "alias_after": now,
            }));
            return Ok(NEEDS_OPERATOR);
        }
        Err(other) => return Err(other.into()),
    };

    if let Some(mut rollout) = unfinished {
        rollout.apply(
            Utc::now(),
            Event::AbortRequested {
                reason: format!("rolled back with `anshin rollback` to version {target}"),
            },
        )?;
        executor.store.save(&rollout)?;
        eprintln!(
            "the unfinished rollout of {}:{} is now aborted",
            args.function, args.alias
        );
    }
    eprintln!(
        "rolled back: {}:{} routes {}",
        args.function,
        args.alias,
        describe_alias(&written)
    );
    print_result(&json!({
        "function": args.function,
        "alias": args.alias,
        "outcome": "rolled_back",
        "before": AliasSnapshot::from_alias(&alias),
        "after": AliasSnapshot::from_alias(&written),
    }));
    Ok(SUCCESS)
}

/// Reads what the rollback pre-flight checks and runs it: the function's
/// status, CodeDeploy ownership of the alias and provisioned concurrency.
async fn rollback_preflight(
    context: &WriteContext<'_>,
    function: &str,
    alias: &Alias,
    target: &str,
) -> Result<Vec<preflight::Finding>> {
    let clients = context.clients;
    let latest = aws::get_version_configuration(clients, function, None).await?;
    let codedeploy = aws::deployment_check(clients, function, &alias.name).await;
    let provisioned = aws::list_provisioned_concurrency(clients, function).await;
    let input = RollbackInput {
        function: latest.status,
        alias: alias.clone(),
        target: target.to_string(),
        codedeploy,
        provisioned: provisioned.as_ref().ok().map(|configs| {
            configs
                .iter()
                .map(|config| (config.qualifier.clone(), config.requested))
                .collect()
        }),
    };
    let mut findings = preflight::run_rollback(&input);
    if let Err(error) = &provisioned {
        findings.push(preflight::provisioned_concurrency_unread(error));
    }
    Ok(findings)
}

/// Explains why no rollback target is known. After a rollback the version
/// before it is the one rolled back from, so the message names that rollback
/// and does not offer it.
fn no_target_message(
    function: &str,
    alias: &Alias,
    unfinished: Option<&Rollout>,
    records: &[AuditRecord],
) -> String {
    let current = current_version(alias, unfinished);
    if let Some(record) = brought_in(records, function, &alias.name, &current)
        .filter(|record| record.kind == WriteKind::Rollback)
    {
        return format!(
            "version {current} is on {function}:{} because of a rollback at {} ({}); rolling \
             back again would restore the version that rollback took off. Pass --to VERSION \
             to choose the target yourself",
            alias.name,
            record.time.format("%Y-%m-%d %H:%M UTC"),
            record.reason
        );
    }
    format!(
        "no stable version known for {function}:{}: the alias sends all traffic to version \
         {current} and neither an unfinished rollout nor the audit log names an earlier one; \
         pass --to VERSION",
        alias.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoutingWeight;
    use crate::rollout::preflight::{DeploymentCheck, FunctionStatus};

    fn canary_alias() -> Alias {
        Alias {
            name: "live".to_string(),
            function_version: "4".to_string(),
            routing: vec![RoutingWeight {
                version: "5".to_string(),
                weight: 0.1,
            }],
            revision_id: Some("rev".to_string()),
            description: None,
        }
    }

    fn input(codedeploy: DeploymentCheck) -> RollbackInput {
        RollbackInput {
            function: FunctionStatus {
                state: Some("Active".to_string()),
                last_update_status: Some("Successful".to_string()),
                ..FunctionStatus::default()
            },
            alias: canary_alias(),
            target: "4".to_string(),
            codedeploy,
            provisioned: Some(vec![("5".to_string(), 10), ("live".to_string(), 20)]),
        }
    }

    #[test]
    fn rollback_preflight_owned_alias_rejects() {
        let findings = preflight::run_rollback(&input(DeploymentCheck::Owned(vec![
            "d-ABC (InProgress)".to_string(),
        ])));

        let strongest = findings.iter().map(|finding| finding.level).max();
        assert_eq!(strongest, Some(Level::Reject));
        assert!(findings.iter().any(|f| f.message.contains("d-ABC")));
    }

    #[test]
    fn rollback_preflight_explains_provisioned_concurrency() {
        let findings = preflight::run_rollback(&input(DeploymentCheck::Known(false)));
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();

        assert!(
            messages
                .iter()
                .any(|m| m.contains("version 5 keeps its 10 provisioned concurrency")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("version 4 has 0 provisioned concurrency against 10")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("about 2 of them move")),
            "{messages:?}"
        );
        assert!(findings.iter().all(|f| f.level == Level::Warn));
    }
}
