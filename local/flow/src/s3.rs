//! The chain's S3 server: `local/s3-server/s3_local.py`, moto's S3 behind
//! S3's authorization, each function's template role enforced as S3 would
//! (README, "The local S3 server"); creating the template's buckets and
//! reading objects back, as the stack's operator.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::process::{Running, spawn_listening};
use crate::{local_python, workspace};

/// The access key of the chain's operator: it creates the stack's buckets
/// and reads reports back, as a person with `s3:*` in the account would.
const OPERATOR_KEY: &str = "AKIDLOCALOPERATOR";

/// Starts the S3 server on a free port of `host`, authorizing the `principals` (the
/// functions' roles, as the template deploys them) and the chain's
/// operator; returns it and its endpoint.
pub(crate) fn start_s3(logs: &Path, principals: &Value, host: &str) -> (Running, String) {
    let mut principals = principals.as_array().cloned().unwrap_or_default();
    principals.push(json!({
        "accessKeyId": OPERATOR_KEY,
        "arn": format!("arn:aws:iam::{}:user/local-operator", crate::LOCAL_ACCOUNT),
        "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
    }));
    let file = logs.join("s3-principals.json");
    std::fs::write(&file, Value::Array(principals).to_string()).expect("the S3 principals file");
    spawn_listening(
        Command::new(local_python())
            .arg(workspace().join("local/s3-server/s3_local.py"))
            .args(["--host", host, "--port", "0", "--principals"])
            .arg(&file),
        "s3-local",
        logs,
    )
}

/// An S3 client of the operator, path-style, at `endpoint`.
fn operator_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            OPERATOR_KEY,
            "local-secret",
            None,
            None,
            "local-flow",
        ))
        .force_path_style(true)
        .http_client(datazone_adapter::client::https_client())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// Runs one S3 call of the operator to its end.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for one S3 call")
        .block_on(future)
}

/// Creates `bucket`, as the stack would.
pub(crate) fn create_bucket(endpoint: &str, bucket: &str) {
    let client = operator_client(endpoint);
    block_on(async {
        client
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .unwrap_or_else(|error| panic!("bucket {bucket} not created: {error:?}"));
    });
}

/// The JSON object at `s3://bucket/key` (e.g. a harvest report), read
/// with the S3 client as the operator would.
pub(crate) fn read_object(endpoint: &str, location: &str) -> Value {
    let bytes = read_bytes(endpoint, location);
    serde_json::from_slice(&bytes).unwrap_or_else(|error| panic!("{location}: {error}"))
}

/// The bucket and key of `s3://bucket/key`.
fn bucket_and_key(location: &str) -> (&str, &str) {
    location
        .strip_prefix("s3://")
        .and_then(|path| path.split_once('/'))
        .unwrap_or_else(|| panic!("{location:?} is no s3://bucket/key location"))
}

/// Puts `bytes` at `s3://bucket/key`, as the operator would (a test puts a
/// record back as it was before a step, as if the step never saved it).
pub(crate) fn write_bytes(endpoint: &str, location: &str, bytes: Vec<u8>) {
    let (bucket, key) = bucket_and_key(location);
    let client = operator_client(endpoint);
    block_on(async {
        client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(bytes.into())
            .send()
            .await
            .unwrap_or_else(|error| panic!("{location}: {error:?}"));
    });
}

/// The bytes of the object at `s3://bucket/key`.
pub(crate) fn read_bytes(endpoint: &str, location: &str) -> Vec<u8> {
    let (bucket, key) = bucket_and_key(location);
    let client = operator_client(endpoint);
    let bytes = block_on(async {
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
    bytes.to_vec()
}
