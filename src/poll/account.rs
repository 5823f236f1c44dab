//! Account-level cost reads on a slow interval: AWS Budgets and Lambda's
//! daily spend from Cost Explorer (global services, read once through the
//! first region's clients), and Compute Optimizer's recommendations in
//! every region.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, mpsc};

use super::{DataEvent, PollMode};
use crate::aws::{
    AwsError, ErrorKind, RegionClients, caller_identity, describe_budgets, lambda_daily_spend,
    lambda_recommendations,
};
use crate::model::BilledUsage;

/// Budgets and Cost Explorer data change a few times a day, and each Cost
/// Explorer request costs USD 0.01, so they are read rarely.
pub const ACCOUNT_INTERVAL: Duration = Duration::from_secs(30 * 60);
/// Days of Lambda spend the Budgets view charts.
pub const SPEND_DAYS: i64 = 14;

/// Builds the error for a region whose clients have no cost services, such
/// as mocked clients in tests.
fn not_configured(action: &str) -> AwsError {
    AwsError {
        kind: ErrorKind::Unsupported,
        action: action.to_string(),
        code: None,
        message: Some("no client for this service is configured".to_string()),
        status: None,
        request_id: None,
    }
}

/// Runs the account loop: reads once at start, then every
/// [`ACCOUNT_INTERVAL`] and whenever `wake` fires (a refresh).
pub(crate) async fn run(
    regions: Vec<RegionClients>,
    tx: mpsc::Sender<DataEvent>,
    wake: Arc<Notify>,
    mode: PollMode,
) {
    loop {
        if !read_once(&regions, &tx).await {
            return;
        }
        if mode == PollMode::Once {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(ACCOUNT_INTERVAL) => {}
            () = wake.notified() => {}
        }
    }
}

/// Reads what the checklist needs from the account-level services once:
/// AWS Budgets (COST-004) and Compute Optimizer in every region (COST-005),
/// for one-shot collection (`anshin snapshot`, `anshin report`). Cost
/// Explorer is left out: each request costs USD 0.01 and no rule uses it.
pub async fn read_checklist_inputs(regions: &[RegionClients]) -> Vec<DataEvent> {
    let Some(first) = regions.first() else {
        return Vec::new();
    };
    let mut events = vec![read_budgets(first).await];
    for clients in regions {
        events.push(read_compute_optimizer(clients).await);
    }
    events
}

async fn read_budgets(first: &RegionClients) -> DataEvent {
    let budgets = match &first.cost {
        None => Err(not_configured("budgets:ViewBudget")),
        Some(cost) => match caller_identity(first).await {
            Ok(identity) => match identity.account {
                Some(account) => describe_budgets(&cost.budgets, &first.region, &account).await,
                None => Err(not_configured("sts:GetCallerIdentity")),
            },
            Err(error) => Err(error),
        },
    };
    DataEvent::Budgets {
        at: Utc::now(),
        result: budgets,
    }
}

async fn read_compute_optimizer(clients: &RegionClients) -> DataEvent {
    let result = match &clients.cost {
        None => Err(not_configured(
            "compute-optimizer:GetLambdaFunctionRecommendations",
        )),
        Some(cost) => lambda_recommendations(&cost.compute_optimizer, &clients.region).await,
    };
    DataEvent::ComputeOptimizer {
        region: clients.region.clone(),
        at: Utc::now(),
        result,
    }
}

/// Reads everything once. Returns false when the app has gone.
async fn read_once(regions: &[RegionClients], tx: &mpsc::Sender<DataEvent>) -> bool {
    let Some(first) = regions.first() else {
        return true;
    };
    if tx.send(read_budgets(first).await).await.is_err() {
        return false;
    }

    let (spend, requests) = match &first.cost {
        None => (Err(not_configured("ce:GetCostAndUsage")), 0),
        Some(cost) => {
            let today = Utc::now().date_naive();
            lambda_daily_spend(&cost.cost_explorer, &first.region, today, SPEND_DAYS).await
        }
    };
    let billed = BilledUsage {
        cost_explorer_requests: requests,
        ..BilledUsage::default()
    };
    if requests > 0 && tx.send(DataEvent::Billed(billed)).await.is_err() {
        return false;
    }
    let event = DataEvent::LambdaSpend {
        at: Utc::now(),
        result: spend,
    };
    if tx.send(event).await.is_err() {
        return false;
    }

    for clients in regions {
        if tx
            .send(read_compute_optimizer(clients).await)
            .await
            .is_err()
        {
            return false;
        }
    }
    true
}
