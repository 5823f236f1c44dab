//! Amazon Inspector reads: the findings on the region's Lambda functions and
//! whether Inspector scans Lambda functions in the account.

use std::collections::BTreeMap;

use aws_sdk_inspector2::types::{FilterCriteria, Finding, Status, StringComparison, StringFilter};

use super::call::{traced, traced_page};
use super::error::{AwsError, ErrorKind};
use crate::model::{InspectorCoverage, InspectorFinding, VulnerablePackage};

/// The Inspector resource type of a Lambda function.
const LAMBDA_RESOURCE_TYPE: &str = "AWS_LAMBDA_FUNCTION";

/// The function ARN without a version or alias qualifier: its first seven
/// colon-separated fields. Inspector names the scanned version
/// (`…:function:NAME:$LATEST` or `…:NAME:13`) in the resource id.
pub fn unqualified_function_arn(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

/// The version an Inspector resource id names, such as `$LATEST` or `13`.
fn qualifier(arn: &str) -> Option<&str> {
    arn.split(':').nth(7).filter(|q| !q.is_empty())
}

/// Maps one SDK finding to the model, the same fields that
/// [`InspectorFinding::from_json`] reads from the JSON form.
pub fn finding_from_sdk(finding: &Finding) -> InspectorFinding {
    let (vulnerability_id, packages) = match finding.package_vulnerability_details() {
        Some(details) => (
            Some(details.vulnerability_id().to_string()).filter(|id| !id.is_empty()),
            details
                .vulnerable_packages()
                .iter()
                .map(|package| VulnerablePackage {
                    name: package.name().to_string(),
                    installed_version: Some(package.version().to_string())
                        .filter(|v| !v.is_empty()),
                    fixed_version: package.fixed_in_version().map(str::to_string),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let (rule_id, cwes) = match finding.code_vulnerability_details() {
        Some(details) => (
            details.rule_id().map(str::to_string),
            details.cwes().to_vec(),
        ),
        None => (None, Vec::new()),
    };
    InspectorFinding {
        finding_arn: Some(finding.finding_arn().to_string()).filter(|arn| !arn.is_empty()),
        title: finding.title().map(str::to_string),
        severity: finding.severity().as_str().to_string(),
        status: finding.status().as_str().to_string(),
        finding_type: finding.r#type().as_str().to_string(),
        vulnerability_id: vulnerability_id.or(rule_id),
        cwes,
        packages,
        function_version: None,
    }
}

/// Adds one finding to every Lambda function it names, keyed by the
/// unqualified function ARN.
fn file_finding(finding: &Finding, by_function: &mut BTreeMap<String, Vec<InspectorFinding>>) {
    let mapped = finding_from_sdk(finding);
    for resource in finding.resources() {
        if resource.r#type().as_str() != LAMBDA_RESOURCE_TYPE {
            continue;
        }
        let id = resource.id();
        let version = resource
            .details()
            .and_then(|details| details.aws_lambda_function())
            .map(|lambda| lambda.version())
            .filter(|version| !version.is_empty())
            .or_else(|| qualifier(id));
        let mut finding = mapped.clone();
        finding.function_version = version.map(str::to_string);
        by_function
            .entry(unqualified_function_arn(id))
            .or_default()
            .push(finding);
    }
}

/// Reads every finding on a Lambda function in the region, all pages, by
/// unqualified function ARN. Closed and suppressed findings are included,
/// because the rule decides which ones count.
pub async fn list_lambda_findings(
    region: &str,
    client: &aws_sdk_inspector2::Client,
) -> Result<BTreeMap<String, Vec<InspectorFinding>>, AwsError> {
    let resource_type = StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(LAMBDA_RESOURCE_TYPE)
        .build()
        .map_err(|error| AwsError {
            kind: ErrorKind::Other,
            action: "inspector2:ListFindings".to_string(),
            code: None,
            message: Some(error.to_string()),
            status: None,
            request_id: None,
        })?;
    let mut pages = client
        .list_findings()
        .filter_criteria(
            FilterCriteria::builder()
                .resource_type(resource_type)
                .build(),
        )
        .into_paginator()
        .send();
    let mut by_function = BTreeMap::new();
    while let Some(page) = traced_page("inspector2:ListFindings", region, None, pages.next()).await
    {
        for finding in page?.findings() {
            file_finding(finding, &mut by_function);
        }
    }
    Ok(by_function)
}

/// Reads whether Inspector scans Lambda functions (`resourceState.lambda`)
/// and their code (`resourceState.lambdaCode`) for `account_id`. An account
/// missing from the response has never activated Inspector, so nothing scans.
pub async fn inspector_coverage(
    region: &str,
    client: &aws_sdk_inspector2::Client,
    account_id: &str,
) -> Result<InspectorCoverage, AwsError> {
    let output = traced(
        "inspector2:BatchGetAccountStatus",
        region,
        None,
        client
            .batch_get_account_status()
            .account_ids(account_id)
            .send(),
    )
    .await?;
    let state = output
        .accounts()
        .iter()
        .find(|account| account.account_id() == account_id)
        .and_then(|account| account.resource_state());
    let enabled = |status: Option<&aws_sdk_inspector2::types::State>| {
        status.is_some_and(|state| *state.status() == Status::Enabled)
    };
    Ok(InspectorCoverage {
        lambda_standard_scanning: enabled(state.and_then(|s| s.lambda())),
        lambda_code_scanning: enabled(state.and_then(|s| s.lambda_code())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unqualified_arn_drops_version() {
        let arn = "arn:aws:lambda:eu-central-1:123456789012:function:VulnerableFunction:$LATEST";
        assert_eq!(
            unqualified_function_arn(arn),
            "arn:aws:lambda:eu-central-1:123456789012:function:VulnerableFunction"
        );
        assert_eq!(qualifier(arn), Some("$LATEST"));
        assert_eq!(qualifier(&unqualified_function_arn(arn)), None);
    }
}
