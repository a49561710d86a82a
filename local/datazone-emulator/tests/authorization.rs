//! Authorization as DataZone enforces it, seen by the real SDK client: the
//! access key must belong to a principal, its IAM policy must allow the
//! action on the resource AWS evaluates it on, and its project membership
//! must allow the operation.

mod common;

use aws_sdk_datazone::error::ProvideErrorMetadata;
use common::{asset, client_as, emulator};
use serde_json::{Value, json};

const DOMAIN: &str = "dzd_auth";

fn principal(key: &str, statements: Value, memberships: Value) -> Value {
    json!({
        "accessKeyId": key,
        "arn": format!("arn:aws:sts::123456789012:assumed-role/{key}/session"),
        "policy": {"Version": "2012-10-17", "Statement": statements},
        "memberships": memberships,
    })
}

fn everything() -> Value {
    json!([{"Effect": "Allow", "Action": "datazone:*", "Resource": "*"}])
}

/// Two projects with a data source each; one finished run imported `ast_a`.
fn seed() -> String {
    json!({
        "domains": [{
            "id": DOMAIN, "name": "Authorization",
            "projects": [{"id": "prj_a", "name": "A"}, {"id": "prj_b", "name": "B"}],
            "dataSources": [
                {"id": "ds_a", "name": "a", "projectId": "prj_a"},
                {"id": "ds_b", "name": "b", "projectId": "prj_b"}
            ],
            "assets": ["ast_a"]
        }],
        "principals": [
            principal("AKIDOWNER", everything(), json!([
                {"projectId": "prj_a", "designation": "PROJECT_OWNER"},
                {"projectId": "prj_b", "designation": "PROJECT_OWNER"}])),
            principal("AKIDVIEWER", everything(), json!([
                {"projectId": "prj_a", "designation": "PROJECT_CATALOG_VIEWER"}])),
            principal("AKIDCONTRIBUTOR", everything(), json!([
                {"projectId": "prj_a", "designation": "PROJECT_CONTRIBUTOR"}])),
            principal("AKIDPROJECTB", everything(), json!([
                {"projectId": "prj_b", "designation": "PROJECT_CONTRIBUTOR"}])),
            principal("AKIDNOSTART", json!([
                {"Effect": "Allow", "Action": ["datazone:Get*", "datazone:List*"], "Resource": "*"}]),
                json!([{"projectId": "prj_a", "designation": "PROJECT_OWNER"}])),
            principal("AKIDDOMAINARN", json!([
                {"Effect": "Allow", "Action": "datazone:*",
                 "Resource": format!("arn:aws:datazone:us-east-1:123456789012:domain/{DOMAIN}")}]),
                json!([{"projectId": "prj_a", "designation": "PROJECT_OWNER"}])),
            principal("AKIDDENIED", json!([
                {"Effect": "Allow", "Action": "datazone:*", "Resource": "*"},
                {"Effect": "Deny", "Action": "datazone:StartDataSourceRun", "Resource": "*"}]),
                json!([{"projectId": "prj_a", "designation": "PROJECT_OWNER"}])),
            principal("AKIDEUWEST", json!([
                {"Effect": "Allow", "Action": "datazone:*", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]),
                json!([{"projectId": "prj_a", "designation": "PROJECT_OWNER"}]))
        ]
    })
    .to_string()
}

async fn start(
    emulator: &datazone_local::Emulator,
    key: &str,
    source: &str,
) -> Result<String, (String, String)> {
    client_as(emulator, key, 1)
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier(source)
        .send()
        .await
        .map(|run| run.id().to_owned())
        .map_err(|error| {
            let service = error.as_service_error().expect("a service error");
            (
                service.code().unwrap_or_default().to_owned(),
                service.message().unwrap_or_default().to_owned(),
            )
        })
}

#[tokio::test]
async fn an_access_key_of_no_principal_is_unrecognized() {
    let emulator = emulator(&[], Some(&seed())).await;
    let error = start(&emulator, "AKIDSTRANGER", "ds_a").await.unwrap_err();
    assert_eq!(
        error,
        (
            "UnrecognizedClientException".into(),
            "The security token included in the request is invalid.".into()
        )
    );
    emulator.stop().await;
}

#[tokio::test]
async fn iam_denials_name_the_principal_action_and_reason() {
    let emulator = emulator(&[], Some(&seed())).await;
    let domain_arn = format!("arn:aws:datazone:us-east-1:123456789012:domain/{DOMAIN}");
    let implicit = |key: &str| {
        format!(
            "User: arn:aws:sts::123456789012:assumed-role/{key}/session is not authorized to perform: \
             datazone:StartDataSourceRun on resource: {domain_arn} because no identity-based policy \
             allows the datazone:StartDataSourceRun action"
        )
    };
    for key in ["AKIDNOSTART", "AKIDDOMAINARN"] {
        assert_eq!(
            start(&emulator, key, "ds_a").await.unwrap_err(),
            ("AccessDeniedException".into(), implicit(key)),
            "{key}"
        );
    }
    let (code, message) = start(&emulator, "AKIDDENIED", "ds_a").await.unwrap_err();
    assert_eq!(code, "AccessDeniedException");
    assert!(
        message.ends_with("with an explicit deny in an identity-based policy"),
        "{message}"
    );
    // What the policy does allow still works for the same principals.
    for key in ["AKIDNOSTART", "AKIDDENIED"] {
        client_as(&emulator, key, 1)
            .list_data_source_runs()
            .domain_identifier(DOMAIN)
            .data_source_identifier("ds_a")
            .send()
            .await
            .unwrap_or_else(|error| panic!("{key}: {error:?}"));
    }
    let operations = &emulator.counters()["operations"]["StartDataSourceRun"];
    assert_eq!(operations["byStatus"]["403"], 3);
    assert_eq!(operations["byStatus"].get("200"), None, "nothing started");
    emulator.stop().await;
}

#[tokio::test]
async fn the_requested_region_condition_is_the_signing_region() {
    let emulator = emulator(&[], Some(&seed())).await;
    let (code, _) = start(&emulator, "AKIDEUWEST", "ds_a").await.unwrap_err();
    assert_eq!(code, "AccessDeniedException", "signed for us-east-1");
    let config = aws_sdk_datazone::Config::builder()
        .behavior_version(aws_sdk_datazone::config::BehaviorVersion::latest())
        .endpoint_url(emulator.endpoint())
        .region(aws_sdk_datazone::config::Region::new("eu-west-1"))
        .credentials_provider(aws_sdk_datazone::config::Credentials::new(
            "AKIDEUWEST",
            "secret",
            None,
            None,
            "tests",
        ))
        .build();
    aws_sdk_datazone::Client::from_conf(config)
        .start_data_source_run()
        .domain_identifier(DOMAIN)
        .data_source_identifier("ds_a")
        .send()
        .await
        .expect("allowed in eu-west-1");
    emulator.stop().await;
}

#[tokio::test]
async fn project_membership_decides_what_a_principal_may_do() {
    let emulator = emulator(&[], Some(&seed())).await;
    let not_permitted = |operation: &str| {
        (
            "AccessDeniedException".to_owned(),
            format!("User is not permitted to perform operation: {operation}"),
        )
    };
    // A viewer of prj_a may read its runs but not start one; nobody outside prj_b may touch ds_b.
    assert_eq!(
        start(&emulator, "AKIDVIEWER", "ds_a").await.unwrap_err(),
        not_permitted("StartDataSourceRun")
    );
    assert_eq!(
        start(&emulator, "AKIDCONTRIBUTOR", "ds_b")
            .await
            .unwrap_err(),
        not_permitted("StartDataSourceRun")
    );
    let run = start(&emulator, "AKIDCONTRIBUTOR", "ds_a").await.unwrap();
    let viewer = client_as(&emulator, "AKIDVIEWER", 1);
    viewer
        .get_data_source_run()
        .domain_identifier(DOMAIN)
        .identifier(&run)
        .send()
        .await
        .expect("a viewer reads runs of its project");
    let other_run = start(&emulator, "AKIDOWNER", "ds_b").await.unwrap();
    let error = viewer
        .get_data_source_run()
        .domain_identifier(DOMAIN)
        .identifier(&other_run)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.as_service_error().and_then(|e| e.message()),
        Some("User is not permitted to perform operation: GetDataSourceRun")
    );
    let error = viewer
        .list_data_sources()
        .domain_identifier(DOMAIN)
        .project_identifier("prj_b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.as_service_error().and_then(|e| e.code()),
        Some("AccessDeniedException")
    );

    // Metadata generation: contributors of the owning project start it; a
    // viewer neither starts it nor sees runs of projects it is not in.
    let start_metadata = |key: &str, project: &str| {
        client_as(&emulator, key, 1)
            .start_metadata_generation_run()
            .domain_identifier(DOMAIN)
            .owning_project_identifier(project)
            .target(asset("ast_a"))
            .types(aws_sdk_datazone::types::MetadataGenerationRunType::BusinessDescriptions)
            .send()
    };
    let error = start_metadata("AKIDVIEWER", "prj_a").await.unwrap_err();
    assert_eq!(
        error.as_service_error().and_then(|e| e.message()),
        Some("User is not permitted to perform operation: StartMetadataGenerationRun")
    );
    let generation = start_metadata("AKIDCONTRIBUTOR", "prj_a").await.unwrap();
    let listed = |key: &'static str| {
        let client = client_as(&emulator, key, 1);
        async move {
            client
                .list_metadata_generation_runs()
                .domain_identifier(DOMAIN)
                .send()
                .await
                .unwrap()
                .items()
                .iter()
                .map(|run| run.id().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed("AKIDVIEWER").await, [generation.id().to_owned()]);
    assert!(
        listed("AKIDPROJECTB").await.is_empty(),
        "prj_a's runs are not listed to prj_b's members"
    );
    emulator.stop().await;
}

#[tokio::test]
async fn with_authorization_off_any_signed_request_may_do_anything() {
    let emulator = emulator(&["--authorization", "off"], Some(&seed())).await;
    start(&emulator, "AKIDSTRANGER", "ds_b")
        .await
        .expect("no principal needed");
    emulator.stop().await;
}
