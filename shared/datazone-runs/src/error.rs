//! The one error type of the project, and its stable names.
//!
//! A Lambda error's `errorType` is what a Step Functions `Retry` or `Catch`
//! matches on, so an error's name is part of the project's API: names never
//! change once published. [`ErrorKind::ALL`] is the one list of them; README
//! documents it and a test checks the state machine's Retry and Catch
//! against it.

use serde::{Deserialize, Serialize};
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
    /// The report store (S3) failed in a way a retry may mend.
    #[error("the report store is unavailable: {0}")]
    ReportUnavailable(String),
    /// The report store (S3) refused the request (no bucket, no access, a
    /// record it cannot read).
    #[error("the report store refused the request: {0}")]
    ReportRefused(String),
    /// Step Functions failed to take a task token back in a way a retry may
    /// mend.
    #[error("Step Functions is unavailable: {0}")]
    CallbackUnavailable(String),
    /// Step Functions refused a task token back (no access, a token it
    /// cannot read).
    #[error("Step Functions refused the task token: {0}")]
    CallbackRefused(String),
}

/// Declares the kinds of error with their stable names and whether the
/// same call may succeed later without any change: the one list.
macro_rules! kinds {
    ($($kind:ident => $name:literal, retryable: $retryable:literal;)+) => {
        /// An [`Error`]'s kind, without its message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $($kind,)+
        }

        impl ErrorKind {
            /// Every kind, in README's order.
            pub const ALL: &'static [ErrorKind] = &[$(Self::$kind,)+];

            /// The stable name: a Lambda error's `errorType`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$kind => $name,)+
                }
            }

            /// Whether the same call may succeed later without any change.
            pub fn is_retryable(self) -> bool {
                match self {
                    $(Self::$kind => $retryable,)+
                }
            }
        }
    };
}

kinds! {
    InvalidInput => "InvalidInput", retryable: false;
    InvalidConfiguration => "InvalidConfiguration", retryable: false;
    Throttling => "DataZone.ThrottlingException", retryable: true;
    InternalServer => "DataZone.InternalServerException", retryable: true;
    Validation => "DataZone.ValidationException", retryable: false;
    ResourceNotFound => "DataZone.ResourceNotFoundException", retryable: false;
    AccessDenied => "DataZone.AccessDeniedException", retryable: false;
    Conflict => "DataZone.ConflictException", retryable: false;
    ServiceQuotaExceeded => "DataZone.ServiceQuotaExceededException", retryable: false;
    Unauthorized => "DataZone.UnauthorizedException", retryable: false;
    UnrecognizedClient => "DataZone.UnrecognizedClientException", retryable: false;
    Timeout => "DataZone.Timeout", retryable: true;
    Unreachable => "DataZone.Unreachable", retryable: true;
    UnexpectedResponse => "DataZone.UnexpectedResponse", retryable: false;
    ReportUnavailable => "Report.Unavailable", retryable: true;
    ReportRefused => "Report.Refused", retryable: false;
    CallbackUnavailable => "Callback.Unavailable", retryable: true;
    CallbackRefused => "Callback.Refused", retryable: false;
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

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::InvalidInput { .. } => ErrorKind::InvalidInput,
            Self::InvalidConfiguration { .. } => ErrorKind::InvalidConfiguration,
            Self::Throttling(_) => ErrorKind::Throttling,
            Self::InternalServer(_) => ErrorKind::InternalServer,
            Self::Validation(_) => ErrorKind::Validation,
            Self::ResourceNotFound(_) => ErrorKind::ResourceNotFound,
            Self::AccessDenied(_) => ErrorKind::AccessDenied,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::ServiceQuotaExceeded(_) => ErrorKind::ServiceQuotaExceeded,
            Self::Unauthorized(_) => ErrorKind::Unauthorized,
            Self::UnrecognizedClient(_) => ErrorKind::UnrecognizedClient,
            Self::Timeout(_) => ErrorKind::Timeout,
            Self::Unreachable(_) => ErrorKind::Unreachable,
            Self::UnexpectedResponse(_) => ErrorKind::UnexpectedResponse,
            Self::ReportUnavailable(_) => ErrorKind::ReportUnavailable,
            Self::ReportRefused(_) => ErrorKind::ReportRefused,
            Self::CallbackUnavailable(_) => ErrorKind::CallbackUnavailable,
            Self::CallbackRefused(_) => ErrorKind::CallbackRefused,
        }
    }

    /// The stable name: a Lambda error's `errorType`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Whether the same call may succeed later without any change.
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }
}

/// A failure reported for one item of a batch, under its stable name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        assert_eq!(
            Error::from_service_code(None, "m").name(),
            "DataZone.UnexpectedResponse"
        );
    }

    #[test]
    fn the_list_holds_every_kind_once_and_the_transient_ones_are_retryable() {
        let errors = [
            Error::invalid_input("f", "r"),
            Error::invalid_configuration("V", "r"),
            Error::Throttling(String::new()),
            Error::InternalServer(String::new()),
            Error::Validation(String::new()),
            Error::ResourceNotFound(String::new()),
            Error::AccessDenied(String::new()),
            Error::Conflict(String::new()),
            Error::ServiceQuotaExceeded(String::new()),
            Error::Unauthorized(String::new()),
            Error::UnrecognizedClient(String::new()),
            Error::Timeout(String::new()),
            Error::Unreachable(String::new()),
            Error::UnexpectedResponse(String::new()),
            Error::ReportUnavailable(String::new()),
            Error::ReportRefused(String::new()),
            Error::CallbackUnavailable(String::new()),
            Error::CallbackRefused(String::new()),
        ];
        let kinds: Vec<ErrorKind> = errors.iter().map(Error::kind).collect();
        assert_eq!(kinds, ErrorKind::ALL);
        let retryable: Vec<&str> = ErrorKind::ALL
            .iter()
            .filter(|kind| kind.is_retryable())
            .map(|kind| kind.name())
            .collect();
        assert_eq!(
            retryable,
            [
                "DataZone.ThrottlingException",
                "DataZone.InternalServerException",
                "DataZone.Timeout",
                "DataZone.Unreachable",
                "Report.Unavailable",
                "Callback.Unavailable"
            ]
        );
    }

    #[test]
    fn a_report_carries_the_stable_name_and_the_message() {
        let report = ErrorReport::from(&Error::invalid_input("runId", "missing"));
        assert_eq!(report.name, "InvalidInput");
        assert_eq!(report.message, "invalid input: runId: missing");
    }
}
