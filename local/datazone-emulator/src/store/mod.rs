//! The emulated service's state and its operations.
//!
//! Statuses are not stored: they follow from a run's creation time, its
//! script and the clock, so every read agrees with every other. What is
//! stored is what happened (runs, tokens, cancellations) and which events
//! were already emitted.

mod data_sources;
mod discovery;
mod metadata;
mod predictions;
mod runs;

use std::collections::{HashMap, VecDeque};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::api_error::{ApiError, ApiResult};
use crate::clock::{Clock, Millis};
use crate::events::Transition;
use crate::model;
use crate::seed::{DataSourceSeed, DomainSeed, Seed};
use metadata::MetadataRecord;
use predictions::AssetPredictions;
use runs::{NewRun, RunRecord};

/// The documented quota of data source runs per data source per day.
pub const RUNS_PER_DATA_SOURCE_PER_DAY: usize = 25;
const DAY_MILLIS: Millis = 24 * 60 * 60 * 1000;
const ACTIVITY_STATUSES_WITH_ASSETS: &[&str] = &[
    "SUCCEEDED_CREATED",
    "SUCCEEDED_UPDATED",
    "SKIPPED_ALREADY_IMPORTED",
    "UNCHANGED",
];

struct DomainState {
    seed: DomainSeed,
    created_at: Millis,
    /// Runs started so far per data source: picks the next run's script.
    runs_started: HashMap<String, usize>,
    /// Scripted StartDataSourceRun errors still to answer, per data source.
    start_errors: HashMap<String, VecDeque<String>>,
    /// Scripted StartMetadataGenerationRun errors still to answer, per target.
    metadata_start_errors: HashMap<String, VecDeque<String>>,
}

impl DomainState {
    /// The next scripted error of `queue`, if any is left.
    fn next_error(
        queues: &mut HashMap<String, VecDeque<String>>,
        key: &str,
        scripted: &[String],
    ) -> Option<String> {
        queues
            .entry(key.to_owned())
            .or_insert_with(|| scripted.iter().cloned().collect())
            .pop_front()
    }
}

/// Who the emulator says started things.
const CALLER: &str = "datazone-local-user";

pub struct Store {
    clock: Clock,
    account_id: String,
    region: String,
    domains: Vec<DomainState>,
    runs: Vec<RunRecord>,
    run_by_id: HashMap<String, usize>,
    run_by_token: HashMap<(String, String, String), usize>,
    metadata_runs: Vec<MetadataRecord>,
    metadata_by_id: HashMap<String, usize>,
    metadata_by_token: HashMap<(String, String), usize>,
    /// Each asset's predictions, by domain and asset id.
    predictions: HashMap<(String, String), AssetPredictions>,
    ids: StdRng,
    /// Transitions not yet handed to the event sinks, in the order they happened.
    pending: Vec<Transition>,
}

impl Store {
    pub fn new(
        seed: &Seed,
        clock: Clock,
        random_seed: u64,
        account_id: &str,
        region: &str,
    ) -> Self {
        let now = clock.now();
        let mut store = Self {
            clock,
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            domains: seed
                .domains
                .iter()
                .map(|domain| DomainState {
                    seed: domain.clone(),
                    created_at: now - 30 * DAY_MILLIS,
                    runs_started: HashMap::new(),
                    start_errors: HashMap::new(),
                    metadata_start_errors: HashMap::new(),
                })
                .collect(),
            runs: Vec::new(),
            run_by_id: HashMap::new(),
            run_by_token: HashMap::new(),
            metadata_runs: Vec::new(),
            metadata_by_id: HashMap::new(),
            metadata_by_token: HashMap::new(),
            predictions: HashMap::new(),
            ids: StdRng::seed_from_u64(random_seed),
            pending: Vec::new(),
        };
        for domain in &seed.domains {
            for source in &domain.data_sources {
                let past = source.past_runs.scripts();
                let days = past.len();
                for (index, (id, script)) in past.into_iter().enumerate() {
                    let created = now - (days - index) as Millis * DAY_MILLIS;
                    let run = NewRun {
                        id,
                        run_type: "SCHEDULED",
                        script,
                        created_at: created,
                        finish_reported: true,
                    };
                    store.add_run(&domain.id, source, run);
                }
            }
            for past in &domain.past_metadata_generation_runs {
                store.add_past_metadata_run(&domain.id, past, now - DAY_MILLIS);
            }
        }
        store
    }

    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Lets `emulated_seconds` pass at once.
    pub fn advance_clock(&mut self, emulated_seconds: f64) {
        self.clock.advance(emulated_seconds);
    }

    fn new_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..14)
            .map(|_| ALPHABET[self.ids.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// An EventBridge event id: a UUID drawn from the id generator.
    pub fn new_event_id(&mut self) -> String {
        let bits: u128 = self.ids.random();
        let hex = format!("{bits:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    fn domain(&self, field: &str, id: &str) -> ApiResult<&DomainState> {
        model::domain_id(field, id)?;
        self.domains
            .iter()
            .find(|domain| domain.seed.id == id)
            .ok_or_else(|| ApiError::not_found("domain", id))
    }

    fn data_source<'a>(
        domain: &'a DomainState,
        field: &str,
        id: &str,
    ) -> ApiResult<&'a DataSourceSeed> {
        model::resource_id(field, id)?;
        domain
            .seed
            .data_sources
            .iter()
            .find(|source| source.id == id)
            .ok_or_else(|| ApiError::not_found("data source", id))
    }

    fn run(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<&RunRecord> {
        Ok(&self.runs[self.run_index(domain_id, field, id)?])
    }

    fn run_index(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<usize> {
        model::resource_id(field, id)?;
        self.run_by_id
            .get(id)
            .copied()
            .filter(|index| self.runs[*index].domain_id == domain_id)
            .ok_or_else(|| ApiError::not_found("data source run", id))
    }

    fn metadata_run(&self, domain_id: &str, field: &str, id: &str) -> ApiResult<usize> {
        model::resource_id(field, id)?;
        self.metadata_by_id
            .get(id)
            .copied()
            .filter(|index| self.metadata_runs[*index].domain_id == domain_id)
            .ok_or_else(|| ApiError::not_found("metadata generation run", id))
    }

    /// Queues every transition up to `now` not queued yet; returns the queue.
    pub fn advance(&mut self, now: Millis) -> Vec<Transition> {
        let mut transitions = std::mem::take(&mut self.pending);
        transitions.extend(self.runs.iter_mut().filter_map(|run| run.finish(now)));
        transitions.extend(
            self.metadata_runs
                .iter_mut()
                .filter_map(|run| run.finish(now)),
        );
        self.keep_predictions(&transitions);
        transitions
    }
}
