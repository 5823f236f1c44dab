//! Classification of SDK errors by error code and HTTP status, never by the
//! text of a message, so that retry decisions and what the user reads stay
//! stable across services and SDK versions.

use std::error::Error as StdError;
use std::fmt;

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Throttled,
    AccessDenied,
    NotFound,
    /// The operation does not exist on this endpoint or is not enabled in
    /// this region or account.
    Unsupported,
    /// Credentials are missing, expired or rejected.
    Credentials,
    /// Timeouts, unreachable endpoints and 5xx responses: worth another try.
    Transient,
    Other,
}

impl ErrorKind {
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::Transient)
    }
}

/// A failed AWS call, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct AwsError {
    pub kind: ErrorKind,
    /// The IAM action of the call, such as `lambda:ListFunctions`.
    pub action: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub status: Option<u16>,
    pub request_id: Option<String>,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let summary = match self.kind {
            ErrorKind::Throttled => "throttled".to_string(),
            ErrorKind::AccessDenied => format!("access denied: needs {}", self.action),
            ErrorKind::NotFound => "not found".to_string(),
            ErrorKind::Unsupported => "not supported by this endpoint or region".to_string(),
            ErrorKind::Credentials => "credentials missing, expired or invalid".to_string(),
            ErrorKind::Transient => "temporary failure".to_string(),
            ErrorKind::Other => "failed".to_string(),
        };
        write!(f, "{}: {summary}", self.action)?;
        let detail = match (&self.code, &self.message) {
            (Some(code), Some(message)) => Some(format!("{code}: {message}")),
            (Some(code), None) => Some(code.clone()),
            (None, Some(message)) => Some(message.clone()),
            (None, None) => self.status.map(|status| format!("HTTP {status}")),
        };
        if let Some(detail) = detail {
            write!(f, " ({})", shorten(&detail, 160))?;
        }
        Ok(())
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    let single_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if single_line.chars().count() <= max_chars {
        return single_line;
    }
    let mut short: String = single_line.chars().take(max_chars).collect();
    short.push('…');
    short
}

const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "AuthorizationError",
    "NotAuthorized",
];

const CREDENTIALS_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "MissingAuthenticationToken",
];

const NOT_FOUND_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "ResourceNotFound",
    "NotFoundException",
    "NoSuchEntity",
];

const UNSUPPORTED_CODES: &[&str] = &[
    "UnknownOperationException",
    "InvalidAction",
    "UnsupportedOperation",
    "UnsupportedOperationException",
    "OptInRequired",
    "SubscriptionRequiredException",
    "NotImplemented",
];

const TRANSIENT_CODES: &[&str] = &[
    "InternalFailure",
    "InternalError",
    "InternalServerError",
    "InternalServerException",
    "ServiceException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
];

fn kind_for_code(code: &str) -> Option<ErrorKind> {
    let table = [
        (THROTTLING_CODES, ErrorKind::Throttled),
        (ACCESS_DENIED_CODES, ErrorKind::AccessDenied),
        (CREDENTIALS_CODES, ErrorKind::Credentials),
        (NOT_FOUND_CODES, ErrorKind::NotFound),
        (UNSUPPORTED_CODES, ErrorKind::Unsupported),
        (TRANSIENT_CODES, ErrorKind::Transient),
    ];
    table
        .iter()
        .find(|(codes, _)| codes.contains(&code))
        .map(|(_, kind)| *kind)
}

/// True when the body is an HTML page rather than an AWS error document.
/// Emulators and proxies respond this way to operations they do not implement.
fn is_html(response: &HttpResponse) -> bool {
    let content_type_html = response
        .headers()
        .get("content-type")
        .is_some_and(|value| value.to_ascii_lowercase().contains("text/html"));
    let body_html = response.body().bytes().is_some_and(|bytes| {
        let start: Vec<u8> = bytes
            .iter()
            .skip_while(|byte| byte.is_ascii_whitespace())
            .take(15)
            .map(u8::to_ascii_lowercase)
            .collect();
        start.starts_with(b"<!doctype html") || start.starts_with(b"<html")
    });
    content_type_html || body_html
}

