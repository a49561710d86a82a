//! Lambda function: starts the runs of a harvest's data sources.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::{ClientSettings, lambda_config};
use report_store_s3::S3ReportStore;
use start_runs::config::StartRunsConfig;
use start_runs::handler::StartRuns;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let config = StartRunsConfig::from_env()?;
    let aws = lambda_config(&ClientSettings::from_env()?).await;
    let handler = StartRuns::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        config,
    );
    function_runtime::serve::serve(handler).await
}
