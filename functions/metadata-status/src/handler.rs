//! The handler: the metadata part of one follow round, or one metadata
//! generation run's status.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::outcome::Origin;
use datazone_runs::port::{DataZone, ReportStore};
use datazone_runs::usecase::harvest::events::{WaitEnd, checks_after};
use datazone_runs::usecase::harvest::follow::{
    FollowRound, MetadataSettings, PredictionsSettings, RoundPart,
};
use datazone_runs::usecase::harvest::steps::{FollowReport, HarvestRecord, follow_step};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::status::{MetadataOutcome, check_metadata_run};
use function_runtime::metrics::{MetricsSink, StdoutMetrics, emit_if_finished};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use serde::Serialize;
use tracing::Instrument;

use crate::config::MetadataStatusConfig;
use crate::input::MetadataStatusRequest;

/// Time kept after the round to save the record and answer: more than a
/// save may take (`report_store_s3::CALL_TIMEOUT`, a test holds it so).
pub const TIME_KEPT: Duration = Duration::from_secs(10);

/// What metadata-status answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MetadataStatusAnswer {
    /// A step's `{pending, nextWaitSeconds, summary}`, as follow-runs answers.
    Step(FollowReport),
    /// One run's normalized status.
    Status(MetadataOutcome),
}

pub struct MetadataStatus<D, S, M = StdoutMetrics> {
    datazone: D,
    store: S,
    config: MetadataStatusConfig,
    /// Where the finished harvest's metrics go.
    metrics: M,
}

impl<D: DataZone, S: ReportStore> MetadataStatus<D, S> {
    pub fn new(datazone: D, store: S, config: MetadataStatusConfig) -> Self {
        Self::with_metrics(datazone, store, config, StdoutMetrics)
    }
}

impl<D: DataZone, S: ReportStore, M: MetricsSink> MetadataStatus<D, S, M> {
    pub fn with_metrics(datazone: D, store: S, config: MetadataStatusConfig, metrics: M) -> Self {
        Self {
            datazone,
            store,
            config,
            metrics,
        }
    }

    async fn step(
        &self,
        execution_id: &str,
        domain: &datazone_runs::model::ids::DomainId,
        runs_next_wait_seconds: u64,
        wake: Option<&WaitEnd>,
        invocation: &Invocation,
    ) -> Result<FollowReport, Error> {
        let work_time = invocation.time_for_work(TIME_KEPT);
        let pacer = Pacer::per_second(self.config.rate);
        let predictions_pacer = Pacer::per_second(self.config.predictions_rate);
        let round = FollowRound {
            polling: &self.config.polling,
            max_polls: self.config.max_polls,
            concurrency: self.config.concurrency,
            budget: Budget::lasting(work_time),
            call_allowance: self.config.client.operation_timeout,
            metadata: Some(MetadataSettings {
                types: &self.config.types,
                pacer: &pacer,
                predictions: self.config.predictions.map(|rule| PredictionsSettings {
                    rule,
                    pacer: &predictions_pacer,
                    retry_deadline: Duration::from_secs(self.config.retry_deadline_seconds),
                }),
            }),
            checks: checks_after(self.config.follow_events, wake),
        };
        let part = RoundPart::Metadata {
            runs_next_wait_seconds,
        };
        let record = HarvestRecord {
            report_prefix: &self.config.report_prefix,
            domain,
            execution_id,
        };
        let report = follow_step(&self.datazone, &self.store, &record, &round, part).await?;
        emit_if_finished(
            &self.metrics,
            &self.config.metrics_namespace,
            report.summary.as_ref(),
        );
        tracing::info!(
            pending = report.pending,
            next_wait_seconds = report.next_wait_seconds,
            "metadata step finished"
        );
        Ok(report)
    }
}

impl<D: DataZone, S: ReportStore, M: MetricsSink> Handler for MetadataStatus<D, S, M> {
    type Output = MetadataStatusAnswer;

    async fn handle(
        &self,
        payload: Payload,
        invocation: &Invocation,
    ) -> Result<MetadataStatusAnswer, Error> {
        match MetadataStatusRequest::from_payload(payload, &self.config)? {
            MetadataStatusRequest::Step {
                execution_id,
                domain,
                runs_next_wait_seconds,
                wake,
            } => {
                let span = tracing::info_span!(
                    "metadata_status",
                    execution_id = %execution_id,
                    domain_id = %domain
                );
                self.step(
                    &execution_id,
                    &domain,
                    runs_next_wait_seconds,
                    wake.as_ref(),
                    invocation,
                )
                .instrument(span)
                .await
                .map(MetadataStatusAnswer::Step)
            }
            MetadataStatusRequest::Status { domain, run } => {
                let span = tracing::info_span!(
                    "metadata_status",
                    domain_id = %domain,
                    metadata_generation_run_id = %run
                );
                check_metadata_run(
                    &self.datazone,
                    &domain,
                    &run,
                    Origin::Query,
                    &self.config.polling,
                )
                .instrument(span)
                .await
                .map(MetadataStatusAnswer::Status)
            }
        }
    }
}
