//! The start-runs handler: its inputs, the selection, and one start step
//! over the in-memory DataZone and report store.

use datazone_adapter::client::ClientSettings;
use std::time::Duration;

use datazone_runs::model::harvest::{Outcome, Stage};
use datazone_runs::model::ids::ProjectId;
use datazone_runs::port::ReportStore;
use datazone_runs::testing::{FakeDataZone, MemoryReportStore, domain, source};
use datazone_runs::usecase::select::{ProjectScope, Selection, SourceFilter};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{BadPayload, bad_payloads, sample_events};
use serde_json::json;
use start_runs::config::StartRunsConfig;
use start_runs::handler::StartRuns;
use start_runs::input::StartRunsRequest;

const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:Ingestion:exec-1";
const KEY: &str = "harvests/dzd_sales2026/exec-1.json";

fn config() -> StartRunsConfig {
    StartRunsConfig {
        domain: Some(domain()),
        selection: Some(Selection::Sources(vec![
            source("ds_orders"),
            source("ds_clickstream"),
        ])),
        concurrency: 2,
        start_rate: 1000.0,
        list_rate: 1000.0,
        retry_deadline: Duration::from_secs(600),
        client: ClientSettings::new(Duration::from_secs(5), Duration::from_secs(5)),
        report_prefix: "harvests/".into(),
        follow_events: true,
    }
}

fn request(input: serde_json::Value) -> Result<StartRunsRequest, datazone_runs::Error> {
    StartRunsRequest::from_payload(Payload::Json(input), &config())
}

#[test]
fn every_starter_sample_is_a_valid_request() {
    for (name, payload) in sample_events("start-runs") {
        StartRunsRequest::from_payload(payload, &config())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    }
}

#[test]
fn scheduled_events_take_the_configured_selection_and_their_id_as_trigger() {
    let scheduled = || {
        sample_events("start-runs")
            .into_iter()
            .find(|(name, _)| name == "scheduled-event.json")
            .unwrap()
            .1
    };
    let scheduled_request = StartRunsRequest::from_payload(scheduled(), &config()).unwrap();
    assert_eq!(
        scheduled_request.trigger_id,
        "5d1b2c6e-8a41-4e0b-9c3f-7f2a90d1e6b4"
    );
    assert_eq!(scheduled_request.execution_id, scheduled_request.trigger_id);
    assert_eq!(Some(scheduled_request.selection), config().selection);
    let unconfigured = StartRunsConfig {
        domain: None,
        selection: None,
        ..config()
    };
    let error = StartRunsRequest::from_payload(scheduled(), &unconfigured).unwrap_err();
    assert!(error.to_string().contains("DATAZONE_DOMAIN_ID"), "{error}");
    let unselected = StartRunsConfig {
        selection: None,
        ..config()
    };
    let error = StartRunsRequest::from_payload(scheduled(), &unselected).unwrap_err();
    assert!(
        error.to_string().contains("no data sources selected"),
        "{error}"
    );
    let not_scheduled = json!({"version": "0", "id": "e", "detail-type": "Object Created",
        "source": "aws.s3", "detail": {}});
    let error = request(not_scheduled).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("\"Object Created\" from \"aws.s3\""),
        "{error}"
    );
}

#[test]
fn the_input_selection_replaces_the_configured_one() {
    let projects = request(json!({"executionId": "x", "projectIds": ["prj_a", "prj_b"],
        "sourceTypes": ["GLUE"], "sourceName": "orders-*", "includeDisabledSources": true}))
    .unwrap();
    assert_eq!(
        projects.selection,
        Selection::Projects {
            scope: ProjectScope::Projects(vec![
                ProjectId::parse("p", "prj_a").unwrap(),
                ProjectId::parse("p", "prj_b").unwrap()
            ]),
            filter: SourceFilter {
                types: vec!["GLUE".into()],
                name: Some("orders-*".into()),
                include_disabled: true
            }
        }
    );
    let domain_wide = request(json!({"executionId": "x", "allProjects": true})).unwrap();
    assert_eq!(
        domain_wide.selection,
        Selection::Projects {
            scope: ProjectScope::AllProjects,
            filter: SourceFilter::default()
        }
    );
    let named = request(json!({"triggerId": "t", "dataSourceIds": ["a"]})).unwrap();
    assert_eq!(named.selection, Selection::Sources(vec![source("a")]));
    assert_eq!(
        (named.trigger_id.as_str(), named.execution_id.as_str()),
        ("t", "t")
    );
    let both = request(json!({"triggerId": "t", "executionId": "e"})).unwrap();
    assert_eq!(
        (both.trigger_id.as_str(), both.execution_id.as_str()),
        ("t", "e")
    );
    assert_eq!(Some(both.selection), config().selection);
}

