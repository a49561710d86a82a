//! Generated seeds of many data sources, for the scale tests and the fleet
//! benchmark: runs of varied durations, some failing, some partly
//! succeeding, spread over projects; or one run that imports many assets.

use std::path::PathBuf;

use datazone_runs::model::timestamp::Timestamp;
use serde_json::{Value, json};

use crate::{SAMPLE_DOMAIN, log_dir};

/// A fleet of data sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fleet {
    pub sources: usize,
    pub projects: usize,
    /// Assets each successful run adds (metadata generation targets).
    pub assets_per_run: usize,
    /// Runs last from this many seconds …
    pub shortest_run: usize,
    /// … to this many.
    pub longest_run: usize,
}

impl Fleet {
    /// `sources` data sources over ten projects (fewer for small fleets),
    /// importing nothing.
    pub fn of_sources(sources: usize) -> Self {
        Self {
            sources,
            projects: sources.clamp(1, 10),
            assets_per_run: 0,
            shortest_run: 300,
            longest_run: 2400,
        }
    }

    /// This fleet with runs lasting `shortest` to `longest` seconds.
    pub fn with_runs_between(self, shortest: usize, longest: usize) -> Self {
        Self {
            shortest_run: shortest,
            longest_run: longest,
            ..self
        }
    }

    /// One data source whose run adds `assets` assets.
    pub fn of_assets(assets: usize) -> Self {
        Self {
            sources: 1,
            assets_per_run: assets,
            ..Self::of_sources(1)
        }
    }

    pub fn project_ids(&self) -> Vec<String> {
        (0..self.projects)
            .map(|p| format!("prj_fleet{p:02}"))
            .collect()
    }

    /// How source `index`'s run goes: one in ten fails, one in seven
    /// (of the rest) partly succeeds.
    pub fn outcome(index: usize) -> &'static str {
        if index % 10 == 9 {
            "FAILED"
        } else if index % 7 == 6 {
            "PARTIALLY_SUCCEEDED"
        } else {
            "SUCCESS"
        }
    }

    fn source(&self, index: usize) -> Value {
        let outcome = Self::outcome(index);
        let assets: Vec<Value> = (0..self.assets_per_run)
            .map(|a| {
                json!({"database": "fleet", "technicalName": format!("table_{index}_{a}"),
                       "status": "SUCCEEDED_CREATED", "assetId": format!("ast_{index}_{a}")})
            })
            .collect();
        let mut script = json!({
            "outcome": outcome,
            "requestedSeconds": 10 + (index * 13) % 50,
            "runningSeconds": self.shortest_run + (index * 137) % (self.longest_run - self.shortest_run + 1),
            "assetStatistics": {"added": assets.len(), "updated": 0, "unchanged": 3},
            "assets": assets,
        });
        if outcome != "SUCCESS" {
            script["error"] = json!({"errorType": "ACCESS_DENIED_EXCEPTION",
                                     "errorDetail": format!("source {index} could not read every table")});
            script["assetStatistics"]["failed"] = json!(1);
        }
        json!({
            "id": format!("ds_fleet{index:05}"),
            "name": format!("fleet-{index:05}-glue"),
            "projectId": self.project_ids()[index % self.projects],
            "runs": [script],
        })
    }

    /// The seed, written under target/ as `<name>.json`: the sample
    /// domain with the fleet's projects and sources; metadata generation
    /// takes two minutes, and one asset in twenty fails.
    pub fn write_seed(&self, name: &str) -> PathBuf {
        let failing: serde_json::Map<String, Value> = (0..self.sources)
            .flat_map(|s| (0..self.assets_per_run).map(move |a| (s, a)))
            .filter(|(s, a)| (s + a) % 20 == 19)
            .map(|(s, a)| {
                (
                    format!("ast_{s}_{a}"),
                    json!({"outcome": "FAILED", "seconds": 90, "errorMessage": "the model declined"}),
                )
            })
            .collect();
        let seed = json!({"domains": [{
            "id": SAMPLE_DOMAIN,
            "name": "Fleet",
            "projects": self.project_ids().iter().map(|id| json!({"id": id, "name": id})).collect::<Vec<_>>(),
            "dataSources": (0..self.sources).map(|index| self.source(index)).collect::<Vec<_>>(),
            "metadataGeneration": {"default": {"outcome": "SUCCEEDED", "seconds": 120}, "targets": failing},
        }]});
        let folder = log_dir().join("seeds");
        std::fs::create_dir_all(&folder).expect("a seed folder under target/");
        let path = folder.join(format!("{}-{name}.json", std::process::id()));
        std::fs::write(&path, seed.to_string()).expect("seed written");
        path
    }

    /// The template parameters of a deployment harvesting the whole fleet:
    /// every source of the domain, the functions members of every project.
    pub fn parameters(&self) -> Vec<(String, String)> {
        vec![
            ("DomainId".into(), SAMPLE_DOMAIN.into()),
            ("ProjectIds".into(), self.project_ids().join(",")),
            ("SourceSelection".into(), "domain".into()),
            (
                "GenerateMetadata".into(),
                (self.assets_per_run > 0).to_string(),
            ),
        ]
    }
}

