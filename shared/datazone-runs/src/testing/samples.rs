//! Values of the sample domain for tests: runs, metadata generation runs,
//! ids.

use crate::model::harvest::{Outcome, SourceRecord, Stage};
use crate::model::ids::{DataSourceId, DomainId};
use crate::model::metadata_run::{MetadataGenerationRun, MetadataGenerationRunStatus};
use crate::model::run::{DataSourceRun, DataSourceRunStatus, DataSourceRunType};
use crate::model::timestamp::Timestamp;

/// A run of the sample domain and project, created at a fixed time.
pub fn run(id: &str, data_source: &str, status: &str) -> DataSourceRun {
    DataSourceRun {
        id: id.into(),
        domain_id: "dzd_sales2026".into(),
        data_source_id: data_source.into(),
        project_id: "prj_salesdata".into(),
        status: DataSourceRunStatus::from_wire(status),
        run_type: DataSourceRunType::Prioritized,
        asset_statistics: None,
        error: None,
        lineage_import_status: None,
        configuration_snapshot: None,
        created_at: Timestamp::from_epoch_millis(1_700_000_000_000),
        updated_at: Timestamp::from_epoch_millis(1_700_000_000_000),
        started_at: None,
        stopped_at: None,
        observed_at: None,
    }
}

/// A metadata generation run of the sample domain and project, created now.
pub fn metadata_run(id: &str, status: Option<&str>) -> MetadataGenerationRun {
    MetadataGenerationRun {
        id: id.into(),
        domain_id: "dzd_sales2026".into(),
        owning_project_id: "prj_salesdata".into(),
        status: status.map(MetadataGenerationRunStatus::from_wire),
        target: None,
        types: vec![],
        type_stats: vec![],
        created_at: Some(Timestamp::now()),
        created_by: None,
        observed_at: None,
    }
}

/// The sample domain.
pub fn domain() -> DomainId {
    DomainId::parse("domainId", "dzd_sales2026").unwrap()
}

/// A data source id; panics on one the model refuses.
pub fn source(id: &str) -> DataSourceId {
    DataSourceId::parse("dataSourceId", id).unwrap()
}

/// Sources `ds_0`, `ds_1`, … done with `outcomes`, in order: the harvest a
/// summary, a notification or the metrics of its end are made from.
pub fn sources_ended(outcomes: &[Outcome]) -> Vec<SourceRecord> {
    outcomes
        .iter()
        .enumerate()
        .map(|(index, outcome)| {
            let mut record = SourceRecord::to_start(source(&format!("ds_{index}")), None);
            record.tracking.stage = Stage::Done;
            record.tracking.outcome = Some(*outcome);
            record
        })
        .collect()
}
