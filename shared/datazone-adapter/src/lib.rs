//! The [`DataZone`] port on `aws-sdk-datazone`: each port call is one SDK
//! call, each answer becomes the domain's types, each failure the domain's
//! error with its stable name.

mod answer_date;
mod answers;
pub mod client;

use aws_sdk_datazone::Client;
use aws_sdk_datazone::types as sdk;
use datazone_runs::Error;
use datazone_runs::model::data_source::{DataSourceSummary, ProjectSummary};
use datazone_runs::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize, ProjectId,
};
use datazone_runs::model::metadata_run::{
    MetadataGenerationRun, MetadataGenerationRunStatus, MetadataGenerationType,
};
use datazone_runs::model::run::{DataSourceRun, DataSourceRunStatus, DataSourceRunType};
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::{
    ActivitiesPageRequest, AssetActivity, DataSourcesPageRequest, DataZone, Page,
    PredictionsRequest, ProjectsPageRequest, RunsPageRequest, StartMetadataRequest,
    StartRunRequest,
};

use crate::answer_date::AnswerDate;
use crate::answers::{
    asset_statistics, data_source_run, lineage_import_status, map_sdk_error,
    metadata_generation_run, run_error, target, type_stat, unexpected_answer,
};

/// DataZone through the AWS SDK; cheap to clone (the client is shared).
#[derive(Debug, Clone)]
pub struct SdkDataZone {
    client: Client,
}

impl SdkDataZone {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// A client from the shared AWS configuration; built once per process.
    pub fn from_config(shared: &aws_config::SdkConfig) -> Self {
        Self::new(Client::new(shared))
    }
}

