//! The state machine end to end, one test per branch: the real definition in
//! aws-local-stepfunctions, the real functions under cargo lambda watch, the
//! DataZone emulator scripted by a seed.

use flow_tests::{source, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::json;

/// Emulated seconds per real second in these tests.
const TIME_SCALE: &str = "2000";

fn chain(seed: &std::path::Path, extra_args: &[&str], function_env: &[(&str, &str)]) -> LocalChain {
    let mut emulator_args = vec![
        "--seed".to_owned(),
        seed.display().to_string(),
        "--time-scale".into(),
        TIME_SCALE.into(),
    ];
    emulator_args.extend(extra_args.iter().map(|arg| arg.to_string()));
    LocalChain::start(&ChainOptions {
        emulator_args,
        function_env: function_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        events_to_run_status: true,
    })
}

fn flow(name: &str, sources: &[&str]) -> FlowRun {
    FlowRun {
        input: json!({"dataSourceIds": sources}),
        ..FlowRun::sample(name).parameter("GenerateMetadata", "false")
    }
}

fn assert_ran(report: &FlowReport) {
    assert!(report.ran_to_the_end, "the chain broke: {}", report.report);
}

fn triggered_runs(chain: &LocalChain) -> usize {
    chain
        .events()
        .iter()
        .filter(|event| event["detail-type"] == "Data Source Run Triggered")
        .count()
}

#[test]
fn all_runs_succeed() {
    let seed = write_seed(
        "all-succeed",
        vec![
            source("ds_a", "SUCCESS", 60, &[]),
            source("ds_b", "SUCCESS", 600, &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&flow("all-succeed", &["ds_a", "ds_b"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    for id in ["ds_a", "ds_b"] {
        let result = report.data_source(id);
        assert_eq!(
            (result["status"].clone(), result["failed"].clone()),
            (json!("SUCCESS"), json!(false)),
            "{result}"
        );
        assert!(result["checks"].as_u64().unwrap() >= 1);
    }
    assert_eq!(report.report["output"]["started"], 2);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 2);
    assert!(
        report.report["notifications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Two Triggered and two Succeeded events, delivered in the background.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while chain.counters()["events"]["delivered"]
        .as_u64()
        .unwrap_or(0)
        < 4
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the events reached run-status: {}",
            chain.counters()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_partial_success_notifies_with_its_statistics_and_warns() {
    let seed = write_seed(
        "partial",
        vec![source("ds_p", "PARTIALLY_SUCCEEDED", 120, &[])],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&flow("partial", &["ds_p"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let result = report.data_source("ds_p");
    assert_eq!(result["status"], "PARTIALLY_SUCCEEDED");
    assert_eq!(result["assetStatistics"]["failed"], 1);
    assert!(
        result["warning"]
            .as_str()
            .unwrap()
            .contains("1 assets failed"),
        "{result}"
    );
    let notifications = report.report["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    let message = notifications[0]["message"].as_str().unwrap();
    assert!(
        message.contains("ds_p")
            && message.contains("failed 1")
            && message.contains("ACCESS_DENIED_EXCEPTION"),
        "{message}"
    );
}

#[test]
fn a_failed_run_notifies_and_fails_the_execution_listing_every_source() {
    let seed = write_seed(
        "failure",
        vec![
            source("ds_ok", "SUCCESS", 60, &[]),
            source("ds_bad", "FAILED", 60, &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&flow("failure", &["ds_ok", "ds_bad"]));
    assert_ran(&report);
    assert_eq!(report.status(), "FAILED");
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    assert_eq!(report.data_source("ds_ok")["status"], "SUCCESS");
    let failed = report.data_source("ds_bad");
    assert_eq!(
        (failed["status"].clone(), failed["failed"].clone()),
        (json!("FAILED"), json!(true))
    );
    assert_eq!(failed["error"]["errorType"], "ACCESS_DENIED_EXCEPTION");
    let notifications = report.report["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    assert!(
        notifications[0]["message"]
            .as_str()
            .unwrap()
            .contains("could not read everything")
    );
}

#[test]
fn a_source_already_running_is_followed_not_started_again() {
    // Ten real seconds: still running when the flow starts, even on a busy machine.
    let seed = write_seed(
        "already-running",
        vec![source("ds_busy", "SUCCESS", 20_000, &[])],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let earlier = chain
        .invoke(
            "start-runs",
            &json!({"dataSourceIds": ["ds_busy"], "triggerId": "someone-else"}),
        )
        .unwrap();
    let run_id = earlier["runs"][0]["runId"].clone();
    let report = chain.run_flow(&FlowRun {
        wait_ms: 250,
        ..flow("already-running", &["ds_busy"])
    });
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(report.report["output"]["alreadyActive"], 1);
    assert_eq!(report.data_source("ds_busy")["runId"], run_id);
    assert_eq!(
        chain.calls("StartDataSourceRun", 200),
        1,
        "only the earlier start"
    );
    assert_eq!(triggered_runs(&chain), 1);
}

#[test]
fn a_duplicate_schedule_delivery_starts_one_run_per_source() {
    let seed = write_seed(
        "duplicate",
        vec![
            source("ds_a", "SUCCESS", 60, &[]),
            source("ds_b", "SUCCESS", 60, &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let delivery = |name: &str| FlowRun {
        input: json!({"dataSourceIds": ["ds_a", "ds_b"], "triggerId": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly@2026-11-21T02:00:00Z"}),
        ..flow(name, &[])
    };
    let first = chain.run_flow(&delivery("delivery-1"));
    let second = chain.run_flow(&delivery("delivery-2"));
    for report in [&first, &second] {
        assert_ran(report);
        assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    }
    for id in ["ds_a", "ds_b"] {
        assert_eq!(
            first.data_source(id)["runId"],
            second.data_source(id)["runId"],
            "{id}"
        );
    }
    assert_eq!(triggered_runs(&chain), 2, "one run per source");
}

#[test]
fn throttled_starts_are_retried_and_the_flow_completes() {
    let ids: Vec<String> = (0..6).map(|i| format!("ds_{i}")).collect();
    let sources = ids
        .iter()
        .map(|id| source(id, "SUCCESS", 60, &[]))
        .collect();
    let seed = write_seed("throttled", sources, json!({}));
    let chain = chain(
        &seed,
        &["--rate-limit", "StartDataSourceRun=2"],
        &[("AWS_MAX_ATTEMPTS", "10"), ("START_CONCURRENCY", "6")],
    );
    let names: Vec<&str> = ids.iter().map(String::as_str).collect();
    let report = chain.run_flow(&flow("throttled", &names));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert!(
        chain.calls("StartDataSourceRun", 429) > 0,
        "{}",
        chain.counters()
    );
    assert_eq!(chain.calls("StartDataSourceRun", 200), 6);
}

#[test]
fn metadata_generation_branches_on_succeeded_failed_and_cancelled() {
    let seed = write_seed(
        "metadata",
        vec![source(
            "ds_m",
            "SUCCESS",
            60,
            &["ast_good", "ast_bad", "ast_cancelled"],
        )],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 120},
               "targets": {"ast_bad": {"outcome": "FAILED", "seconds": 60, "errorMessage": "could not describe"},
                           "ast_cancelled": {"outcome": "CANCELED", "seconds": 90}}}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_m"]}),
        ..FlowRun::sample("metadata")
    });
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let metadata: Vec<(String, String)> = report.data_source("ds_m")["metadataGeneration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| {
            (
                run["assetId"].as_str().unwrap().to_owned(),
                run["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        metadata,
        [
            ("ast_good".into(), "SUCCEEDED".into()),
            ("ast_bad".into(), "FAILED".into()),
            ("ast_cancelled".into(), "CANCELED".into())
        ]
    );
    assert_eq!(chain.calls("StartMetadataGenerationRun", 200), 3);
    assert!(
        chain
            .events()
            .iter()
            .any(|event| event["detail-type"] == "Metadata Generation Canceled")
    );
}

#[test]
fn the_polling_guard_stops_following_a_run_that_never_ends() {
    let seed = write_seed(
        "endless",
        vec![source("ds_slow", "SUCCESS", 100_000_000, &[])],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&flow("endless", &["ds_slow"]).parameter("MaxPolls", "3"));
    assert_ran(&report);
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    let result = report.data_source("ds_slow");
    assert_eq!(result["error"]["name"], "PollingLimitReached", "{result}");
    assert_eq!(result["checks"], 4, "three waits, four checks");
    // Four checks by the flow, one by run-status reacting to the Triggered event.
    assert_eq!(chain.calls("GetDataSourceRun", 200), 5);
}

#[test]
fn bad_execution_input_fails_with_the_functions_error_name() {
    let seed = write_seed(
        "bad-input",
        vec![source("ds_a", "SUCCESS", 60, &[])],
        json!({}),
    );
    let chain = chain(&seed, &[], &[]);
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["not a valid id"]}),
        ..flow("bad-input", &[])
    });
    assert!(
        !report.ran_to_the_end,
        "a broken input is not a flow that ran to its end"
    );
    assert_eq!(report.report["error"], "InvalidInput", "{}", report.report);
    assert!(
        report.report["cause"]
            .as_str()
            .unwrap()
            .contains("dataSourceIds[0]")
    );
    assert_eq!(
        chain.calls("StartDataSourceRun", 200) + chain.calls("ListDataSourceRuns", 200),
        0
    );
}
