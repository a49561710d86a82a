//! The AWS configuration the clients of a process share, loaded once.
//!
//! Two ways to load it. On Lambda, [`lambda_config`] reads the environment
//! Lambda sets and nothing else. From a terminal or CI, [`standard_config`]
//! follows the SDK's standard chain (profiles, SSO, instance roles…). Both
//! take the endpoint from the SDK's own `AWS_ENDPOINT_URL_DATAZONE` (or
//! `_S3`) and `AWS_ENDPOINT_URL`, to point them at a local emulator, and
//! retries from `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS`.

use std::time::Duration;

use aws_config::environment::{
    EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
};
use aws_config::meta::region::ProvideRegion;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

use datazone_runs::Error;
use datazone_runs::settings::Number;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientSettings {
    /// The whole call, all retries included.
    pub operation_timeout: Duration,
    /// One attempt of the call.
    pub attempt_timeout: Duration,
}

/// The whole DataZone call, all retries included.
pub const DATAZONE_OPERATION_TIMEOUT_SECONDS: Number<u64> = Number {
    name: "DATAZONE_OPERATION_TIMEOUT_SECONDS",
    default: 30,
    min: 1,
    max: 900,
};
/// One attempt of a DataZone call; at most the operation timeout.
pub const DATAZONE_ATTEMPT_TIMEOUT_SECONDS: Number<u64> = Number {
    name: "DATAZONE_ATTEMPT_TIMEOUT_SECONDS",
    default: 10,
    min: 1,
    max: 900,
};

impl ClientSettings {
    pub fn new(operation_timeout: Duration, attempt_timeout: Duration) -> Self {
        Self {
            operation_timeout,
            attempt_timeout,
        }
    }

    /// `DATAZONE_OPERATION_TIMEOUT_SECONDS` and `DATAZONE_ATTEMPT_TIMEOUT_SECONDS`.
    pub fn from_env() -> Result<Self, Error> {
        let value = |setting: &Number<u64>| std::env::var(setting.name).ok();
        let operation =
            DATAZONE_OPERATION_TIMEOUT_SECONDS.read(value(&DATAZONE_OPERATION_TIMEOUT_SECONDS))?;
        let attempt = Number {
            default: DATAZONE_ATTEMPT_TIMEOUT_SECONDS.default.min(operation),
            max: operation,
            ..DATAZONE_ATTEMPT_TIMEOUT_SECONDS
        }
        .read(value(&DATAZONE_ATTEMPT_TIMEOUT_SECONDS))?;
        Ok(Self::new(
            Duration::from_secs(operation),
            Duration::from_secs(attempt),
        ))
    }
}

/// The configuration of a function on Lambda, from the environment Lambda
/// sets ("Defined runtime environment variables", AWS Lambda Developer
/// Guide): the Region in `AWS_REGION`, and the keys of the function's
/// execution role in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_SESSION_TOKEN`. Nothing else is looked for (no profile files, no
/// instance metadata, no STS), so none of that code is in the functions'
/// deployment packages (README, "Size and build").
///
/// The SDK's clock skew correction is off. It retries an answer whose
/// `Date` is more than four minutes from the caller's clock when its error
/// may come from a skewed signature, `AccessDeniedException` among them:
/// a refused start would be tried again (and a denial turned into a start
/// wherever the refusal does not repeat). Lambda's execution environment
/// keeps its clock synchronized with NTP ("Defined runtime environment
/// variables", TZ, AWS Lambda Developer Guide), so the correction has
/// nothing to mend there; a run's age is read from the `Date` header
/// itself, on DataZone's clock. dzrun keeps the correction: a terminal's
/// clock may be off.
pub async fn lambda_config(settings: &ClientSettings) -> SdkConfig {
    let region = EnvironmentVariableRegionProvider::new().region().await;
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(region)
        .credentials_provider(SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .service_config(EnvironmentEndpoints)
        .retry_config(
            aws_config::default_provider::retry_config::default_provider()
                .retry_config()
                .await,
        )
        .timeout_config(timeouts(settings))
        .disable_clock_skew_correction(true)
        .http_client(https_client())
        .build()
}

/// The SDK's standard chain (a named profile and a Region over its own when
/// given), with this project's timeouts: what a terminal or CI needs.
pub async fn standard_config(
    settings: &ClientSettings,
    profile: Option<&str>,
    region: Option<&str>,
) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts(settings))
        .http_client(https_client());
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    loader.load().await
}

fn timeouts(settings: &ClientSettings) -> TimeoutConfig {
    TimeoutConfig::builder()
        .operation_timeout(settings.operation_timeout)
        .operation_attempt_timeout(settings.attempt_timeout)
        .build()
}

/// The SDK's HTTPS client on rustls with the ring crypto provider, the
/// one every client of the process (and the credential chain) uses; the
/// local chain's own S3 client uses it too, so no second TLS stack is built.
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// Each client's endpoint from the environment, as "Service-specific
/// endpoints" (AWS SDKs and Tools Reference Guide) defines it:
/// `AWS_ENDPOINT_URL_<SERVICE>`, the service's identifier in capitals with
/// spaces as underscores (`AWS_ENDPOINT_URL_DATAZONE`, `AWS_ENDPOINT_URL_S3`),
/// over the global `AWS_ENDPOINT_URL`.
#[derive(Debug)]
struct EnvironmentEndpoints;

impl LoadServiceConfig for EnvironmentEndpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        let service = key.service_id().to_ascii_uppercase().replace(' ', "_");
        std::env::var(format!("{}_{service}", key.env()))
            .or_else(|_| std::env::var(key.env()))
            .ok()
    }
}
