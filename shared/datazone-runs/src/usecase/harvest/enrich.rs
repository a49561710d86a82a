//! Metadata generation within a follow round: listing what finished runs
//! imported, starting generation for each asset (paced to its quota), and
//! checking the generation runs still going, each asset on its own.

use crate::error::ErrorReport;
use crate::model::ids::DataSourceRunId;
use crate::model::ids::{MetadataGenerationRunId, ProjectId};
use crate::model::metadata_run::MetadataGenerationRunStatus;
use crate::model::outcome::{Origin, OutcomeClass};
use crate::port::DataZone;
use crate::usecase::fan_out::fan_out;
use crate::usecase::harvest::record::{
    AssetOutcome, AssetRecord, Harvest, POLLING_LIMIT_REACHED, Stage, UNKNOWN_METADATA_STATUS,
};
use crate::usecase::harvest::round::{Checked, FollowRound, MetadataSettings, NextWait};
use crate::usecase::metadata::{MetadataPlan, enriched_assets, start_asset_metadata};
use crate::usecase::status::{MetadataOutcome, check_metadata_run};

/// Lists the assets each newly finished run added or updated.
pub(super) async fn list_assets(
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
pub(super) async fn start_assets(
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
pub(super) async fn check_assets(
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
