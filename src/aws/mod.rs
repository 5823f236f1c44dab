//! The only module that talks to AWS. It builds one SDK configuration for
//! the whole program and maps SDK types to `crate::model` types.

mod alarms;
mod call;
mod cloudwatch;
mod error;
mod lambda;
mod lambda_resources;
mod lambda_write;
mod logs;
mod sts;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

pub use alarms::describe_alarms;
pub use cloudwatch::{MetricsRequest, PERCENTILE_STAT, fetch_fleet_metrics, fetch_percentiles};
pub use error::{AwsError, ErrorKind, classify};
pub use lambda::{list_aliases, list_functions, list_tags, list_versions};
pub use lambda_resources::{
    get_event_invoke_config, get_function_url, get_policy, get_reserved_concurrency,
    list_event_source_mappings,
};
pub use lambda_write::{VersionConfiguration, get_alias, get_version_configuration, update_alias};
pub use logs::{LAMBDA_LOG_GROUP_PREFIX, describe_lambda_log_groups};
pub use sts::caller_identity;

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
}

/// The SDK clients of one region. Poll tasks own these; the UI never does.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub region: String,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub sts: aws_sdk_sts::Client,
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
            lambda_limiter: Arc::new(RateLimiter::direct(Quota::per_second(rate))),
        })
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
    async fn an_unknown_profile_names_the_known_ones() {
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
