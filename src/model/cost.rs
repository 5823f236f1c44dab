//! Cost: the per-function estimate from metrics and list prices, AWS
//! Budgets budgets, Lambda's daily spend from Cost Explorer, and Compute
//! Optimizer's memory recommendation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::resources::Collected;

/// Lambda list prices in us-east-1, first pricing tier (the first 6 billion
/// x86 or 7.5 billion arm64 GB-seconds a month), without the free tier.
/// Source: the AWS Lambda pricing page (aws.amazon.com/lambda/pricing) as
/// quoted by cloudchipr.com's "AWS Lambda Pricing Breakdown" (2024); read
/// on 2026-12-05.
pub mod prices {
    pub const REGION: &str = "us-east-1";
    pub const USD_PER_GB_SECOND_X86: f64 = 0.000_016_666_7;
    pub const USD_PER_GB_SECOND_ARM64: f64 = 0.000_013_333_4;
    pub const USD_PER_MILLION_REQUESTS: f64 = 0.20;
    pub const SOURCE: &str = "AWS Lambda list prices, us-east-1, first tier, as of 2024";
}

/// Days in the month of the per-month estimate: 365 / 12.
pub const DAYS_PER_MONTH: f64 = 30.42;

/// The processor architecture a price applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Architecture {
    X86_64,
    Arm64,
}

impl Architecture {
    /// Lambda's `Architectures` value; x86_64 when the list is empty, as
    /// Lambda defaults to it.
    pub fn of(architectures: &[String]) -> Architecture {
        if architectures.iter().any(|a| a == "arm64") {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        }
    }

    pub fn usd_per_gb_second(self) -> f64 {
        match self {
            Architecture::X86_64 => prices::USD_PER_GB_SECOND_X86,
            Architecture::Arm64 => prices::USD_PER_GB_SECOND_ARM64,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

/// Usage of one function scaled to one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyUsage {
    pub invocations: f64,
    /// Memory size times billed duration, in GB-seconds.
    pub gb_seconds: f64,
}

impl DailyUsage {
    /// Scales invocations and the Duration sum of a window of `window_s`
    /// seconds to a day. `None` when either metric has no data or the
    /// window is empty, so a missing metric never reads as zero cost.
    pub fn from_window(
        memory_mb: i32,
        invocations: Option<f64>,
        duration_sum_ms: Option<f64>,
        window_s: i64,
    ) -> Option<DailyUsage> {
        if window_s <= 0 || memory_mb <= 0 {
            return None;
        }
        let scale = 86_400.0 / window_s as f64;
        let memory_gb = f64::from(memory_mb) / 1_024.0;
        Some(DailyUsage {
            invocations: invocations? * scale,
            gb_seconds: memory_gb * duration_sum_ms? / 1_000.0 * scale,
        })
    }

    pub fn usd_per_day(&self, architecture: Architecture) -> f64 {
        self.gb_seconds * architecture.usd_per_gb_second()
            + self.invocations / 1_000_000.0 * prices::USD_PER_MILLION_REQUESTS
    }

    pub fn usd_per_month(&self, architecture: Architecture) -> f64 {
        self.usd_per_day(architecture) * DAYS_PER_MONTH
    }

    /// Returns the monthly saving of moving from x86_64 to arm64 at the
    /// same duration. arm64 often runs faster too, which this leaves out.
    pub fn arm64_saving_per_month(&self) -> f64 {
        self.usd_per_month(Architecture::X86_64) - self.usd_per_month(Architecture::Arm64)
    }
}

/// The likely effect of raising memory, judged by the share of duration
/// the handler spends waiting on downstream calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryAdvice {
    /// Mostly computing: more memory brings more CPU, so duration falls
    /// about as much as the price per second rises.
    CpuBound,
    /// Mostly waiting on external APIs: duration stays, cost grows with
    /// memory.
    WaitBound,
    /// Neither dominates.
    Mixed,
    /// No measurement of the downstream wait.
    CannotTell,
}

/// Share of duration spent waiting above which a handler counts as
/// waiting on external APIs, and below which it counts as CPU-bound.
const WAIT_BOUND_SHARE: f64 = 0.6;
const CPU_BOUND_SHARE: f64 = 0.2;

impl MemoryAdvice {
    /// Advice from the share (0.0 to 1.0) of the average duration spent in
    /// downstream calls, such as X-Ray subsegments of remote services.
    pub fn from_wait_share(wait_share: Option<f64>) -> MemoryAdvice {
        match wait_share {
            Some(share) if !share.is_finite() => MemoryAdvice::CannotTell,
            Some(share) if share >= WAIT_BOUND_SHARE => MemoryAdvice::WaitBound,
            Some(share) if share <= CPU_BOUND_SHARE => MemoryAdvice::CpuBound,
            Some(_) => MemoryAdvice::Mixed,
            None => MemoryAdvice::CannotTell,
        }
    }
}

/// Returns the share of the handlers' time spent in calls to other
/// services (subsegments with namespace `aws` or `remote`) over `traces`.
/// A call nested in another call counts once, and a trace's calls count at
/// most its handler's duration, since parallel calls overlap. `None` when
/// no trace has a finished handler segment.
pub fn downstream_wait_share(traces: &[super::DecodedTrace]) -> Option<f64> {
    let mut handler_total = 0.0;
    let mut waiting_total = 0.0;
    for trace in traces {
        let handler = trace
            .nodes
            .iter()
            .find(|node| node.origin.as_deref() == Some("AWS::Lambda::Function"))
            .and_then(|node| node.duration_ms);
        let Some(handler) = handler.filter(|ms| *ms > 0.0) else {
            continue;
        };
        let mut waiting = 0.0;
        // Depth of the outermost call being summed; nodes deeper than it
        // are inside that call.
        let mut inside_call_at: Option<usize> = None;
        for node in &trace.nodes {
            if inside_call_at.is_some_and(|depth| node.depth > depth) {
                continue;
            }
            inside_call_at = None;
            let is_call = matches!(node.namespace.as_deref(), Some("aws" | "remote"));
            if is_call {
                waiting += node.duration_ms.unwrap_or(0.0);
                inside_call_at = Some(node.depth);
            }
        }
        handler_total += handler;
        waiting_total += f64::min(waiting, handler);
    }
    share_of(Some(waiting_total), Some(handler_total))
}

/// Part of a whole, `None` when the whole is zero or either side is not a
/// finite number, so a zero budget or a day without expected spend never
/// shows NaN or an infinite percentage.
pub fn share_of(part: Option<f64>, whole: Option<f64>) -> Option<f64> {
    match (part, whole) {
        (Some(part), Some(whole)) if whole > 0.0 && part.is_finite() && whole.is_finite() => {
            Some(part / whole)
        }
        _ => None,
    }
}

/// One AWS Budgets budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub name: String,
    /// `DAILY`, `MONTHLY`, `QUARTERLY`, `ANNUALLY` or `CUSTOM`.
    pub time_unit: String,
    /// `COST`, `USAGE` and the other budget types.
    pub budget_type: String,
    pub limit: Option<f64>,
    /// The limit's unit, such as `USD`.
    pub unit: String,
    /// `CalculatedSpend.ActualSpend`; `None` when AWS has not calculated it.
    pub actual: Option<f64>,
    /// `CalculatedSpend.ForecastedSpend`.
    pub forecast: Option<f64>,
}

