//! The Cost tab of the function screen: the estimated cost per day and per
//! month at x86_64 and arm64 list prices, with the formula and its inputs,
//! memory advice, and Compute Optimizer's recommendation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::model::cost::{
    Architecture, DailyUsage, LambdaRecommendation, MemoryAdvice, downstream_wait_share, prices,
};
use crate::model::{Collected, FunctionEntry};
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

/// Invocations, Duration sum and window length behind the estimate, and
/// where they come from.
struct UsageInputs {
    source: String,
    invocations: Option<f64>,
    duration_sum_ms: Option<f64>,
    window_s: i64,
}

/// Picks the Metrics tab's series when loaded, because they cover the
/// chosen range, and otherwise the fleet poll's last window.
fn usage_inputs(app: &App, entry: &FunctionEntry) -> Option<UsageInputs> {
    let drill = app
        .fleet
        .drill_metrics
        .get(&entry.key())
        .and_then(|state| state.result.loaded());
    if let Some(function) = drill.and_then(|metrics| metrics.function().map(|f| (metrics, f))) {
        let (metrics, function) = function;
        return Some(UsageInputs {
            source: format!("Metrics tab series, last {}", metrics.range.label()),
            invocations: function.series.invocations.sum(),
            duration_sum_ms: function.series.duration_sum_ms.sum(),
            window_s: (metrics.end - metrics.start).num_seconds(),
        });
    }
    let metrics = entry.metrics.as_ref()?;
    let window = app.fleet.metrics_window.get(&entry.function.region)?;
    Some(UsageInputs {
        source: "fleet poll, last hour".to_string(),
        invocations: metrics.invocations.sum(),
        duration_sum_ms: metrics.duration_sum_ms.sum(),
        window_s: (window.end - window.start).num_seconds(),
    })
}

fn section(app: &App, title: &str) -> Line<'static> {
    Line::from(Span::styled(
        title.to_string(),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    ))
}

fn usd(value: f64) -> String {
    if value < 0.01 && value > 0.0 {
        format!("${value:.4}")
    } else {
        format!("${value:.2}")
    }
}

fn estimate_lines(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'static>>) {
    let muted = Style::default().fg(app.theme.muted);
    lines.push(section(app, "Estimated cost"));
    let current = Architecture::of(&entry.function.architectures);

    let Some(memory_mb) = entry.function.memory_mb else {
        lines.push(Line::from("  memory size unknown: no estimate"));
        return;
    };
    let Some(inputs) = usage_inputs(app, entry) else {
        lines.push(Line::from(format!("  {}", messages::missing_reason(None))));
        return;
    };

    lines.push(Line::from(Span::styled(
        format!(
            "  from {}: {} invocations, Duration sum {}, memory {memory_mb} MB, {}",
            inputs.source,
            format::count(inputs.invocations),
            format::millis(inputs.duration_sum_ms),
            current.label()
        ),
        muted,
    )));
    let Some(usage) = DailyUsage::from_window(
        memory_mb,
        inputs.invocations,
        inputs.duration_sum_ms,
        inputs.window_s,
    ) else {
        lines.push(Line::from(format!("  {}", messages::COST_NO_USAGE)));
        return;
    };
    price_lines(app, &usage, current, lines);
}

