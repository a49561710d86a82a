//! An in-memory DataZone and report store behind the ports, for the tests
//! of the use cases and of the functions (feature `test-support`). Paging
//! is written once, here; a DataZone for the wire is `datazone-local`.
//!
//! Over 400 lines: one fake answers all eight port operations and the
//! scripting tests need (failures, races, statuses); split, one fake would
//! be spread over files that each need its whole state.

mod report_store;
mod samples;

pub use report_store::{MemoryCallback, MemoryReportStore};
pub use samples::{domain, metadata_run, run, source, sources_ended};

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::Error;
use crate::model::data_source::{DataSourceSummary, ProjectSummary};
use crate::model::ids::{DataSourceRunId, DomainId, MetadataGenerationRunId, ProjectId};
use crate::model::metadata_run::{
    MetadataGenerationRun, MetadataGenerationRunStatus, MetadataGenerationTarget,
};
use crate::model::run::{DataSourceRun, DataSourceRunStatus};
use crate::model::timestamp::Timestamp;
use crate::port::{
    ActivitiesPageRequest, AssetActivity, DataSourcesPageRequest, DataZone, Page,
    PredictionsRequest, ProjectsPageRequest, RunsPageRequest, StartMetadataRequest,
    StartRunRequest,
};

/// Pages are small so that listings cross page boundaries.
const DEFAULT_PAGE_SIZE: usize = 2;

/// One page of `items` from `token` (an offset), and the next page's token.
fn page<T: Clone>(items: &[T], token: Option<&str>, size: usize) -> (Vec<T>, Option<String>) {
    let start: usize = token.map_or(0, |token| token.parse().unwrap());
    let end = (start + size).min(items.len());
    (
        items[start..end].to_vec(),
        (end < items.len()).then(|| end.to_string()),
    )
}

#[derive(Default)]
struct State {
    /// Oldest first.
    runs: Vec<DataSourceRun>,
    tokens: HashMap<(String, String), String>,
    metadata_runs: HashMap<String, MetadataGenerationRun>,
    /// By data source run id.
    activities: HashMap<String, Vec<AssetActivity>>,
    /// Runs whose activities cannot be listed, by id.
    activity_failures: HashMap<String, Error>,
    metadata_tokens: HashMap<String, String>,
    metadata_failures: HashMap<String, Error>,
    start_failures: HashMap<String, Error>,
    /// Data sources whose next start finds a run started by someone else.
    races: HashSet<String>,
    calls: Vec<String>,
    /// The `nextToken` of every ListDataSourceRuns call, in order.
    run_page_tokens: Vec<Option<String>>,
    projects: Vec<ProjectSummary>,
    /// With the project that owns each.
    data_sources: Vec<(ProjectId, DataSourceSummary)>,
    /// Metadata generation runs started, in order.
    metadata_order: Vec<String>,
    /// Runs (of either kind) whose reading fails, by id.
    check_failures: HashMap<String, Error>,
    /// Projects whose data sources the caller may not list.
    denied_projects: HashSet<String>,
    /// Decisions made, by operation and client token: (asset, threshold,
    /// the revision answered).
    decisions: HashMap<(String, String), (String, Option<f32>, String)>,
    /// AcceptPredictions or RejectPredictions failures, by operation and asset.
    decision_failures: HashMap<(String, String), Error>,
    /// Whether GetDataSourceRun keeps its caller's stack.
    keeps_call_stack: bool,
    /// The stack of the last GetDataSourceRun call, when kept.
    get_run_stack: Option<std::backtrace::Backtrace>,
}

#[derive(Default)]
pub struct FakeDataZone {
    state: Mutex<State>,
}

impl FakeDataZone {
    /// `operation` (AcceptPredictions or RejectPredictions) fails for
    /// `asset_id` with `error` (`None`: no longer).
    pub fn fail_decisions_of(&self, operation: &str, asset_id: &str, error: Option<Error>) {
        let mut state = self.state.lock().unwrap();
        let key = (operation.to_owned(), asset_id.to_owned());
        match error {
            Some(error) => state.decision_failures.insert(key, error),
            None => state.decision_failures.remove(&key),
        };
    }

    /// The decisions made by `operation`, once per client token: (asset,
    /// threshold), sorted.
    pub fn decisions(&self, operation: &str) -> Vec<(String, Option<f32>)> {
        let state = self.state.lock().unwrap();
        let mut made: Vec<(String, Option<f32>)> = state
            .decisions
            .iter()
            .filter(|((op, _), _)| op == operation)
            .map(|(_, (asset, threshold, _))| (asset.clone(), *threshold))
            .collect();
        made.sort_by(|a, b| a.0.cmp(&b.0));
        made
    }

