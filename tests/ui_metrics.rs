//! UI tests of the Metrics and Cost tabs and the Budgets and Hunt views:
//! drive the app with key events, feed it the data layer's results, and
//! compare the screen with committed insta snapshots.

mod common;

use anshin::aws::{AwsError, ErrorKind};
use anshin::model::cost::{Budget, DailySpend};
use anshin::model::drill_metrics::{
    DrillMetrics, HuntContributor, HuntResult, HuntWindow, MetricMessage, Scope, ScopeMetrics,
    ScopeSeries, TimeRange,
};
use anshin::model::{Collected, Fleet, FunctionKey, MetricSeries};
use anshin::poll::{DataEvent, PollRequest};
use anshin::ui::app::{App, DetailTab, Mode, View};
use anshin::ui::messages;
use anshin::ui::theme::Theme;
use anshin::ui::views;
use chrono::{Duration, NaiveDate};
use common::fleet::{REGION, now, populated_fleet};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn orders_key() -> FunctionKey {
    FunctionKey {
        region: REGION.to_string(),
        name: "orders-api".to_string(),
    }
}

/// Opens orders-api from the fleet with the filter, as a user would.
fn open_orders(fleet: Fleet) -> App {
    let mut app = App::new(fleet, Mode::Live, Theme::default(), now());
    press(&mut app, KeyCode::Char('/'));
    for ch in "orders-api".chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::Detail(orders_key()));
    app.take_requests();
    app
}

fn access_denied(action: &str) -> AwsError {
    AwsError {
        kind: ErrorKind::AccessDenied,
        action: action.to_string(),
        code: Some("AccessDeniedException".to_string()),
        message: None,
        status: Some(403),
        request_id: None,
    }
}

fn unsupported(action: &str) -> AwsError {
    AwsError {
        kind: ErrorKind::Unsupported,
        action: action.to_string(),
        code: None,
        message: None,
        status: Some(500),
        request_id: None,
    }
}

/// Builds one value per minute of the last hour from `value(minute)`.
/// `None` leaves the minute without a data point.
fn series(value: impl Fn(i64) -> Option<f64>) -> MetricSeries {
    let (start, _, _) = TimeRange::OneHour.window(now());
    MetricSeries::from_pairs(
        (0..60).filter_map(|minute| value(minute).map(|v| (start + Duration::minutes(minute), v))),
    )
}

/// Series with a gap in minutes 20 to 24, `error_share` of invocations
/// failing, and p99 rejected by the endpoint.
fn scope(scope: Scope, invocations: f64, error_share: f64) -> ScopeMetrics {
    let gap = |minute: i64| (20..25).contains(&minute);
    let per_minute = move |base: f64| move |m: i64| (!gap(m)).then_some(base + (m % 7) as f64);
    let calls = move |m: i64| invocations + (m % 7) as f64;
    ScopeMetrics {
        scope,
        series: ScopeSeries {
            invocations: series(move |m| (!gap(m)).then_some(calls(m))),
            errors: series(move |m| (!gap(m)).then_some(calls(m) * error_share)),
            throttles: MetricSeries::default(),
            duration_avg_ms: series(per_minute(120.0)),
            duration_max_ms: series(per_minute(800.0)),
            duration_sum_ms: series(move |m| (!gap(m)).then_some(calls(m) * 120.0)),
            concurrency_max: series(per_minute(2.0)),
        },
        p99_ms: Collected::Failed(unsupported("cloudwatch:GetMetricData")),
    }
}

fn drill_metrics() -> DrillMetrics {
    let (start, end, period_s) = TimeRange::OneHour.window(now());
    let version = |v: &str| Scope::Version {
        alias: "live".to_string(),
        version: v.to_string(),
    };
    DrillMetrics {
        range: TimeRange::OneHour,
        start,
        end,
        period_s,
        scopes: vec![
            scope(Scope::Function, 300.0, 0.01),
            scope(Scope::Alias("live".to_string()), 300.0, 0.01),
            scope(version("12"), 270.0, 0.003),
            scope(version("13"), 30.0, 0.081),
        ],
        partial: Vec::new(),
        messages: Vec::new(),
    }
}

