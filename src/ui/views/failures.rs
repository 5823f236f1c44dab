//! The fleet-wide failures view: every unsuppressed checklist failure,
//! grouped by rule, worst severity first.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::checks::Severity;
use crate::ui::app::App;
use crate::ui::checklist::{failures_by_rule, severity_label};
use crate::ui::format;
use crate::ui::messages;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.border))
        .title(messages::FAILURES_TITLE);
    let groups = failures_by_rule(&app.fleet);
    if groups.is_empty() {
        let empty = Paragraph::new(messages::NO_FAILURES)
            .style(Style::default().fg(theme.muted))
            .alignment(Alignment::Center)
            .block(block);
        frame.render_widget(empty, area);
        return;
    }

    let inner_width = usize::from(area.width.saturating_sub(2));
    let name_width = (inner_width / 3).clamp(12, 64);
    let multi_region = app.fleet.regions.len() > 1;
    let mut lines = Vec::new();
    let mut selected_line = 0;
    let mut index = 0;
    for group in &groups {
        let severity_style = match group.severity {
            Severity::Critical | Severity::High => Style::default().fg(theme.error),
            Severity::Medium => Style::default().fg(theme.warning),
            Severity::Low | Severity::Info => Style::default().fg(theme.muted),
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<5}", severity_label(group.severity)),
                severity_style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("{} {}", group.rule_id, group.title),
                Style::default()
                    .fg(theme.title)
                    .add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                match group.functions.len() {
                    1 => "  1 function".to_string(),
                    count => format!("  {count} functions"),
                },
                Style::default().fg(theme.muted),
            ),
        ]));
        for failing in &group.functions {
            // Lambda names are ASCII, so padding by characters aligns them.
            let mut name = format!(
                "{:<name_width$}",
                format::fit(&failing.key.name, name_width)
            );
            if multi_region {
                name = format!("{name} {}", failing.key.region);
            }
            let text = format!("  ✗ {name}  {}", failing.result.verdict.summary);
            let mut line = Line::from(format::fit(&text, inner_width));
            if index == app.failures_cursor {
                selected_line = lines.len();
                line = line.style(
                    Style::default()
                        .fg(theme.selected_text)
                        .bg(theme.selected_background),
                );
            }
            lines.push(line);
            index += 1;
        }
    }
    let height = usize::from(area.height.saturating_sub(2));
    let offset = (selected_line + 1).saturating_sub(height);
    let list = Paragraph::new(lines)
        .block(block)
        .scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0));
    frame.render_widget(list, area);
}
