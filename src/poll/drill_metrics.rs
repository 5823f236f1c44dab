//! On-demand reads of the function screen's Metrics tab.

use chrono::Utc;
use tokio::sync::mpsc;

use super::DataEvent;
use crate::aws::{DrillRequest, RegionClients, fetch_drill_metrics};
use crate::model::FunctionKey;

/// Reads the series of one function for the requested range and sends the
/// result. The app requests again while the tab stays open, so this reads
/// once.
pub(crate) async fn read(
    clients: RegionClients,
    key: FunctionKey,
    request: DrillRequest,
    tx: mpsc::Sender<DataEvent>,
) {
    let result = fetch_drill_metrics(&clients, &request, Utc::now()).await;
    let (result, billed_metrics) = match result {
        Ok((metrics, billed)) => (Ok(metrics), billed),
        Err(error) => (Err(error), 0),
    };
    let event = DataEvent::DrillMetrics {
        key,
        range: request.range,
        at: Utc::now(),
        result,
        billed_metrics,
    };
    let _ = tx.send(event).await;
}
