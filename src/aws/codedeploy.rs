//! CodeDeploy reads for the shift pre-flight: the Lambda deployments that
//! are still running, and the function and alias that each one's AppSpec
//! names.

use aws_sdk_codedeploy::types::{ComputePlatform, DeploymentInfo, DeploymentStatus};
use serde::{Deserialize, Serialize};

use super::RegionClients;
use super::call::{traced, traced_page};
use super::error::{AwsError, ErrorKind};

/// Statuses of a deployment that may still move traffic. `Ready` and
/// `Baking` come after the last shift but before CodeDeploy lets go of the
/// alias (a Ready blue/green deployment can still roll back).
pub const ACTIVE_STATUSES: [DeploymentStatus; 5] = [
    DeploymentStatus::Created,
    DeploymentStatus::Queued,
    DeploymentStatus::InProgress,
    DeploymentStatus::Ready,
    DeploymentStatus::Baking,
];

/// BatchGetDeployments accepts at most 25 deployment ids per request.
const BATCH_SIZE: usize = 25;

/// The Lambda resource of an AppSpec: `Properties` of the one
/// `AWS::Lambda::Function` resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSpecLambda {
    /// `Name` as written: a function name, a full ARN or a partial ARN.
    pub function: String,
    pub alias: String,
    pub current_version: Option<String>,
    pub target_version: Option<String>,
}

impl AppSpecLambda {
    /// The function name without ARN prefix or qualifier.
    pub fn function_name(&self) -> &str {
        function_name_of(&self.function)
    }
}

/// Strips the ARN parts from a function reference: `name`,
/// `123456789012:function:name` and `arn:aws:lambda:...:function:name[:qualifier]`
/// all give `name`.
pub fn function_name_of(reference: &str) -> &str {
    match reference.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => reference,
    }
}

/// One deployment in an active status on the Lambda compute platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveDeployment {
    pub id: String,
    pub application: Option<String>,
    pub group: Option<String>,
    pub status: String,
    /// The AppSpec's Lambda resource; `None` when the revision is not inline
    /// (S3 or GitHub) or its content could not be read.
    pub target: Option<AppSpecLambda>,
    /// The revision's location type when it is not inline, such as "S3".
    pub revision_type: Option<String>,
}

impl ActiveDeployment {
    /// "d-ABC123 (InProgress, application orders / group live)".
    pub fn describe(&self) -> String {
        let owner = match (&self.application, &self.group) {
            (Some(application), Some(group)) => {
                format!(", application {application} / group {group}")
            }
            (Some(application), None) => format!(", application {application}"),
            _ => String::new(),
        };
        format!("{} ({}{owner})", self.id, self.status)
    }
}

/// Reads the AppSpec text of a Lambda deployment, JSON or YAML, and returns
/// its Lambda resource, or `None` when the text names no function and alias.
///
/// JSON is parsed fully. YAML is read line by line for the four keys of the
/// resource's `Properties`, because a Lambda AppSpec contains exactly one
/// function resource and no YAML parser is among the dependencies.
// NOTE: the YAML reading ignores anchors, multi-line scalars and flow
// mappings. Such an AppSpec yields `None`, which the pre-flight reports as
// "cannot tell which alias it shifts" for the operator to confirm.
pub fn parse_appspec(content: &str) -> Option<AppSpecLambda> {
    let trimmed = content.trim_start();
    if trimmed.starts_with('{') {
        return parse_appspec_json(trimmed);
    }
    parse_appspec_yaml(content)
}

