//! Lambda function: turns DataZone run events and status queries into one
//! normalized run outcome.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::lambda_config;
use datazone_runs::Error;
use run_status::config::RunStatusConfig;
use run_status::handler::RunStatus;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    function_runtime::serve::serve_configured(handler().await).await
}

/// The handler on a client built once, from Lambda's environment.
async fn handler() -> Result<RunStatus<SdkDataZone>, Error> {
    let config = RunStatusConfig::from_env()?;
    let aws = lambda_config(&config.client).await;
    Ok(RunStatus::new(SdkDataZone::from_config(&aws), config))
}
