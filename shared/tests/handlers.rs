//! The three handlers against an in-memory DataZone.

mod support;

use datazone_runs::Error;
use datazone_runs::events::Origin;
use datazone_runs::lambda::{Handler, Invocation, invoke};
use datazone_runs::metadata_run::{MetadataGenerationRun, MetadataGenerationRunStatus};
use datazone_runs::metadata_status::MetadataStatus;
use datazone_runs::outcome::OutcomeClass;
use datazone_runs::payload::Payload;
use datazone_runs::polling::PollingPolicy;
use datazone_runs::run::{AssetStatistics, DataSourceErrorType, RunError};
use datazone_runs::run_status::{RunStatus, RunStatusConfig};
use datazone_runs::start_runs::{StartAction, StartRuns, StartRunsConfig, StartRunsRequest};
use datazone_runs::timestamp::Timestamp;
use serde_json::json;
use support::{FakeDataZone, RecordedMetrics, bad_payloads, domain, run, sample_events, source};

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

fn run_status(fake: FakeDataZone) -> RunStatus<FakeDataZone, RecordedMetrics> {
    RunStatus::with_metrics(
        fake,
        RunStatusConfig {
            polling: PollingPolicy::new(10, 600).unwrap(),
            metrics_namespace: "Test".into(),
        },
        RecordedMetrics::default(),
    )
}

fn query(run_id: &str) -> Payload {
    Payload::Json(json!({"domainId": "dzd_sales2026", "runId": run_id}))
}

// ---- sample events ----

#[test]
fn every_starter_sample_is_a_valid_request() {
    for (name, payload) in sample_events("start-runs") {
        let request = StartRunsRequest::from_payload(payload, &start_config())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(!request.data_sources.is_empty(), "{name}");
    }
}

#[tokio::test]
async fn every_run_status_sample_reads_the_run_it_names() {
    for (name, payload) in sample_events("run-status") {
        let fake = FakeDataZone::with_runs(vec![run("bd1qd8gj2ns3zr", "ds_orders", "SUCCESS")]);
        let outcome = run_status(fake)
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"))
            .data_source_run()
            .unwrap();
        assert_eq!(outcome.run_id, "bd1qd8gj2ns3zr", "{name}");
    }
}

#[tokio::test]
async fn every_metadata_status_sample_reads_the_run_it_names() {
    for (name, payload) in sample_events("metadata-status") {
        let fake = FakeDataZone::default();
        fake.add_metadata_run(metadata_run("mg7kq2x9t4wz1p", Some("SUCCEEDED")));
        let outcome = MetadataStatus::new(fake, PollingPolicy::new(10, 600).unwrap())
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(outcome.run_id, "mg7kq2x9t4wz1p", "{name}");
    }
}

// ---- starter ----

#[test]
fn scheduled_events_take_targets_from_configuration_and_their_id_as_trigger() {
    let (_, payload) = sample_events("start-runs")
        .into_iter()
        .find(|(name, _)| name == "scheduled-event.json")
        .unwrap();
    let request = StartRunsRequest::from_payload(payload, &start_config()).unwrap();
    assert_eq!(request.trigger_id, "5d1b2c6e-8a41-4e0b-9c3f-7f2a90d1e6b4");
    assert_eq!(request.data_sources, start_config().data_sources);
    let unconfigured = StartRunsConfig {
        domain: None,
        data_sources: vec![],
        concurrency: 1,
    };
    let (_, payload) = sample_events("start-runs")
        .into_iter()
        .find(|(name, _)| name == "scheduled-event.json")
        .unwrap();
    let error = StartRunsRequest::from_payload(payload, &unconfigured).unwrap_err();
    assert!(error.to_string().contains("DATAZONE_DOMAIN_ID"), "{error}");
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
}

