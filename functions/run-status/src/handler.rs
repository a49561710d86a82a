//! The handler: the status request, read once, then the run it names; on
//! DataZone's event of a run's end, the end recorded for the harvests
//! waiting on it, and their wait resumed when it gives them work.

use crate::input::{StatusInput, StatusRequest, read_status_input};
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, DomainId};
use datazone_runs::model::outcome::Origin;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::port::{DataZone, ReportStore, TaskCallback};
use datazone_runs::usecase::harvest::events::{EndedRun, RecordedEnd, record_end};
use datazone_runs::usecase::status::{
    MetadataOutcome, MetadataReading, RunOutcome, RunReading, check_metadata_run,
};
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

pub struct RunStatus<D, S, C, M = StdoutMetrics> {
    datazone: D,
    /// Where harvests leave their waiting notes and their runs' ends are
    /// recorded.
    store: S,
    /// Resumes a waiting harvest.
    callback: C,
    config: RunStatusConfig,
    metrics: M,
}

impl<D: DataZone, S: ReportStore, C: TaskCallback> RunStatus<D, S, C> {
    /// Metrics go to standard output.
    pub fn new(datazone: D, store: S, callback: C, config: RunStatusConfig) -> Self {
        Self::with_metrics(datazone, store, callback, config, StdoutMetrics)
    }
}

impl<D: DataZone, S: ReportStore, C: TaskCallback, M: MetricsSink> RunStatus<D, S, C, M> {
    pub fn with_metrics(
        datazone: D,
        store: S,
        callback: C,
        config: RunStatusConfig,
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

    /// Records an ended run's `end` for the harvests waiting on it, when
    /// DataZone's event (not a query) said it ended.
    async fn record(&self, domain: &DomainId, origin: &Origin, end: EndedRun) -> Result<(), Error> {
        let Origin::Event { time, .. } = origin else {
            return Ok(());
        };
        if !self.config.follow_events {
            return Ok(());
        }
        let end = RecordedEnd {
            run: end,
            event_time: *time,
        };
        let recorded = record_end(
            &self.store,
            &self.callback,
            &self.config.report_prefix,
            domain,
            &end,
        )
        .await?;
        if recorded.is_empty() {
            tracing::info!("no harvest waits on the run");
        }
        Ok(())
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
                let end = EndedRun::DataSourceRun {
                    run_id: outcome.run_id.clone(),
                    data_source_id: outcome.data_source_id.clone(),
                    reading: RunReading::from(outcome.clone()),
                };
                self.record(&request.domain, &outcome.origin, end).await?;
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

impl<D: DataZone, S: ReportStore, C: TaskCallback, M: MetricsSink> RunStatus<D, S, C, M> {
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

impl<D: DataZone, S: ReportStore, C: TaskCallback, M: MetricsSink> Handler
    for RunStatus<D, S, C, M>
{
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
                async {
                    let outcome = check_metadata_run(
                        &self.datazone,
                        &request.domain,
                        &request.run,
                        request.origin.clone(),
                        &self.config.polling,
                    )
                    .await?;
                    if outcome.terminal {
                        let end = EndedRun::MetadataGenerationRun {
                            run_id: outcome.run_id.clone(),
                            reading: MetadataReading::from(outcome.clone()),
                        };
                        self.record(&request.domain, &outcome.origin, end).await?;
                    }
                    Ok(StatusOutcome::MetadataGeneration(outcome))
                }
                .instrument(span)
                .await
            }
        }
    }
}