impl Budget {
    pub fn actual_share(&self) -> Option<f64> {
        share_of(self.actual, self.limit)
    }

    pub fn forecast_share(&self) -> Option<f64> {
        share_of(self.forecast, self.limit)
    }
}

/// Returns the budget with the highest actual spend against its limit.
pub fn worst_budget(budgets: &[Budget]) -> Option<&Budget> {
    budgets
        .iter()
        .filter(|budget| budget.actual_share().is_some())
        .max_by(|a, b| {
            let a = a.actual_share().unwrap_or(0.0);
            let b = b.actual_share().unwrap_or(0.0);
            a.total_cmp(&b)
        })
}

/// Lambda's spend on one day from Cost Explorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailySpend {
    pub day: NaiveDate,
    /// `UnblendedCost` in `unit`; `None` when the day had no amount.
    pub amount: Option<f64>,
    pub unit: String,
    /// Cost Explorer marks days whose cost is not final as estimated.
    pub estimated: bool,
}

/// Returns the median of the days with an amount, which is the spend a
/// day is expected to have. `None` without such days.
pub fn expected_daily_spend(days: &[DailySpend]) -> Option<f64> {
    let mut amounts: Vec<f64> = days
        .iter()
        .filter_map(|day| day.amount)
        .filter(|a| a.is_finite())
        .collect();
    if amounts.is_empty() {
        return None;
    }
    amounts.sort_by(f64::total_cmp);
    let middle = amounts.len() / 2;
    Some(if amounts.len().is_multiple_of(2) {
        (amounts[middle - 1] + amounts[middle]) / 2.0
    } else {
        amounts[middle]
    })
}

