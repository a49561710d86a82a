//! The start-runs handler: its inputs, and one entry per source.

use datazone_runs::testing::{FakeDataZone, domain, source};
use datazone_runs::usecase::start::StartAction;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{bad_payloads, sample_events};
use serde_json::json;
use start_runs::config::StartRunsConfig;
use start_runs::handler::StartRuns;
use start_runs::input::StartRunsRequest;

fn start_config() -> StartRunsConfig {
    StartRunsConfig {
        domain: Some(domain()),
        data_sources: vec![source("ds_orders"), source("ds_clickstream")],
        concurrency: 2,
    }
}

fn start_input(trigger: &str, sources: &[&str]) -> Payload {
    Payload::Json(
        json!({"domainId": "dzd_sales2026", "dataSourceIds": sources, "executionId": trigger}),
    )
}

#[test]
fn every_starter_sample_is_a_valid_request() {
    for (name, payload) in sample_events("start-runs") {
        let request = StartRunsRequest::from_payload(payload, &start_config())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(!request.data_sources.is_empty(), "{name}");
    }
}

#[test]
fn scheduled_events_take_targets_from_configuration_and_their_id_as_trigger() {
    let scheduled = || {
        sample_events("start-runs")
            .into_iter()
            .find(|(name, _)| name == "scheduled-event.json")
            .unwrap()
            .1
    };
    let request = StartRunsRequest::from_payload(scheduled(), &start_config()).unwrap();
    assert_eq!(request.trigger_id, "5d1b2c6e-8a41-4e0b-9c3f-7f2a90d1e6b4");
    assert_eq!(request.data_sources, start_config().data_sources);
    let unconfigured = StartRunsConfig {
        domain: None,
        data_sources: vec![],
        concurrency: 1,
    };
    let error = StartRunsRequest::from_payload(scheduled(), &unconfigured).unwrap_err();
    assert!(error.to_string().contains("DATAZONE_DOMAIN_ID"), "{error}");
    let mut not_scheduled = json!({"version": "0", "id": "e", "detail-type": "Object Created",
        "source": "aws.s3", "detail": {}});
    let error =
        StartRunsRequest::from_payload(Payload::Json(not_scheduled.clone()), &start_config())
            .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("\"Object Created\" from \"aws.s3\""),
        "{error}"
    );
    not_scheduled["id"] = json!(null);
    not_scheduled["detail-type"] = json!("Scheduled Event");
    not_scheduled["source"] = json!("aws.events");
    let error =
        StartRunsRequest::from_payload(Payload::Json(not_scheduled), &start_config()).unwrap_err();
    assert_eq!(
        (error.name(), error.to_string().contains("id")),
        ("InvalidInput", true)
    );
}

#[test]
fn repeated_sources_are_started_once() {
    let request =
        StartRunsRequest::from_payload(start_input("x", &["a", "b", "a"]), &start_config())
            .unwrap();
    assert_eq!(request.data_sources, vec![source("a"), source("b")]);
}

#[test]
fn starter_input_names_the_bad_field() {
    let cases = [
        (
            json!({"domainId": "dzd_sales2026", "dataSourceIds": ["ok", "not ok"], "executionId": "x"}),
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
        (
            json!({"triggerId": "t".repeat(2049), "dataSourceIds": ["a"]}),
            "triggerId",
        ),
        (
            json!({"executionId": "x", "dataSourceIds": []}),
            "dataSourceIds",
        ),
        (
            json!({"executionId": "x", "dataSourceIds": "a"}),
            "dataSourceIds",
        ),
    ];
    for (input, field) in cases {
        let error = StartRunsRequest::from_payload(Payload::Json(input.clone()), &start_config())
            .unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{input}");
        assert!(error.to_string().contains(field), "{input}: {error}");
    }
    let longest = json!({"triggerId": "t".repeat(2048), "dataSourceIds": ["a"]});
    assert!(StartRunsRequest::from_payload(Payload::Json(longest), &start_config()).is_ok());
}

#[tokio::test]
async fn starts_every_source_and_reports_one_entry_each_in_order_with_counts() {
    let fake = FakeDataZone::default();
    fake.race_next_start_of("c");
    fake.fail_starts_of("d", datazone_runs::Error::Validation("no".into()));
    let starter = StartRuns::new(&fake, start_config());
    let output = starter
        .handle(
            start_input("exec-1", &["a", "b", "c", "d"]),
            &Invocation::default(),
        )
        .await
        .unwrap();
    let actions: Vec<_> = output
        .runs
        .iter()
        .map(|run| (run.data_source_id.to_string(), run.action))
        .collect();
    assert_eq!(
        actions,
        [
            ("a".into(), StartAction::Started),
            ("b".into(), StartAction::Started),
            ("c".into(), StartAction::AlreadyActive),
            ("d".into(), StartAction::Failed)
        ]
    );
    assert_eq!(
        (output.started, output.already_active, output.failed),
        (2, 1, 1)
    );
    assert_eq!(output.trigger_id, "exec-1");
    assert_eq!(output.domain_id, domain());
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let starter = StartRuns::new(&fake, start_config());
    for payload in bad_payloads() {
        let error = invoke(&starter, payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{payload:?}: {error}");
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
}
