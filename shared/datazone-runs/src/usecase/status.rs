//! A run's status as one normalized outcome: read it, then assess what it
//! means and how long to wait before asking again.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::model::ids::{DataSourceRunId, DomainId, MetadataGenerationRunId};
use crate::model::metadata_run::{
    MetadataGenerationRun, MetadataGenerationRunStatus, MetadataGenerationTarget,
    MetadataGenerationType, MetadataGenerationTypeStat,
};
use crate::model::outcome::{Origin, OutcomeClass};
use crate::model::run::{
    AssetStatistics, DataSourceRun, DataSourceRunStatus, DataSourceRunType, LineageImportStatus,
    RunError,
};
use crate::model::timestamp::Timestamp;
use crate::port::DataZone;
use crate::usecase::polling::PollingPolicy;

/// A data source run's outcome. Every field is always present (`null` when
/// unknown), so state machine paths never miss one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub domain_id: String,
    pub data_source_id: String,
    pub run_id: String,
    pub project_id: String,
    pub status: DataSourceRunStatus,
    pub terminal: bool,
    pub outcome: OutcomeClass,
    pub run_type: DataSourceRunType,
    /// Zero counts when DataZone reports none yet.
    pub asset_statistics: AssetStatistics,
    pub error: Option<RunError>,
    pub lineage_import_status: Option<LineageImportStatus>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub stopped_at: Option<Timestamp>,
    /// From start (or creation) to stop for a finished run, to now otherwise.
    pub duration_seconds: Option<i64>,
    /// How long to wait before checking again; 0 once the run is terminal.
    pub next_wait_seconds: u64,
    pub origin: Origin,
    /// When DataZone answered, on its clock (its `Date` header).
    #[serde(skip)]
    pub observed_at: Timestamp,
}

impl RunOutcome {
    pub fn assess(
        run: DataSourceRun,
        origin: Origin,
        now: Timestamp,
        polling: &PollingPolicy,
    ) -> Self {
        let outcome = match run.status {
            DataSourceRunStatus::Success => OutcomeClass::Succeeded,
            DataSourceRunStatus::PartiallySucceeded => OutcomeClass::PartiallySucceeded,
            DataSourceRunStatus::Failed => OutcomeClass::Failed,
            DataSourceRunStatus::Requested | DataSourceRunStatus::Running => {
                OutcomeClass::InProgress
            }
            DataSourceRunStatus::Unknown(_) => OutcomeClass::Unknown,
        };
        let terminal = run.status.is_terminal();
        let began = run.started_at.unwrap_or(run.created_at);
        let age = began.seconds_until(now);
        let duration_seconds = match (terminal, run.stopped_at) {
            (true, Some(stopped)) => Some(began.seconds_until(stopped)),
            (true, None) => None,
            (false, _) => Some(age.max(0)),
        };
        Self {
            next_wait_seconds: polling.wait_after(terminal, age),
            domain_id: run.domain_id,
            data_source_id: run.data_source_id,
            run_id: run.id,
            project_id: run.project_id,
            status: run.status,
            terminal,
            outcome,
            run_type: run.run_type,
            asset_statistics: run.asset_statistics.unwrap_or_default(),
            error: run.error,
            lineage_import_status: run.lineage_import_status,
            created_at: run.created_at,
            started_at: run.started_at,
            stopped_at: run.stopped_at,
            duration_seconds,
            origin,
            observed_at: now,
        }
    }
}

/// A metadata generation run's outcome. Every field is always present
/// (`null` when unknown), so state machine paths never miss one.
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
    /// When DataZone answered, on its clock (its `Date` header).
    #[serde(skip)]
    pub observed_at: Timestamp,
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
            next_wait_seconds: polling.wait_after(terminal, age),
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
            observed_at: now,
        }
    }
}

/// What a harvest keeps of a data source run's status, read by a status
/// check or recorded on DataZone's event of its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReading {
    pub status: DataSourceRunStatus,
    pub outcome: OutcomeClass,
    pub asset_statistics: AssetStatistics,
    #[serde(default)]
    pub error: Option<RunError>,
    #[serde(default)]
    pub duration_seconds: Option<i64>,
    /// When the run started (or was created).
    pub began_at: Timestamp,
    pub next_wait_seconds: u64,
    /// When DataZone answered, on its clock.
    pub observed_at: Timestamp,
}

impl From<RunOutcome> for RunReading {
    fn from(outcome: RunOutcome) -> Self {
        Self {
            status: outcome.status,
            outcome: outcome.outcome,
            asset_statistics: outcome.asset_statistics,
            error: outcome.error,
            duration_seconds: outcome.duration_seconds,
            began_at: outcome.started_at.unwrap_or(outcome.created_at),
            next_wait_seconds: outcome.next_wait_seconds,
            observed_at: outcome.observed_at,
        }
    }
}

/// What a harvest keeps of a metadata generation run's status, read by a
/// status check or recorded on DataZone's event of its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetadataReading {
    #[serde(default)]
    pub status: Option<MetadataGenerationRunStatus>,
    pub outcome: OutcomeClass,
    #[serde(default)]
    pub type_stats: Vec<MetadataGenerationTypeStat>,
    pub next_wait_seconds: u64,
    /// When DataZone answered, on its clock.
    pub observed_at: Timestamp,
}

impl From<MetadataOutcome> for MetadataReading {
    fn from(outcome: MetadataOutcome) -> Self {
        Self {
            status: outcome.status,
            outcome: outcome.outcome,
            type_stats: outcome.type_stats,
            next_wait_seconds: outcome.next_wait_seconds,
            observed_at: outcome.observed_at,
        }
    }
}

/// Reads a data source run and assesses it now.
pub async fn check_run(
    datazone: &impl DataZone,
    domain: &DomainId,
    run: &DataSourceRunId,
    origin: Origin,
    polling: &PollingPolicy,
) -> Result<RunOutcome, Error> {
    let found = datazone.get_data_source_run(domain, run).await?;
    let now = found.observed_at.unwrap_or_else(Timestamp::now);
    Ok(RunOutcome::assess(found, origin, now, polling))
}

/// Reads a metadata generation run and assesses it now.
pub async fn check_metadata_run(
    datazone: &impl DataZone,
    domain: &DomainId,
    run: &MetadataGenerationRunId,
    origin: Origin,
    polling: &PollingPolicy,
) -> Result<MetadataOutcome, Error> {
    let found = datazone.get_metadata_generation_run(domain, run).await?;
    let now = found.observed_at.unwrap_or_else(Timestamp::now);
    let outcome = MetadataOutcome::assess(found, origin, now, polling);
    tracing::info!(
        status = outcome.status.as_ref().map(|status| status.as_str()),
        outcome = ?outcome.outcome,
        target = outcome.target.as_ref().map(|target| target.identifier.as_str()),
        next_wait_seconds = outcome.next_wait_seconds,
        "metadata generation run checked"
    );
    Ok(outcome)
}
