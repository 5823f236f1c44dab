//! The Deploy tab of the function screen: alias routing, the shift form,
//! the preview with its confirmation, and the live progress of a rollout.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::model::{Alias, FunctionEntry};
use crate::rollout::executor::RunEnd;
use crate::rollout::preflight::Level;
use crate::rollout::runner::{Preview, RunFailure};
use crate::rollout::{
    AliasRouting, Decision, Evaluation, Outcome, Phase, Verdict, WaitReason, Write,
};
use crate::ui::app::App;
use crate::ui::deploy::{Field, IntervalVerdict, RunView, Stage, StrategyChoice};
use crate::ui::messages::deploy as text;
use crate::ui::theme::Theme;

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    if let Some(banner) = write_banner(app) {
        lines.push(Line::from(Span::styled(
            banner,
            Style::default().fg(theme.warning),
        )));
    }

    routing(theme, entry, &mut lines);
    lines.push(Line::default());

    let deploy = &app.deploy;
    let form_is_current = deploy
        .function
        .as_ref()
        .is_some_and(|key| key.name == entry.function.name);
    match &deploy.stage {
        Stage::Preview { preview, typed, .. } if form_is_current => {
            preview_lines(theme, &entry.function.name, preview, typed, &mut lines);
        }
        Stage::Preparing(key) if form_is_current => {
            form(app, entry, &mut lines);
            lines.push(Line::from(Span::styled(
                format!("{} ({}:{})", text::PREPARING, key.function, key.alias),
                Style::default().fg(theme.accent),
            )));
        }
        _ => form(app, entry, &mut lines),
    }

    if let Some((key, run)) = deploy.run_for(&entry.function.name) {
        lines.push(Line::default());
        progress(app, run, &mut lines);
        if deploy.abort_pending.as_ref() == Some(key) {
            lines.push(Line::from(Span::styled(
                text::abort_question(&key.function, &key.alias, &run.rollout.stable_version),
                Style::default()
                    .fg(theme.error)
                    .add_modifier(Modifier::BOLD),
            )));
        }
    }

    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        area,
    );
}

/// Returns the reason writes are disabled or rejected, if they are.
fn write_banner(app: &App) -> Option<String> {
    if let Some(reason) = app.write_block_reason() {
        return Some(reason);
    }
    app.deploy.read_only.then(|| text::READ_ONLY.to_string())
}

fn title<'a>(theme: &Theme, name: &str) -> Line<'a> {
    Line::from(Span::styled(
        name.to_string(),
        Style::default()
            .fg(theme.title)
            .add_modifier(Modifier::BOLD),
    ))
}

fn routing(theme: &Theme, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    lines.push(title(theme, text::TITLE_ROUTING));
    let Some(aliases) = &entry.aliases else {
        let reason = entry
            .aliases_error
            .as_ref()
            .map_or(text::ALIASES_NOT_READ.to_string(), ToString::to_string);
        lines.push(Line::from(format!("  {reason}")));
        return;
    };
    if aliases.is_empty() {
        lines.push(Line::from(format!("  {}", text::NO_ALIASES)));
    }
    for alias in aliases {
        lines.push(Line::from(format!(
            "  {:<10} {}  RevisionId {}",
            alias.name,
            describe_split(alias),
            alias.revision_id.as_deref().unwrap_or("none")
        )));
    }
}

fn describe_split(alias: &Alias) -> String {
    alias
        .traffic_split()
        .into_iter()
        .map(|(version, weight)| format!("v{version} {:.1}%", weight * 100.0))
        .collect::<Vec<_>>()
        .join(" + ")
}

