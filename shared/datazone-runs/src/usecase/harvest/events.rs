//! Following a harvest on DataZone's events, with checks as the safety net.
//!
//! DataZone sends an event to EventBridge when a data source run or a
//! metadata generation run ends, at best effort, and none for a data source
//! run that partly succeeded ("Amazon DataZone events", EventBridge Events
//! Reference). An event therefore only says "look now": the status is read
//! from DataZone, and a lost event costs one wait of the safety net's
//! checks ([`Checks::SafetyNet`]), never the run.
//!
//! - **The harvest parks** ([`park`]): while its execution waits (a task of
//!   the callback pattern whose timeout is the safety net's wait), its
//!   *waiting note* (`<prefix><domain>/waiting/<name>.json`) names the task
//!   token and the runs the harvest follows.
//! - **run-status records an end** ([`record_end`]): on the event of a
//!   run's end it reads the run, finds the waiting notes that name it, and
//!   records the end once for each harvest, as a document of its own
//!   (`<prefix><domain>/<name>.ended/<run id>.json`, created only if absent:
//!   no two writers ever race on the record). It resumes the wait only when
//!   the harvest has something to do ([`wake_for`]).
//! - **Each round takes the recorded ends in** ([`take_recorded`]), as if
//!   it had checked those runs itself.
//!
//! Parking writes the note first and then looks for ends recorded while the
//! round ran: an end recorded between a round and its note wakes the
//! harvest as one recorded after the note does.

use std::collections::BTreeSet;

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::model::harvest::{Harvest, Stage};
use crate::model::ids::DomainId;
use crate::model::outcome::OutcomeClass;
use crate::model::timestamp::Timestamp;
use crate::port::{ReportStore, Resumed, TaskCallback};
use crate::usecase::harvest::follow::{AssetRun, Checks, SourceRun, settle};
use crate::usecase::harvest::record::HarvestRecord;
pub use crate::usecase::harvest::record::waiting_prefix;
use crate::usecase::status::{MetadataReading, RunReading};

/// What a parked harvest leaves for run-status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingNote {
    /// The token of the execution's wait; none before the first wait (the
    /// start steps leave the note so that ends are recorded from the
    /// start).
    #[serde(default)]
    pub task_token: Option<String>,
    /// Where the harvest's recorded ends go.
    pub ended_prefix: String,
    /// The data source runs the harvest follows.
    pub runs: Vec<String>,
    /// The data sources it is about to start: the end of a run of one of
    /// them is recorded too, since its run id is not known yet.
    #[serde(default)]
    pub data_sources: Vec<String>,
    /// The metadata generation runs it follows.
    #[serde(default)]
    pub metadata_runs: Vec<String>,
    /// Whether an ended data source run gives the harvest work (metadata
    /// generation for what it imported), after `coalesce_seconds`.
    #[serde(default)]
    pub wake_on_run_end: bool,
    #[serde(default)]
    pub coalesce_seconds: u64,
}

impl WaitingNote {
    fn follows(&self, run_id: &str, data_source_id: Option<&str>) -> bool {
        self.runs
            .iter()
            .chain(&self.metadata_runs)
            .any(|id| id == run_id)
            || data_source_id.is_some_and(|source| self.data_sources.iter().any(|id| id == source))
    }
}

/// The run whose end was read, and what was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EndedRun {
    #[serde(rename_all = "camelCase")]
    DataSourceRun {
        run_id: String,
        data_source_id: String,
        reading: RunReading,
    },
    #[serde(rename_all = "camelCase")]
    MetadataGenerationRun {
        run_id: String,
        reading: MetadataReading,
    },
}

impl EndedRun {
    pub fn run_id(&self) -> &str {
        match self {
            Self::DataSourceRun { run_id, .. } | Self::MetadataGenerationRun { run_id, .. } => {
                run_id
            }
        }
    }

    fn data_source_id(&self) -> Option<&str> {
        match self {
            Self::DataSourceRun { data_source_id, .. } => Some(data_source_id),
            Self::MetadataGenerationRun { .. } => None,
        }
    }

    fn class(&self) -> OutcomeClass {
        match self {
            Self::DataSourceRun { reading, .. } => reading.outcome,
            Self::MetadataGenerationRun { reading, .. } => reading.outcome,
        }
    }
}

