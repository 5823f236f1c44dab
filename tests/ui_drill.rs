//! UI tests of the Traces, Logs and Findings tabs: render with ratatui's
//! TestBackend, drive the app with key events, and compare with insta
//! snapshots.

mod common;

use anshin::aws::{AwsError, ErrorKind};
use anshin::logs::summary::{LogEvent, LogsWindow, summarize};
use anshin::model::{
    Collected, Fleet, FunctionKey, InspectorCoverage, InspectorFinding, LogsData, TracesData,
    VulnerablePackage,
};
use anshin::poll::{DataEvent, PollRequest};
use anshin::traces::decode_trace;
use anshin::ui::app::{App, DetailTab, Mode, View};
use anshin::ui::theme::Theme;
use anshin::ui::views;
use chrono::Duration;
use common::fleet::{REGION, now, populated_fleet};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const FUNCTION: &str = "orders-api";
const FAULT_TRACE: &str = "1-6b135702-30f3513cdb87311e77429eb9";
const OK_TRACE: &str = "1-6b1356f0-0123456789abcdef01234567";
const FAULT_REQUEST: &str = "1c00f252-0a69-4b93-a084-02e8e74f0b1a";
const OK_REQUEST: &str = "2d11a363-1b7a-4ca4-b195-13f9f85f1c2b";

fn key() -> FunctionKey {
    FunctionKey {
        region: REGION.to_string(),
        name: FUNCTION.to_string(),
    }
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| views::render(frame, app))
        .expect("frame renders");
    terminal
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn live(fleet: Fleet) -> App {
    App::new(fleet, Mode::Live, Theme::default(), now())
}

/// Opens orders-api on `tab` the way a user does: filter, Enter, number key.
fn open_tab(app: &mut App, number: char) {
    press(app, KeyCode::Char('/'));
    for ch in FUNCTION.chars() {
        press(app, KeyCode::Char(ch));
    }
    press(app, KeyCode::Enter);
    press(app, KeyCode::Enter);
    press(app, KeyCode::Char(number));
}

/// Builds the two segment documents Lambda writes for one invocation through the
/// `live` alias, as the sandbox simulator writes them.
fn lambda_documents(trace: &str, request: &str, start: f64, fault: bool) -> Vec<String> {
    let arn = format!("arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION}:live");
    let mut service = serde_json::json!({
        "name": FUNCTION, "id": format!("{}01", &trace[2..16]), "trace_id": trace,
        "start_time": start, "end_time": start + 0.412, "origin": "AWS::Lambda",
        "resource_arn": arn, "aws": {"request_id": request},
        "http": {"response": {"status": 200}},
    });
    let mut calls = vec![
        serde_json::json!({"id": "c1", "name": "DynamoDB", "namespace": "aws",
            "start_time": start + 0.19, "end_time": start + 0.25,
            "aws": {"operation": "PutItem", "table_name": "orders"}}),
        serde_json::json!({"id": "c2", "name": "payments-api", "namespace": "remote",
            "start_time": start + 0.26, "end_time": start + 0.40,
            "http": {"response": {"status": if fault { 502 } else { 200 }}}}),
    ];
    let mut function = serde_json::json!({
        "name": FUNCTION, "id": format!("{}02", &trace[2..16]), "trace_id": trace,
        "parent_id": service["id"], "origin": "AWS::Lambda::Function",
        "start_time": start + 0.182, "end_time": start + 0.411, "resource_arn": arn,
        "aws": {"function_arn": arn},
    });
    let mut subsegments = Vec::new();
    if fault {
        calls[1]["fault"] = serde_json::json!(true);
        function["fault"] = serde_json::json!(true);
        function["cause"] = serde_json::json!({"exceptions": [
            {"id": "e1", "message": "Unhandled downstream error", "type": "Error"}]});
        service["fault"] = serde_json::json!(true);
        service["http"] = serde_json::json!({"response": {"status": 500}});
        subsegments.push(serde_json::json!({"id": "i1", "name": "Initialization",
            "start_time": start, "end_time": start + 0.18}));
    }
    subsegments.push(serde_json::json!({"id": "v1", "name": "Invocation",
        "start_time": start + 0.182, "end_time": start + 0.41, "subsegments": calls}));
    function["subsegments"] = serde_json::json!(subsegments);
    vec![service.to_string(), function.to_string()]
}

