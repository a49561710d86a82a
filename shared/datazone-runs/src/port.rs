//! The calls the automation makes: to DataZone ([`DataZone`]), and to the
//! store that keeps harvest records ([`ReportStore`]), as two small traits,
//! and the resuming of a waiting execution ([`TaskCallback`]).
//!
//! `datazone-adapter` implements `DataZone` on `aws-sdk-datazone`, and
//! `report-store-s3` implements `ReportStore` on `aws-sdk-s3`; the
//! `testing` module (feature `test-support`) implements both in memory.
//! Ids and page sizes reach a port method as checked model types; the rest
//! of a request (client tokens, asset ids) is passed as given. Both traits
//! are implemented for `&T`, and `DataZone` for `Arc<T>` too, so a test
//! keeps its fake while a handler owns a reference to it.

use std::future::Future;
use std::sync::Arc;

use crate::Error;
use crate::model::data_source::{DataSourceSummary, ProjectSummary};
use crate::model::harvest::Harvest;
use crate::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize, ProjectId,
};
use crate::model::metadata_run::{MetadataGenerationRun, MetadataGenerationType};
use crate::model::run::{DataSourceRun, DataSourceRunStatus};

/// StartDataSourceRun.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunRequest {
    pub domain: DomainId,
    pub data_source: DataSourceId,
    /// Makes the call idempotent: the same token starts at most one run.
    pub client_token: String,
}

/// One page of a List operation: its items and the service's next token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
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

/// One ListProjects call: one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectsPageRequest {
    pub domain: DomainId,
    pub next_token: Option<String>,
}

/// One ListDataSources call: one page of a project's data sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSourcesPageRequest {
    pub domain: DomainId,
    pub project: ProjectId,
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

