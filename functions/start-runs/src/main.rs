//! Lambda function: starts the runs of a harvest's data sources.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::lambda_config;
use datazone_runs::Error;
use report_store_s3::S3ReportStore;
use start_runs::config::StartRunsConfig;
use start_runs::handler::StartRuns;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    function_runtime::serve::serve_configured(handler().await).await
}

/// The handler on clients built once, from Lambda's environment.
async fn handler() -> Result<StartRuns<SdkDataZone, S3ReportStore>, Error> {
    let config = StartRunsConfig::from_env()?;
    let aws = lambda_config(&config.client).await;
    Ok(StartRuns::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        config,
    ))
}
