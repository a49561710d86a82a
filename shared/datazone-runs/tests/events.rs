//! A harvest followed on DataZone's events: the waiting note, the ends
//! recorded once, the wake only when it gives the harvest work, the
//! rounds that take the ends in, and checks as the safety net.

use std::collections::BTreeSet;
use std::time::Duration;

use datazone_runs::model::harvest::{AssetRecord, Harvest, Outcome, SourceRecord, Stage};
use datazone_runs::model::ids::{DomainId, MetadataGenerationRunId};
use datazone_runs::model::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationType};
use datazone_runs::model::outcome::OutcomeClass;
use datazone_runs::model::run::{AssetStatistics, DataSourceRunStatus};
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::ReportStore;
use datazone_runs::testing::{FakeDataZone, MemoryCallback, MemoryReportStore, domain, source};
use datazone_runs::usecase::harvest::events::{
    EndedRun, ParkSettings, RecordedEnd, TakenPart, WaitEnd, WaitingNote, Wake, checks_after, park,
    record_end, take_recorded, wake_for,
};
use datazone_runs::usecase::harvest::follow::{Checks, FollowRound, MetadataSettings, RoundPart};
use datazone_runs::usecase::harvest::start::StartRound;
use datazone_runs::usecase::harvest::steps::{HarvestRecord, StartStep, follow_step, start_step};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::select::Selection;
use datazone_runs::usecase::status::{MetadataReading, RunReading};
use serde_json::json;

const KEY: &str = "harvests/dzd_sales2026/exec-1.json";
const NOTE: &str = "harvests/dzd_sales2026/waiting/exec-1.json";
const ENDED: &str = "harvests/dzd_sales2026/exec-1.ended/";

fn record(domain: &DomainId) -> HarvestRecord<'_> {
    HarvestRecord {
        report_prefix: "harvests/",
        domain,
        execution_id: "exec-1",
    }
}

const SETTINGS: ParkSettings = ParkSettings {
    wake_on_run_end: false,
    coalesce_seconds: 30,
};

/// Sources `ids` started by one start step with events followed.
async fn started(fake: &FakeDataZone, store: &MemoryReportStore, ids: &[&str]) {
    let pacer = Pacer::per_second(1000.0);
    let domain = domain();
    let selection = Selection::Sources(ids.iter().copied().map(source).collect());
    let step = StartStep {
        record: record(&domain),
        trigger_id: "exec-1",
        selection: &selection,
        list_pacer: &pacer,
        round: StartRound {
            concurrency: 1,
            pacer: &pacer,
            budget: Budget::lasting(Duration::from_secs(60)),
            call_allowance: Duration::from_secs(5),
            retry_deadline: Duration::from_secs(600),
        },
        events: Some(SETTINGS),
    };
    start_step(fake, store, &step).await.unwrap();
}

fn note(store: &MemoryReportStore) -> WaitingNote {
    serde_json::from_str(&store.saved(NOTE).expect("a waiting note")).unwrap()
}

fn ended(run_id: &str, data_source: &str, status: DataSourceRunStatus) -> RecordedEnd {
    let outcome = match status {
        DataSourceRunStatus::Failed => OutcomeClass::Failed,
        DataSourceRunStatus::PartiallySucceeded => OutcomeClass::PartiallySucceeded,
        _ => OutcomeClass::Succeeded,
    };
    RecordedEnd {
        run: EndedRun::DataSourceRun {
            run_id: run_id.into(),
            data_source_id: data_source.into(),
            reading: RunReading {
                status,
                outcome,
                asset_statistics: AssetStatistics {
                    added: 2,
                    ..AssetStatistics::default()
                },
                error: None,
                duration_seconds: Some(300),
                began_at: Timestamp::from_epoch_millis(1_000_000),
                next_wait_seconds: 0,
                observed_at: Timestamp::from_epoch_millis(1_400_000),
            },
        },
        event_time: Some(Timestamp::from_epoch_millis(1_399_000)),
    }
}

async fn record_run_end(
    store: &MemoryReportStore,
    callback: &MemoryCallback,
    end: &RecordedEnd,
) -> Vec<(bool, bool)> {
    record_end(store, callback, "harvests/", &domain(), end)
        .await
        .unwrap()
        .into_iter()
        .map(|recorded| (recorded.first, recorded.resumed))
        .collect()
}

fn round<'a>(polling: &'a PollingPolicy, checks: Checks) -> FollowRound<'a> {
    FollowRound {
        polling,
        max_polls: 20,
        concurrency: 4,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: None,
        checks,
    }
}

