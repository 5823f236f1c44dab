//! `anshin rollback`: one conditional UpdateAlias that sends all traffic to
//! the stable version.

use chrono::Utc;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, bail};
use serde_json::json;

use super::confirm::update_alias_preview;
use super::exit_status::{NEEDS_OPERATOR, NOT_STARTED, SUCCESS};
use super::shift::{describe_alias, is_production};
use super::{WriteContext, confirm_write, print_result};
use crate::aws;
use crate::model::Alias;
use crate::rollout::executor::{AliasSnapshot, AliasWrite, AuditLog, ExecutorError, StateStore};
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
        None => default_target(
            &alias,
            unfinished.as_ref(),
            &AuditLog::new(&context.state_dir),
            &args.function,
        )?
        .ok_or_else(|| {
            color_eyre::eyre::eyre!(
                "no stable version known for {}:{}: the alias sends all traffic to version {} \
                     and neither an unfinished rollout nor the audit log names an earlier one; \
                     pass --to VERSION",
                args.function,
                args.alias,
                alias.function_version
            )
        })?,
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
        eprintln!("not confirmed; nothing was written");
        return Ok(NOT_STARTED);
    }

    let executor = context.executor().await;
    let write = AliasWrite {
        function: &args.function,
        alias: &args.alias,
        before: AliasSnapshot::from_alias(&alias),
        routing: &routing,
        expected_revision_id: &revision_id,
        reason: format!("rollback requested by the operator to version {target}"),
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

/// Picks the stable version: the primary version of a weighted alias, else
/// the stable version of an unfinished rollout, else the version that the
/// last successful write recorded in the audit log replaced.
fn default_target(
    alias: &Alias,
    unfinished: Option<&Rollout>,
    audit: &AuditLog,
    function: &str,
) -> Result<Option<String>> {
    if alias.is_weighted() {
        return Ok(Some(alias.function_version.clone()));
    }
    if let Some(rollout) = unfinished
        && rollout.stable_version != alias.function_version
    {
        return Ok(Some(rollout.stable_version.clone()));
    }
    let records = audit.records()?;
    let previous = records
        .iter()
        .rev()
        .filter(|record| {
            record.function == function
                && record.alias == alias.name
                && record.outcome == "succeeded"
        })
        .find(|record| {
            record.after.function_version == alias.function_version
                && record.before.function_version != alias.function_version
        })
        .map(|record| record.before.function_version.clone());
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoutingWeight;
    use crate::rollout::executor::{AuditIdentity, AuditRecord};

    fn alias(version: &str, extra: Option<(&str, f64)>) -> Alias {
        Alias {
            name: "live".to_string(),
            function_version: version.to_string(),
            routing: extra
                .map(|(version, weight)| {
                    vec![RoutingWeight {
                        version: version.to_string(),
                        weight,
                    }]
                })
                .unwrap_or_default(),
            revision_id: Some("rev".to_string()),
            description: None,
        }
    }

    fn record(before: &str, after: &str, outcome: &str) -> AuditRecord {
        AuditRecord {
            time: Utc::now(),
            identity: AuditIdentity::default(),
            function: "cart-api".to_string(),
            alias: "live".to_string(),
            before: AliasSnapshot::from_alias(&alias(before, None)),
            after: AliasSnapshot::from_alias(&alias(after, None)),
            reason: "test".to_string(),
            outcome: outcome.to_string(),
            error: None,
        }
    }

    #[test]
    fn weighted_alias_targets_primary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let audit = AuditLog::new(dir.path());

        let target = default_target(&alias("4", Some(("5", 0.1))), None, &audit, "cart-api");

        assert_eq!(target.expect("reads"), Some("4".to_string()));
    }

    #[test]
    fn audit_log_names_previous_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let audit = AuditLog::new(dir.path());
        audit
            .append(&record("3", "4", "succeeded"))
            .expect("appends");
        audit
            .append(&record("4", "5", "succeeded"))
            .expect("appends");
        audit.append(&record("5", "6", "failed")).expect("appends");

        let target = default_target(&alias("5", None), None, &audit, "cart-api");

        assert_eq!(target.expect("reads"), Some("4".to_string()));
    }

    #[test]
    fn unknown_history_gives_no_target() {
        let dir = tempfile::tempdir().expect("temp dir");
        let audit = AuditLog::new(dir.path());
        audit
            .append(&record("3", "4", "succeeded"))
            .expect("appends");

        let target = default_target(&alias("5", None), None, &audit, "cart-api");

        assert_eq!(target.expect("reads"), None);
    }
}
