//! The concurrency hunt: the account's ConcurrentExecutions peak and the
//! functions that ran most in the minutes before it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::model::Collected;
use crate::model::drill_metrics::HuntResult;
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

fn summary(app: &App, hunt: &HuntResult) -> Vec<Line<'static>> {
    let muted = Style::default().fg(app.theme.muted);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{}: searched {} to {} (ConcurrentExecutions Maximum, period {} s, then {} s around the peak)",
            hunt.region,
            hunt.searched_from.format("%Y-%m-%d %H:%M"),
            hunt.searched_to.format("%Y-%m-%d %H:%M UTC"),
            hunt.coarse_period_s,
            hunt.fine_period_s,
        ),
        muted,
    ))];
    match hunt.peak {
        Some((at, value)) => lines.push(Line::from(vec![
            Span::raw("Peak: "),
            Span::styled(
                format!("{value:.0} concurrent executions"),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                " at {}; functions in the {} minutes before it:",
                at.format("%Y-%m-%d %H:%M UTC"),
                hunt.window.minutes_before_peak
            )),
        ])),
        None => lines.push(Line::from(messages::HUNT_NO_PEAK)),
    }
    let idle = hunt
        .contributors
        .iter()
        .filter(|c| c.invocations.is_none())
        .count();
    if hunt.peak.is_some() && idle > 0 {
        lines.push(Line::from(Span::styled(
            format!("{idle} other function(s) had no Invocations data points in the window."),
            muted,
        )));
    }
    if !hunt.partial.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("{}: {}", messages::METRICS_PARTIAL, hunt.partial.join("; ")),
            Style::default().fg(app.theme.warning),
        )));
    }
    for message in &hunt.messages {
        lines.push(Line::from(Span::styled(
            format!(
                "CloudWatch message {}: {}",
                message.code.as_deref().unwrap_or("-"),
                message.value
            ),
            Style::default().fg(app.theme.warning),
        )));
    }
    lines
}

fn contributors(app: &App, hunt: &HuntResult) -> Table<'static> {
    let header = Row::new(vec![
        "function",
        "invocations",
        "avg duration",
        "est. concurrency",
    ])
    .style(
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    );
    let rows: Vec<Row> = hunt
        .contributors
        .iter()
        .filter(|c| c.invocations.is_some())
        .map(|c| {
            Row::new(vec![
                Cell::from(c.function.clone()),
                Cell::from(format::count(c.invocations)),
                Cell::from(format::millis(c.avg_duration_ms)),
                Cell::from(
                    c.estimated_concurrency
                        .map_or(NO_DATA.to_string(), |v| format!("{v:.1}")),
                ),
            ])
        })
        .collect();
    Table::new(
        rows,
        [
            Constraint::Min(24),
            Constraint::Length(12),
            Constraint::Length(13),
            Constraint::Length(17),
        ],
    )
    .header(header)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(app.theme.border))
        .title(messages::HUNT_TITLE);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let state = app.fleet.hunt.as_ref();
    let result = state.map(|s| &s.result);
    let text = |text: String| Paragraph::new(text).wrap(Wrap { trim: true });
    match result {
        None if app.is_offline() => frame.render_widget(text(messages::HUNT_OFFLINE.into()), inner),
        None | Some(Collected::NotCollected) => {
            frame.render_widget(text(messages::HUNT_LOADING.into()), inner)
        }
        Some(Collected::Failed(error)) => frame.render_widget(
            text(messages::missing_reason(Some(error))).style(Style::default().fg(app.theme.error)),
            inner,
        ),
        Some(Collected::Loaded(hunt)) => {
            let lines = summary(app, hunt);
            let [summary_area, table_area] = Layout::vertical([
                Constraint::Length(lines.len() as u16 + 1),
                Constraint::Min(2),
            ])
            .areas(inner);
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: true }),
                summary_area,
            );
            if hunt.peak.is_some() {
                frame.render_widget(contributors(app, hunt), table_area);
            }
        }
    }
}
