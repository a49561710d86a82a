//! What a harvest came to, bounded whatever its size: counts by outcome,
//! the first failures, and where the full report is. It is what the state
//! machine carries, notifies and fails with: Step Functions takes at most
//! 256 KiB for a state's input or output and 32,768 characters for a Fail
//! state's cause ("Step Functions service quotas").

use serde::Serialize;

use crate::error::ErrorReport;
use crate::model::harvest::{Harvest, Outcome, Stage};
use crate::model::ids::DomainId;
use crate::model::ids::{DataSourceId, DataSourceRunId, ProjectId};
use crate::model::predictions::Decision;
use crate::model::run::DataSourceRunStatus;

/// Failures listed in a summary; the rest are counted.
pub const LISTED_FAILURES: usize = 20;
/// Characters of an error message a summary keeps.
pub const MESSAGE_CHARACTERS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceCounts {
    pub selected: usize,
    pub succeeded: usize,
    pub partially_succeeded: usize,
    pub failed: usize,
    pub not_started: usize,
    pub quota_exhausted: usize,
    pub polling_limit_reached: usize,
    pub check_failed: usize,
    pub unknown_status: usize,
    /// Not done yet.
    pub pending: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetCounts {
    pub assets: usize,
    /// What the deployment's rule did with what was generated (absent
    /// without a rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predictions: Option<PredictionCounts>,
    pub succeeded: usize,
    pub partially_succeeded: usize,
    pub failed: usize,
    pub canceled: usize,
    pub not_started: usize,
    pub polling_limit_reached: usize,
    pub check_failed: usize,
    pub unknown_status: usize,
    pub pending: usize,
}

/// Assets by what the rule did with their predictions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PredictionCounts {
    pub accepted: usize,
    pub accepted_rest_rejected: usize,
    /// Left as suggestions: the rule's call failed (a warning).
    pub suggested: usize,
    pub pending: usize,
}

impl PredictionCounts {
    /// The non-zero counts in the report's words.
    pub fn by_decision(&self) -> Vec<(&'static str, usize)> {
        [
            (Decision::Accepted, self.accepted),
            (Decision::AcceptedRestRejected, self.accepted_rest_rejected),
            (Decision::Suggested, self.suggested),
            (Decision::Pending, self.pending),
        ]
        .into_iter()
        .map(|(decision, count)| (decision.as_str(), count))
        .filter(|(_, count)| *count > 0)
        .collect()
    }
}

impl SourceCounts {
    /// The non-zero counts, by outcome in the record's words, then the
    /// sources still pending: what a person reads.
    pub fn by_outcome(&self) -> Vec<(&'static str, usize)> {
        nonzero(
            [
                (Outcome::Succeeded, self.succeeded),
                (Outcome::PartiallySucceeded, self.partially_succeeded),
                (Outcome::Failed, self.failed),
                (Outcome::NotStarted, self.not_started),
                (Outcome::QuotaExhausted, self.quota_exhausted),
                (Outcome::PollingLimitReached, self.polling_limit_reached),
                (Outcome::CheckFailed, self.check_failed),
                (Outcome::UnknownStatus, self.unknown_status),
            ],
            self.pending,
        )
    }
}

impl AssetCounts {
    /// The non-zero counts, by outcome in the record's words, then the
    /// assets still pending.
    pub fn by_outcome(&self) -> Vec<(&'static str, usize)> {
        nonzero(
            [
                (Outcome::Succeeded, self.succeeded),
                (Outcome::PartiallySucceeded, self.partially_succeeded),
                (Outcome::Failed, self.failed),
                (Outcome::Canceled, self.canceled),
                (Outcome::NotStarted, self.not_started),
                (Outcome::PollingLimitReached, self.polling_limit_reached),
                (Outcome::CheckFailed, self.check_failed),
                (Outcome::UnknownStatus, self.unknown_status),
            ],
            self.pending,
        )
    }

    /// Assets whose metadata generation did not succeed (fully or partly):
    /// a warning, not a failure of the harvest.
    pub fn not_generated(&self) -> usize {
        self.failed
            + self.canceled
            + self.not_started
            + self.polling_limit_reached
            + self.check_failed
            + self.unknown_status
    }
}

fn nonzero<const N: usize>(
    counts: [(Outcome, usize); N],
    pending: usize,
) -> Vec<(&'static str, usize)> {
    counts
        .into_iter()
        .map(|(outcome, count)| (outcome.as_str(), count))
        .chain([("PENDING", pending)])
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// One failed source, as the summary lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedFailure {
    pub data_source_id: DataSourceId,
    pub outcome: Outcome,
    pub run_id: Option<DataSourceRunId>,
    pub status: Option<DataSourceRunStatus>,
    /// The automation's error, or the run's own (`errorType: errorDetail`).
    pub error: Option<ErrorReport>,
}

