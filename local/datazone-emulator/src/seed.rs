//! The seed file: what exists in the emulated DataZone and how its runs go.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::api_error::{ApiError, ErrorShape};
use crate::model;

/// The seed the demo and the tests use unless told otherwise.
pub const SAMPLE_SEED: &str = include_str!("../seed/sample.json");

/// The access key of the sample seed's administrator: every DataZone
/// action, owner of its project. Any secret key goes with it.
pub const SAMPLE_ADMIN_ACCESS_KEY_ID: &str = "AKIDLOCALADMIN";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    pub domains: Vec<DomainSeed>,
    /// Who may call, with `--authorization enforce`.
    #[serde(default)]
    pub principals: Vec<PrincipalSeed>,
    #[serde(default)]
    pub faults: FaultSeed,
}

/// An IAM principal: the access key its requests are signed with, its ARN,
/// its identity-based policy, and its DataZone project memberships.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrincipalSeed {
    pub access_key_id: String,
    pub arn: String,
    /// An IAM policy document.
    pub policy: serde_json::Value,
    #[serde(default)]
    pub memberships: Vec<MembershipSeed>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MembershipSeed {
    pub project_id: String,
    /// A `UserDesignation`, e.g. `PROJECT_CONTRIBUTOR`.
    pub designation: String,
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
    #[serde(default)]
    pub past_metadata_generation_runs: Vec<PastMetadataRunSeed>,
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
    /// Errors the first StartDataSourceRun calls for this source answer, in
    /// order (model error shape names, e.g. `ThrottlingException`).
    #[serde(default)]
    pub start_errors: Vec<String>,
    /// Finished scheduled runs that exist before the emulator starts, one a
    /// day back from now (outside today's quota), for paging through.
    #[serde(default)]
    pub past_runs: PastRuns,
}

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

fn default_data_source_type() -> String {
    "GLUE".into()
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
    fn check(&self, field: &str, documented: &[&str], statuses: &[&str]) -> Result<(), ApiError> {
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
fn check_errors(field: &str, errors: &[String], operation: &str) -> Result<(), ApiError> {
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
        let mut projects = std::collections::HashSet::new();
        for domain in &self.domains {
            model::domain_id("domains[].id", &domain.id).map_err(problem)?;
            for project in &domain.projects {
                model::resource_id("projects[].id", &project.id).map_err(problem)?;
                // Memberships name projects alone, so project ids are unique.
                if !projects.insert(project.id.as_str()) {
                    return Err(format!("seed: project {:?} appears twice", project.id));
                }
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
                for (id, script) in source.past_runs.scripts() {
                    script.check().map_err(problem)?;
                    if let Some(id) = id {
                        model::resource_id("pastRuns[].id", &id).map_err(problem)?;
                        if !ids.insert(id.clone()) {
                            return Err(format!("seed: id {id:?} appears twice"));
                        }
                    }
                }
                check_errors(
                    "dataSources[].startErrors",
                    &source.start_errors,
                    "StartDataSourceRun",
                )
                .map_err(problem)?;
            }
            for script in domain
                .metadata_generation
                .targets
                .values()
                .chain([&domain.metadata_generation.default])
            {
                script
                    .outcome
                    .check(
                        "metadataGeneration.outcome",
                        &[
                            "SUCCEEDED",
                            "PARTIALLY_SUCCEEDED",
                            "FAILED",
                            "CANCELED",
                            "HANG",
                        ],
                        model::METADATA_GENERATION_RUN_STATUSES,
                    )
                    .map_err(problem)?;
                check_errors(
                    "metadataGeneration.startErrors",
                    &script.start_errors,
                    "StartMetadataGenerationRun",
                )
                .map_err(problem)?;
                check_errors(
                    "metadataGeneration.getErrors",
                    &script.get_errors,
                    "GetMetadataGenerationRun",
                )
                .map_err(problem)?;
            }
        }
        for domain in &self.domains {
            for past in &domain.past_metadata_generation_runs {
                model::resource_id("pastMetadataGenerationRuns[].id", &past.id).map_err(problem)?;
                if !ids.insert(past.id.clone()) {
                    return Err(format!("seed: id {:?} appears twice", past.id));
                }
                model::one_of(
                    "pastMetadataGenerationRuns[].outcome",
                    &past.outcome,
                    &["SUCCEEDED", "PARTIALLY_SUCCEEDED", "FAILED", "CANCELED"],
                )
                .map_err(problem)?;
                if !domain
                    .projects
                    .iter()
                    .any(|project| project.id == past.project_id)
                {
                    return Err(format!(
                        "seed: past metadata generation run {:?} names unknown project {:?}",
                        past.id, past.project_id
                    ));
                }
            }
        }
        for principal in &self.principals {
            for membership in &principal.memberships {
                if !projects.contains(membership.project_id.as_str()) {
                    return Err(format!(
                        "seed: principal {:?} is a member of unknown project {:?}",
                        principal.access_key_id, membership.project_id
                    ));
                }
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
    fn check(&self) -> Result<(), ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_seed_is_valid() {
        let seed = Seed::parse(SAMPLE_SEED).unwrap();
        assert!(!seed.domains.is_empty());
        assert!(
            seed.principals
                .iter()
                .any(|principal| principal.access_key_id == SAMPLE_ADMIN_ACCESS_KEY_ID)
        );
    }

    #[test]
    fn scripted_statuses_and_errors_must_make_sense() {
        let seed = |script: &str| {
            format!(
                r#"{{"domains": [{{"id": "dzd_a", "name": "x", "projects": [{{"id": "p", "name": "p"}}],
                "dataSources": [{{"id": "s", "name": "s", "projectId": "p", "runs": [{script}]}}]}}]}}"#
            )
        };
        assert!(Seed::parse(&seed(r#"{"outcome": {"undocumented": "CANCELLED"}, "getErrors": ["ThrottlingException"]}"#)).is_ok());
        for (script, problem) in [
            (r#"{"outcome": "CANCELLED"}"#, "runs[].outcome"),
            (
                r#"{"outcome": {"undocumented": "SUCCESS"}}"#,
                "model does not list",
            ),
            (r#"{"outcome": {"undocumented": "later"}}"#, "UPPER_CASE"),
            (
                r#"{"outcome": "SUCCESS", "getErrors": ["TeapotException"]}"#,
                "runs[].getErrors",
            ),
        ] {
            let error = Seed::parse(&seed(script)).unwrap_err();
            assert!(error.contains(problem), "{script}: {error}");
        }
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
