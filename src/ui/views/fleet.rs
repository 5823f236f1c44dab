//! The fleet table, with its loading, empty and error states.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::checks::Severity;
use crate::model::{Source, SourceState};
use crate::ui::app::App;
use crate::ui::checklist;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;
use crate::ui::rows::{Column, FleetRow};

/// Display width of each column. The name column takes what is left.
fn width(column: Column) -> u16 {
    match column {
        Column::Name => 16,
        Column::Region => 14,
        Column::Runtime => 15,
        Column::Memory => 5,
        Column::Routing => 19,
        Column::Invocations => 7,
        Column::Trend => 15,
        Column::ErrorRate => 7,
        Column::Throttles => 4,
        Column::AvgDuration => 6,
        Column::MaxDuration => 12,
        Column::P99 => 6,
        Column::Concurrency => 4,
        Column::Modified => 9,
        Column::Checks => 8,
    }
}

/// Which columns survive on a narrow terminal, most important first.
const PRIORITY: [Column; 15] = [
    Column::Name,
    Column::Region,
    Column::ErrorRate,
    Column::Routing,
    Column::Checks,
    Column::Invocations,
    Column::Runtime,
    Column::Throttles,
    Column::MaxDuration,
    Column::AvgDuration,
    Column::P99,
    Column::Trend,
    Column::Concurrency,
    Column::Memory,
    Column::Modified,
];

/// The widest a function name gets; Lambda allows 64 characters.
const MAX_NAME_WIDTH: u16 = 64;

fn title(column: Column) -> &'static str {
    match column {
        Column::Name => "FUNCTION",
        Column::Region => "REGION",
        Column::Runtime => "RUNTIME",
        Column::Memory => "MEM",
        Column::Routing => "ROUTING",
        Column::Invocations => "INV 1h",
        Column::Trend => "TREND 1h",
        Column::ErrorRate => "ERR 5m",
        Column::Throttles => "THR",
        Column::AvgDuration => "AVG",
        Column::MaxDuration => "MAX/TIMEOUT",
        Column::P99 => "P99",
        Column::Concurrency => "CONC",
        Column::Modified => "MODIFIED",
        Column::Checks => "CHECKS",
    }
}

/// Picks the columns that fit `available` cells, keeping display order, and
/// the name column's width. Names get up to two fifths of the row before
/// other columns are dropped, and whatever is left over after that.
fn layout(available: u16, multi_region: bool, longest_name: u16) -> (Vec<Column>, u16) {
    let name_target = longest_name.clamp(width(Column::Name), MAX_NAME_WIDTH);
    let name_min = name_target.min((available * 2 / 5).max(width(Column::Name)));
    let mut chosen = vec![Column::Name];
    let mut used: u16 = name_min;
    for column in PRIORITY {
        if column == Column::Name || (column == Column::Region && !multi_region) {
            continue;
        }
        let needed = width(column) + 1;
        if used + needed <= available {
            used += needed;
            chosen.push(column);
        }
    }
    let name_width = (name_min + available.saturating_sub(used)).min(name_target);
    let ordered = Column::ALL
        .iter()
        .copied()
        .filter(|c| chosen.contains(c))
        .collect();
    (ordered, name_width)
}

