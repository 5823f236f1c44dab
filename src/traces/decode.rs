use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::model::{DecodedTrace, DownstreamCall, TraceNode};

/// One node as read from a document, before the tree is built.
struct RawNode {
    id: String,
    parent_id: Option<String>,
    name: String,
    origin: Option<String>,
    namespace: Option<String>,
    start_time: Option<f64>,
    end_time: Option<f64>,
    http_status: Option<u16>,
    error: bool,
    fault: bool,
    throttle: bool,
    cause: Option<String>,
    request_id: Option<String>,
    function_arn: Option<String>,
}

/// Decodes the segment documents of one trace. Documents that are not JSON
/// objects are counted in `invalid_documents` and skipped.
pub fn decode_trace(trace_id: &str, documents: &[String]) -> DecodedTrace {
    let mut raw = Vec::new();
    let mut invalid_documents = 0;
    for document in documents {
        match serde_json::from_str::<Value>(document) {
            Ok(value) if value.is_object() => {
                let parent = value
                    .get("parent_id")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                collect(&value, parent, &mut raw);
            }
            _ => invalid_documents += 1,
        }
    }

    let trace_start = raw
        .iter()
        .filter_map(|node| node.start_time)
        .min_by(f64::total_cmp);
    let trace_end = raw
        .iter()
        .filter_map(|node| node.end_time)
        .max_by(f64::total_cmp);
    let nodes = build_tree(&raw, trace_start.unwrap_or(0.0));

    let root = nodes.iter().find(|node| node.depth == 0);
    let lambda_arn = raw
        .iter()
        .filter(|node| node.origin.as_deref() == Some("AWS::Lambda::Function"))
        .chain(raw.iter())
        .find_map(|node| node.function_arn.clone());
    let qualifier = lambda_arn.as_deref().and_then(arn_qualifier);
    let version = qualifier.clone().filter(|q| is_version(q));
    let cause = nodes
        .iter()
        .filter(|node| node.fault || node.error)
        .chain(nodes.iter())
        .find_map(|node| node.cause.clone());

    DecodedTrace {
        id: trace_id.to_string(),
        start: trace_start.and_then(epoch_to_datetime),
        duration_ms: trace_start
            .zip(trace_end)
            .map(|(start, end)| (end - start) * 1000.0),
        fault: nodes.iter().any(|node| node.fault),
        error: nodes.iter().any(|node| node.error),
        throttle: nodes.iter().any(|node| node.throttle),
        http_status: root.and_then(|node| node.http_status),
        request_id: raw.iter().find_map(|node| node.request_id.clone()),
        qualifier,
        version,
        init_ms: nodes
            .iter()
            .find(|node| node.is_initialization())
            .and_then(|node| node.duration_ms),
        cause,
        downstream: downstream_calls(&nodes),
        nodes,
        invalid_documents,
    }
}

/// Reads a node and its nested subsegments; `parent_id` is the enclosing
/// node, or the document's own `parent_id` for a top-level document.
fn collect(value: &Value, parent_id: Option<String>, out: &mut Vec<RawNode>) {
    let Some(id) = value.get("id").and_then(Value::as_str) else {
        return;
    };
    let flag = |key: &str| value.get(key).and_then(Value::as_bool).unwrap_or(false);
    let in_progress = flag("in_progress");
    let aws = value.get("aws");
    out.push(RawNode {
        id: id.to_string(),
        parent_id,
        name: value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("(unnamed)")
            .to_string(),
        origin: string_at(value, &["origin"]),
        namespace: string_at(value, &["namespace"]),
        start_time: value.get("start_time").and_then(Value::as_f64),
        end_time: value
            .get("end_time")
            .and_then(Value::as_f64)
            .filter(|_| !in_progress),
        http_status: value
            .pointer("/http/response/status")
            .and_then(Value::as_u64)
            .and_then(|status| u16::try_from(status).ok()),
        error: flag("error"),
        fault: flag("fault"),
        throttle: flag("throttle"),
        cause: value.get("cause").and_then(cause_message),
        request_id: aws.and_then(|aws| string_at(aws, &["request_id"])),
        function_arn: aws
            .and_then(|aws| string_at(aws, &["function_arn"]))
            .or_else(|| string_at(value, &["resource_arn"]))
            .filter(|arn| arn.starts_with("arn:") && arn.contains(":function:")),
    });
    if let Some(children) = value.get("subsegments").and_then(Value::as_array) {
        for child in children {
            collect(child, Some(id.to_string()), out);
        }
    }
}

