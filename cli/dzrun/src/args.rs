//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// DataZone data source runs from a terminal or CI: start them (at most once
/// per source and trigger), follow them to their final status, generate
/// metadata for what they imported, and exit with a code a script can
/// branch on (0 succeeded, 1 failed, 2 partly succeeded, 3 timed out, 4 bad
/// input, 5 denied).
///
/// AWS settings come from the standard chain (environment, profiles, SSO);
/// AWS_ENDPOINT_URL_DATAZONE points it at another endpoint, e.g.
/// datazone-local.
#[derive(Debug, Parser)]
#[command(name = "dzrun", version)]
pub struct Cli {
    /// AWS profile to use.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region to use.
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// `text` for people (a live display on a terminal, plain lines
    /// otherwise), `json` for scripts (one document at the end).
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub output: Output,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start runs of data sources, and follow them with --wait.
    Start(StartArgs),
    /// One data source run, normalized.
    Status(RunArgs),
    /// One metadata generation run, normalized.
    Metadata(RunArgs),
    /// A data source's runs, newest first (ListDataSourceRuns, every page).
    Runs(RunsArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The domain (dzd_…).
    #[arg(long)]
    pub domain: String,
    /// A data source to run (repeatable).
    #[arg(long = "source", value_name = "ID", group = "selection")]
    pub sources: Vec<String>,
    /// Every data source of this project (repeatable).
    #[arg(long = "project", value_name = "ID", group = "selection")]
    pub projects: Vec<String>,
    /// Every data source of every project of the domain.
    #[arg(long, group = "selection")]
    pub all: bool,
    /// Only data sources of this type, with --project or --all (repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// Only data sources whose name matches (`*` any characters, `?` one).
    #[arg(long, value_name = "GLOB")]
    pub name: Option<String>,
    /// Disabled data sources, and those not READY, too (with --project or --all).
    #[arg(long)]
    pub include_disabled: bool,
    /// The trigger the client tokens derive from: the same trigger never
    /// starts a source twice (a new one per invocation by default).
    #[arg(long, value_name = "ID")]
    pub trigger_id: Option<String>,
    /// Follow every run to its final status.
    #[arg(long)]
    pub wait: bool,
    /// Stop waiting after this long (90s, 30m, 2h); the runs go on.
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::parse, requires = "wait")]
    pub timeout: Option<Duration>,
    /// Exit 0 when runs partly succeeded.
    #[arg(long)]
    pub allow_partial: bool,
    /// Make warnings fail (exit 6): an asset whose metadata generation did
    /// not succeed, a project left out, a source skipped for its spent
    /// daily quota.
    #[arg(long)]
    pub strict: bool,
    /// Generate metadata for what successful runs imported: one or two of
    /// BUSINESS_DESCRIPTIONS, BUSINESS_NAMES, BUSINESS_GLOSSARY_ASSOCIATIONS.
    #[arg(long, value_name = "TYPES", value_delimiter = ',', requires = "wait")]
    pub generate_metadata: Vec<String>,
    /// Accept what generation suggested: ALL, or a confidence from 0 to 1
    /// (those at or above it), as the deployment's AcceptPredictions does.
    #[arg(long, value_name = "RULE", requires = "generate_metadata")]
    pub accept_predictions: Option<String>,
    /// With --accept-predictions, reject the predictions it did not accept.
    #[arg(long, requires = "accept_predictions")]
    pub reject_other_predictions: bool,
    /// Write the harvest's page to FILE: the self-contained HTML page a
    /// deployment writes beside its record (counts, failures, a timeline
    /// of the runs, each asset's metadata generation).
    #[arg(long, value_name = "FILE")]
    pub report_page: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[arg(long)]
    pub domain: String,
    #[arg(long, value_name = "ID")]
    pub run: String,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[arg(long)]
    pub domain: String,
    #[arg(long, value_name = "ID")]
    pub source: String,
    /// Only runs in this status (REQUESTED, RUNNING, FAILED,
    /// PARTIALLY_SUCCEEDED, SUCCESS).
    #[arg(long)]
    pub status: Option<String>,
    /// At most this many runs; a resume token is printed when more remain.
    #[arg(long)]
    pub max_items: Option<usize>,
    /// Runs per ListDataSourceRuns call (1–50).
    #[arg(long)]
    pub page_size: Option<i64>,
    /// Resume a listing where a --max-items listing stopped.
    #[arg(long, value_name = "TOKEN")]
    pub starting_token: Option<String>,
}
