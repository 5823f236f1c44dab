use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ui::app::{App, DetailTab, View};
use crate::ui::messages;

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let line = if app.filtering {
        Line::from(vec![
            Span::styled(messages::FILTER_PROMPT, Style::default().fg(theme.accent)),
            Span::raw(app.filter_text.clone()),
            Span::styled("█", Style::default().fg(theme.accent)),
            Span::styled(messages::FILTER_HINT, Style::default().fg(theme.muted)),
        ])
    } else {
        let mut spans = Vec::new();
        if !app.filter_text.is_empty() {
            spans.push(Span::styled(
                format!("{}{}  ", messages::FILTER_PROMPT, app.filter_text),
                Style::default().fg(theme.accent),
            ));
        }
        if let Some(notice) = &app.notice {
            spans.push(Span::styled(
                format!("{notice}  "),
                Style::default().fg(theme.warning),
            ));
        }
        let hint = match (&app.view, app.detail_tab) {
            (View::Fleet, _) => messages::FOOTER_HINT,
            (View::Detail(_), DetailTab::Checklist) => messages::CHECKLIST_HINT,
            (View::Detail(_), DetailTab::Metrics) => messages::METRICS_HINT,
            (View::Detail(_), _) => messages::DETAIL_HINT,
            (View::Failures, _) => messages::FAILURES_HINT,
            (View::Budgets | View::Hunt, _) => messages::ACCOUNT_HINT,
        };
        spans.push(Span::styled(hint, Style::default().fg(theme.muted)));
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
