//! Downstream protection: failed events need somewhere to go instead of
//! being dropped or retried forever, and a function that calls a service
//! which cannot scale with Lambda needs a concurrency ceiling.

use std::collections::BTreeSet;

use super::input::DOWNSTREAM_TAG;
use super::policy::{self, Principal};
use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};
use crate::model::{EventSourceKind, EventSourceMapping};

/// Service principals that invoke functions asynchronously, so a failed
/// event is retried twice and then dropped unless a destination or
/// dead-letter queue catches it.
const ASYNC_SERVICES: &[&str] = &[
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "events.amazonaws.com",
    "scheduler.amazonaws.com",
    "iot.amazonaws.com",
    "ses.amazonaws.com",
    "logs.amazonaws.com",
    "config.amazonaws.com",
    "codecommit.amazonaws.com",
];

const TAG_VALUE_NON_SCALABLE: &str = "non-scalable";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DWN-001",
        topic: Topic::DownstreamProtection,
        severity: Severity::Medium,
        title: "Asynchronous invocations have no failure destination",
        peer_ids: &[
            "serverless-rules ES1007",
            "Prowler awslambda_function_no_dead_letter_queue",
            "Checkov CKV_AWS_116",
        ],
        fix: Fix {
            text: "Add an on-failure destination (SQS, SNS, EventBridge or another function) to the event invoke configuration, or a dead-letter queue, so failed events are kept.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        },
        check: async_failure_destination,
    },
    Rule {
        id: "DWN-002",
        topic: Topic::DownstreamProtection,
        severity: Severity::Medium,
        title: "Queue or stream mapping has no failure handling",
        peer_ids: &["serverless-rules ES1001", "serverless-rules ES6000"],
        fix: Fix {
            text: "For streams, set an on-failure destination and a finite MaximumRetryAttempts with BisectBatchOnFunctionError; for SQS, give the source queue a redrive policy to a dead-letter queue.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html",
        },
        check: mapping_failure_handling,
    },
    Rule {
        id: "DWN-003",
        topic: Topic::DownstreamProtection,
        severity: Severity::Low,
        title: "SQS mapping has no maximum concurrency",
        peer_ids: &[],
        fix: Fix {
            text: "Set ScalingConfig.MaximumConcurrency (2 to 1000) on the mapping, so one queue cannot take all the function's concurrency or flood its downstreams.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html",
        },
        check: sqs_maximum_concurrency,
    },
    Rule {
        id: "DWN-004",
        topic: Topic::DownstreamProtection,
        severity: Severity::Medium,
        title: "Function calling a non-scalable downstream has no reserved concurrency",
        peer_ids: &["Checkov CKV_AWS_115"],
        fix: Fix {
            text: "Reserve concurrency at or below what the downstream can serve, such as the database's connection limit divided by connections per environment.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        },
        check: reserved_concurrency,
    },
];

fn async_failure_destination(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let mut async_callers = BTreeSet::new();
    if let Some(analysis) = policy::analyze_input(input)? {
        for grant in &analysis.grants {
            if let Principal::Service(service) = &grant.principal
                && ASYNC_SERVICES.contains(&service.as_str())
            {
                async_callers.insert(service.clone());
            }
        }
    }
    let event_invoke = require(&input.resources.event_invoke, "event invoke configuration")?;
    if async_callers.is_empty() && event_invoke.is_none() {
        return Ok(Verdict::not_applicable(
            "no asynchronous caller found in the resource policy",
        ));
    }

    let destination = event_invoke
        .as_ref()
        .and_then(|config| config.on_failure_destination.clone());
    let dead_letter = input.function.dead_letter_target.clone();
    let callers = if async_callers.is_empty() {
        "event invoke configuration present".to_string()
    } else {
        async_callers.into_iter().collect::<Vec<_>>().join(", ")
    };
    let verdict = match (&destination, &dead_letter) {
        (None, None) => Verdict::fail("failed asynchronous events are dropped after the retries"),
        _ => Verdict::pass("failed asynchronous events are kept"),
    };
    Ok(verdict
        .with("async_callers", callers)
        .with(
            "on_failure_destination",
            destination.as_deref().unwrap_or("none"),
        )
        .with(
            "dead_letter_target",
            dead_letter.as_deref().unwrap_or("none"),
        ))
}

/// Why a stream mapping's failures are not handled, or `None` when they are.
fn stream_gap(mapping: &EventSourceMapping) -> Option<String> {
    if mapping.on_failure_destination.is_some() {
        return None;
    }
    let retries = match mapping.maximum_retry_attempts {
        Some(-1) | None => "retries until the record expires".to_string(),
        Some(count) => format!("{count} retries"),
    };
    Some(format!("no on-failure destination, {retries}"))
}

