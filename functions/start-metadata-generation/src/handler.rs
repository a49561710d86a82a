//! The handler: the finished run named, the assets it added or updated,
//! one metadata generation start each.

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, DomainId, ProjectId};
use datazone_runs::port::DataZone;
use datazone_runs::usecase::metadata::{
    AssetStart, MetadataPlan, MetadataStartAction, enriched_assets, start_metadata_generation,
};
use function_runtime::payload::{Payload, parse};
use function_runtime::serve::{Handler, Invocation};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::config::StartMetadataConfig;

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
            let assets = enriched_assets(&self.datazone, &domain, &run).await?;
            let plan = MetadataPlan {
                domain: &domain,
                owning_project: &project,
                trigger_id: &input.execution_id,
                types: &self.config.types,
                concurrency: self.config.concurrency,
            };
            let runs = start_metadata_generation(&self.datazone, &plan, assets).await;
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
