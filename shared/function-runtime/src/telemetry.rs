//! Logs: JSON lines when Lambda's log format is JSON, readable text otherwise.

use std::io::IsTerminal;

use tracing_subscriber::filter::LevelFilter;

/// A level name: Lambda's (`TRACE` … `ERROR`, `FATAL`) or tracing's.
fn level(name: &str) -> Option<LevelFilter> {
    match name.trim().to_ascii_lowercase().as_str() {
        "fatal" => Some(LevelFilter::ERROR),
        other => other.parse().ok(),
    }
}

/// The level of `AWS_LAMBDA_LOG_LEVEL` (what the template's `LogLevel`
/// sets), else of `RUST_LOG`, else `info`.
fn configured_level() -> LevelFilter {
    ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .iter()
        .find_map(|variable| std::env::var(variable).ok().and_then(|value| level(&value)))
        .unwrap_or(LevelFilter::INFO)
}

/// Sets up logging once, at the configured level (`configured_level`). JSON lines carry the
/// fields of every enclosing span, so each line names the request, domain,
/// data source, run and execution it belongs to.
pub fn init() {
    let filter = configured_level();
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT")
        .is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_max_level(filter)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_and_tracing_level_names_are_read() {
        assert_eq!(level("FATAL"), Some(LevelFilter::ERROR));
        assert_eq!(level("WARN"), Some(LevelFilter::WARN));
        assert_eq!(level(" debug "), Some(LevelFilter::DEBUG));
        assert_eq!(level("info,hyper=warn"), None);
    }
}
