//! Following a harvest round by round through the port, against the
//! in-memory DataZone: every run to its final status, each source on its
//! own, metadata generation for what succeeded, the deployment's rule for
//! what it suggested, and the wait to the next round.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::harvest::{Harvest, Outcome, SourceRecord, Stage};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::predictions::{Accepting, Decision, PredictionsRule};
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::port::AssetActivity;
use datazone_runs::testing::{FakeDataZone, domain, source};
use datazone_runs::usecase::harvest::follow::{
    Checks, FollowProgress, FollowRound, MetadataSettings, PredictionsSettings, RoundPart,
    follow_part,
};
use datazone_runs::usecase::harvest::start::{StartRound, start_round};
use datazone_runs::usecase::harvest::summary::Summary;
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;

const TYPES: &[MetadataGenerationType] = &[MetadataGenerationType::BusinessDescriptions];

/// A harvest of `sources`, each started (runs `run-0`, `run-1`, … in order).
async fn started(fake: &FakeDataZone, sources: &[&str]) -> Harvest {
    let mut harvest = Harvest::new(
        "exec-1".into(),
        domain(),
        sources
            .iter()
            .map(|id| SourceRecord::to_start(source(id), None))
            .collect(),
    );
    let pacer = Pacer::per_second(1000.0);
    let round = StartRound {
        concurrency: 4,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(600),
    };
    start_round(fake, &mut harvest, &round).await;
    harvest
}

/// One round: polling 10 s to 600 s, at most 5 checks per run.
async fn follow(fake: &FakeDataZone, harvest: &mut Harvest, metadata: bool) -> FollowProgress {
    follow_by(fake, harvest, metadata, RoundPart::Whole).await
}

/// `part` of one round, as `follow`.
async fn follow_by(
    fake: &FakeDataZone,
    harvest: &mut Harvest,
    metadata: bool,
    part: RoundPart,
) -> FollowProgress {
    let metadata = if metadata {
        Metadata::On
    } else {
        Metadata::Off
    };
    follow_round(fake, harvest, metadata, part).await
}

/// What a round does after the runs.
#[derive(Debug, Clone, Copy)]
enum Metadata {
    Off,
    On,
    /// Metadata generation, and `rule` for what it suggests, retried for
    /// the given time.
    Deciding(PredictionsRule, Duration),
}

/// `part` of one round: polling 10 s to 600 s, at most 5 checks per run.
async fn follow_round(
    fake: &FakeDataZone,
    harvest: &mut Harvest,
    metadata: Metadata,
    part: RoundPart,
) -> FollowProgress {
    let polling = PollingPolicy::new(10, 600).unwrap();
    let pacer = Pacer::per_second(1000.0);
    let predictions = match metadata {
        Metadata::Deciding(rule, retry_deadline) => Some(PredictionsSettings {
            rule,
            pacer: &pacer,
            retry_deadline,
        }),
        Metadata::Off | Metadata::On => None,
    };
    let round = FollowRound {
        polling: &polling,
        max_polls: 5,
        concurrency: 4,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: (!matches!(metadata, Metadata::Off)).then_some(MetadataSettings {
            types: TYPES,
            pacer: &pacer,
            predictions,
        }),
        checks: Checks::EveryRound,
    };
    follow_part(fake, harvest, &round, part).await
}

fn stats(added: i32, failed: i32) -> AssetStatistics {
    AssetStatistics {
        added,
        failed,
        ..AssetStatistics::default()
    }
}

fn outcomes(harvest: &Harvest) -> Vec<Option<Outcome>> {
    harvest.sources.iter().map(|s| s.tracking.outcome).collect()
}

