//! DataZone's events move the harvest on, through the whole local chain:
//! the emulator sends each run's end to run-status (as EventBridge would),
//! run-status records it as its template role and resumes the waiting
//! execution through the runner's Step Functions endpoint; the harvest's
//! own checks are the safety net when no event arrives. Each of
//! run-status' permissions for this is taken away once: the harvest then
//! falls back on its checks, and the test says which way it went.

use flow_tests::{source, template_copy, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::{Value, json};

const SOURCES: [&str; 3] = ["ds_a", "ds_b", "ds_c"];

/// Three sources whose runs take 60, 300 and 600 seconds, harvested with
/// `template` (the repository's when `None`) and the emulator's `faults`.
fn harvest(
    name: &str,
    template: Option<std::path::PathBuf>,
    faults: &[&str],
) -> (LocalChain, FlowReport) {
    let seed = write_seed(
        name,
        vec![
            source("ds_a", "SUCCESS", 60, &[]),
            source("ds_b", "PARTIALLY_SUCCEEDED", 300, &[]),
            source("ds_c", "FAILED", 600, &[]),
        ],
        json!({}),
    );
    let defaults = ChainOptions::default();
    let chain = LocalChain::start(&ChainOptions {
        seed,
        template: template.unwrap_or(defaults.template.clone()),
        // Slow enough that the first round comes before the first end (60
        // emulated seconds: one real second), however busy the machine.
        time_scale: 60.0,
        emulator_args: faults.iter().map(|fault| (*fault).to_owned()).collect(),
        ..defaults
    });
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": SOURCES}),
        ..FlowRun::named(name)
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    (chain, report)
}

/// Each source's outcome, and whether its end was recorded on its event.
fn ends(chain: &LocalChain, report: &FlowReport) -> Vec<(String, String, bool)> {
    chain.harvest(report)["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|source| {
            (
                source["dataSourceId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                source["outcome"].as_str().unwrap_or_default().to_owned(),
                source["byEvent"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

fn expected(by_event: bool) -> Vec<(String, String, bool)> {
    [
        ("ds_a", "SUCCEEDED"),
        ("ds_b", "PARTIALLY_SUCCEEDED"),
        ("ds_c", "FAILED"),
    ]
    .map(|(id, outcome)| (id.to_owned(), outcome.to_owned(), by_event))
    .to_vec()
}

fn visits(report: &FlowReport, state: &str) -> u64 {
    report.report["visits"][state].as_u64().unwrap_or(0)
}

fn callback_calls(report: &FlowReport) -> Vec<Value> {
    report.report["taskTokenCalls"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn each_end_is_recorded_on_its_event_and_the_last_one_wakes_the_harvest() {
    let (chain, report) = harvest("events-move", None, &[]);
    assert_eq!(report.error(), "DataSourceRunsFailed", "{}", report.report);
    assert_eq!(ends(&chain, &report), expected(true));
    // run-status read each run once, on its end; the harvest checked none.
    assert_eq!(chain.calls("GetDataSourceRun", 200), 3);
    assert_eq!(chain.calls("StartDataSourceRun", 200), 3);
    assert_eq!(chain.calls("ListDataSourceRuns", 200), 0);
    // The first round after the starts, and the one the last end woke.
    assert_eq!(visits(&report, "FollowRuns"), 2, "{}", report.report);
    assert_eq!(visits(&report, "GatherEnds"), 1);
    assert_eq!(
        callback_calls(&report),
        [json!({"operation": "SendTaskSuccess", "status": 200})]
    );
}

#[test]
fn every_run_is_followed_to_its_end_when_no_event_arrives() {
    let (chain, report) = harvest("events-lost", None, &["--drop-events", "1"]);
    assert_eq!(report.error(), "DataSourceRunsFailed", "{}", report.report);
    assert_eq!(ends(&chain, &report), expected(false));
    assert_eq!(visits(&report, "GatherEnds"), 0, "never woken");
    assert!(callback_calls(&report).is_empty());
    // Checked at the safety net's wait (900 s) only: 60 s, 300 s and 600 s
    // runs all end before the first check.
    assert_eq!(chain.calls("GetDataSourceRun", 200), 3);
}

#[test]
fn run_status_without_put_object_leaves_the_ends_to_the_checks() {
    let template = template_copy(
        "no-record-ends",
        "                Action: s3:PutObject\n                Resource: !Sub\n                  - arn:${AWS::Partition}:s3:::${Bucket}/harvests/*.ended/*",
        "                Action: s3:GetObjectTagging\n                Resource: !Sub\n                  - arn:${AWS::Partition}:s3:::${Bucket}/harvests/*.ended/*",
    );
    let (chain, report) = harvest("no-record-ends", Some(template), &[]);
    assert_eq!(ends(&chain, &report), expected(false));
    assert!(callback_calls(&report).is_empty());
}

#[test]
fn run_status_without_reading_the_notes_leaves_the_ends_to_the_checks() {
    let template = template_copy(
        "no-read-notes",
        "                Action: s3:GetObject\n                Resource: !Sub\n                  - arn:${AWS::Partition}:s3:::${Bucket}/harvests/*/waiting/*",
        "                Action: s3:GetObjectTagging\n                Resource: !Sub\n                  - arn:${AWS::Partition}:s3:::${Bucket}/harvests/*/waiting/*",
    );
    let (chain, report) = harvest("no-read-notes", Some(template), &[]);
    assert_eq!(ends(&chain, &report), expected(false));
}

#[test]
fn run_status_without_list_bucket_leaves_the_ends_to_the_checks() {
    let template = template_copy(
        "no-list-notes",
        "              - *HarvestBucket\n              # It resumes a harvest's wait",
        "              # It resumes a harvest's wait",
    );
    let (chain, report) = harvest("no-list-notes", Some(template), &[]);
    assert_eq!(ends(&chain, &report), expected(false));
}

#[test]
fn run_status_without_send_task_success_records_the_ends_but_wakes_nobody() {
    let template = template_copy(
        "no-wake",
        "as for follow-runs).\n              - Effect: Allow\n                Action: states:SendTaskSuccess",
        "as for follow-runs).\n              - Effect: Allow\n                Action: states:SendTaskHeartbeat",
    );
    let (chain, report) = harvest("no-wake", Some(template), &[]);
    assert_eq!(ends(&chain, &report), expected(true));
    assert_eq!(visits(&report, "GatherEnds"), 0, "the wait ran out");
    let refused: Vec<Value> = callback_calls(&report)
        .into_iter()
        .filter(|call| call["status"] != 200)
        .collect();
    assert!(
        refused
            .iter()
            .all(|call| call["error"] == "AccessDeniedException"),
        "{refused:?}"
    );
    assert!(!refused.is_empty());
}

#[test]
fn the_last_round_without_delete_object_fails_the_harvest_by_name() {
    let template = template_copy(
        "no-unpark",
        "                Action: s3:DeleteObject",
        "                Action: s3:GetObjectTagging",
    );
    let (_chain, report) = harvest("no-unpark", Some(template), &[]);
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    assert!(
        report.report["cause"]
            .as_str()
            .unwrap_or_default()
            .contains("Report.Refused"),
        "{}",
        report.report
    );
}
