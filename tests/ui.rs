//! UI tests: render with ratatui's TestBackend, drive the app with key
//! events, and compare with committed insta snapshots.

mod common;

use anshin::aws::{AwsError, ErrorKind};
use anshin::model::FunctionKey;
use anshin::poll::{DataEvent, PollRequest};
use std::collections::BTreeMap;

use anshin::model::{Collected, FunctionUrlConfig, RegionResources, ResourcePolicy};
use anshin::ui::app::{App, DetailTab, Mode, View};
use anshin::ui::messages;
use anshin::ui::rows::Column;
use anshin::ui::theme::Theme;
use anshin::ui::views;
use common::fleet::{LONG_NAME, REGION, empty_fleet, now, populated_events, populated_fleet};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal
}

fn live(fleet: anshin::model::Fleet) -> App {
    App::new(fleet, Mode::Live, Theme::default(), now())
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn type_text(app: &mut App, text: &str) {
    for ch in text.chars() {
        press(app, KeyCode::Char(ch));
    }
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

fn list_error() -> AwsError {
    AwsError {
        kind: ErrorKind::AccessDenied,
        action: "lambda:ListFunctions".to_string(),
        code: Some("AccessDeniedException".to_string()),
        message: Some("User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: lambda:ListFunctions".to_string()),
        status: Some(403),
        request_id: Some("req-1".to_string()),
    }
}

fn error_fleet() -> anshin::model::Fleet {
    let mut fleet = empty_fleet();
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: now(),
        result: Err(list_error()),
    });
    fleet
}

fn loaded_empty_fleet() -> anshin::model::Fleet {
    let mut fleet = empty_fleet();
    fleet.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: now(),
        result: Ok(Vec::new()),
    });
    fleet
}

#[test]
fn states_at_80x24_and_160x48() {
    let states = [
        ("loading", live(empty_fleet())),
        ("empty", live(loaded_empty_fleet())),
        ("error", live(error_fleet())),
        ("populated", live(populated_fleet())),
    ];
    for (name, app) in &states {
        for (width, height) in [(80, 24), (160, 48)] {
            let terminal = draw(app, width, height);
            insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
        }
    }
}

#[test]
fn state_messages_are_shown() {
    assert!(
        screen_text(&draw(&live(empty_fleet()), 80, 24)).contains("Loading functions in us-east-1")
    );
    assert!(
        screen_text(&draw(&live(loaded_empty_fleet()), 80, 24))
            .contains("no functions in us-east-1")
    );
    let error_screen = screen_text(&draw(&live(error_fleet()), 80, 24));
    assert!(
        error_screen.contains("needs lambda:ListFunctions"),
        "{error_screen}"
    );
}

#[test]
fn header_marks_local_endpoint() {
    let screen = screen_text(&draw(&live(populated_fleet()), 160, 48));
    assert!(
        screen.contains("http://127.0.0.1:4566 [not AWS]"),
        "{screen}"
    );
    assert!(screen.contains("account 123456789012"));
    assert!(screen.contains("○ p99 n/a"), "{screen}");
}

#[test]
fn populated_table_values() {
    let screen = screen_text(&draw(&live(populated_fleet()), 160, 48));
    assert!(screen.contains("live 12:90% 13:10%"), "{screen}");
    assert!(screen.contains("container image"));
    assert!(screen.contains("no alias"));
    // A function without datapoints shows dashes, not zeros.
    let nightly = screen
        .lines()
        .find(|line| line.contains("nightly-report"))
        .expect("nightly-report row");
    assert!(nightly.contains('–'), "{nightly}");
    assert!(!nightly.contains(" 0% "), "{nightly}");
}

#[test]
fn long_name_fits_at_160_columns() {
    let screen = screen_text(&draw(&live(populated_fleet()), 160, 48));
    assert_eq!(LONG_NAME.len(), 64);
    assert!(screen.contains(LONG_NAME), "{screen}");
    // At 80 columns the name is cut with "…" and the key columns stay.
    let narrow = screen_text(&draw(&live(populated_fleet()), 80, 24));
    assert!(
        narrow.contains("checkout-recommendation-engine-b…"),
        "{narrow}"
    );
    assert!(narrow.contains("ERR 5m"), "{narrow}");
}

