//! The SigV4 `Authorization` header: requests must be signed for the
//! `datazone` service. The signature itself is not verified (any secret
//! key is accepted); the access key and region it names are read.

use axum::http::{HeaderMap, header};

use crate::api_error::{ApiError, ApiResult, ErrorShape};

/// What a request's signature says about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub access_key_id: String,
    /// The region of the credential scope: `aws:RequestedRegion`.
    pub region: String,
}

impl Signature {
    pub fn from_headers(headers: &HeaderMap) -> ApiResult<Self> {
        let unsigned = |why: &str| {
            ApiError::new(
                ErrorShape::Unauthorized,
                format!("request is not signed with AWS Signature Version 4: {why}"),
            )
        };
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unsigned("no Authorization header"))?;
        let parameters = authorization
            .strip_prefix("AWS4-HMAC-SHA256 ")
            .ok_or_else(|| unsigned("Authorization is not AWS4-HMAC-SHA256"))?;
        let parameter = |name: &str| {
            parameters
                .split(',')
                .map(str::trim)
                .find_map(|part| part.strip_prefix(name))
        };
        // Credential=<access key>/<date>/<region>/<service>/aws4_request
        let scope: Vec<&str> = parameter("Credential=")
            .map(|c| c.split('/').collect())
            .unwrap_or_default();
        if scope.len() != 5 || scope[4] != "aws4_request" || scope[0].is_empty() {
            return Err(unsigned("malformed Credential scope"));
        }
        if scope[3] != "datazone" {
            return Err(unsigned("signed for another service than datazone"));
        }
        if parameter("SignedHeaders=").is_none() || parameter("Signature=").is_none() {
            return Err(unsigned("SignedHeaders or Signature missing"));
        }
        if !headers.contains_key("x-amz-date") {
            return Err(unsigned("no X-Amz-Date header"));
        }
        Ok(Self {
            access_key_id: scope[0].to_owned(),
            region: scope[2].to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).unwrap(),
        );
        headers.insert("x-amz-date", HeaderValue::from_static("20261121T000000Z"));
        headers
    }

    #[test]
    fn the_credential_scope_names_key_and_region() {
        let signature = Signature::from_headers(&headers(
            "AWS4-HMAC-SHA256 Credential=AKIDX/20261121/eu-west-1/datazone/aws4_request, SignedHeaders=host, Signature=00",
        ))
        .unwrap();
        assert_eq!(
            signature,
            Signature {
                access_key_id: "AKIDX".into(),
                region: "eu-west-1".into()
            }
        );
    }

    #[test]
    fn unsigned_or_foreign_requests_are_unauthorized() {
        for (authorization, why) in [
            ("Bearer x", "not AWS4-HMAC-SHA256"),
            (
                "AWS4-HMAC-SHA256 Credential=A/d/r/s3/aws4_request, SignedHeaders=h, Signature=0",
                "another service",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=/d/r/datazone/aws4_request, SignedHeaders=h, Signature=0",
                "malformed",
            ),
            (
                "AWS4-HMAC-SHA256 Credential=A/d/r/datazone/aws4_request",
                "Signature missing",
            ),
        ] {
            let error = Signature::from_headers(&headers(authorization)).unwrap_err();
            assert_eq!(error.shape, ErrorShape::Unauthorized);
            assert!(
                error.message.contains(why),
                "{authorization}: {}",
                error.message
            );
        }
        let mut no_date = headers(
            "AWS4-HMAC-SHA256 Credential=A/d/r/datazone/aws4_request, SignedHeaders=h, Signature=0",
        );
        no_date.remove("x-amz-date");
        assert!(
            Signature::from_headers(&no_date)
                .unwrap_err()
                .message
                .contains("X-Amz-Date")
        );
        assert!(
            Signature::from_headers(&HeaderMap::new())
                .unwrap_err()
                .message
                .contains("no Authorization")
        );
    }
}
