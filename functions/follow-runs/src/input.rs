//! What one invocation asks for: a round of the harvest named by its
//! execution (and domain), as start-runs named it, after the wait that
//! ended how `wake` says; or, with `park`, to leave the harvest's waiting
//! note with the task token of its wait.

use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::usecase::harvest::events::WaitEnd;
use function_runtime::payload::{Payload, checked_execution_id, domain_or_configured, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::FollowRunsConfig;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowRunsRequest {
    pub execution_id: String,
    pub domain: DomainId,
    pub task: FollowTask,
}

/// What the invocation does for the harvest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowTask {
    /// The runs part of a round, after the wait that ended so.
    Round { wake: Option<WaitEnd> },
    /// Leave the waiting note, with the token of the wait.
    Park { task_token: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FollowRunsInput {
    execution_id: String,
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    wake: Option<WaitEnd>,
    #[serde(default)]
    park: Option<ParkInput>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ParkInput {
    task_token: String,
}

/// Step Functions' task tokens are at most 2,048 characters
/// ("SendTaskSuccess", AWS Step Functions API Reference).
const LONGEST_TOKEN: usize = 2048;

impl FollowRunsRequest {
    pub fn from_payload(payload: Payload, config: &FollowRunsConfig) -> Result<Self, Error> {
        let input: FollowRunsInput = parse(Value::Object(payload.into_object()?))?;
        let execution_id = checked_execution_id("executionId", input.execution_id)?;
        let domain = domain_or_configured(input.domain_id, config.domain.as_ref())?;
        let task = match (input.park, input.wake) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_input(
                    "park",
                    "a park names no wake: it begins the wait",
                ));
            }
            (Some(park), None) => {
                let token = park.task_token;
                if token.is_empty() || token.len() > LONGEST_TOKEN {
                    return Err(Error::invalid_input(
                        "park.taskToken",
                        format!("a task token has 1 to {LONGEST_TOKEN} characters"),
                    ));
                }
                FollowTask::Park { task_token: token }
            }
            (None, wake) => FollowTask::Round { wake },
        };
        Ok(Self {
            execution_id,
            domain,
            task,
        })
    }
}
