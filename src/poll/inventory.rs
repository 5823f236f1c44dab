//! Functions, aliases, tags and versions of one region.

use std::sync::Arc;

use chrono::Utc;
use futures::StreamExt;
use tokio::sync::{mpsc, watch};

use super::{DataEvent, InventoryView, PollConfig, PollMode, Wakers, next_delay};
use crate::aws::{
    AwsError, ErrorKind, RegionClients, list_aliases, list_functions, list_tags, list_versions,
};
use crate::model::{Alias, Function};

fn weighted_aliases(function: &str, aliases: &[Alias]) -> Vec<(String, String, Vec<String>)> {
    aliases
        .iter()
        .filter(|alias| alias.is_weighted())
        .map(|alias| {
            let versions = alias.traffic_split().into_iter().map(|(v, _)| v).collect();
            (function.to_string(), alias.name.clone(), versions)
        })
        .collect()
}

/// Re-reads one function's aliases, tags and versions on request.
pub(crate) async fn refresh_function(
    clients: &RegionClients,
    function: &str,
    arn: &str,
    tx: &mpsc::Sender<DataEvent>,
) {
    let aliases = list_aliases(clients, function).await;
    let tags = list_tags(clients, function, arn).await;
    let detail = DataEvent::FunctionDetail {
        region: clients.region.clone(),
        function: function.to_string(),
        aliases,
        tags,
    };
    if tx.send(detail).await.is_err() {
        return;
    }
    let versions = DataEvent::Versions {
        region: clients.region.clone(),
        function: function.to_string(),
        result: list_versions(clients, function).await,
    };
    let _ = tx.send(versions).await;
}

/// Reads aliases and tags of every function, a few at a time, and sends
/// one event per function. Returns the weighted aliases and the first error.
async fn read_details(
    clients: &RegionClients,
    functions: &[Function],
    concurrency: usize,
    tx: &mpsc::Sender<DataEvent>,
) -> Result<(Vec<(String, String, Vec<String>)>, Option<AwsError>), ()> {
    // The futures own their inputs: borrowed captures in a buffered stream
    // make the task fail the `Send` bound that `tokio::spawn` needs.
    let requests: Vec<_> = functions
        .iter()
        .map(|function| {
            let clients = clients.clone();
            let name = function.name.clone();
            let arn = function.arn.clone();
            async move {
                let aliases = list_aliases(&clients, &name).await;
                let tags = list_tags(&clients, &name, &arn).await;
                (name, aliases, tags)
            }
        })
        .collect();
    let mut details = futures::stream::iter(requests).buffer_unordered(concurrency.max(1));

    let mut weighted = Vec::new();
    let mut first_error = None;
    while let Some((name, aliases, tags)) = details.next().await {
        if let Ok(aliases) = &aliases {
            weighted.extend(weighted_aliases(&name, aliases));
        }
        for error in [aliases.as_ref().err(), tags.as_ref().err()]
            .into_iter()
            .flatten()
        {
            first_error.get_or_insert_with(|| error.clone());
        }
        let event = DataEvent::FunctionDetail {
            region: clients.region.clone(),
            function: name,
            aliases,
            tags,
        };
        tx.send(event).await.map_err(|_| ())?;
    }
    weighted.sort();
    Ok((weighted, first_error))
}

async fn read_versions(
    clients: &RegionClients,
    functions: &[Function],
    concurrency: usize,
    tx: &mpsc::Sender<DataEvent>,
) -> Result<(), ()> {
    let requests: Vec<_> = functions
        .iter()
        .map(|function| {
            let clients = clients.clone();
            let name = function.name.clone();
            async move {
                let result = list_versions(&clients, &name).await;
                (name, result)
            }
        })
        .collect();
    let mut versions = futures::stream::iter(requests).buffer_unordered(concurrency.max(1));

    let mut first_error = None;
    while let Some((name, result)) = versions.next().await {
        if let Err(error) = &result {
            first_error.get_or_insert_with(|| error.clone());
        }
        let event = DataEvent::Versions {
            region: clients.region.clone(),
            function: name,
            result,
        };
        tx.send(event).await.map_err(|_| ())?;
    }
    let done = DataEvent::VersionsDone {
        region: clients.region.clone(),
        at: Utc::now(),
        first_error,
    };
    tx.send(done).await.map_err(|_| ())
}

