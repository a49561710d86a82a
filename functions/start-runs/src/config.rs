//! The environment: the domain, the default selection of data sources, how
//! fast to start them, and where harvest records go.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, DomainId, ProjectId};
use datazone_runs::settings::{
    EXECUTION_TIMEOUT_SECONDS, INCLUDE_DISABLED_SOURCES, LIST_REQUESTS_PER_SECOND, MAX_POLLS,
    REPORT_PREFIX, SOURCE_SELECTION, START_CONCURRENCY, START_REQUESTS_PER_SECOND,
    START_RETRY_DEADLINE_SECONDS, as_configuration_error,
};
use datazone_runs::usecase::polling::ensure_fits_execution;
use datazone_runs::usecase::select::{ProjectScope, Selection, SourceFilter};
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
    /// `REPORT_PREFIX`, and the client's timeouts; refused when the
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
        })
    }
}

/// `SOURCE_SELECTION`: `data-sources` (the ids in `DATA_SOURCE_IDS`, the
/// default), `projects` (every source of the projects in
/// `SOURCE_PROJECT_IDS`) or `domain` (every project of the domain), the
/// last two filtered by `SOURCE_TYPES`, `SOURCE_NAME_PATTERN` and
/// `INCLUDE_DISABLED_SOURCES`. `None` when nothing is selected.
fn selection_from_env() -> Result<Option<Selection>, Error> {
    let filter = || -> Result<SourceFilter, Error> {
        Ok(SourceFilter {
            types: env::list("SOURCE_TYPES"),
            name: env::text_if_set("SOURCE_NAME_PATTERN"),
            include_disabled: env::flag(&INCLUDE_DISABLED_SOURCES)?,
        })
    };
    let selection = match env::text(&SOURCE_SELECTION).as_str() {
        "data-sources" => Selection::Sources(ids("DATA_SOURCE_IDS", |field, id| {
            DataSourceId::parse(field, id)
        })?),
        "projects" => Selection::Projects {
            scope: ProjectScope::Projects(ids("SOURCE_PROJECT_IDS", |field, id| {
                ProjectId::parse(field, id)
            })?),
            filter: filter()?,
        },
        "domain" => Selection::Projects {
            scope: ProjectScope::AllProjects,
            filter: filter()?,
        },
        other => {
            return Err(Error::invalid_configuration(
                "SOURCE_SELECTION",
                format!("must be data-sources, projects or domain, got {other:?}"),
            ));
        }
    };
    let empty = matches!(&selection, Selection::Sources(ids) if ids.is_empty())
        || matches!(&selection, Selection::Projects { scope: ProjectScope::Projects(ids), .. } if ids.is_empty());
    Ok((!empty).then_some(selection))
}

/// The ids in `variable`, each checked with `parse`.
fn ids<T>(
    variable: &str,
    parse: impl Fn(&str, String) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    env::list(variable)
        .into_iter()
        .map(|id| parse(variable, id).map_err(as_configuration_error))
        .collect()
}
