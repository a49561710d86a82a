//! CloudWatch metrics as Embedded Metric Format documents, one JSON line on
//! standard output each, where Lambda's log capture picks them up
//! ("Specification: Embedded metric format", Amazon CloudWatch User
//! Guide): run-status' for each finished data source run, and the last
//! step's for each finished harvest. The stack's dashboard draws them.

use std::io::Write;

use serde_json::{Map, Value, json};

use datazone_runs::model::timestamp::Timestamp;
use datazone_runs::settings::Text;
use datazone_runs::usecase::harvest::summary::Summary;

/// The CloudWatch namespace of the metrics.
pub const METRICS_NAMESPACE: Text = Text {
    name: "METRICS_NAMESPACE",
    default: "DataZoneIngestion",
};

/// A metric's name and CloudWatch unit.
pub type MetricName = (&'static str, &'static str);

/// The metrics of a finished harvest, by domain.
pub const HARVEST_METRICS: [MetricName; 13] = [
    ("HarvestSucceeded", "Count"),
    ("HarvestWarned", "Count"),
    ("HarvestFailed", "Count"),
    ("SourcesSucceeded", "Count"),
    ("SourcesPartiallySucceeded", "Count"),
    ("SourcesFailed", "Count"),
    ("SourcesNotStarted", "Count"),
    ("SourcesSkipped", "Count"),
    ("SourcesCheckFailed", "Count"),
    ("StartRetries", "Count"),
    ("AssetsGenerated", "Count"),
    ("AssetsNotGenerated", "Count"),
    ("HarvestRounds", "Count"),
];

/// One EMF document: `values` (one per metric of `metrics`, in order) and
/// `properties` (the dimensions' values, and any other field worth
/// searching the logs by), under `dimensions`, at `now`.
pub fn document(
    namespace: &str,
    dimensions: &[&str],
    metrics: &[MetricName],
    values: &[i64],
    properties: Map<String, Value>,
    now: Timestamp,
) -> Value {
    assert_eq!(metrics.len(), values.len(), "one value per metric");
    let mut document = properties;
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": now.epoch_millis(),
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [dimensions],
                "Metrics": metrics.iter().map(|(name, unit)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
            }],
        }),
    );
    for ((name, _), value) in metrics.iter().zip(values) {
        document.insert((*name).into(), json!(value));
    }
    Value::Object(document)
}

/// The document of a harvest that came to `summary`: one harvest counted
/// under its ending (failed, warned, or succeeded), its sources by outcome,
/// its retried starts, its assets generated or not.
pub fn harvest_finished_document(namespace: &str, summary: &Summary, now: Timestamp) -> Value {
    let sources = &summary.sources;
    let assets = &summary.metadata_generation;
    let ending = |failed: bool, warned: bool| {
        [
            i64::from(!failed && !warned),
            i64::from(!failed && warned),
            i64::from(failed),
        ]
    };
    let [succeeded, warned, failed] = ending(summary.any_failed, summary.any_warning);
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let values = [
        succeeded,
        warned,
        failed,
        count(sources.succeeded),
        count(sources.partially_succeeded),
        count(sources.failed + sources.polling_limit_reached + sources.unknown_status),
        count(sources.not_started),
        count(sources.quota_exhausted),
        count(sources.check_failed),
        count(summary.start_retries),
        count(assets.succeeded + assets.partially_succeeded),
        count(assets.not_generated()),
        i64::from(summary.rounds),
    ];
    let mut properties = Map::new();
    properties.insert("DomainId".into(), json!(summary.domain_id));
    properties.insert("TriggerId".into(), json!(summary.trigger_id));
    properties.insert("Report".into(), json!(summary.report));
    document(
        namespace,
        &["DomainId"],
        &HARVEST_METRICS,
        &values,
        properties,
        now,
    )
}

/// Emits the harvest's document to `metrics` when `summary` says this
/// step finished it (follow-runs and metadata-status alike).
pub fn emit_if_finished(metrics: &impl MetricsSink, namespace: &str, summary: Option<&Summary>) {
    if let Some(summary) = summary {
        metrics.emit(&harvest_finished_document(
            namespace,
            summary,
            Timestamp::now(),
        ));
    }
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
    use datazone_runs::model::harvest::{Harvest, Outcome};
    use datazone_runs::model::ids::DomainId;
    use datazone_runs::testing::sources_ended;

    use super::*;

    fn summary(outcomes: &[Outcome], start_attempts: u32) -> Summary {
        let mut sources = sources_ended(outcomes);
        for source in &mut sources {
            source.start_attempts = start_attempts;
        }
        let mut harvest = Harvest::new(
            "nightly".into(),
            DomainId::parse("d", "dzd_a").unwrap(),
            sources,
        );
        harvest.rounds = 7;
        Summary::of(&harvest, "s3://b/k.json".into())
    }

    fn values(document: &Value) -> Vec<i64> {
        HARVEST_METRICS
            .iter()
            .map(|(name, _)| document[name].as_i64().unwrap())
            .collect()
    }

    #[test]
    fn a_finished_harvest_is_one_document_by_domain_with_every_metric() {
        let now = Timestamp::from_epoch_millis(1_700_000_000_000);
        use Outcome::*;
        let all = [
            Succeeded,
            PartiallySucceeded,
            Failed,
            PollingLimitReached,
            UnknownStatus,
            NotStarted,
            QuotaExhausted,
            CheckFailed,
        ];
        let document = harvest_finished_document("Ns", &summary(&all, 2), now);
        assert_eq!(document["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        let declared = &document["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Namespace"], "Ns");
        assert_eq!(declared["Dimensions"], json!([["DomainId"]]));
        assert_eq!(
            declared["Metrics"].as_array().unwrap().len(),
            HARVEST_METRICS.len()
        );
        assert_eq!(
            declared["Metrics"][0],
            json!({"Name": "HarvestSucceeded", "Unit": "Count"})
        );
        assert_eq!(
            (document["DomainId"].clone(), document["TriggerId"].clone()),
            (json!("dzd_a"), json!("nightly"))
        );
        assert_eq!(values(&document), [0, 0, 1, 1, 1, 3, 1, 1, 1, 16, 0, 0, 7]);
    }

    #[test]
    fn a_harvest_counts_once_under_its_ending() {
        let now = Timestamp::from_epoch_millis(0);
        let ending = |outcomes: &[Outcome]| {
            values(&harvest_finished_document("Ns", &summary(outcomes, 0), now))[..3].to_vec()
        };
        assert_eq!(ending(&[Outcome::Succeeded]), [1, 0, 0]);
        assert_eq!(ending(&[Outcome::PartiallySucceeded]), [0, 1, 0]);
        assert_eq!(
            ending(&[Outcome::PartiallySucceeded, Outcome::Failed]),
            [0, 0, 1]
        );
    }
}
