//! The record of one harvest: every selected source, how its start went,
//! how its run went, and the metadata generation for what it imported.
//! It is the state the rounds advance and, once every source is done, the
//! full report. Ids are checked when the record is read back, so a round
//! never parses one again.

use serde::{Deserialize, Serialize};

use crate::error::ErrorReport;
use crate::model::ids::{
    DataSourceId, DataSourceRunId, DomainId, MetadataGenerationRunId, ProjectId,
};
use crate::model::metadata_run::{MetadataGenerationRunStatus, MetadataGenerationTypeStat};
use crate::model::predictions::PredictionsRecord;
use crate::model::run::{AssetStatistics, DataSourceRunStatus, RunError};
use crate::model::timestamp::Timestamp;

/// The error name of a run or metadata generation run given up on after
/// `MaxPolls` checks.
pub const POLLING_LIMIT_REACHED: &str = "PollingLimitReached";
/// The error name of a data source run status this version does not know.
pub const UNKNOWN_RUN_STATUS: &str = "UnknownRunStatus";
/// The error name of a metadata generation run status this version does not know.
pub const UNKNOWN_METADATA_STATUS: &str = "UnknownMetadataGenerationStatus";
/// The error name of a start given up on after retries.
pub const START_GAVE_UP: &str = "StartGaveUp";
/// The error name of predictions left as suggestions: AcceptPredictions or
/// RejectPredictions still failed with a retryable error at the deadline.
pub const PREDICTIONS_GAVE_UP: &str = "PredictionsGaveUp";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Harvest {
    /// The event or execution the client tokens derive from.
    pub trigger_id: String,
    pub domain_id: DomainId,
    pub sources: Vec<SourceRecord>,
    /// Projects of a whole-domain selection whose sources could not be
    /// listed (no access): left out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied_projects: Vec<ProjectId>,
    /// Follow rounds so far.
    pub rounds: u32,
}

impl Harvest {
    pub fn new(trigger_id: String, domain_id: DomainId, sources: Vec<SourceRecord>) -> Self {
        Self {
            trigger_id,
            domain_id,
            sources,
            denied_projects: Vec::new(),
            rounds: 0,
        }
    }

    /// Sources not done yet.
    pub fn pending(&self) -> usize {
        self.sources
            .iter()
            .filter(|source| source.tracking.stage != Stage::Done)
            .count()
    }
}

/// Where a source or an asset stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    ToStart,
    Following,
    /// Its run finished; metadata generation for what it imported goes on.
    GeneratingMetadata,
    Done,
}

/// How the harvest of a source, or the metadata generation of an asset,
/// ended: one vocabulary for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Succeeded,
    PartiallySucceeded,
    /// The run failed.
    Failed,
    /// The run was canceled (metadata generation runs only: DataZone has
    /// no canceled data source run).
    Canceled,
    /// The start was refused, or given up on after retries.
    NotStarted,
    /// The data source's runs of the day are spent: skipped, not failed.
    QuotaExhausted,
    PollingLimitReached,
    /// Reading the run failed for good.
    CheckFailed,
    /// DataZone reported a status this version does not know.
    UnknownStatus,
}

impl Outcome {
    /// Every outcome, in the order a summary lists them.
    pub const ALL: [Self; 9] = [
        Self::Succeeded,
        Self::PartiallySucceeded,
        Self::Failed,
        Self::Canceled,
        Self::NotStarted,
        Self::QuotaExhausted,
        Self::PollingLimitReached,
        Self::CheckFailed,
        Self::UnknownStatus,
    ];

    /// The outcome as the record writes it (`PARTIALLY_SUCCEEDED`): the one
    /// word for it in every output of the project.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "SUCCEEDED",
            Self::PartiallySucceeded => "PARTIALLY_SUCCEEDED",
            Self::Failed => "FAILED",
            Self::Canceled => "CANCELED",
            Self::NotStarted => "NOT_STARTED",
            Self::QuotaExhausted => "QUOTA_EXHAUSTED",
            Self::PollingLimitReached => "POLLING_LIMIT_REACHED",
            Self::CheckFailed => "CHECK_FAILED",
            Self::UnknownStatus => "UNKNOWN_STATUS",
        }
    }

    /// Whether the harvest of a source that ended so failed (the execution
    /// then fails).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Self::Succeeded | Self::PartiallySucceeded | Self::QuotaExhausted
        )
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a source and an asset both keep of the run followed for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tracking {
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// What went wrong for the automation, under a stable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorReport>,
    /// Status checks of the run so far.
    #[serde(default)]
    pub checks: u32,
    /// When the run's end was recorded, on DataZone's clock: the answer
    /// that said so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<Timestamp>,
    /// Whether the end was recorded on DataZone's event of it (run-status)
    /// rather than by a check of the harvest's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_event: bool,
}

impl Tracking {
    /// Nothing started yet.
    pub fn to_start() -> Self {
        Self {
            stage: Stage::ToStart,
            outcome: None,
            error: None,
            checks: 0,
            recorded_at: None,
            by_event: false,
        }
    }

    /// Ends it with `outcome`; `error`, when given, replaces the last one.
    pub fn finish(&mut self, outcome: Outcome, error: Option<ErrorReport>) {
        self.stage = Stage::Done;
        self.outcome = Some(outcome);
        if error.is_some() {
            self.error = error;
        }
    }
}

