//! Header: who and where the cockpit is looking, and each source's state.

use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::aws::is_aws_endpoint;
use crate::model::{Source, SourceState, SourceStatus};
use crate::ui::app::{App, Mode};
use crate::ui::format;
use crate::ui::messages;

/// Returns the age after which a source's last good data is shown as stale.
fn stale_after(source: Source) -> Duration {
    match source {
        Source::Metrics | Source::Percentiles => Duration::minutes(3),
        Source::Identity => Duration::hours(12),
        Source::Functions | Source::Aliases | Source::Versions | Source::Resources => {
            Duration::minutes(10)
        }
    }
}

// "checks" is the read of policies, URLs, mappings, alarms and logs that
// the checklist needs. Until it is done, the CHECKS column counts too few
// failures, so the status line shows the read as loading.
const REGION_SOURCES: [Source; 6] = [
    Source::Functions,
    Source::Aliases,
    Source::Versions,
    Source::Metrics,
    Source::Percentiles,
    Source::Resources,
];

fn is_stale(app: &App, source: Source, status: &SourceStatus) -> bool {
    !app.is_offline()
        && status
            .last_ok
            .is_some_and(|at| app.now - at > stale_after(source))
}

fn status_span<'a>(app: &App, source: Source, status: &SourceStatus) -> Vec<Span<'a>> {
    let theme = &app.theme;
    let label = source.label();
    let stale = is_stale(app, source, status);
    let (symbol, style) = match (&status.state, stale) {
        (SourceState::Loading, _) => ("…", Style::default().fg(theme.muted)),
        (SourceState::Error { .. }, _) => ("✗", Style::default().fg(theme.error)),
        (SourceState::Unsupported { .. }, _) => ("○", Style::default().fg(theme.muted)),
        (SourceState::Ok, true) => ("⚠", Style::default().fg(theme.warning)),
        (SourceState::Ok, false) => ("✓", Style::default().fg(theme.ok)),
    };
    let mut text = format!("{symbol} {label}");
    if matches!(status.state, SourceState::Unsupported { .. }) {
        text.push_str(" n/a");
    }
    if stale {
        text.push_str(" stale");
    }
    vec![Span::styled(text, style), Span::raw("  ")]
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let fleet = &app.fleet;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let muted = Style::default().fg(theme.muted);

    // Line 1: identity and target.
    let account = fleet
        .identity
        .as_ref()
        .and_then(|i| i.account.clone())
        .map(|a| format!("account {a}"))
        .unwrap_or_else(|| messages::NO_IDENTITY.to_string());
    let first = vec![
        Span::styled(
            format!(" {} ", messages::APP_NAME),
            Style::default()
                .fg(theme.selected_text)
                .bg(theme.title)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
        Span::styled(account, bold),
        Span::styled("  profile ", muted),
        Span::raw(
            fleet
                .profile
                .clone()
                .unwrap_or_else(|| "default".to_string()),
        ),
        Span::styled("  region ", muted),
        Span::raw(fleet.regions.join(",")),
    ];
    // Line 2: where requests go, how fresh the data is, and what the
    // cockpit's own reads cost.
    let mut second = Vec::new();
    let endpoint = fleet.endpoint.as_deref();
    second.push(Span::styled(" endpoint ", muted));
    match endpoint {
        Some(url) if !is_aws_endpoint(Some(url)) => {
            second.push(Span::styled(
                url.to_string(),
                Style::default().fg(theme.local_endpoint),
            ));
            second.push(Span::styled(
                format!(" [{}]", messages::NOT_AWS_BADGE),
                Style::default()
                    .fg(theme.local_endpoint)
                    .add_modifier(Modifier::BOLD),
            ));
        }
        Some(url) => second.push(Span::raw(url.to_string())),
        None => second.push(Span::raw("AWS")),
    }

    second.push(Span::raw("  "));

    match &app.mode {
        Mode::Offline { path } => {
            second.push(Span::styled(
                format!(" {} ", messages::OFFLINE_BADGE),
                Style::default().fg(theme.selected_text).bg(theme.warning),
            ));
            let taken_at = fleet
                .updated_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "unknown time".to_string());
            second.push(Span::raw(format!(" {} taken {taken_at}  ", path.display())));
        }
        Mode::Live => {
            // The offline badge already marks read-only. Live, the mode
            // would otherwise show only when a write is rejected.
            if app.deploy.read_only {
                second.push(Span::styled(
                    format!(" {} ", messages::READ_ONLY_BADGE),
                    Style::default().fg(theme.selected_text).bg(theme.warning),
                ));
                second.push(Span::raw(" "));
            }
            let age = fleet
                .updated_at
                .map(|t| format!("data {} ago  ", format::age(t, app.now)))
                .unwrap_or_else(|| "no data yet  ".to_string());
            second.push(Span::raw(age));
        }
    }
    second.push(Span::styled(
        format!("API ${:.4}", fleet.api_spend.usd()),
        muted,
    ));
    second.extend(budget_span(app));

    // Line 3: the state of every source.
    let mut third = vec![Span::raw(" ")];
    third.extend(status_span(app, Source::Identity, &fleet.identity_status));
    let multi_region = fleet.regions.len() > 1;
    for region in &fleet.regions {
        let statuses: Vec<(Source, SourceStatus)> = REGION_SOURCES
            .iter()
            .map(|source| (*source, fleet.source_status(region, *source)))
            .collect();
        let needs_attention = |(source, status): &&(Source, SourceStatus)| {
            !status.is_settled() || is_stale(app, *source, status)
        };
        // Several regions do not fit one line source by source: show a
        // region's sources only when one of them needs attention.
        if multi_region && !statuses.iter().any(|entry| needs_attention(&entry)) {
            third.push(Span::styled(
                format!("✓ {region}  "),
                Style::default().fg(theme.ok),
            ));
            continue;
        }
        if multi_region {
            third.push(Span::styled(format!("{region}: "), muted));
        }
        for (source, status) in statuses
            .iter()
            .filter(|entry| !multi_region || needs_attention(entry))
        {
            third.extend(status_span(app, *source, status));
        }
    }

    // Line 4: the first error in full, so its reason is readable.
    let first_error = std::iter::once(("", &fleet.identity_status))
        .chain(fleet.sources.iter().flat_map(|(region, by_source)| {
            by_source
                .values()
                .map(move |status| (region.as_str(), status))
        }))
        .find_map(|(region, status)| match &status.state {
            SourceState::Error { detail } => Some((region, detail.clone())),
            _ => None,
        });
    let fourth = match first_error {
        Some((region, detail)) => {
            let prefix = if region.is_empty() {
                String::new()
            } else {
                format!("{region}: ")
            };
            Line::from(Span::styled(
                format!(" ✗ {prefix}{detail}"),
                Style::default().fg(theme.error),
            ))
        }
        None => Line::default(),
    };

    let text = vec![
        Line::from(first),
        Line::from(second),
        Line::from(third),
        fourth,
    ];
    frame.render_widget(Paragraph::new(text), area);
}

/// Shows the worst budget's actual spend against its limit. Returns
/// nothing before the first read, so the header does not grow while budgets
/// load.
fn budget_span(app: &App) -> Option<Span<'static>> {
    use crate::model::Collected;
    use crate::model::cost::worst_budget;

    let theme = &app.theme;
    match &app.fleet.budgets {
        Collected::NotCollected => None,
        Collected::Failed(_) => Some(Span::styled(
            "  budgets n/a",
            Style::default().fg(theme.muted),
        )),
        Collected::Loaded(budgets) => {
            let Some(worst) = worst_budget(budgets) else {
                return Some(Span::styled(
                    "  no budget limit",
                    Style::default().fg(theme.muted),
                ));
            };
            let share = worst.actual_share();
            let style = match share {
                Some(s) if s >= 1.0 => Style::default().fg(theme.error),
                Some(s) if s >= 0.8 => Style::default().fg(theme.warning),
                _ => Style::default().fg(theme.ok),
            };
            Some(Span::styled(
                format!("  budget {} {}", worst.name, format::percent(share)),
                style,
            ))
        }
    }
}