#[test]
fn keys_before_data_are_no_ops() {
    let mut app = live(empty_fleet());
    for code in [
        KeyCode::Enter,
        KeyCode::Down,
        KeyCode::Down,
        KeyCode::Up,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Esc,
    ] {
        press(&mut app, code);
        assert_eq!(app.selected, None);
        assert_eq!(app.view, View::Fleet);
    }
    draw(&app, 80, 24);

    // Loaded, but empty: still nothing to select.
    app.apply(DataEvent::Functions {
        region: REGION.to_string(),
        at: now(),
        result: Ok(Vec::new()),
    });
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.selected, None);
    assert!(screen_text(&draw(&app, 80, 24)).contains("no functions in us-east-1"));

    // Rows arrive: the selection starts at the first row.
    for event in populated_events() {
        app.apply(event);
    }
    let rows = app.rows();
    assert_eq!(app.selected_index(&rows), Some(0));
}

#[test]
fn navigation_and_detail() {
    let mut app = live(populated_fleet());
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let rows = app.rows();
    assert_eq!(app.selected_index(&rows), Some(2));
    drop(rows);

    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Down);
    let last = app.rows().len() - 1;
    assert_eq!(app.selected_index(&app.rows()), Some(last));

    press(&mut app, KeyCode::Home);
    // Names sort A to Z, so the first row is cart-api.
    press(&mut app, KeyCode::Enter);
    let key = FunctionKey {
        region: REGION.to_string(),
        name: "cart-api".to_string(),
    };
    assert_eq!(app.view, View::Detail(key.clone()));
    let requests = app.take_requests();
    assert!(matches!(&requests[..], [PollRequest::Function { key: k, .. }] if *k == key));

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Fleet);
}

#[test]
fn detail_of_weighted_alias() {
    let mut app = live(populated_fleet());
    type_text(&mut app, "/orders");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    let terminal = draw(&app, 100, 48);
    let screen = screen_text(&terminal);
    assert!(
        screen.contains("v13 errors 8.3% vs v12 0.3% (30x)"),
        "{screen}"
    );
    assert!(screen.contains("注文チーム"), "{screen}");
    insta::assert_snapshot!("detail_orders_api_100x48", terminal.backend());
}

#[test]
fn tag_filter_and_clear() {
    let mut app = live(populated_fleet());
    type_text(&mut app, "/tag:env=staging");
    press(&mut app, KeyCode::Enter);
    let names: Vec<String> = app
        .rows()
        .iter()
        .map(|r| r.entry.function.name.clone())
        .collect();
    assert_eq!(names, ["image-resizer"]);
    assert!(!app.filtering);

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.rows().len(), 6);
    assert!(app.filter_text.is_empty());
}

#[test]
fn ctrl_u_erases_typed_filter() {
    let mut app = live(populated_fleet());
    type_text(&mut app, "/zzz");
    assert!(app.rows().is_empty());
    assert!(screen_text(&draw(&app, 120, 24)).contains("Ctrl-U erases"));

    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert!(app.filter_text.is_empty());
    assert!(app.filtering, "the prompt stays open for new text");
    assert_eq!(app.rows().len(), 6);
    assert!(app.selected.is_some(), "a row is selected again");

    // Typing goes on into the erased prompt.
    type_text(&mut app, "orders");
    assert_eq!(app.filter_text, "orders");
    assert!(!app.should_quit);

    // Outside the prompt Ctrl-U leaves a kept filter alone.
    press(&mut app, KeyCode::Enter);
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(app.filter_text, "orders");
}

#[test]
fn header_marks_read_only_mode() {
    let mut app = live(populated_fleet());
    assert!(!screen_text(&draw(&app, 80, 24)).contains(messages::READ_ONLY_BADGE));

    app.deploy.read_only = true;
    let terminal = draw(&app, 80, 24);
    let screen = screen_text(&terminal);
    assert!(screen.contains(" READ-ONLY  data 0s ago"), "{screen}");
    insta::assert_snapshot!("read_only_80x24", terminal.backend());

    // The offline badge already marks read-only, so no second badge.
    let mut offline = App::new(
        populated_fleet(),
        Mode::Offline {
            path: "fleet.json".into(),
        },
        Theme::default(),
        now(),
    );
    offline.deploy.read_only = true;
    let screen = screen_text(&draw(&offline, 160, 48));
    assert!(screen.contains(messages::OFFLINE_BADGE), "{screen}");
    assert!(!screen.contains(messages::READ_ONLY_BADGE), "{screen}");
}