#[test]
fn starter_input_names_the_bad_field() {
    let cases = [
        (
            json!({"dataSourceIds": ["ok", "not ok"], "executionId": "x"}),
            "dataSourceIds[1]",
        ),
        (json!({"domainId": "nope", "executionId": "x"}), "domainId"),
        (json!({"dataSourceIds": ["a"]}), "executionId"),
        (
            json!({"executionId": "x", "dataSourceId": "a"}),
            "dataSourceId",
        ),
        (
            json!({"executionId": "", "dataSourceIds": ["a"]}),
            "executionId",
        ),
        (json!({"triggerId": "t".repeat(2049)}), "triggerId"),
        (
            json!({"executionId": "x", "dataSourceIds": []}),
            "dataSourceIds",
        ),
        (
            json!({"executionId": "x", "dataSourceIds": "a"}),
            "dataSourceIds",
        ),
        (
            json!({"executionId": "x", "projectIds": ["p"], "allProjects": true}),
            "dataSourceIds",
        ),
        (
            json!({"executionId": "x", "dataSourceIds": ["a"], "sourceTypes": ["GLUE"]}),
            "dataSourceIds",
        ),
        (
            json!({"executionId": "x", "sourceName": "a*"}),
            "sourceTypes",
        ),
        (
            json!({"executionId": "x", "allProjects": true, "sourceTypes": [""]}),
            "sourceTypes[0]",
        ),
        (
            json!({"executionId": "x", "allProjects": true, "sourceName": ""}),
            "sourceName",
        ),
        (
            json!({"executionId": "x", "projectIds": ["p/q"]}),
            "projectIds[0]",
        ),
    ];
    for (input, field) in cases {
        let error = request(input.clone()).unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{input}");
        assert!(error.to_string().contains(field), "{input}: {error}");
    }
    assert!(request(json!({"triggerId": "t".repeat(2048)})).is_ok());
}

#[tokio::test]
async fn a_step_starts_the_selection_and_saves_the_harvest() {
    let fake = FakeDataZone::default();
    fake.add_project("prj_salesdata");
    fake.add_data_source(
        "prj_salesdata",
        "ds_orders",
        "orders-glue-catalog",
        "GLUE",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_salesdata",
        "ds_clicks",
        "clicks-redshift",
        "REDSHIFT",
        "READY",
        "ENABLED",
    );
    fake.add_data_source(
        "prj_salesdata",
        "ds_old",
        "old-glue-catalog",
        "GLUE",
        "READY",
        "DISABLED",
    );
    fake.fail_starts_of(
        "ds_clicks",
        datazone_runs::Error::ServiceQuotaExceeded("25 today".into()),
    );
    let store = MemoryReportStore::default();
    let starter = StartRuns::new(&fake, &store, config());
    let input = json!({"executionId": EXECUTION, "projectIds": ["prj_salesdata"]});
    let report = starter
        .handle(Payload::Json(input), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "domainId": "dzd_sales2026",
            "triggerId": EXECUTION,
            "report": format!("memory://{KEY}"),
            "selected": 2,
            "remaining": 0,
            "retryAfterSeconds": 0
        })
    );
    let harvest = store.load(KEY).await.unwrap().unwrap();
    let sources: Vec<(&str, Stage, Option<Outcome>)> = harvest
        .sources
        .iter()
        .map(|s| {
            (
                s.data_source_id.as_str(),
                s.tracking.stage,
                s.tracking.outcome,
            )
        })
        .collect();
    assert_eq!(
        sources,
        [
            ("ds_orders", Stage::Following, None),
            ("ds_clicks", Stage::Done, Some(Outcome::QuotaExhausted))
        ]
    );
    assert_eq!(
        harvest.sources[0].name.as_deref(),
        Some("orders-glue-catalog")
    );
}

#[tokio::test]
async fn a_step_without_time_for_one_call_is_refused_as_configuration() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let starter = StartRuns::new(&fake, &store, config());
    // Ten seconds are kept to save: two left, under the five a call may take.
    let ending = Invocation {
        deadline: Some(std::time::SystemTime::now() + Duration::from_secs(12)),
        ..Invocation::default()
    };
    let error = starter
        .handle(Payload::Json(json!({"executionId": EXECUTION})), &ending)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidConfiguration");
    assert_eq!(fake.all_calls(), 0);
    assert_eq!(store.saved(KEY), None);
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let starter = StartRuns::new(&fake, &store, config());
    let mut cases = bad_payloads();
    cases.extend([
        BadPayload::json(json!({}), "executionId"),
        BadPayload::json(json!({"runId": "r1"}), "runId"),
        BadPayload::json(json!({"executionId": ""}), "executionId"),
        BadPayload::json(json!({"executionId": "x", "domainId": "sales"}), "domainId"),
        BadPayload::json(json!({"executionId": "x", "domainId": 5}), "domainId"),
        BadPayload::json(
            json!({"executionId": "x", "dataSourceIds": ["bad id!"]}),
            "dataSourceIds[0]",
        ),
        BadPayload::json(
            json!({"executionId": "x", "dataSourceIds": ["ds"], "allProjects": true}),
            "dataSourceIds",
        ),
        BadPayload::json(json!({"detail-type": "Scheduled Event"}), "source"),
        BadPayload::json(
            json!({"detail-type": "Scheduled Event", "source": "aws.datazone", "id": "e",
                   "detail": {}, "version": "0", "account": "1", "time": "2026-11-21T02:00:00Z",
                   "region": "eu-west-1", "resources": []}),
            "detail-type",
        ),
    ]);
    for case in cases {
        let error = invoke(&starter, case.payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        case.assert_refused(&error);
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
    assert_eq!(store.saved(KEY), None);
}

#[test]
fn a_step_keeps_more_time_than_a_save_may_take() {
    assert!(start_runs::handler::TIME_KEPT > report_store_s3::CALL_TIMEOUT);
}
