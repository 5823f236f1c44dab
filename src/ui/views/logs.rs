//! The Logs tab of the function screen: recent errors and timeouts, cold
//! starts, memory use and embedded-metric-format documents, all from the
//! function's log group.

use std::collections::BTreeMap;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::aws::ErrorKind;
use crate::logs::Outcome;
use crate::logs::summary::MAX_EMF_DOCUMENTS;
use crate::model::{EmfSample, FunctionEntry, LogsData};
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
/// it and which versions wrote them, because a function writes the same
/// document on every invocation.
fn embedded_metrics(app: &App, data: &LogsData, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    if data.emf.is_empty() {
        lines.push(section(app, "Embedded metrics (EMF)".to_string()));
        lines.push(Line::from(format!("  {}", messages::NO_EMF)));
        return;
    }
    let documents = data.emf.len();
    let scope = if documents >= MAX_EMF_DOCUMENTS {
        format!("the {documents} newest documents in the window")
    } else if documents == 1 {
        "1 document in the window".to_string()
    } else {
        format!("{documents} documents in the window")
    };
    lines.push(section(app, format!("Embedded metrics (EMF), {scope}")));
    for item in distinct_emf_lines(&data.emf) {
        let values = item
            .newest_values
            .as_ref()
            .map(|values| format!("  newest = {values}"))
            .unwrap_or_default();
        let text = format!("  {}{values}  ({})", item.text, item.share_text(documents));
        let line = if item.problem {
            Line::from(Span::styled(text, Style::default().fg(app.theme.warning)))
        } else {
            Line::from(text)
        };
        lines.push(line);
    }
}

/// One distinct metric or problem line of the EMF section.
#[derive(Debug, Clone, PartialEq)]
struct EmfLine {
    text: String,
    problem: bool,
    /// The values of the newest document with the metric.
    newest_values: Option<String>,
    /// Documents with the line; each counts once however often it has it.
    documents: usize,
    /// Documents by the version that wrote them, `None` for a log stream
    /// whose name carries no version.
    by_version: BTreeMap<Option<String>, usize>,
}

impl EmfLine {
    /// Formats the share, such as "in 6 of 20 documents, all from version
    /// 13". Versions appear only where the log streams name them.
    fn share_text(&self, total: usize) -> String {
        let noun = if total == 1 { "document" } else { "documents" };
        let share = format!("in {} of {total} {noun}", self.documents);
        let mut versions: Vec<(&Option<String>, &usize)> = self.by_version.iter().collect();
        if versions.iter().all(|(version, _)| version.is_none()) {
            return share;
        }
        if let [(Some(version), _)] = versions.as_slice() {
            return format!("{share}, all from version {version}");
        }
        // Most documents first, then by version number.
        versions.sort_by(|a, b| {
            b.1.cmp(a.1)
                .then_with(|| version_order(a.0).cmp(&version_order(b.0)))
        });
        let parts: Vec<String> = versions
            .iter()
            .map(|(version, count)| match version {
                Some(version) => format!("{count} from version {version}"),
                None => format!("{count} from a stream without a version"),
            })
            .collect();
        format!("{share}: {}", parts.join(", "))
    }
}

/// Orders numbered versions by number, before `$LATEST` and unknown ones.
fn version_order(version: &Option<String>) -> (u8, u64, String) {
    match version.as_deref() {
        Some(text) => match text.parse::<u64>() {
            Ok(number) => (0, number, String::new()),
            Err(_) => (1, 0, text.to_string()),
        },
        None => (2, 0, String::new()),
    }
}

