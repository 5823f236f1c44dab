//! X-Ray traces of one function, decoded from their segment documents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One segment or subsegment of a trace, in depth-first order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceNode {
    pub id: String,
    pub name: String,
    /// `AWS::Lambda`, `AWS::Lambda::Function` and the like, for segments.
    pub origin: Option<String>,
    /// `aws` or `remote` for a call to another service.
    pub namespace: Option<String>,
    /// Nesting level: 0 for a segment without a parent in the trace.
    pub depth: usize,
    /// Milliseconds from the start of the trace.
    pub start_offset_ms: f64,
    /// `None` while the segment is in progress (no `end_time` yet).
    pub duration_ms: Option<f64>,
    pub http_status: Option<u16>,
    pub error: bool,
    pub fault: bool,
    pub throttle: bool,
    /// The first exception message of the `cause` object.
    pub cause: Option<String>,
    /// True for a node whose `parent_id` names a segment the trace lacks.
    pub parent_missing: bool,
}

impl TraceNode {
    /// True for the subsegment Lambda writes for the init phase of a cold
    /// start.
    pub fn is_initialization(&self) -> bool {
        self.name == "Initialization"
    }

    pub fn in_progress(&self) -> bool {
        self.duration_ms.is_none()
    }
}

/// Calls of one downstream service within a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DownstreamCall {
    pub name: String,
    pub namespace: String,
    pub calls: usize,
    /// Calls with the error, fault or throttle flag.
    pub failed: usize,
}

/// One trace, decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedTrace {
    pub id: String,
    pub start: Option<DateTime<Utc>>,
    /// From the earliest start to the latest end of any node; `None` when
    /// no node has ended.
    pub duration_ms: Option<f64>,
    pub fault: bool,
    pub error: bool,
    pub throttle: bool,
    /// The HTTP status of the root segment.
    pub http_status: Option<u16>,
    /// The Lambda request id from the `AWS::Lambda` segment.
    pub request_id: Option<String>,
    /// The qualifier of the invoked ARN: a version number, `$LATEST` or an
    /// alias name.
    pub qualifier: Option<String>,
    /// The version that served the invocation, when the documents or the
    /// function's log tell it.
    pub version: Option<String>,
    /// Init duration of a cold start, from the `Initialization` subsegment.
    pub init_ms: Option<f64>,
    /// The first exception message of a failed node.
    pub cause: Option<String>,
    pub nodes: Vec<TraceNode>,
    pub downstream: Vec<DownstreamCall>,
    /// Documents that were not valid segment JSON.
    pub invalid_documents: usize,
}

impl DecodedTrace {
    pub fn cold_start(&self) -> bool {
        self.init_ms.is_some()
    }

    /// Rank for the list: faults first, then errors, throttles, and the
    /// slowest within each group.
    pub fn severity_rank(&self) -> u8 {
        if self.fault {
            0
        } else if self.error {
            1
        } else if self.throttle {
            2
        } else {
            3
        }
    }
}

/// The traces read for one function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TracesData {
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    /// Sorted by [`DecodedTrace::severity_rank`], then slowest first.
    pub traces: Vec<DecodedTrace>,
    /// Trace ids found: summaries GetTraceSummaries returned, or the trace
    /// ids of the log's REPORT lines.
    pub ids_found: usize,
    /// True when the endpoint could not list the function's traces, so the
    /// trace ids came from the `XRAY TraceId` field of its REPORT lines.
    pub ids_from_log: bool,
    /// True when more traces matched than the cockpit reads.
    pub truncated: bool,
}

impl TracesData {
    /// Sorts traces into the list order.
    pub fn sort(&mut self) {
        self.traces.sort_by(|a, b| {
            a.severity_rank().cmp(&b.severity_rank()).then_with(|| {
                b.duration_ms
                    .unwrap_or(0.0)
                    .total_cmp(&a.duration_ms.unwrap_or(0.0))
            })
        });
    }
}
