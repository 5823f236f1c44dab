//! The Traces tab of the function screen: recent X-Ray traces with faults
//! first, and the waterfall of one trace with the error lines its
//! invocation logged.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::aws::ErrorKind;
use crate::model::{DecodedTrace, DrillSlot, FunctionEntry, LogsData, TraceNode, TracesData};
use crate::poll::WINDOW_MINUTES;
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

/// Width of the name column of the waterfall.
const NAME_WIDTH: usize = 30;

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let key = entry.key();
    let slot = app.fleet.drill.get(&key).map(|drill| &drill.traces);
    let logs_slot = app.fleet.drill.get(&key).map(|drill| &drill.logs);

    let mut lines = status_lines(app, entry, slot);
    let Some(data) = slot.and_then(|slot| slot.data.as_ref()) else {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    };

    let open = app
        .drill
        .open_trace
        .as_deref()
        .map(|id| data.traces.iter().find(|trace| trace.id == id));
    match open {
        Some(Some(trace)) => {
            let logs = logs_slot.and_then(|slot| slot.data.as_ref());
            waterfall(app, trace, logs, logs_slot, area.width, &mut lines);
            let paragraph = Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((app.drill.waterfall_scroll, 0));
            frame.render_widget(paragraph, area);
        }
        Some(None) => {
            lines.push(Line::from(messages::TRACE_GONE));
            frame.render_widget(Paragraph::new(lines), area);
        }
        None => {
            let logs = logs_slot.and_then(|slot| slot.data.as_ref());
            let rows = trace_list(app, data, logs, &mut lines);
            // Keep the selected row on screen below the fixed header lines.
            let visible = usize::from(area.height).saturating_sub(lines.len()).max(1);
            let offset = app.drill.trace_cursor.saturating_sub(visible - 1);
            lines.extend(rows.into_iter().skip(offset));
            frame.render_widget(Paragraph::new(lines), area);
        }
    }
}

/// Builds the window line, or the reason there is nothing to show.
fn status_lines<'a>(
    app: &App,
    entry: &FunctionEntry,
    slot: Option<&DrillSlot<TracesData>>,
) -> Vec<Line<'a>> {
    let muted = Style::default().fg(app.theme.muted);
    let error_style = Style::default().fg(app.theme.error);
    let mut lines = Vec::new();
    let Some(slot) = slot else {
        let text = if app.is_offline() {
            messages::DRILL_OFFLINE
        } else {
            messages::TRACES_LOADING
        };
        lines.push(Line::from(text));
        return lines;
    };
    if let Some(error) = &slot.error {
        let text = match error.kind {
            ErrorKind::Unsupported => messages::xray_unsupported(&error.to_string()),
            _ => messages::traces_failed(&error.to_string()),
        };
        lines.push(Line::from(Span::styled(text, error_style)));
    }
    match (&slot.data, slot.read_at) {
        (Some(data), Some(read_at)) => {
            let mut header = messages::traces_window(
                (data.window_end - data.window_start).num_minutes(),
                &format::age(read_at, app.now),
                data.traces.len(),
                data.ids_found,
            );
            if slot.is_loading() {
                header.push_str(" (refreshing…)");
            }
            lines.push(Line::from(Span::styled(header, muted)));
            if data.ids_from_log {
                lines.push(Line::from(Span::styled(messages::IDS_FROM_LOG, muted)));
            }
            if data.traces.is_empty() {
                lines.push(Line::default());
                lines.push(Line::from(messages::no_traces(
                    &entry.function.name,
                    WINDOW_MINUTES,
                )));
                if let Some(mode) = entry
                    .function
                    .tracing_mode
                    .as_deref()
                    .filter(|mode| *mode != "Active")
                {
                    lines.push(Line::from(messages::tracing_off(mode)));
                }
            }
        }
        _ if slot.error.is_none() => lines.push(Line::from(messages::TRACES_LOADING)),
        _ => {}
    }
    lines
}

