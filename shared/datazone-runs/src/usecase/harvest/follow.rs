//! One round of following a harvest: every run still going is checked once
//! (a bounded number at a time), finished runs' assets get their metadata
//! generation started (paced to its quota), and metadata generation runs
//! still going are checked once. The round suggests how long to wait before
//! the next: the shortest wait any run still going calls for, so the end of
//! every run is noticed within one wait, and the number of rounds grows
//! with the logarithm of the longest run's duration.
//!
//! Data source runs and metadata generation runs are followed by one pass
//! (`check_due`): check what is due, keep what DataZone answered, decide
//! the outcome and the next wait. What differs between the two kinds is in
//! their `FollowedRun` implementations.

use std::future::Future;

use futures::StreamExt;
use serde::Serialize;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::harvest::{
    AssetRecord, Harvest, Outcome, POLLING_LIMIT_REACHED, SourceRecord, Stage, Tracking,
    UNKNOWN_METADATA_STATUS, UNKNOWN_RUN_STATUS,
};
use crate::model::ids::{DataSourceRunId, DomainId, MetadataGenerationRunId};
use crate::model::metadata_run::MetadataGenerationRunStatus;
use crate::model::outcome::{Origin, OutcomeClass};
use crate::model::timestamp::Timestamp;
use crate::port::DataZone;
use crate::usecase::harvest::metadata::{
    decide_predictions, list_assets, open_decisions, start_assets,
};
use crate::usecase::harvest::round::NextWait;
pub use crate::usecase::harvest::round::{
    Checks, FollowRound, MetadataSettings, PredictionsSettings,
};
use crate::usecase::polling::PollingPolicy;
use crate::usecase::status::{MetadataReading, RunReading, check_metadata_run, check_run};

/// What a follow round left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowProgress {
    /// Sources not done.
    pub pending: usize,
    /// How long to wait before the next round (0 when work is waiting).
    pub next_wait_seconds: u64,
}

/// The part of a round one process takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundPart {
    /// Runs, then metadata generation when `round.metadata` is set: the
    /// whole round in one process (dzrun).
    Whole,
    /// Data source runs only (follow-runs). A run that succeeds goes on to
    /// metadata generation, which another step does, when `then_metadata`.
    Runs { then_metadata: bool },
    /// Metadata generation only (metadata-status), after a runs part that
    /// asked for `runs_next_wait_seconds`: the round's wait is the shorter
    /// of that (while runs are still followed) and its own.
    Metadata { runs_next_wait_seconds: u64 },
}

/// Advances `harvest` by `part` of one round.
pub async fn follow_part(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    part: RoundPart,
) -> FollowProgress {
    let mut next = NextWait(None);
    let domain = harvest.domain_id.clone();
    let then_metadata = match part {
        RoundPart::Whole => Some(round.metadata.is_some()),
        RoundPart::Runs { then_metadata } => Some(then_metadata),
        RoundPart::Metadata {
            runs_next_wait_seconds,
        } => {
            let runs_followed = harvest
                .sources
                .iter()
                .any(|source| source.tracking.stage == Stage::Following);
            if runs_followed {
                next.at_most(runs_next_wait_seconds);
            }
            None
        }
    };
    if let Some(then_metadata) = then_metadata {
        let following = harvest
            .sources
            .iter_mut()
            .filter(|source| source.tracking.stage == Stage::Following)
            .map(|source| SourceRun {
                source,
                then_metadata,
            });
        check_due(datazone, &domain, following, round, &mut next).await;
    }
    // The runs part leaves metadata generation to the metadata part.
    let takes_metadata = !matches!(part, RoundPart::Runs { .. });
    if let Some(metadata) = round.metadata.as_ref().filter(|_| takes_metadata) {
        // Generation runs started in this round are checked in the next.
        let following = harvest
            .sources
            .iter_mut()
            .flat_map(|source| source.metadata.iter_mut())
            .filter(|asset| asset.tracking.stage == Stage::Following)
            .map(|asset| AssetRun { asset });
        check_due(datazone, &domain, following, round, &mut next).await;
        if let Some(predictions) = &metadata.predictions {
            open_decisions(harvest, &predictions.rule);
        }
        list_assets(datazone, harvest, round, &mut next).await;
        start_assets(datazone, harvest, round, metadata, &mut next).await;
        if let Some(predictions) = &metadata.predictions {
            decide_predictions(datazone, harvest, round, predictions, &mut next).await;
        }
    }
    for source in &mut harvest.sources {
        let assets_done = source
            .metadata
            .iter()
            .all(|asset| asset.tracking.stage == Stage::Done && !asset.awaits_decision());
        if source.tracking.stage == Stage::GeneratingMetadata && source.assets_listed && assets_done
        {
            source.tracking.stage = Stage::Done;
        }
    }
    harvest.rounds += 1;
    let pending = harvest.pending();
    FollowProgress {
        pending,
        next_wait_seconds: if pending == 0 { 0 } else { next.0.unwrap_or(0) },
    }
}