fn form(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    let theme = &app.theme;
    let form = &app.deploy.form;
    lines.push(title(theme, text::TITLE_FORM));
    let current_version = form
        .alias
        .as_deref()
        .and_then(|name| crate::ui::deploy::find_alias(entry, name))
        .map(|alias| format!(" (now v{})", alias.function_version))
        .unwrap_or_default();
    for field in form.fields() {
        let (label, value) = match field {
            Field::Alias => (
                "Alias",
                form.alias
                    .clone()
                    .map_or(text::NO_ALIASES.to_string(), |a| {
                        format!("{a}{current_version}")
                    }),
            ),
            Field::Target => (
                "Target version",
                form.target.clone().unwrap_or(text::NO_VERSIONS.to_string()),
            ),
            Field::Strategy => (
                "Strategy",
                match form.strategy {
                    StrategyChoice::Predefined(_) => form.strategy().to_string(),
                    StrategyChoice::CustomCanary | StrategyChoice::CustomLinear => {
                        format!("custom {}", form.strategy())
                    }
                },
            ),
            Field::Percent => ("  percent", format!("{}%", form.custom_percent)),
            Field::Minutes => ("  minutes", form.custom_minutes.to_string()),
            Field::MaxErrorRate => (
                "Max error rate",
                format!("{:.1}%", form.thresholds.max_error_rate * 100.0),
            ),
            Field::MaxErrorRateRatio => (
                "Max ratio to stable",
                format!("{}×", form.thresholds.max_error_rate_ratio),
            ),
            Field::MinInvocations => (
                "Min invocations",
                form.thresholds.min_invocations.to_string(),
            ),
        };
        let selected = field == form.field;
        let marker = if selected { "▸ " } else { "  " };
        let style = if selected {
            Style::default()
                .fg(theme.selected_text)
                .bg(theme.selected_background)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::raw(marker),
            Span::styled(format!("{label:<20} ‹ {value} ›"), style),
        ]));
    }
    lines.push(Line::from(Span::styled(
        text::FORM_HINT,
        Style::default().fg(theme.muted),
    )));
}

