//! The S3 report store with mocked SDK responses.

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_object::{GetObjectError, GetObjectOutput};
use aws_sdk_s3::operation::put_object::PutObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::error::NoSuchKey;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::body::SdkBody;
use datazone_runs::model::harvest::{Harvest, SourceRecord};
use datazone_runs::model::ids::{DataSourceId, DomainId};
use datazone_runs::port::ReportStore;
use report_store_s3::S3ReportStore;

const KEY: &str = "harvests/dzd_sales2026/exec-1.json";

fn harvest() -> Harvest {
    Harvest::new(
        "exec-1".into(),
        DomainId::parse("domainId", "dzd_sales2026").unwrap(),
        vec![SourceRecord::to_start(
            DataSourceId::parse("id", "ds_orders").unwrap(),
            Some("orders".into()),
        )],
    )
}

fn error_response(status: u16, code: &str) -> aws_smithy_runtime_api::http::Response {
    aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
        SdkBody::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code} happened</Message></Error>"
        )),
    )
}

#[tokio::test]
async fn a_saved_record_is_put_as_json_and_read_back() {
    let json = serde_json::to_vec(&harvest()).unwrap();
    let put = mock!(Client::put_object)
        .match_requests(|input| {
            input.bucket() == Some("reports")
                && input.key() == Some(KEY)
                && input.content_type() == Some("application/json")
        })
        .then_output(|| PutObjectOutput::builder().build());
    let get = mock!(Client::get_object)
        .match_requests(|input| input.bucket() == Some("reports") && input.key() == Some(KEY))
        .then_output(move || {
            GetObjectOutput::builder()
                .body(ByteStream::from(json.clone()))
                .build()
        });
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, [&put, &get]);
    let store = S3ReportStore::new(client, "reports".into());
    store.save(KEY, &harvest()).await.unwrap();
    assert_eq!(store.load(KEY).await.unwrap(), Some(harvest()));
    assert_eq!((put.num_calls(), get.num_calls()), (1, 1));
    assert_eq!(store.location(KEY), format!("s3://reports/{KEY}"));
}

#[tokio::test]
async fn a_missing_record_is_none() {
    let get = mock!(Client::get_object)
        .then_error(|| GetObjectError::NoSuchKey(NoSuchKey::builder().build()));
    let store = S3ReportStore::new(mock_client!(aws_sdk_s3, [&get]), "reports".into());
    assert_eq!(store.load(KEY).await.unwrap(), None);
}

#[tokio::test]
async fn what_a_retry_may_mend_is_unavailable_and_the_rest_refused() {
    for (status, code, name) in [
        (503, "SlowDown", "Report.Unavailable"),
        (500, "InternalError", "Report.Unavailable"),
        (403, "AccessDenied", "Report.Refused"),
        (404, "NoSuchBucket", "Report.Refused"),
    ] {
        let put =
            mock!(Client::put_object).then_http_response(move || error_response(status, code));
        let store = S3ReportStore::new(mock_client!(aws_sdk_s3, [&put]), "reports".into());
        let error = store.save(KEY, &harvest()).await.unwrap_err();
        assert_eq!(error.name(), name, "{code}: {error}");
        assert!(error.to_string().contains(code), "{error}");
    }
}

#[tokio::test]
async fn an_object_that_is_not_a_record_is_refused() {
    let get = mock!(Client::get_object).then_output(|| {
        GetObjectOutput::builder()
            .body(ByteStream::from_static(b"{\"not\": \"a record\"}"))
            .build()
    });
    let store = S3ReportStore::new(mock_client!(aws_sdk_s3, [&get]), "reports".into());
    let error = store.load(KEY).await.unwrap_err();
    assert_eq!(error.name(), "Report.Refused");
    assert!(
        error
            .to_string()
            .contains("s3://reports/harvests/dzd_sales2026/exec-1.json is not a harvest record"),
        "{error}"
    );
}
