//! The chain's S3-compatible server (moto's): starting it, creating the
//! template's buckets, and reading objects back as any reader would.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::http::{agent, exchange};
use crate::moto_server;
use crate::process::{Running, free_port, log_file, wait_for_port};

/// Starts moto's S3-compatible server on a free port; returns it and its endpoint.
pub(crate) fn start_s3(logs: &Path) -> (Running, String) {
    let port = free_port();
    let server = Running(
        Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(log_file(logs, "moto-server"))
            .stderr(log_file(logs, "moto-server.err"))
            .spawn()
            .expect("moto_server starts"),
    );
    wait_for_port(port, "moto_server");
    (server, format!("http://127.0.0.1:{port}"))
}

/// Creates `bucket`, as the stack would: PUT /bucket (path style).
pub(crate) fn create_bucket(endpoint: &str, bucket: &str) {
    let (status, body) = exchange(agent().put(format!("{endpoint}/{bucket}")).send_empty());
    assert!(
        status == 200 || status == 409,
        "bucket {bucket} not created: {status} {body}"
    );
}

/// The JSON object at `s3://bucket/key` (e.g. a harvest report), read
/// with the S3 client as any reader would.
pub(crate) fn read_object(endpoint: &str, location: &str) -> Value {
    let (bucket, key) = location
        .strip_prefix("s3://")
        .and_then(|path| path.split_once('/'))
        .unwrap_or_else(|| panic!("{location:?} is no s3://bucket/key location"));
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "AKIDLOCALREADER",
            "local-secret",
            None,
            None,
            "local-flow",
        ))
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for one S3 call");
    let bytes = runtime.block_on(async {
        let object = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|error| panic!("{location}: {error:?}"));
        object
            .body
            .collect()
            .await
            .expect("the object's body")
            .into_bytes()
    });
    serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("{location}: {error}"))
}
