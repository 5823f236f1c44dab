//! The checklist's reads of one region: per-function policies, URLs, event
//! invoke settings and reserved concurrency, and the region-wide event
//! source mappings, alarms, log groups, Inspector findings and coverage,
//! subnet zones, queue redrive policies, REST APIs, SnapStart settings,
//! daily metrics and REPORT log lines.
//!
//! Per-function results are cached by the function's `RevisionId`, which
//! Lambda changes on every configuration, code or permission update, so a
//! quiet fleet costs no per-function calls after the first pass.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::checklist_reads::{read_checklist_region, read_report_lines, sqs_sources};
use super::{DataEvent, InventoryView, PollConfig, PollMode, Wakers};
use crate::aws::{
    AwsError, RegionClients, describe_alarms, describe_lambda_log_groups, get_event_invoke_config,
    get_function_url, get_policy, get_reserved_concurrency, list_event_source_mappings,
};
use crate::model::{BilledUsage, RegionChecklistData, RegionResources};

/// Reads the per-function resources of `function` and returns the event, and
/// whether every call succeeded or failed for a lasting reason (so the result
/// may be cached). Calls run one after another under the region's limiter.
pub(crate) async fn read_function(
    clients: &RegionClients,
    function: &str,
) -> (DataEvent, Option<AwsError>) {
    let policy = get_policy(clients, function).await;
    let url = get_function_url(clients, function).await;
    let event_invoke = get_event_invoke_config(clients, function).await;
    let reserved_concurrency = get_reserved_concurrency(clients, function).await;
    let first_error = [
        policy.as_ref().err(),
        url.as_ref().err(),
        event_invoke.as_ref().err(),
        reserved_concurrency.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .next()
    .cloned();
    let event = DataEvent::FunctionResources {
        region: clients.region.clone(),
        function: function.to_string(),
        at: Utc::now(),
        policy: policy.into(),
        url: url.into(),
        event_invoke: event_invoke.into(),
        reserved_concurrency: reserved_concurrency.into(),
    };
    (event, first_error)
}

async fn read_region(clients: &RegionClients) -> (RegionResources, Option<AwsError>) {
    let (mappings, alarms, log_groups) = tokio::join!(
        list_event_source_mappings(clients),
        describe_alarms(clients),
        describe_lambda_log_groups(clients),
    );
    let first_error = [
        mappings.as_ref().err(),
        alarms.as_ref().err(),
        log_groups.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .next()
    .cloned();
    let resources = RegionResources {
        event_source_mappings: mappings.into(),
        alarms: alarms.into(),
        log_groups: log_groups.into(),
    };
    (resources, first_error)
}

/// Reads the REPORT lines of every function and sends them as one event.
/// Returns the first error worth reporting, or `Err` when the app has gone.
async fn send_report_lines(
    clients: RegionClients,
    log_groups: Vec<(String, String)>,
    now: DateTime<Utc>,
    tx: mpsc::Sender<DataEvent>,
) -> Result<Option<AwsError>, ()> {
    let (report_lines, error) = read_report_lines(&clients, &log_groups, now).await;
    let event = DataEvent::RegionChecklist {
        region: clients.region.clone(),
        at: Utc::now(),
        data: Box::new(RegionChecklistData {
            report_lines,
            ..RegionChecklistData::default()
        }),
    };
    tx.send(event).await.map_err(|_| ())?;
    Ok(error)
}

/// The functions whose cached reads are missing or older than their
/// current revision.
fn stale(
    revisions: &[(String, Option<String>)],
    cache: &BTreeMap<String, Option<String>>,
) -> Vec<(String, Option<String>)> {
    revisions
        .iter()
        .filter(|(name, revision)| cache.get(name) != Some(revision))
        .cloned()
        .collect()
}

/// The resources loop of one region. It starts once the function list is
/// known, reads the region-wide data on its own interval and on refresh,
/// and reads a function's own data when its revision changes.
pub(crate) async fn run(
    clients: RegionClients,
    config: PollConfig,
    tx: mpsc::Sender<DataEvent>,
    mut view: watch::Receiver<InventoryView>,
    wakers: Arc<Wakers>,
    mode: PollMode,
) {
    // Start after the first alias pass: both share the Lambda rate limit,
    // and the routing column matters more in the first seconds than the
    // checklist does.
    if view.wait_for(|v| v.aliases_read).await.is_err() {
        return;
    }

    let mut cache: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut region_due = Instant::now();
    loop {
        let current = view.borrow_and_update().clone();
        let mut first_error = None;
        let mut report_reader = None;

        if !current.functions.is_empty() && Instant::now() >= region_due {
            let (resources, error) = read_region(&clients).await;
            first_error = first_error.or(error);
            region_due = Instant::now() + config.resources_interval;
            let queues = sqs_sources(&resources);
            let event = DataEvent::RegionResources {
                region: clients.region.clone(),
                at: Utc::now(),
                resources,
            };
            if tx.send(event).await.is_err() {
                return;
            }

            let now = Utc::now();
            let (data, billed, error) =
                read_checklist_region(&clients, &current, &queues, now).await;
            first_error = first_error.or(error);
            let events = [
                DataEvent::Billed(BilledUsage::metrics(billed)),
                DataEvent::RegionChecklist {
                    region: clients.region.clone(),
                    at: Utc::now(),
                    data: Box::new(data),
                },
            ];
            for event in events {
                if tx.send(event).await.is_err() {
                    return;
                }
            }

            // The log reads draw on the CloudWatch Logs quota, not Lambda's,
            // so they run beside the per-function reads below.
            report_reader = Some(tokio::spawn(send_report_lines(
                clients.clone(),
                current.log_groups.clone(),
                now,
                tx.clone(),
            )));
        }

        // Forget functions that are gone, so the cache stays bounded.
        cache.retain(|name, _| current.revisions.iter().any(|(n, _)| n == name));
        let requests: Vec<_> = stale(&current.revisions, &cache)
            .into_iter()
            .map(|(name, revision)| {
                let clients = clients.clone();
                async move {
                    let (event, error) = read_function(&clients, &name).await;
                    (name, revision, event, error)
                }
            })
            .collect();
        let mut reads =
            futures::stream::iter(requests).buffer_unordered(config.resource_concurrency.max(1));
        while let Some((name, revision, event, error)) = reads.next().await {
            // Throttling and transient failures are retried on the next
            // pass; a denied call would fail the same way until the revision
            // changes or the user refreshes.
            if error.as_ref().is_none_or(|e| !e.kind.is_retryable()) {
                cache.insert(name, revision);
            }
            first_error = first_error.or(error);
            if tx.send(event).await.is_err() {
                return;
            }
        }

        if let Some(reader) = report_reader.take() {
            match reader.await {
                Ok(Ok(error)) => first_error = first_error.or(error),
                Ok(Err(())) => return,
                Err(error) => tracing::warn!(%error, "REPORT line reader ended early"),
            }
        }

        let done = DataEvent::ResourcesDone {
            region: clients.region.clone(),
            at: Utc::now(),
            first_error,
        };
        if tx.send(done).await.is_err() {
            return;
        }

        if mode == PollMode::Once {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep_until(region_due) => {}
            () = wakers.resources.notified() => {
                cache.clear();
                region_due = Instant::now();
            }
            changed = view.changed() => {
                if changed.is_err() {
                    // The inventory task ended; keep reading on the interval.
                    tokio::time::sleep_until(region_due).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_lists_new_and_changed_revisions() {
        let revisions = vec![
            ("a".to_string(), Some("r1".to_string())),
            ("b".to_string(), Some("r2".to_string())),
            ("c".to_string(), None),
        ];
        let cache = BTreeMap::from([
            ("a".to_string(), Some("r1".to_string())),
            ("b".to_string(), Some("old".to_string())),
        ]);
        let names: Vec<String> = stale(&revisions, &cache)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, vec!["b".to_string(), "c".to_string()]);
    }
}