/// A run's end as run-status records it for a harvest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedEnd {
    #[serde(flatten)]
    pub run: EndedRun,
    /// The event's time, on DataZone's clock.
    #[serde(default)]
    pub event_time: Option<Timestamp>,
}

/// What a resumed wait is told: how long to let more ends gather before
/// the round (0: at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Wake {
    pub coalesce_seconds: u64,
    pub reason: String,
}

/// What ended a harvest's last wait, as the state machine passes it on to
/// the round (`$.wake`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum WaitEnd {
    /// Resumed on recorded ends (or, before the first wait, the starts).
    Woken(Wake),
    /// Its timeout ran out: the state machine's Catch of `States.Timeout`
    /// passes the error on.
    RanOut {
        #[serde(rename = "Error")]
        error: String,
    },
}

/// Which runs a round checks after `wait_end`: with events followed, only
/// when the wait ran out (or nothing says how it ended: a round invoked
/// by hand checks); without, every round.
pub fn checks_after(follow_events: bool, wait_end: Option<&WaitEnd>) -> Checks {
    if !follow_events {
        return Checks::EveryRound;
    }
    Checks::SafetyNet {
        due: !matches!(wait_end, Some(WaitEnd::Woken(_))),
    }
}

/// Whether a harvest parked with `note` has work now that the runs in
/// `recorded` have a recorded end: every run it follows ended (at once), or
/// a data source run whose assets await metadata generation did (after the
/// note's coalescing wait, so that many ends make one round).
pub fn wake_for(note: &WaitingNote, recorded: &BTreeSet<String>) -> Option<Wake> {
    let followed = || note.runs.iter().chain(&note.metadata_runs);
    if followed().next().is_some() && followed().all(|id| recorded.contains(id)) {
        return Some(Wake {
            coalesce_seconds: 0,
            reason: "every run followed has ended".into(),
        });
    }
    (note.wake_on_run_end && note.runs.iter().any(|id| recorded.contains(id))).then(|| Wake {
        coalesce_seconds: note.coalesce_seconds,
        reason: "a data source run ended: metadata generation to start".into(),
    })
}

/// How a harvest parks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParkSettings {
    /// Whether ended data source runs give the harvest work (metadata
    /// generation).
    pub wake_on_run_end: bool,
    pub coalesce_seconds: u64,
}

/// What parking did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Parked {
    pub runs: usize,
    pub metadata_runs: usize,
    /// Ends recorded while the round ran had already given it work: the
    /// wait was resumed at once.
    pub resumed: bool,
}

/// Leaves the waiting note of the harvest `record`, with the token `token`
/// of its wait (none while it starts runs); resumes the wait itself when
/// ends recorded meanwhile give the harvest work.
pub async fn park(
    store: &impl ReportStore,
    callback: &impl TaskCallback,
    record: &HarvestRecord<'_>,
    token: Option<&str>,
    settings: ParkSettings,
) -> Result<Parked, Error> {
    let key = record.key();
    let harvest = store.load(&key).await?.ok_or_else(|| {
        Error::ReportRefused(format!(
            "no harvest record under {key}: the start step saves it first"
        ))
    })?;
    leave_note(store, callback, record, &harvest, token, settings).await
}

/// [`park`] with the harvest at hand.
pub async fn leave_note(
    store: &impl ReportStore,
    callback: &impl TaskCallback,
    record: &HarvestRecord<'_>,
    harvest: &Harvest,
    token: Option<&str>,
    settings: ParkSettings,
) -> Result<Parked, Error> {
    let note = write_note(store, record, harvest, token, settings).await?;
    let recorded = recorded_runs(store, &note.ended_prefix).await?;
    let resumed = match wake_for(&note, &recorded) {
        Some(wake) => resume(callback, &note, &wake).await? == Resumed::Resumed,
        None => false,
    };
    tracing::info!(
        runs = note.runs.len(),
        metadata_runs = note.metadata_runs.len(),
        resumed,
        "harvest waiting for its runs"
    );
    Ok(Parked {
        runs: note.runs.len(),
        metadata_runs: note.metadata_runs.len(),
        resumed,
    })
}

