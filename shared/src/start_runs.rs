//! The scheduled starter: starts runs of the configured data sources, at
//! most one per source and trigger, and never beside a run still active.

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing::Instrument;

use crate::Error;
use crate::config::{env_data_sources, env_domain, env_number};
use crate::error::ErrorReport;
use crate::events::is_eventbridge_event;
use crate::ids::{DataSourceId, DomainId};
use crate::lambda::{Handler, Invocation};
use crate::listing::find_active_run;
use crate::payload::{Payload, parse};
use crate::port::{DataZone, StartRunRequest};
use crate::run::{DataSourceRun, DataSourceRunStatus};
use crate::token::client_token;

/// The longest trigger id taken (Step Functions execution ARNs stay well below).
const MAX_TRIGGER_ID_LEN: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunsConfig {
    /// Used when the input names no domain (and for scheduled events).
    pub domain: Option<DomainId>,
    /// Used when the input names no data sources (and for scheduled events).
    pub data_sources: Vec<DataSourceId>,
    /// How many data sources are started at once.
    pub concurrency: usize,
}

impl StartRunsConfig {
    pub const DEFAULT_CONCURRENCY: usize = 4;

    /// `DATAZONE_DOMAIN_ID`, `DATA_SOURCE_IDS`, `START_CONCURRENCY`.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            domain: env_domain()?,
            data_sources: env_data_sources()?,
            concurrency: env_number("START_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 20)?,
        })
    }
}

/// What one invocation asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartRunsRequest {
    /// The event id or execution id the client tokens derive from.
    pub trigger_id: String,
    pub domain: DomainId,
    /// Distinct, in the order given.
    pub data_sources: Vec<DataSourceId>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartRunsInput {
    #[serde(default)]
    domain_id: Option<String>,
    #[serde(default)]
    data_source_ids: Option<Vec<String>>,
    #[serde(default)]
    execution_id: Option<String>,
    #[serde(default)]
    trigger_id: Option<String>,
}

#[derive(Deserialize)]
struct ScheduledEvent {
    id: String,
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
}

