//! The Findings tab of the function screen: Amazon Inspector findings on
//! the function, most severe first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::aws::ErrorKind;
use crate::model::{Collected, FunctionEntry, InspectorFinding};
use crate::ui::app::App;
use crate::ui::format::NO_DATA;
use crate::ui::messages;

/// Sort rank of an Inspector severity; unknown values sort last.
fn severity_rank(severity: &str) -> u8 {
    match severity {
        "CRITICAL" => 0,
        "HIGH" => 1,
        "MEDIUM" => 2,
        "LOW" => 3,
        "INFORMATIONAL" => 4,
        "UNTRIAGED" => 5,
        _ => 6,
    }
}

/// Findings most severe first, then by CVE or rule.
pub fn sorted_findings(findings: &[InspectorFinding]) -> Vec<&InspectorFinding> {
    let mut sorted: Vec<&InspectorFinding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        severity_rank(&a.severity)
            .cmp(&severity_rank(&b.severity))
            .then_with(|| a.vulnerability_id.cmp(&b.vulnerability_id))
    });
    sorted
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let mut lines: Vec<Line> = Vec::new();
    coverage(app, entry, &mut lines);
    match &entry.resources.inspector_findings {
        Collected::NotCollected => lines.push(Line::from(messages::FINDINGS_NOT_COLLECTED)),
        Collected::Failed(error) => {
            let text = match error.kind {
                ErrorKind::Unsupported => messages::inspector_unsupported(&error.to_string()),
                _ => messages::findings_failed(&error.to_string()),
            };
            lines.push(Line::from(Span::styled(
                text,
                Style::default().fg(app.theme.error),
            )));
        }
        Collected::Loaded(findings) if findings.is_empty() => {
            lines.push(Line::from(messages::NO_FINDINGS));
        }
        Collected::Loaded(findings) => table(app, findings, &mut lines),
    }
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}

/// Adds a warning when Inspector does not scan the region, or when that is
/// unknown, because an empty list is then no evidence about the code.
fn coverage(app: &App, entry: &FunctionEntry, lines: &mut Vec<Line<'_>>) {
    let region = entry.key().region;
    let coverage = app
        .fleet
        .account_resources
        .get(&region)
        .map(|account| &account.inspector_coverage);
    let warning = match coverage {
        Some(Collected::Loaded(coverage)) if !coverage.lambda_standard_scanning => {
            messages::inspector_not_scanning(&region)
        }
        Some(Collected::Failed(error)) => messages::inspector_coverage_unknown(&error.to_string()),
        _ => return,
    };
    lines.push(Line::from(Span::styled(
        warning,
        Style::default().fg(app.theme.warning),
    )));
    lines.push(Line::from(""));
}

fn table(app: &App, findings: &[InspectorFinding], lines: &mut Vec<Line<'_>>) {
    lines.push(Line::from(Span::styled(
        format!(
            "{:<13} {:<20} {:<20} {:<12} {:<12} {:<10} {:<8} {}",
            "severity",
            "CVE or rule",
            "package",
            "installed",
            "fixed",
            "status",
            "version",
            "title"
        ),
        Style::default()
            .fg(app.theme.title)
            .add_modifier(Modifier::BOLD),
    )));
    for finding in sorted_findings(findings) {
        let style = match severity_rank(&finding.severity) {
            0 | 1 => Style::default().fg(app.theme.error),
            2 => Style::default().fg(app.theme.warning),
            _ => Style::default(),
        };
        let id = finding.vulnerability_id.as_deref().unwrap_or(NO_DATA);
        let version = finding.function_version.as_deref().unwrap_or(NO_DATA);
        let title = finding.title.as_deref().unwrap_or("");
        // A code finding has no package; one finding can name several.
        let packages: Vec<(String, String, String)> = if finding.packages.is_empty() {
            vec![(
                NO_DATA.to_string(),
                NO_DATA.to_string(),
                NO_DATA.to_string(),
            )]
        } else {
            finding
                .packages
                .iter()
                .map(|package| {
                    (
                        package.name.clone(),
                        package
                            .installed_version
                            .clone()
                            .unwrap_or_else(|| NO_DATA.to_string()),
                        package
                            .fixed_version
                            .clone()
                            .unwrap_or_else(|| "no fix yet".to_string()),
                    )
                })
                .collect()
        };
        for (name, installed, fixed) in packages {
            lines.push(Line::from(Span::styled(
                format!(
                    "{:<13} {:<20} {:<20} {:<12} {:<12} {:<10} {:<8} {}",
                    finding.severity, id, name, installed, fixed, finding.status, version, title
                ),
                style,
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(severity: &str, id: &str) -> InspectorFinding {
        InspectorFinding {
            finding_arn: None,
            title: None,
            severity: severity.to_string(),
            status: "ACTIVE".to_string(),
            finding_type: "PACKAGE_VULNERABILITY".to_string(),
            vulnerability_id: Some(id.to_string()),
            cwes: Vec::new(),
            packages: Vec::new(),
            function_version: None,
        }
    }

    #[test]
    fn findings_sorted_by_severity() {
        let findings = vec![
            finding("LOW", "CVE-3"),
            finding("CRITICAL", "CVE-2"),
            finding("UNKNOWN", "CVE-0"),
            finding("HIGH", "CVE-1"),
            finding("CRITICAL", "CVE-1"),
        ];
        let order: Vec<(&str, &str)> = sorted_findings(&findings)
            .iter()
            .map(|f| {
                (
                    f.severity.as_str(),
                    f.vulnerability_id.as_deref().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            order,
            vec![
                ("CRITICAL", "CVE-1"),
                ("CRITICAL", "CVE-2"),
                ("HIGH", "CVE-1"),
                ("LOW", "CVE-3"),
                ("UNKNOWN", "CVE-0"),
            ]
        );
    }
}
