//! A metadata generation run, as GetMetadataGenerationRun returns it.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::model::timestamp::Timestamp;
use crate::model::wire_enum::wire_enum;

wire_enum!(
    /// `MetadataGenerationRunStatus` in the service model.
    MetadataGenerationRunStatus {
        Submitted => "SUBMITTED",
        InProgress => "IN_PROGRESS",
        Canceled => "CANCELED",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
        PartiallySucceeded => "PARTIALLY_SUCCEEDED",
    }
);

impl MetadataGenerationRunStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Canceled | Self::Succeeded | Self::Failed | Self::PartiallySucceeded
        )
    }
}

wire_enum!(
    /// `MetadataGenerationRunType`: what the run generates.
    MetadataGenerationType {
        BusinessDescriptions => "BUSINESS_DESCRIPTIONS",
        BusinessNames => "BUSINESS_NAMES",
        BusinessGlossaryAssociations => "BUSINESS_GLOSSARY_ASSOCIATIONS",
    }
);

impl MetadataGenerationType {
    /// One or two documented types from their wire names (white space
    /// trimmed, repeats dropped); an `InvalidInput` naming `field` otherwise.
    pub fn parse_list<'a>(
        field: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<Self>, Error> {
        let mut types: Vec<Self> = Vec::new();
        for name in names
            .into_iter()
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let kind = Self::from_wire(name);
            if let Self::Unknown(_) = kind {
                return Err(Error::invalid_input(
                    field,
                    format!("{kind} is not one of {}", Self::DOCUMENTED.join(", ")),
                ));
            }
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        if !(1..=2).contains(&types.len()) {
            return Err(Error::invalid_input(field, "must name one or two types"));
        }
        Ok(types)
    }
}

/// `MetadataGenerationRunTarget`: the asset the run enriches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataGenerationTarget {
    #[serde(rename = "type")]
    pub target_type: String,
    pub identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// `MetadataGenerationRunTypeStat`: how one generation type went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataGenerationTypeStat {
    #[serde(rename = "type")]
    pub generation_type: MetadataGenerationType,
    pub status: MetadataGenerationRunStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataGenerationRun {
    pub id: String,
    pub domain_id: String,
    pub owning_project_id: String,
    /// Optional in the model; a run without one is treated as unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MetadataGenerationRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<MetadataGenerationTarget>,
    /// `types`, or the deprecated single `type` when only that is sent.
    pub types: Vec<MetadataGenerationType>,
    pub type_stats: Vec<MetadataGenerationTypeStat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// When DataZone answered with this, by DataZone's clock (the answer's
    /// `Date` header): a run's age is measured against it, so neither a
    /// skewed local clock nor a time-compressed local DataZone bends the
    /// waits. `None` when not known; the local clock is used then.
    #[serde(skip)]
    pub observed_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_types_are_one_or_two_documented_ones() {
        use MetadataGenerationType as Type;
        assert_eq!(
            Type::parse_list("types", ["BUSINESS_DESCRIPTIONS"]).unwrap(),
            [Type::BusinessDescriptions]
        );
        assert_eq!(
            Type::parse_list(
                "types",
                " BUSINESS_NAMES, BUSINESS_NAMES,BUSINESS_DESCRIPTIONS".split(',')
            )
            .unwrap(),
            [Type::BusinessNames, Type::BusinessDescriptions]
        );
        for bad in [
            "",
            "SUMMARIES",
            "BUSINESS_NAMES,BUSINESS_DESCRIPTIONS,BUSINESS_GLOSSARY_ASSOCIATIONS",
        ] {
            let error = Type::parse_list("types", bad.split(',')).unwrap_err();
            assert_eq!(error.name(), "InvalidInput", "{bad:?}");
            assert!(error.to_string().contains("types"), "{error}");
        }
    }

    #[test]
    fn every_documented_status_knows_if_it_is_terminal() {
        let expected = [
            ("SUBMITTED", false),
            ("IN_PROGRESS", false),
            ("CANCELED", true),
            ("SUCCEEDED", true),
            ("FAILED", true),
            ("PARTIALLY_SUCCEEDED", true),
        ];
        assert_eq!(
            MetadataGenerationRunStatus::DOCUMENTED.len(),
            expected.len()
        );
        for (wire, terminal) in expected {
            let status = MetadataGenerationRunStatus::from_wire(wire);
            assert_eq!(status.as_str(), wire);
            assert_eq!(status.is_terminal(), terminal, "{wire}");
        }
        assert!(!MetadataGenerationRunStatus::from_wire("PAUSED").is_terminal());
    }
}
