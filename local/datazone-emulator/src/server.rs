//! HTTP: DataZone's routes, and the pipeline every request goes through
//! (latency, SigV4 check, faults, the operation, events, counters).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::api_error::{ApiError, ApiResult, ErrorShape};
use crate::authorization::{Caller, Mode, Principals, Signature};
use crate::clock::Millis;
use crate::events::{Delivery, envelope};
use crate::faults::{Faults, Verdict};
use crate::store::{Query, Store};

/// Every DataZone operation the emulator serves.
pub const OPERATIONS: &[&str] = &[
    "StartDataSourceRun",
    "GetDataSourceRun",
    "ListDataSourceRuns",
    "ListDataSourceRunActivities",
    "GetDataSource",
    "ListDataSources",
    "StartMetadataGenerationRun",
    "GetMetadataGenerationRun",
    "ListMetadataGenerationRuns",
    "CancelMetadataGenerationRun",
    "ListDomains",
    "ListProjects",
];

/// How many emitted events GET /_emulator/events keeps.
const EVENTS_KEPT: usize = 10_000;

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationCount {
    total: u64,
    by_status: BTreeMap<u16, u64>,
}

#[derive(Debug, Default, Serialize)]
struct EventCount {
    emitted: u64,
    delivered: u64,
    failed: u64,
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
            if let Some(sink) = lock(&self.0.sink).as_ref() {
                // Delivery only ends after the sink is closed, so this cannot fail.
                let _ = sink.send(event.clone());
            }
            if kept.len() < EVENTS_KEPT {
                kept.push(event);
            }
        }
        lock(&self.0.counters).events.emitted += transitions.len() as u64;
    }

    /// Runs one operation: latency, signature, IAM, faults, the operation
    /// (which checks project membership), events, counters. `domain` is
    /// the domain in the request's path, if any.
    async fn call(
        &self,
        operation: &'static str,
        headers: &HeaderMap,
        domain: Option<&str>,
        run: impl FnOnce(&mut Store, Millis, Caller) -> ApiResult<Value>,
    ) -> Response {
        let latency = lock(&self.0.faults).latency;
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let result = Signature::from_headers(headers)
            .and_then(|signature| self.caller(&signature, operation, domain))
            .and_then(|caller| {
                self.judge(operation)?;
                let mut store = lock(&self.0.store);
                let now = store.now();
                // Transitions due before this request are emitted before its own.
                self.publish(&mut store, now);
                let result = run(&mut store, now, caller);
                self.publish(&mut store, now);
                result
            });
        let request_id = self.0.requests.fetch_add(1, Ordering::Relaxed);
        let response = respond(result, request_id);
        let status = response.status().as_u16();
        {
            let mut counters = lock(&self.0.counters);
            let count = counters.operations.entry(operation).or_default();
            count.total += 1;
            *count.by_status.entry(status).or_default() += 1;
        }
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

    fn judge(&self, operation: &str) -> ApiResult<()> {
        match lock(&self.0.faults).judge(operation) {
            Verdict::Proceed => Ok(()),
            Verdict::Throttle => Err(ApiError::new(
                ErrorShape::Throttling,
                format!("Rate exceeded for {operation}"),
            )),
            Verdict::FailInternally => Err(ApiError::new(
                ErrorShape::InternalServer,
                "An internal error occurred (injected by datazone-local)",
            )),
        }
    }
}

fn respond(result: ApiResult<Value>, request_id: u64) -> Response {
    let request_id = HeaderValue::from_str(&format!("datazone-local-{request_id:012}"))
        .unwrap_or(HeaderValue::from_static("datazone-local"));
    match result {
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
    }
}

fn query(raw: Option<String>) -> Query {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn json_body(body: &[u8]) -> ApiResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::validation("body", "must be a JSON object")),
        Err(error) => Err(ApiError::validation(
            "body",
            format!("is not valid JSON: {error}"),
        )),
    }
}

type DomainAndId = Path<(String, String)>;

async fn start_data_source_run(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.call(
        "StartDataSourceRun",
        &headers,
        Some(&domain),
        |store, now, caller| {
            store.start_data_source_run(&domain, &id, &json_body(&body)?, now, caller)
        },
    )
    .await
}

async fn list_data_source_runs(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call(
        "ListDataSourceRuns",
        &headers,
        Some(&domain),
        |store, now, caller| store.list_data_source_runs(&domain, &id, &query(raw), now, caller),
    )
    .await
}

async fn get_data_source_run(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    headers: HeaderMap,
) -> Response {
    app.call(
        "GetDataSourceRun",
        &headers,
        Some(&domain),
        |store, now, caller| store.get_data_source_run(&domain, &id, now, caller),
    )
    .await
}

