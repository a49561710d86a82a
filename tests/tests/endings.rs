//! Every way a harvest ends reaches a person, and a deployment that would
//! fail in AWS fails here first: the local S3 server authorizes each
//! function's calls with its template role as S3 does (a missing key is
//! 403 without s3:ListBucket), the execution's input cannot redirect it,
//! the runner holds the execution's TimeoutSeconds and hands its end to the
//! template's EventBridge rule, and a notification that cannot be
//! published fails the execution instead of passing for delivered.

use flow_tests::{source, template_copy, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::{Value, json};

/// Emulated seconds per real second in these tests.
const TIME_SCALE: f64 = 600.0;

fn chain(name: &str, template: Option<std::path::PathBuf>, running_seconds: u64) -> LocalChain {
    let seed = write_seed(
        name,
        vec![source("ds_a", "SUCCESS", running_seconds, &[])],
        json!({}),
    );
    let mut options = ChainOptions {
        seed,
        time_scale: TIME_SCALE,
        ..ChainOptions::default()
    }
    .parameter("GenerateMetadata", "false");
    if let Some(template) = template {
        options.template = template;
    }
    LocalChain::start(&options)
}

fn harvest(chain: &LocalChain, name: &str, input: Value) -> FlowReport {
    let report = chain.run_flow(&FlowRun {
        input,
        ..FlowRun::named(name)
    });
    assert!(report.ran_to_the_end, "the chain broke: {}", report.report);
    report
}

fn cause(report: &FlowReport) -> &str {
    report.report["cause"].as_str().unwrap_or_default()
}

/// The messages the execution-ended rule sent to the topic.
fn rule_notifications(report: &FlowReport) -> Vec<String> {
    report.report["notifications"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|notification| notification["rule"] == "ExecutionEndedRule")
        .map(|notification| {
            notification["message"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn without_list_bucket_every_harvest_fails_at_its_first_step() {
    // Both harvest roles share the statement (an anchor in the template).
    let template = template_copy(
        "no-list-bucket",
        "                Action: s3:ListBucket\n",
        "                Action: s3:GetBucketLocation\n",
    );
    let chain = chain("no-list-bucket", Some(template), 60);
    let report = harvest(&chain, "no-list-bucket", json!({"dataSourceIds": ["ds_a"]}));
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    let cause = cause(&report);
    assert!(cause.starts_with("Report.Refused: "), "{cause}");
    assert!(
        cause.contains("AccessDenied")
            && cause.contains("not authorized to perform: s3:ListBucket"),
        "a record that does not exist yet reads as 403: {cause}"
    );
    assert_eq!(
        chain.counters()["operations"],
        json!({}),
        "nothing was selected or started"
    );
}

#[test]
fn without_put_object_the_harvest_fails_when_it_saves_its_record() {
    let template = template_copy(
        "no-put-object",
        "                  - s3:GetObject\n                  - s3:PutObject\n",
        "                  - s3:GetObject\n",
    );
    let chain = chain("no-put-object", Some(template), 60);
    let report = harvest(&chain, "no-put-object", json!({"dataSourceIds": ["ds_a"]}));
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    let cause = cause(&report);
    assert!(
        cause.starts_with("Report.Refused: ")
            && cause.contains("not authorized to perform: s3:PutObject"),
        "{cause}"
    );
}

#[test]
fn with_the_template_policy_the_record_is_read_and_written() {
    let chain = chain("template-policy", None, 0);
    let report = harvest(
        &chain,
        "template-policy",
        json!({"dataSourceIds": ["ds_a"]}),
    );
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let harvest = chain.harvest(&report);
    assert_eq!(harvest["sources"][0]["outcome"], "SUCCEEDED", "{harvest}");
}

#[test]
fn an_input_naming_the_domain_or_the_execution_is_refused() {
    let chain = chain("redirect", None, 60);
    for (name, input) in [
        (
            "other-domain",
            json!({"domainId": "dzd_other", "dataSourceIds": ["ds_a"]}),
        ),
        (
            "other-execution",
            json!({"executionId": "nightly-1", "dataSourceIds": ["ds_a"]}),
        ),
    ] {
        let report = harvest(&chain, name, input);
        assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
        assert!(
            cause(&report).starts_with("InvalidInput: ")
                && cause(&report).contains("domainId or executionId"),
            "{}",
            cause(&report)
        );
        let notification = &report.report["notifications"][0];
        assert_eq!(
            notification["state"], "NotifyHarvestFailure",
            "{}",
            report.report
        );
        assert_eq!(notification["message"].as_str(), Some(cause(&report)));
        let email = notification["email"].as_str().unwrap();
        assert!(
            email.starts_with(&format!(
                "The DataZone harvest {name} could not run: InvalidInput: "
            )) && email.contains("Execution: https://"),
            "{email}"
        );
    }
    assert_eq!(
        chain.counters()["operations"],
        json!({}),
        "no DataZone call"
    );
}

/// The state machine definition with `TimeoutSeconds` set to `seconds`,
/// written where its path ends with the template's DefinitionUri.
fn definition_timing_out_after(seconds: u64) -> std::path::PathBuf {
    let path = local_flow::workspace().join("statemachine/ingestion.asl.json");
    let mut definition: Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    definition["TimeoutSeconds"] = json!(seconds);
    let folder = local_flow::log_dir()
        .join(format!("definitions-{}", std::process::id()))
        .join("statemachine");
    std::fs::create_dir_all(&folder).unwrap();
    let copy = folder.join("ingestion.asl.json");
    std::fs::write(&copy, definition.to_string()).unwrap();
    copy
}

#[test]
fn an_execution_that_times_out_is_notified_by_the_execution_ended_rule() {
    // A run of a day; the execution may last 20 emulated minutes.
    let chain = chain("timeout", None, 86_400);
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_a"]}),
        definition: Some(definition_timing_out_after(1200)),
        ..FlowRun::named("timeout")
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    assert_eq!(report.status(), "TIMED_OUT", "{}", report.report);
    assert_eq!(report.error(), "States.Timeout");
    let messages = rule_notifications(&report);
    assert_eq!(messages.len(), 1, "{}", report.report);
    assert!(
        messages[0].contains("DataZone harvest timeout ended TIMED_OUT")
            && messages[0].contains("execution:IngestionStateMachine:timeout"),
        "{}",
        messages[0]
    );
}

#[test]
fn a_rule_whose_topic_key_it_may_not_use_is_dropped_not_delivered() {
    // The AWS managed key admits no AWS service publisher.
    let template = template_copy(
        "managed-key",
        "      KmsMasterKeyId: !Ref NotificationKey\n",
        "      KmsMasterKeyId: alias/aws/sns\n",
    );
    let chain = chain("managed-key", Some(template), 60);
    let report = harvest(&chain, "managed-key", json!({"executionId": "x"}));
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    assert!(rule_notifications(&report).is_empty(), "{}", report.report);
    let dropped = &report.report["droppedNotifications"][0];
    assert_eq!(dropped["rule"], "ExecutionEndedRule", "{}", report.report);
    assert_eq!(dropped["error"], "SNS.KMSAccessDeniedException");
}

#[test]
fn a_notification_that_cannot_be_published_fails_the_execution() {
    let template = template_copy(
        "no-publish",
        "              Action:\n                - sns:Publish\n",
        "              Action:\n                - sns:GetTopicAttributes\n",
    );
    // The run fails: NotifyFailures is refused its publish.
    let seed = write_seed(
        "no-publish",
        vec![source("ds_a", "FAILED", 0, &[])],
        json!({}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            template,
            time_scale: TIME_SCALE,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "false"),
    );
    let report = harvest(&chain, "no-publish", json!({"dataSourceIds": ["ds_a"]}));
    assert_eq!(report.error(), "NotificationFailed", "{}", report.report);
    assert!(
        cause(&report).contains("SNS.AuthorizationErrorException")
            && cause(&report).contains("sns:Publish"),
        "{}",
        cause(&report)
    );
    // Nobody was told by the flow; the execution-ended rule tells them.
    let messages = rule_notifications(&report);
    assert_eq!(messages.len(), 1, "{}", report.report);
    assert!(messages[0].contains("ended FAILED"), "{}", messages[0]);
    assert!(
        report.report["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|notification| notification["state"].is_null()),
        "{}",
        report.report
    );
}

#[test]
fn polls_that_could_outlast_the_execution_are_refused_before_anything_starts() {
    let seed = write_seed(
        "long-polls",
        vec![source("ds_a", "SUCCESS", 60, &[])],
        json!({}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            time_scale: TIME_SCALE,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "false")
        .parameter("MaxPolls", "200"),
    );
    let report = harvest(&chain, "long-polls", json!({"dataSourceIds": ["ds_a"]}));
    assert_eq!(report.error(), "HarvestFailed", "{}", report.report);
    assert!(
        cause(&report).starts_with("InvalidConfiguration: ")
            && cause(&report).contains("MAX_POLLS")
            && cause(&report).contains("43200"),
        "{}",
        cause(&report)
    );
    assert_eq!(chain.counters()["operations"], json!({}), "nothing started");
}
