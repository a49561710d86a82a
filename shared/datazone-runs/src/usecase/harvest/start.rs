//! Starting the sources of a harvest, as many as a round's time allows,
//! paced to the start quota, at most once per source and trigger.
//!
//! A source whose start fails with a retryable error (throttling, an
//! internal error, a timeout, no connection) stays to start: a later round
//! tries again with the same client token, until the retry deadline
//! passes. Any other failure ends the source at once; a spent daily quota
//! skips it.

use std::time::Duration;

use serde::Serialize;

use crate::Error;
use crate::error::ErrorReport;
use crate::model::ids::DataSourceId;
use crate::model::run::DataSourceRun;
use crate::model::timestamp::Timestamp;
use crate::port::DataZone;
use crate::usecase::fan_out::fan_out;
use crate::usecase::harvest::record::{
    Harvest, START_GAVE_UP, SourceOutcome, SourceRecord, Stage, StartedAs,
};
use crate::usecase::pace::{Budget, Pacer};
use crate::usecase::start::{StartAction, start_unless_active};

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

enum Attempt {
    Started(StartedAs, Box<DataSourceRun>),
    Failed(Error),
    /// Out of time before it began.
    NotTried,
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

/// Starts what `harvest` still has to start, within `round`.
pub async fn start_round(
    datazone: &impl DataZone,
    harvest: &mut Harvest,
    round: &StartRound<'_>,
) -> StartProgress {
    let to_start: Vec<(usize, DataSourceId)> = harvest
        .sources
        .iter()
        .enumerate()
        .filter(|(_, source)| source.stage == Stage::ToStart)
        .map(|(index, source)| (index, source.data_source_id.clone()))
        .collect();
    let (trigger, domain) = (&harvest.trigger_id, &harvest.domain_id);
    let attempts = fan_out(
        to_start,
        round.concurrency,
        |(index, data_source)| async move {
            if !round.budget.allows(round.call_allowance) {
                return (index, Attempt::NotTried);
            }
            let started =
                start_unless_active(datazone, trigger, domain, &data_source, round.pacer).await;
            let attempt = match started {
                Ok((StartAction::AlreadyActive, run)) => {
                    Attempt::Started(StartedAs::AlreadyActive, Box::new(run))
                }
                Ok((_, run)) => Attempt::Started(StartedAs::Started, Box::new(run)),
                Err(error) => Attempt::Failed(error),
            };
            (index, attempt)
        },
    )
    .await;
    let mut ran_out_of_time = false;
    let mut retry_after = 0;
    let now = Timestamp::now();
    for (index, attempt) in attempts {
        let source = &mut harvest.sources[index];
        match attempt {
            Attempt::NotTried => ran_out_of_time = true,
            Attempt::Started(started_as, run) => {
                tracing::info!(
                    data_source_id = %source.data_source_id,
                    run_id = %run.id,
                    started_as = ?started_as,
                    "data source handled"
                );
                source.stage = Stage::Following;
                source.started_as = Some(started_as);
                source.began_at = Some(run.started_at.unwrap_or(run.created_at));
                let run = *run;
                source.run_id = Some(run.id);
                source.project_id = Some(run.project_id);
                source.status = Some(run.status);
            }
            Attempt::Failed(error) => {
                if let Some(wait) = give_up_or_retry(source, &error, round, now) {
                    retry_after = retry_after.max(wait);
                }
            }
        }
    }
    StartProgress {
        remaining: harvest
            .sources
            .iter()
            .filter(|source| source.stage == Stage::ToStart)
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
        source.finish(
            SourceOutcome::QuotaExhausted,
            Some(ErrorReport::from(error)),
        );
        return None;
    }
    if !error.is_retryable() {
        source.finish(SourceOutcome::NotStarted, Some(ErrorReport::from(error)));
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
        source.finish(SourceOutcome::NotStarted, Some(report));
        return None;
    }
    source.error = Some(ErrorReport::from(error));
    Some(jittered(wait))
}
