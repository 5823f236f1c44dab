//! AWS Budgets: every budget of the account with its calculated spend.

use super::call::traced_page;
use super::error::AwsError;
use crate::model::cost::Budget;

/// Reads every page of DescribeBudgets. The call is global, so one client of
/// any region serves the whole account.
pub async fn describe_budgets(
    client: &aws_sdk_budgets::Client,
    region: &str,
    account_id: &str,
) -> Result<Vec<Budget>, AwsError> {
    let mut pages = client
        .describe_budgets()
        .account_id(account_id)
        .into_paginator()
        .send();
    let mut budgets = Vec::new();
    while let Some(page) = traced_page("budgets:ViewBudget", region, None, pages.next()).await {
        let page = page?;
        budgets.extend(page.budgets().iter().map(to_budget));
    }
    Ok(budgets)
}

fn amount(spend: Option<&aws_sdk_budgets::types::Spend>) -> Option<f64> {
    spend
        .and_then(|spend| spend.amount().parse::<f64>().ok())
        .filter(|value| value.is_finite())
}

fn to_budget(budget: &aws_sdk_budgets::types::Budget) -> Budget {
    let calculated = budget.calculated_spend();
    Budget {
        name: budget.budget_name().to_string(),
        time_unit: budget.time_unit().as_str().to_string(),
        budget_type: budget.budget_type().as_str().to_string(),
        limit: amount(budget.budget_limit()),
        unit: budget
            .budget_limit()
            .map_or_else(|| "USD".to_string(), |spend| spend.unit().to_string()),
        actual: amount(calculated.and_then(|c| c.actual_spend())),
        forecast: amount(calculated.and_then(|c| c.forecasted_spend())),
    }
}

/// True when at least one budget has a daily period.
pub fn has_daily_budget(budgets: &[Budget]) -> bool {
    budgets.iter().any(|budget| budget.time_unit == "DAILY")
}
