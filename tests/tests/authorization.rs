//! Each function runs as the role template.yaml gives it, and the emulator
//! authorizes its calls as DataZone does: a template whose policy or
//! project memberships fall short ends the source whose call was refused
//! with `DataZone.AccessDeniedException`, as the deployed stack would.

use flow_tests::{source, template_copy, write_seed};
use local_flow::{ChainOptions, FlowRun, LocalChain};
use serde_json::json;

/// The one source's outcome and error message in the harvest's report.
fn denied(name: &str, template: std::path::PathBuf) -> (String, String) {
    let seed = write_seed(name, vec![source("ds_a", "SUCCESS", 60, &[])], json!({}));
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            template,
            time_scale: 600.0,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "false"),
    );
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_a"]}),
        ..FlowRun::named(name)
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    assert_eq!(report.error(), "DataSourceRunsFailed", "{}", report.report);
    let harvest = chain.harvest(&report);
    let result = &harvest["sources"][0];
    assert_eq!(
        result["error"]["name"], "DataZone.AccessDeniedException",
        "{result}"
    );
    (
        result["outcome"].as_str().unwrap_or_default().to_owned(),
        result["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn a_policy_missing_an_action_fails_the_call_that_needs_it() {
    let template = template_copy(
        "no-get-run",
        "                  - datazone:GetDataSourceRun\n                Resource",
        "                  - datazone:GetDataSource\n                Resource",
    );
    let (outcome, message) = denied("no-get-run", template);
    // Started, then follow-runs was refused its status check.
    assert_eq!(outcome, "CHECK_FAILED");
    assert!(
        message.contains("assumed-role/local-FollowRunsFunctionRole/follow-runs is not authorized to perform: datazone:GetDataSourceRun")
            && message.contains("because no identity-based policy allows"),
        "{message}"
    );
}

#[test]
fn a_policy_scoped_to_the_domain_arn_matches_nothing() {
    let template = template_copy(
        "domain-scoped",
        "                Resource: \"*\"\n                Condition: &InThisRegion",
        "                Resource: !Sub arn:${AWS::Partition}:datazone:${AWS::Region}:${AWS::AccountId}:domain/${DomainId}\n                Condition: &InThisRegion",
    );
    let (outcome, message) = denied("domain-scoped", template);
    // start-runs could not even list the source's runs.
    assert_eq!(outcome, "NOT_STARTED");
    assert!(
        message.contains("start-runs is not authorized to perform: datazone:ListDataSourceRuns"),
        "{message}"
    );
}

#[test]
fn a_role_without_project_membership_is_refused_by_datazone() {
    let template = template_copy(
        "no-membership",
        "  Fn::ForEach::FunctionMemberships:\n    - Function\n    - [StartRuns, FollowRuns, MetadataStatus, RunStatus]",
        "  Fn::ForEach::FunctionMemberships:\n    - Function\n    - [StartRuns, MetadataStatus, RunStatus]",
    );
    let (outcome, message) = denied("no-membership", template);
    assert_eq!(outcome, "CHECK_FAILED", "started, then refused its check");
    assert!(
        message.contains("User is not permitted to perform operation: GetDataSourceRun"),
        "{message}"
    );
}

#[test]
fn metadata_status_without_start_metadata_generation_leaves_each_asset_not_started() {
    let template = template_copy(
        "no-start-metadata",
        "                  - datazone:StartMetadataGenerationRun\n",
        "",
    );
    let seed = write_seed(
        "no-start-metadata",
        vec![source("ds_a", "SUCCESS", 0, &["ast_1"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 60}}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            template,
            time_scale: 600.0,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "true"),
    );
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_a"]}),
        ..FlowRun::named("no-start-metadata")
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    let harvest = chain.harvest(&report);
    let asset = &harvest["sources"][0]["metadata"][0];
    assert_eq!(asset["outcome"], "NOT_STARTED", "{harvest}");
    assert!(
        asset["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains(
                "metadata-status is not authorized to perform: datazone:StartMetadataGenerationRun"
            ),
        "{asset}"
    );
}

/// A rule for predictions with a role that cannot accept them: each asset's
/// predictions are left as suggestions, said in the record, and the harvest
/// still succeeds, with a warning.
#[test]
fn metadata_status_without_accept_predictions_leaves_the_suggestions_and_warns() {
    let template = template_copy(
        "no-accept-predictions",
        "                    - datazone:AcceptPredictions\n",
        "",
    );
    let seed = write_seed(
        "no-accept-predictions",
        vec![source("ds_a", "SUCCESS", 0, &["ast_1"])],
        json!({"default": {"outcome": "SUCCEEDED", "seconds": 60}}),
    );
    let chain = LocalChain::start(
        &ChainOptions {
            seed,
            template,
            time_scale: 600.0,
            ..ChainOptions::default()
        }
        .parameter("GenerateMetadata", "true")
        .parameter("AcceptPredictions", "ALL"),
    );
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_a"]}),
        ..FlowRun::named("no-accept-predictions")
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    assert_eq!(report.status(), "SUCCEEDED", "{}", report.report);
    let harvest = chain.harvest(&report);
    let asset = &harvest["sources"][0]["metadata"][0];
    assert_eq!(asset["outcome"], "SUCCEEDED", "the generation did succeed");
    let record = &asset["predictions"];
    assert!(record["acceptedRevision"].is_null(), "{asset}");
    assert!(
        record["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("metadata-status is not authorized to perform: datazone:AcceptPredictions"),
        "{asset}"
    );
    let summary = report.summary();
    assert_eq!(summary["metadataGeneration"]["predictions"]["suggested"], 1);
    assert_eq!(summary["anyWarning"], true);
    assert!(
        chain.predictions()[0]["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|prediction| prediction["decision"] == "SUGGESTED"),
        "nothing decided"
    );
}