/// Writes the waiting note of `harvest`: the runs it follows now, and the
/// token of its wait, if it waits.
pub async fn write_note(
    store: &impl ReportStore,
    record: &HarvestRecord<'_>,
    harvest: &Harvest,
    token: Option<&str>,
    settings: ParkSettings,
) -> Result<WaitingNote, Error> {
    let note = WaitingNote {
        task_token: token.map(str::to_owned),
        ended_prefix: record.ended_prefix(),
        runs: following_runs(harvest),
        data_sources: harvest
            .sources
            .iter()
            .filter(|source| source.tracking.stage == Stage::ToStart)
            .map(|source| source.data_source_id.as_str().to_owned())
            .collect(),
        metadata_runs: following_metadata_runs(harvest),
        wake_on_run_end: settings.wake_on_run_end,
        coalesce_seconds: settings.coalesce_seconds,
    };
    store.write(&record.waiting_key(), to_json(&note)).await?;
    Ok(note)
}

/// What recording an end did for one waiting harvest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    /// Where the end was recorded.
    pub key: String,
    /// `false`: it had been recorded already (a repeated event).
    pub first: bool,
    /// The harvest's wait was resumed.
    pub resumed: bool,
}

/// Records `end` for every harvest of `domain` waiting on its run, once
/// each, and resumes the wait of those it gives work.
pub async fn record_end(
    store: &impl ReportStore,
    callback: &impl TaskCallback,
    report_prefix: &str,
    domain: &DomainId,
    end: &RecordedEnd,
) -> Result<Vec<Recorded>, Error> {
    let run_id = end.run.run_id();
    let mut recorded = Vec::new();
    for note_key in store.keys(&waiting_prefix(report_prefix, domain)).await? {
        let Some(note) = read_note(store, &note_key).await? else {
            continue;
        };
        if !note.follows(run_id, end.run.data_source_id()) {
            continue;
        }
        let key = format!("{}{run_id}.json", note.ended_prefix);
        let first = store.create(&key, to_json(end)).await?;
        let mut resumed = false;
        if first {
            tracing::info!(
                run_id,
                outcome = ?end.run.class(),
                recorded = %key,
                "run end recorded"
            );
            let ended = recorded_runs(store, &note.ended_prefix).await?;
            if let Some(wake) = wake_for(&note, &ended) {
                resumed = resume(callback, &note, &wake).await? == Resumed::Resumed;
            }
        }
        recorded.push(Recorded {
            key,
            first,
            resumed,
        });
    }
    Ok(recorded)
}

/// Takes the ends recorded for the harvest `record` into `harvest`, as
/// checks of those runs would: data source runs (`then_metadata`: a
/// successful one goes on to metadata generation), or metadata generation
/// runs. Returns how many it took.
pub async fn take_recorded(
    store: &impl ReportStore,
    record: &HarvestRecord<'_>,
    harvest: &mut Harvest,
    part: TakenPart,
    concurrency: usize,
) -> Result<usize, Error> {
    let prefix = record.ended_prefix();
    let recorded = recorded_runs(store, &prefix).await?;
    let wanted: Vec<String> = match part {
        TakenPart::Runs { .. } => following_runs(harvest),
        TakenPart::Metadata => following_metadata_runs(harvest),
    }
    .into_iter()
    .filter(|id| recorded.contains(id))
    .collect();
    let reads: Vec<_> = wanted
        .iter()
        .map(|id| {
            let key = format!("{prefix}{id}.json");
            async move { store.read(&key).await.map(|body| (key, body)) }
        })
        .collect();
    let ends: Vec<_> = futures::stream::iter(reads)
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut taken = 0;
    for end in ends {
        let (key, body) = end?;
        let Some(end) = body.and_then(|body| parse_end(&key, &body)) else {
            continue;
        };
        taken += usize::from(take(harvest, end, part));
    }
    Ok(taken)
}

/// Which recorded ends a round part takes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakenPart {
    /// Data source runs; a successful one goes on to metadata generation
    /// when `then_metadata`.
    Runs {
        then_metadata: bool,
    },
    Metadata,
}

