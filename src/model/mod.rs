//! Plain data types shared by the data layer, the checks, the UI and the
//! snapshot files. Nothing here talks to AWS.

mod checklist;
mod fleet;
mod function;
mod metrics;
mod resources;
mod source;
mod spend;

pub use checklist::{CheckResult, Checklist};
pub use fleet::{Fleet, FunctionEntry, FunctionKey, SNAPSHOT_FORMAT_VERSION};
pub use function::{
    Alias, CallerIdentity, EnvironmentValues, Function, PackageType, RoutingWeight, Version,
    VpcConfig,
};
pub use metrics::{FleetMetrics, FunctionMetrics, MetricPoint, MetricSeries, VersionMetrics};
pub use resources::{
    AccountResources, AlarmInfo, Collected, DailyMetrics, EventInvokeConfig, EventSourceKind,
    EventSourceMapping, FunctionResources, FunctionUrlConfig, InspectorCoverage, InspectorFinding,
    LogGroupInfo, RegionResources, ResourceParseError, ResourcePolicy, RestApiFrontend, RestMethod,
    RestStageThrottling, VulnerablePackage,
};
pub use source::{Source, SourceState, SourceStatus};
pub use spend::BilledUsage;
