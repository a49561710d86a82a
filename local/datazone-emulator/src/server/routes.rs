//! DataZone's routes, as the service model states them: one table, one
//! handler. Path parameters carry the model's member names.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawPathParams, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{MethodFilter, get, on, post};
use serde_json::Value;

use super::{App, admin};
use crate::api_error::ApiResult;
use crate::authorization::Caller;
use crate::clock::Millis;
use crate::request::{Request, query};
use crate::store::Store;

/// What an operation does with the store.
type Operation = fn(&mut Store, &Request, Millis, Caller<'_>) -> ApiResult<Value>;

/// One operation of the service model: its name, HTTP binding and code.
pub struct Route {
    pub operation: &'static str,
    pub method: Method,
    pub path: &'static str,
    pub run: Operation,
}

const RUNS: &str = "/v2/domains/{domainIdentifier}/data-sources/{dataSourceIdentifier}/runs";
const RUN: &str = "/v2/domains/{domainIdentifier}/data-source-runs/{identifier}";
const METADATA_RUNS: &str = "/v2/domains/{domainIdentifier}/metadata-generation-runs";

/// Every operation the emulator serves.
pub const ROUTES: &[Route] = &[
    Route {
        operation: "StartDataSourceRun",
        method: Method::POST,
        path: RUNS,
        run: |store, request, now, caller| store.start_data_source_run(request, now, caller),
    },
    Route {
        operation: "GetDataSourceRun",
        method: Method::GET,
        path: RUN,
        run: |store, request, now, caller| store.get_data_source_run(request, now, caller),
    },
    Route {
        operation: "ListDataSourceRuns",
        method: Method::GET,
        path: RUNS,
        run: |store, request, now, caller| store.list_data_source_runs(request, now, caller),
    },
    Route {
        operation: "ListDataSourceRunActivities",
        method: Method::GET,
        path: "/v2/domains/{domainIdentifier}/data-source-runs/{identifier}/activities",
        run: |store, request, now, caller| {
            store.list_data_source_run_activities(request, now, caller)
        },
    },
    Route {
        operation: "GetDataSource",
        method: Method::GET,
        path: "/v2/domains/{domainIdentifier}/data-sources/{dataSourceIdentifier}",
        run: |store, request, now, caller| store.get_data_source(request, now, caller),
    },
    Route {
        operation: "ListDataSources",
        method: Method::GET,
        path: "/v2/domains/{domainIdentifier}/data-sources",
        run: |store, request, now, caller| store.list_data_sources(request, now, caller),
    },
    Route {
        operation: "StartMetadataGenerationRun",
        method: Method::POST,
        path: METADATA_RUNS,
        run: |store, request, now, caller| {
            store.start_metadata_generation_run(request, now, caller)
        },
    },
    Route {
        operation: "GetMetadataGenerationRun",
        method: Method::GET,
        path: "/v2/domains/{domainIdentifier}/metadata-generation-runs/{identifier}",
        run: |store, request, now, caller| store.get_metadata_generation_run(request, now, caller),
    },
    Route {
        operation: "ListMetadataGenerationRuns",
        method: Method::GET,
        path: METADATA_RUNS,
        run: |store, request, now, caller| {
            store.list_metadata_generation_runs(request, now, caller)
        },
    },
    Route {
        operation: "CancelMetadataGenerationRun",
        method: Method::POST,
        path: "/v2/domains/{domainIdentifier}/metadata-generation-runs/{identifier}/cancel",
        run: |store, request, now, caller| {
            store.cancel_metadata_generation_run(request, now, caller)
        },
    },
    Route {
        operation: "ListDomains",
        method: Method::GET,
        path: "/v2/domains",
        run: |store, request, _, _| store.list_domains(request),
    },
    Route {
        operation: "ListProjects",
        method: Method::GET,
        path: "/v2/domains/{domainIdentifier}/projects",
        run: |store, request, _, _| store.list_projects(request),
    },
    Route {
        operation: "AcceptPredictions",
        method: Method::PUT,
        path: "/v2/domains/{domainIdentifier}/assets/{identifier}/accept-predictions",
        run: |store, request, now, caller| store.accept_predictions(request, now, caller),
    },
    Route {
        operation: "RejectPredictions",
        method: Method::PUT,
        path: "/v2/domains/{domainIdentifier}/assets/{identifier}/reject-predictions",
        run: |store, request, now, caller| store.reject_predictions(request, now, caller),
    },
];

/// Runs `route` for one HTTP request.
async fn serve(
    route: &'static Route,
    app: App,
    params: RawPathParams,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request {
        params: params
            .iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect::<HashMap<_, _>>(),
        query: query(raw.as_deref()),
        body,
    };
    app.call(route, &headers, &request).await
}

pub fn router(app: App) -> Router {
    let mut router = Router::new();
    for route in ROUTES {
        let filter = match route.method {
            Method::POST => MethodFilter::POST,
            Method::PUT => MethodFilter::PUT,
            _ => MethodFilter::GET,
        };
        router = router.route(
            route.path,
            on(
                filter,
                move |State(app): State<App>, params, raw, headers, body| {
                    serve(route, app, params, raw, headers, body)
                },
            ),
        );
    }
    router
        .route("/_emulator/counters", get(admin::counters))
        .route("/_emulator/events", get(admin::events))
        .route("/_emulator/health", get(admin::health))
        .route("/_emulator/clock", post(admin::clock))
        .route("/_emulator/predictions", get(admin::predictions))
        .fallback(admin::unknown_operation)
        .method_not_allowed_fallback(admin::unknown_operation)
        .with_state(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_serves_every_operation_of_the_model_once() {
        let served: Vec<&str> = ROUTES.iter().map(|route| route.operation).collect();
        assert_eq!(served, crate::model::OPERATIONS);
    }
}
