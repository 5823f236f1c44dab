//! Embedded metric format (EMF): JSON log lines from which CloudWatch Logs
//! extracts metrics.
//!
//! The checks follow the EMF specification
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>):
//! at most 100 metric definitions per directive, 100 values per metric and
//! 30 keys per dimension set. CloudWatch does not reject a document that
//! breaks them: it drops data without a message, so the validator reports
//! what is lost.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub const MAX_METRIC_DEFINITIONS: usize = 100;
pub const MAX_VALUES_PER_METRIC: usize = 100;
pub const MAX_DIMENSION_KEYS: usize = 30;

/// One metric as CloudWatch would publish it from the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmfMetric {
    pub namespace: String,
    pub name: String,
    pub unit: Option<String>,
    pub values: Vec<f64>,
    /// One entry per published dimension set; an empty map is the metric
    /// without dimensions.
    pub dimension_sets: Vec<BTreeMap<String, String>>,
}

/// Something in the document that makes CloudWatch publish less, or other,
/// than the author wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmfProblem {
    EmptyDimensionValue { dimension: String },
    MissingDimensionValue { dimension: String },
    TooManyValues { metric: String, count: usize },
    TooManyMetricDefinitions { count: usize },
    TooManyDimensionKeys { count: usize },
    MissingMetricValue { metric: String },
    InvalidMetricValue { metric: String },
    MissingNamespace,
}

impl fmt::Display for EmfProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyDimensionValue { dimension } => write!(
                f,
                "dimension `{dimension}` has an empty value: the metric will be published WITHOUT dimensions"
            ),
            Self::MissingDimensionValue { dimension } => write!(
                f,
                "dimension `{dimension}` has no value in the document: the metric will be published WITHOUT dimensions"
            ),
            Self::TooManyValues { metric, count } => write!(
                f,
                "metric `{metric}` has {count} values, more than the {MAX_VALUES_PER_METRIC} allowed: CloudWatch drops it"
            ),
            Self::TooManyMetricDefinitions { count } => write!(
                f,
                "{count} metric definitions, more than the {MAX_METRIC_DEFINITIONS} allowed: CloudWatch drops the extra ones"
            ),
            Self::TooManyDimensionKeys { count } => write!(
                f,
                "a dimension set has {count} keys, more than the {MAX_DIMENSION_KEYS} allowed: CloudWatch drops it"
            ),
            Self::MissingMetricValue { metric } => {
                write!(f, "metric `{metric}` has no value in the document")
            }
            Self::InvalidMetricValue { metric } => write!(
                f,
                "metric `{metric}` has a value that is not a number or an array of numbers"
            ),
            Self::MissingNamespace => write!(f, "a metric directive has no Namespace"),
        }
    }
}

/// A parsed EMF document: what CloudWatch would extract, and the problems.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmfDocument {
    pub timestamp_ms: Option<i64>,
    pub metrics: Vec<EmfMetric>,
    pub problems: Vec<EmfProblem>,
    /// The function version that wrote the document, from the name of its
    /// log stream (`2026/12/05/[13]…`). The document has no version field,
    /// so [`parse_emf`] leaves it `None` and the log summary sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl EmfDocument {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Parses a log message as an EMF document. Returns `None` unless the whole
/// message is a JSON object with an `_aws.CloudWatchMetrics` array, the only
/// shape CloudWatch Logs extracts metrics from.
pub fn parse_emf(message: &str) -> Option<EmfDocument> {
    let root: Map<String, Value> = serde_json::from_str(message.trim()).ok()?;
    let metadata = root.get("_aws")?.as_object()?;
    let directives = metadata.get("CloudWatchMetrics")?.as_array()?;

    let mut document = EmfDocument {
        timestamp_ms: metadata.get("Timestamp").and_then(Value::as_i64),
        metrics: Vec::new(),
        problems: Vec::new(),
        version: None,
    };
    for directive in directives {
        read_directive(&root, directive, &mut document);
    }
    Some(document)
}

