//! The Budgets view: each AWS Budgets budget's actual and forecast spend
//! against its limit, and Lambda's spend per day from Cost Explorer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Wrap};

use crate::model::Collected;
use crate::model::cost::{Budget, DailySpend, expected_daily_spend, share_of};
use crate::ui::app::App;
use crate::ui::format::{self, NO_DATA};
use crate::ui::messages;

/// Width of a budget's bar at 100 % of its limit, in columns.
const BAR_WIDTH: usize = 40;

/// Draws a bar of `share` of the limit: full cells up to 100 %, then a
/// marker for the overrun. `None` (no limit or no amount) draws no bar.
fn bar(share: Option<f64>) -> String {
    let Some(share) = share else {
        return format!("{NO_DATA:<width$}", width = BAR_WIDTH + 1);
    };
    let filled = ((share.min(1.0)) * BAR_WIDTH as f64).round() as usize;
    let overrun = if share > 1.0 { '▶' } else { ' ' };
    format!(
        "{}{}{overrun}",
        "█".repeat(filled),
        "░".repeat(BAR_WIDTH - filled)
    )
}

fn money(value: Option<f64>, unit: &str) -> String {
    value.map_or(NO_DATA.to_string(), |v| format!("{v:.2} {unit}"))
}

fn budget_lines(app: &App, budget: &Budget) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let style_for = |share: Option<f64>| match share {
        Some(s) if s >= 1.0 => Style::default().fg(theme.error),
        Some(s) if s >= 0.8 => Style::default().fg(theme.warning),
        Some(_) => Style::default().fg(theme.ok),
        None => Style::default().fg(theme.muted),
    };
    let actual = budget.actual_share();
    let forecast = budget.forecast_share();
    vec![
        Line::from(vec![
            Span::styled(
                budget.name.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "  {} {} budget, limit {}",
                    budget.time_unit.to_lowercase(),
                    budget.budget_type.to_lowercase(),
                    money(budget.limit, &budget.unit)
                ),
                Style::default().fg(theme.muted),
            ),
        ]),
        Line::from(vec![
            Span::raw("  actual   "),
            Span::styled(bar(actual), style_for(actual)),
            Span::raw(format!(
                " {:>6}  {}",
                format::percent(actual),
                money(budget.actual, &budget.unit)
            )),
        ]),
        Line::from(vec![
            Span::raw("  forecast "),
            Span::styled(bar(forecast), style_for(forecast)),
            Span::raw(format!(
                " {:>6}  {}",
                format::percent(forecast),
                money(budget.forecast, &budget.unit)
            )),
        ]),
    ]
}

fn budgets_text(app: &App) -> Vec<Line<'static>> {
    match &app.fleet.budgets {
        Collected::NotCollected if app.is_offline() => {
            vec![Line::from(messages::COST_DATA_OFFLINE)]
        }
        Collected::NotCollected => vec![Line::from(messages::missing_reason(None))],
        Collected::Failed(error) => vec![Line::from(Span::styled(
            messages::missing_reason(Some(error)),
            Style::default().fg(app.theme.error),
        ))],
        Collected::Loaded(budgets) if budgets.is_empty() => {
            vec![Line::from(messages::NO_BUDGETS)]
        }
        Collected::Loaded(budgets) => {
            let mut lines: Vec<Line<'static>> = budgets
                .iter()
                .flat_map(|budget| budget_lines(app, budget))
                .collect();
            if !budgets.iter().any(|b| b.time_unit == "DAILY") {
                lines.push(Line::from(Span::styled(
                    messages::NO_DAILY_BUDGET,
                    Style::default().fg(app.theme.warning),
                )));
            }
            lines
        }
    }
}

/// Returns each day's spend as a share of the median day. The share is
/// `None` on a day without an amount, and on every day when the median is
/// zero, so no percentage is NaN or infinite.
pub fn shares_of_expected(days: &[DailySpend]) -> Vec<Option<f64>> {
    let expected = expected_daily_spend(days);
    days.iter()
        .map(|day| share_of(day.amount, expected))
        .collect()
}

