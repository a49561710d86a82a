//! `bench-fleet`: harvests fleets of 10, 100 and 1,000 data sources, and
//! one run adding 5,000 assets with metadata generation, through the whole
//! local chain, and prints one row each: wall time, state transitions, the
//! execution's history events, largest payload and cause (each beside its
//! Step Functions quota), DataZone's busiest request rates beside theirs,
//! and what one schedule costs in state transitions. Waits are the real
//! seconds the state machine asks for, compressed by the time scale like
//! the runs themselves. Then harvests 1,000 sources three ways, to show
//! what following DataZone's events changes: checks every round (no
//! events), events, and events of which one in ten is lost; for each, the
//! seconds from a run's end to the record of it (p50, p95, max, and the
//! max of the runs whose event was lost), DataZone calls per source, state
//! transitions, S3 requests and the cost of the harvest. Exits 1 when a
//! quota is passed.

use std::process::ExitCode;

use clap::Parser;
use local_flow::fleet::{Census, EndToRecord, Fleet, FleetHarvest, percentile};

/// Step Functions Standard: $0.025 per 1,000 state transitions
/// ("AWS Step Functions Pricing").
const DOLLARS_PER_TRANSITION: f64 = 0.025 / 1000.0;
/// Amazon S3 request prices, S3 Standard in US East (N. Virginia) ("Amazon
/// S3 pricing"): PUT, COPY, POST and LIST requests $0.005 per 1,000; GET
/// and all other requests $0.0004 per 1,000; DELETE requests free.
const DOLLARS_PER_S3_WRITE_OR_LIST: f64 = 0.005 / 1000.0;
const DOLLARS_PER_S3_READ: f64 = 0.0004 / 1000.0;
/// AWS Lambda: $0.20 per 1 million requests ("AWS Lambda Pricing"); the
/// functions' duration is not counted here (README's size table has it).
const DOLLARS_PER_LAMBDA_REQUEST: f64 = 0.20 / 1_000_000.0;

#[derive(Debug, Parser)]
#[command(name = "bench-fleet")]
struct Args {
    /// Fleet sizes, in data sources.
    #[arg(long, value_delimiter = ',', default_values_t = [10, 100, 1000])]
    sources: Vec<usize>,
    /// Assets one run adds, with metadata generation on (0: no such row).
    #[arg(long, default_value_t = 5000)]
    assets: usize,
    /// How much faster than real time runs, waits and rates go; lower is
    /// closer to AWS (a round's own seconds stretch by it), higher is faster.
    #[arg(long, default_value_t = 10.0)]
    time_scale: f64,
    /// Sources of the harvests that compare following DataZone's events
    /// with checking every round (0: no such table).
    #[arg(long, default_value_t = 1000)]
    events_sources: usize,
    /// Only the table that compares following DataZone's events with
    /// checking every round.
    #[arg(long)]
    events_only: bool,
}

