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
    /// Region-wide checklist reads of Inspector, EC2, SQS, API Gateway,
    /// SnapStart, daily metrics and REPORT lines. Parts left `NotCollected`
    /// keep the values of the previous event.
    RegionChecklist {
        region: String,
        at: DateTime<Utc>,
        data: Box<crate::model::RegionChecklistData>,
    },
    /// One pass of checklist reads finished in the region.
    ResourcesDone {
        region: String,
        at: DateTime<Utc>,
        first_error: Option<AwsError>,
    },
    /// Sent in `PollMode::Once` when a region has read everything.
    CycleComplete { region: String },
    /// The Metrics tab's series of one function for one range.
    DrillMetrics {
        key: FunctionKey,
        range: crate::model::drill_metrics::TimeRange,
        at: DateTime<Utc>,
        result: Result<crate::model::drill_metrics::DrillMetrics, AwsError>,
        billed_metrics: u64,
    },
    /// The concurrency hunt of one region.
    Hunt {
        region: String,
        at: DateTime<Utc>,
        result: Result<crate::model::drill_metrics::HuntResult, AwsError>,
        billed_metrics: u64,
    },
    /// The Traces tab's data of one function.
    DrillTraces {
        key: FunctionKey,
        at: DateTime<Utc>,
        result: Result<crate::model::TracesData, AwsError>,
    },
    /// The Logs tab's data of one function.
    DrillLogs {
        key: FunctionKey,
        at: DateTime<Utc>,
        result: Result<crate::model::LogsData, AwsError>,
    },
    /// Every AWS Budgets budget of the account.
    Budgets {
        at: DateTime<Utc>,
        result: Result<Vec<crate::model::cost::Budget>, AwsError>,
    },
    /// Lambda's daily spend from Cost Explorer; the requests are billed
    /// through a separate `Billed` event.
    LambdaSpend {
        at: DateTime<Utc>,
        result: Result<Vec<crate::model::cost::DailySpend>, AwsError>,
    },
    /// Compute Optimizer's recommendations for the region's functions.
    ComputeOptimizer {
        region: String,
        at: DateTime<Utc>,
        result: Result<Vec<crate::model::cost::LambdaRecommendation>, AwsError>,
    },
}

/// What the app asks of the data layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollRequest {
    /// Re-read everything now.
    RefreshAll,
    /// Re-read aliases, tags, versions and checklist resources of one
    /// function, such as the one whose detail pane just opened.
    Function { key: FunctionKey, arn: String },
    /// Read the Metrics tab's series of one function.
    DrillMetrics {
        key: FunctionKey,
        request: crate::aws::DrillRequest,
    },
    /// Read the recent X-Ray traces of one function. `log_group` is where
    /// the trace ids are looked up when X-Ray cannot list them.
    DrillTraces { key: FunctionKey, log_group: String },
    /// Read the recent log events of one function from `log_group`.
    DrillLogs {
        key: FunctionKey,
        log_group: String,
        /// The configured timeout, to tell a timeout at the limit.
        timeout_s: Option<u32>,
    },
    /// Find the concurrency peak of one region and the functions behind
    /// it, with the windows of the poll configuration.
    Hunt {
        region: String,
        functions: Vec<String>,
    },
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
            | DataEvent::ResourcesDone { at, .. }
            | DataEvent::RegionChecklist { at, .. }
            | DataEvent::DrillMetrics { at, .. }
            | DataEvent::Hunt { at, .. }
            | DataEvent::Budgets { at, .. }
            | DataEvent::LambdaSpend { at, .. }
            | DataEvent::ComputeOptimizer { at, .. }
            | DataEvent::DrillTraces { at, .. }
            | DataEvent::DrillLogs { at, .. } => Some(*at),
            DataEvent::FunctionDetail { .. }
            | DataEvent::Versions { .. }
            | DataEvent::Billed(_)
            | DataEvent::CycleComplete { .. } => None,
        }
    }
}