/// A failure as people read it, in the email, dzrun and the page alike:
/// `ds_finance FAILED run r1 (FAILED): ERROR_TYPE: detail`.
impl std::fmt::Display for ListedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.data_source_id, self.outcome)?;
        if let Some(run) = &self.run_id {
            write!(f, " run {run}")?;
        }
        if let Some(status) = &self.status {
            write!(f, " ({status})")?;
        }
        if let Some(error) = &self.error {
            write!(f, ": {}: {}", error.name, error.message)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub trigger_id: String,
    pub domain_id: DomainId,
    pub sources: SourceCounts,
    pub metadata_generation: AssetCounts,
    /// Whether any source failed: the execution then fails.
    pub any_failed: bool,
    /// Projects of a whole-domain selection left out: no access to their sources.
    pub projects_denied: Vec<ProjectId>,
    /// Whether any source partly succeeded or was skipped, or any project
    /// left out: worth a notification.
    pub any_warning: bool,
    /// The first failures.
    pub failures: Vec<ListedFailure>,
    /// Failures not listed.
    pub more_failures: usize,
    /// Start calls that failed with a retryable error (throttling, an
    /// internal error, a timeout) and were tried again.
    pub start_retries: usize,
    /// Follow rounds it took.
    pub rounds: u32,
    /// Where the full report is.
    pub report: String,
    /// Where the harvest's page is, once written beside the report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

/// `message` cut to [`MESSAGE_CHARACTERS`], control characters (which JSON
/// writes six characters long) turned to spaces.
fn shortened(message: &str) -> String {
    let mut kept: String = message
        .chars()
        .take(MESSAGE_CHARACTERS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if message.chars().nth(MESSAGE_CHARACTERS).is_some() {
        kept.push('…');
    }
    kept
}

impl Summary {
    /// The line naming the projects left out, when there are any.
    pub fn projects_left_out(&self) -> Option<String> {
        (!self.projects_denied.is_empty()).then(|| {
            let denied: Vec<&str> = self.projects_denied.iter().map(|id| id.as_str()).collect();
            format!(
                "Projects left out (their data sources cannot be listed): {}",
                denied.join(", ")
            )
        })
    }

    /// The line counting the failures not listed, when there are any.
    pub fn more_failures_line(&self) -> Option<String> {
        (self.more_failures > 0).then(|| format!("… and {} more failures", self.more_failures))
    }

    pub fn of(harvest: &Harvest, report: String) -> Self {
        let mut sources = SourceCounts {
            selected: harvest.sources.len(),
            ..SourceCounts::default()
        };
        let mut assets = AssetCounts::default();
        let mut failures = Vec::new();
        for source in &harvest.sources {
            match source.tracking.outcome {
                None => sources.pending += 1,
                Some(outcome) => {
                    let count = match outcome {
                        Outcome::Succeeded => &mut sources.succeeded,
                        Outcome::PartiallySucceeded => &mut sources.partially_succeeded,
                        // DataZone has no canceled data source run.
                        Outcome::Failed | Outcome::Canceled => &mut sources.failed,
                        Outcome::NotStarted => &mut sources.not_started,
                        Outcome::QuotaExhausted => &mut sources.quota_exhausted,
                        Outcome::PollingLimitReached => &mut sources.polling_limit_reached,
                        Outcome::CheckFailed => &mut sources.check_failed,
                        Outcome::UnknownStatus => &mut sources.unknown_status,
                    };
                    *count += 1;
                    if outcome.is_failure() {
                        failures.push(source);
                    }
                }
            }
            if source.tracking.stage != Stage::Done && source.tracking.outcome.is_some() {
                sources.pending += 1;
            }
            for asset in &source.metadata {
                assets.assets += 1;
                let count = match asset.tracking.outcome {
                    None => &mut assets.pending,
                    Some(Outcome::Succeeded) => &mut assets.succeeded,
                    Some(Outcome::PartiallySucceeded) => &mut assets.partially_succeeded,
                    Some(Outcome::Failed) => &mut assets.failed,
                    Some(Outcome::Canceled) => &mut assets.canceled,
                    // A generation is not started for want of quota.
                    Some(Outcome::NotStarted | Outcome::QuotaExhausted) => &mut assets.not_started,
                    Some(Outcome::PollingLimitReached) => &mut assets.polling_limit_reached,
                    Some(Outcome::CheckFailed) => &mut assets.check_failed,
                    Some(Outcome::UnknownStatus) => &mut assets.unknown_status,
                };
                *count += 1;
                if let Some(record) = &asset.predictions {
                    let decisions = assets
                        .predictions
                        .get_or_insert_with(PredictionCounts::default);
                    *match record.decision() {
                        Decision::Accepted => &mut decisions.accepted,
                        Decision::AcceptedRestRejected => &mut decisions.accepted_rest_rejected,
                        Decision::Suggested => &mut decisions.suggested,
                        Decision::Pending => &mut decisions.pending,
                    } += 1;
                }
            }
        }
        let more_failures = failures.len().saturating_sub(LISTED_FAILURES);
        let listed = failures
            .into_iter()
            .take(LISTED_FAILURES)
            .map(|source| ListedFailure {
                data_source_id: source.data_source_id.clone(),
                outcome: source.tracking.outcome.unwrap_or(Outcome::Failed),
                run_id: source.run_id.clone(),
                status: source.status.clone(),
                error: source
                    .tracking
                    .error
                    .clone()
                    .or_else(|| {
                        source.run_error.as_ref().map(|error| ErrorReport {
                            name: error.error_type.to_string(),
                            message: error.error_detail.clone().unwrap_or_default(),
                        })
                    })
                    .map(|error| ErrorReport {
                        message: shortened(&error.message),
                        name: error.name,
                    }),
            })
            .collect::<Vec<_>>();
        Self {
            trigger_id: harvest.trigger_id.clone(),
            domain_id: harvest.domain_id.clone(),
            any_failed: !listed.is_empty(),
            any_warning: sources.partially_succeeded > 0
                || sources.quota_exhausted > 0
                || !harvest.denied_projects.is_empty()
                || assets.predictions.as_ref().is_some_and(|p| p.suggested > 0),
            projects_denied: harvest
                .denied_projects
                .iter()
                .take(LISTED_FAILURES)
                .cloned()
                .collect(),
            sources,
            metadata_generation: assets,
            failures: listed,
            more_failures,
            page: None,
            rounds: harvest.rounds,
            start_retries: harvest
                .sources
                .iter()
                .map(|source| source.start_attempts as usize)
                .sum(),
            report,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::harvest::{AssetRecord, SourceRecord};

    fn source(id: usize, outcome: Option<Outcome>, stage: Stage) -> SourceRecord {
        let mut record =
            SourceRecord::to_start(DataSourceId::parse("id", format!("ds_{id}")).unwrap(), None);
        record.tracking.stage = stage;
        record.tracking.outcome = outcome;
        record
    }

    fn harvest(sources: Vec<SourceRecord>) -> Harvest {
        Harvest::new(
            "exec-1".into(),
            DomainId::parse("domainId", "dzd_sales2026").unwrap(),
            sources,
        )
    }

    #[test]
    fn counts_every_outcome_and_lists_failures_first_found() {
        let mut sources = vec![
            source(0, Some(Outcome::Succeeded), Stage::Done),
            source(1, Some(Outcome::PartiallySucceeded), Stage::Done),
            source(2, Some(Outcome::QuotaExhausted), Stage::Done),
            source(3, Some(Outcome::Failed), Stage::Done),
            source(4, Some(Outcome::CheckFailed), Stage::Done),
            source(5, None, Stage::Following),
            source(6, Some(Outcome::Succeeded), Stage::GeneratingMetadata),
        ];
        let mut asset = AssetRecord::to_start("ast_1".into(), "orders".into());
        asset.tracking.finish(Outcome::Failed, None);
        sources[6].metadata = vec![asset, AssetRecord::to_start("ast_2".into(), "lines".into())];
        let summary = Summary::of(&harvest(sources), "s3://bucket/key".into());
        assert_eq!(
            summary.sources,
            SourceCounts {
                selected: 7,
                succeeded: 2,
                partially_succeeded: 1,
                failed: 1,
                quota_exhausted: 1,
                check_failed: 1,
                pending: 2,
                ..SourceCounts::default()
            }
        );
        assert_eq!(
            summary.metadata_generation,
            AssetCounts {
                assets: 2,
                failed: 1,
                pending: 1,
                ..AssetCounts::default()
            }
        );
        let failed: Vec<&str> = summary
            .failures
            .iter()
            .map(|failure| failure.data_source_id.as_str())
            .collect();
        assert_eq!(failed, ["ds_3", "ds_4"]);
        assert!(summary.any_failed && summary.any_warning);
        assert_eq!(summary.report, "s3://bucket/key");
    }

    #[test]
    fn counts_read_in_the_records_words_and_only_when_not_zero() {
        let sources = SourceCounts {
            selected: 4,
            succeeded: 2,
            quota_exhausted: 1,
            pending: 1,
            ..SourceCounts::default()
        };
        assert_eq!(
            sources.by_outcome(),
            [("SUCCEEDED", 2), ("QUOTA_EXHAUSTED", 1), ("PENDING", 1)]
        );
        let assets = AssetCounts {
            assets: 9,
            succeeded: 1,
            partially_succeeded: 1,
            failed: 1,
            canceled: 1,
            not_started: 1,
            polling_limit_reached: 1,
            check_failed: 1,
            unknown_status: 1,
            pending: 1,
            predictions: None,
        };
        assert_eq!(assets.by_outcome().len(), 9);
        let decisions = PredictionCounts {
            accepted: 1,
            accepted_rest_rejected: 0,
            suggested: 2,
            pending: 3,
        };
        assert_eq!(
            decisions.by_decision(),
            [("ACCEPTED", 1), ("SUGGESTED", 2), ("PENDING", 3)]
        );
        assert_eq!(assets.by_outcome()[3], ("CANCELED", 1));
        assert_eq!(
            assets.not_generated(),
            6,
            "all but the two successes and the pending"
        );
        assert_eq!(AssetCounts::default().not_generated(), 0);
    }

    #[test]
    fn each_cause_of_a_warning_alone_raises_it() {
        let succeeded = || source(0, Some(Outcome::Succeeded), Stage::Done);
        let flags = |harvest: &Harvest| {
            let summary = Summary::of(harvest, String::new());
            (summary.any_failed, summary.any_warning)
        };
        assert_eq!(flags(&harvest(vec![succeeded()])), (false, false));
        for outcome in [Outcome::PartiallySucceeded, Outcome::QuotaExhausted] {
            let alone = harvest(vec![succeeded(), source(1, Some(outcome), Stage::Done)]);
            assert_eq!(flags(&alone), (false, true), "{outcome:?}");
        }
        let mut denied = harvest(vec![succeeded()]);
        denied.denied_projects = vec![ProjectId::parse("projectId", "prj_other").unwrap()];
        assert_eq!(flags(&denied), (false, true), "a project not listed");
    }

    #[test]
    fn a_summary_stays_far_below_a_fail_states_cause_limit_at_any_size() {
        // The worst case: every source failed with a long message full of
        // characters JSON escapes; the cause is the summary's JSON text
        // (States.JsonToString).
        let message = "\"\\\u{1}é".repeat(1000);
        let sources = (0..10_000)
            .map(|id| {
                let mut record = source(id, Some(Outcome::NotStarted), Stage::Done);
                record.tracking.error = Some(ErrorReport {
                    name: "DataZone.AccessDeniedException".into(),
                    message: message.clone(),
                });
                record
            })
            .collect();
        let summary = Summary::of(&harvest(sources), "s3://bucket/key".into());
        assert_eq!(
            (summary.failures.len(), summary.more_failures),
            (LISTED_FAILURES, 10_000 - LISTED_FAILURES)
        );
        let cause = serde_json::to_string(&summary).unwrap();
        // Step Functions' limit on a Fail state's cause: 32,768 characters;
        // half of it at most.
        assert!(
            cause.chars().count() < 32_768 / 2,
            "{} characters",
            cause.len()
        );
        let first = &summary.failures[0].error.as_ref().unwrap().message;
        assert_eq!(
            first.chars().count(),
            MESSAGE_CHARACTERS + 1,
            "cut, with an ellipsis"
        );
    }

    #[test]
    fn failures_projects_and_more_read_the_same_wherever_they_are_shown() {
        let failure = ListedFailure {
            data_source_id: DataSourceId::parse("id", "ds_finance").unwrap(),
            outcome: Outcome::Failed,
            run_id: Some(DataSourceRunId::parse("id", "r1").unwrap()),
            status: Some(DataSourceRunStatus::from_wire("FAILED")),
            error: Some(ErrorReport {
                name: "RESOURCE_NOT_FOUND_EXCEPTION".into(),
                message: "no database".into(),
            }),
        };
        assert_eq!(
            failure.to_string(),
            "ds_finance FAILED run r1 (FAILED): RESOURCE_NOT_FOUND_EXCEPTION: no database"
        );
        let bare = ListedFailure {
            run_id: None,
            status: None,
            error: None,
            ..failure
        };
        assert_eq!(bare.to_string(), "ds_finance FAILED");
        let mut summary = Summary::of(&harvest(vec![]), String::new());
        assert_eq!(
            (summary.projects_left_out(), summary.more_failures_line()),
            (None, None)
        );
        summary.projects_denied = vec![
            ProjectId::parse("id", "prj_a").unwrap(),
            ProjectId::parse("id", "prj_b").unwrap(),
        ];
        summary.more_failures = 3;
        assert_eq!(
            summary.projects_left_out().unwrap(),
            "Projects left out (their data sources cannot be listed): prj_a, prj_b"
        );
        assert_eq!(
            summary.more_failures_line().unwrap(),
            "… and 3 more failures"
        );
    }
}
