//! The unfinished-rollout prompt: a modal over every view that offers
//! resume, roll back or leave as is, each written out before it is sent.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::rollout::{Phase, Rollout};
use crate::ui::app::App;
use crate::ui::deploy::{PromptChoice, ResumePrompt};
use crate::ui::messages::deploy as text;

pub fn render(frame: &mut Frame, area: Rect, app: &App, prompt: &ResumePrompt) {
    let theme = &app.theme;
    let rollout = &prompt.rollout;
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{}:{}  v{} → v{}  {}",
                rollout.function_name,
                rollout.alias_name,
                rollout.stable_version,
                rollout.new_version,
                rollout.strategy
            ),
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        )),
        Line::from(format!(
            "state: {} since {} UTC",
            describe_phase(rollout),
            rollout.updated_at.format("%Y-%m-%d %H:%M:%S")
        )),
    ];
    if let Some(reason) = &prompt.reason {
        lines.push(Line::from(Span::styled(
            format!("stopped because {reason}"),
            Style::default().fg(theme.warning),
        )));
    }
    lines.push(Line::from(format!(
        "anshin last wrote or read: {}",
        rollout.expected_routing
    )));
    if let Some(alias) = &prompt.alias_now {
        let split: Vec<String> = alias
            .traffic_split()
            .into_iter()
            .map(|(version, weight)| format!("v{version} {:.1}%", weight * 100.0))
            .collect();
        lines.push(Line::from(format!(
            "the alias now routes {} (RevisionId {})",
            split.join(" + "),
            alias.revision_id.as_deref().unwrap_or("none")
        )));
    }
    lines.push(Line::default());
    match prompt.pending {
        None => {
            lines.push(Line::from(format!(
                "r  resume: continue the plan from {}",
                describe_phase(rollout)
            )));
            lines.push(Line::from(format!(
                "b  roll back: send all traffic to v{} with a conditional UpdateAlias",
                rollout.stable_version
            )));
            lines.push(Line::from(
                "l  leave as is: close this prompt, keep the state file, write nothing",
            ));
            lines.push(Line::from(Span::styled(
                text::PROMPT_HINT,
                Style::default().fg(theme.muted),
            )));
        }
        Some(choice) => {
            let question = match choice {
                PromptChoice::Resume if needs_read(rollout) => format!(
                    "Resume? The alias is read again and the interrupted write is sent again, \
                     conditional on that read's RevisionId ({} steps in the plan).",
                    rollout.steps.len()
                ),
                PromptChoice::Resume => format!(
                    "Resume? The plan continues from its saved state, and every write stays \
                     conditional on the RevisionId read last ({} steps in the plan).",
                    rollout.steps.len()
                ),
                PromptChoice::RollBack => format!(
                    "Roll back? UpdateAlias {}:{} FunctionVersion={} with no additional \
                     weights, conditional on the alias's RevisionId.",
                    rollout.function_name, rollout.alias_name, rollout.stable_version
                ),
            };
            lines.push(Line::from(Span::styled(
                question,
                Style::default()
                    .fg(theme.warning)
                    .add_modifier(Modifier::BOLD),
            )));
            lines.push(Line::from(Span::styled(
                text::PROMPT_CONFIRM_HINT,
                Style::default().fg(theme.accent),
            )));
        }
    }
    let waiting = app.deploy.prompt_queue.len();
    if waiting > 0 {
        lines.push(Line::from(Span::styled(
            format!("{waiting} more unfinished rollout(s) after this one"),
            Style::default().fg(theme.muted),
        )));
    }

    let width = 84.min(area.width);
    // Two lines for the border, two for wrapped long lines.
    let height = (lines.len() as u16 + 4).min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.warning))
        .title(text::PROMPT_TITLE);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        popup,
    );
}

/// True when resuming re-reads the alias first: the rollout stopped on a
/// conflict or while a write was in flight.
fn needs_read(rollout: &Rollout) -> bool {
    matches!(
        rollout.phase,
        Phase::Conflict { .. } | Phase::Shifting { .. } | Phase::RollingBack { .. }
    )
}

fn describe_phase(rollout: &Rollout) -> String {
    let step = |step: usize| {
        let weight = rollout
            .steps
            .get(step)
            .map_or("?".to_string(), |s| s.weight.to_string());
        format!("step {} of {} ({weight})", step + 1, rollout.steps.len())
    };
    match &rollout.phase {
        Phase::Baking { step: index, .. } => format!("{} live, baking", step(*index)),
        Phase::Shifting { step: index, .. } => {
            format!("{}: write in flight, outcome unknown", step(*index))
        }
        other => other.name().to_string(),
    }
}
