//! Exit codes, documented in README: what a script can branch on.

use datazone_runs::Error;
use datazone_runs::usecase::harvest::summary::Summary;

/// How `dzrun` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every run succeeded (or was skipped: its daily quota was spent).
    Succeeded = 0,
    /// A run failed, or was not started, or could not be followed.
    Failed = 1,
    /// A run partly succeeded (0 with `--allow-partial`).
    PartiallySucceeded = 2,
    /// `--timeout` passed; the runs go on.
    TimedOut = 3,
    /// Bad input or configuration.
    BadInput = 4,
    /// Access denied (IAM or the project's membership).
    Denied = 5,
    /// With `--strict`, a warning: an asset's metadata generation did not
    /// succeed or its predictions could not be accepted, a project was left
    /// out, or a source was skipped for its spent daily quota.
    Warned = 6,
}

impl Exit {
    /// The exit of a failure that stopped `dzrun` as a whole.
    pub fn of_error(error: &Error) -> Self {
        match error {
            Error::InvalidInput { .. }
            | Error::InvalidConfiguration { .. }
            | Error::Validation(_)
            | Error::ResourceNotFound(_) => Self::BadInput,
            Error::AccessDenied(_) | Error::Unauthorized(_) | Error::UnrecognizedClient(_) => {
                Self::Denied
            }
            _ => Self::Failed,
        }
    }

    /// The exit of a harvest that ran to its end.
    pub fn of_summary(summary: &Summary, denied: bool, allow_partial: bool, strict: bool) -> Self {
        let warned = summary.metadata_generation.not_generated() > 0
            || !summary.projects_denied.is_empty()
            || summary.sources.quota_exhausted > 0
            || summary
                .metadata_generation
                .predictions
                .as_ref()
                .is_some_and(|predictions| predictions.suggested > 0);
        if denied {
            Self::Denied
        } else if summary.any_failed {
            Self::Failed
        } else if summary.sources.partially_succeeded > 0 && !allow_partial {
            Self::PartiallySucceeded
        } else if warned && strict {
            Self::Warned
        } else {
            Self::Succeeded
        }
    }
}
