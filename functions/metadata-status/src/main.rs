//! Lambda function: reports the status of a DataZone metadata generation run.

use datazone_runs::adapter::SdkDataZone;
use datazone_runs::metadata_status::MetadataStatus;
use datazone_runs::polling::PollingPolicy;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    datazone_runs::telemetry::init();
    let polling = PollingPolicy::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    datazone_runs::lambda::serve(MetadataStatus::new(datazone, polling)).await
}
