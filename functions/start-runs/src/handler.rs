//! The handler: the request, the starts, one entry per source.

use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::port::DataZone;
use datazone_runs::usecase::start::{SourceStart, StartAction, StartPlan, start_sources};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use serde::Serialize;
use tracing::Instrument;

use crate::config::StartRunsConfig;
use crate::input::StartRunsRequest;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRunsOutput {
    pub trigger_id: String,
    pub domain_id: DomainId,
    /// One entry per data source, in the order asked for.
    pub runs: Vec<SourceStart>,
    pub started: usize,
    pub already_active: usize,
    pub failed: usize,
}

impl StartRunsOutput {
    fn new(request: StartRunsRequest, runs: Vec<SourceStart>) -> Self {
        let count = |action| runs.iter().filter(|run| run.action == action).count();
        Self {
            started: count(StartAction::Started),
            already_active: count(StartAction::AlreadyActive),
            failed: count(StartAction::Failed),
            trigger_id: request.trigger_id,
            domain_id: request.domain,
            runs,
        }
    }
}

pub struct StartRuns<D> {
    datazone: D,
    config: StartRunsConfig,
}

impl<D: DataZone> StartRuns<D> {
    pub fn new(datazone: D, config: StartRunsConfig) -> Self {
        Self { datazone, config }
    }
}

impl<D: DataZone> Handler for StartRuns<D> {
    type Output = StartRunsOutput;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<StartRunsOutput, Error> {
        let request = StartRunsRequest::from_payload(payload, &self.config)?;
        let span = tracing::info_span!(
            "start_runs",
            trigger_id = %request.trigger_id,
            domain_id = %request.domain
        );
        async {
            let plan = StartPlan {
                trigger_id: &request.trigger_id,
                domain: &request.domain,
                data_sources: &request.data_sources,
                concurrency: self.config.concurrency,
            };
            let runs = start_sources(&self.datazone, &plan).await;
            let output = StartRunsOutput::new(request, runs);
            tracing::info!(
                started = output.started,
                already_active = output.already_active,
                failed = output.failed,
                "start finished"
            );
            Ok(output)
        }
        .instrument(span)
        .await
    }
}
