//! The scheduler of the data layer. Poll tasks own the AWS clients, read on
//! their own intervals, and send every result to the app inside a
//! `DataEvent` over a bounded channel. Nothing here touches UI state.

mod account;
mod checklist_reads;
mod drill;
mod drill_metrics;
mod event;
mod hunt;
mod inventory;
mod metrics;
mod resources;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinSet;

pub use account::read_checklist_inputs;
pub use drill::{MAX_LOG_PAGES, WINDOW_MINUTES, XrayFilterSupport, fetch_logs, fetch_traces};
pub use event::{DataEvent, PollRequest};

use crate::aws::{AwsContext, RegionClients, caller_identity};

/// Capacity of the event channel. A full channel makes poll tasks wait,
/// which is the back-pressure we want when the UI is busy.
const EVENT_CHANNEL_CAPACITY: usize = 256;
const REQUEST_CHANNEL_CAPACITY: usize = 16;

#[derive(Debug, Clone)]
pub struct PollConfig {
    /// How often functions, aliases and tags are re-read.
    pub inventory_interval: Duration,
    /// How often fleet metrics are re-read.
    pub metrics_interval: Duration,
    /// Length of the metrics window, in minutes.
    pub metrics_window_minutes: i64,
    pub metrics_period_s: i32,
    /// Per-function calls in flight at once; the rate limiter still applies.
    pub detail_concurrency: usize,
    /// Versions are re-read on every n-th inventory cycle (and on refresh),
    /// because they change far less often than aliases.
    pub versions_every_cycles: u32,
    /// How often the region-wide checklist data (event source mappings,
    /// alarms, log groups) is re-read. Per-function data is re-read when the
    /// function's revision changes.
    pub resources_interval: Duration,
    /// Functions whose checklist data is read at once. Each read makes four
    /// Lambda calls under the shared rate limiter, so this stays low to
    /// leave room for the inventory.
    pub resource_concurrency: usize,
    /// The windows of the concurrency hunt.
    pub hunt_window: crate::model::drill_metrics::HuntWindow,
}

impl Default for PollConfig {
    fn default() -> Self {
        Self {
            inventory_interval: Duration::from_secs(60),
            metrics_interval: Duration::from_secs(60),
            metrics_window_minutes: 60,
            metrics_period_s: 60,
            detail_concurrency: 4,
            versions_every_cycles: 5,
            resources_interval: Duration::from_secs(300),
            resource_concurrency: 2,
            hunt_window: crate::model::drill_metrics::HuntWindow::default(),
        }
    }
}

/// Whether the poller runs until dropped or reads everything once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollMode {
    Continuous,
    /// Read everything once, send `CycleComplete` per region, and stop.
    Once,
}

/// The app's end of the data layer.
pub struct PollHandle {
    pub events: mpsc::Receiver<DataEvent>,
    pub requests: mpsc::Sender<PollRequest>,
    tasks: JoinSet<()>,
}

impl PollHandle {
    /// Stops every poll task.
    pub fn shutdown(mut self) {
        self.tasks.abort_all();
    }
}

/// What the inventory task tells the metrics task about the fleet.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct InventoryView {
    pub functions: Vec<String>,
    pub weighted_aliases: Vec<(String, String, Vec<String>)>,
    /// Every function with its `RevisionId`, for the checklist's cache.
    pub revisions: Vec<(String, Option<String>)>,
    /// True once aliases were read for every function in this cycle.
    pub aliases_read: bool,
    /// The subnets of every function's VPC configuration, sorted and unique.
    pub subnet_ids: Vec<String>,
    /// Every function with the log group it writes to.
    pub log_groups: Vec<(String, String)>,
}

/// Wakes a task early: an explicit refresh from the user.
#[derive(Debug, Default)]
pub(crate) struct Wakers {
    pub inventory: Notify,
    pub metrics: Notify,
    pub resources: Notify,
}

