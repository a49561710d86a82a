//! The handler: the runs part of one follow round of the harvest the
//! invocation names, or the harvest's waiting note left for its wait.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::port::{DataZone, ReportStore, TaskCallback};
use datazone_runs::usecase::harvest::events::{ParkSettings, Parked, checks_after, park};
use datazone_runs::usecase::harvest::follow::{FollowRound, RoundPart};
use datazone_runs::usecase::harvest::steps::{FollowReport, HarvestRecord, follow_step};
use datazone_runs::usecase::pace::Budget;
use function_runtime::metrics::{MetricsSink, StdoutMetrics, emit_if_finished};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use tracing::Instrument;

use crate::config::FollowRunsConfig;
use crate::input::{FollowRunsRequest, FollowTask};

/// Time kept after the checks to save the record and answer: more than a
/// save may take (`report_store_s3::CALL_TIMEOUT`, a test holds it so).
pub const TIME_KEPT: Duration = Duration::from_secs(10);

pub struct FollowRuns<D, S, C, M = StdoutMetrics> {
    datazone: D,
    store: S,
    /// Resumes the harvest's wait when ends recorded meanwhile give it work.
    callback: C,
    config: FollowRunsConfig,
    /// Where the finished harvest's metrics go.
    metrics: M,
}

impl<D: DataZone, S: ReportStore, C: TaskCallback> FollowRuns<D, S, C> {
    pub fn new(datazone: D, store: S, callback: C, config: FollowRunsConfig) -> Self {
        Self::with_metrics(datazone, store, callback, config, StdoutMetrics)
    }
}

impl<D: DataZone, S: ReportStore, C: TaskCallback, M: MetricsSink> FollowRuns<D, S, C, M> {
    pub fn with_metrics(
        datazone: D,
        store: S,
        callback: C,
        config: FollowRunsConfig,
        metrics: M,
    ) -> Self {
        Self {
            datazone,
            store,
            callback,
            config,
            metrics,
        }
    }
}

/// What follow-runs answers: a round's report, or what parking did (Step
/// Functions ignores that answer: the wait ends with the token).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum FollowAnswer {
    Round(Box<FollowReport>),
    Parked(Parked),
}

impl<D: DataZone, S: ReportStore, C: TaskCallback, M: MetricsSink> Handler
    for FollowRuns<D, S, C, M>
{
    type Output = FollowAnswer;

    async fn handle(
        &self,
        payload: Payload,
        invocation: &Invocation,
    ) -> Result<FollowAnswer, Error> {
        let request = FollowRunsRequest::from_payload(payload, &self.config)?;
        let span = tracing::info_span!(
            "follow_runs",
            execution_id = %request.execution_id,
            domain_id = %request.domain
        );
        async {
            let record = HarvestRecord {
                report_prefix: &self.config.report_prefix,
                domain: &request.domain,
                execution_id: &request.execution_id,
            };
            let wake = match request.task {
                // Without DataZone's events nobody resumes the wait: it is
                // the round's wait, and no note is left.
                FollowTask::Park { .. } if !self.config.follow_events => {
                    return Ok(FollowAnswer::Parked(Parked {
                        runs: 0,
                        metadata_runs: 0,
                        resumed: false,
                    }));
                }
                FollowTask::Park { task_token } => {
                    let settings = ParkSettings {
                        wake_on_run_end: self.config.generate_metadata,
                        coalesce_seconds: self.config.coalesce_seconds,
                    };
                    let parked = park(
                        &self.store,
                        &self.callback,
                        &record,
                        Some(&task_token),
                        settings,
                    )
                    .await?;
                    return Ok(FollowAnswer::Parked(parked));
                }
                FollowTask::Round { wake } => wake,
            };
            let work_time = invocation.time_for_work(TIME_KEPT);
            tracing::debug!(work_seconds = work_time.as_secs(), "step began");
            let round = FollowRound {
                polling: &self.config.polling,
                max_polls: self.config.max_polls,
                concurrency: self.config.concurrency,
                budget: Budget::lasting(work_time),
                call_allowance: self.config.client.operation_timeout,
                metadata: None,
                checks: checks_after(self.config.follow_events, wake.as_ref()),
            };
            let part = RoundPart::Runs {
                then_metadata: self.config.generate_metadata,
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
            Ok(FollowAnswer::Round(Box::new(report)))
        }
        .instrument(span)
        .await
    }
}
