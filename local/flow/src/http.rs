//! The plain HTTP the chain speaks to its own servers (the Lambda Invoke
//! API, the emulator's endpoints, the S3 server's bucket creation).

use std::time::Duration;

/// An HTTP client that hands back every status as an answer (a function
/// error is an HTTP 500 with its error name in the body).
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// The status and body of an exchange with one of the chain's own servers.
pub(crate) fn exchange(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> (u16, String) {
    let mut response = response.expect("the chain's server answers");
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .expect("a readable answer");
    (status, body)
}
