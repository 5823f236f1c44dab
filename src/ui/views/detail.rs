//! The function detail pane with two tabs: Overview (configuration, aliases
//! with their traffic split and per-version error rates, and versions) and
//! Checklist.

use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::model::{Collected, FunctionEntry, FunctionKey, Source, SourceState, VersionMetrics};
use crate::ui::app::{App, DetailTab};
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;
use crate::ui::rows::{FleetRow, RECENT_MINUTES};

fn field<'a>(app: &App, name: &str, value: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(
            format!("  {name:<20}"),
            Style::default().fg(app.theme.muted),
        ),
        Span::raw(value),
    ])
}

fn section<'a>(app: &App, title: &str) -> Line<'a> {
    Line::from(Span::styled(
        title.to_string(),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    ))
}

fn opt(value: Option<&str>) -> String {
    value.map_or(NO_DATA.to_string(), str::to_string)
}

/// "v13 errors 8.1 % vs v12 0.3 % (27x)" for a weighted alias, comparing
/// each extra version with the primary one over the recent window.
pub fn version_verdict(
    versions: &[VersionMetrics],
    since: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let (primary, others) = versions.split_first()?;
    let primary_rate = primary.error_rate_since(since);
    let parts: Vec<String> = others
        .iter()
        .map(|other| {
            let rate = other.error_rate_since(since);
            let ratio = match (rate, primary_rate) {
                (Some(new), Some(old)) if old > 0.0 => format!(" ({:.0}x)", new / old),
                _ => String::new(),
            };
            format!(
                "v{} errors {} vs v{} {}{ratio}",
                other.version,
                format::percent(rate),
                primary.version,
                format::percent(primary_rate)
            )
        })
        .collect();
    Some(parts.join("; "))
}

fn configuration(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    let f = &entry.function;
    lines.push(section(app, "Configuration"));
    lines.push(field(app, "ARN", f.arn.clone()));
    lines.push(field(app, "Runtime", f.runtime_label()));
    let package = match &f.package_type {
        crate::model::PackageType::Zip => "Zip".to_string(),
        crate::model::PackageType::Image => "Image".to_string(),
        crate::model::PackageType::Other(other) => other.clone(),
    };
    lines.push(field(app, "Package type", package));
    if !f.is_image() {
        lines.push(field(app, "Handler", opt(f.handler.as_deref())));
        lines.push(field(
            app,
            "Code size",
            format!("{} bytes", f.code_size_bytes),
        ));
    }
    lines.push(field(
        app,
        "Memory",
        f.memory_mb
            .map_or(NO_DATA.to_string(), |m| format!("{m} MB")),
    ));
    lines.push(field(
        app,
        "Timeout",
        f.timeout_s.map_or(NO_DATA.to_string(), format::seconds),
    ));
    lines.push(field(app, "Architectures", f.architectures.join(", ")));
    lines.push(field(
        app,
        "State",
        format!(
            "{} (last update {})",
            opt(f.state.as_deref()),
            opt(f.last_update_status.as_deref())
        ),
    ));
    lines.push(field(app, "Tracing", opt(f.tracing_mode.as_deref())));
    lines.push(field(app, "Role", opt(f.role.as_deref())));
    let vpc = match &f.vpc {
        Some(vpc) => format!(
            "{} subnets {} security groups {}",
            opt(vpc.vpc_id.as_deref()),
            vpc.subnet_ids.join(","),
            vpc.security_group_ids.join(",")
        ),
        None => "none".to_string(),
    };
    lines.push(field(app, "VPC", vpc));
    let env = if f.environment_keys.is_empty() {
        "none".to_string()
    } else {
        format!("{} (values hidden)", f.environment_keys.join(", "))
    };
    lines.push(field(app, "Environment", env));
    if !f.layers.is_empty() {
        lines.push(field(app, "Layers", f.layers.join(", ")));
    }
    // Absent fields here are Lambda's defaults, not missing data, so they
    // are named rather than shown as "–".
    lines.push(field(
        app,
        "Dead-letter queue",
        f.dead_letter_target
            .clone()
            .unwrap_or_else(|| messages::NO_DEAD_LETTER_QUEUE.to_string()),
    ));
    lines.push(field(
        app,
        "KMS key",
        f.kms_key_arn
            .clone()
            .unwrap_or_else(|| messages::DEFAULT_KMS_KEY.to_string()),
    ));
    let log_group = f
        .log_group
        .clone()
        .unwrap_or_else(|| messages::default_log_group(&f.name));
    let log_format = f
        .log_format
        .as_deref()
        .unwrap_or(messages::DEFAULT_LOG_FORMAT);
    lines.push(field(app, "Logs", format!("{log_group} ({log_format})")));
    lines.push(field(
        app,
        "Last modified",
        f.last_modified.map_or(NO_DATA.to_string(), |t| {
            format!(
                "{} ({} ago)",
                t.format("%Y-%m-%d %H:%M UTC"),
                format::age(t, app.now)
            )
        }),
    ));
    let tags = match &entry.tags {
        None => "…".to_string(),
        Some(tags) if tags.is_empty() => "none".to_string(),
        Some(tags) => tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("  "),
    };
    lines.push(field(app, "Tags", tags));
    if let Some(error) = &entry.detail_error {
        lines.push(Line::from(Span::styled(
            format!("  ✗ {error}"),
            Style::default().fg(app.theme.error),
        )));
    }
}

