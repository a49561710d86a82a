//! What run-status is asked: a DataZone event about a data source run or a
//! metadata generation run (EventBridge's envelope, DataZone's `detail`),
//! or a status query naming a data source run. Both name a domain and a
//! run; the run itself is then read, because events are best-effort
//! triggers.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, DomainId, MetadataGenerationRunId};
use datazone_runs::model::outcome::Origin;
use datazone_runs::model::timestamp::Timestamp;
use function_runtime::eventbridge::{is_eventbridge_event, read_event};
use function_runtime::payload::{Payload, parse};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `source` of every event DataZone sends to EventBridge.
pub const DATAZONE_EVENT_SOURCE: &str = "aws.datazone";

/// Detail-types of the events about data source runs: their ends. DataZone
/// also sends `Data Source Run Triggered` ("Amazon DataZone events",
/// EventBridge Events Reference), which leaves nothing to record: the rule
/// does not match it, so no run is read twice on a quota the harvest shares.
pub const DATA_SOURCE_RUN_EVENTS: &[&str] =
    &["Data Source Run Succeeded", "Data Source Run Failed"];

/// Detail-types of the events about metadata generation runs.
pub const METADATA_GENERATION_EVENTS: &[&str] = &[
    "Metadata Generation Succeeded",
    "Metadata Generation Failed",
    "Metadata Generation Canceled",
    "Metadata Generation Accepted",
    "Metadata Generation Rejected",
];

/// DataZone's `detail`. Its version fields come as strings or numbers; they
/// are not read, and unknown fields are ignored, so either form is taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataZoneDetail {
    pub metadata: DetailMetadata,
    #[serde(default)]
    pub data: Option<DetailData>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DetailMetadata {
    /// The run the event is about.
    pub id: String,
    pub domain: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailData {
    #[serde(default)]
    pub data_source_id: Option<String>,
}

/// One status request: the domain, the run, where it came from.
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

impl<RunId: std::fmt::Display> StatusRequest<RunId> {
    /// The span a status check runs in: every log line of it names the
    /// domain, the run, and the data source and execution when known.
    pub fn span(&self) -> tracing::Span {
        tracing::info_span!(
            "status",
            domain_id = %self.domain,
            run_id = %self.run,
            data_source_id = self.data_source_id.as_deref(),
            execution_id = self.execution_id.as_deref(),
        )
    }
}

/// What a status payload asks about, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusInput {
    DataSourceRun(StatusRequest<DataSourceRunId>),
    MetadataGeneration(StatusRequest<MetadataGenerationRunId>),
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

fn query<RunId>(
    object: Map<String, Value>,
    parse_run: impl Fn(&str, String) -> Result<RunId, Error>,
) -> Result<StatusRequest<RunId>, Error> {
    let query: StatusQuery = parse(Value::Object(object))?;
    Ok(StatusRequest {
        domain: DomainId::parse("domainId", query.domain_id)?,
        run: parse_run("runId", query.run_id)?,
        origin: Origin::Query,
        execution_id: query.execution_id,
        data_source_id: query.data_source_id,
    })
}

fn event_request<RunId>(
    event: EventBridgeEvent<DataZoneDetail>,
    parse_run: impl Fn(&str, String) -> Result<RunId, Error>,
) -> Result<StatusRequest<RunId>, Error> {
    Ok(StatusRequest {
        domain: DomainId::parse("detail.metadata.domain", event.detail.metadata.domain)?,
        run: parse_run("detail.metadata.id", event.detail.metadata.id)?,
        origin: Origin::Event {
            event_id: event.id,
            detail_type: event.detail_type,
            time: event
                .time
                .map(|time| Timestamp::from_epoch_millis(time.timestamp_millis())),
        },
        execution_id: None,
        data_source_id: event.detail.data.and_then(|data| data.data_source_id),
    })
}

/// A DataZone event of one of `detail_types`, refused by name otherwise.
fn datazone_event(
    object: Map<String, Value>,
    detail_types: &[&str],
) -> Result<EventBridgeEvent<DataZoneDetail>, Error> {
    let event: EventBridgeEvent<DataZoneDetail> = read_event(object)?;
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
    Ok(event)
}

/// A run-status payload: a DataZone data source run or metadata generation
/// event, or a query about a data source run.
pub fn read_status_input(payload: Payload) -> Result<StatusInput, Error> {
    let object = payload.into_object()?;
    if !is_eventbridge_event(&object) {
        return query(object, DataSourceRunId::parse).map(StatusInput::DataSourceRun);
    }
    let event = datazone_event(
        object,
        &[DATA_SOURCE_RUN_EVENTS, METADATA_GENERATION_EVENTS].concat(),
    )?;
    if METADATA_GENERATION_EVENTS.contains(&event.detail_type.as_str()) {
        event_request(event, MetadataGenerationRunId::parse).map(StatusInput::MetadataGeneration)
    } else {
        event_request(event, DataSourceRunId::parse).map(StatusInput::DataSourceRun)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn request(value: Value) -> Result<StatusRequest<DataSourceRunId>, Error> {
        match read_status_input(Payload::Json(value))? {
            StatusInput::DataSourceRun(request) => Ok(request),
            other => panic!("not about a data source run: {other:?}"),
        }
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
                    detail_type: "Data Source Run Failed".into(),
                    time: Some(Timestamp::from_epoch_millis(1_795_255_200_000)),
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
        other_type["detail-type"] = json!("Data Source Created");
        assert!(
            request(other_type)
                .unwrap_err()
                .to_string()
                .contains("detail-type")
        );
        let mut metadata_event = event(json!("1"));
        metadata_event["detail-type"] = json!("Metadata Generation Succeeded");
        assert!(matches!(
            read_status_input(Payload::Json(metadata_event.clone())).unwrap(),
            StatusInput::MetadataGeneration(_)
        ));
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