/// The inventory loop of one region. It ends when the app drops its end of
/// the channel, or after one cycle in `PollMode::Once`.
pub(crate) async fn run(
    clients: RegionClients,
    config: PollConfig,
    tx: mpsc::Sender<DataEvent>,
    view: watch::Sender<InventoryView>,
    wakers: Arc<Wakers>,
    mode: PollMode,
) {
    let mut cycle: u32 = 0;
    let mut throttled_in_a_row = 0;
    loop {
        let result = list_functions(&clients).await;
        let functions = result.as_ref().ok().cloned();
        throttled_in_a_row = match &result {
            Err(error) if error.kind == ErrorKind::Throttled => throttled_in_a_row + 1,
            _ => 0,
        };
        let event = DataEvent::Functions {
            region: clients.region.clone(),
            at: Utc::now(),
            result,
        };
        if tx.send(event).await.is_err() {
            return;
        }

        if let Some(functions) = functions {
            let names: Vec<String> = functions.iter().map(|f| f.name.clone()).collect();
            let revisions: Vec<(String, Option<String>)> = functions
                .iter()
                .map(|f| (f.name.clone(), f.revision_id.clone()))
                .collect();
            let mut subnet_ids: Vec<String> = functions
                .iter()
                .filter_map(|f| f.vpc.as_ref())
                .flat_map(|vpc| vpc.subnet_ids.iter().cloned())
                .collect();
            subnet_ids.sort();
            subnet_ids.dedup();
            let log_groups: Vec<(String, String)> = functions
                .iter()
                .map(|f| {
                    let group = f.log_group.clone().unwrap_or_else(|| {
                        format!("{}{}", crate::aws::LAMBDA_LOG_GROUP_PREFIX, f.name)
                    });
                    (f.name.clone(), group)
                })
                .collect();
            // Metrics can start on the names alone; weighted routing follows
            // once every alias has been read.
            view.send_if_modified(|current| {
                let changed = current.functions != names
                    || current.revisions != revisions
                    || current.subnet_ids != subnet_ids
                    || current.log_groups != log_groups;
                current.functions = names.clone();
                current.revisions = revisions;
                current.subnet_ids = subnet_ids;
                current.log_groups = log_groups;
                changed
            });

            let Ok((weighted, first_error)) =
                read_details(&clients, &functions, config.detail_concurrency, &tx).await
            else {
                return;
            };
            let done = DataEvent::DetailsDone {
                region: clients.region.clone(),
                at: Utc::now(),
                first_error,
            };
            if tx.send(done).await.is_err() {
                return;
            }
            view.send_if_modified(|current| {
                let changed = current.weighted_aliases != weighted || !current.aliases_read;
                current.weighted_aliases = weighted;
                current.aliases_read = true;
                changed
            });

            let refresh_versions = cycle.is_multiple_of(config.versions_every_cycles.max(1));
            if refresh_versions
                && read_versions(&clients, &functions, config.detail_concurrency, &tx)
                    .await
                    .is_err()
            {
                return;
            }
        } else if !view.borrow().aliases_read {
            // Let a waiting metrics task in `Once` mode finish instead of
            // waiting for aliases that will not come.
            view.send_modify(|current| current.aliases_read = true);
        }

        if mode == PollMode::Once {
            return;
        }
        cycle = cycle.wrapping_add(1);
        tokio::select! {
            () = tokio::time::sleep(next_delay(config.inventory_interval, throttled_in_a_row)) => {}
            () = wakers.inventory.notified() => {
                // An explicit refresh also re-reads versions.
                cycle = 0;
            }
        }
    }
}