impl StartRunsRequest {
    pub fn from_payload(payload: Payload, config: &StartRunsConfig) -> Result<Self, Error> {
        let object = payload.into_object()?;
        let (trigger_id, domain, data_sources) = if is_eventbridge_event(&object) {
            let event: ScheduledEvent = parse(Value::Object(object))?;
            if event.source != "aws.events" || event.detail_type != "Scheduled Event" {
                return Err(Error::invalid_input(
                    "detail-type",
                    format!(
                        "only EventBridge \"Scheduled Event\"s from aws.events start runs, got {:?} from {:?}",
                        event.detail_type, event.source
                    ),
                ));
            }
            (("id", event.id), None, None)
        } else {
            let input: StartRunsInput = parse(Value::Object(object))?;
            let trigger = match (input.trigger_id, input.execution_id) {
                (Some(trigger), _) => ("triggerId", trigger),
                (None, Some(execution)) => ("executionId", execution),
                (None, None) => {
                    return Err(Error::invalid_input(
                        "executionId",
                        "required (or triggerId): a retried or repeated start must reuse its client tokens",
                    ));
                }
            };
            let domain = input
                .domain_id
                .map(|domain| DomainId::parse("domainId", domain))
                .transpose()?;
            let data_sources = input
                .data_source_ids
                .map(|ids| {
                    ids.into_iter()
                        .enumerate()
                        .map(|(index, id)| {
                            DataSourceId::parse(&format!("dataSourceIds[{index}]"), id)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?;
            (trigger, domain, data_sources)
        };
        let (trigger_field, trigger_id) = trigger_id;
        if trigger_id.is_empty() || trigger_id.len() > MAX_TRIGGER_ID_LEN {
            return Err(Error::invalid_input(
                trigger_field,
                format!("must be 1 to {MAX_TRIGGER_ID_LEN} characters"),
            ));
        }
        let domain = domain.or_else(|| config.domain.clone()).ok_or_else(|| {
            Error::invalid_input(
                "domainId",
                "required: in the input or in DATAZONE_DOMAIN_ID",
            )
        })?;
        let mut data_sources = data_sources.unwrap_or_else(|| config.data_sources.clone());
        let mut seen = std::collections::HashSet::new();
        data_sources.retain(|id| seen.insert(id.clone()));
        if data_sources.is_empty() {
            return Err(Error::invalid_input(
                "dataSourceIds",
                "no data sources: name them in the input or in DATA_SOURCE_IDS",
            ));
        }
        Ok(Self {
            trigger_id,
            domain,
            data_sources,
        })
    }
}

/// What happened for one data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartAction {
    Started,
    AlreadyActive,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceStart {
    pub data_source_id: DataSourceId,
    pub action: StartAction,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<DataSourceRunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
}

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

pub struct StartRuns<D> {
    datazone: D,
    config: StartRunsConfig,
}

impl<D: DataZone> StartRuns<D> {
    /// The DataZone this handler talks to.
    pub fn datazone(&self) -> &D {
        &self.datazone
    }

    pub fn new(datazone: D, config: StartRunsConfig) -> Self {
        Self { datazone, config }
    }

    pub async fn start(&self, request: &StartRunsRequest) -> StartRunsOutput {
        let runs: Vec<SourceStart> = futures::stream::iter(request.data_sources.iter().cloned())
            .map(|data_source| {
                let span = tracing::info_span!(
                    "data_source",
                    data_source_id = %data_source,
                    run_id = tracing::field::Empty
                );
                self.start_one(request, data_source).instrument(span)
            })
            .buffered(self.config.concurrency)
            .collect()
            .await;
        let count = |action| runs.iter().filter(|run| run.action == action).count();
        StartRunsOutput {
            trigger_id: request.trigger_id.clone(),
            domain_id: request.domain.clone(),
            started: count(StartAction::Started),
            already_active: count(StartAction::AlreadyActive),
            failed: count(StartAction::Failed),
            runs,
        }
    }

    async fn start_one(
        &self,
        request: &StartRunsRequest,
        data_source: DataSourceId,
    ) -> SourceStart {
        match self.start_unless_active(request, &data_source).await {
            Ok((action, run)) => {
                tracing::Span::current().record("run_id", run.id.as_str());
                tracing::info!(action = ?action, status = %run.status, "data source handled");
                SourceStart {
                    data_source_id: data_source,
                    action,
                    run_id: Some(run.id),
                    status: Some(run.status),
                    error: None,
                }
            }
            Err(error) => {
                tracing::warn!(error_name = error.name(), error = %error, "data source not started");
                SourceStart {
                    data_source_id: data_source,
                    action: StartAction::Failed,
                    run_id: None,
                    status: None,
                    error: Some(ErrorReport::from(&error)),
                }
            }
        }
    }

    async fn start_unless_active(
        &self,
        request: &StartRunsRequest,
        data_source: &DataSourceId,
    ) -> Result<(StartAction, DataSourceRun), Error> {
        let domain = &request.domain;
        if let Some(active) = find_active_run(&self.datazone, domain, data_source).await? {
            return Ok((StartAction::AlreadyActive, active));
        }
        let start = StartRunRequest {
            domain: domain.clone(),
            data_source: data_source.clone(),
            client_token: client_token(&request.trigger_id, domain, data_source),
        };
        match self.datazone.start_data_source_run(&start).await {
            Ok(run) => Ok((StartAction::Started, run)),
            // A run became active between the listing and the start.
            Err(Error::Conflict(message)) => {
                match find_active_run(&self.datazone, domain, data_source).await? {
                    Some(active) => Ok((StartAction::AlreadyActive, active)),
                    None => Err(Error::Conflict(message)),
                }
            }
            Err(other) => Err(other),
        }
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
            let output = self.start(&request).await;
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
