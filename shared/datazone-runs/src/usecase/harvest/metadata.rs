//! Metadata generation within a follow round (business descriptions by
//! default): listing what finished runs created or updated, and starting
//! generation for each asset, paced to its quota, at most once per asset
//! and trigger. Generation runs are then followed by the round's pass
//! ([`super::follow`]). With a rule for predictions, what each successful
//! generation suggested is then accepted by it (and the rest rejected),
//! paced, retried like a start, and once per asset and trigger.

use crate::Error;
use crate::error::ErrorReport;
use crate::model::harvest::{AssetRecord, Harvest, Outcome, PREDICTIONS_GAVE_UP, Stage};
use crate::model::ids::{DataSourceRunId, DomainId, MetadataGenerationRunId, ProjectId};
use crate::model::metadata_run::{MetadataGenerationRun, MetadataGenerationType};
use crate::model::predictions::{PredictionsRecord, PredictionsRule};
use crate::model::timestamp::Timestamp;
use crate::port::{AssetActivity, DataZone, PredictionsRequest, StartMetadataRequest};
use crate::usecase::fan_out::fan_out;
use crate::usecase::harvest::round::{
    FollowRound, MetadataSettings, NextWait, PredictionsSettings,
};
use crate::usecase::harvest::start::{backoff_seconds, jittered};
use crate::usecase::pace::Pacer;
use crate::usecase::pages::list_run_activities;
use crate::usecase::token::{metadata_generation_token, predictions_token};

/// Activity statuses of assets a run created or changed: the ones worth enriching.
const ENRICHED_ACTIVITY_STATUSES: &[&str] = &["SUCCEEDED_CREATED", "SUCCEEDED_UPDATED"];

/// An asset to enrich: its id and its name in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrichedAsset {
    pub asset_id: String,
    pub technical_name: String,
}

/// Every asset `run` created or updated, once each, in listing order.
pub async fn enriched_assets(
    datazone: &impl DataZone,
    domain: &DomainId,
    run: &DataSourceRunId,
) -> Result<Vec<EnrichedAsset>, Error> {
    let mut assets: Vec<EnrichedAsset> = Vec::new();
    for activity in list_run_activities(datazone, domain, run).await? {
        let AssetActivity {
            technical_name,
            status,
            asset_id,
            ..
        } = activity;
        let Some(asset_id) = asset_id else { continue };
        let enriched = ENRICHED_ACTIVITY_STATUSES.contains(&status.as_str());
        if enriched && !assets.iter().any(|known| known.asset_id == asset_id) {
            assets.push(EnrichedAsset {
                asset_id,
                technical_name,
            });
        }
    }
    Ok(assets)
}

/// What to generate, for which project's assets, on whose behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataPlan<'a> {
    pub domain: &'a DomainId,
    /// The project owning the assets (their run's `projectId`).
    pub owning_project: &'a ProjectId,
    /// The trigger the client tokens derive from.
    pub trigger_id: &'a str,
    pub types: &'a [MetadataGenerationType],
}

/// Starts metadata generation for one asset, with the client token of the
/// plan's trigger (a retried start returns the same run); the call waits
/// for `pacer`.
pub async fn start_asset_metadata(
    datazone: &impl DataZone,
    plan: &MetadataPlan<'_>,
    asset_id: &str,
    pacer: &Pacer,
) -> Result<MetadataGenerationRun, Error> {
    let request = StartMetadataRequest {
        domain: plan.domain.clone(),
        owning_project: plan.owning_project.clone(),
        client_token: metadata_generation_token(plan.trigger_id, plan.domain, asset_id, plan.types),
        asset_id: asset_id.to_owned(),
        types: plan.types.to_vec(),
    };
    pacer.wait().await;
    datazone.start_metadata_generation_run(&request).await
}