/// Adds the daily usage, the cost at both architectures, the arm64 saving,
/// the formula and the prices.
fn price_lines(
    app: &App,
    usage: &DailyUsage,
    current: Architecture,
    lines: &mut Vec<Line<'static>>,
) {
    let muted = Style::default().fg(app.theme.muted);
    lines.push(Line::from(format!(
        "  per day: {} requests, {:.1} GB-s",
        format::count(Some(usage.invocations)),
        usage.gb_seconds
    )));
    lines.push(Line::from(Span::styled(
        format!("  {:<10}{:>12}{:>14}", "", "per day", "per month"),
        muted,
    )));
    for architecture in [Architecture::X86_64, Architecture::Arm64] {
        let marker = if architecture == current {
            " (current)"
        } else {
            ""
        };
        lines.push(Line::from(format!(
            "  {:<10}{:>12}{:>14}{marker}",
            architecture.label(),
            usd(usage.usd_per_day(architecture)),
            usd(usage.usd_per_month(architecture)),
        )));
    }

    let saving = usage.arm64_saving_per_month();
    lines.push(Line::from(match current {
        Architecture::X86_64 => format!(
            "  arm64 would save about {} per month at the same duration (often it also runs faster).",
            usd(saving)
        ),
        Architecture::Arm64 => format!(
            "  already arm64: x86_64 would cost about {} more per month.",
            usd(saving)
        ),
    }));

    lines.push(Line::from(Span::styled(
        format!("  {}", messages::COST_FORMULA),
        muted,
    )));
    lines.push(Line::from(Span::styled(
        format!(
            "  prices: x86_64 ${} and arm64 ${} per GB-s, ${:.2} per million requests ({}); free tier not deducted",
            prices::USD_PER_GB_SECOND_X86,
            prices::USD_PER_GB_SECOND_ARM64,
            prices::USD_PER_MILLION_REQUESTS,
            prices::SOURCE
        ),
        muted,
    )));
}

fn advice_text(advice: MemoryAdvice) -> &'static str {
    match advice {
        MemoryAdvice::CpuBound => {
            "  CPU-bound: more memory brings more CPU, so duration falls and cost stays about flat; raise memory for latency."
        }
        MemoryAdvice::WaitBound => {
            "  Mostly waiting on external APIs: more memory does not shorten the wait, so cost grows with memory; keep it low."
        }
        MemoryAdvice::Mixed => {
            "  Part compute, part waiting: measure duration at two memory sizes before changing it."
        }
        MemoryAdvice::CannotTell => {
            "  Cannot tell: no measurement of how long the handler waits on downstream calls; open the Traces tab to read X-Ray traces. CPU-bound handlers speed up with memory at about flat cost; handlers that wait on external APIs do not, and cost grows."
        }
    }
}

fn recommendation_lines(recommendation: &LambdaRecommendation) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(format!(
        "  finding {}{}  current {} MB",
        recommendation.finding,
        if recommendation.finding_reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", recommendation.finding_reasons.join(", "))
        },
        recommendation
            .current_memory_mb
            .map_or(NO_DATA.to_string(), |m| m.to_string())
    ))];
    for option in &recommendation.options {
        lines.push(Line::from(format!(
            "  option {} MB, saving {} per month",
            option.memory_mb,
            option.saving_usd_per_month.map_or(NO_DATA.to_string(), usd)
        )));
    }
    lines
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let mut lines = Vec::new();
    estimate_lines(app, entry, &mut lines);

    lines.push(Line::default());
    lines.push(section(app, "Memory advice"));
    // The Traces tab reads the traces; without them the advice cannot tell.
    let traces = app
        .fleet
        .drill
        .get(&entry.key())
        .and_then(|drill| drill.traces.data.as_ref())
        .map(|data| data.traces.as_slice())
        .unwrap_or_default();
    let wait_share = downstream_wait_share(traces);
    if let Some(share) = wait_share {
        lines.push(Line::from(Span::styled(
            format!(
                "  {} of handler time waits on downstream calls in {} trace(s) of the Traces tab",
                format::percent(Some(share)),
                traces.len()
            ),
            Style::default().fg(app.theme.muted),
        )));
    }
    lines.push(Line::from(advice_text(MemoryAdvice::from_wait_share(
        wait_share,
    ))));

    lines.push(Line::default());
    lines.push(section(app, "Compute Optimizer"));
    match &entry.resources.compute_optimizer {
        Collected::Loaded(Some(recommendation)) => {
            lines.extend(recommendation_lines(recommendation));
        }
        Collected::Loaded(None) => lines.push(Line::from("  no recommendation for this function")),
        Collected::NotCollected => lines.push(Line::from(format!(
            "  unknown: {}",
            messages::missing_reason(None)
        ))),
        Collected::Failed(error) => lines.push(Line::from(Span::styled(
            format!("  unknown: {}", messages::missing_reason(Some(error))),
            Style::default().fg(app.theme.muted),
        ))),
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.detail_scroll, 0)),
        area,
    );
}