fn cell<'a>(app: &App, row: &FleetRow<'_>, column: Column, name_width: u16) -> Cell<'a> {
    let theme = &app.theme;
    let function = &row.entry.function;
    let warn = Style::default().fg(theme.warning);
    let error = Style::default().fg(theme.error);
    let muted = Style::default().fg(theme.muted);
    match column {
        Column::Name => Cell::from(format::fit(&function.name, usize::from(name_width))),
        Column::Region => Cell::from(function.region.clone()),
        Column::Runtime => {
            let label = format::fit(&function.runtime_label(), usize::from(width(column)));
            if function.is_image() {
                Cell::from(label).style(muted)
            } else {
                Cell::from(label)
            }
        }
        Column::Memory => Cell::from(
            function
                .memory_mb
                .map_or(NO_DATA.to_string(), |m| m.to_string()),
        ),
        Column::Routing => {
            let weighted = row
                .entry
                .aliases
                .as_ref()
                .is_some_and(|aliases| aliases.iter().any(|a| a.is_weighted()));
            if row.canary_alert.is_some() {
                // A canary that fails far more than its primary version is
                // the first thing an on-call engineer needs to see.
                let label = format::fit(
                    &format!("✗{}", row.routing_label()),
                    usize::from(width(column)),
                );
                return Cell::from(label).style(error.add_modifier(Modifier::BOLD));
            }
            let label = format::fit(&row.routing_label(), usize::from(width(column)));
            if weighted {
                Cell::from(label).style(Style::default().fg(theme.accent))
            } else {
                Cell::from(label)
            }
        }
        Column::Invocations => Cell::from(format::count(row.invocations)),
        Column::Trend => Cell::from(format::sparkline(&row.trend, usize::from(width(column))))
            .style(Style::default().fg(theme.accent)),
        Column::ErrorRate => {
            let style = match row.error_rate {
                Some(rate) if rate >= 0.05 => error.add_modifier(Modifier::BOLD),
                Some(rate) if rate >= 0.01 => warn,
                _ => Style::default(),
            };
            let marker = match row.error_rate {
                Some(rate) if rate >= 0.05 => "✗",
                Some(rate) if rate >= 0.01 => "⚠",
                _ => "",
            };
            Cell::from(format!("{marker}{}", format::percent(row.error_rate))).style(style)
        }
        Column::Throttles => {
            let style = if row.throttles.is_some_and(|t| t > 0.0) {
                warn
            } else {
                Style::default()
            };
            Cell::from(format::count(row.throttles)).style(style)
        }
        Column::AvgDuration => Cell::from(format::millis(row.avg_ms)),
        Column::MaxDuration => {
            let timeout = function.timeout_s;
            let text = match timeout {
                Some(t) => format!("{}/{}", format::millis(row.max_ms), format::seconds(t)),
                None => format::millis(row.max_ms),
            };
            let share = match (row.max_ms, timeout) {
                (Some(max), Some(t)) if t > 0 => Some(max / (f64::from(t) * 1_000.0)),
                _ => None,
            };
            let style = match share {
                Some(s) if s >= 0.95 => error,
                Some(s) if s >= 0.8 => warn,
                _ => Style::default(),
            };
            Cell::from(text).style(style)
        }
        Column::P99 => {
            let status = app
                .fleet
                .source_status(&function.region, Source::Percentiles);
            match (row.p99_ms, &status.state) {
                (None, SourceState::Error { .. } | SourceState::Unsupported { .. }) => {
                    Cell::from("n/a").style(muted)
                }
                (value, _) => Cell::from(format::millis(value)),
            }
        }
        Column::Concurrency => Cell::from(format::count(row.peak_concurrency)),
        Column::Checks => {
            let checklist = row.entry.checklist.as_ref();
            let style = match checklist.and_then(|c| c.worst_failure()) {
                Some(Severity::Critical) => error.add_modifier(Modifier::BOLD),
                Some(Severity::High) => error,
                Some(Severity::Medium) => warn,
                Some(Severity::Low | Severity::Info) => muted,
                None if checklist.is_some() => Style::default().fg(theme.ok),
                None => muted,
            };
            Cell::from(checklist::fleet_cell(checklist)).style(style)
        }
        Column::Modified => Cell::from(function.last_modified.map_or(NO_DATA.to_string(), |t| {
            format!("{} ago", format::age(t, app.now))
        })),
    }
}

fn block_title(app: &App, shown: usize) -> Line<'static> {
    let total = app.fleet.function_count();
    let arrow = if app.sort.descending { "↓" } else { "↑" };
    let mut title = format!(" Functions {shown}");
    if shown != total {
        title.push_str(&format!(" of {total}"));
    }
    title.push_str(&format!(
        "  sort {} {arrow} ",
        self::title(app.sort.column).to_lowercase()
    ));
    Line::from(title)
}

