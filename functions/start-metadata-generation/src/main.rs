//! Lambda function: starts metadata generation for the assets a data source
//! run added or updated.

use datazone_runs::adapter::SdkDataZone;
use datazone_runs::start_metadata::{StartMetadata, StartMetadataConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    datazone_runs::telemetry::init();
    let config = StartMetadataConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    datazone_runs::lambda::serve(StartMetadata::new(datazone, config)).await
}