fn traces_data() -> TracesData {
    let start = (now() - Duration::minutes(3)).timestamp() as f64;
    let mut data = TracesData {
        window_start: now() - Duration::minutes(30),
        window_end: now(),
        traces: vec![
            decode_trace(
                OK_TRACE,
                &lambda_documents(OK_TRACE, OK_REQUEST, start - 20.0, false),
            ),
            decode_trace(
                FAULT_TRACE,
                &lambda_documents(FAULT_TRACE, FAULT_REQUEST, start, true),
            ),
        ],
        ids_found: 2,
        ids_from_log: true,
        truncated: false,
    };
    data.sort();
    data
}

fn event(minutes_ago: i64, version: &str, message: String) -> LogEvent {
    LogEvent {
        timestamp_ms: Some((now() - Duration::minutes(minutes_ago)).timestamp_millis()),
        log_stream: Some(format!("2026/12/04/[{version}]0a1b2c3d")),
        message,
    }
}

fn logs_data() -> LogsData {
    let events = vec![
        event(
            3,
            "13",
            format!(
                "2026-12-04T11:57:30.400Z\t{FAULT_REQUEST}\tERROR\tInvoke Error \t{{\"errorType\":\"Error\",\"errorMessage\":\"Unhandled downstream error\"}}"
            ),
        ),
        event(
            3,
            "13",
            format!(
                "REPORT RequestId: {FAULT_REQUEST}\tDuration: 229.00 ms\tBilled Duration: 229 ms\tMemory Size: 512 MB\tMax Memory Used: 481 MB\tInit Duration: 180.00 ms\t\nXRAY TraceId: {FAULT_TRACE}\tSegmentId: 1\tSampled: true\n"
            ),
        ),
        event(
            4,
            "12",
            format!(
                "REPORT RequestId: {OK_REQUEST}\tDuration: 228.00 ms\tBilled Duration: 228 ms\tMemory Size: 512 MB\tMax Memory Used: 210 MB\t\nXRAY TraceId: {OK_TRACE}\tSegmentId: 2\tSampled: true\n"
            ),
        ),
        event(
            6,
            "12",
            "2026-12-04T11:54:30.000Z 3e22b474-2c8b-4db5-a2a6-24fa096a2d3c Task timed out after 10.00 seconds\n"
                .to_string(),
        ),
        event(
            6,
            "12",
            "REPORT RequestId: 3e22b474-2c8b-4db5-a2a6-24fa096a2d3c\tDuration: 10000.00 ms\tBilled Duration: 10000 ms\tMemory Size: 512 MB\tMax Memory Used: 300 MB\tInit Duration: 420.00 ms\tStatus: timeout\t".to_string(),
        ),
        event(
            2,
            "13",
            include_str!("fixtures/cases/18-emf-empty-dimension-value/input.json").to_string(),
        ),
        event(
            5,
            "",
            "INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout".to_string(),
        ),
    ];
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

fn xray_unsupported() -> AwsError {
    AwsError {
        kind: ErrorKind::Unsupported,
        action: "xray:GetTraceSummaries".to_string(),
        code: None,
        message: None,
        status: Some(404),
        request_id: None,
    }
}

fn with_data(app: &mut App) {
    app.apply(DataEvent::DrillTraces {
        key: key(),
        at: now(),
        result: Ok(traces_data()),
    });
    app.apply(DataEvent::DrillLogs {
        key: key(),
        at: now(),
        result: Ok(logs_data()),
    });
}

#[test]
fn five_keys_to_faulty_trace() {
    let mut app = live(populated_fleet());
    let mut keys = 0;
    let count = |app: &mut App, keys: &mut usize, code: KeyCode| {
        *keys += 1;
        press(app, code);
    };
    // From wherever the selection is, `w` finds the failing canary.
    assert_ne!(app.selected, Some(key()));
    count(&mut app, &mut keys, KeyCode::Char('w'));
    assert_eq!(app.selected, Some(key()));
    count(&mut app, &mut keys, KeyCode::Enter);
    count(&mut app, &mut keys, KeyCode::Char('4'));
    assert_eq!(app.view, View::Detail(key()));
    assert_eq!(app.detail_tab, DetailTab::Traces);
    let requests = app.take_requests();
    assert!(
        requests
            .iter()
            .any(|r| matches!(r, PollRequest::DrillTraces { key: k, .. } if *k == key())),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| matches!(r, PollRequest::DrillLogs { key: k, .. } if *k == key())),
        "{requests:?}"
    );

    let loading = screen_text(&draw(&app, 120, 30));
    assert!(loading.contains("Loading X-Ray traces"), "{loading}");

    with_data(&mut app);
    let list = draw(&app, 120, 30);
    let screen = screen_text(&list);
    assert!(screen.contains("FAULT"), "{screen}");
    insta::assert_snapshot!("traces_list_120x30", list.backend());

    count(&mut app, &mut keys, KeyCode::Enter);
    assert!(keys <= 5, "{keys} key presses");
    let waterfall = draw(&app, 120, 40);
    let screen = screen_text(&waterfall);
    assert!(screen.contains(FAULT_TRACE), "{screen}");
    assert!(screen.contains("served by v13"), "{screen}");
    assert!(screen.contains("cold start"), "{screen}");
    assert!(screen.contains("HTTP 502"), "{screen}");
    assert!(screen.contains("Invoke Error"), "{screen}");
    insta::assert_snapshot!("traces_waterfall_120x40", waterfall.backend());

    press(&mut app, KeyCode::Esc);
    assert_eq!(app.drill.open_trace, None);
    assert_eq!(app.view, View::Detail(key()));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.view, View::Fleet);
}

