//! The SDK adapter, and the use cases over it, against the DataZone emulator.

use aws_sdk_datazone::config::{BehaviorVersion, Credentials, Region};
use clap::Parser;
use datazone_adapter::SdkDataZone;
use datazone_local::Options;
use datazone_runs::model::harvest::{Harvest, Outcome, SourceRecord, Stage, StartedAs};
use datazone_runs::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize,
};
use datazone_runs::model::run::{DataSourceRun, DataSourceRunStatus};
use datazone_runs::port::{DataZone, StartRunRequest};
use datazone_runs::usecase::harvest::start::{StartRound, start_round};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::pages::{
    Limits, ListRunsRequest, find_active_run, list_data_source_runs,
};

async fn emulator(args: &[&str]) -> datazone_local::Emulator {
    let argv = ["datazone-local", "--listen", "127.0.0.1:0"]
        .iter()
        .chain(args);
    datazone_local::start(&Options::parse_from(argv))
        .await
        .unwrap()
}

fn adapter(emulator: &datazone_local::Emulator) -> SdkDataZone {
    let config = aws_sdk_datazone::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(emulator.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            datazone_local::SAMPLE_ADMIN_ACCESS_KEY_ID,
            "local-secret",
            None,
            None,
            "tests",
        ))
        .build();
    SdkDataZone::new(aws_sdk_datazone::Client::from_conf(config))
}

fn domain() -> DomainId {
    DomainId::parse("domainId", "dzd_sales2026").unwrap()
}

fn orders() -> DataSourceId {
    DataSourceId::parse("dataSourceId", "ds_orders").unwrap()
}

#[tokio::test]
async fn the_paginator_crosses_real_pages_and_resumes() {
    let emulator = emulator(&[]).await;
    let datazone = adapter(&emulator);
    // The sample seed gives ds_orders three past runs; one more makes four.
    let start = |token: &str| StartRunRequest {
        domain: domain(),
        data_source: orders(),
        client_token: token.into(),
    };
    let run = datazone.start_data_source_run(&start("a")).await.unwrap();
    assert_eq!(run.status, DataSourceRunStatus::Requested);
    let conflict = datazone
        .start_data_source_run(&start("other"))
        .await
        .unwrap_err();
    assert_eq!(conflict.name(), "DataZone.ConflictException");
    let request = ListRunsRequest {
        page_size: Some(PageSize::parse("pageSize", 1).unwrap()),
        ..ListRunsRequest::new(domain(), orders())
    };
    let all = list_data_source_runs(&datazone, &request).await.unwrap();
    assert_eq!(
        all.items.len(),
        4,
        "three past runs and one new, one per page"
    );
    let first = list_data_source_runs(
        &datazone,
        &ListRunsRequest {
            limits: Limits {
                max_items: Some(3),
                starting_token: None,
            },
            ..request.clone()
        },
    )
    .await
    .unwrap();
    let rest = list_data_source_runs(
        &datazone,
        &ListRunsRequest {
            limits: Limits {
                max_items: None,
                starting_token: first.resume_token.clone(),
            },
            ..request.clone()
        },
    )
    .await
    .unwrap();
    let ids = |runs: &[DataSourceRun]| runs.iter().map(|run| run.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        [ids(&first.items), ids(&rest.items)].concat(),
        ids(&all.items)
    );
    let active = find_active_run(&datazone, &domain(), &orders())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(active.id, all.items[0].id);
    let run = datazone
        .get_data_source_run(
            &domain(),
            &DataSourceRunId::parse("runId", active.id.clone()).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        (run.domain_id.as_str(), run.data_source_id.as_str()),
        ("dzd_sales2026", "ds_orders")
    );
    assert!(run.configuration_snapshot.is_some());
    emulator.stop().await;
}

