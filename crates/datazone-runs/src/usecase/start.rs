//! Starting data source runs: at most one run per source and trigger, and
//! never beside a run still active.

use serde::Serialize;
use tracing::Instrument;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::ids::{DataSourceId, DomainId};
use crate::model::run::{DataSourceRun, DataSourceRunStatus};
use crate::port::{DataZone, StartRunRequest};
use crate::usecase::fan_out::fan_out;
use crate::usecase::pages::find_active_run;
use crate::usecase::token::client_token;

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

/// Which sources to start, for which trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartPlan<'a> {
    /// The event or execution id the client tokens derive from.
    pub trigger_id: &'a str,
    pub domain: &'a DomainId,
    pub data_sources: &'a [DataSourceId],
    /// How many sources are started at once.
    pub concurrency: usize,
}

/// Starts every source of `plan` unless it has an active run; one entry
/// per source, in order. A failure is reported for its source alone.
pub async fn start_sources(datazone: &impl DataZone, plan: &StartPlan<'_>) -> Vec<SourceStart> {
    // Owned ids: a future borrowing the slice would not be Send for any lifetime.
    fan_out(
        plan.data_sources.iter().cloned(),
        plan.concurrency,
        |data_source| {
            let span = tracing::info_span!(
                "data_source",
                data_source_id = %data_source,
                run_id = tracing::field::Empty
            );
            start_one(datazone, plan, data_source).instrument(span)
        },
    )
    .await
}

async fn start_one(
    datazone: &impl DataZone,
    plan: &StartPlan<'_>,
    data_source: DataSourceId,
) -> SourceStart {
    match start_unless_active(datazone, plan, &data_source).await {
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
    datazone: &impl DataZone,
    plan: &StartPlan<'_>,
    data_source: &DataSourceId,
) -> Result<(StartAction, DataSourceRun), Error> {
    if let Some(active) = find_active_run(datazone, plan.domain, data_source).await? {
        return Ok((StartAction::AlreadyActive, active));
    }
    let start = StartRunRequest {
        domain: plan.domain.clone(),
        data_source: data_source.clone(),
        client_token: client_token(plan.trigger_id, plan.domain, data_source),
    };
    match datazone.start_data_source_run(&start).await {
        Ok(run) => Ok((StartAction::Started, run)),
        // A run became active between the listing and the start.
        Err(Error::Conflict(message)) => {
            match find_active_run(datazone, plan.domain, data_source).await? {
                Some(active) => Ok((StartAction::AlreadyActive, active)),
                None => Err(Error::Conflict(message)),
            }
        }
        Err(other) => Err(other),
    }
}
