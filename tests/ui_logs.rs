//! UI test of the Logs tab's embedded-metric-format section on the output
//! of a canary: version 13 writes an empty dimension value, version 12 a
//! filled one. The section counts each line over the newest documents, in
//! whatever proportion the versions wrote them, and names the versions.

mod common;

use anshin::logs::summary::{LogEvent, LogsWindow, summarize};
use anshin::model::{FunctionKey, LogsData};
use anshin::poll::DataEvent;
use anshin::ui::app::{App, Mode};
use anshin::ui::theme::Theme;
use anshin::ui::views;
use chrono::Duration;
use common::fleet::{REGION, now, populated_fleet};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FUNCTION: &str = "orders-api";

fn key() -> FunctionKey {
    FunctionKey {
        region: REGION.to_string(),
        name: FUNCTION.to_string(),
    }
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal
}

/// Builds one document as the sandbox's orders-api writes it, `seconds_ago`
/// before now, in the log stream of `version`.
fn emf_event(seconds_ago: i64, version: &str) -> LogEvent {
    let broken = version == "13";
    let timestamp = (now() - Duration::seconds(seconds_ago)).timestamp_millis();
    let document = serde_json::json!({
        "_aws": {
            "Timestamp": timestamp,
            "CloudWatchMetrics": [{
                "Namespace": "shop/orders",
                "Dimensions": [["environment", "service"]],
                "Metrics": [{"Name": "OrdersPlaced", "Unit": "Count"}],
            }],
        },
        "environment": if broken { "" } else { "production" },
        "service": FUNCTION,
        "OrdersPlaced": [if broken { 0 } else { 1 }],
    });
    LogEvent {
        timestamp_ms: Some(timestamp),
        log_stream: Some(format!("2026/12/04/[{version}]0a1b2c3d")),
        message: format!("{document}\n"),
    }
}

/// Summarises 20 documents, oldest first as FilterLogEvents returns them:
/// 6 from the canary, the newest among them, and 14 from the stable version.
fn logs_data() -> LogsData {
    let events: Vec<LogEvent> = (0..20)
        .rev()
        .map(|n| emf_event(30 + n * 40, if n % 3 == 0 && n < 18 { "13" } else { "12" }))
        .collect();
    summarize(
        LogsWindow {
            log_group: format!("/aws/lambda/{FUNCTION}"),
            start: now() - Duration::minutes(30),
            end: now(),
            timeout_s: Some(10),
            truncated: false,
        },
        &events,
    )
}

#[test]
fn logs_tab_emf_by_version() {
    // Open orders-api on the Logs tab the way a user does.
    let mut app = App::new(populated_fleet(), Mode::Live, Theme::default(), now());
    press(&mut app, KeyCode::Char('/'));
    for ch in FUNCTION.chars() {
        press(&mut app, KeyCode::Char(ch));
    }
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('5'));

    app.apply(DataEvent::DrillLogs {
        key: key(),
        at: now(),
        result: Ok(logs_data()),
    });

    let terminal = draw(&app, 160, 24);
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("Embedded metrics (EMF), 20 documents in the window"),
        "{screen}"
    );

    assert!(
        screen.contains("no dimensions  newest = 0  (in 6 of 20 documents, all from version 13)"),
        "{screen}"
    );
    assert!(
        screen.contains("{environment=production, service=orders-api}  newest = 1  (in 14 of 20 documents, all from version 12)"),
        "{screen}"
    );
    assert!(
        screen.contains("WITHOUT dimensions  (in 6 of 20 documents, all from version 13)"),
        "{screen}"
    );
    insta::assert_snapshot!("logs_emf_by_version_160x24", terminal.backend());
}