fn string_at(value: &Value, path: &[&str]) -> Option<String> {
    let mut current = value;
    for key in path {
        current = current.get(key)?;
    }
    current.as_str().map(str::to_string)
}

/// Returns the first exception's message, or its type. A `cause` given as a string
/// is the id of an exception recorded in another segment.
fn cause_message(cause: &Value) -> Option<String> {
    if let Some(id) = cause.as_str() {
        return Some(format!("exception {id} (recorded in another segment)"));
    }
    let exception = cause.get("exceptions")?.as_array()?.first()?;
    string_at(exception, &["message"]).or_else(|| string_at(exception, &["type"]))
}

/// Orders the nodes depth-first, children by start time. A node whose parent
/// is missing from the trace becomes a root marked `parent_missing`.
fn build_tree(raw: &[RawNode], trace_start: f64) -> Vec<TraceNode> {
    let ids: HashSet<&str> = raw.iter().map(|node| node.id.as_str()).collect();
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (index, node) in raw.iter().enumerate() {
        match node.parent_id.as_deref() {
            Some(parent) if ids.contains(parent) && parent != node.id => {
                children.entry(parent).or_default().push(index);
            }
            _ => roots.push(index),
        }
    }
    let by_start = |a: &usize, b: &usize| {
        let start = |i: &usize| raw[*i].start_time.unwrap_or(f64::MAX);
        start(a).total_cmp(&start(b))
    };
    roots.sort_by(by_start);
    for list in children.values_mut() {
        list.sort_by(by_start);
    }

    let mut nodes = Vec::with_capacity(raw.len());
    let mut visited = vec![false; raw.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&index| (index, 0)).collect();
    loop {
        while let Some((index, depth)) = stack.pop() {
            if std::mem::replace(&mut visited[index], true) {
                continue;
            }
            nodes.push(to_node(&raw[index], depth, trace_start, &ids));
            if let Some(list) = children.get(raw[index].id.as_str()) {
                stack.extend(list.iter().rev().map(|&child| (child, depth + 1)));
            }
        }
        // Nodes on a parent cycle are reachable from no root; show them
        // rather than drop them.
        match visited.iter().position(|seen| !seen) {
            Some(index) => stack.push((index, 0)),
            None => break,
        }
    }
    nodes
}

fn to_node(raw: &RawNode, depth: usize, trace_start: f64, ids: &HashSet<&str>) -> TraceNode {
    let start = raw.start_time.unwrap_or(trace_start);
    TraceNode {
        id: raw.id.clone(),
        name: raw.name.clone(),
        origin: raw.origin.clone(),
        namespace: raw.namespace.clone(),
        depth,
        start_offset_ms: (start - trace_start) * 1000.0,
        duration_ms: raw.end_time.map(|end| (end - start) * 1000.0),
        http_status: raw.http_status,
        error: raw.error,
        fault: raw.fault,
        throttle: raw.throttle,
        cause: raw.cause.clone(),
        parent_missing: raw
            .parent_id
            .as_deref()
            .is_some_and(|parent| !ids.contains(parent)),
    }
}

fn downstream_calls(nodes: &[TraceNode]) -> Vec<DownstreamCall> {
    let mut calls: BTreeMap<(String, String), DownstreamCall> = BTreeMap::new();
    for node in nodes {
        let Some(namespace) = node.namespace.as_deref() else {
            continue;
        };
        if namespace != "aws" && namespace != "remote" {
            continue;
        }
        let entry = calls
            .entry((node.name.clone(), namespace.to_string()))
            .or_insert_with(|| DownstreamCall {
                name: node.name.clone(),
                namespace: namespace.to_string(),
                calls: 0,
                failed: 0,
            });
        entry.calls += 1;
        if node.fault || node.error || node.throttle {
            entry.failed += 1;
        }
    }
    calls.into_values().collect()
}

