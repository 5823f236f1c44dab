//! The Metrics tab of the function screen: a chart of invocations and
//! errors, then per scope (the function, each alias, each executed version
//! of a weighted alias) one sparkline per metric. A period without a data
//! point is a gap in every chart, never a zero.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Wrap};

use crate::aws::ErrorKind;
use crate::model::drill_metrics::{DrillMetrics, Scope, ScopeMetrics, TimeRange};
use crate::model::{Collected, FunctionEntry, MetricSeries, VersionMetrics};
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

/// Width of a metric's name before its sparkline.
const LABEL_WIDTH: usize = 13;
/// Minimum height of the chart; below it the tab shows text only.
const CHART_HEIGHT: u16 = 9;

/// Builds the range selector line with the open range highlighted.
fn range_line(app: &App, metrics: Option<&DrillMetrics>) -> Line<'static> {
    let mut spans = vec![Span::raw("Range ")];
    for range in TimeRange::ALL {
        let style = if range == app.metrics_range {
            Style::default()
                .fg(app.theme.selected_text)
                .bg(app.theme.selected_background)
        } else {
            Style::default().fg(app.theme.muted)
        };
        spans.push(Span::styled(format!(" {} ", range.label()), style));
    }
    if let Some(metrics) = metrics {
        spans.push(Span::styled(
            format!(
                "   period {} s   {} to {} UTC",
                metrics.period_s,
                metrics.start.format("%m-%d %H:%M"),
                metrics.end.format("%m-%d %H:%M")
            ),
            Style::default().fg(app.theme.muted),
        ));
    }
    Line::from(spans)
}

/// Splits the chart's (x, y) points wherever a period has no data point,
/// so the line breaks there instead of falling to zero.
pub fn segments(buckets: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut segments = Vec::new();
    let mut current = Vec::new();
    for (index, bucket) in buckets.iter().enumerate() {
        match bucket {
            Some(value) => current.push((index as f64, *value)),
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

fn buckets(metrics: &DrillMetrics, series: &MetricSeries) -> Vec<Option<f64>> {
    series.buckets(metrics.start, metrics.end, metrics.period_s)
}

fn render_chart(frame: &mut Frame, area: Rect, app: &App, metrics: &DrillMetrics) {
    let Some(function) = metrics.function() else {
        return;
    };
    let invocations = segments(&buckets(metrics, &function.series.invocations));
    let errors = segments(&buckets(metrics, &function.series.errors));
    let count = buckets(metrics, &function.series.invocations).len().max(1);
    let max = function
        .series
        .invocations
        .max()
        .into_iter()
        .chain(function.series.errors.max())
        .fold(1.0_f64, f64::max);

    let mut datasets = Vec::new();
    for (index, segment) in invocations.iter().enumerate() {
        let dataset = Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(app.theme.accent))
            .data(segment);
        datasets.push(if index == 0 {
            dataset.name("invocations")
        } else {
            dataset
        });
    }
    for (index, segment) in errors.iter().enumerate() {
        let dataset = Dataset::default()
            .marker(symbols::Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(app.theme.error))
            .data(segment);
        datasets.push(if index == 0 {
            dataset.name("errors")
        } else {
            dataset
        });
    }
    let x_labels = vec![
        Span::raw(metrics.start.format("%m-%d %H:%M").to_string()),
        Span::raw(metrics.end.format("%m-%d %H:%M").to_string()),
    ];
    let chart = Chart::new(datasets)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(Style::default().fg(app.theme.border))
                // The title names each line in its own colour: a legend box
                // would cover the newest points of a chart this low.
                .title(Line::from(vec![
                    Span::raw(" function: "),
                    Span::styled("invocations", Style::default().fg(app.theme.accent)),
                    Span::raw(" and "),
                    Span::styled("errors", Style::default().fg(app.theme.error)),
                    Span::raw(format!(" per {} s ", metrics.period_s)),
                ])),
        )
        .x_axis(
            Axis::default()
                .bounds([0.0, count as f64])
                .labels(x_labels)
                .style(Style::default().fg(app.theme.muted)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, max])
                .labels(vec![Span::raw("0"), Span::raw(format::count(Some(max)))])
                .style(Style::default().fg(app.theme.muted)),
        );
    frame.render_widget(chart, area);
}

