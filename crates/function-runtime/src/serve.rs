//! Serving a handler under the Lambda runtime, its errors under their
//! stable names.

use std::future::Future;

use datazone_runs::Error;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use tracing::Instrument;

use crate::payload::Payload;

/// What the runtime tells a handler about one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    pub request_id: String,
}

/// One function's logic: a payload in, a JSON output or a typed error out.
pub trait Handler: Send + Sync {
    type Output: Serialize + Send;

    fn handle(
        &self,
        payload: Payload,
        invocation: &Invocation,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// Runs one invocation and logs a failure under its stable name.
pub async fn invoke<H: Handler>(
    handler: &H,
    payload: Payload,
    invocation: &Invocation,
) -> Result<H::Output, Error> {
    let result = handler.handle(payload, invocation).await;
    if let Err(error) = &result {
        tracing::error!(error_name = error.name(), error = %error, "invocation failed");
    }
    result
}

/// A function error as Lambda reports it: `errorType` is the stable name
/// Step Functions' Retry and Catch match on.
pub fn diagnostic(error: &Error) -> Diagnostic {
    Diagnostic {
        error_type: error.name().to_owned(),
        error_message: error.to_string(),
    }
}

/// Serves `handler` until the runtime stops; errors reach Lambda as
/// `{errorType: <stable name>, errorMessage}`.
pub async fn serve<H: Handler>(handler: H) -> Result<(), lambda_runtime::Error> {
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Payload>| async move {
        let invocation = Invocation {
            request_id: event.context.request_id,
        };
        let span = tracing::info_span!("invocation", request_id = %invocation.request_id);
        // Boxed: the handlers' nested futures otherwise make a type too deep
        // for the compiler's layout queries.
        Box::pin(invoke(handler, event.payload, &invocation).instrument(span))
            .await
            .map_err(|error| diagnostic(&error))
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_carries_the_stable_name() {
        let diagnostic = diagnostic(&Error::invalid_input("runId", "missing"));
        assert_eq!(diagnostic.error_type, "InvalidInput");
        assert_eq!(diagnostic.error_message, "invalid input: runId: missing");
    }
}
