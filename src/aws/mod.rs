//! The only module that talks to AWS. It builds one SDK configuration for
//! the whole program and maps SDK types to `crate::model` types.

mod alarms;
mod apigateway;
mod budgets;
mod call;
mod cloudwatch;
mod codedeploy;
mod compute_optimizer;
mod costexplorer;
mod daily_metrics;
mod drill_metrics;
mod ec2;
mod error;
mod inspector;
mod lambda;
mod lambda_resources;
mod lambda_write;
mod logs;
mod metric_data;
mod provisioned;
mod report_logs;
mod snap_start;
mod sqs;
mod sts;
mod xray;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub use alarms::describe_alarms;
pub use apigateway::{integrated_function_arn, read_rest_apis, stage_throttling};
pub use budgets::{describe_budgets, has_daily_budget};
pub use cloudwatch::{MetricsRequest, PERCENTILE_STAT, fetch_fleet_metrics, fetch_percentiles};
pub use codedeploy::{
    ActiveDeployment, AppSpecLambda, deployment_check, function_name_of,
    list_active_lambda_deployments, parse_appspec,
};
pub use compute_optimizer::lambda_recommendations;
pub use costexplorer::{LAMBDA_SERVICE, lambda_daily_spend};
pub use daily_metrics::{DAILY_WINDOW_DAYS, daily_window, fetch_daily_metrics};
pub use drill_metrics::{DrillRequest, fetch_drill_metrics, fetch_hunt};
pub use ec2::describe_subnet_zones;
pub use error::{AwsError, ErrorKind, classify};
pub use inspector::{
    finding_from_sdk, inspector_coverage, list_lambda_findings, unqualified_function_arn,
};
pub use lambda::{list_aliases, list_functions, list_tags, list_versions};
pub use lambda_resources::{
    get_event_invoke_config, get_function_url, get_policy, get_reserved_concurrency,
    list_event_source_mappings,
};
pub use lambda_write::{VersionConfiguration, get_alias, get_version_configuration, update_alias};
pub use logs::{
    DRILL_FILTER_PATTERN, FilteredEvents, LAMBDA_LOG_GROUP_PREFIX, describe_lambda_log_groups,
    filter_log_events,
};
pub use provisioned::{ProvisionedConfig, list_provisioned_concurrency, provisioned_for_shift};
pub use report_logs::{
    MAX_REPORT_PAGES, REPORT_FILTER_PATTERN, ReportSummary, read_report_summary,
    report_window_start, summarize,
};
pub use snap_start::{list_snap_start, snap_start_enabled};
pub use sqs::{queue_has_redrive, queue_name_and_owner};
pub use sts::caller_identity;
pub use xray::{
    MAX_IDS_PER_BATCH, TraceDocuments, TraceSummaries, TraceSummaryRef, batch_get_traces,
    function_filter, get_trace_summaries, no_client as no_xray_client,
};

/// What the user chose on the command line and in the config file.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    pub profile: Option<String>,
    /// Empty means the region of the profile or the environment.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub max_attempts: u32,
    /// Client-side ceiling for Lambda control-plane calls per second.
    pub lambda_requests_per_second: u32,
}

impl Default for AwsOptions {
    fn default() -> Self {
        Self {
            profile: None,
            regions: Vec::new(),
            endpoint_url: None,
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(20),
            max_attempts: 3,
            // Lambda allows 15 control-plane requests per second per region,
            // shared by every tool on the account; stay well below it.
            lambda_requests_per_second: 10,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "no AWS region: pass --region, set AWS_REGION, or set `region` in the profile's config"
    )]
    NoRegion,
    #[error("invalid --lambda-rps value 0: it must be at least 1")]
    ZeroRate,
    #[error("profile {name:?} is not in the AWS config or credentials file (known: {known})")]
    UnknownProfile { name: String, known: String },
    /// An empty value would make the SDK panic, and treating it as unset
    /// would send requests to AWS when an emulator was meant.
    #[error("AWS_ENDPOINT_URL or --endpoint-url is set but empty: give a URL or unset it")]
    EmptyEndpoint,
}

/// The SDK clients of one region. Poll tasks own these; the UI never does.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub region: String,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sts: aws_sdk_sts::Client,
    /// `None` for clients built by [`RegionClients::from_clients`] without
    /// [`RegionClients::with_codedeploy`]; CodeDeploy checks then report
    /// the data as unavailable.
    pub codedeploy: Option<aws_sdk_codedeploy::Client>,
    /// `None` for clients built by [`RegionClients::from_clients`] without
    /// [`RegionClients::with_cost_clients`]; cost views then report the data
    /// as not collected.
    pub cost: Option<CostClients>,
    /// `None` for clients built by [`RegionClients::from_clients`] without
    /// [`RegionClients::with_xray`]; the Traces tab then reports X-Ray as
    /// not supported.
    pub xray: Option<aws_sdk_xray::Client>,
    /// `None` for clients built by [`RegionClients::from_clients`] without
    /// [`RegionClients::with_checklist_clients`]; the checklist then reports
    /// that data as not collected.
    pub checklist: Option<ChecklistClients>,
    /// Shared by every Lambda control-plane call in this region.
    pub lambda_limiter: Arc<DefaultDirectRateLimiter>,
}

