//! The metadata-status handler: events and queries, then the run.

use datazone_runs::model::metadata_run::{MetadataGenerationRun, MetadataGenerationRunStatus};
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::testing::FakeDataZone;
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{bad_payloads, sample_events};
use metadata_status::handler::MetadataStatus;

fn metadata_status(fake: &FakeDataZone) -> MetadataStatus<&FakeDataZone> {
    MetadataStatus::new(fake, PollingPolicy::new(10, 600).unwrap())
}

#[tokio::test]
async fn every_metadata_status_sample_reads_the_run_it_names() {
    for (name, payload) in sample_events("metadata-status") {
        let fake = FakeDataZone::default();
        fake.add_metadata_run(MetadataGenerationRun {
            id: "mg7kq2x9t4wz1p".into(),
            domain_id: "dzd_sales2026".into(),
            owning_project_id: "prj_salesdata".into(),
            status: Some(MetadataGenerationRunStatus::Succeeded),
            target: None,
            types: vec![],
            type_stats: vec![],
            created_at: Some(Timestamp::now()),
            created_by: None,
        });
        let outcome = metadata_status(&fake)
            .handle(payload, &Invocation::default())
            .await
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(outcome.run_id, "mg7kq2x9t4wz1p", "{name}");
    }
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let handler = metadata_status(&fake);
    for payload in bad_payloads() {
        let error = invoke(&handler, payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        assert_eq!(error.name(), "InvalidInput", "{payload:?}: {error}");
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
}
