//! What one invocation asks for: the metadata part of a harvest's follow
//! round (named by its execution and domain, as follow-runs was, with the
//! wait follow-runs asked for), or the status of one metadata generation
//! run.

use datazone_runs::Error;
use datazone_runs::model::ids::{DomainId, MetadataGenerationRunId};
use datazone_runs::usecase::harvest::events::WaitEnd;
use function_runtime::payload::{Payload, checked_execution_id, domain_or_configured, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::MetadataStatusConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataStatusRequest {
    /// A harvest's metadata step.
    Step {
        execution_id: String,
        domain: DomainId,
        /// What follow-runs asked for in the same round.
        runs_next_wait_seconds: u64,
        /// How the round's wait ended.
        wake: Option<WaitEnd>,
    },
    /// One metadata generation run's normalized status.
    Status {
        domain: DomainId,
        run: MetadataGenerationRunId,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StepInput {
    execution_id: String,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    runs_next_wait_seconds: u64,
    #[serde(default)]
    wake: Option<WaitEnd>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StatusInput {
    metadata_generation_run_id: String,
    #[serde(default)]
    domain_id: Option<String>,
}

impl MetadataStatusRequest {
    /// A status query names `metadataGenerationRunId`; anything else is a step.
    pub fn from_payload(payload: Payload, config: &MetadataStatusConfig) -> Result<Self, Error> {
        let object = payload.into_object()?;
        if object.contains_key("metadataGenerationRunId") {
            let input: StatusInput = parse(Value::Object(object))?;
            return Ok(Self::Status {
                run: MetadataGenerationRunId::parse(
                    "metadataGenerationRunId",
                    input.metadata_generation_run_id,
                )?,
                domain: domain_or_configured(input.domain_id, config.domain.as_ref())?,
            });
        }
        let input: StepInput = parse(Value::Object(object))?;
        let execution_id = checked_execution_id("executionId", input.execution_id)?;
        Ok(Self::Step {
            domain: domain_or_configured(input.domain_id, config.domain.as_ref())?,
            execution_id,
            runs_next_wait_seconds: input.runs_next_wait_seconds,
            wake: input.wake,
        })
    }
}
