//! The emulated service's state and its operations.
//!
//! Statuses are not stored: they follow from a run's creation time, its
//! script and the clock, so every read agrees with every other. What is
//! stored is what happened (runs, tokens, cancellations) and which events
//! were already emitted.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::authorization::{Access, Caller};
use crate::clock::{Clock, Millis, epoch_seconds, iso8601};
use crate::model;
use crate::pagination::{page_size, paginate};
use crate::seed::{
    DataSourceSeed, DomainSeed, MetadataScript, Outcome, PastMetadataRunSeed, RunScript, Seed,
};

/// The documented quota of data source runs per data source per day.
pub const RUNS_PER_DATA_SOURCE_PER_DAY: usize = 25;
const DAY_MILLIS: Millis = 24 * 60 * 60 * 1000;
const ACTIVITY_STATUSES_WITH_ASSETS: &[&str] = &[
    "SUCCEEDED_CREATED",
    "SUCCEEDED_UPDATED",
    "SKIPPED_ALREADY_IMPORTED",
    "UNCHANGED",
];

/// Query string parameters of one request.
pub type Query = BTreeMap<String, String>;

struct DomainState {
    seed: DomainSeed,
    created_at: Millis,
    /// Runs started so far per data source: picks the next run's script.
    runs_started: HashMap<String, usize>,
    /// Scripted StartDataSourceRun errors still to answer, per data source.
    start_errors: HashMap<String, VecDeque<String>>,
    /// Scripted StartMetadataGenerationRun errors still to answer, per target.
    metadata_start_errors: HashMap<String, VecDeque<String>>,
}

impl DomainState {
    /// The next scripted error of `queue`, if any is left.
    fn next_error(
        queues: &mut HashMap<String, VecDeque<String>>,
        key: &str,
        scripted: &[String],
    ) -> Option<String> {
        queues
            .entry(key.to_owned())
            .or_insert_with(|| scripted.iter().cloned().collect())
            .pop_front()
    }
}

struct RunRecord {
    id: String,
    domain_id: String,
    data_source_id: String,
    project_id: String,
    run_type: &'static str,
    created_at: Millis,
    started_at: Millis,
    stopped_at: Millis,
    script: RunScript,
    configuration_snapshot: String,
    finish_reported: bool,
    /// Scripted GetDataSourceRun errors still to answer.
    get_errors: VecDeque<String>,
}

impl RunRecord {
    fn status_at(&self, now: Millis) -> &str {
        if now < self.started_at {
            "REQUESTED"
        } else if now < self.stopped_at {
            "RUNNING"
        } else {
            self.script.outcome.status()
        }
    }

    fn is_active_at(&self, now: Millis) -> bool {
        now < self.stopped_at
    }

    fn updated_at(&self, now: Millis) -> Millis {
        [self.stopped_at, self.started_at, self.created_at]
            .into_iter()
            .find(|at| *at <= now)
            .unwrap_or(self.created_at)
    }

    /// `DataSourceRunSummary`: every required member, the rest once known.
    fn summary(&self, now: Millis) -> Map<String, Value> {
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
    fn full(&self, now: Millis) -> Value {
        let mut run = self.summary(now);
        run.insert("domainId".into(), json!(self.domain_id));
        run.insert(
            "dataSourceConfigurationSnapshot".into(),
            json!(self.configuration_snapshot),
        );
        Value::Object(run)
    }
}

struct MetadataRecord {
    id: String,
    domain_id: String,
    owning_project_id: String,
    target_identifier: String,
    target_revision: Option<String>,
    types: Vec<String>,
    created_at: Millis,
    finishes_at: Millis,
    script: MetadataScript,
    canceled_at: Option<Millis>,
    finish_reported: bool,
    /// Scripted GetMetadataGenerationRun errors still to answer.
    get_errors: VecDeque<String>,
}

impl MetadataRecord {
    /// Runs start IN_PROGRESS: the SDK's model marks SUBMITTED deprecated.
    fn status_at(&self, now: Millis) -> &str {
        match self.canceled_at {
            Some(canceled) if canceled <= now => "CANCELED",
            _ if now < self.finishes_at || self.script.outcome.status() == "HANG" => "IN_PROGRESS",
            _ => self.script.outcome.status(),
        }
    }

