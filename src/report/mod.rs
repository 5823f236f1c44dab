//! The checklist report of `anshin report`: what needs attention in the
//! fleet, grouped by severity and function, as Markdown or JSON, with an
//! optional comparison against an earlier JSON report.

pub mod json;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::{Evidence, Severity, Status, Topic, UnknownReason};
use crate::model::Fleet;

/// Version of the JSON report layout, so a baseline from another version is
/// recognised.
pub const REPORT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read baseline report {path}: {source}")]
    ReadBaseline {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not an anshin JSON report (write one with `anshin report --format json`): {source}"
    )]
    ParseBaseline {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("baseline {path} has report format {found}, but this build reads format {expected}")]
    BaselineVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
}

/// Whether a finding fails the rule or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Fail,
    Warn,
}

/// One rule that needs attention on one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub region: String,
    pub function: String,
    pub rule_id: String,
    pub title: String,
    pub topic: Topic,
    pub severity: Severity,
    pub status: FindingStatus,
    pub summary: String,
    /// Masked where a value could be a secret.
    pub evidence: Vec<Evidence>,
    pub fix: String,
    pub doc_url: String,
}

impl Finding {
    pub fn key(&self) -> FindingKey {
        FindingKey {
            region: self.region.clone(),
            function: self.function.clone(),
            rule_id: self.rule_id.clone(),
        }
    }
}

/// The identity of a finding across two reports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FindingKey {
    pub region: String,
    pub function: String,
    pub rule_id: String,
}

/// Counts over every evaluated result. Suppressed results count only as
/// suppressed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub functions: usize,
    /// Functions whose checklist was never evaluated.
    pub not_evaluated: usize,
    pub failures: usize,
    pub warnings: usize,
    pub unknown: usize,
    pub passed: usize,
    pub not_applicable: usize,
    pub suppressed: usize,
    /// Failures per severity; severities without failures are left out.
    pub failures_by_severity: BTreeMap<Severity, usize>,
}

/// One function, by region and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FunctionRef {
    pub region: String,
    pub function: String,
}

/// Rules that could not decide, grouped by rule and reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownGroup {
    pub rule_id: String,
    pub title: String,
    pub reason: String,
    /// How many functions; `names` lists them.
    pub functions: usize,
    /// Sorted by function, then region. Reports written before this field
    /// existed have none.
    #[serde(default)]
    pub names: Vec<FunctionRef>,
}

/// The result of a rule that the function's `anshin:suppress` tag hides.
/// Listed because a tag keeps it out of the findings and out of
/// `--fail-on`, and a reviewer must be able to tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressedResult {
    pub region: String,
    pub function: String,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    /// The rule's decision under the tag: `fail`, `warn`, `pass`,
    /// `not_applicable` or `unknown`.
    pub verdict: String,
    pub summary: String,
}

impl SuppressedResult {
    pub fn key(&self) -> FindingKey {
        FindingKey {
            region: self.region.clone(),
            function: self.function.clone(),
            rule_id: self.rule_id.clone(),
        }
    }

    /// True when the tag hides a failure or a warning.
    pub fn hides_finding(&self) -> bool {
        self.verdict == "fail" || self.verdict == "warn"
    }
}

/// Findings that appeared or went away since a baseline report, over the
/// regions that both reports read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineDiff {
    pub baseline: String,
    pub new: Vec<FindingKey>,
    pub resolved: Vec<FindingKey>,
    /// Findings of the baseline that a suppress tag now hides; they are
    /// not resolved.
    #[serde(default)]
    pub suppressed: Vec<FindingKey>,
    /// Regions that both reports read, the only ones compared.
    #[serde(default)]
    pub compared_regions: Vec<String>,
    /// Regions the baseline read but this report did not; their findings
    /// were not compared.
    #[serde(default)]
    pub baseline_regions_not_compared: Vec<String>,
    /// Regions this report read but the baseline did not; their findings
    /// are not listed as new.
    #[serde(default)]
    pub regions_not_in_baseline: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format_version: u32,
    /// When the fleet data was last updated.
    pub generated_at: Option<DateTime<Utc>>,
    pub account: Option<String>,
    pub regions: Vec<String>,
    pub endpoint: Option<String>,
    pub summary: Summary,
    /// Sorted by severity (highest first), then function, region and rule.
    pub findings: Vec<Finding>,
    pub unknown: Vec<UnknownGroup>,
    /// Results hidden by suppress tags, sorted by function, region and
    /// rule. Reports written before this field existed have none.
    #[serde(default)]
    pub suppressed: Vec<SuppressedResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineDiff>,
}

