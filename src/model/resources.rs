//! Per-function and per-account data that the checklist reads beyond the
//! function configuration: resource policy, function URL, event invoke
//! configuration, event source mappings, concurrency, log retention, alarms,
//! Inspector findings and API Gateway settings.
//!
//! Every part is wrapped in [`Collected`], because a rule must tell "the
//! function has none" (`Loaded` with an empty value) from "nobody asked"
//! (`NotCollected`) and from "the call failed" (`Failed`, with the reason).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::MetricSeries;
use crate::aws::AwsError;

/// The state of one piece of collected data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Collected<T> {
    Loaded(T),
    /// The data layer has not fetched this yet, or does not fetch it at all.
    #[default]
    NotCollected,
    /// The call failed; the error names the IAM action and tells access
    /// denied and "not supported by this endpoint or region" apart.
    Failed(AwsError),
}

impl<T> From<Result<T, AwsError>> for Collected<T> {
    fn from(result: Result<T, AwsError>) -> Self {
        match result {
            Ok(value) => Collected::Loaded(value),
            Err(error) => Collected::Failed(error),
        }
    }
}

impl<T> Collected<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Collected::Loaded(value) => Some(value),
            _ => None,
        }
    }
}

/// Errors of parsing a JSON document into the types of this module.
#[derive(Debug, thiserror::Error)]
pub enum ResourceParseError {
    #[error("resource policy is not valid JSON: {0}")]
    PolicyJson(#[source] serde_json::Error),
    #[error("Inspector finding has an unexpected shape: {0}")]
    Finding(#[source] serde_json::Error),
}

/// A function's resource-based policy as GetPolicy returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourcePolicy {
    /// The policy document exactly as AWS sent it, kept for display.
    pub document: String,
    pub parsed: serde_json::Value,
}

impl ResourcePolicy {
    /// Parses the policy string of a GetPolicy response.
    pub fn parse(document: &str) -> Result<Self, ResourceParseError> {
        let parsed = serde_json::from_str(document).map_err(ResourceParseError::PolicyJson)?;
        Ok(Self {
            document: document.to_string(),
            parsed,
        })
    }
}

/// A function URL (GetFunctionUrlConfig / ListFunctionUrlConfigs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionUrlConfig {
    pub url: String,
    /// The ARN the URL invokes; it ends with the alias name when the URL is
    /// bound to an alias, and without qualifier when it invokes `$LATEST`.
    pub function_arn: String,
    /// `NONE` or `AWS_IAM`, verbatim.
    pub auth_type: String,
    pub cors_allow_origins: Vec<String>,
}

/// The asynchronous invocation settings (GetFunctionEventInvokeConfig).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInvokeConfig {
    pub on_success_destination: Option<String>,
    pub on_failure_destination: Option<String>,
    pub maximum_retry_attempts: Option<i32>,
    pub maximum_event_age_s: Option<i32>,
}

/// The kind of queue or stream behind an event source mapping, read from the
/// service part of its source ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSourceKind {
    Sqs,
    Kinesis,
    DynamoDbStream,
    /// Amazon MSK; self-managed Kafka has no source ARN.
    Kafka,
    Other,
}

impl EventSourceKind {
    /// True for sources read in order per shard or partition, where one
    /// failing record blocks the ones behind it until it expires.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            EventSourceKind::Kinesis | EventSourceKind::DynamoDbStream | EventSourceKind::Kafka
        )
    }
}

/// One event source mapping (ListEventSourceMappings).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    pub event_source_arn: Option<String>,
    /// The function ARN the mapping invokes, qualified or not.
    pub function_arn: String,
    pub state: Option<String>,
    pub batch_size: Option<i32>,
    /// `ScalingConfig.MaximumConcurrency`, SQS sources only.
    pub maximum_concurrency: Option<i32>,
    /// `DestinationConfig.OnFailure.Destination`.
    pub on_failure_destination: Option<String>,
    pub bisect_batch_on_function_error: Option<bool>,
    /// -1 means retry until the record expires.
    pub maximum_retry_attempts: Option<i32>,
}

