//! DataZone's modeled errors, as the service sends them: the modeled HTTP
//! status, `x-amzn-ErrorType: <shape name>` and `{"message": …}`.

use axum::http::StatusCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorShape {
    Validation,
    Unauthorized,
    ServiceQuotaExceeded,
    AccessDenied,
    ResourceNotFound,
    Conflict,
    Throttling,
    InternalServer,
    /// An access key the service does not know: a common AWS error, not in
    /// DataZone's model ("Common Errors", DataZone API Reference).
    UnrecognizedClient,
    /// No operation at that method and path (not modeled; AWS answers so too).
    UnknownOperation,
}

impl ErrorShape {
    pub fn name(self) -> &'static str {
        match self {
            Self::Validation => "ValidationException",
            Self::Unauthorized => "UnauthorizedException",
            Self::ServiceQuotaExceeded => "ServiceQuotaExceededException",
            Self::AccessDenied => "AccessDeniedException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Conflict => "ConflictException",
            Self::Throttling => "ThrottlingException",
            Self::InternalServer => "InternalServerException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::UnknownOperation => "UnknownOperationException",
        }
    }

    /// The modeled shape of `name`, e.g. `ThrottlingException`.
    pub fn modeled(name: &str) -> Option<Self> {
        [
            Self::Validation,
            Self::Unauthorized,
            Self::ServiceQuotaExceeded,
            Self::AccessDenied,
            Self::ResourceNotFound,
            Self::Conflict,
            Self::Throttling,
            Self::InternalServer,
        ]
        .into_iter()
        .find(|shape| shape.name() == name)
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::Validation => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::ServiceQuotaExceeded => StatusCode::PAYMENT_REQUIRED,
            Self::AccessDenied | Self::UnrecognizedClient => StatusCode::FORBIDDEN,
            Self::ResourceNotFound | Self::UnknownOperation => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Throttling => StatusCode::TOO_MANY_REQUESTS,
            Self::InternalServer => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub shape: ErrorShape,
    pub message: String,
}

impl ApiError {
    pub fn new(shape: ErrorShape, message: impl Into<String>) -> Self {
        Self {
            shape,
            message: message.into(),
        }
    }

    pub fn validation(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(ErrorShape::Validation, format!("{field}: {problem}"))
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            ErrorShape::ResourceNotFound,
            format!("{what} {id:?} was not found"),
        )
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorShape::Conflict, message)
    }

    /// An error the seed scripted for `operation` (a name the seed check
    /// already matched against the operation's modeled errors).
    pub fn scripted(name: &str, operation: &str) -> Self {
        Self::new(
            ErrorShape::modeled(name).unwrap_or(ErrorShape::InternalServer),
            format!("{operation} answered {name} as the seed scripts it"),
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
