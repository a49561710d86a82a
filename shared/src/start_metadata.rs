//! Starts metadata generation (business descriptions by default) for the
//! assets a finished data source run added or updated.

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::Error;
use crate::config::{env_number, env_string};
use crate::error::ErrorReport;
use crate::ids::{DataSourceRunId, DomainId, ProjectId};
use crate::lambda::{Handler, Invocation};
use crate::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationType};
use crate::payload::{Payload, parse};
use crate::port::{ActivitiesPageRequest, AssetActivity, DataZone, StartMetadataRequest};
use crate::token::metadata_generation_token;

/// Activity statuses of assets a run created or changed: the ones worth enriching.
const ENRICHED_ACTIVITY_STATUSES: &[&str] = &["SUCCEEDED_CREATED", "SUCCEEDED_UPDATED"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartMetadataConfig {
    pub types: Vec<MetadataGenerationType>,
    pub concurrency: usize,
}

impl StartMetadataConfig {
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// `METADATA_GENERATION_TYPES` (one or two, comma separated; default
    /// `BUSINESS_DESCRIPTIONS`) and `METADATA_START_CONCURRENCY`.
    pub fn from_env() -> Result<Self, Error> {
        let types = env_string("METADATA_GENERATION_TYPES", "BUSINESS_DESCRIPTIONS");
        Ok(Self {
            types: parse_types(&types)?,
            concurrency: env_number(
                "METADATA_START_CONCURRENCY",
                Self::DEFAULT_CONCURRENCY,
                1,
                10,
            )?,
        })
    }
}

fn parse_types(list: &str) -> Result<Vec<MetadataGenerationType>, Error> {
    let mut types: Vec<MetadataGenerationType> = list
        .split(',')
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
        .map(MetadataGenerationType::from_wire)
        .collect();
    types.dedup();
    let unknown = types
        .iter()
        .find(|kind| matches!(kind, MetadataGenerationType::Unknown(_)));
    if let Some(unknown) = unknown {
        return Err(Error::invalid_configuration(
            "METADATA_GENERATION_TYPES",
            format!(
                "{unknown} is not one of {}",
                MetadataGenerationType::DOCUMENTED.join(", ")
            ),
        ));
    }
    if !(1..=2).contains(&types.len()) {
        return Err(Error::invalid_configuration(
            "METADATA_GENERATION_TYPES",
            "must name one or two types",
        ));
    }
    Ok(types)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartMetadataInput {
    domain_id: String,
    /// The data source run whose imported assets are enriched.
    run_id: String,
    /// The project owning those assets (the run's `projectId`).
    project_id: String,
    execution_id: String,
    #[serde(default)]
    data_source_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataStartAction {
    Started,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetStart {
    pub asset_id: String,
    pub technical_name: String,
    pub action: MetadataStartAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MetadataGenerationRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartMetadataOutput {
    pub domain_id: DomainId,
    pub data_source_run_id: DataSourceRunId,
    /// One entry per asset the run added or updated.
    pub runs: Vec<AssetStart>,
    pub started: usize,
    pub failed: usize,
}

pub struct StartMetadata<D> {
    datazone: D,
    config: StartMetadataConfig,
}

impl<D: DataZone> StartMetadata<D> {
    pub fn new(datazone: D, config: StartMetadataConfig) -> Self {
        Self { datazone, config }
    }

    /// The DataZone this handler talks to.
    pub fn datazone(&self) -> &D {
        &self.datazone
    }

    /// Every asset the run created or updated, once each, in listing order.
    async fn enriched_assets(
        &self,
        domain: &DomainId,
        run: &DataSourceRunId,
    ) -> Result<Vec<AssetActivity>, Error> {
        let mut assets: Vec<AssetActivity> = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .datazone
                .list_data_source_run_activities(&ActivitiesPageRequest {
                    domain: domain.clone(),
                    run: run.clone(),
                    next_token: next_token.clone(),
                })
                .await?;
            for activity in page.items {
                let enriched = ENRICHED_ACTIVITY_STATUSES.contains(&activity.status.as_str());
                let seen = assets
                    .iter()
                    .any(|known| known.asset_id == activity.asset_id);
                if enriched && activity.asset_id.is_some() && !seen {
                    assets.push(activity);
                }
            }
            match page.next_token {
                Some(token) if Some(&token) != next_token.as_ref() => next_token = Some(token),
                Some(_) => {
                    return Err(Error::UnexpectedResponse(
                        "ListDataSourceRunActivities returned the token it was given".into(),
                    ));
                }
                None => return Ok(assets),
            }
        }
    }

    async fn start_one(
        &self,
        domain: &DomainId,
        project: &ProjectId,
        trigger_id: &str,
        activity: AssetActivity,
    ) -> AssetStart {
        let asset_id = activity.asset_id.unwrap_or_default();
        let request = StartMetadataRequest {
            domain: domain.clone(),
            owning_project: project.clone(),
            client_token: metadata_generation_token(
                trigger_id,
                domain,
                &asset_id,
                &self.config.types,
            ),
            asset_id: asset_id.clone(),
            types: self.config.types.clone(),
        };
        let (action, metadata_run_id, status, error) = match self
            .datazone
            .start_metadata_generation_run(&request)
            .await
        {
            Ok(run) => {
                tracing::info!(metadata_run_id = %run.id, "metadata generation started");
                (MetadataStartAction::Started, Some(run.id), run.status, None)
            }
            Err(error) => {
                tracing::warn!(error_name = error.name(), error = %error, "metadata generation not started");
                (
                    MetadataStartAction::Failed,
                    None,
                    None,
                    Some(ErrorReport::from(&error)),
                )
            }
        };
        AssetStart {
            asset_id,
            technical_name: activity.technical_name,
            action,
            metadata_run_id,
            status,
            error,
        }
    }
}

impl<D: DataZone> Handler for StartMetadata<D> {
    type Output = StartMetadataOutput;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<StartMetadataOutput, Error> {
        let input: StartMetadataInput = parse(serde_json::Value::Object(payload.into_object()?))?;
        let domain = DomainId::parse("domainId", input.domain_id)?;
        let run = DataSourceRunId::parse("runId", input.run_id)?;
        let project = ProjectId::parse("projectId", input.project_id)?;
        if input.execution_id.is_empty() {
            return Err(Error::invalid_input("executionId", "must not be empty"));
        }
        let span = tracing::info_span!(
            "start_metadata",
            domain_id = %domain,
            run_id = %run,
            data_source_id = input.data_source_id.as_deref(),
            execution_id = %input.execution_id,
        );
        async {
            let assets = self.enriched_assets(&domain, &run).await?;
            let runs: Vec<AssetStart> = futures::stream::iter(assets)
                .map(|activity| {
                    let span = tracing::info_span!(
                        "asset",
                        asset_id = activity.asset_id.as_deref().unwrap_or_default()
                    );
                    self.start_one(&domain, &project, &input.execution_id, activity)
                        .instrument(span)
                })
                .buffered(self.config.concurrency)
                .collect()
                .await;
            let started = runs
                .iter()
                .filter(|run| run.action == MetadataStartAction::Started)
                .count();
            tracing::info!(
                started,
                failed = runs.len() - started,
                "metadata generation requested"
            );
            Ok(StartMetadataOutput {
                failed: runs.len() - started,
                started,
                domain_id: domain.clone(),
                data_source_run_id: run.clone(),
                runs,
            })
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_types_are_one_or_two_documented_ones() {
        assert_eq!(parse_types("BUSINESS_DESCRIPTIONS").unwrap().len(), 1);
        assert_eq!(
            parse_types("BUSINESS_DESCRIPTIONS, BUSINESS_NAMES")
                .unwrap()
                .len(),
            2
        );
        for bad in [
            "",
            "SUMMARIES",
            "BUSINESS_NAMES,BUSINESS_DESCRIPTIONS,BUSINESS_GLOSSARY_ASSOCIATIONS",
        ] {
            assert_eq!(
                parse_types(bad).unwrap_err().name(),
                "InvalidConfiguration",
                "{bad:?}"
            );
        }
    }
}