#[test]
fn trace_selection_moves() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '4');
    with_data(&mut app);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    assert_eq!(app.drill.trace_cursor, 1);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.drill.open_trace.as_deref(), Some(OK_TRACE));
    let screen = screen_text(&draw(&app, 120, 40));
    assert!(screen.contains("served by v12"), "{screen}");
    assert!(screen.contains("No error line"), "{screen}");
}

#[test]
fn traces_no_data_and_unsupported() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '4');
    let mut empty = traces_data();
    empty.traces.clear();
    empty.ids_found = 0;
    app.apply(DataEvent::DrillTraces {
        key: key(),
        at: now(),
        result: Ok(empty),
    });
    let terminal = draw(&app, 100, 16);
    let screen = screen_text(&terminal);
    assert!(screen.contains("No traces of orders-api"), "{screen}");
    insta::assert_snapshot!("traces_empty_100x16", terminal.backend());

    let mut app = live(populated_fleet());
    open_tab(&mut app, '4');
    app.apply(DataEvent::DrillTraces {
        key: key(),
        at: now(),
        result: Err(xray_unsupported()),
    });
    let terminal = draw(&app, 100, 16);
    let screen = screen_text(&terminal);
    assert!(screen.contains("X-Ray is not supported"), "{screen}");
    insta::assert_snapshot!("traces_unsupported_100x16", terminal.backend());
}

#[test]
fn traces_refresh_after_a_minute() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '4');
    app.take_requests();
    with_data(&mut app);
    app.tick(now() + Duration::seconds(30));
    assert!(app.take_requests().is_empty());
    app.tick(now() + Duration::seconds(61));
    let requests = app.take_requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    // While the reads run, the tab keeps showing the earlier data.
    let screen = screen_text(&draw(&app, 120, 30));
    assert!(screen.contains("refreshing"), "{screen}");

    press(&mut app, KeyCode::Char('1'));
    app.tick(now() + Duration::seconds(200));
    assert!(
        !app.take_requests()
            .iter()
            .any(|r| matches!(r, PollRequest::DrillTraces { .. })),
        "no trace reads while another tab is open"
    );
}

#[test]
fn offline_never_requests() {
    let mut app = App::new(
        populated_fleet(),
        Mode::Offline {
            path: "snapshot.json".into(),
        },
        Theme::default(),
        now(),
    );
    open_tab(&mut app, '5');
    assert!(
        !app.take_requests()
            .iter()
            .any(|r| matches!(r, PollRequest::DrillLogs { .. }))
    );
    let screen = screen_text(&draw(&app, 100, 16));
    assert!(screen.contains("Not part of a snapshot"), "{screen}");
}

#[test]
fn logs_tab_with_data() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '5');
    let requests = app.take_requests();
    assert!(
        requests.iter().any(|r| matches!(
            r,
            PollRequest::DrillLogs { log_group, timeout_s: Some(10), .. }
                if log_group == "/aws/lambda/orders-api"
        )),
        "{requests:?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| matches!(r, PollRequest::DrillTraces { .. }))
    );
    let screen = screen_text(&draw(&app, 120, 30));
    assert!(screen.contains("Loading log events"), "{screen}");

    with_data(&mut app);
    let terminal = draw(&app, 130, 36);
    let screen = screen_text(&terminal);
    assert!(screen.contains("timed out at limit (10s)"), "{screen}");
    assert!(screen.contains("WITHOUT dimensions"), "{screen}");
    assert!(
        screen.contains("max used 481 MB of 512 MB (94 %)"),
        "{screen}"
    );
    insta::assert_snapshot!("logs_data_130x36", terminal.backend());
}