#[tokio::test]
async fn each_run_is_followed_to_its_own_final_status() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b", "c", "d"]).await;
    // a runs for 25 s, b for 3 minutes; c and d have finished.
    fake.set_started_seconds_ago("run-0", 25);
    fake.set_started_seconds_ago("run-1", 180);
    fake.set_status("run-1", "RUNNING");
    fake.finish_run("run-2", "PARTIALLY_SUCCEEDED", stats(3, 2));
    fake.finish_run("run-3", "FAILED", stats(0, 0));
    let progress = follow(&fake, &mut harvest, false).await;
    // The shortest wait the runs still going call for: a's, 25 s old.
    assert_eq!(
        progress,
        FollowProgress {
            pending: 2,
            next_wait_seconds: 20
        }
    );
    assert_eq!(
        outcomes(&harvest),
        [
            None,
            None,
            Some(Outcome::PartiallySucceeded),
            Some(Outcome::Failed)
        ]
    );
    assert_eq!(harvest.sources[2].asset_statistics, Some(stats(3, 2)));
    fake.finish_run("run-0", "SUCCESS", stats(4, 0));
    let progress = follow(&fake, &mut harvest, false).await;
    assert_eq!(progress.next_wait_seconds, 160, "b alone, 180 s old");
    fake.finish_run("run-1", "SUCCESS", stats(1, 0));
    let progress = follow(&fake, &mut harvest, false).await;
    assert_eq!(
        progress,
        FollowProgress {
            pending: 0,
            next_wait_seconds: 0
        }
    );
    assert_eq!(
        outcomes(&harvest)[..2],
        [Some(Outcome::Succeeded), Some(Outcome::Succeeded)]
    );
    // A finished run is read once: 4 + 2 + 1 reads.
    assert_eq!(fake.calls("GetDataSourceRun"), 7);
    assert_eq!(harvest.rounds, 3);
}

#[tokio::test]
async fn a_run_still_going_after_max_polls_is_given_up_on_alone() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b"]).await;
    fake.finish_run("run-1", "SUCCESS", stats(1, 0));
    for _ in 0..4 {
        assert_eq!(follow(&fake, &mut harvest, false).await.pending, 1);
    }
    let progress = follow(&fake, &mut harvest, false).await;
    assert_eq!(progress.pending, 0);
    let given_up = &harvest.sources[0];
    assert_eq!(
        given_up.tracking.outcome,
        Some(Outcome::PollingLimitReached)
    );
    assert_eq!(given_up.tracking.checks, 5);
    assert_eq!(
        given_up.tracking.error.as_ref().unwrap().message,
        "data source run still REQUESTED after 5 checks; stopped following it"
    );
    assert_eq!(
        harvest.sources[1].tracking.outcome,
        Some(Outcome::Succeeded)
    );
}

#[tokio::test]
async fn an_unknown_status_ends_that_source_only() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b"]).await;
    fake.set_status("run-0", "PAUSED");
    let progress = follow(&fake, &mut harvest, false).await;
    assert_eq!(progress.pending, 1);
    let unknown = &harvest.sources[0];
    assert_eq!(unknown.tracking.outcome, Some(Outcome::UnknownStatus));
    let error = unknown.tracking.error.as_ref().unwrap();
    assert_eq!(error.name, "UnknownRunStatus");
    assert_eq!(
        error.message,
        "DataZone reported data source run status PAUSED this version does not know"
    );
    assert_eq!(harvest.sources[1].tracking.stage, Stage::Following);
}

#[tokio::test]
async fn a_failing_check_is_retried_next_round_unless_it_cannot_mend() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b"]).await;
    fake.fail_checks_of("run-0", Some(Error::Throttling("slow down".into())));
    fake.fail_checks_of("run-1", Some(Error::AccessDenied("not a member".into())));
    let progress = follow(&fake, &mut harvest, false).await;
    assert_eq!(progress.pending, 1);
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Following);
    assert_eq!(
        harvest.sources[0].tracking.error.as_ref().unwrap().name,
        "DataZone.ThrottlingException"
    );
    let denied = &harvest.sources[1];
    assert_eq!(denied.tracking.outcome, Some(Outcome::CheckFailed));
    assert_eq!(
        denied.tracking.error.as_ref().unwrap().name,
        "DataZone.AccessDeniedException"
    );
    fake.fail_checks_of("run-0", None);
    fake.finish_run("run-0", "SUCCESS", stats(1, 0));
    follow(&fake, &mut harvest, false).await;
    assert_eq!(
        harvest.sources[0].tracking.outcome,
        Some(Outcome::Succeeded)
    );
    assert_eq!(
        harvest.sources[0].tracking.error, None,
        "the check's error is cleared"
    );
}

