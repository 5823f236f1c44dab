//! The Logs tab of the function screen: recent errors and timeouts, cold
//! starts, memory use and embedded-metric-format documents, all from the
//! function's log group.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::aws::ErrorKind;
use crate::logs::Outcome;
use crate::model::{FunctionEntry, LogsData};
use crate::poll::MAX_LOG_PAGES;
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

/// Max memory used at or above this share of the memory size is a warning.
const MEMORY_WARNING_PERCENT: f64 = 90.0;

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let key = entry.key();
    let slot = app.fleet.drill.get(&key).map(|drill| &drill.logs);
    let mut lines: Vec<Line> = Vec::new();
    let error_style = Style::default().fg(app.theme.error);

    match slot {
        None if app.is_offline() => lines.push(Line::from(messages::DRILL_OFFLINE)),
        None => lines.push(Line::from(messages::LOGS_LOADING)),
        Some(slot) => {
            if let Some(error) = &slot.error {
                let text = match error.kind {
                    ErrorKind::NotFound => messages::log_group_missing(&log_group(entry)),
                    _ => messages::logs_failed(&error.to_string()),
                };
                lines.push(Line::from(Span::styled(text, error_style)));
            }
            match (&slot.data, slot.read_at) {
                (Some(data), Some(read_at)) => {
                    let mut header = messages::logs_window(
                        &data.log_group,
                        (data.window_end - data.window_start).num_minutes(),
                        &format::age(read_at, app.now),
                        data.events_read,
                    );
                    if slot.is_loading() {
                        header.push_str(" (refreshing…)");
                    }
                    lines.push(Line::from(Span::styled(
                        header,
                        Style::default().fg(app.theme.muted),
                    )));
                    if data.truncated {
                        lines.push(Line::from(Span::styled(
                            messages::logs_truncated(MAX_LOG_PAGES),
                            Style::default().fg(app.theme.warning),
                        )));
                    }
                    summary(app, entry, data, &mut lines);
                }
                _ if slot.error.is_none() => lines.push(Line::from(messages::LOGS_LOADING)),
                _ => {}
            }
        }
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}

fn log_group(entry: &FunctionEntry) -> String {
    entry.function.log_group.clone().unwrap_or_else(|| {
        format!(
            "{}{}",
            crate::aws::LAMBDA_LOG_GROUP_PREFIX,
            entry.function.name
        )
    })
}

fn section<'a>(app: &App, title: String) -> Line<'a> {
    Line::from(Span::styled(
        title,
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    ))
}

fn summary(app: &App, entry: &FunctionEntry, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    // The short sections go first, so the long error list does not push
    // them off screen.
    cold_starts(app, data, lines);
    memory(app, data, lines);
    embedded_metrics(app, data, lines);
    problems(app, entry, data, lines);
}

/// "timed out at limit (3s)" for an invocation that ran the whole timeout.
pub fn timeout_label(timed_out_at_limit: bool, timeout_s: Option<i32>) -> String {
    match (timed_out_at_limit, timeout_s) {
        (true, Some(limit)) => format!("timed out at limit ({})", format::seconds(limit)),
        (true, None) => "timed out at limit".to_string(),
        (false, _) => "timed out".to_string(),
    }
}

fn problems(app: &App, entry: &FunctionEntry, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(
        app,
        format!(
            "Errors and timeouts, newest first: errors {}, timeouts {}",
            data.errors, data.timeouts
        ),
    ));
    if data.problems.is_empty() {
        lines.push(Line::from(format!("  {}", messages::NO_PROBLEMS)));
        return;
    }
    for problem in &data.problems {
        let time = problem
            .timestamp
            .map_or(NO_DATA.to_string(), |t| t.format("%H:%M:%S").to_string());
        let version = problem
            .version
            .as_deref()
            .map_or(NO_DATA.to_string(), |v| format!("v{v}"));
        let (label, detail) = match problem.outcome {
            Outcome::Timeout => (
                "TIMEOUT",
                format!(
                    "{}: {}",
                    timeout_label(problem.timed_out_at_limit, entry.function.timeout_s),
                    problem.message
                ),
            ),
            _ => ("ERROR", problem.message.replace('\t', " ")),
        };
        let style = match problem.outcome {
            Outcome::Timeout => Style::default().fg(app.theme.warning),
            _ => Style::default().fg(app.theme.error),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {time} {label:<7} {version:<5} "), style),
            Span::styled(
                format!("{} ", problem.request_id),
                Style::default().fg(app.theme.muted),
            ),
            Span::raw(detail),
        ]));
    }
}

