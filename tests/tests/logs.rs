//! The functions' JSON log lines, as Lambda would capture them, carry the
//! ids README promises: the request, and the domain, trigger or execution,
//! data source, run and asset of what the line is about.

use flow_tests::{instant_source, write_seed};
use local_flow::{ChainOptions, FlowRun, LocalChain};
use serde_json::{Map, Value, json};

/// The JSON lines `function` wrote to standard error inside an invocation,
/// each with its own fields and those of all its spans merged.
fn invocation_lines(chain: &LocalChain, function: &str) -> Vec<(String, Map<String, Value>)> {
    let text = std::fs::read_to_string(chain.logs.join(format!("{function}.err.log"))).unwrap();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| {
            line["spans"]
                .as_array()
                .is_some_and(|spans| spans.iter().any(|span| span["name"] == "invocation"))
        })
        .map(|line| {
            let mut fields = line.as_object().unwrap().clone();
            for span in line["spans"].as_array().unwrap() {
                fields.extend(span.as_object().unwrap().clone());
            }
            (
                line["message"].as_str().unwrap_or_default().to_owned(),
                fields,
            )
        })
        .collect()
}

/// Every line with `message` carries every one of `ids`; there is one.
fn assert_ids(lines: &[(String, Map<String, Value>)], message: &str, ids: &[&str]) {
    let matching: Vec<_> = lines.iter().filter(|(m, _)| m == message).collect();
    assert!(!matching.is_empty(), "no {message:?} line in {lines:?}");
    for (_, fields) in matching {
        for id in ids.iter().chain(&["request_id"]) {
            assert!(
                fields
                    .get(*id)
                    .is_some_and(|value| value.as_str().is_some_and(|s| !s.is_empty())),
                "{message:?} lacks {id}: {fields:?}"
            );
        }
    }
}

#[test]
fn every_line_names_the_request_and_what_it_is_about() {
    let seed = write_seed(
        "logs",
        vec![instant_source("ds_logs", "SUCCESS", &["ast_logs"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 0}}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            time_scale: 600.0,
            events_to_run_status: true,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "true"),
    );
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_logs"]}),
        ..FlowRun::named("logs")
    });
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    // Events reach run-status in the background: the run's end, and the
    // metadata generation's (the rule lets no "Triggered" through).
    chain.wait_for_counter(&["events", "delivered"], 2);

    let start = invocation_lines(&chain, "start-runs");
    let step = ["trigger_id", "execution_id", "domain_id"];
    assert_ids(
        &start,
        "data source handled",
        &[&step[..], &["data_source_id", "run_id"]].concat(),
    );
    assert_ids(&start, "start step finished", &step);
    let follow = invocation_lines(&chain, "follow-runs");
    let round = ["execution_id", "domain_id"];
    assert_ids(
        &follow,
        "data source run finished",
        &[&round[..], &["data_source_id", "run_id"]].concat(),
    );
    assert_ids(&follow, "follow step finished", &round);
    let metadata = invocation_lines(&chain, "metadata-status");
    assert_ids(
        &metadata,
        "metadata generation started",
        &[
            &round[..],
            &["data_source_id", "asset_id", "metadata_run_id"],
        ]
        .concat(),
    );
    // With metadata generated, the last step of the harvest is metadata-status'.
    assert_ids(&metadata, "harvest finished", &round);
    let status = invocation_lines(&chain, "run-status");
    assert_ids(
        &status,
        "data source run finished",
        &["domain_id", "run_id", "data_source_id"],
    );
    for (function, lines) in [
        ("start-runs", &start),
        ("follow-runs", &follow),
        ("metadata-status", &metadata),
        ("run-status", &status),
    ] {
        for (message, fields) in lines.iter() {
            assert!(
                fields.contains_key("request_id"),
                "{function}: {message:?} {fields:?}"
            );
        }
    }
}
