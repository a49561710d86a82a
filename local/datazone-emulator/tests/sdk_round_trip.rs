//! The real aws-sdk-datazone client against the emulator.

mod common;

use std::time::{Duration, Instant};

use aws_sdk_datazone::error::ProvideErrorMetadata;
use aws_sdk_datazone::types::{
    DataAssetActivityStatus, DataSourceRunStatus, MetadataGenerationRunStatus,
    MetadataGenerationRunType,
};
use common::{asset, calls, client, emulator, raw};
use serde_json::{Value, json};

const DOMAIN: &str = "dzd_sales2026";

/// Waits for a data source run to reach a terminal status.
async fn finished(
    client: &aws_sdk_datazone::Client,
    domain: &str,
    run: &str,
) -> aws_sdk_datazone::operation::get_data_source_run::GetDataSourceRunOutput {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let output = client
            .get_data_source_run()
            .domain_identifier(domain)
            .identifier(run)
            .send()
            .await
            .unwrap();
        if !matches!(
            output.status(),
            DataSourceRunStatus::Requested | DataSourceRunStatus::Running
        ) {
            return output;
        }
        assert!(Instant::now() < deadline, "run {run} did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn code<E: ProvideErrorMetadata, R>(error: &aws_sdk_datazone::error::SdkError<E, R>) -> String {
    error
        .as_service_error()
        .and_then(|e| e.code())
        .unwrap_or("(not a service error)")
        .to_owned()
}

#[tokio::test]
async fn discovery_operations_show_the_seed() {
    let emulator = emulator(&[], None).await;
    let client = client(&emulator, 1);
    let domains = client.list_domains().send().await.unwrap();
    let domain = &domains.items()[0];
    assert_eq!(domain.id(), DOMAIN);
    assert!(
        domain.created_at().secs() > 1_700_000_000,
        "CreatedAt is epoch seconds on the wire"
    );
    assert!(
        domain
            .arn()
            .starts_with("arn:aws:datazone:us-east-1:123456789012:domain/")
    );

    let projects = client
        .list_projects()
        .domain_identifier(DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(projects.items()[0].id(), "prj_salesdata");
    assert!(projects.items()[0].created_at().unwrap().secs() > 1_700_000_000);

    let sources = client
        .list_data_sources()
        .domain_identifier(DOMAIN)
        .project_identifier("prj_salesdata")
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let ids: Vec<_> = sources.iter().map(|s| s.data_source_id()).collect();
    assert_eq!(ids, ["ds_orders", "ds_clickstream", "ds_finance"]);

    let source = client
        .get_data_source()
        .domain_identifier(DOMAIN)
        .identifier("ds_orders")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (source.id(), source.project_id(), source.name()),
        ("ds_orders", "prj_salesdata", "orders-glue-catalog")
    );
    assert_eq!(
        source.last_run_status(),
        Some(&DataSourceRunStatus::Success),
        "past runs are seeded"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn a_run_goes_through_its_scripted_statuses_with_idempotent_starts_and_conflicts() {
    // Real time: the run stays REQUESTED (20 s) while the conflict is
    // checked, and finishes when the test advances the clock.
    let emulator = emulator(&[], None).await;
    let client = client(&emulator, 1);
    let start = || {
        client
            .start_data_source_run()
            .domain_identifier(DOMAIN)
            .data_source_identifier("ds_orders")
    };
    let first = start().client_token("token-1").send().await.unwrap();
    assert_eq!(first.status(), &DataSourceRunStatus::Requested);
    assert_eq!(first.domain_id(), DOMAIN);
    assert!(first.created_at().secs() > 1_700_000_000);
    let again = start().client_token("token-1").send().await.unwrap();
    assert_eq!(again.id(), first.id(), "same token, same run");
    let conflict = start().client_token("token-2").send().await.unwrap_err();
    assert_eq!(code(&conflict), "ConflictException");

    emulator.advance(500.0);
    let done = finished(&client, DOMAIN, first.id()).await;
    assert_eq!(done.status(), &DataSourceRunStatus::Success);
    let stats = done.run_statistics_for_assets().unwrap();
    assert_eq!(
        (stats.added(), stats.updated(), stats.unchanged()),
        (Some(2), Some(1), Some(4))
    );
    assert!(done.stopped_at().unwrap() > done.started_at().unwrap());
    assert!(done.lineage_summary().is_some());
    assert!(done.data_source_configuration_snapshot().is_some());

    let after = start().client_token("token-1").send().await.unwrap();
    assert_eq!(
        after.id(),
        first.id(),
        "a token stays bound to its run after it finished"
    );

    let activities = client
        .list_data_source_run_activities()
        .domain_identifier(DOMAIN)
        .identifier(first.id())
        .status(DataAssetActivityStatus::SucceededCreated)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = activities
        .items()
        .iter()
        .map(|a| a.technical_name())
        .collect();
    assert_eq!(names, ["orders", "order_lines"]);

    let listed = client
        .list_data_source_runs()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_orders")
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.items().len(),
        4,
        "three seeded past runs and the new one"
    );
    assert_eq!(listed.items()[0].id(), first.id(), "newest first");
    emulator.stop().await;
}

#[tokio::test]
async fn failed_and_partial_runs_carry_their_error() {
    let emulator = emulator(&["--time-scale", "10000"], None).await;
    let client = client(&emulator, 1);
    for (source, status, error_type) in [
        (
            "ds_finance",
            DataSourceRunStatus::Failed,
            "RESOURCE_NOT_FOUND_EXCEPTION",
        ),
        (
            "ds_clickstream",
            DataSourceRunStatus::PartiallySucceeded,
            "ACCESS_DENIED_EXCEPTION",
        ),
    ] {
        let run = client
            .start_data_source_run()
            .domain_identifier(DOMAIN)
            .data_source_identifier(source)
            .send()
            .await
            .unwrap();
        let done = finished(&client, DOMAIN, run.id()).await;
        assert_eq!(done.status(), &status);
        assert_eq!(
            done.error_message().unwrap().error_type().as_str(),
            error_type
        );
    }
    emulator.stop().await;
}

fn paging_seed(past_runs: usize) -> String {
    json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
    "dataSources": [
        {"id": "many", "name": "many", "projectId": "p", "pastRuns": past_runs},
        {"id": "other", "name": "other", "projectId": "p", "pastRuns": 2}
    ]}]})
    .to_string()
}

