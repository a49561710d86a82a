//! The DataZone calls the functions make, as a small trait.
//!
//! [`crate::adapter::SdkDataZone`] implements it on `aws-sdk-datazone`; tests
//! implement it in memory. Inputs are already checked against the model
//! when they reach a port method.

use std::future::Future;

use crate::Error;
use crate::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize, ProjectId,
};
use crate::metadata_run::{MetadataGenerationRun, MetadataGenerationType};
use crate::run::{DataSourceRun, DataSourceRunStatus};

/// StartDataSourceRun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunRequest {
    pub domain: DomainId,
    pub data_source: DataSourceId,
    /// Makes the call idempotent: the same token starts at most one run.
    pub client_token: String,
}

/// One ListDataSourceRuns call: one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunsPageRequest {
    pub domain: DomainId,
    pub data_source: DataSourceId,
    pub status: Option<DataSourceRunStatus>,
    pub max_results: Option<PageSize>,
    pub next_token: Option<String>,
}

/// One page of ListDataSourceRuns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunsPage {
    pub items: Vec<DataSourceRun>,
    pub next_token: Option<String>,
}

/// One ListDataSourceRunActivities call: one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitiesPageRequest {
    pub domain: DomainId,
    pub run: DataSourceRunId,
    pub next_token: Option<String>,
}

/// What one data source run did to one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetActivity {
    pub database: String,
    pub technical_name: String,
    /// `DataAssetActivityStatus`, e.g. `SUCCEEDED_CREATED`.
    pub status: String,
    pub asset_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivitiesPage {
    pub items: Vec<AssetActivity>,
    pub next_token: Option<String>,
}

/// StartMetadataGenerationRun for one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartMetadataRequest {
    pub domain: DomainId,
    pub owning_project: ProjectId,
    pub asset_id: String,
    pub types: Vec<MetadataGenerationType>,
    pub client_token: String,
}

pub trait DataZone: Send + Sync {
    fn start_data_source_run(
        &self,
        request: &StartRunRequest,
    ) -> impl Future<Output = Result<DataSourceRun, Error>> + Send;

    fn get_data_source_run(
        &self,
        domain: &DomainId,
        run: &DataSourceRunId,
    ) -> impl Future<Output = Result<DataSourceRun, Error>> + Send;

    fn list_data_source_runs(
        &self,
        request: &RunsPageRequest,
    ) -> impl Future<Output = Result<RunsPage, Error>> + Send;

    fn get_metadata_generation_run(
        &self,
        domain: &DomainId,
        run: &MetadataGenerationRunId,
    ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send;

    fn list_data_source_run_activities(
        &self,
        request: &ActivitiesPageRequest,
    ) -> impl Future<Output = Result<ActivitiesPage, Error>> + Send;

    fn start_metadata_generation_run(
        &self,
        request: &StartMetadataRequest,
    ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send;
}
