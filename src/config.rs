//! The config file: poll intervals, AWS client limits, the theme and the
//! checklist settings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::aws::AwsOptions;
use crate::checks::ChecksConfig;
use crate::poll::PollConfig;
use crate::rollout::{RolloutConfig, Thresholds};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("invalid config file {path}: {detail}")]
    Invalid { path: PathBuf, detail: String },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Theme name or path.
    pub theme: Option<String>,
    pub poll: PollSection,
    pub aws: AwsSection,
    /// The `[checks]` table: disabled rules, severity overrides, trusted
    /// accounts and the other checklist settings.
    pub checks: ChecksConfig,
    /// The `[rollout]` table: guard thresholds, timing and read-only mode
    /// for `anshin shift` and `anshin rollback`.
    pub rollout: RolloutSection,
    /// The `[hunt]` table: the windows of the concurrency hunt.
    pub hunt: HuntSection,
}

/// CloudWatch keeps metric data for 15 months, so a longer lookback finds
/// nothing more.
const MAX_HUNT_LOOKBACK_DAYS: i64 = 455;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HuntSection {
    /// Days before now searched for the account's concurrency peak.
    pub lookback_days: i64,
    /// Minutes before the peak whose invocations count towards it.
    pub minutes_before_peak: i64,
}

impl Default for HuntSection {
    fn default() -> Self {
        let defaults = crate::model::drill_metrics::HuntWindow::default();
        Self {
            lookback_days: defaults.lookback_days,
            minutes_before_peak: defaults.minutes_before_peak,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RolloutSection {
    /// Rejects every alias write, whatever the command-line flags.
    pub read_only: bool,
    /// Profiles whose writes are rejected as with `read_only`.
    pub read_only_profiles: Vec<String>,
    /// Maximum error rate of the new version, 0.0 to 1.0.
    pub max_error_rate: f64,
    /// Maximum ratio of the new version's error rate to the stable one's.
    pub max_error_rate_ratio: f64,
    /// Error rate below which the ratio is not applied.
    pub ratio_min_error_rate: f64,
    /// Invocations of the new version a window needs for a verdict.
    pub min_invocations: u64,
    /// Maximum average duration of the new version, in milliseconds.
    pub max_avg_duration_ms: Option<f64>,
    /// Maximum p99 duration of the new version, in milliseconds.
    pub max_p99_ms: Option<f64>,
    /// Maximum ratio of the new version's average duration to the stable one's.
    pub max_avg_duration_ratio: Option<f64>,
    /// Maximum ratio of the new version's p99 duration to the stable one's.
    pub max_p99_ratio: Option<f64>,
    /// Duration in milliseconds below which the duration ratios are not applied.
    pub ratio_min_duration_ms: f64,
    /// Maximum throttled requests on the alias per analysis window.
    pub max_throttles: Option<u64>,
    /// Maximum share of the alias's requests throttled, 0.0 to 1.0.
    pub max_throttle_rate: Option<f64>,
    /// Seconds between guard evaluations while a step bakes or holds.
    pub check_interval_s: u64,
    /// Minutes an inconclusive step may hold after its bake before the
    /// rollout rolls back.
    pub max_hold_minutes: u64,
    /// Seconds before a write is sent again after ResourceConflictException.
    pub busy_retry_after_s: u64,
    /// ResourceConflictException responses in a row before the rollout stops.
    pub max_busy_retries: u32,
    /// Alarms that count against every rollout whatever their dimensions.
    pub extra_alarm_names: Vec<String>,
    /// Minutes of final metrics after a guided rollback before the cockpit
    /// reports whether the error rate returned to the stable level.
    pub verify_minutes: u32,
}

impl Default for RolloutSection {
    fn default() -> Self {
        let defaults = RolloutConfig::default();
        Self {
            read_only: false,
            read_only_profiles: Vec::new(),
            max_error_rate: defaults.thresholds.max_error_rate,
            max_error_rate_ratio: defaults.thresholds.max_error_rate_ratio,
            ratio_min_error_rate: defaults.thresholds.ratio_min_error_rate,
            min_invocations: defaults.thresholds.min_invocations,
            max_avg_duration_ms: defaults.thresholds.max_avg_duration_ms,
            max_p99_ms: defaults.thresholds.max_p99_ms,
            max_avg_duration_ratio: defaults.thresholds.max_avg_duration_ratio,
            max_p99_ratio: defaults.thresholds.max_p99_ratio,
            ratio_min_duration_ms: defaults.thresholds.ratio_min_duration_ms,
            max_throttles: defaults.thresholds.max_throttles,
            max_throttle_rate: defaults.thresholds.max_throttle_rate,
            check_interval_s: defaults.check_interval.as_secs(),
            max_hold_minutes: defaults.max_hold.as_secs() / 60,
            busy_retry_after_s: defaults.busy_retry_after.as_secs(),
            max_busy_retries: defaults.max_busy_retries,
            extra_alarm_names: defaults.extra_alarm_names,
            verify_minutes: 5,
        }
    }
}

impl RolloutSection {
    /// True when writes are off for `profile`.
    pub fn is_read_only(&self, profile: Option<&str>) -> bool {
        self.read_only
            || profile.is_some_and(|name| self.read_only_profiles.iter().any(|p| p == name))
    }

    /// Builds the settings of one rollout of a function with `function_timeout`.
    pub fn rollout_config(&self, function_timeout: Duration) -> RolloutConfig {
        RolloutConfig {
            thresholds: Thresholds {
                max_error_rate: self.max_error_rate,
                max_error_rate_ratio: self.max_error_rate_ratio,
                ratio_min_error_rate: self.ratio_min_error_rate,
                min_invocations: self.min_invocations,
                max_avg_duration_ms: self.max_avg_duration_ms,
                max_p99_ms: self.max_p99_ms,
                max_avg_duration_ratio: self.max_avg_duration_ratio,
                max_p99_ratio: self.max_p99_ratio,
                ratio_min_duration_ms: self.ratio_min_duration_ms,
                max_throttles: self.max_throttles,
                max_throttle_rate: self.max_throttle_rate,
            },
            function_timeout,
            max_hold: Duration::from_secs(self.max_hold_minutes * 60),
            check_interval: Duration::from_secs(self.check_interval_s),
            busy_retry_after: Duration::from_secs(self.busy_retry_after_s),
            max_busy_retries: self.max_busy_retries,
            extra_alarm_names: self.extra_alarm_names.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PollSection {
    /// Seconds between fleet metrics polls.
    pub metrics_interval_s: u64,
    /// Seconds between reads of functions, aliases and tags.
    pub inventory_interval_s: u64,
    /// Minutes of metrics history shown in the fleet table.
    pub metrics_window_minutes: i64,
}

impl Default for PollSection {
    fn default() -> Self {
        let defaults = PollConfig::default();
        Self {
            metrics_interval_s: defaults.metrics_interval.as_secs(),
            inventory_interval_s: defaults.inventory_interval.as_secs(),
            metrics_window_minutes: defaults.metrics_window_minutes,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsSection {
    pub connect_timeout_s: u64,
    pub read_timeout_s: u64,
    pub max_attempts: u32,
    pub lambda_requests_per_second: u32,
}

impl Default for AwsSection {
    fn default() -> Self {
        let defaults = AwsOptions::default();
        Self {
            connect_timeout_s: defaults.connect_timeout.as_secs(),
            read_timeout_s: defaults.read_timeout.as_secs(),
            max_attempts: defaults.max_attempts,
            lambda_requests_per_second: defaults.lambda_requests_per_second,
        }
    }
}

/// The platform directories, overridable with `ANSHIN_CONFIG_DIR` and
/// `ANSHIN_STATE_DIR` (tests and CI use these).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ANSHIN_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "anshin").map(|dirs| dirs.config_dir().to_path_buf())
}

/// Where logs and, later, rollout state and the audit log are kept.
pub fn state_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ANSHIN_STATE_DIR") {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "anshin")
        .map(|dirs| {
            dirs.state_dir()
                .unwrap_or_else(|| dirs.data_local_dir())
                .to_path_buf()
        })
        .unwrap_or_else(|| PathBuf::from(".anshin"))
}

impl Config {
    /// Reads `path`, or the default config file when it exists. A missing
    /// default file is not an error; a missing explicit one is.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => match config_dir() {
                Some(dir) => (dir.join("config.toml"), false),
                None => return Ok(Self::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let config: Config = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.clone(),
            source,
        })?;
        config.validate(&path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |detail: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            detail: detail.to_string(),
        };
        if self.poll.metrics_interval_s < 5 {
            return Err(invalid(
                "poll.metrics_interval_s must be at least 5 seconds",
            ));
        }
        if self.poll.inventory_interval_s < 10 {
            return Err(invalid(
                "poll.inventory_interval_s must be at least 10 seconds",
            ));
        }
        if !(5..=24 * 60).contains(&self.poll.metrics_window_minutes) {
            return Err(invalid(
                "poll.metrics_window_minutes must be between 5 and 1440",
            ));
        }
        if !(1..=MAX_HUNT_LOOKBACK_DAYS).contains(&self.hunt.lookback_days) {
            return Err(invalid(&format!(
                "hunt.lookback_days must be between 1 and {MAX_HUNT_LOOKBACK_DAYS}"
            )));
        }
        if !(1..=60).contains(&self.hunt.minutes_before_peak) {
            return Err(invalid("hunt.minutes_before_peak must be between 1 and 60"));
        }
        if self.aws.lambda_requests_per_second == 0 {
            return Err(invalid("aws.lambda_requests_per_second must be at least 1"));
        }
        let rollout = &self.rollout;
        for (name, rate) in [
            ("max_error_rate", rollout.max_error_rate),
            ("ratio_min_error_rate", rollout.ratio_min_error_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(invalid(&format!(
                    "rollout.{name} must be between 0.0 and 1.0, found {rate}"
                )));
            }
        }
        if rollout.max_error_rate_ratio < 1.0 {
            return Err(invalid("rollout.max_error_rate_ratio must be at least 1.0"));
        }
        if let Some(rate) = rollout.max_throttle_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(invalid(&format!(
                "rollout.max_throttle_rate must be between 0.0 and 1.0, found {rate}"
            )));
        }
        for (name, ratio) in [
            ("max_avg_duration_ratio", rollout.max_avg_duration_ratio),
            ("max_p99_ratio", rollout.max_p99_ratio),
        ] {
            if let Some(ratio) = ratio
                && ratio < 1.0
            {
                return Err(invalid(&format!(
                    "rollout.{name} must be at least 1.0, found {ratio}"
                )));
            }
        }
        if rollout.check_interval_s < 5 {
            return Err(invalid(
                "rollout.check_interval_s must be at least 5 seconds",
            ));
        }
        if !(1..=120).contains(&rollout.verify_minutes) {
            return Err(invalid(
                "rollout.verify_minutes must be between 1 and 120 minutes",
            ));
        }
        // A misspelt rule id would silently do nothing, so reject it.
        let rule_ids = self
            .checks
            .disabled
            .iter()
            .chain(self.checks.severity_overrides.keys());
        for id in rule_ids {
            if crate::checks::rule(id).is_none() {
                return Err(invalid(&format!(
                    "checks: unknown rule id {id:?}; docs/checklist.md lists the rule ids"
                )));
            }
        }
        // An account id that can never match would leave the foreign access
        // it was meant to allow reported, or hide a typo in a review.
        for account in &self.checks.trusted_accounts {
            if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(&format!(
                    "checks.trusted_accounts: {account:?} is not a 12-digit AWS account id"
                )));
            }
        }
        Ok(())
    }

    pub fn poll_config(&self) -> PollConfig {
        PollConfig {
            metrics_interval: Duration::from_secs(self.poll.metrics_interval_s),
            inventory_interval: Duration::from_secs(self.poll.inventory_interval_s),
            metrics_window_minutes: self.poll.metrics_window_minutes,
            hunt_window: crate::model::drill_metrics::HuntWindow {
                lookback_days: self.hunt.lookback_days,
                minutes_before_peak: self.hunt.minutes_before_peak,
            },
            ..PollConfig::default()
        }
    }

    pub fn aws_options(&self) -> AwsOptions {
        AwsOptions {
            connect_timeout: Duration::from_secs(self.aws.connect_timeout_s),
            read_timeout: Duration::from_secs(self.aws.read_timeout_s),
            max_attempts: self.aws.max_attempts,
            lambda_requests_per_second: self.aws.lambda_requests_per_second,
            ..AwsOptions::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let config: Config = toml::from_str("").expect("empty config parses");
        assert_eq!(config.poll.metrics_interval_s, 60);
        assert_eq!(config.aws.lambda_requests_per_second, 10);
    }

    #[test]
    fn unknown_key_is_rejected() {
        let parsed: Result<Config, _> = toml::from_str("[poll]\nmetric_interval_s = 3\n");
        assert!(parsed.is_err());
    }

    #[test]
    fn checks_table_parses() {
        use crate::checks::Severity;

        let config: Config = toml::from_str(
            "[checks]\ndisabled = [\"OBS-004\"]\ntrusted_accounts = [\"111122223333\"]\n\
             [checks.severity_overrides]\n\"OBS-001\" = \"critical\"\n",
        )
        .expect("parses");
        assert!(config.checks.disabled.contains("OBS-004"));
        assert!(config.checks.is_trusted_account("111122223333"));
        assert_eq!(
            config.checks.severity_overrides.get("OBS-001"),
            Some(&Severity::Critical)
        );
        assert!(config.validate(Path::new("x.toml")).is_ok());
    }

    #[test]
    fn unknown_rule_id_is_invalid() {
        let config: Config =
            toml::from_str("[checks]\ndisabled = [\"OBS-999\"]\n").expect("parses");
        assert!(config.validate(Path::new("x.toml")).is_err());
    }

    #[test]
    fn trusted_account_must_be_twelve_digits() {
        for bad in ["abc", "11112222333", "1111222233334", "11112222333x"] {
            let config: Config =
                toml::from_str(&format!("[checks]\ntrusted_accounts = [\"{bad}\"]\n"))
                    .expect("parses");
            let error = config
                .validate(Path::new("x.toml"))
                .expect_err("not an account id");
            assert!(error.to_string().contains(bad), "{error}");
        }
    }

    #[test]
    fn rollout_table_parses() {
        let config: Config = toml::from_str(
            "[rollout]\nread_only_profiles = [\"prod\"]\nmin_invocations = 20\ncheck_interval_s = 10\n",
        )
        .expect("parses");
        assert!(config.validate(Path::new("x.toml")).is_ok());
        assert!(config.rollout.is_read_only(Some("prod")));
        assert!(!config.rollout.is_read_only(Some("dev")));
        let rollout = config.rollout.rollout_config(Duration::from_secs(15));
        assert_eq!(rollout.thresholds.min_invocations, 20);
        assert_eq!(rollout.check_interval, Duration::from_secs(10));
        assert_eq!(rollout.max_hold, Duration::from_secs(30 * 60));
        assert_eq!(rollout.thresholds.max_p99_ratio, None);
        assert_eq!(rollout.thresholds.ratio_min_duration_ms, 20.0);
    }

    #[test]
    fn too_short_interval_is_invalid() {
        let config: Config = toml::from_str("[poll]\nmetrics_interval_s = 1\n").expect("parses");
        assert!(config.validate(Path::new("x.toml")).is_err());
    }
}
