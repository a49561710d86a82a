//! The environment: the domain, the default selection of data sources, how
//! fast to start them, and where harvest records go.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceId, DomainId, ProjectId};
use datazone_runs::settings::{
    as_configuration_error, env_domain, env_flag, env_list, env_number, env_rate, env_string,
    env_value,
};
use datazone_runs::usecase::polling::{PollingPolicy, ensure_fits_execution};
use datazone_runs::usecase::select::{ProjectScope, Selection, SourceFilter};

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
    /// Time one DataZone call may take (the client's operation timeout).
    pub call_allowance: Duration,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
}

/// `EXECUTION_TIMEOUT_SECONDS`, when set: the follow loop's longest harvest
/// (`MAX_POLLS` checks at `POLL_MAX_WAIT_SECONDS`, and the start retry
/// deadline) must fit in it, or nothing is started.
fn ensure_harvest_fits_execution(retry_deadline_seconds: u64) -> Result<(), Error> {
    if env_value("EXECUTION_TIMEOUT_SECONDS").is_none() {
        return Ok(());
    }
    ensure_fits_execution(
        &PollingPolicy::from_env()?,
        PollingPolicy::max_polls_from_env()?,
        retry_deadline_seconds,
        env_number("EXECUTION_TIMEOUT_SECONDS", 0, 1, 31_536_000)?,
    )
}

impl StartRunsConfig {
    pub const DEFAULT_CONCURRENCY: usize = 4;
    /// Under half of StartDataSourceRun's documented 20 a second ("Quotas
    /// for Amazon DataZone"): the quota is the account's, shared with others.
    pub const DEFAULT_START_RATE: f64 = 8.0;
    /// Under half of ListDataSources' documented 20 a second.
    pub const DEFAULT_LIST_RATE: f64 = 8.0;
    pub const DEFAULT_RETRY_DEADLINE_SECONDS: u64 = 900;

    /// `DATAZONE_DOMAIN_ID`, the selection (see `selection_from_env`),
    /// `START_CONCURRENCY`, `START_REQUESTS_PER_SECOND`,
    /// `LIST_REQUESTS_PER_SECOND`, `START_RETRY_DEADLINE_SECONDS`,
    /// `REPORT_PREFIX`, and the client's timeouts; refused when the
    /// harvest could outlast `EXECUTION_TIMEOUT_SECONDS`
    /// (`ensure_harvest_fits_execution`).
    pub fn from_env() -> Result<Self, Error> {
        let retry_deadline_seconds = env_number(
            "START_RETRY_DEADLINE_SECONDS",
            Self::DEFAULT_RETRY_DEADLINE_SECONDS,
            0,
            86_400,
        )?;
        ensure_harvest_fits_execution(retry_deadline_seconds)?;
        Ok(Self {
            domain: env_domain()?,
            selection: selection_from_env()?,
            concurrency: env_number("START_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 20)?,
            start_rate: env_rate("START_REQUESTS_PER_SECOND", Self::DEFAULT_START_RATE)?,
            list_rate: env_rate("LIST_REQUESTS_PER_SECOND", Self::DEFAULT_LIST_RATE)?,
            retry_deadline: Duration::from_secs(retry_deadline_seconds),
            call_allowance: ClientSettings::from_env()?.operation_timeout,
            report_prefix: env_string("REPORT_PREFIX", "harvests/"),
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
            types: env_list("SOURCE_TYPES"),
            name: env_value("SOURCE_NAME_PATTERN"),
            include_disabled: env_flag("INCLUDE_DISABLED_SOURCES", false)?,
        })
    };
    let selection = match env_string("SOURCE_SELECTION", "data-sources").as_str() {
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
    env_list(variable)
        .into_iter()
        .map(|id| parse(variable, id).map_err(as_configuration_error))
        .collect()
}
