//! Deployment safety: callers should invoke an alias, so that a new version
//! can be shifted in gradually and rolled back, and each alias needs an
//! alarm that can stop a bad shift.

use super::policy::{self, Channel};
use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};
use crate::model::AlarmInfo;

const ALIAS_DOC: &str = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "DEP-001",
        topic: Topic::Deployment,
        severity: Severity::Medium,
        title: "Callers invoke $LATEST or the function has no alias",
        peer_ids: &[],
        fix: Fix {
            text: "Publish a version, create an alias for it, and point triggers, permissions and the URL at the alias ARN, so deployments can shift and roll back traffic.",
            doc_url: ALIAS_DOC,
        },
        check: latest_callers,
    },
    Rule {
        id: "DEP-002",
        topic: Topic::Deployment,
        severity: Severity::Medium,
        title: "Alias has no alarm to stop a traffic shift",
        peer_ids: &["SAM DeploymentPreference Alarms"],
        fix: Fix {
            text: "Create a CloudWatch alarm on Errors with the dimensions FunctionName and Resource set to FUNCTION:ALIAS, and use it as the guard of traffic shifts.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html",
        },
        check: alias_alarms,
    },
    Rule {
        id: "DEP-003",
        topic: Topic::Deployment,
        severity: Severity::Medium,
        title: "SnapStart is on but callers invoke $LATEST",
        peer_ids: &[],
        fix: Fix {
            text: "Point callers at a published version or an alias, because SnapStart applies only to published versions and $LATEST keeps full cold starts.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html",
        },
        check: snap_start_on_latest,
    },
];

/// Callers bound to `$LATEST`, and the sources that could not be read.
struct LatestCallers {
    found: Vec<String>,
    unknown: Vec<Verdict>,
}

fn find_latest_callers(input: &CheckInput) -> LatestCallers {
    let mut callers = LatestCallers {
        found: Vec::new(),
        unknown: Vec::new(),
    };

    match require(
        &input.resources.event_source_mappings,
        "event source mappings",
    ) {
        Ok(mappings) => callers.found.extend(
            mappings
                .iter()
                .filter(|mapping| policy::is_unqualified_function_arn(&mapping.function_arn))
                .map(|mapping| {
                    format!(
                        "event source mapping {} ({})",
                        mapping.uuid,
                        mapping
                            .event_source_arn
                            .as_deref()
                            .unwrap_or("no source ARN")
                    )
                }),
        ),
        Err(verdict) => callers.unknown.push(verdict),
    }

    match require(&input.resources.url, "function URL configuration") {
        Ok(Some(url)) if policy::is_unqualified_function_arn(&url.function_arn) => {
            callers.found.push(format!("function URL {}", url.url));
        }
        Ok(_) => {}
        Err(verdict) => callers.unknown.push(verdict),
    }

    match require(&input.resources.policy, "resource policy") {
        Ok(Some(document)) => match policy::analyze(&document.parsed) {
            Ok(analysis) => callers.found.extend(
                analysis
                    .grants
                    .iter()
                    .filter(|grant| grant.channel == Channel::InvokeApi)
                    .filter(|grant| {
                        grant
                            .resources
                            .iter()
                            .any(|resource| policy::is_unqualified_function_arn(resource))
                    })
                    .map(|grant| {
                        format!(
                            "permission {} for {}",
                            grant.sid_label(),
                            grant.principal.label()
                        )
                    }),
            ),
            Err(error) => callers.unknown.push(Verdict::missing(&format!(
                "readable resource policy ({error})"
            ))),
        },
        Ok(None) => {}
        Err(verdict) => callers.unknown.push(verdict),
    }
    callers
}