fn spend_chart(frame: &mut Frame, area: Rect, app: &App, days: &[DailySpend]) {
    let shares = shares_of_expected(days);
    let max = days
        .iter()
        .filter_map(|day| day.amount)
        .fold(0.0_f64, f64::max);
    // BarChart draws integers, so amounts go in as thousandths of the unit.
    let bars: Vec<Bar> = days
        .iter()
        .zip(&shares)
        .map(|(day, share)| {
            let label = day.day.format("%d").to_string();
            let text = match day.amount {
                Some(amount) => format!("{amount:.2}"),
                None => NO_DATA.to_string(),
            };
            let style = match share {
                Some(s) if *s >= 2.0 => Style::default().fg(app.theme.error),
                _ => Style::default().fg(app.theme.accent),
            };
            Bar::default()
                .value((day.amount.unwrap_or(0.0).max(0.0) * 1_000.0).round() as u64)
                .label(Line::from(label))
                .text_value(text)
                .style(style)
        })
        .collect();
    let [chart_area, legend_area] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(2)]).areas(area);
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(5)
        .bar_gap(1)
        .max((max * 1_000.0).ceil().max(1.0) as u64);
    frame.render_widget(chart, chart_area);

    let unit = days.first().map_or("USD", |day| day.unit.as_str());
    let expected = expected_daily_spend(days);
    let last = days.last();
    let last_share = shares.last().copied().flatten();
    let estimated = days.iter().filter(|day| day.estimated).count();
    let zero_days = days.iter().filter(|day| day.amount == Some(0.0)).count();
    let legend = format!(
        "median day {}   last day {} ({} of median)   {} day(s) without spend   {} estimated day(s)   total {}",
        money(expected, unit),
        money(last.and_then(|d| d.amount), unit),
        format::percent(last_share),
        zero_days,
        estimated,
        money(
            days.iter().filter_map(|d| d.amount).reduce(|a, b| a + b),
            unit
        )
    );
    frame.render_widget(
        Paragraph::new(legend)
            .style(Style::default().fg(app.theme.muted))
            .wrap(Wrap { trim: true }),
        legend_area,
    );
}

pub fn render(frame: &mut Frame, area: Rect, app: &App) {
    let budget_lines = budgets_text(app);
    let height = (budget_lines.len() as u16 + 2).min(area.height / 2).max(3);
    let [budgets_area, spend_area] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(5)]).areas(area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(app.theme.border))
        .title(messages::BUDGETS_TITLE);
    frame.render_widget(
        Paragraph::new(budget_lines)
            .block(block)
            .scroll((app.detail_scroll, 0)),
        budgets_area,
    );

    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(app.theme.border))
        .title(messages::SPEND_TITLE);
    let inner = block.inner(spend_area);
    frame.render_widget(block, spend_area);
    match &app.fleet.lambda_spend {
        Collected::Loaded(days) if !days.is_empty() => spend_chart(frame, inner, app, days),
        Collected::Loaded(_) => frame.render_widget(Paragraph::new(messages::NO_SPEND), inner),
        Collected::NotCollected if app.is_offline() => frame.render_widget(
            Paragraph::new(messages::COST_DATA_OFFLINE).wrap(Wrap { trim: true }),
            inner,
        ),
        Collected::NotCollected => {
            frame.render_widget(Paragraph::new(messages::missing_reason(None)), inner)
        }
        Collected::Failed(error) => frame.render_widget(
            Paragraph::new(messages::missing_reason(Some(error)))
                .style(Style::default().fg(app.theme.error))
                .wrap(Wrap { trim: true }),
            inner,
        ),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(d: u32, amount: Option<f64>) -> DailySpend {
        DailySpend {
            day: NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date"),
            amount,
            unit: "USD".to_string(),
            estimated: false,
        }
    }

    #[test]
    fn zero_expected_spend_has_no_share() {
        let days = vec![day(1, Some(0.0)), day(2, Some(0.0)), day(3, Some(4.0))];
        let shares = shares_of_expected(&days);
        assert_eq!(shares, vec![None, None, None]);
        assert!(shares.iter().flatten().all(|s| s.is_finite()));
    }

    #[test]
    fn zero_day_is_zero_share_of_positive_median() {
        let days = vec![day(1, Some(2.0)), day(2, Some(0.0)), day(3, Some(2.0))];
        let shares = shares_of_expected(&days);
        assert_eq!(shares, vec![Some(1.0), Some(0.0), Some(1.0)]);
    }

    #[test]
    fn bar_marks_overrun() {
        assert!(bar(Some(1.2)).ends_with('▶'));
        assert!(!bar(Some(0.5)).contains('▶'));
        assert!(bar(None).starts_with(NO_DATA));
    }
}
