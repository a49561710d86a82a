//! Every sample event of every function through `sam local invoke`: the
//! functions as `sam build` built them (x86_64; release under
//! `scripts/test --release`, SAM CLI's debug mode otherwise), each run by SAM
//! CLI in a container of the Lambda base image, against the emulator and
//! the local S3 server listening on the Docker bridge's address, each
//! function with its own role's key, every answer checked by content as
//! `cargo lambda invoke`'s are (`flow_tests::samples`).
//!
//! It needs a Docker engine and `sam build`'s output, so `cargo test` skips
//! it; `scripts/test` runs it after both (`--ignored`), with `DOCKER_HOST`
//! and `SAM_LOCAL_HOST` (the bridge's address) from `start_docker`.

use std::path::{Path, PathBuf};
use std::process::Command;

use flow_tests::sample_event_files;
use flow_tests::samples::{FUNCTIONS, check_sample_answer};
use local_flow::{ChainOptions, LocalChain, workspace};
use serde_json::Value;

/// The template resource of a function binary: `start-runs` is `StartRunsFunction`.
fn logical_id(function: &str) -> String {
    let mut id: String = function
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    id.push_str("Function");
    id
}

/// The sample deployment's parameters, as `sam local invoke` takes them.
const PARAMETERS: [&str; 4] = [
    "DomainId=dzd_sales2026",
    "DataSourceIds=ds_orders,ds_clickstream,ds_finance",
    "ProjectIds=prj_salesdata",
    "Architecture=x86_64",
];

/// sam build's template, with the chain's endpoints added to every
/// function's environment, written beside it (its CodeUris are relative).
fn local_template(chain: &LocalChain) -> PathBuf {
    let built = workspace().join(".aws-sam/build/template.yaml");
    assert!(
        built.exists(),
        "{} is missing: run `sam build` first (scripts/test does)",
        built.display()
    );
    let local = built.with_file_name("template-local.json");
    let status = Command::new("node")
        .arg("--require")
        .arg(workspace().join("local/stepfunctions-runner/polyfill.cjs"))
        .arg(workspace().join("local/stepfunctions-runner/template-local.mjs"))
        .args(["sam-local", "--template"])
        .arg(&built)
        .arg("--out")
        .arg(&local)
        .arg("--env")
        .arg(format!(
            "AWS_ENDPOINT_URL_DATAZONE={}",
            chain.datazone_endpoint
        ))
        .arg("--env")
        .arg(format!("AWS_ENDPOINT_URL_S3={}", chain.s3_endpoint))
        .args(["--env", "REPORT_S3_PATH_STYLE=true"])
        // SAM CLI gives a Ref to a resource it does not create (the report
        // bucket) the resource's logical id: the bucket the chain created,
        // as the template's other readers name it.
        .args(["--env", "REPORT_BUCKET=local-reportbucket"])
        .args(
            PARAMETERS
                .iter()
                .flat_map(|parameter| ["--parameter", parameter]),
        )
        .status()
        .expect("node runs template-local.mjs");
    assert!(status.success(), "the local template was not written");
    local
}

/// The answer `sam local invoke` prints for `event`: its last line (SAM
/// CLI exits 0 when the function fails, so the answer is what tells).
fn sam_local_invoke(template: &Path, function: &str, access_key: &str, event: &Path) -> Value {
    let sam = workspace().join(".tools/venv/bin/sam");
    let output = Command::new(&sam)
        .args(["local", "invoke"])
        .arg(logical_id(function))
        .arg("--event")
        .arg(event)
        .arg("--template")
        .arg(template)
        .args(["--skip-pull-image", "--parameter-overrides"])
        .arg(PARAMETERS.join(" "))
        .current_dir(workspace())
        .env("AWS_ACCESS_KEY_ID", access_key)
        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .unwrap_or_else(|error| panic!("{} runs: {error}", sam.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let answer = stdout
        .lines()
        .rfind(|line| !line.trim().is_empty())
        .unwrap_or_default();
    let answer: Value = serde_json::from_str(answer).unwrap_or_else(|error| {
        panic!(
            "{function} {}: no JSON answer ({error}): {stdout}\n{}",
            event.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(
        answer.get("errorType").is_none(),
        "{function} {} failed: {answer}\n{}",
        event.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    answer
}

#[test]
#[ignore = "needs dockerd and sam build's output: scripts/test runs it"]
fn every_sample_event_gets_its_exact_answer_through_sam_local_invoke() {
    let host = std::env::var("SAM_LOCAL_HOST").expect(
        "SAM_LOCAL_HOST: the Docker bridge's address (scripts/test sets it with start_docker)",
    );
    let chain = LocalChain::start(&ChainOptions {
        listen_host: host,
        ..ChainOptions::default()
    });
    let template = local_template(&chain);
    let mut answered = 0;
    for function in FUNCTIONS {
        let access_key = chain
            .access_keys
            .iter()
            .find(|(name, _)| name == function)
            .map(|(_, key)| key.clone())
            .unwrap_or_else(|| panic!("the template deploys no {function}"));
        // The samples of the steps that follow a harvest are independent of
        // one another (each names its own harvest or run), so they are
        // invoked at once. start-runs' samples go one after the other: a
        // later one finds the runs an earlier one started. Functions go one
        // after the other, as a harvest's steps do.
        let files = sample_event_files(function);
        let at_once = if function == "start-runs" {
            1
        } else {
            files.len()
        };
        let outputs: Vec<Value> = files
            .chunks(at_once.max(1))
            .flat_map(|chunk| invoke_at_once(chunk, &template, function, &access_key))
            .collect();
        for (file, output) in files.iter().zip(&outputs) {
            check_sample_answer(&chain, function, file, output);
            answered += 1;
        }
    }
    assert_eq!(answered, 19, "every sample file");
}

/// Invokes `function` with each of `files` at once; the answers in order.
fn invoke_at_once(
    files: &[PathBuf],
    template: &Path,
    function: &str,
    access_key: &str,
) -> Vec<Value> {
    std::thread::scope(|scope| {
        let invocations: Vec<_> = files
            .iter()
            .map(|file| scope.spawn(move || sam_local_invoke(template, function, access_key, file)))
            .collect();
        invocations
            .into_iter()
            .map(|invocation| invocation.join().expect("an invocation"))
            .collect()
    })
}

#[test]
fn a_function_binary_names_its_template_resource() {
    assert_eq!(logical_id("start-runs"), "StartRunsFunction");
    assert_eq!(logical_id("metadata-status"), "MetadataStatusFunction");
}
