//! Compute Optimizer: memory recommendations for the region's functions.

use super::call::traced_page;
use super::error::AwsError;
use crate::model::cost::{LambdaRecommendation, MemoryOption};

/// Reads every page of GetLambdaFunctionRecommendations for the account's
/// functions in the region. Endpoints without Compute Optimizer (such as
/// local emulators) return an error that classifies as unsupported.
pub async fn lambda_recommendations(
    client: &aws_sdk_computeoptimizer::Client,
    region: &str,
) -> Result<Vec<LambdaRecommendation>, AwsError> {
    let mut pages = client
        .get_lambda_function_recommendations()
        .into_paginator()
        .send();
    let mut recommendations = Vec::new();
    while let Some(page) = traced_page(
        "compute-optimizer:GetLambdaFunctionRecommendations",
        region,
        None,
        pages.next(),
    )
    .await
    {
        let page = page?;
        recommendations.extend(
            page.lambda_function_recommendations()
                .iter()
                .map(to_recommendation),
        );
    }
    Ok(recommendations)
}

fn to_recommendation(
    recommendation: &aws_sdk_computeoptimizer::types::LambdaFunctionRecommendation,
) -> LambdaRecommendation {
    let mut options: Vec<(i32, MemoryOption)> = recommendation
        .memory_size_recommendation_options()
        .iter()
        .map(|option| {
            let saving = option
                .savings_opportunity()
                .and_then(|s| s.estimated_monthly_savings())
                .map(|s| s.value())
                .filter(|v| v.is_finite());
            (
                option.rank(),
                MemoryOption {
                    memory_mb: option.memory_size(),
                    saving_usd_per_month: saving,
                },
            )
        })
        .collect();
    options.sort_by_key(|(rank, _)| *rank);
    LambdaRecommendation {
        function_arn: recommendation
            .function_arn()
            .unwrap_or_default()
            .to_string(),
        finding: recommendation
            .finding()
            .map_or_else(|| "Unavailable".to_string(), |f| f.as_str().to_string()),
        finding_reasons: recommendation
            .finding_reason_codes()
            .iter()
            .map(|code| code.as_str().to_string())
            .collect(),
        current_memory_mb: Some(recommendation.current_memory_size()).filter(|m| *m > 0),
        options: options.into_iter().map(|(_, option)| option).collect(),
    }
}
