//! Stored checklist results. The rules run while the cockpit is live, where
//! environment variable values are in memory; the fleet stores only their
//! results, with masked evidence, so snapshots and `anshin open` show them
//! without holding a secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountResources, FunctionEntry};
use crate::checks::{self, CheckInput, ChecksConfig, RuleResult, Severity, Status, Topic, Verdict};

/// One rule's result on one function, in a form that survives a snapshot.
/// The fix and the peer ids come from the rule registry by `rule_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub rule_id: String,
    pub topic: Topic,
    pub title: String,
    pub severity: Severity,
    pub verdict: Verdict,
    /// True when the function's `anshin:suppress` tag lists the rule.
    pub suppressed: bool,
}

impl CheckResult {
    /// True for an unsuppressed `Fail`.
    pub fn is_failure(&self) -> bool {
        !self.suppressed && self.verdict.status == Status::Fail
    }

    /// True for an unsuppressed `Warn`.
    pub fn is_warning(&self) -> bool {
        !self.suppressed && self.verdict.status == Status::Warn
    }

    pub fn rule(&self) -> Option<&'static checks::Rule> {
        checks::rule(&self.rule_id)
    }
}

impl From<RuleResult> for CheckResult {
    fn from(result: RuleResult) -> Self {
        Self {
            rule_id: result.rule_id.to_string(),
            topic: result.topic,
            title: result.title.to_string(),
            severity: result.severity,
            verdict: result.verdict,
            suppressed: result.suppressed,
        }
    }
}

/// Every rule's result on one function, in registry order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    /// The time the rules were evaluated, which is also the "now" of
    /// date-based rules such as runtime end of support.
    pub evaluated_at: DateTime<Utc>,
    pub results: Vec<CheckResult>,
}

impl Checklist {
    /// Evaluates every enabled rule on the current state of `entry`.
    pub fn evaluate(
        entry: &FunctionEntry,
        account: &AccountResources,
        account_id: Option<&str>,
        config: &ChecksConfig,
        now: DateTime<Utc>,
    ) -> Self {
        let mut input = CheckInput::new(&entry.function, &entry.resources, account, now);
        input.aliases = entry.aliases.as_deref();
        input.aliases_error = entry.aliases_error.as_ref();
        input.tags = entry.tags.as_ref();
        input.environment = entry.function.environment.as_ref().map(|env| &env.0);
        input.account_id = account_id;
        let results = checks::evaluate_all(&input, config)
            .into_iter()
            .map(CheckResult::from)
            .collect();
        Self {
            evaluated_at: now,
            results,
        }
    }

    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.is_failure())
    }

    pub fn failure_count(&self) -> usize {
        self.failures().count()
    }

    /// The highest severity among the failures; `None` when nothing fails.
    pub fn worst_failure(&self) -> Option<Severity> {
        self.failures().map(|r| r.severity).max()
    }

    pub fn count(&self, wanted: impl Fn(&Status) -> bool) -> usize {
        self.results
            .iter()
            .filter(|r| !r.suppressed && wanted(&r.verdict.status))
            .count()
    }
}
