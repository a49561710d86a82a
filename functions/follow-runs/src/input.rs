//! What one invocation asks for: the harvest to follow, named by its
//! execution (and domain), as start-runs named it.

use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use function_runtime::payload::{Payload, checked_execution_id, domain_or_configured, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::FollowRunsConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowRunsRequest {
    pub execution_id: String,
    pub domain: DomainId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FollowRunsInput {
    execution_id: String,
    #[serde(default)]
    domain_id: Option<String>,
}

impl FollowRunsRequest {
    pub fn from_payload(payload: Payload, config: &FollowRunsConfig) -> Result<Self, Error> {
        let input: FollowRunsInput = parse(Value::Object(payload.into_object()?))?;
        let execution_id = checked_execution_id("executionId", input.execution_id)?;
        let domain = domain_or_configured(input.domain_id, config.domain.as_ref())?;
        Ok(Self {
            execution_id,
            domain,
        })
    }
}
