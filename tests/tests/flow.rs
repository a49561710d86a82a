//! The state machine end to end, one test per branch: the real definition in
//! aws-local-stepfunctions, the real functions under cargo lambda watch, the
//! DataZone emulator scripted by a seed.
//!
//! Branches of a data source: NotStarted, CheckRun → (PollingGuard →
//! WaitForRun)* → RunSucceeded | NotifyPartialSuccess → RunPartiallySucceeded
//! | NotifyFailure → RunFailed | PollingLimitReached | CheckFailed |
//! UnknownRunStatus, a CheckRun Retry; then GenerateMetadata? →
//! StartMetadataGeneration | MetadataStartFailed, and per asset
//! MetadataNotStarted, CheckMetadataRun → MetadataFinished |
//! MetadataPollingLimitReached | MetadataCheckFailed | UnknownMetadataStatus.
//!
//! Runs that finish the moment they start, scripted errors and runs that
//! never end make every count exact whatever the machine's speed.

use flow_tests::{instant_source, source, template_copy, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::{Value, json};

/// Emulated seconds per real second in these tests.
const TIME_SCALE: &str = "2000";

/// A chain on `seed`; `events` sends the emulator's events to run-status
/// (off where a scripted error must reach the flow's own check).
fn chain_with(seed: &std::path::Path, events: bool, function_env: &[(&str, &str)]) -> LocalChain {
    LocalChain::start(&ChainOptions {
        seed: seed.to_path_buf(),
        emulator_args: vec!["--time-scale".to_owned(), TIME_SCALE.into()],
        function_env: function_env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        events_to_run_status: events,
        ..ChainOptions::default()
    })
}

fn chain(seed: &std::path::Path) -> LocalChain {
    chain_with(seed, true, &[])
}

fn flow(name: &str, sources: &[&str]) -> FlowRun {
    FlowRun {
        input: json!({"dataSourceIds": sources}),
        ..FlowRun::sample(name).parameter("GenerateMetadata", "false")
    }
}

fn with_metadata(name: &str, sources: &[&str]) -> FlowRun {
    FlowRun {
        input: json!({"dataSourceIds": sources}),
        ..FlowRun::sample(name)
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

/// `(status, failed, checks)` of a data source's result.
fn summary(result: &Value) -> (Value, Value, Value) {
    (
        result["status"].clone(),
        result["failed"].clone(),
        result["checks"].clone(),
    )
}

/// `(assetId, status, error name)` of each metadata generation entry.
fn metadata(result: &Value) -> Vec<(String, String, String)> {
    result["metadataGeneration"]
        .as_array()
        .unwrap_or_else(|| panic!("no metadataGeneration in {result}"))
        .iter()
        .map(|run| {
            (
                run["assetId"].as_str().unwrap_or_default().to_owned(),
                run["status"].as_str().unwrap_or_default().to_owned(),
                run["error"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn all_runs_succeed() {
    let seed = write_seed(
        "all-succeed",
        vec![
            instant_source("ds_a", "SUCCESS", &[]),
            instant_source("ds_b", "SUCCESS", &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed);
    let report = chain.run_flow(&flow("all-succeed", &["ds_a", "ds_b"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    for id in ["ds_a", "ds_b"] {
        assert_eq!(
            summary(&report.data_source(id)),
            (json!("SUCCESS"), json!(false), json!(1)),
            "{id}"
        );
    }
    assert_eq!(report.report["output"]["started"], 2);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 2);
    assert_eq!(report.report["notifications"], json!([]));
    assert_eq!(report.report["retries"], json!([]));
    // Two Triggered and two Succeeded events, delivered in the background.
    chain.wait_for_counter(&["events", "delivered"], 4);
}

#[test]
fn a_partial_success_notifies_with_its_statistics_and_warns() {
    let seed = write_seed(
        "partial",
        vec![instant_source("ds_p", "PARTIALLY_SUCCEEDED", &[])],
        json!({}),
    );
    let chain = chain(&seed);
    let report = chain.run_flow(&flow("partial", &["ds_p"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let result = report.data_source("ds_p");
    assert_eq!(
        summary(&result),
        (json!("PARTIALLY_SUCCEEDED"), json!(false), json!(1))
    );
    assert_eq!(result["assetStatistics"]["failed"], 1);
    assert_eq!(
        result["warning"],
        "partially succeeded: 1 assets failed, 0 skipped"
    );
    let notifications = report.report["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0]["state"], "NotifyPartialSuccess");
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
            instant_source("ds_ok", "SUCCESS", &[]),
            instant_source("ds_bad", "FAILED", &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed);
    let report = chain.run_flow(&flow("failure", &["ds_ok", "ds_bad"]));
    assert_ran(&report);
    assert_eq!(report.status(), "FAILED");
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    assert_eq!(
        summary(&report.data_source("ds_ok")),
        (json!("SUCCESS"), json!(false), json!(1))
    );
    let failed = report.data_source("ds_bad");
    assert_eq!(summary(&failed), (json!("FAILED"), json!(true), json!(1)));
    assert_eq!(failed["error"]["errorType"], "ACCESS_DENIED_EXCEPTION");
    let notifications = report.report["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0]["state"], "NotifyFailure");
    assert!(
        notifications[0]["message"]
            .as_str()
            .unwrap()
            .contains("ds_bad could not read everything")
    );
}

#[test]
fn a_source_that_fails_to_start_is_reported_not_started() {
    let mut refused = instant_source("ds_refused", "SUCCESS", &[]);
    refused["startErrors"] = json!(["ValidationException"]);
    let seed = write_seed(
        "not-started",
        vec![refused, instant_source("ds_ok", "SUCCESS", &[])],
        json!({}),
    );
    let chain = chain(&seed);
    let report = chain.run_flow(&flow("not-started", &["ds_refused", "ds_ok"]));
    assert_ran(&report);
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    let result = report.data_source("ds_refused");
    assert_eq!(
        summary(&result),
        (json!("NOT_STARTED"), json!(true), json!(0))
    );
    assert_eq!(result["error"]["name"], "DataZone.ValidationException");
    assert_eq!(
        summary(&report.data_source("ds_ok")),
        (json!("SUCCESS"), json!(false), json!(1))
    );
    assert_eq!(chain.calls("StartDataSourceRun", 400), 1);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
}

#[test]
fn a_source_already_running_is_followed_not_started_again() {
    // The earlier run never ends: the flow follows it until the polling guard.
    let seed = write_seed(
        "already-running",
        vec![source("ds_busy", "SUCCESS", 1_000_000_000, &[])],
        json!({}),
    );
    let chain = chain(&seed);
    let earlier = chain
        .invoke(
            "start-runs",
            &json!({"dataSourceIds": ["ds_busy"], "triggerId": "someone-else"}),
        )
        .unwrap();
    let run_id = earlier["runs"][0]["runId"].clone();
    let report = chain.run_flow(&flow("already-running", &["ds_busy"]).parameter("MaxPolls", "2"));
    assert_ran(&report);
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    assert_eq!(
        serde_json::from_str::<Value>(report.report["cause"].as_str().unwrap()).unwrap()["alreadyActive"],
        1
    );
    let result = report.data_source("ds_busy");
    assert_eq!(result["runId"], run_id);
    assert_eq!(result["error"]["name"], "PollingLimitReached");
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
            instant_source("ds_a", "SUCCESS", &[]),
            instant_source("ds_b", "SUCCESS", &[]),
        ],
        json!({}),
    );
    let chain = chain(&seed);
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
fn the_sdks_own_retries_absorb_throttled_starts() {
    let mut throttled = instant_source("ds_t", "SUCCESS", &[]);
    throttled["startErrors"] = json!(["ThrottlingException", "ThrottlingException"]);
    let seed = write_seed("throttled", vec![throttled], json!({}));
    let chain = chain_with(&seed, true, &[("AWS_MAX_ATTEMPTS", "3")]);
    let report = chain.run_flow(&flow("throttled", &["ds_t"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(chain.calls("StartDataSourceRun", 429), 2);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
    assert_eq!(
        report.report["retries"],
        json!([]),
        "no task failed: the SDK retried"
    );
}

#[test]
fn a_throttled_status_check_is_retried_by_the_state_machine() {
    let mut source = instant_source("ds_t", "SUCCESS", &[]);
    source["runs"][0]["getErrors"] = json!(["ThrottlingException"]);
    let seed = write_seed("check-retried", vec![source], json!({}));
    // One attempt per call: the throttling reaches the task, whose Retry fires.
    let chain = chain_with(&seed, false, &[("AWS_MAX_ATTEMPTS", "1")]);
    let report = chain.run_flow(&flow("check-retried", &["ds_t"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(
        report.report["retries"],
        json!([{"state": "CheckRun", "attempt": 1, "error": "DataZone.ThrottlingException"}])
    );
    assert_eq!(
        summary(&report.data_source("ds_t")),
        (json!("SUCCESS"), json!(false), json!(1))
    );
    assert_eq!(chain.calls("GetDataSourceRun", 429), 1);
    assert_eq!(chain.calls("GetDataSourceRun", 200), 1);
    assert_eq!(report.report["invocations"]["run-status"], 2);
}

#[test]
fn a_status_check_that_fails_for_good_is_reported_check_failed() {
    let mut source = instant_source("ds_gone", "SUCCESS", &[]);
    source["runs"][0]["getErrors"] = json!(["ResourceNotFoundException"]);
    let seed = write_seed("check-failed", vec![source], json!({}));
    let chain = chain_with(&seed, false, &[]);
    let report = chain.run_flow(&flow("check-failed", &["ds_gone"]));
    assert_ran(&report);
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    let result = report.data_source("ds_gone");
    assert_eq!(summary(&result), (json!("UNKNOWN"), json!(true), json!(1)));
    assert_eq!(
        result["error"]["name"],
        "DataZone.ResourceNotFoundException"
    );
    assert_eq!(report.report["retries"], json!([]), "not retryable");
}

#[test]
fn a_run_status_the_definition_does_not_know_fails_loudly() {
    let mut source = instant_source("ds_new", "SUCCESS", &[]);
    source["runs"][0]["outcome"] = json!({"undocumented": "CANCELLED"});
    let seed = write_seed("unknown-status", vec![source], json!({}));
    let chain = chain_with(&seed, false, &[]);
    let report = chain.run_flow(&flow("unknown-status", &["ds_new"]));
    assert_ran(&report);
    assert_eq!(report.status(), "FAILED");
    assert_eq!(report.report["error"], "UnknownRunStatus");
    assert_eq!(
        chain.calls("GetDataSourceRun", 200),
        1,
        "no polling forever"
    );
}

#[test]
fn the_polling_guard_stops_following_a_run_that_never_ends() {
    let seed = write_seed(
        "endless",
        vec![source("ds_slow", "SUCCESS", 100_000_000, &[])],
        json!({}),
    );
    let chain = chain_with(&seed, false, &[]);
    let report = chain.run_flow(&flow("endless", &["ds_slow"]).parameter("MaxPolls", "3"));
    assert_ran(&report);
    assert_eq!(report.report["error"], "DataSourceRunsFailed");
    let result = report.data_source("ds_slow");
    assert_eq!(result["error"]["name"], "PollingLimitReached", "{result}");
    assert_eq!(result["checks"], 4, "three waits, four checks");
    assert_eq!(chain.calls("GetDataSourceRun", 200), 4);
}

#[test]
fn waits_take_the_seconds_run_status_suggests() {
    // Real Wait states: WaitForRun reads nextWaitSeconds (SecondsPath),
    // which run-status computes from POLL_MIN_WAIT_SECONDS for a young run.
    let seed = write_seed(
        "real-wait",
        vec![source("ds_slow", "SUCCESS", 100_000_000, &[])],
        json!({}),
    );
    let chain = chain_with(&seed, false, &[("POLL_MIN_WAIT_SECONDS", "2")]);
    let report = chain.run_flow(&FlowRun {
        wait_ms: None,
        ..flow("real-wait", &["ds_slow"]).parameter("MaxPolls", "1")
    });
    assert_ran(&report);
    let waits = report.report["waits"].as_array().unwrap();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert_eq!(
        (&waits[0]["state"], &waits[0]["seconds"]),
        (&json!("WaitForRun"), &json!(2))
    );
    assert!(waits[0]["waitedMs"].as_u64().unwrap() >= 2000, "{waits:?}");
    assert_eq!(report.data_source("ds_slow")["checks"], 2);
}

#[test]
fn metadata_generation_branches_on_succeeded_failed_and_cancelled() {
    let seed = write_seed(
        "metadata",
        vec![instant_source(
            "ds_m",
            "SUCCESS",
            &["ast_good", "ast_bad", "ast_cancelled"],
        )],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 120},
               "targets": {"ast_bad": {"outcome": "FAILED", "seconds": 60, "errorMessage": "could not describe"},
                           "ast_cancelled": {"outcome": "CANCELED", "seconds": 90}}}),
    );
    let chain = chain(&seed);
    let report = chain.run_flow(&with_metadata("metadata", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(
        metadata(&report.data_source("ds_m")),
        [
            ("ast_good".into(), "SUCCEEDED".into(), String::new()),
            ("ast_bad".into(), "FAILED".into(), String::new()),
            ("ast_cancelled".into(), "CANCELED".into(), String::new())
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
fn metadata_generation_that_cannot_start_at_all_is_reported_beside_the_run() {
    // start-metadata-generation may not list the run's activities.
    let template = template_copy(
        "no-activities",
        "                - datazone:ListDataSourceRunActivities\n",
        "",
    );
    let seed = write_seed(
        "metadata-start-failed",
        vec![instant_source("ds_m", "SUCCESS", &["ast_a"])],
        json!({}),
    );
    let chain = LocalChain::start(&ChainOptions {
        seed,
        template,
        emulator_args: vec!["--time-scale".into(), TIME_SCALE.into()],
        ..ChainOptions::default()
    });
    let report = chain.run_flow(&with_metadata("metadata-start-failed", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "the harvest itself succeeded");
    let result = report.data_source("ds_m");
    assert_eq!(
        result["metadataGenerationError"]["error"]["name"], "DataZone.AccessDeniedException",
        "{result}"
    );
    assert_eq!(chain.calls("StartMetadataGenerationRun", 200), 0);
}

#[test]
fn metadata_branches_for_an_asset_not_started_unreadable_endless_or_unknown() {
    let seed = write_seed(
        "metadata-failures",
        vec![instant_source(
            "ds_m",
            "SUCCESS",
            &["ast_refused", "ast_unreadable", "ast_endless"],
        )],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 0},
               "targets": {"ast_refused": {"outcome": "SUCCEEDED", "startErrors": ["ValidationException"]},
                           "ast_unreadable": {"outcome": "SUCCEEDED", "getErrors": ["ResourceNotFoundException"]},
                           "ast_endless": {"outcome": "HANG"}}}),
    );
    let chain = chain_with(&seed, false, &[]);
    let report =
        chain.run_flow(&with_metadata("metadata-failures", &["ds_m"]).parameter("MaxPolls", "2"));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(
        metadata(&report.data_source("ds_m")),
        [
            (
                "ast_refused".into(),
                "NOT_STARTED".into(),
                "DataZone.ValidationException".into()
            ),
            (
                "ast_unreadable".into(),
                "UNKNOWN".into(),
                "DataZone.ResourceNotFoundException".into()
            ),
            (
                "ast_endless".into(),
                "IN_PROGRESS".into(),
                "PollingLimitReached".into()
            )
        ]
    );
    assert_eq!(chain.calls("GetMetadataGenerationRun", 404), 1);
    assert_eq!(
        chain.calls("GetMetadataGenerationRun", 200),
        3,
        "ast_endless: three checks"
    );
}

#[test]
fn a_metadata_status_the_definition_does_not_know_fails_loudly() {
    let seed = write_seed(
        "unknown-metadata-status",
        vec![instant_source("ds_m", "SUCCESS", &["ast_new"])],
        json!({"default": {"outcome": {"undocumented": "PAUSED"}, "seconds": 0}}),
    );
    let chain = chain_with(&seed, false, &[]);
    let report = chain.run_flow(&with_metadata("unknown-metadata-status", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "FAILED");
    assert_eq!(report.report["error"], "UnknownMetadataGenerationStatus");
}

#[test]
fn bad_execution_input_fails_with_the_functions_error_name() {
    let seed = write_seed(
        "bad-input",
        vec![instant_source("ds_a", "SUCCESS", &[])],
        json!({}),
    );
    let chain = chain(&seed);
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
        chain.counters()["operations"],
        json!({}),
        "no DataZone call"
    );
}
