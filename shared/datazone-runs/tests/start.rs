//! Starting a harvest's sources through the port, against the in-memory
//! DataZone: at most once per source and trigger, paced, within a round's
//! time, retrying what may be retried.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::harvest::{Harvest, Outcome, SourceRecord, Stage, StartedAs};
use datazone_runs::testing::{FakeDataZone, domain, run, source};
use datazone_runs::usecase::harvest::start::{
    StartProgress, StartRound, backoff_seconds, jittered, start_round,
};
use datazone_runs::usecase::pace::{Budget, Pacer};

fn harvest(trigger: &str, sources: &[&str]) -> Harvest {
    Harvest::new(
        trigger.into(),
        domain(),
        sources
            .iter()
            .map(|id| SourceRecord::to_start(source(id), None))
            .collect(),
    )
}

/// One round with plenty of time, a fast pace and a 10-minute retry deadline.
async fn round(fake: &FakeDataZone, harvest: &mut Harvest) -> StartProgress {
    let pacer = Pacer::per_second(1000.0);
    let round = StartRound {
        concurrency: 2,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(600),
    };
    start_round(fake, harvest, &round).await
}

fn run_ids(harvest: &Harvest) -> Vec<Option<String>> {
    harvest
        .sources
        .iter()
        .map(|s| s.run_id.as_deref().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn starts_every_source_once_and_follows_it() {
    let fake = FakeDataZone::default();
    let mut harvest = harvest("exec-1", &["a", "b", "c"]);
    let progress = round(&fake, &mut harvest).await;
    assert_eq!(
        progress,
        StartProgress {
            remaining: 0,
            retry_after_seconds: 0
        }
    );
    assert_eq!(
        run_ids(&harvest),
        [
            Some("run-0".into()),
            Some("run-1".into()),
            Some("run-2".into())
        ]
    );
    for record in &harvest.sources {
        assert_eq!(record.tracking.stage, Stage::Following);
        assert_eq!(record.started_as, Some(StartedAs::Started));
        assert_eq!(record.project_id.as_deref(), Some("prj_salesdata"));
    }
    assert_eq!(fake.calls("StartDataSourceRun"), 3);
    // A second round has nothing left to start.
    round(&fake, &mut harvest).await;
    assert_eq!(fake.calls("StartDataSourceRun"), 3);
}

#[tokio::test]
async fn a_source_with_an_active_run_is_not_started_again() {
    let fake = FakeDataZone::with_runs(vec![
        run("old", "a", "SUCCESS"),
        run("busy", "a", "RUNNING"),
        run("done", "a", "FAILED"),
    ]);
    let mut harvest = harvest("exec-1", &["a"]);
    round(&fake, &mut harvest).await;
    let record = &harvest.sources[0];
    assert_eq!(record.started_as, Some(StartedAs::AlreadyActive));
    assert_eq!(record.run_id.as_deref(), Some("busy"));
    // Started first; DataZone refused, and the active run is followed.
    assert_eq!(fake.calls("StartDataSourceRun"), 1);
    assert_eq!(fake.runs().len(), 3, "no run created");
}

#[tokio::test]
async fn of_two_active_runs_the_newest_is_followed_and_one_is_read() {
    // Listed newest first: "newer" was started after "older".
    let fake = FakeDataZone::with_runs(vec![
        run("older", "a", "RUNNING"),
        run("newer", "a", "RUNNING"),
    ]);
    let mut harvest = harvest("exec-1", &["a"]);
    round(&fake, &mut harvest).await;
    assert_eq!(harvest.sources[0].run_id.as_deref(), Some("newer"));
    assert_eq!(fake.calls("ListDataSourceRuns"), 1, "one run asked for");
}

#[tokio::test]
async fn a_requested_run_found_past_the_first_page_counts_as_active() {
    // Newest first: four finished runs fill two pages before the REQUESTED
    // one, and the fake filters after paging: the first two pages of the
    // REQUESTED listing are empty, the third holds the run.
    let mut runs = vec![run("waiting", "a", "REQUESTED")];
    runs.extend((0..4).map(|i| run(&format!("done-{i}"), "a", "SUCCESS")));
    let fake = FakeDataZone::with_runs(runs);
    let mut harvest = harvest("exec-1", &["a"]);
    round(&fake, &mut harvest).await;
    assert_eq!(harvest.sources[0].run_id.as_deref(), Some("waiting"));
    // Three pages of RUNNING runs (none), then three of REQUESTED ones.
    let three_pages = vec![None, Some("2".to_owned()), Some("4".to_owned())];
    assert_eq!(
        fake.run_page_tokens(),
        [three_pages.clone(), three_pages].concat()
    );
    assert_eq!(fake.calls("StartDataSourceRun"), 1, "refused, then listed");
}

#[tokio::test]
async fn a_duplicate_trigger_starts_nothing_new() {
    let fake = FakeDataZone::default();
    let mut first = harvest("event-1", &["a", "b"]);
    round(&fake, &mut first).await;
    // Delivered again while the runs are still active: the client token
    // answers the same runs…
    let mut second = harvest("event-1", &["a", "b"]);
    round(&fake, &mut second).await;
    assert_eq!(run_ids(&first), run_ids(&second));
    assert_eq!(fake.runs().len(), 2);
    // …and again after they finished: the client token returns the same runs.
    for id in run_ids(&first).into_iter().flatten() {
        fake.set_status(&id, "SUCCESS");
    }
    let mut third = harvest("event-1", &["a", "b"]);
    round(&fake, &mut third).await;
    assert_eq!(run_ids(&first), run_ids(&third));
    assert_eq!(fake.runs().len(), 2);
    // Another trigger does start new runs.
    let mut next_night = harvest("event-2", &["a", "b"]);
    round(&fake, &mut next_night).await;
    assert!(
        next_night
            .sources
            .iter()
            .all(|s| s.started_as == Some(StartedAs::Started))
    );
    assert_eq!(fake.runs().len(), 4);
}

#[tokio::test]
async fn a_conflict_on_start_attaches_to_the_run_that_won() {
    let fake = FakeDataZone::default();
    fake.race_next_start_of("a");
    let mut harvest = harvest("exec-1", &["a"]);
    round(&fake, &mut harvest).await;
    assert_eq!(
        harvest.sources[0].started_as,
        Some(StartedAs::AlreadyActive)
    );
    assert_eq!(harvest.sources[0].run_id.as_deref(), Some("other-0"));
}

#[tokio::test]
async fn a_refused_start_ends_the_source_and_not_the_others() {
    // Started elsewhere and finished before the second listing: the
    // conflict stands, and is not retried.
    let fake = FakeDataZone::default();
    fake.fail_starts_of("b", Error::Conflict("a run was active".into()));
    let mut harvest = harvest("exec-1", &["a", "b", "c"]);
    let progress = round(&fake, &mut harvest).await;
    assert_eq!(progress.remaining, 0);
    let refused = &harvest.sources[1];
    assert_eq!(refused.tracking.stage, Stage::Done);
    assert_eq!(refused.tracking.outcome, Some(Outcome::NotStarted));
    assert_eq!(
        refused.tracking.error.as_ref().unwrap().name,
        "DataZone.ConflictException"
    );
    assert_eq!(refused.start_attempts, 0);
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Following);
    assert_eq!(harvest.sources[2].tracking.stage, Stage::Following);
}

#[tokio::test]
async fn a_spent_daily_quota_skips_the_source() {
    let fake = FakeDataZone::default();
    fake.fail_starts_of("b", Error::ServiceQuotaExceeded("25 runs today".into()));
    let mut harvest = harvest("exec-1", &["a", "b"]);
    round(&fake, &mut harvest).await;
    let skipped = &harvest.sources[1];
    assert_eq!(skipped.tracking.outcome, Some(Outcome::QuotaExhausted));
    assert!(!Outcome::QuotaExhausted.is_failure());
    assert!(
        skipped
            .tracking
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("25 runs today")
    );
}

#[tokio::test]
async fn a_throttled_start_is_retried_with_the_same_token_until_it_starts() {
    let fake = FakeDataZone::default();
    fake.fail_starts_of("b", Error::Throttling("slow down".into()));
    let mut harvest = harvest("exec-1", &["a", "b"]);
    let progress = round(&fake, &mut harvest).await;
    assert_eq!(progress.remaining, 1);
    assert!(
        (1..=2).contains(&progress.retry_after_seconds),
        "2 s of backoff, with jitter: {progress:?}"
    );
    let waiting = &harvest.sources[1];
    assert_eq!(
        (waiting.tracking.stage, waiting.start_attempts),
        (Stage::ToStart, 1)
    );
    assert_eq!(
        waiting.tracking.error.as_ref().unwrap().name,
        "DataZone.ThrottlingException"
    );
    // Still throttled: the backoff doubles.
    let again = round(&fake, &mut harvest).await.retry_after_seconds;
    assert!((2..=4).contains(&again), "{again}");
    fake.stop_failing_starts_of("b");
    let progress = round(&fake, &mut harvest).await;
    assert_eq!(progress.remaining, 0);
    assert_eq!(harvest.sources[1].tracking.stage, Stage::Following);
    assert_eq!(harvest.sources[1].run_id.as_deref(), Some("run-1"));
    assert_eq!(fake.runs().len(), 2, "one run per source");
}

/// Source "a", failing with a retryable error since `seconds_ago` after
/// three attempts, started again in a round whose retry deadline is one
/// minute.
async fn retried_after_three_attempts(seconds_ago: i64) -> (Harvest, StartProgress) {
    let fake = FakeDataZone::default();
    fake.fail_starts_of("a", Error::InternalServer("boom".into()));
    let mut harvest = harvest("exec-1", &["a"]);
    let pacer = Pacer::per_second(1000.0);
    let round = StartRound {
        concurrency: 1,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(60),
    };
    harvest.sources[0].start_attempts = 3;
    harvest.sources[0].first_attempt_at = Some(
        datazone_runs::model::timestamp::Timestamp::from_epoch_millis(
            datazone_runs::model::timestamp::Timestamp::now().epoch_millis() - seconds_ago * 1000,
        ),
    );
    let progress = start_round(&fake, &mut harvest, &round).await;
    (harvest, progress)
}

#[tokio::test]
async fn a_start_still_failing_at_the_deadline_is_given_up_with_the_reason() {
    // The first failure was 59 seconds ago; the deadline is one minute.
    let (harvest, progress) = retried_after_three_attempts(59).await;
    assert_eq!(progress.remaining, 0);
    let record = &harvest.sources[0];
    assert_eq!(record.tracking.outcome, Some(Outcome::NotStarted));
    let error = record.tracking.error.as_ref().unwrap();
    assert_eq!(error.name, "StartGaveUp");
    assert_eq!(
        error.message,
        "gave up after 4 attempts over 59 s: DataZone.InternalServerException: DataZone failed internally: boom"
    );
}

#[tokio::test]
async fn a_retry_ending_exactly_at_the_deadline_is_still_made() {
    // 44 s since the first failure; the fourth attempt's backoff is 16 s:
    // the retry would come at 60 s, the deadline itself, so it is made.
    let (harvest, progress) = retried_after_three_attempts(44).await;
    assert_eq!(progress.remaining, 1);
    assert!(
        (8..=16).contains(&progress.retry_after_seconds),
        "a jittered 16 s backoff, got {}",
        progress.retry_after_seconds
    );
    let record = &harvest.sources[0];
    assert_eq!((record.tracking.outcome, record.start_attempts), (None, 4));
}

#[tokio::test]
async fn a_round_out_of_time_leaves_the_rest_for_the_next_at_once() {
    let fake = FakeDataZone::default();
    let mut harvest = harvest("exec-1", &["a", "b"]);
    let pacer = Pacer::per_second(1000.0);
    let round = StartRound {
        concurrency: 2,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(4)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(600),
    };
    let progress = start_round(&fake, &mut harvest, &round).await;
    assert_eq!(
        progress,
        StartProgress {
            remaining: 2,
            retry_after_seconds: 0
        }
    );
    assert_eq!(fake.all_calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn starts_are_paced_to_the_rate() {
    let fake = FakeDataZone::default();
    let ids: Vec<String> = (0..11).map(|i| format!("s{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut harvest = harvest("exec-1", &ids);
    let pacer = Pacer::per_second(5.0);
    let round = StartRound {
        concurrency: 4,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(600),
    };
    let began = tokio::time::Instant::now();
    start_round(&fake, &mut harvest, &round).await;
    // Eleven starts at five a second: the first at once, ten 200 ms apart.
    assert_eq!(began.elapsed(), Duration::from_secs(2));
    assert_eq!(fake.calls("StartDataSourceRun"), 11);
}

#[test]
fn backoff_doubles_up_to_a_minute_and_jitters_within_its_upper_half() {
    let waits: Vec<u64> = (1..=8).map(backoff_seconds).collect();
    assert_eq!(waits, [2, 4, 8, 16, 32, 60, 60, 60]);
    let draws: Vec<u64> = (0..200).map(|_| jittered(60)).collect();
    assert!(draws.iter().all(|wait| (30..=60).contains(wait)));
    assert!(draws.contains(&30) || draws.contains(&60) || draws.iter().any(|w| *w != draws[0]));
    assert_eq!(jittered(0), 0);
    assert!((0..=1).contains(&jittered(1)));
}