fn percent(used: f64, limit: f64) -> String {
    format!("{:.1}%", 100.0 * used / limit)
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.events_only {
        return if events_table(args.events_sources, args.time_scale) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let mut runs: Vec<(String, Fleet)> = args
        .sources
        .iter()
        .map(|&n| (format!("{n} sources"), Fleet::of_sources(n)))
        .collect();
    if args.assets > 0 {
        runs.push((
            format!("{} assets", args.assets),
            Fleet::of_assets(args.assets),
        ));
    }
    println!(
        "Harvests through the local chain at time scale {} (runs of 5 to 40 minutes, waits as the state machine asks).",
        args.time_scale
    );
    println!();
    println!(
        "| harvest | wall time | state transitions | history events | largest payload | cause | busiest DataZone rate | cost per schedule |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut passed = Vec::new();
    for (label, fleet) in runs {
        let name = format!("bench-{}", label.replace(' ', "-"));
        let harvest = FleetHarvest::run(&fleet, &name, args.time_scale);
        if !harvest.flow.ran_to_the_end {
            eprintln!(
                "bench-fleet: {label}: the flow did not run to its end: {}",
                harvest.flow.report
            );
            return ExitCode::FAILURE;
        }
        let uses = harvest.quota_use();
        let find = |name: &str| uses.iter().find(|quota| quota.quota == name).unwrap();
        let (history, payload, cause) = (
            find("history events"),
            find("largest payload (bytes)"),
            find("cause (characters)"),
        );
        let busiest = uses
            .iter()
            .filter(|quota| quota.quota.ends_with(" a second"))
            .max_by(|a, b| a.share().total_cmp(&b.share()))
            .unwrap();
        let transitions = harvest.state_transitions();
        println!(
            "| {label} | {:.0} s | {transitions} | {} ({}) | {} B ({}) | {} ({}) | {} {:.1}/s ({}) | ${:.5} |",
            harvest.wall.as_secs_f64(),
            history.used,
            percent(history.used, history.limit),
            payload.used,
            percent(payload.used, payload.limit),
            cause.used,
            percent(cause.used, cause.limit),
            busiest.quota.trim_end_matches(" a second"),
            busiest.used,
            percent(busiest.used, busiest.limit),
            transitions as f64 * DOLLARS_PER_TRANSITION,
        );
        passed.extend(
            uses.into_iter()
                .filter(|quota| quota.share() > 1.0)
                .map(|quota| format!("{label}: {} {} of {}", quota.quota, quota.used, quota.limit)),
        );
    }
    if args.events_sources > 0 && !events_table(args.events_sources, args.time_scale) {
        return ExitCode::FAILURE;
    }
    if passed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("bench-fleet: quotas passed: {}", passed.join("; "));
        ExitCode::FAILURE
    }
}

/// The harvest's cost: state transitions, S3 requests and Lambda requests.
fn cost(harvest: &FleetHarvest, s3: &serde_json::Value) -> (u64, f64) {
    let s3_count = |actions: &[&str]| -> u64 {
        actions
            .iter()
            .map(|action| s3[*action].as_u64().unwrap_or(0))
            .sum()
    };
    let writes = s3_count(&["s3:PutObject", "s3:ListBucket"]);
    let reads = s3_count(&["s3:GetObject"]);
    let invocations: u64 = harvest.flow.report["invocations"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, count)| count.as_u64().unwrap_or(0))
        .sum::<u64>()
        + harvest.chain.counters()["events"]["delivered"]
            .as_u64()
            .unwrap_or(0);
    let dollars = harvest.state_transitions() as f64 * DOLLARS_PER_TRANSITION
        + writes as f64 * DOLLARS_PER_S3_WRITE_OR_LIST
        + reads as f64 * DOLLARS_PER_S3_READ
        + invocations as f64 * DOLLARS_PER_LAMBDA_REQUEST;
    (writes + reads, dollars)
}

/// One way to harvest the fleet: its label, the emulator's faults, and
/// template parameters.
type Way = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// Prints the events table; `false` when a harvest did not run to its end.
fn events_table(sources: usize, time_scale: f64) -> bool {
    println!();
    println!(
        "{sources} sources (runs of 5 to 40 minutes), time scale {time_scale}: from a run's end to the record of it, on DataZone's clock."
    );
    println!();
    println!(
        "| harvest | end to record p50 | p95 | max | max, event lost | DataZone calls per source | state transitions | S3 requests | cost per harvest |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let ways: [Way; 3] = [
        ("checks every round", &[], &[("FollowEvents", "false")]),
        ("events", &[], &[]),
        ("events, one in ten lost", &["--drop-events", "0.1"], &[]),
    ];
    let fleet = Fleet::of_sources(sources);
    for (label, faults, parameters) in ways {
        let name = format!("bench-events-{}", label.replace([' ', ','], "-"));
        let harvest = FleetHarvest::run_with(&fleet, &name, time_scale, faults, parameters);
        if !harvest.flow.ran_to_the_end {
            eprintln!(
                "bench-fleet: {label}: the flow did not run to its end: {}",
                harvest.flow.report
            );
            return false;
        }
        let s3 = harvest.chain.s3_requests();
        let (s3_requests, dollars) = cost(&harvest, &s3);
        let calls = Census::calls(&harvest) as f64 / sources as f64;
        let ends = EndToRecord::of(&harvest.chain.harvest(&harvest.flow));
        let all = ends.all();
        let lost_max = if faults.is_empty() {
            "-".to_owned()
        } else {
            format!("{} s", ends.by_check.last().copied().unwrap_or(0))
        };
        println!(
            "| {label} | {} s | {} s | {} s | {lost_max} | {calls:.2} | {} | {s3_requests} | ${dollars:.4} |",
            percentile(&all, 0.5),
            percentile(&all, 0.95),
            all.last().copied().unwrap_or(0),
            harvest.state_transitions(),
        );
    }
    true
}