fn flag_label(trace: &DecodedTrace) -> &'static str {
    match trace.severity_rank() {
        0 => "FAULT",
        1 => "ERROR",
        2 => "THROTTLE",
        _ => "ok",
    }
}

/// The version that served the trace, from the documents or the log.
fn version_label(trace: &DecodedTrace, logs: Option<&LogsData>) -> String {
    if let Some(version) = trace.version.as_deref() {
        return format!("v{version}");
    }
    if let Some(version) =
        logs.and_then(|logs| logs.version_of(trace.request_id.as_deref(), &trace.id))
    {
        return format!("v{version}");
    }
    match trace.qualifier.as_deref() {
        Some(alias) => format!("@{alias}"),
        None => NO_DATA.to_string(),
    }
}

/// Adds the list's header to `header` and returns one line per trace.
fn trace_list<'a>(
    app: &App,
    data: &TracesData,
    logs: Option<&LogsData>,
    header: &mut Vec<Line<'a>>,
) -> Vec<Line<'a>> {
    let mut rows = Vec::new();
    if data.traces.is_empty() {
        return rows;
    }
    header.push(Line::from(Span::styled(
        messages::TRACES_HINT,
        Style::default().fg(app.theme.muted),
    )));
    header.push(Line::from(Span::styled(
        format!(
            "  {:<8} {:<8} {:>8} {:>4} {:<7} {:<5} {}",
            "status", "start", "duration", "http", "version", "cold", "cause"
        ),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    )));
    let cursor = app.drill.trace_cursor.min(data.traces.len() - 1);
    for (index, trace) in data.traces.iter().enumerate() {
        let start = trace.start.map_or(NO_DATA.to_string(), |start| {
            start.format("%H:%M:%S").to_string()
        });
        let row = format!(
            "{} {:<8} {:<8} {:>8} {:>4} {:<7} {:<5} {}",
            if index == cursor { "›" } else { " " },
            flag_label(trace),
            start,
            format::millis(trace.duration_ms),
            trace
                .http_status
                .map_or(NO_DATA.to_string(), |s| s.to_string()),
            version_label(trace, logs),
            if trace.cold_start() { "cold" } else { "" },
            trace.cause.as_deref().unwrap_or(""),
        );
        let mut style = match trace.severity_rank() {
            0 | 1 => Style::default().fg(app.theme.error),
            2 => Style::default().fg(app.theme.warning),
            _ => Style::default(),
        };
        if index == cursor {
            style = style
                .bg(app.theme.selected_background)
                .add_modifier(Modifier::BOLD);
        }
        rows.push(Line::from(Span::styled(row, style)));
    }
    rows
}

