//! The SnapStart setting of every function, from the same ListFunctions
//! response the inventory reads.

use std::collections::BTreeMap;

use aws_sdk_lambda::types::{FunctionConfiguration, SnapStartApplyOn};

use super::RegionClients;
use super::call::traced_page;
use super::error::AwsError;

/// True when SnapStart applies to published versions.
pub fn snap_start_enabled(config: &FunctionConfiguration) -> bool {
    config
        .snap_start()
        .and_then(|snap_start| snap_start.apply_on())
        .is_some_and(|apply_on| *apply_on == SnapStartApplyOn::PublishedVersions)
}

/// Reads `SnapStart.ApplyOn` of every function in the region, all pages, by
/// function name. Calls wait for the region's Lambda rate limiter.
pub async fn list_snap_start(clients: &RegionClients) -> Result<BTreeMap<String, bool>, AwsError> {
    let mut pages = clients.lambda.list_functions().into_paginator().send();
    let mut settings = BTreeMap::new();
    loop {
        clients.lambda_limiter.until_ready().await;
        let Some(page) =
            traced_page("lambda:ListFunctions", &clients.region, None, pages.next()).await
        else {
            break;
        };
        for config in page?.functions() {
            if let Some(name) = config.function_name() {
                settings.insert(name.to_string(), snap_start_enabled(config));
            }
        }
    }
    Ok(settings)
}
