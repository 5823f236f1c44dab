//! Observability: traces, log retention, alarms on failures and structured
//! logs, which an on-call engineer needs during an incident.

use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};
use crate::model::AlarmInfo;

/// Metrics that need an alarm: failed invocations and rejected ones.
const ALARMED_METRICS: &[&str] = &["Errors", "Throttles"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "OBS-001",
        topic: Topic::Observability,
        severity: Severity::Low,
        title: "X-Ray active tracing is off",
        peer_ids: &[
            "SecurityHub Lambda.7",
            "serverless-rules WS1000",
            "Checkov CKV_AWS_50",
        ],
        fix: Fix {
            text: "Set TracingConfig.Mode to Active and allow xray:PutTraceSegments in the execution role.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        },
        check: tracing_active,
    },
    Rule {
        id: "OBS-002",
        topic: Topic::Observability,
        severity: Severity::Low,
        title: "Log group keeps events forever",
        peer_ids: &["serverless-rules WS1004"],
        fix: Fix {
            text: "Set a retention period on the function's log group with `aws logs put-retention-policy`; logs kept forever are billed forever.",
            doc_url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
        },
        check: log_retention,
    },
    Rule {
        id: "OBS-003",
        topic: Topic::Observability,
        severity: Severity::Medium,
        title: "No alarm on Errors or Throttles",
        peer_ids: &[],
        fix: Fix {
            text: "Create CloudWatch alarms on the AWS/Lambda Errors and Throttles metrics with the FunctionName dimension, and send them to the on-call channel.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        },
        check: failure_alarms,
    },
    Rule {
        id: "OBS-004",
        topic: Topic::Observability,
        severity: Severity::Info,
        title: "Logs are plain text instead of JSON",
        peer_ids: &[],
        fix: Fix {
            text: "Set LoggingConfig.LogFormat to JSON, so log lines can be filtered by field in CloudWatch Logs Insights.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html",
        },
        check: json_logs,
    },
];

fn tracing_active(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(mode) = input.function.tracing_mode.as_deref() else {
        return Err(Verdict::missing("tracing mode"));
    };
    Ok(if mode.eq_ignore_ascii_case("Active") {
        Verdict::pass("active tracing is on")
    } else {
        Verdict::fail("requests are not traced unless the caller samples them")
    }
    .with("tracing_mode", mode))
}

fn log_retention(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let log_group = require(&input.resources.log_group, "log group")?;
    Ok(match log_group {
        Some(group) => match group.retention_days {
            Some(days) => Verdict::pass(format!("events expire after {days} days"))
                .with("log_group", &group.name)
                .with("retention_days", days),
            None => Verdict::fail("the log group never expires its events")
                .with("log_group", &group.name)
                .with("retention_days", "never expire"),
        },
        None => Verdict::warn("the log group does not exist yet; Lambda creates it without retention on the first invocation")
            .with("log_group", input.function.log_group.as_deref().unwrap_or("none")),
    })
}

/// True when the alarm watches `metric` of this function, for the whole
/// function or one of its aliases or versions.
fn alarms_metric(alarm: &AlarmInfo, function: &str, metric: &str) -> bool {
    let on_function = alarm.dimensions.get("FunctionName").map(String::as_str) == Some(function)
        || alarm
            .dimensions
            .get("Resource")
            .is_some_and(|resource| resource.split(':').next() == Some(function));
    on_function && alarm.metric_name.as_deref() == Some(metric)
}

fn failure_alarms(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let alarms = require(&input.resources.alarms, "CloudWatch alarms")?;
    let function = input.function.name.as_str();
    let mut verdict_parts = Vec::new();
    let mut missing = Vec::new();
    for metric in ALARMED_METRICS {
        let names: Vec<&str> = alarms
            .iter()
            .filter(|alarm| alarms_metric(alarm, function, metric))
            .map(|alarm| alarm.name.as_str())
            .collect();
        if names.is_empty() {
            missing.push(*metric);
        } else {
            verdict_parts.push((metric.to_string(), names.join(", ")));
        }
    }
    let mut verdict = if missing.is_empty() {
        Verdict::pass("Errors and Throttles have alarms")
    } else {
        Verdict::fail(format!("no alarm on {}", missing.join(" or ")))
            .with("metrics_without_alarm", missing.join(", "))
    };
    for (metric, names) in verdict_parts {
        verdict = verdict.with(format!("alarms_on_{}", metric.to_ascii_lowercase()), names);
    }
    Ok(verdict)
}

/// The log format Lambda uses when `LoggingConfig` names none.
const DEFAULT_LOG_FORMAT: &str = "Text";

fn json_logs(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    // Every function that ListFunctions returned has an ARN; without one
    // the configuration was not read.
    if input.function.arn.is_empty() {
        return Err(Verdict::missing("function configuration"));
    }
    // Plain text is Lambda's default log format. Some endpoints, such as
    // moto, leave LoggingConfig out, and the Overview tab then shows the
    // default too.
    let (format, evidence) = match input.function.log_format.as_deref() {
        Some(format) => (format, format.to_string()),
        None => (
            DEFAULT_LOG_FORMAT,
            format!("{DEFAULT_LOG_FORMAT} (not returned; Lambda's default)"),
        ),
    };
    Ok(if format.eq_ignore_ascii_case("JSON") {
        Verdict::pass("logs are JSON")
    } else {
        Verdict::warn("logs are plain text")
    }
    .with("log_format", evidence))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, LogGroupInfo};

    #[test]
    fn tracing_table() {
        let cases = [
            (Some("Active"), Status::Pass),
            (Some("PassThrough"), Status::Fail),
        ];
        for (mode, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.tracing_mode = mode.map(str::to_string);
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{mode:?}");
        }
        let mut fixture = Fixture::new();
        fixture.function.tracing_mode = None;
        assert!(
            RULES[0]
                .evaluate(&fixture.input(), &ChecksConfig::default())
                .is_unknown()
        );
    }

    #[test]
    fn retention_table() {
        let group = |days| {
            Some(LogGroupInfo {
                name: "/aws/lambda/orders".to_string(),
                retention_days: days,
            })
        };
        let cases = [
            (group(Some(30)), Status::Pass),
            (group(None), Status::Fail),
            (None, Status::Warn),
        ];
        for (log_group, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.log_group = Collected::Loaded(log_group.clone());
            let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{log_group:?}");
        }
    }

    fn alarm(metric: &str, dimension: (&str, &str)) -> AlarmInfo {
        AlarmInfo {
            name: format!("{metric}-alarm"),
            namespace: Some("AWS/Lambda".to_string()),
            metric_name: Some(metric.to_string()),
            state: Some("OK".to_string()),
            dimensions: BTreeMap::from([(dimension.0.to_string(), dimension.1.to_string())]),
        }
    }

    #[test]
    fn failure_alarm_table() {
        let cases = [
            (
                vec![
                    alarm("Errors", ("FunctionName", "orders")),
                    alarm("Throttles", ("FunctionName", "orders")),
                ],
                Status::Pass,
            ),
            (
                vec![
                    alarm("Errors", ("Resource", "orders:live")),
                    alarm("Throttles", ("FunctionName", "orders")),
                ],
                Status::Pass,
            ),
            (
                vec![alarm("Errors", ("FunctionName", "orders"))],
                Status::Fail,
            ),
            (
                vec![
                    alarm("Errors", ("FunctionName", "orders-v2")),
                    alarm("Throttles", ("FunctionName", "orders-v2")),
                ],
                Status::Fail,
            ),
            (Vec::new(), Status::Fail),
        ];
        for (alarms, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.alarms = Collected::Loaded(alarms.clone());
            let verdict = RULES[2].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{alarms:?}");
        }
    }

    fn log_format_evidence(verdict: &Verdict) -> Option<&str> {
        verdict
            .evidence
            .iter()
            .find(|evidence| evidence.name == "log_format")
            .map(|evidence| evidence.value.as_str())
    }

    #[test]
    fn log_format_table() {
        for (format, expected) in [
            ("JSON", Status::Pass),
            ("json", Status::Pass),
            ("Text", Status::Warn),
        ] {
            let mut fixture = Fixture::new();
            fixture.function.log_format = Some(format.to_string());
            let verdict = RULES[3].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{format}");
            assert_eq!(log_format_evidence(&verdict), Some(format));
        }
    }

    #[test]
    fn log_format_absent_is_lambda_default() {
        // moto leaves LoggingConfig out, so the function logs in Lambda's
        // default Text format.
        let mut fixture = Fixture::new();
        fixture.function.log_format = None;
        let verdict = RULES[3].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(verdict.status, Status::Warn);
        assert_eq!(
            log_format_evidence(&verdict),
            Some("Text (not returned; Lambda's default)")
        );
    }

    #[test]
    fn log_format_unknown_without_configuration() {
        let mut fixture = Fixture::new();
        fixture.function.log_format = None;
        fixture.function.arn = String::new();
        let verdict = RULES[3].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown(), "{verdict:?}");
    }
}
