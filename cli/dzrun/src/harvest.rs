//! `dzrun start`: the harvest of the functions, driven in one process —
//! start rounds until every source is started (or given up on), then, with
//! `--wait`, follow rounds until every run is done, sleeping the waits they
//! ask for. The rounds, tokens, pacing and waits are the functions' own,
//! with the defaults a deployment has (`datazone_runs::settings`).
//! Waiting stops at `--timeout` or Ctrl-C; the runs go on.

use std::time::Duration;

use datazone_runs::Error;
use datazone_runs::model::harvest::Harvest;
use datazone_runs::model::ids::DomainId;
use datazone_runs::model::metadata_run::MetadataGenerationType;
use datazone_runs::model::predictions::PredictionsRule;
use datazone_runs::port::DataZone;
use datazone_runs::settings::{
    FOLLOW_CONCURRENCY, LIST_REQUESTS_PER_SECOND, MAX_POLLS, METADATA_REQUESTS_PER_SECOND,
    PREDICTIONS_REQUESTS_PER_SECOND, START_CONCURRENCY, START_REQUESTS_PER_SECOND,
    START_RETRY_DEADLINE_SECONDS,
};
use datazone_runs::usecase::harvest::follow::{
    Checks, FollowRound, MetadataSettings, PredictionsSettings, RoundPart, follow_part,
};
use datazone_runs::usecase::harvest::start::{StartRound, new_harvest, start_round};
use datazone_runs::usecase::pace::{Budget, Pacer};
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::select::{Selection, select_sources};
use tokio::time::Instant;

use crate::progress::Progress;

/// A round with no `--timeout` to keep to.
const UNBOUNDED: Duration = Duration::from_secs(24 * 3600);

/// What to harvest, and how.
pub struct Plan {
    pub domain: DomainId,
    pub trigger_id: String,
    pub selection: Selection,
    pub wait: bool,
    pub timeout: Option<Duration>,
    pub metadata_types: Vec<MetadataGenerationType>,
    /// The rule for what generation suggests (`None`: left as suggestions).
    pub predictions: Option<PredictionsRule>,
    pub polling: PollingPolicy,
    /// Time one call may take.
    pub call_allowance: Duration,
}

/// How the harvest ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every source started (or given up on); no --wait.
    Started,
    /// Every source done.
    Done,
    TimedOut,
    Interrupted,
}

/// Ctrl-C, listened for from the harvest's first call: a press during a
/// round is kept and ends the next wait. (A listener made at each wait would
/// lose a press made during a round, and before the first one the press
/// would end the process without its summary.)
struct CtrlC {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(windows)]
    signal: tokio::signal::windows::CtrlC,
}

impl CtrlC {
    /// `None` where the system refuses the listener: Ctrl-C then ends the
    /// process as it would any program's.
    fn listen() -> Option<Self> {
        #[cfg(unix)]
        let signal =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()?;
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c().ok()?;
        Some(Self { signal })
    }

    async fn pressed(listener: &mut Option<Self>) {
        match listener {
            Some(listener) => {
                listener.signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }
}

/// Sleeps `seconds`, unless the deadline or Ctrl-C comes first.
async fn pause(
    seconds: u64,
    deadline: Option<Instant>,
    ctrl_c: &mut Option<CtrlC>,
) -> Option<Ending> {
    let until = Instant::now() + Duration::from_secs(seconds);
    let wake = deadline.map_or(until, |deadline| deadline.min(until));
    tokio::select! {
        _ = tokio::time::sleep_until(wake) => {
            deadline.filter(|deadline| Instant::now() >= *deadline).map(|_| Ending::TimedOut)
        }
        _ = CtrlC::pressed(ctrl_c) => Some(Ending::Interrupted),
    }
}

pub async fn harvest(
    datazone: &impl DataZone,
    plan: &Plan,
    progress: &mut Progress,
) -> Result<(Harvest, Ending), Error> {
    let mut ctrl_c = CtrlC::listen();
    let began = Instant::now();
    let deadline = plan.timeout.map(|timeout| began + timeout);
    let time_left = || deadline.map_or(UNBOUNDED, |deadline| deadline - Instant::now());
    let list_pacer = Pacer::per_second(LIST_REQUESTS_PER_SECOND.default);
    let selected =
        select_sources(datazone, &plan.domain, &plan.selection, &list_pacer, None).await?;
    let mut harvest = new_harvest(&plan.trigger_id, &plan.domain, selected);
    let start_pacer = Pacer::per_second(START_REQUESTS_PER_SECOND.default);
    loop {
        let round = StartRound {
            concurrency: START_CONCURRENCY.default,
            pacer: &start_pacer,
            budget: Budget::lasting(time_left()),
            call_allowance: plan.call_allowance,
            retry_deadline: Duration::from_secs(START_RETRY_DEADLINE_SECONDS.default),
        };
        let started = start_round(datazone, &mut harvest, &round).await;
        progress.show(&harvest);
        if started.remaining == 0 {
            break;
        }
        if let Some(ending) = pause(started.retry_after_seconds, deadline, &mut ctrl_c).await {
            return Ok((harvest, ending));
        }
    }
    if !plan.wait {
        return Ok((harvest, Ending::Started));
    }
    let metadata_pacer = Pacer::per_second(METADATA_REQUESTS_PER_SECOND.default);
    let predictions_pacer = Pacer::per_second(PREDICTIONS_REQUESTS_PER_SECOND.default);
    loop {
        let round = FollowRound {
            polling: &plan.polling,
            max_polls: MAX_POLLS.default,
            concurrency: FOLLOW_CONCURRENCY.default,
            budget: Budget::lasting(time_left()),
            call_allowance: plan.call_allowance,
            metadata: (!plan.metadata_types.is_empty()).then_some(MetadataSettings {
                types: &plan.metadata_types,
                pacer: &metadata_pacer,
                predictions: plan.predictions.map(|rule| PredictionsSettings {
                    rule,
                    pacer: &predictions_pacer,
                    retry_deadline: Duration::from_secs(START_RETRY_DEADLINE_SECONDS.default),
                }),
            }),
            // A terminal receives no DataZone events: it checks every round.
            checks: Checks::EveryRound,
        };
        let followed = follow_part(datazone, &mut harvest, &round, RoundPart::Whole).await;
        progress.show(&harvest);
        if followed.pending == 0 {
            return Ok((harvest, Ending::Done));
        }
        if let Some(ending) = pause(followed.next_wait_seconds, deadline, &mut ctrl_c).await {
            return Ok((harvest, ending));
        }
    }
}