/// The qualifier of a Lambda function ARN
/// (`arn:aws:lambda:REGION:ACCOUNT:function:NAME:QUALIFIER`).
fn arn_qualifier(arn: &str) -> Option<String> {
    arn.split(':').nth(7).map(str::to_string)
}

fn is_version(qualifier: &str) -> bool {
    qualifier == "$LATEST"
        || (!qualifier.is_empty() && qualifier.chars().all(|c| c.is_ascii_digit()))
}

fn epoch_to_datetime(seconds: f64) -> Option<DateTime<Utc>> {
    let millis = (seconds * 1000.0).round();
    if !millis.is_finite() {
        return None;
    }
    DateTime::from_timestamp_millis(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders-api";

    fn lambda_trace(fault: bool) -> Vec<String> {
        let service = serde_json::json!({
            "name": "orders-api", "id": "a000000000000001", "trace_id": "1-1-1",
            "start_time": 100.0, "end_time": 100.5, "origin": "AWS::Lambda",
            "resource_arn": format!("{ARN}:13"),
            "aws": {"request_id": "3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab"},
            "http": {"response": {"status": if fault { 500 } else { 200 }}},
            "fault": fault,
        });
        let function = serde_json::json!({
            "name": "orders-api", "id": "a000000000000002", "trace_id": "1-1-1",
            "parent_id": "a000000000000001", "origin": "AWS::Lambda::Function",
            "start_time": 100.2, "end_time": 100.49,
            "aws": {"function_arn": format!("{ARN}:13")},
            "fault": fault,
            "cause": {"exceptions": [{"id": "e1", "message": "Unhandled downstream error", "type": "Error"}]},
            "subsegments": [
                {"id": "b1", "name": "Initialization", "start_time": 100.0, "end_time": 100.19},
                {"id": "b2", "name": "Invocation", "start_time": 100.2, "end_time": 100.48, "subsegments": [
                    {"id": "c1", "name": "DynamoDB", "namespace": "aws", "start_time": 100.21, "end_time": 100.3},
                    {"id": "c2", "name": "payments.example.com", "namespace": "remote", "start_time": 100.31,
                     "end_time": 100.47, "fault": fault, "http": {"response": {"status": 502}}}
                ]}
            ]
        });
        vec![service.to_string(), function.to_string()]
    }

    #[test]
    fn tree_in_depth_first_order() {
        let trace = decode_trace("1-1-1", &lambda_trace(false));
        let names: Vec<(&str, usize)> = trace
            .nodes
            .iter()
            .map(|node| (node.name.as_str(), node.depth))
            .collect();
        assert_eq!(
            names,
            vec![
                ("orders-api", 0),
                ("orders-api", 1),
                ("Initialization", 2),
                ("Invocation", 2),
                ("DynamoDB", 3),
                ("payments.example.com", 3),
            ]
        );
        assert_eq!(trace.duration_ms.map(f64::round), Some(500.0));
        assert_eq!(trace.nodes[2].start_offset_ms, 0.0);
    }

    #[test]
    fn cold_start_and_version() {
        let trace = decode_trace("1-1-1", &lambda_trace(false));
        assert!(trace.cold_start());
        assert_eq!(trace.init_ms.map(f64::round), Some(190.0));
        assert_eq!(trace.qualifier.as_deref(), Some("13"));
        assert_eq!(trace.version.as_deref(), Some("13"));
        assert_eq!(
            trace.request_id.as_deref(),
            Some("3f5c2f8e-7a4b-4c1d-9e2f-0123456789ab")
        );
    }

    #[test]
    fn fault_flags_and_cause() {
        let trace = decode_trace("1-1-1", &lambda_trace(true));
        assert!(trace.fault);
        assert!(!trace.error);
        assert_eq!(trace.http_status, Some(500));
        assert_eq!(trace.cause.as_deref(), Some("Unhandled downstream error"));
        let remote = trace
            .nodes
            .iter()
            .find(|node| node.name == "payments.example.com")
            .expect("the remote call");
        assert_eq!(remote.http_status, Some(502));
        assert!(remote.fault);
    }

    #[test]
    fn downstream_services_listed() {
        let trace = decode_trace("1-1-1", &lambda_trace(true));
        assert_eq!(
            trace.downstream,
            vec![
                DownstreamCall {
                    name: "DynamoDB".to_string(),
                    namespace: "aws".to_string(),
                    calls: 1,
                    failed: 0
                },
                DownstreamCall {
                    name: "payments.example.com".to_string(),
                    namespace: "remote".to_string(),
                    calls: 1,
                    failed: 1
                },
            ]
        );
    }

    #[test]
    fn missing_parent_becomes_root() {
        let mut documents = lambda_trace(false);
        documents.remove(0);
        let trace = decode_trace("1-1-1", &documents);
        assert_eq!(trace.nodes[0].name, "orders-api");
        assert_eq!(trace.nodes[0].depth, 0);
        assert!(trace.nodes[0].parent_missing);
        assert_eq!(trace.nodes.len(), 5);
        assert_eq!(trace.request_id, None);
        assert_eq!(trace.version.as_deref(), Some("13"));
    }

    #[test]
    fn in_progress_segment_tolerated() {
        let documents = vec![
            r#"{"name":"api","id":"s1","start_time":10.0,"in_progress":true,"end_time":99.0}"#
                .to_string(),
            r#"{"name":"worker","id":"s2","start_time":10.5}"#.to_string(),
        ];
        let trace = decode_trace("1-2-2", &documents);
        assert_eq!(trace.nodes.len(), 2);
        assert!(trace.nodes.iter().all(TraceNode::in_progress));
        assert_eq!(trace.duration_ms, None);
        assert_eq!(trace.nodes[1].start_offset_ms, 500.0);
    }

    #[test]
    fn separate_subsegment_document_attached() {
        let documents = vec![
            r#"{"name":"api","id":"s1","start_time":1.0,"end_time":2.0}"#.to_string(),
            r#"{"type":"subsegment","name":"SQS","namespace":"aws","id":"x1","parent_id":"s1","start_time":1.1,"end_time":1.2,"throttle":true}"#.to_string(),
        ];
        let trace = decode_trace("1-3-3", &documents);
        assert_eq!(trace.nodes[1].depth, 1);
        assert!(!trace.nodes[1].parent_missing);
        assert!(trace.throttle);
        assert_eq!(trace.downstream[0].failed, 1);
    }

    #[test]
    fn invalid_documents_counted() {
        let documents = vec!["not json".to_string(), "[1]".to_string()];
        let trace = decode_trace("1-4-4", &documents);
        assert_eq!(trace.invalid_documents, 2);
        assert!(trace.nodes.is_empty());
        assert_eq!(trace.start, None);
    }

    #[test]
    fn parent_cycle_still_shown() {
        let documents = vec![
            r#"{"name":"a","id":"s1","parent_id":"s2","start_time":1.0,"end_time":2.0}"#
                .to_string(),
            r#"{"name":"b","id":"s2","parent_id":"s1","start_time":1.0,"end_time":2.0}"#
                .to_string(),
        ];
        let trace = decode_trace("1-5-5", &documents);
        assert_eq!(trace.nodes.len(), 2);
    }

    #[test]
    fn alias_qualifier_is_not_a_version() {
        assert_eq!(
            arn_qualifier(&format!("{ARN}:live")).as_deref(),
            Some("live")
        );
        assert!(!is_version("live"));
        assert!(is_version("$LATEST"));
        assert!(is_version("12"));
        assert_eq!(arn_qualifier(ARN), None);
    }
}
