//! Lambda function: follows a harvest's runs to their final status.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::{ClientSettings, lambda_config};
use follow_runs::config::FollowRunsConfig;
use follow_runs::handler::FollowRuns;
use report_store_s3::S3ReportStore;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    let config = FollowRunsConfig::from_env()?;
    let aws = lambda_config(&ClientSettings::from_env()?).await;
    let handler = FollowRuns::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        config,
    );
    function_runtime::serve::serve(handler).await
}
