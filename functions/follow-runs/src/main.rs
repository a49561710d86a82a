//! Lambda function: follows a harvest's runs to their final status.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::lambda_config;
use datazone_runs::Error;
use follow_runs::config::FollowRunsConfig;
use follow_runs::handler::FollowRuns;
use report_store_s3::S3ReportStore;
use task_callback_sfn::SfnTaskCallback;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    function_runtime::serve::serve_configured(handler().await).await
}

/// The handler on clients built once, from Lambda's environment.
async fn handler() -> Result<FollowRuns<SdkDataZone, S3ReportStore, SfnTaskCallback>, Error> {
    let config = FollowRunsConfig::from_env()?;
    let aws = lambda_config(&config.client).await;
    Ok(FollowRuns::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        SfnTaskCallback::from_config(&aws),
        config,
    ))
}