    fn is_terminal_at(&self, now: Millis) -> bool {
        self.status_at(now) != "IN_PROGRESS"
    }

    fn target(&self) -> Value {
        let mut target = json!({"type": "ASSET", "identifier": self.target_identifier});
        if let Some(revision) = &self.target_revision {
            target["revision"] = json!(revision);
        }
        target
    }

    /// `MetadataGenerationRunItem`; the Get output adds `typeStats`.
    fn item(&self, now: Millis) -> Map<String, Value> {
        let mut run = Map::new();
        run.insert("domainId".into(), json!(self.domain_id));
        run.insert("id".into(), json!(self.id));
        run.insert("target".into(), self.target());
        run.insert("status".into(), json!(self.status_at(now)));
        run.insert("type".into(), json!(self.types[0]));
        run.insert("types".into(), json!(self.types));
        run.insert("createdAt".into(), epoch_seconds(self.created_at));
        run.insert("createdBy".into(), json!(CALLER));
        run.insert("owningProjectId".into(), json!(self.owning_project_id));
        run
    }

    fn full(&self, now: Millis) -> Value {
        let status = self.status_at(now);
        let mut run = self.item(now);
        let stats: Vec<Value> = self
            .types
            .iter()
            .map(|kind| {
                let mut stat = json!({"type": kind, "status": status});
                if matches!(status, "FAILED" | "PARTIALLY_SUCCEEDED")
                    && let Some(message) = &self.script.error_message
                {
                    stat["errorMessage"] = json!(message);
                }
                stat
            })
            .collect();
        run.insert("typeStats".into(), Value::Array(stats));
        Value::Object(run)
    }
}

/// A data source run to record.
struct NewRun {
    /// A fixed id (a seed's past run), else a generated one.
    id: Option<String>,
    run_type: &'static str,
    script: RunScript,
    created_at: Millis,
    /// Whether its finish is already past and needs no event.
    finish_reported: bool,
}

/// Who the emulator says started things.
const CALLER: &str = "datazone-local-user";

pub struct Store {
    clock: Clock,
    account_id: String,
    region: String,
    domains: Vec<DomainState>,
    runs: Vec<RunRecord>,
    run_by_id: HashMap<String, usize>,
    run_by_token: HashMap<(String, String, String), usize>,
    metadata_runs: Vec<MetadataRecord>,
    metadata_by_id: HashMap<String, usize>,
    metadata_by_token: HashMap<(String, String), usize>,
    ids: StdRng,
    /// Transitions not yet handed to the event sinks, in the order they happened.
    pending: Vec<Transition>,
}

impl Store {
    pub fn new(
        seed: &Seed,
        clock: Clock,
        random_seed: u64,
        account_id: &str,
        region: &str,
    ) -> Self {
        let now = clock.now();
        let mut store = Self {
            clock,
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            domains: seed
                .domains
                .iter()
                .map(|domain| DomainState {
                    seed: domain.clone(),
                    created_at: now - 30 * DAY_MILLIS,
                    runs_started: HashMap::new(),
                    start_errors: HashMap::new(),
                    metadata_start_errors: HashMap::new(),
                })
                .collect(),
            runs: Vec::new(),
            run_by_id: HashMap::new(),
            run_by_token: HashMap::new(),
            metadata_runs: Vec::new(),
            metadata_by_id: HashMap::new(),
            metadata_by_token: HashMap::new(),
            ids: StdRng::seed_from_u64(random_seed),
            pending: Vec::new(),
        };
        for domain in &seed.domains {
            for source in &domain.data_sources {
                let past = source.past_runs.scripts();
                let days = past.len();
                for (index, (id, script)) in past.into_iter().enumerate() {
                    let created = now - (days - index) as Millis * DAY_MILLIS;
                    let run = NewRun {
                        id,
                        run_type: "SCHEDULED",
                        script,
                        created_at: created,
                        finish_reported: true,
                    };
                    store.add_run(&domain.id, source, run);
                }
            }
            for past in &domain.past_metadata_generation_runs {
                store.add_past_metadata_run(&domain.id, past, now - DAY_MILLIS);
            }
        }
        store
    }