#[test]
fn filter_without_match_says_so() {
    let mut app = live(populated_fleet());
    type_text(&mut app, "/注文zzz");
    assert_eq!(app.selected, None);
    let screen = screen_text(&draw(&app, 80, 24));
    assert!(screen.contains("no functions match the filter"), "{screen}");
}

#[test]
fn sort_keys_cycle_and_reverse() {
    let mut app = live(populated_fleet());
    // Name, Region, Runtime, Memory, Routing, Checks, Invocations, ErrorRate.
    for _ in 0..7 {
        press(&mut app, KeyCode::Char('s'));
    }
    let first = app.rows()[0].entry.function.name.clone();
    assert_eq!(first, "image-resizer", "worst error rate first");
    press(&mut app, KeyCode::Char('i'));
    let rows = app.rows();
    // Rows without data stay last in either direction.
    assert_eq!(
        rows.last().map(|r| r.entry.function.name.as_str()),
        Some("nightly-report")
    );
}

#[test]
fn help_lists_every_key() {
    let mut app = live(populated_fleet());
    app.handle_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    let terminal = draw(&app, 80, 24);
    let screen = screen_text(&terminal);
    for label in ["Ctrl-C", "Enter", "PgUp PgDn", "tag:key=value", "Esc"] {
        assert!(screen.contains(label), "help lacks {label}: {screen}");
    }
    insta::assert_snapshot!("help_80x24", terminal.backend());

    // Every context with keys has its section, the modal ones included.
    let tall = screen_text(&draw(&app, 160, 100));
    for title in [
        "Budgets and hunt views",
        "Guided rollback",
        "Unfinished rollout prompt",
        "Deploy tab",
    ] {
        assert!(tall.contains(title), "help lacks {title}: {tall}");
    }
    press(&mut app, KeyCode::Esc);
    assert!(!app.show_help);
}

#[test]
fn quit_keys() {
    let mut app = live(populated_fleet());
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit);

    let mut app = live(populated_fleet());
    type_text(&mut app, "/q");
    assert!(!app.should_quit, "q while filtering is text");
    app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(app.should_quit);
}

#[test]
fn refresh_is_sent_live_and_refused_offline() {
    let mut app = live(populated_fleet());
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.take_requests(), vec![PollRequest::RefreshAll]);

    let mut offline = App::new(
        populated_fleet(),
        Mode::Offline {
            path: "incident.json".into(),
        },
        Theme::default(),
        now(),
    );
    press(&mut offline, KeyCode::Char('r'));
    press(&mut offline, KeyCode::Enter);
    assert!(offline.take_requests().is_empty());
    let screen = screen_text(&draw(&offline, 120, 30));
    assert!(screen.contains("OFFLINE snapshot, read-only"), "{screen}");
}

#[test]
fn resize_changes_paging() {
    let mut app = live(populated_fleet());
    app.handle_event(crossterm::event::Event::Resize(80, 12));
    press(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected_index(&app.rows()), Some(3));
    // Rendering at a tiny size must not panic.
    draw(&app, 20, 5);
}

/// The populated fleet plus checklist data: a public function URL on
/// orders-api, region-wide reads, and cart-api suppressing RT-001.
fn checklist_fleet() -> anshin::model::Fleet {
    let mut fleet = populated_fleet();
    fleet.apply(DataEvent::RegionResources {
        region: REGION.to_string(),
        at: now(),
        resources: RegionResources {
            event_source_mappings: Collected::Loaded(Vec::new()),
            alarms: Collected::Loaded(Vec::new()),
            log_groups: Collected::Loaded(BTreeMap::new()),
        },
    });
    fleet.apply(DataEvent::FunctionResources {
        region: REGION.to_string(),
        function: "orders-api".to_string(),
        at: now(),
        // The statement a console-created public URL gets.
        policy: Collected::Loaded(Some(
            ResourcePolicy::parse(
                r#"{"Version":"2012-10-17","Statement":[{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:123456789012:function:orders-api","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}"#,
            )
            .expect("policy parses"),
        )),
        url: Collected::Loaded(Some(FunctionUrlConfig {
            url: "https://abc.lambda-url.us-east-1.on.aws/".to_string(),
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:orders-api".to_string(),
            auth_type: "NONE".to_string(),
            cors_allow_origins: Vec::new(),
        })),
        event_invoke: Collected::Loaded(None),
        reserved_concurrency: Collected::Failed(AwsError {
            kind: ErrorKind::AccessDenied,
            action: "lambda:GetFunctionConcurrency".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        }),
    });
    fleet.apply(DataEvent::FunctionDetail {
        region: REGION.to_string(),
        function: "cart-api".to_string(),
        aliases: Ok(Vec::new()),
        tags: Ok(BTreeMap::from([(
            "anshin:suppress".to_string(),
            "RT-001".to_string(),
        )])),
    });
    fleet
}

