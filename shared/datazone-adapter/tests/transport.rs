//! What the adapter reports when DataZone cannot be reached or does not
//! answer in time: the names the state machine retries on.

use std::time::Duration;

use aws_sdk_datazone::config::timeout::TimeoutConfig;
use aws_sdk_datazone::config::{BehaviorVersion, Credentials, Region};
use datazone_adapter::SdkDataZone;
use datazone_runs::model::ids::{DataSourceRunId, DomainId};
use datazone_runs::port::DataZone;

fn adapter(endpoint: String) -> SdkDataZone {
    let config = aws_sdk_datazone::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKID", "secret", None, None, "tests"))
        .retry_config(aws_sdk_datazone::config::retry::RetryConfig::standard().with_max_attempts(1))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_millis(300))
                .build(),
        )
        .build();
    SdkDataZone::new(aws_sdk_datazone::Client::from_conf(config))
}

async fn get_run(datazone: &SdkDataZone) -> datazone_runs::Error {
    datazone
        .get_data_source_run(
            &DomainId::parse("domainId", "dzd_a").unwrap(),
            &DataSourceRunId::parse("runId", "run_a").unwrap(),
        )
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    // Bind, note the port, close it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = get_run(&adapter(format!("http://127.0.0.1:{port}"))).await;
    assert_eq!(error.name(), "DataZone.Unreachable", "{error}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    // Accepts connections and never writes a byte back.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let error = get_run(&adapter(format!("http://{address}"))).await;
    assert_eq!(error.name(), "DataZone.Timeout", "{error}");
    assert!(error.is_retryable());
    silent.abort();
}
