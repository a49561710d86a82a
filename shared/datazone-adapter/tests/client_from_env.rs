//! The client built the way the functions build it: region, credentials,
//! endpoint and retries from the environment variables Lambda and the SDK
//! define. One test in its own binary, because it sets process environment
//! variables.

use clap::Parser;
use datazone_adapter::SdkDataZone;
use datazone_adapter::client::{ClientSettings, lambda_config};
use datazone_runs::Error;
use datazone_runs::model::ids::{DataSourceRunId, DomainId};
use datazone_runs::port::DataZone;

/// The client as each function's `main` builds it.
async fn from_env() -> Result<SdkDataZone, Error> {
    let settings = ClientSettings::from_env()?;
    Ok(SdkDataZone::from_config(&lambda_config(&settings).await))
}

#[tokio::test]
async fn aws_endpoint_url_datazone_points_the_functions_at_the_emulator() {
    let emulator = datazone_local::start(&datazone_local::Options::parse_from(["datazone-local"]))
        .await
        .unwrap();
    // SAFETY: this binary's only test sets these before any other thread reads them.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL_DATAZONE", emulator.endpoint());
        std::env::set_var(
            "AWS_ACCESS_KEY_ID",
            datazone_local::SAMPLE_ADMIN_ACCESS_KEY_ID,
        );
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "local-secret");
        std::env::set_var("AWS_REGION", "eu-west-1");
        std::env::set_var("AWS_MAX_ATTEMPTS", "1");
        std::env::set_var("DATAZONE_OPERATION_TIMEOUT_SECONDS", "5");
        std::env::set_var("DATAZONE_ATTEMPT_TIMEOUT_SECONDS", "2");
    }
    let datazone = from_env().await.unwrap();
    let error = datazone
        .get_data_source_run(
            &DomainId::parse("domainId", "dzd_sales2026").unwrap(),
            &DataSourceRunId::parse("runId", "nosuchrun").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.name(),
        "DataZone.ResourceNotFoundException",
        "{error}"
    );
    assert_eq!(
        emulator.counters()["operations"]["GetDataSourceRun"]["total"],
        1
    );

    // The global endpoint when no service's own is set, and the SDK's
    // retries as many attempts as AWS_MAX_ATTEMPTS says: an emulator whose
    // every answer is a 500 sees each of them.
    let failing = datazone_local::start(&datazone_local::Options::parse_from([
        "datazone-local",
        "--internal-error-rate",
        "1",
    ]))
    .await
    .unwrap();
    unsafe {
        std::env::remove_var("AWS_ENDPOINT_URL_DATAZONE");
        std::env::set_var("AWS_ENDPOINT_URL", failing.endpoint());
        std::env::set_var("AWS_MAX_ATTEMPTS", "2");
    }
    let error = from_env()
        .await
        .unwrap()
        .get_data_source_run(
            &DomainId::parse("domainId", "dzd_sales2026").unwrap(),
            &DataSourceRunId::parse("runId", "nosuchrun").unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.name(), "DataZone.InternalServerException", "{error}");
    assert_eq!(
        failing.counters()["operations"]["GetDataSourceRun"]["total"],
        2
    );
    assert_eq!(
        emulator.counters()["operations"]["GetDataSourceRun"]["total"],
        1,
        "the first emulator is no longer asked"
    );

    unsafe { std::env::set_var("DATAZONE_ATTEMPT_TIMEOUT_SECONDS", "6") };
    let error = from_env().await.unwrap_err();
    assert_eq!(
        error.name(),
        "InvalidConfiguration",
        "attempt timeout above the operation timeout"
    );
    failing.stop().await;
    emulator.stop().await;
}
