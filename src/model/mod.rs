//! Plain data types shared by the data layer, the checks, the UI and the
//! snapshot files. Nothing here talks to AWS.

mod checklist;
pub mod cost;
pub mod drill;
pub mod drill_metrics;
mod fleet;
mod fleet_checklist;
mod function;
mod logs;
mod metrics;
mod resources;
mod source;
mod spend;
mod traces;

pub use checklist::{CheckResult, Checklist};
pub use drill::{DrillData, DrillKind, DrillSlot};
pub use fleet::{Fleet, FunctionEntry, FunctionKey, SNAPSHOT_FORMAT_VERSION};
pub use function::{
    Alias, CallerIdentity, EnvironmentValues, Function, PackageType, RoutingWeight, Version,
    VpcConfig,
};
pub use logs::{Distribution, EmfSample, LogProblem, LogsData};
pub use metrics::{FleetMetrics, FunctionMetrics, MetricPoint, MetricSeries, VersionMetrics};
pub use resources::{
    AccountResources, AlarmInfo, Collected, DailyMetrics, EventInvokeConfig, EventSourceKind,
    EventSourceMapping, FunctionResources, FunctionUrlConfig, InspectorCoverage, InspectorFinding,
    LogGroupInfo, RegionResources, ResourceParseError, ResourcePolicy, RestApiFrontend, RestMethod,
    RestStageThrottling, VulnerablePackage,
};
pub use resources::{RegionChecklistData, ReportLineSummary, RestApiInfo, RestIntegration};
pub use source::{Source, SourceState, SourceStatus};
pub use spend::BilledUsage;
pub use traces::{DecodedTrace, DownstreamCall, TraceNode, TracesData};