#[tokio::test]
async fn the_start_step_leaves_a_note_naming_the_runs_it_started() {
    let (fake, store) = (FakeDataZone::default(), MemoryReportStore::default());
    started(&fake, &store, &["a", "b"]).await;
    let note = note(&store);
    assert_eq!(note.runs, ["run-0", "run-1"]);
    assert!(note.data_sources.is_empty(), "every source started");
    assert_eq!(note.task_token, None, "no wait yet");
    assert_eq!(note.ended_prefix, ENDED);
}

#[tokio::test]
async fn an_end_is_recorded_once_and_the_last_one_wakes_the_harvest() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a", "b"]).await;
    let domain = domain();
    park(
        &store,
        &callback,
        &record(&domain),
        Some("token-1"),
        SETTINGS,
    )
    .await
    .unwrap();
    assert_eq!(note(&store).task_token.as_deref(), Some("token-1"));
    let first = ended("run-0", "a", DataSourceRunStatus::Success);
    assert_eq!(
        record_run_end(&store, &callback, &first).await,
        [(true, false)]
    );
    assert!(callback.resumed().is_empty(), "run-1 still goes on");
    // EventBridge delivers at least once: a repeat records nothing.
    assert_eq!(
        record_run_end(&store, &callback, &first).await,
        [(false, false)]
    );
    let last = ended("run-1", "b", DataSourceRunStatus::Failed);
    assert_eq!(
        record_run_end(&store, &callback, &last).await,
        [(true, true)]
    );
    let resumed = callback.resumed();
    assert_eq!(resumed.len(), 1);
    let wake: Wake = serde_json::from_str(&resumed[0].1).unwrap();
    assert_eq!(
        (resumed[0].0.as_str(), wake.coalesce_seconds),
        ("token-1", 0)
    );
    let recorded: RecordedEnd =
        serde_json::from_str(&store.saved(&format!("{ENDED}run-1.json")).unwrap()).unwrap();
    assert_eq!(recorded, last);
}

#[tokio::test]
async fn an_end_no_harvest_waits_for_is_left_alone() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a"]).await;
    let other = ended("run-9", "z", DataSourceRunStatus::Success);
    assert!(record_run_end(&store, &callback, &other).await.is_empty());
    assert!(store.keys(ENDED).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_run_of_a_source_about_to_start_is_recorded_by_its_source() {
    let (store, callback) = (MemoryReportStore::default(), MemoryCallback::default());
    let note = WaitingNote {
        task_token: None,
        ended_prefix: ENDED.into(),
        runs: vec![],
        data_sources: vec!["a".into()],
        metadata_runs: vec![],
        wake_on_run_end: false,
        coalesce_seconds: 0,
    };
    store
        .write(NOTE, serde_json::to_vec(&note).unwrap())
        .await
        .unwrap();
    let end = ended("run-0", "a", DataSourceRunStatus::Success);
    assert_eq!(
        record_run_end(&store, &callback, &end).await,
        [(true, false)]
    );
    assert!(store.saved(&format!("{ENDED}run-0.json")).is_some());
}

#[test]
fn a_harvest_is_woken_only_when_the_end_gives_it_work() {
    let recorded = |ids: &[&str]| {
        ids.iter()
            .map(|id| (*id).to_owned())
            .collect::<BTreeSet<_>>()
    };
    let note = |wake_on_run_end: bool| WaitingNote {
        task_token: Some("t".into()),
        ended_prefix: ENDED.into(),
        runs: vec!["r1".into(), "r2".into()],
        data_sources: vec![],
        metadata_runs: vec!["m1".into()],
        wake_on_run_end,
        coalesce_seconds: 30,
    };
    assert_eq!(wake_for(&note(false), &recorded(&["r1", "r2"])), None);
    assert_eq!(
        wake_for(&note(false), &recorded(&["r1", "r2", "m1"])).map(|wake| wake.coalesce_seconds),
        Some(0)
    );
    assert_eq!(
        wake_for(&note(true), &recorded(&["r1"])).map(|wake| wake.coalesce_seconds),
        Some(30),
        "metadata generation to start, after the gathering wait"
    );
    assert_eq!(
        wake_for(&note(true), &recorded(&["m1"])),
        None,
        "a generation run's end leaves nothing to start"
    );
    let empty = WaitingNote {
        runs: vec![],
        metadata_runs: vec![],
        ..note(false)
    };
    assert_eq!(wake_for(&empty, &recorded(&[])), None, "nothing followed");
}

#[tokio::test]
async fn parking_after_the_ends_were_recorded_wakes_the_harvest_itself() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a"]).await;
    // Recorded while the round ran, before the note had a token.
    let end = ended("run-0", "a", DataSourceRunStatus::Success);
    assert_eq!(
        record_run_end(&store, &callback, &end).await,
        [(true, false)]
    );
    let domain = domain();
    let parked = park(
        &store,
        &callback,
        &record(&domain),
        Some("token-2"),
        SETTINGS,
    )
    .await
    .unwrap();
    assert!(parked.resumed);
    assert_eq!(callback.resumed()[0].0, "token-2");
    // A wait that had timed out is gone: nothing to resume.
    callback.close("token-3");
    let again = park(
        &store,
        &callback,
        &record(&domain),
        Some("token-3"),
        SETTINGS,
    )
    .await
    .unwrap();
    assert!(!again.resumed);
}

