//! `bench-fleet`: harvests fleets of 10, 100 and 1,000 data sources, and
//! one run adding 5,000 assets with metadata generation, through the whole
//! local chain, and prints one row each: wall time, state transitions, the
//! execution's history events, largest payload and cause (each beside its
//! Step Functions quota), DataZone's busiest request rates beside theirs,
//! and what one schedule costs in state transitions. Waits are the real
//! seconds the state machine asks for, compressed by the time scale like
//! the runs themselves. Exits 1 when a quota is passed.

use std::process::ExitCode;

use clap::Parser;
use local_flow::fleet::{Fleet, FleetHarvest};

/// Step Functions Standard: $0.025 per 1,000 state transitions
/// ("AWS Step Functions Pricing").
const DOLLARS_PER_TRANSITION: f64 = 0.025 / 1000.0;

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
}

fn percent(used: f64, limit: f64) -> String {
    format!("{:.1}%", 100.0 * used / limit)
}

fn main() -> ExitCode {
    let args = Args::parse();
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
    if passed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("bench-fleet: quotas passed: {}", passed.join("; "));
        ExitCode::FAILURE
    }
}
