//! The aws-sdk-datazone adapter with mocked SDK responses.

use aws_sdk_datazone::Client;
use aws_sdk_datazone::operation::get_data_source_run::GetDataSourceRunOutput;
use aws_sdk_datazone::operation::get_metadata_generation_run::GetMetadataGenerationRunOutput;
use aws_sdk_datazone::operation::list_data_source_runs::ListDataSourceRunsOutput;
use aws_sdk_datazone::operation::start_data_source_run::StartDataSourceRunOutput;
use aws_sdk_datazone::types::{
    DataSourceErrorMessage, DataSourceErrorType as SdkErrorType, DataSourceRunLineageSummary,
    DataSourceRunStatus as SdkRunStatus, DataSourceRunSummary, DataSourceRunType as SdkRunType,
    LineageImportStatus as SdkLineage, MetadataGenerationRunStatus as SdkMetadataStatus,
    MetadataGenerationRunTarget, MetadataGenerationRunType, MetadataGenerationRunTypeStat,
    MetadataGenerationTargetType, RunStatisticsForAssets,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::DateTime;
use aws_smithy_types::body::SdkBody;
use datazone_adapter::SdkDataZone;
use datazone_runs::model::harvest::StartedAs;
use datazone_runs::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, PageSize,
};
use datazone_runs::model::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationType};
use datazone_runs::model::run::{
    DataSourceErrorType, DataSourceRun, DataSourceRunStatus, LineageImportStatus,
};
use datazone_runs::port::{DataZone, StartRunRequest};
use datazone_runs::usecase::harvest::start::start_unless_active;
use datazone_runs::usecase::pace::Pacer;
use datazone_runs::usecase::pages::{Limits, ListRunsRequest, list_data_source_runs};

fn domain() -> DomainId {
    DomainId::parse("domainId", "dzd_sales2026").unwrap()
}

fn run_id() -> DataSourceRunId {
    DataSourceRunId::parse("runId", "run1").unwrap()
}

fn source() -> DataSourceId {
    DataSourceId::parse("dataSourceId", "ds_orders").unwrap()
}

