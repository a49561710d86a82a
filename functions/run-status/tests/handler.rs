//! The run-status handler: events and queries, read once, then the run;
//! a finished data source run's log line and metrics.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::model::outcome::OutcomeClass;
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::ReportStore;
use datazone_runs::testing::{FakeDataZone, MemoryCallback, MemoryReportStore, metadata_run, run};
use datazone_runs::usecase::harvest::events::WaitingNote;
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::metrics::RecordedMetrics;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{BadPayload, bad_payloads, sample_events};
use run_status::config::RunStatusConfig;
use run_status::handler::{RunStatus, StatusOutcome};
use serde_json::{Value, json};

fn config() -> RunStatusConfig {
    RunStatusConfig {
        domain: Some(datazone_runs::testing::domain()),
        polling: PollingPolicy::new(10, 600).unwrap(),
        client: ClientSettings::new(Duration::from_secs(5), Duration::from_secs(5)),
        metrics_namespace: "Test".into(),
        report_prefix: "harvests/".into(),
        follow_events: true,
    }
}

/// run-status with no harvest waiting.
fn run_status<'a>(
    fake: &'a FakeDataZone,
    metrics: &'a RecordedMetrics,
) -> RunStatus<&'a FakeDataZone, MemoryReportStore, MemoryCallback, &'a RecordedMetrics> {
    RunStatus::with_metrics(
        fake,
        MemoryReportStore::default(),
        MemoryCallback::default(),
        config(),
        metrics,
    )
}

fn query(run_id: &str) -> Payload {
    Payload::Json(json!({"domainId": "dzd_sales2026", "runId": run_id}))
}

/// Sample events by file name.
type Samples = Vec<(String, Payload)>;

/// The run-status samples about data source runs of the deployment's
/// domain, and those about metadata generation runs (the sample of another
/// domain is neither: `other_domain_sample`).
fn samples() -> (Samples, Samples) {
    sample_events("run-status")
        .into_iter()
        .filter(|(name, _)| name != OTHER_DOMAIN_SAMPLE)
        .partition(|(name, _)| !name.starts_with("metadata-generation-"))
}

/// The sample event about a run of another domain of the account.
const OTHER_DOMAIN_SAMPLE: &str = "other-domain-run-succeeded.json";

fn other_domain_sample() -> Payload {
    sample_events("run-status")
        .into_iter()
        .find(|(name, _)| name == OTHER_DOMAIN_SAMPLE)
        .map(|(_, payload)| payload)
        .expect("events/run-status holds the sample of another domain")
}