/// What DataZone's answer about a run says, for the pass.
pub(super) struct Assessment {
    class: OutcomeClass,
    /// The status as DataZone wrote it, for messages.
    status: String,
    next_wait_seconds: u64,
}

/// A run the follow pass checks: a data source's run, or an asset's
/// metadata generation run.
pub(super) trait FollowedRun: Send {
    type RunId: Send + Sync;
    type Reading: Send;
    /// The kind of run, in messages.
    const KIND: &'static str;
    /// The error name of a status this version does not know.
    const UNKNOWN_STATUS: &'static str;

    fn tracking(&mut self) -> &mut Tracking;
    fn run_id(&self) -> Option<&Self::RunId>;
    /// Reads the run and assesses it.
    fn read(
        datazone: &impl DataZone,
        domain: &DomainId,
        run: &Self::RunId,
        polling: &PollingPolicy,
    ) -> impl Future<Output = Result<Self::Reading, Error>> + Send;
    /// Keeps what DataZone answered, and says what it means.
    fn keep(&mut self, reading: Self::Reading) -> Assessment;
    /// When what was read was answered, on DataZone's clock.
    fn observed_at(reading: &Self::Reading) -> Timestamp;
    /// The run ended with `outcome`.
    fn ended(&mut self, outcome: Outcome);
}

/// Checks every run still going (`following`) once when the round checks
/// them ([`Checks`]), at most `round.concurrency` at a time, and records
/// each answer in place; the wait they call for goes to `next`.
///
/// The checks are made before the returned future, so that no closure of
/// `following` is part of it (a `Send` future could not be proved otherwise).
fn check_due<'a, R: FollowedRun + 'a>(
    datazone: &'a impl DataZone,
    domain: &'a DomainId,
    mut following: impl Iterator<Item = R>,
    round: &'a FollowRound<'_>,
    next: &'a mut NextWait,
) -> impl Future<Output = ()> + 'a {
    let checks: Vec<_> = if round.checks.now() {
        following
            .map(|run| check_one(datazone, domain, run, round))
            .collect()
    } else {
        // Checked when the safety net's wait runs out.
        if following.next().is_some() {
            next.at_most(round.polling.max_wait_seconds);
        }
        Vec::new()
    };
    async move {
        let waits: Vec<Option<u64>> = futures::stream::iter(checks)
            .buffered(round.concurrency.max(1))
            .collect()
            .await;
        for wait in waits.into_iter().flatten() {
            next.at_most(wait);
        }
    }
}

/// Checks one run: the wait it calls for, `None` once it ended.
async fn check_one<R: FollowedRun>(
    datazone: &impl DataZone,
    domain: &DomainId,
    mut run: R,
    round: &FollowRound<'_>,
) -> Option<u64> {
    if !round.budget.allows(round.call_allowance) {
        return Some(0);
    }
    let read = match run.run_id() {
        Some(id) => R::read(datazone, domain, id, round.polling).await,
        None => Err(Error::ReportRefused(format!(
            "the harvest record names no {} to follow",
            R::KIND
        ))),
    };
    let tracking = run.tracking();
    tracking.checks += 1;
    let checks = tracking.checks;
    let reading = match read {
        Ok(reading) => reading,
        Err(error) if error.is_retryable() && checks < round.max_polls => {
            // Checked again after the shortest wait.
            tracking.error = Some(ErrorReport::from(&error));
            return Some(round.polling.min_wait_seconds);
        }
        Err(error) => {
            tracking.finish(Outcome::CheckFailed, Some(ErrorReport::from(&error)));
            return None;
        }
    };
    settle(&mut run, reading, round.max_polls).map(|wait| round.checks.wait(round.polling, wait))
}

/// Keeps what was read of `run`, and ends it when the reading says it
/// ended (or after `max_polls` checks): the wait it calls for by its age,
/// `None` once it ended. Both a status check and a recorded end come here.
pub(super) fn settle<R: FollowedRun>(
    run: &mut R,
    reading: R::Reading,
    max_polls: u32,
) -> Option<u64> {
    let observed_at = R::observed_at(&reading);
    let wait = conclude(run, reading, max_polls);
    if wait.is_none() {
        run.tracking().recorded_at = Some(observed_at);
    }
    wait
}

/// [`settle`]'s decision.
fn conclude<R: FollowedRun>(run: &mut R, reading: R::Reading, max_polls: u32) -> Option<u64> {
    let checks = run.tracking().checks;
    let assessment = run.keep(reading);
    let ended = match assessment.class {
        OutcomeClass::Succeeded => Outcome::Succeeded,
        OutcomeClass::PartiallySucceeded => Outcome::PartiallySucceeded,
        OutcomeClass::Failed => Outcome::Failed,
        OutcomeClass::Canceled => Outcome::Canceled,
        OutcomeClass::Unknown => {
            let report = ErrorReport {
                name: R::UNKNOWN_STATUS.to_owned(),
                message: format!(
                    "DataZone reported {} status {} this version does not know",
                    R::KIND,
                    assessment.status
                ),
            };
            run.tracking().finish(Outcome::UnknownStatus, Some(report));
            return None;
        }
        OutcomeClass::InProgress if checks >= max_polls => {
            let report = ErrorReport {
                name: POLLING_LIMIT_REACHED.to_owned(),
                message: format!(
                    "{} still {} after {checks} checks; stopped following it",
                    R::KIND,
                    assessment.status
                ),
            };
            run.tracking()
                .finish(Outcome::PollingLimitReached, Some(report));
            return None;
        }
        OutcomeClass::InProgress => return Some(assessment.next_wait_seconds),
    };
    run.ended(ended);
    None
}

