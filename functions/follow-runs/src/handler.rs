//! The handler: the runs part of one follow round of the harvest the
//! invocation names.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::port::{DataZone, ReportStore};
use datazone_runs::usecase::harvest::follow::{FollowRound, RoundPart};
use datazone_runs::usecase::harvest::steps::{FollowReport, HarvestRecord, follow_step};
use datazone_runs::usecase::pace::Budget;
use function_runtime::metrics::{MetricsSink, StdoutMetrics, emit_if_finished};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use tracing::Instrument;

use crate::config::FollowRunsConfig;
use crate::input::FollowRunsRequest;

/// Time kept after the checks to save the record and answer: more than a
/// save may take (`report_store_s3::CALL_TIMEOUT`, a test holds it so).
pub const TIME_KEPT: Duration = Duration::from_secs(10);

pub struct FollowRuns<D, S, M = StdoutMetrics> {
    datazone: D,
    store: S,
    config: FollowRunsConfig,
    /// Where the finished harvest's metrics go.
    metrics: M,
}

impl<D: DataZone, S: ReportStore> FollowRuns<D, S> {
    pub fn new(datazone: D, store: S, config: FollowRunsConfig) -> Self {
        Self::with_metrics(datazone, store, config, StdoutMetrics)
    }
}

impl<D: DataZone, S: ReportStore, M: MetricsSink> FollowRuns<D, S, M> {
    pub fn with_metrics(datazone: D, store: S, config: FollowRunsConfig, metrics: M) -> Self {
        Self {
            datazone,
            store,
            config,
            metrics,
        }
    }
}

impl<D: DataZone, S: ReportStore, M: MetricsSink> Handler for FollowRuns<D, S, M> {
    type Output = FollowReport;

    async fn handle(
        &self,
        payload: Payload,
        invocation: &Invocation,
    ) -> Result<FollowReport, Error> {
        let request = FollowRunsRequest::from_payload(payload, &self.config)?;
        let span = tracing::info_span!(
            "follow_runs",
            execution_id = %request.execution_id,
            domain_id = %request.domain
        );
        async {
            let work_time = invocation.time_for_work(TIME_KEPT);
            tracing::debug!(work_seconds = work_time.as_secs(), "step began");
            let round = FollowRound {
                polling: &self.config.polling,
                max_polls: self.config.max_polls,
                concurrency: self.config.concurrency,
                budget: Budget::lasting(work_time),
                call_allowance: self.config.client.operation_timeout,
                metadata: None,
            };
            let part = RoundPart::Runs {
                then_metadata: self.config.generate_metadata,
            };
            let record = HarvestRecord {
                report_prefix: &self.config.report_prefix,
                domain: &request.domain,
                execution_id: &request.execution_id,
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
                "follow step finished"
            );
            Ok(report)
        }
        .instrument(span)
        .await
    }
}
