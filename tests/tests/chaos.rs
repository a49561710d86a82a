//! Thirty sources under a busy morning's faults: DataZone throttling
//! StartDataSourceRun at 2 a second and ListDataSourceRuns and
//! GetDataSourceRun at 5, 5% of all calls failing with 500, one in ten
//! events lost, and a 10-second outage. Every source is started exactly
//! once, every run is followed to its final status, and the harvest comes
//! to what it comes to without faults.

use local_flow::fleet::{Census, Fleet, FleetHarvest};

/// The faults, reproducible from the emulator's random seed.
pub const FAULTS: &[&str] = &[
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
    "60:10",
    "--random-seed",
    "7",
];

#[test]
fn under_faults_every_source_starts_once_and_ends_as_without_them() {
    let fleet = Fleet::of_sources(30).with_runs_between(60, 300);
    let calm = FleetHarvest::run(&fleet, "calm", 60.0);
    let chaos = FleetHarvest::run_with_faults(&fleet, "chaos", 60.0, FAULTS);
    for harvest in [&calm, &chaos] {
        assert!(harvest.flow.ran_to_the_end, "{}", harvest.flow.report);
    }
    assert_eq!(chaos.flow.error(), calm.flow.error());
    assert_eq!(
        chaos.flow.summary()["sources"],
        calm.flow.summary()["sources"]
    );
    let (calm_census, chaos_census) = (Census::of(&calm), Census::of(&chaos));
    assert_eq!(chaos_census.outcomes, calm_census.outcomes);
    assert_eq!(chaos_census.lost(&fleet), 0);
    assert_eq!(chaos_census.duplicated(), 0);
    assert_eq!(chaos_census.runs.len(), 30, "every source started");
    // The faults did happen.
    let counters = chaos.chain.counters();
    let answered = |operation: &str, status: &str| {
        counters["operations"][operation]["byStatus"][status]
            .as_u64()
            .unwrap_or(0)
    };
    assert!(answered("StartDataSourceRun", "429") > 0, "{counters}");
    assert!(
        [
            "StartDataSourceRun",
            "ListDataSourceRuns",
            "GetDataSourceRun"
        ]
        .iter()
        .map(|operation| answered(operation, "500"))
        .sum::<u64>()
            > 0,
        "{counters}"
    );
    assert!(
        counters["events"]["dropped"].as_u64().unwrap() > 0,
        "{counters}"
    );
}