impl DataZone for SdkDataZone {
    async fn start_data_source_run(
        &self,
        request: &StartRunRequest,
    ) -> Result<DataSourceRun, Error> {
        let output = self
            .client
            .start_data_source_run()
            .domain_identifier(request.domain.as_str())
            .data_source_identifier(request.data_source.as_str())
            .client_token(&request.client_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(data_source_run!(
            &output,
            domain_id: output.domain_id().to_owned(),
            lineage: None,
            snapshot: output.data_source_configuration_snapshot().map(str::to_owned)
        ))
    }

    async fn get_data_source_run(
        &self,
        domain: &DomainId,
        run: &DataSourceRunId,
    ) -> Result<DataSourceRun, Error> {
        let answered = AnswerDate::default();
        let output = self
            .client
            .get_data_source_run()
            .domain_identifier(domain.as_str())
            .identifier(run.as_str())
            .customize()
            .interceptor(answered.clone())
            .send()
            .await
            .map_err(map_sdk_error)?;
        let mut run = data_source_run!(
            &output,
            domain_id: output.domain_id().to_owned(),
            lineage: output.lineage_summary().and_then(lineage_import_status),
            snapshot: output.data_source_configuration_snapshot().map(str::to_owned)
        );
        run.observed_at = answered.get();
        Ok(run)
    }

    async fn list_data_source_runs(
        &self,
        request: RunsPageRequest,
    ) -> Result<Page<DataSourceRun>, Error> {
        let output = self
            .client
            .list_data_source_runs()
            .domain_identifier(request.domain.as_str())
            .data_source_identifier(request.data_source.as_str())
            .set_status(
                request
                    .status
                    .as_ref()
                    .map(|status| sdk::DataSourceRunStatus::from(status.as_str())),
            )
            .set_max_results(request.max_results.map(|size| size.get()))
            .set_next_token(request.next_token.clone())
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(Page {
            items: output
                .items()
                .iter()
                .map(|summary| {
                    data_source_run!(
                        summary,
                        domain_id: request.domain.to_string(),
                        lineage: summary.lineage_summary().and_then(lineage_import_status),
                        snapshot: None
                    )
                })
                .collect(),
            next_token: output.next_token().map(str::to_owned),
        })
    }

    async fn get_metadata_generation_run(
        &self,
        domain: &DomainId,
        run: &MetadataGenerationRunId,
    ) -> Result<MetadataGenerationRun, Error> {
        let answered = AnswerDate::default();
        let output = self
            .client
            .get_metadata_generation_run()
            .domain_identifier(domain.as_str())
            .identifier(run.as_str())
            .customize()
            .interceptor(answered.clone())
            .send()
            .await
            .map_err(map_sdk_error)?;
        let mut run = metadata_generation_run!(
            &output,
            owning_project: output.owning_project_id().to_owned(),
            target: output.target().map(target),
            type_stats: output.type_stats().iter().map(type_stat).collect()
        );
        run.observed_at = answered.get();
        Ok(run)
    }

    async fn list_data_source_run_activities(
        &self,
        request: ActivitiesPageRequest,
    ) -> Result<Page<AssetActivity>, Error> {
        let output = self
            .client
            .list_data_source_run_activities()
            .domain_identifier(request.domain.as_str())
            .identifier(request.run.as_str())
            .max_results(i32::from(PageSize::MAX))
            .set_next_token(request.next_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(Page {
            items: output
                .items()
                .iter()
                .map(|activity| AssetActivity {
                    database: activity.database().to_owned(),
                    technical_name: activity.technical_name().to_owned(),
                    status: activity.data_asset_status().as_str().to_owned(),
                    asset_id: activity.data_asset_id().map(str::to_owned),
                })
                .collect(),
            next_token: output.next_token().map(str::to_owned),
        })
    }

    async fn start_metadata_generation_run(
        &self,
        request: &StartMetadataRequest,
    ) -> Result<MetadataGenerationRun, Error> {
        let target = sdk::MetadataGenerationRunTarget::builder()
            .r#type(sdk::MetadataGenerationTargetType::Asset)
            .identifier(&request.asset_id)
            .build()
            .map_err(|error| Error::invalid_input("target", error.to_string()))?;
        let output = self
            .client
            .start_metadata_generation_run()
            .domain_identifier(request.domain.as_str())
            .owning_project_identifier(request.owning_project.as_str())
            .target(target.clone())
            .set_types(Some(
                request
                    .types
                    .iter()
                    .map(|kind| sdk::MetadataGenerationRunType::from(kind.as_str()))
                    .collect(),
            ))
            .client_token(&request.client_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(metadata_generation_run!(
            &output,
            owning_project: output.owning_project_id().unwrap_or(request.owning_project.as_str()).to_owned(),
            target: Some(self::target(&target)),
            type_stats: Vec::new()
        ))
    }

    async fn accept_predictions(&self, request: &PredictionsRequest) -> Result<String, Error> {
        let rule = sdk::AcceptRule::builder()
            .rule(sdk::AcceptRuleBehavior::All)
            .set_threshold(request.threshold)
            .build();
        let output = self
            .client
            .accept_predictions()
            .domain_identifier(request.domain.as_str())
            .identifier(&request.asset_id)
            .accept_rule(rule)
            .client_token(&request.client_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(output.revision().to_owned())
    }

    async fn reject_predictions(&self, request: &PredictionsRequest) -> Result<String, Error> {
        let rule = sdk::RejectRule::builder()
            .rule(sdk::RejectRuleBehavior::All)
            .set_threshold(request.threshold)
            .build();
        let output = self
            .client
            .reject_predictions()
            .domain_identifier(request.domain.as_str())
            .identifier(&request.asset_id)
            .reject_rule(rule)
            .client_token(&request.client_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(output.asset_revision().to_owned())
    }

    async fn list_projects(
        &self,
        request: ProjectsPageRequest,
    ) -> Result<Page<ProjectSummary>, Error> {
        let output = self
            .client
            .list_projects()
            .domain_identifier(request.domain.as_str())
            .max_results(i32::from(PageSize::MAX))
            .set_next_token(request.next_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(Page {
            items: output
                .items()
                .iter()
                .map(|project| {
                    Ok(ProjectSummary {
                        id: ProjectId::parse("items[].id", project.id())
                            .map_err(unexpected_answer)?,
                        name: project.name().to_owned(),
                    })
                })
                .collect::<Result<_, Error>>()?,
            next_token: output.next_token().map(str::to_owned),
        })
    }

    async fn list_data_sources(
        &self,
        request: DataSourcesPageRequest,
    ) -> Result<Page<DataSourceSummary>, Error> {
        let output = self
            .client
            .list_data_sources()
            .domain_identifier(request.domain.as_str())
            .project_identifier(request.project.as_str())
            .max_results(i32::from(PageSize::MAX))
            .set_next_token(request.next_token)
            .send()
            .await
            .map_err(map_sdk_error)?;
        Ok(Page {
            items: output
                .items()
                .iter()
                .map(|source| {
                    Ok(DataSourceSummary {
                        id: DataSourceId::parse("items[].dataSourceId", source.data_source_id())
                            .map_err(unexpected_answer)?,
                        name: source.name().to_owned(),
                        source_type: source.r#type().to_owned(),
                        status: Some(source.status().as_str().to_owned()),
                        enable_setting: source
                            .enable_setting()
                            .map(|setting| setting.as_str().to_owned()),
                    })
                })
                .collect::<Result<_, Error>>()?,
            next_token: output.next_token().map(str::to_owned),
        })
    }
}
