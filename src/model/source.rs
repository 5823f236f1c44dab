use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A stream of data the cockpit polls, shown with its own state in the
/// header so that one failing source never hides the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Identity,
    Functions,
    Aliases,
    Versions,
    Metrics,
    Percentiles,
    /// Policies, URLs, mappings, alarms and log groups for the checklist.
    Resources,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Source::Identity => "sts",
            Source::Functions => "functions",
            Source::Aliases => "aliases",
            Source::Versions => "versions",
            Source::Metrics => "metrics",
            Source::Percentiles => "p99",
            Source::Resources => "checks",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    Loading,
    Ok,
    /// The last attempt failed; `detail` is the classified error as text.
    Error {
        detail: String,
    },
    /// The endpoint or region does not offer this data (an emulator without
    /// percentiles, a service not enabled): expected, so not an error.
    Unsupported {
        detail: String,
    },
}

/// The state of one source in one region, with the time of its last good
/// data so the header can tell stale from fresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub state: SourceState,
    pub last_ok: Option<DateTime<Utc>>,
}

impl SourceStatus {
    /// True when the source needs no attention: loaded, or not offered by
    /// the endpoint.
    pub fn is_settled(&self) -> bool {
        matches!(
            self.state,
            SourceState::Ok | SourceState::Unsupported { .. }
        )
    }
}

impl Default for SourceStatus {
    fn default() -> Self {
        Self {
            state: SourceState::Loading,
            last_ok: None,
        }
    }
}
