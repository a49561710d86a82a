//! The environment: how runs are followed, whether a successful run goes on
//! to metadata generation, and where harvest records are.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::settings::{env_domain, env_flag, env_number, env_string};
use datazone_runs::usecase::polling::PollingPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct FollowRunsConfig {
    /// Used when the input names no domain.
    pub domain: Option<DomainId>,
    pub polling: PollingPolicy,
    /// Checks of one run before it is given up on.
    pub max_polls: u32,
    /// Runs checked at once.
    pub concurrency: usize,
    /// Whether a run that succeeds goes on to metadata generation, which
    /// metadata-status does.
    pub generate_metadata: bool,
    /// Time one DataZone call may take (the client's operation timeout).
    pub call_allowance: Duration,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
}

impl FollowRunsConfig {
    pub const DEFAULT_CONCURRENCY: usize = 16;

    /// `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`,
    /// `MAX_POLLS`, `FOLLOW_CONCURRENCY`, `GENERATE_METADATA`,
    /// `REPORT_PREFIX`, and the client's timeouts.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            domain: env_domain()?,
            polling: PollingPolicy::from_env()?,
            max_polls: PollingPolicy::max_polls_from_env()?,
            concurrency: env_number("FOLLOW_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 64)?,
            generate_metadata: env_flag("GENERATE_METADATA", false)?,
            call_allowance: ClientSettings::from_env()?.operation_timeout,
            report_prefix: env_string("REPORT_PREFIX", "harvests/"),
        })
    }
}
