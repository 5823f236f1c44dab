//! Vulnerabilities that Amazon Inspector found in the function's packages
//! and code, and whether Inspector scans Lambda functions at all: without
//! scanning, an empty finding list proves nothing.

use super::{
    CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, UnknownReason, Verdict,
    require,
};
use crate::model::InspectorFinding;

/// At most this many findings are listed as evidence; the counts cover all.
const MAX_LISTED: usize = 10;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "VULN-001",
        topic: Topic::Vulnerabilities,
        severity: Severity::High,
        title: "Amazon Inspector reports active findings",
        peer_ids: &["Inspector AWS_LAMBDA_FUNCTION findings"],
        fix: Fix {
            text: "Update each vulnerable package to its fixed version, or fix the flagged code, then publish a new version; Inspector closes the finding on its next scan.",
            doc_url: "https://docs.aws.amazon.com/inspector/latest/user/findings-managing.html",
        },
        check: active_findings,
    },
    Rule {
        id: "VULN-002",
        topic: Topic::Vulnerabilities,
        severity: Severity::Medium,
        title: "Amazon Inspector does not scan Lambda functions",
        peer_ids: &[],
        fix: Fix {
            text: "Activate Lambda standard scanning, and Lambda code scanning, in Amazon Inspector for this account and region.",
            doc_url: "https://docs.aws.amazon.com/inspector/latest/user/scanning-lambda.html",
        },
        check: scanning_enabled,
    },
];

/// Maps an Inspector severity label; unknown labels and `UNTRIAGED` rank as
/// informational.
fn severity_of(finding: &InspectorFinding) -> Severity {
    match finding.severity.to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => Severity::Info,
    }
}

/// One line per finding: id, package versions or CWEs, severity and type.
fn describe(finding: &InspectorFinding) -> String {
    let id = finding
        .vulnerability_id
        .clone()
        .or_else(|| finding.title.clone())
        .unwrap_or_else(|| "(no id)".to_string());
    let mut parts = vec![id];
    for package in &finding.packages {
        parts.push(format!(
            "{} {} -> {}",
            package.name,
            package.installed_version.as_deref().unwrap_or("?"),
            package.fixed_version.as_deref().unwrap_or("no fix")
        ));
    }
    if !finding.cwes.is_empty() {
        parts.push(finding.cwes.join(", "));
    }
    let version = finding
        .function_version
        .as_deref()
        .map(|version| format!(", version {version}"))
        .unwrap_or_default();
    format!(
        "{} ({}, {}{version})",
        parts.join(" "),
        finding.severity,
        finding.finding_type
    )
}

fn active_findings(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let findings = require(
        &input.resources.inspector_findings,
        "Amazon Inspector findings",
    )?;
    let mut active: Vec<&InspectorFinding> = findings.iter().filter(|f| f.is_active()).collect();

    if active.is_empty() {
        let coverage = require(
            &input.account.inspector_coverage,
            "Amazon Inspector coverage",
        )?;
        if !coverage.lambda_standard_scanning {
            // No findings mean nothing while nothing scans: VULN-002
            // reports the scanning gap itself.
            return Err(Verdict::unknown(
                UnknownReason::InsufficientData {
                    what: "Amazon Inspector findings".to_string(),
                },
                "no findings, but Amazon Inspector does not scan Lambda functions in this account",
            ));
        }
        return Ok(Verdict::pass("no active findings").with("findings_total", findings.len()));
    }

    active.sort_by_key(|finding| std::cmp::Reverse(severity_of(finding)));
    let highest = active
        .first()
        .map(|f| severity_of(f))
        .unwrap_or(Severity::Info);
    let mut verdict = if highest >= Severity::High {
        Verdict::fail(format!(
            "{} active findings, the highest {highest:?}",
            active.len()
        ))
    } else {
        Verdict::warn(format!(
            "{} active findings, none high or critical",
            active.len()
        ))
    }
    .with_severity(highest);
    for severity in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ] {
        let count = active.iter().filter(|f| severity_of(f) == severity).count();
        if count > 0 {
            verdict = verdict.with(format!("{severity:?}").to_ascii_lowercase(), count);
        }
    }
    for finding in active.iter().take(MAX_LISTED) {
        verdict = verdict.with("finding", describe(finding));
    }
    Ok(verdict)
}

