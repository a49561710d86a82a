//! The environment: what metadata generation produces, how fast it is
//! started, how its runs are followed, and where harvest records are.

use datazone_adapter::client::ClientSettings;
use datazone_runs::Error;
use datazone_runs::model::ids::DomainId;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::predictions::PredictionsRule;
use datazone_runs::settings::{
    ACCEPT_PREDICTIONS, FOLLOW_CONCURRENCY, FOLLOW_EVENTS, MAX_POLLS, METADATA_GENERATION_TYPES,
    METADATA_REQUESTS_PER_SECOND, PREDICTIONS_REQUESTS_PER_SECOND, REJECT_OTHER_PREDICTIONS,
    REPORT_PREFIX, START_RETRY_DEADLINE_SECONDS, as_configuration_error,
};
use datazone_runs::usecase::polling::PollingPolicy;
use function_runtime::env;
use function_runtime::metrics::METRICS_NAMESPACE;

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
    /// The DataZone client's timeouts; its operation timeout is the time
    /// one call may take.
    pub client: ClientSettings,
    /// Key prefix of harvest records in the report bucket.
    pub report_prefix: String,
    /// The CloudWatch namespace of the finished harvest's metrics.
    pub metrics_namespace: String,
    /// The rule for what generation suggests (`None`: left as suggestions).
    pub predictions: Option<PredictionsRule>,
    /// AcceptPredictions and RejectPredictions calls a second, at most.
    pub predictions_rate: f64,
    /// How long a decision failing with a retryable error is retried.
    pub retry_deadline_seconds: u64,
    /// Whether DataZone's events record the ends (checks are the safety net).
    pub follow_events: bool,
}

impl MetadataStatusConfig {
    /// `DATAZONE_DOMAIN_ID`, `POLL_MIN_WAIT_SECONDS`, `POLL_MAX_WAIT_SECONDS`,
    /// `MAX_POLLS`, `FOLLOW_CONCURRENCY`, `METADATA_GENERATION_TYPES`,
    /// `METADATA_REQUESTS_PER_SECOND`, `REPORT_PREFIX`, `ACCEPT_PREDICTIONS`,
    /// `REJECT_OTHER_PREDICTIONS`, `PREDICTIONS_REQUESTS_PER_SECOND`,
    /// `START_RETRY_DEADLINE_SECONDS`, `FOLLOW_EVENTS`, and the client's
    /// timeouts.
    pub fn from_env() -> Result<Self, Error> {
        let types = env::text(&METADATA_GENERATION_TYPES);
        Ok(Self {
            domain: env::domain()?,
            polling: env::polling()?,
            max_polls: env::number(&MAX_POLLS)?,
            concurrency: env::number(&FOLLOW_CONCURRENCY)?,
            types: MetadataGenerationType::parse_list(
                METADATA_GENERATION_TYPES.name,
                types.split(','),
            )
            .map_err(as_configuration_error)?,
            rate: env::rate(&METADATA_REQUESTS_PER_SECOND)?,
            client: ClientSettings::from_env()?,
            report_prefix: env::text(&REPORT_PREFIX),
            metrics_namespace: env::text(&METRICS_NAMESPACE),
            predictions: PredictionsRule::parse(
                ACCEPT_PREDICTIONS.name,
                &env::text(&ACCEPT_PREDICTIONS),
                env::flag(&REJECT_OTHER_PREDICTIONS)?,
            )
            .map_err(as_configuration_error)?,
            predictions_rate: env::rate(&PREDICTIONS_REQUESTS_PER_SECOND)?,
            retry_deadline_seconds: env::number(&START_RETRY_DEADLINE_SECONDS)?,
            follow_events: env::flag(&FOLLOW_EVENTS)?,
        })
    }
}
