//! CloudWatch metrics as Embedded Metric Format lines on standard output.

use std::io::Write;

use serde_json::{Value, json};

use datazone_runs::model::outcome::OutcomeClass;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::settings::Text;
use datazone_runs::usecase::status::RunOutcome;

/// The CloudWatch namespace of the metrics.
pub const METRICS_NAMESPACE: Text = Text {
    name: "METRICS_NAMESPACE",
    default: "DataZoneIngestion",
};

/// One EMF document for a finished data source run: its asset counts,
/// duration, and a 0/1 count per outcome, by domain and data source.
pub fn finished_run_document(namespace: &str, outcome: &RunOutcome, now: Timestamp) -> Value {
    let stats = &outcome.asset_statistics;
    let count = |class: OutcomeClass| i32::from(outcome.outcome == class);
    let names = [
        ("AssetsAdded", "Count"),
        ("AssetsUpdated", "Count"),
        ("AssetsUnchanged", "Count"),
        ("AssetsSkipped", "Count"),
        ("AssetsFailed", "Count"),
        ("RunSucceeded", "Count"),
        ("RunPartiallySucceeded", "Count"),
        ("RunFailed", "Count"),
        ("RunDuration", "Seconds"),
    ];
    json!({
        "_aws": {
            "Timestamp": now.epoch_millis(),
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["DomainId", "DataSourceId"]],
                "Metrics": names.iter().map(|(name, unit)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
            }],
        },
        "DomainId": outcome.domain_id,
        "DataSourceId": outcome.data_source_id,
        "RunId": outcome.run_id,
        "Status": outcome.status,
        "AssetsAdded": stats.added,
        "AssetsUpdated": stats.updated,
        "AssetsUnchanged": stats.unchanged,
        "AssetsSkipped": stats.skipped,
        "AssetsFailed": stats.failed,
        "RunSucceeded": count(OutcomeClass::Succeeded),
        "RunPartiallySucceeded": count(OutcomeClass::PartiallySucceeded),
        "RunFailed": count(OutcomeClass::Failed),
        "RunDuration": outcome.duration_seconds.unwrap_or_default(),
    })
}

/// Where EMF documents go.
pub trait MetricsSink: Send + Sync {
    fn emit(&self, document: &Value);
}

/// A reference emits where its target does, so a test keeps its sink.
impl<T: MetricsSink> MetricsSink for &T {
    fn emit(&self, document: &Value) {
        (**self).emit(document);
    }
}

/// Keeps the documents, for tests.
#[derive(Debug, Default)]
pub struct RecordedMetrics(std::sync::Mutex<Vec<Value>>);

impl RecordedMetrics {
    pub fn documents(&self) -> Vec<Value> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl MetricsSink for RecordedMetrics {
    fn emit(&self, document: &Value) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(document.clone());
    }
}

/// Standard output, where Lambda's log capture picks EMF lines up.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdoutMetrics;

impl MetricsSink for StdoutMetrics {
    /// One line per document; a metric lost to a closed stdout is not worth
    /// failing the invocation for.
    fn emit(&self, document: &Value) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{document}");
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use datazone_runs::model::outcome::Origin;
    use datazone_runs::model::run::{AssetStatistics, DataSourceRunStatus, DataSourceRunType};

    use super::*;

    #[test]
    fn a_finished_run_is_one_emf_document_with_every_metric_by_domain_and_source() {
        let outcome = RunOutcome {
            domain_id: "dzd_a".into(),
            data_source_id: "ds_a".into(),
            run_id: "run_a".into(),
            project_id: "prj_a".into(),
            status: DataSourceRunStatus::PartiallySucceeded,
            terminal: true,
            outcome: OutcomeClass::PartiallySucceeded,
            run_type: DataSourceRunType::Prioritized,
            asset_statistics: AssetStatistics {
                added: 1,
                updated: 2,
                unchanged: 3,
                skipped: 4,
                failed: 5,
            },
            error: None,
            lineage_import_status: None,
            created_at: Timestamp::from_epoch_millis(0),
            started_at: None,
            stopped_at: None,
            duration_seconds: Some(120),
            next_wait_seconds: 0,
            origin: Origin::Query,
        };
        let document = finished_run_document(
            "Ns",
            &outcome,
            Timestamp::from_epoch_millis(1_700_000_000_000),
        );
        let count = |name: &str| json!({"Name": name, "Unit": "Count"});
        assert_eq!(
            document,
            json!({
                "_aws": {
                    "Timestamp": 1_700_000_000_000_i64,
                    "CloudWatchMetrics": [{
                        "Namespace": "Ns",
                        "Dimensions": [["DomainId", "DataSourceId"]],
                        "Metrics": [
                            count("AssetsAdded"), count("AssetsUpdated"), count("AssetsUnchanged"),
                            count("AssetsSkipped"), count("AssetsFailed"), count("RunSucceeded"),
                            count("RunPartiallySucceeded"), count("RunFailed"),
                            {"Name": "RunDuration", "Unit": "Seconds"}
                        ]
                    }]
                },
                "DomainId": "dzd_a", "DataSourceId": "ds_a", "RunId": "run_a",
                "Status": "PARTIALLY_SUCCEEDED",
                "AssetsAdded": 1, "AssetsUpdated": 2, "AssetsUnchanged": 3,
                "AssetsSkipped": 4, "AssetsFailed": 5,
                "RunSucceeded": 0, "RunPartiallySucceeded": 1, "RunFailed": 0,
                "RunDuration": 120
            })
        );
    }
}
