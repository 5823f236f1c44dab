//! The cockpit's own spend on billed AWS read calls. Most reads are free,
//! but GetMetricData is billed per metric requested, Cost Explorer per
//! request, and X-Ray per trace retrieved or scanned, so an open cockpit
//! costs money and the header shows how much.

use serde::{Deserialize, Serialize};

/// GetMetricData: USD 0.01 per 1,000 metrics requested.
pub const USD_PER_METRIC: f64 = 0.01 / 1_000.0;
/// Cost Explorer API: USD 0.01 per paginated request.
pub const USD_PER_COST_EXPLORER_REQUEST: f64 = 0.01;
/// X-Ray: USD 0.50 per million traces retrieved, and the same per million
/// scanned.
pub const USD_PER_TRACE: f64 = 0.50 / 1_000_000.0;

/// Billed units used by one call or one poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilledUsage {
    pub metrics_requested: u64,
    pub cost_explorer_requests: u64,
    pub traces_retrieved: u64,
    pub traces_scanned: u64,
}

impl BilledUsage {
    pub fn metrics(count: u64) -> Self {
        Self {
            metrics_requested: count,
            ..Self::default()
        }
    }

    pub fn add(&mut self, other: BilledUsage) {
        self.metrics_requested += other.metrics_requested;
        self.cost_explorer_requests += other.cost_explorer_requests;
        self.traces_retrieved += other.traces_retrieved;
        self.traces_scanned += other.traces_scanned;
    }

    /// Returns the estimated cost in USD at list prices.
    pub fn usd(&self) -> f64 {
        self.metrics_requested as f64 * USD_PER_METRIC
            + self.cost_explorer_requests as f64 * USD_PER_COST_EXPLORER_REQUEST
            + (self.traces_retrieved + self.traces_scanned) as f64 * USD_PER_TRACE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_adds_up_and_prices_each_unit() {
        let mut total = BilledUsage::metrics(1_000);
        total.add(BilledUsage {
            cost_explorer_requests: 2,
            traces_retrieved: 1_000_000,
            ..BilledUsage::default()
        });
        assert_eq!(total.metrics_requested, 1_000);
        assert_eq!(total.cost_explorer_requests, 2);
        let expected = 0.01 + 0.02 + 0.50;
        assert!((total.usd() - expected).abs() < 1e-9, "{}", total.usd());
    }
}
