//! Lambda function: turns DataZone data source run events and status
//! queries into one normalized run outcome.

use datazone_runs::adapter::SdkDataZone;
use datazone_runs::run_status::{RunStatus, RunStatusConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    datazone_runs::telemetry::init();
    let config = RunStatusConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    datazone_runs::lambda::serve(RunStatus::new(datazone, config)).await
}
