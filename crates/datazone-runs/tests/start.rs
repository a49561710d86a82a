//! Starting data sources through the port, against the in-memory DataZone.

use datazone_runs::Error;
use datazone_runs::model::ids::DataSourceId;
use datazone_runs::testing::{FakeDataZone, domain, run, source};
use datazone_runs::usecase::start::{SourceStart, StartAction, StartPlan, start_sources};

async fn start(fake: &FakeDataZone, trigger: &str, sources: &[&str]) -> Vec<SourceStart> {
    let sources: Vec<DataSourceId> = sources.iter().map(|id| source(id)).collect();
    let plan = StartPlan {
        trigger_id: trigger,
        domain: &domain(),
        data_sources: &sources,
        concurrency: 2,
    };
    start_sources(fake, &plan).await
}

fn count(starts: &[SourceStart], action: StartAction) -> usize {
    starts.iter().filter(|start| start.action == action).count()
}

#[tokio::test]
async fn starts_every_source_and_reports_one_entry_each_in_order() {
    let fake = FakeDataZone::default();
    let starts = start(&fake, "exec-1", &["a", "b", "c"]).await;
    let sources: Vec<_> = starts
        .iter()
        .map(|run| run.data_source_id.to_string())
        .collect();
    assert_eq!(sources, ["a", "b", "c"]);
    assert!(
        starts
            .iter()
            .all(|run| run.action == StartAction::Started && run.run_id.is_some())
    );
    assert_eq!(fake.calls("StartDataSourceRun"), 3);
}

#[tokio::test]
async fn a_source_with_an_active_run_is_not_started_again() {
    let fake = FakeDataZone::with_runs(vec![
        run("old", "a", "SUCCESS"),
        run("busy", "a", "RUNNING"),
        run("done", "a", "FAILED"),
    ]);
    let starts = start(&fake, "exec-1", &["a"]).await;
    assert_eq!(starts[0].action, StartAction::AlreadyActive);
    assert_eq!(starts[0].run_id.as_deref(), Some("busy"));
    assert_eq!(fake.calls("StartDataSourceRun"), 0);
}

#[tokio::test]
async fn a_requested_run_found_past_the_first_page_counts_as_active() {
    // Newest first: four finished runs fill two pages before the REQUESTED
    // one, and the fake filters after paging: the first two pages of the
    // REQUESTED listing are empty, the third holds the run.
    let mut runs = vec![run("waiting", "a", "REQUESTED")];
    runs.extend((0..4).map(|i| run(&format!("done-{i}"), "a", "SUCCESS")));
    let fake = FakeDataZone::with_runs(runs);
    let starts = start(&fake, "exec-1", &["a"]).await;
    assert_eq!(starts[0].action, StartAction::AlreadyActive);
    assert_eq!(starts[0].run_id.as_deref(), Some("waiting"));
    // Three pages of RUNNING runs (none), then three of REQUESTED ones.
    let three_pages = vec![None, Some("2".to_owned()), Some("4".to_owned())];
    assert_eq!(
        fake.run_page_tokens(),
        [three_pages.clone(), three_pages].concat()
    );
    assert_eq!(fake.calls("StartDataSourceRun"), 0);
}

#[tokio::test]
async fn a_duplicate_trigger_starts_nothing_new() {
    let fake = FakeDataZone::default();
    let first = start(&fake, "event-1", &["a", "b"]).await;
    // Delivered again while the runs are still active…
    let second = start(&fake, "event-1", &["a", "b"]).await;
    assert!(
        second
            .iter()
            .all(|run| run.action == StartAction::AlreadyActive)
    );
    // …and again after they finished: the client token returns the same runs.
    for entry in &first {
        fake.set_status(entry.run_id.as_deref().unwrap(), "SUCCESS");
    }
    let third = start(&fake, "event-1", &["a", "b"]).await;
    let ids = |starts: &[SourceStart]| {
        starts
            .iter()
            .map(|run| run.run_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&third));
    assert_eq!(fake.runs().len(), 2);
    // Another trigger does start new runs.
    let next_night = start(&fake, "event-2", &["a", "b"]).await;
    assert_eq!(count(&next_night, StartAction::Started), 2);
    assert_eq!(fake.runs().len(), 4);
}

#[tokio::test]
async fn a_conflict_on_start_attaches_to_the_run_that_won() {
    let fake = FakeDataZone::default();
    fake.race_next_start_of("a");
    let starts = start(&fake, "exec-1", &["a"]).await;
    assert_eq!(starts[0].action, StartAction::AlreadyActive);
    assert_eq!(starts[0].run_id.as_deref(), Some("other-0"));
}

#[tokio::test]
async fn a_conflict_with_no_active_run_left_is_reported_as_the_conflict() {
    // Started elsewhere and finished before the second listing.
    let fake = FakeDataZone::default();
    fake.fail_starts_of("a", Error::Conflict("a run was active".into()));
    let starts = start(&fake, "exec-1", &["a"]).await;
    assert_eq!(starts[0].action, StartAction::Failed);
    assert_eq!(
        starts[0].error.as_ref().unwrap().name,
        "DataZone.ConflictException"
    );
}

#[tokio::test]
async fn one_failing_source_does_not_drop_the_others() {
    let fake = FakeDataZone::default();
    fake.fail_starts_of("b", Error::ServiceQuotaExceeded("25 runs today".into()));
    let starts = start(&fake, "exec-1", &["a", "b", "c"]).await;
    assert_eq!(
        (
            count(&starts, StartAction::Started),
            count(&starts, StartAction::Failed)
        ),
        (2, 1)
    );
    let failed = &starts[1];
    assert_eq!(failed.action, StartAction::Failed);
    assert_eq!(failed.run_id, None);
    let error = failed.error.as_ref().unwrap();
    assert_eq!(error.name, "DataZone.ServiceQuotaExceededException");
    assert!(error.message.contains("25 runs today"));
    let json = serde_json::to_value(&starts).unwrap();
    assert_eq!(json[1]["action"], "failed");
    assert_eq!(json[0]["action"], "started");
    assert_eq!(json[0]["status"], "REQUESTED");
}