#[tokio::test]
async fn run_checks_failing_retryably_end_at_max_polls() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a"]).await;
    fake.fail_checks_of("run-0", Some(Error::InternalServer("oops".into())));
    for round in 1..=4 {
        let progress = follow(&fake, &mut harvest, false).await;
        assert_eq!(
            harvest.sources[0].tracking.checks, round,
            "one check a round"
        );
        assert_eq!(
            harvest.sources[0].tracking.outcome, None,
            "retried after {round}"
        );
        assert_eq!(progress.next_wait_seconds, 10, "the shortest wait");
    }
    follow(&fake, &mut harvest, false).await;
    let source = &harvest.sources[0];
    assert_eq!(source.tracking.checks, 5);
    assert_eq!(source.tracking.outcome, Some(Outcome::CheckFailed));
    assert_eq!(
        source.tracking.error.as_ref().unwrap().name,
        "DataZone.InternalServerException"
    );
}

#[tokio::test]
async fn a_round_out_of_time_checks_nothing_and_asks_for_no_wait() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a"]).await;
    let polling = PollingPolicy::new(10, 600).unwrap();
    let round = FollowRound {
        polling: &polling,
        max_polls: 5,
        concurrency: 4,
        budget: Budget::lasting(Duration::from_secs(1)),
        call_allowance: Duration::from_secs(5),
        metadata: None,
        checks: Checks::EveryRound,
    };
    let progress = follow_part(&fake, &mut harvest, &round, RoundPart::Whole).await;
    assert_eq!(
        progress,
        FollowProgress {
            pending: 1,
            next_wait_seconds: 0
        }
    );
    assert_eq!(fake.calls("GetDataSourceRun"), 0);
    assert_eq!(harvest.sources[0].tracking.checks, 0);
}

fn activity(asset: &str, status: &str) -> AssetActivity {
    AssetActivity {
        database: "sales".into(),
        technical_name: format!("table_{asset}"),
        status: status.into(),
        asset_id: Some(asset.into()),
    }
}

#[tokio::test]
async fn metadata_generation_follows_what_successful_runs_imported() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b", "c"]).await;
    fake.add_activities(
        "run-0",
        vec![
            activity("ast_1", "SUCCEEDED_CREATED"),
            activity("ast_2", "UNCHANGED"),
            activity("ast_3", "SUCCEEDED_UPDATED"),
        ],
    );
    fake.add_activities("run-1", vec![activity("ast_4", "SUCCEEDED_CREATED")]);
    fake.add_activities("run-2", vec![activity("ast_5", "SUCCEEDED_CREATED")]);
    fake.fail_metadata_generation_for("ast_3", Error::Validation("not an asset".into()));
    fake.finish_run("run-0", "SUCCESS", stats(1, 0));
    fake.finish_run("run-1", "FAILED", stats(0, 1));
    fake.finish_run("run-2", "PARTIALLY_SUCCEEDED", stats(1, 1));
    let progress = follow(&fake, &mut harvest, true).await;
    assert_eq!(progress.pending, 2, "a and c generate metadata");
    assert_eq!(
        progress.next_wait_seconds, 10,
        "new metadata runs: the shortest wait"
    );
    // Only the failed run's source is done.
    assert_eq!(harvest.sources[1].tracking.stage, Stage::Done);
    assert!(harvest.sources[1].metadata.is_empty());
    let a = &harvest.sources[0];
    assert_eq!(a.tracking.stage, Stage::GeneratingMetadata);
    assert_eq!(a.tracking.outcome, Some(Outcome::Succeeded));
    let assets: Vec<(&str, Stage)> = a
        .metadata
        .iter()
        .map(|asset| (asset.asset_id.as_str(), asset.tracking.stage))
        .collect();
    assert_eq!(
        assets,
        [("ast_1", Stage::Following), ("ast_3", Stage::Done)]
    );
    assert_eq!(a.metadata[1].tracking.outcome, Some(Outcome::NotStarted));
    assert_eq!(fake.metadata_run_ids(), ["mg-0", "mg-1"]);
    // The next round finishes them; nothing is started twice.
    fake.set_metadata_status("mg-0", "SUCCEEDED");
    fake.set_metadata_status("mg-1", "FAILED");
    let progress = follow(&fake, &mut harvest, true).await;
    assert_eq!(progress.pending, 0);
    assert_eq!(
        harvest.sources[0].metadata[0].tracking.outcome,
        Some(Outcome::Succeeded)
    );
    assert_eq!(
        harvest.sources[2].metadata[0].tracking.outcome,
        Some(Outcome::Failed)
    );
    assert_eq!(
        harvest.sources[2].tracking.outcome,
        Some(Outcome::PartiallySucceeded),
        "metadata generation does not change the run's outcome"
    );
    assert_eq!(fake.calls("StartMetadataGenerationRun"), 3);
    assert_eq!(fake.calls("ListDataSourceRunActivities"), 3);
}