/// Lists the assets each newly finished run added or updated.
pub(super) async fn list_assets(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    next: &mut NextWait,
) {
    let domain = harvest.domain_id.clone();
    for source in &mut harvest.sources {
        if source.tracking.stage != Stage::GeneratingMetadata || source.assets_listed {
            continue;
        }
        if !round.budget.allows(round.call_allowance) {
            next.at_most(0);
            return;
        }
        let listed = match &source.run_id {
            Some(run) => enriched_assets(datazone, &domain, run).await,
            None => Err(Error::ReportRefused(
                "the harvest record names no data source run to list".to_owned(),
            )),
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
                source.tracking.error = Some(ErrorReport::from(&error));
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
    let (domain, trigger) = (&harvest.domain_id, harvest.trigger_id.as_str());
    let to_start = harvest.sources.iter_mut().flat_map(|source| {
        let (data_source_id, project) = (&source.data_source_id, source.project_id.as_ref());
        source
            .metadata
            .iter_mut()
            .filter(|asset| asset.tracking.stage == Stage::ToStart)
            .map(move |asset| (data_source_id, project, asset))
    });
    let waits = fan_out(
        to_start,
        round.concurrency,
        |(source, project, asset)| async move {
            if !round.budget.allows(round.call_allowance) {
                return Some(0);
            }
            let started = match project {
                Some(project) => {
                    let plan = MetadataPlan {
                        domain,
                        owning_project: project,
                        trigger_id: trigger,
                        types: settings.types,
                    };
                    start_asset_metadata(datazone, &plan, &asset.asset_id, settings.pacer).await
                }
                None => Err(Error::ReportRefused(
                    "the harvest record names no project owning the asset".to_owned(),
                )),
            };
            let started = started.and_then(|run| {
                let id = MetadataGenerationRunId::parse("metadataGenerationRunId", run.id)?;
                Ok((id, run.status, run.created_at))
            });
            match started {
                Ok((id, status, created_at)) => {
                    tracing::info!(
                        data_source_id = %source,
                        asset_id = %asset.asset_id,
                        metadata_run_id = %id,
                        "metadata generation started"
                    );
                    asset.tracking.stage = Stage::Following;
                    asset.metadata_run_id = Some(id);
                    asset.status = status;
                    asset.created_at = created_at;
                    Some(round.polling.wait_after(false, 0))
                }
                Err(error) if error.is_retryable() => {
                    asset.tracking.error = Some(ErrorReport::from(&error));
                    Some(round.polling.min_wait_seconds)
                }
                Err(error) => {
                    tracing::warn!(
                        data_source_id = %source,
                        asset_id = %asset.asset_id,
                        error_name = error.name(),
                        error = %error,
                        "metadata generation not started"
                    );
                    asset
                        .tracking
                        .finish(Outcome::NotStarted, Some(ErrorReport::from(&error)));
                    None
                }
            }
        },
    )
    .await;
    for wait in waits.into_iter().flatten() {
        next.at_most(wait);
    }
}

/// Opens the rule's decision on every asset whose generation just
/// succeeded (fully or partly): the source is not done until it is made.
pub(super) fn open_decisions(harvest: &mut Harvest, rule: &PredictionsRule) {
    let generated = harvest
        .sources
        .iter_mut()
        .flat_map(|source| source.metadata.iter_mut())
        .filter(|asset| {
            matches!(
                asset.tracking.outcome,
                Some(Outcome::Succeeded | Outcome::PartiallySucceeded)
            )
        });
    for asset in generated {
        asset
            .predictions
            .get_or_insert_with(|| PredictionsRecord::to_decide(rule));
    }
}

/// Which call a decision makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Accept,
    Reject,
}

impl Call {
    fn operation(self) -> &'static str {
        match self {
            Self::Accept => "accept-predictions",
            Self::Reject => "reject-predictions",
        }
    }
}

/// Makes the rule's calls for every asset whose decision is open: accept,
/// then (with `reject_rest`) reject the rest; a call that fails retryably
/// is tried again in a later round with the same client token until the
/// deadline, and one that fails otherwise leaves the rest as suggestions.
pub(super) async fn decide_predictions(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &FollowRound<'_>,
    settings: &PredictionsSettings<'_>,
    next: &mut NextWait,
) {
    let (domain, trigger) = (&harvest.domain_id, harvest.trigger_id.as_str());
    let open = harvest.sources.iter_mut().flat_map(|source| {
        let data_source_id = &source.data_source_id;
        source
            .metadata
            .iter_mut()
            .filter(|asset| asset.awaits_decision())
            .map(move |asset| (data_source_id, asset))
    });
    let waits = fan_out(open, round.concurrency, |(source, asset)| async move {
        let record = asset.predictions.as_mut()?;
        let rule = record.rule();
        for call in [Call::Accept, Call::Reject] {
            let answered = match call {
                Call::Accept => &mut record.accepted_revision,
                Call::Reject if rule.reject_rest => &mut record.rejected_revision,
                Call::Reject => continue,
            };
            if answered.is_some() {
                continue;
            }
            if !round.budget.allows(round.call_allowance) {
                return Some(0);
            }
            let request = PredictionsRequest {
                domain: domain.clone(),
                asset_id: asset.asset_id.clone(),
                threshold: match call {
                    Call::Accept => rule.threshold(),
                    Call::Reject => None,
                },
                client_token: predictions_token(trigger, domain, &asset.asset_id, call.operation()),
            };
            settings.pacer.wait().await;
            let result = match call {
                Call::Accept => datazone.accept_predictions(&request).await,
                Call::Reject => datazone.reject_predictions(&request).await,
            };
            match result {
                Ok(revision) => {
                    tracing::info!(
                        data_source_id = %source,
                        asset_id = %asset.asset_id,
                        revision = %revision,
                        "{}",
                        match call {
                            Call::Accept => "predictions accepted",
                            Call::Reject => "other predictions rejected",
                        }
                    );
                    *answered = Some(revision);
                    record.error = None;
                }
                Err(error) => {
                    return retry_or_leave(record, &error, settings, source, &asset.asset_id);
                }
            }
        }
        record.done = true;
        None
    })
    .await;
    for wait in waits.into_iter().flatten() {
        next.at_most(wait);
    }
}

/// After a failed call: the wait before trying again, or `None` when the
/// predictions left are left as suggestions, with the error.
fn retry_or_leave(
    record: &mut PredictionsRecord,
    error: &Error,
    settings: &PredictionsSettings<'_>,
    source: &crate::model::ids::DataSourceId,
    asset_id: &str,
) -> Option<u64> {
    let now = Timestamp::now();
    if error.is_retryable() {
        record.attempts += 1;
        let first = *record.first_attempt_at.get_or_insert(now);
        let elapsed = first.seconds_until(now).max(0);
        let wait = backoff_seconds(record.attempts);
        if elapsed + wait as i64 <= settings.retry_deadline.as_secs() as i64 {
            record.error = Some(ErrorReport::from(error));
            return Some(jittered(wait));
        }
        record.error = Some(ErrorReport {
            name: PREDICTIONS_GAVE_UP.to_owned(),
            message: format!(
                "gave up after {} attempts over {elapsed} s: {}: {error}",
                record.attempts,
                error.name()
            ),
        });
    } else {
        record.error = Some(ErrorReport::from(error));
    }
    tracing::warn!(
        data_source_id = %source,
        asset_id,
        error_name = error.name(),
        error = %error,
        "predictions left as suggestions"
    );
    record.done = true;
    None
}
