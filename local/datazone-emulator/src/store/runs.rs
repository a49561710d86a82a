//! Data source runs: StartDataSourceRun, GetDataSourceRun,
//! ListDataSourceRuns, ListDataSourceRunActivities. A run's status follows
//! from its creation time, its script and the clock.

use std::collections::VecDeque;

use serde_json::{Map, Value, json};

use super::{DAY_MILLIS, DomainState, RUNS_PER_DATA_SOURCE_PER_DAY, Store};
use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::authorization::{Access, Caller};
use crate::clock::{Millis, iso8601};
use crate::events::Transition;
use crate::model;
use crate::pagination::page_size;
use crate::request::{Request, enum_param, optional_string, page};
use crate::seed::{DataSourceSeed, Outcome, RunScript};

pub(super) struct RunRecord {
    pub(super) id: String,
    pub(super) domain_id: String,
    pub(super) data_source_id: String,
    pub(super) project_id: String,
    pub(super) run_type: &'static str,
    pub(super) created_at: Millis,
    pub(super) started_at: Millis,
    pub(super) stopped_at: Millis,
    pub(super) script: RunScript,
    pub(super) configuration_snapshot: String,
    pub(super) finish_reported: bool,
    /// Scripted GetDataSourceRun errors still to answer.
    pub(super) get_errors: VecDeque<String>,
}

impl RunRecord {
    /// The event of its end, once, when `now` is past it. Which event a
    /// status DataZone may add later would send is unknown: none.
    pub(super) fn finish(&mut self, now: Millis) -> Option<Transition> {
        if self.finish_reported || now < self.stopped_at {
            return None;
        }
        self.finish_reported = true;
        if matches!(self.script.outcome, Outcome::Undocumented { .. }) {
            return None;
        }
        let status = self.status_at(now).to_owned();
        let detail_type = if status == "FAILED" {
            "Data Source Run Failed"
        } else {
            "Data Source Run Succeeded"
        };
        Some(data_source_run_transition(self, detail_type, &status))
    }

    pub(super) fn status_at(&self, now: Millis) -> &str {
        if now < self.started_at {
            "REQUESTED"
        } else if now < self.stopped_at {
            "RUNNING"
        } else {
            self.script.outcome.status()
        }
    }

    pub(super) fn is_active_at(&self, now: Millis) -> bool {
        now < self.stopped_at
    }

    pub(super) fn updated_at(&self, now: Millis) -> Millis {
        [self.stopped_at, self.started_at, self.created_at]
            .into_iter()
            .find(|at| *at <= now)
            .unwrap_or(self.created_at)
    }

    /// `DataSourceRunSummary`: every required member, the rest once known.
    pub(super) fn summary(&self, now: Millis) -> Map<String, Value> {
        let status = self.status_at(now);
        let mut run = Map::new();
        run.insert("id".into(), json!(self.id));
        run.insert("dataSourceId".into(), json!(self.data_source_id));
        run.insert("type".into(), json!(self.run_type));
        run.insert("status".into(), json!(status));
        run.insert("projectId".into(), json!(self.project_id));
        run.insert("createdAt".into(), json!(iso8601(self.created_at)));
        run.insert("updatedAt".into(), json!(iso8601(self.updated_at(now))));
        if now >= self.started_at {
            run.insert("startedAt".into(), json!(iso8601(self.started_at)));
        }
        if now >= self.stopped_at {
            let stats = self.script.asset_statistics;
            run.insert("stoppedAt".into(), json!(iso8601(self.stopped_at)));
            run.insert(
                "runStatisticsForAssets".into(),
                json!({"added": stats.added, "updated": stats.updated, "unchanged": stats.unchanged,
                       "skipped": stats.skipped, "failed": stats.failed}),
            );
            if let Some(error) = &self.script.error {
                let mut message = Map::new();
                message.insert("errorType".into(), json!(error.error_type));
                if let Some(detail) = &error.error_detail {
                    message.insert("errorDetail".into(), json!(detail));
                }
                run.insert("errorMessage".into(), Value::Object(message));
            }
            if let Some(status) = &self.script.lineage_import_status {
                run.insert("lineageSummary".into(), json!({"importStatus": status}));
            }
        } else if self.script.lineage_import_status.is_some() && status == "RUNNING" {
            run.insert(
                "lineageSummary".into(),
                json!({"importStatus": "IN_PROGRESS"}),
            );
        }
        run
    }