impl RegionClients {
    /// Builds the clients of one region from a shared configuration.
    pub fn from_config(
        config: &SdkConfig,
        region: &str,
        lambda_requests_per_second: u32,
    ) -> Result<Self, SetupError> {
        let regional = config
            .to_builder()
            .region(Region::new(region.to_string()))
            .build();
        Self::from_clients(
            region,
            aws_sdk_lambda::Client::new(&regional),
            aws_sdk_cloudwatch::Client::new(&regional),
            aws_sdk_cloudwatchlogs::Client::new(&regional),
            aws_sdk_sts::Client::new(&regional),
            lambda_requests_per_second,
        )
        .map(|clients| clients.with_codedeploy(aws_sdk_codedeploy::Client::new(&regional)))
        .map(|clients| clients.with_cost_clients(CostClients::new(&regional)))
        .map(|clients| clients.with_xray(aws_sdk_xray::Client::new(&regional)))
        .map(|clients| clients.with_checklist_clients(ChecklistClients::new(&regional)))
    }

    /// Adds the CodeDeploy client that the shift pre-flight reads.
    pub fn with_codedeploy(mut self, codedeploy: aws_sdk_codedeploy::Client) -> Self {
        self.codedeploy = Some(codedeploy);
        self
    }

    /// Adds the X-Ray client that the Traces tab reads.
    pub fn with_xray(mut self, xray: aws_sdk_xray::Client) -> Self {
        self.xray = Some(xray);
        self
    }

    /// Adds the Budgets, Cost Explorer and Compute Optimizer clients.
    pub fn with_cost_clients(mut self, cost: CostClients) -> Self {
        self.cost = Some(cost);
        self
    }

    /// Adds the Inspector, EC2, SQS and API Gateway clients.
    pub fn with_checklist_clients(mut self, checklist: ChecklistClients) -> Self {
        self.checklist = Some(checklist);
        self
    }

    /// Wraps clients built elsewhere, such as mocked clients in tests.
    pub fn from_clients(
        region: &str,
        lambda: aws_sdk_lambda::Client,
        cloudwatch: aws_sdk_cloudwatch::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        sts: aws_sdk_sts::Client,
        lambda_requests_per_second: u32,
    ) -> Result<Self, SetupError> {
        let rate = NonZeroU32::new(lambda_requests_per_second).ok_or(SetupError::ZeroRate)?;
        Ok(Self {
            region: region.to_string(),
            lambda,
            cloudwatch,
            logs,
            sts,
            codedeploy: None,
            cost: None,
            xray: None,
            checklist: None,
            lambda_limiter: Arc::new(RateLimiter::direct(Quota::per_second(rate))),
        })
    }
}

/// Clients of the cost services. Budgets and Cost Explorer are global, so
/// the account poll uses those of the first region only.
#[derive(Clone, Debug)]
pub struct CostClients {
    pub budgets: aws_sdk_budgets::Client,
    pub cost_explorer: aws_sdk_costexplorer::Client,
    pub compute_optimizer: aws_sdk_computeoptimizer::Client,
}

impl CostClients {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            budgets: aws_sdk_budgets::Client::new(config),
            cost_explorer: aws_sdk_costexplorer::Client::new(config),
            compute_optimizer: aws_sdk_computeoptimizer::Client::new(config),
        }
    }
}

/// Clients of the services the checklist reads beyond Lambda, CloudWatch
/// and CloudWatch Logs.
#[derive(Clone, Debug)]
pub struct ChecklistClients {
    pub inspector: aws_sdk_inspector2::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub apigateway: aws_sdk_apigateway::Client,
}

impl ChecklistClients {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            inspector: aws_sdk_inspector2::Client::new(config),
            ec2: aws_sdk_ec2::Client::new(config),
            sqs: aws_sdk_sqs::Client::new(config),
            apigateway: aws_sdk_apigateway::Client::new(config),
        }
    }
}

/// The loaded configuration: one client set per region.
#[derive(Debug, Clone)]
pub struct AwsContext {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub regions: Vec<RegionClients>,
}

impl AwsContext {
    pub fn region_names(&self) -> Vec<String> {
        self.regions.iter().map(|r| r.region.clone()).collect()
    }
}

