use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::ui::app::{App, DetailTab};
use crate::ui::keymap::{Context, help_lines};
use crate::ui::messages;

/// Draws the help overlay from the keymap table itself.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    let mut sections = vec![
        ("Everywhere".to_string(), Context::Global),
        ("Fleet".to_string(), Context::Fleet),
        ("Function detail".to_string(), Context::Detail),
    ];
    for tab in DetailTab::ALL {
        if !help_lines(Context::Tab(tab)).is_empty() {
            sections.push((format!("{} tab", tab.label()), Context::Tab(tab)));
        }
    }
    sections.push(("Checklist failures".to_string(), Context::Failures));
    sections.push(("Budgets and hunt views".to_string(), Context::Account));
    sections.push(("Guided rollback".to_string(), Context::Wizard));
    sections.push(("Unfinished rollout prompt".to_string(), Context::Prompt));
    for (title, context) in sections {
        lines.push(Line::from(Span::styled(
            title,
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        )));
        for (label, help) in help_lines(context) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {label:<13}"), Style::default().fg(theme.accent)),
                Span::raw(help),
            ]));
        }
    }
    // On a short terminal the list is taller than the overlay, so it
    // scrolls, and the title says how.
    let content_height = lines.len() as u16;
    let height = (content_height + 2).min(area.height);
    let visible = height.saturating_sub(2);
    let max_scroll = content_height.saturating_sub(visible);
    let scroll = app.help_scroll.min(max_scroll);
    let title = if max_scroll > 0 {
        format!(
            "{}(↑↓ scroll, {}/{}) ",
            messages::HELP_TITLE,
            scroll + visible,
            content_height
        )
    } else {
        messages::HELP_TITLE.to_string()
    };
    // The overlay is as wide as its longest line, so no description is cut.
    // Only a terminal narrower than that cuts the lines.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let width = (widest + 2).max(40).min(area.width);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.accent))
        .title(title);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
}
