//! The guided rollback modal: one panel per wizard step, drawn from
//! `RollbackWizard` state only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::rollout::preflight::{Check, Level};
use crate::rollout::runner::RunFailure;
use crate::ui::app::App;
use crate::ui::format;
use crate::ui::messages;
use crate::ui::wizard::{EVIDENCE_MINUTES, RollbackWizard, Step, Verification};

fn heading(app: &App, text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    ))
}

fn split_text(split: &[(String, f64)]) -> String {
    split
        .iter()
        .map(|(version, weight)| format!("v{version} {:.0}%", weight * 100.0))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn percent(rate: f64) -> String {
    format::percent(Some(rate))
}

fn evidence(app: &App, wizard: &RollbackWizard, lines: &mut Vec<Line<'static>>) {
    let Some(alias) = wizard.alias() else {
        lines.push(Line::from(format!(
            "  {}",
            wizard
                .evidence
                .metrics_note
                .as_deref()
                .unwrap_or(messages::WIZARD_NO_ALIAS)
        )));
        return;
    };

    lines.push(heading(app, "Routing"));
    lines.push(Line::from(format!(
        "  {}  (RevisionId {})",
        split_text(&alias.traffic_split()),
        alias.revision_id.as_deref().unwrap_or("not read")
    )));
    lines.push(Line::default());
    lines.push(heading(
        app,
        &format!("Error rate per version, last {EVIDENCE_MINUTES} min"),
    ));
    for version in &wizard.evidence.versions {
        let detail = match (version.errors, version.invocations) {
            (Some(errors), Some(invocations)) => {
                format!("({errors:.0} failed of {invocations:.0} invocations)")
            }
            _ => messages::WIZARD_NO_VERSION_DATA.to_string(),
        };
        lines.push(Line::from(format!(
            "  v{:<6} {:>4.0}% of traffic   errors {:>7}  {detail}",
            version.version,
            version.weight * 100.0,
            format::percent(version.error_rate()),
        )));
    }

    if let [primary, others @ ..] = wizard.evidence.versions.as_slice() {
        for other in others {
            if let (Some(new), Some(old)) = (other.error_rate(), primary.error_rate()) {
                let ratio = if old > 0.0 {
                    format!(" ({:.0}x)", new / old)
                } else {
                    String::new()
                };
                lines.push(Line::from(Span::styled(
                    format!(
                        "  v{} errors {} vs v{} {}{ratio}",
                        other.version,
                        percent(new),
                        primary.version,
                        percent(old)
                    ),
                    Style::default().fg(app.theme.accent),
                )));
            }
        }
    }
    if let Some(note) = &wizard.evidence.metrics_note {
        lines.push(Line::from(format!("  {note}")));
    }
    lines.push(Line::default());
    lines.push(heading(app, "Alarms in ALARM"));
    match (
        &wizard.evidence.alarms_note,
        wizard.evidence.firing.as_slice(),
    ) {
        (Some(note), _) => lines.push(Line::from(format!("  unknown: {note}"))),
        (None, []) => lines.push(Line::from(messages::WIZARD_NO_ALARMS)),
        (None, firing) => {
            for name in firing {
                lines.push(Line::from(Span::styled(
                    format!("  ✗ {name}"),
                    Style::default().fg(app.theme.error),
                )));
            }
        }
    }

    // A deployment that owns the alias stops the rollback whatever the
    // target, so it is shown before the operator picks one.
    for finding in wizard
        .findings
        .iter()
        .filter(|finding| finding.check == Check::CodeDeploy && finding.level == Level::Reject)
    {
        lines.push(Line::default());
        lines.push(heading(app, "CodeDeploy"));
        lines.push(Line::from(Span::styled(
            format!("  ✗ {}", finding.message),
            Style::default().fg(app.theme.error),
        )));
    }

    if wizard.aliases.len() > 1 {
        lines.push(Line::default());
        let names: Vec<String> = wizard
            .aliases
            .iter()
            .enumerate()
            .map(|(index, alias)| {
                if index == wizard.alias_index {
                    format!("[{}]", alias.name)
                } else {
                    alias.name.clone()
                }
            })
            .collect();
        lines.push(Line::from(format!("  aliases: {}", names.join("  "))));
    }
}

fn target(app: &App, wizard: &RollbackWizard, lines: &mut Vec<Line<'static>>) {
    lines.push(heading(app, "Suggested target"));
    match &wizard.suggestion {
        Some(suggestion) => lines.push(Line::from(format!("  {suggestion}"))),
        None => lines.push(Line::from(messages::WIZARD_NO_SUGGESTION)),
    }
    lines.push(Line::default());
    let current = wizard.current_version().unwrap_or_default();
    let choices: Vec<String> = wizard
        .choices
        .iter()
        .filter(|version| **version != current)
        .map(|version| {
            if Some(version) == wizard.target.as_ref() {
                format!("[{version}]")
            } else {
                version.clone()
            }
        })
        .collect();
    lines.push(Line::from(vec![
        Span::raw("  roll back to: "),
        Span::styled(
            wizard
                .target
                .as_deref()
                .map_or_else(|| "none chosen".to_string(), |t| format!("version {t}")),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!("   (rolling back version {current})")),
    ]));
    if choices.is_empty() {
        lines.push(Line::from(messages::WIZARD_NO_VERSIONS));
    } else {
        lines.push(Line::from(format!("  versions: {}", choices.join("  "))));
    }
}

fn preview(app: &App, wizard: &RollbackWizard, lines: &mut Vec<Line<'static>>) {
    let (Some(alias), Some(target)) = (wizard.alias(), wizard.target.as_ref()) else {
        return;
    };
    lines.push(heading(app, "UpdateAlias"));
    for (name, value) in [
        ("FunctionName", wizard.key.name.clone()),
        ("Name", alias.name.clone()),
        ("FunctionVersion", target.clone()),
        (
            "RoutingConfig",
            "AdditionalVersionWeights {} (cleared)".to_string(),
        ),
        (
            "RevisionId",
            alias
                .revision_id
                .clone()
                .unwrap_or_else(|| "not read".to_string()),
        ),
    ] {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {name:<17}"),
                Style::default().fg(app.theme.muted),
            ),
            Span::raw(value),
        ]));
    }
    lines.push(Line::from(format!(
        "  traffic: {} → v{target} 100%",
        split_text(&alias.traffic_split())
    )));
    lines.push(Line::default());
    lines.push(heading(app, "Pre-flight"));
    if wizard.findings.is_empty() {
        lines.push(Line::from("  no findings"));
    }
    for finding in &wizard.findings {
        let style = match finding.level {
            Level::Reject | Level::Wait => Style::default().fg(app.theme.error),
            Level::Ask | Level::Warn => Style::default().fg(app.theme.accent),
        };
        lines.push(Line::from(Span::styled(
            format!("  {:?}: {finding}", finding.level),
            style,
        )));
    }
    if let Some(reason) = wizard.send_blocker() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("  {}: {reason}", messages::WIZARD_CANNOT_SEND),
            Style::default()
                .fg(app.theme.error)
                .add_modifier(Modifier::BOLD),
        )));
    }
}