#[tokio::test]
async fn the_starter_never_starts_twice_against_the_emulator() {
    // Real time: the runs stay active (minutes) between the two invocations.
    let emulator = emulator(&[]).await;
    let datazone = adapter(&emulator);
    let harvest = |trigger: &str| {
        let sources = ["ds_orders", "ds_finance", "ds_missing"]
            .into_iter()
            .map(|id| SourceRecord::to_start(DataSourceId::parse("id", id).unwrap(), None))
            .collect();
        Harvest::new(trigger.into(), domain(), sources)
    };
    let pacer = Pacer::per_second(20.0);
    let round = StartRound {
        concurrency: 4,
        pacer: &pacer,
        budget: Budget::lasting(std::time::Duration::from_secs(60)),
        call_allowance: std::time::Duration::from_secs(10),
        retry_deadline: std::time::Duration::from_secs(60),
    };
    let mut first = harvest("evt-1");
    start_round(&datazone, &mut first, &round).await;
    let stages: Vec<_> = first
        .sources
        .iter()
        .map(|s| (s.tracking.stage, s.started_as))
        .collect();
    assert_eq!(
        stages,
        [
            (Stage::Following, Some(StartedAs::Started)),
            (Stage::Following, Some(StartedAs::Started)),
            (Stage::Done, None)
        ]
    );
    let missing = &first.sources[2];
    assert_eq!(missing.tracking.outcome, Some(Outcome::NotStarted));
    assert_eq!(
        missing.tracking.error.as_ref().unwrap().name,
        "DataZone.ResourceNotFoundException"
    );
    // The same trigger again: its client token answers the same runs.
    let mut again = harvest("evt-1");
    start_round(&datazone, &mut again, &round).await;
    assert_eq!(again.sources[0].started_as, Some(StartedAs::Started));
    assert_eq!(again.sources[0].run_id, first.sources[0].run_id);
    assert_eq!(again.sources[1].run_id, first.sources[1].run_id);
    // Another trigger: DataZone refuses the starts (the runs are active),
    // and the active runs are followed.
    let mut other = harvest("evt-2");
    start_round(&datazone, &mut other, &round).await;
    assert_eq!(other.sources[0].started_as, Some(StartedAs::AlreadyActive));
    assert_eq!(other.sources[0].run_id, first.sources[0].run_id);
    assert_eq!(other.sources[1].run_id, first.sources[1].run_id);
    let starts = &emulator.counters()["operations"]["StartDataSourceRun"]["byStatus"];
    assert_eq!(
        (starts["200"].clone(), starts["409"].clone()),
        (serde_json::json!(4), serde_json::json!(2))
    );
    emulator.stop().await;
}

#[tokio::test]
async fn an_unknown_metadata_generation_run_is_not_found_by_name() {
    let emulator = emulator(&[]).await;
    let error = adapter(&emulator)
        .get_metadata_generation_run(
            &domain(),
            &MetadataGenerationRunId::parse("runId", "nope").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.name(), "DataZone.ResourceNotFoundException");
    emulator.stop().await;
}

#[tokio::test]
async fn projects_and_their_data_sources_are_listed() {
    use datazone_runs::model::ids::ProjectId;
    use datazone_runs::port::{DataSourcesPageRequest, ProjectsPageRequest};
    let emulator = emulator(&[]).await;
    let datazone = adapter(&emulator);
    let projects = datazone
        .list_projects(ProjectsPageRequest {
            domain: domain(),
            next_token: None,
        })
        .await
        .unwrap();
    let ids: Vec<&str> = projects.items.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["prj_salesdata"]);
    let sources = datazone
        .list_data_sources(DataSourcesPageRequest {
            domain: domain(),
            project: ProjectId::parse("projectId", "prj_salesdata").unwrap(),
            next_token: None,
        })
        .await
        .unwrap();
    let listed: Vec<(&str, &str, Option<&str>)> = sources
        .items
        .iter()
        .map(|s| (s.id.as_str(), s.source_type.as_str(), s.status.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("ds_orders", "GLUE", Some("READY")),
            ("ds_clickstream", "REDSHIFT", Some("READY")),
            ("ds_finance", "GLUE", Some("READY"))
        ]
    );
    assert_eq!(sources.next_token, None);
    emulator.stop().await;
}
