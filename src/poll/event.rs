use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::aws::AwsError;
use crate::model::{
    Alias, CallerIdentity, FleetMetrics, Function, FunctionKey, MetricSeries, Version,
};

/// A result from the data layer. Each carries its own `Result`, so an error
/// reaches the screen for its source while other data stays.
#[derive(Debug, Clone)]
pub enum DataEvent {
    Identity {
        at: DateTime<Utc>,
        result: Result<CallerIdentity, AwsError>,
    },
    Functions {
        region: String,
        at: DateTime<Utc>,
        result: Result<Vec<Function>, AwsError>,
    },
    FunctionDetail {
        region: String,
        function: String,
        aliases: Result<Vec<Alias>, AwsError>,
        tags: Result<BTreeMap<String, String>, AwsError>,
    },
    /// Aliases and tags were read for every function of the region.
    DetailsDone {
        region: String,
        at: DateTime<Utc>,
        first_error: Option<AwsError>,
    },
    Versions {
        region: String,
        function: String,
        result: Result<Vec<Version>, AwsError>,
    },
    VersionsDone {
        region: String,
        at: DateTime<Utc>,
        first_error: Option<AwsError>,
    },
    Metrics {
        region: String,
        at: DateTime<Utc>,
        result: Result<FleetMetrics, AwsError>,
        billed_metrics: u64,
    },
    Percentiles {
        region: String,
        at: DateTime<Utc>,
        result: Result<BTreeMap<String, MetricSeries>, AwsError>,
        billed_metrics: u64,
    },
    /// Sent in `PollMode::Once` when a region has read everything.
    CycleComplete { region: String },
}

/// What the app asks of the data layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollRequest {
    /// Re-read everything now.
    RefreshAll,
    /// Re-read aliases, tags and versions of one function, such as the one
    /// whose detail pane just opened.
    Function { key: FunctionKey, arn: String },
}

impl DataEvent {
    /// When the data in this event was read, where the event records it.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            DataEvent::Identity { at, .. }
            | DataEvent::Functions { at, .. }
            | DataEvent::DetailsDone { at, .. }
            | DataEvent::VersionsDone { at, .. }
            | DataEvent::Metrics { at, .. }
            | DataEvent::Percentiles { at, .. } => Some(*at),
            DataEvent::FunctionDetail { .. }
            | DataEvent::Versions { .. }
            | DataEvent::CycleComplete { .. } => None,
        }
    }
}
