//! The environment: how runs are followed, whether a successful run goes on
//! to metadata generation, and where harvest records are.

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::settings::{
    EVENT_COALESCE_SECONDS, FOLLOW_CONCURRENCY, FOLLOW_EVENTS, GENERATE_METADATA, MAX_POLLS,
    REPORT_PREFIX,
};
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::env;
use function_runtime::metrics::METRICS_NAMESPACE;

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
    /// Whether DataZone's events record the ends (checks are the safety net).
    pub follow_events: bool,
    /// How long a harvest woken for metadata generation lets more ends gather.
    pub coalesce_seconds: u64,
    /// The DataZone client's timeouts; its operation timeout is the time
    /// one call may take.
    pub client: ClientSettings,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
    /// The CloudWatch namespace of the finished harvest's metrics.
    pub metrics_namespace: String,
}

impl FollowRunsConfig {
    /// `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`,
    /// `MAX_POLLS`, `FOLLOW_CONCURRENCY`, `GENERATE_METADATA`,
    /// `FOLLOW_EVENTS`, `EVENT_COALESCE_SECONDS`, `REPORT_PREFIX`, and the
    /// client's timeouts.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            domain: env::domain()?,
            polling: env::polling()?,
            max_polls: env::number(&MAX_POLLS)?,
            concurrency: env::number(&FOLLOW_CONCURRENCY)?,
            generate_metadata: env::flag(&GENERATE_METADATA)?,
            follow_events: env::flag(&FOLLOW_EVENTS)?,
            coalesce_seconds: env::number(&EVENT_COALESCE_SECONDS)?,
            client: ClientSettings::from_env()?,
            report_prefix: env::text(&REPORT_PREFIX),
            metrics_namespace: env::text(&METRICS_NAMESPACE),
        })
    }
}
