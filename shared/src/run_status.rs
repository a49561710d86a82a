//! The run-status handler: a DataZone event about a data source run, or a
//! status query from the state machine, becomes one normalized outcome read
//! from GetDataSourceRun.

use serde::Serialize;
use tracing::Instrument;

use crate::Error;
use crate::config::env_string;
use crate::events::{
    DATA_SOURCE_RUN_EVENTS, METADATA_GENERATION_EVENTS, Origin, detail_type, parse_status_request,
};
use crate::ids::DataSourceRunId;
use crate::lambda::{Handler, Invocation};
use crate::metadata_status::{MetadataOutcome, check_metadata_run};
use crate::metrics::{self, MetricsSink, StdoutMetrics};
use crate::outcome::OutcomeClass;
use crate::payload::Payload;
use crate::polling::PollingPolicy;
use crate::port::DataZone;
use crate::run::{
    AssetStatistics, DataSourceRun, DataSourceRunStatus, DataSourceRunType, LineageImportStatus,
    RunError,
};
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatusConfig {
    pub polling: PollingPolicy,
    pub metrics_namespace: String,
}

impl RunStatusConfig {
    /// `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`, `METRICS_NAMESPACE`.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            polling: PollingPolicy::from_env()?,
            metrics_namespace: env_string("METRICS_NAMESPACE", metrics::DEFAULT_NAMESPACE),
        })
    }
}

/// Every field is always present (`null` when unknown), so state machine
/// paths never miss one.
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
            next_wait_seconds: if terminal {
                0
            } else {
                polling.next_wait_seconds(age)
            },
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
        }
    }
}

/// What run-status answers: a data source run's outcome, or, for DataZone's
/// metadata generation events, that run's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatusOutcome {
    DataSourceRun(RunOutcome),
    MetadataGeneration(MetadataOutcome),
}

impl StatusOutcome {
    pub fn data_source_run(self) -> Option<RunOutcome> {
        match self {
            Self::DataSourceRun(outcome) => Some(outcome),
            Self::MetadataGeneration(_) => None,
        }
    }
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

    /// The DataZone this handler talks to.
    pub fn datazone(&self) -> &D {
        &self.datazone
    }

    pub fn metrics(&self) -> &M {
        &self.metrics
    }
}

impl<D: DataZone, M: MetricsSink> Handler for RunStatus<D, M> {
    type Output = StatusOutcome;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<StatusOutcome, Error> {
        if detail_type(&payload).is_some_and(|kind| METADATA_GENERATION_EVENTS.contains(&kind)) {
            let outcome = check_metadata_run(&self.datazone, payload, &self.config.polling).await?;
            return Ok(StatusOutcome::MetadataGeneration(outcome));
        }
        let request =
            parse_status_request(payload, DATA_SOURCE_RUN_EVENTS, DataSourceRunId::parse)?;
        let span = tracing::info_span!(
            "run_status",
            domain_id = %request.domain,
            run_id = %request.run,
            data_source_id = request.data_source_id.as_deref(),
            execution_id = request.execution_id.as_deref(),
        );
        async {
            let run = self
                .datazone
                .get_data_source_run(&request.domain, &request.run)
                .await?;
            tracing::Span::current().record("data_source_id", run.data_source_id.as_str());
            let now = Timestamp::now();
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
            Ok(StatusOutcome::DataSourceRun(outcome))
        }
        .instrument(span)
        .await
    }
}