    /// The client tokens `operation` decided with, sorted.
    pub fn decision_tokens(&self, operation: &str) -> Vec<String> {
        let state = self.state.lock().unwrap();
        let mut tokens: Vec<String> = state
            .decisions
            .keys()
            .filter(|(op, _)| op == operation)
            .map(|(_, token)| token.clone())
            .collect();
        tokens.sort();
        tokens
    }

    fn decide(&self, operation: &str, request: &PredictionsRequest) -> Result<String, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push(operation.into());
        let failure = (operation.to_owned(), request.asset_id.clone());
        if let Some(error) = state.decision_failures.get(&failure) {
            return Err(error.clone());
        }
        let key = (operation.to_owned(), request.client_token.clone());
        if let Some((_, _, revision)) = state.decisions.get(&key) {
            return Ok(revision.clone());
        }
        let revision = (state.decisions.len() + 2).to_string();
        state.decisions.insert(
            key,
            (
                request.asset_id.clone(),
                request.threshold,
                revision.clone(),
            ),
        );
        Ok(revision)
    }

    /// Keeps the stack of each GetDataSourceRun call from now on: the files
    /// a request goes through to reach DataZone.
    pub fn keep_call_stacks(&self) {
        self.state.lock().unwrap().keeps_call_stack = true;
    }

    /// The stack of the last GetDataSourceRun call, as text, when kept.
    pub fn last_get_run_stack(&self) -> Option<String> {
        let state = self.state.lock().unwrap();
        state.get_run_stack.as_ref().map(ToString::to_string)
    }

    pub fn with_runs(runs: Vec<DataSourceRun>) -> Self {
        let fake = Self::default();
        fake.state.lock().unwrap().runs = runs;
        fake
    }

    pub fn add_metadata_run(&self, run: MetadataGenerationRun) {
        self.state
            .lock()
            .unwrap()
            .metadata_runs
            .insert(run.id.clone(), run);
    }

    pub fn add_activities(&self, run_id: &str, activities: Vec<AssetActivity>) {
        self.state
            .lock()
            .unwrap()
            .activities
            .insert(run_id.into(), activities);
    }

    /// Makes listing the activities of `run_id` fail with `error`
    /// (`None`: succeed again).
    pub fn fail_activities_of(&self, run_id: &str, error: Option<Error>) {
        let mut state = self.state.lock().unwrap();
        match error {
            Some(error) => state.activity_failures.insert(run_id.into(), error),
            None => state.activity_failures.remove(run_id),
        };
    }

    /// Makes starting metadata generation for `asset_id` succeed again.
    pub fn stop_failing_metadata_generation_for(&self, asset_id: &str) {
        self.state
            .lock()
            .unwrap()
            .metadata_failures
            .remove(asset_id);
    }

    pub fn fail_metadata_generation_for(&self, asset_id: &str, error: Error) {
        self.state
            .lock()
            .unwrap()
            .metadata_failures
            .insert(asset_id.into(), error);
    }

    pub fn metadata_runs(&self) -> Vec<MetadataGenerationRun> {
        self.state
            .lock()
            .unwrap()
            .metadata_runs
            .values()
            .cloned()
            .collect()
    }

    pub fn fail_starts_of(&self, data_source: &str, error: Error) {
        self.state
            .lock()
            .unwrap()
            .start_failures
            .insert(data_source.into(), error);
    }

    pub fn stop_failing_starts_of(&self, data_source: &str) {
        self.state
            .lock()
            .unwrap()
            .start_failures
            .remove(data_source);
    }

    pub fn race_next_start_of(&self, data_source: &str) {
        self.state.lock().unwrap().races.insert(data_source.into());
    }

    pub fn set_status(&self, run_id: &str, status: &str) {
        let mut state = self.state.lock().unwrap();
        let run = state.runs.iter_mut().find(|run| run.id == run_id).unwrap();
        run.status = DataSourceRunStatus::from_wire(status);
    }

    /// Sets what a data source run reports once finished.
    pub fn finish_run(
        &self,
        run_id: &str,
        status: &str,
        statistics: crate::model::run::AssetStatistics,
    ) {
        let mut state = self.state.lock().unwrap();
        let run = state.runs.iter_mut().find(|run| run.id == run_id).unwrap();
        run.status = DataSourceRunStatus::from_wire(status);
        run.asset_statistics = Some(statistics);
    }

    /// Makes a run look started `seconds_ago`.
    pub fn set_started_seconds_ago(&self, run_id: &str, seconds_ago: i64) {
        let mut state = self.state.lock().unwrap();
        let run = state.runs.iter_mut().find(|run| run.id == run_id).unwrap();
        run.started_at = Some(Timestamp::from_epoch_millis(
            Timestamp::now().epoch_millis() - seconds_ago * 1000,
        ));
    }

    /// Makes reading `run_id` fail with `error` (`None`: succeed again).
    pub fn fail_checks_of(&self, run_id: &str, error: Option<Error>) {
        let mut state = self.state.lock().unwrap();
        match error {
            Some(error) => state.check_failures.insert(run_id.into(), error),
            None => state.check_failures.remove(run_id),
        };
    }

    pub fn set_metadata_status(&self, run_id: &str, status: &str) {
        let mut state = self.state.lock().unwrap();
        let run = state.metadata_runs.get_mut(run_id).unwrap();
        run.status = Some(MetadataGenerationRunStatus::from_wire(status));
    }

    /// Metadata generation run ids, in the order they were started.
    pub fn metadata_run_ids(&self) -> Vec<String> {
        self.state.lock().unwrap().metadata_order.clone()
    }

    pub fn deny_listing_of(&self, project: &str) {
        self.state
            .lock()
            .unwrap()
            .denied_projects
            .insert(project.into());
    }

    pub fn add_project(&self, id: &str) {
        self.state.lock().unwrap().projects.push(ProjectSummary {
            id: ProjectId::parse("id", id).unwrap(),
            name: format!("project {id}"),
        });
    }

    /// Adds a data source of `project`; `status` and `enable_setting` as
    /// ListDataSources reports them.
    pub fn add_data_source(
        &self,
        project: &str,
        id: &str,
        name: &str,
        source_type: &str,
        status: &str,
        enable_setting: &str,
    ) {
        self.state.lock().unwrap().data_sources.push((
            ProjectId::parse("projectIdentifier", project).unwrap(),
            DataSourceSummary {
                id: source(id),
                name: name.into(),
                source_type: source_type.into(),
                status: Some(status.into()),
                enable_setting: Some(enable_setting.into()),
            },
        ));
    }

    pub fn runs(&self) -> Vec<DataSourceRun> {
        self.state.lock().unwrap().runs.clone()
    }

    /// The `nextToken` of every ListDataSourceRuns call, in order.
    pub fn run_page_tokens(&self) -> Vec<Option<String>> {
        self.state.lock().unwrap().run_page_tokens.clone()
    }

    /// Calls of any operation.
    pub fn all_calls(&self) -> usize {
        self.state.lock().unwrap().calls.len()
    }

    pub fn calls(&self, operation: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .calls
            .iter()
            .filter(|call| *call == operation)
            .count()
    }
}

