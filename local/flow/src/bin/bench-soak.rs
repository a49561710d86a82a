//! `bench-soak`: harvests 300 data sources through the whole local chain,
//! first without faults, then under a busy morning's (DataZone throttling
//! StartDataSourceRun at 2 a second and ListDataSourceRuns and
//! GetDataSourceRun at 5, 5% of calls failing with 500, one event in ten
//! lost, a 10-second outage), and prints for each: sources started,
//! duplicated (started twice) and lost (not followed to a final status),
//! wall time, DataZone calls, the seconds from a run's end to the record of
//! it (p95, max; on DataZone's clock) and what the faults added. Exits 1 when a
//! source is duplicated or lost, or the outcomes differ.

use std::process::ExitCode;

use clap::Parser;
use local_flow::fleet::{Census, EndToRecord, Fleet, FleetHarvest, percentile};

const FAULTS: &[&str] = &[
    "--rate-limit",
    "StartDataSourceRun=2",
    "--rate-limit",
    "ListDataSourceRuns=5",
    "--rate-limit",
    "GetDataSourceRun=5",
    "--internal-error-rate",
    "0.05",
    "--drop-events",
    "0.1",
    "--outage",
    "300:10",
    "--random-seed",
    "7",
];

#[derive(Debug, Parser)]
#[command(name = "bench-soak")]
struct Args {
    #[arg(long, default_value_t = 300)]
    sources: usize,
    /// How much faster than real time runs, waits and rates go.
    #[arg(long, default_value_t = 10.0)]
    time_scale: f64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let fleet = Fleet::of_sources(args.sources).with_runs_between(60, 600);
    println!(
        "{} sources, runs of 1 to 10 minutes, time scale {}.",
        args.sources, args.time_scale
    );
    println!();
    println!(
        "| harvest | started | duplicated | lost | wall time | DataZone calls | end to record p95 | max |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for (label, faults) in [("without faults", &[][..]), ("under faults", FAULTS)] {
        let harvest = FleetHarvest::run_with_faults(
            &fleet,
            &format!("soak-{}", rows.len()),
            args.time_scale,
            faults,
        );
        if !harvest.flow.ran_to_the_end {
            eprintln!(
                "bench-soak: {label}: the flow did not run to its end: {}",
                harvest.flow.report
            );
            return ExitCode::FAILURE;
        }
        let census = Census::of(&harvest);
        let calls = Census::calls(&harvest);
        let ends = EndToRecord::of(&harvest.chain.harvest(&harvest.flow)).all();
        println!(
            "| {label} | {} | {} | {} | {:.0} s | {calls} | {} s | {} s |",
            census.runs.len(),
            census.duplicated(),
            census.lost(&fleet),
            harvest.wall.as_secs_f64(),
            percentile(&ends, 0.95),
            ends.last().copied().unwrap_or(0),
        );
        rows.push((census, harvest.wall, calls));
    }
    let (calm, chaos) = (&rows[0], &rows[1]);
    println!();
    println!(
        "Faults added {:.0} s of wall time ({:+.0}%) and {} DataZone calls ({:+.0}%).",
        chaos.1.as_secs_f64() - calm.1.as_secs_f64(),
        100.0 * (chaos.1.as_secs_f64() / calm.1.as_secs_f64() - 1.0),
        chaos.2 as i64 - calm.2 as i64,
        100.0 * (chaos.2 as f64 / calm.2 as f64 - 1.0)
    );
    let sound = chaos.0.duplicated() == 0
        && chaos.0.lost(&fleet) == 0
        && chaos.0.outcomes == calm.0.outcomes;
    if sound {
        ExitCode::SUCCESS
    } else {
        eprintln!("bench-soak: under faults, a source was duplicated or lost, or ended otherwise");
        ExitCode::FAILURE
    }
}
