//! Every sample event, sent with `cargo lambda invoke` to the real function
//! binaries running under `cargo lambda watch`, against the emulator.

use std::process::Command;

use flow_tests::sample_event_files;
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

/// Start actions by data source, as a start-runs answer reports them.
fn actions(output: &Value) -> Vec<(String, String)> {
    output["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| {
            (
                run["dataSourceId"].as_str().unwrap().to_owned(),
                run["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every sample names what the sample seed has (run `bd1qd8gj2ns3zr`,
/// metadata generation run `mg7kq2x9t4wz1p`, the sample's data sources), so
/// each gets an exact answer. At time scale 1 the runs the starter samples
/// start stay active while the next samples are sent, in file order.
#[test]
fn every_sample_event_gets_its_exact_answer_from_its_function() {
    let chain = LocalChain::start(&scaled(1));
    let mut answered = 0;
    for function in local_flow::FUNCTIONS {
        for file in sample_event_files(function) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let output = cargo_lambda_invoke(&chain, function, &file)
                .unwrap_or_else(|error| panic!("{function} {name}: {error}"));
            let sample: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
            let origin = match sample.get("detail-type") {
                Some(detail_type) => {
                    json!({"kind": "event", "eventId": sample["id"], "detailType": detail_type})
                }
                None => json!({"kind": "query"}),
            };
            match (*function, name.as_str()) {
                ("start-runs", "schedule-constant-input.json") => {
                    assert_eq!(actions(&output), [("ds_orders".into(), "started".into())]);
                }
                ("start-runs", "scheduled-event.json") => assert_eq!(
                    actions(&output),
                    [
                        ("ds_orders".into(), "already-active".into()),
                        ("ds_clickstream".into(), "started".into()),
                        ("ds_finance".into(), "started".into())
                    ]
                ),
                ("start-runs", "step-functions-input.json") => assert_eq!(
                    (output["started"].clone(), output["alreadyActive"].clone()),
                    (json!(0), json!(3)),
                    "{output}"
                ),
                ("run-status", _) => {
                    assert_eq!(
                        (
                            &output["runId"],
                            &output["dataSourceId"],
                            &output["status"],
                            &output["outcome"],
                            &output["terminal"]
                        ),
                        (
                            &json!("bd1qd8gj2ns3zr"),
                            &json!("ds_orders"),
                            &json!("SUCCESS"),
                            &json!("SUCCEEDED"),
                            &json!(true)
                        ),
                        "{name}: {output}"
                    );
                    assert_eq!(output["assetStatistics"]["added"], 2, "{name}");
                    assert_eq!(output["origin"], origin, "{name}");
                }
                ("metadata-status", _) => {
                    assert_eq!(
                        (
                            &output["runId"],
                            &output["status"],
                            &output["outcome"],
                            &output["target"]["identifier"]
                        ),
                        (
                            &json!("mg7kq2x9t4wz1p"),
                            &json!("SUCCEEDED"),
                            &json!("SUCCEEDED"),
                            &json!("ast_orders")
                        ),
                        "{name}: {output}"
                    );
                    assert_eq!(output["origin"], origin, "{name}");
                }
                ("start-metadata-generation", "step-functions-input.json") => {
                    let assets: Vec<_> = output["runs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|run| {
                            (
                                run["assetId"].as_str().unwrap(),
                                run["action"].as_str().unwrap(),
                            )
                        })
                        .collect();
                    assert_eq!(
                        assets,
                        [
                            ("ast_orders", "started"),
                            ("ast_orderlines", "started"),
                            ("ast_customers", "started")
                        ],
                        "{output}"
                    );
                }
                other => panic!("no expected answer for the sample {other:?}: add one"),
            }
            answered += 1;
        }
    }
    assert_eq!(answered, 14, "every sample file");
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
    // A run still active is found by the listing (nothing sent); one that
    // already finished is started again with the same client token, which
    // returns the same run: either way no other start, and no conflict.
    assert_eq!(
        chain.calls("StartDataSourceRun", 200),
        3 + again["started"].as_u64().unwrap(),
        "{}",
        chain.counters()
    );
    assert_eq!(chain.calls("StartDataSourceRun", 409), 0);
    assert_eq!(
        chain.counters()["operations"]["StartDataSourceRun"]["total"],
        chain.calls("StartDataSourceRun", 200)
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
