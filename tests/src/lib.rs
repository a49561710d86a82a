//! What the end-to-end tests share: the functions' stable error names and
//! the sample events.

use std::path::PathBuf;

/// Every stable error name the functions may answer with (README lists them).
pub const STABLE_NAMES: &[&str] = &[
    "InvalidInput",
    "InvalidConfiguration",
    "DataZone.ThrottlingException",
    "DataZone.InternalServerException",
    "DataZone.ValidationException",
    "DataZone.ResourceNotFoundException",
    "DataZone.AccessDeniedException",
    "DataZone.ConflictException",
    "DataZone.ServiceQuotaExceededException",
    "DataZone.UnauthorizedException",
    "DataZone.Timeout",
    "DataZone.Unreachable",
    "DataZone.UnexpectedResponse",
];

/// The sample event files of `function`, sorted.
pub fn sample_event_files(function: &str) -> Vec<PathBuf> {
    let folder = local_flow::workspace().join("events").join(function);
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    files
}
