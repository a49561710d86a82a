//! Lambda function: turns DataZone run events and status queries into one
//! normalized run outcome.

use datazone_adapter::SdkDataZone;
use run_status::config::RunStatusConfig;
use run_status::handler::RunStatus;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let config = RunStatusConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    function_runtime::serve::serve(RunStatus::new(datazone, config)).await
}
