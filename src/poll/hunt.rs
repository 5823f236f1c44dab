//! On-demand concurrency hunt of one region.

use chrono::Utc;
use tokio::sync::mpsc;

use super::DataEvent;
use crate::aws::{RegionClients, fetch_hunt};
use crate::model::drill_metrics::HuntWindow;

/// Finds the region's concurrency peak and the functions behind it, and
/// sends the result.
pub(crate) async fn read(
    clients: RegionClients,
    functions: Vec<String>,
    window: HuntWindow,
    tx: mpsc::Sender<DataEvent>,
) {
    let result = fetch_hunt(&clients, &functions, window, Utc::now()).await;
    let (result, billed_metrics) = match result {
        Ok((hunt, billed)) => (Ok(hunt), billed),
        Err(error) => (Err(error), 0),
    };
    let event = DataEvent::Hunt {
        region: clients.region.clone(),
        at: Utc::now(),
        result,
        billed_metrics,
    };
    let _ = tx.send(event).await;
}
