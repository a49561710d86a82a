//! The IAM lint (scripts/iam_lint.py) passes the real template and reports
//! a statement scoped to a domain ARN for actions that take no resource type.

use std::process::Command;

use flow_tests::template_copy;
use local_flow::workspace;

/// Runs the lint on `template`: its success and its findings.
fn lint(template: &std::path::Path) -> (bool, String) {
    let python = workspace().join(".tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/test, which installs parliament",
        python.display()
    );
    let output = Command::new(python)
        .arg(workspace().join("scripts/iam_lint.py"))
        .arg(template)
        .current_dir(workspace())
        .output()
        .expect("the IAM lint runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_template_draws_no_finding() {
    let (clean, findings) = lint(&workspace().join("template.yaml"));
    assert!(clean, "{findings}");
    assert_eq!(findings, "");
}

#[test]
fn a_statement_scoped_to_the_domain_is_reported() {
    let copy = template_copy(
        "lint-domain-scoped",
        "                Resource: \"*\"\n                Condition: &InThisRegion",
        "                Resource: !Sub arn:${AWS::Partition}:datazone:${AWS::Region}:${AWS::AccountId}:domain/${DomainId}\n                Condition: &InThisRegion",
    );
    let (clean, findings) = lint(&copy);
    assert!(!clean);
    assert!(
        findings.contains("StartRunsFunction")
            && findings.contains("No resources match for the given action")
            && findings.contains("datazone:StartDataSourceRun"),
        "{findings}"
    );
}

#[test]
fn a_role_reading_records_without_list_bucket_is_reported() {
    let copy = template_copy(
        "lint-no-list-bucket",
        "                Action: s3:ListBucket\n",
        "                Action: s3:GetBucketLocation\n",
    );
    let (clean, findings) = lint(&copy);
    assert!(!clean);
    assert!(
        findings.contains("StartRunsFunction")
            && findings.contains("FollowRunsFunction")
            && findings.contains("without s3:ListBucket on arn:aws:s3:::local-reportbucket"),
        "{findings}"
    );
}
