//! A data source run, with every field GetDataSourceRun returns.

use serde::{Deserialize, Serialize};

use crate::model::timestamp::Timestamp;
use crate::model::wire_enum::wire_enum;

wire_enum!(
    /// `DataSourceRunStatus` in the service model.
    DataSourceRunStatus {
        Requested => "REQUESTED",
        Running => "RUNNING",
        Failed => "FAILED",
        PartiallySucceeded => "PARTIALLY_SUCCEEDED",
        Success => "SUCCESS",
    }
);

impl DataSourceRunStatus {
    /// A run in this status will not change any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Self::Failed | Self::PartiallySucceeded | Self::Success
        )
    }

    /// A run in this status blocks another start of its data source.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Requested | Self::Running)
    }
}

wire_enum!(
    /// `DataSourceRunType`: started by a caller, or by the data source's own schedule.
    DataSourceRunType {
        Prioritized => "PRIORITIZED",
        Scheduled => "SCHEDULED",
    }
);

wire_enum!(
    /// `DataSourceErrorType`: why a run failed.
    DataSourceErrorType {
        AccessDenied => "ACCESS_DENIED_EXCEPTION",
        Conflict => "CONFLICT_EXCEPTION",
        InternalServer => "INTERNAL_SERVER_EXCEPTION",
        ResourceNotFound => "RESOURCE_NOT_FOUND_EXCEPTION",
        ServiceQuotaExceeded => "SERVICE_QUOTA_EXCEEDED_EXCEPTION",
        Throttling => "THROTTLING_EXCEPTION",
        Validation => "VALIDATION_EXCEPTION",
    }
);

wire_enum!(
    /// `LineageImportStatus`: how the lineage import of a run went.
    LineageImportStatus {
        InProgress => "IN_PROGRESS",
        Success => "SUCCESS",
        Failed => "FAILED",
        PartiallySucceeded => "PARTIALLY_SUCCEEDED",
    }
);

/// `RunStatisticsForAssets`; a count DataZone leaves out is zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetStatistics {
    pub added: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub skipped: i32,
    pub failed: i32,
}

/// `DataSourceErrorMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunError {
    pub error_type: DataSourceErrorType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<String>,
}

/// One data source run as DataZone reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceRun {
    pub id: String,
    pub domain_id: String,
    pub data_source_id: String,
    pub project_id: String,
    pub status: DataSourceRunStatus,
    #[serde(rename = "type")]
    pub run_type: DataSourceRunType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset_statistics: Option<AssetStatistics>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lineage_import_status: Option<LineageImportStatus>,
    /// The data source's configuration as the run saw it; can be large, so
    /// it stays out of the functions' outputs.
    #[serde(skip)]
    pub configuration_snapshot: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<Timestamp>,
    /// When DataZone answered with this, by DataZone's clock (the answer's
    /// `Date` header): a run's age is measured against it, so neither a
    /// skewed local clock nor a time-compressed local DataZone bends the
    /// waits. `None` when not known; the local clock is used then.
    #[serde(skip)]
    pub observed_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_round_trips_and_knows_if_it_is_terminal() {
        let expected = [
            ("REQUESTED", false, true),
            ("RUNNING", false, true),
            ("FAILED", true, false),
            ("PARTIALLY_SUCCEEDED", true, false),
            ("SUCCESS", true, false),
        ];
        assert_eq!(DataSourceRunStatus::DOCUMENTED.len(), expected.len());
        for (wire, terminal, active) in expected {
            let status = DataSourceRunStatus::from_wire(wire);
            assert_eq!(status.as_str(), wire);
            assert!(!matches!(status, DataSourceRunStatus::Unknown(_)));
            assert_eq!(status.is_terminal(), terminal, "{wire}");
            assert_eq!(status.is_active(), active, "{wire}");
        }
    }

    #[test]
    fn a_status_added_later_is_kept_and_neither_terminal_nor_active() {
        let status = DataSourceRunStatus::from_wire("CANCELLED");
        assert_eq!(status, DataSourceRunStatus::Unknown("CANCELLED".into()));
        assert_eq!(status.as_str(), "CANCELLED");
        assert!(!status.is_terminal() && !status.is_active());
        let json: DataSourceRunStatus = serde_json::from_str("\"CANCELLED\"").unwrap();
        assert_eq!(json, status);
    }

    #[test]
    fn documented_enums_are_complete() {
        assert_eq!(DataSourceRunType::DOCUMENTED, ["PRIORITIZED", "SCHEDULED"]);
        assert_eq!(DataSourceErrorType::DOCUMENTED.len(), 7);
        assert_eq!(LineageImportStatus::DOCUMENTED.len(), 4);
    }
}