fn scanning_enabled(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let coverage = require(
        &input.account.inspector_coverage,
        "Amazon Inspector coverage",
    )?;
    let verdict = match (
        coverage.lambda_standard_scanning,
        coverage.lambda_code_scanning,
    ) {
        (false, _) => Verdict::fail("Inspector does not scan Lambda functions"),
        (true, false) => Verdict::warn("Inspector scans packages but not the function code")
            .with_severity(Severity::Low),
        (true, true) => Verdict::pass("Inspector scans packages and code"),
    };
    Ok(verdict
        .with(
            "lambda_standard_scanning",
            coverage.lambda_standard_scanning,
        )
        .with("lambda_code_scanning", coverage.lambda_code_scanning))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{AwsError, ErrorKind};
    use crate::checks::test_support::Fixture;
    use crate::checks::{Status, UnknownReason};
    use crate::model::{Collected, InspectorCoverage};

    fn finding(severity: &str, status: &str) -> InspectorFinding {
        InspectorFinding {
            finding_arn: None,
            title: None,
            severity: severity.to_string(),
            status: status.to_string(),
            finding_type: "PACKAGE_VULNERABILITY".to_string(),
            vulnerability_id: Some("CVE-2024-0001".to_string()),
            cwes: Vec::new(),
            packages: Vec::new(),
            function_version: None,
        }
    }

    #[test]
    fn evidence_names_function_version() {
        let mut canary = finding("HIGH", "ACTIVE");
        canary.function_version = Some("13".to_string());
        assert_eq!(
            describe(&canary),
            "CVE-2024-0001 (HIGH, PACKAGE_VULNERABILITY, version 13)"
        );
        assert_eq!(
            describe(&finding("HIGH", "ACTIVE")),
            "CVE-2024-0001 (HIGH, PACKAGE_VULNERABILITY)"
        );
    }

    fn coverage(standard: bool, code: bool) -> Collected<InspectorCoverage> {
        Collected::Loaded(InspectorCoverage {
            lambda_standard_scanning: standard,
            lambda_code_scanning: code,
        })
    }

    #[test]
    fn findings_table() {
        let cases = [
            (
                vec![finding("CRITICAL", "ACTIVE")],
                Status::Fail,
                Some(Severity::Critical),
            ),
            (
                vec![finding("HIGH", "ACTIVE"), finding("LOW", "ACTIVE")],
                Status::Fail,
                Some(Severity::High),
            ),
            (
                vec![finding("MEDIUM", "ACTIVE")],
                Status::Warn,
                Some(Severity::Medium),
            ),
            (
                vec![finding("CRITICAL", "CLOSED"), finding("HIGH", "SUPPRESSED")],
                Status::Pass,
                None,
            ),
            (Vec::new(), Status::Pass, None),
        ];
        for (findings, status, severity) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.inspector_findings = Collected::Loaded(findings.clone());
            fixture.account.inspector_coverage = coverage(true, true);
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, status, "{findings:?}");
            assert_eq!(verdict.severity, severity, "{findings:?}");
        }
    }

    #[test]
    fn empty_findings_without_scanning_is_unknown() {
        for account_coverage in [coverage(false, false), Collected::NotCollected] {
            let mut fixture = Fixture::new();
            fixture.resources.inspector_findings = Collected::Loaded(Vec::new());
            fixture.account.inspector_coverage = account_coverage;
            let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
            assert!(verdict.is_unknown(), "{verdict:?}");
        }
    }

    #[test]
    fn coverage_table() {
        let cases = [
            (coverage(false, false), Status::Fail),
            (coverage(true, false), Status::Warn),
            (coverage(true, true), Status::Pass),
        ];
        for (account_coverage, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.account.inspector_coverage = account_coverage.clone();
            let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{account_coverage:?}");
        }
    }

    #[test]
    fn unsupported_region_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.account.inspector_coverage = Collected::Failed(AwsError {
            kind: ErrorKind::Unsupported,
            action: "inspector2:BatchGetAccountStatus".to_string(),
            code: None,
            message: None,
            status: Some(404),
            request_id: None,
        });
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(
            verdict.status,
            Status::Unknown(UnknownReason::Unsupported {
                action: "inspector2:BatchGetAccountStatus".to_string()
            })
        );
    }
}
