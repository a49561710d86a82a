//! One round of following a harvest: every run still going is checked once
//! (a bounded number at a time), finished runs' assets get their metadata
//! generation started (paced to its quota), and metadata generation runs
//! still going are checked once. The round suggests how long to wait before
//! the next: the shortest wait any run still going calls for, so the end of
//! every run is noticed within one wait, and the number of rounds grows
//! with the logarithm of the longest run's duration.

use serde::Serialize;

use crate::error::ErrorReport;
use crate::model::ids::DataSourceRunId;
use crate::model::outcome::{Origin, OutcomeClass};
use crate::port::DataZone;
use crate::usecase::fan_out::fan_out;
use crate::usecase::harvest::enrich::{check_assets, list_assets, start_assets};
use crate::usecase::harvest::record::{
    Harvest, POLLING_LIMIT_REACHED, SourceOutcome, SourceRecord, Stage, UNKNOWN_RUN_STATUS,
};
use crate::usecase::harvest::round::{Checked, NextWait};
pub use crate::usecase::harvest::round::{FollowRound, MetadataSettings};
use crate::usecase::status::{RunOutcome, check_run};

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
    match part {
        RoundPart::Whole => {
            let then_metadata = round.metadata.is_some();
            check_runs(datazone, harvest, round, then_metadata, &mut next).await;
        }
        RoundPart::Runs { then_metadata } => {
            check_runs(datazone, harvest, round, then_metadata, &mut next).await;
        }
        RoundPart::Metadata {
            runs_next_wait_seconds,
        } => {
            let runs_followed = harvest
                .sources
                .iter()
                .any(|source| source.stage == Stage::Following);
            if runs_followed {
                next.at_most(runs_next_wait_seconds);
            }
        }
    }
    // The runs part leaves metadata generation to the metadata part.
    let takes_metadata = !matches!(part, RoundPart::Runs { .. });
    if let Some(metadata) = round.metadata.as_ref().filter(|_| takes_metadata) {
        // Runs started in this round are checked in the next.
        check_assets(datazone, harvest, round, &mut next).await;
        list_assets(datazone, harvest, round, &mut next).await;
        start_assets(datazone, harvest, round, metadata, &mut next).await;
    }
    for source in &mut harvest.sources {
        let assets_done = source
            .metadata
            .iter()
            .all(|asset| asset.stage == Stage::Done);
        if source.stage == Stage::GeneratingMetadata && source.assets_listed && assets_done {
            source.stage = Stage::Done;
        }
    }
    harvest.rounds += 1;
    let pending = harvest.pending();
    FollowProgress {
        pending,
        next_wait_seconds: if pending == 0 { 0 } else { next.0.unwrap_or(0) },
    }
}

async fn check_runs(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    then_metadata: bool,
    next: &mut NextWait,
) {
    let domain = harvest.domain_id.clone();
    let following: Vec<(usize, Option<String>)> = harvest
        .sources
        .iter()
        .enumerate()
        .filter(|(_, source)| source.stage == Stage::Following)
        .map(|(index, source)| (index, source.run_id.clone()))
        .collect();
    let checked = fan_out(following, round.concurrency, |(index, run_id)| {
        let domain = &domain;
        async move {
            if !round.budget.allows(round.call_allowance) {
                return (index, Checked::NotTried);
            }
            let run = match DataSourceRunId::parse("runId", run_id.unwrap_or_default()) {
                Ok(run) => run,
                Err(error) => return (index, Checked::Failed(error)),
            };
            match check_run(datazone, domain, &run, Origin::Query, round.polling).await {
                Ok(outcome) => (index, Checked::Read(outcome)),
                Err(error) => (index, Checked::Failed(error)),
            }
        }
    })
    .await;
    for (index, checked) in checked {
        let source = &mut harvest.sources[index];
        let outcome = match checked {
            Checked::NotTried => {
                next.at_most(0);
                continue;
            }
            Checked::Failed(error) => {
                source.checks += 1;
                if error.is_retryable() && source.checks < round.max_polls {
                    // Checked again after the shortest wait.
                    source.error = Some(ErrorReport::from(&error));
                    next.at_most(round.polling.min_wait_seconds);
                } else {
                    source.finish(SourceOutcome::CheckFailed, Some(ErrorReport::from(&error)));
                }
                continue;
            }
            Checked::Read(outcome) => outcome,
        };
        source.checks += 1;
        apply_run(source, outcome, round, then_metadata, next);
    }
}

fn apply_run(
    source: &mut SourceRecord,
    outcome: RunOutcome,
    round: &FollowRound<'_>,
    then_metadata: bool,
    next: &mut NextWait,
) {
    source.status = Some(outcome.status.clone());
    source.asset_statistics = Some(outcome.asset_statistics);
    source.run_error = outcome.error.clone();
    source.project_id = Some(outcome.project_id.clone());
    source.duration_seconds = outcome.duration_seconds;
    source.began_at = Some(outcome.started_at.unwrap_or(outcome.created_at));
    source.error = None;
    let finished = match outcome.outcome {
        OutcomeClass::Succeeded => SourceOutcome::Succeeded,
        OutcomeClass::PartiallySucceeded => SourceOutcome::PartiallySucceeded,
        OutcomeClass::Failed | OutcomeClass::Canceled => SourceOutcome::Failed,
        OutcomeClass::Unknown => {
            let report = ErrorReport {
                name: UNKNOWN_RUN_STATUS.to_owned(),
                message: format!(
                    "DataZone reported status {} this version does not know",
                    outcome.status
                ),
            };
            source.finish(SourceOutcome::UnknownStatus, Some(report));
            return;
        }
        OutcomeClass::InProgress => {
            if source.checks >= round.max_polls {
                let report = ErrorReport {
                    name: POLLING_LIMIT_REACHED.to_owned(),
                    message: format!(
                        "data source run still {} after {} checks; stopped following it",
                        outcome.status, source.checks
                    ),
                };
                source.finish(SourceOutcome::PollingLimitReached, Some(report));
            } else {
                next.at_most(outcome.next_wait_seconds);
            }
            return;
        }
    };
    tracing::info!(
        data_source_id = %source.data_source_id,
        run_id = source.run_id.as_deref(),
        status = %outcome.status,
        added = outcome.asset_statistics.added,
        updated = outcome.asset_statistics.updated,
        failed = outcome.asset_statistics.failed,
        duration_seconds = outcome.duration_seconds,
        "data source run finished"
    );
    let enrich = then_metadata
        && matches!(
            finished,
            SourceOutcome::Succeeded | SourceOutcome::PartiallySucceeded
        );
    source.outcome = Some(finished);
    source.stage = if enrich {
        Stage::GeneratingMetadata
    } else {
        Stage::Done
    };
}
