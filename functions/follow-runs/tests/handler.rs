//! The follow-runs handler: its input, and follow steps over the in-memory
//! DataZone and report store.

use std::time::Duration;

use datazone_adapter::client::ClientSettings;
use datazone_runs::model::harvest::{Harvest, SourceRecord};
use datazone_runs::model::run::AssetStatistics;
use datazone_runs::port::ReportStore;
use datazone_runs::testing::{FakeDataZone, MemoryCallback, MemoryReportStore, domain, source};
use datazone_runs::usecase::harvest::start::{StartRound, start_round};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;
use follow_runs::config::FollowRunsConfig;
use follow_runs::handler::FollowRuns;
use follow_runs::input::{FollowRunsRequest, FollowTask};
use function_runtime::metrics::RecordedMetrics;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation, invoke};
use function_runtime::testing::{BadPayload, bad_payloads, sample_events};
use serde_json::json;

const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:Ingestion:exec-1";
const KEY: &str = "harvests/dzd_sales2026/exec-1.json";

fn config() -> FollowRunsConfig {
    FollowRunsConfig {
        domain: Some(domain()),
        polling: PollingPolicy::new(10, 900).unwrap(),
        max_polls: 20,
        concurrency: 4,
        generate_metadata: false,
        follow_events: false,
        coalesce_seconds: 30,
        client: ClientSettings::new(Duration::from_secs(5), Duration::from_secs(5)),
        report_prefix: "harvests/".into(),
        metrics_namespace: "Test".into(),
    }
}

/// A harvest of `sources` started and saved, as start-runs leaves it.
async fn started(fake: &FakeDataZone, store: &MemoryReportStore, sources: &[&str]) {
    let mut harvest = Harvest::new(
        EXECUTION.into(),
        domain(),
        sources
            .iter()
            .map(|id| SourceRecord::to_start(source(id), None))
            .collect(),
    );
    let pacer = Pacer::per_second(1000.0);
    let round = StartRound {
        concurrency: 2,
        pacer: &pacer,
        budget: Budget::lasting(Duration::from_secs(60)),
        call_allowance: Duration::from_secs(5),
        retry_deadline: Duration::from_secs(60),
    };
    start_round(fake, &mut harvest, &round).await;
    store.save(KEY, &harvest).await.unwrap();
}

#[test]
fn every_follower_sample_is_a_valid_request() {
    for (name, payload) in sample_events("follow-runs") {
        FollowRunsRequest::from_payload(payload, &config())
            .unwrap_or_else(|error| panic!("{name}: {error}"));
    }
}

#[tokio::test]
async fn steps_follow_the_harvest_until_its_summary() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    started(&fake, &store, &["a", "b"]).await;
    let metrics = RecordedMetrics::default();
    let callback = MemoryCallback::default();
    let follower = FollowRuns::with_metrics(&fake, &store, &callback, config(), &metrics);
    let input = Payload::Json(json!({"executionId": EXECUTION}));
    let first = follower
        .handle(input.clone(), &Invocation::default())
        .await
        .unwrap();
    // The fake's runs are old: the longest wait.
    assert_eq!(
        serde_json::to_value(&first).unwrap(),
        json!({"pending": 2, "nextWaitSeconds": 900, "summary": null})
    );
    assert!(metrics.documents().is_empty(), "no metrics before the end");
    fake.finish_run(
        "run-0",
        "SUCCESS",
        AssetStatistics {
            added: 3,
            ..AssetStatistics::default()
        },
    );
    fake.finish_run(
        "run-1",
        "PARTIALLY_SUCCEEDED",
        AssetStatistics {
            failed: 1,
            ..AssetStatistics::default()
        },
    );
    let last = follower
        .handle(input, &Invocation::default())
        .await
        .unwrap();
    let summary = serde_json::to_value(&last).unwrap()["summary"].clone();
    assert_eq!(summary["sources"]["succeeded"], 1);
    assert_eq!(summary["sources"]["partiallySucceeded"], 1);
    assert_eq!(summary["anyFailed"], false);
    assert_eq!(summary["anyWarning"], true);
    assert_eq!(summary["report"], format!("memory://{KEY}"));
    assert_eq!(summary["triggerId"], EXECUTION);
    // The last step writes the harvest's metrics, once.
    let documents = metrics.documents();
    assert_eq!(documents.len(), 1);
    let harvest = &documents[0];
    assert_eq!(harvest["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Test");
    assert_eq!(
        (
            harvest["HarvestWarned"].clone(),
            harvest["SourcesSucceeded"].clone(),
            harvest["SourcesPartiallySucceeded"].clone(),
            harvest["HarvestRounds"].clone()
        ),
        (json!(1), json!(1), json!(1), json!(2))
    );
    let notification = serde_json::to_value(&last).unwrap()["notification"].clone();
    assert_eq!(
        notification["subject"],
        "DataZone harvest in dzd_sales2026: partly succeeded or skipped"
    );
}

#[tokio::test]
async fn a_harvest_never_started_is_refused_by_name() {
    let follower = FollowRuns::new(
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
        config(),
    );
    let error = follower
        .handle(
            Payload::Json(json!({"executionId": EXECUTION})),
            &Invocation::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.name(), "Report.Refused");
    assert!(error.to_string().contains(KEY), "{error}");
}

