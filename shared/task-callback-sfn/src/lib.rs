//! The [`TaskCallback`] port on `aws-sdk-sfn`: a waiting execution is
//! resumed with SendTaskSuccess.

use std::time::Duration;

use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::timeout::TimeoutConfig;
use aws_sdk_sfn::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
use datazone_runs::Error;
use datazone_runs::port::{Resumed, TaskCallback};

/// The longest one SendTaskSuccess may take, all attempts included.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(8);
/// One attempt; the SDK retries within [`CALL_TIMEOUT`].
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// Error codes a retry may mend: throttling and the service's own failures.
const RETRYABLE_CODES: &[&str] = &[
    "ThrottlingException",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalServerError",
];

#[derive(Debug, Clone)]
pub struct SfnTaskCallback {
    client: Client,
}

impl SfnTaskCallback {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// A client on the shared AWS configuration (`AWS_ENDPOINT_URL_SFN`
    /// points it at a local Step Functions endpoint).
    pub fn from_config(shared: &aws_config::SdkConfig) -> Self {
        let config = aws_sdk_sfn::config::Builder::from(shared)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(CALL_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .build(),
            )
            .build();
        Self::new(Client::from_conf(config))
    }
}

impl TaskCallback for SfnTaskCallback {
    async fn resume(&self, token: &str, output: &str) -> Result<Resumed, Error> {
        let answer = self
            .client
            .send_task_success()
            .task_token(token)
            .output(output)
            .send()
            .await;
        match answer {
            Ok(_) => Ok(Resumed::Resumed),
            // "The task token has either expired or the task associated
            // with the token has already been closed" (TaskTimedOut,
            // SendTaskSuccess, AWS Step Functions API Reference): resumed
            // by someone else first, or its wait ran out; either way the
            // execution has moved on.
            Err(SdkError::ServiceError(service))
                if matches!(
                    service.err(),
                    SendTaskSuccessError::TaskTimedOut(_)
                        | SendTaskSuccessError::TaskDoesNotExist(_)
                ) =>
            {
                Ok(Resumed::Gone)
            }
            Err(error) => Err(map_sfn_error(error)),
        }
    }
}

fn map_sfn_error<E, R>(error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(service)
            if service
                .err()
                .code()
                .is_some_and(|code| RETRYABLE_CODES.contains(&code)) =>
        {
            Error::CallbackUnavailable(detail)
        }
        SdkError::ServiceError(_) | SdkError::ConstructionFailure(_) => {
            Error::CallbackRefused(detail)
        }
        _ => Error::CallbackUnavailable(detail),
    }
}
