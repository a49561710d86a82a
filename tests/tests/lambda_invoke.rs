//! Every sample event, sent with `cargo lambda invoke` to the real function
//! binaries running under `cargo lambda watch`, against the emulator.

use std::process::Command;

use flow_tests::{STABLE_NAMES, sample_event_files};
use local_flow::{ChainOptions, LocalChain, cargo_lambda};
use serde_json::{Value, json};

fn scaled(time_scale: u32) -> ChainOptions {
    ChainOptions {
        emulator_args: vec!["--time-scale".into(), time_scale.to_string()],
        ..ChainOptions::default()
    }
}

fn cargo_lambda_invoke(
    chain: &LocalChain,
    function: &str,
    file: &std::path::Path,
) -> Result<Value, String> {
    let output = Command::new(cargo_lambda())
        .args(["lambda", "invoke", "-A", "127.0.0.1", "-P"])
        .arg(chain.invoke_port.to_string())
        .arg(function)
        .arg("--data-file")
        .arg(file)
        .output()
        .expect("cargo lambda invoke runs");
    if output.status.success() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        Ok(serde_json::from_str(stdout.trim())
            .unwrap_or_else(|error| panic!("{function}: not JSON ({error}): {stdout}")))
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn every_sample_event_gets_an_answer_from_its_function() {
    let chain = LocalChain::start(&scaled(1000));
    for function in local_flow::FUNCTIONS {
        for file in sample_event_files(function) {
            match cargo_lambda_invoke(&chain, function, &file) {
                Ok(output) => assert!(output.is_object(), "{}: {output}", file.display()),
                Err(stderr) => {
                    let name = stderr
                        .lines()
                        .find_map(|line| line.strip_prefix("Error: "))
                        .unwrap_or_else(|| panic!("{}: no error name in {stderr}", file.display()));
                    assert!(
                        STABLE_NAMES.contains(&name.trim()),
                        "{}: {stderr}",
                        file.display()
                    );
                    assert!(!stderr.contains("panic"), "{}: {stderr}", file.display());
                }
            }
        }
    }
}

#[test]
fn started_runs_are_followed_to_their_final_status_through_the_functions() {
    let chain = LocalChain::start(&scaled(10000));
    let started = chain
        .invoke(
            "start-runs",
            &json!({"domainId": "dzd_sales2026", "dataSourceIds": ["ds_orders", "ds_clickstream", "ds_finance"], "executionId": "exec-1"}),
        )
        .unwrap();
    assert_eq!(started["started"], 3, "{started}");
    let again = chain
        .invoke(
            "start-runs",
            &json!({"domainId": "dzd_sales2026", "dataSourceIds": ["ds_orders", "ds_clickstream", "ds_finance"], "executionId": "exec-1"}),
        )
        .unwrap();
    let first_ids: Vec<_> = started["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["runId"].clone())
        .collect();
    let again_ids: Vec<_> = again["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| run["runId"].clone())
        .collect();
    assert_eq!(
        first_ids, again_ids,
        "a repeated trigger starts nothing new"
    );
    assert_eq!(
        chain.counters()["operations"]["StartDataSourceRun"]["byStatus"]["200"]
            .as_u64()
            .unwrap_or(0)
            + chain.counters()["operations"]["StartDataSourceRun"]["byStatus"]["409"]
                .as_u64()
                .unwrap_or(0),
        chain.counters()["operations"]["StartDataSourceRun"]["total"]
            .as_u64()
            .unwrap()
    );

    let expected = [
        ("ds_orders", "SUCCEEDED"),
        ("ds_clickstream", "PARTIALLY_SUCCEEDED"),
        ("ds_finance", "FAILED"),
    ];
    for (run, (source, outcome)) in started["runs"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(run["dataSourceId"], source);
        let query =
            json!({"domainId": "dzd_sales2026", "runId": run["runId"], "executionId": "exec-1"});
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            let status = chain.invoke("run-status", &query).unwrap();
            if status["terminal"] == true {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{source} did not finish: {status}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(status["outcome"], outcome, "{status}");
    }

    let event_for_unknown_run = chain
        .invoke(
            "run-status",
            &json!({"domainId": "dzd_sales2026", "runId": "nosuchrun"}),
        )
        .unwrap_err();
    assert_eq!(
        event_for_unknown_run.error_type,
        "DataZone.ResourceNotFoundException"
    );
}

#[test]
fn bad_payloads_get_invalid_input_from_every_function() {
    let chain = LocalChain::start(&ChainOptions::default());
    for function in local_flow::FUNCTIONS {
        for payload in [
            &b"not json"[..],
            b"",
            b"[]",
            b"{}",
            b"{\"domainId\": 1}",
            b"{\"domainId\": \"dzd_x\", \"runId\": \"a b\"}",
        ] {
            let error = chain.invoke_raw(function, payload).unwrap_err();
            assert_eq!(
                error.error_type,
                "InvalidInput",
                "{function} {:?}: {error:?}",
                String::from_utf8_lossy(payload)
            );
        }
    }
}
