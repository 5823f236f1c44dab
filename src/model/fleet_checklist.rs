//! Splits the region-wide checklist reads of [`RegionChecklistData`] into
//! each function's resources and the region's account data.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{
    Collected, DailyMetrics, Fleet, FunctionEntry, RegionChecklistData, RestApiFrontend,
    RestApiInfo,
};
use crate::aws::unqualified_function_arn;

impl Fleet {
    /// Merges one update of the region's checklist reads, splits it and
    /// re-runs the rules of the region.
    pub(super) fn apply_region_checklist(
        &mut self,
        region: &str,
        at: DateTime<Utc>,
        update: RegionChecklistData,
    ) {
        self.region_checklist
            .entry(region.to_string())
            .or_default()
            .merge(update);
        self.split_region_checklist(region);
        self.evaluate_region(region, at);
    }

    /// Copies each function's share of the region's checklist reads into its
    /// resources, and the account-level parts into the region's account data.
    pub(super) fn split_region_checklist(&mut self, region: &str) {
        let Some(shared) = self.region_checklist.get(region) else {
            return;
        };
        let account = self
            .account_resources
            .entry(region.to_string())
            .or_default();
        if !matches!(shared.inspector_coverage, Collected::NotCollected) {
            account.inspector_coverage = shared.inspector_coverage.clone();
        }
        if !matches!(shared.subnet_zones, Collected::NotCollected) {
            account.subnet_zones = shared.subnet_zones.clone();
        }
        let Some(entries) = self.functions.get_mut(region) else {
            return;
        };
        for entry in entries.values_mut() {
            split_into(entry, shared);
        }
    }
}

/// Picks the value of one function from a map keyed by function name, or
/// `NotCollected` when the read ran before the function existed.
fn by_name<T: Clone, U>(
    collected: &Collected<BTreeMap<String, T>>,
    name: &str,
    map: impl FnOnce(&T) -> U,
) -> Collected<U> {
    match collected {
        Collected::Loaded(values) => match values.get(name) {
            Some(value) => Collected::Loaded(map(value)),
            None => Collected::NotCollected,
        },
        Collected::NotCollected => Collected::NotCollected,
        Collected::Failed(error) => Collected::Failed(error.clone()),
    }
}

fn map_loaded<T, U>(collected: &Collected<T>, map: impl FnOnce(&T) -> U) -> Collected<U> {
    match collected {
        Collected::Loaded(value) => Collected::Loaded(map(value)),
        Collected::NotCollected => Collected::NotCollected,
        Collected::Failed(error) => Collected::Failed(error.clone()),
    }
}

/// Collects the REST API stages and methods in front of the function whose
/// unqualified ARN is `function_arn`.
pub(super) fn frontend_of(apis: &[RestApiInfo], function_arn: &str) -> RestApiFrontend {
    let mut frontend = RestApiFrontend::default();
    for api in apis {
        let methods: Vec<_> = api
            .integrations
            .iter()
            .filter(|integration| integration.function_arn == function_arn)
            .map(|integration| integration.method.clone())
            .collect();
        if methods.is_empty() {
            continue;
        }
        frontend.stages.extend(api.stages.iter().cloned());
        frontend.methods.extend(methods);
    }
    frontend
}

fn split_into(entry: &mut FunctionEntry, shared: &RegionChecklistData) {
    let name = entry.function.name.clone();
    let arn = unqualified_function_arn(&entry.function.arn);
    let resources = &mut entry.resources;

    resources.inspector_findings = map_loaded(&shared.inspector_findings, |by_arn| {
        by_arn.get(&arn).cloned().unwrap_or_default()
    });
    resources.rest_api = map_loaded(&shared.rest_apis, |apis| frontend_of(apis, &arn));
    resources.snap_start = by_name(&shared.snap_start, &name, |on| *on);

    // Only the queues this function reads. The mappings were split first.
    let queues: Option<Vec<String>> = resources.event_source_mappings.loaded().map(|mappings| {
        mappings
            .iter()
            .filter_map(|mapping| mapping.event_source_arn.clone())
            .collect()
    });
    resources.queue_redrive = map_loaded(&shared.queue_redrive, |redrive| match &queues {
        Some(queues) => redrive
            .iter()
            .filter(|(queue, _)| queues.contains(queue))
            .map(|(queue, has)| (queue.clone(), *has))
            .collect(),
        None => redrive.clone(),
    });

    let report = by_name(&shared.report_lines, &name, Clone::clone);
    resources.max_memory_used_mb = map_loaded(&report, |summary| summary.max_memory_used_mb);
    resources.daily_metrics = by_name(&shared.daily_metrics, &name, |daily| DailyMetrics {
        timeouts: report.loaded().and_then(|summary| summary.timeouts.clone()),
        ..daily.clone()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RestIntegration, RestMethod, RestStageThrottling};

    const ORDERS: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";

    fn api(id: &str, functions: &[&str]) -> RestApiInfo {
        RestApiInfo {
            api_id: id.to_string(),
            name: None,
            stages: vec![RestStageThrottling {
                api_id: id.to_string(),
                stage_name: "prod".to_string(),
                burst_limit: None,
                rate_limit: None,
            }],
            integrations: functions
                .iter()
                .map(|arn| RestIntegration {
                    function_arn: arn.to_string(),
                    method: RestMethod {
                        api_id: id.to_string(),
                        resource_path: "/orders".to_string(),
                        http_method: "POST".to_string(),
                        request_validator_id: None,
                        validates_body: false,
                        request_models: Vec::new(),
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn frontend_keeps_only_integrating_apis() {
        let apis = vec![api("a1", &[ORDERS]), api("b2", &["arn:other"])];
        let frontend = frontend_of(&apis, ORDERS);
        assert_eq!(frontend.stages.len(), 1);
        assert_eq!(frontend.stages[0].api_id, "a1");
        assert_eq!(frontend.methods.len(), 1);
    }

    #[test]
    fn frontend_empty_without_integration() {
        let frontend = frontend_of(&[api("b2", &["arn:other"])], ORDERS);
        assert!(frontend.is_empty());
    }
}
