//! Lambda function: the metadata generation status checker, and the
//! metadata part of a harvest's follow rounds.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::lambda_config;
use datazone_runs::Error;
use metadata_status::config::MetadataStatusConfig;
use metadata_status::handler::MetadataStatus;
use report_store_s3::S3ReportStore;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    function_runtime::serve::serve_configured(handler().await).await
}

/// The handler on clients built once, from Lambda's environment.
async fn handler() -> Result<MetadataStatus<SdkDataZone, S3ReportStore>, Error> {
    let config = MetadataStatusConfig::from_env()?;
    let aws = lambda_config(&config.client).await;
    Ok(MetadataStatus::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        config,
    ))
}
