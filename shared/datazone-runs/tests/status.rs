//! Reading and assessing statuses through the port, against the in-memory
//! DataZone.

use datazone_runs::model::ids::{DataSourceRunId, MetadataGenerationRunId};
use datazone_runs::model::outcome::{Origin, OutcomeClass};
use datazone_runs::model::run::{AssetStatistics, DataSourceErrorType, RunError};
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::testing::{FakeDataZone, domain, metadata_run, run};
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::status::{RunOutcome, check_metadata_run, check_run};

fn policy() -> PollingPolicy {
    PollingPolicy::new(10, 600).unwrap()
}

fn run_id(id: &str) -> DataSourceRunId {
    DataSourceRunId::parse("runId", id).unwrap()
}

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
    let fake = FakeDataZone::with_runs(vec![failed]);
    let outcome = check_run(&fake, &domain(), &run_id("r1"), Origin::Query, &policy())
        .await
        .unwrap();
    assert!(outcome.terminal);
    assert_eq!(outcome.outcome, OutcomeClass::PartiallySucceeded);
    assert_eq!(outcome.asset_statistics.added, 3);
    assert_eq!(outcome.duration_seconds, Some(120));
    assert_eq!(outcome.next_wait_seconds, 0);
    assert_eq!(outcome.origin, Origin::Query);
    let json = serde_json::to_value(&outcome).unwrap();
    assert_eq!(json["status"], "PARTIALLY_SUCCEEDED");
    assert_eq!(json["outcome"], "PARTIALLY_SUCCEEDED");
    assert_eq!(json["error"]["errorType"], "ACCESS_DENIED_EXCEPTION");
    assert_eq!(json["origin"], serde_json::json!({"kind": "query"}));
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
        let fake = FakeDataZone::with_runs(vec![run("r1", "ds", status)]);
        let outcome = check_run(&fake, &domain(), &run_id("r1"), Origin::Query, &policy())
            .await
            .unwrap();
        assert_eq!(
            (outcome.outcome, outcome.terminal),
            (class, terminal),
            "{status}"
        );
        assert_eq!(outcome.next_wait_seconds == 0, terminal, "{status}");
    }
}

#[tokio::test]
async fn a_run_in_progress_gets_a_wait_that_grows_with_its_age() {
    let policy = policy();
    let mut young = run("r1", "ds", "RUNNING");
    let now = Timestamp::now();
    young.created_at = Timestamp::from_epoch_millis(now.epoch_millis() - 5_000);
    let mut old = young.clone();
    old.created_at = Timestamp::from_epoch_millis(now.epoch_millis() - 3_600_000);
    let mut started_late = old.clone();
    started_late.started_at = Some(Timestamp::from_epoch_millis(now.epoch_millis() - 25_000));
    let assess = |run| RunOutcome::assess(run, Origin::Query, now, &policy);
    assert_eq!(assess(young).next_wait_seconds, 10);
    assert_eq!(assess(old).next_wait_seconds, 600);
    let started_late = assess(started_late);
    assert_eq!(
        (
            started_late.next_wait_seconds,
            started_late.duration_seconds
        ),
        (20, Some(25)),
        "age counts from the start, not the creation"
    );
}

#[tokio::test]
async fn a_terminal_run_without_a_stop_time_has_no_duration() {
    let finished = run("r1", "ds", "SUCCESS");
    let outcome = RunOutcome::assess(finished, Origin::Query, Timestamp::now(), &policy());
    assert_eq!(outcome.duration_seconds, None);
}

#[tokio::test]
async fn an_unknown_run_is_a_typed_not_found() {
    let error = check_run(
        &FakeDataZone::default(),
        &domain(),
        &run_id("missing"),
        Origin::Query,
        &policy(),
    )
    .await
    .unwrap_err();
    assert_eq!(error.name(), "DataZone.ResourceNotFoundException");
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
        let outcome = check_metadata_run(
            &fake,
            &domain(),
            &MetadataGenerationRunId::parse("runId", "m1").unwrap(),
            Origin::Query,
            &policy(),
        )
        .await
        .unwrap();
        assert_eq!(
            (outcome.outcome, outcome.terminal),
            (class, terminal),
            "{status:?}"
        );
        assert_eq!(outcome.next_wait_seconds == 0, terminal, "{status:?}");
    }
}
