//! What one invocation asks for: an EventBridge scheduled event, or a JSON
//! object naming the trigger and, optionally, the domain and a selection
//! of data sources that replaces the configured one.

use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::usecase::select::{Selection, SelectionFields, SelectionRequest};
use function_runtime::eventbridge::{is_eventbridge_event, read_event};
use function_runtime::payload::{Payload, checked_execution_id, domain_or_configured, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::StartRunsConfig;

/// What one invocation asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunsRequest {
    /// The event id or trigger the client tokens derive from.
    pub trigger_id: String,
    /// The execution the harvest record belongs to (the trigger when no
    /// execution is named).
    pub execution_id: String,
    pub domain: DomainId,
    pub selection: Selection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartRunsInput {
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    execution_id: Option<String>,
    #[serde(default)]
    trigger_id: Option<String>,
    #[serde(default)]
    data_source_ids: Option<Vec<String>>,
    #[serde(default)]
    project_ids: Option<Vec<String>>,
    #[serde(default)]
    all_projects: Option<bool>,
    #[serde(default)]
    source_types: Option<Vec<String>>,
    #[serde(default)]
    source_name: Option<String>,
    #[serde(default)]
    include_disabled_sources: Option<bool>,
}

/// The input's names for the parts of a selection.
const INPUT_FIELDS: SelectionFields = SelectionFields {
    sources: "dataSourceIds",
    projects: "projectIds",
    all_projects: "allProjects",
    types: "sourceTypes",
    name: "sourceName",
    include_disabled: "includeDisabledSources",
};

impl StartRunsInput {
    /// The selection the input makes, if it makes one.
    fn selection(&self) -> Result<Option<Selection>, Error> {
        SelectionRequest {
            sources: self.data_source_ids.clone(),
            projects: self.project_ids.clone(),
            all_projects: self.all_projects == Some(true),
            types: self.source_types.clone(),
            name: self.source_name.clone(),
            include_disabled: self.include_disabled_sources,
        }
        .selection(&INPUT_FIELDS)
    }
}

impl StartRunsRequest {
    pub fn from_payload(payload: Payload, config: &StartRunsConfig) -> Result<Self, Error> {
        let object = payload.into_object()?;
        let (trigger_id, execution_id, domain, selection) = if is_eventbridge_event(&object) {
            let event = read_event::<Value>(object)?;
            if event.source != "aws.events" || event.detail_type != "Scheduled Event" {
                return Err(Error::invalid_input(
                    "detail-type",
                    format!(
                        "only EventBridge \"Scheduled Event\"s from aws.events start runs, got {:?} from {:?}",
                        event.detail_type, event.source
                    ),
                ));
            }
            let id = event
                .id
                .ok_or_else(|| Error::invalid_input("id", "required: the trigger"))?;
            let id = checked_execution_id("id", id)?;
            (id.clone(), id, None, None)
        } else {
            let input: StartRunsInput = parse(Value::Object(object))?;
            let selection = input.selection()?;
            let execution = input
                .execution_id
                .map(|id| checked_execution_id("executionId", id))
                .transpose()?;
            let trigger = input
                .trigger_id
                .map(|id| checked_execution_id("triggerId", id))
                .transpose()?;
            let (trigger, execution) = match (trigger, execution) {
                (Some(trigger), Some(execution)) => (trigger, execution),
                (Some(trigger), None) => (trigger.clone(), trigger),
                (None, Some(execution)) => (execution.clone(), execution),
                (None, None) => {
                    return Err(Error::invalid_input(
                        "executionId",
                        "required (or triggerId): a retried or repeated start must reuse its client tokens",
                    ));
                }
            };
            (trigger, execution, input.domain_id, selection)
        };
        let domain = domain_or_configured(domain, config.domain.as_ref())?;
        let selection = selection
            .or_else(|| config.selection.clone())
            .ok_or_else(|| {
                Error::invalid_input(
                    "dataSourceIds",
                    "no data sources selected: name them (dataSourceIds), their projects (projectIds) or the whole domain (allProjects) in the input or in the configuration",
                )
            })?;
        Ok(Self {
            trigger_id,
            execution_id,
            domain,
            selection,
        })
    }
}