/// Compute Optimizer's recommendation for one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LambdaRecommendation {
    pub function_arn: String,
    /// `Optimized`, `NotOptimized` or `Unavailable`.
    pub finding: String,
    /// Such as `MemoryOverprovisioned`, `MemoryUnderprovisioned`,
    /// `InsufficientData`.
    pub finding_reasons: Vec<String>,
    pub current_memory_mb: Option<i32>,
    /// Recommended memory sizes, best first, with the projected monthly
    /// saving in USD where Compute Optimizer gives one.
    pub options: Vec<MemoryOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemoryOption {
    pub memory_mb: i32,
    pub saving_usd_per_month: Option<f64>,
}

impl super::Fleet {
    pub(super) fn apply_cost_event(&mut self, event: crate::poll::DataEvent) {
        use crate::poll::DataEvent;
        match event {
            DataEvent::Budgets { at, result } => {
                let daily = match &result {
                    Ok(budgets) => {
                        Collected::Loaded(budgets.iter().any(|b| b.time_unit == "DAILY"))
                    }
                    Err(error) => Collected::Failed(error.clone()),
                };
                self.budgets = result.into();
                // Budgets belong to the account, so every region gets the
                // same result.
                for region in self.regions.clone() {
                    self.account_resources
                        .entry(region.clone())
                        .or_default()
                        .daily_budget = daily.clone();
                    self.evaluate_region(&region, at);
                }
            }
            DataEvent::LambdaSpend { result, .. } => self.lambda_spend = result.into(),
            DataEvent::ComputeOptimizer { region, at, result } => {
                self.compute_optimizer.insert(region.clone(), result.into());
                self.split_compute_optimizer(&region);
                self.evaluate_region(&region, at);
            }
            _ => {}
        }
    }

    /// Gives each function of the region its own recommendation, matched by
    /// the function ARN without a version qualifier.
    pub(super) fn split_compute_optimizer(&mut self, region: &str) {
        let Some(shared) = self.compute_optimizer.get(region) else {
            return;
        };
        let Some(entries) = self.functions.get_mut(region) else {
            return;
        };
        for entry in entries.values_mut() {
            let arn = unqualified(&entry.function.arn);
            entry.resources.compute_optimizer = match shared {
                Collected::Loaded(recommendations) => Collected::Loaded(
                    recommendations
                        .iter()
                        .find(|r| unqualified(&r.function_arn) == arn)
                        .cloned(),
                ),
                Collected::NotCollected => Collected::NotCollected,
                Collected::Failed(error) => Collected::Failed(error.clone()),
            };
        }
    }
}

