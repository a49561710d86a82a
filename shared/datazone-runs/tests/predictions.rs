//! The deployment's rule for generated metadata, in a follow round: what a
//! successful generation suggested is accepted (and the rest rejected) once
//! per asset and trigger, a retryable failure is tried again, and one that
//! cannot mend leaves the predictions as suggestions, a warning.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::harvest::{Harvest, Outcome, SourceRecord, Stage};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::predictions::{Accepting, Decision, PredictionsRule};
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::port::AssetActivity;
use datazone_runs::testing::{FakeDataZone, domain, source};
use datazone_runs::usecase::harvest::follow::{
    FollowRound, MetadataSettings, PredictionsSettings, RoundPart, follow_part,
};
use datazone_runs::usecase::harvest::start::{StartRound, start_round};
use datazone_runs::usecase::harvest::summary::Summary;
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;

const TYPES: &[MetadataGenerationType] = &[MetadataGenerationType::BusinessDescriptions];
const AT_80_REJECTING: PredictionsRule = PredictionsRule {
    accepting: Accepting::AtLeastPercent(80),
    reject_rest: true,
};

/// A harvest whose one source succeeded, importing `assets`.
async fn imported(fake: &FakeDataZone, assets: &[&str]) -> Harvest {
    let mut harvest = Harvest::new(
        "exec-1".into(),
        domain(),
        vec![SourceRecord::to_start(source("a"), None)],
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
    fake.add_activities(
        "run-0",
        assets
            .iter()
            .map(|asset| AssetActivity {
                database: "db".into(),
                technical_name: format!("{asset}_table"),
                status: "SUCCEEDED_CREATED".into(),
                asset_id: Some((*asset).into()),
            })
            .collect(),
    );
    fake.finish_run(
        "run-0",
        "SUCCESS",
        AssetStatistics {
            added: assets.len() as i32,
            ..AssetStatistics::default()
        },
    );
    harvest
}

/// One whole round under `rule`, retrying for `retry_deadline`.
async fn round(
    fake: &FakeDataZone,
    harvest: &mut Harvest,
    rule: Option<PredictionsRule>,
    retry_deadline: Duration,
) -> u64 {
    let polling = PollingPolicy::new(10, 600).unwrap();
    let pacer = Pacer::per_second(1000.0);
    let round = FollowRound {
        polling: &polling,
        max_polls: 5,
        concurrency: 4,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        metadata: Some(MetadataSettings {
            types: TYPES,
            pacer: &pacer,
            predictions: rule.map(|rule| PredictionsSettings {
                rule,
                pacer: &pacer,
                retry_deadline,
            }),
        }),
    };
    follow_part(fake, harvest, &round, RoundPart::Whole)
        .await
        .next_wait_seconds
}

/// Rounds until the generation of every asset started, then ends them.
async fn generated(fake: &FakeDataZone, harvest: &mut Harvest, rule: Option<PredictionsRule>) {
    round(fake, harvest, rule, Duration::from_secs(600)).await;
    for id in fake.metadata_run_ids() {
        fake.set_metadata_status(&id, "SUCCEEDED");
    }
}

#[tokio::test]
async fn the_rule_accepts_by_threshold_rejects_the_rest_and_counts_each_asset() {
    let fake = FakeDataZone::default();
    let mut harvest = imported(&fake, &["ast_1", "ast_2"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    round(
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
    let mut harvest = imported(&fake, &["ast_1"]).await;
    let rule = PredictionsRule {
        accepting: Accepting::All,
        reject_rest: false,
    };
    generated(&fake, &mut harvest, Some(rule)).await;
    round(&fake, &mut harvest, Some(rule), Duration::from_secs(600)).await;
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
    let mut harvest = imported(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, None).await;
    round(&fake, &mut harvest, None, Duration::from_secs(600)).await;
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
    let mut harvest = imported(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    // The step's round ran, but its record was never saved: the retry runs
    // the same round from the record as it was.
    let before = harvest.clone();
    round(
        &fake,
        &mut harvest,
        Some(AT_80_REJECTING),
        Duration::from_secs(600),
    )
    .await;
    let mut retried = before;
    round(
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
    round(
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
    let mut harvest = imported(&fake, &["ast_1", "ast_2"]).await;
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
    let wait = round(
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
    round(
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
    let mut harvest = imported(&fake, &["ast_1"]).await;
    generated(&fake, &mut harvest, Some(AT_80_REJECTING)).await;
    fake.fail_decisions_of(
        "AcceptPredictions",
        "ast_1",
        Some(Error::Throttling("slow".into())),
    );
    round(&fake, &mut harvest, Some(AT_80_REJECTING), Duration::ZERO).await;
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
