//! The handler: one start step of the harvest the invocation names.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::port::{DataZone, ReportStore};
use datazone_runs::usecase::harvest::events::ParkSettings;
use datazone_runs::usecase::harvest::start::StartRound;
use datazone_runs::usecase::harvest::steps::{HarvestRecord, StartReport, StartStep, start_step};
use datazone_runs::usecase::pace::{Budget, Pacer};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use tracing::Instrument;

use crate::config::StartRunsConfig;
use crate::input::StartRunsRequest;

/// Time kept after the starts to save the record and answer: more than
/// a save may take (`report_store_s3::CALL_TIMEOUT`, a test holds it so).
pub const TIME_KEPT: Duration = Duration::from_secs(10);

pub struct StartRuns<D, S> {
    datazone: D,
    store: S,
    config: StartRunsConfig,
}

impl<D: DataZone, S: ReportStore> StartRuns<D, S> {
    pub fn new(datazone: D, store: S, config: StartRunsConfig) -> Self {
        Self {
            datazone,
            store,
            config,
        }
    }
}

impl<D: DataZone, S: ReportStore> Handler for StartRuns<D, S> {
    type Output = StartReport;

    async fn handle(
        &self,
        payload: Payload,
        invocation: &Invocation,
    ) -> Result<StartReport, Error> {
        let request = StartRunsRequest::from_payload(payload, &self.config)?;
        let span = tracing::info_span!(
            "start_runs",
            trigger_id = %request.trigger_id,
            execution_id = %request.execution_id,
            domain_id = %request.domain
        );
        async {
            let work_time = invocation.time_for_work(TIME_KEPT);
            tracing::debug!(work_seconds = work_time.as_secs(), "step began");
            let (start_pacer, list_pacer) = (
                Pacer::per_second(self.config.start_rate),
                Pacer::per_second(self.config.list_rate),
            );
            let step = StartStep {
                record: HarvestRecord {
                    report_prefix: &self.config.report_prefix,
                    domain: &request.domain,
                    execution_id: &request.execution_id,
                },
                trigger_id: &request.trigger_id,
                selection: &request.selection,
                list_pacer: &list_pacer,
                round: StartRound {
                    concurrency: self.config.concurrency,
                    pacer: &start_pacer,
                    budget: Budget::lasting(work_time),
                    call_allowance: self.config.client.operation_timeout,
                    retry_deadline: self.config.retry_deadline,
                },
                // Only the runs matter before the first wait: no token to
                // resume yet.
                events: self.config.follow_events.then_some(ParkSettings {
                    wake_on_run_end: false,
                    coalesce_seconds: 0,
                }),
            };
            let report = start_step(&self.datazone, &self.store, &step).await?;
            tracing::info!(
                selected = report.selected,
                remaining = report.remaining,
                retry_after_seconds = report.retry_after_seconds,
                report = %report.report,
                "start step finished"
            );
            Ok(report)
        }
        .instrument(span)
        .await
    }
}
