//! Input checks as the service model states them. Patterns carry no anchors
//! in the model; the service matches them on the whole value.

use crate::api_error::{ApiError, ApiResult};

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_resource_id(value: &str) -> bool {
    (1..=36).contains(&value.len()) && value.chars().all(is_id_char)
}

/// `DomainId`: `dzd[-_][a-zA-Z0-9_-]{1,36}`.
pub fn domain_id(field: &str, value: &str) -> ApiResult<()> {
    let rest = value
        .strip_prefix("dzd-")
        .or_else(|| value.strip_prefix("dzd_"));
    match rest {
        Some(rest) if is_resource_id(rest) => Ok(()),
        _ => Err(ApiError::validation(
            field,
            "must satisfy regular expression pattern dzd[-_][a-zA-Z0-9_-]{1,36}",
        )),
    }
}

/// `DataSourceId`, `DataSourceRunId`, `ProjectId`, `MetadataGenerationRunIdentifier`,
/// `EntityId`: `[a-zA-Z0-9_-]{1,36}`.
pub fn resource_id(field: &str, value: &str) -> ApiResult<()> {
    if is_resource_id(value) {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            "must satisfy regular expression pattern [a-zA-Z0-9_-]{1,36}",
        ))
    }
}

/// One of an enum's documented values.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> ApiResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// A string length within `min..=max` characters.
pub fn length(field: &str, value: &str, min: usize, max: usize) -> ApiResult<()> {
    let len = value.chars().count();
    if (min..=max).contains(&len) {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            format!("length must be between {min} and {max}, got {len}"),
        ))
    }
}

/// An integer query parameter within `min..=max`.
pub fn integer(field: &str, value: &str, min: i64, max: i64) -> ApiResult<i64> {
    match value.parse::<i64>() {
        Ok(number) if (min..=max).contains(&number) => Ok(number),
        Ok(_) => Err(ApiError::validation(
            field,
            format!("must be between {min} and {max}"),
        )),
        Err(_) => Err(ApiError::validation(field, "must be an integer")),
    }
}

/// `ClientToken` of StartMetadataGenerationRun: `[\x21-\x7E]+`, 1–128.
pub fn client_token(field: &str, value: &str) -> ApiResult<()> {
    length(field, value, 1, 128)?;
    if value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            "must satisfy regular expression pattern [\\x21-\\x7E]+",
        ))
    }
}

/// Every DataZone operation the emulator serves.
pub const OPERATIONS: &[&str] = &[
    "StartDataSourceRun",
    "GetDataSourceRun",
    "ListDataSourceRuns",
    "ListDataSourceRunActivities",
    "GetDataSource",
    "ListDataSources",
    "StartMetadataGenerationRun",
    "GetMetadataGenerationRun",
    "ListMetadataGenerationRuns",
    "CancelMetadataGenerationRun",
    "ListDomains",
    "ListProjects",
    "AcceptPredictions",
    "RejectPredictions",
];

/// The errors an operation's model lists (shape names).
pub fn operation_errors(operation: &str) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "InternalServerException",
        "ResourceNotFoundException",
        "AccessDeniedException",
        "ThrottlingException",
        "ServiceQuotaExceededException",
        "ConflictException",
        "ValidationException",
        "UnauthorizedException",
    ];
    match operation {
        "GetMetadataGenerationRun" | "ListMetadataGenerationRuns" => &[
            "InternalServerException",
            "ResourceNotFoundException",
            "AccessDeniedException",
            "ThrottlingException",
            "ValidationException",
            "UnauthorizedException",
        ],
        "CancelMetadataGenerationRun" | "AcceptPredictions" | "RejectPredictions" => &[
            "InternalServerException",
            "ResourceNotFoundException",
            "AccessDeniedException",
            "ThrottlingException",
            "ConflictException",
            "ValidationException",
            "UnauthorizedException",
        ],
        _ => ALL,
    }
}

pub const DATA_SOURCE_RUN_STATUSES: &[&str] = &[
    "REQUESTED",
    "RUNNING",
    "FAILED",
    "PARTIALLY_SUCCEEDED",
    "SUCCESS",
];
pub const METADATA_GENERATION_RUN_STATUSES: &[&str] = &[
    "SUBMITTED",
    "IN_PROGRESS",
    "CANCELED",
    "SUCCEEDED",
    "FAILED",
    "PARTIALLY_SUCCEEDED",
];
pub const METADATA_GENERATION_RUN_TYPES: &[&str] = &[
    "BUSINESS_DESCRIPTIONS",
    "BUSINESS_NAMES",
    "BUSINESS_GLOSSARY_ASSOCIATIONS",
];
pub const METADATA_GENERATION_TARGET_TYPES: &[&str] = &["ASSET"];
pub const DATA_ASSET_ACTIVITY_STATUSES: &[&str] = &[
    "FAILED",
    "PUBLISHING_FAILED",
    "SUCCEEDED_CREATED",
    "SUCCEEDED_UPDATED",
    "SKIPPED_ALREADY_IMPORTED",
    "SKIPPED_ARCHIVED",
    "SKIPPED_NO_ACCESS",
    "UNCHANGED",
];
pub const DATA_SOURCE_ERROR_TYPES: &[&str] = &[
    "ACCESS_DENIED_EXCEPTION",
    "CONFLICT_EXCEPTION",
    "INTERNAL_SERVER_EXCEPTION",
    "RESOURCE_NOT_FOUND_EXCEPTION",
    "SERVICE_QUOTA_EXCEEDED_EXCEPTION",
    "THROTTLING_EXCEPTION",
    "VALIDATION_EXCEPTION",
];
pub const DATA_SOURCE_STATUSES: &[&str] = &[
    "CREATING",
    "FAILED_CREATION",
    "READY",
    "UPDATING",
    "FAILED_UPDATE",
    "RUNNING",
    "DELETING",
    "FAILED_DELETION",
];
pub const DOMAIN_STATUSES: &[&str] = &[
    "CREATING",
    "AVAILABLE",
    "CREATION_FAILED",
    "DELETING",
    "DELETED",
    "DELETION_FAILED",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_values() {
        assert!(domain_id("d", "dzd_abc").is_ok());
        assert!(domain_id("d", "xdzd_abc").is_err());
        assert!(domain_id("d", "dzd_abc ").is_err());
        assert!(resource_id("r", &"a".repeat(36)).is_ok());
        assert!(resource_id("r", &"a".repeat(37)).is_err());
        assert!(resource_id("r", "").is_err());
        assert!(client_token("t", "abc~!").is_ok());
        assert!(client_token("t", "a b").is_err());
        assert!(client_token("t", &"a".repeat(129)).is_err());
    }

    #[test]
    fn integers_are_bounded() {
        assert_eq!(integer("maxResults", "50", 1, 50).unwrap(), 50);
        assert!(integer("maxResults", "0", 1, 50).is_err());
        assert!(integer("maxResults", "x", 1, 50).is_err());
    }
}