fn empty_drill_metrics() -> DrillMetrics {
    let mut metrics = drill_metrics();
    for scope in &mut metrics.scopes {
        scope.series = ScopeSeries::default();
        scope.p99_ms = Collected::Loaded(MetricSeries::default());
    }
    metrics
}

fn drill_event(metrics: DrillMetrics) -> DataEvent {
    DataEvent::DrillMetrics {
        key: orders_key(),
        range: metrics.range,
        at: now(),
        result: Ok(metrics),
        billed_metrics: 32,
    }
}

fn metrics_tab(metrics: DrillMetrics) -> App {
    let mut app = open_orders(populated_fleet());
    press(&mut app, KeyCode::Char('3'));
    assert_eq!(app.detail_tab, DetailTab::Metrics);
    app.apply(drill_event(metrics));
    app
}

#[test]
fn metrics_tab_asks_for_series() {
    let mut app = open_orders(populated_fleet());
    press(&mut app, KeyCode::Char('3'));
    let requests = app.take_requests();
    let Some(PollRequest::DrillMetrics { key, request }) = requests.first() else {
        panic!("no series request: {requests:?}");
    };
    assert_eq!(key, &orders_key());
    assert_eq!(request.range, TimeRange::OneHour);
    assert_eq!(request.aliases, vec!["live".to_string()]);
    assert_eq!(
        request.weighted,
        vec![("live".to_string(), vec!["12".to_string(), "13".to_string()])]
    );
    assert!(screen(&app, 100, 30).contains(messages::METRICS_LOADING));

    // A minute later the open tab reads again.
    app.tick(now() + Duration::seconds(61));
    assert!(matches!(
        app.take_requests().first(),
        Some(PollRequest::DrillMetrics { .. })
    ));
}

#[test]
fn metrics_tab_with_data() {
    let app = metrics_tab(drill_metrics());
    let text = screen(&app, 160, 48);
    assert!(text.contains("v13 errors 8.1% vs v12 0.3% (27x)"), "{text}");
    assert!(text.contains(messages::P99_UNSUPPORTED));
    assert!(!text.contains("PARTIAL DATA"));
    insta::assert_snapshot!("metrics_tab_data", text);
}

#[test]
fn chart_title_colours_its_lines() {
    let app = metrics_tab(drill_metrics());
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, &app))
        .expect("frame renders");
    let buffer = terminal.backend().buffer();

    // The title row contains "invocations and errors". Each word takes its
    // line's colour, because the chart has no legend box.
    let colour_of = |word: &str| {
        (0..buffer.area.height).find_map(|y| {
            let row: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            let title = row.find("function: ")?;
            let at = row[title..].find(word)? + title;
            let x = row[..at].chars().count() as u16;
            Some(buffer[(x, y)].fg)
        })
    };
    assert_eq!(colour_of("invocations"), Some(app.theme.accent));
    assert_eq!(colour_of("errors"), Some(app.theme.error));
}

#[test]
fn metrics_tab_without_data() {
    let app = metrics_tab(empty_drill_metrics());
    let text = screen(&app, 120, 40);
    assert!(text.contains("No data points in this range"), "{text}");
    assert!(!text.contains("sum 0"), "{text}");
    assert!(!text.contains("0%"), "{text}");
    // Every row gives a reason, not a bare dash: five rows in each of the
    // four scopes (throttles has its own wording).
    for bare in ["sum –", "rate –", "avg –", "max –"] {
        assert!(!text.contains(bare), "{bare}: {text}");
    }
    assert_eq!(
        text.matches(messages::METRIC_NO_POINTS).count(),
        20,
        "{text}"
    );
    assert_eq!(
        text.matches(messages::THROTTLES_NO_POINTS).count(),
        4,
        "{text}"
    );
    insta::assert_snapshot!("metrics_tab_no_data", text);
}