/// A harvest of one source whose run succeeded, importing `assets`.
async fn succeeded_with(fake: &FakeDataZone, assets: &[&str]) -> Harvest {
    let harvest = started(fake, &["a"]).await;
    fake.add_activities(
        "run-0",
        assets
            .iter()
            .map(|asset| activity(asset, "SUCCEEDED_CREATED"))
            .collect(),
    );
    fake.finish_run("run-0", "SUCCESS", stats(assets.len() as i32, 0));
    harvest
}

#[tokio::test]
async fn assets_whose_listing_is_throttled_are_listed_next_round() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    fake.fail_activities_of("run-0", Some(Error::Throttling("slow down".into())));
    let progress = follow(&fake, &mut harvest, true).await;
    let a = &harvest.sources[0];
    assert!(!a.assets_listed, "to be listed again");
    assert!(
        a.tracking.error.is_none(),
        "a retryable failure is not the source's"
    );
    assert_eq!((progress.pending, progress.next_wait_seconds), (1, 10));
    fake.fail_activities_of("run-0", None);
    follow(&fake, &mut harvest, true).await;
    assert_eq!(fake.metadata_run_ids(), ["mg-0"]);
    assert_eq!(fake.calls("ListDataSourceRunActivities"), 2);
}

#[tokio::test]
async fn assets_that_cannot_be_listed_end_the_source_with_its_outcome() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    fake.fail_activities_of("run-0", Some(Error::AccessDenied("no".into())));
    let progress = follow(&fake, &mut harvest, true).await;
    let a = &harvest.sources[0];
    assert_eq!(progress.pending, 0);
    assert_eq!(a.tracking.stage, Stage::Done);
    assert_eq!(a.tracking.outcome, Some(Outcome::Succeeded));
    assert_eq!(
        a.tracking.error.as_ref().unwrap().name,
        "DataZone.AccessDeniedException"
    );
    assert!(a.metadata.is_empty());
    assert_eq!(fake.calls("ListDataSourceRunActivities"), 1);
}

#[tokio::test]
async fn a_throttled_metadata_start_is_retried_and_starts_once() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    fake.fail_metadata_generation_for("ast_1", Error::Throttling("slow down".into()));
    let progress = follow(&fake, &mut harvest, true).await;
    let asset = &harvest.sources[0].metadata[0];
    assert_eq!(asset.tracking.stage, Stage::ToStart);
    assert_eq!(asset.tracking.outcome, None);
    assert_eq!(
        asset.tracking.error.as_ref().unwrap().name,
        "DataZone.ThrottlingException"
    );
    assert_eq!((progress.pending, progress.next_wait_seconds), (1, 10));
    fake.stop_failing_metadata_generation_for("ast_1");
    follow(&fake, &mut harvest, true).await;
    assert_eq!(
        harvest.sources[0].metadata[0].tracking.stage,
        Stage::Following
    );
    assert_eq!(fake.metadata_run_ids(), ["mg-0"]);
}

#[tokio::test]
async fn metadata_checks_failing_retryably_end_at_max_polls() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    follow(&fake, &mut harvest, true).await;
    fake.fail_checks_of("mg-0", Some(Error::InternalServer("oops".into())));
    for round in 1..=4 {
        let progress = follow(&fake, &mut harvest, true).await;
        let asset = &harvest.sources[0].metadata[0];
        assert_eq!(asset.tracking.checks, round, "one check a round");
        assert_eq!(asset.tracking.outcome, None, "retried after {round} checks");
        assert_eq!(progress.next_wait_seconds, 10, "the shortest wait");
    }
    follow(&fake, &mut harvest, true).await;
    let asset = &harvest.sources[0].metadata[0];
    assert_eq!(asset.tracking.checks, 5);
    assert_eq!(asset.tracking.outcome, Some(Outcome::CheckFailed));
    assert_eq!(
        asset.tracking.error.as_ref().unwrap().name,
        "DataZone.InternalServerException"
    );
}