/// DataZone's documented request quotas the harvest paces itself under,
/// per account and region ("Quotas for Amazon DataZone").
pub const DATAZONE_QUOTAS: &[(&str, f64)] = &[
    ("StartDataSourceRun", 20.0),
    ("StartMetadataGenerationRun", 10.0),
    ("ListDataSources", 20.0),
];

/// One quota and how much of it a harvest used.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaUse {
    pub quota: String,
    pub used: f64,
    pub limit: f64,
}

impl QuotaUse {
    /// The share of the quota used; any use of a zero quota is all of it.
    pub fn share(&self) -> f64 {
        if self.limit > 0.0 {
            self.used / self.limit
        } else if self.used > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }
}

/// A harvest of a fleet through the whole local chain, and what it used.
pub struct FleetHarvest {
    pub chain: crate::LocalChain,
    pub flow: crate::FlowReport,
    /// Real time the execution took.
    pub wall: std::time::Duration,
}

impl FleetHarvest {
    /// Harvests `fleet` (every source of the domain) at `time_scale`.
    pub fn run(fleet: &Fleet, name: &str, time_scale: f64) -> Self {
        Self::run_with_faults(fleet, name, time_scale, &[])
    }

    /// [`FleetHarvest::run`] with the emulator's `faults` flags, and its
    /// events going to run-status as EventBridge would send them.
    pub fn run_with_faults(fleet: &Fleet, name: &str, time_scale: f64, faults: &[&str]) -> Self {
        Self::run_with(fleet, name, time_scale, faults, &[])
    }

    /// [`FleetHarvest::run_with_faults`], with template `parameters` over
    /// the fleet's.
    pub fn run_with(
        fleet: &Fleet,
        name: &str,
        time_scale: f64,
        faults: &[&str],
        parameters: &[(&str, &str)],
    ) -> Self {
        let seed = fleet.write_seed(name);
        let mut options = crate::ChainOptions {
            seed,
            time_scale,
            emulator_args: faults.iter().map(|flag| flag.to_string()).collect(),
            events_to_run_status: true,
            ..crate::ChainOptions::default()
        };
        options.parameters = fleet.parameters();
        for (parameter, value) in parameters {
            crate::set_parameter(&mut options.parameters, parameter, value);
        }
        let chain = crate::LocalChain::start(&options);
        let began = std::time::Instant::now();
        let flow = chain.run_flow(&crate::FlowRun::named(name));
        let wall = began.elapsed();
        Self { chain, flow, wall }
    }

    /// Step Functions' quotas (history events, largest payload, cause) and
    /// DataZone's request quotas (the busiest emulated second of each).
    pub fn quota_use(&self) -> Vec<QuotaUse> {
        let quotas = &self.flow.report["quotas"];
        let number = |value: &Value| value.as_f64().unwrap_or(0.0);
        let mut uses = vec![
            QuotaUse {
                quota: "history events".into(),
                used: number(&quotas["historyEvents"]),
                limit: number(&quotas["limits"]["historyEvents"]),
            },
            QuotaUse {
                quota: "largest payload (bytes)".into(),
                used: number(&quotas["largestPayloadBytes"]),
                limit: number(&quotas["limits"]["payloadBytes"]),
            },
            QuotaUse {
                quota: "cause (characters)".into(),
                used: number(&quotas["causeCharacters"]),
                limit: number(&quotas["limits"]["causeCharacters"]),
            },
        ];
        let counters = self.chain.counters();
        for (operation, limit) in DATAZONE_QUOTAS {
            // The sustained rate of the busiest ten emulated seconds: at a
            // compressed time scale one emulated second lasts milliseconds,
            // where scheduling jitter alone bunches requests. (Any request
            // over the quota itself is throttled, and counted apart.)
            let operation_counters = &counters["operations"][operation];
            uses.push(QuotaUse {
                quota: format!("{operation} a second"),
                used: number(&operation_counters["peakPerTenSeconds"]) / 10.0,
                limit: *limit,
            });
            uses.push(QuotaUse {
                quota: format!("{operation} throttled"),
                used: number(&operation_counters["byStatus"]["429"]),
                limit: 0.0,
            });
        }
        uses
    }

