//! The config file: poll intervals, AWS client limits, the theme and the
//! checklist settings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::aws::AwsOptions;
use crate::checks::ChecksConfig;
use crate::poll::PollConfig;

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
        if self.aws.lambda_requests_per_second == 0 {
            return Err(invalid("aws.lambda_requests_per_second must be at least 1"));
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
        Ok(())
    }

    pub fn poll_config(&self) -> PollConfig {
        PollConfig {
            metrics_interval: Duration::from_secs(self.poll.metrics_interval_s),
            inventory_interval: Duration::from_secs(self.poll.inventory_interval_s),
            metrics_window_minutes: self.poll.metrics_window_minutes,
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
    fn too_short_interval_is_invalid() {
        let config: Config = toml::from_str("[poll]\nmetrics_interval_s = 1\n").expect("parses");
        assert!(config.validate(Path::new("x.toml")).is_err());
    }
}
