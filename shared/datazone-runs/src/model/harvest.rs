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
    /// Whether the harvest of a source that ended so failed (the execution
    /// then fails).
    pub fn is_failure(self) -> bool {
        !matches!(
            self,
            Self::Succeeded | Self::PartiallySucceeded | Self::QuotaExhausted
        )
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
}

impl Tracking {
    /// Nothing started yet.
    pub fn to_start() -> Self {
        Self {
            stage: Stage::ToStart,
            outcome: None,
            error: None,
            checks: 0,
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
        }
    }
}