    pub fn state_transitions(&self) -> u64 {
        self.flow.report["stateTransitions"].as_u64().unwrap_or(0)
    }
}

/// What became of a fleet's sources in a harvest: read from the report and
/// the emulator's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    /// Each source's outcome, by id.
    pub outcomes: std::collections::BTreeMap<String, String>,
    /// Runs the emulator created, by source.
    pub runs: std::collections::BTreeMap<String, usize>,
}

impl Census {
    pub fn of(harvest: &FleetHarvest) -> Self {
        let record = harvest.chain.harvest(&harvest.flow);
        let outcomes = record["sources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|source| {
                (
                    source["dataSourceId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    source["outcome"].as_str().unwrap_or("(none)").to_owned(),
                )
            })
            .collect();
        let mut runs = std::collections::BTreeMap::new();
        for event in harvest.chain.events() {
            if event["detail-type"] == "Data Source Run Triggered" {
                let source = event["detail"]["data"]["dataSourceId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                *runs.entry(source).or_insert(0) += 1;
            }
        }
        Self { outcomes, runs }
    }

    /// Sources started more than once.
    pub fn duplicated(&self) -> usize {
        self.runs.values().filter(|runs| **runs > 1).count()
    }

    /// Sources the harvest did not follow to a final outcome.
    pub fn lost(&self, fleet: &Fleet) -> usize {
        fleet.sources - self.outcomes.len()
            + self
                .outcomes
                .values()
                .filter(|outcome| {
                    !["SUCCEEDED", "PARTIALLY_SUCCEEDED", "FAILED"].contains(&outcome.as_str())
                })
                .count()
    }

    /// DataZone calls of every operation.
    pub fn calls(harvest: &FleetHarvest) -> u64 {
        harvest.chain.counters()["operations"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, count)| count["total"].as_u64().unwrap_or(0))
            .sum()
    }
}

/// Seconds from each run's end to the record of it, on DataZone's clock:
/// the run's start and duration as DataZone reported them, against the
/// answer that recorded the end (run-status' on its event, or a check).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndToRecord {
    /// Ends recorded on their event.
    pub by_event: Vec<i64>,
    /// Ends recorded by the harvest's own checks.
    pub by_check: Vec<i64>,
}

impl EndToRecord {
    pub fn of(record: &Value) -> Self {
        let mut found = Self::default();
        for source in record["sources"].as_array().into_iter().flatten() {
            let time = |field: &str| {
                serde_json::from_value::<Timestamp>(source[field].clone())
                    .ok()
                    .map(|time| time.epoch_millis().div_euclid(1000))
            };
            let (Some(began), Some(duration), Some(recorded)) = (
                time("beganAt"),
                source["durationSeconds"].as_i64(),
                time("recordedAt"),
            ) else {
                continue;
            };
            let seconds = (recorded - (began + duration)).max(0);
            if source["byEvent"].as_bool().unwrap_or(false) {
                found.by_event.push(seconds);
            } else {
                found.by_check.push(seconds);
            }
        }
        found.by_event.sort_unstable();
        found.by_check.sort_unstable();
        found
    }

    /// Every end, in order.
    pub fn all(&self) -> Vec<i64> {
        let mut all = [self.by_event.as_slice(), self.by_check.as_slice()].concat();
        all.sort_unstable();
        all
    }
}

/// The value at `share` (0 to 1) of `sorted` (nearest rank); 0 when empty.
pub fn percentile(sorted: &[i64], share: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (share * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
