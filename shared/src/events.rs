//! Status requests: a DataZone EventBridge event, or a `{domainId, runId}`
//! query from the state machine. Both name a domain and a run; the function
//! then reads the run itself, because events are best-effort triggers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Error;
use crate::ids::DomainId;
use crate::payload::{Payload, parse};

/// The `source` of every event DataZone sends to EventBridge.
pub const DATAZONE_EVENT_SOURCE: &str = "aws.datazone";

/// Detail-types of the events about data source runs.
pub const DATA_SOURCE_RUN_EVENTS: &[&str] = &[
    "Data Source Run Triggered",
    "Data Source Run Succeeded",
    "Data Source Run Failed",
];

/// Detail-types of the events about metadata generation runs.
pub const METADATA_GENERATION_EVENTS: &[&str] = &[
    "Metadata Generation Succeeded",
    "Metadata Generation Failed",
    "Metadata Generation Canceled",
    "Metadata Generation Accepted",
    "Metadata Generation Rejected",
];

/// Where a status request came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Origin {
    #[serde(rename_all = "camelCase")]
    Event {
        #[serde(skip_serializing_if = "Option::is_none")]
        event_id: Option<String>,
        detail_type: String,
    },
    Query,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRequest<RunId> {
    pub domain: DomainId,
    pub run: RunId,
    pub origin: Origin,
    /// The Step Functions execution asking, when it says so.
    pub execution_id: Option<String>,
    /// The run's data source, when the request names it (for logs only).
    pub data_source_id: Option<String>,
}

// Version fields (`version`, `detail.version`, `detail.metadata.version`)
// come as strings or numbers; they are not read, and unknown fields are
// ignored, so either form is accepted.
#[derive(Deserialize)]
struct EventEnvelope {
    #[serde(default)]
    id: Option<String>,
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    detail: EventDetail,
}

#[derive(Deserialize)]
struct EventDetail {
    metadata: EventMetadata,
    #[serde(default)]
    data: Option<EventData>,
}

#[derive(Deserialize)]
struct EventMetadata {
    id: String,
    domain: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EventData {
    #[serde(default)]
    data_source_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusQuery {
    domain_id: String,
    run_id: String,
    #[serde(default)]
    execution_id: Option<String>,
    #[serde(default)]
    data_source_id: Option<String>,
}

/// The `detail-type` of an EventBridge event payload.
pub fn detail_type(payload: &Payload) -> Option<&str> {
    match payload {
        Payload::Json(value) => value.get("detail-type").and_then(Value::as_str),
        Payload::NotJson(_) => None,
    }
}

/// Whether `object` looks like an EventBridge event rather than a direct input.
pub fn is_eventbridge_event(object: &Map<String, Value>) -> bool {
    object.contains_key("detail-type")
}

/// Reads a status request. Events must come from DataZone with one of
/// `detail_types`; `parse_run` checks the run id against the model.
pub fn parse_status_request<RunId>(
    payload: Payload,
    detail_types: &[&str],
    parse_run: impl Fn(&str, String) -> Result<RunId, Error>,
) -> Result<StatusRequest<RunId>, Error> {
    let object = payload.into_object()?;
    if !is_eventbridge_event(&object) {
        let query: StatusQuery = parse(Value::Object(object))?;
        return Ok(StatusRequest {
            domain: DomainId::parse("domainId", query.domain_id)?,
            run: parse_run("runId", query.run_id)?,
            origin: Origin::Query,
            execution_id: query.execution_id,
            data_source_id: query.data_source_id,
        });
    }
    let event: EventEnvelope = parse(Value::Object(object))?;
    if event.source != DATAZONE_EVENT_SOURCE {
        return Err(Error::invalid_input(
            "source",
            format!("must be {DATAZONE_EVENT_SOURCE:?}, got {:?}", event.source),
        ));
    }
    if !detail_types.contains(&event.detail_type.as_str()) {
        return Err(Error::invalid_input(
            "detail-type",
            format!("{:?} is not one of {detail_types:?}", event.detail_type),
        ));
    }
    Ok(StatusRequest {
        domain: DomainId::parse("detail.metadata.domain", event.detail.metadata.domain)?,
        run: parse_run("detail.metadata.id", event.detail.metadata.id)?,
        origin: Origin::Event {
            event_id: event.id,
            detail_type: event.detail_type,
        },
        execution_id: None,
        data_source_id: event.detail.data.and_then(|data| data.data_source_id),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ids::DataSourceRunId;

    fn request(value: Value) -> Result<StatusRequest<DataSourceRunId>, Error> {
        parse_status_request(
            Payload::Json(value),
            DATA_SOURCE_RUN_EVENTS,
            DataSourceRunId::parse,
        )
    }

    fn event(version: Value) -> Value {
        json!({
            "version": version, "id": "e-1", "detail-type": "Data Source Run Failed",
            "source": "aws.datazone", "account": "111122223333", "time": "2026-11-21T10:00:00Z",
            "region": "us-east-1", "resources": [], "extra": {"anything": true},
            "detail": {
                "version": version,
                "metadata": {"id": "run-1", "domain": "dzd_abc", "version": version, "typeName": "DataSourceRunType"},
                "data": {"dataSourceId": "src-1", "somethingNew": [1, 2]}
            }
        })
    }

    #[test]
    fn version_fields_may_be_strings_or_numbers() {
        for version in [json!("1"), json!(1), json!(1.5)] {
            let request = request(event(version)).unwrap();
            assert_eq!(request.run.as_str(), "run-1");
            assert_eq!(request.domain.as_str(), "dzd_abc");
            assert_eq!(request.data_source_id.as_deref(), Some("src-1"));
            assert_eq!(
                request.origin,
                Origin::Event {
                    event_id: Some("e-1".into()),
                    detail_type: "Data Source Run Failed".into()
                }
            );
        }
    }

    #[test]
    fn events_from_elsewhere_or_of_other_types_are_refused_by_name() {
        let mut other_source = event(json!("1"));
        other_source["source"] = json!("aws.glue");
        assert!(
            request(other_source)
                .unwrap_err()
                .to_string()
                .contains("source")
        );
        let mut other_type = event(json!("1"));
        other_type["detail-type"] = json!("Metadata Generation Succeeded");
        assert!(
            request(other_type)
                .unwrap_err()
                .to_string()
                .contains("detail-type")
        );
    }

    #[test]
    fn a_bad_run_id_in_an_event_names_its_path() {
        let mut bad = event(json!("1"));
        bad["detail"]["metadata"]["id"] = json!("no/slashes");
        let error = request(bad).unwrap_err();
        assert!(error.to_string().contains("detail.metadata.id"), "{error}");
    }

    #[test]
    fn queries_name_domain_and_run() {
        let query =
            request(json!({"domainId": "dzd_abc", "runId": "r1", "executionId": "x"})).unwrap();
        assert_eq!(query.origin, Origin::Query);
        assert_eq!(query.execution_id.as_deref(), Some("x"));
        for bad in [
            json!({}),
            json!({"domainId": "dzd_abc"}),
            json!({"domainId": 7, "runId": "r1"}),
            json!({"domainId": "abc", "runId": "r1"}),
            json!({"domainId": "dzd_abc", "runId": ""}),
        ] {
            assert_eq!(request(bad).unwrap_err().name(), "InvalidInput");
        }
    }
}
