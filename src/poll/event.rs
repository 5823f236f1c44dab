use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::aws::AwsError;
use crate::model::{
    Alias, CallerIdentity, Collected, EventInvokeConfig, FleetMetrics, Function, FunctionKey,
    FunctionUrlConfig, MetricSeries, RegionResources, ResourcePolicy, Version,
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
    /// Billed units used by a read that reports its data in another event.
    Billed(crate::model::BilledUsage),
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
    /// The per-function reads of the checklist. Each part carries its own
    /// outcome, so one denied call leaves the others usable.
    FunctionResources {
        region: String,
        function: String,
        at: DateTime<Utc>,
        policy: Collected<Option<ResourcePolicy>>,
        url: Collected<Option<FunctionUrlConfig>>,
        event_invoke: Collected<Option<EventInvokeConfig>>,
        reserved_concurrency: Collected<Option<i32>>,
    },
    /// The region-wide reads of the checklist: event source mappings, alarms
    /// and log groups.
    RegionResources {
        region: String,
        at: DateTime<Utc>,
        resources: RegionResources,
    },
    /// One pass of checklist reads finished in the region.
    ResourcesDone {
        region: String,
        at: DateTime<Utc>,
        first_error: Option<AwsError>,
    },
    /// Sent in `PollMode::Once` when a region has read everything.
    CycleComplete { region: String },
}

/// What the app asks of the data layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollRequest {
    /// Re-read everything now.
    RefreshAll,
    /// Re-read aliases, tags, versions and checklist resources of one
    /// function, such as the one whose detail pane just opened.
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
            | DataEvent::Percentiles { at, .. }
            | DataEvent::FunctionResources { at, .. }
            | DataEvent::RegionResources { at, .. }
            | DataEvent::ResourcesDone { at, .. } => Some(*at),
            DataEvent::FunctionDetail { .. }
            | DataEvent::Versions { .. }
            | DataEvent::Billed(_)
            | DataEvent::CycleComplete { .. } => None,
        }
    }
}