fn health(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    let row = FleetRow::new(&app.fleet, entry);
    lines.push(Line::default());
    lines.push(section(app, "Health (last hour)"));
    lines.push(field(
        app,
        "Invocations",
        format!(
            "{}  {}",
            format::count(row.invocations),
            format::sparkline(&row.trend, 60)
        ),
    ));
    lines.push(field(
        app,
        &format!("Errors ({RECENT_MINUTES} min)"),
        format::percent(row.error_rate),
    ));
    lines.push(field(app, "Throttles", format::count(row.throttles)));
    let p99 = match (
        row.p99_ms,
        app.fleet
            .source_status(&entry.function.region, Source::Percentiles)
            .state,
    ) {
        (None, SourceState::Error { detail } | SourceState::Unsupported { detail }) => {
            format!("n/a ({detail})")
        }
        (value, _) => format::millis(value),
    };
    lines.push(field(
        app,
        "Duration",
        format!(
            "avg {}  max {}  p99 {p99}",
            format::millis(row.avg_ms),
            format::millis(row.max_ms),
        ),
    ));
    lines.push(field(
        app,
        "Peak concurrency",
        format::count(row.peak_concurrency),
    ));
}

/// Alarms on the function or its aliases, ALARM first: during an incident
/// the firing ones are the evidence.
fn alarms(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Alarms"));
    let alarms = match &entry.resources.alarms {
        Collected::Loaded(alarms) => alarms,
        Collected::NotCollected => {
            lines.push(Line::from("  loading…"));
            return;
        }
        Collected::Failed(error) => {
            lines.push(Line::from(Span::styled(
                format!("  ✗ {error}"),
                Style::default().fg(app.theme.error),
            )));
            return;
        }
    };
    if alarms.is_empty() {
        lines.push(Line::from(
            "  none: no CloudWatch alarm watches this function",
        ));
        return;
    }
    let mut sorted: Vec<_> = alarms.iter().collect();
    sorted.sort_by_key(|alarm| (alarm.state.as_deref() != Some("ALARM"), alarm.name.clone()));
    for alarm in sorted {
        let state = alarm.state.as_deref().unwrap_or("unknown");
        let (symbol, style) = match state {
            "ALARM" => (
                "✗",
                Style::default()
                    .fg(app.theme.error)
                    .add_modifier(Modifier::BOLD),
            ),
            "OK" => ("✓", Style::default().fg(app.theme.ok)),
            _ => ("?", Style::default().fg(app.theme.muted)),
        };
        let scope = alarm
            .dimensions
            .get("Resource")
            .map_or(String::new(), |resource| format!(" on {resource}"));
        lines.push(Line::from(vec![
            Span::styled(format!("  {symbol} {state:<18}"), style),
            Span::raw(format!(
                "{} ({}{scope})",
                alarm.name,
                alarm.metric_name.as_deref().unwrap_or("metric math")
            )),
        ]));
    }
}

