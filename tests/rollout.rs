//! The guarded traffic-shift engine: strategy plans, guard verdicts, the
//! state machine driven by a fake clock (plain `DateTime` values), and the
//! handed real-world cases read from tests/fixtures/cases.

use std::collections::BTreeMap;
use std::time::Duration;

use anshin::model::{AlarmInfo, Alias, MetricSeries, RoutingWeight, Version, VersionMetrics};
use anshin::rollout::preflight::{
    self, AppSpecTarget, Check, DeploymentCheck, FunctionStatus, Level, PreflightInput,
    ProvisionedConcurrency,
};
use anshin::rollout::{
    AlarmScope, AliasRouting, Conflict, Decision, DurationSeries, Event, InconclusiveReason,
    Observations, Outcome, Phase, PlanError, RollbackReason, Rollout, RolloutConfig, RoutingError,
    StateError, Strategy, StrategyError, Thresholds, TransitionError, UnhealthyReason, Verdict,
    WaitReason, Weight, Write, WriteFailure, analysis_window, decide, evaluate,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::Value;

const FUNCTION: &str = "example-fn";

fn fixture_path(folder: &str, file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cases")
        .join(folder)
        .join(file)
}

fn read_case_json(folder: &str) -> Value {
    let text =
        std::fs::read_to_string(fixture_path(folder, "input.json")).expect("case input readable");
    serde_json::from_str(&text).expect("case input is JSON")
}

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, hour, minute, second)
        .single()
        .expect("valid time")
}

fn minutes(count: i64) -> TimeDelta {
    TimeDelta::minutes(count)
}

fn alias(version: &str, routing: &[(&str, f64)], revision: &str) -> Alias {
    Alias {
        name: "live".to_string(),
        function_version: version.to_string(),
        routing: routing
            .iter()
            .map(|(version, weight)| RoutingWeight {
                version: version.to_string(),
                weight: *weight,
            })
            .collect(),
        revision_id: Some(revision.to_string()),
        description: None,
    }
}

/// Alias as Lambda would return it for a routing anshin wrote.
fn alias_for(routing: &AliasRouting, revision: &str) -> Alias {
    let weights: Vec<(&str, f64)> = routing
        .additional
        .iter()
        .map(|entry| (entry.version.as_str(), entry.weight.as_fraction()))
        .collect();
    alias(&routing.function_version, &weights, revision)
}

/// Builds one datapoint per minute from `from` (inclusive) to `to` (exclusive).
fn per_minute(from: DateTime<Utc>, to: DateTime<Utc>, value: f64) -> MetricSeries {
    let mut pairs = Vec::new();
    let mut minute = from;
    while minute < to {
        pairs.push((minute, value));
        minute += minutes(1);
    }
    MetricSeries::from_pairs(pairs)
}

fn version_metrics(
    version: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    invocations: f64,
    errors: f64,
) -> VersionMetrics {
    VersionMetrics {
        alias: "live".to_string(),
        version: version.to_string(),
        invocations: per_minute(from, to, invocations),
        errors: per_minute(from, to, errors),
    }
}

fn alarm(name: &str, state: &str, function: &str) -> AlarmInfo {
    AlarmInfo {
        name: name.to_string(),
        namespace: Some("AWS/Lambda".to_string()),
        metric_name: Some("Errors".to_string()),
        state: Some(state.to_string()),
        dimensions: BTreeMap::from([("FunctionName".to_string(), function.to_string())]),
    }
}

/// Healthy traffic for the whole test day: the new version (2) takes 50
/// invocations a minute without errors, the stable one (1) 450 with 2.
fn healthy() -> Observations {
    Observations {
        new: version_metrics("2", at(11, 0, 0), at(14, 0, 0), 50.0, 0.0),
        stable: Some(version_metrics("1", at(11, 0, 0), at(14, 0, 0), 450.0, 2.0)),
        ..Observations::default()
    }
}

/// Too little traffic on the new version for any verdict.
fn sparse() -> Observations {
    Observations {
        new: version_metrics("2", at(11, 0, 0), at(14, 0, 0), 1.0, 0.0),
        stable: Some(version_metrics("1", at(11, 0, 0), at(14, 0, 0), 9.0, 0.0)),
        ..Observations::default()
    }
}

fn failing() -> Observations {
    Observations {
        new: version_metrics("2", at(11, 0, 0), at(14, 0, 0), 50.0, 10.0),
        ..healthy()
    }
}

fn with_alarm(mut observations: Observations, state: &str) -> Observations {
    observations
        .alarms
        .push(alarm("example-fn-errors", state, FUNCTION));
    observations
}

fn plan(strategy: Strategy) -> Rollout {
    Rollout::plan(
        FUNCTION,
        &alias("1", &[], "rev-preview"),
        "2",
        strategy,
        RolloutConfig::default(),
        at(11, 59, 0),
    )
    .expect("valid plan")
}

/// Performs a write decision the way the executor would: record it, send
/// it (here: succeed), then read the alias back with a new RevisionId.
fn perform(rollout: &mut Rollout, now: DateTime<Utc>, decision: &Decision, revision: &str) {
    let write = decision.write().expect("a write decision");
    rollout
        .apply(now, Event::WriteSent(write))
        .expect("write sent");
    rollout
        .apply(now, Event::WriteSucceeded)
        .expect("write succeeded");
    if !rollout.phase.is_terminal() {
        assert_eq!(decide(rollout, now, &healthy()), Decision::ReadAlias);
        let read = alias_for(&rollout.expected_routing, revision);
        rollout
            .apply(now, Event::AliasRead(read))
            .expect("alias read");
    }
}

// ---------------------------------------------------------------- strategy

#[test]
fn strategy_plans_match_codedeploy() {
    let canary = |percent: u16, bake_min: u64| {
        vec![
            (percent * 100, bake_min * 60),
            (10_000, 0), // promotion
        ]
    };
    let linear = |bake_min: u64| {
        let mut steps: Vec<(u16, u64)> = (1..=9).map(|n| (n * 1000, bake_min * 60)).collect();
        steps.push((10_000, 0));
        steps
    };
    let cases: Vec<(&str, Vec<(u16, u64)>)> = vec![
        ("Canary10Percent5Minutes", canary(10, 5)),
        ("Canary10Percent10Minutes", canary(10, 10)),
        ("Canary10Percent15Minutes", canary(10, 15)),
        ("Canary10Percent30Minutes", canary(10, 30)),
        ("Linear10PercentEvery1Minute", linear(1)),
        ("Linear10PercentEvery2Minutes", linear(2)),
        ("Linear10PercentEvery3Minutes", linear(3)),
        ("Linear10PercentEvery10Minutes", linear(10)),
        ("AllAtOnce", vec![(10_000, 0)]),
        ("canary:25:7", canary(25, 7)),
        (
            "linear:30:4",
            vec![(3000, 240), (6000, 240), (9000, 240), (10_000, 0)],
        ),
        ("linear:50:1", vec![(5000, 60), (10_000, 0)]),
        ("linear:99:2", vec![(9900, 120), (10_000, 0)]),
    ];
    for (name, expected) in cases {
        let strategy: Strategy = name.parse().expect(name);
        let steps: Vec<(u16, u64)> = strategy
            .plan()
            .iter()
            .map(|step| (step.weight.basis_points(), step.bake.as_secs()))
            .collect();
        assert_eq!(steps, expected, "{name}");
    }
}