fn mapping_failure_handling(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let mappings = require(
        &input.resources.event_source_mappings,
        "event source mappings",
    )?;
    let relevant: Vec<&EventSourceMapping> = mappings
        .iter()
        .filter(|m| m.source_kind().is_stream() || m.source_kind() == EventSourceKind::Sqs)
        .collect();
    if relevant.is_empty() {
        return Ok(Verdict::not_applicable("no queue or stream mapping"));
    }

    // A queue whose redrive policy is unknown must not hide a gap already
    // found on another mapping, so unknowns are judged after the loop.
    let mut gaps = Vec::new();
    let mut unknown: Option<Verdict> = None;
    for mapping in &relevant {
        let source = mapping
            .event_source_arn
            .as_deref()
            .unwrap_or("unknown source");
        if mapping.source_kind() == EventSourceKind::Sqs {
            let redrive = match require(
                &input.resources.queue_redrive,
                "redrive policies of source queues",
            ) {
                Ok(redrive) => redrive,
                Err(not_known) => {
                    unknown.get_or_insert(not_known);
                    continue;
                }
            };
            match redrive.get(source) {
                Some(true) => {}
                Some(false) => gaps.push(format!("{source}: queue has no redrive policy")),
                None => {
                    unknown.get_or_insert_with(|| {
                        Verdict::missing(&format!("redrive policy of queue {source}"))
                    });
                }
            }
        } else if let Some(gap) = stream_gap(mapping) {
            gaps.push(format!("{source}: {gap}"));
        }
    }
    if let (true, Some(unknown)) = (gaps.is_empty(), unknown) {
        return Err(unknown);
    }

    let mut verdict = if gaps.is_empty() {
        Verdict::pass("every queue and stream mapping keeps failed records")
    } else {
        Verdict::fail("failed records are lost, or block the stream until they expire")
    }
    .with("mappings_checked", relevant.len());
    for gap in gaps {
        verdict = verdict.with("mapping", gap);
    }
    Ok(verdict)
}

fn sqs_maximum_concurrency(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let mappings = require(
        &input.resources.event_source_mappings,
        "event source mappings",
    )?;
    let sqs: Vec<&EventSourceMapping> = mappings
        .iter()
        .filter(|m| m.source_kind() == EventSourceKind::Sqs)
        .collect();
    if sqs.is_empty() {
        return Ok(Verdict::not_applicable("no SQS mapping"));
    }
    let unlimited: Vec<&str> = sqs
        .iter()
        .filter(|m| m.maximum_concurrency.is_none())
        .map(|m| m.event_source_arn.as_deref().unwrap_or("unknown source"))
        .collect();
    Ok(if unlimited.is_empty() {
        Verdict::pass("every SQS mapping sets a maximum concurrency")
            .with("mappings_checked", sqs.len())
    } else {
        Verdict::fail("an SQS mapping may scale up to 1,250 concurrent invocations per queue")
            .with("queues_without_maximum", unlimited.join(", "))
    })
}

/// Finds whether the function is marked as calling a non-scalable
/// downstream, and by what. Returns `None` when the tags are not loaded and
/// the configuration does not mark it.
fn non_scalable_mark(input: &CheckInput, config: &ChecksConfig) -> Option<Option<&'static str>> {
    if config
        .non_scalable_downstream
        .contains(&input.function.name)
    {
        return Some(Some("checks configuration"));
    }
    let tags = input.tags?;
    let tagged = tags
        .get(DOWNSTREAM_TAG)
        .is_some_and(|value| value.trim().eq_ignore_ascii_case(TAG_VALUE_NON_SCALABLE));
    Some(tagged.then_some("function tag"))
}