/// A source whose data source run is followed.
pub(super) struct SourceRun<'a> {
    pub(super) source: &'a mut SourceRecord,
    /// Whether a successful run goes on to metadata generation.
    pub(super) then_metadata: bool,
}

impl FollowedRun for SourceRun<'_> {
    type RunId = DataSourceRunId;
    type Reading = RunReading;
    const KIND: &'static str = "data source run";
    const UNKNOWN_STATUS: &'static str = UNKNOWN_RUN_STATUS;

    fn tracking(&mut self) -> &mut Tracking {
        &mut self.source.tracking
    }

    fn run_id(&self) -> Option<&DataSourceRunId> {
        self.source.run_id.as_ref()
    }

    fn read(
        datazone: &impl DataZone,
        domain: &DomainId,
        run: &DataSourceRunId,
        polling: &PollingPolicy,
    ) -> impl Future<Output = Result<RunReading, Error>> + Send {
        let checked = check_run(datazone, domain, run, Origin::Query, polling);
        async move { checked.await.map(RunReading::from) }
    }

    fn observed_at(reading: &RunReading) -> Timestamp {
        reading.observed_at
    }

    fn keep(&mut self, outcome: RunReading) -> Assessment {
        let source = &mut *self.source;
        source.status = Some(outcome.status.clone());
        source.asset_statistics = Some(outcome.asset_statistics);
        source.run_error = outcome.error;
        source.duration_seconds = outcome.duration_seconds;
        source.began_at = Some(outcome.began_at);
        source.tracking.error = None;
        Assessment {
            class: outcome.outcome,
            status: outcome.status.to_string(),
            next_wait_seconds: outcome.next_wait_seconds,
        }
    }

    fn ended(&mut self, outcome: Outcome) {
        let source = &mut *self.source;
        let statistics = source.asset_statistics.unwrap_or_default();
        tracing::info!(
            data_source_id = %source.data_source_id,
            run_id = source.run_id.as_ref().map(DataSourceRunId::as_str),
            status = source.status.as_ref().map(ToString::to_string),
            added = statistics.added,
            updated = statistics.updated,
            failed = statistics.failed,
            duration_seconds = source.duration_seconds,
            "data source run finished"
        );
        let enrich = self.then_metadata
            && matches!(outcome, Outcome::Succeeded | Outcome::PartiallySucceeded);
        source.tracking.outcome = Some(outcome);
        source.tracking.stage = if enrich {
            Stage::GeneratingMetadata
        } else {
            Stage::Done
        };
    }
}

/// An asset whose metadata generation run is followed.
pub(super) struct AssetRun<'a> {
    pub(super) asset: &'a mut AssetRecord,
}

impl FollowedRun for AssetRun<'_> {
    type RunId = MetadataGenerationRunId;
    type Reading = MetadataReading;
    const KIND: &'static str = "metadata generation run";
    const UNKNOWN_STATUS: &'static str = UNKNOWN_METADATA_STATUS;

    fn tracking(&mut self) -> &mut Tracking {
        &mut self.asset.tracking
    }

    fn run_id(&self) -> Option<&MetadataGenerationRunId> {
        self.asset.metadata_run_id.as_ref()
    }

    fn read(
        datazone: &impl DataZone,
        domain: &DomainId,
        run: &MetadataGenerationRunId,
        polling: &PollingPolicy,
    ) -> impl Future<Output = Result<MetadataReading, Error>> + Send {
        let checked = check_metadata_run(datazone, domain, run, Origin::Query, polling);
        async move { checked.await.map(MetadataReading::from) }
    }

    fn observed_at(reading: &MetadataReading) -> Timestamp {
        reading.observed_at
    }

    fn keep(&mut self, outcome: MetadataReading) -> Assessment {
        let asset = &mut *self.asset;
        let status = outcome
            .status
            .as_ref()
            .map_or("(none)", MetadataGenerationRunStatus::as_str)
            .to_owned();
        asset.status = outcome.status;
        asset.type_stats = outcome.type_stats;
        asset.tracking.error = None;
        Assessment {
            class: outcome.outcome,
            status,
            next_wait_seconds: outcome.next_wait_seconds,
        }
    }

    fn ended(&mut self, outcome: Outcome) {
        self.asset.tracking.finish(outcome, None);
    }
}