#[tokio::test]
async fn a_metadata_check_refused_ends_the_asset_at_once() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    follow(&fake, &mut harvest, true).await;
    fake.fail_checks_of("mg-0", Some(Error::AccessDenied("no".into())));
    follow(&fake, &mut harvest, true).await;
    let asset = &harvest.sources[0].metadata[0];
    assert_eq!(asset.tracking.checks, 1);
    assert_eq!(asset.tracking.outcome, Some(Outcome::CheckFailed));
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
}

#[tokio::test]
async fn a_metadata_run_in_an_unknown_status_or_past_max_polls_ends_alone() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a"]).await;
    fake.add_activities(
        "run-0",
        vec![
            activity("ast_1", "SUCCEEDED_CREATED"),
            activity("ast_2", "SUCCEEDED_CREATED"),
        ],
    );
    fake.finish_run("run-0", "SUCCESS", stats(2, 0));
    follow(&fake, &mut harvest, true).await;
    fake.set_metadata_status("mg-0", "PAUSED");
    follow(&fake, &mut harvest, true).await;
    let assets = &harvest.sources[0].metadata;
    assert_eq!(assets[0].tracking.outcome, Some(Outcome::UnknownStatus));
    assert_eq!(
        assets[0].tracking.error.as_ref().unwrap().name,
        "UnknownMetadataGenerationStatus"
    );
    assert_eq!(assets[1].tracking.stage, Stage::Following);
    for _ in 0..4 {
        follow(&fake, &mut harvest, true).await;
    }
    let assets = &harvest.sources[0].metadata;
    assert_eq!(
        assets[1].tracking.outcome,
        Some(Outcome::PollingLimitReached)
    );
    assert_eq!(
        assets[1].tracking.error.as_ref().unwrap().message,
        "metadata generation run still IN_PROGRESS after 5 checks; stopped following it"
    );
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
    assert_eq!(
        harvest.sources[0].tracking.outcome,
        Some(Outcome::Succeeded)
    );
}

#[tokio::test]
async fn the_runs_part_and_the_metadata_part_share_a_round_between_two_steps() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a", "b"]).await;
    fake.add_activities("run-0", vec![activity("ast_1", "SUCCEEDED_CREATED")]);
    fake.finish_run("run-0", "SUCCESS", stats(1, 0));
    fake.set_started_seconds_ago("run-1", 45);
    // The runs part: a succeeded and waits for metadata generation; no
    // metadata call is made.
    let runs = follow_by(
        &fake,
        &mut harvest,
        false,
        RoundPart::Runs {
            then_metadata: true,
        },
    )
    .await;
    assert_eq!(runs.pending, 2);
    assert_eq!(runs.next_wait_seconds, 40, "b, 45 s old");
    assert_eq!(harvest.sources[0].tracking.stage, Stage::GeneratingMetadata);
    assert_eq!(fake.calls("ListDataSourceRunActivities"), 0);
    assert!(fake.metadata_run_ids().is_empty());
    // The metadata part: lists and starts; no run is checked; its wait is
    // the shorter of its own (10 s, a new generation run) and the runs'.
    let checks = fake.calls("GetDataSourceRun");
    let metadata = follow_by(
        &fake,
        &mut harvest,
        true,
        RoundPart::Metadata {
            runs_next_wait_seconds: 40,
        },
    )
    .await;
    assert_eq!(fake.calls("GetDataSourceRun"), checks);
    assert_eq!(fake.metadata_run_ids(), ["mg-0"]);
    assert_eq!(metadata.next_wait_seconds, 10);
    assert_eq!(metadata.pending, 2);
    // Once no run is followed, the runs' wait no longer counts.
    fake.finish_run("run-1", "FAILED", stats(0, 0));
    follow_by(
        &fake,
        &mut harvest,
        false,
        RoundPart::Runs {
            then_metadata: true,
        },
    )
    .await;
    fake.set_metadata_status("mg-0", "SUCCEEDED");
    let last = follow_by(
        &fake,
        &mut harvest,
        true,
        RoundPart::Metadata {
            runs_next_wait_seconds: 5,
        },
    )
    .await;
    assert_eq!(
        last,
        FollowProgress {
            pending: 0,
            next_wait_seconds: 0
        }
    );
}

