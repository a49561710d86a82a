//! Fleets end to end: the real chain harvests 1,000 data sources, and one
//! run that adds 5,000 assets with metadata generation on. Every source and
//! asset reaches its final status exactly once, and every quota of Step
//! Functions and DataZone holds with at least a 2x margin. Runs last 5 to
//! 40 minutes, emulated 60 times faster than real time.

use local_flow::fleet::{Fleet, FleetHarvest};
use serde_json::Value;

const TIME_SCALE: f64 = 60.0;

fn assert_within_half_of_every_quota(harvest: &FleetHarvest) {
    for quota in harvest.quota_use() {
        assert!(
            quota.share() <= 0.5,
            "{} used {} of {}: {}",
            quota.quota,
            quota.used,
            quota.limit,
            harvest.flow.report
        );
    }
}

fn count(items: &[Value], field: &str, value: &str) -> usize {
    items.iter().filter(|item| item[field] == value).count()
}

#[test]
fn a_thousand_sources_are_each_started_once_and_followed_to_the_end() {
    let fleet = Fleet::of_sources(1000);
    let harvest = FleetHarvest::run(&fleet, "fleet-1000", TIME_SCALE);
    let flow = &harvest.flow;
    assert!(flow.ran_to_the_end, "{}", flow.report);
    assert_eq!(flow.error(), "DataSourceRunsFailed", "{}", flow.report);
    let record = harvest.chain.harvest(flow);
    let sources = record["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1000);
    let mut seen = vec![false; 1000];
    for source in sources {
        let id = source["dataSourceId"].as_str().unwrap();
        let index: usize = id.trim_start_matches("ds_fleet").parse().unwrap();
        assert!(!std::mem::replace(&mut seen[index], true), "{id} twice");
        let expected = match Fleet::outcome(index) {
            "SUCCESS" => "SUCCEEDED",
            other => other,
        };
        assert_eq!(source["outcome"], expected, "{source}");
        assert_eq!(source["stage"], "done");
    }
    let summary = flow.summary();
    assert_eq!(summary["sources"]["failed"], 100);
    assert_eq!(summary["failures"].as_array().unwrap().len(), 20);
    assert_eq!(summary["moreFailures"], 80);
    // One run per source, no start refused, no list throttled.
    let chain = &harvest.chain;
    assert_eq!(chain.calls("StartDataSourceRun", 200), 1000);
    assert_eq!(chain.calls("StartDataSourceRun", 429), 0);
    assert_eq!(chain.calls("ListDataSources", 429), 0);
    let triggered = chain
        .events()
        .iter()
        .filter(|event| event["detail-type"] == "Data Source Run Triggered")
        .count();
    assert_eq!(triggered, 1000);
    assert_within_half_of_every_quota(&harvest);
}

#[test]
fn a_run_adding_five_thousand_assets_has_each_enriched_once() {
    let harvest = FleetHarvest::run(&Fleet::of_assets(5000), "assets-5000", TIME_SCALE);
    let flow = &harvest.flow;
    assert!(flow.ran_to_the_end, "{}", flow.report);
    assert_eq!(flow.status(), "SUCCEEDED", "{}", flow.report);
    let record = harvest.chain.harvest(flow);
    let assets = record["sources"][0]["metadata"].as_array().unwrap();
    assert_eq!(assets.len(), 5000);
    assert_eq!(count(assets, "outcome", "SUCCEEDED"), 4750);
    assert_eq!(count(assets, "outcome", "FAILED"), 250);
    let summary = flow.summary();
    assert_eq!(summary["metadataGeneration"]["assets"], 5000);
    assert_eq!(summary["metadataGeneration"]["succeeded"], 4750);
    let chain = &harvest.chain;
    assert_eq!(chain.calls("StartMetadataGenerationRun", 200), 5000);
    assert_eq!(chain.calls("StartMetadataGenerationRun", 429), 0);
    assert_within_half_of_every_quota(&harvest);
}
