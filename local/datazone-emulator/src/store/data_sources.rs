//! Data sources: GetDataSource, ListDataSources.

use serde_json::{Map, Value, json};

use super::{DomainState, Store};
use crate::api_error::{ApiError, ApiResult};
use crate::authorization::{Access, Caller};
use crate::clock::{Millis, iso8601};
use crate::model;
use crate::pagination::page_size;
use crate::request::{Request, enum_param, page};
use crate::seed::DataSourceSeed;

impl Store {
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
        summary.insert("status".into(), json!(source.status));
        summary.insert("enableSetting".into(), json!(source.enable_setting));
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let data_source_id = request.param("dataSourceIdentifier");
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
        request: &Request,
        now: Millis,
        caller: Caller,
    ) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let query = &request.query;
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
            .filter(|source| {
                query
                    .get("status")
                    .is_none_or(|status| status == &source.status)
            })
            .map(|source| {
                (
                    source.id.clone(),
                    Value::Object(self.data_source_summary(domain, source, now)),
                )
            });
        page(query, size, &scope, sources)
    }
}