fn cold_starts(app: &App, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Cold starts".to_string()));
    let Some(share) = data.cold_start_share() else {
        lines.push(Line::from(format!("  {}", messages::NO_REPORTS)));
        return;
    };
    lines.push(Line::from(format!(
        "  {} of {} invocations ({})",
        data.cold_starts,
        data.reports,
        format::percent(Some(share))
    )));
    match data.init_distribution() {
        Some(init) => lines.push(Line::from(format!(
            "  init duration  min {}  median {}  p90 {}  max {}",
            format::millis(Some(init.min)),
            format::millis(Some(init.median)),
            format::millis(Some(init.p90)),
            format::millis(Some(init.max)),
        ))),
        None => lines.push(Line::from("  init duration  no cold start in the window")),
    }
    for failure in &data.init_failures {
        let status = failure
            .status
            .as_ref()
            .map_or(NO_DATA, |status| status.as_str());
        lines.push(Line::from(Span::styled(
            format!(
                "  INIT_REPORT {} phase {} status {}{}",
                format::millis(Some(failure.init_duration_ms)),
                failure.phase.as_deref().unwrap_or(NO_DATA),
                status,
                failure
                    .error_type
                    .as_deref()
                    .map(|kind| format!(" ({kind})"))
                    .unwrap_or_default(),
            ),
            Style::default().fg(app.theme.warning),
        )));
    }
}

fn memory(app: &App, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Memory".to_string()));
    let (Some(used), Some(size), Some(percent)) = (
        data.max_memory_used_mb,
        data.memory_size_mb,
        data.memory_used_percent(),
    ) else {
        lines.push(Line::from(format!("  {}", messages::NO_REPORTS)));
        return;
    };
    let text = format!("  max used {used} MB of {size} MB ({percent:.0} %)");
    let line = if percent >= MEMORY_WARNING_PERCENT {
        Line::from(Span::styled(
            format!("{text}: near the limit"),
            Style::default().fg(app.theme.warning),
        ))
    } else {
        Line::from(text)
    };
    lines.push(line);
}

/// One line per distinct metric and problem, with how many documents had
/// it, because a function writes the same document on every invocation.
fn embedded_metrics(app: &App, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Embedded metrics (EMF)".to_string()));
    if data.emf.is_empty() {
        lines.push(Line::from(format!("  {}", messages::NO_EMF)));
        return;
    }
    // Distinct lines in the order first seen (newest first), each with the
    // newest values and the number of documents.
    struct Distinct {
        text: String,
        problem: bool,
        newest_values: Option<String>,
        documents: usize,
    }
    let mut distinct: Vec<Distinct> = Vec::new();
    for sample in &data.emf {
        let metrics = sample.document.metrics.iter().map(|metric| {
            let values: Vec<String> = metric.values.iter().map(f64::to_string).collect();
            (metric_text(metric), false, Some(values.join(", ")))
        });
        let problems = sample
            .document
            .problems
            .iter()
            .map(|problem| (format!("⚠ {problem}"), true, None));
        for (text, problem, values) in metrics.chain(problems) {
            match distinct.iter_mut().find(|known| known.text == text) {
                Some(known) => known.documents += 1,
                None => distinct.push(Distinct {
                    text,
                    problem,
                    newest_values: values,
                    documents: 1,
                }),
            }
        }
    }
    for item in distinct {
        let values = item
            .newest_values
            .map(|values| format!("  newest = {values}"))
            .unwrap_or_default();
        let text = format!(
            "  {}{values}  (in {} of {} documents)",
            item.text,
            item.documents,
            data.emf.len()
        );
        let line = if item.problem {
            Line::from(Span::styled(text, Style::default().fg(app.theme.warning)))
        } else {
            Line::from(text)
        };
        lines.push(line);
    }
}

/// "shop/orders OrdersPlaced Count {service=orders-api}", as CloudWatch
/// would publish it.
fn metric_text(metric: &crate::logs::EmfMetric) -> String {
    let dimensions: Vec<String> = metric
        .dimension_sets
        .iter()
        .map(|set| {
            if set.is_empty() {
                "no dimensions".to_string()
            } else {
                let pairs: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{{{}}}", pairs.join(", "))
            }
        })
        .collect();
    format!(
        "{} {}{}  {}",
        metric.namespace,
        metric.name,
        metric
            .unit
            .as_deref()
            .map(|unit| format!(" {unit}"))
            .unwrap_or_default(),
        dimensions.join(" "),
    )
}

#[cfg(test)]
mod tests {
    use super::timeout_label;

    #[test]
    fn timeout_at_limit_label() {
        assert_eq!(timeout_label(true, Some(180)), "timed out at limit (3m)");
        assert_eq!(timeout_label(false, Some(180)), "timed out");
    }
}