fn waterfall<'a>(
    app: &App,
    trace: &DecodedTrace,
    logs: Option<&LogsData>,
    logs_slot: Option<&DrillSlot<LogsData>>,
    width: u16,
    lines: &mut Vec<Line<'a>>,
) {
    let title = Style::default()
        .fg(app.theme.title)
        .add_modifier(Modifier::BOLD);
    let muted = Style::default().fg(app.theme.muted);
    lines.push(Line::from(Span::styled(messages::WATERFALL_HINT, muted)));
    lines.push(Line::from(Span::styled(
        format!(
            "Trace {}  {}  served by {}  {}  HTTP {}",
            trace.id,
            flag_label(trace),
            version_label(trace, logs),
            format::millis(trace.duration_ms),
            trace
                .http_status
                .map_or(NO_DATA.to_string(), |s| s.to_string()),
        ),
        title,
    )));
    lines.push(Line::from(format!(
        "request id {}{}",
        trace.request_id.as_deref().unwrap_or(NO_DATA),
        if trace.cold_start() {
            "  cold start"
        } else {
            ""
        },
    )));
    if let Some(cause) = &trace.cause {
        lines.push(Line::from(Span::styled(
            format!("cause: {cause}"),
            Style::default().fg(app.theme.error),
        )));
    }
    lines.push(Line::default());

    let total = trace.duration_ms.unwrap_or(0.0).max(1.0);
    let bar_width = usize::from(width)
        .saturating_sub(NAME_WIDTH + 48)
        .clamp(10, 60);
    for node in &trace.nodes {
        lines.push(node_line(app, node, total, bar_width));
    }

    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Downstream services", title)));
    if trace.downstream.is_empty() {
        lines.push(Line::from("  none called in this trace"));
    }
    for call in &trace.downstream {
        let failed = if call.failed > 0 {
            format!(", failed {}", call.failed)
        } else {
            String::new()
        };
        let style = if call.failed > 0 {
            Style::default().fg(app.theme.error)
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  {} ({}): calls {}{failed}",
                call.name, call.namespace, call.calls
            ),
            style,
        )));
    }

    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Log lines of this invocation",
        title,
    )));
    match (logs, logs_slot) {
        (Some(logs), _) => {
            let problems = logs.problems_for(trace.request_id.as_deref(), &trace.id);
            if problems.is_empty() {
                lines.push(Line::from(format!("  {}", messages::NO_ERROR_LINES)));
            }
            for problem in problems {
                let time = problem
                    .timestamp
                    .map_or(NO_DATA.to_string(), |t| t.format("%H:%M:%S").to_string());
                lines.push(Line::from(Span::styled(
                    format!("  {time} {}", problem.message.replace('\t', " ")),
                    Style::default().fg(app.theme.error),
                )));
            }
        }
        (None, Some(slot)) if slot.error.is_some() => {
            let error = slot
                .error
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            lines.push(Line::from(format!("  {}", messages::logs_failed(&error))));
        }
        _ => lines.push(Line::from(format!("  {}", messages::LOGS_LOADING))),
    }
}

fn node_line<'a>(app: &App, node: &TraceNode, total: f64, bar_width: usize) -> Line<'a> {
    let indent = "  ".repeat(node.depth.min(6));
    let name = format::fit(&format!("{indent}{}", node.name), NAME_WIDTH);
    let name = format!("{name:<NAME_WIDTH$}");
    let start = ((node.start_offset_ms / total) * bar_width as f64).floor() as usize;
    let start = start.min(bar_width.saturating_sub(1));
    let length = match node.duration_ms {
        Some(duration) => (((duration / total) * bar_width as f64).round() as usize).max(1),
        None => bar_width - start,
    };
    let length = length.min(bar_width - start);
    let glyph = if node.in_progress() { "▒" } else { "█" };
    let bar = format!(
        "{}{}{}",
        " ".repeat(start),
        glyph.repeat(length),
        " ".repeat(bar_width - start - length)
    );

    let mut notes = Vec::new();
    notes.push(match node.duration_ms {
        Some(duration) => format::millis(Some(duration)),
        None => "in progress".to_string(),
    });
    if let Some(status) = node.http_status {
        notes.push(format!("HTTP {status}"));
    }
    if node.fault {
        notes.push("fault".to_string());
    }
    if node.error {
        notes.push("error".to_string());
    }
    if node.throttle {
        notes.push("throttle".to_string());
    }
    if node.is_initialization() {
        notes.push("cold start".to_string());
    }
    if node.parent_missing {
        notes.push("parent not in trace".to_string());
    }
    if let Some(cause) = &node.cause {
        notes.push(cause.clone());
    }

    let bar_style = if node.fault || node.error {
        Style::default().fg(app.theme.error)
    } else if node.throttle || node.is_initialization() {
        Style::default().fg(app.theme.warning)
    } else {
        Style::default().fg(app.theme.accent)
    };
    Line::from(vec![
        Span::raw(format!("{name} ")),
        Span::styled(bar, bar_style),
        Span::raw(format!(" {}", notes.join("  "))),
    ])
}
