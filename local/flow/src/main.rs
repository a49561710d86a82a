//! `local-flow`: runs the whole flow locally on the sample seed and prints
//! it for a person. Exits 0 when the flow ran to its end, whatever the runs'
//! outcomes, and non-zero when something in the chain broke.

use std::process::ExitCode;

use local_flow::{ChainOptions, FlowRun, LocalChain};

/// Emulated seconds per real second: the sample's longest run (15 minutes)
/// takes under two seconds.
const TIME_SCALE: &str = "600";

fn main() -> ExitCode {
    let chain = LocalChain::start(&ChainOptions {
        emulator_args: vec!["--time-scale".into(), TIME_SCALE.into()],
        events_to_run_status: true,
        ..ChainOptions::default()
    });
    println!(
        "DataZone emulator at {} (sample seed, time scale {TIME_SCALE}, authorization enforced)",
        chain.datazone_endpoint
    );
    println!(
        "Each function runs as its role in template.yaml: principals in {}",
        chain.logs.join("seed.json").display()
    );
    println!(
        "Functions under cargo lambda watch at http://127.0.0.1:{}",
        chain.invoke_port
    );
    let execution = format!("demo-{}", std::process::id());
    let flow = chain.run_flow(&FlowRun {
        print: true,
        wait_ms: Some(100),
        ..FlowRun::sample(&execution)
    });
    let counters = chain.counters();
    println!("DataZone calls:");
    if let Some(operations) = counters["operations"].as_object() {
        for (operation, count) in operations {
            println!("  {operation:<28} {}", count["byStatus"]);
        }
    }
    println!(
        "DataZone events emitted: {}, delivered to run-status: {}",
        counters["events"]["emitted"], counters["events"]["delivered"]
    );
    println!("Logs of every process: {}", chain.logs.display());
    if flow.ran_to_the_end {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "local-flow: the chain broke before the flow ran to its end (see the logs above)"
        );
        ExitCode::FAILURE
    }
}