    /// Start/GetDataSourceRunOutput: the summary plus domain and snapshot.
    pub(super) fn full(&self, now: Millis) -> Value {
        let mut run = self.summary(now);
        run.insert("domainId".into(), json!(self.domain_id));
        run.insert(
            "dataSourceConfigurationSnapshot".into(),
            json!(self.configuration_snapshot),
        );
        Value::Object(run)
    }
}

/// A data source run to record.
pub(super) struct NewRun {
    /// A fixed id (a seed's past run), else a generated one.
    pub(super) id: Option<String>,
    pub(super) run_type: &'static str,
    pub(super) script: RunScript,
    pub(super) created_at: Millis,
    /// Whether its finish is already past and needs no event.
    pub(super) finish_reported: bool,
}

impl Store {
    pub(super) fn add_run(
        &mut self,
        domain_id: &str,
        source: &DataSourceSeed,
        run: NewRun,
    ) -> usize {
        let NewRun {
            id,
            run_type,
            script,
            created_at,
            finish_reported,
        } = run;
        let id = id.unwrap_or_else(|| self.new_id());
        let started_at = created_at + crate::clock::millis(script.requested_seconds);
        let stopped_at = started_at + crate::clock::millis(script.running_seconds);
        let configuration_snapshot =
            json!({"type": source.data_source_type, "name": source.name}).to_string();
        let get_errors = script.get_errors.iter().cloned().collect();
        self.runs.push(RunRecord {
            id: id.clone(),
            domain_id: domain_id.to_owned(),
            data_source_id: source.id.clone(),
            project_id: source.project_id.clone(),
            run_type,
            created_at,
            started_at,
            stopped_at,
            script,
            configuration_snapshot,
            finish_reported,
            get_errors,
        });
        let index = self.runs.len() - 1;
        self.run_by_id.insert(id, index);
        index
    }

    pub fn start_data_source_run(
        &mut self,
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let data_source_id = request.param("dataSourceIdentifier");
        let body = &request.body()?;
        let client_token = optional_string(body, "clientToken")?;
        let domain = self.domain("domainIdentifier", domain_id)?;
        let source = Self::data_source(domain, "dataSourceIdentifier", data_source_id)?.clone();
        caller.require(&source.project_id, "StartDataSourceRun", Access::Change)?;
        let started = domain
            .runs_started
            .get(data_source_id)
            .copied()
            .unwrap_or(0);
        if let Some(domain) = self.domains.iter_mut().find(|d| d.seed.id == domain_id)
            && let Some(error) =
                DomainState::next_error(&mut domain.start_errors, &source.id, &source.start_errors)
        {
            return Err(ApiError::scripted(&error, "StartDataSourceRun"));
        }
        if let Some(token) = &client_token
            && let Some(index) = self.run_by_token.get(&(
                domain_id.to_owned(),
                data_source_id.to_owned(),
                token.clone(),
            ))
        {
            return Ok(self.runs[*index].full(now));
        }
        let runs_of_source = || {
            self.runs
                .iter()
                .filter(|run| run.data_source_id == data_source_id)
        };
        if let Some(active) = runs_of_source().find(|run| run.is_active_at(now)) {
            return Err(ApiError::conflict(format!(
                "data source {data_source_id:?} already has run {:?} in status {}",
                active.id,
                active.status_at(now)
            )));
        }
        let today = runs_of_source()
            .filter(|run| run.created_at > now - DAY_MILLIS)
            .count();
        if today >= RUNS_PER_DATA_SOURCE_PER_DAY {
            return Err(ApiError::new(
                ErrorShape::ServiceQuotaExceeded,
                format!(
                    "data source {data_source_id:?} reached its quota of {RUNS_PER_DATA_SOURCE_PER_DAY} runs per day"
                ),
            ));
        }
        let script = match source.runs.as_slice() {
            [] => RunScript::default(),
            scripts => scripts[started.min(scripts.len() - 1)].clone(),
        };
        let run = NewRun {
            id: None,
            run_type: "PRIORITIZED",
            script,
            created_at: now,
            finish_reported: false,
        };
        let index = self.add_run(domain_id, &source, run);
        if let Some(domain) = self
            .domains
            .iter_mut()
            .find(|domain| domain.seed.id == domain_id)
        {
            *domain
                .runs_started
                .entry(data_source_id.to_owned())
                .or_default() += 1;
        }
        if let Some(token) = client_token {
            self.run_by_token.insert(
                (domain_id.to_owned(), data_source_id.to_owned(), token),
                index,
            );
        }
        let run = &self.runs[index];
        self.pending.push(data_source_run_transition(
            run,
            "Data Source Run Triggered",
            "REQUESTED",
        ));
        Ok(run.full(now))
    }

