//! Metadata generation for what a run imported, through the port, against
//! the in-memory DataZone.

use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, ProjectId};
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::port::AssetActivity;
use datazone_runs::testing::{FakeDataZone, domain};
use datazone_runs::usecase::metadata::{
    AssetStart, MetadataPlan, MetadataStartAction, enriched_assets, start_metadata_generation,
};

fn activity(asset: Option<&str>, status: &str) -> AssetActivity {
    AssetActivity {
        database: "sales".into(),
        technical_name: asset.unwrap_or("unnamed").into(),
        status: status.into(),
        asset_id: asset.map(str::to_owned),
    }
}

async fn generate(fake: &FakeDataZone, trigger: &str) -> Vec<AssetStart> {
    let run = DataSourceRunId::parse("runId", "run-1").unwrap();
    let assets = enriched_assets(fake, &domain(), &run).await.unwrap();
    let plan = MetadataPlan {
        domain: &domain(),
        owning_project: &ProjectId::parse("projectId", "prj_salesdata").unwrap(),
        trigger_id: trigger,
        types: &[MetadataGenerationType::BusinessDescriptions],
        concurrency: 2,
    };
    start_metadata_generation(fake, &plan, assets).await
}

#[tokio::test]
async fn metadata_generation_starts_once_per_added_or_updated_asset() {
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
            activity(Some("refused"), "SUCCEEDED_UPDATED"),
        ],
    );
    fake.fail_metadata_generation_for("refused", Error::Throttling("10 per second".into()));
    let starts = generate(&fake, "exec-1").await;
    let assets: Vec<_> = starts.iter().map(|run| run.asset_id.as_str()).collect();
    assert_eq!(
        assets,
        ["created", "updated", "refused"],
        "activities span several pages"
    );
    let started = starts
        .iter()
        .filter(|run| run.action == MetadataStartAction::Started)
        .count();
    assert_eq!((started, starts.len() - started), (2, 1));
    assert_eq!(
        starts[2].error.as_ref().unwrap().name,
        "DataZone.ThrottlingException"
    );
    assert_eq!(starts[0].technical_name, "created");
    let again = generate(&fake, "exec-1").await;
    assert_eq!(
        starts
            .iter()
            .map(|run| run.metadata_run_id.clone())
            .collect::<Vec<_>>(),
        again
            .iter()
            .map(|run| run.metadata_run_id.clone())
            .collect::<Vec<_>>(),
        "a retried task reuses its client tokens"
    );
    assert_eq!(fake.metadata_runs().len(), 2);
    assert_eq!(
        fake.calls("ListDataSourceRunActivities"),
        8,
        "four pages, twice"
    );
}