/// Starts the poll tasks of every region.
pub fn spawn(context: &AwsContext, config: PollConfig, mode: PollMode) -> PollHandle {
    let (event_tx, event_rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY);
    let (request_tx, mut request_rx) = mpsc::channel::<PollRequest>(REQUEST_CHANNEL_CAPACITY);
    let mut tasks = JoinSet::new();

    if let Some(first) = context.regions.first().cloned() {
        let tx = event_tx.clone();
        tasks.spawn(async move {
            let result = caller_identity(&first).await;
            let at = chrono::Utc::now();
            let _ = tx.send(DataEvent::Identity { at, result }).await;
        });
    }

    let mut region_wakers = Vec::new();
    for clients in &context.regions {
        let wakers = Arc::new(Wakers::default());
        region_wakers.push((clients.clone(), wakers.clone()));
        tasks.spawn(run_region(
            clients.clone(),
            config.clone(),
            event_tx.clone(),
            wakers,
            mode,
        ));
    }

    // NOTE: one-shot polls (`PollMode::Once`) skip this loop so that its
    // events do not race per-region completion; `snapshot::collect` reads
    // budgets and Compute Optimizer itself through
    // `account::read_checklist_inputs`. Their Lambda spend (Cost Explorer)
    // stays "not collected".
    let account_wake = Arc::new(Notify::new());
    if mode == PollMode::Continuous {
        tasks.spawn(account::run(
            context.regions.clone(),
            event_tx.clone(),
            account_wake.clone(),
            mode,
        ));
    }

    let detail_tx = event_tx;
    let hunt_window = config.hunt_window;
    let xray_filter = Arc::new(XrayFilterSupport::default());
    tasks.spawn(async move {
        while let Some(request) = request_rx.recv().await {
            match request {
                PollRequest::RefreshAll => {
                    for (_, wakers) in &region_wakers {
                        wakers.inventory.notify_one();
                        wakers.metrics.notify_one();
                        wakers.resources.notify_one();
                    }
                    account_wake.notify_one();
                }
                PollRequest::Function { key, arn } => {
                    let Some((clients, _)) =
                        region_wakers.iter().find(|(c, _)| c.region == key.region)
                    else {
                        continue;
                    };
                    let clients = clients.clone();
                    let tx = detail_tx.clone();
                    tokio::spawn(async move {
                        inventory::refresh_function(&clients, &key.name, &arn, &tx).await;
                        let (event, _) = resources::read_function(&clients, &key.name).await;
                        let _ = tx.send(event).await;
                    });
                }
                PollRequest::DrillMetrics { key, request } => {
                    if let Some((clients, _)) =
                        region_wakers.iter().find(|(c, _)| c.region == key.region)
                    {
                        let read =
                            drill_metrics::read(clients.clone(), key, request, detail_tx.clone());
                        tokio::spawn(read);
                    }
                }
                PollRequest::DrillTraces { key, log_group } => {
                    if let Some((clients, _)) =
                        region_wakers.iter().find(|(c, _)| c.region == key.region)
                    {
                        tokio::spawn(drill::read_traces(
                            clients.clone(),
                            key,
                            log_group,
                            xray_filter.clone(),
                            detail_tx.clone(),
                        ));
                    }
                }
                PollRequest::DrillLogs {
                    key,
                    log_group,
                    timeout_s,
                } => {
                    if let Some((clients, _)) =
                        region_wakers.iter().find(|(c, _)| c.region == key.region)
                    {
                        tokio::spawn(drill::read_logs(
                            clients.clone(),
                            key,
                            log_group,
                            timeout_s,
                            detail_tx.clone(),
                        ));
                    }
                }
                PollRequest::Hunt { region, functions } => {
                    if let Some((clients, _)) =
                        region_wakers.iter().find(|(c, _)| c.region == region)
                    {
                        tokio::spawn(hunt::read(
                            clients.clone(),
                            functions,
                            hunt_window,
                            detail_tx.clone(),
                        ));
                    }
                }
            }
        }
    });

    PollHandle {
        events: event_rx,
        requests: request_tx,
        tasks,
    }
}

async fn run_region(
    clients: RegionClients,
    config: PollConfig,
    tx: mpsc::Sender<DataEvent>,
    wakers: Arc<Wakers>,
    mode: PollMode,
) {
    let (view_tx, view_rx) = watch::channel(InventoryView::default());
    let inventory = tokio::spawn(inventory::run(
        clients.clone(),
        config.clone(),
        tx.clone(),
        view_tx,
        wakers.clone(),
        mode,
    ));
    let metrics = tokio::spawn(metrics::run(
        clients.clone(),
        config.clone(),
        tx.clone(),
        view_rx.clone(),
        wakers.clone(),
        mode,
    ));
    let resources = tokio::spawn(resources::run(
        clients.clone(),
        config,
        tx.clone(),
        view_rx,
        wakers,
        mode,
    ));
    let _ = inventory.await;
    let _ = metrics.await;
    let _ = resources.await;
    if mode == PollMode::Once {
        let _ = tx
            .send(DataEvent::CycleComplete {
                region: clients.region.clone(),
            })
            .await;
    }
}

/// The wait before the next poll: the interval, stretched after throttling
/// so that a busy account is not pushed harder, with jitter so that several
/// regions do not poll in lockstep.
pub(crate) fn next_delay(interval: Duration, consecutive_throttles: u32) -> Duration {
    let factor = 1u32 << consecutive_throttles.min(3);
    let base = interval * factor;
    let jitter_ms = fastrand::u64(0..=base.as_millis() as u64 / 10);
    base + Duration::from_millis(jitter_ms)
}
