//! The Checklist tab of the function detail: results grouped by topic with
//! counts, and the evidence and fix of the selected rule.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::checks::{SUPPRESS_TAG, Severity, Status};
use crate::model::{CheckResult, FunctionEntry};
use crate::ui::app::App;
use crate::ui::checklist::{
    TopicGroup, ordered_results, severity_label, status_symbol, status_word, topic_groups,
    topic_label,
};
use crate::ui::messages;
use crate::ui::theme::Theme;

fn result_style(theme: &Theme, result: &CheckResult) -> Style {
    if result.suppressed {
        return Style::default().fg(theme.muted);
    }
    match (&result.verdict.status, result.severity) {
        (Status::Fail, Severity::Critical | Severity::High) => Style::default().fg(theme.error),
        (Status::Fail, _) | (Status::Warn, _) => Style::default().fg(theme.warning),
        (Status::Pass, _) => Style::default().fg(theme.ok),
        _ => Style::default().fg(theme.muted),
    }
}

fn topic_line(app: &App, group: &TopicGroup<'_>) -> Line<'static> {
    let counts = format!(
        "  ✗{} ⚠{} ✓{} ?{}",
        group.count(CheckResult::is_failure),
        group.count(CheckResult::is_warning),
        group.count(|r| !r.suppressed && r.verdict.status == Status::Pass),
        group.count(|r| !r.suppressed && matches!(r.verdict.status, Status::Unknown(_))),
    );
    Line::from(vec![
        Span::styled(
            topic_label(group.topic).to_string(),
            Style::default()
                .fg(app.theme.title)
                .add_modifier(Modifier::BOLD),
        ),
        Span::styled(counts, Style::default().fg(app.theme.muted)),
    ])
}

fn rule_line(app: &App, result: &CheckResult, selected: bool) -> Line<'static> {
    let suppressed = if result.suppressed {
        " (suppressed)"
    } else {
        ""
    };
    let line = Line::from(vec![
        Span::styled(
            format!("  {} ", status_symbol(result)),
            result_style(&app.theme, result),
        ),
        Span::raw(format!(
            "{:<9}{:<5} {}{suppressed}",
            result.rule_id,
            severity_label(result.severity),
            result.title
        )),
    ]);
    if selected {
        line.style(
            Style::default()
                .fg(app.theme.selected_text)
                .bg(app.theme.selected_background),
        )
    } else {
        line
    }
}

fn rule_detail(app: &App, result: &CheckResult) -> Vec<Line<'static>> {
    let muted = Style::default().fg(app.theme.muted);
    let mut status = format!(
        "{} · severity {}",
        status_word(&result.verdict.status),
        severity_label(result.severity)
    );
    if result.suppressed {
        status.push_str(&format!(" · suppressed by the {SUPPRESS_TAG} tag"));
    }
    let mut lines = vec![
        Line::from(Span::styled(
            result.title.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(status, result_style(&app.theme, result))),
        Line::from(result.verdict.summary.clone()),
    ];
    for evidence in &result.verdict.evidence {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}: ", evidence.name), muted),
            Span::raw(evidence.value.clone()),
        ]));
    }
    if let Some(rule) = result.rule() {
        lines.push(Line::from(vec![
            Span::styled("Fix: ", muted),
            Span::raw(rule.fix.text),
        ]));
        lines.push(Line::from(vec![
            Span::styled("Docs: ", muted),
            Span::raw(rule.fix.doc_url),
        ]));
        if !rule.peer_ids.is_empty() {
            lines.push(Line::from(vec![
                Span::styled("Same as: ", muted),
                Span::raw(rule.peer_ids.join(", ")),
            ]));
        }
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let Some(checklist) = &entry.checklist else {
        let pending = Paragraph::new(messages::CHECKLIST_PENDING)
            .style(Style::default().fg(app.theme.muted))
            .wrap(Wrap { trim: true });
        frame.render_widget(pending, area);
        return;
    };
    let ordered = ordered_results(checklist);
    let cursor = app.checklist_cursor.min(ordered.len().saturating_sub(1));

    let detail_height = (area.height / 2).clamp(4, 14);
    let [list_area, detail_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(detail_height)]).areas(area);

    let mut lines = Vec::new();
    let mut selected_line = 0;
    let mut index = 0;
    for group in topic_groups(checklist) {
        lines.push(topic_line(app, &group));
        for result in &group.results {
            if index == cursor {
                selected_line = lines.len();
            }
            lines.push(rule_line(app, result, index == cursor));
            index += 1;
        }
    }
    // Scroll just enough to keep the selected rule on screen.
    let height = usize::from(list_area.height);
    let offset = (selected_line + 1).saturating_sub(height);
    let list = Paragraph::new(lines).scroll((u16::try_from(offset).unwrap_or(u16::MAX), 0));
    frame.render_widget(list, list_area);

    let Some(selected) = ordered.get(cursor) else {
        return;
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(Style::default().fg(app.theme.border))
        .title(format!(" {} ", selected.rule_id));
    let detail = Paragraph::new(rule_detail(app, selected))
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(detail, detail_area);
}