#[tokio::test]
async fn every_run_status_sample_reads_the_run_it_names() {
    let (runs, metadata) = samples();
    assert_eq!((runs.len(), metadata.len()), (3, 5));
    for (name, payload) in runs {
        let fake = FakeDataZone::with_runs(vec![run("bd1qd8gj2ns3zr", "ds_orders", "SUCCESS")]);
        let outcome = run_status(&fake, &RecordedMetrics::default())
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        match outcome {
            StatusOutcome::DataSourceRun(outcome) => {
                assert_eq!(outcome.run_id, "bd1qd8gj2ns3zr", "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(fake.calls("GetDataSourceRun"), 1, "{name}");
    }
}

#[tokio::test]
async fn a_finished_run_writes_one_emf_document_and_a_run_in_progress_none() {
    let mut finished = run("r1", "ds_orders", "PARTIALLY_SUCCEEDED");
    finished.asset_statistics = Some(AssetStatistics {
        added: 3,
        failed: 2,
        ..AssetStatistics::default()
    });
    finished.started_at = Some(Timestamp::from_epoch_millis(1_700_000_010_000));
    finished.stopped_at = Some(Timestamp::from_epoch_millis(1_700_000_130_000));
    let fake = FakeDataZone::with_runs(vec![finished, run("r2", "ds_orders", "RUNNING")]);
    let metrics = RecordedMetrics::default();
    let handler = run_status(&fake, &metrics);
    handler
        .handle(query("r1"), &Invocation::default())
        .await
        .unwrap();
    let documents = metrics.documents();
    assert_eq!(documents.len(), 1, "one EMF line per finished run");
    let emf = &documents[0];
    assert_eq!(emf["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Test");
    assert_eq!(
        emf["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["DomainId", "DataSourceId"]])
    );
    assert_eq!(
        (emf["AssetsAdded"].clone(), emf["AssetsFailed"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(
        (
            emf["RunPartiallySucceeded"].clone(),
            emf["RunDuration"].clone()
        ),
        (json!(1), json!(120))
    );
    handler
        .handle(query("r2"), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        metrics.documents().len(),
        1,
        "nothing for a run in progress"
    );
}

#[tokio::test]
async fn run_status_answers_metadata_generation_events_too() {
    for (name, payload) in samples().1 {
        let empty = FakeDataZone::default();
        let error = run_status(&empty, &RecordedMetrics::default())
            .handle(payload.clone(), &Invocation::default())
            .await
            .unwrap_err();
        assert_eq!(error.name(), "DataZone.ResourceNotFoundException", "{name}");
        let fake = FakeDataZone::default();
        fake.add_metadata_run(metadata_run("mg7kq2x9t4wz1p", Some("CANCELED")));
        match run_status(&fake, &RecordedMetrics::default())
            .handle(payload, &Invocation::default())
            .await
            .unwrap()
        {
            StatusOutcome::MetadataGeneration(outcome) => {
                assert_eq!(outcome.outcome, OutcomeClass::Canceled, "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(fake.calls("GetDataSourceRun"), 0, "{name}");
    }
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let metrics = RecordedMetrics::default();
    let handler = run_status(&fake, &metrics);
    let event = |detail_type: Value, detail: Value| {
        json!({"version": "0", "id": "e-1", "detail-type": detail_type, "source": "aws.datazone",
               "account": "111122223333", "time": "2026-11-21T10:00:00Z", "region": "eu-west-1",
               "resources": [], "detail": detail})
    };
    let metadata = json!({"metadata": {"id": "r1", "domain": "dzd_a"}});
    let mut cases = bad_payloads();
    cases.extend([
        BadPayload::json(json!({}), "domainId"),
        BadPayload::json(json!({"domainId": 5, "runId": true}), "domainId"),
        BadPayload::json(json!({"domainId": "dzd_sales2026"}), "runId"),
        BadPayload::json(json!({"domainId": "sales", "runId": "r1"}), "domainId"),
        BadPayload::json(
            json!({"domainId": "dzd_sales2026", "runId": "bad id!"}),
            "runId",
        ),
        BadPayload::json(json!({"detail-type": "Scheduled Event"}), "source"),
        BadPayload::json(
            event(json!("Data Source Run Succeeded"), json!({})),
            "detail.metadata",
        ),
        BadPayload::json(event(json!(7), metadata.clone()), "detail-type"),
        BadPayload::json(
            event(json!("Data Source Created"), metadata.clone()),
            "detail-type",
        ),
        BadPayload::json(
            event(
                json!("Data Source Run Failed"),
                json!({"metadata": {"id": "no/slashes", "domain": "dzd_a"}}),
            ),
            "detail.metadata.id",
        ),
        BadPayload::json(
            event(
                json!("Metadata Generation Failed"),
                json!({"metadata": {"id": "mg1", "domain": "sales"}}),
            ),
            "detail.metadata.domain",
        ),
    ]);
    for case in cases {
        let error = invoke(&handler, case.payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        case.assert_refused(&error);
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
    // Each unreadable event (those with a detail-type) is counted.
    let unreadable: i64 = metrics
        .documents()
        .iter()
        .filter_map(|document| document["EventsUnreadable"].as_i64())
        .sum();
    assert_eq!(unreadable, 6);
}

#[tokio::test]
async fn an_event_of_another_domain_is_counted_and_left_alone() {
    let fake = FakeDataZone::with_runs(vec![run("bd1qd8gj2ns3zr", "ds_orders", "SUCCESS")]);
    let metrics = RecordedMetrics::default();
    let answer = run_status(&fake, &metrics)
        .handle(other_domain_sample(), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&answer).unwrap(),
        json!({"ignored": true, "domainId": "dzd_elsewhere", "reason": "another domain"})
    );
    assert_eq!(fake.all_calls(), 0, "the run of another domain is not read");
    let documents = metrics.documents();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0]["EventsOfOtherDomains"], 1);
    assert_eq!(documents[0]["EventsUnreadable"], 0);
    assert_eq!(documents[0]["DomainId"], "dzd_elsewhere");
    // A query names its domain on purpose: it is answered.
    let queried = run_status(&fake, &metrics)
        .handle(query("bd1qd8gj2ns3zr"), &Invocation::default())
        .await
        .unwrap();
    assert!(
        matches!(queried, StatusOutcome::DataSourceRun(_)),
        "{queried:?}"
    );
}

/// A harvest waiting on `runs` (its note, with a task token), as follow-runs
/// leaves it.
async fn waiting_on(store: &MemoryReportStore, runs: &[&str]) {
    let note = WaitingNote {
        task_token: Some("token-1".into()),
        ended_prefix: "harvests/dzd_sales2026/nightly.ended/".into(),
        runs: runs.iter().map(|id| (*id).to_owned()).collect(),
        data_sources: vec![],
        metadata_runs: vec![],
        wake_on_run_end: false,
        coalesce_seconds: 30,
    };
    store
        .write(
            "harvests/dzd_sales2026/waiting/nightly.json",
            serde_json::to_vec(&note).unwrap(),
        )
        .await
        .unwrap();
}

fn succeeded_event() -> Payload {
    samples()
        .0
        .into_iter()
        .find(|(name, _)| name == "data-source-run-succeeded.json")
        .map(|(_, payload)| payload)
        .expect("the succeeded sample")
}

#[tokio::test]
async fn an_end_event_is_recorded_for_the_harvest_waiting_on_the_run_and_wakes_it() {
    let fake = FakeDataZone::with_runs(vec![run("bd1qd8gj2ns3zr", "ds_orders", "SUCCESS")]);
    let (store, callback, metrics) = (
        MemoryReportStore::default(),
        MemoryCallback::default(),
        RecordedMetrics::default(),
    );
    waiting_on(&store, &["bd1qd8gj2ns3zr"]).await;
    let handler = RunStatus::with_metrics(&fake, &store, &callback, config(), &metrics);
    handler
        .handle(succeeded_event(), &Invocation::default())
        .await
        .unwrap();
    let recorded: Value = serde_json::from_str(
        &store
            .saved("harvests/dzd_sales2026/nightly.ended/bd1qd8gj2ns3zr.json")
            .expect("the end recorded"),
    )
    .unwrap();
    assert_eq!(
        (
            recorded["kind"].clone(),
            recorded["dataSourceId"].clone(),
            recorded["reading"]["outcome"].clone(),
            recorded["eventTime"].clone()
        ),
        (
            json!("dataSourceRun"),
            json!("ds_orders"),
            json!("SUCCEEDED"),
            json!("2026-11-21T02:10:00Z")
        )
    );
    assert_eq!(callback.resumed().len(), 1, "its only run ended");
    // A query is no event: nothing more is recorded, nobody woken.
    handler
        .handle(query("bd1qd8gj2ns3zr"), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(callback.resumed().len(), 1);
}

#[tokio::test]
async fn without_followed_events_nothing_is_recorded() {
    let fake = FakeDataZone::with_runs(vec![run("bd1qd8gj2ns3zr", "ds_orders", "SUCCESS")]);
    let (store, callback, metrics) = (
        MemoryReportStore::default(),
        MemoryCallback::default(),
        RecordedMetrics::default(),
    );
    waiting_on(&store, &["bd1qd8gj2ns3zr"]).await;
    let config = RunStatusConfig {
        follow_events: false,
        ..config()
    };
    RunStatus::with_metrics(&fake, &store, &callback, config, &metrics)
        .handle(succeeded_event(), &Invocation::default())
        .await
        .unwrap();
    assert!(
        store
            .keys("harvests/dzd_sales2026/nightly.ended/")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(callback.resumed().is_empty());
}