/// The function ARN without a version or alias qualifier: its first seven
/// colon-separated fields.
fn unqualified(arn: &str) -> String {
    arn.split(':').take(7).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_usage_scales_window() {
        // One hour: 3,600 invocations of 100 ms at 1,024 MB.
        let usage =
            DailyUsage::from_window(1_024, Some(3_600.0), Some(360_000.0), 3_600).expect("usage");
        assert!((usage.invocations - 86_400.0).abs() < 1e-9);
        assert!((usage.gb_seconds - 8_640.0).abs() < 1e-9);
        let x86 = usage.usd_per_day(Architecture::X86_64);
        let expected = 8_640.0 * prices::USD_PER_GB_SECOND_X86 + 0.0864 * 0.20;
        assert!((x86 - expected).abs() < 1e-12, "{x86}");
        assert!(usage.arm64_saving_per_month() > 0.0);
        let saving = (8_640.0 * (prices::USD_PER_GB_SECOND_X86 - prices::USD_PER_GB_SECOND_ARM64))
            * DAYS_PER_MONTH;
        assert!((usage.arm64_saving_per_month() - saving).abs() < 1e-9);
    }

    #[test]
    fn daily_usage_needs_data() {
        assert_eq!(DailyUsage::from_window(128, None, Some(1.0), 3_600), None);
        assert_eq!(DailyUsage::from_window(128, Some(1.0), None, 3_600), None);
        assert_eq!(DailyUsage::from_window(128, Some(1.0), Some(1.0), 0), None);
    }

    #[test]
    fn memory_advice_table() {
        assert_eq!(
            MemoryAdvice::from_wait_share(None),
            MemoryAdvice::CannotTell
        );
        assert_eq!(
            MemoryAdvice::from_wait_share(Some(0.9)),
            MemoryAdvice::WaitBound
        );
        assert_eq!(
            MemoryAdvice::from_wait_share(Some(0.1)),
            MemoryAdvice::CpuBound
        );
        assert_eq!(
            MemoryAdvice::from_wait_share(Some(0.4)),
            MemoryAdvice::Mixed
        );
        assert_eq!(
            MemoryAdvice::from_wait_share(Some(f64::NAN)),
            MemoryAdvice::CannotTell
        );
    }

    fn node(
        depth: usize,
        origin: Option<&str>,
        namespace: Option<&str>,
        ms: f64,
    ) -> super::super::TraceNode {
        super::super::TraceNode {
            id: format!("n{depth}{ms}"),
            name: "node".to_string(),
            origin: origin.map(str::to_string),
            namespace: namespace.map(str::to_string),
            depth,
            start_offset_ms: 0.0,
            duration_ms: Some(ms),
            http_status: None,
            error: false,
            fault: false,
            throttle: false,
            cause: None,
            parent_missing: false,
        }
    }

    fn trace(nodes: Vec<super::super::TraceNode>) -> super::super::DecodedTrace {
        super::super::DecodedTrace {
            id: "1-abc".to_string(),
            start: None,
            duration_ms: None,
            fault: false,
            error: false,
            throttle: false,
            http_status: None,
            request_id: None,
            qualifier: None,
            version: None,
            init_ms: None,
            cause: None,
            nodes,
            downstream: Vec::new(),
            invalid_documents: 0,
        }
    }

    #[test]
    fn wait_share_counts_outer_calls() {
        let waiting = trace(vec![
            node(0, Some("AWS::Lambda"), None, 1_000.0),
            node(1, Some("AWS::Lambda::Function"), None, 900.0),
            node(2, None, Some("remote"), 600.0),
            // Inside the remote call: not counted again.
            node(3, None, Some("aws"), 500.0),
            node(2, None, Some("aws"), 120.0),
        ]);
        let share = downstream_wait_share(&[waiting]).expect("share");
        assert!((share - 720.0 / 900.0).abs() < 1e-9, "{share}");

        let computing = trace(vec![node(0, Some("AWS::Lambda::Function"), None, 1_000.0)]);
        assert_eq!(downstream_wait_share(&[computing]), Some(0.0));
        assert_eq!(downstream_wait_share(&[]), None);
    }

    #[test]
    fn wait_share_caps_parallel_calls() {
        let parallel = trace(vec![
            node(0, Some("AWS::Lambda::Function"), None, 100.0),
            node(1, None, Some("remote"), 90.0),
            node(1, None, Some("remote"), 90.0),
        ]);
        assert_eq!(downstream_wait_share(&[parallel]), Some(1.0));
    }

    #[test]
    fn zero_whole_has_no_share() {
        assert_eq!(share_of(Some(5.0), Some(0.0)), None);
        assert_eq!(share_of(Some(0.0), Some(0.0)), None);
        assert_eq!(share_of(Some(5.0), None), None);
        assert_eq!(share_of(Some(f64::INFINITY), Some(1.0)), None);
        assert_eq!(share_of(Some(5.0), Some(10.0)), Some(0.5));
    }

    fn budget(name: &str, limit: f64, actual: f64) -> Budget {
        Budget {
            name: name.to_string(),
            time_unit: "MONTHLY".to_string(),
            budget_type: "COST".to_string(),
            limit: Some(limit),
            unit: "USD".to_string(),
            actual: Some(actual),
            forecast: None,
        }
    }

    #[test]
    fn worst_budget_skips_zero_limit() {
        let budgets = vec![
            budget("zero", 0.0, 5.0),
            budget("half", 100.0, 50.0),
            budget("most", 100.0, 90.0),
        ];
        assert_eq!(
            worst_budget(&budgets).map(|b| b.name.as_str()),
            Some("most")
        );
        assert_eq!(budgets[0].actual_share(), None);
    }

    #[test]
    fn expected_spend_is_median() {
        let day = |d: u32, amount: Option<f64>| DailySpend {
            day: NaiveDate::from_ymd_opt(2026, 12, d).expect("valid date"),
            amount,
            unit: "USD".to_string(),
            estimated: false,
        };
        let days = vec![
            day(1, Some(1.0)),
            day(2, Some(0.0)),
            day(3, None),
            day(4, Some(3.0)),
        ];
        assert_eq!(expected_daily_spend(&days), Some(1.0));
        assert_eq!(expected_daily_spend(&[day(1, None)]), None);
        // A day with zero expected spend gives no percentage at all.
        let zero = vec![day(1, Some(0.0)), day(2, Some(0.0)), day(3, Some(2.0))];
        let expected = expected_daily_spend(&zero);
        assert_eq!(expected, Some(0.0));
        assert_eq!(share_of(Some(2.0), expected), None);
    }
}