/// Buckets merged so that at most `width` remain: each output cell is the
/// maximum of its group, and a group without any data point stays a gap.
pub fn fit_buckets(buckets: &[Option<f64>], width: usize) -> Vec<Option<f64>> {
    if width == 0 || buckets.len() <= width {
        return buckets.to_vec();
    }
    let group = buckets.len().div_ceil(width);
    buckets
        .chunks(group)
        .map(|chunk| chunk.iter().flatten().copied().reduce(f64::max))
        .collect()
}

fn metric_line(
    app: &App,
    label: &str,
    trend: &[Option<f64>],
    width: usize,
    summary: String,
) -> Line<'static> {
    let line = if trend.iter().all(Option::is_none) {
        format!("{:width$}", NO_DATA)
    } else {
        format!(
            "{:width$}",
            format::sparkline(&fit_buckets(trend, width), width)
        )
    };
    Line::from(vec![
        Span::styled(
            format!("  {label:<LABEL_WIDTH$}"),
            Style::default().fg(app.theme.muted),
        ),
        Span::styled(line, Style::default().fg(app.theme.accent)),
        Span::raw(format!("  {summary}")),
    ])
}

fn p99_summary(scope: &ScopeMetrics) -> String {
    match &scope.p99_ms {
        Collected::Loaded(series) => summary_or(
            series,
            format!("max {}", format::millis(series.max())),
            messages::METRIC_NO_POINTS,
        ),
        Collected::Failed(error) if error.kind == ErrorKind::Unsupported => {
            messages::P99_UNSUPPORTED.to_string()
        }
        Collected::Failed(error) => error.to_string(),
        Collected::NotCollected => messages::missing_reason(None),
    }
}

fn scope_lines(
    app: &App,
    metrics: &DrillMetrics,
    scope: &ScopeMetrics,
    width: usize,
) -> Vec<Line<'static>> {
    let s = &scope.series;
    let spark = |series: &MetricSeries| buckets(metrics, series);
    let mut lines = vec![Line::from(Span::styled(
        scope.scope.label(),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    ))];

    lines.push(metric_line(
        app,
        "invocations",
        &spark(&s.invocations),
        width,
        summary_or(
            &s.invocations,
            format!("sum {}", format::count(s.invocations.sum())),
            messages::METRIC_NO_POINTS,
        ),
    ));
    lines.push(metric_line(
        app,
        "errors",
        &spark(&s.errors),
        width,
        summary_or(
            &s.errors,
            format!(
                "sum {}  rate {}",
                format::count(s.errors.sum()),
                format::percent(s.error_rate())
            ),
            messages::METRIC_NO_POINTS,
        ),
    ));
    lines.push(metric_line(
        app,
        "throttles",
        &spark(&s.throttles),
        width,
        summary_or(
            &s.throttles,
            format!("sum {}", format::count(s.throttles.sum())),
            messages::THROTTLES_NO_POINTS,
        ),
    ));

    // Duration Sum over Invocations weights each period by its traffic,
    // where an average of the per-period averages would not.
    let average = match (s.duration_sum_ms.sum(), s.invocations.sum()) {
        (Some(sum), Some(count)) if count > 0.0 => Some(sum / count),
        _ => None,
    };
    let duration = format!(
        "avg {}  max {}",
        format::millis(average),
        format::millis(s.duration_max_ms.max()),
    );
    // The row draws the Average series and divides the Sum series by the
    // invocations, so a point in any of the three is a value to show.
    let duration_empty = [&s.duration_avg_ms, &s.duration_sum_ms, &s.duration_max_ms]
        .iter()
        .all(|series| series.points.is_empty());
    lines.push(metric_line(
        app,
        "duration",
        &spark(&s.duration_avg_ms),
        width,
        if duration_empty {
            messages::METRIC_NO_POINTS.to_string()
        } else {
            duration
        },
    ));

    let p99_trend = match &scope.p99_ms {
        Collected::Loaded(p99) => spark(p99),
        _ => Vec::new(),
    };
    lines.push(metric_line(
        app,
        "duration p99",
        &p99_trend,
        width,
        p99_summary(scope),
    ));

    lines.push(metric_line(
        app,
        "concurrency",
        &spark(&s.concurrency_max),
        width,
        summary_or(
            &s.concurrency_max,
            format!("max {}", format::count(s.concurrency_max.max())),
            messages::METRIC_NO_POINTS,
        ),
    ));
    lines
}

