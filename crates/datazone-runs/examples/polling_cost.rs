//! Prints what following one data source run costs the state machine, in
//! state transitions, by run duration: the run-status wait policy against a
//! fixed polling interval.
//!
//! It replays the state machine's check loop (`cargo run -p datazone-runs
//! --example polling_cost`): each check asks the real policy for the next
//! wait, as the run-status function does, and every pass through the loop
//! enters the loop's states once. The loop's states are read from
//! statemachine/ingestion.asl.json, so the figure follows the definition.

use datazone_runs::usecase::polling::PollingPolicy;
use serde_json::Value;

/// The template's defaults (POLL_MIN_WAIT_SECONDS, POLL_MAX_WAIT_SECONDS).
const MIN_WAIT: u64 = 10;
const MAX_WAIT: u64 = 900;
/// Durations to report, in seconds; two hours is the reference figure.
const DURATIONS: &[(u64, &str)] = &[
    (600, "10 min"),
    (1800, "30 min"),
    (3600, "1 h"),
    (7200, "2 h"),
    (14_400, "4 h"),
    (28_800, "8 h"),
];

/// The states one pass of the check loop enters: from CheckRun through the
/// Choice states and the Wait back to CheckRun.
fn loop_states(definition: &Value) -> Vec<String> {
    let item = &definition["States"]["FollowRuns"]["ItemProcessor"]["States"];
    let mut states = vec!["CheckRun".to_owned()];
    let mut current = item["CheckRun"]["Next"]
        .as_str()
        .expect("CheckRun has a Next")
        .to_owned();
    while current != "CheckRun" {
        states.push(current.clone());
        let state = &item[&current];
        // In progress: RunStatus? goes to the polling guard, which goes on waiting.
        let next = state["Next"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                let choices = state["Choices"].as_array().expect("a Choice state");
                let waiting = choices
                    .iter()
                    .find(|choice| choice.to_string().contains("RUNNING"));
                waiting
                    .and_then(|choice| choice["Next"].as_str())
                    .unwrap_or_else(|| state["Default"].as_str().expect("a Default"))
                    .to_owned()
            });
        current = next;
        assert!(states.len() < 20, "no loop back to CheckRun");
    }
    states
}

/// Checks of a run lasting `duration` seconds polled every `MIN_WAIT` seconds.
fn fixed_interval_checks(duration: u64) -> u64 {
    duration.div_ceil(MIN_WAIT) + 1
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../statemachine/ingestion.asl.json"
    );
    let definition: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the definition"))
            .expect("JSON");
    let per_loop = loop_states(&definition);
    // Outside the loop: Started? on entry; the last check's CheckRun and
    // RunStatus?; RunSucceeded, GenerateMetadata? and ItemDone on success.
    let fixed = 6;
    let policy = PollingPolicy::new(MIN_WAIT, MAX_WAIT).expect("valid bounds");
    println!(
        "check loop: {} ({} states)",
        per_loop.join(" → "),
        per_loop.len()
    );
    println!(
        "policy: wait = largest {MIN_WAIT}·2^k s not above the run's age, at most {MAX_WAIT} s"
    );
    println!();
    println!(
        "{:>8}  {:>7} {:>12}  {:>16} {:>12}",
        "duration", "checks", "transitions", "every 10 s: chk", "transitions"
    );
    for (duration, label) in DURATIONS {
        let adaptive = policy.checks_for(*duration);
        let fixed_interval = fixed_interval_checks(*duration);
        let transitions = |checks: u64| fixed + (checks - 1) * per_loop.len() as u64;
        println!(
            "{label:>8}  {adaptive:>7} {:>12}  {fixed_interval:>16} {:>12}",
            transitions(adaptive),
            transitions(fixed_interval)
        );
    }
}
