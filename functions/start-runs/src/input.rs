//! What one invocation asks for: an EventBridge scheduled event, or a JSON
//! object naming the trigger (and, optionally, the domain and sources).

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, DomainId};
use function_runtime::datazone_events::{is_eventbridge_event, read_event};
use function_runtime::payload::{Payload, parse};
use serde::Deserialize;
use serde_json::Value;

use crate::config::StartRunsConfig;

/// The longest trigger id taken (Step Functions execution ARNs stay well below).
const MAX_TRIGGER_ID_LEN: usize = 2048;

/// What one invocation asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunsRequest {
    /// The event id or execution id the client tokens derive from.
    pub trigger_id: String,
    pub domain: DomainId,
    /// Distinct, in the order given.
    pub data_sources: Vec<DataSourceId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartRunsInput {
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    data_source_ids: Option<Vec<String>>,
    #[serde(default)]
    execution_id: Option<String>,
    #[serde(default)]
    trigger_id: Option<String>,
}

impl StartRunsRequest {
    pub fn from_payload(payload: Payload, config: &StartRunsConfig) -> Result<Self, Error> {
        let object = payload.into_object()?;
        let (trigger_id, domain, data_sources) = if is_eventbridge_event(&object) {
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
            (("id", id), None, None)
        } else {
            let input: StartRunsInput = parse(Value::Object(object))?;
            let trigger = match (input.trigger_id, input.execution_id) {
                (Some(trigger), _) => ("triggerId", trigger),
                (None, Some(execution)) => ("executionId", execution),
                (None, None) => {
                    return Err(Error::invalid_input(
                        "executionId",
                        "required (or triggerId): a retried or repeated start must reuse its client tokens",
                    ));
                }
            };
            let domain = input
                .domain_id
                .map(|domain| DomainId::parse("domainId", domain))
                .transpose()?;
            let data_sources = input
                .data_source_ids
                .map(|ids| {
                    ids.into_iter()
                        .enumerate()
                        .map(|(index, id)| {
                            DataSourceId::parse(&format!("dataSourceIds[{index}]"), id)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?;
            (trigger, domain, data_sources)
        };
        let (trigger_field, trigger_id) = trigger_id;
        if trigger_id.is_empty() || trigger_id.len() > MAX_TRIGGER_ID_LEN {
            return Err(Error::invalid_input(
                trigger_field,
                format!("must be 1 to {MAX_TRIGGER_ID_LEN} characters"),
            ));
        }
        let domain = domain.or_else(|| config.domain.clone()).ok_or_else(|| {
            Error::invalid_input(
                "domainId",
                "required: in the input or in DATAZONE_DOMAIN_ID",
            )
        })?;
        let mut data_sources = data_sources.unwrap_or_else(|| config.data_sources.clone());
        let mut seen = std::collections::HashSet::new();
        data_sources.retain(|id| seen.insert(id.clone()));
        if data_sources.is_empty() {
            return Err(Error::invalid_input(
                "dataSourceIds",
                "no data sources: name them in the input or in DATA_SOURCE_IDS",
            ));
        }
        Ok(Self {
            trigger_id,
            domain,
            data_sources,
        })
    }
}
