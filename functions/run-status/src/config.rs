//! `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`, `METRICS_NAMESPACE`.

use datazone_runs::Error;
use datazone_runs::settings::env_string;
use datazone_runs::usecase::polling::PollingPolicy;

use crate::metrics;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunStatusConfig {
    pub polling: PollingPolicy,
    pub metrics_namespace: String,
}

impl RunStatusConfig {
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self {
            polling: PollingPolicy::from_env()?,
            metrics_namespace: env_string("METRICS_NAMESPACE", metrics::DEFAULT_NAMESPACE),
        })
    }
}
