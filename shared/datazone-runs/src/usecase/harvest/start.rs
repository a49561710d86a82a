//! Starting the sources of a harvest, as many as a round's time allows,
//! paced to the start quota, at most once per source and trigger.
//!
//! A source whose start fails with a retryable error (throttling, an
//! internal error, a timeout, no connection) stays to start: a later round
//! tries again with the same client token, until the retry deadline
//! passes. Any other failure ends the source at once; a spent daily quota
//! skips it.
//!
//! A source whose run is already active is not started again: DataZone
//! refuses the start (ConflictException), and the active run, found by
//! listing the source's runs, is followed instead.

use std::time::Duration;

use serde::Serialize;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::harvest::{Harvest, Outcome, START_GAVE_UP, SourceRecord, Stage, StartedAs};
use crate::model::ids::{DataSourceId, DataSourceRunId, DomainId, ProjectId};
use crate::model::run::DataSourceRun;
use crate::model::timestamp::Timestamp;
use crate::port::{DataZone, StartRunRequest};
use crate::usecase::fan_out::fan_out;
use crate::usecase::pace::{Budget, Pacer};
use crate::usecase::pages::find_active_run;
use crate::usecase::select::Selected;
use crate::usecase::token::client_token;

/// How one start round goes.
#[derive(Debug)]
pub struct StartRound<'a> {
    pub concurrency: usize,
    /// Paces StartDataSourceRun calls.
    pub pacer: &'a Pacer,
    /// Starts begin only while this much time is left.
    pub budget: Budget,
    /// Time one start may take, at most.
    pub call_allowance: Duration,
    /// Retryable failures are retried until this long after the first.
    pub retry_deadline: Duration,
}

/// What a start round left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartProgress {
    /// Sources still to start.
    pub remaining: usize,
    /// How long to wait before the next round: 0 when the round ran out of
    /// time, else the backoff of the retried starts.
    pub retry_after_seconds: u64,
}

/// Backoff after `attempts` retryable failures: 2, 4, 8, … up to 60 seconds.
pub fn backoff_seconds(attempts: u32) -> u64 {
    2_u64.saturating_pow(attempts.min(6)).min(60)
}

/// A backoff with jitter: between half of it and all of it, so callers that
/// failed together do not all retry together.
pub fn jittered(backoff: u64) -> u64 {
    backoff / 2 + fastrand::u64(0..=backoff - backoff / 2)
}

/// A new harvest of what `selected` holds, every source still to start.
pub fn new_harvest(trigger_id: &str, domain: &DomainId, selected: Selected) -> Harvest {
    let sources = selected
        .sources
        .into_iter()
        .map(|source| SourceRecord::to_start(source.id, source.name))
        .collect();
    let mut harvest = Harvest::new(trigger_id.to_owned(), domain.clone(), sources);
    harvest.denied_projects = selected.denied_projects;
    harvest
}

/// Starts `data_source` with the client token of `trigger`, unless it has
/// an active run; the StartDataSourceRun call waits for `pacer`. DataZone
/// refuses to start a source whose run is active with ConflictException:
/// only then are its runs listed, and the active run is the answer, followed
/// instead. A refused start creates no run, so it takes nothing from the
/// daily quota of runs, and a source with no run active (nearly every one)
/// costs one call, not three.
pub async fn start_unless_active(
    datazone: &impl DataZone,
    trigger: &str,
    domain: &DomainId,
    data_source: &DataSourceId,
    pacer: &Pacer,
) -> Result<(StartedAs, DataSourceRun), Error> {
    let start = StartRunRequest {
        domain: domain.clone(),
        data_source: data_source.clone(),
        client_token: client_token(trigger, domain, data_source),
    };
    pacer.wait().await;
    match datazone.start_data_source_run(&start).await {
        Ok(run) => Ok((StartedAs::Started, run)),
        Err(Error::Conflict(message)) => {
            match find_active_run(datazone, domain, data_source).await? {
                Some(active) => Ok((StartedAs::AlreadyActive, active)),
                None => Err(Error::Conflict(message)),
            }
        }
        Err(other) => Err(other),
    }
}

