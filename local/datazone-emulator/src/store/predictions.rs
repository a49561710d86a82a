//! Predictions: the business metadata a metadata generation run suggested
//! for its asset, kept until AcceptPredictions or RejectPredictions decides
//! them ("AcceptPredictions", "RejectPredictions", DataZone API Reference).
//!
//! A run that ends SUCCEEDED or PARTIALLY_SUCCEEDED leaves, for each type it
//! generated, one prediction per target (the asset and two of its columns),
//! each with the confidence of its top choice. Confidences follow from the
//! asset and the target alone, so a seed gives the same ones every time.
//! Each decision that changes something makes a new revision of the asset.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::Store;
use crate::api_error::{ApiError, ApiResult};
use crate::authorization::{Access, Caller};
use crate::events::Transition;
use crate::model;
use crate::request::{Request, optional_string, required_string};

/// Where one prediction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    Suggested,
    Accepted,
    Rejected,
}

impl Decision {
    fn as_str(self) -> &'static str {
        match self {
            Self::Suggested => "SUGGESTED",
            Self::Accepted => "ACCEPTED",
            Self::Rejected => "REJECTED",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Prediction {
    /// The generation type it came from.
    kind: String,
    target: String,
    /// Of the top choice, 0.50 to 0.99.
    confidence: f64,
    decision: Decision,
}

/// An asset's predictions and revision.
#[derive(Debug, Clone)]
pub(super) struct AssetPredictions {
    owning_project_id: String,
    revision: u64,
    predictions: Vec<Prediction>,
    /// Answers already given, by operation and client token.
    answers: HashMap<(&'static str, String), Value>,
}

/// The targets a generation type suggests for.
fn targets(kind: &str) -> [String; 3] {
    let field = match kind {
        "BUSINESS_NAMES" => "name",
        "BUSINESS_GLOSSARY_ASSOCIATIONS" => "glossaryTerms",
        _ => "description",
    };
    [
        field.to_owned(),
        format!("column_1.{field}"),
        format!("column_2.{field}"),
    ]
}

/// The top choice's confidence for `target` of `asset`: 0.50 to 0.99,
/// from an FNV-1a hash of both.
pub(super) fn confidence(asset: &str, target: &str) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in asset.bytes().chain([0]).chain(target.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    0.50 + (hash % 50) as f64 / 100.0
}

/// A decision's rule: `ALL` or `NONE`, and the confidence it holds to.
struct Rule {
    all: bool,
    threshold: Option<f64>,
}

/// `field` (`acceptRule` or `rejectRule`), as the model's `AcceptRule`.
fn rule(body: &Map<String, Value>, field: &str) -> ApiResult<Option<Rule>> {
    let Some(value) = body.get(field) else {
        return Ok(None);
    };
    let object = value
        .as_object()
        .ok_or_else(|| ApiError::validation(field, "must be a structure"))?;
    let behavior = optional_string(object, &format!("{field}.rule"))?;
    if let Some(behavior) = &behavior {
        model::one_of(&format!("{field}.rule"), behavior, &["ALL", "NONE"])?;
    }
    let threshold = match object.get("threshold") {
        None | Some(Value::Null) => None,
        Some(value) => Some(value.as_f64().ok_or_else(|| {
            ApiError::validation(&format!("{field}.threshold"), "must be a number")
        })?),
    };
    Ok(Some(Rule {
        all: behavior.as_deref() != Some("NONE"),
        threshold,
    }))
}

/// The targets `field` (`acceptChoices` or `rejectChoices`) names.
fn choices(body: &Map<String, Value>, field: &str) -> ApiResult<Vec<String>> {
    let Some(value) = body.get(field) else {
        return Ok(Vec::new());
    };
    let list = value
        .as_array()
        .ok_or_else(|| ApiError::validation(field, "must be a list"))?;
    list.iter()
        .map(|choice| {
            let choice = choice
                .as_object()
                .ok_or_else(|| ApiError::validation(field, "must be a list of structures"))?;
            if let Some(edited) = optional_string(choice, &format!("{field}.editedValue"))? {
                model::length(&format!("{field}.editedValue"), &edited, 1, 5000)?;
            }
            required_string(choice, &format!("{field}.predictionTarget"))
        })
        .collect()
}

/// Which operation decides, and how.
#[derive(Clone, Copy)]
enum Deciding {
    Accept,
    Reject,
}

impl Deciding {
    fn operation(self) -> &'static str {
        match self {
            Self::Accept => "AcceptPredictions",
            Self::Reject => "RejectPredictions",
        }
    }

    fn fields(self) -> (&'static str, &'static str) {
        match self {
            Self::Accept => ("acceptRule", "acceptChoices"),
            Self::Reject => ("rejectRule", "rejectChoices"),
        }
    }

    fn decision(self) -> Decision {
        match self {
            Self::Accept => Decision::Accepted,
            Self::Reject => Decision::Rejected,
        }
    }

    /// A rule accepts a top choice at or above its threshold; a rejecting
    /// rule rejects those below it (the API Reference leaves the direction
    /// unsaid: this is the emulator's reading).
    fn matches(self, rule: &Rule, confidence: f64) -> bool {
        match (self, rule.threshold) {
            (_, None) => true,
            (Self::Accept, Some(threshold)) => confidence >= threshold,
            (Self::Reject, Some(threshold)) => confidence < threshold,
        }
    }
}

impl Store {
    /// Predictions for the asset of each metadata generation run that just
    /// ended SUCCEEDED or PARTIALLY_SUCCEEDED (in `transitions`).
    pub(super) fn keep_predictions(&mut self, transitions: &[Transition]) {
        for transition in transitions {
            let status = transition.data["status"].as_str().unwrap_or_default();
            if transition.type_name != "MetadataGenerationRunType"
                || !matches!(status, "SUCCEEDED" | "PARTIALLY_SUCCEEDED")
            {
                continue;
            }
            let Some(asset) = transition.data["targetIdentifier"].as_str() else {
                continue;
            };
            let kinds: Vec<String> = transition.data["types"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|kind| kind.as_str().map(str::to_owned))
                .collect();
            let entry = self
                .predictions
                .entry((transition.domain_id.clone(), asset.to_owned()))
                .or_insert_with(|| AssetPredictions {
                    owning_project_id: transition.project_id.clone(),
                    revision: 1,
                    predictions: Vec::new(),
                    answers: HashMap::new(),
                });
            for kind in kinds {
                for target in targets(&kind) {
                    // A new generation replaces what is still suggested.
                    entry.predictions.retain(|known| {
                        known.target != target || known.decision != Decision::Suggested
                    });
                    entry.predictions.push(Prediction {
                        confidence: confidence(asset, &target),
                        kind: kind.clone(),
                        target,
                        decision: Decision::Suggested,
                    });
                }
            }
            entry.revision += 1;
        }
    }

    pub fn accept_predictions(
        &mut self,
        request: &Request,
        _now: crate::clock::Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        self.decide(request, caller, Deciding::Accept)
    }

    pub fn reject_predictions(
        &mut self,
        request: &Request,
        _now: crate::clock::Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        self.decide(request, caller, Deciding::Reject)
    }

    fn decide(
        &mut self,
        request: &Request,
        caller: Caller,
        deciding: Deciding,
    ) -> ApiResult<Value> {
        let operation = deciding.operation();
        let domain_id = request.param("domainIdentifier");
        let asset_id = request.param("identifier");
        model::resource_id("identifier", asset_id)?;
        let revision = request.query.get("revision");
        if let Some(revision) = revision {
            model::length("revision", revision, 1, 64)?;
        }
        let body = request.body()?;
        let (rule_field, choices_field) = deciding.fields();
        let rule = rule(&body, rule_field)?;
        let chosen = choices(&body, choices_field)?;
        let client_token = optional_string(&body, "clientToken")?;
        if let Some(token) = &client_token {
            model::length("clientToken", token, 1, 128)?;
            model::client_token("clientToken", token)?;
        }
        self.domain("domainIdentifier", domain_id)?;
        let key = (domain_id.to_owned(), asset_id.to_owned());
        let Some(asset) = self.predictions.get_mut(&key) else {
            return Err(ApiError::not_found("asset", asset_id));
        };
        caller.require(&asset.owning_project_id, operation, Access::Change)?;
        if let Some(token) = &client_token
            && let Some(answer) = asset.answers.get(&(operation, token.clone()))
        {
            return Ok(answer.clone());
        }
        if let Some(revision) = revision
            && revision != &asset.revision.to_string()
        {
            return Err(ApiError::conflict(format!(
                "revision {revision:?} is not the asset's latest ({})",
                asset.revision
            )));
        }
        let mut decided = 0;
        for prediction in &mut asset.predictions {
            if prediction.decision != Decision::Suggested {
                continue;
            }
            let by_rule = rule
                .as_ref()
                .is_some_and(|rule| rule.all && deciding.matches(rule, prediction.confidence));
            if by_rule || chosen.contains(&prediction.target) {
                prediction.decision = deciding.decision();
                decided += 1;
            }
        }
        if decided > 0 {
            asset.revision += 1;
        }
        let revision = asset.revision.to_string();
        let answer = match deciding {
            Deciding::Accept => {
                json!({"domainId": domain_id, "assetId": asset_id, "revision": revision})
            }
            Deciding::Reject => {
                json!({"domainId": domain_id, "assetId": asset_id, "assetRevision": revision})
            }
        };
        let project_id = asset.owning_project_id.clone();
        if let Some(token) = client_token {
            asset.answers.insert((operation, token), answer.clone());
        }
        if decided > 0 {
            self.pending.push(Transition {
                detail_type: match deciding {
                    Deciding::Accept => "Metadata Generation Accepted",
                    Deciding::Reject => "Metadata Generation Rejected",
                },
                domain_id: domain_id.to_owned(),
                resource_id: asset_id.to_owned(),
                type_name: "AssetType",
                project_id,
                data: json!({"assetId": asset_id, "revision": revision, "predictions": decided}),
            });
        }
        Ok(answer)
    }

    /// Every asset's predictions, for GET /_emulator/predictions.
    pub fn predictions_report(&self) -> Value {
        let mut assets: Vec<(&(String, String), &AssetPredictions)> =
            self.predictions.iter().collect();
        assets.sort_by(|a, b| a.0.cmp(b.0));
        Value::Array(
            assets
                .into_iter()
                .map(|((domain, asset), state)| {
                    json!({
                        "domainId": domain,
                        "assetId": asset,
                        "owningProjectId": state.owning_project_id,
                        "revision": state.revision.to_string(),
                        "clientTokens": state.answers.len(),
                        "predictions": state.predictions.iter().map(|prediction| json!({
                            "type": prediction.kind,
                            "target": prediction.target,
                            "confidence": prediction.confidence,
                            "decision": prediction.decision.as_str(),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect(),
        )
    }
}
