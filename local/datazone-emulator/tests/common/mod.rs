//! Starting emulators and clients for the tests.

#![allow(dead_code)] // Each test file uses its own part.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_datazone::Client;
use aws_sdk_datazone::config::retry::RetryConfig;
use aws_sdk_datazone::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_datazone::types::{MetadataGenerationRunTarget, MetadataGenerationTargetType};
use clap::Parser;
use datazone_local::{Emulator, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static FILES: AtomicUsize = AtomicUsize::new(0);

/// A fresh path in the system's temporary folder.
pub fn temp_path(name: &str) -> PathBuf {
    let unique = FILES.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "datazone-local-test-{}-{unique}-{name}",
        std::process::id()
    ))
}

/// The sample seed's administrator's policy: every DataZone action.
fn administrator(projects: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "accessKeyId": datazone_local::SAMPLE_ADMIN_ACCESS_KEY_ID,
        "arn": "arn:aws:iam::123456789012:user/datazone-local-admin",
        "policy": {"Statement": [{"Effect": "Allow", "Action": "datazone:*", "Resource": "*"}]},
        "memberships": projects
            .into_iter()
            .map(|project| serde_json::json!({"projectId": project, "designation": "PROJECT_OWNER"}))
            .collect::<Vec<_>>(),
    })
}

/// `seed` with the sample's administrator as owner of every project, when
/// it names no principals of its own: tests run with authorization enforced.
fn with_administrator(seed: &str) -> String {
    let mut seed: serde_json::Value = serde_json::from_str(seed).expect("a JSON seed");
    if seed.get("principals").is_none() {
        let projects = seed["domains"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|domain| domain["projects"].as_array().cloned().unwrap_or_default())
            .map(|project| project["id"].clone())
            .collect();
        seed["principals"] = serde_json::json!([administrator(projects)]);
    }
    seed.to_string()
}

/// An emulator on a free port with `args`; `seed` replaces the sample seed.
pub async fn emulator(args: &[&str], seed: Option<&str>) -> Emulator {
    let mut argv = vec![
        "datazone-local".to_owned(),
        "--listen".into(),
        "127.0.0.1:0".into(),
    ];
    argv.extend(args.iter().map(|arg| arg.to_string()));
    if let Some(seed) = seed {
        let path = temp_path("seed.json");
        std::fs::write(&path, with_administrator(seed)).unwrap();
        argv.push("--seed".into());
        argv.push(path.display().to_string());
    }
    datazone_local::start(&Options::parse_from(argv))
        .await
        .unwrap()
}

/// The unmodified SDK client, pointed at the emulator like any endpoint,
/// signing as the administrator.
pub fn client(emulator: &Emulator, max_attempts: u32) -> Client {
    client_as(
        emulator,
        datazone_local::SAMPLE_ADMIN_ACCESS_KEY_ID,
        max_attempts,
    )
}

/// The SDK client signing with `access_key_id`.
pub fn client_as(emulator: &Emulator, access_key_id: &str, max_attempts: u32) -> Client {
    let config = aws_sdk_datazone::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(emulator.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            access_key_id,
            "local-secret",
            None,
            None,
            "tests",
        ))
        .retry_config(RetryConfig::standard().with_max_attempts(max_attempts))
        .build();
    Client::from_conf(config)
}

/// A raw HTTP/1.1 exchange, to look at the wire itself. `signed` adds a
/// well-formed SigV4 Authorization header (the emulator checks its form).
pub async fn raw(
    emulator: &Emulator,
    method: &str,
    path: &str,
    signed: bool,
) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(emulator.address())
        .await
        .unwrap();
    let auth = if signed {
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLOCALADMIN/20261121/us-east-1/datazone/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=00\r\nX-Amz-Date: 20261121T000000Z\r\n"
    } else {
        ""
    };
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_owned())
}

/// A count from GET /_emulator/counters.
pub fn calls(emulator: &Emulator, operation: &str, status: u16) -> u64 {
    emulator.counters()["operations"][operation]["byStatus"][status.to_string()]
        .as_u64()
        .unwrap_or(0)
}

/// A metadata generation target: the asset `id`.
pub fn asset(id: impl Into<String>) -> MetadataGenerationRunTarget {
    MetadataGenerationRunTarget::builder()
        .r#type(MetadataGenerationTargetType::Asset)
        .identifier(id)
        .build()
        .expect("type and identifier are set")
}
