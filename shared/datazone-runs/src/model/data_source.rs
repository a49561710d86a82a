//! Data sources and projects as the List operations report them.

use serde::{Deserialize, Serialize};

use crate::model::ids::{DataSourceId, ProjectId};

/// `DataSourceSummary`: what selecting a source looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceSummary {
    pub id: DataSourceId,
    pub name: String,
    /// `GLUE`, `REDSHIFT`, …
    #[serde(rename = "type")]
    pub source_type: String,
    /// `DataSourceStatus`, e.g. `READY`; `None` when not reported.
    pub status: Option<String>,
    /// `ENABLED` or `DISABLED`; `None` when not reported.
    pub enable_setting: Option<String>,
}

impl DataSourceSummary {
    /// Whether a run can be started: enabled, and ready.
    pub fn runnable(&self) -> bool {
        self.enable_setting
            .as_deref()
            .is_none_or(|s| s == "ENABLED")
            && self.status.as_deref().is_none_or(|s| s == "READY")
    }
}

/// `ProjectSummary`: a project of the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub id: ProjectId,
    pub name: String,
}
