//! The deployment's rule for generated metadata, and what it did to one
//! asset. DataZone keeps what a metadata generation run generated as
//! predictions until AcceptPredictions or RejectPredictions decides them
//! (DataZone API Reference); the rule accepts every top prediction, or
//! those whose confidence is at or above a threshold, and may reject the
//! rest.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::error::ErrorReport;
use crate::model::timestamp::Timestamp;

/// Which predictions the rule accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepting {
    /// Every top prediction.
    All,
    /// Those whose top choice's confidence is at or above this many
    /// hundredths.
    AtLeastPercent(u8),
}

/// The rule: what to accept, and whether to reject the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredictionsRule {
    pub accepting: Accepting,
    pub reject_rest: bool,
}

impl PredictionsRule {
    /// The rule `accept` names, for `field`: `NONE` (no rule), `ALL`, or a
    /// confidence from 0 to 1 with at most two decimals (`0.8`, `0.85`).
    pub fn parse(field: &str, accept: &str, reject_rest: bool) -> Result<Option<Self>, Error> {
        let accepting = match accept.trim() {
            "NONE" => return Ok(None),
            "ALL" => Accepting::All,
            number => Accepting::AtLeastPercent(percent(number).ok_or_else(|| {
                Error::invalid_input(
                    field,
                    format!(
                        "must be NONE, ALL or a confidence from 0 to 1 with at most two decimals, got {number:?}"
                    ),
                )
            })?),
        };
        Ok(Some(Self {
            accepting,
            reject_rest,
        }))
    }

    /// The threshold AcceptPredictions is given (`None`: every prediction).
    pub fn threshold(&self) -> Option<f32> {
        match self.accepting {
            Accepting::All => None,
            Accepting::AtLeastPercent(percent) => Some(f32::from(percent) / 100.0),
        }
    }
}

/// `0.85` as 85: from 0 to 1, at most two decimals.
fn percent(number: &str) -> Option<u8> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || fraction.len() > 2
    {
        return None;
    }
    let whole: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let hundredths: u32 = format!("{fraction:0<2}").parse().ok()?;
    let percent = whole.checked_mul(100)?.checked_add(hundredths)?;
    u8::try_from(percent).ok().filter(|percent| *percent <= 100)
}

/// What the rule did to one asset whose generation succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PredictionsRecord {
    /// The threshold accepted at, in hundredths (absent: every prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_percent: Option<u8>,
    #[serde(default)]
    pub reject_rest: bool,
    /// The asset's revision AcceptPredictions answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_revision: Option<String>,
    /// The asset's revision RejectPredictions answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_revision: Option<String>,
    /// Calls that failed and may be retried.
    #[serde(default)]
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_attempt_at: Option<Timestamp>,
    /// Decided, or given up on.
    #[serde(default)]
    pub done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

/// Where an asset's predictions stand, in the report's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Decision {
    /// Accepted by the rule; any below its threshold are still suggestions.
    Accepted,
    /// Accepted by the rule, and the rest rejected.
    AcceptedRestRejected,
    /// Left as suggestions: the rule could not be applied (see the error).
    Suggested,
    /// Not decided yet.
    Pending,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::AcceptedRestRejected => "ACCEPTED_REST_REJECTED",
            Self::Suggested => "SUGGESTED",
            Self::Pending => "PENDING",
        }
    }
}

impl PredictionsRecord {
    /// Nothing decided yet, under `rule`.
    pub fn to_decide(rule: &PredictionsRule) -> Self {
        Self {
            threshold_percent: match rule.accepting {
                Accepting::All => None,
                Accepting::AtLeastPercent(percent) => Some(percent),
            },
            reject_rest: rule.reject_rest,
            accepted_revision: None,
            rejected_revision: None,
            attempts: 0,
            first_attempt_at: None,
            done: false,
            error: None,
        }
    }

    /// The rule it was decided under.
    pub fn rule(&self) -> PredictionsRule {
        PredictionsRule {
            accepting: self
                .threshold_percent
                .map_or(Accepting::All, Accepting::AtLeastPercent),
            reject_rest: self.reject_rest,
        }
    }

    pub fn decision(&self) -> Decision {
        match (self.done, &self.accepted_revision, &self.rejected_revision) {
            (false, _, _) => Decision::Pending,
            (true, None, _) => Decision::Suggested,
            (true, Some(_), Some(_)) => Decision::AcceptedRestRejected,
            (true, Some(_), None) => Decision::Accepted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_none_all_or_a_confidence_in_hundredths() {
        assert_eq!(PredictionsRule::parse("f", "NONE", true).unwrap(), None);
        let all = PredictionsRule::parse("f", "ALL", true).unwrap().unwrap();
        assert_eq!(
            (all.accepting, all.reject_rest, all.threshold()),
            (Accepting::All, true, None)
        );
        for (text, percent) in [
            ("0.8", 80),
            ("0.85", 85),
            ("1", 100),
            ("0", 0),
            (".5", 50),
            ("1.00", 100),
        ] {
            let rule = PredictionsRule::parse("f", text, false).unwrap().unwrap();
            assert_eq!(rule.accepting, Accepting::AtLeastPercent(percent), "{text}");
        }
        assert_eq!(
            PredictionsRule::parse("f", "0.85", false)
                .unwrap()
                .unwrap()
                .threshold(),
            Some(0.85)
        );
        for bad in [
            "", ".", "1.5", "0.855", "0.001", "-0.1", "all", "2", "0,8", "1e-1",
        ] {
            let error = PredictionsRule::parse("f", bad, false).unwrap_err();
            assert_eq!(error.name(), "InvalidInput", "{bad}");
        }
    }

    #[test]
    fn a_record_says_its_decision_and_keeps_its_rule() {
        let rule = PredictionsRule {
            accepting: Accepting::AtLeastPercent(80),
            reject_rest: true,
        };
        let mut record = PredictionsRecord::to_decide(&rule);
        assert_eq!(record.rule(), rule);
        assert_eq!(record.decision(), Decision::Pending);
        record.done = true;
        assert_eq!(record.decision(), Decision::Suggested);
        record.accepted_revision = Some("3".into());
        assert_eq!(record.decision(), Decision::Accepted);
        record.rejected_revision = Some("4".into());
        assert_eq!(record.decision(), Decision::AcceptedRestRejected);
        assert_eq!(
            Decision::AcceptedRestRejected.as_str(),
            "ACCEPTED_REST_REJECTED"
        );
    }
}