fn latest_callers(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let aliases = input.require_aliases()?;
    let callers = find_latest_callers(input);

    let mut verdict = if !callers.found.is_empty() {
        Verdict::fail(
            "callers invoke $LATEST, so a deployment reaches them at once and cannot be rolled back by alias",
        )
    } else if aliases.is_empty() {
        Verdict::fail("the function has no alias, so every deployment reaches all callers at once")
    } else if let Some(unknown) = callers.unknown.into_iter().next() {
        return Err(unknown);
    } else {
        Verdict::pass("no caller invokes $LATEST")
    };
    let alias_names: Vec<&str> = aliases.iter().map(|alias| alias.name.as_str()).collect();
    verdict = verdict.with(
        "aliases",
        if alias_names.is_empty() {
            "none".to_string()
        } else {
            alias_names.join(", ")
        },
    );
    for caller in callers.found {
        verdict = verdict.with("latest_caller", caller);
    }
    Ok(verdict)
}

/// True when the alarm watches this alias: a `Resource` dimension of
/// `FUNCTION:ALIAS`.
fn watches_alias(alarm: &AlarmInfo, function: &str, alias: &str) -> bool {
    alarm.dimensions.get("Resource").map(String::as_str) == Some(&format!("{function}:{alias}"))
}

/// True when the alarm watches the function as a whole.
fn watches_function(alarm: &AlarmInfo, function: &str) -> bool {
    alarm.dimensions.get("FunctionName").map(String::as_str) == Some(function)
        && !alarm.dimensions.contains_key("Resource")
}

fn alias_alarms(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let aliases = input.require_aliases()?;
    if aliases.is_empty() {
        return Ok(Verdict::not_applicable(
            "the function has no alias to shift",
        ));
    }
    let alarms = require(&input.resources.alarms, "CloudWatch alarms")?;
    let function = input.function.name.as_str();
    let function_alarms: Vec<&str> = alarms
        .iter()
        .filter(|alarm| watches_function(alarm, function))
        .map(|alarm| alarm.name.as_str())
        .collect();

    let mut unguarded = Vec::new();
    let mut verdict_evidence = Vec::new();
    for alias in aliases {
        let names: Vec<&str> = alarms
            .iter()
            .filter(|alarm| watches_alias(alarm, function, &alias.name))
            .map(|alarm| alarm.name.as_str())
            .collect();
        if names.is_empty() {
            unguarded.push(alias.name.as_str());
        } else {
            verdict_evidence.push((alias.name.clone(), names.join(", ")));
        }
    }

    let mut verdict = if unguarded.is_empty() {
        Verdict::pass("every alias has an alarm")
    } else if !function_alarms.is_empty() {
        Verdict::warn("only function-wide alarms guard these aliases, so the new version's errors mix with the old one's")
            .with("aliases_without_alarm", unguarded.join(", "))
            .with("function_alarms", function_alarms.join(", "))
    } else {
        Verdict::fail("no alarm can stop a traffic shift on these aliases")
            .with("aliases_without_alarm", unguarded.join(", "))
    };
    for (alias, names) in verdict_evidence {
        verdict = verdict.with(format!("alarms_of_{alias}"), names);
    }
    Ok(verdict)
}