    pub fn get_data_source_run(
        &mut self,
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let run_id = request.param("identifier");
        self.domain("domainIdentifier", domain_id)?;
        let index = self.run_index(domain_id, "identifier", run_id)?;
        let run = &mut self.runs[index];
        caller.require(&run.project_id, "GetDataSourceRun", Access::Read)?;
        if let Some(error) = run.get_errors.pop_front() {
            return Err(ApiError::scripted(&error, "GetDataSourceRun"));
        }
        Ok(run.full(now))
    }

    pub fn list_data_source_runs(
        &self,
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let data_source_id = request.param("dataSourceIdentifier");
        let query = &request.query;
        let status = enum_param(query, "status", model::DATA_SOURCE_RUN_STATUSES)?;
        let size = page_size(query.get("maxResults").map(String::as_str), 50)?;
        let domain = self.domain("domainIdentifier", domain_id)?;
        let source = Self::data_source(domain, "dataSourceIdentifier", data_source_id)?;
        caller.require(&source.project_id, "ListDataSourceRuns", Access::Read)?;
        let scope = format!(
            "ListDataSourceRuns/{domain_id}/{data_source_id}/{}",
            status.unwrap_or_default()
        );
        let runs = self
            .runs
            .iter()
            .rev()
            .filter(|run| run.domain_id == domain_id && run.data_source_id == data_source_id)
            .filter(|run| status.is_none_or(|status| run.status_at(now) == status))
            .map(|run| (run.id.clone(), Value::Object(run.summary(now))));
        page(query, size, &scope, runs)
    }

    pub fn list_data_source_run_activities(
        &self,
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let run_id = request.param("identifier");
        let query = &request.query;
        let status = enum_param(query, "status", model::DATA_ASSET_ACTIVITY_STATUSES)?;
        let size = page_size(query.get("maxResults").map(String::as_str), 50)?;
        self.domain("domainIdentifier", domain_id)?;
        let run = self.run(domain_id, "identifier", run_id)?;
        caller.require(&run.project_id, "ListDataSourceRunActivities", Access::Read)?;
        let finished = now >= run.stopped_at;
        let scope = format!(
            "ListDataSourceRunActivities/{domain_id}/{run_id}/{}",
            status.unwrap_or_default()
        );
        let activities = run
            .script
            .assets
            .iter()
            .enumerate()
            .filter(|_| finished)
            .filter(|(_, asset)| status.is_none_or(|status| asset.status == status))
            .map(|(index, asset)| {
                let mut activity = json!({
                    "database": asset.database,
                    "dataSourceRunId": run.id,
                    "technicalName": asset.technical_name,
                    "dataAssetStatus": asset.status,
                    "projectId": run.project_id,
                    "createdAt": iso8601(run.stopped_at),
                    "updatedAt": iso8601(run.stopped_at),
                });
                if let Some(asset_id) = &asset.asset_id {
                    activity["dataAssetId"] = json!(asset_id);
                }
                if let Some(error) = &asset.error {
                    activity["errorMessage"] =
                        json!({"errorType": error.error_type, "errorDetail": error.error_detail});
                }
                (index.to_string(), activity)
            });
        page(query, size, &scope, activities)
    }
}

fn data_source_run_transition(
    run: &RunRecord,
    detail_type: &'static str,
    status: &str,
) -> Transition {
    Transition {
        detail_type,
        domain_id: run.domain_id.clone(),
        resource_id: run.id.clone(),
        type_name: "DataSourceRunType",
        project_id: run.project_id.clone(),
        data: json!({"dataSourceId": run.data_source_id, "dataSourceRunType": run.run_type, "status": status}),
    }
}