fn kind_for_status(status: u16, html: bool) -> ErrorKind {
    match status {
        429 => ErrorKind::Throttled,
        401 | 403 if !html => ErrorKind::AccessDenied,
        404 | 405 | 501 => ErrorKind::Unsupported,
        500 if html => ErrorKind::Unsupported,
        500..=599 => ErrorKind::Transient,
        _ if html => ErrorKind::Unsupported,
        _ => ErrorKind::Other,
    }
}

fn has_credentials_error(error: &(dyn StdError + 'static)) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = current {
        if error.downcast_ref::<CredentialsError>().is_some() {
            return true;
        }
        current = error.source();
    }
    false
}

/// Classifies an SDK error of the call `action` (an IAM action name such as
/// `lambda:ListFunctions`).
pub fn classify<E>(action: &str, error: &SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    let mut classified = AwsError {
        kind: ErrorKind::Other,
        action: action.to_string(),
        code: None,
        message: None,
        status: None,
        request_id: error.request_id().map(str::to_string),
    };

    match error {
        SdkError::TimeoutError(_) => {
            classified.kind = ErrorKind::Transient;
            classified.message = Some("timed out".to_string());
        }
        SdkError::DispatchFailure(failure) => {
            if has_credentials_error(error) {
                classified.kind = ErrorKind::Credentials;
            } else if failure.is_io() || failure.is_timeout() {
                classified.kind = ErrorKind::Transient;
            }
            classified.message = Some(source_chain(error));
        }
        SdkError::ConstructionFailure(_) => {
            if has_credentials_error(error) {
                classified.kind = ErrorKind::Credentials;
            }
            classified.message = Some(source_chain(error));
        }
        SdkError::ResponseError(response_error) => {
            let raw = response_error.raw();
            let status = raw.status().as_u16();
            classified.status = Some(status);
            classified.kind = kind_for_status(status, is_html(raw));
        }
        SdkError::ServiceError(service_error) => {
            let raw = service_error.raw();
            let status = raw.status().as_u16();
            let html = is_html(raw);
            classified.status = Some(status);
            classified.code = service_error.err().code().map(str::to_string);
            classified.message = if html {
                None
            } else {
                service_error.err().message().map(str::to_string)
            };
            classified.kind = classified
                .code
                .as_deref()
                .and_then(kind_for_code)
                .unwrap_or_else(|| kind_for_status(status, html));
        }
        _ => {
            classified.message = Some(source_chain(error));
        }
    }
    classified
}

fn source_chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(error) = current {
        let text = error.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        current = error.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(
            kind_for_code("ThrottlingException"),
            Some(ErrorKind::Throttled)
        );
        assert_eq!(
            kind_for_code("TooManyRequestsException"),
            Some(ErrorKind::Throttled)
        );
        assert_eq!(
            kind_for_code("AccessDeniedException"),
            Some(ErrorKind::AccessDenied)
        );
        assert_eq!(
            kind_for_code("ExpiredTokenException"),
            Some(ErrorKind::Credentials)
        );
        assert_eq!(
            kind_for_code("ResourceNotFoundException"),
            Some(ErrorKind::NotFound)
        );
        assert_eq!(
            kind_for_code("UnknownOperationException"),
            Some(ErrorKind::Unsupported)
        );
        assert_eq!(
            kind_for_code("ServiceException"),
            Some(ErrorKind::Transient)
        );
        assert_eq!(kind_for_code("ValidationException"), None);
    }

    #[test]
    fn html_status_is_unsupported() {
        assert_eq!(kind_for_status(404, true), ErrorKind::Unsupported);
        assert_eq!(kind_for_status(500, true), ErrorKind::Unsupported);
        assert_eq!(kind_for_status(503, false), ErrorKind::Transient);
        assert_eq!(kind_for_status(429, false), ErrorKind::Throttled);
        assert_eq!(kind_for_status(400, false), ErrorKind::Other);
    }

    #[test]
    fn access_denied_names_action() {
        let error = AwsError {
            kind: ErrorKind::AccessDenied,
            action: "lambda:ListAliases".to_string(),
            code: Some("AccessDeniedException".to_string()),
            message: None,
            status: Some(403),
            request_id: None,
        };
        assert!(error.to_string().contains("needs lambda:ListAliases"));
    }
}
