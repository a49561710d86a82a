//! Logs: JSON lines when Lambda's log format is JSON, readable text otherwise.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Sets up logging once. The level comes from `AWS_LAMBDA_LOG_LEVEL`, then
/// `RUST_LOG`, else `info`. JSON lines carry the fields of every enclosing
/// span, so each line names the request, domain, data source, run and
/// execution it belongs to.
pub fn init() {
    let filter = EnvFilter::try_from_env("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(!json && std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    // A second init (tests) keeps the first subscriber.
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}
