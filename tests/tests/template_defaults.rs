//! The defaults template.yaml gives the functions are the settings' own
//! (`datazone_runs::settings`, `datazone_adapter::client`): a deployment
//! that changes no parameter runs as dzrun and the tests do. Each function's
//! environment is read as the local deployment builds it from the template.

use datazone_adapter::client::{
    DATAZONE_ATTEMPT_TIMEOUT_SECONDS, DATAZONE_OPERATION_TIMEOUT_SECONDS,
};
use datazone_runs::settings::defaults;
use local_flow::{deploy_locally, log_dir, sample_parameters, workspace};

#[test]
fn template_defaults_are_the_settings_defaults() {
    let folder = log_dir().join("template-defaults");
    std::fs::create_dir_all(&folder).unwrap();
    let (_, functions) = deploy_locally(
        &workspace().join("template.yaml"),
        &workspace().join("local/datazone-emulator/seed/sample.json"),
        &sample_parameters(),
        &folder,
    );
    let functions = functions.as_object().expect("functions by binary");
    assert_eq!(functions.len(), 4, "{functions:?}");
    let mut expected = defaults();
    for timeout in [
        DATAZONE_OPERATION_TIMEOUT_SECONDS,
        DATAZONE_ATTEMPT_TIMEOUT_SECONDS,
    ] {
        expected.push((timeout.name, timeout.default.to_string()));
    }
    let mut compared = std::collections::BTreeSet::new();
    for (binary, function) in functions {
        let environment = function["environment"].as_object().expect("an environment");
        for (name, default) in &expected {
            if let Some(value) = environment.get(*name) {
                assert_eq!(
                    value.as_str(),
                    Some(default.as_str()),
                    "{binary}: {name} in template.yaml against its setting"
                );
                compared.insert(*name);
            }
        }
    }
    // The settings the template has a parameter for; the rest (the report
    // prefix, the client's timeouts) keep their defaults in every deployment.
    let parameters = [
        "POLL_MIN_WAIT_SECONDS",
        "POLL_MAX_WAIT_SECONDS",
        "MAX_POLLS",
        "FOLLOW_CONCURRENCY",
        "START_CONCURRENCY",
        "START_REQUESTS_PER_SECOND",
        "LIST_REQUESTS_PER_SECOND",
        "METADATA_REQUESTS_PER_SECOND",
        "START_RETRY_DEADLINE_SECONDS",
        "GENERATE_METADATA",
        "METADATA_GENERATION_TYPES",
        "SOURCE_SELECTION",
        "INCLUDE_DISABLED_SOURCES",
        "ACCEPT_PREDICTIONS",
        "REJECT_OTHER_PREDICTIONS",
        "PREDICTIONS_REQUESTS_PER_SECOND",
        "FOLLOW_EVENTS",
        "EVENT_COALESCE_SECONDS",
    ];
    for name in parameters {
        assert!(compared.contains(name), "no function is given {name}");
    }
}

/// Every dashboard of the template, resolved as CloudFormation hands it to
/// CloudWatch (`template-local.mjs dashboards`).
fn dashboards() -> Vec<serde_json::Value> {
    template_local("dashboards")
}

/// What `template-local.mjs COMMAND` prints of the template, deployed with
/// the sample parameters.
fn template_local(command: &str) -> Vec<serde_json::Value> {
    let printed = local_flow::template_local(
        command,
        &workspace().join("template.yaml"),
        &sample_parameters(),
    );
    serde_json::from_value(printed).expect("template-local prints a list")
}

#[test]
fn the_dashboard_draws_only_metrics_the_functions_emit() {
    use function_runtime::metrics::{HARVEST_METRICS, METRICS_NAMESPACE};
    use run_status::metrics::RUN_METRICS;
    let dashboards = dashboards();
    assert_eq!(dashboards.len(), 1, "one dashboard");
    let emitted = |name: &str, dimensions: &[&str]| {
        let harvest =
            HARVEST_METRICS.iter().any(|(metric, _)| *metric == name) && dimensions == ["DomainId"];
        let run = RUN_METRICS.iter().any(|(metric, _)| *metric == name)
            && dimensions == ["DomainId", "DataSourceId"];
        harvest || run
    };
    let mut drawn = 0;
    for widget in dashboards[0]["body"]["widgets"].as_array().unwrap() {
        for metric in widget["properties"]["metrics"].as_array().unwrap() {
            let parts = metric.as_array().unwrap();
            if let Some(expression) = parts[0]["expression"].as_str() {
                // SEARCH('{Namespace,Dim,Dim} MetricName="Name" …', …)
                let schema = expression
                    .split_once("{")
                    .and_then(|(_, rest)| rest.split_once('}'))
                    .map(|(schema, _)| schema)
                    .unwrap_or_else(|| panic!("a SEARCH of one schema: {expression}"));
                let mut schema = schema.split(',');
                assert_eq!(
                    schema.next(),
                    Some(METRICS_NAMESPACE.default),
                    "{expression}"
                );
                let dimensions: Vec<&str> = schema.collect();
                let name = expression
                    .split_once("MetricName=\"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(name, _)| name)
                    .unwrap();
                assert!(emitted(name, &dimensions), "{expression}: nothing emits it");
                drawn += 1;
                continue;
            }
            let namespace = parts[0].as_str().unwrap();
            if namespace != METRICS_NAMESPACE.default {
                assert!(namespace.starts_with("AWS/"), "{metric}");
                continue;
            }
            let name = parts[1].as_str().unwrap();
            let dimensions: Vec<&str> = parts[2..]
                .chunks(2)
                .map(|pair| pair[0].as_str().unwrap())
                .collect();
            assert!(emitted(name, &dimensions), "{metric}: nothing emits it");
            assert_eq!(parts[3], "dzd_sales2026", "the deployment's domain");
            drawn += 1;
        }
    }
    assert!(drawn >= 10, "{drawn} of the project's metrics drawn");
}

/// The rule that hands DataZone's events to run-status matches on what the
/// EventBridge reference documents of them ("Amazon DataZone events",
/// EventBridge Events Reference): the source and the detail-types run-status
/// reads, and nothing in `detail`, whose fields no document defines (a
/// pattern on one the events name otherwise would match nothing, silently).
/// The domain is checked by run-status itself.
#[test]
fn the_datazone_event_rule_matches_only_source_and_detail_type() {
    use run_status::input::{
        DATA_SOURCE_RUN_EVENTS, DATAZONE_EVENT_SOURCE, METADATA_GENERATION_EVENTS,
    };
    let rules = template_local("event-rules");
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0]["function"], "RunStatusFunction");
    let pattern = rules[0]["pattern"].as_object().expect("a pattern");
    let mut fields: Vec<&str> = pattern.keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["detail-type", "source"], "{pattern:?}");
    assert_eq!(
        pattern["source"],
        serde_json::json!([DATAZONE_EVENT_SOURCE])
    );
    let expected: Vec<&str> = [DATA_SOURCE_RUN_EVENTS, METADATA_GENERATION_EVENTS].concat();
    assert_eq!(pattern["detail-type"], serde_json::json!(expected));
}