#[test]
fn failures_view_by_key() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut app = live(checklist_fleet());
        app.viewport = (width, height);
        press(&mut app, KeyCode::Char('f'));
        assert_eq!(app.view, View::Failures);
        let terminal = draw(&app, width, height);
        let screen = screen_text(&terminal);
        assert!(screen.contains("NET-002"), "{screen}");
        insta::assert_snapshot!(format!("failures_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn failure_opens_function_checklist() {
    let mut app = live(checklist_fleet());
    press(&mut app, KeyCode::Char('f'));
    // The worst rule comes first: NET-002 (high) on orders-api.
    press(&mut app, KeyCode::Enter);
    let key = FunctionKey {
        region: REGION.to_string(),
        name: "orders-api".to_string(),
    };
    assert_eq!(app.view, View::Detail(key));
    assert_eq!(app.detail_tab, DetailTab::Checklist);
    let screen = screen_text(&draw(&app, 160, 48));
    assert!(screen.contains("auth_type: NONE"), "{screen}");

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Failures);
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Fleet);
}

#[test]
fn checklist_tab_by_key() {
    for (width, height) in [(80, 24), (160, 48)] {
        let mut app = live(checklist_fleet());
        app.viewport = (width, height);
        type_text(&mut app, "/orders");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.detail_tab, DetailTab::Checklist);
        // Move to the second rule of the first topic.
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Down);
        let terminal = draw(&app, width, height);
        insta::assert_snapshot!(format!("checklist_{width}x{height}"), terminal.backend());
    }
}

#[test]
fn checklist_shows_unknown_and_suppressed() {
    let mut app = live(checklist_fleet());
    type_text(&mut app, "/cart");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Tab);
    // RT-001 is the only Runtime rule; select it through the keys.
    let index = app
        .fleet
        .entry(&FunctionKey {
            region: REGION.to_string(),
            name: "cart-api".to_string(),
        })
        .and_then(|entry| entry.checklist.as_ref())
        .and_then(|c| {
            anshin::ui::checklist::ordered_results(c)
                .iter()
                .position(|r| r.rule_id == "RT-001")
        })
        .expect("RT-001 is listed");
    for _ in 0..index {
        press(&mut app, KeyCode::Down);
    }
    let screen = screen_text(&draw(&app, 160, 48));
    assert!(screen.contains("RT-001"), "{screen}");
    assert!(screen.contains("(suppressed)"), "{screen}");
    assert!(
        screen.contains("suppressed by the anshin:suppress tag"),
        "{screen}"
    );

    // Tab moves on to the metrics, Shift-Tab comes back, and 1 opens the
    // overview from anywhere.
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.detail_tab, DetailTab::Metrics);
    app.handle_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(app.detail_tab, DetailTab::Checklist);
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.detail_tab, DetailTab::Overview);
}

#[test]
fn checks_column_sorts_worst_first() {
    let mut app = live(checklist_fleet());
    // Name, Region, Runtime, Memory, Routing, Checks.
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('s'));
    }
    assert_eq!(app.sort.column, Column::Checks);
    let rows = app.rows();
    let first = rows[0].entry.function.name.as_str();
    assert!(
        first == "orders-api" || first == "email-sender",
        "a function with a high failure comes first, found {first}"
    );
    let screen = screen_text(&draw(&app, 80, 24));
    assert!(screen.contains("CHECKS↓"), "{screen}");
}

#[test]
fn help_scrolls_on_short_terminal() {
    let mut app = live(populated_fleet());
    app.handle_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    let top = screen_text(&draw(&app, 80, 24));
    assert!(top.contains("↑↓ scroll"), "{top}");
    assert!(!top.contains("Checklist failures"), "{top}");

    for _ in 0..20 {
        press(&mut app, KeyCode::Down);
    }
    let bottom = screen_text(&draw(&app, 80, 24));
    assert!(bottom.contains("Checklist failures"), "{bottom}");
    assert!(
        bottom.contains("close this help") || bottom.contains("back to the fleet"),
        "{bottom}"
    );
    // Scrolling the help leaves the table selection alone.
    assert_eq!(app.selected_index(&app.rows()), Some(0));
}

