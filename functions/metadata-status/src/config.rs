//! The environment: what metadata generation produces, how fast it is
//! started, how its runs are followed, and where harvest records are.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::settings::{
    as_configuration_error, env_domain, env_number, env_rate, env_string,
};
use datazone_runs::usecase::polling::PollingPolicy;

#[derive(Debug, Clone, PartialEq)]
pub struct MetadataStatusConfig {
    /// Used when the input names no domain.
    pub domain: Option<DomainId>,
    pub polling: PollingPolicy,
    /// Checks of one generation run before it is given up on.
    pub max_polls: u32,
    /// Generation runs checked at once.
    pub concurrency: usize,
    /// What metadata generation produces.
    pub types: Vec<MetadataGenerationType>,
    /// StartMetadataGenerationRun calls a second, at most.
    pub rate: f64,
    /// Time one DataZone call may take (the client's operation timeout).
    pub call_allowance: Duration,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
}

impl MetadataStatusConfig {
    pub const DEFAULT_CONCURRENCY: usize = 16;
    /// Under half of StartMetadataGenerationRun's documented 10 a second
    /// ("Quotas for Amazon DataZone"): the quota is the account's, shared.
    pub const DEFAULT_RATE: f64 = 4.0;

    /// `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`,
    /// `MAX_POLLS`, `FOLLOW_CONCURRENCY`, `METADATA_GENERATION_TYPES`,
    /// `METADATA_REQUESTS_PER_SECOND`, `REPORT_PREFIX`, and the client's
    /// timeouts.
    pub fn from_env() -> Result<Self, Error> {
        let types = env_string("METADATA_GENERATION_TYPES", "BUSINESS_DESCRIPTIONS");
        Ok(Self {
            domain: env_domain()?,
            polling: PollingPolicy::from_env()?,
            max_polls: PollingPolicy::max_polls_from_env()?,
            concurrency: env_number("FOLLOW_CONCURRENCY", Self::DEFAULT_CONCURRENCY, 1, 64)?,
            types: MetadataGenerationType::parse_list(
                "METADATA_GENERATION_TYPES",
                types.split(','),
            )
            .map_err(as_configuration_error)?,
            rate: env_rate("METADATA_REQUESTS_PER_SECOND", Self::DEFAULT_RATE)?,
            call_allowance: ClientSettings::from_env()?.operation_timeout,
            report_prefix: env_string("REPORT_PREFIX", "harvests/"),
        })
    }
}