impl EventSourceMapping {
    pub fn source_kind(&self) -> EventSourceKind {
        let Some(arn) = &self.event_source_arn else {
            return EventSourceKind::Other;
        };
        let service = arn.split(':').nth(2).unwrap_or_default();
        match service {
            "sqs" => EventSourceKind::Sqs,
            "kinesis" => EventSourceKind::Kinesis,
            "dynamodb" => EventSourceKind::DynamoDbStream,
            "kafka" => EventSourceKind::Kafka,
            _ => EventSourceKind::Other,
        }
    }
}

/// A function's CloudWatch Logs log group (DescribeLogGroups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroupInfo {
    pub name: String,
    /// `None` when the log group never expires its events.
    pub retention_days: Option<i32>,
}

/// A metric alarm whose dimensions name the function (DescribeAlarms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmInfo {
    pub name: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`, verbatim.
    pub state: Option<String>,
    pub dimensions: BTreeMap<String, String>,
}

/// One package named by a package-vulnerability finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerablePackage {
    pub name: String,
    pub installed_version: Option<String>,
    pub fixed_version: Option<String>,
}

/// One Amazon Inspector finding on the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorFinding {
    pub finding_arn: Option<String>,
    pub title: Option<String>,
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL` or `UNTRIAGED`.
    pub severity: String,
    /// `ACTIVE`, `SUPPRESSED` or `CLOSED`.
    pub status: String,
    /// `PACKAGE_VULNERABILITY`, `CODE_VULNERABILITY` or `NETWORK_REACHABILITY`.
    pub finding_type: String,
    /// The CVE of a package finding, or the detector rule of a code finding.
    pub vulnerability_id: Option<String>,
    /// CWE ids of a code finding.
    pub cwes: Vec<String>,
    pub packages: Vec<VulnerablePackage>,
    /// The function version the finding was made on, such as `$LATEST` or
    /// `13`, when the finding names one.
    #[serde(default)]
    pub function_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFinding {
    finding_arn: Option<String>,
    title: Option<String>,
    severity: String,
    status: String,
    #[serde(rename = "type")]
    finding_type: String,
    package_vulnerability_details: Option<RawPackageDetails>,
    code_vulnerability_details: Option<RawCodeDetails>,
    #[serde(default)]
    resources: Vec<RawResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResource {
    details: Option<RawResourceDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawResourceDetails {
    aws_lambda_function: Option<RawLambdaDetails>,
}

#[derive(Deserialize)]
struct RawLambdaDetails {
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPackageDetails {
    vulnerability_id: Option<String>,
    #[serde(default)]
    vulnerable_packages: Vec<RawPackage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPackage {
    name: String,
    version: Option<String>,
    fixed_in_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCodeDetails {
    rule_id: Option<String>,
    #[serde(default)]
    cwes: Vec<String>,
}

impl InspectorFinding {
    /// Parses one finding in the shape that both ListFindings and the
    /// EventBridge `detail` object use. Code findings carry no package
    /// details, so every detail block is optional.
    pub fn from_json(finding: &serde_json::Value) -> Result<Self, ResourceParseError> {
        let raw: RawFinding =
            serde_json::from_value(finding.clone()).map_err(ResourceParseError::Finding)?;
        let (vulnerability_id, packages) = match raw.package_vulnerability_details {
            Some(details) => (
                details.vulnerability_id,
                details
                    .vulnerable_packages
                    .into_iter()
                    .map(|package| VulnerablePackage {
                        name: package.name,
                        installed_version: package.version,
                        fixed_version: package.fixed_in_version,
                    })
                    .collect(),
            ),
            None => (None, Vec::new()),
        };
        let (rule_id, cwes) = match raw.code_vulnerability_details {
            Some(details) => (details.rule_id, details.cwes),
            None => (None, Vec::new()),
        };
        let function_version = raw
            .resources
            .into_iter()
            .filter_map(|resource| resource.details?.aws_lambda_function?.version)
            .next();
        Ok(Self {
            finding_arn: raw.finding_arn,
            title: raw.title,
            severity: raw.severity,
            status: raw.status,
            finding_type: raw.finding_type,
            vulnerability_id: vulnerability_id.or(rule_id),
            cwes,
            packages,
            function_version,
        })
    }

    pub fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("ACTIVE")
    }
}

/// Whether Amazon Inspector scans Lambda functions in the account and region
/// (BatchGetAccountStatus, `resourceState.lambda` and `lambdaCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorCoverage {
    pub lambda_standard_scanning: bool,
    pub lambda_code_scanning: bool,
}

/// Daily sums of the function's metrics, one datapoint per UTC day (period
/// 86400 s, statistic Sum). A day without a datapoint has no data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DailyMetrics {
    pub invocations: MetricSeries,
    pub errors: MetricSeries,
    /// Invocations that ended in a timeout, counted from the `Status:
    /// timeout` field of REPORT log lines; `None` when not counted.
    pub timeouts: Option<MetricSeries>,
}

/// The `*/*` method settings of one REST API stage that integrates the
/// function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestStageThrottling {
    pub api_id: String,
    pub stage_name: String,
    pub burst_limit: Option<i32>,
    pub rate_limit: Option<f64>,
}

/// One REST API method that integrates the function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestMethod {
    pub api_id: String,
    pub resource_path: String,
    pub http_method: String,
    /// `requestValidatorId` of the method, when any.
    pub request_validator_id: Option<String>,
    /// True when the validator checks the body (`validateRequestBody`).
    pub validates_body: bool,
    /// Content types with a request model (`requestModels`).
    pub request_models: Vec<String>,
}