#[test]
fn strategy_custom_parse_errors() {
    type IsExpected = fn(&StrategyError) -> bool;
    let cases: Vec<(&str, IsExpected)> = vec![
        ("canary:0:5", |e| {
            matches!(e, StrategyError::InvalidPercent { .. })
        }),
        ("canary:100:5", |e| {
            matches!(e, StrategyError::InvalidPercent { .. })
        }),
        ("linear:150:5", |e| {
            matches!(e, StrategyError::InvalidPercent { .. })
        }),
        ("linear:-5:3", |e| {
            matches!(e, StrategyError::InvalidPercent { .. })
        }),
        ("canary:ten:5", |e| {
            matches!(e, StrategyError::InvalidPercent { .. })
        }),
        ("linear:10:0", |e| {
            matches!(e, StrategyError::InvalidMinutes { .. })
        }),
        ("canary:10:1.5", |e| {
            matches!(e, StrategyError::InvalidMinutes { .. })
        }),
        ("canary:10", |e| {
            matches!(e, StrategyError::Malformed { .. })
        }),
        ("linear:10:5:1", |e| {
            matches!(e, StrategyError::Malformed { .. })
        }),
        ("bluegreen:10:5", |e| matches!(e, StrategyError::Unknown(_))),
        ("Canary10Percent6Minutes", |e| {
            matches!(e, StrategyError::Unknown(_))
        }),
        ("", |e| matches!(e, StrategyError::Unknown(_))),
    ];
    for (input, is_expected) in cases {
        let error = input.parse::<Strategy>().expect_err(input);
        assert!(is_expected(&error), "{input:?} gave {error:?}");
        assert!(
            error.to_string().contains(&format!("{input:?}")),
            "message names the input: {error}"
        );
    }
}

#[test]
fn strategy_serializes_as_name() {
    let json = serde_json::to_string(&Strategy::linear(10, 3)).expect("serializes");
    assert_eq!(json, "\"Linear10PercentEvery3Minutes\"");
    let custom: Strategy = serde_json::from_str("\"canary:5:20\"").expect("deserializes");
    assert_eq!(custom, Strategy::canary(5, 20));
    let invalid: Result<Strategy, _> = serde_json::from_str("\"canary:0:20\"");
    assert!(invalid.is_err());
}

// ------------------------------------------------------------------- guard

fn window() -> Option<anshin::rollout::AnalysisWindow> {
    analysis_window(at(12, 12, 0), at(12, 0, 0), Duration::from_secs(3))
}

fn verdict_of(observations: &Observations, thresholds: &Thresholds) -> Verdict {
    let scope = AlarmScope {
        function_name: FUNCTION.to_string(),
        extra_alarm_names: vec!["api-5xx".to_string()],
    };
    evaluate(observations, window(), &scope, thresholds).verdict
}

