//! Decodes X-Ray segment documents into a trace tree.
//!
//! BatchGetTraces returns each segment as a JSON string. Subsegments come
//! nested inside their segment or, when a service sent them on their own, as
//! separate documents with `type: subsegment` and a `parent_id`. A segment
//! still running has no `end_time` (or `in_progress: true`), and a trace can
//! lack the parent a segment names, such as an upstream service that was
//! not sampled or not yet flushed.

mod decode;

pub use decode::decode_trace;
