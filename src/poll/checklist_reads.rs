//! The checklist's region-wide reads beyond Lambda's own: Inspector findings
//! and coverage, subnet zones, queue redrive policies, REST APIs, SnapStart
//! settings, daily metrics and REPORT log lines. The resources loop runs
//! them once per pass.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use chrono::{DateTime, Utc};
use governor::{Quota, RateLimiter};

use super::InventoryView;
use crate::aws::{
    AwsError, ErrorKind, RegionClients, caller_identity, describe_subnet_zones,
    fetch_daily_metrics, inspector_coverage, list_lambda_findings, list_snap_start,
    queue_has_redrive, read_report_summary, read_rest_apis,
};
use crate::model::{
    Collected, EventSourceKind, InspectorCoverage, RegionChecklistData, RegionResources,
    ReportLineSummary,
};

/// FilterLogEvents calls per second while reading REPORT lines. CloudWatch
/// Logs limits this call per account and region, and every other reader of
/// the account's logs shares that quota.
/// NOTE: 4 per second assumes the default quota of 5 per second; the
/// account's Service Quotas console shows the value that applies.
const REPORT_READS_PER_SECOND: u32 = 4;

/// Returns the error if it is worth reporting on the resources source. An endpoint
/// that lacks an API is left to the rules, which name the call, so that it
/// does not mark the whole source as failing.
fn reportable(error: &AwsError) -> Option<AwsError> {
    (error.kind != ErrorKind::Unsupported).then(|| error.clone())
}

/// Lists the SQS queues that event source mappings read from, each once.
pub(super) fn sqs_sources(resources: &RegionResources) -> Vec<String> {
    let mut queues: Vec<String> = resources
        .event_source_mappings
        .loaded()
        .map(|mappings| {
            mappings
                .iter()
                .filter(|mapping| mapping.source_kind() == EventSourceKind::Sqs)
                .filter_map(|mapping| mapping.event_source_arn.clone())
                .collect()
        })
        .unwrap_or_default();
    queues.sort();
    queues.dedup();
    queues
}

async fn read_coverage(clients: &RegionClients) -> Result<InspectorCoverage, AwsError> {
    let Some(checklist) = &clients.checklist else {
        return Err(not_configured("inspector2:BatchGetAccountStatus"));
    };
    let identity = caller_identity(clients).await?;
    let Some(account) = identity.account.filter(|account| !account.is_empty()) else {
        return Err(AwsError {
            message: Some("GetCallerIdentity returned no account id".to_string()),
            ..not_configured("sts:GetCallerIdentity")
        });
    };
    inspector_coverage(&clients.region, &checklist.inspector, &account).await
}

/// Builds the error of a read whose client was never built, which only happens
/// with clients assembled by hand in tests.
fn not_configured(action: &str) -> AwsError {
    AwsError {
        kind: ErrorKind::Other,
        action: action.to_string(),
        code: None,
        message: Some("no client for this service was configured".to_string()),
        status: None,
        request_id: None,
    }
}

/// Reads the redrive policy of each queue, one after another.
async fn read_queue_redrive(
    clients: &RegionClients,
    queues: &[String],
) -> Result<BTreeMap<String, bool>, AwsError> {
    let Some(checklist) = &clients.checklist else {
        return Err(not_configured("sqs:GetQueueAttributes"));
    };
    let mut redrive = BTreeMap::new();
    for queue in queues {
        let has = queue_has_redrive(&clients.region, &checklist.sqs, queue).await?;
        redrive.insert(queue.clone(), has);
    }
    Ok(redrive)
}