/// Takes one recorded end in: whether a run followed was ended by it.
fn take(harvest: &mut Harvest, end: RecordedEnd, part: TakenPart) -> bool {
    match (end.run, part) {
        (
            EndedRun::DataSourceRun {
                run_id, reading, ..
            },
            TakenPart::Runs { then_metadata },
        ) => {
            let Some(source) = harvest.sources.iter_mut().find(|source| {
                source.tracking.stage == Stage::Following
                    && source
                        .run_id
                        .as_ref()
                        .is_some_and(|id| id.as_str() == run_id)
            }) else {
                return false;
            };
            let mut run = SourceRun {
                source,
                then_metadata,
            };
            settle(&mut run, reading, u32::MAX);
            run.source.tracking.by_event = true;
            true
        }
        (EndedRun::MetadataGenerationRun { run_id, reading }, TakenPart::Metadata) => {
            let Some(asset) = harvest
                .sources
                .iter_mut()
                .flat_map(|source| source.metadata.iter_mut())
                .find(|asset| {
                    asset.tracking.stage == Stage::Following
                        && asset
                            .metadata_run_id
                            .as_ref()
                            .is_some_and(|id| id.as_str() == run_id)
                })
            else {
                return false;
            };
            let mut run = AssetRun { asset };
            settle(&mut run, reading, u32::MAX);
            run.asset.tracking.by_event = true;
            true
        }
        _ => false,
    }
}

/// Removes the waiting note of the harvest `record`: it has ended.
pub async fn unpark(store: &impl ReportStore, record: &HarvestRecord<'_>) -> Result<(), Error> {
    store.remove(&record.waiting_key()).await
}

fn following_runs(harvest: &Harvest) -> Vec<String> {
    harvest
        .sources
        .iter()
        .filter(|source| source.tracking.stage == Stage::Following)
        .filter_map(|source| source.run_id.as_ref().map(|id| id.as_str().to_owned()))
        .collect()
}

fn following_metadata_runs(harvest: &Harvest) -> Vec<String> {
    harvest
        .sources
        .iter()
        .flat_map(|source| &source.metadata)
        .filter(|asset| asset.tracking.stage == Stage::Following)
        .filter_map(|asset| {
            asset
                .metadata_run_id
                .as_ref()
                .map(|id| id.as_str().to_owned())
        })
        .collect()
}

/// The runs with a recorded end under `prefix`.
async fn recorded_runs(store: &impl ReportStore, prefix: &str) -> Result<BTreeSet<String>, Error> {
    Ok(store
        .keys(prefix)
        .await?
        .iter()
        .filter_map(|key| key.strip_prefix(prefix)?.strip_suffix(".json"))
        .map(str::to_owned)
        .collect())
}

/// Resumes the wait `note` names, if it names one.
async fn resume(
    callback: &impl TaskCallback,
    note: &WaitingNote,
    wake: &Wake,
) -> Result<Resumed, Error> {
    let Some(token) = &note.task_token else {
        return Ok(Resumed::Gone);
    };
    let output = String::from_utf8(to_json(wake)).unwrap_or_default();
    let resumed = callback.resume(token, &output).await?;
    tracing::info!(
        coalesce_seconds = wake.coalesce_seconds,
        reason = %wake.reason,
        resumed = resumed == Resumed::Resumed,
        "harvest woken"
    );
    Ok(resumed)
}

/// The note under `key`; one that cannot be read is logged and passed by,
/// so that it never stops the ends of other harvests being recorded.
async fn read_note(store: &impl ReportStore, key: &str) -> Result<Option<WaitingNote>, Error> {
    let Some(body) = store.read(key).await? else {
        return Ok(None);
    };
    match serde_json::from_slice(&body) {
        Ok(note) => Ok(Some(note)),
        Err(error) => {
            tracing::warn!(note = key, %error, "waiting note unreadable: passed by");
            Ok(None)
        }
    }
}

fn parse_end(key: &str, body: &[u8]) -> Option<RecordedEnd> {
    serde_json::from_slice(body)
        .inspect_err(|error| {
            tracing::warn!(recorded = key, %error, "recorded end unreadable: the run is checked instead");
        })
        .ok()
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("plain data serializes")
}
