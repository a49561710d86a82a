//! The state machine end to end: the real definition in
//! aws-local-stepfunctions (Step Functions' quotas held), the real functions
//! under cargo lambda watch as the template deploys them, the DataZone
//! emulator scripted by a seed, the reports in a local S3 server.
//!
//! One test per branch of the definition: StartRuns → MoreToStart? →
//! (WaitToStart →) StartRuns … → FollowRuns → AllDone? → (WaitForRuns →)
//! FollowRuns … → Notify? → NotifyFailures → DataSourceRunsFailed |
//! NotifyWarnings → Done | Done; a step's error → DescribeHarvestFailure →
//! NotifyHarvestFailure → HarvestFailed; a task's Retry. And one per
//! outcome a source or an asset can have in the report.
//!
//! Runs that finish the moment they start, scripted errors and runs that
//! never end make every count exact whatever the machine's speed.

use flow_tests::{instant_source, source, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::{Value, json};

/// Emulated seconds per real second in these tests.
const TIME_SCALE: f64 = 600.0;

fn options(seed: &std::path::Path) -> ChainOptions {
    ChainOptions {
        seed: seed.to_path_buf(),
        time_scale: TIME_SCALE,
        ..ChainOptions::default()
    }
    .parameter("GenerateMetadata", "false")
}

fn with_env(mut options: ChainOptions, env: &[(&str, &str)]) -> ChainOptions {
    options.function_env = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    options
}

fn harvest_of(name: &str, sources: &[&str]) -> FlowRun {
    FlowRun {
        input: json!({"dataSourceIds": sources}),
        ..FlowRun::named(name)
    }
}

fn assert_ran(report: &FlowReport) {
    assert!(report.ran_to_the_end, "the chain broke: {}", report.report);
}

/// Each source of the harvest's report: `(id, outcome, error name)`.
fn outcomes(harvest: &Value) -> Vec<(String, String, String)> {
    harvest["sources"]
        .as_array()
        .unwrap_or_else(|| panic!("no sources in {harvest}"))
        .iter()
        .map(|source| {
            (
                source["dataSourceId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                source["outcome"].as_str().unwrap_or_default().to_owned(),
                source["error"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn outcome(id: &str, outcome: &str, error: &str) -> (String, String, String) {
    (id.to_owned(), outcome.to_owned(), error.to_owned())
}

/// Each asset of one source in the report: `(asset id, outcome, error name)`.
fn asset_outcomes(harvest: &Value, source: usize) -> Vec<(String, String, String)> {
    harvest["sources"][source]["metadata"]
        .as_array()
        .unwrap_or_else(|| panic!("no metadata in {harvest}"))
        .iter()
        .map(|asset| {
            (
                asset["assetId"].as_str().unwrap_or_default().to_owned(),
                asset["outcome"].as_str().unwrap_or_default().to_owned(),
                asset["error"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn visits(report: &FlowReport, state: &str) -> u64 {
    report.report["visits"][state].as_u64().unwrap_or(0)
}

#[test]
fn all_runs_succeed_and_the_execution_carries_counts_not_sources() {
    let seed = write_seed(
        "all-succeed",
        vec![
            instant_source("ds_a", "SUCCESS", &[]),
            instant_source("ds_b", "SUCCESS", &[]),
        ],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed));
    let report = chain.run_flow(&harvest_of("all-succeed", &["ds_a", "ds_b"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let summary = report.summary();
    assert_eq!(summary["sources"]["selected"], 2);
    assert_eq!(summary["sources"]["succeeded"], 2);
    assert_eq!(summary["failures"], json!([]));
    assert_eq!(
        summary["report"],
        "s3://local-reportbucket/harvests/dzd_sales2026/all-succeed.json"
    );
    let harvest = chain.harvest(&report);
    assert_eq!(
        outcomes(&harvest),
        [
            outcome("ds_a", "SUCCEEDED", ""),
            outcome("ds_b", "SUCCEEDED", "")
        ]
    );
    // One start per source, and one status read: run-status', on the
    // run's end event. One start step; the harvest checked no run itself.
    assert_eq!(chain.calls("StartDataSourceRun", 200), 2);
    assert_eq!(chain.calls("GetDataSourceRun", 200), 2);
    assert_eq!(visits(&report, "StartRuns"), 1);
    // The first round takes in the ends recorded meanwhile; when the events
    // come after it, the last one wakes a second round.
    assert!(
        (1..=2).contains(&visits(&report, "FollowRuns")),
        "{}",
        report.report
    );
    assert_eq!(
        visits(&report, "MetadataStatus"),
        0,
        "without metadata generation, metadata-status is never invoked"
    );
    assert_eq!(report.report["notifications"], json!([]));
    assert_eq!(report.report["retries"], json!([]));
}

#[test]
fn a_partial_success_notifies_and_the_execution_succeeds() {
    let seed = write_seed(
        "partial",
        vec![instant_source("ds_p", "PARTIALLY_SUCCEEDED", &[])],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed));
    let report = chain.run_flow(&harvest_of("partial", &["ds_p"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(report.summary()["anyWarning"], true);
    let notifications = report.report["notifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0]["state"], "NotifyWarnings");
    let message: Value =
        serde_json::from_str(notifications[0]["message"].as_str().unwrap()).unwrap();
    assert_eq!(message["sources"]["partiallySucceeded"], 1);
    let harvest = chain.harvest(&report);
    assert_eq!(harvest["sources"][0]["assetStatistics"]["failed"], 1);
    assert_eq!(
        harvest["sources"][0]["runError"]["errorType"],
        "ACCESS_DENIED_EXCEPTION"
    );
}

#[test]
fn a_failed_run_notifies_and_fails_the_execution_with_the_summary() {
    let seed = write_seed(
        "failed",
        vec![
            instant_source("ds_ok", "SUCCESS", &[]),
            instant_source("ds_bad", "FAILED", &[]),
        ],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed));
    let report = chain.run_flow(&harvest_of("failed", &["ds_ok", "ds_bad"]));
    assert_ran(&report);
    assert_eq!(report.error(), "DataSourceRunsFailed", "{}", report.report);
    let summary = report.summary();
    assert_eq!(
        (
            summary["sources"]["succeeded"].clone(),
            summary["sources"]["failed"].clone()
        ),
        (json!(1), json!(1))
    );
    assert_eq!(summary["failures"][0]["dataSourceId"], "ds_bad");
    assert_eq!(
        summary["failures"][0]["error"],
        json!({"name": "ACCESS_DENIED_EXCEPTION", "message": "ds_bad could not read everything"})
    );
    let notification = &report.report["notifications"][0];
    assert_eq!(notification["state"], "NotifyFailures");
    assert_eq!(
        notification["subject"],
        "DataZone harvest in dzd_sales2026: data source runs failed"
    );
    // Email gets text a person reads; every other protocol the summary.
    let email = notification["email"].as_str().unwrap();
    assert!(
        email.contains("2 data sources: 1 SUCCEEDED, 1 FAILED"),
        "{email}"
    );
    assert!(
        email.contains("  ds_bad FAILED run ")
            && email.contains("ACCESS_DENIED_EXCEPTION: ds_bad could not read everything"),
        "{email}"
    );
    assert!(
        email.contains("Full report: s3://") && email.contains("\nExecution: https://"),
        "{email}"
    );
    let message: Value = serde_json::from_str(notification["message"].as_str().unwrap()).unwrap();
    assert_eq!(message, summary);
}

#[test]
fn a_refused_start_or_a_spent_daily_quota_is_reported_for_that_source_alone() {
    let mut refused = instant_source("ds_refused", "SUCCESS", &[]);
    refused["startErrors"] = json!(["ValidationException"]);
    let mut denied = instant_source("ds_denied", "SUCCESS", &[]);
    denied["startErrors"] = json!(["AccessDeniedException"]);
    let mut spent = instant_source("ds_spent", "SUCCESS", &[]);
    spent["startErrors"] = json!(["ServiceQuotaExceededException"]);
    let seed = write_seed(
        "refused",
        vec![
            refused,
            denied,
            spent,
            instant_source("ds_ok", "SUCCESS", &[]),
        ],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed));
    let report = chain.run_flow(&harvest_of(
        "refused",
        &["ds_refused", "ds_denied", "ds_spent", "ds_ok"],
    ));
    assert_ran(&report);
    assert_eq!(report.error(), "DataSourceRunsFailed", "{}", report.report);
    assert_eq!(
        outcomes(&chain.harvest(&report)),
        [
            outcome("ds_refused", "NOT_STARTED", "DataZone.ValidationException"),
            outcome("ds_denied", "NOT_STARTED", "DataZone.AccessDeniedException"),
            outcome(
                "ds_spent",
                "QUOTA_EXHAUSTED",
                "DataZone.ServiceQuotaExceededException"
            ),
            outcome("ds_ok", "SUCCEEDED", "")
        ]
    );
    let summary = report.summary();
    assert_eq!(summary["sources"]["quotaExhausted"], 1);
    assert_eq!(
        summary["failures"].as_array().unwrap().len(),
        2,
        "skipped is no failure"
    );
    // Each refusal is answered once and never tried again: only ds_ok started.
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
    assert_eq!(chain.calls("StartDataSourceRun", 400), 1);
    assert_eq!(chain.calls("StartDataSourceRun", 403), 1);
    assert_eq!(chain.calls("StartDataSourceRun", 402), 1);
}

#[test]
fn a_throttled_start_waits_and_starts_once_with_its_token() {
    // The SDK does not retry: the harvest's own backoff does.
    let mut throttled = instant_source("ds_t", "SUCCESS", &[]);
    throttled["startErrors"] = json!(["ThrottlingException", "ThrottlingException"]);
    let seed = write_seed("throttled", vec![throttled], json!({}));
    let chain = LocalChain::start(&with_env(options(&seed), &[("AWS_MAX_ATTEMPTS", "1")]));
    let report = chain.run_flow(&harvest_of("throttled", &["ds_t"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let waits: Vec<(Value, Value)> = report.report["waits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|wait| wait["state"] == "WaitToStart")
        .map(|wait| (wait["state"].clone(), wait["seconds"].clone()))
        .collect();
    let seconds: Vec<u64> = waits
        .iter()
        .map(|(_, seconds)| seconds.as_u64().unwrap())
        .collect();
    assert_eq!(seconds.len(), 2, "{waits:?}");
    assert!(
        (1..=2).contains(&seconds[0]) && (2..=4).contains(&seconds[1]),
        "backoff of 2 s, then 4 s, each with jitter: {seconds:?}"
    );
    assert_eq!(chain.calls("StartDataSourceRun", 429), 2);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
    assert_eq!(visits(&report, "StartRuns"), 3);
}

#[test]
fn a_source_already_running_is_followed_not_started_again() {
    let seed = write_seed(
        "already-running",
        vec![source("ds_busy", "SUCCESS", 1_000_000, &[])],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed).parameter("MaxPolls", "1"));
    // A run started outside the harvest, still running when it begins.
    chain
        .invoke(
            "start-runs",
            &json!({"triggerId": "someone-else", "dataSourceIds": ["ds_busy"]}),
        )
        .unwrap();
    let report = chain.run_flow(&harvest_of("already-running", &["ds_busy"]));
    assert_ran(&report);
    let harvest = chain.harvest(&report);
    assert_eq!(harvest["sources"][0]["startedAs"], "already-active");
    assert_eq!(
        outcomes(&harvest),
        [outcome(
            "ds_busy",
            "POLLING_LIMIT_REACHED",
            "PollingLimitReached"
        )],
        "followed (once, MaxPolls) rather than started"
    );
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
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
    let chain = LocalChain::start(&options(&seed));
    let delivery = |name: &str| FlowRun {
        input: json!({"triggerId": "schedule@2026-11-21T02:00:00Z", "dataSourceIds": ["ds_a", "ds_b"]}),
        ..FlowRun::named(name)
    };
    let first = chain.run_flow(&delivery("delivery-1"));
    let second = chain.run_flow(&delivery("delivery-2"));
    assert_eq!(
        (first.status(), second.status()),
        ("SUCCEEDED", "SUCCEEDED")
    );
    assert_eq!(
        chain.calls("StartDataSourceRun", 200),
        4,
        "two sources, twice"
    );
    let runs = |report: &FlowReport| -> Vec<Value> {
        chain.harvest(report)["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|source| source["runId"].clone())
            .collect()
    };
    assert_eq!(
        runs(&first),
        runs(&second),
        "the same client tokens, the same runs"
    );
}

#[test]
fn waits_take_the_seconds_the_follow_step_asks_for() {
    // A run of 150 s, checked at its ages 0, 10, 20, 40 and 80 s (waits
    // doubling once the run is twice as old as the last wait), done at
    // the check after 160 s. A slower time scale keeps the seconds each
    // step takes small beside the waits.
    let mut slow = source("ds_slow", "SUCCESS", 150, &[]);
    slow["runs"][0]["requestedSeconds"] = json!(0);
    let seed = write_seed("waits", vec![slow], json!({}));
    // No events: every round checks, and waits what the run's age calls for.
    let chain = LocalChain::start(&ChainOptions {
        time_scale: 20.0,
        events_to_run_status: false,
        ..options(&seed).parameter("FollowEvents", "false")
    });
    let report = chain.run_flow(&harvest_of("waits", &["ds_slow"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let waits: Vec<&Value> = report.report["waits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|wait| wait["state"] == "WaitForRuns")
        .collect();
    let seconds: Vec<u64> = waits
        .iter()
        .map(|wait| wait["seconds"].as_u64().unwrap())
        .collect();
    // The run's age is read on the emulator's clock.
    assert_eq!(seconds, [10, 10, 20, 40, 80], "{}", report.report["waits"]);
    for wait in waits {
        let scaled = wait["seconds"].as_f64().unwrap() * 1000.0 / 20.0;
        assert!(wait["waitedMs"].as_f64().unwrap() >= scaled, "{wait}");
    }
    assert_eq!(chain.calls("GetDataSourceRun", 200), 6);
}

#[test]
fn with_metadata_generation_waits_take_the_seconds_metadata_status_asks_for() {
    // A run done at once whose asset's generation takes 150 s: the waits
    // come from metadata-status' answer (the last result written where
    // WaitForRuns reads), not from follow-runs', which has no run to wait for.
    let seed = write_seed(
        "metadata-waits",
        vec![instant_source("ds_m", "SUCCESS", &["ast_slow"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 150}}),
    );
    let chain = LocalChain::start(&ChainOptions {
        time_scale: 20.0,
        events_to_run_status: false,
        ..options(&seed)
            .parameter("GenerateMetadata", "true")
            .parameter("FollowEvents", "false")
    });
    let report = chain.run_flow(&harvest_of("metadata-waits", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let waits = report.report["waits"].as_array().unwrap();
    let seconds: Vec<u64> = waits
        .iter()
        .map(|wait| wait["seconds"].as_u64().unwrap())
        .collect();
    assert_eq!(seconds, [10, 10, 20, 40, 80], "{}", report.report["waits"]);
    for wait in waits {
        let scaled = wait["seconds"].as_f64().unwrap() * 1000.0 / 20.0;
        assert!(wait["waitedMs"].as_f64().unwrap() >= scaled, "{wait}");
    }
    // Checked after each wait: at its ages 10, 20, 40, 80 and 160 s.
    assert_eq!(chain.calls("GetMetadataGenerationRun", 200), 5);
}

#[test]
fn status_checks_that_fail_are_retried_or_reported_per_source() {
    let mut throttled = instant_source("ds_throttled", "SUCCESS", &[]);
    throttled["runs"][0]["getErrors"] = json!(["ThrottlingException"]);
    let mut gone = instant_source("ds_gone", "SUCCESS", &[]);
    gone["runs"][0]["getErrors"] = json!(["ResourceNotFoundException"]);
    let seed = write_seed("checks", vec![throttled, gone], json!({}));
    // The harvest's own checks (no events followed) are what is tested.
    let chain = LocalChain::start(&with_env(
        ChainOptions {
            events_to_run_status: false,
            ..options(&seed).parameter("FollowEvents", "false")
        },
        &[("AWS_MAX_ATTEMPTS", "1")],
    ));
    let report = chain.run_flow(&harvest_of("checks", &["ds_throttled", "ds_gone"]));
    assert_ran(&report);
    assert_eq!(
        outcomes(&chain.harvest(&report)),
        [
            outcome("ds_throttled", "SUCCEEDED", ""),
            outcome(
                "ds_gone",
                "CHECK_FAILED",
                "DataZone.ResourceNotFoundException"
            )
        ]
    );
    assert_eq!(chain.calls("GetDataSourceRun", 429), 1);
    assert_eq!(
        visits(&report, "FollowRuns"),
        2,
        "the throttled check, next round"
    );
}

#[test]
fn an_unknown_status_or_a_run_that_never_ends_is_reported_for_that_source() {
    let mut unknown = instant_source("ds_unknown", "SUCCESS", &[]);
    unknown["runs"][0]["outcome"] = json!({"undocumented": "CANCELLED"});
    let seed = write_seed(
        "unknown",
        vec![
            unknown,
            source("ds_endless", "SUCCESS", 1_000_000, &[]),
            instant_source("ds_ok", "SUCCESS", &[]),
        ],
        json!({}),
    );
    let chain = LocalChain::start(
        &options(&seed)
            .parameter("MaxPolls", "3")
            .parameter("FollowEvents", "false"),
    );
    let report = chain.run_flow(&harvest_of(
        "unknown",
        &["ds_unknown", "ds_endless", "ds_ok"],
    ));
    assert_ran(&report);
    assert_eq!(report.error(), "DataSourceRunsFailed");
    assert_eq!(
        outcomes(&chain.harvest(&report)),
        [
            outcome("ds_unknown", "UNKNOWN_STATUS", "UnknownRunStatus"),
            outcome("ds_endless", "POLLING_LIMIT_REACHED", "PollingLimitReached"),
            outcome("ds_ok", "SUCCEEDED", "")
        ]
    );
    assert_eq!(
        visits(&report, "FollowRuns"),
        3,
        "MaxPolls checks of the endless run"
    );
}

#[test]
fn metadata_generation_ends_each_asset_on_its_own() {
    let seed = write_seed(
        "metadata",
        vec![instant_source(
            "ds_m",
            "SUCCESS",
            &[
                "ast_good",
                "ast_bad",
                "ast_cancelled",
                "ast_refused",
                "ast_gone",
                "ast_odd",
            ],
        )],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 120},
               "targets": {"ast_bad": {"outcome": "FAILED", "seconds": 60, "errorMessage": "could not describe"},
                           "ast_cancelled": {"outcome": "CANCELED", "seconds": 90},
                           "ast_refused": {"outcome": "SUCCEEDED", "startErrors": ["ValidationException"]},
                           "ast_gone": {"outcome": "SUCCEEDED", "getErrors": ["ResourceNotFoundException"]},
                           "ast_odd": {"outcome": {"undocumented": "PAUSED"}, "seconds": 0}}}),
    );
    let chain = LocalChain::start(&options(&seed).parameter("GenerateMetadata", "true"));
    let report = chain.run_flow(&harvest_of("metadata", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(
        report.status(),
        "SUCCEEDED",
        "metadata generation does not fail a harvest"
    );
    // The metadata part of every round is metadata-status'.
    assert_eq!(
        visits(&report, "MetadataStatus"),
        visits(&report, "FollowRuns"),
        "{}",
        report.report
    );
    assert_eq!(
        report.report["invocations"]["metadata-status"],
        visits(&report, "MetadataStatus")
    );
    let harvest = chain.harvest(&report);
    assert_eq!(
        asset_outcomes(&harvest, 0),
        [
            outcome("ast_good", "SUCCEEDED", ""),
            outcome("ast_bad", "FAILED", ""),
            outcome("ast_cancelled", "CANCELED", ""),
            outcome("ast_refused", "NOT_STARTED", "DataZone.ValidationException"),
            outcome(
                "ast_gone",
                "CHECK_FAILED",
                "DataZone.ResourceNotFoundException"
            ),
            outcome(
                "ast_odd",
                "UNKNOWN_STATUS",
                "UnknownMetadataGenerationStatus"
            )
        ]
    );
    assert_eq!(harvest["sources"][0]["outcome"], "SUCCEEDED");
    assert_eq!(report.summary()["metadataGeneration"]["assets"], 6);
    assert_eq!(chain.calls("StartMetadataGenerationRun", 200), 5);
}

#[test]
fn metadata_generation_still_going_after_max_polls_is_given_up_on() {
    let seed = write_seed(
        "metadata-endless",
        vec![instant_source("ds_m", "SUCCESS", &["ast_endless"])],
        json!({"default": {"outcome": "HANG"}}),
    );
    let chain = LocalChain::start(
        &options(&seed)
            .parameter("GenerateMetadata", "true")
            .parameter("MaxPolls", "2"),
    );
    let report = chain.run_flow(&harvest_of("metadata-endless", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(
        asset_outcomes(&chain.harvest(&report), 0),
        [outcome(
            "ast_endless",
            "POLLING_LIMIT_REACHED",
            "PollingLimitReached"
        )]
    );
}

#[test]
fn sources_are_selected_from_projects_with_filters_at_each_execution() {
    let mut sources = vec![
        instant_source("ds_orders", "SUCCESS", &[]),
        instant_source("ds_clicks", "SUCCESS", &[]),
        instant_source("ds_off", "SUCCESS", &[]),
    ];
    sources[0]["name"] = json!("orders-glue");
    sources[1]["name"] = json!("clicks-redshift");
    sources[1]["type"] = json!("REDSHIFT");
    sources[2]["name"] = json!("off-glue");
    sources[2]["enableSetting"] = json!("DISABLED");
    let seed = write_seed("selection", sources, json!({}));
    let chain = LocalChain::start(
        &options(&seed)
            .parameter("SourceSelection", "projects")
            .parameter("SourceTypes", "GLUE"),
    );
    let report = chain.run_flow(&FlowRun::named("selection"));
    assert_ran(&report);
    assert_eq!(
        outcomes(&chain.harvest(&report)),
        [outcome("ds_orders", "SUCCEEDED", "")],
        "the GLUE source that is enabled"
    );
    // The execution's input selects otherwise: every source of the domain.
    let report = chain.run_flow(&FlowRun {
        input: json!({"allProjects": true, "includeDisabledSources": true, "sourceName": "*-*"}),
        ..FlowRun::named("selection-domain")
    });
    let selected: Vec<String> = outcomes(&chain.harvest(&report))
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    assert_eq!(selected, ["ds_orders", "ds_clicks", "ds_off"]);
}

/// A harvest selecting a project's sources while every DataZone call
/// answers `answer` for 30 emulated seconds (50 ms) from the first: the
/// selection fails, the task is retried (six times, 50 ms apart, at most)
/// until the outage is over, and the one source starts once.
fn harvest_through_an_outage(answer: &str) -> (FlowReport, LocalChain) {
    let seed = write_seed(
        &format!("outage-{answer}"),
        vec![instant_source("ds_a", "SUCCESS", &[])],
        json!({}),
    );
    let mut outage = with_env(
        options(&seed).parameter("SourceSelection", "projects"),
        &[("AWS_MAX_ATTEMPTS", "1")],
    );
    outage.emulator_args = vec!["--outage".into(), format!("0:30:{answer}")];
    let chain = LocalChain::start(&outage);
    let report = chain.run_flow(&FlowRun::named(&format!("outage-{answer}")));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1);
    (report, chain)
}

/// The Retries of a report, as `(state, error)`.
fn retried(report: &FlowReport) -> Vec<(Value, Value)> {
    report.report["retries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|retry| (retry["state"].clone(), retry["error"].clone()))
        .collect()
}

#[test]
fn a_step_throttled_during_an_outage_fails_then_succeeds_on_the_task_retry() {
    let (report, _chain) = harvest_through_an_outage("ThrottlingException");
    let retries = retried(&report);
    assert!(!retries.is_empty(), "{}", report.report);
    assert!(
        retries
            .iter()
            .all(|retry| *retry == (json!("StartRuns"), json!("DataZone.ThrottlingException"))),
        "{retries:?}"
    );
}

#[test]
fn a_step_failing_during_an_outage_is_retried_by_the_state_machine() {
    let (report, _chain) = harvest_through_an_outage("InternalServerException");
    let retries = retried(&report);
    assert!(!retries.is_empty(), "{}", report.report);
    assert!(
        retries.iter().all(|retry| *retry
            == (
                json!("StartRuns"),
                json!("DataZone.InternalServerException")
            )),
        "{retries:?}"
    );
}

#[test]
fn a_step_that_cannot_run_fails_the_harvest_with_a_notification() {
    let seed = write_seed(
        "bad-input",
        vec![instant_source("ds_a", "SUCCESS", &[])],
        json!({}),
    );
    let chain = LocalChain::start(&options(&seed));
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["not a valid id"]}),
        ..FlowRun::named("bad-input")
    });
    assert_ran(&report);
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    let cause = report.report["cause"].as_str().unwrap();
    assert!(cause.starts_with("InvalidInput: "), "{cause}");
    assert!(cause.contains("dataSourceIds[0]"), "{cause}");
    assert_eq!(
        report.report["notifications"][0]["state"],
        "NotifyHarvestFailure"
    );
    assert_eq!(
        chain.counters()["operations"],
        json!({}),
        "no DataZone call"
    );
}

#[test]
fn a_report_bucket_that_refuses_fails_the_harvest_by_name() {
    let seed = write_seed(
        "no-bucket",
        vec![instant_source("ds_a", "SUCCESS", &[])],
        json!({}),
    );
    let chain = LocalChain::start(&with_env(
        options(&seed),
        &[("REPORT_BUCKET", "no-such-bucket")],
    ));
    let report = chain.run_flow(&harvest_of("no-bucket", &["ds_a"]));
    assert_ran(&report);
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    let cause = report.report["cause"].as_str().unwrap();
    assert!(cause.starts_with("Report.Refused: "), "{cause}");
    // The role's policy names the template's bucket only.
    assert!(
        cause.contains("AccessDenied") && cause.contains("no-such-bucket"),
        "{cause}"
    );
}

/// The rule on: metadata-status, as its template role (which gains
/// AcceptPredictions and RejectPredictions only with a rule), accepts
/// exactly the predictions at or above the threshold and rejects the rest.
#[test]
fn a_rule_accepts_the_predictions_above_its_threshold_and_rejects_the_rest() {
    let seed = write_seed(
        "predictions",
        vec![instant_source("ds_m", "SUCCESS", &["ast_a", "ast_b"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 60}}),
    );
    let chain = LocalChain::start(
        &options(&seed)
            .parameter("GenerateMetadata", "true")
            .parameter("AcceptPredictions", "0.8")
            .parameter("RejectOtherPredictions", "true"),
    );
    let report = chain.run_flow(&harvest_of("predictions", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let harvest = chain.harvest(&report);
    for asset in harvest["sources"][0]["metadata"].as_array().unwrap() {
        let record = &asset["predictions"];
        assert_eq!(record["thresholdPercent"], 80, "{asset}");
        assert!(record["acceptedRevision"].is_string(), "{asset}");
        assert!(record["rejectedRevision"].is_string(), "{asset}");
    }
    let decided = chain.predictions();
    for asset in decided.as_array().unwrap() {
        for prediction in asset["predictions"].as_array().unwrap() {
            let above = prediction["confidence"].as_f64().unwrap() >= 0.8;
            let expected = if above { "ACCEPTED" } else { "REJECTED" };
            assert_eq!(prediction["decision"], expected, "{asset}");
        }
    }
    assert_eq!(chain.calls("AcceptPredictions", 200), 2);
    assert_eq!(chain.calls("RejectPredictions", 200), 2);
    assert_eq!(
        report.summary()["metadataGeneration"]["predictions"]["acceptedRestRejected"],
        2
    );
}

/// AcceptPredictions throttled past the retry deadline: the predictions
/// are left as suggestions with `PredictionsGaveUp`, and the harvest still
/// succeeds, with a warning.
#[test]
fn an_acceptance_throttled_past_its_deadline_leaves_the_suggestions() {
    let seed = write_seed(
        "throttled-decision",
        vec![instant_source("ds_m", "SUCCESS", &["ast_a"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 60}}),
    );
    let mut options = options(&seed)
        .parameter("GenerateMetadata", "true")
        .parameter("AcceptPredictions", "ALL")
        .parameter("StartRetryDeadlineSeconds", "0");
    options.emulator_args = vec!["--throttle-rate".into(), "AcceptPredictions=1".into()];
    let chain = LocalChain::start(&options);
    let report = chain.run_flow(&harvest_of("throttled-decision", &["ds_m"]));
    assert_ran(&report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let harvest = chain.harvest(&report);
    let record = &harvest["sources"][0]["metadata"][0]["predictions"];
    assert_eq!(record["error"]["name"], "PredictionsGaveUp", "{record}");
    assert!(record["acceptedRevision"].is_null(), "{record}");
    assert_eq!(
        report.summary()["metadataGeneration"]["predictions"]["suggested"],
        1
    );
    assert!(chain.calls("AcceptPredictions", 429) > 0);
    assert_eq!(chain.calls("AcceptPredictions", 200), 0);
}
