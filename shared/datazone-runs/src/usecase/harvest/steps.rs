//! A harvest's two steps as an execution takes them, each one round over
//! the record kept in the report store: starting (selecting the sources on
//! the first round), then following until every source is done. Each step
//! loads the record, advances it within its round's time, and saves it
//! before answering, so a step repeated after a crash resumes from what the
//! last one saved and starts nothing twice (the client tokens derive from
//! the trigger).

use serde::Serialize;

use crate::Error;
use crate::model::ids::DomainId;
use crate::model::timestamp::Timestamp;
use crate::port::{DataZone, ReportStore};
use crate::usecase::harvest::events::{ParkSettings, TakenPart, take_recorded, unpark, write_note};
use crate::usecase::harvest::follow::{Checks, FollowRound, RoundPart, follow_part};
use crate::usecase::harvest::notification::Notification;
pub use crate::usecase::harvest::record::{HarvestRecord, record_key};
use crate::usecase::harvest::report_page::render;
use crate::usecase::harvest::start::{StartRound, new_harvest, start_round};
use crate::usecase::harvest::summary::Summary;
use crate::usecase::pace::{Pacer, StepTime};
use crate::usecase::select::{Selection, select_sources};

/// A start step: which harvest, which sources, how to start them.
#[derive(Debug)]
pub struct StartStep<'a> {
    pub record: HarvestRecord<'a>,
    pub trigger_id: &'a str,
    /// Resolved on the first round only.
    pub selection: &'a Selection,
    /// Paces the List calls of the selection.
    pub list_pacer: &'a Pacer,
    pub round: StartRound<'a>,
    /// With DataZone's events followed: the waiting note is left from the
    /// first start on, so that ends are recorded from the start.
    pub events: Option<ParkSettings>,
}

/// What a start step tells the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartReport {
    pub domain_id: DomainId,
    pub trigger_id: String,
    /// Where the record is, for people.
    pub report: String,
    pub selected: usize,
    /// Sources still to start: 0 ends the start steps.
    pub remaining: usize,
    /// How long to wait before the next start step.
    pub retry_after_seconds: u64,
}

/// Loads the harvest (or selects its sources and creates it), starts what
/// the round allows, and saves it.
pub async fn start_step(
    datazone: &impl DataZone,
    store: &impl ReportStore,
    step: &StartStep<'_>,
) -> Result<StartReport, Error> {
    // A round that could not make one call would hand the same work to the
    // next round forever.
    let time = StepTime {
        budget: step.round.budget,
        call_allowance: step.round.call_allowance,
    };
    time.ensure_a_call("a start step")?;
    let key = step.record.key();
    let mut harvest = match store.load(&key).await? {
        Some(harvest) => harvest,
        None => {
            let selected = select_sources(
                datazone,
                step.record.domain,
                step.selection,
                step.list_pacer,
                Some(time),
            )
            .await?;
            tracing::info!(
                selected = selected.sources.len(),
                denied_projects = selected.denied_projects.len(),
                "data sources selected"
            );
            new_harvest(step.trigger_id, step.record.domain, selected)
        }
    };
    // The note names the sources about to start before they start, so
    // that the end of a run that ends at once is recorded too.
    if let Some(settings) = step.events {
        write_note(store, &step.record, &harvest, None, settings).await?;
    }
    let progress = start_round(datazone, &mut harvest, &step.round).await;
    store.save(&key, &harvest).await?;
    if let Some(settings) = step.events {
        write_note(store, &step.record, &harvest, None, settings).await?;
    }
    Ok(StartReport {
        domain_id: harvest.domain_id,
        trigger_id: harvest.trigger_id,
        report: store.location(&key),
        selected: harvest.sources.len(),
        remaining: progress.remaining,
        retry_after_seconds: progress.retry_after_seconds,
    })
}

/// What a follow step tells the state machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowReport {
    /// Sources not done: 0 ends the follow steps.
    pub pending: usize,
    pub next_wait_seconds: u64,
    /// What the harvest came to, once every source is done.
    pub summary: Option<Summary>,
    /// What the topic's subscribers are told of it, then: the state
    /// machine publishes it as it is. Absent before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
}

/// Loads the harvest `record`, advances it by `part` of one round, and
/// saves it.
pub async fn follow_step(
    datazone: &impl DataZone,
    store: &impl ReportStore,
    record: &HarvestRecord<'_>,
    round: &FollowRound<'_>,
    part: RoundPart,
) -> Result<FollowReport, Error> {
    let key = &record.key();
    StepTime {
        budget: round.budget,
        call_allowance: round.call_allowance,
    }
    .ensure_a_call("a follow step")?;
    let mut harvest = store.load(key).await?.ok_or_else(|| {
        Error::ReportRefused(format!(
            "no harvest record under {key}: the start step saves it first"
        ))
    })?;
    let on_events = matches!(round.checks, Checks::SafetyNet { .. });
    if on_events {
        let taken = match part {
            RoundPart::Runs { then_metadata } => Some(TakenPart::Runs { then_metadata }),
            RoundPart::Metadata { .. } => Some(TakenPart::Metadata),
            RoundPart::Whole => None,
        };
        if let Some(taken) = taken {
            let ends = take_recorded(store, record, &mut harvest, taken, round.concurrency).await?;
            tracing::info!(ends, "recorded ends taken in");
        }
    }
    let progress = follow_part(datazone, &mut harvest, round, part).await;
    store.save(key, &harvest).await?;
    if on_events && progress.pending == 0 {
        unpark(store, record).await?;
    }
    let mut summary = (progress.pending == 0).then(|| Summary::of(&harvest, store.location(key)));
    if let Some(summary) = &mut summary {
        let page_key = record.page_key();
        store
            .save_page(&page_key, &render(&harvest, summary, Timestamp::now()))
            .await?;
        summary.page = Some(store.location(&page_key));
    }
    if let Some(summary) = &summary {
        tracing::info!(
            succeeded = summary.sources.succeeded,
            partially_succeeded = summary.sources.partially_succeeded,
            failed = summary.failures.len() + summary.more_failures,
            quota_exhausted = summary.sources.quota_exhausted,
            assets = summary.metadata_generation.assets,
            report = %summary.report,
            "harvest finished"
        );
    }
    let notification = summary
        .as_ref()
        .map(|summary| Notification::of(summary, record.execution_id));
    Ok(FollowReport {
        pending: progress.pending,
        next_wait_seconds: progress.next_wait_seconds,
        summary,
        notification,
    })
}
