//! The environment: the domain, the default selection of data sources, how
//! fast to start them, and where harvest records go.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::settings::{
    EXECUTION_TIMEOUT_SECONDS, FOLLOW_EVENTS, INCLUDE_DISABLED_SOURCES, LIST_REQUESTS_PER_SECOND,
    MAX_POLLS, REPORT_PREFIX, SOURCE_SELECTION, START_CONCURRENCY, START_REQUESTS_PER_SECOND,
    START_RETRY_DEADLINE_SECONDS, as_configuration_error,
};
use datazone_runs::usecase::polling::ensure_fits_execution;
use datazone_runs::usecase::select::{Selection, SelectionFields, SelectionRequest};
use function_runtime::env;

#[derive(Debug, Clone, PartialEq)]
pub struct StartRunsConfig {
    /// Used when the input names no domain (and for scheduled events).
    pub domain: Option<DomainId>,
    /// Used when the input selects no data sources (and for scheduled events).
    pub selection: Option<Selection>,
    /// How many data sources are started at once.
    pub concurrency: usize,
    /// StartDataSourceRun calls a second, at most.
    pub start_rate: f64,
    /// ListProjects and ListDataSources calls a second, at most.
    pub list_rate: f64,
    /// How long a start failing with a retryable error is retried.
    pub retry_deadline: Duration,
    /// The DataZone client's timeouts; its operation timeout is the time
    /// one call may take.
    pub client: ClientSettings,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
    /// Whether DataZone's events record the ends: the harvest's waiting
    /// note is then left from the first start on.
    pub follow_events: bool,
}

/// `EXECUTION_TIMEOUT_SECONDS`, when set: the follow loop's longest harvest
/// (`MAX_POLLS` checks at `POLL_MAX_WAIT_SECONDS`, and the start retry
/// deadline) must fit in it, or nothing is started.
fn ensure_harvest_fits_execution(retry_deadline_seconds: u64) -> Result<(), Error> {
    let Some(execution_timeout) = env::number_if_set(&EXECUTION_TIMEOUT_SECONDS)? else {
        return Ok(());
    };
    ensure_fits_execution(
        &env::polling()?,
        env::number(&MAX_POLLS)?,
        retry_deadline_seconds,
        execution_timeout,
    )
}

impl StartRunsConfig {
    /// `DATAZONE_DOMAIN_ID`, the selection (see `selection_from_env`),
    /// `START_CONCURRENCY`, `START_REQUESTS_PER_SECOND`,
    /// `LIST_REQUESTS_PER_SECOND`, `START_RETRY_DEADLINE_SECONDS`,
    /// `REPORT_PREFIX`, `FOLLOW_EVENTS`, and the client's timeouts; refused when the
    /// harvest could outlast `EXECUTION_TIMEOUT_SECONDS`
    /// (`ensure_harvest_fits_execution`).
    pub fn from_env() -> Result<Self, Error> {
        let retry_deadline_seconds = env::number(&START_RETRY_DEADLINE_SECONDS)?;
        ensure_harvest_fits_execution(retry_deadline_seconds)?;
        Ok(Self {
            domain: env::domain()?,
            selection: selection_from_env()?,
            concurrency: env::number(&START_CONCURRENCY)?,
            start_rate: env::rate(&START_REQUESTS_PER_SECOND)?,
            list_rate: env::rate(&LIST_REQUESTS_PER_SECOND)?,
            retry_deadline: Duration::from_secs(retry_deadline_seconds),
            client: ClientSettings::from_env()?,
            report_prefix: env::text(&REPORT_PREFIX),
            follow_events: env::flag(&FOLLOW_EVENTS)?,
        })
    }
}

/// The variables naming the parts of a selection.
const VARIABLES: SelectionFields = SelectionFields {
    sources: "DATA_SOURCE_IDS",
    projects: "SOURCE_PROJECT_IDS",
    all_projects: "SOURCE_SELECTION",
    types: "SOURCE_TYPES",
    name: "SOURCE_NAME_PATTERN",
    include_disabled: "INCLUDE_DISABLED_SOURCES",
};

/// `SOURCE_SELECTION`: `data-sources` (the ids in `DATA_SOURCE_IDS`, the
/// default), `projects` (every source of the projects in
/// `SOURCE_PROJECT_IDS`) or `domain` (every project of the domain), the
/// last two filtered by `SOURCE_TYPES`, `SOURCE_NAME_PATTERN` and
/// `INCLUDE_DISABLED_SOURCES`. `None` when nothing is selected (no ids).
/// The template sets every variable whatever the mode: those of another
/// mode are not read.
fn selection_from_env() -> Result<Option<Selection>, Error> {
    let listed = |variable: &str| Some(env::list(variable)).filter(|ids| !ids.is_empty());
    let filtered = |request: SelectionRequest| -> Result<SelectionRequest, Error> {
        Ok(SelectionRequest {
            types: listed(VARIABLES.types),
            name: env::text_if_set(VARIABLES.name),
            include_disabled: Some(env::flag(&INCLUDE_DISABLED_SOURCES)?),
            ..request
        })
    };
    let request = match env::text(&SOURCE_SELECTION).as_str() {
        "data-sources" => SelectionRequest {
            sources: listed(VARIABLES.sources),
            ..SelectionRequest::default()
        },
        "projects" => match listed(VARIABLES.projects) {
            Some(projects) => filtered(SelectionRequest {
                projects: Some(projects),
                ..SelectionRequest::default()
            })?,
            None => return Ok(None),
        },
        "domain" => filtered(SelectionRequest {
            all_projects: true,
            ..SelectionRequest::default()
        })?,
        other => {
            return Err(Error::invalid_configuration(
                SOURCE_SELECTION.name,
                format!("must be data-sources, projects or domain, got {other:?}"),
            ));
        }
    };
    request
        .selection(&VARIABLES)
        .map_err(as_configuration_error)
}