fn snap_start_on_latest(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    if !*require(&input.resources.snap_start, "SnapStart setting")? {
        return Ok(Verdict::not_applicable("SnapStart is off"));
    }
    let callers = find_latest_callers(input);
    if callers.found.is_empty() {
        if let Some(unknown) = callers.unknown.into_iter().next() {
            return Err(unknown);
        }
        return Ok(Verdict::pass(
            "no caller invokes $LATEST, so every caller gets SnapStart",
        ));
    }
    let mut verdict =
        Verdict::fail("callers of $LATEST get no SnapStart snapshot and pay full cold starts");
    for caller in callers.found {
        verdict = verdict.with("latest_caller", caller);
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Alias, Collected, EventSourceMapping};

    const ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:orders";

    #[test]
    fn denied_aliases_name_the_action() {
        let fixture = Fixture::new();
        let error = crate::aws::AwsError {
            kind: crate::aws::ErrorKind::AccessDenied,
            action: "lambda:ListAliases".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        };
        let mut input = fixture.input();
        input.aliases = None;
        input.aliases_error = Some(&error);
        for rule in RULES.iter().take(2) {
            let verdict = rule.evaluate(&input, &ChecksConfig::default());
            assert_eq!(
                verdict.status,
                Status::Unknown(crate::checks::UnknownReason::AccessDenied {
                    action: "lambda:ListAliases".to_string()
                }),
                "{}",
                rule.id
            );
        }
    }

    fn alias(name: &str) -> Alias {
        Alias {
            name: name.to_string(),
            function_version: "3".to_string(),
            routing: Vec::new(),
            revision_id: None,
            description: None,
        }
    }

    fn mapping(function_arn: &str) -> EventSourceMapping {
        EventSourceMapping {
            uuid: "m-1".to_string(),
            event_source_arn: Some("arn:aws:sqs:eu-west-1:123456789012:jobs".to_string()),
            function_arn: function_arn.to_string(),
            ..EventSourceMapping::default()
        }
    }

    fn loaded_fixture(mappings: Vec<EventSourceMapping>) -> Fixture {
        let mut fixture = Fixture::new();
        fixture.resources.event_source_mappings = Collected::Loaded(mappings);
        fixture.resources.url = Collected::Loaded(None);
        fixture.resources.policy = Collected::Loaded(None);
        fixture
    }

    #[test]
    fn latest_callers_table() {
        let live = [alias("live")];
        let cases: [(Vec<EventSourceMapping>, &[Alias], Status); 5] = [
            (vec![mapping(ARN)], &live, Status::Fail),
            (
                vec![mapping(&format!("{ARN}:$LATEST"))],
                &live,
                Status::Fail,
            ),
            (vec![mapping(&format!("{ARN}:live"))], &live, Status::Pass),
            (Vec::new(), &[], Status::Fail),
            (Vec::new(), &live, Status::Pass),
        ];
        for (mappings, aliases, expected) in cases {
            let fixture = loaded_fixture(mappings.clone());
            let mut input = fixture.input();
            input.aliases = Some(aliases);
            let verdict = RULES[0].evaluate(&input, &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{mappings:?} {aliases:?}");
        }
    }

    #[test]
    fn unread_sources_are_unknown() {
        let live = [alias("live")];
        let mut fixture = loaded_fixture(Vec::new());
        fixture.resources.policy = Collected::NotCollected;
        let mut input = fixture.input();
        input.aliases = Some(&live);
        let verdict = RULES[0].evaluate(&input, &ChecksConfig::default());
        assert!(verdict.is_unknown());
    }

    fn alarm(name: &str, dimensions: &[(&str, &str)]) -> AlarmInfo {
        AlarmInfo {
            name: name.to_string(),
            namespace: Some("AWS/Lambda".to_string()),
            metric_name: Some("Errors".to_string()),
            state: Some("OK".to_string()),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    #[test]
    fn alias_alarm_table() {
        let aliases = [alias("live")];
        let cases = [
            (
                vec![alarm(
                    "a",
                    &[("FunctionName", "orders"), ("Resource", "orders:live")],
                )],
                Status::Pass,
            ),
            (
                vec![alarm("f", &[("FunctionName", "orders")])],
                Status::Warn,
            ),
            (vec![alarm("o", &[("FunctionName", "other")])], Status::Fail),
            (
                vec![alarm(
                    "b",
                    &[("FunctionName", "orders"), ("Resource", "orders:beta")],
                )],
                Status::Fail,
            ),
            (Vec::new(), Status::Fail),
        ];
        for (alarms, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.alarms = Collected::Loaded(alarms.clone());
            let mut input = fixture.input();
            input.aliases = Some(&aliases);
            let verdict = RULES[1].evaluate(&input, &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{alarms:?}");
        }
    }

    #[test]
    fn snap_start_table() {
        let cases = [
            (false, vec![mapping(ARN)], Status::NotApplicable),
            (true, vec![mapping(ARN)], Status::Fail),
            (true, vec![mapping(&format!("{ARN}:live"))], Status::Pass),
        ];
        for (enabled, mappings, expected) in cases {
            let mut fixture = loaded_fixture(mappings.clone());
            fixture.resources.snap_start = Collected::Loaded(enabled);
            let verdict = RULES[2].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(
                verdict.status, expected,
                "snap start {enabled} {mappings:?}"
            );
        }
    }
}