fn preview_lines(
    theme: &Theme,
    function: &str,
    preview: &Preview,
    typed: &str,
    lines: &mut Vec<Line<'_>>,
) {
    lines.push(title(theme, text::TITLE_PREVIEW));
    for finding in &preview.findings {
        let color = match finding.level {
            Level::Warn | Level::Ask => theme.warning,
            Level::Wait | Level::Reject => theme.error,
        };
        lines.push(Line::from(Span::styled(
            format!("  pre-flight {:?}: {}", finding.level, finding.message),
            Style::default().fg(color),
        )));
    }
    let alias = &preview.alias;
    match &preview.plan {
        Ok(rollout) => {
            let first = rollout.routing_for_step(0);
            let before = AliasRouting::from_alias(alias)
                .map_or_else(|_| describe_split(alias), |routing| routing.to_string());
            let weights = serde_json::to_string(&first.additional_version_weights())
                .unwrap_or_else(|_| "{}".to_string());
            lines.push(Line::from(format!(
                "  UpdateAlias FunctionName={function} Name={}",
                alias.name
            )));
            lines.push(Line::from(format!(
                "    FunctionVersion={}  RoutingConfig.AdditionalVersionWeights={weights}",
                first.function_version
            )));
            lines.push(Line::from(format!(
                "    RevisionId={}",
                alias.revision_id.as_deref().unwrap_or("none")
            )));
            lines.push(Line::from(format!("  from: {before}")));
            lines.push(Line::from(format!("  to:   {first}")));
            let steps: Vec<String> = rollout
                .steps
                .iter()
                .map(|step| format!("{} for {} min", step.weight, step.bake.as_secs() / 60))
                .collect();
            lines.push(Line::from(format!(
                "  plan: {} — {}",
                rollout.strategy,
                steps.join(", ")
            )));
            let thresholds = &rollout.config.thresholds;
            lines.push(Line::from(format!(
                "  guard: error rate ≤ {:.1}% and ≤ {}× stable, ≥ {} invocations per verdict; \
                 alarms on {function} in ALARM roll back",
                thresholds.max_error_rate * 100.0,
                thresholds.max_error_rate_ratio,
                thresholds.min_invocations
            )));
        }
        Err(error) => lines.push(Line::from(Span::styled(
            format!("  cannot plan: {error}"),
            Style::default().fg(theme.error),
        ))),
    }
    if let Some(note) = &preview.production_note {
        lines.push(Line::from(Span::styled(
            format!("  {note}"),
            Style::default().fg(theme.warning),
        )));
    }
    if preview.blocked() {
        lines.push(Line::from(Span::styled(
            text::PREVIEW_BLOCKED_HINT,
            Style::default().fg(theme.muted),
        )));
    } else if preview.production {
        lines.push(Line::from(vec![
            Span::styled(
                text::production_prompt(function),
                Style::default()
                    .fg(theme.warning)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::raw(typed.to_string()),
            Span::styled("█", Style::default().fg(theme.accent)),
        ]));
    } else {
        lines.push(Line::from(Span::styled(
            text::PREVIEW_HINT,
            Style::default()
                .fg(theme.accent)
                .add_modifier(Modifier::BOLD),
        )));
    }
}

fn progress(app: &App, run: &RunView, lines: &mut Vec<Line<'_>>) {
    let theme = &app.theme;
    let rollout = &run.rollout;
    lines.push(title(
        theme,
        &format!(
            "{} {}:{}  v{} → v{}  {}",
            text::TITLE_PROGRESS,
            rollout.function_name,
            rollout.alias_name,
            rollout.stable_version,
            rollout.new_version,
            rollout.strategy
        ),
    ));
    lines.push(Line::from(format!("  {}", describe_phase(run, app.now))));
    if let Some(progress) = &run.progress
        && let Some(line) = describe_decision(&progress.decision, app.now)
    {
        lines.push(Line::from(format!("  {line}")));
    }
    if run.intervals.is_empty() && run.is_running() {
        lines.push(Line::from(Span::styled(
            format!("  {}", text::NO_VERDICT_YET),
            Style::default().fg(theme.muted),
        )));
    }
    for interval in &run.intervals {
        lines.push(verdict_line(theme, interval));
    }
    for (at, line) in &run.lines {
        lines.push(Line::from(Span::styled(
            format!("  {} {line}", at.format("%H:%M:%S")),
            Style::default().fg(theme.muted),
        )));
    }
    if let Some(end) = &run.end {
        lines.push(end_line(theme, end));
    } else if !run.abort_sent {
        lines.push(Line::from(Span::styled(
            format!("  {}", text::ABORT_HINT),
            Style::default().fg(theme.muted),
        )));
    }
}

fn describe_phase(run: &RunView, now: DateTime<Utc>) -> String {
    let rollout = &run.rollout;
    let steps = rollout.steps.len();
    let weight_of = |step: usize| {
        rollout
            .steps
            .get(step)
            .map_or("?".to_string(), |s| s.weight.to_string())
    };
    let phase = match &rollout.phase {
        Phase::Planned => "planned: nothing written yet".to_string(),
        Phase::Pending {
            write: Write::Step { step },
            ..
        } => format!("step {} of {steps}: write pending", step + 1),
        Phase::Pending {
            write: Write::RollBack { reason },
            ..
        } => format!("rollback pending: {reason}"),
        Phase::Shifting { step, .. } => format!(
            "step {} of {steps}: sending {} to v{}",
            step + 1,
            weight_of(*step),
            rollout.new_version
        ),
        Phase::Baking { step, started_at } => format!(
            "step {} of {steps}: {} on v{} for {}",
            step + 1,
            weight_of(*step),
            rollout.new_version,
            crate::ui::format::age(*started_at, now)
        ),
        Phase::RollingBack { reason, .. } => format!("rolling back: {reason}"),
        Phase::Conflict { conflict, .. } => format!("stopped: {conflict}"),
        Phase::Completed { .. } => format!("completed: v{} takes all traffic", rollout.new_version),
        Phase::RolledBack { reason, .. } => {
            format!("rolled back to v{}: {reason}", rollout.stable_version)
        }
        Phase::Aborted { reason, .. } => format!("aborted: {reason}"),
    };
    if run.abort_sent && run.is_running() {
        format!("{phase} (abort requested)")
    } else {
        phase
    }
}

/// Describes the countdown to the next step or the next check.
fn describe_decision(decision: &Decision, now: DateTime<Utc>) -> Option<String> {
    let until = |at: DateTime<Utc>| {
        let seconds = (at - now).num_seconds().max(0);
        format!("{}:{:02}", seconds / 60, seconds % 60)
    };
    match decision {
        Decision::Wait {
            reason: WaitReason::Baking { final_at, .. },
            ..
        } => Some(format!(
            "next step when the metrics are final, in {} (at {})",
            until(*final_at),
            final_at.format("%H:%M:%S UTC")
        )),
        Decision::Wait {
            reason: WaitReason::AlarmBeforeStart { alarms },
            until: at,
        } => Some(format!(
            "waiting for alarms to clear ({}); next check in {}",
            alarms.join(", "),
            until(*at)
        )),
        Decision::Wait {
            reason: WaitReason::FunctionBusy,
            until: at,
        } => Some(format!(
            "the function is updating; write sent again in {}",
            until(*at)
        )),
        Decision::Hold {
            reason,
            roll_back_at,
            next_check,
            ..
        } => Some(format!(
            "holding, inconclusive: {reason}; next check in {}, rolls back in {}",
            until(*next_check),
            until(*roll_back_at)
        )),
        _ => None,
    }
}

fn verdict_line<'a>(theme: &Theme, interval: &IntervalVerdict) -> Line<'a> {
    let window = interval.window.map_or("not open yet".to_string(), |w| {
        format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M"))
    });
    let (label, color, detail) = describe_verdict(&interval.evaluation);
    Line::from(vec![
        Span::raw(format!("  step {} window {window} ", interval.step + 1)),
        Span::styled(
            label,
            Style::default().fg(match color {
                Tone::Ok => theme.ok,
                Tone::Warn => theme.warning,
                Tone::Bad => theme.error,
            }),
        ),
        Span::raw(format!(" {detail}")),
    ])
}

enum Tone {
    Ok,
    Warn,
    Bad,
}

fn describe_verdict(evaluation: &Evaluation) -> (&'static str, Tone, String) {
    let numbers = match (&evaluation.new, &evaluation.stable) {
        (Some(new), stable) => {
            let stable = stable.map_or("stable: no verdict data".to_string(), |s| {
                format!(
                    "stable {}/{} = {}",
                    s.errors,
                    s.invocations,
                    crate::ui::format::percent(s.error_rate())
                )
            });
            format!(
                "new {}/{} = {}, {stable}",
                new.errors,
                new.invocations,
                crate::ui::format::percent(new.error_rate())
            )
        }
        (None, _) => String::new(),
    };
    match &evaluation.verdict {
        Verdict::Healthy => ("pass", Tone::Ok, numbers),
        Verdict::Inconclusive(reason) => ("hold (inconclusive)", Tone::Warn, reason.to_string()),
        Verdict::Unhealthy(reasons) => {
            let reasons: Vec<String> = reasons.iter().map(ToString::to_string).collect();
            (
                "fail",
                Tone::Bad,
                format!("{}; {numbers}", reasons.join("; ")),
            )
        }
        Verdict::AlarmFiring(alarms) => (
            "fail",
            Tone::Bad,
            format!("alarm in ALARM: {}", alarms.join(", ")),
        ),
    }
}

fn end_line<'a>(theme: &Theme, end: &Result<RunEnd, RunFailure>) -> Line<'a> {
    let (message, ok) = match end {
        Ok(RunEnd::Finished(Outcome::Completed)) => ("completed".to_string(), true),
        Ok(RunEnd::Finished(Outcome::RolledBack { reason })) => {
            (format!("rolled back: {reason}"), false)
        }
        Ok(RunEnd::Finished(Outcome::Aborted { reason })) => (format!("aborted: {reason}"), false),
        Ok(RunEnd::NeedsOperator { conflict, .. }) => {
            (format!("stopped for the operator: {conflict}"), false)
        }
        Err(RunFailure::ReadOnly(message)) => (format!("rejected: {message}"), false),
        Err(RunFailure::Conflict { .. }) => (
            "stopped: the alias changed since anshin read it".to_string(),
            false,
        ),
        Err(RunFailure::Error(message)) => (format!("failed: {message}"), false),
    };
    Line::from(Span::styled(
        format!("  result: {message}"),
        Style::default()
            .fg(if ok { theme.ok } else { theme.error })
            .add_modifier(Modifier::BOLD),
    ))
}