#[tokio::test]
async fn a_woken_round_takes_the_ends_in_and_checks_no_run() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a", "b"]).await;
    let end = ended("run-0", "a", DataSourceRunStatus::PartiallySucceeded);
    record_run_end(&store, &callback, &end).await;
    let polling = PollingPolicy::new(10, 900).unwrap();
    let domain = domain();
    let woken = round(&polling, Checks::SafetyNet { due: false });
    let part = RoundPart::Runs {
        then_metadata: false,
    };
    let report = follow_step(&fake, &store, &record(&domain), &woken, part)
        .await
        .unwrap();
    assert_eq!(
        (report.pending, report.next_wait_seconds),
        (1, 900),
        "run-1 waits the safety net's wait"
    );
    assert_eq!(fake.calls("GetDataSourceRun"), 0, "no run checked");
    let harvest = store.load(KEY).await.unwrap().unwrap();
    let a = &harvest.sources[0];
    assert_eq!(a.tracking.outcome, Some(Outcome::PartiallySucceeded));
    assert!(a.tracking.by_event);
    assert_eq!(
        a.tracking.recorded_at,
        Some(Timestamp::from_epoch_millis(1_400_000))
    );
    assert_eq!(a.asset_statistics.unwrap().added, 2);
    assert_eq!(harvest.sources[1].tracking.stage, Stage::Following);
    // The wait ran out: the safety net checks the run still going.
    fake.finish_run("run-1", "SUCCESS", AssetStatistics::default());
    let due = round(&polling, Checks::SafetyNet { due: true });
    let report = follow_step(&fake, &store, &record(&domain), &due, part)
        .await
        .unwrap();
    assert_eq!(report.pending, 0);
    assert_eq!(fake.calls("GetDataSourceRun"), 1, "run-0 is not checked");
    let harvest = store.load(KEY).await.unwrap().unwrap();
    assert!(!harvest.sources[1].tracking.by_event);
    assert!(
        store.saved(NOTE).is_none(),
        "the note goes with the harvest"
    );
}

#[tokio::test]
async fn a_round_that_checks_waits_the_longest_wait_for_a_run_still_going() {
    let (fake, store) = (FakeDataZone::default(), MemoryReportStore::default());
    started(&fake, &store, &["a"]).await;
    fake.set_started_seconds_ago("run-0", 30);
    let polling = PollingPolicy::new(10, 900).unwrap();
    let domain = domain();
    let part = RoundPart::Runs {
        then_metadata: false,
    };
    let every = follow_step(
        &fake,
        &store,
        &record(&domain),
        &round(&polling, Checks::EveryRound),
        part,
    )
    .await
    .unwrap();
    assert_eq!(every.next_wait_seconds, 20, "the wait its age calls for");
    let net = round(&polling, Checks::SafetyNet { due: true });
    let safety = follow_step(&fake, &store, &record(&domain), &net, part)
        .await
        .unwrap();
    assert_eq!(safety.next_wait_seconds, 900);
}

#[test]
fn a_round_checks_when_the_wait_ran_out_or_no_event_is_followed() {
    let woken: WaitEnd =
        serde_json::from_value(json!({"coalesceSeconds": 0, "reason": "runs started"})).unwrap();
    let ran_out: WaitEnd =
        serde_json::from_value(json!({"Error": "States.Timeout", "Cause": "…"})).unwrap();
    assert_eq!(
        checks_after(true, Some(&woken)),
        Checks::SafetyNet { due: false }
    );
    assert_eq!(
        checks_after(true, Some(&ran_out)),
        Checks::SafetyNet { due: true }
    );
    assert_eq!(checks_after(true, None), Checks::SafetyNet { due: true });
    assert_eq!(checks_after(false, Some(&woken)), Checks::EveryRound);
}