#[tokio::test]
async fn starts_every_source_and_reports_one_entry_each_in_order() {
    let starter = StartRuns::new(FakeDataZone::default(), start_config());
    let output = starter
        .handle(
            start_input("exec-1", &["a", "b", "c"]),
            &Invocation::default(),
        )
        .await
        .unwrap();
    let sources: Vec<_> = output
        .runs
        .iter()
        .map(|run| run.data_source_id.to_string())
        .collect();
    assert_eq!(sources, ["a", "b", "c"]);
    assert!(
        output
            .runs
            .iter()
            .all(|run| run.action == StartAction::Started && run.run_id.is_some())
    );
    assert_eq!(
        (output.started, output.already_active, output.failed),
        (3, 0, 0)
    );
}

#[tokio::test]
async fn a_source_with_an_active_run_is_not_started_again() {
    let fake = FakeDataZone::with_runs(vec![
        run("old", "a", "SUCCESS"),
        run("busy", "a", "RUNNING"),
        run("done", "a", "FAILED"),
    ]);
    let starter = StartRuns::new(fake, start_config());
    let output = starter.start(&request("exec-1", &["a"])).await;
    assert_eq!(output.runs[0].action, StartAction::AlreadyActive);
    assert_eq!(output.runs[0].run_id.as_deref(), Some("busy"));
}

fn request(trigger: &str, sources: &[&str]) -> StartRunsRequest {
    StartRunsRequest::from_payload(start_input(trigger, sources), &start_config()).unwrap()
}

#[tokio::test]
async fn a_requested_run_found_past_the_first_page_counts_as_active() {
    // Newest first: four finished runs fill two pages before the REQUESTED
    // one, and the fake filters after paging: the first two pages of the
    // REQUESTED listing are empty, the third holds the run.
    let mut runs = vec![run("waiting", "a", "REQUESTED")];
    runs.extend((0..4).map(|i| run(&format!("done-{i}"), "a", "SUCCESS")));
    let starter = StartRuns::new(FakeDataZone::with_runs(runs), start_config());
    let output = starter.start(&request("exec-1", &["a"])).await;
    assert_eq!(output.runs[0].action, StartAction::AlreadyActive);
    assert_eq!(output.runs[0].run_id.as_deref(), Some("waiting"));
    // Three pages of RUNNING runs (none), then three of REQUESTED ones.
    let three_pages = vec![None, Some("2".to_owned()), Some("4".to_owned())];
    assert_eq!(
        starter.datazone().run_page_tokens(),
        [three_pages.clone(), three_pages].concat()
    );
    assert_eq!(starter.datazone().calls("StartDataSourceRun"), 0);
}

#[tokio::test]
async fn a_duplicate_trigger_starts_nothing_new() {
    let starter = StartRuns::new(FakeDataZone::default(), start_config());
    let first = starter.start(&request("event-1", &["a", "b"])).await;
    // Delivered again while the runs are still active…
    let second = starter.start(&request("event-1", &["a", "b"])).await;
    assert!(
        second
            .runs
            .iter()
            .all(|run| run.action == StartAction::AlreadyActive)
    );
    // …and again after they finished: the client token returns the same runs.
    for entry in &first.runs {
        starter_fake(&starter).set_status(entry.run_id.as_deref().unwrap(), "SUCCESS");
    }
    let third = starter.start(&request("event-1", &["a", "b"])).await;
    let ids = |output: &datazone_runs::start_runs::StartRunsOutput| {
        output
            .runs
            .iter()
            .map(|run| run.run_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&third));
    assert_eq!(starter_fake(&starter).runs().len(), 2);
    // Another trigger does start new runs.
    let next_night = starter.start(&request("event-2", &["a", "b"])).await;
    assert_eq!(next_night.started, 2);
    assert_eq!(starter_fake(&starter).runs().len(), 4);
}

fn starter_fake(starter: &StartRuns<FakeDataZone>) -> &FakeDataZone {
    starter.datazone()
}

#[tokio::test]
async fn a_conflict_on_start_attaches_to_the_run_that_won() {
    let fake = FakeDataZone::default();
    fake.race_next_start_of("a");
    let starter = StartRuns::new(fake, start_config());
    let output = starter.start(&request("exec-1", &["a"])).await;
    assert_eq!(output.runs[0].action, StartAction::AlreadyActive);
    assert_eq!(output.runs[0].run_id.as_deref(), Some("other-0"));
}

