//! The command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// A local Amazon DataZone that speaks the service's REST-JSON protocol, for
/// tests and demos without an AWS account.
///
/// Point any AWS SDK at it with AWS_ENDPOINT_URL_DATAZONE=http://HOST:PORT
/// (any access key, any region). The first line on standard output is
/// `listening on http://HOST:PORT`; logs go to standard error. It stops
/// cleanly on SIGINT or SIGTERM.
///
/// Besides the DataZone operations it serves GET /_emulator/counters (calls by
/// operation and status code), GET /_emulator/events (the events emitted so
/// far) and GET /_emulator/health.
#[derive(Debug, Clone, Parser)]
#[command(name = "datazone-local", version)]
pub struct Options {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Seed file: domains, projects, data sources and how their runs go.
    /// Without it, the sample seed checked in beside the emulator.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,

    /// How much faster than real time scripted durations pass: at 600 a run
    /// scripted to take ten minutes finishes in one second.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR", value_parser = positive_number)]
    pub time_scale: f64,

    /// Seed for generated ids and for fault draws: the same seed and the same
    /// calls give the same ids and the same faults.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub random_seed: u64,

    /// Append every emitted DataZone event to this file, one JSON per line.
    #[arg(long, value_name = "FILE")]
    pub events_file: Option<PathBuf>,

    /// POST every emitted DataZone event to this URL (repeatable), e.g. a
    /// function's Lambda Invoke API under `cargo lambda watch`:
    /// http://127.0.0.1:9000/2015-03-31/functions/run-status/invocations
    #[arg(long = "events-url", value_name = "URL")]
    pub events_urls: Vec<String>,

    /// Only events of this detail-type go to the URLs (repeatable), as an
    /// EventBridge rule's pattern on `detail-type` lets through; none
    /// given: every event.
    #[arg(long = "events-url-detail-type", value_name = "DETAIL_TYPE")]
    pub events_url_detail_types: Vec<String>,

    /// Requests per second an operation takes before answering 429
    /// ThrottlingException (repeatable), e.g. StartDataSourceRun=20. Defaults:
    /// StartDataSourceRun=20, StartMetadataGenerationRun=10,
    /// CancelMetadataGenerationRun=20, ListDataSources=20, AcceptPredictions=20,
    /// RejectPredictions=20 (the documented quotas).
    #[arg(long = "rate-limit", value_name = "OPERATION=TPS", value_parser = rate_limit)]
    pub rate_limits: Vec<(String, f64)>,

    /// Probability (0 to 1) that a request answers 500 InternalServerException.
    #[arg(long, value_name = "P", value_parser = probability)]
    pub internal_error_rate: Option<f64>,

    /// Probability (0 to 1) that a request of an operation answers 429
    /// ThrottlingException, whatever its rate (repeatable), e.g.
    /// GetDataSourceRun=0.2.
    #[arg(long = "throttle-rate", value_name = "OPERATION=P", value_parser = throttle_rate)]
    pub throttle_rates: Vec<(String, f64)>,

    /// Up to this many milliseconds more before each answer, drawn from the
    /// random seed.
    #[arg(long, value_name = "MS")]
    pub latency_jitter_ms: Option<u64>,

    /// Probability (0 to 1) that an emitted event is never delivered, as
    /// EventBridge's best-effort delivery may lose one.
    #[arg(long = "drop-events", value_name = "P", value_parser = probability)]
    pub drop_event_rate: Option<f64>,

    /// Milliseconds added before every answer.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<u64>,

    /// An outage: after this many requests, every request answers 500
    /// InternalServerException (or 429 ThrottlingException) for this many
    /// emulated seconds, e.g. 10:60 or 10:60:ThrottlingException.
    #[arg(long, value_name = "AFTER_REQUESTS:SECONDS[:ERROR]", value_parser = outage)]
    pub outage: Option<crate::faults::Outage>,

    /// Whether requests are authorized as DataZone does: `enforce` needs a
    /// principal of the seed for the request's access key, an IAM policy
    /// allowing the operation, and a membership of the project it touches;
    /// `off` lets any signed request do anything.
    #[arg(long, value_enum, default_value = "enforce", value_name = "MODE")]
    pub authorization: crate::authorization::Mode,

    /// Account id in emitted events and domain ARNs.
    #[arg(long, default_value = "123456789012", value_name = "ID")]
    pub account_id: String,

    /// Region in emitted events and domain ARNs.
    #[arg(long, default_value = "us-east-1", value_name = "REGION")]
    pub region: String,

    /// Log lines as JSON instead of text.
    #[arg(long)]
    pub json_logs: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self::parse_from(["datazone-local"])
    }
}

fn positive_number(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(number) if number.is_finite() && number > 0.0 => Ok(number),
        _ => Err(format!("{value:?} is not a number above zero")),
    }
}

fn probability(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{value:?} is not a probability from 0 to 1")),
    }
}

fn outage(value: &str) -> Result<crate::faults::Outage, String> {
    let parts: Vec<&str> = value.split(':').collect();
    let (after, seconds, answer) = match parts.as_slice() {
        [after, seconds] => (after, seconds, None),
        [after, seconds, answer] => (after, seconds, Some(answer)),
        _ => return Err(format!("{value:?} is not AFTER_REQUESTS:SECONDS[:ERROR]")),
    };
    Ok(crate::faults::Outage {
        after_requests: after
            .parse()
            .map_err(|_| format!("{after:?} is not a number of requests"))?,
        seconds: positive_number(seconds)?,
        answer: answer
            .map(|name| crate::faults::OutageAnswer::parse(name))
            .transpose()?
            .unwrap_or_default(),
    })
}

fn throttle_rate(value: &str) -> Result<(String, f64), String> {
    let (operation, rate) = value
        .split_once('=')
        .ok_or_else(|| format!("{value:?} is not OPERATION=P"))?;
    if !crate::model::OPERATIONS.contains(&operation) {
        return Err(format!("{operation:?} is not an operation of the emulator"));
    }
    Ok((operation.to_owned(), probability(rate)?))
}

fn rate_limit(value: &str) -> Result<(String, f64), String> {
    let (operation, tps) = value
        .split_once('=')
        .ok_or_else(|| format!("{value:?} is not OPERATION=TPS"))?;
    if !crate::model::OPERATIONS.contains(&operation) {
        return Err(format!(
            "{operation:?} is not an operation of the emulator ({})",
            crate::model::OPERATIONS.join(", ")
        ));
    }
    Ok((operation.to_owned(), positive_number(tps)?))
}
