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
    ];
    for name in parameters {
        assert!(compared.contains(name), "no function is given {name}");
    }
}
