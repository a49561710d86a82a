//! The metadata-status handler: its two inputs, the metadata part of a
//! follow round after follow-runs' part, and a status query, over the
//! in-memory DataZone and report store.

use datazone_adapter::client::ClientSettings;
use std::time::Duration;

use datazone_runs::model::harvest::{Harvest, SourceRecord, Stage};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::port::{AssetActivity, ReportStore};
use datazone_runs::testing::{FakeDataZone, MemoryReportStore, domain, metadata_run, source};
use datazone_runs::usecase::harvest::follow::{Checks, FollowRound, RoundPart, follow_part};
use datazone_runs::usecase::harvest::start::{StartRound, start_round};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{BadPayload, bad_payloads, sample_events};
use metadata_status::config::MetadataStatusConfig;
use metadata_status::handler::MetadataStatus;
use metadata_status::input::MetadataStatusRequest;
use serde_json::json;

const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:Ingestion:exec-1";
const KEY: &str = "harvests/dzd_sales2026/exec-1.json";

fn config() -> MetadataStatusConfig {
    MetadataStatusConfig {
        domain: Some(domain()),
        polling: PollingPolicy::new(10, 900).unwrap(),
        max_polls: 20,
        concurrency: 4,
        types: vec![MetadataGenerationType::BusinessDescriptions],
        rate: 1000.0,
        client: ClientSettings::new(Duration::from_secs(5), Duration::from_secs(5)),
        report_prefix: "harvests/".into(),
        metrics_namespace: "Test".into(),
        predictions: None,
        predictions_rate: 1000.0,
        retry_deadline_seconds: 900,
        follow_events: false,
    }
}

/// A harvest of one source whose run succeeded with asset `ast_1`, its
/// runs part done by follow-runs (metadata on), saved.
async fn run_succeeded(fake: &FakeDataZone, store: &MemoryReportStore) {
    let mut harvest = Harvest::new(
        EXECUTION.into(),
        domain(),
        vec![SourceRecord::to_start(source("a"), None)],
    );
    let pacer = Pacer::per_second(1000.0);
    let start = StartRound {
        concurrency: 1,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(60),
    };
    start_round(fake, &mut harvest, &start).await;
    fake.add_activities(
        "run-0",
        vec![AssetActivity {
            database: "sales".into(),
            technical_name: "orders".into(),
            status: "SUCCEEDED_CREATED".into(),
            asset_id: Some("ast_1".into()),
        }],
    );
    fake.finish_run(
        "run-0",
        "SUCCESS",
        AssetStatistics {
            added: 1,
            ..AssetStatistics::default()
        },
    );
    let polling = PollingPolicy::new(10, 900).unwrap();
    let round = FollowRound {
        polling: &polling,
        max_polls: 20,
        concurrency: 1,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: None,
        checks: Checks::EveryRound,
    };
    let runs = RoundPart::Runs {
        then_metadata: true,
    };
    follow_part(fake, &mut harvest, &round, runs).await;
    assert_eq!(harvest.sources[0].tracking.stage, Stage::GeneratingMetadata);
    store.save(KEY, &harvest).await.unwrap();
}

#[test]
fn every_sample_is_a_valid_request_of_its_kind() {
    for (name, payload) in sample_events("metadata-status") {
        let request = MetadataStatusRequest::from_payload(payload, &config())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        let is_query = matches!(request, MetadataStatusRequest::Status { .. });
        assert_eq!(is_query, name.starts_with("status-query"), "{name}");
    }
}

#[tokio::test]
async fn a_step_generates_metadata_for_what_the_run_imported_until_the_summary() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    run_succeeded(&fake, &store).await;
    let run_checks = fake.calls("GetDataSourceRun");
    let checker = MetadataStatus::new(&fake, &store, config());
    let input = Payload::Json(json!({"executionId": EXECUTION, "runsNextWaitSeconds": 0}));
    let first = checker
        .handle(input.clone(), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&first).unwrap(),
        json!({"pending": 1, "nextWaitSeconds": 10, "summary": null}),
        "generation started: checked after the shortest wait"
    );
    assert_eq!(fake.metadata_run_ids(), ["mg-0"]);
    fake.set_metadata_status("mg-0", "SUCCEEDED");
    let last = checker.handle(input, &Invocation::default()).await.unwrap();
    let last = serde_json::to_value(&last).unwrap();
    assert_eq!(last["pending"], 0);
    assert_eq!(
        last["summary"]["metadataGeneration"]["succeeded"], 1,
        "{last}"
    );
    assert_eq!(
        fake.calls("GetDataSourceRun"),
        run_checks,
        "runs are follow-runs' part"
    );
}

#[tokio::test]
async fn a_status_query_answers_the_run_normalized() {
    let fake = FakeDataZone::default();
    fake.add_metadata_run(metadata_run("mg_query1", Some("FAILED")));
    let checker = MetadataStatus::new(&fake, MemoryReportStore::default(), config());
    let answer = checker
        .handle(
            Payload::Json(json!({"metadataGenerationRunId": "mg_query1"})),
            &Invocation::default(),
        )
        .await
        .unwrap();
    let answer = serde_json::to_value(&answer).unwrap();
    assert_eq!(
        (&answer["runId"], &answer["outcome"], &answer["terminal"]),
        (&json!("mg_query1"), &json!("FAILED"), &json!(true)),
        "{answer}"
    );
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let checker = MetadataStatus::new(&fake, &store, config());
    let mut cases = bad_payloads();
    cases.extend([
        BadPayload::json(json!({}), "executionId"),
        BadPayload::json(json!({"executionId": ""}), "executionId"),
        BadPayload::json(json!({"executionId": "x", "domainId": "sales"}), "domainId"),
        BadPayload::json(
            json!({"executionId": "x", "runsNextWaitSeconds": -1}),
            "runsNextWaitSeconds",
        ),
        BadPayload::json(
            json!({"metadataGenerationRunId": "not an id!"}),
            "metadataGenerationRunId",
        ),
        BadPayload::json(
            json!({"metadataGenerationRunId": "mg_1", "executionId": "x"}),
            "executionId",
        ),
        BadPayload::json(
            json!({"metadataGenerationRunId": "mg_1", "domainId": "sales"}),
            "domainId",
        ),
    ]);
    for case in cases {
        let error = invoke(&checker, case.payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        case.assert_refused(&error);
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
}

#[test]
fn a_step_keeps_more_time_than_a_save_may_take() {
    assert!(metadata_status::handler::TIME_KEPT > report_store_s3::CALL_TIMEOUT);
}