#[tokio::test]
async fn without_metadata_a_runs_part_ends_a_successful_source() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a"]).await;
    fake.finish_run("run-0", "SUCCESS", stats(1, 0));
    let progress = follow_by(
        &fake,
        &mut harvest,
        false,
        RoundPart::Runs {
            then_metadata: false,
        },
    )
    .await;
    assert_eq!(progress.pending, 0);
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
}

#[tokio::test]
async fn while_runs_are_followed_the_metadata_part_waits_no_longer_than_they_ask() {
    let fake = FakeDataZone::default();
    let mut harvest = started(&fake, &["a"]).await;
    fake.set_started_seconds_ago("run-0", 300);
    let progress = follow_by(
        &fake,
        &mut harvest,
        true,
        RoundPart::Metadata {
            runs_next_wait_seconds: 7,
        },
    )
    .await;
    assert_eq!(progress.next_wait_seconds, 7);
}

// The deployment's rule for generated metadata: what a successful
// generation suggested is accepted (and the rest rejected) once per asset
// and trigger, a retryable failure is tried again, and one that cannot
// mend leaves the predictions as suggestions, a warning.

const AT_80_REJECTING: PredictionsRule = PredictionsRule {
    accepting: Accepting::AtLeastPercent(80),
    reject_rest: true,
};

/// One whole round under `rule` (none: metadata generation alone),
/// retrying for `retry_deadline`; the wait it asks for.
async fn deciding(
    fake: &FakeDataZone,
    harvest: &mut Harvest,
    rule: Option<PredictionsRule>,
    retry_deadline: Duration,
) -> u64 {
    let metadata = rule.map_or(Metadata::On, |rule| {
        Metadata::Deciding(rule, retry_deadline)
    });
    follow_round(fake, harvest, metadata, RoundPart::Whole)
        .await
        .next_wait_seconds
}

/// A round that starts the generation of every asset, which then ends.
async fn generated(fake: &FakeDataZone, harvest: &mut Harvest, rule: Option<PredictionsRule>) {
    deciding(fake, harvest, rule, Duration::from_secs(600)).await;
    for id in fake.metadata_run_ids() {
        fake.set_metadata_status(&id, "SUCCEEDED");
    }
}

#[tokio::test]
async fn the_rule_accepts_by_threshold_rejects_the_rest_and_counts_each_asset() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1", "ast_2"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    deciding(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    assert_eq!(
        fake.decisions("AcceptPredictions"),
        [("ast_1".into(), Some(0.8)), ("ast_2".into(), Some(0.8))]
    );
    assert_eq!(
        fake.decisions("RejectPredictions"),
        [("ast_1".into(), None), ("ast_2".into(), None)],
        "the rest, whatever their confidence"
    );
    let source = &harvest.sources[0];
    assert_eq!(source.tracking.stage, Stage::Done);
    for asset in &source.metadata {
        let record = asset.predictions.as_ref().unwrap();
        assert_eq!(record.decision(), Decision::AcceptedRestRejected);
        assert!(record.accepted_revision.is_some() && record.rejected_revision.is_some());
    }
    let summary = Summary::of(&harvest, String::new());
    let counts = summary.metadata_generation.predictions.unwrap();
    assert_eq!((counts.accepted_rest_rejected, counts.suggested), (2, 0));
    assert!(!summary.any_warning);
    // Each call has its own token, per asset.
    let (accepts, rejects) = (
        fake.decision_tokens("AcceptPredictions"),
        fake.decision_tokens("RejectPredictions"),
    );
    assert_eq!((accepts.len(), rejects.len()), (2, 2));
    assert!(
        accepts.iter().all(|token| !rejects.contains(token)),
        "{accepts:?} {rejects:?}"
    );
}

#[tokio::test]
async fn a_rule_that_keeps_the_rest_only_accepts() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    let rule = PredictionsRule {
        accepting: Accepting::All,
        reject_rest: false,
    };
    generated(&fake, &mut harvest, Some(rule)).await;
    deciding(&fake, &mut harvest, Some(rule), Duration::from_secs(600)).await;
    assert_eq!(
        fake.decisions("AcceptPredictions"),
        [("ast_1".into(), None)]
    );
    assert_eq!(fake.calls("RejectPredictions"), 0);
    let record = harvest.sources[0].metadata[0].predictions.as_ref().unwrap();
    assert_eq!(record.decision(), Decision::Accepted);
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
}

