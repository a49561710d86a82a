//! What a run's status means, whatever kind of run it is, and where a
//! status request came from.

use serde::{Deserialize, Serialize};

use crate::model::timestamp::Timestamp;

/// What a run's status means for the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl OutcomeClass {
    /// The class as the functions' answers write it (`IN_PROGRESS`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::PartiallySucceeded => "PARTIALLY_SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Canceled => "CANCELED",
            Self::InProgress => "IN_PROGRESS",
            Self::Unknown => "UNKNOWN",
        }
    }
}

impl std::fmt::Display for OutcomeClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
        /// The event's time, on DataZone's clock (kept, not reported).
        #[serde(skip)]
        time: Option<Timestamp>,
    },
    /// A direct query (the state machine, a person).
    Query,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_reads_as_the_answers_write_it() {
        use OutcomeClass::*;
        for class in [
            Succeeded,
            PartiallySucceeded,
            Failed,
            Canceled,
            InProgress,
            Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(class).unwrap(),
                serde_json::json!(class.to_string())
            );
        }
    }
}