#[test]
fn metrics_tab_empty_rows_beside_data() {
    // Errors and p99 were read but have no data point, unlike the others.
    let mut metrics = drill_metrics();
    metrics.scopes[0].series.errors = MetricSeries::default();
    metrics.scopes[0].p99_ms = Collected::Loaded(MetricSeries::default());
    let text = screen(&metrics_tab(metrics), 160, 48);
    let row = |label: &str| {
        text.lines()
            .find(|line| line.contains(&format!("  {label} ")))
            .unwrap_or_else(|| panic!("no {label} row: {text}"))
            .to_string()
    };
    assert!(row("errors").contains(messages::METRIC_NO_POINTS), "{text}");
    assert!(
        row("duration p99").contains(messages::METRIC_NO_POINTS),
        "{text}"
    );
    assert!(row("invocations").contains("sum 17k"), "{text}");
    assert!(row("duration").contains("avg 120ms  max 806ms"), "{text}");
}

#[test]
fn metrics_tab_marks_partial_data() {
    let complete = screen(&metrics_tab(drill_metrics()), 160, 48);
    let mut metrics = drill_metrics();
    metrics.partial = vec!["Invocations Sum (function)".to_string()];
    metrics.messages = vec![MetricMessage {
        code: Some("MaxMetricsExceeded".to_string()),
        value: "Maximum number of allowed metrics exceeded. Your search may have been limited."
            .to_string(),
    }];
    let partial = screen(&metrics_tab(metrics), 160, 48);

    assert_ne!(complete, partial);
    assert!(partial.contains("PARTIAL DATA"), "{partial}");
    assert!(
        partial.contains("Your search may have been limited"),
        "{partial}"
    );
    // The values are still drawn.
    assert!(partial.contains("v13 errors 8.1%"), "{partial}");
    insta::assert_snapshot!("metrics_tab_partial", partial);
}

#[test]
fn metrics_tab_forbidden_is_not_no_data() {
    let mut metrics = empty_drill_metrics();
    metrics.messages = vec![MetricMessage {
        code: Some("Forbidden".to_string()),
        value: "Authentication too complex to retrieve cross region data".to_string(),
    }];
    let text = screen(&metrics_tab(metrics), 160, 48);
    assert!(text.contains("query the metric's own region"), "{text}");
    assert!(!text.contains("No data points in this range"), "{text}");
}

#[test]
fn metrics_tab_request_failure_shows_reason() {
    let mut app = open_orders(populated_fleet());
    press(&mut app, KeyCode::Char('3'));
    app.apply(DataEvent::DrillMetrics {
        key: orders_key(),
        range: TimeRange::OneHour,
        at: now(),
        result: Err(access_denied("cloudwatch:GetMetricData")),
        billed_metrics: 0,
    });
    let text = screen(&app, 120, 30);
    assert!(text.contains("needs cloudwatch:GetMetricData"), "{text}");
}

#[test]
fn range_keys_change_the_request() {
    let mut app = metrics_tab(drill_metrics());
    app.take_requests();
    press(&mut app, KeyCode::Char(']'));
    let requests = app.take_requests();
    assert!(
        matches!(
            requests.first(),
            Some(PollRequest::DrillMetrics { request, .. }) if request.range == TimeRange::ThreeHours
        ),
        "{requests:?}"
    );
    // The old range stays on screen, marked as loading the new one.
    let text = screen(&app, 160, 48);
    assert!(text.contains("Reading metrics… (1h shown)"), "{text}");
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('['));
    assert_eq!(app.metrics_range, TimeRange::OneHour);
}

#[test]
fn cost_tab_with_data() {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::ComputeOptimizer {
        region: REGION.to_string(),
        at: now(),
        result: Err(unsupported(
            "compute-optimizer:GetLambdaFunctionRecommendations",
        )),
    });
    let mut app = open_orders(fleet);
    press(&mut app, KeyCode::Char('6'));
    assert_eq!(app.detail_tab, DetailTab::Cost);
    assert!(matches!(
        app.take_requests().first(),
        Some(PollRequest::DrillMetrics { .. })
    ));
    app.apply(drill_event(drill_metrics()));
    let text = screen(&app, 160, 40);
    assert!(text.contains("cost/day = GB-s/day"), "{text}");
    // The fixture's function runs on arm64.
    assert!(
        text.contains("already arm64: x86_64 would cost about"),
        "{text}"
    );
    assert!(text.contains("not supported by this endpoint"), "{text}");
    assert!(text.contains("Cannot tell"), "{text}");
    insta::assert_snapshot!("cost_tab_data", text);
}

