//! Metadata generation (business descriptions by default) for the assets a
//! finished data source run added or updated.

use serde::Serialize;
use tracing::Instrument;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::ids::{DataSourceRunId, DomainId, ProjectId};
use crate::model::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationType};
use crate::port::{AssetActivity, DataZone, StartMetadataRequest};
use crate::usecase::fan_out::fan_out;
use crate::usecase::pages::list_run_activities;
use crate::usecase::token::metadata_generation_token;

/// Activity statuses of assets a run created or changed: the ones worth enriching.
const ENRICHED_ACTIVITY_STATUSES: &[&str] = &["SUCCEEDED_CREATED", "SUCCEEDED_UPDATED"];

/// Every asset `run` created or updated, once each, in listing order.
pub async fn enriched_assets(
    datazone: &impl DataZone,
    domain: &DomainId,
    run: &DataSourceRunId,
) -> Result<Vec<AssetActivity>, Error> {
    let mut assets: Vec<AssetActivity> = Vec::new();
    for activity in list_run_activities(datazone, domain, run).await? {
        let enriched = ENRICHED_ACTIVITY_STATUSES.contains(&activity.status.as_str());
        let seen = assets
            .iter()
            .any(|known| known.asset_id == activity.asset_id);
        if enriched && activity.asset_id.is_some() && !seen {
            assets.push(activity);
        }
    }
    Ok(assets)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MetadataStartAction {
    Started,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetStart {
    pub asset_id: String,
    pub technical_name: String,
    pub action: MetadataStartAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MetadataGenerationRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

/// What to generate, for which project's assets, on whose behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataPlan<'a> {
    pub domain: &'a DomainId,
    /// The project owning the assets (the run's `projectId`).
    pub owning_project: &'a ProjectId,
    /// The trigger the client tokens derive from.
    pub trigger_id: &'a str,
    pub types: &'a [MetadataGenerationType],
    pub concurrency: usize,
}

/// Starts metadata generation for every asset, one entry each, in order; a
/// failure is reported for its asset alone.
pub async fn start_metadata_generation(
    datazone: &impl DataZone,
    plan: &MetadataPlan<'_>,
    assets: Vec<AssetActivity>,
) -> Vec<AssetStart> {
    fan_out(assets, plan.concurrency, |activity| {
        let span = tracing::info_span!(
            "asset",
            asset_id = activity.asset_id.as_deref().unwrap_or_default()
        );
        start_one(datazone, plan, activity).instrument(span)
    })
    .await
}

async fn start_one(
    datazone: &impl DataZone,
    plan: &MetadataPlan<'_>,
    activity: AssetActivity,
) -> AssetStart {
    let asset_id = activity.asset_id.unwrap_or_default();
    let request = StartMetadataRequest {
        domain: plan.domain.clone(),
        owning_project: plan.owning_project.clone(),
        client_token: metadata_generation_token(
            plan.trigger_id,
            plan.domain,
            &asset_id,
            plan.types,
        ),
        asset_id: asset_id.clone(),
        types: plan.types.to_vec(),
    };
    let (action, metadata_run_id, status, error) = match datazone
        .start_metadata_generation_run(&request)
        .await
    {
        Ok(run) => {
            tracing::info!(metadata_run_id = %run.id, "metadata generation started");
            (MetadataStartAction::Started, Some(run.id), run.status, None)
        }
        Err(error) => {
            tracing::warn!(error_name = error.name(), error = %error, "metadata generation not started");
            (
                MetadataStartAction::Failed,
                None,
                None,
                Some(ErrorReport::from(&error)),
            )
        }
    };
    AssetStart {
        asset_id,
        technical_name: activity.technical_name,
        action,
        metadata_run_id,
        status,
        error,
    }
}
