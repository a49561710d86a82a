//! DataZone's answers and failures as the domain's types: every SDK shape
//! the adapter reads, and every SDK error, mapped in one place.

use aws_sdk_datazone::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_datazone::types as sdk;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use datazone_runs::model::metadata_run::{
    MetadataGenerationRunStatus, MetadataGenerationTarget, MetadataGenerationType,
    MetadataGenerationTypeStat,
};
use datazone_runs::model::run::{
    AssetStatistics, DataSourceErrorType, LineageImportStatus, RunError,
};
use datazone_runs::{Error, ErrorKind};

/// Maps an SDK failure to the project's error, by the service's error code
/// for modeled errors and by the kind of failure otherwise.
pub(crate) fn map_sdk_error<E>(error: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            let mapped = Error::from_service_code(err.code(), err.message().unwrap_or(&detail));
            let status = service.raw().status();
            // A server error the service did not name (a 502 or 503 from a
            // load balancer in front of it, say) is as transient as a named
            // InternalServerException: the SDKs retry HTTP 500, 502, 503
            // and 504 as transient errors ("Retry behavior", AWS SDKs and
            // Tools Reference Guide), and so does the harvest.
            if mapped.kind() == ErrorKind::UnexpectedResponse && status.is_server_error() {
                Error::InternalServer(format!(
                    "HTTP {} without a DataZone error code: {detail}",
                    status.as_u16()
                ))
            } else {
                mapped
            }
        }
        SdkError::TimeoutError(_) => Error::Timeout(detail),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => Error::Timeout(detail),
        SdkError::DispatchFailure(_) => Error::Unreachable(detail),
        SdkError::ConstructionFailure(_) => Error::invalid_input("request", detail),
        _ => Error::UnexpectedResponse(detail),
    }
}

pub(crate) fn asset_statistics(stats: &sdk::RunStatisticsForAssets) -> AssetStatistics {
    AssetStatistics {
        added: stats.added().unwrap_or_default(),
        updated: stats.updated().unwrap_or_default(),
        unchanged: stats.unchanged().unwrap_or_default(),
        skipped: stats.skipped().unwrap_or_default(),
        failed: stats.failed().unwrap_or_default(),
    }
}

pub(crate) fn run_error(error: &sdk::DataSourceErrorMessage) -> RunError {
    RunError {
        error_type: DataSourceErrorType::from_wire(error.error_type().as_str()),
        error_detail: error.error_detail().map(str::to_owned),
    }
}

pub(crate) fn lineage_import_status(
    summary: &sdk::DataSourceRunLineageSummary,
) -> Option<LineageImportStatus> {
    summary
        .import_status()
        .map(|status| LineageImportStatus::from_wire(status.as_str()))
}

/// StartDataSourceRun, GetDataSourceRun and ListDataSourceRuns return the
/// same run fields under three SDK types with the same accessors; the
/// domain, lineage and snapshot are what differ among them.
macro_rules! data_source_run {
    ($output:expr, domain_id: $domain_id:expr, lineage: $lineage:expr, snapshot: $snapshot:expr) => {{
        let output = $output;
        DataSourceRun {
            id: output.id().to_owned(),
            domain_id: $domain_id,
            data_source_id: output.data_source_id().to_owned(),
            project_id: output.project_id().to_owned(),
            status: DataSourceRunStatus::from_wire(output.status().as_str()),
            run_type: DataSourceRunType::from_wire(output.r#type().as_str()),
            asset_statistics: output.run_statistics_for_assets().map(asset_statistics),
            error: output.error_message().map(run_error),
            lineage_import_status: $lineage,
            configuration_snapshot: $snapshot,
            created_at: output.created_at().into(),
            updated_at: output.updated_at().into(),
            started_at: output.started_at().map(Timestamp::from),
            stopped_at: output.stopped_at().map(Timestamp::from),
            observed_at: None,
        }
    }};
}

/// GetMetadataGenerationRun and StartMetadataGenerationRun return the same
/// run fields under two SDK types; only the Get output has a target and
/// per-type statistics, and only there is the owning project required.
macro_rules! metadata_generation_run {
    ($output:expr, owning_project: $owning_project:expr, target: $target:expr, type_stats: $type_stats:expr) => {{
        let output = $output;
        #[allow(deprecated)] // `type` is read only when a service omits `types`.
        let types = if output.types().is_empty() {
            output.r#type().into_iter().collect::<Vec<_>>()
        } else {
            output.types().iter().collect()
        };
        MetadataGenerationRun {
            id: output.id().to_owned(),
            domain_id: output.domain_id().to_owned(),
            owning_project_id: $owning_project,
            status: output
                .status()
                .map(|status| MetadataGenerationRunStatus::from_wire(status.as_str())),
            target: $target,
            types: types
                .into_iter()
                .map(|kind| MetadataGenerationType::from_wire(kind.as_str()))
                .collect(),
            type_stats: $type_stats,
            created_at: output.created_at().map(Timestamp::from),
            created_by: output.created_by().map(str::to_owned),
            observed_at: None,
        }
    }};
}

pub(crate) fn target(target: &sdk::MetadataGenerationRunTarget) -> MetadataGenerationTarget {
    MetadataGenerationTarget {
        target_type: target.r#type().as_str().to_owned(),
        identifier: target.identifier().to_owned(),
        revision: target.revision().map(str::to_owned),
    }
}

pub(crate) fn type_stat(stat: &sdk::MetadataGenerationRunTypeStat) -> MetadataGenerationTypeStat {
    MetadataGenerationTypeStat {
        generation_type: MetadataGenerationType::from_wire(stat.r#type().as_str()),
        status: MetadataGenerationRunStatus::from_wire(stat.status().as_str()),
        error_message: stat.error_message().map(str::to_owned),
    }
}

/// An id in an answer that the model would not allow.
pub(crate) fn unexpected_answer(error: Error) -> Error {
    Error::UnexpectedResponse(error.to_string())
}

pub(crate) use {data_source_run, metadata_generation_run};