impl RestMethod {
    /// True for methods whose request usually carries a body.
    pub fn takes_body(&self) -> bool {
        matches!(
            self.http_method.to_ascii_uppercase().as_str(),
            "POST" | "PUT" | "PATCH" | "ANY"
        )
    }
}

/// The API Gateway REST APIs in front of the function. Both lists empty means
/// no REST API integrates the function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RestApiFrontend {
    pub stages: Vec<RestStageThrottling>,
    pub methods: Vec<RestMethod>,
}

/// One REST API method whose integration invokes a Lambda function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestIntegration {
    /// The unqualified ARN of the function the integration URI names.
    pub function_arn: String,
    pub method: RestMethod,
}

/// One REST API of the region that integrates at least one Lambda function
/// (GetRestApis, GetResources, GetStages, GetRequestValidators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestApiInfo {
    pub api_id: String,
    pub name: Option<String>,
    pub stages: Vec<RestStageThrottling>,
    pub integrations: Vec<RestIntegration>,
}

impl RestApiFrontend {
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty() && self.methods.is_empty()
    }
}

/// The per-function data the checklist reads beyond [`super::Function`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionResources {
    /// `None` when the function has no resource policy (GetPolicy answered
    /// ResourceNotFoundException).
    pub policy: Collected<Option<ResourcePolicy>>,
    /// `None` when the function has no URL.
    pub url: Collected<Option<FunctionUrlConfig>>,
    /// `None` when the function has no event invoke configuration.
    pub event_invoke: Collected<Option<EventInvokeConfig>>,
    pub event_source_mappings: Collected<Vec<EventSourceMapping>>,
    /// Reserved concurrency; `None` when none is set.
    pub reserved_concurrency: Collected<Option<i32>>,
    /// `None` when the log group does not exist yet.
    pub log_group: Collected<Option<LogGroupInfo>>,
    pub alarms: Collected<Vec<AlarmInfo>>,
    pub inspector_findings: Collected<Vec<InspectorFinding>>,
    pub daily_metrics: Collected<DailyMetrics>,
    /// The largest `Max Memory Used` of the REPORT log lines in the window,
    /// in MB; `None` when no REPORT line was found.
    pub max_memory_used_mb: Collected<Option<f64>>,
    /// True when SnapStart applies to published versions (`SnapStart.ApplyOn`
    /// is `PublishedVersions`).
    pub snap_start: Collected<bool>,
    /// Whether each SQS source queue has a redrive policy, by queue ARN.
    pub queue_redrive: Collected<BTreeMap<String, bool>>,
    pub rest_api: Collected<RestApiFrontend>,
    /// Compute Optimizer's recommendation; `None` when it has none for the
    /// function.
    #[serde(default)]
    pub compute_optimizer: Collected<Option<super::cost::LambdaRecommendation>>,
}

