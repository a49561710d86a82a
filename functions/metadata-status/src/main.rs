//! Lambda function: reports the status of a DataZone metadata generation run.

use datazone_adapter::SdkDataZone;
use datazone_runs::usecase::polling::PollingPolicy;
use metadata_status::handler::MetadataStatus;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let polling = PollingPolicy::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    function_runtime::serve::serve(MetadataStatus::new(datazone, polling)).await
}