#[tokio::test]
async fn one_failing_source_does_not_drop_the_others() {
    let fake = FakeDataZone::default();
    fake.fail_starts_of("b", Error::ServiceQuotaExceeded("25 runs today".into()));
    let starter = StartRuns::new(fake, start_config());
    let output = starter.start(&request("exec-1", &["a", "b", "c"])).await;
    assert_eq!((output.started, output.failed), (2, 1));
    let failed = &output.runs[1];
    assert_eq!(failed.action, StartAction::Failed);
    let error = failed.error.as_ref().unwrap();
    assert_eq!(error.name, "DataZone.ServiceQuotaExceededException");
    assert!(error.message.contains("25 runs today"));
    let json = serde_json::to_value(&output).unwrap();
    assert_eq!(json["runs"][1]["action"], "failed");
    assert_eq!(json["runs"][0]["action"], "started");
}

// ---- run status ----

#[tokio::test]
async fn a_finished_run_is_terminal_with_its_statistics_and_error() {
    let mut failed = run("r1", "ds_orders", "PARTIALLY_SUCCEEDED");
    failed.asset_statistics = Some(AssetStatistics {
        added: 3,
        failed: 2,
        ..AssetStatistics::default()
    });
    failed.error = Some(RunError {
        error_type: DataSourceErrorType::AccessDenied,
        error_detail: Some("no access to 2 tables".into()),
    });
    failed.started_at = Some(Timestamp::from_epoch_millis(1_700_000_010_000));
    failed.stopped_at = Some(Timestamp::from_epoch_millis(1_700_000_130_000));
    let handler = run_status(FakeDataZone::with_runs(vec![failed]));
    let outcome = handler
        .handle(query("r1"), &Invocation::default())
        .await
        .unwrap()
        .data_source_run()
        .unwrap();
    assert!(outcome.terminal);
    let documents = handler.metrics().documents();
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
    assert_eq!(outcome.outcome, OutcomeClass::PartiallySucceeded);
    assert_eq!(outcome.asset_statistics.added, 3);
    assert_eq!(outcome.duration_seconds, Some(120));
    assert_eq!(outcome.next_wait_seconds, 0);
    assert_eq!(outcome.origin, Origin::Query);
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["status"], "PARTIALLY_SUCCEEDED");
    assert_eq!(json["outcome"], "PARTIALLY_SUCCEEDED");
    assert_eq!(json["error"]["errorType"], "ACCESS_DENIED_EXCEPTION");
}