fn aliases(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Aliases"));
    let Some(aliases) = &entry.aliases else {
        lines.push(Line::from("  loading…"));
        return;
    };
    if aliases.is_empty() {
        lines.push(Line::from(
            "  no aliases: callers invoke $LATEST or a version directly",
        ));
        return;
    }
    let since = app
        .fleet
        .metrics_window
        .get(&entry.function.region)
        .map(|w| w.end - Duration::minutes(RECENT_MINUTES));
    for alias in aliases {
        let split = alias
            .traffic_split()
            .iter()
            .map(|(v, w)| format!("v{v} {:.0}%", w * 100.0))
            .collect::<Vec<_>>()
            .join(" + ");
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<20}", alias.name),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(split),
        ]));
        let versions: Vec<VersionMetrics> = entry
            .version_metrics
            .iter()
            .filter(|v| v.alias == alias.name)
            .cloned()
            .collect();
        let verdict = since
            .filter(|_| alias.is_weighted())
            .and_then(|since| version_verdict(&versions, since));
        if let Some(verdict) = verdict {
            lines.push(Line::from(Span::styled(
                format!("  {:<20}{verdict} ({RECENT_MINUTES} min)", ""),
                Style::default().fg(app.theme.accent),
            )));
        }
    }
}

fn versions(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    lines.push(Line::default());
    lines.push(section(app, "Versions"));
    let Some(versions) = &entry.versions else {
        lines.push(Line::from("  loading…"));
        return;
    };
    // Newest first: the rollback target is usually near the top.
    let mut sorted: Vec<_> = versions.iter().collect();
    sorted.sort_by_key(|v| std::cmp::Reverse(v.version.parse::<u64>().unwrap_or(u64::MAX)));
    for version in sorted {
        let modified = version.last_modified.map_or(NO_DATA.to_string(), |t| {
            t.format("%Y-%m-%d %H:%M").to_string()
        });
        lines.push(Line::from(format!(
            "  {:<10}{:<18}{}",
            version.version,
            modified,
            version.description.as_deref().unwrap_or("")
        )));
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, key: &FunctionKey) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(app.theme.border))
        .title(format!(" {} ({}) ", key.name, key.region));
    let Some(entry) = app.fleet.entry(key) else {
        let missing =
            Paragraph::new("This function is no longer in the function list. Esc goes back.")
                .block(block);
        frame.render_widget(missing, area);
        return;
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [tabs_area, body_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(tab_line(app, tabs_area.width)), tabs_area);
    match app.detail_tab {
        DetailTab::Overview => {}
        DetailTab::Checklist => return super::checklist::render(frame, body_area, app, entry),
        DetailTab::Metrics => return super::metrics::render(frame, body_area, app, entry),
        DetailTab::Traces => return super::traces::render(frame, body_area, app, entry),
        DetailTab::Logs => return super::logs::render(frame, body_area, app, entry),
        DetailTab::Cost => return super::cost::render(frame, body_area, app, entry),
        DetailTab::Findings => return super::findings::render(frame, body_area, app, entry),
        DetailTab::Deploy => return super::deploy::render(frame, body_area, app, entry),
    }
    let mut lines = Vec::new();
    configuration(app, entry, &mut lines);
    health(app, entry, &mut lines);
    alarms(app, entry, &mut lines);
    aliases(app, entry, &mut lines);
    versions(app, entry, &mut lines);
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(paragraph, body_area);
}

/// Builds the tab line: every tab with its number key, the open one highlighted,
/// and the checklist's failure count next to its name.
/// When the full names do not fit, the closed tabs show their first four
/// letters, so every number key stays visible on an 80-column terminal.
fn tab_line(app: &App, width: u16) -> Line<'static> {
    let failures = match &app.view {
        crate::ui::app::View::Detail(key) => app
            .fleet
            .entry(key)
            .and_then(|entry| entry.checklist.as_ref())
            .map(|c| c.failure_count()),
        _ => None,
    };
    let open = Style::default()
        .fg(app.theme.selected_text)
        .bg(app.theme.selected_background)
        .add_modifier(Modifier::BOLD);
    let closed = Style::default().fg(app.theme.muted);
    let full_width: usize = DetailTab::ALL
        .iter()
        .map(|tab| tab.label().chars().count() + 4)
        .sum::<usize>()
        + 3;
    let compact = full_width > usize::from(width);
    let mut spans = Vec::new();
    for tab in DetailTab::ALL {
        let name: String = if compact && tab != app.detail_tab {
            tab.label().chars().take(4).collect()
        } else {
            tab.label().to_string()
        };
        let mut label = format!("{} {}", tab.index() + 1, name);
        if tab == DetailTab::Checklist {
            match failures {
                Some(0) => label.push_str(" ✓"),
                Some(count) => label.push_str(&format!(" ✗{count}")),
                None => label.push_str(" …"),
            }
        }
        let style = if tab == app.detail_tab { open } else { closed };
        spans.push(Span::styled(format!(" {label} "), style));
    }
    Line::from(spans)
}
