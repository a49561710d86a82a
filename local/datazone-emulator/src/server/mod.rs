//! HTTP: the pipeline every request goes through (latency, signature, IAM,
//! faults, the operation, events, counters); DataZone's routes in
//! [`routes`], the emulator's own endpoints in [`admin`]. Request parsing
//! is beside the server, in `crate::request`.

mod admin;

pub mod routes;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::authorization::{Caller, Mode, Principals, Signature};
use crate::clock::{Millis, http_date};
use crate::events::{Delivery, envelope};
use crate::faults::{Faults, OutageAnswer, Verdict};
use crate::request::Request;
use crate::store::Store;
pub use routes::{Route, router};

/// How many emitted events GET /_emulator/events keeps.
const EVENTS_KEPT: usize = 10_000;

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationCount {
    total: u64,
    by_status: BTreeMap<u16, u64>,
    /// The most requests seen within one emulated second, whatever their
    /// answer.
    peak_per_second: u64,
    /// The most requests seen within ten emulated seconds: a sustained
    /// rate, which a moment's network jitter does not bend.
    peak_per_ten_seconds: u64,
    /// Emulated times of the requests of the last ten emulated seconds.
    #[serde(skip)]
    recent: VecDeque<Millis>,
}

impl OperationCount {
    fn record(&mut self, status: u16, at: Millis) {
        self.total += 1;
        *self.by_status.entry(status).or_default() += 1;
        while self
            .recent
            .front()
            .is_some_and(|first| at - first >= 10_000)
        {
            self.recent.pop_front();
        }
        self.recent.push_back(at);
        let last_second = self
            .recent
            .iter()
            .rev()
            .take_while(|t| at - **t < 1000)
            .count();
        self.peak_per_second = self.peak_per_second.max(last_second as u64);
        self.peak_per_ten_seconds = self.peak_per_ten_seconds.max(self.recent.len() as u64);
    }
}

#[derive(Debug, Default, Serialize)]
struct EventCount {
    emitted: u64,
    delivered: u64,
    failed: u64,
    /// Lost on their way, as `--drop-events` asks.
    dropped: u64,
}

#[derive(Debug, Default, Serialize)]
struct Counters {
    operations: BTreeMap<&'static str, OperationCount>,
    events: EventCount,
}

struct Shared {
    authorization: Mode,
    principals: Principals,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    counters: Mutex<Counters>,
    events: Mutex<Vec<Value>>,
    /// `None` once closed: delivery then drains what is queued and ends.
    sink: Mutex<Option<mpsc::UnboundedSender<Value>>>,
    requests: AtomicU64,
}

/// The emulator's state, shared by the routes, the ticker and the sinks.
#[derive(Clone)]
pub struct App(Arc<Shared>);

