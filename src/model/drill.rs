//! The Traces and Logs tabs' data, read only while one of those tabs is open.

use chrono::{DateTime, Utc};

use super::logs::LogsData;
use super::traces::TracesData;
use super::{Fleet, FunctionKey};
use crate::aws::AwsError;
use crate::poll::DataEvent;

/// One on-demand read: its last data, whether a request is running, and the
/// error of the last attempt. An error keeps the data of earlier reads.
#[derive(Debug, Clone, PartialEq)]
pub struct DrillSlot<T> {
    pub data: Option<T>,
    /// When `data` was read.
    pub read_at: Option<DateTime<Utc>>,
    /// When the running request was sent; `None` when none runs.
    pub loading_since: Option<DateTime<Utc>>,
    pub error: Option<AwsError>,
}

impl<T> Default for DrillSlot<T> {
    fn default() -> Self {
        Self {
            data: None,
            read_at: None,
            loading_since: None,
            error: None,
        }
    }
}

impl<T> DrillSlot<T> {
    pub fn is_loading(&self) -> bool {
        self.loading_since.is_some()
    }

    /// Stores the outcome of a read.
    pub fn finish(&mut self, at: DateTime<Utc>, result: Result<T, AwsError>) {
        self.loading_since = None;
        match result {
            Ok(data) => {
                self.data = Some(data);
                self.read_at = Some(at);
                self.error = None;
            }
            Err(error) => self.error = Some(error),
        }
    }

    /// When the slot was last requested or filled, for the refresh timer.
    pub fn last_activity(&self) -> Option<DateTime<Utc>> {
        self.loading_since.max(self.read_at)
    }
}

/// The on-demand data of one function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DrillData {
    pub traces: DrillSlot<TracesData>,
    pub logs: DrillSlot<LogsData>,
}

/// The kind of on-demand read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrillKind {
    Traces,
    Logs,
}

impl Fleet {
    /// Marks a read as sent, so the tab shows it loading.
    pub fn mark_drill_loading(&mut self, key: &FunctionKey, kind: DrillKind, at: DateTime<Utc>) {
        let data = self.drill.entry(key.clone()).or_default();
        match kind {
            DrillKind::Traces => data.traces.loading_since = Some(at),
            DrillKind::Logs => data.logs.loading_since = Some(at),
        }
    }

    pub(super) fn apply_traces_or_logs(&mut self, event: DataEvent) {
        match event {
            DataEvent::DrillTraces { key, at, result } => {
                self.drill.entry(key).or_default().traces.finish(at, result);
            }
            DataEvent::DrillLogs { key, at, result } => {
                self.drill.entry(key).or_default().logs.finish(at, result);
            }
            _ => {}
        }
    }
}
