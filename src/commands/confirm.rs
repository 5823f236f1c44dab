//! The UpdateAlias preview and the confirmation on the terminal.

use std::io::{BufRead, IsTerminal, Write};

use color_eyre::Result;

use crate::rollout::AliasRouting;

/// Formats the exact UpdateAlias request that a write sends.
pub fn update_alias_preview(
    function: &str,
    alias: &str,
    routing: &AliasRouting,
    revision_id: &str,
) -> String {
    let weights = serde_json::to_string(&routing.additional_version_weights())
        .unwrap_or_else(|_| "{}".to_string());
    format!(
        "UpdateAlias\n  FunctionName: {function}\n  Name: {alias}\n  FunctionVersion: {}\n  \
         RoutingConfig.AdditionalVersionWeights: {weights}\n  RevisionId: {revision_id}\n  \
         (traffic: {routing})",
        routing.function_version
    )
}

/// Asks the operator on the terminal. `--yes` confirms without asking. A
/// production function (tag env=prod) needs its name typed; others need
/// "y" or "yes". Without a terminal on standard input, it prints the reason
/// and returns false: nothing is confirmed, which is not an error.
pub fn confirm(function: &str, production: bool, yes: bool) -> Result<bool> {
    if yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "standard input is not a terminal, so anshin cannot ask for confirmation; \
             review the preview above and run again with --yes to confirm"
        );
        return Ok(false);
    }
    let prompt = if production {
        format!("{function} is tagged env=prod. Type the function name to confirm: ")
    } else {
        "Send this UpdateAlias? [y/N]: ".to_string()
    };
    eprint!("{prompt}");
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let answer = line.trim();
    Ok(if production {
        answer == function
    } else {
        matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes")
    })
}
