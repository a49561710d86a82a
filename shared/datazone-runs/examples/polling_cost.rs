//! Prints what following a harvest costs the state machine, in state
//! transitions, by the duration of its longest run: the follow-runs wait
//! policy against a fixed polling interval.
//!
//! It replays the state machine's follow loop (`cargo run -p datazone-runs
//! --example polling_cost`): each round asks the real policy for the next
//! wait, as follow-runs does, and every pass through the loop enters the
//! loop's states once, whatever the number of sources (one round checks
//! them all). The loop's states are read from statemachine/ingestion.asl.json,
//! so the figure follows the definition.

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

/// The states one pass of the follow loop enters: from FollowRuns through
/// the Choice that waits and the Wait back to FollowRuns.
fn loop_states(definition: &Value) -> Vec<String> {
    let states = &definition["States"];
    let mut path = vec!["FollowRuns".to_owned()];
    let mut current = states["FollowRuns"]["Next"]
        .as_str()
        .expect("FollowRuns has a Next")
        .to_owned();
    while current != "FollowRuns" {
        path.push(current.clone());
        let state = &states[&current];
        // A Choice goes on to the Wait state it offers.
        let next = state["Next"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| {
                state["Choices"]
                    .as_array()
                    .expect("a Choice state")
                    .iter()
                    .filter_map(|choice| choice["Next"].as_str())
                    .find(|next| states[*next]["Type"] == "Wait")
                    .expect("a Choice leading to a Wait")
                    .to_owned()
            });
        current = next;
        assert!(path.len() < 20, "no loop back to FollowRuns");
    }
    path
}

/// Checks of a run lasting `duration` seconds polled every `MIN_WAIT` seconds.
fn fixed_interval_checks(duration: u64) -> u64 {
    duration.div_ceil(MIN_WAIT) + 1
}

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../statemachine/ingestion.asl.json"
    );
    let definition: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the definition"))
            .expect("JSON");
    let per_loop = loop_states(&definition);
    // Outside the loop, on success: Configure, PrepareStart, StartRuns,
    // MoreToStart?, the last round's FollowRuns and AllDone?, Notify?, Done.
    let fixed = 8;
    let policy = PollingPolicy::new(MIN_WAIT, MAX_WAIT).expect("valid bounds");
    println!(
        "follow loop: {} ({} states), once per round for every source",
        per_loop.join(" → "),
        per_loop.len()
    );
    println!(
        "policy: wait = largest {MIN_WAIT}·2^k s not above the run's age, at most {MAX_WAIT} s"
    );
    println!();
    println!(
        "{:>8}  {:>7} {:>12}  {:>16} {:>12}",
        "longest", "rounds", "transitions", "every 10 s: rnd", "transitions"
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