#[tokio::test]
async fn every_status_maps_to_its_outcome_class() {
    let cases = [
        ("REQUESTED", OutcomeClass::InProgress, false),
        ("RUNNING", OutcomeClass::InProgress, false),
        ("SUCCESS", OutcomeClass::Succeeded, true),
        (
            "PARTIALLY_SUCCEEDED",
            OutcomeClass::PartiallySucceeded,
            true,
        ),
        ("FAILED", OutcomeClass::Failed, true),
        ("CANCELLED", OutcomeClass::Unknown, false),
    ];
    for (status, class, terminal) in cases {
        let handler = run_status(FakeDataZone::with_runs(vec![run("r1", "ds", status)]));
        let outcome = handler
            .handle(query("r1"), &Invocation::default())
            .await
            .unwrap()
            .data_source_run()
            .unwrap();
        assert_eq!(
            (outcome.outcome, outcome.terminal),
            (class, terminal),
            "{status}"
        );
        assert_eq!(outcome.next_wait_seconds == 0, terminal, "{status}");
        assert_eq!(
            handler.metrics().documents().len(),
            usize::from(terminal),
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_run_in_progress_gets_a_wait_that_grows_with_its_age() {
    let policy = PollingPolicy::new(10, 600).unwrap();
    let mut young = run("r1", "ds", "RUNNING");
    let now = Timestamp::now();
    young.created_at = Timestamp::from_epoch_millis(now.epoch_millis() - 5_000);
    let mut old = young.clone();
    old.created_at = Timestamp::from_epoch_millis(now.epoch_millis() - 3_600_000);
    let assess =
        |run| datazone_runs::run_status::RunOutcome::assess(run, Origin::Query, now, &policy);
    assert_eq!(assess(young).next_wait_seconds, 10);
    assert_eq!(assess(old).next_wait_seconds, 600);
}

#[tokio::test]
async fn an_unknown_run_is_a_typed_not_found() {
    let error = run_status(FakeDataZone::default())
        .handle(query("missing"), &Invocation::default())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "DataZone.ResourceNotFoundException");
}

#[tokio::test]
async fn run_status_answers_metadata_generation_events_too() {
    for (name, payload) in sample_events("metadata-status") {
        if name == "status-query.json" {
            continue;
        }
        let error = run_status(FakeDataZone::default())
            .handle(payload.clone(), &Invocation::default())
            .await
            .unwrap_err();
        assert_eq!(error.name(), "DataZone.ResourceNotFoundException", "{name}");
        let handler = run_status(FakeDataZone::default());
        handler
            .datazone()
            .add_metadata_run(metadata_run("mg7kq2x9t4wz1p", Some("CANCELED")));
        match handler
            .handle(payload, &Invocation::default())
            .await
            .unwrap()
        {
            datazone_runs::run_status::StatusOutcome::MetadataGeneration(outcome) => {
                assert_eq!(outcome.outcome, OutcomeClass::Canceled, "{name}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

// ---- metadata status ----

fn metadata_run(id: &str, status: Option<&str>) -> MetadataGenerationRun {
    MetadataGenerationRun {
        id: id.into(),
        domain_id: "dzd_sales2026".into(),
        owning_project_id: "prj_salesdata".into(),
        status: status.map(MetadataGenerationRunStatus::from_wire),
        target: None,
        types: vec![],
        type_stats: vec![],
        created_at: Some(Timestamp::now()),
        created_by: None,
    }
}

#[tokio::test]
async fn every_metadata_status_maps_to_its_outcome_class() {
    let cases = [
        (Some("SUBMITTED"), OutcomeClass::InProgress, false),
        (Some("IN_PROGRESS"), OutcomeClass::InProgress, false),
        (Some("SUCCEEDED"), OutcomeClass::Succeeded, true),
        (
            Some("PARTIALLY_SUCCEEDED"),
            OutcomeClass::PartiallySucceeded,
            true,
        ),
        (Some("FAILED"), OutcomeClass::Failed, true),
        (Some("CANCELED"), OutcomeClass::Canceled, true),
        (Some("PAUSED"), OutcomeClass::Unknown, false),
        (None, OutcomeClass::Unknown, false),
    ];
    for (status, class, terminal) in cases {
        let fake = FakeDataZone::default();
        fake.add_metadata_run(metadata_run("m1", status));
        let outcome = MetadataStatus::new(fake, PollingPolicy::new(10, 600).unwrap())
            .handle(query("m1"), &Invocation::default())
            .await
            .unwrap();
        assert_eq!(
            (outcome.outcome, outcome.terminal),
            (class, terminal),
            "{status:?}"
        );
    }
}

// ---- bad input, every function ----

#[tokio::test]
async fn bad_input_is_a_typed_error_from_every_function() {
    let starter = StartRuns::new(FakeDataZone::default(), start_config());
    let status = run_status(FakeDataZone::default());
    let metadata = MetadataStatus::new(
        FakeDataZone::default(),
        PollingPolicy::new(10, 600).unwrap(),
    );
    for payload in bad_payloads() {
        let invocation = Invocation::default();
        let errors = [
            invoke(&starter, payload.clone(), &invocation)
                .await
                .map(|_| ())
                .unwrap_err(),
            invoke(&status, payload.clone(), &invocation)
                .await
                .map(|_| ())
                .unwrap_err(),
            invoke(&metadata, payload.clone(), &invocation)
                .await
                .map(|_| ())
                .unwrap_err(),
        ];
        for error in errors {
            assert_eq!(error.name(), "InvalidInput", "{payload:?}: {error}");
        }
    }
    for fake in [starter.datazone(), status.datazone(), metadata.datazone()] {
        assert_eq!(fake.all_calls(), 0, "no request is sent");
    }
}

// ---- metadata generation starter ----

fn activity(asset: Option<&str>, status: &str) -> datazone_runs::port::AssetActivity {
    datazone_runs::port::AssetActivity {
        database: "sales".into(),
        technical_name: asset.unwrap_or("unnamed").into(),
        status: status.into(),
        asset_id: asset.map(str::to_owned),
    }
}

fn metadata_starter(
    fake: FakeDataZone,
) -> datazone_runs::start_metadata::StartMetadata<FakeDataZone> {
    datazone_runs::start_metadata::StartMetadata::new(
        fake,
        datazone_runs::start_metadata::StartMetadataConfig {
            types: vec![datazone_runs::metadata_run::MetadataGenerationType::BusinessDescriptions],
            concurrency: 2,
        },
    )
}

#[tokio::test]
async fn every_metadata_starter_sample_is_a_valid_request() {
    for (name, payload) in sample_events("start-metadata-generation") {
        let output = metadata_starter(FakeDataZone::default())
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            output.data_source_run_id.as_str(),
            "bd1qd8gj2ns3zr",
            "{name}"
        );
    }
}

#[tokio::test]
async fn metadata_generation_starts_once_per_added_or_updated_asset() {
    let fake = FakeDataZone::default();
    fake.add_activities(
        "run-1",
        vec![
            activity(Some("created"), "SUCCEEDED_CREATED"),
            activity(Some("unchanged"), "UNCHANGED"),
            activity(Some("updated"), "SUCCEEDED_UPDATED"),
            activity(None, "SUCCEEDED_CREATED"),
            activity(Some("broken"), "FAILED"),
            activity(Some("created"), "SUCCEEDED_CREATED"),
            activity(Some("refused"), "SUCCEEDED_UPDATED"),
        ],
    );
    fake.fail_metadata_generation_for("refused", Error::Throttling("10 per second".into()));
    let starter = metadata_starter(fake);
    let input = || {
        Payload::Json(
            json!({"domainId": "dzd_sales2026", "runId": "run-1", "projectId": "prj_salesdata", "executionId": "exec-1"}),
        )
    };
    let output = starter
        .handle(input(), &Invocation::default())
        .await
        .unwrap();
    let assets: Vec<_> = output
        .runs
        .iter()
        .map(|run| run.asset_id.as_str())
        .collect();
    assert_eq!(
        assets,
        ["created", "updated", "refused"],
        "activities span several pages"
    );
    assert_eq!((output.started, output.failed), (2, 1));
    assert_eq!(
        output.runs[2].error.as_ref().unwrap().name,
        "DataZone.ThrottlingException"
    );
    let again = starter
        .handle(input(), &Invocation::default())
        .await
        .unwrap();
    assert_eq!(
        output
            .runs
            .iter()
            .map(|run| run.metadata_run_id.clone())
            .collect::<Vec<_>>(),
        again
            .runs
            .iter()
            .map(|run| run.metadata_run_id.clone())
            .collect::<Vec<_>>(),
        "a retried task reuses its client tokens"
    );
    assert_eq!(starter.datazone().metadata_runs().len(), 2);
}

#[tokio::test]
async fn the_metadata_starter_refuses_bad_input_by_name() {
    let starter = metadata_starter(FakeDataZone::default());
    for payload in bad_payloads().into_iter().chain([
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "p", "executionId": ""})),
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "bad project", "executionId": "x"})),
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "p", "executionId": "x", "extra": 1})),
    ]) {
        let error = invoke(&starter, payload.clone(), &Invocation::default()).await.map(|_| ()).unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{payload:?}");
    }
}
