//! Cost: failed and timed-out invocations are billed like successful ones,
//! memory is billed whether used or not, and a daily budget catches a
//! runaway loop within a day instead of at the end of the month.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};
use crate::model::MetricSeries;

/// Share of invocations above which a day counts as failing, as Trusted
/// Advisor's Lambda error and timeout checks use.
const MAX_DAILY_RATE: f64 = 0.10;
const WINDOW_DAYS: i64 = 7;

/// Maximum memory used at or below this share of the configured size counts
/// as over-provisioned.
const OVER_PROVISIONED_SHARE: f64 = 0.4;
/// The smallest size Lambda offers; a function at it cannot shrink.
const MIN_MEMORY_MB: i32 = 128;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "COST-001",
        topic: Topic::Cost,
        severity: Severity::Medium,
        title: "More than 10 % of invocations failed on a day of the last week",
        peer_ids: &["TrustedAdvisor L4dfs2Q3C2"],
        fix: Fix {
            text: "Read the function's recent errors in CloudWatch Logs and fix the cause; failed invocations are billed and retries multiply them.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        },
        check: daily_error_rate,
    },
    Rule {
        id: "COST-002",
        topic: Topic::Cost,
        severity: Severity::Medium,
        title: "More than 10 % of invocations timed out on a day of the last week",
        peer_ids: &["TrustedAdvisor L4dfs2Q3C3"],
        fix: Fix {
            text: "Find what the function waits on when it times out, set client timeouts below the function timeout, and raise the timeout only if the work needs it.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html",
        },
        check: daily_timeout_rate,
    },
    Rule {
        id: "COST-003",
        topic: Topic::Cost,
        severity: Severity::Low,
        title: "Memory is over-provisioned",
        peer_ids: &["TrustedAdvisor COr6dfpM05"],
        fix: Fix {
            text: "Lower the memory size, measuring duration at each size, because memory also sets the CPU share; AWS Lambda Power Tuning automates the search.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html",
        },
        check: memory_over_provisioned,
    },
    Rule {
        id: "COST-004",
        topic: Topic::Cost,
        severity: Severity::Low,
        title: "The account has no daily budget",
        peer_ids: &[],
        fix: Fix {
            text: "Create an AWS Budgets cost budget with a daily period and an alert, so a runaway function is noticed within a day.",
            doc_url: "https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-create.html",
        },
        check: daily_budget,
    },
    Rule {
        id: "COST-005",
        topic: Topic::Cost,
        severity: Severity::Low,
        title: "Compute Optimizer recommends another memory size",
        peer_ids: &[],
        fix: Fix {
            text: "Set the memory size that Compute Optimizer recommends and compare duration and cost for a day; it bases the advice on the last 14 days of invocations.",
            doc_url: "https://docs.aws.amazon.com/compute-optimizer/latest/ug/view-lambda-recommendations.html",
        },
        check: compute_optimizer_finding,
    },
];

fn daily_sums(series: &MetricSeries, since: NaiveDate) -> BTreeMap<NaiveDate, f64> {
    let mut sums = BTreeMap::new();
    for point in &series.points {
        let day = point.at.date_naive();
        if day >= since {
            *sums.entry(day).or_insert(0.0) += point.value;
        }
    }
    sums
}

/// The worst day of the window, by the share of invocations counted in
/// `part`, with the number of days that have a rate. Days without
/// invocations, or without a datapoint of `part`, have no rate, and a
/// window without any rate gives `None`. Today is left out: a day that has only
/// begun has a handful of invocations, and one early failure of a nightly
/// job would read as a 50 % error day.
fn worst_day(
    part: &MetricSeries,
    invocations: &MetricSeries,
    input: &CheckInput,
) -> Option<(NaiveDate, f64, f64, usize)> {
    let today = input.now.date_naive();
    let parts = daily_sums(part, window_start(input));
    let mut rates: Vec<(NaiveDate, f64, f64)> = daily_sums(invocations, window_start(input))
        .into_iter()
        .filter(|(day, count)| *count > 0.0 && *day < today)
        .filter_map(|(day, count)| parts.get(&day).map(|part| (day, *part, count)))
        .collect();
    let days = rates.len();
    rates.sort_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)));
    rates
        .pop()
        .map(|(day, part, count)| (day, part, count, days))
}