impl DataZone for FakeDataZone {
    async fn start_data_source_run(
        &self,
        request: &StartRunRequest,
    ) -> Result<DataSourceRun, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("StartDataSourceRun".into());
        let source = request.data_source.to_string();
        if let Some(error) = state.start_failures.get(&source) {
            return Err(error.clone());
        }
        let key = (source.clone(), request.client_token.clone());
        if let Some(id) = state.tokens.get(&key) {
            return Ok(state.runs.iter().find(|run| &run.id == id).unwrap().clone());
        }
        if state.races.remove(&source) {
            let id = format!("other-{}", state.runs.len());
            state.runs.push(run(&id, &source, "RUNNING"));
            return Err(Error::Conflict("a run is already active".into()));
        }
        // As DataZone: a source with a run active starts no other.
        if state.runs.iter().any(|run| {
            run.data_source_id.as_str() == source
                && matches!(
                    run.status,
                    DataSourceRunStatus::Requested | DataSourceRunStatus::Running
                )
        }) {
            return Err(Error::Conflict("a run is already active".into()));
        }
        let id = format!("run-{}", state.runs.len());
        let created = run(&id, &source, "REQUESTED");
        state.runs.push(created.clone());
        state.tokens.insert(key, id);
        Ok(created)
    }

    async fn get_data_source_run(
        &self,
        _domain: &DomainId,
        run: &DataSourceRunId,
    ) -> Result<DataSourceRun, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("GetDataSourceRun".into());
        if state.keeps_call_stack {
            state.get_run_stack = Some(std::backtrace::Backtrace::force_capture());
        }
        if let Some(error) = state.check_failures.get(run.as_str()) {
            return Err(error.clone());
        }
        state
            .runs
            .iter()
            .find(|known| known.id == run.as_str())
            .cloned()
            .ok_or_else(|| Error::ResourceNotFound(format!("run {run}")))
    }

    /// Pages are cut from every run of the source, newest first, and then
    /// filtered by status, so a filtered page can be empty and still have a
    /// next one, as a service that filters after paging answers.
    async fn list_data_source_runs(
        &self,
        request: RunsPageRequest,
    ) -> Result<Page<DataSourceRun>, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("ListDataSourceRuns".into());
        state.run_page_tokens.push(request.next_token.clone());
        let of_source: Vec<DataSourceRun> = state
            .runs
            .iter()
            .rev()
            .filter(|run| run.data_source_id == request.data_source.as_str())
            .cloned()
            .collect();
        let size = request
            .max_results
            .map_or(DEFAULT_PAGE_SIZE, |size| size.get() as usize);
        let (items, next_token) = page(&of_source, request.next_token.as_deref(), size);
        Ok(Page {
            items: items
                .into_iter()
                .filter(|run| {
                    request
                        .status
                        .as_ref()
                        .is_none_or(|status| &run.status == status)
                })
                .collect(),
            next_token,
        })
    }

    async fn get_metadata_generation_run(
        &self,
        _domain: &DomainId,
        run: &MetadataGenerationRunId,
    ) -> Result<MetadataGenerationRun, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("GetMetadataGenerationRun".into());
        if let Some(error) = state.check_failures.get(run.as_str()) {
            return Err(error.clone());
        }
        state
            .metadata_runs
            .get(run.as_str())
            .cloned()
            .ok_or_else(|| Error::ResourceNotFound(format!("metadata generation run {run}")))
    }

    async fn list_data_source_run_activities(
        &self,
        request: ActivitiesPageRequest,
    ) -> Result<Page<AssetActivity>, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("ListDataSourceRunActivities".into());
        if let Some(error) = state.activity_failures.get(request.run.as_str()) {
            return Err(error.clone());
        }
        let all = state
            .activities
            .get(request.run.as_str())
            .cloned()
            .unwrap_or_default();
        let (items, next_token) = page(&all, request.next_token.as_deref(), DEFAULT_PAGE_SIZE);
        Ok(Page { items, next_token })
    }

    async fn start_metadata_generation_run(
        &self,
        request: &StartMetadataRequest,
    ) -> Result<MetadataGenerationRun, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("StartMetadataGenerationRun".into());
        if let Some(error) = state.metadata_failures.get(&request.asset_id) {
            return Err(error.clone());
        }
        if let Some(id) = state.metadata_tokens.get(&request.client_token) {
            return Ok(state.metadata_runs[id].clone());
        }
        let id = format!("mg-{}", state.metadata_runs.len());
        let run = MetadataGenerationRun {
            domain_id: request.domain.to_string(),
            owning_project_id: request.owning_project.to_string(),
            target: Some(MetadataGenerationTarget {
                target_type: "ASSET".into(),
                identifier: request.asset_id.clone(),
                revision: None,
            }),
            types: request.types.clone(),
            ..metadata_run(&id, Some("IN_PROGRESS"))
        };
        state.metadata_runs.insert(id.clone(), run.clone());
        state.metadata_order.push(id.clone());
        state
            .metadata_tokens
            .insert(request.client_token.clone(), id);
        Ok(run)
    }

    async fn accept_predictions(&self, request: &PredictionsRequest) -> Result<String, Error> {
        self.decide("AcceptPredictions", request)
    }

    async fn reject_predictions(&self, request: &PredictionsRequest) -> Result<String, Error> {
        self.decide("RejectPredictions", request)
    }

    async fn list_projects(
        &self,
        request: ProjectsPageRequest,
    ) -> Result<Page<ProjectSummary>, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("ListProjects".into());
        let (items, next_token) = page(
            &state.projects,
            request.next_token.as_deref(),
            DEFAULT_PAGE_SIZE,
        );
        Ok(Page { items, next_token })
    }

    async fn list_data_sources(
        &self,
        request: DataSourcesPageRequest,
    ) -> Result<Page<DataSourceSummary>, Error> {
        let mut state = self.state.lock().unwrap();
        state.calls.push("ListDataSources".into());
        if state.denied_projects.contains(request.project.as_str()) {
            return Err(Error::AccessDenied(format!(
                "User is not permitted to perform operation: ListDataSources on project {}",
                request.project
            )));
        }
        let of_project: Vec<DataSourceSummary> = state
            .data_sources
            .iter()
            .filter(|(project, _)| project == &request.project)
            .map(|(_, source)| source.clone())
            .collect();
        let (items, next_token) = page(
            &of_project,
            request.next_token.as_deref(),
            DEFAULT_PAGE_SIZE,
        );
        Ok(Page { items, next_token })
    }
}
