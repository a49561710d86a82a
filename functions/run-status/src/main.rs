//! Lambda function: turns DataZone run events and status queries into one
//! normalized run outcome.

use datazone_adapter::SdkDataZone;
use datazone_adapter::client::lambda_config;
use datazone_runs::Error;
use report_store_s3::S3ReportStore;
use run_status::config::RunStatusConfig;
use run_status::handler::RunStatus;
use task_callback_sfn::SfnTaskCallback;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    function_runtime::telemetry::init();
    function_runtime::serve::serve_configured(handler().await).await
}

/// The handler on clients built once, from Lambda's environment.
async fn handler() -> Result<RunStatus<SdkDataZone, S3ReportStore, SfnTaskCallback>, Error> {
    let config = RunStatusConfig::from_env()?;
    let aws = lambda_config(&config.client).await;
    Ok(RunStatus::new(
        SdkDataZone::from_config(&aws),
        S3ReportStore::from_env(&aws)?,
        SfnTaskCallback::from_config(&aws),
        config,
    ))
}