/// AcceptPredictions or RejectPredictions for one asset, by rule: every
/// prediction still suggested (`rule` ALL), or, accepting, only those whose
/// top choice's confidence is at or above `threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictionsRequest {
    pub domain: DomainId,
    pub asset_id: String,
    pub threshold: Option<f32>,
    /// Makes the call idempotent: the same token decides at most once.
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
        request: RunsPageRequest,
    ) -> impl Future<Output = Result<Page<DataSourceRun>, Error>> + Send;

    fn get_metadata_generation_run(
        &self,
        domain: &DomainId,
        run: &MetadataGenerationRunId,
    ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send;

    fn list_data_source_run_activities(
        &self,
        request: ActivitiesPageRequest,
    ) -> impl Future<Output = Result<Page<AssetActivity>, Error>> + Send;

    fn start_metadata_generation_run(
        &self,
        request: &StartMetadataRequest,
    ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send;

    fn list_projects(
        &self,
        request: ProjectsPageRequest,
    ) -> impl Future<Output = Result<Page<ProjectSummary>, Error>> + Send;

    fn list_data_sources(
        &self,
        request: DataSourcesPageRequest,
    ) -> impl Future<Output = Result<Page<DataSourceSummary>, Error>> + Send;

    /// AcceptPredictions: the asset's revision after the call.
    fn accept_predictions(
        &self,
        request: &PredictionsRequest,
    ) -> impl Future<Output = Result<String, Error>> + Send;

    /// RejectPredictions: the asset's revision after the call.
    fn reject_predictions(
        &self,
        request: &PredictionsRequest,
    ) -> impl Future<Output = Result<String, Error>> + Send;
}

/// Where harvest records are kept, by key (an S3 bucket in AWS); also
/// implemented for `&T`.
pub trait ReportStore: Send + Sync {
    /// The record under `key`, if one was saved.
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<Harvest>, Error>> + Send;

    fn save(&self, key: &str, harvest: &Harvest) -> impl Future<Output = Result<(), Error>> + Send;

    /// Keeps `page`, a harvest's HTML page, under `key`.
    fn save_page(&self, key: &str, page: &str) -> impl Future<Output = Result<(), Error>> + Send;

    /// Where the record under `key` is, for people (`s3://bucket/key`).
    fn location(&self, key: &str) -> String;

    /// The document under `key`, if one is there.
    fn read(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, Error>> + Send;

    /// Keeps the JSON document `body` under `key`, replacing what was there.
    fn write(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<(), Error>> + Send;

    /// Keeps the JSON document `body` under `key` only if nothing is there
    /// yet: `false` when something was, which is then left as it is.
    fn create(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<bool, Error>> + Send;

    /// Every key that begins with `prefix`, in order.
    fn keys(&self, prefix: &str) -> impl Future<Output = Result<Vec<String>, Error>> + Send;

    /// Removes what is under `key` (nothing there is no error).
    fn remove(&self, key: &str) -> impl Future<Output = Result<(), Error>> + Send;
}

/// Resumes an execution waiting on a task token (a Step Functions task of
/// the callback pattern); also implemented for `&T`.
pub trait TaskCallback: Send + Sync {
    /// SendTaskSuccess with `output` (JSON): `Resumed::Gone` when the task
    /// no longer waits (it was resumed already, or timed out).
    fn resume(
        &self,
        token: &str,
        output: &str,
    ) -> impl Future<Output = Result<Resumed, Error>> + Send;
}

/// What became of a resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumed {
    Resumed,
    /// The task had ended: someone resumed it first, or it timed out.
    Gone,
}

impl<T: TaskCallback> TaskCallback for &T {
    fn resume(
        &self,
        token: &str,
        output: &str,
    ) -> impl Future<Output = Result<Resumed, Error>> + Send {
        (**self).resume(token, output)
    }
}

impl<T: ReportStore> ReportStore for &T {
    fn load(&self, key: &str) -> impl Future<Output = Result<Option<Harvest>, Error>> + Send {
        (**self).load(key)
    }

    fn save(&self, key: &str, harvest: &Harvest) -> impl Future<Output = Result<(), Error>> + Send {
        (**self).save(key, harvest)
    }

    fn save_page(&self, key: &str, page: &str) -> impl Future<Output = Result<(), Error>> + Send {
        (**self).save_page(key, page)
    }

    fn location(&self, key: &str) -> String {
        (**self).location(key)
    }

    fn read(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, Error>> + Send {
        (**self).read(key)
    }

    fn write(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<(), Error>> + Send {
        (**self).write(key, body)
    }

    fn create(&self, key: &str, body: Vec<u8>) -> impl Future<Output = Result<bool, Error>> + Send {
        (**self).create(key, body)
    }

    fn keys(&self, prefix: &str) -> impl Future<Output = Result<Vec<String>, Error>> + Send {
        (**self).keys(prefix)
    }

    fn remove(&self, key: &str) -> impl Future<Output = Result<(), Error>> + Send {
        (**self).remove(key)
    }
}

/// Forwards every call to what `$target` gives.
macro_rules! forward {
    ($ty:ty, $target:ident => $inner:expr) => {
        impl<T: DataZone> DataZone for $ty {
            fn start_data_source_run(
                &self,
                request: &StartRunRequest,
            ) -> impl Future<Output = Result<DataSourceRun, Error>> + Send {
                let $target = self;
                $inner.start_data_source_run(request)
            }

            fn get_data_source_run(
                &self,
                domain: &DomainId,
                run: &DataSourceRunId,
            ) -> impl Future<Output = Result<DataSourceRun, Error>> + Send {
                let $target = self;
                $inner.get_data_source_run(domain, run)
            }

            fn list_data_source_runs(
                &self,
                request: RunsPageRequest,
            ) -> impl Future<Output = Result<Page<DataSourceRun>, Error>> + Send {
                let $target = self;
                $inner.list_data_source_runs(request)
            }

            fn get_metadata_generation_run(
                &self,
                domain: &DomainId,
                run: &MetadataGenerationRunId,
            ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send {
                let $target = self;
                $inner.get_metadata_generation_run(domain, run)
            }

            fn list_data_source_run_activities(
                &self,
                request: ActivitiesPageRequest,
            ) -> impl Future<Output = Result<Page<AssetActivity>, Error>> + Send {
                let $target = self;
                $inner.list_data_source_run_activities(request)
            }

            fn start_metadata_generation_run(
                &self,
                request: &StartMetadataRequest,
            ) -> impl Future<Output = Result<MetadataGenerationRun, Error>> + Send {
                let $target = self;
                $inner.start_metadata_generation_run(request)
            }

            fn list_projects(
                &self,
                request: ProjectsPageRequest,
            ) -> impl Future<Output = Result<Page<ProjectSummary>, Error>> + Send {
                let $target = self;
                $inner.list_projects(request)
            }

            fn list_data_sources(
                &self,
                request: DataSourcesPageRequest,
            ) -> impl Future<Output = Result<Page<DataSourceSummary>, Error>> + Send {
                let $target = self;
                $inner.list_data_sources(request)
            }

            fn accept_predictions(
                &self,
                request: &PredictionsRequest,
            ) -> impl Future<Output = Result<String, Error>> + Send {
                let $target = self;
                $inner.accept_predictions(request)
            }

            fn reject_predictions(
                &self,
                request: &PredictionsRequest,
            ) -> impl Future<Output = Result<String, Error>> + Send {
                let $target = self;
                $inner.reject_predictions(request)
            }
        }
    };
}

forward!(&T, this => (**this));
forward!(Arc<T>, this => this.as_ref());
