//! Fleet metrics of one region.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::{DataEvent, InventoryView, PollConfig, PollMode, Wakers, next_delay};
use crate::aws::{
    ErrorKind, MetricsRequest, RegionClients, fetch_fleet_metrics, fetch_percentiles,
};

/// How long to wait before asking again for percentiles that the endpoint
/// does not support: they will not appear within one poll interval.
const UNSUPPORTED_PERCENTILE_RETRY: Duration = Duration::from_secs(600);

/// The metrics loop of one region. It waits for the inventory task's
/// function list and polls on its own interval, on refresh, and whenever the
/// list or the weighted routing changes.
pub(crate) async fn run(
    clients: RegionClients,
    config: PollConfig,
    tx: mpsc::Sender<DataEvent>,
    mut view: watch::Receiver<InventoryView>,
    wakers: Arc<Wakers>,
    mode: PollMode,
) {
    let mut percentiles_retry_at: Option<Instant> = None;
    let mut throttled_in_a_row = 0;

    // Nothing to ask for until the first function list arrives. In `Once`
    // mode wait for the aliases too, so the snapshot has per-version series.
    let ready = |v: &InventoryView| match mode {
        PollMode::Continuous => !v.functions.is_empty() || v.aliases_read,
        PollMode::Once => v.aliases_read,
    };
    if view.wait_for(ready).await.is_err() {
        return;
    }

    loop {
        let current = view.borrow_and_update().clone();
        let (start, end) = MetricsRequest::last_minutes(Utc::now(), config.metrics_window_minutes);
        let request = MetricsRequest {
            functions: current.functions.clone(),
            weighted_aliases: current.weighted_aliases.clone(),
            start,
            end,
            period_s: config.metrics_period_s,
        };

        if !request.functions.is_empty() {
            let result = fetch_fleet_metrics(&clients, &request).await;
            throttled_in_a_row = match &result {
                Err(error) if error.kind == ErrorKind::Throttled => throttled_in_a_row + 1,
                _ => 0,
            };
            let (result, billed) = match result {
                Ok((metrics, billed)) => (Ok(metrics), billed),
                Err(error) => (Err(error), 0),
            };
            let event = DataEvent::Metrics {
                region: clients.region.clone(),
                at: Utc::now(),
                result,
                billed_metrics: billed,
            };
            if tx.send(event).await.is_err() {
                return;
            }

            let due = percentiles_retry_at.is_none_or(|at| Instant::now() >= at);
            if due {
                let result = fetch_percentiles(
                    &clients,
                    &request.functions,
                    start,
                    end,
                    config.metrics_period_s,
                )
                .await;
                percentiles_retry_at = match &result {
                    Err(error) if error.kind == ErrorKind::Unsupported => {
                        Some(Instant::now() + UNSUPPORTED_PERCENTILE_RETRY)
                    }
                    _ => None,
                };
                let (result, billed) = match result {
                    Ok((series, billed)) => (Ok(series), billed),
                    Err(error) => (Err(error), 0),
                };
                let event = DataEvent::Percentiles {
                    region: clients.region.clone(),
                    at: Utc::now(),
                    result,
                    billed_metrics: billed,
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
        }

        if mode == PollMode::Once {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(next_delay(config.metrics_interval, throttled_in_a_row)) => {}
            () = wakers.metrics.notified() => {}
            changed = view.changed() => {
                if changed.is_err() {
                    // The inventory task ended; keep polling on the interval.
                    tokio::time::sleep(config.metrics_interval).await;
                }
            }
        }
    }
}