/// Returns `summary`, or `empty` when `series` has no data point, so that
/// an empty row gives its reason instead of a bare "–".
fn summary_or(series: &MetricSeries, summary: String, empty: &str) -> String {
    if series.points.is_empty() {
        empty.to_string()
    } else {
        summary
    }
}

/// The executed versions of one weighted alias as version metrics, for the
/// verdict helper of the overview.
fn alias_versions(metrics: &DrillMetrics, alias: &str) -> Vec<VersionMetrics> {
    metrics
        .scopes
        .iter()
        .filter_map(|scope| match &scope.scope {
            Scope::Version {
                alias: owner,
                version,
            } if owner == alias => Some(VersionMetrics {
                alias: alias.to_string(),
                version: version.clone(),
                invocations: scope.series.invocations.clone(),
                errors: scope.series.errors.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// Joins two columns of lines, the left one padded to `half` columns, to
/// show the executed versions of a weighted alias side by side.
fn side_by_side(
    left: Vec<Line<'static>>,
    right: Vec<Line<'static>>,
    half: usize,
) -> Vec<Line<'static>> {
    let rows = left.len().max(right.len());
    let mut left = left.into_iter();
    let mut right = right.into_iter();
    (0..rows)
        .map(|_| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            let left_line = left.next().unwrap_or_default();
            let used: usize = left_line.spans.iter().map(|s| s.width()).sum();
            spans.extend(left_line.spans);
            spans.push(Span::raw(" ".repeat(half.saturating_sub(used))));
            spans.extend(right.next().unwrap_or_default().spans);
            Line::from(spans)
        })
        .collect()
}

fn status_lines(app: &App, metrics: &DrillMetrics) -> Vec<Line<'static>> {
    let warning = Style::default().fg(app.theme.warning);
    let mut lines = Vec::new();
    if metrics.is_partial() {
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ {}: {}",
                messages::METRICS_PARTIAL,
                metrics.partial.join("; ")
            ),
            warning.add_modifier(Modifier::BOLD),
        )));
    }
    for message in &metrics.messages {
        lines.push(Line::from(Span::styled(
            format!(
                "⚠ CloudWatch message {}: {}",
                message.code.as_deref().unwrap_or("-"),
                message.value
            ),
            warning,
        )));
    }
    if metrics.messages.iter().any(|m| m.is_forbidden()) {
        lines.push(Line::from(Span::styled(
            format!("✗ {}", messages::METRICS_FORBIDDEN_HINT),
            Style::default().fg(app.theme.error),
        )));
    }
    lines
}

