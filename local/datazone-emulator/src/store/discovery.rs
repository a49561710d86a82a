//! Discovery: ListDomains, ListProjects.

use serde_json::{Value, json};

use super::{CALLER, Store};
use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::clock::{epoch_seconds, iso8601};
use crate::model;
use crate::pagination::page_size;
use crate::request::{Request, enum_param, page};

impl Store {
    pub fn list_domains(&self, request: &Request) -> ApiResult<Value> {
        let query = &request.query;
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

    pub fn list_projects(&self, request: &Request) -> ApiResult<Value> {
        let domain_id = request.param("domainIdentifier");
        let query = &request.query;
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