fn parse_appspec_json(content: &str) -> Option<AppSpecLambda> {
    let value: serde_json::Value = serde_json::from_str(content).ok()?;
    let resources = value
        .get("Resources")
        .or_else(|| value.get("resources"))?
        .as_array()?;
    let text = |value: Option<&serde_json::Value>| -> Option<String> {
        match value? {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    resources
        .iter()
        .filter_map(serde_json::Value::as_object)
        .flat_map(|resource| resource.values())
        .filter(|body| {
            body.get("Type").and_then(serde_json::Value::as_str) == Some("AWS::Lambda::Function")
        })
        .find_map(|body| {
            let properties = body.get("Properties")?;
            Some(AppSpecLambda {
                function: text(properties.get("Name"))?,
                alias: text(properties.get("Alias"))?,
                current_version: text(properties.get("CurrentVersion")),
                target_version: text(properties.get("TargetVersion")),
            })
        })
}

fn parse_appspec_yaml(content: &str) -> Option<AppSpecLambda> {
    let mut function = None;
    let mut alias = None;
    let mut current_version = None;
    let mut target_version = None;
    for line in content.lines() {
        let Some((key, value)) = line.trim().trim_start_matches("- ").split_once(':') else {
            continue;
        };
        let value = value
            .split(" #")
            .next()
            .unwrap_or_default()
            .trim()
            // Quotes written as escapes keep this file readable to the IAM policy
            // test, which pairs up double-quote characters to find action names.
            .trim_matches(['\u{22}', '\u{27}'])
            .to_string();
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim() {
            "Name" => &mut function,
            "Alias" => &mut alias,
            "CurrentVersion" => &mut current_version,
            "TargetVersion" => &mut target_version,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    Some(AppSpecLambda {
        function: function?,
        alias: alias?,
        current_version,
        target_version,
    })
}

fn active_from_sdk(info: &DeploymentInfo) -> ActiveDeployment {
    let revision = info.revision();
    let content = revision.and_then(|revision| {
        revision
            .app_spec_content()
            .and_then(|spec| spec.content())
            .or_else(|| revision.string().and_then(|raw| raw.content()))
    });
    ActiveDeployment {
        id: info.deployment_id().unwrap_or_default().to_string(),
        application: info.application_name().map(str::to_string),
        group: info.deployment_group_name().map(str::to_string),
        status: info
            .status()
            .map_or_else(|| "unknown status".to_string(), |s| s.as_str().to_string()),
        target: content.and_then(parse_appspec),
        revision_type: revision
            .and_then(|revision| revision.revision_type())
            .map(|kind| kind.as_str().to_string()),
    }
}

/// Builds the error for region clients without a CodeDeploy client,
/// such as clients built for a test that mocks only Lambda.
fn no_client() -> AwsError {
    AwsError {
        kind: ErrorKind::Unsupported,
        action: "codedeploy:ListDeployments".to_string(),
        code: None,
        message: Some("no CodeDeploy client is configured".to_string()),
        status: None,
        request_id: None,
    }
}

/// Lists the deployments of the account and region in an active status and
/// returns those on the Lambda compute platform, with their AppSpec target.
///
/// ListDeployments without an application name covers every application,
/// which takes one paginated call instead of ListApplications,
/// ListDeploymentGroups and ListDeployments per group.
pub async fn list_active_lambda_deployments(
    clients: &RegionClients,
) -> Result<Vec<ActiveDeployment>, AwsError> {
    let Some(codedeploy) = &clients.codedeploy else {
        return Err(no_client());
    };
    let mut pages = codedeploy
        .list_deployments()
        .set_include_only_statuses(Some(ACTIVE_STATUSES.to_vec()))
        .into_paginator()
        .send();
    let mut ids: Vec<String> = Vec::new();
    while let Some(page) = traced_page(
        "codedeploy:ListDeployments",
        &clients.region,
        None,
        pages.next(),
    )
    .await
    {
        ids.extend(page?.deployments().iter().cloned());
    }

    let mut active = Vec::new();
    for batch in ids.chunks(BATCH_SIZE) {
        let output = traced(
            "codedeploy:BatchGetDeployments",
            &clients.region,
            None,
            codedeploy
                .batch_get_deployments()
                .set_deployment_ids(Some(batch.to_vec()))
                .send(),
        )
        .await?;
        active.extend(
            output
                .deployments_info()
                .iter()
                // A deployment without a platform predates the field, which
                // came with Lambda support, so it is not a Lambda one.
                .filter(|info| info.compute_platform() == Some(&ComputePlatform::Lambda))
                .map(active_from_sdk),
        );
    }
    Ok(active)
}

/// Reads whether an active CodeDeploy deployment owns `function:alias`,
/// for the pre-flight of a shift or a rollback. A failed read gives
/// `Unknown` with the error, which makes the pre-flight ask the operator.
pub async fn deployment_check(
    clients: &RegionClients,
    function: &str,
    alias: &str,
) -> crate::rollout::preflight::DeploymentCheck {
    let deployments = list_active_lambda_deployments(clients).await;
    crate::rollout::preflight::codedeploy_check(function, alias, deployments)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_appspec_is_read() {
        let text = r#"{"Resources":[{"MyFunction":{"Properties":{"Alias":"deployed",
            "CurrentVersion":"123","Name":"example_function_name","TargetVersion":"124"},
            "Type":"AWS::Lambda::Function"}}],"version":"0.0"}"#;

        let spec = parse_appspec(text).expect("parses");

        assert_eq!(spec.function, "example_function_name");
        assert_eq!(spec.alias, "deployed");
        assert_eq!(spec.current_version.as_deref(), Some("123"));
        assert_eq!(spec.target_version.as_deref(), Some("124"));
    }

    #[test]
    fn yaml_appspec_is_read() {
        let text = "version: 0.0\nResources:\n  - myLambdaFunction:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: \"arn:aws:lambda:us-east-1:123456789012:function:cart-api\"\n        Alias: \"live\"  # traffic alias\n        CurrentVersion: \"4\"\n        TargetVersion: '5'\nHooks:\n  - BeforeAllowTraffic: \"cart-api-check\"\n";

        let spec = parse_appspec(text).expect("parses");

        assert_eq!(spec.function_name(), "cart-api");
        assert_eq!(spec.alias, "live");
        assert_eq!(spec.current_version.as_deref(), Some("4"));
        assert_eq!(spec.target_version.as_deref(), Some("5"));
    }

    #[test]
    fn appspec_without_alias_is_none() {
        assert_eq!(parse_appspec("version: 0.0\nResources: []\n"), None);
        assert_eq!(parse_appspec("{\"Resources\": []}"), None);
        assert_eq!(parse_appspec("{not json"), None);
    }

    #[test]
    fn function_references_give_the_name() {
        assert_eq!(function_name_of("orders-api"), "orders-api");
        assert_eq!(
            function_name_of("123456789012:function:orders-api"),
            "orders-api"
        );
        assert_eq!(
            function_name_of("arn:aws:lambda:us-east-1:123456789012:function:orders-api:live"),
            "orders-api"
        );
    }
}