/// Reads the region-wide checklist data beyond [`RegionResources`], except
/// the REPORT lines. Returns the data, the metrics requested (billed) and
/// the first error worth reporting.
pub(super) async fn read_checklist_region(
    clients: &RegionClients,
    view: &InventoryView,
    queues: &[String],
    now: DateTime<Utc>,
) -> (RegionChecklistData, u64, Option<AwsError>) {
    let region = clients.region.as_str();
    let checklist = clients.checklist.as_ref();

    let findings = async {
        match checklist {
            Some(services) => list_lambda_findings(region, &services.inspector).await,
            None => Err(not_configured("inspector2:ListFindings")),
        }
    };
    let subnets = async {
        match checklist {
            Some(_) if view.subnet_ids.is_empty() => Ok(BTreeMap::new()),
            Some(services) => describe_subnet_zones(region, &services.ec2, &view.subnet_ids).await,
            None => Err(not_configured("ec2:DescribeSubnets")),
        }
    };
    let rest_apis = async {
        match checklist {
            Some(services) => read_rest_apis(region, &services.apigateway).await,
            None => Err(not_configured("apigateway:GET")),
        }
    };
    let (findings, coverage, subnets, redrive, rest_apis, snap_start, daily) = tokio::join!(
        findings,
        read_coverage(clients),
        subnets,
        read_queue_redrive(clients, queues),
        rest_apis,
        list_snap_start(clients),
        fetch_daily_metrics(clients, &view.functions, now),
    );

    let (daily, billed) = match daily {
        Ok((metrics, billed)) => (Ok(metrics), billed),
        Err(error) => (Err(error), 0),
    };
    let first_error = [
        findings.as_ref().err(),
        coverage.as_ref().err(),
        subnets.as_ref().err(),
        redrive.as_ref().err(),
        rest_apis.as_ref().err(),
        snap_start.as_ref().err(),
        daily.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    .find_map(reportable);

    let data = RegionChecklistData {
        inspector_findings: findings.into(),
        inspector_coverage: coverage.into(),
        subnet_zones: subnets.into(),
        queue_redrive: redrive.into(),
        rest_apis: rest_apis.into(),
        snap_start: snap_start.into(),
        daily_metrics: daily.into(),
        report_lines: Collected::NotCollected,
    };
    (data, billed, first_error)
}

/// Reads the REPORT lines of every function's log group, one function at a
/// time under [`REPORT_READS_PER_SECOND`]. A call denied or unsupported for
/// one function fails the same way for all, so it ends the pass. Other
/// failures leave only that function without a summary.
pub(super) async fn read_report_lines(
    clients: &RegionClients,
    log_groups: &[(String, String)],
    now: DateTime<Utc>,
) -> (
    Collected<BTreeMap<String, ReportLineSummary>>,
    Option<AwsError>,
) {
    let rate = NonZeroU32::new(REPORT_READS_PER_SECOND).unwrap_or(NonZeroU32::MIN);
    let limiter = RateLimiter::direct(Quota::per_second(rate));
    let mut summaries = BTreeMap::new();
    let mut first_error = None;
    for (function, group) in log_groups {
        limiter.until_ready().await;
        match read_report_summary(clients, function, group, now).await {
            Ok(summary) => {
                summaries.insert(
                    function.clone(),
                    ReportLineSummary {
                        max_memory_used_mb: summary.max_memory_used_mb,
                        timeouts: summary.timeouts,
                    },
                );
            }
            Err(error)
                if matches!(error.kind, ErrorKind::AccessDenied | ErrorKind::Unsupported) =>
            {
                let reported = reportable(&error);
                return (Collected::Failed(error), reported);
            }
            Err(error) => {
                tracing::warn!(function = %function, error = %error, "REPORT lines not read");
                first_error = first_error.or(Some(error));
            }
        }
    }
    (Collected::Loaded(summaries), first_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventSourceMapping;

    fn mapping(source: &str) -> EventSourceMapping {
        EventSourceMapping {
            event_source_arn: Some(source.to_string()),
            ..EventSourceMapping::default()
        }
    }

    #[test]
    fn sqs_sources_unique_queues_only() {
        let refunds = "arn:aws:sqs:us-east-1:123456789012:refunds";
        let resources = RegionResources {
            event_source_mappings: Collected::Loaded(vec![
                mapping(refunds),
                mapping("arn:aws:kinesis:us-east-1:123456789012:stream/clickstream"),
                mapping(refunds),
            ]),
            ..RegionResources::default()
        };
        assert_eq!(sqs_sources(&resources), vec![refunds.to_string()]);
        assert!(sqs_sources(&RegionResources::default()).is_empty());
    }

    #[test]
    fn unsupported_error_not_reported() {
        let mut error = not_configured("inspector2:ListFindings");
        assert!(reportable(&error).is_some());
        error.kind = ErrorKind::Unsupported;
        assert_eq!(reportable(&error), None);
    }
}
