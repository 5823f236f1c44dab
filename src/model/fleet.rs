use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use serde::{Deserialize, Serialize};

use super::function::Tags;
use super::spend::BilledUsage;
use super::{
    AccountResources, Alias, CallerIdentity, Checklist, Collected, Function, FunctionMetrics,
    FunctionResources, MetricSeries, RegionResources, Source, SourceState, SourceStatus, Version,
    VersionMetrics,
};
use crate::aws::{AwsError, LAMBDA_LOG_GROUP_PREFIX};
use crate::checks::ChecksConfig;
use crate::poll::DataEvent;

/// Version of the snapshot file layout; `anshin open` rejects other values.
pub const SNAPSHOT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FunctionKey {
    pub region: String,
    pub name: String,
}

/// Everything known about one function. Each part is `None` until its
/// source has responded, so a view can tell "loading" from "none".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionEntry {
    pub function: Function,
    pub aliases: Option<Vec<Alias>>,
    /// The error of the last alias read, for rules that need the aliases.
    #[serde(default)]
    pub aliases_error: Option<AwsError>,
    pub tags: Option<Tags>,
    pub versions: Option<Vec<Version>>,
    pub metrics: Option<FunctionMetrics>,
    pub version_metrics: Vec<VersionMetrics>,
    /// The last error of a per-function call (aliases, tags, versions).
    pub detail_error: Option<String>,
    /// The data the checklist reads beyond the configuration.
    #[serde(default)]
    pub resources: FunctionResources,
    /// The latest checklist results; `None` until the rules first ran.
    #[serde(default)]
    pub checklist: Option<Checklist>,
}

impl FunctionEntry {
    fn new(function: Function) -> Self {
        Self {
            function,
            aliases: None,
            aliases_error: None,
            tags: None,
            versions: None,
            metrics: None,
            version_metrics: Vec::new(),
            detail_error: None,
            resources: FunctionResources::default(),
            checklist: None,
        }
    }

    pub fn key(&self) -> FunctionKey {
        FunctionKey {
            region: self.function.region.clone(),
            name: self.function.name.clone(),
        }
    }
}

/// The metrics window of one region's last successful metrics poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsWindow {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub period_s: i64,
}

/// The whole known state of the fleet. The app applies every `DataEvent`
/// here, and `anshin snapshot` writes this structure as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    pub format_version: u32,
    /// When the last event was applied.
    pub updated_at: Option<DateTime<Utc>>,
    pub profile: Option<String>,
    pub regions: Vec<String>,
    pub endpoint: Option<String>,
    pub identity: Option<CallerIdentity>,
    pub identity_status: SourceStatus,
    /// Functions by region, then by name.
    pub functions: BTreeMap<String, BTreeMap<String, FunctionEntry>>,
    pub metrics_window: BTreeMap<String, MetricsWindow>,
    pub account_concurrency: BTreeMap<String, MetricSeries>,
    pub metric_messages: BTreeMap<String, Vec<String>>,
    pub sources: BTreeMap<String, BTreeMap<Source, SourceStatus>>,
    /// Metrics requested from GetMetricData, the unit CloudWatch bills.
    pub billed_metrics: u64,
    /// Every billed read the cockpit made, GetMetricData included.
    #[serde(default)]
    pub api_spend: BilledUsage,
    /// Region-wide checklist reads, by region.
    #[serde(default)]
    pub region_resources: BTreeMap<String, RegionResources>,
    /// Account-level checklist data, by region. The Inspector coverage and
    /// subnet zones come from `region_checklist`.
    #[serde(default)]
    pub account_resources: BTreeMap<String, AccountResources>,
    /// Region-wide checklist reads beyond `region_resources`, by region.
    #[serde(default)]
    pub region_checklist: BTreeMap<String, super::RegionChecklistData>,
    /// The Metrics tab's data by function. Not part of a snapshot.
    #[serde(skip)]
    pub drill_metrics: BTreeMap<FunctionKey, super::drill_metrics::DrillMetricsState>,
    /// The Traces and Logs tabs' data by function, read while one of those
    /// tabs is open. Not part of a snapshot.
    #[serde(skip)]
    pub drill: BTreeMap<FunctionKey, super::DrillData>,
    /// The last concurrency hunt. Not part of a snapshot.
    #[serde(skip)]
    pub hunt: Option<super::drill_metrics::HuntState>,
    /// AWS Budgets budgets of the account.
    #[serde(default)]
    pub budgets: Collected<Vec<super::cost::Budget>>,
    /// Lambda's daily spend from Cost Explorer, oldest day first.
    #[serde(default)]
    pub lambda_spend: Collected<Vec<super::cost::DailySpend>>,
    /// Compute Optimizer's recommendations, by region.
    #[serde(default)]
    pub compute_optimizer: BTreeMap<String, Collected<Vec<super::cost::LambdaRecommendation>>>,
    /// The settings the checklist runs with. Not part of a snapshot: its
    /// results are stored instead.
    #[serde(skip)]
    pub checks_config: ChecksConfig,
}

