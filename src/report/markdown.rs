//! The Markdown form of the report: a summary table, changes since the
//! baseline, findings grouped by severity and then by function, and the
//! rules that could not decide.

use std::fmt::Write;

use crate::checks::Severity;

use super::{Finding, FindingKey, FindingStatus, Report, severity_name};

const SEVERITIES: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// Puts text in a code span. Backticks inside would end the span early, so
/// they become single quotes.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

fn heading(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

fn key_line(key: &FindingKey) -> String {
    format!(
        "- {} in {}: {}",
        code(&key.function),
        key.region,
        key.rule_id
    )
}

fn header(out: &mut String, report: &Report) {
    out.push_str("# anshin checklist report\n\n");
    let when = report.generated_at.map_or("unknown time".to_string(), |t| {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    });
    let _ = writeln!(
        out,
        "Data read {when}; account {}; regions {}{}.\n",
        report.account.as_deref().unwrap_or("unknown"),
        report.regions.join(", "),
        report
            .endpoint
            .as_deref()
            .map_or(String::new(), |e| format!("; endpoint {e}")),
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} functions: {} failures, {} warnings, {} unknown, {} passed, {} not applicable, {} suppressed.",
        s.functions, s.failures, s.warnings, s.unknown, s.passed, s.not_applicable, s.suppressed
    );
    if s.not_evaluated > 0 {
        let _ = writeln!(
            out,
            "\n{} functions were not evaluated: their data did not arrive.",
            s.not_evaluated
        );
    }
    out.push_str("\n| severity | failures | warnings |\n| --- | ---: | ---: |\n");
    for severity in SEVERITIES {
        let count = |status| {
            report
                .findings
                .iter()
                .filter(|f| f.severity == severity && f.status == status)
                .count()
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            severity_name(severity),
            count(FindingStatus::Fail),
            count(FindingStatus::Warn)
        );
    }
    out.push('\n');
}

fn baseline(out: &mut String, report: &Report) {
    let Some(diff) = &report.baseline else {
        return;
    };
    let _ = writeln!(out, "## Changes since {}\n", code(&diff.baseline));
    let _ = writeln!(out, "New ({}):\n", diff.new.len());
    if diff.new.is_empty() {
        out.push_str("- none\n");
    }
    for key in &diff.new {
        out.push_str(&key_line(key));
        out.push('\n');
    }
    let _ = writeln!(out, "\nResolved ({}):\n", diff.resolved.len());
    if diff.resolved.is_empty() {
        out.push_str("- none\n");
    }
    for key in &diff.resolved {
        out.push_str(&key_line(key));
        out.push('\n');
    }
    out.push('\n');
}

fn finding(out: &mut String, finding: &Finding) {
    let marker = match finding.status {
        FindingStatus::Fail => "✗ fail",
        FindingStatus::Warn => "⚠ warn",
    };
    let _ = writeln!(
        out,
        "- {marker} **{}** {}: {}",
        finding.rule_id, finding.title, finding.summary
    );
    for evidence in &finding.evidence {
        let _ = writeln!(out, "  - {}: {}", evidence.name, code(&evidence.value));
    }
    if !finding.fix.is_empty() {
        let _ = writeln!(out, "  - fix: {} ({})", finding.fix, finding.doc_url);
    }
}

fn findings(out: &mut String, report: &Report) {
    if report.findings.is_empty() {
        out.push_str("Nothing needs attention.\n\n");
        return;
    }
    for severity in SEVERITIES {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {} ({})\n", heading(severity), group.len());
        let mut index = 0;
        while index < group.len() {
            let first = group[index];
            let same_function = group[index..]
                .iter()
                .take_while(|f| f.function == first.function && f.region == first.region)
                .count();
            let _ = writeln!(
                out,
                "### {} ({}): {same_function}\n",
                first.function, first.region
            );
            for item in &group[index..index + same_function] {
                finding(out, item);
            }
            out.push('\n');
            index += same_function;
        }
    }
}

fn unknown(out: &mut String, report: &Report) {
    if report.unknown.is_empty() {
        return;
    }
    out.push_str("## Unknown\n\nRules that could not decide, never counted as passed.\n\n");
    out.push_str("| rule | functions | reason |\n| --- | ---: | --- |\n");
    for group in &report.unknown {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            group.rule_id,
            group.title.replace('|', "\\|"),
            group.functions,
            group.reason.replace('|', "\\|")
        );
    }
    out.push('\n');
}

/// Renders the whole report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    baseline(&mut out, report);
    findings(&mut out, report);
    unknown(&mut out, report);
    // One trailing newline, as Markdown linters expect.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
