//! AWS X-Ray reads: trace summaries of one function and their segment
//! documents.

use aws_smithy_types::DateTime as SmithyDateTime;
use chrono::{DateTime, Utc};

use super::RegionClients;
use super::call::traced;
use super::error::{AwsError, ErrorKind};

/// BatchGetTraces accepts at most five trace ids per call.
pub const MAX_IDS_PER_BATCH: usize = 5;

/// A trace summary as GetTraceSummaries returns it. Some endpoints fill the
/// flags and duration loosely: moto 5.2.5 sets a flag whenever the key
/// exists and rounds durations to whole seconds. So the summaries only
/// order the traces to read, and the documents decide what is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSummaryRef {
    pub id: String,
    pub has_fault: bool,
    pub has_error: bool,
    pub has_throttle: bool,
    pub duration_s: Option<f64>,
}

/// The summaries of one window, all pages up to a bound.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceSummaries {
    pub summaries: Vec<TraceSummaryRef>,
    /// Sum of `TracesProcessedCount`, the traces X-Ray scanned and bills.
    pub scanned: u64,
    /// True when the bound stopped the paging.
    pub truncated: bool,
}

/// The segment documents of one trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceDocuments {
    pub id: String,
    pub documents: Vec<String>,
}

/// The filter expression that selects traces through one Lambda function.
pub fn function_filter(function: &str) -> String {
    let escaped = function.replace('\\', "\\\\").replace('"', "\\\"");
    format!("service(id(name: \"{escaped}\", type: \"AWS::Lambda::Function\"))")
}

/// Builds the error for a region whose clients have no X-Ray client.
pub fn no_client(action: &str) -> AwsError {
    AwsError {
        kind: ErrorKind::Unsupported,
        action: action.to_string(),
        code: None,
        message: Some("no X-Ray client is configured for this region".to_string()),
        status: None,
        request_id: None,
    }
}

fn smithy_time(time: DateTime<Utc>) -> SmithyDateTime {
    SmithyDateTime::from_millis(time.timestamp_millis())
}

/// Reads trace summaries between `start` and `end`, following NextToken for
/// at most `max_pages` pages and keeping at most `max_summaries`.
pub async fn get_trace_summaries(
    clients: &RegionClients,
    function: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
    filter: Option<&str>,
    max_pages: usize,
    max_summaries: usize,
) -> Result<TraceSummaries, AwsError> {
    const ACTION: &str = "xray:GetTraceSummaries";
    let client = clients.xray.as_ref().ok_or_else(|| no_client(ACTION))?;
    let mut result = TraceSummaries::default();
    let mut next_token: Option<String> = None;
    for page in 0..max_pages.max(1) {
        let request = client
            .get_trace_summaries()
            .start_time(smithy_time(window.0))
            .end_time(smithy_time(window.1))
            .set_filter_expression(filter.map(str::to_string))
            .set_next_token(next_token.take());
        let output = traced(ACTION, &clients.region, Some(function), request.send()).await?;
        result.scanned += output
            .traces_processed_count()
            .and_then(|count| u64::try_from(count).ok())
            .unwrap_or(0);
        for summary in output.trace_summaries() {
            let Some(id) = summary.id() else { continue };
            result.summaries.push(TraceSummaryRef {
                id: id.to_string(),
                has_fault: summary.has_fault().unwrap_or(false),
                has_error: summary.has_error().unwrap_or(false),
                has_throttle: summary.has_throttle().unwrap_or(false),
                duration_s: summary.duration(),
            });
        }
        next_token = output
            .next_token()
            .filter(|token| !token.is_empty())
            .map(str::to_string);
        if result.summaries.len() >= max_summaries {
            result.truncated = next_token.is_some() || result.summaries.len() > max_summaries;
            result.summaries.truncate(max_summaries);
            break;
        }
        if next_token.is_none() {
            break;
        }
        if page + 1 == max_pages.max(1) {
            result.truncated = true;
        }
    }
    Ok(result)
}

/// Reads the segment documents of `ids`, five per call, following each
/// call's NextToken. Ids the endpoint reports as unprocessed are left out.
pub async fn batch_get_traces(
    clients: &RegionClients,
    function: &str,
    ids: &[String],
) -> Result<Vec<TraceDocuments>, AwsError> {
    const ACTION: &str = "xray:BatchGetTraces";
    let client = clients.xray.as_ref().ok_or_else(|| no_client(ACTION))?;
    let mut traces: Vec<TraceDocuments> = Vec::new();
    for batch in ids.chunks(MAX_IDS_PER_BATCH) {
        let mut next_token: Option<String> = None;
        // A page holds at least one trace, so a batch never needs more
        // pages than ids; the bound guards against a token that repeats.
        for _ in 0..=batch.len() {
            let request = client
                .batch_get_traces()
                .set_trace_ids(Some(batch.to_vec()))
                .set_next_token(next_token.take());
            let output = traced(ACTION, &clients.region, Some(function), request.send()).await?;
            for trace in output.traces() {
                let Some(id) = trace.id() else { continue };
                let documents = trace
                    .segments()
                    .iter()
                    .filter_map(|segment| segment.document().map(str::to_string));
                match traces.iter_mut().find(|known| known.id == id) {
                    Some(known) => known.documents.extend(documents),
                    None => traces.push(TraceDocuments {
                        id: id.to_string(),
                        documents: documents.collect(),
                    }),
                }
            }
            next_token = output
                .next_token()
                .filter(|token| !token.is_empty())
                .map(str::to_string);
            if next_token.is_none() {
                break;
            }
        }
    }
    Ok(traces)
}

#[cfg(test)]
mod tests {
    use super::function_filter;

    #[test]
    fn filter_names_lambda_function() {
        assert_eq!(
            function_filter("orders-api"),
            "service(id(name: \"orders-api\", type: \"AWS::Lambda::Function\"))"
        );
    }
}