/// Region-wide reads that the fleet splits into each function's
/// [`FunctionResources`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionResources {
    pub event_source_mappings: Collected<Vec<EventSourceMapping>>,
    /// Every metric alarm of the region.
    pub alarms: Collected<Vec<AlarmInfo>>,
    /// Log groups under `/aws/lambda/`, by name.
    pub log_groups: Collected<BTreeMap<String, LogGroupInfo>>,
}

/// Data that belongs to the account and region rather than one function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountResources {
    /// True when at least one AWS Budgets budget has `TimeUnit` `DAILY`.
    pub daily_budget: Collected<bool>,
    pub inspector_coverage: Collected<InspectorCoverage>,
    /// Availability zone of each subnet, by subnet id (DescribeSubnets).
    pub subnet_zones: Collected<BTreeMap<String, String>>,
}

/// The summary of one function's REPORT log lines in the read window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportLineSummary {
    /// The largest `Max Memory Used`, in MB, or `None` without a REPORT line.
    pub max_memory_used_mb: Option<f64>,
    /// Timed-out invocations per UTC day, or `None` when not counted.
    pub timeouts: Option<MetricSeries>,
}

/// Region-wide checklist reads beyond [`RegionResources`]: Inspector, EC2
/// subnets, SQS redrive, API Gateway, SnapStart, daily metrics and REPORT
/// lines. The fleet splits them into each function's [`FunctionResources`]
/// and the region's [`AccountResources`]. A field left `NotCollected` in an
/// update keeps the value of the previous update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionChecklistData {
    /// Findings on Lambda functions, by unqualified function ARN.
    pub inspector_findings: Collected<BTreeMap<String, Vec<InspectorFinding>>>,
    pub inspector_coverage: Collected<InspectorCoverage>,
    /// Availability Zone by subnet id, for the subnets the fleet uses.
    pub subnet_zones: Collected<BTreeMap<String, String>>,
    /// Whether each SQS event source queue has a redrive policy, by queue ARN.
    pub queue_redrive: Collected<BTreeMap<String, bool>>,
    pub rest_apis: Collected<Vec<RestApiInfo>>,
    /// SnapStart on published versions, by function name.
    pub snap_start: Collected<BTreeMap<String, bool>>,
    /// Daily Invocations and Errors, by function name.
    pub daily_metrics: Collected<BTreeMap<String, DailyMetrics>>,
    /// REPORT line summaries, by function name.
    pub report_lines: Collected<BTreeMap<String, ReportLineSummary>>,
}

impl RegionChecklistData {
    /// Overwrites each field of `self` that `update` collected or failed to
    /// collect, and keeps the others.
    pub fn merge(&mut self, update: RegionChecklistData) {
        fn take<T>(slot: &mut Collected<T>, value: Collected<T>) {
            if !matches!(value, Collected::NotCollected) {
                *slot = value;
            }
        }
        take(&mut self.inspector_findings, update.inspector_findings);
        take(&mut self.inspector_coverage, update.inspector_coverage);
        take(&mut self.subnet_zones, update.subnet_zones);
        take(&mut self.queue_redrive, update.queue_redrive);
        take(&mut self.rest_apis, update.rest_apis);
        take(&mut self.snap_start, update.snap_start);
        take(&mut self.daily_metrics, update.daily_metrics);
        take(&mut self.report_lines, update.report_lines);
    }
}
