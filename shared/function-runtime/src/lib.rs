//! What every Lambda function of the project shares: serving a handler
//! under the Lambda runtime with its errors under their stable names
//! ([`serve`]), reading the raw payload ([`payload`]) and EventBridge's
//! envelope ([`eventbridge`]), reading the settings from the
//! environment ([`mod@env`]), EMF metrics ([`metrics`]), and JSON logs
//! ([`telemetry`]).

pub mod env;
pub mod eventbridge;
pub mod metrics;
pub mod payload;
pub mod serve;
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;