fn read_directive(root: &Map<String, Value>, directive: &Value, document: &mut EmfDocument) {
    let Some(namespace) = directive.get("Namespace").and_then(Value::as_str) else {
        note(&mut document.problems, EmfProblem::MissingNamespace);
        return;
    };
    let dimension_sets = read_dimension_sets(root, directive, &mut document.problems);

    let definitions = directive
        .get("Metrics")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if definitions.len() > MAX_METRIC_DEFINITIONS {
        note(
            &mut document.problems,
            EmfProblem::TooManyMetricDefinitions {
                count: definitions.len(),
            },
        );
    }
    for definition in definitions.iter().take(MAX_METRIC_DEFINITIONS) {
        let Some(name) = definition.get("Name").and_then(Value::as_str) else {
            continue;
        };
        let values = match root.get(name) {
            None => {
                note(
                    &mut document.problems,
                    EmfProblem::MissingMetricValue {
                        metric: name.to_string(),
                    },
                );
                continue;
            }
            Some(value) => match metric_values(value) {
                Some(values) => values,
                None => {
                    note(
                        &mut document.problems,
                        EmfProblem::InvalidMetricValue {
                            metric: name.to_string(),
                        },
                    );
                    continue;
                }
            },
        };
        if values.len() > MAX_VALUES_PER_METRIC {
            note(
                &mut document.problems,
                EmfProblem::TooManyValues {
                    metric: name.to_string(),
                    count: values.len(),
                },
            );
            continue;
        }
        document.metrics.push(EmfMetric {
            namespace: namespace.to_string(),
            name: name.to_string(),
            unit: definition
                .get("Unit")
                .and_then(Value::as_str)
                .map(str::to_string),
            values,
            dimension_sets: dimension_sets.clone(),
        });
    }
}

