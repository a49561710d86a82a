//! DataZone's EventBridge events, emitted on run transitions: appended to a
//! JSON-lines file, POSTed to URLs, and kept for GET /_emulator/events.

use std::path::PathBuf;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use crate::clock::iso8601;

/// A status change worth an EventBridge event.
#[derive(Debug, Clone)]
pub struct Transition {
    pub detail_type: &'static str,
    pub domain_id: String,
    pub resource_id: String,
    pub type_name: &'static str,
    pub project_id: String,
    pub data: Value,
}

/// The EventBridge envelope of one transition.
pub fn envelope(
    transition: &Transition,
    event_id: String,
    at: i64,
    account_id: &str,
    region: &str,
) -> Value {
    json!({
        "version": "0",
        "id": event_id,
        "detail-type": transition.detail_type,
        "source": "aws.datazone",
        "account": account_id,
        "time": iso8601(at - at.rem_euclid(1000)),
        "region": region,
        "resources": [],
        "detail": {
            "version": "1",
            "metadata": {
                "id": transition.resource_id,
                "version": "1",
                "typeName": transition.type_name,
                "domain": transition.domain_id,
                "user": "datazone-local-user",
                "awsAccountId": account_id,
                "owningProjectId": transition.project_id,
            },
            "data": transition.data,
        }
    })
}

/// Where events go, fed through a channel so requests never wait on delivery.
pub struct EventSinks {
    pub file: Option<PathBuf>,
    pub urls: Vec<String>,
    /// The detail-types the URLs receive (empty: all).
    pub url_detail_types: Vec<String>,
}

/// Delivery results, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    Failed,
}

/// Delivers events in order until the sender side closes.
pub async fn deliver(
    sinks: EventSinks,
    mut events: mpsc::UnboundedReceiver<Value>,
    report: impl Fn(Delivery) + Send + 'static,
) {
    let mut file = match &sinks.file {
        Some(path) => match tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .await
        {
            Ok(file) => Some(file),
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "cannot open the events file; events will not be written to it");
                None
            }
        },
        None => None,
    };
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    while let Some(event) = events.recv().await {
        let line = event.to_string();
        if let Some(file) = file.as_mut() {
            let written = file.write_all(format!("{line}\n").as_bytes()).await;
            let written = match written {
                Ok(()) => file.flush().await,
                Err(error) => Err(error),
            };
            report(if written.is_ok() {
                Delivery::Delivered
            } else {
                Delivery::Failed
            });
        }
        let matched = sinks.url_detail_types.is_empty()
            || event["detail-type"]
                .as_str()
                .is_some_and(|detail_type| sinks.url_detail_types.iter().any(|t| t == detail_type));
        for url in sinks.urls.iter().filter(|_| matched) {
            let outcome = post(&client, url, line.clone()).await;
            match &outcome {
                Ok(status) if status.is_success() => report(Delivery::Delivered),
                Ok(status) => {
                    tracing::warn!(%url, %status, detail_type = %event["detail-type"], "event target answered with an error");
                    report(Delivery::Failed);
                }
                Err(error) => {
                    tracing::warn!(%url, %error, "event could not be delivered");
                    report(Delivery::Failed);
                }
            }
        }
    }
}

async fn post(
    client: &Client<HttpConnector, Full<Bytes>>,
    url: &str,
    body: String,
) -> Result<hyper::StatusCode, String> {
    let request = hyper::Request::post(url)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| error.to_string())?;
    let response = client
        .request(request)
        .await
        .map_err(|error| error.to_string())?;
    let status = response.status();
    // Drain the body so the connection can be reused.
    let _ = response.into_body().collect().await;
    Ok(status)
}
