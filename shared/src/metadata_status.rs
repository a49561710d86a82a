//! The metadata-generation status checker: a query or a DataZone event
//! becomes one normalized outcome read from GetMetadataGenerationRun.

use serde::Serialize;
use tracing::Instrument;

use crate::Error;
use crate::events::{METADATA_GENERATION_EVENTS, Origin, parse_status_request};
use crate::ids::MetadataGenerationRunId;
use crate::lambda::{Handler, Invocation};
use crate::metadata_run::{
    MetadataGenerationRun, MetadataGenerationRunStatus, MetadataGenerationTarget,
    MetadataGenerationType, MetadataGenerationTypeStat,
};
use crate::outcome::OutcomeClass;
use crate::payload::Payload;
use crate::polling::PollingPolicy;
use crate::port::DataZone;
use crate::timestamp::Timestamp;

/// Every field is always present (`null` when unknown), so state machine
/// paths never miss one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataOutcome {
    pub domain_id: String,
    pub run_id: String,
    pub owning_project_id: String,
    /// `null` when DataZone sends no status.
    pub status: Option<MetadataGenerationRunStatus>,
    pub terminal: bool,
    pub outcome: OutcomeClass,
    pub target: Option<MetadataGenerationTarget>,
    pub types: Vec<MetadataGenerationType>,
    pub type_stats: Vec<MetadataGenerationTypeStat>,
    pub created_at: Option<Timestamp>,
    pub created_by: Option<String>,
    /// How long to wait before checking again; 0 once the run is terminal.
    pub next_wait_seconds: u64,
    pub origin: Origin,
}

impl MetadataOutcome {
    pub fn assess(
        run: MetadataGenerationRun,
        origin: Origin,
        now: Timestamp,
        polling: &PollingPolicy,
    ) -> Self {
        use MetadataGenerationRunStatus as Status;
        let outcome = match &run.status {
            Some(Status::Succeeded) => OutcomeClass::Succeeded,
            Some(Status::PartiallySucceeded) => OutcomeClass::PartiallySucceeded,
            Some(Status::Failed) => OutcomeClass::Failed,
            Some(Status::Canceled) => OutcomeClass::Canceled,
            Some(Status::Submitted | Status::InProgress) => OutcomeClass::InProgress,
            Some(Status::Unknown(_)) | None => OutcomeClass::Unknown,
        };
        let terminal = run.status.as_ref().is_some_and(Status::is_terminal);
        let age = run
            .created_at
            .map_or(0, |created| created.seconds_until(now));
        Self {
            next_wait_seconds: if terminal {
                0
            } else {
                polling.next_wait_seconds(age)
            },
            domain_id: run.domain_id,
            run_id: run.id,
            owning_project_id: run.owning_project_id,
            status: run.status,
            terminal,
            outcome,
            target: run.target,
            types: run.types,
            type_stats: run.type_stats,
            created_at: run.created_at,
            created_by: run.created_by,
            origin,
        }
    }
}

pub struct MetadataStatus<D> {
    datazone: D,
    polling: PollingPolicy,
}

impl<D: DataZone> MetadataStatus<D> {
    /// The DataZone this handler talks to.
    pub fn datazone(&self) -> &D {
        &self.datazone
    }

    pub fn new(datazone: D, polling: PollingPolicy) -> Self {
        Self { datazone, polling }
    }
}

/// Reads the metadata generation run a query or event names: the logic of
/// the metadata-status function, also used by run-status for DataZone's
/// metadata generation events.
pub async fn check_metadata_run(
    datazone: &impl DataZone,
    payload: Payload,
    polling: &PollingPolicy,
) -> Result<MetadataOutcome, Error> {
    let request = parse_status_request(
        payload,
        METADATA_GENERATION_EVENTS,
        MetadataGenerationRunId::parse,
    )?;
    let span = tracing::info_span!(
        "metadata_status",
        domain_id = %request.domain,
        run_id = %request.run,
        execution_id = request.execution_id.as_deref(),
    );
    async {
        let run = datazone
            .get_metadata_generation_run(&request.domain, &request.run)
            .await?;
        let outcome = MetadataOutcome::assess(run, request.origin, Timestamp::now(), polling);
        tracing::info!(
            status = outcome.status.as_ref().map(|status| status.as_str()),
            outcome = ?outcome.outcome,
            target = outcome.target.as_ref().map(|target| target.identifier.as_str()),
            next_wait_seconds = outcome.next_wait_seconds,
            "metadata generation run checked"
        );
        Ok(outcome)
    }
    .instrument(span)
    .await
}

impl<D: DataZone> Handler for MetadataStatus<D> {
    type Output = MetadataOutcome;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<MetadataOutcome, Error> {
        check_metadata_run(&self.datazone, payload, &self.polling).await
    }
}
