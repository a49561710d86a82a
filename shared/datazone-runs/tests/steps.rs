//! A harvest's steps over a report store, as an execution takes them.

use std::time::Duration;

use datazone_runs::model::ids::DomainId;
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::port::ReportStore;
use datazone_runs::testing::{FakeDataZone, MemoryReportStore, domain, source};
use datazone_runs::usecase::harvest::follow::RoundPart;
use datazone_runs::usecase::harvest::follow::{Checks, FollowRound};
use datazone_runs::usecase::harvest::start::StartRound;
use datazone_runs::usecase::harvest::steps::{
    HarvestRecord, StartReport, StartStep, follow_step, start_step,
};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::select::Selection;

const KEY: &str = "harvests/dzd_sales2026/exec-1.json";

/// The harvest of execution `exec-1`, kept under [`KEY`].
fn record(domain: &DomainId) -> HarvestRecord<'_> {
    HarvestRecord {
        report_prefix: "harvests/",
        domain,
        execution_id: "exec-1",
    }
}

async fn start<S: ReportStore>(
    fake: &FakeDataZone,
    store: &S,
    selection: &Selection,
    budget: u64,
    rate: f64,
) -> StartReport {
    let pacer = Pacer::per_second(rate);
    let domain = domain();
    let step = StartStep {
        record: record(&domain),
        trigger_id: "exec-1",
        selection,
        list_pacer: &pacer,
        round: StartRound {
            concurrency: 1,
            pacer: &pacer,
            budget: Budget::lasting(Duration::from_secs(budget)),
            call_allowance: Duration::from_secs(5),
            retry_deadline: Duration::from_secs(600),
        },
        events: None,
    };
    start_step(fake, store, &step).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn the_record_is_saved_and_resumed_and_nothing_starts_twice() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let selection = Selection::Sources(["a", "b", "c", "d"].map(source).to_vec());
    // One start a second, five seconds allowed a call, six for the round:
    // starts begin at 0, 1 and 2 s; the fourth would end past the round.
    let first = start(&fake, &store, &selection, 6, 1.0).await;
    assert_eq!((first.selected, first.remaining), (4, 1));
    assert_eq!(first.retry_after_seconds, 0, "the rest goes on at once");
    assert_eq!(first.report, format!("memory://{KEY}"));
    assert_eq!(
        store
            .saved(KEY)
            .unwrap()
            .matches("\"stage\":\"to-start\"")
            .count(),
        1
    );
    let second = start(&fake, &store, &selection, 60, 1000.0).await;
    assert_eq!(second.remaining, 0);
    // The same step again (a retried task) finds every source started.
    let third = start(&fake, &store, &selection, 60, 1000.0).await;
    assert_eq!(third.remaining, 0);
    assert_eq!(fake.calls("StartDataSourceRun"), 4);
    // The record, not a new selection, decides: a selection changed
    // between two steps of one execution changes nothing.
    let other = Selection::Sources(vec![source("e")]);
    assert_eq!(start(&fake, &store, &other, 60, 1000.0).await.selected, 4);
}

#[tokio::test(start_paused = true)]
async fn a_borrowed_store_is_the_store_it_borrows() {
    // The functions hold their ports by reference in tests: `&T` must save,
    // load and name exactly what `T` does.
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let borrowed = &store;
    let selection = Selection::Sources(["a", "b", "c", "d"].map(source).to_vec());
    let first = start(&fake, &borrowed, &selection, 6, 1.0).await;
    assert_eq!((first.selected, first.remaining), (4, 1));
    assert_eq!(first.report, format!("memory://{KEY}"));
    assert!(store.saved(KEY).is_some(), "saved through the borrow");
    let second = start(&fake, &borrowed, &selection, 60, 1000.0).await;
    assert_eq!((second.selected, second.remaining), (4, 0));
    assert_eq!(
        fake.calls("StartDataSourceRun"),
        4,
        "resumed from the record"
    );
}

#[tokio::test]
async fn a_round_with_no_time_for_one_call_is_a_configuration_error() {
    let pacer = Pacer::per_second(1000.0);
    let domain = domain();
    let step = StartStep {
        record: record(&domain),
        trigger_id: "exec-1",
        selection: &Selection::Sources(vec![source("a")]),
        list_pacer: &pacer,
        round: StartRound {
            concurrency: 1,
            pacer: &pacer,
            budget: Budget::lasting(Duration::from_secs(4)),
            call_allowance: Duration::from_secs(5),
            retry_deadline: Duration::from_secs(600),
        },
        events: None,
    };
    let store = MemoryReportStore::default();
    let error = start_step(&FakeDataZone::default(), &store, &step)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidConfiguration");
    assert!(error.to_string().contains("raise its timeout"), "{error}");
    assert_eq!(store.saved(KEY), None);
}

#[tokio::test]
async fn following_ends_with_a_summary_and_the_full_record_in_the_store() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    start(
        &fake,
        &store,
        &Selection::Sources(vec![source("a"), source("b")]),
        60,
        1000.0,
    )
    .await;
    let polling = PollingPolicy::new(10, 600).unwrap();
    let round = FollowRound {
        polling: &polling,
        max_polls: 10,
        concurrency: 2,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: None,
        checks: Checks::EveryRound,
    };
    let report = follow_step(&fake, &store, &record(&domain()), &round, RoundPart::Whole)
        .await
        .unwrap();
    assert_eq!((report.pending, report.summary), (2, None));
    fake.finish_run(
        "run-0",
        "SUCCESS",
        AssetStatistics {
            added: 2,
            ..AssetStatistics::default()
        },
    );
    fake.finish_run("run-1", "FAILED", AssetStatistics::default());
    let report = follow_step(&fake, &store, &record(&domain()), &round, RoundPart::Whole)
        .await
        .unwrap();
    assert_eq!(report.pending, 0);
    let summary = report.summary.unwrap();
    assert_eq!((summary.sources.succeeded, summary.sources.failed), (1, 1));
    assert!(summary.any_failed);
    assert_eq!(summary.report, format!("memory://{KEY}"));
    let saved = store.load(KEY).await.unwrap().unwrap();
    assert_eq!(saved.rounds, 2);
    assert_eq!(saved.sources[0].asset_statistics.unwrap().added, 2);
}

#[tokio::test]
async fn following_without_a_record_is_refused() {
    let polling = PollingPolicy::new(10, 600).unwrap();
    let round = FollowRound {
        polling: &polling,
        max_polls: 10,
        concurrency: 2,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: None,
        checks: Checks::EveryRound,
    };
    let error = follow_step(
        &FakeDataZone::default(),
        &MemoryReportStore::default(),
        &record(&domain()),
        &round,
        RoundPart::Whole,
    )
    .await
    .unwrap_err();
    assert_eq!(error.name(), "Report.Refused");
}
