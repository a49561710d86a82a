//! The time an answer was given, by DataZone's clock: the `Date` header
//! every AWS response carries, read by an interceptor on one call.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::DateTime;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::date_time::Format;
use datazone_runs::model::timestamp::Timestamp;

/// Keeps the `Date` of the last answer to the call it is attached to
/// (`.customize().interceptor(...)`); a retried call keeps the last.
#[derive(Debug, Clone, Default)]
pub struct AnswerDate(Arc<Mutex<Option<Timestamp>>>);

impl AnswerDate {
    pub fn get(&self) -> Option<Timestamp> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Intercept for AnswerDate {
    fn name(&self) -> &'static str {
        "AnswerDate"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let date = context
            .response()
            .headers()
            .get("date")
            .and_then(|value| DateTime::from_str(value, Format::HttpDate).ok());
        if let Some(date) = date {
            *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Timestamp::from(&date));
        }
        Ok(())
    }
}
