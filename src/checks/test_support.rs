//! Builders for rule unit tests.

use chrono::{DateTime, TimeZone, Utc};

use super::CheckInput;
use crate::model::{AccountResources, Function, FunctionResources, PackageType};

/// The instant rule tests treat as now: 2026-12-04 12:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A zip function with a supported runtime and no optional settings.
pub fn function() -> Function {
    Function {
        region: "eu-west-1".to_string(),
        name: "orders".to_string(),
        arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders".to_string(),
        runtime: Some("python3.13".to_string()),
        package_type: PackageType::Zip,
        handler: Some("app.handler".to_string()),
        memory_mb: Some(1024),
        timeout_s: Some(30),
        architectures: vec!["arm64".to_string()],
        code_size_bytes: 1024,
        description: None,
        role: Some("arn:aws:iam::123456789012:role/orders".to_string()),
        last_modified: None,
        state: Some("Active".to_string()),
        last_update_status: Some("Successful".to_string()),
        tracing_mode: Some("PassThrough".to_string()),
        revision_id: None,
        vpc: None,
        environment_keys: Vec::new(),
        layers: Vec::new(),
        dead_letter_target: None,
        kms_key_arn: None,
        log_group: Some("/aws/lambda/orders".to_string()),
        log_format: Some("Text".to_string()),
        ephemeral_storage_mb: Some(512),
        environment: None,
    }
}

/// Owned data that a [`CheckInput`] borrows.
pub struct Fixture {
    pub function: Function,
    pub resources: FunctionResources,
    pub account: AccountResources,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            function: function(),
            resources: FunctionResources::default(),
            account: AccountResources::default(),
        }
    }

    pub fn input(&self) -> CheckInput<'_> {
        CheckInput::new(&self.function, &self.resources, &self.account, now())
    }
}