fn reserved_concurrency(input: &CheckInput, config: &ChecksConfig) -> Evaluation {
    let Some(mark) = non_scalable_mark(input, config) else {
        return Err(Verdict::missing("function tags"));
    };
    let Some(marked_by) = mark else {
        return Ok(Verdict::not_applicable(
            "the function is not marked as calling a non-scalable downstream",
        ));
    };
    let reserved = require(
        &input.resources.reserved_concurrency,
        "reserved concurrency",
    )?;
    let verdict = match reserved {
        None => Verdict::fail("nothing caps how many environments call the downstream at once")
            .with("reserved_concurrency", "none"),
        Some(0) => Verdict::warn("reserved concurrency 0 stops every invocation")
            .with("reserved_concurrency", 0),
        Some(limit) => Verdict::pass("reserved concurrency caps the calls to the downstream")
            .with("reserved_concurrency", limit),
    };
    Ok(verdict.with("marked_by", marked_by))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, EventInvokeConfig, ResourcePolicy};

    const S3_POLICY: &str = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
        "Action":["lambda:invokeFunction"],"Resource":"*",
        "Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}}"#;

    #[test]
    fn async_destination_table() {
        let with_failure = Some(EventInvokeConfig {
            on_failure_destination: Some("arn:aws:sqs:eu-west-1:123456789012:failed".to_string()),
            ..EventInvokeConfig::default()
        });
        let without_failure = Some(EventInvokeConfig::default());
        let cases = [
            (Some(S3_POLICY), None, None, Status::Fail),
            (Some(S3_POLICY), with_failure.clone(), None, Status::Pass),
            (
                Some(S3_POLICY),
                None,
                Some("arn:aws:sqs:eu-west-1:123456789012:dlq"),
                Status::Pass,
            ),
            (None, without_failure, None, Status::Fail),
            (None, None, None, Status::NotApplicable),
        ];
        for (policy, event_invoke, dlq, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.policy =
                Collected::Loaded(policy.and_then(|p| ResourcePolicy::parse(p).ok()));
            fixture.resources.event_invoke = Collected::Loaded(event_invoke.clone());
            fixture.function.dead_letter_target = dlq.map(str::to_string);
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(
                verdict.status, expected,
                "{policy:?} {event_invoke:?} {dlq:?}"
            );
        }
    }

    fn mapping(
        source: &str,
        destination: Option<&str>,
        concurrency: Option<i32>,
    ) -> EventSourceMapping {
        EventSourceMapping {
            uuid: "m".to_string(),
            event_source_arn: Some(source.to_string()),
            function_arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders:live".to_string(),
            maximum_concurrency: concurrency,
            on_failure_destination: destination.map(str::to_string),
            ..EventSourceMapping::default()
        }
    }

    const QUEUE: &str = "arn:aws:sqs:eu-west-1:123456789012:jobs";
    const STREAM: &str = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
    const TABLE_STREAM: &str =
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000";

    #[test]
    fn mapping_failure_table() {
        let cases = [
            (vec![mapping(STREAM, None, None)], true, Status::Fail),
            (vec![mapping(TABLE_STREAM, None, None)], true, Status::Fail),
            (
                vec![mapping(
                    STREAM,
                    Some("arn:aws:sqs:eu-west-1:123456789012:failed"),
                    None,
                )],
                true,
                Status::Pass,
            ),
            (vec![mapping(QUEUE, None, None)], true, Status::Pass),
            (vec![mapping(QUEUE, None, None)], false, Status::Fail),
            (Vec::new(), true, Status::NotApplicable),
        ];
        for (mappings, redrive, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.event_source_mappings = Collected::Loaded(mappings.clone());
            fixture.resources.queue_redrive =
                Collected::Loaded(BTreeMap::from([(QUEUE.to_string(), redrive)]));
            let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{mappings:?} redrive {redrive}");
        }
    }

    #[test]
    fn unknown_queue_redrive_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.resources.event_source_mappings =
            Collected::Loaded(vec![mapping(QUEUE, None, None)]);
        fixture.resources.queue_redrive = Collected::Loaded(BTreeMap::new());
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown());
    }

    #[test]
    fn stream_gap_shows_despite_unknown_queue() {
        let mut fixture = Fixture::new();
        fixture.resources.event_source_mappings = Collected::Loaded(vec![
            mapping(QUEUE, None, None),
            mapping(STREAM, None, None),
        ]);
        fixture.resources.queue_redrive = Collected::NotCollected;
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(verdict.status, Status::Fail);
    }

    #[test]
    fn sqs_concurrency_table() {
        let cases = [
            (vec![mapping(QUEUE, None, Some(10))], Status::Pass),
            (vec![mapping(QUEUE, None, None)], Status::Fail),
            (vec![mapping(STREAM, None, None)], Status::NotApplicable),
        ];
        for (mappings, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.event_source_mappings = Collected::Loaded(mappings.clone());
            let verdict = RULES[2].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{mappings:?}");
        }
    }

    #[test]
    fn reserved_concurrency_table() {
        let tagged = BTreeMap::from([(DOWNSTREAM_TAG.to_string(), "non-scalable".to_string())]);
        let untagged = BTreeMap::new();
        let cases = [
            (&tagged, None, Status::Fail),
            (&tagged, Some(20), Status::Pass),
            (&tagged, Some(0), Status::Warn),
            (&untagged, None, Status::NotApplicable),
        ];
        for (tags, reserved, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.reserved_concurrency = Collected::Loaded(reserved);
            let mut input = fixture.input();
            input.tags = Some(tags);
            let verdict = RULES[3].evaluate(&input, &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{tags:?} {reserved:?}");
        }
    }

    #[test]
    fn config_list_marks_function() {
        let mut fixture = Fixture::new();
        fixture.resources.reserved_concurrency = Collected::Loaded(None);
        let config = ChecksConfig {
            non_scalable_downstream: ["orders".to_string()].into(),
            ..ChecksConfig::default()
        };
        let verdict = RULES[3].evaluate(&fixture.input(), &config);
        assert_eq!(verdict.status, Status::Fail);
        let verdict = RULES[3].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown(), "tags not loaded");
    }
}
