//! Metadata generation runs: StartMetadataGenerationRun,
//! GetMetadataGenerationRun, ListMetadataGenerationRuns,
//! CancelMetadataGenerationRun.

use std::collections::{HashSet, VecDeque};

use serde_json::{Map, Value, json};

use super::{ACTIVITY_STATUSES_WITH_ASSETS, CALLER, DomainState, Store};
use crate::api_error::{ApiError, ApiResult};
use crate::authorization::{Access, Caller};
use crate::clock::{Millis, epoch_seconds};
use crate::events::Transition;
use crate::model;
use crate::pagination::page_size;
use crate::request::{Request, enum_param, optional_string, page, required_string};
use crate::seed::{MetadataScript, Outcome, PastMetadataRunSeed};

pub(super) struct MetadataRecord {
    pub(super) id: String,
    pub(super) domain_id: String,
    pub(super) owning_project_id: String,
    pub(super) target_identifier: String,
    pub(super) target_revision: Option<String>,
    pub(super) types: Vec<String>,
    pub(super) created_at: Millis,
    pub(super) finishes_at: Millis,
    pub(super) script: MetadataScript,
    pub(super) canceled_at: Option<Millis>,
    pub(super) finish_reported: bool,
    /// Scripted GetMetadataGenerationRun errors still to answer.
    pub(super) get_errors: VecDeque<String>,
}

impl MetadataRecord {
    /// The event of its end, once, when `now` is past it (a cancellation
    /// too). A status DataZone may add later sends none.
    pub(super) fn finish(&mut self, now: Millis) -> Option<Transition> {
        if self.finish_reported || !self.is_terminal_at(now) {
            return None;
        }
        self.finish_reported = true;
        if self.canceled_at.is_none() && matches!(self.script.outcome, Outcome::Undocumented { .. })
        {
            return None;
        }
        let status = self.status_at(now).to_owned();
        let detail_type = match status.as_str() {
            "FAILED" => "Metadata Generation Failed",
            "CANCELED" => "Metadata Generation Canceled",
            _ => "Metadata Generation Succeeded",
        };
        Some(Transition {
            detail_type,
            domain_id: self.domain_id.clone(),
            resource_id: self.id.clone(),
            type_name: "MetadataGenerationRunType",
            project_id: self.owning_project_id.clone(),
            data: json!({"status": status, "types": self.types, "targetIdentifier": self.target_identifier}),
        })
    }

    /// Runs start IN_PROGRESS: the SDK's model marks SUBMITTED deprecated.
    pub(super) fn status_at(&self, now: Millis) -> &str {
        match self.canceled_at {
            Some(canceled) if canceled <= now => "CANCELED",
            _ if now < self.finishes_at || self.script.outcome.status() == "HANG" => "IN_PROGRESS",
            _ => self.script.outcome.status(),
        }
    }

    pub(super) fn is_terminal_at(&self, now: Millis) -> bool {
        self.status_at(now) != "IN_PROGRESS"
    }

    pub(super) fn target(&self) -> Value {
        let mut target = json!({"type": "ASSET", "identifier": self.target_identifier});
        if let Some(revision) = &self.target_revision {
            target["revision"] = json!(revision);
        }
        target
    }

    /// `MetadataGenerationRunItem`; the Get output adds `typeStats`.
    pub(super) fn item(&self, now: Millis) -> Map<String, Value> {
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

    pub(super) fn full(&self, now: Millis) -> Value {
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

impl Store {
    /// A metadata generation run that finished long before `created_at` ends.
    pub(super) fn add_past_metadata_run(
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let body = &request.body()?;
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
            finishes_at: now + crate::clock::millis(script.seconds),
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let run_id = request.param("identifier");
        let query = &request.query;
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let query = &request.query;
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let run_id = request.param("identifier");
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
}

fn start_metadata_output(run: &MetadataRecord, now: Millis) -> Value {
    let mut output = run.item(now);
    output.remove("target");
    Value::Object(output)
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