#[test]
fn cost_tab_without_usage() {
    let mut app = open_orders(populated_fleet());
    press(&mut app, KeyCode::Char('6'));
    app.apply(drill_event(empty_drill_metrics()));
    let text = screen(&app, 120, 30);
    assert!(text.contains("No estimate"), "{text}");
    assert!(!text.contains("per month"), "{text}");
    insta::assert_snapshot!("cost_tab_no_usage", text);
}

fn budget(name: &str, unit: &str, limit: f64, actual: f64, forecast: f64) -> Budget {
    Budget {
        name: name.to_string(),
        time_unit: unit.to_string(),
        budget_type: "COST".to_string(),
        limit: Some(limit),
        unit: "USD".to_string(),
        actual: Some(actual),
        forecast: Some(forecast),
    }
}

fn spend_days(amounts: &[f64]) -> Vec<DailySpend> {
    let first = NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date");
    amounts
        .iter()
        .enumerate()
        .map(|(i, amount)| DailySpend {
            day: first + Duration::days(i as i64),
            amount: Some(*amount),
            unit: "USD".to_string(),
            estimated: i + 1 == amounts.len(),
        })
        .collect()
}

#[test]
fn budgets_view_with_data() {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::Budgets {
        at: now(),
        result: Ok(vec![
            budget("shop-monthly", "MONTHLY", 500.0, 430.0, 480.0),
            budget("lambda-monthly", "MONTHLY", 100.0, 62.0, 131.0),
            budget("zero-limit", "MONTHLY", 0.0, 3.0, 4.0),
        ]),
    });
    let mut amounts = vec![
        3.1, 3.0, 3.2, 2.9, 3.1, 0.0, 3.1, 3.0, 3.2, 3.1, 3.4, 7.8, 4.1,
    ];
    amounts.push(3.3);
    fleet.apply(DataEvent::LambdaSpend {
        at: now(),
        result: Ok(spend_days(&amounts)),
    });
    let mut app = App::new(fleet, Mode::Live, Theme::default(), now());
    press(&mut app, KeyCode::Char('$'));
    assert_eq!(app.view, View::Budgets);
    let text = screen(&app, 120, 40);
    assert!(text.contains("budget shop-monthly 86%"), "{text}");
    assert!(text.contains("131%"), "{text}");
    assert!(text.contains("No budget has a daily period"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    assert!(!text.contains("inf"), "{text}");
    insta::assert_snapshot!("budgets_view_data", text);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Fleet);
}

#[test]
fn budgets_view_zero_spend_days() {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::Budgets {
        at: now(),
        result: Ok(Vec::new()),
    });
    fleet.apply(DataEvent::LambdaSpend {
        at: now(),
        result: Ok(spend_days(&[0.0, 0.0, 0.0, 1.5])),
    });
    let mut app = App::new(fleet, Mode::Live, Theme::default(), now());
    press(&mut app, KeyCode::Char('$'));
    let text = screen(&app, 120, 30);
    assert!(text.contains(messages::NO_BUDGETS), "{text}");
    // The median day is zero, so the last day has no percentage of it.
    assert!(text.contains("last day 1.50 USD (– of median)"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    assert!(!text.contains("inf"), "{text}");
}

#[test]
fn budgets_view_access_denied() {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::Budgets {
        at: now(),
        result: Err(access_denied("budgets:ViewBudget")),
    });
    fleet.apply(DataEvent::LambdaSpend {
        at: now(),
        result: Err(access_denied("ce:GetCostAndUsage")),
    });
    let mut app = App::new(fleet, Mode::Live, Theme::default(), now());
    press(&mut app, KeyCode::Char('$'));
    let text = screen(&app, 120, 30);
    assert!(text.contains("needs budgets:ViewBudget"), "{text}");
    assert!(text.contains("needs ce:GetCostAndUsage"), "{text}");
    assert!(text.contains("budgets n/a"), "{text}");
    insta::assert_snapshot!("budgets_view_denied", text);
}

