//! What each sample event of `events/` gets from its function, on the
//! sample seed: the expectations every way of invoking the functions
//! (`cargo lambda invoke`, `sam local invoke`) is held to.

use std::path::Path;

use local_flow::LocalChain;
use serde_json::{Value, json};

/// The functions, in the order a harvest calls them.
pub const FUNCTIONS: [&str; 4] = ["start-runs", "follow-runs", "metadata-status", "run-status"];

/// How each source of the harvest a start-runs answer names was started.
fn started_as(chain: &LocalChain, answer: &Value) -> Vec<(String, String)> {
    let harvest = chain.s3_object(answer["report"].as_str().unwrap());
    harvest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|source| {
            (
                source["dataSourceId"].as_str().unwrap().to_owned(),
                source["startedAs"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(source: &str, how: &str) -> (String, String) {
    (source.to_owned(), how.to_owned())
}

/// Checks `output`, the answer `function` gave to the sample event `file`,
/// against what the sample seed makes it: every sample names what the seed
/// has (run `bd1qd8gj2ns3zr`, metadata generation run `mg7kq2x9t4wz1p`, the
/// sample's data sources). Samples are sent in file order, function by
/// function ([`FUNCTIONS`]); the runs the starter's samples start stay
/// active while the next are sent.
pub fn check_sample_answer(chain: &LocalChain, function: &str, file: &Path, output: &Value) {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let output = output.clone();
    let sample: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let origin = match sample.get("detail-type") {
        Some(detail_type) => {
            json!({"kind": "event", "eventId": sample["id"], "detailType": detail_type})
        }
        None => json!({"kind": "query"}),
    };
    let report = |key: &str| format!("s3://local-reportbucket/harvests/dzd_sales2026/{key}.json");
    match (function, name.as_str()) {
        ("start-runs", "projects-filtered-input.json") => {
            assert_eq!(output["report"], report("glue-only-2026-11-21"));
            assert_eq!(
                (output["selected"].clone(), output["remaining"].clone()),
                (json!(2), json!(0))
            );
            assert_eq!(
                started_as(chain, &output),
                [pair("ds_orders", "started"), pair("ds_finance", "started")],
                "the GLUE sources named *-glue-catalog"
            );
        }
        ("start-runs", "schedule-constant-input.json") => {
            assert_eq!(output["report"], report("nightly-2026-11-21T02_00_00Z"));
            assert_eq!(
                started_as(chain, &output),
                [pair("ds_orders", "already-active")]
            );
        }
        ("start-runs", "scheduled-event.json") => {
            assert_eq!(
                output["report"],
                report("5d1b2c6e-8a41-4e0b-9c3f-7f2a90d1e6b4")
            );
            assert_eq!(
                started_as(chain, &output),
                [
                    pair("ds_orders", "already-active"),
                    pair("ds_clickstream", "started"),
                    pair("ds_finance", "already-active")
                ]
            );
        }
        ("start-runs", "step-functions-input.json") => {
            assert_eq!(output["report"], report("nightly-2026-11-21"));
            assert_eq!(
                started_as(chain, &output),
                ["ds_orders", "ds_clickstream", "ds_finance"].map(|id| pair(id, "already-active"))
            );
        }
        ("follow-runs", "step-functions-input.json") => {
            // The harvest the starter's sample saved: three runs, none
            // finished. DataZone's events are followed (the template's
            // default): checked, each run calls for the safety net's wait,
            // the longest.
            assert_eq!(
                output,
                json!({"pending": 3, "nextWaitSeconds": 900, "summary": null}),
                "{name}: {output}"
            );
        }
        ("follow-runs", "step-functions-park.json") => {
            // The WaitForRuns task: the note names the three runs, and no
            // end is recorded yet (run-status' samples come after): the
            // wait is not resumed.
            assert_eq!(
                output,
                json!({"runs": 3, "metadataRuns": 0, "resumed": false}),
                "{name}"
            );
        }
        ("follow-runs", "step-functions-woken.json") => {
            // Woken by run-status: the round checks no run, and each still
            // going waits the safety net's wait.
            assert_eq!(
                output,
                json!({"pending": 3, "nextWaitSeconds": 900, "summary": null}),
                "{name}"
            );
        }
        ("metadata-status", "step-functions-woken.json") => {
            // After the wait ran out: no generation run to check, the
            // runs' wait is the round's.
            assert_eq!(
                output,
                json!({"pending": 3, "nextWaitSeconds": 900, "summary": null}),
                "{name}"
            );
        }
        ("metadata-status", "step-functions-input.json") => {
            // The same harvest: no run finished, no metadata yet;
            // the runs' wait is the round's.
            assert_eq!(
                output,
                json!({"pending": 3, "nextWaitSeconds": 10, "summary": null}),
                "{name}"
            );
        }
        ("metadata-status", "status-query.json") => {
            assert_eq!(
                (
                    &output["runId"],
                    &output["status"],
                    &output["outcome"],
                    &output["target"]["identifier"],
                    &output["origin"]
                ),
                (
                    &json!("mg7kq2x9t4wz1p"),
                    &json!("SUCCEEDED"),
                    &json!("SUCCEEDED"),
                    &json!("ast_orders"),
                    &json!({"kind": "query"})
                ),
                "{name}"
            );
        }
        ("run-status", name) if name.starts_with("metadata-generation-") => {
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
        ("run-status", "other-domain-run-succeeded.json") => {
            // The rule sees every domain of the account; this one is not
            // the deployment's, so its run is not read.
            assert_eq!(
                output,
                json!({"ignored": true, "domainId": "dzd_elsewhere", "reason": "another domain"}),
                "{name}"
            );
        }
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
        other => panic!("no expected answer for the sample {other:?}: add one"),
    }
}