    /// A metadata generation run that finished long before `created_at` ends.
    fn add_past_metadata_run(
        &mut self,
        domain_id: &str,
        past: &PastMetadataRunSeed,
        created_at: Millis,
    ) {
        let script = MetadataScript {
            outcome: Outcome::Documented(past.outcome.clone()),
            seconds: 60.0,
            ..MetadataScript::default()
        };
        self.metadata_runs.push(MetadataRecord {
            id: past.id.clone(),
            domain_id: domain_id.to_owned(),
            owning_project_id: past.project_id.clone(),
            target_identifier: past.target.clone(),
            target_revision: None,
            types: vec!["BUSINESS_DESCRIPTIONS".to_owned()],
            created_at,
            finishes_at: created_at + 60_000,
            script,
            canceled_at: None,
            finish_reported: true,
            get_errors: VecDeque::new(),
        });
        self.metadata_by_id
            .insert(past.id.clone(), self.metadata_runs.len() - 1);
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Lets `emulated_seconds` pass at once.
    pub fn advance_clock(&mut self, emulated_seconds: f64) {
        self.clock.advance(emulated_seconds);
    }

    fn new_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..14)
            .map(|_| ALPHABET[self.ids.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// An EventBridge event id: a UUID drawn from the id generator.
    pub fn new_event_id(&mut self) -> String {
        let bits: u128 = self.ids.random();
        let hex = format!("{bits:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    fn domain(&self, field: &str, id: &str) -> ApiResult<&DomainState> {
        model::domain_id(field, id)?;
        self.domains
            .iter()
            .find(|domain| domain.seed.id == id)
            .ok_or_else(|| ApiError::not_found("domain", id))
    }

    fn data_source<'a>(
        domain: &'a DomainState,
        field: &str,
        id: &str,
    ) -> ApiResult<&'a DataSourceSeed> {
        model::resource_id(field, id)?;
        domain
            .seed
            .data_sources
            .iter()
            .find(|source| source.id == id)
            .ok_or_else(|| ApiError::not_found("data source", id))
    }

    fn run(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<&RunRecord> {
        Ok(&self.runs[self.run_index(domain_id, field, id)?])
    }

    fn run_index(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<usize> {
        model::resource_id(field, id)?;
        self.run_by_id
            .get(id)
            .copied()
            .filter(|index| self.runs[*index].domain_id == domain_id)
            .ok_or_else(|| ApiError::not_found("data source run", id))
    }

    fn metadata_run(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<usize> {
        model::resource_id(field, id)?;
        self.metadata_by_id
            .get(id)
            .copied()
            .filter(|index| self.metadata_runs[*index].domain_id == domain_id)
            .ok_or_else(|| ApiError::not_found("metadata generation run", id))
    }

    fn add_run(&mut self, domain_id: &str, source: &DataSourceSeed, run: NewRun) -> usize {
        let NewRun {
            id,
            run_type,
            script,
            created_at,
            finish_reported,
        } = run;
        let id = id.unwrap_or_else(|| self.new_id());
        let started_at = created_at + self.clock.scaled(script.requested_seconds);
        let stopped_at = started_at + self.clock.scaled(script.running_seconds);
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

    /// Queues every transition up to `now` not queued yet; returns the queue.
    pub fn advance(&mut self, now: Millis) -> Vec<Transition> {
        let mut transitions = std::mem::take(&mut self.pending);
        for run in self
            .runs
            .iter_mut()
            .filter(|run| !run.finish_reported && now >= run.stopped_at)
        {
            run.finish_reported = true;
            // Which event a status DataZone may add later would send is unknown.
            if matches!(run.script.outcome, Outcome::Undocumented { .. }) {
                continue;
            }
            let status = run.status_at(now).to_owned();
            let detail_type = if status == "FAILED" {
                "Data Source Run Failed"
            } else {
                "Data Source Run Succeeded"
            };
            transitions.push(data_source_run_transition(run, detail_type, &status));
        }
        for run in self.metadata_runs.iter_mut() {
            if run.finish_reported || !run.is_terminal_at(now) {
                continue;
            }
            run.finish_reported = true;
            let status = run.status_at(now).to_owned();
            if run.canceled_at.is_none()
                && matches!(run.script.outcome, Outcome::Undocumented { .. })
            {
                continue;
            }
            let detail_type = match status.as_str() {
                "FAILED" => "Metadata Generation Failed",
                "CANCELED" => "Metadata Generation Canceled",
                _ => "Metadata Generation Succeeded",
            };
            transitions.push(Transition {
                detail_type,
                domain_id: run.domain_id.clone(),
                resource_id: run.id.clone(),
                type_name: "MetadataGenerationRunType",
                project_id: run.owning_project_id.clone(),
                data: json!({"status": status, "types": run.types, "targetIdentifier": run.target_identifier}),
            });
        }
        transitions
    }

    // ---- data source runs ----

    pub fn start_data_source_run(
        &mut self,
        domain_id: &str,
        data_source_id: &str,
        body: &Map<String, Value>,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
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
        domain_id: &str,
        run_id: &str,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
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
        domain_id: &str,
        data_source_id: &str,
        query: &Query,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
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
        domain_id: &str,
        run_id: &str,
        query: &Query,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
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

    // ---- data sources ----

    fn data_source_summary(
        &self,
        domain: &DomainState,
        source: &DataSourceSeed,
        now: Millis,
    ) -> Map<String, Value> {
        let mut summary = Map::new();
        summary.insert("domainId".into(), json!(domain.seed.id));
        summary.insert("dataSourceId".into(), json!(source.id));
        summary.insert("name".into(), json!(source.name));
        summary.insert("type".into(), json!(source.data_source_type));
        summary.insert("status".into(), json!("READY"));
        summary.insert("enableSetting".into(), json!("ENABLED"));
        summary.insert("createdAt".into(), json!(iso8601(domain.created_at)));
        summary.insert("updatedAt".into(), json!(iso8601(domain.created_at)));
        let last = self
            .runs
            .iter()
            .rev()
            .find(|run| run.domain_id == domain.seed.id && run.data_source_id == source.id);
        if let Some(run) = last {
            summary.insert("lastRunStatus".into(), json!(run.status_at(now)));
            summary.insert("lastRunAt".into(), json!(iso8601(run.created_at)));
            if now >= run.stopped_at {
                let stats = run.script.asset_statistics;
                summary.insert(
                    "lastRunAssetCount".into(),
                    json!(stats.added + stats.updated + stats.unchanged),
                );
            }
        }
        summary
    }

    pub fn get_data_source(
        &self,
        domain_id: &str,
        data_source_id: &str,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain = self.domain("domainIdentifier", domain_id)?;
        let source = Self::data_source(domain, "identifier", data_source_id)?;
        caller.require(&source.project_id, "GetDataSource", Access::Read)?;
        let mut output = self.data_source_summary(domain, source, now);
        output.remove("dataSourceId");
        output.insert("id".into(), json!(source.id));
        output.insert("projectId".into(), json!(source.project_id));
        output.insert("publishOnImport".into(), json!(false));
        Ok(Value::Object(output))
    }

    pub fn list_data_sources(
        &self,
        domain_id: &str,
        query: &Query,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let project = query
            .get("projectIdentifier")
            .ok_or_else(|| ApiError::validation("projectIdentifier", "is required"))?;
        enum_param(query, "status", model::DATA_SOURCE_STATUSES)?;
        for field in ["type", "name"] {
            if let Some(value) = query.get(field) {
                model::length(field, value, 1, 256)?;
            }
        }
        let size = page_size(query.get("maxResults").map(String::as_str), 50)?;
        let domain = self.domain("domainIdentifier", domain_id)?;
        caller.require(project, "ListDataSources", Access::Read)?;
        let scope = format!(
            "ListDataSources/{domain_id}/{project}/{}/{}/{}",
            query.get("type").map_or("", String::as_str),
            query.get("name").map_or("", String::as_str),
            query.get("status").map_or("", String::as_str),
        );
        let sources = domain
            .seed
            .data_sources
            .iter()
            .filter(|source| &source.project_id == project)
            .filter(|source| {
                query
                    .get("type")
                    .is_none_or(|kind| &source.data_source_type == kind)
            })
            .filter(|source| query.get("name").is_none_or(|name| &source.name == name))
            .filter(|_| query.get("status").is_none_or(|status| status == "READY"))
            .map(|source| {
                (
                    source.id.clone(),
                    Value::Object(self.data_source_summary(domain, source, now)),
                )
            });
        page(query, size, &scope, sources)
    }

    // ---- metadata generation runs ----

    /// Assets a metadata generation run may target: seeded ones and those
    /// finished runs imported.
    fn known_assets(&self, domain: &DomainState, now: Millis) -> HashSet<String> {
        let imported = self
            .runs
            .iter()
            .filter(|run| run.domain_id == domain.seed.id && now >= run.stopped_at)
            .flat_map(|run| run.script.assets.iter())
            .filter(|asset| ACTIVITY_STATUSES_WITH_ASSETS.contains(&asset.status.as_str()))
            .filter_map(|asset| asset.asset_id.clone());
        domain.seed.assets.iter().cloned().chain(imported).collect()
    }

    pub fn start_metadata_generation_run(
        &mut self,
        domain_id: &str,
        body: &Map<String, Value>,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let types = metadata_types(body)?;
        let target = body
            .get("target")
            .ok_or_else(|| ApiError::validation("target", "is required"))?
            .as_object()
            .ok_or_else(|| ApiError::validation("target", "must be a structure"))?;
        let target_type = required_string(target, "target.type")?;
        model::one_of(
            "target.type",
            &target_type,
            model::METADATA_GENERATION_TARGET_TYPES,
        )?;
        let target_identifier = required_string(target, "target.identifier")?;
        let target_revision = optional_string(target, "target.revision")?;
        if let Some(revision) = &target_revision {
            model::length("target.revision", revision, 1, 64)?;
        }
        let project = required_string(body, "owningProjectIdentifier")?;
        model::resource_id("owningProjectIdentifier", &project)?;
        let client_token = optional_string(body, "clientToken")?;
        if let Some(token) = &client_token {
            model::client_token("clientToken", token)?;
        }
        let domain = self.domain("domainIdentifier", domain_id)?;
        if !domain.seed.projects.iter().any(|known| known.id == project) {
            return Err(ApiError::not_found("project", &project));
        }
        caller.require(&project, "StartMetadataGenerationRun", Access::Change)?;
        let scripted_errors = domain
            .seed
            .metadata_generation
            .targets
            .get(&target_identifier)
            .unwrap_or(&domain.seed.metadata_generation.default)
            .start_errors
            .clone();
        if let Some(domain) = self.domains.iter_mut().find(|d| d.seed.id == domain_id)
            && let Some(error) = DomainState::next_error(
                &mut domain.metadata_start_errors,
                &target_identifier,
                &scripted_errors,
            )
        {
            return Err(ApiError::scripted(&error, "StartMetadataGenerationRun"));
        }
        let domain = self.domain("domainIdentifier", domain_id)?;
        if let Some(token) = &client_token
            && let Some(index) = self
                .metadata_by_token
                .get(&(domain_id.to_owned(), token.clone()))
        {
            let run = &self.metadata_runs[*index];
            if run.target_identifier != target_identifier {
                return Err(ApiError::conflict(
                    "clientToken was already used for a run with another target",
                ));
            }
            return Ok(start_metadata_output(run, now));
        }
        if !self.known_assets(domain, now).contains(&target_identifier) {
            return Err(ApiError::not_found("asset", &target_identifier));
        }
        if let Some(active) = self.metadata_runs.iter().find(|run| {
            run.domain_id == domain_id
                && run.target_identifier == target_identifier
                && !run.is_terminal_at(now)
        }) {
            return Err(ApiError::conflict(format!(
                "asset {target_identifier:?} already has metadata generation run {:?} in progress",
                active.id
            )));
        }
        let script = domain
            .seed
            .metadata_generation
            .targets
            .get(&target_identifier)
            .unwrap_or(&domain.seed.metadata_generation.default)
            .clone();
        let id = self.new_id();
        let get_errors = script.get_errors.iter().cloned().collect();
        let record = MetadataRecord {
            id: id.clone(),
            domain_id: domain_id.to_owned(),
            owning_project_id: project,
            target_identifier,
            target_revision,
            types,
            created_at: now,
            finishes_at: now + self.clock.scaled(script.seconds),
            script,
            canceled_at: None,
            finish_reported: false,
            get_errors,
        };
        self.metadata_runs.push(record);
        let index = self.metadata_runs.len() - 1;
        self.metadata_by_id.insert(id, index);
        if let Some(token) = client_token {
            self.metadata_by_token
                .insert((domain_id.to_owned(), token), index);
        }
        Ok(start_metadata_output(&self.metadata_runs[index], now))
    }

    pub fn get_metadata_generation_run(
        &mut self,
        domain_id: &str,
        run_id: &str,
        query: &Query,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        enum_param(query, "type", model::METADATA_GENERATION_RUN_TYPES)?;
        self.domain("domainIdentifier", domain_id)?;
        let index = self.metadata_run(domain_id, "identifier", run_id)?;
        let run = &mut self.metadata_runs[index];
        caller.require(
            &run.owning_project_id,
            "GetMetadataGenerationRun",
            Access::Read,
        )?;
        if let Some(error) = run.get_errors.pop_front() {
            return Err(ApiError::scripted(&error, "GetMetadataGenerationRun"));
        }
        Ok(run.full(now))
    }

    pub fn list_metadata_generation_runs(
        &self,
        domain_id: &str,
        query: &Query,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let status = enum_param(query, "status", model::METADATA_GENERATION_RUN_STATUSES)?;
        let kind = enum_param(query, "type", model::METADATA_GENERATION_RUN_TYPES)?;
        let target = query.get("targetIdentifier");
        if let Some(target) = target {
            model::resource_id("targetIdentifier", target)?;
        }
        let size = page_size(query.get("maxResults").map(String::as_str), 50)?;
        self.domain("domainIdentifier", domain_id)?;
        let scope = format!(
            "ListMetadataGenerationRuns/{domain_id}/{}/{}/{}",
            status.unwrap_or_default(),
            kind.unwrap_or_default(),
            target.map_or("", String::as_str)
        );
        let runs = self
            .metadata_runs
            .iter()
            .rev()
            .filter(|run| run.domain_id == domain_id)
            // Only the runs of projects the caller belongs to are listed.
            .filter(|run| caller.is_member(&run.owning_project_id))
            .filter(|run| status.is_none_or(|status| run.status_at(now) == status))
            .filter(|run| kind.is_none_or(|kind| run.types.iter().any(|known| known == kind)))
            .filter(|run| target.is_none_or(|target| &run.target_identifier == target))
            .map(|run| (run.id.clone(), Value::Object(run.item(now))));
        page(query, size, &scope, runs)
    }

    pub fn cancel_metadata_generation_run(
        &mut self,
        domain_id: &str,
        run_id: &str,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        self.domain("domainIdentifier", domain_id)?;
        let index = self.metadata_run(domain_id, "identifier", run_id)?;
        let run = &mut self.metadata_runs[index];
        caller.require(
            &run.owning_project_id,
            "CancelMetadataGenerationRun",
            Access::Change,
        )?;
        if run.is_terminal_at(now) {
            return Err(ApiError::conflict(format!(
                "metadata generation run {run_id:?} is already {}",
                run.status_at(now)
            )));
        }
        run.canceled_at = Some(now);
        Ok(json!({}))
    }

    // ---- discovery ----

    pub fn list_domains(&self, query: &Query) -> ApiResult<Value> {
        let status = enum_param(query, "status", model::DOMAIN_STATUSES)?;
        let size = page_size(query.get("maxResults").map(String::as_str), 25)?;
        let scope = format!("ListDomains/{}", status.unwrap_or_default());
        let domains = self
            .domains
            .iter()
            .filter(|_| status.is_none_or(|status| status == "AVAILABLE"))
            .map(|domain| {
                let mut summary = json!({
                    "id": domain.seed.id,
                    "name": domain.seed.name,
                    "arn": format!("arn:aws:datazone:{}:{}:domain/{}", self.region, self.account_id, domain.seed.id),
                    "managedAccountId": self.account_id,
                    "status": "AVAILABLE",
                    "portalUrl": format!("https://{}.datazone.{}.on.aws", domain.seed.id, self.region),
                    "createdAt": epoch_seconds(domain.created_at),
                    "lastUpdatedAt": epoch_seconds(domain.created_at),
                    "domainVersion": "V1",
                });
                if let Some(description) = &domain.seed.description {
                    summary["description"] = json!(description);
                }
                (domain.seed.id.clone(), summary)
            });
        page(query, size, &scope, domains)
    }

    pub fn list_projects(&self, domain_id: &str, query: &Query) -> ApiResult<Value> {
        let name = query.get("name");
        if let Some(name) = name {
            model::length("name", name, 1, 64)?;
            if !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == ' ' || c == '-')
            {
                return Err(ApiError::validation(
                    "name",
                    "must satisfy regular expression pattern [\\w -]+",
                ));
            }
        }
        let size = page_size(query.get("maxResults").map(String::as_str), 50)?;
        // ListProjects models no ResourceNotFoundException: a domain the
        // caller cannot see is an access denial.
        model::domain_id("domainIdentifier", domain_id)?;
        let domain = self
            .domains
            .iter()
            .find(|domain| domain.seed.id == domain_id)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorShape::AccessDenied,
                    format!("no access to domain {domain_id:?}"),
                )
            })?;
        let scope = format!(
            "ListProjects/{domain_id}/{}",
            name.map_or("", String::as_str)
        );
        let projects = domain
            .seed
            .projects
            .iter()
            .filter(|project| name.is_none_or(|name| &project.name == name))
            .map(|project| {
                let summary = json!({
                    "domainId": domain_id,
                    "id": project.id,
                    "name": project.name,
                    "createdBy": CALLER,
                    "createdAt": iso8601(domain.created_at),
                    "updatedAt": iso8601(domain.created_at),
                    "projectStatus": "ACTIVE",
                });
                (project.id.clone(), summary)
            });
        page(query, size, &scope, projects)
    }
}

/// A status change worth an EventBridge event.
#[derive(Debug, Clone)]
pub struct Transition {
    pub detail_type: &'static str,
    pub domain_id: String,
    pub resource_id: String,
    pub type_name: &'static str,
    pub project_id: String,
    pub data: Value,
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

fn start_metadata_output(run: &MetadataRecord, now: Millis) -> Value {
    let mut output = run.item(now);
    output.remove("target");
    Value::Object(output)
}

/// A query parameter restricted to an enum's documented values.
fn enum_param<'q>(query: &'q Query, field: &str, allowed: &[&str]) -> ApiResult<Option<&'q str>> {
    let value = query.get(field).map(String::as_str);
    if let Some(value) = value {
        model::one_of(field, value, allowed)?;
    }
    Ok(value)
}

/// One page of a List operation's `items`, after the query's `nextToken`.
fn page(
    query: &Query,
    size: usize,
    scope: &str,
    items: impl Iterator<Item = (String, Value)>,
) -> ApiResult<Value> {
    let token = query.get("nextToken").map(String::as_str);
    let (items, next_token) = paginate(scope, token, size, items)?;
    let mut output = json!({ "items": items });
    if let Some(token) = next_token {
        output["nextToken"] = json!(token);
    }
    Ok(output)
}

fn optional_string(object: &Map<String, Value>, field: &str) -> ApiResult<Option<String>> {
    let key = field.rsplit('.').next().unwrap_or(field);
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(ApiError::validation(field, "must be a string")),
    }
}

fn required_string(object: &Map<String, Value>, field: &str) -> ApiResult<String> {
    optional_string(object, field)?.ok_or_else(|| ApiError::validation(field, "is required"))
}

/// `types` (1–2 distinct values), or the deprecated single `type`.
fn metadata_types(body: &Map<String, Value>) -> ApiResult<Vec<String>> {
    let types = match (body.get("types"), optional_string(body, "type")?) {
        (Some(Value::Array(values)), _) => values
            .iter()
            .map(|value| {
                value
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::validation("types", "must be a list of strings"))
            })
            .collect::<ApiResult<Vec<_>>>()?,
        (Some(_), _) => return Err(ApiError::validation("types", "must be a list")),
        (None, Some(single)) => vec![single],
        (None, None) => return Err(ApiError::validation("types", "is required")),
    };
    if !(1..=2).contains(&types.len()) {
        return Err(ApiError::validation("types", "must have 1 or 2 members"));
    }
    for kind in &types {
        model::one_of("types", kind, model::METADATA_GENERATION_RUN_TYPES)?;
    }
    Ok(types)
}
