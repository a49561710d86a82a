//! The handler: the status request, read once, then the run it names.

use crate::input::{StatusInput, StatusRequest, read_status_input};
use datazone_runs::Error;
use datazone_runs::model::ids::DataSourceRunId;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::DataZone;
use datazone_runs::usecase::status::{MetadataOutcome, RunOutcome, check_metadata_run};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use serde::Serialize;
use tracing::Instrument;

use crate::config::RunStatusConfig;
use crate::metrics;
use function_runtime::metrics::{MetricsSink, StdoutMetrics};

/// What run-status answers: a data source run's outcome, or, for DataZone's
/// metadata generation events, that run's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatusOutcome {
    DataSourceRun(RunOutcome),
    MetadataGeneration(MetadataOutcome),
}

pub struct RunStatus<D, M = StdoutMetrics> {
    datazone: D,
    config: RunStatusConfig,
    metrics: M,
}

impl<D: DataZone> RunStatus<D> {
    /// Metrics go to standard output.
    pub fn new(datazone: D, config: RunStatusConfig) -> Self {
        Self::with_metrics(datazone, config, StdoutMetrics)
    }
}

impl<D: DataZone, M: MetricsSink> RunStatus<D, M> {
    pub fn with_metrics(datazone: D, config: RunStatusConfig, metrics: M) -> Self {
        Self {
            datazone,
            config,
            metrics,
        }
    }

    async fn data_source_run(
        &self,
        request: StatusRequest<DataSourceRunId>,
    ) -> Result<RunOutcome, Error> {
        let span = request.span();
        async {
            let run = self
                .datazone
                .get_data_source_run(&request.domain, &request.run)
                .await?;
            tracing::Span::current().record("data_source_id", run.data_source_id.as_str());
            let now = run.observed_at.unwrap_or_else(Timestamp::now);
            let outcome = RunOutcome::assess(run, request.origin, now, &self.config.polling);
            if outcome.terminal {
                tracing::info!(
                    status = %outcome.status,
                    outcome = ?outcome.outcome,
                    added = outcome.asset_statistics.added,
                    updated = outcome.asset_statistics.updated,
                    failed = outcome.asset_statistics.failed,
                    error_type = outcome.error.as_ref().map(|error| error.error_type.as_str()),
                    duration_seconds = outcome.duration_seconds,
                    "data source run finished"
                );
                self.metrics.emit(&metrics::finished_run_document(
                    &self.config.metrics_namespace,
                    &outcome,
                    now,
                ));
            } else {
                tracing::info!(
                    status = %outcome.status,
                    next_wait_seconds = outcome.next_wait_seconds,
                    "data source run not finished"
                );
            }
            Ok(outcome)
        }
        .instrument(span)
        .await
    }
}

impl<D: DataZone, M: MetricsSink> Handler for RunStatus<D, M> {
    type Output = StatusOutcome;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<StatusOutcome, Error> {
        match read_status_input(payload)? {
            StatusInput::DataSourceRun(request) => self
                .data_source_run(request)
                .await
                .map(StatusOutcome::DataSourceRun),
            StatusInput::MetadataGeneration(request) => {
                let span = request.span();
                check_metadata_run(
                    &self.datazone,
                    &request.domain,
                    &request.run,
                    request.origin,
                    &self.config.polling,
                )
                .instrument(span)
                .await
                .map(StatusOutcome::MetadataGeneration)
            }
        }
    }
}