fn confirm(app: &App, wizard: &RollbackWizard, lines: &mut Vec<Line<'static>>) {
    preview(app, wizard, lines);
    lines.push(Line::default());
    if wizard.production {
        if let Some(note) = &wizard.production_note {
            lines.push(Line::from(format!("  {note}")));
        }
        lines.push(Line::from(format!(
            "  {} is tagged env=prod. Type the function name and press Enter:",
            wizard.key.name
        )));
        lines.push(Line::from(Span::styled(
            format!("  > {}_", wizard.typed),
            Style::default().add_modifier(Modifier::BOLD),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            messages::WIZARD_CONFIRM_KEY,
            Style::default().add_modifier(Modifier::BOLD),
        )));
    }
}

fn verification_text(wizard: &RollbackWizard) -> String {
    let minutes = wizard.settings.verify_minutes;
    match &wizard.verification {
        None => format!("watching the error rate for {minutes} min after the rollback"),
        // CloudWatch data of a minute is final only after the guard's lag,
        // so the first minutes after the write have nothing to show yet.
        Some(Verification::Watching {
            final_at,
            minutes_final: 0,
            ..
        }) => format!(
            "waiting for final metrics: none of the {minutes} min after the rollback is final \
             yet (all final at {}); limit {} ({})",
            final_at.format("%H:%M:%S UTC"),
            percent(wizard.recovery_limit()),
            wizard.recovery_limit_basis()
        ),
        Some(Verification::Watching {
            final_at,
            minutes_final,
            rate,
            invocations,
        }) => format!(
            "watching: {minutes_final} of {minutes} min have final metrics (all final at {}); \
             error rate so far {} over {invocations:.0} invocations, stable level at most {} \
             ({})",
            final_at.format("%H:%M:%S UTC"),
            format::percent(*rate),
            percent(wizard.recovery_limit()),
            wizard.recovery_limit_basis()
        ),
        Some(Verification::Recovered {
            rate,
            invocations,
            limit,
        }) => format!(
            "recovered: error rate {} over {invocations:.0} invocations in {minutes} min, \
             at or below the stable level of {} ({})",
            percent(*rate),
            percent(*limit),
            wizard.recovery_limit_basis()
        ),
        Some(Verification::NotRecovered {
            rate,
            invocations,
            limit,
        }) => format!(
            "not recovered: error rate {} over {invocations:.0} invocations in {minutes} min, \
             above the stable level of {} ({}); the errors may come from the target version \
             too, or from outside the function",
            percent(*rate),
            percent(*limit),
            wizard.recovery_limit_basis()
        ),
        Some(Verification::NoTraffic) => format!(
            "no invocations in the {minutes} min after the rollback, so the error rate cannot \
             be judged"
        ),
    }
}