/// A poisoned lock only means another request panicked mid-way; the state
/// itself is still consistent enough to serve.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl App {
    pub fn new(
        (authorization, principals): (Mode, Principals),
        store: Store,
        faults: Faults,
        sink: mpsc::UnboundedSender<Value>,
    ) -> Self {
        Self(Arc::new(Shared {
            authorization,
            principals,
            store: Mutex::new(store),
            faults: Mutex::new(faults),
            counters: Mutex::new(Counters::default()),
            events: Mutex::new(Vec::new()),
            sink: Mutex::new(Some(sink)),
            requests: AtomicU64::new(0),
        }))
    }

    pub fn rate_limits(&self) -> BTreeMap<String, f64> {
        lock(&self.0.faults)
            .rate_limits()
            .into_iter()
            .map(|(op, rate)| (op.to_owned(), rate))
            .collect()
    }

    pub fn counters(&self) -> Value {
        serde_json::to_value(&*lock(&self.0.counters)).unwrap_or_default()
    }

    /// Emulated now.
    pub fn now(&self) -> Millis {
        lock(&self.0.store).now()
    }

    /// Each asset's predictions, once what has ended made them.
    pub fn predictions(&self) -> Value {
        self.tick();
        lock(&self.0.store).predictions_report()
    }

    pub fn events(&self) -> Vec<Value> {
        lock(&self.0.events).clone()
    }

    /// Stops queuing events for delivery.
    pub fn close_event_sink(&self) {
        lock(&self.0.sink).take();
    }

    pub fn record_delivery(&self, delivery: Delivery) {
        let mut counters = lock(&self.0.counters);
        match delivery {
            Delivery::Delivered => counters.events.delivered += 1,
            Delivery::Failed => counters.events.failed += 1,
        }
    }

    /// Lets `emulated_seconds` pass at once, and emits the events of what
    /// they finished.
    pub fn advance_clock(&self, emulated_seconds: f64) {
        let mut store = lock(&self.0.store);
        store.advance_clock(emulated_seconds);
        let now = store.now();
        self.publish(&mut store, now);
    }

    /// Emits the events of transitions that happened since the last tick.
    pub fn tick(&self) {
        let mut store = lock(&self.0.store);
        let now = store.now();
        self.publish(&mut store, now);
    }

    fn publish(&self, store: &mut Store, now: Millis) {
        let transitions = store.advance(now);
        if transitions.is_empty() {
            return;
        }
        let mut kept = lock(&self.0.events);
        let mut dropped = 0;
        for transition in &transitions {
            let event_id = store.new_event_id();
            let event = envelope(
                transition,
                event_id,
                now,
                store.account_id(),
                store.region(),
            );
            tracing::info!(
                detail_type = transition.detail_type,
                domain_id = %transition.domain_id,
                id = %transition.resource_id,
                "event emitted"
            );
            if lock(&self.0.faults).drop_event() {
                dropped += 1;
            } else if let Some(sink) = lock(&self.0.sink).as_ref() {
                // Delivery only ends after the sink is closed, so this cannot fail.
                let _ = sink.send(event.clone());
            }
            if kept.len() < EVENTS_KEPT {
                kept.push(event);
            }
        }
        let mut counters = lock(&self.0.counters);
        counters.events.emitted += transitions.len() as u64;
        counters.events.dropped += dropped;
    }

    /// Runs one operation: latency, signature, IAM, faults, the operation
    /// (which checks project membership), events, counters.
    async fn call(&self, route: &Route, headers: &HeaderMap, request: &Request) -> Response {
        let operation = route.operation;
        let domain = request.params.get("domainIdentifier").map(String::as_str);
        let latency = lock(&self.0.faults).latency();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let arrived = lock(&self.0.store).now();
        let result = Signature::from_headers(headers)
            .and_then(|signature| self.caller(&signature, operation, domain))
            .and_then(|caller| {
                self.judge(operation, arrived)?;
                let mut store = lock(&self.0.store);
                let now = store.now();
                // Transitions due before this request are emitted before its own.
                self.publish(&mut store, now);
                let result = (route.run)(&mut store, request, now, caller);
                self.publish(&mut store, now);
                result
            });
        let request_id = self.0.requests.fetch_add(1, Ordering::Relaxed);
        let answered = lock(&self.0.store).now();
        let response = respond(result, request_id, answered);
        let status = response.status().as_u16();
        lock(&self.0.counters)
            .operations
            .entry(operation)
            .or_default()
            .record(status, arrived);
        if status >= 400 {
            let error_type = response
                .headers()
                .get("x-amzn-ErrorType")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default();
            tracing::info!(operation, status, error_type, "request refused");
        } else {
            tracing::info!(operation, status, "request served");
        }
        response
    }

    /// The IAM half of authorization; the operation does the project half.
    fn caller(
        &self,
        signature: &Signature,
        operation: &str,
        domain: Option<&str>,
    ) -> ApiResult<Caller<'_>> {
        if self.0.authorization == Mode::Off {
            return Ok(Caller::Anyone);
        }
        let resource = match domain {
            Some(domain) => {
                let store = lock(&self.0.store);
                format!(
                    "arn:aws:datazone:{}:{}:domain/{domain}",
                    store.region(),
                    store.account_id()
                )
            }
            None => "*".to_owned(),
        };
        self.0
            .principals
            .authorize(signature, operation, &resource)
            .map(Caller::Principal)
    }

    fn judge(&self, operation: &str, now: Millis) -> ApiResult<()> {
        match lock(&self.0.faults).judge(operation, now) {
            Verdict::Proceed => Ok(()),
            Verdict::Throttle => Err(ApiError::new(
                ErrorShape::Throttling,
                format!("Rate exceeded for {operation}"),
            )),
            Verdict::FailInternally => Err(ApiError::new(
                ErrorShape::InternalServer,
                "An internal error occurred (injected by datazone-local)",
            )),
            Verdict::Outage(answer) => Err(ApiError::new(
                match answer {
                    OutageAnswer::InternalServerException => ErrorShape::InternalServer,
                    OutageAnswer::ThrottlingException => ErrorShape::Throttling,
                },
                "The service is unavailable (an outage injected by datazone-local)",
            )),
        }
    }
}

/// The answer to one request, with the headers AWS sends on every answer:
/// the request id, and the `Date` by the emulator's (emulated) clock.
fn respond(result: ApiResult<Value>, request_id: u64, answered: Millis) -> Response {
    let request_id = HeaderValue::from_str(&format!("datazone-local-{request_id:012}"))
        .unwrap_or(HeaderValue::from_static("datazone-local"));
    let date = HeaderValue::from_str(&http_date(answered))
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"));
    let mut response = match result {
        Ok(body) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            [("x-amzn-RequestId", request_id)],
            body.to_string(),
        )
            .into_response(),
        Err(error) => (
            error.shape.status(),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            [
                (
                    "x-amzn-ErrorType",
                    HeaderValue::from_static(error.shape.name()),
                ),
                ("x-amzn-RequestId", request_id),
            ],
            json!({ "message": error.message }).to_string(),
        )
            .into_response(),
    };
    response.headers_mut().insert(header::DATE, date);
    response
}
