//! Lambda function: starts runs of the configured DataZone data sources.

use datazone_adapter::SdkDataZone;
use start_runs::config::StartRunsConfig;
use start_runs::handler::StartRuns;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let config = StartRunsConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    function_runtime::serve::serve(StartRuns::new(datazone, config)).await
}