/// Formats the reason of an `Unknown` as one line, for grouping.
fn unknown_reason(reason: &UnknownReason, summary: &str) -> String {
    match reason {
        UnknownReason::AccessDenied { action } => format!("access denied: needs {action}"),
        UnknownReason::Unsupported { action } => {
            format!("{action} is not supported by this endpoint or region")
        }
        UnknownReason::DataMissing { what } => {
            format!("{what}: not collected by this version or not read yet")
        }
        _ => summary.to_string(),
    }
}

impl Report {
    /// Builds the report from the stored checklist results of `fleet`.
    pub fn from_fleet(fleet: &Fleet) -> Self {
        let mut summary = Summary::default();
        let mut findings = Vec::new();
        let mut unknown: BTreeMap<(String, String), (String, Vec<FunctionRef>)> = BTreeMap::new();
        let mut suppressed = Vec::new();
        for entry in fleet.entries() {
            summary.functions += 1;
            let Some(checklist) = &entry.checklist else {
                summary.not_evaluated += 1;
                continue;
            };
            for result in &checklist.results {
                if result.suppressed {
                    summary.suppressed += 1;
                    suppressed.push(SuppressedResult {
                        region: entry.function.region.clone(),
                        function: entry.function.name.clone(),
                        rule_id: result.rule_id.clone(),
                        title: result.title.clone(),
                        severity: result.severity,
                        verdict: status_name(&result.verdict.status).to_string(),
                        summary: result.verdict.summary.clone(),
                    });
                    continue;
                }
                let status = match &result.verdict.status {
                    Status::Fail => FindingStatus::Fail,
                    Status::Warn => FindingStatus::Warn,
                    Status::Pass => {
                        summary.passed += 1;
                        continue;
                    }
                    Status::NotApplicable => {
                        summary.not_applicable += 1;
                        continue;
                    }
                    Status::Unknown(reason) => {
                        summary.unknown += 1;
                        let reason = unknown_reason(reason, &result.verdict.summary);
                        unknown
                            .entry((result.rule_id.clone(), reason))
                            .or_insert_with(|| (result.title.clone(), Vec::new()))
                            .1
                            .push(FunctionRef {
                                region: entry.function.region.clone(),
                                function: entry.function.name.clone(),
                            });
                        continue;
                    }
                };
                if status == FindingStatus::Fail {
                    summary.failures += 1;
                    *summary
                        .failures_by_severity
                        .entry(result.severity)
                        .or_default() += 1;
                } else {
                    summary.warnings += 1;
                }
                let fix = result.rule().map(|rule| rule.fix);
                findings.push(Finding {
                    region: entry.function.region.clone(),
                    function: entry.function.name.clone(),
                    rule_id: result.rule_id.clone(),
                    title: result.title.clone(),
                    topic: result.topic,
                    severity: result.severity,
                    status,
                    summary: result.verdict.summary.clone(),
                    evidence: result.verdict.evidence.clone(),
                    fix: fix.map(|f| f.text.to_string()).unwrap_or_default(),
                    doc_url: fix.map(|f| f.doc_url.to_string()).unwrap_or_default(),
                });
            }
        }
        findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.function.cmp(&b.function))
                .then_with(|| a.region.cmp(&b.region))
                .then_with(|| a.status.cmp(&b.status))
                .then_with(|| a.rule_id.cmp(&b.rule_id))
        });
        let unknown = unknown
            .into_iter()
            .map(|((rule_id, reason), (title, mut names))| {
                names.sort_by(|a, b| {
                    a.function
                        .cmp(&b.function)
                        .then_with(|| a.region.cmp(&b.region))
                });
                UnknownGroup {
                    rule_id,
                    title,
                    reason,
                    functions: names.len(),
                    names,
                }
            })
            .collect();
        suppressed.sort_by(|a: &SuppressedResult, b: &SuppressedResult| {
            a.function
                .cmp(&b.function)
                .then_with(|| a.region.cmp(&b.region))
                .then_with(|| a.rule_id.cmp(&b.rule_id))
        });
        Self {
            format_version: REPORT_FORMAT_VERSION,
            generated_at: fleet.updated_at,
            account: fleet.identity.as_ref().and_then(|i| i.account.clone()),
            regions: fleet.regions.clone(),
            endpoint: fleet.endpoint.clone(),
            summary,
            findings,
            unknown,
            suppressed,
            baseline: None,
        }
    }

    /// Counts the failures (not warnings) at `threshold` or above.
    pub fn failures_at_or_above(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == FindingStatus::Fail && f.severity >= threshold)
            .count()
    }

    /// Records which findings are new, resolved or newly suppressed
    /// compared with `baseline`, an earlier report. Only regions that both
    /// reports read are compared: a region missing from one side would
    /// otherwise list all its findings as resolved or new.
    pub fn compare_with(&mut self, baseline: &Report, name: &str) {
        let ours: BTreeSet<&str> = self.regions.iter().map(String::as_str).collect();
        let theirs: BTreeSet<&str> = baseline.regions.iter().map(String::as_str).collect();
        let compared = |key: &FindingKey| {
            ours.contains(key.region.as_str()) && theirs.contains(key.region.as_str())
        };
        let before: BTreeSet<FindingKey> = baseline
            .findings
            .iter()
            .map(Finding::key)
            .filter(|k| compared(k))
            .collect();
        let now: BTreeSet<FindingKey> = self
            .findings
            .iter()
            .map(Finding::key)
            .filter(|k| compared(k))
            .collect();
        let hidden: BTreeSet<FindingKey> = self
            .suppressed
            .iter()
            .filter(|s| s.hides_finding())
            .map(SuppressedResult::key)
            .collect();
        let (suppressed, resolved): (Vec<FindingKey>, Vec<FindingKey>) = before
            .difference(&now)
            .cloned()
            .partition(|key| hidden.contains(key));
        self.baseline = Some(BaselineDiff {
            baseline: name.to_string(),
            new: now.difference(&before).cloned().collect(),
            resolved,
            suppressed,
            compared_regions: ours.intersection(&theirs).map(|r| r.to_string()).collect(),
            baseline_regions_not_compared: theirs
                .difference(&ours)
                .map(|r| r.to_string())
                .collect(),
            regions_not_in_baseline: ours.difference(&theirs).map(|r| r.to_string()).collect(),
        });
    }
}