/// Returns the first UTC day of the daily-rate window.
fn window_start(input: &CheckInput) -> NaiveDate {
    (input.now - Duration::days(WINDOW_DAYS)).date_naive()
}

fn rate_verdict(worst: (NaiveDate, f64, f64, usize), metric_label: &str) -> Verdict {
    let (day, part, count, days) = worst;
    let rate = part / count;
    let verdict = if rate > MAX_DAILY_RATE {
        Verdict::fail(format!(
            "{:.1} % of invocations on {day} were {metric_label}",
            rate * 100.0
        ))
    } else if days == 1 {
        Verdict::pass(format!(
            "{day}, the only day with data, had at most 10 % {metric_label}"
        ))
    } else {
        Verdict::pass(format!(
            "none of the {days} days with data had more than 10 % {metric_label}"
        ))
    };
    verdict
        .with("worst_day", day)
        .with(metric_label, part)
        .with("invocations", count)
        .with("rate_percent", format!("{:.1}", rate * 100.0))
        .with("days_with_data", days)
}

fn daily_error_rate(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let daily = require(&input.resources.daily_metrics, "daily metrics")?;
    let worst = worst_day(&daily.errors, &daily.invocations, input).ok_or_else(|| {
        Verdict::insufficient(&format!(
            "daily Invocations and Errors of the last {WINDOW_DAYS} days"
        ))
    })?;
    Ok(rate_verdict(worst, "errors"))
}

fn daily_timeout_rate(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let daily = require(&input.resources.daily_metrics, "daily metrics")?;
    let Some(timeouts) = &daily.timeouts else {
        // The timeouts come from the same REPORT line read as the memory
        // used, so a failure of that read explains the gap.
        if let crate::model::Collected::Failed(error) = &input.resources.max_memory_used_mb {
            return Err(Verdict::unknown(
                super::UnknownReason::from_error(error),
                format!("REPORT log lines could not be read: {error}"),
            ));
        }
        return Err(Verdict::missing("daily count of timed-out invocations"));
    };
    let worst = worst_day(timeouts, &daily.invocations, input).ok_or_else(|| {
        // The log read starts at midnight UTC yesterday, so a timeout count
        // exists only for days that had a REPORT line since then.
        let today = input.now.date_naive();
        let report_days = daily_sums(timeouts, window_start(input));
        if report_days.keys().any(|day| *day < today) {
            Verdict::insufficient("daily Invocations for the UTC days of the REPORT log lines")
        } else {
            Verdict::insufficient(
                "REPORT log lines for a whole UTC day (yesterday): the log group has none",
            )
        }
    })?;
    Ok(rate_verdict(worst, "timeouts"))
}

fn memory_over_provisioned(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(configured) = input.function.memory_mb else {
        return Err(Verdict::missing("memory size of the function"));
    };
    let used = require(&input.resources.max_memory_used_mb, "maximum memory used")?
        .ok_or_else(|| Verdict::insufficient("REPORT log lines with Max Memory Used"))?;
    let share = used / f64::from(configured);
    let verdict = if configured > MIN_MEMORY_MB && share <= OVER_PROVISIONED_SHARE {
        Verdict::warn(format!(
            "the function used at most {:.0} % of its memory",
            share * 100.0
        ))
    } else {
        Verdict::pass("the memory size fits the maximum used")
    };
    Ok(verdict
        .with("memory_mb", configured)
        .with("max_memory_used_mb", format!("{used:.0}")))
}

fn daily_budget(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let has_budget = *require(&input.account.daily_budget, "AWS Budgets budgets")?;
    Ok(if has_budget {
        Verdict::pass("the account has a daily budget")
    } else {
        Verdict::fail("no budget of the account has a daily period")
    }
    .with("daily_budget", has_budget))
}

