//! The seed file: what exists in the emulated DataZone and how its runs go.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::api_error::ErrorShape;
use crate::model;

/// The seed the demo and the tests use unless told otherwise.
pub const SAMPLE_SEED: &str = include_str!("../seed/sample.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    pub domains: Vec<DomainSeed>,
    #[serde(default)]
    pub faults: FaultSeed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DomainSeed {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub projects: Vec<ProjectSeed>,
    #[serde(default)]
    pub data_sources: Vec<DataSourceSeed>,
    /// Assets that exist before any run, as metadata generation targets.
    #[serde(default)]
    pub assets: Vec<String>,
    #[serde(default)]
    pub metadata_generation: MetadataGenerationSeed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectSeed {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataSourceSeed {
    pub id: String,
    pub name: String,
    pub project_id: String,
    /// `GLUE`, `REDSHIFT`, …
    #[serde(rename = "type", default = "default_data_source_type")]
    pub data_source_type: String,
    /// Scripts for successive runs; the last one repeats.
    #[serde(default)]
    pub runs: Vec<RunScript>,
    /// Finished scheduled runs that exist before the emulator starts, one a
    /// day back from now (outside today's quota), for paging through.
    #[serde(default)]
    pub past_runs: usize,
}

fn default_data_source_type() -> String {
    "GLUE".into()
}

/// How one data source run goes, in emulated seconds.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunScript {
    /// `SUCCESS`, `PARTIALLY_SUCCEEDED` or `FAILED`.
    pub outcome: String,
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
            outcome: "SUCCESS".into(),
            requested_seconds: default_requested_seconds(),
            running_seconds: default_running_seconds(),
            asset_statistics: AssetStatisticsSeed::default(),
            error: None,
            lineage_import_status: None,
            assets: Vec::new(),
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
    /// `SUCCEEDED`, `PARTIALLY_SUCCEEDED`, `FAILED`, `CANCELED`, or `HANG`
    /// (in progress until cancelled).
    pub outcome: String,
    #[serde(default = "default_metadata_seconds")]
    pub seconds: f64,
    #[serde(default)]
    pub error_message: Option<String>,
}

fn default_metadata_seconds() -> f64 {
    120.0
}

impl Default for MetadataScript {
    fn default() -> Self {
        Self {
            outcome: "SUCCEEDED".into(),
            seconds: default_metadata_seconds(),
            error_message: None,
        }
    }
}

/// Faults the seed asks for; command-line flags take precedence.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSeed {
    /// Requests per second by operation name, above which 429 answers.
    #[serde(default)]
    pub rate_limits: BTreeMap<String, f64>,
    #[serde(default)]
    pub internal_error_rate: Option<f64>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
}

impl Seed {
    pub fn parse(text: &str) -> Result<Self, String> {
        let seed: Seed =
            serde_json::from_str(text).map_err(|error| format!("seed is not valid: {error}"))?;
        seed.check()?;
        Ok(seed)
    }

    /// The seed must itself satisfy the model, or the emulator would hand
    /// out values AWS never sends.
    fn check(&self) -> Result<(), String> {
        let problem = |error: crate::api_error::ApiError| format!("seed: {}", error.message);
        let mut ids = std::collections::HashSet::new();
        for domain in &self.domains {
            model::domain_id("domains[].id", &domain.id).map_err(problem)?;
            for project in &domain.projects {
                model::resource_id("projects[].id", &project.id).map_err(problem)?;
            }
            for source in &domain.data_sources {
                model::resource_id("dataSources[].id", &source.id).map_err(problem)?;
                if !ids.insert(source.id.clone()) {
                    return Err(format!("seed: data source {:?} appears twice", source.id));
                }
                if !domain
                    .projects
                    .iter()
                    .any(|project| project.id == source.project_id)
                {
                    return Err(format!(
                        "seed: data source {:?} names unknown project {:?}",
                        source.id, source.project_id
                    ));
                }
                for script in &source.runs {
                    script.check().map_err(problem)?;
                }
            }
            for script in domain
                .metadata_generation
                .targets
                .values()
                .chain([&domain.metadata_generation.default])
            {
                model::one_of(
                    "metadataGeneration.outcome",
                    &script.outcome,
                    &[
                        "SUCCEEDED",
                        "PARTIALLY_SUCCEEDED",
                        "FAILED",
                        "CANCELED",
                        "HANG",
                    ],
                )
                .map_err(problem)?;
            }
        }
        for operation in self.faults.rate_limits.keys() {
            if !crate::server::OPERATIONS.contains(&operation.as_str()) {
                return Err(format!(
                    "seed: rate limit for unknown operation {operation:?}"
                ));
            }
        }
        Ok(())
    }
}

impl RunScript {
    fn check(&self) -> Result<(), crate::api_error::ApiError> {
        model::one_of(
            "runs[].outcome",
            &self.outcome,
            &["SUCCESS", "PARTIALLY_SUCCEEDED", "FAILED"],
        )?;
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
            return Err(crate::api_error::ApiError::new(
                ErrorShape::Validation,
                "runs[]: durations must be zero or more seconds",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_seed_is_valid() {
        let seed = Seed::parse(SAMPLE_SEED).unwrap();
        assert!(!seed.domains.is_empty());
    }

    #[test]
    fn seeds_breaking_the_model_are_refused() {
        let bad = r#"{"domains": [{"id": "nope", "name": "x", "projects": []}]}"#;
        assert!(Seed::parse(bad).unwrap_err().contains("dzd"));
        let unknown_project = r#"{"domains": [{"id": "dzd_a", "name": "x", "projects": [],
            "dataSources": [{"id": "s", "name": "s", "projectId": "p"}]}]}"#;
        assert!(
            Seed::parse(unknown_project)
                .unwrap_err()
                .contains("unknown project")
        );
    }
}
