//! The seed file: what exists in the emulated DataZone and how its runs go.

use std::collections::BTreeMap;

use serde::Deserialize;

mod scripts;

use crate::model;
use scripts::check_errors;
pub use scripts::{
    MetadataGenerationSeed, MetadataScript, Outcome, PastMetadataRunSeed, PastRuns, RunScript,
};

/// The seed the demo and the tests use unless told otherwise.
pub const SAMPLE_SEED: &str = include_str!("../../seed/sample.json");

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
    /// `DataSourceStatus` as ListDataSources reports it.
    #[serde(default = "default_data_source_status")]
    pub status: String,
    /// `EnableSetting`: `ENABLED` or `DISABLED`.
    #[serde(default = "default_enable_setting")]
    pub enable_setting: String,
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

fn default_data_source_type() -> String {
    "GLUE".into()
}

fn default_data_source_status() -> String {
    "READY".into()
}

fn default_enable_setting() -> String {
    "ENABLED".into()
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
    /// `{"afterRequests": N, "seconds": S}`: every request refused for S
    /// emulated seconds after the first N.
    #[serde(default)]
    pub outage: Option<crate::faults::Outage>,
    /// Probability by operation that a request answers 429 anyway.
    #[serde(default)]
    pub throttle_rates: BTreeMap<String, f64>,
    #[serde(default)]
    pub latency_jitter_ms: Option<u64>,
    /// Probability that an event is never delivered.
    #[serde(default)]
    pub drop_event_rate: Option<f64>,
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
                model::one_of(
                    "dataSources[].status",
                    &source.status,
                    model::DATA_SOURCE_STATUSES,
                )
                .map_err(problem)?;
                model::one_of(
                    "dataSources[].enableSetting",
                    &source.enable_setting,
                    &["ENABLED", "DISABLED"],
                )
                .map_err(problem)?;
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
            if !crate::model::OPERATIONS.contains(&operation.as_str()) {
                return Err(format!(
                    "seed: rate limit for unknown operation {operation:?}"
                ));
            }
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
    fn a_data_source_status_or_setting_outside_the_model_is_refused() {
        let source = |fields: &str| {
            format!(
                r#"{{"domains": [{{"id": "dzd_a", "name": "x", "projects": [{{"id": "p", "name": "p"}}],
                "dataSources": [{{"id": "s", "name": "s", "projectId": "p", {fields}}}]}}]}}"#
            )
        };
        assert!(
            Seed::parse(&source(
                r#""status": "RUNNING", "enableSetting": "DISABLED""#
            ))
            .is_ok()
        );
        let error = Seed::parse(&source(r#""status": "SLEEPY""#)).unwrap_err();
        assert!(error.contains("dataSources[].status"), "{error}");
        let error = Seed::parse(&source(r#""enableSetting": "MAYBE""#)).unwrap_err();
        assert!(error.contains("dataSources[].enableSetting"), "{error}");
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