/// Builds every text line of the tab below the chart.
pub fn body_lines(app: &App, metrics: &DrillMetrics, width: u16) -> Vec<Line<'static>> {
    let mut lines = status_lines(app, metrics);
    let forbidden = metrics.messages.iter().any(|m| m.is_forbidden());
    if metrics.has_no_data() && !forbidden {
        lines.push(Line::from(messages::METRICS_NO_DATA));
    }
    // A sparkline never needs more cells than the range has periods.
    let periods = ((metrics.end - metrics.start).num_seconds() / metrics.period_s.max(1)).max(1);
    let periods = usize::try_from(periods).unwrap_or(usize::MAX);
    let full = usize::from(width)
        .saturating_sub(LABEL_WIDTH + 40)
        .clamp(10, 120)
        .min(periods);
    for scope in metrics
        .scopes
        .iter()
        .filter(|s| !matches!(s.scope, Scope::Version { .. }))
    {
        lines.push(Line::default());
        lines.extend(scope_lines(app, metrics, scope, full));
        let Scope::Alias(alias) = &scope.scope else {
            continue;
        };
        let versions: Vec<&ScopeMetrics> = metrics
            .scopes
            .iter()
            .filter(|s| matches!(&s.scope, Scope::Version { alias: owner, .. } if owner == alias))
            .collect();
        if versions.is_empty() {
            continue;
        }
        let since: DateTime<Utc> = metrics.start;
        if let Some(verdict) =
            super::detail::version_verdict(&alias_versions(metrics, alias), since)
        {
            lines.push(Line::from(Span::styled(
                format!("  {verdict}"),
                Style::default().add_modifier(Modifier::BOLD),
            )));
        }
        let half = usize::from(width) / 2;
        let narrow = half.saturating_sub(LABEL_WIDTH + 34).clamp(6, 60);
        for pair in versions.chunks(2) {
            let left = scope_lines(app, metrics, pair[0], narrow);
            let right = pair
                .get(1)
                .map(|scope| scope_lines(app, metrics, scope, narrow))
                .unwrap_or_default();
            lines.extend(side_by_side(left, right, half));
        }
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let state = app.fleet.drill_metrics.get(&entry.key());
    let loaded = state.and_then(|s| s.result.loaded());
    let [range_area, body_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(range_line(app, loaded)), range_area);

    let Some(state) = state else {
        let text = if app.is_offline() {
            messages::METRICS_OFFLINE
        } else {
            messages::METRICS_LOADING
        };
        frame.render_widget(Paragraph::new(text), body_area);
        return;
    };
    let metrics = match &state.result {
        Collected::Loaded(metrics) => metrics,
        Collected::NotCollected => {
            frame.render_widget(Paragraph::new(messages::METRICS_LOADING), body_area);
            return;
        }
        Collected::Failed(error) => {
            frame.render_widget(
                Paragraph::new(messages::missing_reason(Some(error)))
                    .style(Style::default().fg(app.theme.error))
                    .wrap(Wrap { trim: true }),
                body_area,
            );
            return;
        }
    };

    let mut lines = Vec::new();
    if state.is_loading() {
        lines.push(Line::from(Span::styled(
            format!(
                "{} ({} shown)",
                messages::METRICS_LOADING,
                metrics.range.label()
            ),
            Style::default().fg(app.theme.muted),
        )));
    }
    lines.extend(body_lines(app, metrics, body_area.width));
    let show_chart = body_area.height >= CHART_HEIGHT + 6 && !metrics.has_no_data();
    let text_area = if show_chart {
        let [chart_area, text_area] =
            Layout::vertical([Constraint::Length(CHART_HEIGHT), Constraint::Min(3)])
                .areas(body_area);
        render_chart(frame, chart_area, app, metrics);
        text_area
    } else {
        body_area
    };
    frame.render_widget(
        Paragraph::new(lines).scroll((app.detail_scroll, 0)),
        text_area,
    );
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn fit_buckets_keeps_gaps() {
        let merged = super::fit_buckets(&[Some(1.0), Some(3.0), None, None, Some(2.0), None], 3);
        assert_eq!(merged, vec![Some(3.0), None, Some(2.0)]);
        assert_eq!(super::fit_buckets(&[Some(1.0)], 10), vec![Some(1.0)]);
        assert_eq!(super::fit_buckets(&vec![Some(1.0); 1_440], 100).len(), 96);
    }

    #[test]
    fn segments_split_at_gaps() {
        let split = segments(&[Some(1.0), Some(2.0), None, None, Some(3.0), None]);
        assert_eq!(split, vec![vec![(0.0, 1.0), (1.0, 2.0)], vec![(4.0, 3.0)]]);
        assert!(segments(&[None, None]).is_empty());
    }
}