/// Formats the footer line while a hidden wizard still verifies its
/// rollback.
pub fn status_line(wizard: &RollbackWizard) -> String {
    let alias = wizard.alias().map(|a| a.name.as_str()).unwrap_or_default();
    // The footer is one line, often shared with a second rollback, so the
    // running state is compact. The wizard itself shows the long form.
    let state = match &wizard.verification {
        Some(Verification::Watching {
            final_at,
            minutes_final: 0,
            ..
        }) => format!(
            "watching, no minute final yet (all by {}), limit {}",
            final_at.format("%H:%M UTC"),
            percent(wizard.recovery_limit())
        ),
        Some(Verification::Watching {
            final_at,
            minutes_final,
            rate,
            invocations,
        }) => format!(
            "watching, {minutes_final}/{} min final (all by {}), errors {} of {invocations:.0}, \
             limit {}",
            wizard.settings.verify_minutes,
            final_at.format("%H:%M UTC"),
            format::percent(*rate),
            percent(wizard.recovery_limit())
        ),
        _ => verification_text(wizard),
    };
    format!(
        "rollback {}:{alias} → v{}: {state}",
        wizard.key.name,
        wizard.target.as_deref().unwrap_or("?"),
    )
}

fn outcome(app: &App, wizard: &RollbackWizard, lines: &mut Vec<Line<'static>>) {
    if let Some(sent_at) = wizard.sent_at {
        lines.push(Line::from(format!(
            "  UpdateAlias sent at {}",
            sent_at.format("%H:%M:%S UTC")
        )));
    }
    match wizard.step {
        Step::Executing => lines.push(Line::from(messages::WIZARD_WAITING)),
        Step::Verifying => {
            if let Some(alias) = &wizard.written {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  rolled back: {} routes {} (RevisionId {})",
                        alias.name,
                        split_text(&alias.traffic_split()),
                        alias.revision_id.as_deref().unwrap_or("not returned")
                    ),
                    Style::default().fg(app.theme.ok),
                )));
            }
            lines.push(Line::default());
            lines.push(heading(app, "Verification"));
            let style = match wizard.verification {
                Some(Verification::Recovered { .. }) => Style::default().fg(app.theme.ok),
                Some(Verification::NotRecovered { .. }) => Style::default().fg(app.theme.error),
                _ => Style::default(),
            };
            lines.push(Line::from(Span::styled(
                format!("  {}", verification_text(wizard)),
                style,
            )));
        }
        Step::Failed => {
            let text = match &wizard.failure {
                Some(RunFailure::ReadOnly(message)) => format!("  refused: {message}"),
                Some(RunFailure::Conflict { alias }) => format!(
                    "  not rolled back: the alias changed since the preview \
                     (PreconditionFailedException); it now routes {}. Nothing was sent again: \
                     open the wizard again to review the new routing",
                    alias.as_ref().map_or_else(
                        || "an unknown routing (the re-read failed)".to_string(),
                        |alias| split_text(&alias.traffic_split())
                    )
                ),
                Some(RunFailure::Error(message)) => format!("  failed: {message}"),
                None => "  failed".to_string(),
            };
            lines.push(Line::from(Span::styled(
                text,
                Style::default().fg(app.theme.error),
            )));
        }
        _ => {}
    }
}

