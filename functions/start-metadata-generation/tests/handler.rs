//! The start-metadata-generation handler: its input, and one entry per
//! asset with the counts.

use datazone_runs::Error;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::port::AssetActivity;
use datazone_runs::testing::FakeDataZone;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{bad_payloads, sample_events};
use serde_json::json;
use start_metadata_generation::config::StartMetadataConfig;
use start_metadata_generation::handler::StartMetadata;

fn metadata_starter(fake: &FakeDataZone) -> StartMetadata<&FakeDataZone> {
    StartMetadata::new(
        fake,
        StartMetadataConfig {
            types: vec![MetadataGenerationType::BusinessDescriptions],
            concurrency: 2,
        },
    )
}

#[tokio::test]
async fn every_metadata_starter_sample_is_a_valid_request() {
    for (name, payload) in sample_events("start-metadata-generation") {
        let fake = FakeDataZone::default();
        let output = metadata_starter(&fake)
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            output.data_source_run_id.as_str(),
            "bd1qd8gj2ns3zr",
            "{name}"
        );
    }
}

#[tokio::test]
async fn the_output_counts_started_and_failed_assets() {
    let fake = FakeDataZone::default();
    let activity = |asset: &str| AssetActivity {
        database: "sales".into(),
        technical_name: asset.into(),
        status: "SUCCEEDED_CREATED".into(),
        asset_id: Some(asset.into()),
    };
    fake.add_activities("run-1", vec![activity("good"), activity("refused")]);
    fake.fail_metadata_generation_for("refused", Error::Throttling("10 per second".into()));
    let output = metadata_starter(&fake)
        .handle(
            Payload::Json(
                json!({"domainId": "dzd_sales2026", "runId": "run-1", "projectId": "prj_salesdata", "executionId": "exec-1"}),
            ),
            &Invocation::default(),
        )
        .await
        .unwrap();
    assert_eq!((output.started, output.failed), (1, 1));
    assert_eq!(output.runs.len(), 2);
    assert_eq!(output.domain_id.as_str(), "dzd_sales2026");
}

#[tokio::test]
async fn the_metadata_starter_refuses_bad_input_by_name() {
    let fake = FakeDataZone::default();
    let starter = metadata_starter(&fake);
    for payload in bad_payloads().into_iter().chain([
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "p", "executionId": ""})),
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "bad project", "executionId": "x"})),
        Payload::Json(json!({"domainId": "dzd_sales2026", "runId": "r", "projectId": "p", "executionId": "x", "extra": 1})),
    ]) {
        let error = invoke(&starter, payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{payload:?}");
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
}
