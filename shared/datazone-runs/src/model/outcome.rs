//! What a run's status means, whatever kind of run it is, and where a
//! status request came from.

use serde::Serialize;

/// What a run's status means for the flow.
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

/// Where a status request came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Origin {
    /// A DataZone event on EventBridge.
    #[serde(rename_all = "camelCase")]
    Event {
        #[serde(skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        detail_type: String,
    },
    /// A direct query (the state machine, a person).
    Query,
}
