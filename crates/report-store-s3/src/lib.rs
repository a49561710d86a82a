//! The [`ReportStore`] port on `aws-sdk-s3`: each harvest record is one
//! JSON object in a bucket, read whole and written whole (a record is the
//! state of one execution, written by one task at a time).

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::primitives::ByteStream;
use datazone_runs::Error;
use datazone_runs::port::ReportStore;
use datazone_runs::settings::env_value;
use datazone_runs::usecase::harvest::record::Harvest;

/// S3 error codes a retry may mend: InternalError ("retry the request") and
/// SlowDown ("reducing your request rate"), per "Amazon S3 error best
/// practices", and 503 ServiceUnavailable.
const RETRYABLE_CODES: &[&str] = &["InternalError", "ServiceUnavailable", "SlowDown"];

#[derive(Debug, Clone)]
pub struct S3ReportStore {
    client: Client,
    bucket: String,
}

impl S3ReportStore {
    pub fn new(client: Client, bucket: String) -> Self {
        Self { client, bucket }
    }

    /// The bucket from `REPORT_BUCKET`, on the shared AWS configuration.
    /// `REPORT_S3_PATH_STYLE=true` addresses it by path, as an
    /// S3-compatible server on a local address needs.
    pub fn from_env(shared: &aws_config::SdkConfig) -> Result<Self, Error> {
        let bucket = env_value("REPORT_BUCKET").ok_or_else(|| {
            Error::invalid_configuration(
                "REPORT_BUCKET",
                "required: the bucket harvest records are written to",
            )
        })?;
        let path_style = env_value("REPORT_S3_PATH_STYLE").is_some_and(|value| value == "true");
        let config = aws_sdk_s3::config::Builder::from(shared)
            .force_path_style(path_style)
            .build();
        Ok(Self::new(Client::from_conf(config), bucket))
    }
}

/// Maps an S3 failure: what a retry may mend is `Report.Unavailable`, the
/// rest (no such bucket, access denied, …) `Report.Refused`.
fn map_s3_error<E, R>(error: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = DisplayErrorContext(&error).to_string();
    match &error {
        SdkError::ServiceError(service)
            if service
                .err()
                .code()
                .is_some_and(|code| RETRYABLE_CODES.contains(&code)) =>
        {
            Error::ReportUnavailable(detail)
        }
        SdkError::ServiceError(_) | SdkError::ConstructionFailure(_) => {
            Error::ReportRefused(detail)
        }
        _ => Error::ReportUnavailable(detail),
    }
}

impl ReportStore for S3ReportStore {
    async fn load(&self, key: &str) -> Result<Option<Harvest>, Error> {
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(SdkError::ServiceError(service))
                if matches!(service.err(), GetObjectError::NoSuchKey(_)) =>
            {
                return Ok(None);
            }
            Err(error) => return Err(map_s3_error(error)),
        };
        let body = object
            .body
            .collect()
            .await
            .map_err(|error| {
                Error::ReportUnavailable(format!("reading s3://{}/{key}: {error}", self.bucket))
            })?
            .into_bytes();
        serde_json::from_slice(&body).map(Some).map_err(|error| {
            Error::ReportRefused(format!(
                "s3://{}/{key} is not a harvest record: {error}",
                self.bucket
            ))
        })
    }

    async fn save(&self, key: &str, harvest: &Harvest) -> Result<(), Error> {
        let body = serde_json::to_vec(harvest).expect("a harvest serializes");
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(map_s3_error)?;
        Ok(())
    }

    fn location(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}
