//! Lambda function: starts metadata generation for the assets a data source
//! run added or updated.

use datazone_adapter::SdkDataZone;
use start_metadata_generation::config::StartMetadataConfig;
use start_metadata_generation::handler::StartMetadata;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let config = StartMetadataConfig::from_env()?;
    let datazone = SdkDataZone::from_env().await?;
    function_runtime::serve::serve(StartMetadata::new(datazone, config)).await
}