#[tokio::test]
async fn runs_page_across_pages_and_tokens_are_checked() {
    let emulator = emulator(&[], Some(&paging_seed(7))).await;
    let client = client(&emulator, 1);
    let list = || {
        client
            .list_data_source_runs()
            .domain_identifier(DOMAIN)
            .data_source_identifier("many")
            .max_results(3)
    };
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = list().set_next_token(token).send().await.unwrap();
        pages += 1;
        seen.extend(
            page.items()
                .iter()
                .map(|run| (run.id().to_owned(), run.created_at().secs())),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!((pages, seen.len()), (3, 7));
    assert!(
        seen.windows(2).all(|pair| pair[0].1 > pair[1].1),
        "newest first"
    );
    let unique: std::collections::HashSet<_> = seen.iter().map(|(id, _)| id).collect();
    assert_eq!(unique.len(), 7);

    let via_paginator = list()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(via_paginator.len(), 7);

    let filtered = list()
        .status(DataSourceRunStatus::Running)
        .send()
        .await
        .unwrap();
    assert!(filtered.items().is_empty());

    let bad = list().next_token("not-a-token").send().await.unwrap_err();
    assert_eq!(code(&bad), "ValidationException");
    let first = list().send().await.unwrap();
    let foreign = client
        .list_data_source_runs()
        .domain_identifier(DOMAIN)
        .data_source_identifier("other")
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&foreign), "ValidationException");
    assert!(
        foreign
            .as_service_error()
            .unwrap()
            .message()
            .unwrap()
            .contains("another listing")
    );
    emulator.stop().await;
}

