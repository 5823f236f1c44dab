use std::error::Error as StdError;
use std::future::Future;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use tracing::{Instrument, Span, field};

use super::error::{AwsError, ErrorKind, classify};

fn request_span(action: &'static str, region: &str, function: Option<&str>) -> Span {
    tracing::info_span!(
        "aws",
        operation = action,
        region = region,
        function = function.unwrap_or(""),
        request_id = field::Empty,
    )
}

fn finish<T, E>(
    span: &Span,
    action: &'static str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<T, AwsError>
where
    T: RequestId,
    E: ProvideErrorMetadata + StdError + 'static,
{
    match result {
        Ok(output) => {
            if let Some(id) = output.request_id() {
                span.record("request_id", id);
            }
            tracing::debug!(parent: span, "ok");
            Ok(output)
        }
        Err(error) => {
            let classified = classify(action, &error);
            if let Some(id) = &classified.request_id {
                span.record("request_id", id.as_str());
            }
            // Not found is the usual response for a function without a policy,
            // URL or event invoke configuration, so it would flood the log.
            if classified.kind == ErrorKind::NotFound {
                tracing::debug!(parent: span, error = %classified, "not found");
            } else {
                tracing::warn!(parent: span, kind = ?classified.kind, error = %classified, "request failed");
            }
            Err(classified)
        }
    }
}

/// Runs one AWS request inside a tracing span that names the IAM action,
/// the region, the function and the request id, and classifies its error.
pub(crate) async fn traced<T, E, F>(
    action: &'static str,
    region: &str,
    function: Option<&str>,
    request: F,
) -> Result<T, AwsError>
where
    F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    T: RequestId,
    E: ProvideErrorMetadata + StdError + 'static,
{
    let span = request_span(action, region, function);
    let result = request.instrument(span.clone()).await;
    finish(&span, action, result)
}

/// Like [`traced`] for one page of a paginator; `None` when there are no
/// more pages.
pub(crate) async fn traced_page<T, E, F>(
    action: &'static str,
    region: &str,
    function: Option<&str>,
    next_page: F,
) -> Option<Result<T, AwsError>>
where
    F: Future<Output = Option<Result<T, SdkError<E, HttpResponse>>>>,
    T: RequestId,
    E: ProvideErrorMetadata + StdError + 'static,
{
    let span = request_span(action, region, function);
    let result = next_page.instrument(span.clone()).await?;
    Some(finish(&span, action, result))
}
