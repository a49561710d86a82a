//! Starting one data source's run: at most one run per source and trigger,
//! and never beside a run still active.

use crate::Error;
use crate::model::ids::{DataSourceId, DomainId};
use crate::model::run::DataSourceRun;
use crate::port::{DataZone, StartRunRequest};
use crate::usecase::pace::Pacer;
use crate::usecase::pages::find_active_run;
use crate::usecase::token::client_token;

/// What a start found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAction {
    Started,
    /// A run was already REQUESTED or RUNNING: that run is the one to follow.
    AlreadyActive,
}

/// Starts `data_source` unless it has an active run, with the client token
/// of `trigger`; the StartDataSourceRun call waits for `pacer`.
///
/// Listing first keeps the daily quota of runs for real starts and names
/// the active run; a conflict on start means a run became active between
/// the listing and the start, and that run is the answer.
pub async fn start_unless_active(
    datazone: &impl DataZone,
    trigger: &str,
    domain: &DomainId,
    data_source: &DataSourceId,
    pacer: &Pacer,
) -> Result<(StartAction, DataSourceRun), Error> {
    if let Some(active) = find_active_run(datazone, domain, data_source).await? {
        return Ok((StartAction::AlreadyActive, active));
    }
    let start = StartRunRequest {
        domain: domain.clone(),
        data_source: data_source.clone(),
        client_token: client_token(trigger, domain, data_source),
    };
    pacer.wait().await;
    match datazone.start_data_source_run(&start).await {
        Ok(run) => Ok((StartAction::Started, run)),
        Err(Error::Conflict(message)) => {
            match find_active_run(datazone, domain, data_source).await? {
                Some(active) => Ok((StartAction::AlreadyActive, active)),
                None => Err(Error::Conflict(message)),
            }
        }
        Err(other) => Err(other),
    }
}
