//! The [`ReportStore`] port on `aws-sdk-s3`: each harvest record is one
//! JSON object in a bucket, read whole and written whole (a record is the
//! state of one execution, written by one task at a time).

use std::time::Duration;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;
use aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder;
use aws_sdk_s3::primitives::ByteStream;
use datazone_runs::Error;
use datazone_runs::model::harvest::Harvest;
use datazone_runs::port::ReportStore;
use datazone_runs::settings::present;

/// S3 error codes a retry may mend: InternalError ("retry the request") and
/// SlowDown ("reducing your request rate"), per "Amazon S3 error best
/// practices", and 503 ServiceUnavailable.
const RETRYABLE_CODES: &[&str] = &["InternalError", "ServiceUnavailable", "SlowDown"];

/// The longest one load or save may take, all attempts included: a step
/// keeps more than this after its work to save the record (start-runs'
/// and follow-runs' `TIME_KEPT`), so a save is never cut off by the
/// function's timeout. A record of a thousand sources is a few hundred
/// kilobytes.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(8);
/// One attempt of a load or save; the SDK retries within [`CALL_TIMEOUT`].
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone)]
pub struct S3ReportStore {
    client: Client,
    bucket: String,
    /// The account that must own the bucket: every call names it as
    /// `ExpectedBucketOwner`, and S3 refuses the call with 403 AccessDenied
    /// when another account owns the bucket ("Verifying bucket ownership
    /// with bucket owner condition", Amazon S3 User Guide), so records are
    /// never read from or written to a bucket someone else created under
    /// the configured name.
    expected_owner: Option<String>,
}

impl S3ReportStore {
    pub fn new(client: Client, bucket: String) -> Self {
        Self {
            client,
            bucket,
            expected_owner: None,
        }
    }

    /// The same store, refusing a bucket `account` does not own.
    pub fn owned_by(mut self, account: Option<String>) -> Self {
        self.expected_owner = account;
        self
    }

    /// The bucket from `REPORT_BUCKET`, owned by the account in
    /// `REPORT_BUCKET_OWNER` when it is set, on the shared AWS configuration.
    /// `REPORT_S3_PATH_STYLE=true` addresses it by path, as an
    /// S3-compatible server on a local address needs.
    pub fn from_env(shared: &aws_config::SdkConfig) -> Result<Self, Error> {
        let value = |name: &str| present(std::env::var(name).ok());
        let bucket = value("REPORT_BUCKET").ok_or_else(|| {
            Error::invalid_configuration(
                "REPORT_BUCKET",
                "required: the bucket harvest records are written to",
            )
        })?;
        let path_style = value("REPORT_S3_PATH_STYLE").is_some_and(|value| value == "true");
        let config = aws_sdk_s3::config::Builder::from(shared)
            .force_path_style(path_style)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(CALL_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .build(),
            )
            .build();
        Ok(Self::new(Client::from_conf(config), bucket).owned_by(value("REPORT_BUCKET_OWNER")))
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

impl S3ReportStore {
    /// A PutObject of `body` under `key`, in this store's bucket, ready to send.
    fn put_object(&self, key: &str, body: Vec<u8>, content_type: &str) -> PutObjectFluentBuilder {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .content_type(content_type)
            .body(ByteStream::from(body))
    }

    /// One PutObject of `body` under `key`.
    async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<(), Error> {
        self.put_object(key, body, content_type)
            .send()
            .await
            .map_err(map_s3_error)?;
        Ok(())
    }
}

impl ReportStore for S3ReportStore {
    async fn load(&self, key: &str) -> Result<Option<Harvest>, Error> {
        let Some(body) = self.read(key).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&body).map(Some).map_err(|error| {
            Error::ReportRefused(format!(
                "s3://{}/{key} is not a harvest record: {error}",
                self.bucket
            ))
        })
    }

    async fn read(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .send()
            .await;
        let object = match answer {
            Ok(object) => object,
            Err(SdkError::ServiceError(service))
                if matches!(service.err(), GetObjectError::NoSuchKey(_)) =>
            {
                return Ok(None);
            }
            // S3 answers a key that does not exist with 403 AccessDenied,
            // not 404, to a caller not allowed s3:ListBucket on the bucket
            // (GetObject, "Permissions", Amazon S3 API Reference): the first
            // step of every harvest reads a record that does not exist yet.
            Err(error) if error.code() == Some("AccessDenied") => {
                return Err(Error::ReportRefused(format!(
                    "s3://{}/{key}: access denied (reading a record needs s3:GetObject on the key and s3:ListBucket on the bucket): {}",
                    self.bucket,
                    DisplayErrorContext(&error)
                )));
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
        Ok(Some(body.to_vec()))
    }

    async fn write(&self, key: &str, body: Vec<u8>) -> Result<(), Error> {
        self.put(key, body, "application/json").await
    }

    /// A PutObject with `If-None-Match: *`: S3 answers 412 Precondition
    /// Failed when an object is under the key, and 409
    /// ConditionalRequestConflict to the loser of two such writes at once
    /// ("How to prevent object overwrites with conditional writes", Amazon
    /// S3 User Guide). Either way another writer was first.
    async fn create(&self, key: &str, body: Vec<u8>) -> Result<bool, Error> {
        let answer = self
            .put_object(key, body, "application/json")
            .if_none_match("*")
            .send()
            .await;
        match answer {
            Ok(_) => Ok(true),
            Err(error)
                if matches!(
                    error.code(),
                    Some("PreconditionFailed" | "ConditionalRequestConflict")
                ) =>
            {
                Ok(false)
            }
            Err(error) => Err(map_s3_error(error)),
        }
    }

    /// ListObjectsV2, every page (at most 1,000 keys a page, in order).
    async fn keys(&self, prefix: &str) -> Result<Vec<String>, Error> {
        let mut keys = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(map_s3_error)?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key().map(str::to_owned)),
            );
        }
        Ok(keys)
    }

    async fn remove(&self, key: &str) -> Result<(), Error> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .set_expected_bucket_owner(self.expected_owner.clone())
            .send()
            .await
            .map_err(map_s3_error)?;
        Ok(())
    }

    async fn save(&self, key: &str, harvest: &Harvest) -> Result<(), Error> {
        let body = serde_json::to_vec(harvest).expect("a harvest serializes");
        self.put(key, body, "application/json").await
    }

    async fn save_page(&self, key: &str, page: &str) -> Result<(), Error> {
        self.put(key, page.as_bytes().to_vec(), "text/html; charset=utf-8")
            .await
    }

    fn location(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}
