//! Serving a handler under the Lambda runtime, its errors under their
//! stable names.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use datazone_runs::Error;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde::Serialize;
use tracing::Instrument;

use crate::payload::Payload;

/// What the runtime tells a handler about one invocation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    pub request_id: String,
    /// When Lambda stops the invocation (its timeout); `None` when not known.
    pub deadline: Option<SystemTime>,
}

impl Invocation {
    /// Time assumed left when the runtime gives no deadline.
    pub const TIME_LEFT_UNKNOWN: Duration = Duration::from_secs(60);

    /// The time left before the deadline, less `kept` (what the handler
    /// needs to finish after its work: saving, answering).
    pub fn time_for_work(&self, kept: Duration) -> Duration {
        let left = self.deadline.map_or(Self::TIME_LEFT_UNKNOWN, |deadline| {
            deadline
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        left.saturating_sub(kept)
    }
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

/// The longest a Lambda invocation lasts (its timeout is at most 900 s).
const LONGEST_INVOCATION: Duration = Duration::from_secs(900);

/// The invocation's deadline from the runtime's `Lambda-Runtime-Deadline-Ms`
/// (milliseconds since the epoch). A value that cannot be one (before the
/// invocation could have started: `cargo lambda watch` sends the timeout's
/// length instead) is unknown.
fn deadline(epoch_millis: u64) -> Option<SystemTime> {
    let deadline = UNIX_EPOCH + Duration::from_millis(epoch_millis);
    let earliest = SystemTime::now().checked_sub(LONGEST_INVOCATION)?;
    (deadline > earliest).then_some(deadline)
}

/// Characters of an error message a function reports: a Fail state's
/// cause built from it stays far below Step Functions' 32,768-character
/// limit ("Step Functions service quotas").
pub const ERROR_MESSAGE_CHARACTERS: usize = 4096;

/// A function error as Lambda reports it: `errorType` is the stable name
/// Step Functions' Retry and Catch match on.
pub fn diagnostic(error: &Error) -> Diagnostic {
    let message = error.to_string();
    let error_message = match message.char_indices().nth(ERROR_MESSAGE_CHARACTERS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message,
    };
    Diagnostic {
        error_type: error.name().to_owned(),
        error_message,
    }
}

/// Serves `handler` until the runtime stops; errors reach Lambda as
/// `{errorType: <stable name>, errorMessage}`.
pub async fn serve<H: Handler>(handler: H) -> Result<(), lambda_runtime::Error> {
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Payload>| async move {
        let invocation = Invocation {
            request_id: event.context.request_id,
            deadline: deadline(event.context.deadline),
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

/// Serves `handler`, or, when it could not be built (its configuration
/// refused), answers every invocation with that error under its stable
/// name (`InvalidConfiguration`), so Step Functions' Catch names it. A
/// process that exited instead would reach the state machine as an
/// unnamed runtime failure, or locally never answer at all.
pub async fn serve_configured<H: Handler>(
    handler: Result<H, Error>,
) -> Result<(), lambda_runtime::Error> {
    match handler {
        Ok(handler) => serve(handler).await,
        Err(error) => {
            tracing::error!(error_name = error.name(), error = %error, "function not configured");
            serve(Refusing::<H::Output>::new(error)).await
        }
    }
}

/// A handler that answers every invocation with one error.
struct Refusing<O> {
    error: Error,
    output: std::marker::PhantomData<fn() -> O>,
}

impl<O> Refusing<O> {
    fn new(error: Error) -> Self {
        Self {
            error,
            output: std::marker::PhantomData,
        }
    }
}

impl<O: Serialize + Send> Handler for Refusing<O> {
    type Output = O;

    fn handle(
        &self,
        _payload: Payload,
        _invocation: &Invocation,
    ) -> impl Future<Output = Result<O, Error>> + Send {
        std::future::ready(Err(self.error.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_function_not_configured_answers_every_invocation_with_the_error() {
        let refusing =
            Refusing::<String>::new(Error::invalid_configuration("MAX_POLLS", "too many"));
        for _ in 0..2 {
            let error = invoke(
                &refusing,
                Payload::Json(serde_json::Value::Null),
                &Invocation::default(),
            )
            .await
            .unwrap_err();
            assert_eq!(diagnostic(&error).error_type, "InvalidConfiguration");
            assert!(error.to_string().contains("MAX_POLLS"), "{error}");
        }
    }

    #[test]
    fn a_deadline_is_epoch_milliseconds_or_unknown() {
        let in_a_minute = SystemTime::now() + Duration::from_secs(60);
        let millis = in_a_minute.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
        assert_eq!(
            deadline(millis),
            Some(UNIX_EPOCH + Duration::from_millis(millis))
        );
        assert_eq!(deadline(600_000), None, "a length, not a time");
        assert_eq!(deadline(0), None);
    }

    #[test]
    fn a_long_message_is_cut() {
        let long = diagnostic(&Error::Validation("x".repeat(10_000)));
        assert_eq!(
            long.error_message.chars().count(),
            ERROR_MESSAGE_CHARACTERS + 1
        );
        assert!(long.error_message.ends_with('…'));
    }

    #[test]
    fn work_stops_early_enough_to_keep_time_for_the_rest() {
        let at = |seconds| Invocation {
            deadline: Some(SystemTime::now() + Duration::from_secs(seconds)),
            ..Invocation::default()
        };
        let work = at(100).time_for_work(Duration::from_secs(10));
        assert!((89..=90).contains(&work.as_secs()), "{work:?}");
        assert_eq!(at(5).time_for_work(Duration::from_secs(10)), Duration::ZERO);
        assert_eq!(
            Invocation::default().time_for_work(Duration::from_secs(10)),
            Duration::from_secs(50)
        );
    }

    #[test]
    fn a_diagnostic_carries_the_stable_name() {
        let diagnostic = diagnostic(&Error::invalid_input("runId", "missing"));
        assert_eq!(diagnostic.error_type, "InvalidInput");
        assert_eq!(diagnostic.error_message, "invalid input: runId: missing");
    }
}
