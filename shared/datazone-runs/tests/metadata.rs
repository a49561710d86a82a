//! Metadata generation for what a run imported, through the port, against
//! the in-memory DataZone.

use datazone_runs::model::ids::{DataSourceRunId, ProjectId};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::port::AssetActivity;
use datazone_runs::testing::{FakeDataZone, domain};
use datazone_runs::usecase::harvest::metadata::{
    EnrichedAsset, MetadataPlan, enriched_assets, start_asset_metadata,
};
use datazone_runs::usecase::pace::Pacer;

fn activity(asset: Option<&str>, status: &str) -> AssetActivity {
    AssetActivity {
        database: "sales".into(),
        technical_name: asset.map_or("unnamed".into(), |id| format!("table_{id}")),
        status: status.into(),
        asset_id: asset.map(str::to_owned),
    }
}

#[tokio::test]
async fn the_assets_to_enrich_are_those_created_or_updated_once_each() {
    let fake = FakeDataZone::default();
    fake.add_activities(
        "run-1",
        vec![
            activity(Some("created"), "SUCCEEDED_CREATED"),
            activity(Some("unchanged"), "UNCHANGED"),
            activity(Some("updated"), "SUCCEEDED_UPDATED"),
            activity(None, "SUCCEEDED_CREATED"),
            activity(Some("broken"), "FAILED"),
            activity(Some("created"), "SUCCEEDED_CREATED"),
            activity(Some("last"), "SUCCEEDED_UPDATED"),
        ],
    );
    let run = DataSourceRunId::parse("runId", "run-1").unwrap();
    let assets = enriched_assets(&fake, &domain(), &run).await.unwrap();
    let expected = |id: &str| EnrichedAsset {
        asset_id: id.into(),
        technical_name: format!("table_{id}"),
    };
    assert_eq!(
        assets,
        [expected("created"), expected("updated"), expected("last")]
    );
    assert_eq!(
        fake.calls("ListDataSourceRunActivities"),
        4,
        "seven activities, two a page"
    );
}

#[tokio::test]
async fn a_repeated_start_for_the_same_trigger_returns_the_same_run() {
    let fake = FakeDataZone::default();
    let (domain, project) = (
        domain(),
        ProjectId::parse("projectId", "prj_salesdata").unwrap(),
    );
    let types = [MetadataGenerationType::BusinessDescriptions];
    let plan = |trigger| MetadataPlan {
        domain: &domain,
        owning_project: &project,
        trigger_id: trigger,
        types: &types,
    };
    let pacer = Pacer::per_second(1000.0);
    let first = start_asset_metadata(&fake, &plan("exec-1"), "ast_1", &pacer)
        .await
        .unwrap();
    let again = start_asset_metadata(&fake, &plan("exec-1"), "ast_1", &pacer)
        .await
        .unwrap();
    let next = start_asset_metadata(&fake, &plan("exec-2"), "ast_1", &pacer)
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_ne!(first.id, next.id);
    assert_eq!(first.owning_project_id, "prj_salesdata");
    assert_eq!(first.types, types);
    assert_eq!(fake.metadata_run_ids(), ["mg-0", "mg-1"]);
}
