//! One round of following a harvest: every run still going is checked once
//! (a bounded number at a time), finished runs' assets get their metadata
//! generation started (paced to its quota), and metadata generation runs
//! still going are checked once. The round suggests how long to wait before
//! the next: the shortest wait any run still going calls for, so the end of
//! every run is noticed within one wait, and the number of rounds grows
//! with the logarithm of the longest run's duration.

use std::time::Duration;

use serde::Serialize;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::ids::{DataSourceRunId, MetadataGenerationRunId, ProjectId};
use crate::model::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationType};
use crate::model::outcome::{Origin, OutcomeClass};
use crate::port::DataZone;
use crate::usecase::fan_out::fan_out;
use crate::usecase::harvest::record::{
    AssetOutcome, AssetRecord, Harvest, POLLING_LIMIT_REACHED, SourceOutcome, Stage,
    UNKNOWN_METADATA_STATUS, UNKNOWN_RUN_STATUS,
};
use crate::usecase::metadata::{MetadataPlan, enriched_assets, start_asset_metadata};
use crate::usecase::pace::{Budget, Pacer};
use crate::usecase::polling::PollingPolicy;
use crate::usecase::status::{MetadataOutcome, RunOutcome, check_metadata_run, check_run};

/// Metadata generation for what successful runs imported.
#[derive(Debug)]
pub struct MetadataSettings<'a> {
    pub types: &'a [MetadataGenerationType],
    /// Paces StartMetadataGenerationRun calls.
    pub pacer: &'a Pacer,
}

/// How one follow round goes.
#[derive(Debug)]
pub struct FollowRound<'a> {
    pub polling: &'a PollingPolicy,
    /// Checks of one run before it is given up on.
    pub max_polls: u32,
    pub concurrency: usize,
    pub budget: Budget,
    /// Time one call may take, at most.
    pub call_allowance: Duration,
    /// `None`: no metadata generation.
    pub metadata: Option<MetadataSettings<'a>>,
}

/// What a follow round left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowProgress {
    /// Sources not done.
    pub pending: usize,
    /// How long to wait before the next round (0 when work is waiting).
    pub next_wait_seconds: u64,
}

/// The next wait, as the round learns what it calls for.
struct NextWait(Option<u64>);

impl NextWait {
    fn at_most(&mut self, seconds: u64) {
        self.0 = Some(self.0.map_or(seconds, |wait| wait.min(seconds)));
    }
}

