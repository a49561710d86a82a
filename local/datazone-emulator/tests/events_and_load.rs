//! Emitted events, the command line, and many clients at once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_datazone::types::MetadataGenerationRunType;
use axum::routing::post;
use common::{asset, calls, client, emulator, temp_path};
use serde_json::{Value, json};

const DOMAIN: &str = "dzd_sales2026";

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A local HTTP endpoint that keeps what is POSTed to it.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = received.clone();
    let app = axum::Router::new().route(
        "/2015-03-31/functions/run-status/invocations",
        post(move |body: axum::Json<Value>| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push(body.0);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/2015-03-31/functions/run-status/invocations",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn run_transitions_emit_datazone_events_to_file_and_url() {
    let file = temp_path("events.jsonl");
    let (url, received) = receiver().await;
    let emulator = emulator(
        &[
            "--time-scale",
            "10000",
            "--events-file",
            file.to_str().unwrap(),
            "--events-url",
            &url,
        ],
        None,
    )
    .await;
    let client = client(&emulator, 1);
    let run = client
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_finance")
        .send()
        .await
        .unwrap();
    wait_until("two events posted", || received.lock().unwrap().len() >= 2).await;

    let posted = received.lock().unwrap().clone();
    let detail_types: Vec<_> = posted
        .iter()
        .map(|event| event["detail-type"].as_str().unwrap())
        .collect();
    assert_eq!(
        detail_types,
        ["Data Source Run Triggered", "Data Source Run Failed"]
    );
    for event in &posted {
        assert_eq!(event["source"], "aws.datazone");
        assert_eq!(event["detail"]["metadata"]["id"], run.id());
        assert_eq!(event["detail"]["metadata"]["domain"], DOMAIN);
        assert_eq!(event["detail"]["data"]["dataSourceId"], "ds_finance");
    }
    emulator_events_match(&emulator, &posted);
    emulator.stop().await;

    let lines: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines, posted);
}

fn emulator_events_match(emulator: &datazone_local::Emulator, posted: &[Value]) {
    assert_eq!(emulator.events(), posted);
    assert_eq!(
        emulator.counters()["events"]["emitted"],
        json!(posted.len())
    );
}

#[tokio::test]
async fn metadata_generation_outcomes_emit_their_events() {
    let emulator = emulator(&["--time-scale", "10000"], None).await;
    let client = client(&emulator, 1);
    let run = client
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_orders")
        .send()
        .await
        .unwrap();
    wait_until("the harvest to finish", || emulator.events().len() >= 2).await;
    for asset_id in ["ast_orders", "ast_customers"] {
        client
            .start_metadata_generation_run()
            .domain_identifier(DOMAIN)
            .owning_project_identifier("prj_salesdata")
            .types(MetadataGenerationRunType::BusinessDescriptions)
            .target(asset(asset_id))
            .send()
            .await
            .unwrap();
    }
    wait_until("metadata events", || emulator.events().len() >= 4).await;
    let detail_types: Vec<_> = emulator
        .events()
        .iter()
        .map(|event| event["detail-type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        detail_types[..2],
        ["Data Source Run Triggered", "Data Source Run Succeeded"]
    );
    let mut metadata_types = detail_types[2..].to_vec();
    metadata_types.sort();
    assert_eq!(
        metadata_types,
        [
            "Metadata Generation Failed",
            "Metadata Generation Succeeded"
        ]
    );
    assert_eq!(emulator.events()[1]["detail"]["metadata"]["id"], run.id());
    emulator.stop().await;
}

#[tokio::test]
async fn two_hundred_concurrent_clients_lose_nothing() {
    const CLIENTS: usize = 200;
    let sources: Vec<_> = (0..CLIENTS)
        .map(|i| json!({"id": format!("src{i}"), "name": format!("src{i}"), "projectId": "p"}))
        .collect();
    let assets: Vec<_> = (0..CLIENTS).map(|i| format!("asset{i}")).collect();
    let seed =
        json!({"domains": [{"id": DOMAIN, "name": "d", "projects": [{"id": "p", "name": "p"}],
        "dataSources": sources, "assets": assets}]})
        .to_string();
    let emulator = emulator(
        &[
            "--rate-limit",
            "StartDataSourceRun=100000",
            "--rate-limit",
            "StartMetadataGenerationRun=100000",
        ],
        Some(&seed),
    )
    .await;
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            // Each task is its own client, with its own connections.
            let client = client(&emulator, 1);
            tokio::spawn(async move {
                let run = client
                    .start_data_source_run()
                    .domain_identifier(DOMAIN)
                    .data_source_identifier(format!("src{i}"))
                    .client_token(format!("token-{i}"))
                    .send()
                    .await
                    .expect("start");
                let fetched = client
                    .get_data_source_run()
                    .domain_identifier(DOMAIN)
                    .identifier(run.id())
                    .send()
                    .await
                    .expect("get");
                assert_eq!(fetched.data_source_id(), format!("src{i}"));
                let listed = client
                    .list_data_source_runs()
                    .domain_identifier(DOMAIN)
                    .data_source_identifier(format!("src{i}"))
                    .send()
                    .await
                    .expect("list");
                assert_eq!(listed.items().len(), 1);
                client
                    .start_metadata_generation_run()
                    .domain_identifier(DOMAIN)
                    .owning_project_identifier("p")
                    .types(MetadataGenerationRunType::BusinessNames)
                    .target(asset(format!("asset{i}")))
                    .send()
                    .await
                    .expect("start metadata generation");
                run.id().to_owned()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(
            task.await
                .expect("no client saw a malformed answer or an error"),
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CLIENTS, "every run has its own id");
    let all_metadata = client(&emulator, 1)
        .list_metadata_generation_runs()
        .domain_identifier(DOMAIN)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(all_metadata.len(), CLIENTS, "no update was lost");
    for operation in [
        "StartDataSourceRun",
        "GetDataSourceRun",
        "ListDataSourceRuns",
        "StartMetadataGenerationRun",
    ] {
        assert_eq!(
            calls(&emulator, operation, 200),
            CLIENTS as u64,
            "{operation}"
        );
    }
    emulator.stop().await;
}

#[tokio::test]
async fn the_binary_prints_its_address_first_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let help = Command::new(env!("CARGO_BIN_EXE_datazone-local"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--listen",
        "--seed",
        "--time-scale",
        "--random-seed",
        "--events-file",
        "--events-url",
        "--rate-limit",
        "--internal-error-rate",
        "--latency-ms",
        "--account-id",
        "--region",
        "--json-logs",
    ] {
        assert!(help.contains(flag), "--help documents {flag}");
    }

    let mut child = Command::new(env!("CARGO_BIN_EXE_datazone-local"))
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    assert!(
        first_line.starts_with("listening on http://127.0.0.1:"),
        "{first_line}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");

    let bad = Command::new(env!("CARGO_BIN_EXE_datazone-local"))
        .args(["--time-scale", "0"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
}