fn compute_optimizer_finding(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let recommendation = require(
        &input.resources.compute_optimizer,
        "Compute Optimizer recommendations",
    )?
    .as_ref()
    .ok_or_else(|| Verdict::insufficient("Compute Optimizer recommendation for the function"))?;
    let reasons = recommendation.finding_reasons.join(", ");
    let verdict = match recommendation.finding.as_str() {
        "Optimized" => Verdict::pass("Compute Optimizer finds the memory size optimized"),
        "NotOptimized" => {
            let best = recommendation.options.first();
            let target = best.map_or_else(
                || "another size".to_string(),
                |option| format!("{} MB", option.memory_mb),
            );
            let mut verdict =
                Verdict::warn(format!("Compute Optimizer recommends {target} ({reasons})"));
            if let Some(saving) = best.and_then(|option| option.saving_usd_per_month) {
                verdict = verdict.with("saving_usd_per_month", format!("{saving:.2}"));
            }
            verdict
        }
        _ => {
            return Err(Verdict::insufficient(
                "Compute Optimizer has no finding for the function",
            ));
        }
    };
    Ok(verdict
        .with("finding", &recommendation.finding)
        .with("finding_reasons", reasons)
        .with(
            "current_memory_mb",
            recommendation
                .current_memory_mb
                .map_or_else(|| "unknown".to_string(), |m| m.to_string()),
        ))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::{Fixture, now};
    use crate::model::{Collected, DailyMetrics};

    /// A daily series with one value per day, the last value yesterday.
    fn daily(values: &[f64]) -> MetricSeries {
        let days = values.len() as i64;
        MetricSeries::from_pairs(values.iter().enumerate().map(|(i, value)| {
            let at: DateTime<Utc> = now() - Duration::days(days - i as i64);
            (at, *value)
        }))
    }

    fn evaluate(rule: usize, metrics: DailyMetrics) -> Verdict {
        let mut fixture = Fixture::new();
        fixture.resources.daily_metrics = Collected::Loaded(metrics);
        RULES[rule].evaluate(&fixture.input(), &ChecksConfig::default())
    }

    #[test]
    fn error_rate_table() {
        let cases = [
            (vec![100.0, 100.0], vec![0.0, 11.0], Status::Fail),
            (vec![100.0, 100.0], vec![10.0, 10.0], Status::Pass),
            (vec![1000.0, 0.0], vec![0.0, 0.0], Status::Pass),
            (vec![3.0], vec![1.0], Status::Fail),
        ];
        for (invocations, errors, expected) in cases {
            let verdict = evaluate(
                0,
                DailyMetrics {
                    invocations: daily(&invocations),
                    errors: daily(&errors),
                    timeouts: None,
                },
            );
            assert_eq!(verdict.status, expected, "{invocations:?} {errors:?}");
        }
    }

    #[test]
    fn partial_current_day_ignored() {
        let today = |value: f64| MetricSeries::from_pairs([(now(), value)]);
        let verdict = evaluate(
            0,
            DailyMetrics {
                invocations: today(2.0),
                errors: today(1.0),
                timeouts: None,
            },
        );
        assert!(matches!(verdict.status, Status::Unknown(_)), "{verdict:?}");
    }

    #[test]
    fn old_days_are_ignored() {
        let mut invocations = vec![100.0; 10];
        let mut errors = vec![0.0; 10];
        invocations[0] = 100.0;
        errors[0] = 90.0;
        let verdict = evaluate(
            0,
            DailyMetrics {
                invocations: daily(&invocations),
                errors: daily(&errors),
                timeouts: None,
            },
        );
        assert_eq!(verdict.status, Status::Pass);
    }

    #[test]
    fn no_traffic_is_insufficient() {
        let cases = [
            (Vec::new(), Vec::new()),
            (vec![0.0, 0.0], vec![0.0, 0.0]),
            (vec![100.0], Vec::new()),
        ];
        for (invocations, errors) in cases {
            let verdict = evaluate(
                0,
                DailyMetrics {
                    invocations: daily(&invocations),
                    errors: daily(&errors),
                    timeouts: None,
                },
            );
            assert!(verdict.is_unknown(), "{invocations:?} {errors:?}");
        }
    }

    #[test]
    fn timeout_rate_table() {
        let metrics = |timeouts: Option<&[f64]>| DailyMetrics {
            invocations: daily(&[50.0, 50.0]),
            errors: daily(&[6.0, 0.0]),
            timeouts: timeouts.map(daily),
        };
        assert_eq!(evaluate(1, metrics(Some(&[6.0, 0.0]))).status, Status::Fail);
        assert_eq!(evaluate(1, metrics(Some(&[5.0, 0.0]))).status, Status::Pass);
        assert!(evaluate(1, metrics(None)).is_unknown());
    }

    #[test]
    fn timeouts_unread_name_denied_action() {
        let mut fixture = Fixture::new();
        fixture.resources.daily_metrics = Collected::Loaded(DailyMetrics {
            invocations: daily(&[50.0]),
            errors: daily(&[0.0]),
            timeouts: None,
        });
        fixture.resources.max_memory_used_mb = Collected::Failed(crate::aws::AwsError {
            kind: crate::aws::ErrorKind::AccessDenied,
            action: "logs:FilterLogEvents".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(400),
            request_id: None,
        });
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(
            verdict.status,
            Status::Unknown(crate::checks::UnknownReason::AccessDenied {
                action: "logs:FilterLogEvents".to_string()
            })
        );
    }

    #[test]
    fn memory_table() {
        let cases = [
            (1024, Some(200.0), Status::Warn),
            (1024, Some(409.6), Status::Warn),
            (1024, Some(600.0), Status::Pass),
            (128, Some(40.0), Status::Pass),
        ];
        for (memory, used, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.memory_mb = Some(memory);
            fixture.resources.max_memory_used_mb = Collected::Loaded(used);
            let verdict = RULES[2].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{memory} MB, used {used:?}");
        }
        let mut fixture = Fixture::new();
        fixture.resources.max_memory_used_mb = Collected::Loaded(None);
        let verdict = RULES[2].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown());
    }

    fn recommendation(finding: &str) -> crate::model::cost::LambdaRecommendation {
        crate::model::cost::LambdaRecommendation {
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".to_string(),
            finding: finding.to_string(),
            finding_reasons: vec!["MemoryOverprovisioned".to_string()],
            current_memory_mb: Some(1_024),
            options: vec![crate::model::cost::MemoryOption {
                memory_mb: 512,
                saving_usd_per_month: Some(3.5),
            }],
        }
    }

    #[test]
    fn compute_optimizer_table() {
        let cases = [
            (Some("Optimized"), Status::Pass),
            (Some("NotOptimized"), Status::Warn),
        ];
        for (finding, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.compute_optimizer = Collected::Loaded(finding.map(recommendation));
            let verdict = RULES[4].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{finding:?}");
        }
        for loaded in [None, Some(recommendation("Unavailable"))] {
            let mut fixture = Fixture::new();
            fixture.resources.compute_optimizer = Collected::Loaded(loaded);
            let verdict = RULES[4].evaluate(&fixture.input(), &ChecksConfig::default());
            assert!(verdict.is_unknown());
        }
    }

    #[test]
    fn compute_optimizer_unsupported_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.resources.compute_optimizer = Collected::Failed(crate::aws::AwsError {
            kind: crate::aws::ErrorKind::Unsupported,
            action: "compute-optimizer:GetLambdaFunctionRecommendations".to_string(),
            code: None,
            message: None,
            status: Some(404),
            request_id: None,
        });
        let verdict = RULES[4].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(matches!(
            verdict.status,
            Status::Unknown(crate::checks::UnknownReason::Unsupported { .. })
        ));
    }

    #[test]
    fn budget_table() {
        for (loaded, expected) in [(true, Status::Pass), (false, Status::Fail)] {
            let mut fixture = Fixture::new();
            fixture.account.daily_budget = Collected::Loaded(loaded);
            let verdict = RULES[3].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected);
        }
    }
}