impl Fleet {
    pub fn new(profile: Option<String>, regions: Vec<String>, endpoint: Option<String>) -> Self {
        let sources = regions
            .iter()
            .map(|region| (region.clone(), BTreeMap::new()))
            .collect();
        Self {
            format_version: SNAPSHOT_FORMAT_VERSION,
            updated_at: None,
            profile,
            regions,
            endpoint,
            identity: None,
            identity_status: SourceStatus::default(),
            functions: BTreeMap::new(),
            metrics_window: BTreeMap::new(),
            account_concurrency: BTreeMap::new(),
            metric_messages: BTreeMap::new(),
            sources,
            billed_metrics: 0,
            api_spend: BilledUsage::default(),
            region_resources: BTreeMap::new(),
            account_resources: BTreeMap::new(),
            region_checklist: BTreeMap::new(),
            drill_metrics: BTreeMap::new(),
            drill: BTreeMap::new(),
            hunt: None,
            budgets: Collected::NotCollected,
            lambda_spend: Collected::NotCollected,
            compute_optimizer: BTreeMap::new(),
            checks_config: ChecksConfig::default(),
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &FunctionEntry> {
        self.functions.values().flat_map(|by_name| by_name.values())
    }

    pub fn entry(&self, key: &FunctionKey) -> Option<&FunctionEntry> {
        self.functions.get(&key.region)?.get(&key.name)
    }

    fn entry_mut(&mut self, region: &str, name: &str) -> Option<&mut FunctionEntry> {
        self.functions.get_mut(region)?.get_mut(name)
    }

    /// Replaces one alias of a function with the alias an UpdateAlias
    /// returned, so the fleet shows a write of this cockpit at once instead
    /// of at the next poll. Unknown functions and aliases are left alone.
    pub fn record_alias_write(&mut self, key: &FunctionKey, written: &Alias) {
        let Some(entry) = self.entry_mut(&key.region, &key.name) else {
            return;
        };
        if let Some(alias) = entry
            .aliases
            .as_mut()
            .and_then(|aliases| aliases.iter_mut().find(|alias| alias.name == written.name))
        {
            *alias = written.clone();
        }
    }

    pub fn function_count(&self) -> usize {
        self.functions.values().map(BTreeMap::len).sum()
    }

    /// The state of one source in one region; `Loading` until it reported.
    pub fn source_status(&self, region: &str, source: Source) -> SourceStatus {
        self.sources
            .get(region)
            .and_then(|by_source| by_source.get(&source))
            .cloned()
            .unwrap_or_default()
    }

    /// True once the function list of `region` has arrived at least once.
    pub fn functions_loaded(&self, region: &str) -> bool {
        self.source_status(region, Source::Functions)
            .last_ok
            .is_some()
    }

    fn record<T>(
        &mut self,
        region: &str,
        source: Source,
        at: DateTime<Utc>,
        result: &Result<T, AwsError>,
    ) {
        let status = self
            .sources
            .entry(region.to_string())
            .or_default()
            .entry(source)
            .or_default();
        match result {
            Ok(_) => {
                status.state = SourceState::Ok;
                status.last_ok = Some(at);
            }
            Err(error) if error.kind == crate::aws::ErrorKind::Unsupported => {
                status.state = SourceState::Unsupported {
                    detail: error.to_string(),
                };
            }
            Err(error) => {
                status.state = SourceState::Error {
                    detail: error.to_string(),
                };
            }
        }
    }

    /// Applies one event from the data layer. An error updates the state of
    /// its source and leaves the data from earlier polls in place.
    pub fn apply(&mut self, event: DataEvent) {
        // The age in the header is that of the table's data, so only a
        // successful read of functions or metrics makes it fresher.
        let fresh_at = match &event {
            DataEvent::Functions {
                at, result: Ok(_), ..
            }
            | DataEvent::Metrics {
                at, result: Ok(_), ..
            } => Some(*at),
            _ => None,
        };
        if let Some(at) = fresh_at {
            self.updated_at = Some(self.updated_at.map_or(at, |previous| previous.max(at)));
        }
        match event {
            DataEvent::Identity { at, result } => {
                match &result {
                    Ok(_) => {
                        self.identity_status.state = SourceState::Ok;
                        self.identity_status.last_ok = Some(at);
                    }
                    Err(error) => {
                        self.identity_status.state = SourceState::Error {
                            detail: error.to_string(),
                        }
                    }
                }
                if let Ok(identity) = result {
                    self.identity = Some(identity);
                    // The owner account decides which principals are foreign.
                    let regions: Vec<String> = self.functions.keys().cloned().collect();
                    for region in regions {
                        self.evaluate_region(&region, at);
                    }
                }
            }
            DataEvent::Functions { region, at, result } => {
                self.record(&region, Source::Functions, at, &result);
                if let Ok(functions) = result {
                    self.replace_functions(&region, functions);
                    self.split_region_resources(&region);
                    self.split_compute_optimizer(&region);
                    self.split_region_checklist(&region);
                    self.evaluate_region(&region, at);
                }
            }
            DataEvent::FunctionDetail {
                region,
                function,
                aliases,
                tags,
            } => {
                if let Some(entry) = self.entry_mut(&region, &function) {
                    entry.detail_error = None;
                    match aliases {
                        Ok(aliases) => {
                            entry.aliases = Some(aliases);
                            entry.aliases_error = None;
                        }
                        Err(error) => {
                            entry.detail_error = Some(error.to_string());
                            entry.aliases_error = Some(error);
                        }
                    }
                    match tags {
                        Ok(tags) => entry.tags = Some(tags),
                        Err(error) => entry.detail_error = Some(error.to_string()),
                    }
                }
                let now = self.updated_at.unwrap_or_else(Utc::now);
                self.evaluate_function(&region, &function, now);
            }
            DataEvent::FunctionResources {
                region,
                function,
                at,
                policy,
                url,
                event_invoke,
                reserved_concurrency,
            } => {
                if let Some(entry) = self.entry_mut(&region, &function) {
                    entry.resources.policy = policy;
                    entry.resources.url = url;
                    entry.resources.event_invoke = event_invoke;
                    entry.resources.reserved_concurrency = reserved_concurrency;
                }
                self.evaluate_function(&region, &function, at);
            }
            DataEvent::RegionResources {
                region,
                at,
                resources,
            } => {
                self.region_resources.insert(region.clone(), resources);
                self.split_region_resources(&region);
                self.split_region_checklist(&region);
                self.evaluate_region(&region, at);
            }
            DataEvent::ResourcesDone {
                region,
                at,
                first_error,
            } => {
                let result = first_error.map_or(Ok(()), Err);
                self.record(&region, Source::Resources, at, &result);
            }
            DataEvent::DetailsDone {
                region,
                at,
                first_error,
            } => {
                let result = first_error.map_or(Ok(()), Err);
                self.record(&region, Source::Aliases, at, &result);
            }
            DataEvent::Versions {
                region,
                function,
                result,
            } => {
                if let Some(entry) = self.entry_mut(&region, &function) {
                    match result {
                        Ok(versions) => entry.versions = Some(versions),
                        Err(error) => entry.detail_error = Some(error.to_string()),
                    }
                }
            }
            DataEvent::VersionsDone {
                region,
                at,
                first_error,
            } => {
                let result = first_error.map_or(Ok(()), Err);
                self.record(&region, Source::Versions, at, &result);
            }
            DataEvent::Billed(usage) => self.api_spend.add(usage),
            DataEvent::Metrics {
                region,
                at,
                result,
                billed_metrics,
            } => {
                self.billed_metrics += billed_metrics;
                self.api_spend.add(BilledUsage::metrics(billed_metrics));
                self.record(&region, Source::Metrics, at, &result);
                if let Ok(metrics) = result {
                    self.apply_metrics(&region, metrics);
                }
            }
            DataEvent::Percentiles {
                region,
                at,
                result,
                billed_metrics,
            } => {
                self.billed_metrics += billed_metrics;
                self.api_spend.add(BilledUsage::metrics(billed_metrics));
                self.record(&region, Source::Percentiles, at, &result);
                let mut by_function = result.unwrap_or_default();
                if let Some(entries) = self.functions.get_mut(&region) {
                    for (name, entry) in entries.iter_mut() {
                        if let Some(metrics) = entry.metrics.as_mut() {
                            metrics.duration_p99_ms = by_function.remove(name);
                        }
                    }
                }
            }
            DataEvent::CycleComplete { .. } => {}
            DataEvent::RegionChecklist { region, at, data } => {
                self.apply_region_checklist(&region, at, *data);
            }
            event @ (DataEvent::DrillMetrics { .. } | DataEvent::Hunt { .. }) => {
                self.apply_drill_event(event);
            }
            event @ (DataEvent::DrillTraces { .. } | DataEvent::DrillLogs { .. }) => {
                self.apply_traces_or_logs(event);
            }
            event @ (DataEvent::Budgets { .. }
            | DataEvent::LambdaSpend { .. }
            | DataEvent::ComputeOptimizer { .. }) => self.apply_cost_event(event),
        }
    }

    /// Runs the checklist on one function with what is known now.
    fn evaluate_function(&mut self, region: &str, name: &str, now: DateTime<Utc>) {
        let Fleet {
            functions,
            account_resources,
            identity,
            checks_config,
            ..
        } = self;
        let Some(entry) = functions
            .get_mut(region)
            .and_then(|by_name| by_name.get_mut(name))
        else {
            return;
        };
        let account = account_resources.get(region).cloned().unwrap_or_default();
        let account_id = identity.as_ref().and_then(|i| i.account.as_deref());
        entry.checklist = Some(Checklist::evaluate(
            entry,
            &account,
            account_id,
            checks_config,
            now,
        ));
    }

    pub(super) fn evaluate_region(&mut self, region: &str, now: DateTime<Utc>) {
        let names: Vec<String> = self
            .functions
            .get(region)
            .map(|by_name| by_name.keys().cloned().collect())
            .unwrap_or_default();
        for name in names {
            self.evaluate_function(region, &name, now);
        }
    }

    /// Copies each function's share of the region-wide reads into its
    /// resources: the mappings that invoke it, the alarms on its metrics and
    /// its log group.
    fn split_region_resources(&mut self, region: &str) {
        let Some(shared) = self.region_resources.get(region) else {
            return;
        };
        let Some(entries) = self.functions.get_mut(region) else {
            return;
        };
        for entry in entries.values_mut() {
            let function = &entry.function;
            entry.resources.event_source_mappings =
                map_collected(&shared.event_source_mappings, |mappings| {
                    mappings
                        .iter()
                        .filter(|m| unqualified_arn(&m.function_arn) == function.arn)
                        .cloned()
                        .collect()
                });
            entry.resources.alarms = map_collected(&shared.alarms, |alarms| {
                alarms
                    .iter()
                    .filter(|alarm| alarm_names_function(alarm, &function.name))
                    .cloned()
                    .collect()
            });
            let group_name = function
                .log_group
                .clone()
                .unwrap_or_else(|| format!("{LAMBDA_LOG_GROUP_PREFIX}{}", function.name));
            entry.resources.log_group = if group_name.starts_with(LAMBDA_LOG_GROUP_PREFIX) {
                map_collected(&shared.log_groups, |groups| {
                    groups.get(&group_name).cloned()
                })
            } else {
                // NOTE: only `/aws/lambda/` groups are read, so a custom log
                // group elsewhere stays unknown rather than "missing".
                Collected::NotCollected
            };
        }
    }

    /// Replaces the function list of a region and keeps what was already
    /// known about functions that are still there.
    fn replace_functions(&mut self, region: &str, functions: Vec<Function>) {
        let mut previous = self.functions.remove(region).unwrap_or_default();
        let mut next = BTreeMap::new();
        for function in functions {
            let name = function.name.clone();
            let entry = match previous.remove(&name) {
                Some(mut entry) => {
                    entry.function = function;
                    entry
                }
                None => FunctionEntry::new(function),
            };
            next.insert(name, entry);
        }
        self.functions.insert(region.to_string(), next);
    }

    fn apply_metrics(&mut self, region: &str, mut metrics: super::FleetMetrics) {
        self.metrics_window.insert(
            region.to_string(),
            MetricsWindow {
                start: metrics.start,
                end: metrics.end,
                period_s: metrics.period_s,
            },
        );
        self.account_concurrency.insert(
            region.to_string(),
            std::mem::take(&mut metrics.account_concurrency),
        );
        self.metric_messages
            .insert(region.to_string(), std::mem::take(&mut metrics.messages));
        if let Some(entries) = self.functions.get_mut(region) {
            for (name, entry) in entries.iter_mut() {
                // The percentile series comes from its own call; keep it
                // until that call reports again.
                let p99 = entry
                    .metrics
                    .as_mut()
                    .and_then(|old| old.duration_p99_ms.take());
                let mut fresh = metrics.functions.remove(name).unwrap_or_default();
                fresh.duration_p99_ms = p99;
                entry.metrics = Some(fresh);
                entry.version_metrics = metrics.versions.remove(name).unwrap_or_default();
            }
        }
    }
}

fn map_collected<T, U>(collected: &Collected<T>, map: impl FnOnce(&T) -> U) -> Collected<U> {
    match collected {
        Collected::Loaded(value) => Collected::Loaded(map(value)),
        Collected::NotCollected => Collected::NotCollected,
        Collected::Failed(error) => Collected::Failed(error.clone()),
    }
}

/// The function ARN without a version or alias qualifier: its first seven
/// colon-separated fields.
fn unqualified_arn(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

/// True when the alarm's dimensions name the function, as a whole or with a
/// qualifier (`Resource` is `name:alias` or `name:version`).
fn alarm_names_function(alarm: &super::AlarmInfo, function: &str) -> bool {
    alarm.dimensions.get("FunctionName").map(String::as_str) == Some(function)
        || alarm
            .dimensions
            .get("Resource")
            .is_some_and(|resource| resource.split(':').next() == Some(function))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ErrorKind;
    use crate::model::PackageType;

    fn function(name: &str) -> Function {
        Function {
            region: "us-east-1".to_string(),
            name: name.to_string(),
            arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
            runtime: Some("python3.12".to_string()),
            package_type: PackageType::Zip,
            handler: None,
            memory_mb: Some(128),
            timeout_s: Some(3),
            architectures: Vec::new(),
            code_size_bytes: 1,
            description: None,
            role: None,
            last_modified: None,
            state: None,
            last_update_status: None,
            tracing_mode: None,
            revision_id: None,
            vpc: None,
            environment_keys: Vec::new(),
            layers: Vec::new(),
            dead_letter_target: None,
            kms_key_arn: None,
            log_group: None,
            log_format: None,
            ephemeral_storage_mb: None,
            environment: None,
        }
    }

    fn throttled() -> AwsError {
        AwsError {
            kind: ErrorKind::Throttled,
            action: "lambda:ListFunctions".to_string(),
            code: Some("TooManyRequestsException".to_string()),
            message: None,
            status: Some(429),
            request_id: None,
        }
    }

    fn functions_event(result: Result<Vec<Function>, AwsError>) -> DataEvent {
        DataEvent::Functions {
            region: "us-east-1".to_string(),
            at: Utc::now(),
            result,
        }
    }

    #[test]
    fn failed_poll_keeps_earlier_data() {
        let mut fleet = Fleet::new(None, vec!["us-east-1".to_string()], None);
        fleet.apply(functions_event(Ok(vec![function("a"), function("b")])));
        fleet.apply(functions_event(Err(throttled())));

        assert_eq!(fleet.function_count(), 2);
        let status = fleet.source_status("us-east-1", Source::Functions);
        assert!(matches!(status.state, SourceState::Error { .. }));
        assert!(status.last_ok.is_some());
    }

    #[test]
    fn failed_poll_does_not_refresh_data_age() {
        let mut fleet = Fleet::new(None, vec!["us-east-1".to_string()], None);
        fleet.apply(functions_event(Ok(vec![function("a")])));
        let first = fleet.updated_at;
        std::thread::sleep(std::time::Duration::from_millis(5));
        fleet.apply(functions_event(Err(throttled())));

        assert!(first.is_some());
        assert_eq!(fleet.updated_at, first);
    }

    #[test]
    fn refresh_keeps_details_of_remaining_functions() {
        let mut fleet = Fleet::new(None, vec!["us-east-1".to_string()], None);
        fleet.apply(functions_event(Ok(vec![function("a"), function("b")])));
        fleet.apply(DataEvent::FunctionDetail {
            region: "us-east-1".to_string(),
            function: "a".to_string(),
            aliases: Ok(Vec::new()),
            tags: Ok(Tags::new()),
        });
        fleet.apply(functions_event(Ok(vec![function("a")])));

        let key = FunctionKey {
            region: "us-east-1".to_string(),
            name: "a".to_string(),
        };
        assert_eq!(fleet.function_count(), 1);
        assert!(fleet.entry(&key).and_then(|e| e.aliases.as_ref()).is_some());
    }

    #[test]
    fn detail_for_unknown_function_is_ignored() {
        let mut fleet = Fleet::new(None, vec!["us-east-1".to_string()], None);
        fleet.apply(DataEvent::FunctionDetail {
            region: "us-east-1".to_string(),
            function: "ghost".to_string(),
            aliases: Ok(Vec::new()),
            tags: Ok(Tags::new()),
        });
        assert_eq!(fleet.function_count(), 0);
    }
}