/// Loads credentials and settings through the aws-config default chain
/// (environment, profiles, SSO, container and instance roles) and builds the
/// clients of every requested region.
pub async fn load(options: &AwsOptions) -> Result<AwsContext, SetupError> {
    let empty_env = std::env::var_os("AWS_ENDPOINT_URL").is_some_and(|value| value.is_empty());
    if empty_env || options.endpoint_url.as_deref().is_some_and(str::is_empty) {
        return Err(SetupError::EmptyEndpoint);
    }
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.connect_timeout)
        .read_timeout(options.read_timeout)
        .operation_attempt_timeout(options.read_timeout + options.connect_timeout)
        .build();
    let retries = RetryConfig::standard().with_max_attempts(options.max_attempts.max(1));

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(retries);
    if let Some(profile) = &options.profile {
        check_profile_exists(
            profile,
            &aws_types::os_shim_internal::Fs::real(),
            &aws_types::os_shim_internal::Env::real(),
        )
        .await?;
        // An explicit profile must win over credentials in the environment:
        // the default chain reads AWS_ACCESS_KEY_ID first, so `--profile
        // prod` with exported dev keys would read dev and label it prod.
        let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
            .profile_name(profile)
            .build();
        loader = loader
            .profile_name(profile)
            .credentials_provider(credentials);
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(first) = options.regions.first() {
        loader = loader.region(Region::new(first.clone()));
    }
    let config = loader.load().await;

    let regions = if options.regions.is_empty() {
        let default = config.region().ok_or(SetupError::NoRegion)?;
        vec![default.to_string()]
    } else {
        options.regions.clone()
    };
    let clients = regions
        .iter()
        .map(|region| {
            RegionClients::from_config(&config, region, options.lambda_requests_per_second)
        })
        .collect::<Result<Vec<_>, _>>()?;

    Ok(AwsContext {
        profile: options.profile.clone(),
        endpoint_url: options.endpoint_url.clone(),
        regions: clients,
    })
}

/// Fails with the list of known profiles when `name` is in neither profile
/// file. Without this check the SDK reports an unknown profile as a
/// credentials provider "initialization error" on the first call.
async fn check_profile_exists(
    name: &str,
    fs: &aws_types::os_shim_internal::Fs,
    env: &aws_types::os_shim_internal::Env,
) -> Result<(), SetupError> {
    let files = aws_runtime::env_config::file::EnvConfigFiles::default();
    let Ok(profiles) = aws_config::profile::load(fs, env, &files, None).await else {
        // An unreadable file is reported by the SDK with its own detail.
        return Ok(());
    };
    if profiles.get_profile(name).is_some() {
        return Ok(());
    }
    let mut known: Vec<&str> = profiles.profiles().collect();
    known.sort_unstable();
    Err(SetupError::UnknownProfile {
        name: name.to_string(),
        known: if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        },
    })
}

/// True when `endpoint` is an AWS service endpoint rather than an emulator,
/// a proxy or a VPC interface that the header should point out.
pub fn is_aws_endpoint(endpoint: Option<&str>) -> bool {
    let Some(endpoint) = endpoint else {
        return true;
    };
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn")
}

#[cfg(test)]
mod tests {
    use super::is_aws_endpoint;

    #[tokio::test]
    async fn empty_endpoint_is_rejected() {
        let options = super::AwsOptions {
            endpoint_url: Some(String::new()),
            regions: vec!["us-east-1".to_string()],
            ..super::AwsOptions::default()
        };
        let error = super::load(&options).await.expect_err("empty endpoint");
        assert!(matches!(error, super::SetupError::EmptyEndpoint), "{error}");
    }

    #[tokio::test]
    async fn unknown_profile_lists_known_profiles() {
        use aws_types::os_shim_internal::{Env, Fs};
        let env = Env::from_slice(&[("HOME", "/home/op")]);
        let fs = Fs::from_slice(&[
            (
                "/home/op/.aws/config",
                "[profile dev]\nregion = us-east-1\n",
            ),
            (
                "/home/op/.aws/credentials",
                "[ops]\naws_access_key_id = x\n",
            ),
        ]);
        let error = super::check_profile_exists("prod", &fs, &env)
            .await
            .expect_err("prod is in neither file");
        assert_eq!(
            error.to_string(),
            "profile \"prod\" is not in the AWS config or credentials file (known: dev, ops)"
        );
        assert!(super::check_profile_exists("ops", &fs, &env).await.is_ok());
    }

    #[test]
    fn endpoint_kinds() {
        assert!(is_aws_endpoint(None));
        assert!(is_aws_endpoint(Some(
            "https://lambda.us-east-1.amazonaws.com"
        )));
        assert!(!is_aws_endpoint(Some("http://127.0.0.1:5000")));
        assert!(!is_aws_endpoint(Some("http://amazonaws.com.evil.example")));
    }
}