#[test]
fn guard_verdicts_table() {
    let from = at(12, 0, 0);
    let to = at(12, 30, 0);
    let new = |invocations: f64, errors: f64| version_metrics("2", from, to, invocations, errors);
    let stable =
        |invocations: f64, errors: f64| Some(version_metrics("1", from, to, invocations, errors));
    let defaults = Thresholds::default();

    type Expect = fn(&Verdict) -> bool;
    let cases: Vec<(&str, Observations, Thresholds, Expect)> = vec![
        (
            "healthy against stable",
            Observations {
                new: new(50.0, 0.0),
                stable: stable(450.0, 2.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| *v == Verdict::Healthy,
        ),
        (
            "no data is inconclusive",
            Observations {
                new: VersionMetrics {
                    version: "2".to_string(),
                    ..VersionMetrics::default()
                },
                stable: stable(450.0, 0.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| matches!(v, Verdict::Inconclusive(InconclusiveReason::NoData { .. })),
        ),
        (
            "zeros with zero minimum are inconclusive",
            Observations {
                new: new(0.0, 0.0),
                ..Observations::default()
            },
            Thresholds {
                min_invocations: 0,
                ..defaults.clone()
            },
            |v| {
                matches!(
                    v,
                    Verdict::Inconclusive(InconclusiveReason::TooFewInvocations { .. })
                )
            },
        ),
        (
            "too few invocations",
            Observations {
                new: new(5.0, 5.0),
                stable: stable(450.0, 0.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| {
                matches!(
                    v,
                    Verdict::Inconclusive(InconclusiveReason::TooFewInvocations { .. })
                )
            },
        ),
        (
            "invocations without errors series",
            Observations {
                new: VersionMetrics {
                    errors: MetricSeries::default(),
                    ..new(50.0, 0.0)
                },
                ..Observations::default()
            },
            defaults.clone(),
            |v| {
                matches!(
                    v,
                    Verdict::Inconclusive(InconclusiveReason::ErrorsMissing { .. })
                )
            },
        ),
        (
            "absolute error rate",
            Observations {
                new: new(50.0, 5.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| {
                matches!(v, Verdict::Unhealthy(reasons)
                    if matches!(reasons[0], UnhealthyReason::ErrorRateAboveMax { .. }))
            },
        ),
        (
            "ratio to stable",
            Observations {
                new: new(50.0, 1.5),
                stable: stable(450.0, 4.5),
                ..Observations::default()
            },
            defaults.clone(),
            |v| {
                *v == Verdict::Unhealthy(vec![UnhealthyReason::ErrorRateAboveStable {
                    rate: 0.03,
                    stable_rate: 0.01,
                    max_ratio: 2.0,
                }])
            },
        ),
        (
            "ratio floor ignores one error",
            Observations {
                new: new(50.0, 0.2),
                stable: stable(450.0, 0.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| *v == Verdict::Healthy,
        ),
        (
            "stable too quiet skips ratio",
            Observations {
                new: new(50.0, 1.0),
                stable: stable(1.0, 0.0),
                ..Observations::default()
            },
            defaults.clone(),
            |v| *v == Verdict::Healthy,
        ),
        (
            "alarm in ALARM",
            with_alarm(healthy(), "ALARM"),
            defaults.clone(),
            |v| *v == Verdict::AlarmFiring(vec!["example-fn-errors".to_string()]),
        ),
        (
            "alarm OK is ignored",
            with_alarm(healthy(), "OK"),
            defaults.clone(),
            |v| *v == Verdict::Healthy,
        ),
        (
            "alarm of another function ignored",
            Observations {
                alarms: vec![alarm("other-errors", "ALARM", "other-fn")],
                ..healthy()
            },
            defaults.clone(),
            |v| *v == Verdict::Healthy,
        ),
        (
            "configured alarm counts",
            Observations {
                alarms: vec![alarm("api-5xx", "ALARM", "frontend")],
                ..healthy()
            },
            defaults.clone(),
            |v| *v == Verdict::AlarmFiring(vec!["api-5xx".to_string()]),
        ),
        (
            "p99 above maximum",
            Observations {
                new_duration: Some(DurationSeries {
                    sum_ms: per_minute(from, to, 5000.0),
                    sample_count: per_minute(from, to, 50.0),
                    p99_ms: Some(per_minute(from, to, 900.0)),
                }),
                ..healthy()
            },
            Thresholds {
                max_p99_ms: Some(500.0),
                ..defaults.clone()
            },
            |v| {
                *v == Verdict::Unhealthy(vec![UnhealthyReason::P99AboveMax {
                    p99_ms: 900.0,
                    max_ms: 500.0,
                }])
            },
        ),
        (
            "average duration above maximum",
            Observations {
                new_duration: Some(DurationSeries {
                    sum_ms: per_minute(from, to, 15_000.0),
                    sample_count: per_minute(from, to, 50.0),
                    p99_ms: None,
                }),
                ..healthy()
            },
            Thresholds {
                max_avg_duration_ms: Some(200.0),
                ..defaults.clone()
            },
            |v| {
                *v == Verdict::Unhealthy(vec![UnhealthyReason::AvgDurationAboveMax {
                    avg_ms: 300.0,
                    max_ms: 200.0,
                }])
            },
        ),
        (
            "throttles above maximum",
            Observations {
                throttles: Some(per_minute(from, to, 3.0)),
                ..healthy()
            },
            Thresholds {
                max_throttles: Some(10),
                ..defaults.clone()
            },
            |v| {
                matches!(v, Verdict::Unhealthy(reasons)
                    if matches!(reasons[0], UnhealthyReason::ThrottlesAboveMax { .. }))
            },
        ),
    ];

    for (name, observations, thresholds, is_expected) in cases {
        let verdict = verdict_of(&observations, &thresholds);
        assert!(is_expected(&verdict), "{name}: got {verdict:?}");
    }
}

#[test]
fn guard_ignores_points_outside_window() {
    // Errors land only in the mixed first minute and in minutes that are
    // not final yet, so the closed window contains none of them.
    let mut observations = healthy();
    observations.new.errors = MetricSeries::from_pairs(
        [(at(11, 59, 0), 40.0), (at(12, 10, 0), 40.0)]
            .into_iter()
            .chain((0..10).map(|m| (at(12, m, 0), 0.0))),
    );
    let window = analysis_window(at(12, 12, 0), at(12, 0, 0), Duration::from_secs(3));
    let scope = AlarmScope {
        function_name: FUNCTION.to_string(),
        extra_alarm_names: Vec::new(),
    };
    let evaluation = evaluate(&observations, window, &scope, &Thresholds::default());
    assert_eq!(evaluation.verdict, Verdict::Healthy);
    assert_eq!(evaluation.new.map(|stats| stats.errors), Some(0.0));
}

#[test]
fn guard_without_window_is_inconclusive() {
    let scope = AlarmScope::default();
    let evaluation = evaluate(&healthy(), None, &scope, &Thresholds::default());
    assert_eq!(
        evaluation.verdict,
        Verdict::Inconclusive(InconclusiveReason::WindowNotOpen)
    );
}

// ----------------------------------------------------------- state machine

#[test]
fn machine_canary_happy_path() {
    let mut rollout = plan(Strategy::canary(10, 5));
    assert_eq!(rollout.phase, Phase::Planned);

    let start = at(12, 0, 0);
    let decision = decide(&rollout, start, &healthy());
    let expected_routing =
        AliasRouting::for_step("1", "2", Weight::from_percent(10)).expect("valid routing");
    assert_eq!(
        decision,
        Decision::ApplyWeights {
            step: 0,
            routing: expected_routing.clone(),
            expected_revision_id: "rev-preview".to_string(),
        }
    );
    perform(&mut rollout, start, &decision, "rev-step-0");
    assert_eq!(
        rollout.phase,
        Phase::Baking {
            step: 0,
            started_at: start
        }
    );
    assert_eq!(rollout.revision_id.as_deref(), Some("rev-step-0"));

    // Bake of 5 minutes plus the 2-minute lag: final at 12:07.
    let during = decide(&rollout, at(12, 3, 0), &healthy());
    assert_eq!(
        during,
        Decision::Wait {
            until: at(12, 4, 0),
            reason: WaitReason::Baking {
                step: 0,
                final_at: at(12, 7, 0)
            },
        }
    );
    let last_wait = decide(&rollout, at(12, 6, 30), &healthy());
    assert!(
        matches!(last_wait, Decision::Wait { until, .. } if until == at(12, 7, 0)),
        "{last_wait:?}"
    );

    let promote = decide(&rollout, at(12, 7, 0), &healthy());
    assert_eq!(
        promote,
        Decision::ApplyWeights {
            step: 1,
            routing: AliasRouting::single("2"),
            expected_revision_id: "rev-step-0".to_string(),
        }
    );
    perform(&mut rollout, at(12, 7, 0), &promote, "unused");
    assert_eq!(rollout.phase, Phase::Completed { at: at(12, 7, 0) });
    assert_eq!(
        decide(&rollout, at(12, 8, 0), &healthy()),
        Decision::Finished(Outcome::Completed)
    );
}

#[test]
fn machine_linear_walks_every_step() {
    let mut rollout = plan(Strategy::linear(10, 1));
    // A one-minute bake contains 50 invocations of the new version.
    rollout.config.thresholds.min_invocations = 50;
    let mut now = at(12, 0, 0);
    let mut applied = Vec::new();
    for _ in 0..40 {
        let decision = decide(&rollout, now, &healthy());
        match &decision {
            Decision::ApplyWeights { step, routing, .. } => {
                applied.push((*step, routing.share_of("2").basis_points()));
                perform(&mut rollout, now, &decision, &format!("rev-{step}"));
            }
            Decision::Wait { until, .. } => now = *until,
            Decision::Finished(Outcome::Completed) => break,
            other => panic!("unexpected decision {other:?}"),
        }
    }
    let expected: Vec<(usize, u16)> = (0..9)
        .map(|step| (step, (step as u16 + 1) * 1000))
        .chain([(9, 10_000)])
        .collect();
    assert_eq!(applied, expected);
    assert!(matches!(rollout.phase, Phase::Completed { .. }));
    // Each of 9 baking steps lasts one minute of bake plus two of lag.
    assert_eq!(now, at(12, 27, 0));
}

#[test]
fn machine_all_at_once_completes_on_first_write() {
    let mut rollout = plan(Strategy::AllAtOnce);
    let decision = decide(&rollout, at(12, 0, 0), &healthy());
    assert_eq!(
        decision,
        Decision::ApplyWeights {
            step: 0,
            routing: AliasRouting::single("2"),
            expected_revision_id: "rev-preview".to_string(),
        }
    );
    perform(&mut rollout, at(12, 0, 0), &decision, "unused");
    assert_eq!(rollout.phase, Phase::Completed { at: at(12, 0, 0) });
}

fn baking_rollout() -> Rollout {
    let mut rollout = plan(Strategy::canary(10, 10));
    let decision = decide(&rollout, at(12, 0, 0), &healthy());
    perform(&mut rollout, at(12, 0, 0), &decision, "rev-baking");
    rollout
}

#[test]
fn machine_alarm_rolls_back_immediately() {
    let mut rollout = baking_rollout();
    // One minute in: the window is not even open, yet the alarm counts.
    let decision = decide(&rollout, at(12, 1, 0), &with_alarm(healthy(), "ALARM"));
    let reason = RollbackReason::AlarmFiring {
        alarms: vec!["example-fn-errors".to_string()],
    };
    assert_eq!(
        decision,
        Decision::RollBack {
            reason: reason.clone(),
            routing: AliasRouting::single("1"),
            expected_revision_id: "rev-baking".to_string(),
        }
    );
    perform(&mut rollout, at(12, 1, 0), &decision, "unused");
    assert_eq!(
        rollout.phase,
        Phase::RolledBack {
            at: at(12, 1, 0),
            reason: reason.clone()
        }
    );
    assert_eq!(
        decide(&rollout, at(12, 2, 0), &healthy()),
        Decision::Finished(Outcome::RolledBack { reason })
    );
}

#[test]
fn machine_unhealthy_rolls_back_mid_bake() {
    let rollout = baking_rollout();
    let decision = decide(&rollout, at(12, 6, 0), &failing());
    assert!(
        matches!(
            &decision,
            Decision::RollBack { reason: RollbackReason::Unhealthy { reasons }, .. }
                if matches!(reasons[0], UnhealthyReason::ErrorRateAboveMax { .. })
        ),
        "{decision:?}"
    );
}

#[test]
fn machine_inconclusive_holds_then_passes() {
    let rollout = baking_rollout();
    // Bake of 10 minutes: final at 12:12; sparse traffic during the bake
    // only waits.
    let during = decide(&rollout, at(12, 5, 0), &sparse());
    assert!(matches!(during, Decision::Wait { .. }), "{during:?}");

    let held = decide(&rollout, at(12, 20, 0), &sparse());
    assert_eq!(
        held,
        Decision::Hold {
            reason: InconclusiveReason::TooFewInvocations {
                version: "2".to_string(),
                invocations: 18.0,
                errors: 0.0,
                required: 100,
            },
            since: at(12, 12, 0),
            roll_back_at: at(12, 42, 0),
            next_check: at(12, 21, 0),
        }
    );

    // Traffic picks up: the same step passes.
    let passed = decide(&rollout, at(12, 21, 0), &healthy());
    assert!(
        matches!(passed, Decision::ApplyWeights { step: 1, .. }),
        "{passed:?}"
    );
}

#[test]
fn machine_hold_expiry_rolls_back() {
    let rollout = baking_rollout();
    let before = decide(&rollout, at(12, 41, 59), &sparse());
    assert!(matches!(before, Decision::Hold { .. }), "{before:?}");

    let expired = decide(&rollout, at(12, 42, 0), &sparse());
    assert!(
        matches!(
            &expired,
            Decision::RollBack { reason: RollbackReason::HoldExpired { held_for, .. }, .. }
                if *held_for == Duration::from_secs(30 * 60)
        ),
        "{expired:?}"
    );
}

#[test]
fn machine_no_data_never_passes() {
    let rollout = baking_rollout();
    let empty = Observations::default();
    let decision = decide(&rollout, at(12, 30, 0), &empty);
    assert!(
        matches!(
            decision,
            Decision::Hold {
                reason: InconclusiveReason::NoData { .. },
                ..
            }
        ),
        "{decision:?}"
    );
}

#[test]
fn machine_waits_for_alarm_before_start() {
    let rollout = plan(Strategy::canary(10, 5));
    let decision = decide(&rollout, at(12, 0, 0), &with_alarm(healthy(), "ALARM"));
    assert_eq!(
        decision,
        Decision::Wait {
            until: at(12, 1, 0),
            reason: WaitReason::AlarmBeforeStart {
                alarms: vec!["example-fn-errors".to_string()]
            },
        }
    );
}

#[test]
fn machine_abort_leaves_alias() {
    let mut rollout = baking_rollout();
    let routing_before = rollout.expected_routing.clone();
    rollout
        .apply(
            at(12, 3, 0),
            Event::AbortRequested {
                reason: "incident elsewhere".to_string(),
            },
        )
        .expect("abort accepted");
    assert_eq!(
        rollout.phase,
        Phase::Aborted {
            at: at(12, 3, 0),
            reason: "incident elsewhere".to_string()
        }
    );
    assert_eq!(rollout.expected_routing, routing_before);
    assert_eq!(
        decide(&rollout, at(12, 4, 0), &failing()),
        Decision::Finished(Outcome::Aborted {
            reason: "incident elsewhere".to_string()
        })
    );
    let late = rollout.apply(at(12, 5, 0), Event::WriteSucceeded);
    assert!(matches!(late, Err(TransitionError::InvalidEvent { .. })));
}

#[test]
fn machine_operator_rollback() {
    let mut rollout = baking_rollout();
    rollout
        .apply(
            at(12, 3, 0),
            Event::RollBackRequested {
                reason: "customer report".to_string(),
            },
        )
        .expect("rollback accepted");
    let decision = decide(&rollout, at(12, 3, 0), &healthy());
    assert_eq!(
        decision,
        Decision::RollBack {
            reason: RollbackReason::Operator {
                reason: "customer report".to_string()
            },
            routing: AliasRouting::single("1"),
            expected_revision_id: "rev-baking".to_string(),
        }
    );
}

#[test]
fn machine_rollback_before_start_aborts() {
    let mut rollout = plan(Strategy::canary(10, 5));
    rollout
        .apply(
            at(12, 0, 0),
            Event::RollBackRequested {
                reason: "changed my mind".to_string(),
            },
        )
        .expect("accepted");
    assert!(matches!(rollout.phase, Phase::Aborted { .. }));
}

#[test]
fn machine_drift_on_read_asks_operator() {
    let mut rollout = plan(Strategy::canary(10, 5));
    let decision = decide(&rollout, at(12, 0, 0), &healthy());
    rollout
        .apply(
            at(12, 0, 0),
            Event::WriteSent(decision.write().expect("write")),
        )
        .expect("sent");
    rollout
        .apply(at(12, 0, 0), Event::WriteSucceeded)
        .expect("succeeded");

    // Someone moved the alias to version 3 between the write and the read.
    rollout
        .apply(at(12, 0, 5), Event::AliasRead(alias("3", &[], "rev-other")))
        .expect("read recorded");
    assert!(
        rollout.revision_id.is_none(),
        "the read's RevisionId is not adopted"
    );
    let asked = decide(&rollout, at(12, 0, 5), &healthy());
    assert!(
        matches!(
            &asked,
            Decision::AskOperator { conflict: Conflict::AliasChanged { found, .. }, resume: Write::Step { step: 0 }, .. }
                if found == "version 3 = 100%"
        ),
        "{asked:?}"
    );
}

#[test]
fn machine_busy_function_waits_and_retries() {
    let mut rollout = baking_rollout();
    let promote = decide(&rollout, at(12, 12, 0), &healthy());
    rollout
        .apply(
            at(12, 12, 0),
            Event::WriteSent(promote.write().expect("write")),
        )
        .expect("sent");
    rollout
        .apply(
            at(12, 12, 1),
            Event::WriteFailed(WriteFailure::UpdateInProgress),
        )
        .expect("failure recorded");
    assert_eq!(
        decide(&rollout, at(12, 12, 10), &healthy()),
        Decision::Wait {
            until: at(12, 12, 31),
            reason: WaitReason::FunctionBusy
        }
    );
    // Same RevisionId: the precondition still guards the retried write.
    assert_eq!(
        decide(&rollout, at(12, 12, 31), &healthy()),
        Decision::ApplyWeights {
            step: 1,
            routing: AliasRouting::single("2"),
            expected_revision_id: "rev-baking".to_string(),
        }
    );
    // An alarm while waiting rolls back instead of promoting.
    assert!(matches!(
        decide(&rollout, at(12, 12, 31), &with_alarm(healthy(), "ALARM")),
        Decision::RollBack { .. }
    ));
}

#[test]
fn machine_busy_limit_asks_operator() {
    let mut rollout = baking_rollout();
    rollout.config.max_busy_retries = 2;
    let mut now = at(12, 12, 0);
    for attempt in 0..3 {
        let decision = decide(&rollout, now, &healthy());
        rollout
            .apply(now, Event::WriteSent(decision.write().expect("write")))
            .expect("sent");
        rollout
            .apply(now, Event::WriteFailed(WriteFailure::UpdateInProgress))
            .expect("recorded");
        now += minutes(1);
        if attempt < 2 {
            assert!(matches!(rollout.phase, Phase::Pending { .. }));
        }
    }
    assert!(
        matches!(
            rollout.phase,
            Phase::Conflict {
                conflict: Conflict::WriteFailed { .. },
                ..
            }
        ),
        "{:?}",
        rollout.phase
    );
}

#[test]
fn machine_interrupted_write_resumes_via_operator() {
    let mut rollout = plan(Strategy::canary(10, 5));
    let decision = decide(&rollout, at(12, 0, 0), &healthy());
    rollout
        .apply(
            at(12, 0, 0),
            Event::WriteSent(decision.write().expect("write")),
        )
        .expect("sent");
    // The process dies here; the saved state is reloaded.
    let json = rollout.to_json().expect("serializes");
    let mut resumed = Rollout::from_json(&json).expect("reloads");

    let asked = decide(&resumed, at(12, 5, 0), &healthy());
    assert!(
        matches!(
            asked,
            Decision::AskOperator {
                conflict: Conflict::OutcomeUnknown,
                resume: Write::Step { step: 0 },
                ..
            }
        ),
        "{asked:?}"
    );
    // The write did land: the alias already routes 10% to version 2.
    let landed = alias("1", &[("2", 0.1)], "rev-landed");
    resumed
        .apply(at(12, 5, 0), Event::OperatorContinue { alias: landed })
        .expect("continue");
    assert_eq!(
        resumed.phase,
        Phase::Baking {
            step: 0,
            started_at: at(12, 5, 0)
        }
    );
    assert_eq!(resumed.revision_id.as_deref(), Some("rev-landed"));
}

#[test]
fn machine_state_round_trip_resumes_same() {
    let rollout = baking_rollout();
    let json = rollout.to_json().expect("serializes");
    let resumed = Rollout::from_json(&json).expect("reloads");
    assert_eq!(resumed, rollout);
    for now in [at(12, 5, 0), at(12, 12, 0), at(12, 30, 0)] {
        for observations in [healthy(), sparse(), failing()] {
            assert_eq!(
                decide(&resumed, now, &observations),
                decide(&rollout, now, &observations),
                "at {now}"
            );
        }
    }
    let value: Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["strategy"], "Canary10Percent10Minutes");
    assert_eq!(value["phase"]["phase"], "baking");
}

#[test]
fn machine_state_rejects_other_format() {
    let rollout = baking_rollout();
    let mut value: Value =
        serde_json::from_str(&rollout.to_json().expect("serializes")).expect("JSON");
    value["format_version"] = 2.into();
    let error = Rollout::from_json(&value.to_string()).expect_err("newer format");
    assert!(matches!(error, StateError::UnsupportedVersion { found: 2 }));

    value["format_version"] = 1.into();
    value["phase"] =
        serde_json::json!({"phase": "baking", "step": 7, "started_at": "2026-12-04T12:00:00Z"});
    let error = Rollout::from_json(&value.to_string()).expect_err("step past plan");
    assert!(matches!(error, StateError::Inconsistent(_)));

    let missing = Rollout::from_json("{}").expect_err("no version");
    assert!(matches!(missing, StateError::MissingVersion));
}

#[test]
fn machine_rejects_out_of_order_events() {
    let mut rollout = plan(Strategy::canary(10, 5));
    let skipped = rollout.apply(at(12, 0, 0), Event::WriteSent(Write::Step { step: 1 }));
    assert_eq!(skipped, Err(TransitionError::UnexpectedStep { step: 1 }));
    assert_eq!(rollout.phase, Phase::Planned, "state unchanged on error");

    let early = rollout.apply(at(12, 0, 0), Event::WriteSucceeded);
    assert!(matches!(early, Err(TransitionError::InvalidEvent { .. })));

    let rollback = rollout.apply(
        at(12, 0, 0),
        Event::WriteSent(Write::RollBack {
            reason: RollbackReason::Operator {
                reason: "x".to_string(),
            },
        }),
    );
    assert!(matches!(
        rollback,
        Err(TransitionError::InvalidEvent { .. })
    ));
}

#[test]
fn plan_rejects_bad_targets() {
    let config = RolloutConfig::default;
    let now = at(12, 0, 0);
    type IsExpected = fn(&PlanError) -> bool;
    let cases: Vec<(Alias, &str, IsExpected)> = vec![
        (alias("1", &[], "r"), "$LATEST", |e| {
            matches!(e, PlanError::TargetNotPublished(_))
        }),
        (alias("1", &[], "r"), "1", |e| {
            matches!(e, PlanError::SameVersion(_))
        }),
        (alias("1", &[("3", 0.2)], "r"), "2", |e| {
            matches!(e, PlanError::AliasAlreadyWeighted { .. })
        }),
        (
            Alias {
                revision_id: None,
                ..alias("1", &[], "r")
            },
            "2",
            |e| matches!(e, PlanError::MissingRevisionId(_)),
        ),
    ];
    for (live, target, is_expected) in cases {
        let error = Rollout::plan(FUNCTION, &live, target, Strategy::AllAtOnce, config(), now)
            .expect_err(target);
        assert!(is_expected(&error), "{target}: {error:?}");
    }
}

// --------------------------------------------------------------- preflight

fn version(number: &str, role: &str) -> Version {
    Version {
        version: number.to_string(),
        description: None,
        runtime: Some("python3.13".to_string()),
        memory_mb: Some(256),
        code_sha256: None,
        last_modified: None,
        revision_id: None,
        role: Some(role.to_string()),
        dead_letter_target: None,
    }
}

fn ready_input() -> PreflightInput {
    PreflightInput {
        function: FunctionStatus {
            state: Some("Active".to_string()),
            last_update_status: Some("Successful".to_string()),
            ..FunctionStatus::default()
        },
        alias: alias("1", &[], "rev-1"),
        planned_stable_version: Some("1".to_string()),
        stable: version("1", "arn:aws:iam::123456789012:role/example"),
        target: version("2", "arn:aws:iam::123456789012:role/example"),
        codedeploy: DeploymentCheck::Known(false),
        provisioned_concurrency: None,
    }
}

fn checks_at(findings: &[preflight::Finding], level: Level) -> Vec<Check> {
    findings
        .iter()
        .filter(|finding| finding.level == level)
        .map(|finding| finding.check)
        .collect()
}

#[test]
fn preflight_ready_without_findings() {
    let findings = preflight::run(&ready_input());
    assert_eq!(findings, Vec::new());
    assert_eq!(
        preflight::outcome(&findings),
        preflight::Outcome::Ready {
            warnings: Vec::new()
        }
    );
}

#[test]
fn preflight_rejects_mismatched_versions() {
    let mut input = ready_input();
    input.target.role = Some("arn:aws:iam::123456789012:role/other".to_string());
    input.target.dead_letter_target = Some("arn:aws:sqs:us-east-1:123456789012:dlq".to_string());
    let findings = preflight::run(&input);
    assert_eq!(
        checks_at(&findings, Level::Reject),
        vec![Check::ExecutionRole, Check::DeadLetterQueue]
    );

    let mut unread = ready_input();
    unread.stable.role = None;
    let findings = preflight::run(&unread);
    assert_eq!(checks_at(&findings, Level::Ask), vec![Check::ExecutionRole]);
}

#[test]
fn preflight_rejects_latest_target() {
    let mut input = ready_input();
    input.target = version("$LATEST", "arn:aws:iam::123456789012:role/example");
    let findings = preflight::run(&input);
    assert_eq!(
        checks_at(&findings, Level::Reject),
        vec![Check::TargetVersion]
    );
}

#[test]
fn preflight_rejects_weighted_alias() {
    let mut input = ready_input();
    input.alias = alias("1", &[("3", 0.1)], "rev-1");
    let findings = preflight::run(&input);
    assert_eq!(
        checks_at(&findings, Level::Reject),
        vec![Check::AliasRouting]
    );
}

#[test]
fn preflight_codedeploy_ownership() {
    let mut owned = ready_input();
    owned.codedeploy = DeploymentCheck::Known(true);
    let findings = preflight::run(&owned);
    assert_eq!(checks_at(&findings, Level::Reject), vec![Check::CodeDeploy]);

    let mut unknown = ready_input();
    unknown.codedeploy =
        DeploymentCheck::Unknown("AccessDenied on codedeploy:ListDeployments".to_string());
    let findings = preflight::run(&unknown);
    assert_eq!(checks_at(&findings, Level::Ask), vec![Check::CodeDeploy]);
    assert!(matches!(
        preflight::outcome(&findings),
        preflight::Outcome::Ask { .. }
    ));
    assert!(findings[0].message.contains("AccessDenied"));
}

#[test]
fn preflight_provisioned_concurrency() {
    let mut input = ready_input();
    input.provisioned_concurrency = Some(ProvisionedConcurrency {
        on_alias: None,
        on_stable_version: Some(20),
        on_new_version: Some(20),
        new_version_status: Some("IN_PROGRESS".to_string()),
    });
    let findings = preflight::run(&input);
    assert_eq!(
        checks_at(&findings, Level::Wait),
        vec![Check::ProvisionedConcurrency]
    );

    input.provisioned_concurrency = Some(ProvisionedConcurrency {
        on_alias: Some(5),
        on_stable_version: Some(20),
        on_new_version: None,
        new_version_status: None,
    });
    let findings = preflight::run(&input);
    assert_eq!(checks_at(&findings, Level::Warn).len(), 2);
    assert!(matches!(
        preflight::outcome(&findings),
        preflight::Outcome::Ready { warnings } if warnings.len() == 2
    ));
}

#[test]
fn preflight_outcome_takes_strongest() {
    let mut input = ready_input();
    input.function.last_update_status = Some("InProgress".to_string());
    input.codedeploy = DeploymentCheck::Unknown("not read".to_string());
    assert!(matches!(
        preflight::outcome(&preflight::run(&input)),
        preflight::Outcome::Wait { findings } if findings.len() == 1
    ));
    input.target = version("1", "arn:aws:iam::123456789012:role/example");
    assert!(matches!(
        preflight::outcome(&preflight::run(&input)),
        preflight::Outcome::Reject { .. }
    ));
}

// ------------------------------------------------------------ handed cases

/// Reads `Key: value` lines of one lettered section of case 09's log.
fn case_09_section(text: &str, letter: char) -> Vec<String> {
    let marker = format!("# ({letter})");
    text.lines()
        .skip_while(|line| !line.starts_with(&marker))
        .skip(1)
        .take_while(|line| !line.starts_with("# ("))
        .map(str::to_string)
        .collect()
}

fn case_09_text() -> String {
    std::fs::read_to_string(fixture_path(
        "09-config-update-in-progress-gating",
        "input.txt",
    ))
    .expect("case input readable")
}

#[test]
fn case_09_active_but_updating_waits() {
    let lines = case_09_section(&case_09_text(), 'a');
    let field = |key: &str| {
        lines
            .iter()
            .find_map(|line| line.strip_prefix(key))
            .map(|value| value.trim().to_string())
    };
    let status = FunctionStatus {
        state: field("Current State:"),
        last_update_status: field("Last Update Status:"),
        last_update_status_reason: field("Last Update Status Reason:"),
        last_update_status_reason_code: field("Last Update Status ReasonCode:"),
    };
    assert_eq!(status.state.as_deref(), Some("Active"));

    let findings = preflight::check_function_status(&status);
    assert_eq!(
        checks_at(&findings, Level::Wait),
        vec![Check::LastUpdateStatus]
    );
    assert!(
        findings[0].message.contains("Creating"),
        "reason code shown: {}",
        findings[0].message
    );
    assert!(matches!(
        preflight::outcome(&findings),
        preflight::Outcome::Wait { .. }
    ));
}

#[test]
fn case_09_pending_without_status_waits() {
    let lines = case_09_section(&case_09_text(), 'b');
    let line = lines
        .iter()
        .find(|line| line.contains("State:Pending"))
        .expect("pending line");
    let value_of = |key: &str| {
        line.split_whitespace()
            .find_map(|part| part.strip_prefix(key))
            .map(str::to_string)
    };
    let status = FunctionStatus {
        state: value_of("State:"),
        last_update_status: value_of("LastUpdateStatus:"),
        ..FunctionStatus::default()
    };
    assert_eq!(status.state.as_deref(), Some("Pending"));
    assert_eq!(status.last_update_status.as_deref(), Some(""));

    let findings = preflight::check_function_status(&status);
    assert_eq!(
        checks_at(&findings, Level::Wait),
        vec![Check::FunctionState, Check::LastUpdateStatus]
    );
    assert!(findings.iter().all(|f| !f.message.contains("Successful.")));
}

#[test]
fn case_09_update_in_progress_is_not_done() {
    let text = case_09_text();
    let json: String = case_09_section(&text, 'c')
        .into_iter()
        .skip_while(|line| !line.starts_with('{'))
        .collect::<Vec<_>>()
        .join("\n");
    let error: Value = serde_json::from_str(&json).expect("error JSON");
    let code = error["errorType"].as_str();
    let message = error["errorMessage"].as_str().unwrap_or_default();

    let failure = WriteFailure::from_error_code(code, message);
    assert_eq!(failure, WriteFailure::UpdateInProgress);

    let mut rollout = plan(Strategy::canary(10, 5));
    let decision = decide(&rollout, at(12, 0, 0), &healthy());
    rollout
        .apply(
            at(12, 0, 0),
            Event::WriteSent(decision.write().expect("write")),
        )
        .expect("sent");
    rollout
        .apply(at(12, 0, 1), Event::WriteFailed(failure))
        .expect("failure recorded");
    assert!(
        !matches!(
            rollout.phase,
            Phase::Baking { .. } | Phase::Completed { .. }
        ),
        "the shift is not reported as done: {:?}",
        rollout.phase
    );
    assert_eq!(
        decide(&rollout, at(12, 0, 2), &healthy()),
        Decision::Wait {
            until: at(12, 0, 31),
            reason: WaitReason::FunctionBusy
        }
    );
}

fn case_12_request(name: &str) -> (String, BTreeMap<String, f64>) {
    let input = read_case_json("12-alias-routing-weight-validation");
    let request = &input["requests"][name];
    let function_version = request["FunctionVersion"]
        .as_str()
        .expect("FunctionVersion")
        .to_string();
    let weights: BTreeMap<String, f64> =
        serde_json::from_value(request["RoutingConfig"]["AdditionalVersionWeights"].clone())
            .expect("weights map");
    (function_version, weights)
}

#[test]
fn case_12_invalid_requests_rejected() {
    let (version, weights) = case_12_request("a_two_additional_versions");
    assert!(matches!(
        AliasRouting::from_request(&version, &weights),
        Err(RoutingError::TooManyAdditionalVersions { count: 2, .. })
    ));

    let (version, weights) = case_12_request("b_weight_out_of_range");
    assert_eq!(
        AliasRouting::from_request(&version, &weights),
        Err(RoutingError::WeightOutOfRange {
            version: "2".to_string(),
            weight: 1.5
        })
    );

    let (version, weights) = case_12_request("c_latest_as_additional_version");
    assert_eq!(
        AliasRouting::from_request(&version, &weights),
        Err(RoutingError::AdditionalVersionNotPublished(
            "$LATEST".to_string()
        ))
    );
}

#[test]
fn case_12_valid_request_shares() {
    let (version, weights) = case_12_request("d_valid_95_percent_to_old_version");
    let routing = AliasRouting::from_request(&version, &weights).expect("valid request");

    assert_eq!(routing.share_of("1").to_string(), "95%");
    assert_eq!(routing.share_of("2").to_string(), "5%");
    assert_eq!(routing.to_string(), "version 2 = 5%, version 1 = 95%");
    assert_eq!(
        routing.additional_version_weights(),
        BTreeMap::from([("1".to_string(), 0.95)])
    );
}

#[test]
fn routing_validation_variants() {
    let one = |version: &str, weight: f64| BTreeMap::from([(version.to_string(), weight)]);
    assert_eq!(
        AliasRouting::from_request("3", &one("3", 0.5)),
        Err(RoutingError::AdditionalSameAsPrimary("3".to_string()))
    );
    assert_eq!(
        AliasRouting::from_request("$LATEST", &one("3", 0.5)),
        Err(RoutingError::PrimaryVersionNotPublished(
            "$LATEST".to_string()
        ))
    );
    assert!(matches!(
        AliasRouting::from_request("3", &one("2", 1.0)),
        Err(RoutingError::WeightOutOfRange { .. })
    ));
    assert!(matches!(
        AliasRouting::from_request("3", &one("2", f64::NAN)),
        Err(RoutingError::WeightOutOfRange { .. })
    ));
    assert!(matches!(
        AliasRouting::from_request("3", &one("2", -0.01)),
        Err(RoutingError::WeightOutOfRange { .. })
    ));
    let zero = AliasRouting::from_request("3", &one("2", 0.0)).expect("zero is valid");
    assert_eq!(zero.share_of("3"), Weight::FULL);
    let plain = AliasRouting::from_request("$LATEST", &BTreeMap::new()).expect("no routing");
    assert_eq!(
        plain.traffic_split(),
        vec![("$LATEST".to_string(), Weight::FULL)]
    );
}

#[test]
fn routing_for_step_promotes_and_rolls_back() {
    let step = AliasRouting::for_step("1", "2", Weight::from_percent(30)).expect("valid");
    assert_eq!(step.function_version, "1");
    assert_eq!(
        step.additional_version_weights(),
        BTreeMap::from([("2".to_string(), 0.3)])
    );
    let promote = AliasRouting::for_step("1", "2", Weight::FULL).expect("valid");
    assert_eq!(promote, AliasRouting::single("2"));
    assert!(promote.additional_version_weights().is_empty());
    let rollback = AliasRouting::for_step("1", "2", Weight::ZERO).expect("valid");
    assert_eq!(rollback, AliasRouting::single("1"));
    assert!(AliasRouting::for_step("1", "$LATEST", Weight::from_percent(10)).is_err());
}

#[test]
fn case_14_never_reuses_write_revision() {
    let input = read_case_json("14-revisionid-changes-after-update");
    let sequence = input["sequence"].as_array().expect("sequence");
    let revision_of = |index: usize| {
        sequence[index]["returns"]["RevisionId"]
            .as_str()
            .expect("RevisionId")
            .to_string()
    };
    let read_before = revision_of(0);
    let returned_by_write = revision_of(1);
    let read_after_settle = revision_of(2);

    let live = alias("1", &[], &read_before);
    let mut rollout = Rollout::plan(
        FUNCTION,
        &live,
        "2",
        Strategy::linear(50, 1),
        RolloutConfig::default(),
        at(12, 0, 0),
    )
    .expect("plan");
    rollout.config.thresholds.min_invocations = 50;

    let first = decide(&rollout, at(12, 0, 0), &healthy());
    assert!(
        matches!(&first, Decision::ApplyWeights { expected_revision_id, .. } if *expected_revision_id == read_before),
        "first write carries the preview's RevisionId: {first:?}"
    );
    rollout
        .apply(
            at(12, 0, 0),
            Event::WriteSent(first.write().expect("write")),
        )
        .expect("sent");
    rollout
        .apply(at(12, 0, 1), Event::WriteSucceeded)
        .expect("succeeded");
    // The write's own RevisionId is never stored; a fresh read is required.
    assert_eq!(rollout.revision_id, None);
    assert_ne!(
        rollout.revision_id.as_deref(),
        Some(returned_by_write.as_str())
    );
    assert_eq!(
        decide(&rollout, at(12, 4, 0), &healthy()),
        Decision::ReadAlias
    );

    let settled = alias_for(&rollout.expected_routing, &read_after_settle);
    rollout
        .apply(at(12, 0, 5), Event::AliasRead(settled))
        .expect("read");
    let next = decide(&rollout, at(12, 4, 0), &healthy());
    assert!(
        matches!(&next, Decision::ApplyWeights { step: 1, expected_revision_id, .. } if *expected_revision_id == read_after_settle),
        "{next:?}"
    );
}

#[test]
fn case_14_precondition_failed_asks_again() {
    let input = read_case_json("14-revisionid-changes-after-update");
    let error = &input["sequence"][3]["error"];
    assert_eq!(error["status"], 412);
    let failure = WriteFailure::from_error_code(
        error["code"].as_str(),
        error["message"].as_str().unwrap_or_default(),
    );
    assert_eq!(failure, WriteFailure::PreconditionFailed);

    let mut rollout = baking_rollout();
    let promote = decide(&rollout, at(12, 12, 0), &healthy());
    rollout
        .apply(
            at(12, 12, 0),
            Event::WriteSent(promote.write().expect("write")),
        )
        .expect("sent");
    rollout
        .apply(at(12, 12, 1), Event::WriteFailed(failure))
        .expect("failure recorded");

    // No blind retry: the next decisions ask the operator, whatever the
    // metrics show, until the operator has seen the re-read alias.
    for observations in [healthy(), failing(), with_alarm(healthy(), "ALARM")] {
        let decision = decide(&rollout, at(12, 13, 0), &observations);
        assert!(
            matches!(
                &decision,
                Decision::AskOperator {
                    conflict: Conflict::RevisionMismatch,
                    resume: Write::Step { step: 1 },
                    ..
                }
            ),
            "{decision:?}"
        );
        assert_eq!(decision.write(), None);
    }
    assert_eq!(rollout.revision_id, None);

    // Someone set the alias to 50% meanwhile; the operator sees it and
    // confirms the promotion.
    let changed = alias("1", &[("2", 0.5)], "rev-someone-else");
    rollout
        .apply(at(12, 14, 0), Event::OperatorContinue { alias: changed })
        .expect("continue");
    assert_eq!(
        decide(&rollout, at(12, 14, 0), &healthy()),
        Decision::ApplyWeights {
            step: 1,
            routing: AliasRouting::single("2"),
            expected_revision_id: "rev-someone-else".to_string(),
        }
    );
}

#[test]
fn case_14_update_settles_before_shift() {
    let input = read_case_json("14-revisionid-changes-after-update");
    let sequence = input["sequence"].as_array().expect("sequence");
    let status_at = |index: usize| FunctionStatus {
        state: Some("Active".to_string()),
        last_update_status: sequence[index]["returns"]["LastUpdateStatus"]
            .as_str()
            .map(str::to_string),
        ..FunctionStatus::default()
    };
    let updating = preflight::check_function_status(&status_at(1));
    assert!(matches!(
        preflight::outcome(&updating),
        preflight::Outcome::Wait { .. }
    ));
    let settled = preflight::check_function_status(&status_at(2));
    assert_eq!(settled, Vec::new());
}

fn case_15() -> (Alias, AppSpecTarget, Vec<String>) {
    let input = read_case_json("15-codedeploy-appspec-version-mismatch");
    let live = &input["alias_state_from_GetAlias"];
    let live = Alias {
        name: live["Name"].as_str().expect("Name").to_string(),
        function_version: live["FunctionVersion"]
            .as_str()
            .expect("FunctionVersion")
            .to_string(),
        routing: Vec::new(),
        revision_id: Some("rev-live".to_string()),
        description: None,
    };
    let properties = &input["appspec_same_version"]["Resources"][0]["MyFunction"]["Properties"];
    let field = |key: &str| properties[key].as_str().expect(key).to_string();
    let appspec = AppSpecTarget {
        alias: field("Alias"),
        current_version: field("CurrentVersion"),
        target_version: field("TargetVersion"),
    };
    let errors = input["errors_seen"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error.as_str().map(str::to_string))
        .collect();
    (live, appspec, errors)
}

#[test]
fn case_15_appspec_checked_before_submit() {
    let (live, appspec, _) = case_15();
    let findings = preflight::check_appspec(&appspec, &live);
    assert_eq!(checks_at(&findings, Level::Reject).len(), 2);
    assert!(findings[0].message.contains("nothing to shift"));
    assert!(
        findings[1].message.contains("CurrentVersion is 123")
            && findings[1].message.contains("version 122"),
        "{}",
        findings[1].message
    );
}

#[test]
fn case_15_codedeploy_errors_explained() {
    let (live, appspec, errors) = case_15();
    assert_eq!(errors.len(), 2);
    for message in &errors {
        let causes = preflight::explain_appspec_failure(message, &appspec, &live).expect("a cause");
        assert!(
            causes
                .iter()
                .any(|c| c.message.contains("rebuild the AppSpec")),
            "{causes:?}"
        );
    }
    assert_eq!(
        preflight::explain_appspec_failure("Rate exceeded", &appspec, &live),
        None
    );
}

#[test]
fn case_15_rollback_uses_live_version() {
    let (live, appspec, _) = case_15();
    // The cached AppSpec says 123 is current; the alias really serves 122.
    let same = Rollout::plan(
        FUNCTION,
        &live,
        &live.function_version,
        Strategy::AllAtOnce,
        RolloutConfig::default(),
        at(12, 0, 0),
    );
    assert!(matches!(same, Err(PlanError::SameVersion(_))));

    let rollout = Rollout::plan(
        FUNCTION,
        &live,
        &appspec.target_version,
        Strategy::canary(10, 5),
        RolloutConfig::default(),
        at(12, 0, 0),
    )
    .expect("plan");
    assert_eq!(rollout.stable_version, "122");
    assert_eq!(rollout.rollback_routing(), AliasRouting::single("122"));

    let mut input = ready_input();
    input.alias = live.clone();
    input.stable = version("122", "arn:aws:iam::123456789012:role/example");
    input.target = version("124", "arn:aws:iam::123456789012:role/example");
    input.planned_stable_version = Some(appspec.current_version.clone());
    let findings = preflight::run(&input);
    assert_eq!(checks_at(&findings, Level::Reject), vec![Check::AliasDrift]);
    assert!(
        findings[0]
            .message
            .contains("moved from version 123 to 122")
    );
}