/// Collects the distinct lines in the order first seen, newest document
/// first.
fn distinct_emf_lines(samples: &[EmfSample]) -> Vec<EmfLine> {
    let mut distinct: Vec<EmfLine> = Vec::new();
    for sample in samples {
        let document = &sample.document;
        let metrics = document.metrics.iter().map(|metric| {
            let values: Vec<String> = metric.values.iter().map(f64::to_string).collect();
            (metric_text(metric), false, Some(values.join(", ")))
        });
        let problems = document
            .problems
            .iter()
            .map(|problem| (format!("⚠ {problem}"), true, None));
        let mut seen_in_document: Vec<String> = Vec::new();
        for (text, problem, values) in metrics.chain(problems) {
            if seen_in_document.contains(&text) {
                continue;
            }
            let index = match distinct.iter().position(|known| known.text == text) {
                Some(index) => index,
                None => {
                    distinct.push(EmfLine {
                        text: text.clone(),
                        problem,
                        newest_values: values,
                        documents: 0,
                        by_version: BTreeMap::new(),
                    });
                    distinct.len() - 1
                }
            };
            let item = &mut distinct[index];
            item.documents += 1;
            *item.by_version.entry(document.version.clone()).or_default() += 1;
            seen_in_document.push(text);
        }
    }
    distinct
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
    use super::*;
    use crate::logs::parse_emf;

    /// Builds an orders-api document written by `version`, with the given
    /// `environment` value and count of placed orders.
    fn sample(version: Option<&str>, environment: &str, placed: u32) -> EmfSample {
        let line = format!(
            r#"{{"_aws":{{"CloudWatchMetrics":[{{"Namespace":"shop/orders","Dimensions":[["environment","service"]],"Metrics":[{{"Name":"OrdersPlaced","Unit":"Count"}}]}}]}},"environment":"{environment}","service":"orders-api","OrdersPlaced":[{placed}]}}"#
        );
        let mut document = parse_emf(&line).expect("an EMF document");
        document.version = version.map(str::to_string);
        EmfSample {
            timestamp: None,
            document,
        }
    }

    fn share(lines: &[EmfLine], prefix: &str, total: usize) -> String {
        lines
            .iter()
            .find(|line| line.text.starts_with(prefix))
            .map(|line| line.share_text(total))
            .unwrap_or_else(|| panic!("no line {prefix}: {lines:?}"))
    }

    #[test]
    fn emf_lines_grouped_by_version() {
        // 20 documents, newest first: 6 broken ones from the canary among
        // 14 valid ones from the stable version.
        let samples: Vec<EmfSample> = (0..20)
            .map(|n| {
                if n % 3 == 0 && n < 18 {
                    sample(Some("13"), "", 0)
                } else {
                    sample(Some("12"), "production", 1)
                }
            })
            .collect();
        let lines = distinct_emf_lines(&samples);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(
            share(&lines, "⚠ dimension `environment`", 20),
            "in 6 of 20 documents, all from version 13"
        );
        assert_eq!(
            share(&lines, "shop/orders OrdersPlaced Count  no dimensions", 20),
            "in 6 of 20 documents, all from version 13"
        );
        assert_eq!(
            share(
                &lines,
                "shop/orders OrdersPlaced Count  {environment=production, service=orders-api}",
                20
            ),
            "in 14 of 20 documents, all from version 12"
        );
        // The newest document is the canary's, with no order placed.
        assert_eq!(lines[0].newest_values.as_deref(), Some("0"));
        assert_eq!(lines[2].newest_values.as_deref(), Some("1"));
    }

    #[test]
    fn emf_lines_from_several_versions() {
        let samples = vec![
            sample(Some("14"), "", 0),
            sample(Some("13"), "", 0),
            sample(Some("13"), "", 0),
            sample(None, "", 0),
            sample(Some("$LATEST"), "", 0),
        ];
        let lines = distinct_emf_lines(&samples);
        assert_eq!(
            share(&lines, "⚠", 5),
            "in 5 of 5 documents: 2 from version 13, 1 from version 14, 1 from version $LATEST, 1 from a stream without a version"
        );
        let unknown = vec![sample(None, "", 0), sample(None, "production", 1)];
        let lines = distinct_emf_lines(&unknown);
        assert_eq!(share(&lines, "⚠", 2), "in 1 of 2 documents");
    }

    #[test]
    fn emf_line_counted_once_per_document() {
        // Two directives with the same metric and the same empty key: one
        // document, counted once on each line.
        let line = r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"ns","Dimensions":[["env"]],"Metrics":[{"Name":"M"}]},{"Namespace":"ns","Dimensions":[["env"]],"Metrics":[{"Name":"M"}]}]},"env":"","M":1}"#;
        let mut document = parse_emf(line).expect("an EMF document");
        document.version = Some("7".to_string());
        let samples = vec![EmfSample {
            timestamp: None,
            document,
        }];
        let lines = distinct_emf_lines(&samples);
        assert!(lines.iter().all(|line| line.documents == 1), "{lines:?}");
        assert_eq!(
            share(&lines, "⚠", 1),
            "in 1 of 1 document, all from version 7"
        );
    }

    #[test]
    fn timeout_at_limit_label() {
        assert_eq!(timeout_label(true, Some(180)), "timed out at limit (3m)");
        assert_eq!(timeout_label(false, Some(180)), "timed out");
    }
}