/// Advances `harvest` by one round.
pub async fn follow_round(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
) -> FollowProgress {
    let mut next = NextWait(None);
    check_runs(datazone, harvest, round, &mut next).await;
    if let Some(metadata) = &round.metadata {
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

enum Checked<T> {
    Read(T),
    Failed(Error),
    NotTried,
}

async fn check_runs(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
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
        apply_run(source, outcome, round, next);
    }
}

fn apply_run(
    source: &mut crate::usecase::harvest::record::SourceRecord,
    outcome: RunOutcome,
    round: &FollowRound<'_>,
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
    let enrich = round.metadata.is_some()
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

/// Lists the assets each newly finished run added or updated.
async fn list_assets(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    next: &mut NextWait,
) {
    let domain = harvest.domain_id.clone();
    for source in &mut harvest.sources {
        if source.stage != Stage::GeneratingMetadata || source.assets_listed {
            continue;
        }
        if !round.budget.allows(round.call_allowance) {
            next.at_most(0);
            return;
        }
        let listed =
            match DataSourceRunId::parse("runId", source.run_id.clone().unwrap_or_default()) {
                Ok(run) => enriched_assets(datazone, &domain, &run).await,
                Err(error) => Err(error),
            };
        match listed {
            Ok(assets) => {
                source.assets_listed = true;
                source.metadata = assets
                    .into_iter()
                    .map(|asset| AssetRecord::to_start(asset.asset_id, asset.technical_name))
                    .collect();
            }
            Err(error) if error.is_retryable() => next.at_most(round.polling.min_wait_seconds),
            Err(error) => {
                // The harvest itself succeeded: the source keeps its outcome.
                tracing::warn!(error_name = error.name(), error = %error, "assets not listed");
                source.assets_listed = true;
                source.error = Some(ErrorReport::from(&error));
            }
        }
    }
}

/// Starts metadata generation for every listed asset not started yet.
async fn start_assets(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    settings: &MetadataSettings<'_>,
    next: &mut NextWait,
) {
    let (domain, trigger) = (harvest.domain_id.clone(), harvest.trigger_id.clone());
    let to_start: Vec<(usize, usize, String, Option<String>)> = harvest
        .sources
        .iter()
        .enumerate()
        .flat_map(|(s, source)| {
            source
                .metadata
                .iter()
                .enumerate()
                .filter(|(_, asset)| asset.stage == Stage::ToStart)
                .map(move |(a, asset)| (s, a, asset.asset_id.clone(), source.project_id.clone()))
        })
        .collect();
    let started = fan_out(to_start, round.concurrency, |(s, a, asset_id, project)| {
        let (domain, trigger) = (&domain, &trigger);
        async move {
            if !round.budget.allows(round.call_allowance) {
                return (s, a, Checked::NotTried);
            }
            let project = match ProjectId::parse("projectId", project.unwrap_or_default()) {
                Ok(project) => project,
                Err(error) => return (s, a, Checked::Failed(error)),
            };
            let plan = MetadataPlan {
                domain,
                owning_project: &project,
                trigger_id: trigger,
                types: settings.types,
            };
            match start_asset_metadata(datazone, &plan, &asset_id, settings.pacer).await {
                Ok(run) => (s, a, Checked::Read(run)),
                Err(error) => (s, a, Checked::Failed(error)),
            }
        }
    })
    .await;
    for (s, a, started) in started {
        let source = &mut harvest.sources[s];
        let data_source_id = source.data_source_id.as_str();
        let asset = &mut source.metadata[a];
        match started {
            Checked::NotTried => next.at_most(0),
            Checked::Read(run) => {
                tracing::info!(
                    data_source_id,
                    asset_id = %asset.asset_id,
                    metadata_run_id = %run.id,
                    "metadata generation started"
                );
                asset.stage = Stage::Following;
                asset.metadata_run_id = Some(run.id);
                asset.status = run.status;
                asset.created_at = run.created_at;
                next.at_most(round.polling.wait_after(false, 0));
            }
            Checked::Failed(error) if error.is_retryable() => {
                asset.error = Some(ErrorReport::from(&error));
                next.at_most(round.polling.min_wait_seconds);
            }
            Checked::Failed(error) => {
                tracing::warn!(
                    data_source_id,
                    asset_id = %asset.asset_id,
                    error_name = error.name(),
                    error = %error,
                    "metadata generation not started"
                );
                asset.finish(AssetOutcome::NotStarted, Some(ErrorReport::from(&error)));
            }
        }
    }
}

/// Checks every metadata generation run still going.
async fn check_assets(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    next: &mut NextWait,
) {
    let domain = harvest.domain_id.clone();
    let following: Vec<(usize, usize, Option<String>)> = harvest
        .sources
        .iter()
        .enumerate()
        .flat_map(|(s, source)| {
            source
                .metadata
                .iter()
                .enumerate()
                .filter(|(_, asset)| asset.stage == Stage::Following)
                .map(move |(a, asset)| (s, a, asset.metadata_run_id.clone()))
        })
        .collect();
    let checked = fan_out(following, round.concurrency, |(s, a, run_id)| {
        let domain = &domain;
        async move {
            if !round.budget.allows(round.call_allowance) {
                return (s, a, Checked::NotTried);
            }
            let run = match MetadataGenerationRunId::parse("runId", run_id.unwrap_or_default()) {
                Ok(run) => run,
                Err(error) => return (s, a, Checked::Failed(error)),
            };
            match check_metadata_run(datazone, domain, &run, Origin::Query, round.polling).await {
                Ok(outcome) => (s, a, Checked::Read(outcome)),
                Err(error) => (s, a, Checked::Failed(error)),
            }
        }
    })
    .await;
    for (s, a, checked) in checked {
        let asset = &mut harvest.sources[s].metadata[a];
        match checked {
            Checked::NotTried => next.at_most(0),
            Checked::Failed(error) => {
                asset.checks += 1;
                if error.is_retryable() && asset.checks < round.max_polls {
                    asset.error = Some(ErrorReport::from(&error));
                    next.at_most(round.polling.min_wait_seconds);
                } else {
                    asset.finish(AssetOutcome::CheckFailed, Some(ErrorReport::from(&error)));
                }
            }
            Checked::Read(outcome) => {
                asset.checks += 1;
                apply_asset(asset, outcome, round, next);
            }
        }
    }
}

fn apply_asset(
    asset: &mut AssetRecord,
    outcome: MetadataOutcome,
    round: &FollowRound<'_>,
    next: &mut NextWait,
) {
    asset.status = outcome.status.clone();
    asset.type_stats = outcome.type_stats;
    asset.error = None;
    let finished = match outcome.outcome {
        OutcomeClass::Succeeded => AssetOutcome::Succeeded,
        OutcomeClass::PartiallySucceeded => AssetOutcome::PartiallySucceeded,
        OutcomeClass::Failed => AssetOutcome::Failed,
        OutcomeClass::Canceled => AssetOutcome::Canceled,
        OutcomeClass::Unknown => {
            let status = outcome
                .status
                .as_ref()
                .map_or("(none)", MetadataGenerationRunStatus::as_str);
            let report = ErrorReport {
                name: UNKNOWN_METADATA_STATUS.to_owned(),
                message: format!("DataZone reported status {status} this version does not know"),
            };
            asset.finish(AssetOutcome::UnknownStatus, Some(report));
            return;
        }
        OutcomeClass::InProgress => {
            if asset.checks >= round.max_polls {
                let status = outcome
                    .status
                    .as_ref()
                    .map_or("(none)", MetadataGenerationRunStatus::as_str);
                let report = ErrorReport {
                    name: POLLING_LIMIT_REACHED.to_owned(),
                    message: format!("still {status} after {} checks", asset.checks),
                };
                asset.finish(AssetOutcome::PollingLimitReached, Some(report));
            } else {
                next.at_most(outcome.next_wait_seconds);
            }
            return;
        }
    };
    asset.finish(finished, None);
}
