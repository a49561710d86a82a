//! run-status' CloudWatch metrics: one EMF document per finished data
//! source run, and one per DataZone event it did not act on
//! (`function_runtime::metrics` writes them).

use serde_json::{Map, Value, json};

use datazone_runs::model::outcome::OutcomeClass;
use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::usecase::status::RunOutcome;
use function_runtime::metrics::{MetricName, document};

/// The metrics of a finished data source run, by domain and data source.
pub const RUN_METRICS: [MetricName; 9] = [
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

/// One EMF document for a finished data source run: its asset counts,
/// duration, and a 0/1 count per outcome, by domain and data source.
pub fn finished_run_document(namespace: &str, outcome: &RunOutcome, now: Timestamp) -> Value {
    let stats = &outcome.asset_statistics;
    let count = |class: OutcomeClass| i64::from(outcome.outcome == class);
    let values = [
        i64::from(stats.added),
        i64::from(stats.updated),
        i64::from(stats.unchanged),
        i64::from(stats.skipped),
        i64::from(stats.failed),
        count(OutcomeClass::Succeeded),
        count(OutcomeClass::PartiallySucceeded),
        count(OutcomeClass::Failed),
        outcome.duration_seconds.unwrap_or_default(),
    ];
    let mut properties = Map::new();
    properties.insert("DomainId".into(), json!(outcome.domain_id));
    properties.insert("DataSourceId".into(), json!(outcome.data_source_id));
    properties.insert("RunId".into(), json!(outcome.run_id));
    properties.insert("Status".into(), json!(outcome.status));
    document(
        namespace,
        &["DomainId", "DataSourceId"],
        &RUN_METRICS,
        &values,
        properties,
        now,
    )
}

/// Events run-status did not act on: one it could not read (it answers
/// `InvalidInput`, and the invocation goes to the failed-invocations
/// queue), and one about another domain of the account (left alone).
pub const EVENT_METRICS: [MetricName; 2] = [
    ("EventsUnreadable", "Count"),
    ("EventsOfOtherDomains", "Count"),
];

/// Why an event was not acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSkipped {
    Unreadable,
    OtherDomain,
}

/// One EMF document counting one event not acted on, with its detail-type
/// (and domain, when it named one) as properties for Logs Insights.
pub fn skipped_event_document(
    namespace: &str,
    skipped: EventSkipped,
    properties: Map<String, Value>,
    now: Timestamp,
) -> Value {
    let values = [
        i64::from(skipped == EventSkipped::Unreadable),
        i64::from(skipped == EventSkipped::OtherDomain),
    ];
    document(namespace, &[], &EVENT_METRICS, &values, properties, now)
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
            observed_at: Timestamp::from_epoch_millis(0),
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
