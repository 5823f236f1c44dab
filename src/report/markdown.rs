//! The Markdown form of the report: a summary table, changes since the
//! baseline, findings grouped by severity and then by function, and the
//! rules that could not decide.

use std::fmt::Write;

use crate::checks::Severity;

use super::{Finding, FindingKey, FindingStatus, FunctionRef, Report, severity_name};

/// Functions named per Unknown row before the rest are only counted.
const UNKNOWN_NAMES_SHOWN: usize = 10;

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
    let hidden: Vec<_> = report
        .suppressed
        .iter()
        .filter(|r| r.hides_finding())
        .collect();
    if !hidden.is_empty() {
        let fails = hidden.iter().filter(|r| r.verdict == "fail").count();
        let mut by_severity: Vec<String> = Vec::new();
        for severity in SEVERITIES {
            let n = hidden
                .iter()
                .filter(|r| r.verdict == "fail" && r.severity == severity)
                .count();
            if n > 0 {
                by_severity.push(format!("{} {n}", severity_name(severity)));
            }
        }
        let by_severity = if by_severity.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_severity.join(", "))
        };
        let _ = writeln!(
            out,
            "\nHidden by suppress tags and ignored by `--fail-on`: failures {fails}{by_severity}, warnings {}. See Suppressed.",
            hidden.len() - fails
        );
    }
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
    let _ = writeln!(
        out,
        "Compared regions: {}.",
        or_none(&diff.compared_regions)
    );
    if !diff.baseline_regions_not_compared.is_empty() {
        let _ = writeln!(
            out,
            "Not compared, read only by the baseline: {}.",
            diff.baseline_regions_not_compared.join(", ")
        );
    }
    if !diff.regions_not_in_baseline.is_empty() {
        let _ = writeln!(
            out,
            "Not compared, not read by the baseline: {}.",
            diff.regions_not_in_baseline.join(", ")
        );
    }
    out.push('\n');
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
    if !diff.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "\nSuppressed since the baseline ({}), still present but hidden by a suppress tag:\n",
            diff.suppressed.len()
        );
        for key in &diff.suppressed {
            out.push_str(&key_line(key));
            out.push('\n');
        }
    }
    out.push('\n');
}

fn or_none(regions: &[String]) -> String {
    if regions.is_empty() {
        "none".to_string()
    } else {
        regions.join(", ")
    }
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
    out.push_str("| rule | functions | reason |\n| --- | --- | --- |\n");
    for group in &report.unknown {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} |",
            group.rule_id,
            group.title.replace('|', "\\|"),
            function_list(group.functions, &group.names),
            group.reason.replace('|', "\\|")
        );
    }
    out.push('\n');
}

/// Names up to [`UNKNOWN_NAMES_SHOWN`] functions and counts the rest.
/// A report written before names were recorded gives only the count.
fn function_list(count: usize, names: &[FunctionRef]) -> String {
    if names.is_empty() {
        return count.to_string();
    }
    let listed: Vec<String> = names
        .iter()
        .take(UNKNOWN_NAMES_SHOWN)
        .map(|f| format!("{} ({})", code(&f.function), f.region))
        .collect();
    let rest = names.len().saturating_sub(UNKNOWN_NAMES_SHOWN);
    let mut text = format!("{count}: {}", listed.join(", "));
    if rest > 0 {
        let _ = write!(text, " and {rest} more");
    }
    text.replace('|', "\\|")
}

fn suppressed(out: &mut String, report: &Report) {
    if report.suppressed.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Suppressed ({})\n", report.suppressed.len());
    out.push_str(
        "Results hidden by an `anshin:suppress` tag on the function. They are not findings and `--fail-on` ignores them.\n\n",
    );
    out.push_str("| function | rule | severity | verdict |\n| --- | --- | --- | --- |\n");
    for result in &report.suppressed {
        let _ = writeln!(
            out,
            "| {} ({}) | {} {} | {} | {} |",
            code(&result.function),
            result.region,
            result.rule_id,
            result.title.replace('|', "\\|"),
            severity_name(result.severity),
            result.verdict.replace('_', " "),
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
    suppressed(&mut out, report);
    // One trailing newline, as Markdown linters expect.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
