//! The AWS configuration the clients of a process share, loaded once.
//!
//! Region and credentials come from the standard AWS chain. The endpoint can
//! be pointed elsewhere (a local emulator) with the SDK's own
//! `AWS_ENDPOINT_URL_DATAZONE` or `AWS_ENDPOINT_URL`; retries follow the SDK's
//! `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS`.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use datazone_runs::Error;
use datazone_runs::settings::env_number;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSettings {
    /// The whole call, all retries included.
    pub operation_timeout: Duration,
    /// One attempt of the call.
    pub attempt_timeout: Duration,
}

impl ClientSettings {
    /// `DATAZONE_OPERATION_TIMEOUT_SECONDS` and `DATAZONE_ATTEMPT_TIMEOUT_SECONDS`
    /// bound every AWS call of the process (DataZone's and the report store's).
    pub const DEFAULT_OPERATION_TIMEOUT_SECONDS: u64 = 30;
    pub const DEFAULT_ATTEMPT_TIMEOUT_SECONDS: u64 = 10;

    /// `DATAZONE_OPERATION_TIMEOUT_SECONDS` and `DATAZONE_ATTEMPT_TIMEOUT_SECONDS`.
    pub fn from_env() -> Result<Self, Error> {
        let operation = env_number(
            "DATAZONE_OPERATION_TIMEOUT_SECONDS",
            Self::DEFAULT_OPERATION_TIMEOUT_SECONDS,
            1,
            900,
        )?;
        let attempt = env_number(
            "DATAZONE_ATTEMPT_TIMEOUT_SECONDS",
            Self::DEFAULT_ATTEMPT_TIMEOUT_SECONDS.min(operation),
            1,
            operation,
        )?;
        Ok(Self {
            operation_timeout: Duration::from_secs(operation),
            attempt_timeout: Duration::from_secs(attempt),
        })
    }
}

/// The AWS configuration every client of a process shares: the standard
/// chain, with this project's timeouts.
pub async fn shared_config(settings: &ClientSettings) -> aws_config::SdkConfig {
    shared_config_for(settings, None, None).await
}

/// The SDK's HTTPS client on rustls with the ring crypto provider, the
/// one every client of the process (and the credential chain) uses.
fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// [`shared_config`] with a named profile and a region over the chain's.
pub async fn shared_config_for(
    settings: &ClientSettings,
    profile: Option<&str>,
    region: Option<&str>,
) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .operation_timeout(settings.operation_timeout)
        .operation_attempt_timeout(settings.attempt_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .http_client(https_client());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    loader.load().await
}
