//! The embedded table of Lambda runtime support dates,
//! `data/lambda-runtimes.json`. The file names its source and the day it
//! was taken; dates after that day were only scheduled then.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

const RUNTIMES_JSON: &str = include_str!("../../data/lambda-runtimes.json");

#[derive(Debug, Clone, thiserror::Error)]
#[error("embedded runtime table data/lambda-runtimes.json is invalid: {0}")]
pub struct RuntimeTableError(String);

/// Whether a runtime brings a language runtime or only an operating system
/// for custom runtimes (`provided*`), whose language has no Lambda end of
/// support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuntimeKind {
    Language,
    OsOnly,
}

/// The dates of one runtime. Very old runtimes have no block dates.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RuntimeDates {
    pub kind: RuntimeKind,
    pub end_of_support: NaiveDate,
    pub block_create: Option<NaiveDate>,
    pub block_update: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RuntimeTable {
    /// Source of the dates.
    pub source: String,
    /// The day the dates were read from the source.
    pub taken_on: NaiveDate,
    pub runtimes: BTreeMap<String, RuntimeDates>,
}

impl RuntimeTable {
    pub fn parse(json: &str) -> Result<Self, RuntimeTableError> {
        serde_json::from_str(json).map_err(|error| RuntimeTableError(error.to_string()))
    }

    pub fn get(&self, runtime: &str) -> Option<&RuntimeDates> {
        self.runtimes.get(runtime)
    }
}

/// The embedded table, parsed once.
pub fn runtime_table() -> Result<&'static RuntimeTable, RuntimeTableError> {
    static TABLE: OnceLock<Result<RuntimeTable, RuntimeTableError>> = OnceLock::new();
    TABLE
        .get_or_init(|| RuntimeTable::parse(RUNTIMES_JSON))
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let table = runtime_table().expect("embedded table parses");
        assert_eq!(
            table.taken_on,
            NaiveDate::from_ymd_opt(2026, 7, 31).unwrap_or_default()
        );
        assert!(table.source.contains("tflint-ruleset-aws"));
        assert!(table.runtimes.len() > 40);
    }

    #[test]
    fn os_only_runtimes_are_marked() {
        let table = runtime_table().expect("embedded table parses");
        for name in ["provided", "provided.al2", "provided.al2023"] {
            assert_eq!(
                table.get(name).map(|d| d.kind),
                Some(RuntimeKind::OsOnly),
                "{name}"
            );
        }
        assert_eq!(
            table.get("python3.13").map(|d| d.kind),
            Some(RuntimeKind::Language)
        );
    }
}
