//! The handler: the status request, read once, then the run it names.

use crate::input::{StatusInput, StatusRequest, read_status_input};
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, DomainId};
use datazone_runs::model::outcome::Origin;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::DataZone;
use datazone_runs::usecase::status::{MetadataOutcome, RunOutcome, check_metadata_run};
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use serde::Serialize;
use tracing::Instrument;

use crate::config::RunStatusConfig;
use crate::metrics::{self, EventSkipped};
use function_runtime::eventbridge::is_eventbridge_event;
use function_runtime::metrics::{MetricsSink, StdoutMetrics};
use serde_json::{Map, Value, json};

/// What run-status answers: a data source run's outcome, or, for DataZone's
/// metadata generation events, that run's outcome; or, for an event about
/// another domain of the account, that it was left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StatusOutcome {
    DataSourceRun(RunOutcome),
    MetadataGeneration(MetadataOutcome),
    Ignored(IgnoredEvent),
}

/// An event about a domain other than the deployment's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IgnoredEvent {
    pub ignored: bool,
    pub domain_id: DomainId,
    pub reason: &'static str,
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

impl<D: DataZone, M: MetricsSink> RunStatus<D, M> {
    fn skipped(&self, skipped: EventSkipped, properties: Map<String, Value>) {
        self.metrics.emit(&metrics::skipped_event_document(
            &self.config.metrics_namespace,
            skipped,
            properties,
            Timestamp::now(),
        ));
    }

    /// An event about a domain other than the deployment's: the rule
    /// matches DataZone's events of every domain of the account (it matches
    /// only what AWS documents, source and detail-type), so the domain is
    /// checked here.
    fn of_another_domain(&self, input: &StatusInput) -> Option<IgnoredEvent> {
        let (domain, origin) = match input {
            StatusInput::DataSourceRun(request) => (&request.domain, &request.origin),
            StatusInput::MetadataGeneration(request) => (&request.domain, &request.origin),
        };
        let deployment = self.config.domain.as_ref()?;
        let Origin::Event { detail_type, .. } = origin else {
            return None;
        };
        if domain == deployment {
            return None;
        }
        tracing::info!(domain_id = %domain, %detail_type, "event of another domain left alone");
        let mut properties = Map::new();
        properties.insert("DetailType".into(), json!(detail_type));
        properties.insert("DomainId".into(), json!(domain));
        self.skipped(EventSkipped::OtherDomain, properties);
        Some(IgnoredEvent {
            ignored: true,
            domain_id: domain.clone(),
            reason: "another domain",
        })
    }
}

impl<D: DataZone, M: MetricsSink> Handler for RunStatus<D, M> {
    type Output = StatusOutcome;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<StatusOutcome, Error> {
        let detail_type = match &payload {
            Payload::Json(Value::Object(object)) if is_eventbridge_event(object) => {
                object.get("detail-type").cloned()
            }
            _ => None,
        };
        let input = read_status_input(payload).inspect_err(|error| {
            if let Some(detail_type) = &detail_type {
                // Never a silent drop: a log line, a metric, and the error
                // (the invocation then goes to the failed-invocations queue).
                tracing::warn!(error_name = error.name(), error = %error, %detail_type, "event not read");
                let mut properties = Map::new();
                properties.insert("DetailType".into(), detail_type.clone());
                self.skipped(EventSkipped::Unreadable, properties);
            }
        })?;
        if let Some(ignored) = self.of_another_domain(&input) {
            return Ok(StatusOutcome::Ignored(ignored));
        }
        match input {
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
