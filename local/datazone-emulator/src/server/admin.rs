//! The emulator's own endpoints, beside DataZone's: counters, events,
//! health, the clock, and the answer to a route DataZone does not have.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{App, respond};
use crate::api_error::{ApiError, ErrorShape};
use crate::request::Request;

pub async fn unknown_operation(State(app): State<App>) -> Response {
    respond(
        Err(ApiError::new(
            ErrorShape::UnknownOperation,
            "no DataZone operation the emulator serves matches this method and path",
        )),
        0,
        app.now(),
    )
}

/// GET /_emulator/counters: calls by operation and status code, event deliveries.
pub async fn counters(State(app): State<App>) -> Response {
    axum::Json(app.counters()).into_response()
}

/// GET /_emulator/events: the events emitted so far.
pub async fn events(State(app): State<App>) -> Response {
    axum::Json(app.events()).into_response()
}

/// GET /_emulator/predictions: each asset's predictions, their
/// confidences and decisions, and its revision.
pub async fn predictions(State(app): State<App>) -> Response {
    axum::Json(app.predictions()).into_response()
}

pub async fn health() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// POST /_emulator/clock `{"advanceSeconds": N}`: emulated time passes at once.
pub async fn clock(State(app): State<App>, body: Bytes) -> Response {
    let request = Request {
        body,
        ..Request::default()
    };
    let seconds = request.body().and_then(|body| {
        body.get("advanceSeconds")
            .and_then(Value::as_f64)
            .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
            .ok_or_else(|| {
                ApiError::validation("advanceSeconds", "must be a number of seconds, 0 or more")
            })
    });
    match seconds {
        Ok(seconds) => {
            app.advance_clock(seconds);
            axum::Json(json!({"advancedSeconds": seconds})).into_response()
        }
        Err(error) => respond(Err(error), 0, app.now()),
    }
}
