//! The one error type of the project, and its stable names.
//!
//! A Lambda error's `errorType` is what a Step Functions `Retry` or `Catch`
//! matches on, so [`Error::name`] is part of the project's API: names never
//! change once published (README lists them).

use lambda_runtime::Diagnostic;
use serde::Serialize;
use thiserror::Error as ThisError;

#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
pub enum Error {
    /// The invocation payload, or a value in it, is not what the function takes.
    #[error("invalid input: {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// An environment variable holds a value the function cannot use.
    #[error("invalid configuration: {variable}: {reason}")]
    InvalidConfiguration { variable: String, reason: String },
    #[error("DataZone throttled the request: {0}")]
    Throttling(String),
    #[error("DataZone failed internally: {0}")]
    InternalServer(String),
    #[error("DataZone rejected the request as invalid: {0}")]
    Validation(String),
    #[error("DataZone has no such resource: {0}")]
    ResourceNotFound(String),
    #[error("DataZone denied access: {0}")]
    AccessDenied(String),
    #[error("DataZone reported a conflict: {0}")]
    Conflict(String),
    #[error("DataZone service quota exceeded: {0}")]
    ServiceQuotaExceeded(String),
    #[error("DataZone did not authorize the caller: {0}")]
    Unauthorized(String),
    /// The access key is not one AWS knows (a common AWS error, not in
    /// DataZone's model).
    #[error("AWS does not know the caller's access key: {0}")]
    UnrecognizedClient(String),
    /// The SDK's operation or attempt timeout elapsed.
    #[error("DataZone did not answer in time: {0}")]
    Timeout(String),
    /// No connection could be made (DNS, TCP, TLS).
    #[error("DataZone could not be reached: {0}")]
    Unreachable(String),
    /// DataZone answered with something the SDK could not read, or an error
    /// code this version does not know.
    #[error("DataZone answered unexpectedly: {0}")]
    UnexpectedResponse(String),
}

impl Error {
    pub fn invalid_input(field: &str, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn invalid_configuration(variable: &str, reason: impl Into<String>) -> Self {
        Self::InvalidConfiguration {
            variable: variable.to_owned(),
            reason: reason.into(),
        }
    }

    /// Maps a DataZone error code (the `x-amzn-ErrorType` shape name) to its variant.
    pub fn from_service_code(code: Option<&str>, message: impl Into<String>) -> Self {
        let message = message.into();
        match code {
            Some("ThrottlingException") => Self::Throttling(message),
            Some("InternalServerException") => Self::InternalServer(message),
            Some("ValidationException") => Self::Validation(message),
            Some("ResourceNotFoundException") => Self::ResourceNotFound(message),
            Some("AccessDeniedException") => Self::AccessDenied(message),
            Some("ConflictException") => Self::Conflict(message),
            Some("ServiceQuotaExceededException") => Self::ServiceQuotaExceeded(message),
            Some("UnauthorizedException") => Self::Unauthorized(message),
            Some("UnrecognizedClientException") => Self::UnrecognizedClient(message),
            Some(other) => Self::UnexpectedResponse(format!("{other}: {message}")),
            None => Self::UnexpectedResponse(message),
        }
    }

    /// The stable error name: a Lambda error's `errorType`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "InvalidInput",
            Self::InvalidConfiguration { .. } => "InvalidConfiguration",
            Self::Throttling(_) => "DataZone.ThrottlingException",
            Self::InternalServer(_) => "DataZone.InternalServerException",
            Self::Validation(_) => "DataZone.ValidationException",
            Self::ResourceNotFound(_) => "DataZone.ResourceNotFoundException",
            Self::AccessDenied(_) => "DataZone.AccessDeniedException",
            Self::Conflict(_) => "DataZone.ConflictException",
            Self::ServiceQuotaExceeded(_) => "DataZone.ServiceQuotaExceededException",
            Self::Unauthorized(_) => "DataZone.UnauthorizedException",
            Self::UnrecognizedClient(_) => "DataZone.UnrecognizedClientException",
            Self::Timeout(_) => "DataZone.Timeout",
            Self::Unreachable(_) => "DataZone.Unreachable",
            Self::UnexpectedResponse(_) => "DataZone.UnexpectedResponse",
        }
    }

    /// Whether the same call may succeed later without any change.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Throttling(_) | Self::InternalServer(_) | Self::Timeout(_) | Self::Unreachable(_)
        )
    }
}

/// A failure reported for one item of a batch, under its stable name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub name: String,
    pub message: String,
}

impl From<&Error> for ErrorReport {
    fn from(error: &Error) -> Self {
        Self {
            name: error.name().to_owned(),
            message: error.to_string(),
        }
    }
}

impl From<Error> for Diagnostic {
    fn from(error: Error) -> Self {
        Diagnostic {
            error_type: error.name().to_owned(),
            error_message: error.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_modeled_code_has_its_own_stable_name() {
        let cases = [
            ("ThrottlingException", "DataZone.ThrottlingException", true),
            (
                "InternalServerException",
                "DataZone.InternalServerException",
                true,
            ),
            ("ValidationException", "DataZone.ValidationException", false),
            (
                "ResourceNotFoundException",
                "DataZone.ResourceNotFoundException",
                false,
            ),
            (
                "AccessDeniedException",
                "DataZone.AccessDeniedException",
                false,
            ),
            ("ConflictException", "DataZone.ConflictException", false),
            (
                "ServiceQuotaExceededException",
                "DataZone.ServiceQuotaExceededException",
                false,
            ),
            (
                "UnauthorizedException",
                "DataZone.UnauthorizedException",
                false,
            ),
            (
                "UnrecognizedClientException",
                "DataZone.UnrecognizedClientException",
                false,
            ),
            (
                "SomethingNewException",
                "DataZone.UnexpectedResponse",
                false,
            ),
        ];
        for (code, name, retryable) in cases {
            let error = Error::from_service_code(Some(code), "m");
            assert_eq!(error.name(), name);
            assert_eq!(error.is_retryable(), retryable, "{code}");
        }
    }

    #[test]
    fn diagnostic_carries_the_stable_name() {
        let diagnostic = Diagnostic::from(Error::invalid_input("runId", "missing"));
        assert_eq!(diagnostic.error_type, "InvalidInput");
        assert_eq!(diagnostic.error_message, "invalid input: runId: missing");
    }
}