#[test]
fn logs_group_missing_and_no_events() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '5');
    app.apply(DataEvent::DrillLogs {
        key: key(),
        at: now(),
        result: Err(AwsError {
            kind: ErrorKind::NotFound,
            action: "logs:FilterLogEvents".to_string(),
            code: Some("ResourceNotFoundException".to_string()),
            message: Some("The specified log group does not exist.".to_string()),
            status: Some(400),
            request_id: None,
        }),
    });
    let terminal = draw(&app, 100, 16);
    let screen = screen_text(&terminal);
    assert!(screen.contains("does not exist"), "{screen}");
    insta::assert_snapshot!("logs_group_missing_100x16", terminal.backend());

    let mut app = live(populated_fleet());
    open_tab(&mut app, '5');
    let empty = summarize(
        LogsWindow {
            log_group: format!("/aws/lambda/{FUNCTION}"),
            start: now() - Duration::minutes(30),
            end: now(),
            timeout_s: Some(10),
            truncated: false,
        },
        &[],
    );
    app.apply(DataEvent::DrillLogs {
        key: key(),
        at: now(),
        result: Ok(empty),
    });
    let terminal = draw(&app, 100, 24);
    let screen = screen_text(&terminal);
    assert!(screen.contains("No errors or timeouts"), "{screen}");
    assert!(screen.contains("No REPORT lines"), "{screen}");
    insta::assert_snapshot!("logs_empty_100x24", terminal.backend());
}

fn set_findings(app: &mut App, findings: Collected<Vec<InspectorFinding>>) {
    let entry = app
        .fleet
        .functions
        .get_mut(REGION)
        .and_then(|by_name| by_name.get_mut(FUNCTION))
        .expect("orders-api in the fleet");
    entry.resources.inspector_findings = findings;
}

fn finding(severity: &str, cve: &str, package: &str, fixed: Option<&str>) -> InspectorFinding {
    InspectorFinding {
        finding_arn: None,
        title: Some(format!("{cve} - {package}")),
        severity: severity.to_string(),
        status: "ACTIVE".to_string(),
        finding_type: "PACKAGE_VULNERABILITY".to_string(),
        vulnerability_id: Some(cve.to_string()),
        cwes: Vec::new(),
        packages: vec![VulnerablePackage {
            name: package.to_string(),
            installed_version: Some("2.2.0".to_string()),
            fixed_version: fixed.map(str::to_string),
        }],
        function_version: Some("13".to_string()),
    }
}

#[test]
fn findings_tab_states() {
    let mut app = live(populated_fleet());
    open_tab(&mut app, '7');
    let screen = screen_text(&draw(&app, 120, 12));
    assert!(screen.contains("not collected yet"), "{screen}");

    set_findings(
        &mut app,
        Collected::Loaded(vec![
            finding("MEDIUM", "CVE-2023-30861", "flask", Some("2.2.5")),
            finding("CRITICAL", "CVE-2024-1135", "gunicorn", None),
        ]),
    );
    let terminal = draw(&app, 130, 12);
    let screen = screen_text(&terminal);
    let critical = screen.find("CVE-2024-1135").expect("critical row");
    let medium = screen.find("CVE-2023-30861").expect("medium row");
    assert!(critical < medium, "{screen}");
    insta::assert_snapshot!("findings_data_130x12", terminal.backend());

    set_findings(
        &mut app,
        Collected::Failed(AwsError {
            kind: ErrorKind::AccessDenied,
            action: "inspector2:ListFindings".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        }),
    );
    let screen = screen_text(&draw(&app, 120, 12));
    assert!(screen.contains("inspector2:ListFindings"), "{screen}");

    set_findings(&mut app, Collected::Failed(xray_unsupported()));
    let screen = screen_text(&draw(&app, 120, 12));
    assert!(
        screen.contains("not supported by this endpoint"),
        "{screen}"
    );

    set_findings(&mut app, Collected::Loaded(Vec::new()));
    let screen = screen_text(&draw(&app, 120, 12));
    assert!(screen.contains("No Inspector findings"), "{screen}");
    assert!(!screen.contains("does not scan"), "{screen}");

    // Where Inspector does not scan Lambda, an empty list is no all-clear.
    app.fleet
        .account_resources
        .entry(REGION.to_string())
        .or_default()
        .inspector_coverage = Collected::Loaded(InspectorCoverage {
        lambda_standard_scanning: false,
        lambda_code_scanning: false,
    });
    let screen = screen_text(&draw(&app, 120, 12));
    assert!(
        screen.contains("does not scan Lambda functions in us-east-1"),
        "{screen}"
    );
}
