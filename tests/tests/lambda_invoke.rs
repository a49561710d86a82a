//! Every sample event, sent with `cargo lambda invoke` to the real function
//! binaries running under `cargo lambda watch`, against the emulator and
//! the local S3 server.

use std::process::Command;

use flow_tests::sample_event_files;
use flow_tests::samples::{FUNCTIONS, check_sample_answer};
use local_flow::{ChainOptions, LocalChain, cargo_lambda};
use serde_json::{Value, json};

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

/// Every sample names what the sample seed has (run `bd1qd8gj2ns3zr`,
/// metadata generation run `mg7kq2x9t4wz1p`, the sample's data sources), so
/// each gets an exact answer. In real time the runs the starter samples
/// start stay active while the next samples are sent, in file order.
#[test]
fn every_sample_event_gets_its_exact_answer_from_its_function() {
    let chain = LocalChain::start(&ChainOptions::default());
    let mut deployed = chain.functions.clone();
    deployed.sort();
    let mut ours = FUNCTIONS.to_vec();
    ours.sort();
    assert_eq!(deployed, ours, "every function of the template has samples");
    let mut answered = 0;
    for function in FUNCTIONS {
        for file in sample_event_files(function) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let output = cargo_lambda_invoke(&chain, function, &file)
                .unwrap_or_else(|error| panic!("{function} {name}: {error}"));
            check_sample_answer(&chain, function, &file, &output);
            answered += 1;
        }
    }
    assert_eq!(answered, 19, "every sample file");
    // Each data source was started once, whatever the samples asked.
    assert_eq!(chain.calls("StartDataSourceRun", 200), 3);
}

#[test]
fn a_harvest_is_followed_to_its_summary_through_the_functions() {
    let chain = LocalChain::start(&ChainOptions {
        time_scale: 10_000.0,
        ..ChainOptions::default()
    });
    let input = json!({"domainId": "dzd_sales2026", "dataSourceIds": ["ds_orders", "ds_clickstream", "ds_finance"], "executionId": "exec-1"});
    let started = chain.invoke("start-runs", &input).unwrap();
    assert_eq!(
        (started["selected"].clone(), started["remaining"].clone()),
        (json!(3), json!(0)),
        "{started}"
    );
    // The same step again (a retried task) starts nothing.
    let again = chain.invoke("start-runs", &input).unwrap();
    assert_eq!(again, started);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 3);
    let follow = json!({"executionId": "exec-1"});
    let mut rounds = 0;
    let summary = loop {
        let round = chain.invoke("follow-runs", &follow).unwrap();
        rounds += 1;
        if round["pending"] == 0 {
            break round["summary"].clone();
        }
        assert!(rounds < 50, "the runs did not finish: {round}");
    };
    assert_eq!(
        (
            summary["sources"]["succeeded"].clone(),
            summary["sources"]["partiallySucceeded"].clone(),
            summary["sources"]["failed"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{summary}"
    );
    assert_eq!(summary["failures"][0]["dataSourceId"], "ds_finance");
    let unknown_run = chain
        .invoke(
            "run-status",
            &json!({"domainId": "dzd_sales2026", "runId": "nosuchrun"}),
        )
        .unwrap_err();
    assert_eq!(unknown_run.error_type, "DataZone.ResourceNotFoundException");
}

#[test]
fn bad_payloads_get_invalid_input_from_every_function() {
    let chain = LocalChain::start(&ChainOptions::default());
    for function in FUNCTIONS {
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

/// A retried metadata-status step, as Step Functions retries a task whose
/// record was never saved: the same AcceptPredictions and RejectPredictions
/// calls again, with the same client tokens, and DataZone decides nothing
/// twice.
#[test]
fn a_retried_metadata_step_decides_no_prediction_twice() {
    let seed = flow_tests::write_seed(
        "retried-decision",
        vec![flow_tests::instant_source("ds_m", "SUCCESS", &["ast_a"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 60}}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            time_scale: 10_000.0,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "true")
        .parameter("AcceptPredictions", "0.8")
        .parameter("RejectOtherPredictions", "true"),
    );
    let execution = "exec-decide";
    let record = format!("s3://local-reportbucket/harvests/dzd_sales2026/{execution}.json");
    let input =
        json!({"domainId": "dzd_sales2026", "dataSourceIds": ["ds_m"], "executionId": execution});
    chain.invoke("start-runs", &input).unwrap();
    let step = json!({"executionId": execution});
    let mut decided = None;
    for _ in 0..50 {
        chain.invoke("follow-runs", &step).unwrap();
        let before = chain.s3_bytes(&record);
        let answer = chain.invoke("metadata-status", &step).unwrap();
        if chain.calls("AcceptPredictions", 200) > 0 {
            decided = Some((before, answer));
            break;
        }
    }
    let (before, first) = decided.expect("the predictions were decided");
    assert_eq!(first["pending"], 0, "{first}");
    let emulator_after_first = chain.predictions();
    let saved_first = chain.s3_object(&record);
    // The step's record as it was before it ran: the retry runs it again.
    chain.put_s3_bytes(&record, before);
    let retried = chain.invoke("metadata-status", &step).unwrap();
    assert_eq!(retried["pending"], 0, "{retried}");
    assert_eq!(chain.calls("AcceptPredictions", 200), 2, "called again");
    assert_eq!(chain.calls("RejectPredictions", 200), 2, "called again");
    assert_eq!(
        chain.predictions(),
        emulator_after_first,
        "nothing decided twice, no new revision"
    );
    assert_eq!(
        emulator_after_first[0]["clientTokens"], 2,
        "one token for the acceptance, one for the rejection, both reused"
    );
    let saved_again = chain.s3_object(&record);
    assert_eq!(
        saved_again["sources"][0]["metadata"][0]["predictions"],
        saved_first["sources"][0]["metadata"][0]["predictions"],
        "the same revisions recorded"
    );
    let accepted_events = chain
        .events()
        .iter()
        .filter(|event| event["detail-type"] == "Metadata Generation Accepted")
        .count();
    assert_eq!(accepted_events, 1);
}
