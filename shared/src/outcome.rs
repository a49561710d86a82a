//! The normalized outcome class both status functions report.

use serde::Serialize;

/// What a run's status means for the flow, whatever kind of run it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutcomeClass {
    Succeeded,
    PartiallySucceeded,
    Failed,
    Canceled,
    InProgress,
    /// A status this version does not know: the state machine fails loudly
    /// on it instead of polling forever.
    Unknown,
}