fn hint(wizard: &RollbackWizard) -> &'static str {
    match wizard.step {
        Step::Evidence => messages::WIZARD_HINT_EVIDENCE,
        Step::Target => messages::WIZARD_HINT_TARGET,
        Step::Preview if wizard.send_blocker().is_some() => messages::WIZARD_HINT_PREVIEW_BLOCKED,
        Step::Preview => messages::WIZARD_HINT_PREVIEW,
        Step::Confirm if wizard.production => messages::WIZARD_HINT_TYPED,
        Step::Confirm => messages::WIZARD_HINT_CONFIRM,
        Step::Executing | Step::Verifying | Step::Failed => messages::WIZARD_HINT_SENT,
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, wizard: &RollbackWizard) {
    let [_, middle, _] = Layout::vertical([
        Constraint::Percentage(5),
        Constraint::Percentage(90),
        Constraint::Percentage(5),
    ])
    .areas(area);
    let [_, modal, _] = Layout::horizontal([
        Constraint::Percentage(4),
        Constraint::Percentage(92),
        Constraint::Percentage(4),
    ])
    .areas(middle);

    let alias = wizard
        .alias()
        .map(|a| a.name.as_str())
        .unwrap_or("no alias");
    let title = format!(
        " {} {}:{alias} ({}) · {} ",
        messages::WIZARD_TITLE,
        wizard.key.name,
        wizard.key.region,
        wizard.step.title()
    );
    let mut lines: Vec<Line<'static>> = Vec::new();
    if let Some(reason) = &wizard.blocked {
        lines.push(Line::from(Span::styled(
            format!("{}: {reason}", messages::WIZARD_WRITES_DISABLED),
            Style::default()
                .fg(app.theme.error)
                .add_modifier(Modifier::BOLD),
        )));
        lines.push(Line::default());
    }
    match wizard.step {
        Step::Evidence => evidence(app, wizard, &mut lines),
        Step::Target => target(app, wizard, &mut lines),
        Step::Preview => preview(app, wizard, &mut lines),
        Step::Confirm => confirm(app, wizard, &mut lines),
        Step::Executing | Step::Verifying | Step::Failed => outcome(app, wizard, &mut lines),
    }
    if let Some(notice) = &wizard.notice {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("  {notice}"),
            Style::default()
                .fg(app.theme.error)
                .add_modifier(Modifier::BOLD),
        )));
    }

    frame.render_widget(Clear, modal);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .border_style(Style::default().fg(app.theme.accent));
    let inner = block.inner(modal);
    frame.render_widget(block, modal);
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            hint(wizard),
            Style::default().fg(app.theme.muted),
        ))),
        footer,
    );
}