#[tokio::test]
async fn inputs_are_validated_against_the_model() {
    let emulator = emulator(&[], None).await;
    let client = client(&emulator, 1);
    let cases = [
        client
            .get_data_source_run()
            .domain_identifier("sales")
            .identifier("r")
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .get_data_source_run()
            .domain_identifier("xdzd_sales")
            .identifier("r")
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .get_data_source_run()
            .domain_identifier(DOMAIN)
            .identifier("r".repeat(37))
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
    ];
    for error in &cases {
        assert_eq!(code(error), "ValidationException");
    }
    let message = cases[0]
        .as_service_error()
        .unwrap()
        .message()
        .unwrap()
        .to_owned();
    assert!(message.contains("domainIdentifier"), "{message}");
    for size in [0, 51] {
        let error = client
            .list_data_source_runs()
            .domain_identifier(DOMAIN)
            .data_source_identifier("ds_orders")
            .max_results(size)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&error), "ValidationException");
        assert!(
            error
                .as_service_error()
                .unwrap()
                .message()
                .unwrap()
                .contains("maxResults")
        );
    }
    let bad_status = client
        .list_data_source_runs()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_orders")
        .status(DataSourceRunStatus::from("HALF_DONE"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_status), "ValidationException");
    let no_project = client
        .list_data_sources()
        .domain_identifier(DOMAIN)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(
        code(&no_project).as_str(),
        "ValidationException" | "(not a service error)"
    ));
    let too_many_domains = client
        .list_domains()
        .max_results(26)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_many_domains), "ValidationException");
    emulator.stop().await;
}

#[tokio::test]
async fn unknown_resources_are_not_found_and_unseen_domains_denied() {
    let emulator = emulator(&[], None).await;
    let client = client(&emulator, 1);
    let codes = [
        code(
            &client
                .get_data_source_run()
                .domain_identifier("dzd_nowhere")
                .identifier("r")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .get_data_source_run()
                .domain_identifier(DOMAIN)
                .identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .start_data_source_run()
                .domain_identifier(DOMAIN)
                .data_source_identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .list_data_source_runs()
                .domain_identifier(DOMAIN)
                .data_source_identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .get_data_source()
                .domain_identifier(DOMAIN)
                .identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .get_metadata_generation_run()
                .domain_identifier(DOMAIN)
                .identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
        code(
            &client
                .cancel_metadata_generation_run()
                .domain_identifier(DOMAIN)
                .identifier("nope")
                .send()
                .await
                .unwrap_err(),
        ),
    ];
    for code in codes {
        assert_eq!(code, "ResourceNotFoundException");
    }
    let denied = client
        .list_projects()
        .domain_identifier("dzd_nowhere")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&denied), "AccessDeniedException");
    emulator.stop().await;
}

#[tokio::test]
async fn unsigned_requests_get_the_modeled_auth_error() {
    let emulator = emulator(&[], None).await;
    let (status, head, body) = raw(&emulator, "GET", "/v2/domains", false).await;
    assert_eq!(status, 401);
    assert!(
        head.contains("x-amzn-errortype: unauthorizedexception"),
        "{head}"
    );
    assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["message"].is_string());
    let (status, _, _) = raw(&emulator, "GET", "/v2/domains", true).await;
    assert_eq!(status, 200);
    let (status, head, _) = raw(&emulator, "DELETE", "/v2/domains", true).await;
    assert_eq!(status, 404);
    assert!(head.contains("unknownoperationexception"));
    emulator.stop().await;
}

#[tokio::test]
async fn timestamps_follow_each_shape_on_the_wire() {
    let emulator = emulator(&["--time-scale", "10000"], None).await;
    let client = client(&emulator, 1);
    let run = client
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_orders")
        .send()
        .await
        .unwrap();
    finished(&client, DOMAIN, run.id()).await;
    let (_, _, body) = raw(
        &emulator,
        "GET",
        &format!("/v2/domains/{DOMAIN}/data-source-runs/{}", run.id()),
        true,
    )
    .await;
    let run_json: serde_json::Value = serde_json::from_str(&body).unwrap();
    for field in ["createdAt", "updatedAt", "startedAt", "stoppedAt"] {
        let value = run_json[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} is an ISO string: {body}"));
        assert!(value.ends_with('Z'), "{field}: {value}");
    }
    let metadata = client
        .start_metadata_generation_run()
        .domain_identifier(DOMAIN)
        .owning_project_identifier("prj_salesdata")
        .types(MetadataGenerationRunType::BusinessDescriptions)
        .target(asset("ast_orders"))
        .send()
        .await
        .unwrap();
    let (_, _, body) = raw(
        &emulator,
        "GET",
        &format!(
            "/v2/domains/{DOMAIN}/metadata-generation-runs/{}",
            metadata.id()
        ),
        true,
    )
    .await;
    let metadata_json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        metadata_json["createdAt"].is_number(),
        "CreatedAt is epoch seconds: {body}"
    );
    emulator.stop().await;
}