#[tokio::test]
async fn without_a_rule_nothing_is_decided_and_the_record_says_nothing() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, None).await;
    deciding(&fake, &mut harvest, None, Duration::from_secs(600)).await;
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
    assert_eq!(fake.calls("AcceptPredictions"), 0);
    assert!(harvest.sources[0].metadata[0].predictions.is_none());
    assert_eq!(
        Summary::of(&harvest, String::new())
            .metadata_generation
            .predictions,
        None
    );
}

#[tokio::test]
async fn a_retried_step_accepts_nothing_twice() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    // The step's round ran, but its record was never saved: the retry runs
    // the same round from the record as it was.
    let before = harvest.clone();
    deciding(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    let mut retried = before;
    deciding(
        &fake,
        &mut retried,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    assert_eq!(
        fake.calls("AcceptPredictions"),
        2,
        "called again, with the same token"
    );
    assert_eq!(fake.decisions("AcceptPredictions").len(), 1, "decided once");
    assert_eq!(
        retried.sources[0].metadata[0].predictions, harvest.sources[0].metadata[0].predictions,
        "the same revisions"
    );
    // A saved record calls nothing more.
    deciding(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    assert_eq!(fake.calls("AcceptPredictions"), 2);
}

#[tokio::test]
async fn a_throttled_acceptance_is_retried_and_a_denied_one_leaves_suggestions() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1", "ast_2"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    fake.fail_decisions_of(
        "AcceptPredictions",
        "ast_1",
        Some(Error::Throttling("slow".into())),
    );
    fake.fail_decisions_of(
        "AcceptPredictions",
        "ast_2",
        Some(Error::AccessDenied("no".into())),
    );
    let wait = deciding(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    assert!(wait <= 2, "tried again soon: {wait}");
    let (throttled, denied) = (
        &harvest.sources[0].metadata[0],
        &harvest.sources[0].metadata[1],
    );
    assert_eq!(
        throttled.predictions.as_ref().unwrap().decision(),
        Decision::Pending
    );
    assert_eq!(
        harvest.sources[0].tracking.stage,
        Stage::GeneratingMetadata,
        "not done yet"
    );
    let left = denied.predictions.as_ref().unwrap();
    assert_eq!(left.decision(), Decision::Suggested);
    assert_eq!(
        left.error.as_ref().unwrap().name,
        "DataZone.AccessDeniedException"
    );
    assert_eq!(
        fake.calls("RejectPredictions"),
        0,
        "nothing rejected without acceptance"
    );
    assert_eq!(
        denied.tracking.outcome,
        Some(Outcome::Succeeded),
        "the generation still succeeded"
    );

    fake.fail_decisions_of("AcceptPredictions", "ast_1", None);
    deciding(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    let throttled = &harvest.sources[0].metadata[0];
    assert_eq!(
        throttled.predictions.as_ref().unwrap().decision(),
        Decision::AcceptedRestRejected
    );
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
    let summary = Summary::of(&harvest, String::new());
    let counts = summary.metadata_generation.predictions.clone().unwrap();
    assert_eq!((counts.accepted_rest_rejected, counts.suggested), (1, 1));
    assert!(summary.any_warning, "a suggestion left is a warning");
    assert!(!summary.any_failed, "not a failure");
}

#[tokio::test]
async fn an_acceptance_throttled_past_the_deadline_is_given_up_on() {
    let fake = FakeDataZone::default();
    let mut harvest = succeeded_with(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    fake.fail_decisions_of(
        "AcceptPredictions",
        "ast_1",
        Some(Error::Throttling("slow".into())),
    );
    deciding(&fake, &mut harvest, Some(AT_80_REJECTING), Duration::ZERO).await;
    let record = harvest.sources[0].metadata[0].predictions.as_ref().unwrap();
    assert_eq!(record.decision(), Decision::Suggested);
    let error = record.error.as_ref().unwrap();
    assert_eq!(error.name, "PredictionsGaveUp");
    assert!(
        error
            .message
            .starts_with("gave up after 1 attempts over 0 s: DataZone.ThrottlingException"),
        "{}",
        error.message
    );
    assert_eq!(harvest.sources[0].tracking.stage, Stage::Done);
}
