//! Lambda function: starts runs of the configured DataZone data sources.

use datazone_runs::adapter::SdkDataZone;
use datazone_runs::start_runs::{StartRuns, StartRunsConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    datazone_runs::telemetry::init();
    let config = StartRunsConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    datazone_runs::lambda::serve(StartRuns::new(datazone, config)).await
}