fn quick_seed() -> String {
    json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "dataSources": [{"id": "quick", "name": "quick", "projectId": "p", "pastRuns": 5,
            "runs": [{"outcome": "SUCCESS", "requestedSeconds": 0, "runningSeconds": 0}]}]}]})
    .to_string()
}

#[tokio::test]
async fn the_daily_quota_of_runs_per_data_source_is_enforced() {
    let emulator = emulator(&[], Some(&quick_seed())).await;
    let client = client(&emulator, 1);
    for n in 0..datazone_local::RUNS_PER_DATA_SOURCE_PER_DAY {
        client
            .start_data_source_run()
            .domain_identifier(DOMAIN)
            .data_source_identifier("quick")
            .client_token(format!("t{n}"))
            .send()
            .await
            .unwrap_or_else(|error| panic!("run {n}: {error:?}"));
        // Stay under the documented 20 starts per second.
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let over = client
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("quick")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&over), "ServiceQuotaExceededException");
    assert_eq!(over.raw_response().unwrap().status().as_u16(), 402);
    emulator.stop().await;
}

fn many_sources_seed(count: usize) -> String {
    let sources: Vec<_> = (0..count)
        .map(|i| json!({"id": format!("src{i}"), "name": format!("src{i}"), "projectId": "p",
            "runs": [{"outcome": "SUCCESS", "requestedSeconds": 1, "runningSeconds": 1,
                      "assets": [{"database": "db", "technicalName": format!("t{i}"), "status": "SUCCEEDED_CREATED", "assetId": format!("asset{i}")}]}]}))
        .collect();
    let assets: Vec<_> = (0..count).map(|i| format!("asset{i}")).collect();
    json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "dataSources": sources, "assets": assets}]})
    .to_string()
}

