use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::ui::app::App;
use crate::ui::keymap::{Context, help_lines};
use crate::ui::messages;

/// Draws the help overlay from the keymap table itself.
pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    for (title, context) in [
        ("Everywhere", Context::Global),
        ("Fleet", Context::Fleet),
        ("Function detail", Context::Detail),
        ("Checklist failures", Context::Failures),
    ] {
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
    // NOTE: with the checklist keys the list is taller than a 24-line
    // terminal, which cuts off the last sections; it needs scrolling or
    // two columns.
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 56.min(area.width);
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
        .title(messages::HELP_TITLE);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