/// How a source was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartedAs {
    Started,
    /// A run was already REQUESTED or RUNNING: that run is the one followed.
    AlreadyActive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRecord {
    pub data_source_id: DataSourceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub tracking: Tracking,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_as: Option<StartedAs>,
    /// Start calls that failed and may be retried.
    #[serde(default)]
    pub start_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_attempt_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<DataSourceRunId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DataSourceRunStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset_statistics: Option<AssetStatistics>,
    /// Why the run itself failed or partly succeeded, as DataZone says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_error: Option<RunError>,
    /// When the run started (or was created): its age decides the wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub began_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
    /// Whether the assets to enrich were listed (metadata generation on).
    #[serde(default)]
    pub assets_listed: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<AssetRecord>,
}

impl SourceRecord {
    /// A source still to start.
    pub fn to_start(data_source_id: DataSourceId, name: Option<String>) -> Self {
        Self {
            data_source_id,
            name,
            tracking: Tracking::to_start(),
            started_as: None,
            start_attempts: 0,
            first_attempt_at: None,
            run_id: None,
            project_id: None,
            status: None,
            asset_statistics: None,
            run_error: None,
            began_at: None,
            duration_seconds: None,
            assets_listed: false,
            metadata: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetRecord {
    pub asset_id: String,
    pub technical_name: String,
    #[serde(flatten)]
    pub tracking: Tracking,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_run_id: Option<MetadataGenerationRunId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MetadataGenerationRunStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub type_stats: Vec<MetadataGenerationTypeStat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// What the deployment's rule did with what the generation suggested
    /// (absent without a rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predictions: Option<PredictionsRecord>,
}

impl AssetRecord {
    pub fn to_start(asset_id: String, technical_name: String) -> Self {
        Self {
            asset_id,
            technical_name,
            tracking: Tracking::to_start(),
            metadata_run_id: None,
            status: None,
            type_stats: Vec::new(),
            created_at: None,
            predictions: None,
        }
    }

    /// Whether its predictions still wait for the rule.
    pub fn awaits_decision(&self) -> bool {
        self.predictions.as_ref().is_some_and(|record| !record.done)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A record as the functions have written it since records began: the
    /// same JSON reads back, and is written back unchanged.
    fn written() -> Value {
        json!({
            "triggerId": "arn:aws:states:eu-west-1:123456789012:execution:Ingestion:nightly",
            "domainId": "dzd_sales2026",
            "sources": [{
                "dataSourceId": "ds_orders",
                "name": "orders",
                "stage": "done",
                "outcome": "PARTIALLY_SUCCEEDED",
                "startedAs": "started",
                "startAttempts": 1,
                "firstAttemptAt": "2026-11-21T02:00:00Z",
                "runId": "run_1",
                "projectId": "prj_salesdata",
                "status": "PARTIALLY_SUCCEEDED",
                "assetStatistics": {"added": 2, "updated": 1, "unchanged": 0, "skipped": 0, "failed": 1},
                "runError": {"errorType": "INTERNAL_SERVER_ERROR", "errorDetail": "one table"},
                "error": {"name": "DataZone.ThrottlingException", "message": "slow down"},
                "checks": 4,
                "beganAt": "2026-11-21T02:00:01Z",
                "durationSeconds": 300,
                "assetsListed": true,
                "metadata": [{
                    "assetId": "ast_1",
                    "technicalName": "orders",
                    "stage": "done",
                    "outcome": "CANCELED",
                    "metadataRunId": "mg_1",
                    "status": "CANCELED",
                    "checks": 2,
                    "createdAt": "2026-11-21T02:06:00Z"
                }]
            }],
            "deniedProjects": ["prj_other"],
            "rounds": 5
        })
    }

    #[test]
    fn a_record_reads_and_writes_back_unchanged() {
        let harvest: Harvest = serde_json::from_value(written()).unwrap();
        let source = &harvest.sources[0];
        assert_eq!(source.tracking.outcome, Some(Outcome::PartiallySucceeded));
        assert_eq!(source.tracking.checks, 4);
        assert_eq!(source.run_id.as_deref(), Some("run_1"));
        let asset = &source.metadata[0];
        assert_eq!(asset.tracking.outcome, Some(Outcome::Canceled));
        assert_eq!(asset.metadata_run_id.as_deref(), Some("mg_1"));
        assert_eq!(serde_json::to_value(&harvest).unwrap(), written());
    }

    #[test]
    fn a_record_with_an_id_outside_the_model_is_refused_when_read() {
        for (path, bad) in [
            ("runId", json!("run 1")),
            ("projectId", json!("prj/other")),
            ("dataSourceId", json!("")),
        ] {
            let mut record = written();
            record["sources"][0][path] = bad;
            let error = serde_json::from_value::<Harvest>(record).unwrap_err();
            assert!(error.to_string().contains("must match"), "{path}: {error}");
        }
        let mut record = written();
        record["sources"][0]["metadata"][0]["metadataRunId"] = json!("mg 1");
        assert!(serde_json::from_value::<Harvest>(record).is_err());
    }

    #[test]
    fn an_outcome_reads_as_the_record_writes_it() {
        for outcome in Outcome::ALL {
            assert_eq!(
                serde_json::to_value(outcome).unwrap(),
                json!(outcome.to_string()),
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn only_success_partial_success_and_a_spent_quota_are_not_failures() {
        use Outcome::*;
        for outcome in [Succeeded, PartiallySucceeded, QuotaExhausted] {
            assert!(!outcome.is_failure(), "{outcome:?}");
        }
        for outcome in [
            Failed,
            Canceled,
            NotStarted,
            PollingLimitReached,
            CheckFailed,
            UnknownStatus,
        ] {
            assert!(outcome.is_failure(), "{outcome:?}");
        }
    }
}