/// The message for a table without rows: loading, empty, failed or
/// filtered out.
fn empty_message(app: &App) -> (String, bool) {
    let fleet = &app.fleet;
    if fleet.function_count() > 0 {
        return (messages::no_match(&app.filter_text), false);
    }
    let failures: Vec<String> = fleet
        .regions
        .iter()
        .filter_map(
            |region| match fleet.source_status(region, Source::Functions).state {
                SourceState::Error { detail } | SourceState::Unsupported { detail } => {
                    Some(messages::list_failed(region, &detail))
                }
                _ => None,
            },
        )
        .collect();
    if !failures.is_empty() {
        return (
            format!("{}\n\n{}", failures.join("\n"), messages::RETRY_HINT),
            true,
        );
    }
    let loading: Vec<&str> = fleet
        .regions
        .iter()
        .filter(|region| !fleet.functions_loaded(region))
        .map(String::as_str)
        .collect();
    if !loading.is_empty() {
        return (messages::loading_functions(&loading.join(", ")), false);
    }
    (messages::no_functions(&fleet.regions.join(", ")), false)
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let rows = app.rows();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(theme.border))
        .title(block_title(app, rows.len()));

    if rows.is_empty() {
        let (message, is_error) = empty_message(app);
        let style = if is_error {
            Style::default().fg(theme.error)
        } else {
            Style::default().fg(theme.muted)
        };
        let inner_height = area.height.saturating_sub(2);
        let lines = message.lines().count() as u16;
        let mut text: Vec<Line> =
            vec![Line::default(); usize::from(inner_height.saturating_sub(lines) / 2)];
        text.extend(
            message
                .lines()
                .map(|l| Line::from(Span::styled(l.to_string(), style))),
        );
        let paragraph = Paragraph::new(text)
            .block(block)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        frame.render_widget(paragraph, area);
        return;
    }

    let available = area.width.saturating_sub(2);
    let longest_name = rows
        .iter()
        .map(|row| row.entry.function.name.width())
        .max()
        .unwrap_or(0);
    let longest_name = u16::try_from(longest_name).unwrap_or(u16::MAX);
    let (columns, name_width) = layout(available, app.fleet.regions.len() > 1, longest_name);
    let header = Row::new(columns.iter().map(|c| {
        let mut text = title(*c).to_string();
        if *c == app.sort.column {
            text.push(if app.sort.descending { '↓' } else { '↑' });
        }
        Cell::from(text)
    }))
    .style(
        Style::default()
            .fg(theme.title)
            .add_modifier(Modifier::BOLD),
    );
    let body = rows
        .iter()
        .map(|row| Row::new(columns.iter().map(|c| cell(app, row, *c, name_width))));
    let widths = columns.iter().map(|c| match c {
        Column::Name => Constraint::Length(name_width),
        other => Constraint::Length(width(*other)),
    });
    let table = Table::new(body, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(
            Style::default()
                .fg(theme.selected_text)
                .bg(theme.selected_background),
        )
        .highlight_symbol("");
    let mut state = TableState::default().with_selected(app.selected_index(&rows));
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_layout_keeps_key_columns() {
        let (columns, name_width) = layout(78, false, 64);
        assert!(columns.contains(&Column::Name));
        assert!(columns.contains(&Column::ErrorRate));
        assert!(columns.contains(&Column::Routing));
        assert!(!columns.contains(&Column::Region));
        let used: u16 = columns
            .iter()
            .filter(|c| **c != Column::Name)
            .map(|c| width(*c) + 1)
            .sum::<u16>()
            + name_width;
        assert!(used <= 78, "layout uses {used} of 78 cells");
    }

    #[test]
    fn wide_layout_shows_everything() {
        let (columns, name_width) = layout(220, true, 64);
        assert_eq!(columns.len(), Column::ALL.len());
        assert_eq!(name_width, 64);
    }
}
