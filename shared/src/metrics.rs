//! CloudWatch metrics as Embedded Metric Format lines on standard output.

use std::io::Write;

use serde_json::{Value, json};

use crate::outcome::OutcomeClass;
use crate::run_status::RunOutcome;
use crate::timestamp::Timestamp;

pub const DEFAULT_NAMESPACE: &str = "DataZoneIngestion";

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