#[tokio::test]
async fn throttling_answers_429_and_the_sdk_retry_recovers() {
    let emulator = emulator(
        &["--rate-limit", "StartDataSourceRun=2"],
        Some(&many_sources_seed(6)),
    )
    .await;
    let client = client(&emulator, 10);
    let starts = (0..6).map(|i| {
        let client = client.clone();
        async move {
            client
                .start_data_source_run()
                .domain_identifier(DOMAIN)
                .data_source_identifier(format!("src{i}"))
                .send()
                .await
        }
    });
    let results = futures::future::join_all(starts).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(calls(&emulator, "StartDataSourceRun", 200), 6);
    assert!(
        calls(&emulator, "StartDataSourceRun", 429) > 0,
        "{}",
        emulator.counters()
    );
    let counters = &emulator.counters()["operations"]["StartDataSourceRun"];
    assert!(
        counters["peakPerSecond"].as_u64().unwrap() >= 6,
        "six starts at once, retries after: {counters}"
    );
    assert_eq!(
        counters["peakPerTenSeconds"], counters["total"],
        "all within ten seconds"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn rate_limits_are_per_emulated_second() {
    // Ten emulated seconds pass in each real millisecond: the bucket of two
    // a second refills long before a retry.
    let emulator = emulator(
        &[
            "--rate-limit",
            "StartDataSourceRun=2",
            "--time-scale",
            "10000",
        ],
        Some(&many_sources_seed(6)),
    )
    .await;
    let client = client(&emulator, 1);
    for i in 0..6 {
        client
            .start_data_source_run()
            .domain_identifier(DOMAIN)
            .data_source_identifier(format!("src{i}"))
            .send()
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    assert_eq!(calls(&emulator, "StartDataSourceRun", 429), 0);
    emulator.stop().await;
}

#[tokio::test]
async fn answers_are_dated_by_the_emulated_clock() {
    let emulator = emulator(&["--time-scale", "3600"], None).await;
    async fn date(emulator: &datazone_local::Emulator) -> i64 {
        let (status, head, _) = common::raw(emulator, "GET", "/v2/domains", true).await;
        assert_eq!(status, 200, "{head}");
        // The head comes lowercased: "date: tue, 14 nov 2023 22:13:20 gmt".
        let date: Vec<String> = head
            .lines()
            .find_map(|line| line.strip_prefix("date: "))
            .expect("a Date header")
            .split(' ')
            .map(|word| match word {
                "gmt" => "GMT".to_owned(),
                _ => word[..1].to_uppercase() + &word[1..],
            })
            .collect();
        aws_smithy_types::DateTime::from_str(
            &date.join(" "),
            aws_smithy_types::date_time::Format::HttpDate,
        )
        .unwrap()
        .secs()
    }
    let before = date(&emulator).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let after = date(&emulator).await;
    // Half a real second is half an emulated hour.
    assert!(
        (1790..=1900).contains(&(after - before)),
        "{}",
        after - before
    );
    emulator.stop().await;
}

#[tokio::test]
async fn data_sources_are_listed_with_their_seeded_status_and_setting() {
    let seed =
        json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "dataSources": [
            {"id": "ready", "name": "ready", "projectId": "p"},
            {"id": "off", "name": "off", "projectId": "p", "enableSetting": "DISABLED"},
            {"id": "broken", "name": "broken", "projectId": "p", "status": "FAILED_CREATION"}
        ]}]})
        .to_string();
    let emulator = emulator(&[], Some(&seed)).await;
    let client = client(&emulator, 1);
    let listed = client
        .list_data_sources()
        .domain_identifier(DOMAIN)
        .project_identifier("p")
        .send()
        .await
        .unwrap();
    let summary: Vec<(&str, &str, Option<&str>)> = listed
        .items()
        .iter()
        .map(|s| {
            (
                s.data_source_id(),
                s.status().as_str(),
                s.enable_setting().map(|e| e.as_str()),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("ready", "READY", Some("ENABLED")),
            ("off", "READY", Some("DISABLED")),
            ("broken", "FAILED_CREATION", Some("ENABLED"))
        ]
    );
    let ready = client
        .list_data_sources()
        .domain_identifier(DOMAIN)
        .project_identifier("p")
        .status(aws_sdk_datazone::types::DataSourceStatus::Ready)
        .send()
        .await
        .unwrap();
    assert_eq!(ready.items().len(), 2);
    emulator.stop().await;
}

