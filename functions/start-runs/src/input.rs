//! What one invocation asks for: an EventBridge scheduled event, or a JSON
//! object naming the trigger and, optionally, the domain and a selection
//! of data sources that replaces the configured one.

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, DomainId, ProjectId};
use datazone_runs::usecase::select::{ProjectScope, Selection, SourceFilter};
use function_runtime::eventbridge::{is_eventbridge_event, read_event};
use function_runtime::payload::{Payload, checked_execution_id, domain_or_configured, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::StartRunsConfig;

/// The longest name pattern taken (a data source name is at most 256 characters).
const MAX_PATTERN_LEN: usize = 256;

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

impl StartRunsInput {
    /// The selection the input makes, if it makes one.
    fn selection(&self) -> Result<Option<Selection>, Error> {
        let filtered = self.source_types.is_some()
            || self.source_name.is_some()
            || self.include_disabled_sources.is_some();
        let scopes = [
            self.data_source_ids.is_some(),
            self.project_ids.is_some(),
            self.all_projects == Some(true),
        ];
        match scopes.iter().filter(|given| **given).count() {
            0 if filtered => {
                return Err(Error::invalid_input(
                    "sourceTypes",
                    "filters need projectIds or allProjects to filter",
                ));
            }
            0 => return Ok(None),
            1 => {}
            _ => {
                return Err(Error::invalid_input(
                    "dataSourceIds",
                    "give one of dataSourceIds, projectIds and allProjects",
                ));
            }
        }
        if let Some(ids) = &self.data_source_ids {
            if filtered {
                return Err(Error::invalid_input(
                    "dataSourceIds",
                    "named data sources are taken as given: no sourceTypes, sourceName or includeDisabledSources",
                ));
            }
            let ids = checked(ids, "dataSourceIds", |field, id| {
                DataSourceId::parse(field, id)
            })?;
            return Ok(Some(Selection::Sources(ids)));
        }
        let scope = match &self.project_ids {
            Some(ids) => ProjectScope::Projects(checked(ids, "projectIds", |field, id| {
                ProjectId::parse(field, id)
            })?),
            None => ProjectScope::AllProjects,
        };
        Ok(Some(Selection::Projects {
            scope,
            filter: self.filter()?,
        }))
    }

    fn filter(&self) -> Result<SourceFilter, Error> {
        let types = self.source_types.clone().unwrap_or_default();
        if let Some(index) = types.iter().position(|kind| kind.trim().is_empty()) {
            return Err(Error::invalid_input(
                &format!("sourceTypes[{index}]"),
                "must not be empty",
            ));
        }
        if let Some(pattern) = &self.source_name
            && !(1..=MAX_PATTERN_LEN).contains(&pattern.chars().count())
        {
            return Err(Error::invalid_input(
                "sourceName",
                format!("must be 1 to {MAX_PATTERN_LEN} characters"),
            ));
        }
        Ok(SourceFilter {
            types,
            name: self.source_name.clone(),
            include_disabled: self.include_disabled_sources.unwrap_or(false),
        })
    }
}

/// `ids`, each checked, as `field[i]`.
fn checked<T>(
    ids: &[String],
    field: &str,
    parse: impl Fn(&str, String) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    if ids.is_empty() {
        return Err(Error::invalid_input(field, "must name at least one"));
    }
    ids.iter()
        .enumerate()
        .map(|(index, id)| parse(&format!("{field}[{index}]"), id.clone()))
        .collect()
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