/// Reads a report written by `anshin report --format json`.
pub fn read_baseline(path: &Path) -> Result<Report, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::ReadBaseline {
        path: path.to_path_buf(),
        source,
    })?;
    #[derive(Deserialize)]
    struct Header {
        format_version: u32,
    }
    let parse_error = |source| ReportError::ParseBaseline {
        path: path.to_path_buf(),
        source,
    };
    let header: Header = serde_json::from_str(&text).map_err(parse_error)?;
    if header.format_version != REPORT_FORMAT_VERSION {
        return Err(ReportError::BaselineVersion {
            path: path.to_path_buf(),
            found: header.format_version,
            expected: REPORT_FORMAT_VERSION,
        });
    }
    serde_json::from_str(&text).map_err(parse_error)
}

/// Names a verdict status as the JSON report spells it.
fn status_name(status: &Status) -> &'static str {
    match status {
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::Pass => "pass",
        Status::NotApplicable => "not_applicable",
        Status::Unknown(_) => "unknown",
    }
}

/// Returns the name of a severity as the command line and the report
/// spell it.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// Parses `info`, `low`, `medium`, `high` or `critical`, for `--fail-on`.
pub fn parse_severity(text: &str) -> Result<Severity, String> {
    let all = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    all.into_iter()
        .find(|s| severity_name(*s).eq_ignore_ascii_case(text.trim()))
        .ok_or_else(|| {
            format!("invalid severity {text:?}: expected info, low, medium, high or critical")
        })
}