#[tokio::test]
async fn bad_input_is_a_typed_error_and_sends_nothing() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    let callback = MemoryCallback::default();
    let follower = FollowRuns::new(&fake, &store, &callback, config());
    let mut cases = bad_payloads();
    cases.extend([
        BadPayload::json(json!({}), "executionId"),
        BadPayload::json(json!({"executionId": ""}), "executionId"),
        BadPayload::json(json!({"executionId": 7}), "executionId"),
        BadPayload::json(json!({"executionId": "x", "domainId": "sales"}), "domainId"),
        BadPayload::json(
            json!({"executionId": "x", "reportKey": "../etc"}),
            "reportKey",
        ),
    ]);
    for case in cases {
        let error = invoke(&follower, case.payload.clone(), &Invocation::default())
            .await
            .map(|_| ())
            .unwrap_err();
        case.assert_refused(&error);
    }
    assert_eq!(fake.all_calls(), 0, "no request is sent");
}

#[test]
fn a_step_keeps_more_time_than_a_save_may_take() {
    assert!(follow_runs::handler::TIME_KEPT > report_store_s3::CALL_TIMEOUT);
}

/// The project's files on `stack` (a backtrace, innermost frame first), as
/// paths from the workspace root, outermost first, each run of frames in
/// one file counted once.
fn files_on(stack: &str) -> Vec<String> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = Vec::new();
    for line in stack.lines().rev() {
        let Some(location) = line.trim().strip_prefix("at ") else {
            continue;
        };
        let path = location.split(':').next().unwrap_or_default();
        let path = match path.strip_prefix("./") {
            Some(relative) => package.join(relative),
            None => std::path::PathBuf::from(path),
        };
        let Ok(file) = path.canonicalize() else {
            continue;
        };
        let Ok(file) = file.strip_prefix(&workspace) else {
            continue;
        };
        let file = file.to_string_lossy().into_owned();
        if files.last() != Some(&file) {
            files.push(file);
        }
    }
    files
}

/// The walk ARCHITECTURE.md lists: the files one FollowRuns request goes
/// through to reach DataZone's GetDataSourceRun, each entered once. Here
/// the test stands for `main.rs` and the in-memory DataZone for the
/// adapter.
#[tokio::test]
async fn a_follow_request_reaches_datazone_through_each_file_once() {
    let fake = FakeDataZone::default();
    let store = MemoryReportStore::default();
    started(&fake, &store, &["ds_a"]).await;
    fake.keep_call_stacks();
    let callback = MemoryCallback::default();
    let follower = FollowRuns::new(&fake, &store, &callback, config());
    invoke(
        &follower,
        Payload::Json(json!({"executionId": EXECUTION})),
        &Invocation::default(),
    )
    .await
    .unwrap();
    let stack = fake
        .last_get_run_stack()
        .expect("GetDataSourceRun was called");
    let files = files_on(&stack);
    assert_eq!(
        files,
        [
            "functions/follow-runs/tests/handler.rs",
            "shared/function-runtime/src/serve.rs",
            "functions/follow-runs/src/handler.rs",
            "shared/datazone-runs/src/usecase/harvest/steps.rs",
            "shared/datazone-runs/src/usecase/harvest/follow.rs",
            "shared/datazone-runs/src/usecase/status.rs",
            "shared/datazone-runs/src/testing/mod.rs",
        ],
        "{stack}"
    );
}

#[test]
fn a_park_names_a_task_token_of_one_to_2048_characters_and_no_wake() {
    let parse =
        |input: serde_json::Value| FollowRunsRequest::from_payload(Payload::Json(input), &config());
    let parked = parse(json!({"executionId": EXECUTION, "park": {"taskToken": "t-1"}})).unwrap();
    assert_eq!(
        parked.task,
        FollowTask::Park {
            task_token: "t-1".into()
        }
    );
    for token in [String::new(), "t".repeat(2049)] {
        let error =
            parse(json!({"executionId": EXECUTION, "park": {"taskToken": token}})).unwrap_err();
        assert_eq!(error.name(), "InvalidInput");
    }
    let both = parse(json!({
        "executionId": EXECUTION,
        "park": {"taskToken": "t-1"},
        "wake": {"coalesceSeconds": 0, "reason": "r"}
    }))
    .unwrap_err();
    assert_eq!(both.name(), "InvalidInput");
    assert!(
        parse(json!({"executionId": EXECUTION, "park": {"taskToken": "t".repeat(2048)}})).is_ok()
    );
}

#[tokio::test]
async fn without_followed_events_a_park_leaves_no_note() {
    let (fake, store, callback) = (
        FakeDataZone::default(),
        MemoryReportStore::default(),
        MemoryCallback::default(),
    );
    started(&fake, &store, &["a"]).await;
    let follower = FollowRuns::new(&fake, &store, &callback, config());
    let input = Payload::Json(json!({"executionId": EXECUTION, "park": {"taskToken": "t-1"}}));
    follower
        .handle(input, &Invocation::default())
        .await
        .unwrap();
    assert!(
        store
            .saved("harvests/dzd_sales2026/waiting/exec-1.json")
            .is_none()
    );
    let following = FollowRuns::new(
        &fake,
        &store,
        &callback,
        FollowRunsConfig {
            follow_events: true,
            ..config()
        },
    );
    let input = Payload::Json(json!({"executionId": EXECUTION, "park": {"taskToken": "t-1"}}));
    following
        .handle(input, &Invocation::default())
        .await
        .unwrap();
    assert!(
        store
            .saved("harvests/dzd_sales2026/waiting/exec-1.json")
            .is_some()
    );
}
