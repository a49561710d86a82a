//! Scripts: how runs and metadata generation runs go, what they answer,
//! and the history that exists before the emulator starts.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::api_error::{ApiError, ErrorShape};
use crate::model;

/// `pastRuns`: how many default successful runs, or scripts in
/// chronological order (the last one yesterday), each with an optional
/// fixed id (so sample events can name it).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PastRuns {
    Count(usize),
    Listed(Vec<PastRunSeed>),
}

impl Default for PastRuns {
    fn default() -> Self {
        Self::Count(0)
    }
}

impl PastRuns {
    /// The scripts, oldest first, with their fixed ids.
    pub fn scripts(&self) -> Vec<(Option<String>, RunScript)> {
        match self {
            Self::Count(count) => vec![(None, RunScript::default()); *count],
            Self::Listed(runs) => runs
                .iter()
                .map(|past| (past.id.clone(), past.run.clone()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PastRunSeed {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub run: RunScript,
}

/// A metadata generation run that finished the day before the emulator
/// started.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PastMetadataRunSeed {
    pub id: String,
    /// The asset: seeded, or imported by a past run.
    pub target: String,
    pub project_id: String,
    /// `SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `FAILED` or `CANCELED`.
    pub outcome: String,
}

/// A run's final status: one the model documents, or, to rehearse a status
/// the service may add later, `{"undocumented": "CANCELLED"}`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Outcome {
    Documented(String),
    Undocumented { undocumented: String },
}

impl Outcome {
    /// The status the run ends in.
    pub fn status(&self) -> &str {
        match self {
            Self::Documented(status)
            | Self::Undocumented {
                undocumented: status,
            } => status,
        }
    }

    /// Documented outcomes are one of `documented`; an undocumented one is
    /// none of `statuses` (else it would not rehearse anything new).
    pub(super) fn check(
        &self,
        field: &str,
        documented: &[&str],
        statuses: &[&str],
    ) -> Result<(), ApiError> {
        match self {
            Self::Documented(status) => model::one_of(field, status, documented),
            Self::Undocumented { undocumented } => {
                let looks_like_a_status = !undocumented.is_empty()
                    && undocumented
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_');
                if looks_like_a_status && !statuses.contains(&undocumented.as_str()) {
                    Ok(())
                } else {
                    Err(ApiError::validation(
                        field,
                        format!(
                            "undocumented {undocumented:?} must be an UPPER_CASE status the model does not list"
                        ),
                    ))
                }
            }
        }
    }
}

/// Scripted errors must be ones the operation's model lists.
pub(super) fn check_errors(
    field: &str,
    errors: &[String],
    operation: &str,
) -> Result<(), ApiError> {
    for error in errors {
        model::one_of(field, error, model::operation_errors(operation))?;
    }
    Ok(())
}

/// How one data source run goes, in emulated seconds.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunScript {
    /// `SUCCESS`, `PARTIALLY_SUCCEEDED` or `FAILED` (or undocumented).
    pub outcome: Outcome,
    #[serde(default = "default_requested_seconds")]
    pub requested_seconds: f64,
    #[serde(default = "default_running_seconds")]
    pub running_seconds: f64,
    #[serde(default)]
    pub asset_statistics: AssetStatisticsSeed,
    #[serde(default)]
    pub error: Option<RunErrorSeed>,
    #[serde(default)]
    pub lineage_import_status: Option<String>,
    /// What the run imported, for ListDataSourceRunActivities.
    #[serde(default)]
    pub assets: Vec<ActivitySeed>,
    /// Errors the first GetDataSourceRun calls of the run answer, in order.
    #[serde(default)]
    pub get_errors: Vec<String>,
}

fn default_requested_seconds() -> f64 {
    5.0
}

fn default_running_seconds() -> f64 {
    60.0
}

impl Default for RunScript {
    fn default() -> Self {
        Self {
            outcome: Outcome::Documented("SUCCESS".into()),
            requested_seconds: default_requested_seconds(),
            running_seconds: default_running_seconds(),
            asset_statistics: AssetStatisticsSeed::default(),
            error: None,
            lineage_import_status: None,
            assets: Vec::new(),
            get_errors: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AssetStatisticsSeed {
    #[serde(default)]
    pub added: i64,
    #[serde(default)]
    pub updated: i64,
    #[serde(default)]
    pub unchanged: i64,
    #[serde(default)]
    pub skipped: i64,
    #[serde(default)]
    pub failed: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunErrorSeed {
    pub error_type: String,
    #[serde(default)]
    pub error_detail: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivitySeed {
    pub database: String,
    pub technical_name: String,
    /// A `DataAssetActivityStatus`.
    pub status: String,
    #[serde(default)]
    pub asset_id: Option<String>,
    #[serde(default)]
    pub error: Option<RunErrorSeed>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetadataGenerationSeed {
    /// How runs for targets not listed below go.
    #[serde(default)]
    pub default: MetadataScript,
    /// By target (asset) id.
    #[serde(default)]
    pub targets: BTreeMap<String, MetadataScript>,
}

/// How a metadata generation run goes, in emulated seconds.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetadataScript {
    /// `SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `FAILED`, `CANCELED`, `HANG`
    /// (in progress until cancelled), or undocumented.
    pub outcome: Outcome,
    #[serde(default = "default_metadata_seconds")]
    pub seconds: f64,
    #[serde(default)]
    pub error_message: Option<String>,
    /// Errors the first StartMetadataGenerationRun calls for the target
    /// answer, in order.
    #[serde(default)]
    pub start_errors: Vec<String>,
    /// Errors the first GetMetadataGenerationRun calls of each run answer.
    #[serde(default)]
    pub get_errors: Vec<String>,
}

fn default_metadata_seconds() -> f64 {
    120.0
}

impl Default for MetadataScript {
    fn default() -> Self {
        Self {
            outcome: Outcome::Documented("SUCCEEDED".into()),
            seconds: default_metadata_seconds(),
            error_message: None,
            start_errors: Vec::new(),
            get_errors: Vec::new(),
        }
    }
}

impl RunScript {
    pub(super) fn check(&self) -> Result<(), ApiError> {
        self.outcome.check(
            "runs[].outcome",
            &["SUCCESS", "PARTIALLY_SUCCEEDED", "FAILED"],
            model::DATA_SOURCE_RUN_STATUSES,
        )?;
        check_errors("runs[].getErrors", &self.get_errors, "GetDataSourceRun")?;
        if let Some(error) = &self.error {
            model::one_of(
                "runs[].error.errorType",
                &error.error_type,
                model::DATA_SOURCE_ERROR_TYPES,
            )?;
        }
        if let Some(status) = &self.lineage_import_status {
            model::one_of(
                "runs[].lineageImportStatus",
                status,
                &["IN_PROGRESS", "SUCCESS", "FAILED", "PARTIALLY_SUCCEEDED"],
            )?;
        }
        for asset in &self.assets {
            model::one_of(
                "runs[].assets[].status",
                &asset.status,
                model::DATA_ASSET_ACTIVITY_STATUSES,
            )?;
        }
        if !(self.requested_seconds >= 0.0 && self.running_seconds >= 0.0) {
            return Err(ApiError::new(
                ErrorShape::Validation,
                "runs[]: durations must be zero or more seconds",
            ));
        }
        Ok(())
    }
}