/// How one start attempt went, for the round's wait.
enum Attempted {
    /// Out of time before it began.
    NotTried,
    /// Failed, to retry after this many seconds.
    Retry(u64),
    /// Started, or done with (skipped, refused, given up on).
    Settled,
}

/// Starts what `harvest` still has to start, within `round`.
pub async fn start_round(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &StartRound<'_>,
) -> StartProgress {
    let (trigger, domain) = (harvest.trigger_id.as_str(), &harvest.domain_id);
    let now = Timestamp::now();
    let to_start = harvest
        .sources
        .iter_mut()
        .filter(|source| source.tracking.stage == Stage::ToStart);
    let attempts = fan_out(to_start, round.concurrency, |source| async move {
        if !round.budget.allows(round.call_allowance) {
            return Attempted::NotTried;
        }
        let started = start_unless_active(
            datazone,
            trigger,
            domain,
            &source.data_source_id,
            round.pacer,
        )
        .await
        .and_then(|(started_as, run)| {
            let run_id = DataSourceRunId::parse("runId", run.id)?;
            let project_id = ProjectId::parse("projectId", run.project_id)?;
            let began_at = run.started_at.unwrap_or(run.created_at);
            Ok((started_as, run_id, project_id, run.status, began_at))
        });
        match started {
            Ok((started_as, run_id, project_id, status, began_at)) => {
                tracing::info!(
                    data_source_id = %source.data_source_id,
                    run_id = %run_id,
                    started_as = ?started_as,
                    "data source handled"
                );
                source.tracking.stage = Stage::Following;
                source.started_as = Some(started_as);
                source.began_at = Some(began_at);
                source.run_id = Some(run_id);
                source.project_id = Some(project_id);
                source.status = Some(status);
                Attempted::Settled
            }
            Err(error) => match give_up_or_retry(source, &error, round, now) {
                Some(wait) => Attempted::Retry(wait),
                None => Attempted::Settled,
            },
        }
    })
    .await;
    let ran_out_of_time = attempts
        .iter()
        .any(|attempt| matches!(attempt, Attempted::NotTried));
    let retry_after = attempts
        .iter()
        .filter_map(|attempt| match attempt {
            Attempted::Retry(wait) => Some(*wait),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    StartProgress {
        remaining: harvest
            .sources
            .iter()
            .filter(|source| source.tracking.stage == Stage::ToStart)
            .count(),
        retry_after_seconds: if ran_out_of_time { 0 } else { retry_after },
    }
}

/// Records a failed start: the seconds to wait before retrying it, or
/// `None` when the source is done (skipped, refused, or given up on).
fn give_up_or_retry(
    source: &mut SourceRecord,
    error: &Error,
    round: &StartRound<'_>,
    now: Timestamp,
) -> Option<u64> {
    tracing::warn!(
        data_source_id = %source.data_source_id,
        error_name = error.name(),
        error = %error,
        "data source not started"
    );
    if matches!(error, Error::ServiceQuotaExceeded(_)) {
        source
            .tracking
            .finish(Outcome::QuotaExhausted, Some(ErrorReport::from(error)));
        return None;
    }
    if !error.is_retryable() {
        source
            .tracking
            .finish(Outcome::NotStarted, Some(ErrorReport::from(error)));
        return None;
    }
    source.start_attempts += 1;
    let first = *source.first_attempt_at.get_or_insert(now);
    let elapsed = first.seconds_until(now).max(0);
    let wait = backoff_seconds(source.start_attempts);
    if elapsed + wait as i64 > round.retry_deadline.as_secs() as i64 {
        let report = ErrorReport {
            name: START_GAVE_UP.to_owned(),
            message: format!(
                "gave up after {} attempts over {elapsed} s: {}: {error}",
                source.start_attempts,
                error.name()
            ),
        };
        source.tracking.finish(Outcome::NotStarted, Some(report));
        return None;
    }
    source.tracking.error = Some(ErrorReport::from(error));
    Some(jittered(wait))
}