/// A harvest of one source whose run succeeded and whose assets were
/// listed, a metadata generation run following for each of `runs`.
fn generating_metadata(runs: &[&str]) -> Harvest {
    let mut source = SourceRecord::to_start(source("a"), None);
    source.tracking.stage = Stage::GeneratingMetadata;
    source.tracking.outcome = Some(Outcome::Succeeded);
    source.assets_listed = true;
    source.metadata = runs
        .iter()
        .map(|id| {
            let mut asset = AssetRecord::to_start(format!("ast_{id}"), (*id).into());
            asset.tracking.stage = Stage::Following;
            asset.metadata_run_id = Some(MetadataGenerationRunId::parse("id", *id).unwrap());
            asset
        })
        .collect();
    Harvest::new("exec-1".into(), domain(), vec![source])
}

/// The end of generation run `run_id`, recorded as run-status records it.
async fn record_generation_end(
    store: &MemoryReportStore,
    run_id: &str,
    status: Option<MetadataGenerationRunStatus>,
    outcome: OutcomeClass,
) {
    let end = RecordedEnd {
        run: EndedRun::MetadataGenerationRun {
            run_id: run_id.into(),
            reading: MetadataReading {
                status,
                outcome,
                type_stats: vec![],
                next_wait_seconds: 0,
                observed_at: Timestamp::from_epoch_millis(2_000_000),
            },
        },
        event_time: None,
    };
    store
        .write(
            &format!("{ENDED}{run_id}.json"),
            serde_json::to_vec(&end).unwrap(),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_metadata_part_takes_in_a_generation_runs_recorded_end() {
    let (fake, store) = (FakeDataZone::default(), MemoryReportStore::default());
    store
        .save(KEY, &generating_metadata(&["mg_1"]))
        .await
        .unwrap();
    let succeeded = Some(MetadataGenerationRunStatus::Succeeded);
    record_generation_end(&store, "mg_1", succeeded, OutcomeClass::Succeeded).await;
    let polling = PollingPolicy::new(10, 900).unwrap();
    let pacer = Pacer::per_second(1000.0);
    let types = [MetadataGenerationType::BusinessDescriptions];
    let mut woken = round(&polling, Checks::SafetyNet { due: false });
    woken.metadata = Some(MetadataSettings {
        types: &types,
        pacer: &pacer,
        predictions: None,
    });
    let domain = domain();
    let part = RoundPart::Metadata {
        runs_next_wait_seconds: 0,
    };
    let report = follow_step(&fake, &store, &record(&domain), &woken, part)
        .await
        .unwrap();
    assert_eq!(report.pending, 0, "the source is done with its asset");
    assert_eq!(fake.calls("GetMetadataGenerationRun"), 0);
    let harvest = store.load(KEY).await.unwrap().unwrap();
    let asset = &harvest.sources[0].metadata[0];
    assert_eq!(asset.tracking.outcome, Some(Outcome::Succeeded));
    assert!(asset.tracking.by_event);
}

#[tokio::test]
async fn a_recorded_end_ends_the_run_it_names_once() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a", "b"]).await;
    let end = ended("run-1", "b", DataSourceRunStatus::Success);
    record_run_end(&store, &callback, &end).await;
    let domain = domain();
    let mut harvest = store.load(KEY).await.unwrap().unwrap();
    let part = TakenPart::Runs {
        then_metadata: false,
    };
    let taken = take_recorded(&store, &record(&domain), &mut harvest, part, 4)
        .await
        .unwrap();
    assert_eq!(taken, 1);
    assert_eq!(
        harvest.sources[0].tracking.stage,
        Stage::Following,
        "a goes on"
    );
    assert_eq!(
        harvest.sources[1].tracking.outcome,
        Some(Outcome::Succeeded)
    );
    // Taken in already: the next round takes nothing.
    let again = take_recorded(&store, &record(&domain), &mut harvest, part, 4)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Following);
}

#[tokio::test]
async fn a_recorded_generation_end_ends_the_asset_it_names() {
    let store = MemoryReportStore::default();
    let mut harvest = generating_metadata(&["mg_1", "mg_2"]);
    record_generation_end(&store, "mg_2", None, OutcomeClass::Failed).await;
    let domain = domain();
    let taken = take_recorded(
        &store,
        &record(&domain),
        &mut harvest,
        TakenPart::Metadata,
        4,
    )
    .await
    .unwrap();
    assert_eq!(taken, 1);
    let assets = &harvest.sources[0].metadata;
    assert_eq!(assets[0].tracking.stage, Stage::Following);
    assert_eq!(assets[1].tracking.outcome, Some(Outcome::Failed));
    let again = take_recorded(
        &store,
        &record(&domain),
        &mut harvest,
        TakenPart::Metadata,
        4,
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
    assert_eq!(
        harvest.sources[0].metadata[0].tracking.stage,
        Stage::Following
    );
}