fn hunt_result(peak: bool) -> HuntResult {
    let to = now();
    let peak_at = to - Duration::days(2);
    HuntResult {
        region: REGION.to_string(),
        window: HuntWindow::default(),
        searched_from: to - Duration::days(14),
        searched_to: to,
        coarse_period_s: 900,
        fine_period_s: 60,
        peak: peak.then_some((peak_at, 490.0)),
        contributors: if peak {
            vec![
                HuntContributor {
                    function: "email-sender".to_string(),
                    invocations: Some(21_000.0),
                    avg_duration_ms: Some(4_500.0),
                    estimated_concurrency: Some(262.5),
                },
                HuntContributor {
                    function: "cart-api".to_string(),
                    invocations: Some(600.0),
                    avg_duration_ms: Some(800.0),
                    estimated_concurrency: Some(1.3),
                },
                HuntContributor {
                    function: "nightly-report".to_string(),
                    invocations: None,
                    avg_duration_ms: None,
                    estimated_concurrency: None,
                },
            ]
        } else {
            Vec::new()
        },
        partial: Vec::new(),
        messages: Vec::new(),
    }
}

fn hunt_view(result: Result<HuntResult, AwsError>) -> (App, Vec<PollRequest>) {
    let mut app = App::new(populated_fleet(), Mode::Live, Theme::default(), now());
    app.take_requests();
    press(&mut app, KeyCode::Char('c'));
    assert_eq!(app.view, View::Hunt);
    let requests = app.take_requests();
    app.apply(DataEvent::Hunt {
        region: REGION.to_string(),
        at: now(),
        result,
        billed_metrics: 11,
    });
    (app, requests)
}

#[test]
fn hunt_view_with_peak() {
    let (app, requests) = hunt_view(Ok(hunt_result(true)));
    let Some(PollRequest::Hunt { region, functions }) = requests.first() else {
        panic!("no hunt request: {requests:?}");
    };
    assert_eq!(region, REGION);
    assert_eq!(functions.len(), 6);
    let text = screen(&app, 120, 30);
    assert!(text.contains("Peak: 490 concurrent executions"), "{text}");
    assert!(text.contains("262.5"), "{text}");
    assert!(
        text.contains("1 other function(s) had no Invocations"),
        "{text}"
    );
    insta::assert_snapshot!("hunt_view_peak", text);
}

#[test]
fn hunt_view_without_peak() {
    let (app, _) = hunt_view(Ok(hunt_result(false)));
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("No ConcurrentExecutions data points"),
        "{text}"
    );
    insta::assert_snapshot!("hunt_view_no_peak", text);
}

#[test]
fn hunt_view_failure_shows_reason() {
    let (app, _) = hunt_view(Err(access_denied("cloudwatch:GetMetricData")));
    let text = screen(&app, 120, 30);
    assert!(text.contains("needs cloudwatch:GetMetricData"), "{text}");
}

#[test]
fn offline_views_explain_missing_data() {
    let path = std::path::PathBuf::from("fleet.json");
    let mut app = App::new(
        populated_fleet(),
        Mode::Offline { path },
        Theme::default(),
        now(),
    );
    press(&mut app, KeyCode::Char('c'));
    assert!(app.take_requests().is_empty());
    let text = screen(&app, 120, 30);
    assert!(text.contains(messages::HUNT_OFFLINE), "{text}");

    // The budgets view shows that the data is not in the snapshot, rather
    // than "not collected yet", which suggests waiting.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('$'));
    let text = screen(&app, 160, 40);
    assert!(text.contains("Not in this snapshot"), "{text}");
    assert!(!text.contains("not collected yet"), "{text}");
}