fn get_output(status: &str) -> GetDataSourceRunOutput {
    GetDataSourceRunOutput::builder()
        .domain_id("dzd_sales2026")
        .data_source_id("ds_orders")
        .id("run1")
        .project_id("prj")
        .status(SdkRunStatus::from(status))
        .r#type(SdkRunType::Prioritized)
        .created_at(DateTime::from_secs(1_700_000_000))
        .updated_at(DateTime::from_secs(1_700_000_100))
        .started_at(DateTime::from_secs(1_700_000_010))
        .stopped_at(DateTime::from_secs(1_700_000_100))
        .run_statistics_for_assets(
            RunStatisticsForAssets::builder()
                .added(2)
                .updated(1)
                .failed(1)
                .build(),
        )
        .lineage_summary(
            DataSourceRunLineageSummary::builder()
                .import_status(SdkLineage::Success)
                .build(),
        )
        .error_message(
            DataSourceErrorMessage::builder()
                .error_type(SdkErrorType::AccessDeniedException)
                .error_detail("denied")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_run_status_and_field_is_carried_over() {
    for status in DataSourceRunStatus::DOCUMENTED
        .iter()
        .chain(&["SOMETHING_NEW"])
    {
        let status = status.to_string();
        let rule = mock!(Client::get_data_source_run)
            .match_requests(|input| {
                input.domain_identifier() == Some("dzd_sales2026")
                    && input.identifier() == Some("run1")
            })
            .then_output({
                let status = status.clone();
                move || get_output(&status)
            });
        let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
        let run = datazone
            .get_data_source_run(&domain(), &run_id())
            .await
            .unwrap();
        assert_eq!(run.status.as_str(), status);
        assert_eq!(run.status, DataSourceRunStatus::from_wire(&status));
        assert_eq!(run.asset_statistics.unwrap().added, 2);
        assert_eq!(run.asset_statistics.unwrap().failed, 1);
        assert_eq!(
            run.lineage_import_status,
            Some(LineageImportStatus::Success)
        );
        let error = run.error.unwrap();
        assert_eq!(error.error_type, DataSourceErrorType::AccessDenied);
        assert_eq!(error.error_detail.as_deref(), Some("denied"));
        assert_eq!(run.started_at.unwrap().epoch_millis(), 1_700_000_010_000);
        assert_eq!(rule.num_calls(), 1);
    }
}

fn error_response(status: u16, error_type: &str) -> HttpResponse {
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(format!(r#"{{"message":"{error_type} from the mock"}}"#)),
    );
    response
        .headers_mut()
        .insert("x-amzn-ErrorType", error_type.to_owned());
    response
        .headers_mut()
        .insert("content-type", "application/json");
    response
}

#[tokio::test]
async fn every_datazone_error_gets_its_stable_name() {
    let cases = [
        (400, "ValidationException", "DataZone.ValidationException"),
        (
            401,
            "UnauthorizedException",
            "DataZone.UnauthorizedException",
        ),
        (
            402,
            "ServiceQuotaExceededException",
            "DataZone.ServiceQuotaExceededException",
        ),
        (
            403,
            "AccessDeniedException",
            "DataZone.AccessDeniedException",
        ),
        (
            404,
            "ResourceNotFoundException",
            "DataZone.ResourceNotFoundException",
        ),
        (409, "ConflictException", "DataZone.ConflictException"),
        (429, "ThrottlingException", "DataZone.ThrottlingException"),
        (
            500,
            "InternalServerException",
            "DataZone.InternalServerException",
        ),
        (418, "TeapotException", "DataZone.UnexpectedResponse"),
        // A server error DataZone did not name is retryable all the same.
        (503, "", "DataZone.InternalServerException"),
        (
            502,
            "BadGatewayFromAProxy",
            "DataZone.InternalServerException",
        ),
    ];
    for (status, error_type, name) in cases {
        let rule = mock!(Client::start_data_source_run)
            .then_http_response(move || error_response(status, error_type));
        let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
        let request = StartRunRequest {
            domain: domain(),
            data_source: source(),
            client_token: "token".into(),
        };
        let error = datazone.start_data_source_run(&request).await.unwrap_err();
        assert_eq!(error.name(), name, "{status} {error_type}");
        assert!(error.to_string().contains("from the mock"), "{error}");
        assert_eq!(
            error.is_retryable(),
            status >= 500 || status == 429,
            "{error}"
        );
    }
}

#[tokio::test]
async fn an_unreadable_answer_is_an_unexpected_response() {
    let rule = mock!(Client::get_data_source_run).then_http_response(|| {
        HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from("<html>"))
    });
    let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
    let error = datazone
        .get_data_source_run(&domain(), &run_id())
        .await
        .unwrap_err();
    assert_eq!(error.name(), "DataZone.UnexpectedResponse");
}

/// The starter, over the real SDK client with mocked answers, sends the
/// token derived from its trigger: pinned here, computed apart from the
/// code, so a change of derivation (which would start runs twice across a
/// redeployment) fails.
#[tokio::test]
async fn the_starter_sends_the_pinned_client_token_of_its_trigger() {
    let listing = mock!(Client::list_data_source_runs).then_output(|| {
        ListDataSourceRunsOutput::builder()
            .set_items(Some(vec![]))
            .build()
            .unwrap()
    });
    let start = mock!(Client::start_data_source_run)
        .match_requests(|input| {
            input.client_token() == Some("9e16c1df-d008-5a68-81a9-c057dac0bfb6")
                && input.domain_identifier() == Some("dzd_sales2026")
                && input.data_source_identifier() == Some("ds_orders")
        })
        .then_output(|| {
            StartDataSourceRunOutput::builder()
                .domain_id("dzd_sales2026")
                .data_source_id("ds_orders")
                .id("run9")
                .project_id("prj")
                .status(SdkRunStatus::Requested)
                .r#type(SdkRunType::Prioritized)
                .created_at(DateTime::from_secs(1_700_000_000))
                .updated_at(DateTime::from_secs(1_700_000_000))
                .build()
                .unwrap()
        });
    let datazone = SdkDataZone::new(mock_client!(
        aws_sdk_datazone,
        RuleMode::MatchAny,
        [&listing, &start]
    ));
    let pacer = Pacer::per_second(1000.0);
    let (action, run) = start_unless_active(&datazone, "exec-1", &domain(), &source(), &pacer)
        .await
        .unwrap();
    assert_eq!((action, run.id.as_str()), (StartedAs::Started, "run9"));
    assert_eq!(start.num_calls(), 1, "one start, with the pinned token");
    assert_eq!(
        listing.num_calls(),
        0,
        "runs are listed only when DataZone refuses the start"
    );
}

fn summary(id: &str) -> DataSourceRunSummary {
    DataSourceRunSummary::builder()
        .id(id)
        .data_source_id("ds_orders")
        .r#type(SdkRunType::Scheduled)
        .status(SdkRunStatus::Success)
        .project_id("prj")
        .created_at(DateTime::from_secs(1_700_000_000))
        .updated_at(DateTime::from_secs(1_700_000_000))
        .build()
        .unwrap()
}

fn page_rule(
    token_in: Option<&'static str>,
    ids: &'static [&'static str],
    token_out: Option<&'static str>,
) -> aws_smithy_mocks::Rule {
    mock!(Client::list_data_source_runs)
        .match_requests(move |input| {
            input.next_token() == token_in
                && input.max_results() == Some(2)
                && input.status() == Some(&SdkRunStatus::Success)
        })
        .then_output(move || {
            ListDataSourceRunsOutput::builder()
                .set_items(Some(ids.iter().map(|id| summary(id)).collect()))
                .set_next_token(token_out.map(str::to_owned))
                .build()
                .unwrap()
        })
}

#[tokio::test]
async fn the_paginator_walks_three_pages_and_resumes_where_max_items_stopped() {
    let pages = || {
        [
            page_rule(None, &["r1", "r2"], Some("t2")),
            page_rule(Some("t2"), &["r3", "r4"], Some("t3")),
            page_rule(Some("t3"), &["r5"], None),
        ]
    };
    let request = ListRunsRequest {
        status: Some(DataSourceRunStatus::Success),
        page_size: Some(PageSize::parse("pageSize", 2).unwrap()),
        ..ListRunsRequest::new(domain(), source())
    };
    let ids = |items: &[DataSourceRun]| items.iter().map(|run| run.id.clone()).collect::<Vec<_>>();

    let all_pages = pages();
    let datazone = SdkDataZone::new(mock_client!(
        aws_sdk_datazone,
        RuleMode::MatchAny,
        &all_pages
    ));
    let everything = list_data_source_runs(&datazone, &request).await.unwrap();
    assert_eq!(ids(&everything.items), ["r1", "r2", "r3", "r4", "r5"]);
    assert!(everything.resume_token.is_none());
    assert!(all_pages.iter().all(|rule| rule.num_calls() == 1));
    assert!(
        everything
            .items
            .iter()
            .all(|run| run.domain_id == "dzd_sales2026")
    );

    // MaxItems 3 stops inside the second page; the resume token picks up there.
    let capped_pages = pages();
    let datazone = SdkDataZone::new(mock_client!(
        aws_sdk_datazone,
        RuleMode::MatchAny,
        &capped_pages
    ));
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
    assert_eq!(ids(&first.items), ["r1", "r2", "r3"]);
    let resume = first.resume_token.expect("cut short, so resumable");
    let rest = list_data_source_runs(
        &datazone,
        &ListRunsRequest {
            limits: Limits {
                max_items: None,
                starting_token: Some(resume),
            },
            ..request.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&rest.items), ["r4", "r5"]);

    // MaxItems on a page boundary resumes at the next page.
    let boundary_pages = pages();
    let datazone = SdkDataZone::new(mock_client!(
        aws_sdk_datazone,
        RuleMode::MatchAny,
        &boundary_pages
    ));
    let two = list_data_source_runs(
        &datazone,
        &ListRunsRequest {
            limits: Limits {
                max_items: Some(2),
                starting_token: None,
            },
            ..request.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&two.items), ["r1", "r2"]);
    assert_eq!(
        boundary_pages[1].num_calls(),
        0,
        "no page is fetched past MaxItems"
    );
    let rest = list_data_source_runs(
        &datazone,
        &ListRunsRequest {
            limits: Limits {
                max_items: None,
                starting_token: two.resume_token,
            },
            ..request.clone()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&rest.items), ["r3", "r4", "r5"]);
}

#[tokio::test]
async fn a_starting_token_not_from_the_paginator_is_invalid_input() {
    let rule = mock!(Client::list_data_source_runs).then_output(|| {
        ListDataSourceRunsOutput::builder()
            .set_items(Some(vec![]))
            .build()
            .unwrap()
    });
    let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
    let request = ListRunsRequest {
        limits: Limits {
            max_items: None,
            starting_token: Some("garbage".into()),
        },
        ..ListRunsRequest::new(domain(), source())
    };
    let error = list_data_source_runs(&datazone, &request)
        .await
        .unwrap_err();
    assert_eq!(error.name(), "InvalidInput");
    assert!(error.to_string().contains("startingToken"));
    assert_eq!(rule.num_calls(), 0);
}

#[tokio::test]
#[allow(deprecated)]
async fn metadata_generation_runs_keep_every_field() {
    for status in MetadataGenerationRunStatus::DOCUMENTED {
        let rule = mock!(Client::get_metadata_generation_run).then_output(move || {
            GetMetadataGenerationRunOutput::builder()
                .domain_id("dzd_sales2026")
                .id("mg1")
                .owning_project_id("prj")
                .status(SdkMetadataStatus::from(*status))
                .target(
                    MetadataGenerationRunTarget::builder()
                        .r#type(MetadataGenerationTargetType::Asset)
                        .identifier("ast_orders")
                        .revision("3")
                        .build()
                        .unwrap(),
                )
                .r#type(MetadataGenerationRunType::BusinessDescriptions)
                .type_stats(
                    MetadataGenerationRunTypeStat::builder()
                        .r#type(MetadataGenerationRunType::BusinessDescriptions)
                        .status(SdkMetadataStatus::from(*status))
                        .error_message("why")
                        .build()
                        .unwrap(),
                )
                .created_at(DateTime::from_secs(1_700_000_000))
                .created_by("me")
                .build()
                .unwrap()
        });
        let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
        let run = datazone
            .get_metadata_generation_run(
                &domain(),
                &MetadataGenerationRunId::parse("runId", "mg1").unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(run.status.as_ref().map(|s| s.as_str()), Some(*status));
        // Only the deprecated `type` was sent: it stands in for `types`.
        assert_eq!(
            run.types,
            vec![MetadataGenerationType::BusinessDescriptions]
        );
        assert_eq!(run.target.as_ref().unwrap().identifier, "ast_orders");
        assert_eq!(run.type_stats[0].error_message.as_deref(), Some("why"));
        assert_eq!(run.created_at.unwrap().epoch_millis(), 1_700_000_000_000);
        assert_eq!(run.created_by.as_deref(), Some("me"));
    }
}

#[tokio::test]
async fn a_run_is_observed_at_the_time_datazone_answered() {
    let rule = mock!(Client::get_data_source_run)
        .sequence()
        .http_response(|| {
        let mut response = HttpResponse::new(
            StatusCode::try_from(200).unwrap(),
            SdkBody::from(
                r#"{"domainId":"dzd_sales2026","dataSourceId":"ds_orders","id":"run1","projectId":"prj","status":"RUNNING","type":"PRIORITIZED","createdAt":"2023-11-14T22:13:20Z","updatedAt":"2023-11-14T22:13:20Z","startedAt":"2023-11-14T22:13:20Z"}"#,
            ),
        );
        response
            .headers_mut()
            .insert("content-type", "application/json");
        // Ten minutes after the run started, by DataZone's clock.
        response
            .headers_mut()
            .insert("date", "Tue, 14 Nov 2023 22:23:20 GMT");
        response
        })
        .times(2)
        .build();
    let datazone = SdkDataZone::new(mock_client!(aws_sdk_datazone, [&rule]));
    let run = datazone
        .get_data_source_run(&domain(), &run_id())
        .await
        .unwrap();
    assert_eq!(
        run.observed_at.map(|at| at.epoch_millis()),
        Some(1_700_000_600_000)
    );
    let polling = datazone_runs::usecase::polling::PollingPolicy::new(10, 900).unwrap();
    let outcome = datazone_runs::usecase::status::check_run(
        &datazone,
        &domain(),
        &run_id(),
        datazone_runs::model::outcome::Origin::Query,
        &polling,
    )
    .await
    .unwrap();
    assert_eq!(
        (outcome.duration_seconds, outcome.next_wait_seconds),
        (Some(600), 320),
        "a run ten minutes old by DataZone's clock, whatever the local clock says"
    );
}
