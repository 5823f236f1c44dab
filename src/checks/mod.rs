//! The safety checklist: pure rules over model values, grouped by topic.
//!
//! Each rule has a stable id, a topic, a default severity, a fix with an AWS
//! documentation link and a pure evaluation. Data that is missing or could
//! not be read yields `Unknown` with the reason, never `Pass`.

mod config;
mod cost;
mod deployment;
mod downstream;
mod input;
mod isolation;
mod network;
mod observability;
pub mod policy;
mod runtime;
mod runtime_table;
mod secrets;
mod throttling;
mod validation;
mod verdict;
mod vulnerabilities;

#[cfg(test)]
mod test_support;

use serde::Serialize;

pub use config::ChecksConfig;
pub use input::{CheckInput, DOWNSTREAM_TAG, SUPPRESS_TAG};
pub use runtime_table::{RuntimeKind, RuntimeTable, RuntimeTableError, runtime_table};
pub use secrets::mask_secret;
pub use verdict::{Evaluation, Evidence, Severity, Status, Topic, UnknownReason, Verdict, require};

/// How to fix a failing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// One or two sentences.
    pub text: &'static str,
    pub doc_url: &'static str,
}

/// One checklist rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub topic: Topic,
    pub severity: Severity,
    pub title: &'static str,
    /// Ids of the same check in Security Hub, Prowler, awslabs
    /// serverless-rules, Trusted Advisor or Checkov, where one exists.
    pub peer_ids: &'static [&'static str],
    pub fix: Fix,
    pub check: fn(&CheckInput, &ChecksConfig) -> Evaluation,
}

impl Rule {
    pub fn evaluate(&self, input: &CheckInput, config: &ChecksConfig) -> Verdict {
        (self.check)(input, config).unwrap_or_else(|verdict| verdict)
    }
}

/// A rule's verdict on one function, with the severity that applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    pub rule_id: &'static str,
    pub topic: Topic,
    pub title: &'static str,
    /// The configured override, else the verdict's own, else the rule's.
    pub severity: Severity,
    pub verdict: Verdict,
    pub fix: Fix,
    pub peer_ids: &'static [&'static str],
    /// True when the function's suppression tag lists the rule. The verdict
    /// is still shown but does not count as a failure.
    pub suppressed: bool,
}

impl RuleResult {
    /// True for an unsuppressed `Fail` or `Warn`.
    pub fn needs_attention(&self) -> bool {
        !self.suppressed && matches!(self.verdict.status, Status::Fail | Status::Warn)
    }
}

/// Every rule, in the order the checklist shows them.
pub fn rules() -> Vec<&'static Rule> {
    [
        network::RULES,
        isolation::RULES,
        vulnerabilities::RULES,
        runtime::RULES,
        secrets::RULES,
        cost::RULES,
        deployment::RULES,
        observability::RULES,
        throttling::RULES,
        validation::RULES,
        downstream::RULES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Looks up a rule by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    rules().into_iter().find(|rule| rule.id == id)
}

/// Evaluates every enabled rule on one function.
pub fn evaluate_all(input: &CheckInput, config: &ChecksConfig) -> Vec<RuleResult> {
    let suppressed = input.suppressed_rules();
    rules()
        .into_iter()
        .filter(|rule| !config.disabled.contains(rule.id))
        .map(|rule| {
            let verdict = rule.evaluate(input, config);
            let severity = config
                .severity_overrides
                .get(rule.id)
                .copied()
                .or(verdict.severity)
                .unwrap_or(rule.severity);
            RuleResult {
                rule_id: rule.id,
                topic: rule.topic,
                title: rule.title,
                severity,
                verdict,
                fix: rule.fix,
                peer_ids: rule.peer_ids,
                suppressed: suppressed.contains(&rule.id),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::test_support::Fixture;
    use super::*;

    #[test]
    fn rule_ids_are_unique() {
        let mut seen = BTreeSet::new();
        for rule in rules() {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
        }
    }

    #[test]
    fn every_fix_links_aws_docs() {
        for rule in rules() {
            assert!(
                rule.fix.doc_url.starts_with("https://docs.aws.amazon.com/"),
                "{} links {}",
                rule.id,
                rule.fix.doc_url
            );
            assert!(!rule.fix.text.is_empty(), "{} has no fix text", rule.id);
        }
    }

    #[test]
    fn nothing_collected_never_passes() {
        // RT-001 reads only the function configuration, which is loaded.
        let config_only = ["RT-001"];
        let fixture = Fixture::new();
        let mut input = fixture.input();
        input.aliases = None;
        input.tags = None;
        for result in evaluate_all(&input, &ChecksConfig::default()) {
            if config_only.contains(&result.rule_id) {
                continue;
            }
            assert_ne!(
                result.verdict.status,
                Status::Pass,
                "{} passed without data: {:?}",
                result.rule_id,
                result.verdict
            );
        }
    }

    #[test]
    fn failed_call_names_action() {
        // Built with format! so the IAM policy test, which collects action
        // literals from src/, does not count a test value as a real call.
        let action = format!("cloudwatch:{}", "DescribeAlarms");
        let mut fixture = Fixture::new();
        fixture.resources.alarms = crate::model::Collected::Failed(crate::aws::AwsError {
            kind: crate::aws::ErrorKind::AccessDenied,
            action: action.clone(),
            code: Some("AccessDenied".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        });
        let verdict =
            rule("OBS-003").map(|r| r.evaluate(&fixture.input(), &ChecksConfig::default()));
        assert_eq!(
            verdict.map(|v| v.status),
            Some(Status::Unknown(UnknownReason::AccessDenied { action }))
        );
    }

    #[test]
    fn suppression_tag_marks_result() {
        let fixture = Fixture::new();
        let tags = BTreeMap::from([(SUPPRESS_TAG.to_string(), "OBS-001, SEC-002".to_string())]);
        let mut input = fixture.input();
        input.tags = Some(&tags);
        let results = evaluate_all(&input, &ChecksConfig::default());

        let tracing = results.iter().find(|r| r.rule_id == "OBS-001");
        assert!(tracing.is_some_and(|r| r.suppressed));
        assert!(tracing.is_some_and(|r| r.verdict.status == Status::Fail));
        assert!(tracing.is_some_and(|r| !r.needs_attention()));
        let runtime = results.iter().find(|r| r.rule_id == "RT-001");
        assert!(runtime.is_some_and(|r| !r.suppressed));
    }

    #[test]
    fn config_disables_and_overrides() {
        let fixture = Fixture::new();
        let input = fixture.input();
        let config = ChecksConfig {
            disabled: BTreeSet::from(["OBS-004".to_string()]),
            severity_overrides: BTreeMap::from([("OBS-001".to_string(), Severity::Critical)]),
            ..ChecksConfig::default()
        };
        let results = evaluate_all(&input, &config);

        assert!(results.iter().all(|r| r.rule_id != "OBS-004"));
        let tracing = results.iter().find(|r| r.rule_id == "OBS-001");
        assert_eq!(tracing.map(|r| r.severity), Some(Severity::Critical));
    }
}
