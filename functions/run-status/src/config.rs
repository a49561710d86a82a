//! `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`, `METRICS_NAMESPACE`,
//! `REPORT_PREFIX`, `FOLLOW_EVENTS`, and the client's timeouts.

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::settings::{FOLLOW_EVENTS, REPORT_PREFIX};
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::env;

use function_runtime::metrics::METRICS_NAMESPACE;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatusConfig {
    /// The deployment's domain: events of another domain are counted and
    /// left alone (the event rule matches every domain of the account).
    pub domain: Option<DomainId>,
    pub polling: PollingPolicy,
    /// The DataZone client's timeouts.
    pub client: ClientSettings,
    pub metrics_namespace: String,
    /// Key prefix of harvest records (and their waiting notes) in the
    /// report bucket.
    pub report_prefix: String,
    /// Whether the harvests follow DataZone's events: the ends are recorded
    /// for them only then.
    pub follow_events: bool,
}

impl RunStatusConfig {
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            domain: env::domain()?,
            polling: env::polling()?,
            client: ClientSettings::from_env()?,
            metrics_namespace: env::text(&METRICS_NAMESPACE),
            report_prefix: env::text(&REPORT_PREFIX),
            follow_events: env::flag(&FOLLOW_EVENTS)?,
        })
    }
}