#[tokio::test]
async fn injected_internal_errors_surface_after_the_sdk_gives_up() {
    let emulator = emulator(&["--internal-error-rate", "1"], None).await;
    let client = client(&emulator, 2);
    let error = client.list_domains().send().await.unwrap_err();
    assert_eq!(code(&error), "InternalServerException");
    assert_eq!(
        calls(&emulator, "ListDomains", 500),
        2,
        "one try and one retry"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn metadata_generation_runs_follow_their_script_and_can_be_cancelled() {
    let seed = json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "assets": ["ok", "bad", "stuck"],
        "metadataGeneration": {"default": {"outcome": "SUCCEEDED", "seconds": 10},
            "targets": {"bad": {"outcome": "FAILED", "seconds": 10, "errorMessage": "model refused"},
                        "stuck": {"outcome": "HANG"}}}}]})
    .to_string();
    // Real time: every run is in progress until the test advances the clock.
    let emulator = emulator(&[], Some(&seed)).await;
    let client = client(&emulator, 1);
    let start = |target: &str, token: &str| {
        client
            .start_metadata_generation_run()
            .domain_identifier(DOMAIN)
            .owning_project_identifier("p")
            .types(MetadataGenerationRunType::BusinessDescriptions)
            .client_token(token)
            .target(asset(target))
            .send()
    };
    let unknown = start("nothing", "t0").await.unwrap_err();
    assert_eq!(code(&unknown), "ResourceNotFoundException");
    let ok = start("ok", "t1").await.unwrap();
    assert_eq!(ok.status(), Some(&MetadataGenerationRunStatus::InProgress));
    assert_eq!(
        start("ok", "t1").await.unwrap().id(),
        ok.id(),
        "same token, same run"
    );
    assert_eq!(
        code(&start("ok", "t2").await.unwrap_err()),
        "ConflictException"
    );
    let bad = start("bad", "t3").await.unwrap();
    let stuck = start("stuck", "t4").await.unwrap();

    emulator.advance(3_600.0);
    let get = |id: &str| {
        client
            .get_metadata_generation_run()
            .domain_identifier(DOMAIN)
            .identifier(id)
            .send()
    };
    let ok_now = get(ok.id()).await.unwrap();
    assert_eq!(
        ok_now.status(),
        Some(&MetadataGenerationRunStatus::Succeeded)
    );
    assert!(ok_now.created_at().unwrap().secs() > 1_700_000_000);
    assert_eq!(ok_now.target().unwrap().identifier(), "ok");
    let bad_now = get(bad.id()).await.unwrap();
    assert_eq!(bad_now.status(), Some(&MetadataGenerationRunStatus::Failed));
    assert_eq!(
        bad_now.type_stats()[0].error_message(),
        Some("model refused")
    );
    assert_eq!(
        get(stuck.id()).await.unwrap().status(),
        Some(&MetadataGenerationRunStatus::InProgress)
    );

    client
        .cancel_metadata_generation_run()
        .domain_identifier(DOMAIN)
        .identifier(stuck.id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        get(stuck.id()).await.unwrap().status(),
        Some(&MetadataGenerationRunStatus::Canceled)
    );
    let again = client
        .cancel_metadata_generation_run()
        .domain_identifier(DOMAIN)
        .identifier(stuck.id())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "ConflictException");

    let listed = client
        .list_metadata_generation_runs()
        .domain_identifier(DOMAIN)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let failed = client
        .list_metadata_generation_runs()
        .domain_identifier(DOMAIN)
        .status(MetadataGenerationRunStatus::Failed)
        .send()
        .await
        .unwrap();
    assert_eq!(failed.items().len(), 1);
    emulator.stop().await;
}

#[tokio::test]
async fn assets_a_finished_run_imported_can_be_enriched() {
    let seed = json!({"domains": [{"id": DOMAIN, "name": "d",
        "projects": [{"id": "prj_salesdata", "name": "p"}],
        "dataSources": [{"id": "ds_orders", "name": "o", "projectId": "prj_salesdata",
            "runs": [{"outcome": "SUCCESS", "requestedSeconds": 10, "runningSeconds": 100,
                "assets": [{"database": "db", "technicalName": "t", "status": "SUCCEEDED_CREATED", "assetId": "ast_new"}]}]}]}]})
    .to_string();
    let emulator = emulator(&[], Some(&seed)).await;
    let client = client(&emulator, 1);
    let target = || asset("ast_new");
    let start = || {
        client
            .start_metadata_generation_run()
            .domain_identifier(DOMAIN)
            .owning_project_identifier("prj_salesdata")
            .types(MetadataGenerationRunType::BusinessDescriptions)
            .target(target())
            .send()
    };
    assert_eq!(
        code(&start().await.unwrap_err()),
        "ResourceNotFoundException",
        "not imported yet"
    );
    let run = client
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_orders")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(&start().await.unwrap_err()),
        "ResourceNotFoundException",
        "the run has not finished"
    );
    emulator.advance(110.0);
    finished(&client, DOMAIN, run.id()).await;
    start().await.unwrap();
    emulator.stop().await;
}

