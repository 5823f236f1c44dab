//! Values the checklist views derive from stored results: labels, symbols,
//! the per-topic grouping of one function, and the fleet-wide failures
//! grouped by rule. Computed per frame from state, never stored.

use crate::checks::{Severity, Status, Topic};
use crate::model::{CheckResult, Checklist, Fleet, FunctionKey};

/// Returns a short severity label that fits a table cell.
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "crit",
        Severity::High => "high",
        Severity::Medium => "med",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

/// Returns the symbol of a result: ✗ fail, ⚠ warn, ✓ pass, ? unknown, – not
/// applicable; suppressed results show `s`.
pub fn status_symbol(result: &CheckResult) -> &'static str {
    if result.suppressed {
        return "s";
    }
    match result.verdict.status {
        Status::Fail => "✗",
        Status::Warn => "⚠",
        Status::Pass => "✓",
        Status::Unknown(_) => "?",
        Status::NotApplicable => "–",
    }
}

pub fn status_word(status: &Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::Pass => "pass",
        Status::Unknown(_) => "unknown",
        Status::NotApplicable => "not applicable",
    }
}

pub fn topic_label(topic: Topic) -> &'static str {
    match topic {
        Topic::Isolation => "Isolation",
        Topic::Vulnerabilities => "Vulnerabilities",
        Topic::Runtime => "Runtime",
        Topic::Cost => "Cost",
        Topic::Deployment => "Deployment",
        Topic::Observability => "Observability",
        Topic::NetworkExposure => "Network exposure",
        Topic::Secrets => "Secrets",
        Topic::RequestValidation => "Request validation",
        Topic::Throttling => "Throttling",
        Topic::DownstreamProtection => "Downstream protection",
    }
}

/// Formats the fleet column's text: "✗3 crit" for three failures whose worst is
/// critical, "✓" for none, "…" before the first evaluation.
pub fn fleet_cell(checklist: Option<&Checklist>) -> String {
    let Some(checklist) = checklist else {
        return "…".to_string();
    };
    match checklist.worst_failure() {
        Some(worst) => format!("✗{} {}", checklist.failure_count(), severity_label(worst)),
        None => "✓".to_string(),
    }
}

/// Computes the fleet column's sort key: worst severity first, then the
/// count.
pub fn fleet_sort_value(checklist: Option<&Checklist>) -> Option<f64> {
    let checklist = checklist?;
    let rank = checklist.worst_failure().map_or(0, |s| s as u8 + 1);
    Some(f64::from(rank) * 1_000.0 + checklist.failure_count() as f64)
}

/// One topic of a function's checklist with its results in registry order.
pub struct TopicGroup<'a> {
    pub topic: Topic,
    pub results: Vec<&'a CheckResult>,
}

impl TopicGroup<'_> {
    pub fn count(&self, wanted: impl Fn(&CheckResult) -> bool) -> usize {
        self.results.iter().filter(|r| wanted(r)).count()
    }
}

/// Groups the results by topic, in the order topics first appear.
pub fn topic_groups(checklist: &Checklist) -> Vec<TopicGroup<'_>> {
    let mut groups: Vec<TopicGroup<'_>> = Vec::new();
    for result in &checklist.results {
        match groups.iter_mut().find(|g| g.topic == result.topic) {
            Some(group) => group.results.push(result),
            None => groups.push(TopicGroup {
                topic: result.topic,
                results: vec![result],
            }),
        }
    }
    groups
}

/// Lists the results in the order the checklist tab shows them, so the cursor
/// index means the same rule on screen and in `App`.
pub fn ordered_results(checklist: &Checklist) -> Vec<&CheckResult> {
    topic_groups(checklist)
        .into_iter()
        .flat_map(|group| group.results)
        .collect()
}

/// One function failing a rule.
pub struct FailingFunction<'a> {
    pub key: FunctionKey,
    pub result: &'a CheckResult,
}

/// Every function failing one rule.
pub struct RuleFailures<'a> {
    pub rule_id: &'a str,
    pub title: &'a str,
    /// The highest severity among the functions; overrides may differ.
    pub severity: Severity,
    pub functions: Vec<FailingFunction<'a>>,
}

/// Collects the fleet's unsuppressed failures grouped by rule, worst severity first,
/// then by rule id; functions by name within a rule.
pub fn failures_by_rule(fleet: &Fleet) -> Vec<RuleFailures<'_>> {
    let mut groups: Vec<RuleFailures<'_>> = Vec::new();
    for entry in fleet.entries() {
        let Some(checklist) = &entry.checklist else {
            continue;
        };
        for result in checklist.failures() {
            let failing = FailingFunction {
                key: entry.key(),
                result,
            };
            match groups.iter_mut().find(|g| g.rule_id == result.rule_id) {
                Some(group) => {
                    group.severity = group.severity.max(result.severity);
                    group.functions.push(failing);
                }
                None => groups.push(RuleFailures {
                    rule_id: &result.rule_id,
                    title: &result.title,
                    severity: result.severity,
                    functions: vec![failing],
                }),
            }
        }
    }
    for group in &mut groups {
        group.functions.sort_by(|a, b| {
            a.key
                .name
                .cmp(&b.key.name)
                .then(a.key.region.cmp(&b.key.region))
        });
    }
    groups.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule_id.cmp(b.rule_id)));
    groups
}

/// Lists the selectable rows of the failures view, in display order.
pub fn failure_keys(fleet: &Fleet) -> Vec<FunctionKey> {
    failures_by_rule(fleet)
        .into_iter()
        .flat_map(|group| group.functions.into_iter().map(|f| f.key))
        .collect()
}