async fn list_data_source_run_activities(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call(
        "ListDataSourceRunActivities",
        &headers,
        Some(&domain),
        |store, now, caller| {
            store.list_data_source_run_activities(&domain, &id, &query(raw), now, caller)
        },
    )
    .await
}

async fn get_data_source(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    headers: HeaderMap,
) -> Response {
    app.call(
        "GetDataSource",
        &headers,
        Some(&domain),
        |store, now, caller| store.get_data_source(&domain, &id, now, caller),
    )
    .await
}

async fn list_data_sources(
    State(app): State<App>,
    Path(domain): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call(
        "ListDataSources",
        &headers,
        Some(&domain),
        |store, now, caller| store.list_data_sources(&domain, &query(raw), now, caller),
    )
    .await
}

async fn start_metadata_generation_run(
    State(app): State<App>,
    Path(domain): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.call(
        "StartMetadataGenerationRun",
        &headers,
        Some(&domain),
        |store, now, caller| {
            store.start_metadata_generation_run(&domain, &json_body(&body)?, now, caller)
        },
    )
    .await
}

async fn get_metadata_generation_run(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call(
        "GetMetadataGenerationRun",
        &headers,
        Some(&domain),
        |store, now, caller| {
            store.get_metadata_generation_run(&domain, &id, &query(raw), now, caller)
        },
    )
    .await
}

async fn list_metadata_generation_runs(
    State(app): State<App>,
    Path(domain): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call(
        "ListMetadataGenerationRuns",
        &headers,
        Some(&domain),
        |store, now, caller| store.list_metadata_generation_runs(&domain, &query(raw), now, caller),
    )
    .await
}

async fn cancel_metadata_generation_run(
    State(app): State<App>,
    Path((domain, id)): DomainAndId,
    headers: HeaderMap,
) -> Response {
    app.call(
        "CancelMetadataGenerationRun",
        &headers,
        Some(&domain),
        |store, now, caller| store.cancel_metadata_generation_run(&domain, &id, now, caller),
    )
    .await
}

async fn list_domains(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call("ListDomains", &headers, None, |store, _, _| {
        store.list_domains(&query(raw))
    })
    .await
}

async fn list_projects(
    State(app): State<App>,
    Path(domain): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    app.call("ListProjects", &headers, Some(&domain), |store, _, _| {
        store.list_projects(&domain, &query(raw))
    })
    .await
}

async fn unknown_operation() -> Response {
    respond(
        Err(ApiError::new(
            ErrorShape::UnknownOperation,
            "no DataZone operation the emulator serves matches this method and path",
        )),
        0,
    )
}

async fn counters(State(app): State<App>) -> Response {
    axum::Json(app.counters()).into_response()
}

async fn events(State(app): State<App>) -> Response {
    axum::Json(app.events()).into_response()
}

/// POST /_emulator/clock `{"advanceSeconds": N}`: emulated time passes at once.
async fn clock(State(app): State<App>, body: Bytes) -> Response {
    let seconds = json_body(&body).and_then(|body| {
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
        Err(error) => respond(Err(error), 0),
    }
}

async fn health() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

pub fn router(app: App) -> Router {
    Router::new()
        .route("/v2/domains", get(list_domains))
        .route("/v2/domains/{domain}/projects", get(list_projects))
        .route("/v2/domains/{domain}/data-sources", get(list_data_sources))
        .route(
            "/v2/domains/{domain}/data-sources/{id}",
            get(get_data_source),
        )
        .route(
            "/v2/domains/{domain}/data-sources/{id}/runs",
            post(start_data_source_run).get(list_data_source_runs),
        )
        .route(
            "/v2/domains/{domain}/data-source-runs/{id}",
            get(get_data_source_run),
        )
        .route(
            "/v2/domains/{domain}/data-source-runs/{id}/activities",
            get(list_data_source_run_activities),
        )
        .route(
            "/v2/domains/{domain}/metadata-generation-runs",
            post(start_metadata_generation_run).get(list_metadata_generation_runs),
        )
        .route(
            "/v2/domains/{domain}/metadata-generation-runs/{id}",
            get(get_metadata_generation_run),
        )
        .route(
            "/v2/domains/{domain}/metadata-generation-runs/{id}/cancel",
            post(cancel_metadata_generation_run),
        )
        .route("/_emulator/counters", get(counters))
        .route("/_emulator/events", get(events))
        .route("/_emulator/health", get(health))
        .route("/_emulator/clock", post(clock))
        .fallback(unknown_operation)
        .method_not_allowed_fallback(unknown_operation)
        .with_state(app)
}