/// Resolves each dimension set against the root members. A set with an empty
/// or missing value is published as the metric without dimensions, as the
/// aws-powertools-lambda-python maintainers observed in CloudWatch.
// NOTE: a missing value is assumed to behave like an empty one, because the
// specification only requires the member to be present.
fn read_dimension_sets(
    root: &Map<String, Value>,
    directive: &Value,
    problems: &mut Vec<EmfProblem>,
) -> Vec<BTreeMap<String, String>> {
    let sets = directive
        .get("Dimensions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if sets.is_empty() {
        return vec![BTreeMap::new()];
    }
    let mut resolved = Vec::new();
    for set in sets {
        let keys: Vec<&str> = set
            .as_array()
            .map(|keys| keys.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if keys.len() > MAX_DIMENSION_KEYS {
            note(
                problems,
                EmfProblem::TooManyDimensionKeys { count: keys.len() },
            );
            continue;
        }
        let mut dimensions = BTreeMap::new();
        let mut dropped = false;
        for key in keys {
            match root.get(key).map(dimension_value) {
                Some(Some(value)) if !value.is_empty() => {
                    dimensions.insert(key.to_string(), value);
                }
                Some(_) => {
                    note(
                        problems,
                        EmfProblem::EmptyDimensionValue {
                            dimension: key.to_string(),
                        },
                    );
                    dropped = true;
                }
                None => {
                    note(
                        problems,
                        EmfProblem::MissingDimensionValue {
                            dimension: key.to_string(),
                        },
                    );
                    dropped = true;
                }
            }
        }
        let dimensions = if dropped { BTreeMap::new() } else { dimensions };
        if !resolved.contains(&dimensions) {
            resolved.push(dimensions);
        }
    }
    resolved
}

/// Adds `problem` unless the document already has it, so a key shared by
/// two dimension sets or two directives counts once per document.
fn note(problems: &mut Vec<EmfProblem>, problem: EmfProblem) {
    if !problems.contains(&problem) {
        problems.push(problem);
    }
}

/// Converts a dimension value as CloudWatch reads it: strings as they are, numbers
/// and booleans as text, anything else (null, objects) as empty.
fn dimension_value(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn metric_values(value: &Value) -> Option<Vec<f64>> {
    match value {
        Value::Number(number) => number.as_f64().map(|n| vec![n]),
        Value::Array(items) => items.iter().map(Value::as_f64).collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(dimensions: &str, members: &str) -> String {
        format!(
            r#"{{"_aws":{{"Timestamp":1731078543804,"CloudWatchMetrics":[{{"Namespace":"orders","Dimensions":{dimensions},"Metrics":[{{"Name":"Latency","Unit":"Milliseconds"}}]}}]}}{members}}}"#
        )
    }

    #[test]
    fn valid_document() {
        let line = document(
            r#"[["service"]]"#,
            r#","service":"orders-api","Latency":[12,15]"#,
        );
        let parsed = parse_emf(&line).expect("an EMF document");
        assert!(parsed.is_valid());
        assert_eq!(parsed.timestamp_ms, Some(1731078543804));
        assert_eq!(parsed.metrics.len(), 1);
        assert_eq!(parsed.metrics[0].values, vec![12.0, 15.0]);
        assert_eq!(
            parsed.metrics[0].dimension_sets,
            vec![BTreeMap::from([(
                "service".to_string(),
                "orders-api".to_string()
            )])]
        );
    }

    /// Builds the document that the sandbox's orders-api writes, with the
    /// given `environment` value.
    fn orders_document(environment: &str) -> String {
        format!(
            r#"{{"_aws": {{"Timestamp": 1796448014539, "CloudWatchMetrics": [{{"Namespace": "shop/orders", "Dimensions": [["environment", "service"]], "Metrics": [{{"Name": "OrdersPlaced", "Unit": "Count"}}]}}]}}, "environment": "{environment}", "service": "orders-api", "OrdersPlaced": [1], "requestId": "d1bade32-428c-4ac6-a066-6ccbd2719ed2"}}
"#
        )
    }

    #[test]
    fn filled_dimension_set_kept() {
        let parsed = parse_emf(&orders_document("production")).expect("an EMF document");
        assert!(parsed.is_valid(), "{:?}", parsed.problems);
        assert_eq!(parsed.version, None);
        assert_eq!(
            parsed.metrics[0].dimension_sets,
            vec![BTreeMap::from([
                ("environment".to_string(), "production".to_string()),
                ("service".to_string(), "orders-api".to_string()),
            ])]
        );
    }

    #[test]
    fn empty_value_drops_only_its_own_document() {
        // Parsing a broken document first must not change how the next,
        // valid one is read.
        let broken = parse_emf(&orders_document("")).expect("an EMF document");
        let valid = parse_emf(&orders_document("production")).expect("an EMF document");
        assert_eq!(broken.metrics[0].dimension_sets, vec![BTreeMap::new()]);
        assert_eq!(broken.problems.len(), 1);
        assert!(valid.is_valid());
        assert_eq!(valid.metrics[0].dimension_sets[0].len(), 2);
    }

    #[test]
    fn shared_key_reported_once() {
        // `service` is empty in both sets and in both directives: one
        // problem for the document, and one published set without
        // dimensions per directive.
        let directive = r#"{"Namespace":"orders","Dimensions":[["service"],["service","stage"]],"Metrics":[{"Name":"Latency"}]}"#;
        let line = format!(
            r#"{{"_aws":{{"CloudWatchMetrics":[{directive},{directive}]}},"service":"","stage":"1","Latency":3}}"#
        );
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::EmptyDimensionValue {
                dimension: "service".to_string()
            }]
        );
        assert_eq!(parsed.metrics.len(), 2);
        assert_eq!(parsed.metrics[0].dimension_sets, vec![BTreeMap::new()]);
    }

    #[test]
    fn not_emf() {
        assert_eq!(parse_emf(r#"{"level":"INFO","message":"hello"}"#), None);
        assert_eq!(parse_emf("REPORT RequestId: x"), None);
        assert_eq!(parse_emf(r#"{"_aws":{"Timestamp":1}}"#), None);
    }

    #[test]
    fn missing_dimension_member() {
        let line = document(r#"[["service"]]"#, r#","Latency":3"#);
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::MissingDimensionValue {
                dimension: "service".to_string()
            }]
        );
        assert_eq!(parsed.metrics[0].dimension_sets, vec![BTreeMap::new()]);
    }

    #[test]
    fn too_many_values_dropped() {
        let values: Vec<String> = (0..101).map(|n| n.to_string()).collect();
        let line = document("[]", &format!(r#","Latency":[{}]"#, values.join(",")));
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::TooManyValues {
                metric: "Latency".to_string(),
                count: 101
            }]
        );
        assert!(parsed.metrics.is_empty());
    }

    #[test]
    fn too_many_dimension_keys() {
        let keys: Vec<String> = (0..31).map(|n| format!("\"d{n}\"")).collect();
        let members: String = (0..31).map(|n| format!(r#","d{n}":"v""#)).collect();
        let line = document(
            &format!("[[{}]]", keys.join(",")),
            &format!(r#"{members},"Latency":1"#),
        );
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::TooManyDimensionKeys { count: 31 }]
        );
    }

    #[test]
    fn too_many_metric_definitions() {
        let definitions: Vec<String> = (0..101).map(|n| format!(r#"{{"Name":"m{n}"}}"#)).collect();
        let members: String = (0..101).map(|n| format!(r#","m{n}":1"#)).collect();
        let line = format!(
            r#"{{"_aws":{{"CloudWatchMetrics":[{{"Namespace":"ns","Dimensions":[],"Metrics":[{}]}}]}}{members}}}"#,
            definitions.join(",")
        );
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::TooManyMetricDefinitions { count: 101 }]
        );
        assert_eq!(parsed.metrics.len(), MAX_METRIC_DEFINITIONS);
    }

    #[test]
    fn invalid_and_missing_values() {
        let line = document("[]", r#","Latency":"fast""#);
        let parsed = parse_emf(&line).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::InvalidMetricValue {
                metric: "Latency".to_string()
            }]
        );
        let parsed = parse_emf(&document("[]", "")).expect("an EMF document");
        assert_eq!(
            parsed.problems,
            vec![EmfProblem::MissingMetricValue {
                metric: "Latency".to_string()
            }]
        );
    }
}
