//! Each function runs as the role template.yaml gives it, and the emulator
//! authorizes its calls as DataZone does: a template whose policy or
//! project memberships fall short fails the state that made the call, with
//! `DataZone.AccessDeniedException`, as the deployed stack would.

use flow_tests::{source, template_copy, write_seed};
use local_flow::{ChainOptions, FlowReport, FlowRun, LocalChain};
use serde_json::json;

fn run(name: &str, template: std::path::PathBuf) -> FlowReport {
    let seed = write_seed(name, vec![source("ds_a", "SUCCESS", 60, &[])], json!({}));
    let chain = LocalChain::start(&ChainOptions {
        seed,
        template,
        emulator_args: vec!["--time-scale".into(), "2000".into()],
        ..ChainOptions::default()
    });
    let report = chain.run_flow(&FlowRun {
        input: json!({"dataSourceIds": ["ds_a"]}),
        ..FlowRun::sample(name).parameter("GenerateMetadata", "false")
    });
    assert!(report.ran_to_the_end, "{}", report.report);
    report
}

/// The data source's result: the state that made it, its error name and message.
fn denied(report: &FlowReport) -> (String, String) {
    assert_eq!(
        report.report["error"], "DataSourceRunsFailed",
        "{}",
        report.report
    );
    let result = report.data_source("ds_a");
    assert_eq!(
        result["error"]["name"], "DataZone.AccessDeniedException",
        "{result}"
    );
    (
        result["status"].as_str().unwrap_or_default().to_owned(),
        result["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn a_policy_missing_an_action_fails_the_state_that_calls_it() {
    let template = template_copy(
        "no-get-run",
        "                - datazone:GetDataSourceRun\n",
        "",
    );
    let (status, message) = denied(&run("no-get-run", template));
    // Started, then CheckRun (run-status) was refused: CheckFailed reports it.
    assert_eq!(status, "UNKNOWN");
    assert!(
        message.contains("assumed-role/local-RunStatusFunctionRole/run-status is not authorized to perform: datazone:GetDataSourceRun")
            && message.contains("because no identity-based policy allows"),
        "{message}"
    );
}

#[test]
fn a_policy_scoped_to_the_domain_arn_matches_nothing() {
    let template = template_copy(
        "domain-scoped",
        "              Resource: \"*\"\n              Condition: &InThisRegion",
        "              Resource: !Sub arn:${AWS::Partition}:datazone:${AWS::Region}:${AWS::AccountId}:domain/${DomainId}\n              Condition: &InThisRegion",
    );
    let (status, message) = denied(&run("domain-scoped", template));
    // start-runs could not even list the source's runs: NotStarted.
    assert_eq!(status, "NOT_STARTED");
    assert!(
        message.contains("start-runs is not authorized to perform: datazone:ListDataSourceRuns"),
        "{message}"
    );
}

#[test]
fn a_role_without_project_membership_is_refused_by_datazone() {
    let template = template_copy(
        "no-membership",
        "    - [StartRuns, RunStatus, MetadataStatus, StartMetadataGeneration]",
        "    - [StartRuns, MetadataStatus, StartMetadataGeneration]",
    );
    let (status, message) = denied(&run("no-membership", template));
    assert_eq!(status, "UNKNOWN", "started, then refused at CheckRun");
    assert!(
        message.contains("User is not permitted to perform operation: GetDataSourceRun"),
        "{message}"
    );
}
