//! Cost Explorer: Lambda's daily spend.

use chrono::{Duration, NaiveDate};

use super::call::traced;
use super::error::AwsError;
use crate::model::cost::DailySpend;

/// Cost Explorer's name of the Lambda service in the SERVICE dimension.
pub const LAMBDA_SERVICE: &str = "AWS Lambda";
const COST_METRIC: &str = "UnblendedCost";

/// Reads Lambda's UnblendedCost per day for the `days` days before `today`
/// (Cost Explorer's end date is exclusive), following NextPageToken.
/// Returns the days and the number of requests made, each of which Cost
/// Explorer bills.
pub async fn lambda_daily_spend(
    client: &aws_sdk_costexplorer::Client,
    region: &str,
    today: NaiveDate,
    days: i64,
) -> (Result<Vec<DailySpend>, AwsError>, u64) {
    use aws_sdk_costexplorer::types::{
        DateInterval, Dimension, DimensionValues, Expression, Granularity,
    };

    let start = today - Duration::days(days);
    let interval = DateInterval::builder()
        .start(start.format("%Y-%m-%d").to_string())
        .end(today.format("%Y-%m-%d").to_string())
        .build();
    let interval = match interval {
        Ok(interval) => interval,
        Err(error) => return (Err(build_error(&error.to_string())), 0),
    };
    let filter = Expression::builder()
        .dimensions(
            DimensionValues::builder()
                .key(Dimension::Service)
                .values(LAMBDA_SERVICE)
                .build(),
        )
        .build();

    let mut requests = 0;
    let mut spend = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let request = client
            .get_cost_and_usage()
            .time_period(interval.clone())
            .granularity(Granularity::Daily)
            .metrics(COST_METRIC)
            .filter(filter.clone())
            .set_next_page_token(token.clone())
            .send();
        // Only requests that got a response are counted, because one that
        // never reached Cost Explorer, such as a refused connection, is free.
        let page = match traced("ce:GetCostAndUsage", region, None, request).await {
            Ok(page) => page,
            Err(error) => return (Err(error), requests),
        };
        requests += 1;
        for result in page.results_by_time() {
            let Some(day) = result
                .time_period()
                .and_then(|period| NaiveDate::parse_from_str(period.start(), "%Y-%m-%d").ok())
            else {
                continue;
            };
            let metric = result.total().and_then(|total| total.get(COST_METRIC));
            spend.push(DailySpend {
                day,
                amount: metric
                    .and_then(|m| m.amount())
                    .and_then(|a| a.parse::<f64>().ok())
                    .filter(|a| a.is_finite()),
                unit: metric.and_then(|m| m.unit()).unwrap_or("USD").to_string(),
                estimated: result.estimated(),
            });
        }
        // A token equal to the last one would page forever.
        let next = page.next_page_token().map(str::to_string);
        if next.is_none() || next == token {
            break;
        }
        token = next;
    }
    spend.sort_by_key(|day| day.day);
    (Ok(spend), requests)
}

fn build_error(detail: &str) -> AwsError {
    AwsError {
        kind: super::ErrorKind::Other,
        action: "ce:GetCostAndUsage".to_string(),
        code: None,
        message: Some(format!("invalid request: {detail}")),
        status: None,
        request_id: None,
    }
}