#[tokio::test]
async fn the_same_random_seed_gives_the_same_ids() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let emulator = emulator(&["--random-seed", "42"], None).await;
        let client = client(&emulator, 1);
        let run = client
            .start_data_source_run()
            .domain_identifier(DOMAIN)
            .data_source_identifier("ds_finance")
            .client_token("x")
            .send()
            .await
            .unwrap();
        ids.push(run.id().to_owned());
        emulator.stop().await;
    }
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn predictions_are_accepted_by_rule_rejected_and_each_decision_is_a_revision() {
    use aws_sdk_datazone::types::{AcceptRule, AcceptRuleBehavior, RejectRule, RejectRuleBehavior};
    let seed =
        json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "assets": ["orders", "never"],
        "metadataGeneration": {"default": {"outcome": "SUCCEEDED", "seconds": 10}}}]})
        .to_string();
    let emulator = emulator(&[], Some(&seed)).await;
    let client = client(&emulator, 1);
    let accept = |asset: &str, threshold: Option<f32>, token: &str| {
        client
            .accept_predictions()
            .domain_identifier(DOMAIN)
            .identifier(asset)
            .accept_rule(
                AcceptRule::builder()
                    .rule(AcceptRuleBehavior::All)
                    .set_threshold(threshold)
                    .build(),
            )
            .client_token(token)
            .send()
    };
    // An asset no generation has suggested anything for is not found.
    let none = accept("never", Some(0.8), "t0").await.unwrap_err();
    assert_eq!(code(&none), "ResourceNotFoundException");
    client
        .start_metadata_generation_run()
        .domain_identifier(DOMAIN)
        .owning_project_identifier("p")
        .types(MetadataGenerationRunType::BusinessDescriptions)
        .types(MetadataGenerationRunType::BusinessNames)
        .target(asset("orders"))
        .send()
        .await
        .unwrap();
    emulator.advance(60.0);
    let listed = emulator.predictions();
    let predictions = listed[0]["predictions"].as_array().unwrap().clone();
    assert_eq!(predictions.len(), 6, "three targets per type: {listed}");
    assert_eq!(listed[0]["revision"], "2", "the generation is a revision");
    let above: Vec<&Value> = predictions
        .iter()
        .filter(|p| p["confidence"].as_f64().unwrap() >= 0.8)
        .collect();
    assert!(!above.is_empty() && above.len() < 6, "{listed}");

    let accepted = accept("orders", Some(0.8), "t1").await.unwrap();
    assert_eq!(accepted.asset_id(), "orders");
    assert_eq!(accepted.revision(), "3");
    let again = accept("orders", Some(0.8), "t1").await.unwrap();
    assert_eq!(
        again.revision(),
        "3",
        "the same token decides nothing twice"
    );
    let decisions = |listed: &Value| -> Vec<(String, String)> {
        listed[0]["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["target"].as_str().unwrap().to_owned(),
                    p["decision"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let now = emulator.predictions();
    for (prediction, (target, decision)) in predictions.iter().zip(decisions(&now)) {
        assert_eq!(prediction["target"], target.as_str());
        let expected = if prediction["confidence"].as_f64().unwrap() >= 0.8 {
            "ACCEPTED"
        } else {
            "SUGGESTED"
        };
        assert_eq!(decision, expected, "{target}: {now}");
    }

    let rejected = client
        .reject_predictions()
        .domain_identifier(DOMAIN)
        .identifier("orders")
        .reject_rule(RejectRule::builder().rule(RejectRuleBehavior::All).build())
        .client_token("t2")
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.asset_revision(), "4");
    let after = emulator.predictions();
    assert!(
        decisions(&after)
            .iter()
            .all(|(_, decision)| decision != "SUGGESTED"),
        "the rest rejected: {after}"
    );
    let stale = client
        .accept_predictions()
        .domain_identifier(DOMAIN)
        .identifier("orders")
        .revision("2")
        .accept_rule(AcceptRule::builder().rule(AcceptRuleBehavior::All).build())
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&stale), "ConflictException");
    let bad_token = client
        .accept_predictions()
        .domain_identifier(DOMAIN)
        .identifier("orders")
        .client_token("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_token), "ValidationException");
    let kinds: Vec<String> = emulator
        .events()
        .iter()
        .map(|event| event["detail-type"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"Metadata Generation Accepted".to_owned()),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"Metadata Generation Rejected".to_owned()),
        "{kinds:?}"
    );
    emulator.stop().await;
}
