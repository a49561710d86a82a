//! Metadata generation (business descriptions by default) for the assets a
//! finished data source run added or updated.

use crate::Error;
use crate::model::ids::{DataSourceRunId, DomainId, ProjectId};
use crate::model::metadata_run::{MetadataGenerationRun, MetadataGenerationType};
use crate::port::{AssetActivity, DataZone, StartMetadataRequest};
use crate::usecase::pace::Pacer;
use crate::usecase::pages::list_run_activities;
use crate::usecase::token::metadata_generation_token;

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