#[test]
fn failing_canary_is_marked_in_table() {
    let app = live(populated_fleet());
    let rows = app.rows();
    let orders = rows
        .iter()
        .find(|r| r.entry.function.name == "orders-api")
        .expect("orders-api row");
    assert_eq!(orders.canary_alert.as_deref(), Some("v13 8.3% vs v12 0.3%"));
    let cart = rows
        .iter()
        .find(|r| r.entry.function.name == "cart-api")
        .expect("cart-api row");
    assert_eq!(cart.canary_alert, None);
    drop(rows);

    let screen = screen_text(&draw(&app, 160, 48));
    assert!(screen.contains("✗live 12:90% 13:10%"), "{screen}");
}

#[test]
fn repeated_refresh_sends_one_request() {
    let mut app = live(populated_fleet());
    for _ in 0..5 {
        press(&mut app, KeyCode::Char('r'));
    }
    assert_eq!(app.take_requests(), vec![PollRequest::RefreshAll]);

    app.tick(now() + chrono::Duration::seconds(11));
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(app.take_requests(), vec![PollRequest::RefreshAll]);
}

#[test]
fn new_sort_selects_top_row() {
    let mut app = live(populated_fleet());
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(app.selected_index(&app.rows()), Some(0));
    press(&mut app, KeyCode::Char('i'));
    assert_eq!(app.selected_index(&app.rows()), Some(0));
}

#[test]
fn tag_filter_ignores_case() {
    let mut app = live(populated_fleet());
    type_text(&mut app, "/tag:ENV=Staging");
    press(&mut app, KeyCode::Enter);
    let names: Vec<String> = app
        .rows()
        .iter()
        .map(|r| r.entry.function.name.clone())
        .collect();
    assert_eq!(names, ["image-resizer"]);
}

#[test]
fn detail_lists_firing_alarm_first() {
    let mut fleet = populated_fleet();
    let alarm = |name: &str, state: &str| anshin::model::AlarmInfo {
        name: name.to_string(),
        namespace: Some("AWS/Lambda".to_string()),
        metric_name: Some("Errors".to_string()),
        state: Some(state.to_string()),
        dimensions: BTreeMap::from([
            ("FunctionName".to_string(), "orders-api".to_string()),
            ("Resource".to_string(), "orders-api:live".to_string()),
        ]),
    };
    fleet.apply(DataEvent::RegionResources {
        region: REGION.to_string(),
        at: now(),
        resources: RegionResources {
            event_source_mappings: Collected::Loaded(Vec::new()),
            alarms: Collected::Loaded(vec![
                alarm("a-orders-throttles", "OK"),
                alarm("orders-api-live-errors", "ALARM"),
            ]),
            log_groups: Collected::Loaded(BTreeMap::new()),
        },
    });
    let mut app = live(fleet);
    type_text(&mut app, "/orders");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Enter);
    for _ in 0..20 {
        press(&mut app, KeyCode::Down);
    }
    let screen = screen_text(&draw(&app, 120, 48));
    let firing = screen.find("✗ ALARM").expect("firing alarm shown");
    let quiet = screen.find("✓ OK").expect("quiet alarm shown");
    assert!(firing < quiet, "{screen}");
    assert!(
        screen.contains("orders-api-live-errors (Errors on orders-api:live)"),
        "{screen}"
    );
}

#[test]
fn worst_key_cycles_trouble_list() {
    let mut app = live(populated_fleet());
    press(&mut app, KeyCode::Char('w'));
    let first = app.selected.clone().expect("a function is selected");
    assert_eq!(first.name, "orders-api", "the failing canary comes first");
    press(&mut app, KeyCode::Char('w'));
    let second = app.selected.clone().expect("a function is selected");
    assert_ne!(second, first, "a second press moves on");

    // After moving by hand to another row, `w` starts over at the worst.
    press(&mut app, KeyCode::Home);
    assert_ne!(app.selected.as_ref(), Some(&second));
    press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.selected, Some(first));

    let mut quiet = live(loaded_empty_fleet());
    press(&mut quiet, KeyCode::Char('w'));
    assert_eq!(quiet.selected, None);
    let screen = screen_text(&draw(&quiet, 100, 24));
    assert!(screen.contains("No function has errors"), "{screen}");
}
