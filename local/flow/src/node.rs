//! The state machine runner's node scripts (`local/stepfunctions-runner`): deploying the
//! template locally, and the command every script runs under.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::workspace;

fn flow_runner() -> PathBuf {
    let runner = workspace().join("local/stepfunctions-runner");
    assert!(
        runner.join("node_modules/aws-local-stepfunctions").exists(),
        "the state machine runner's packages are not installed: run `npm ci --prefix local/stepfunctions-runner` (the scripts do)"
    );
    runner
}

/// A `node` command running `script` of the state machine runner.
pub fn node(script: &str) -> Command {
    let runner = flow_runner();
    let mut command = Command::new("node");
    command
        .arg("--require")
        .arg(runner.join("polyfill.cjs"))
        .arg(runner.join(script))
        .current_dir(workspace());
    command
}

/// `--parameter NAME=VALUE` for each of `parameters`.
pub(crate) fn parameter_args(command: &mut Command, parameters: &[(String, String)]) {
    for (name, value) in parameters {
        command.arg("--parameter").arg(format!("{name}={value}"));
    }
}

/// Deploys `template` locally with `parameters`: writes `seed` plus the
/// functions' principals to `folder`, and returns the seed's path and each
/// function's access key and environment (`{binary: {accessKeyId,
/// environment}}`).
pub fn deploy_locally(
    template: &Path,
    seed_in: &Path,
    parameters: &[(String, String)],
    folder: &Path,
) -> (PathBuf, Value) {
    let seed = folder.join("seed.json");
    let mut command = node("template-local.mjs");
    command
        .arg("deploy")
        .arg("--template")
        .arg(template)
        .arg("--seed")
        .arg(seed_in)
        .arg("--out")
        .arg(&seed);
    parameter_args(&mut command, parameters);
    let output = command.output().expect("node runs template-local.mjs");
    assert!(
        output.status.success(),
        "{} could not be deployed locally: {}",
        template.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let functions = serde_json::from_slice(&output.stdout).expect("template-local prints JSON");
    (seed, functions)
}

/// What `template-local.mjs COMMAND` prints (JSON) of `template` deployed
/// with `parameters`: `event-rules`, `dashboards`, `policies`.
pub fn template_local(command: &str, template: &Path, parameters: &[(String, String)]) -> Value {
    let mut node = node("template-local.mjs");
    node.arg(command).arg("--template").arg(template);
    parameter_args(&mut node, parameters);
    let output = node.output().expect("node runs template-local.mjs");
    assert!(
        output.status.success(),
        "template-local.mjs {command}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("template-local prints JSON")
}

/// The detail-types the template's EventBridge rules on DataZone's events
/// let through to run-status, as `parameters` deploy it.
pub fn run_status_detail_types(template: &Path, parameters: &[(String, String)]) -> Vec<String> {
    template_local("event-rules", template, parameters)
        .as_array()
        .into_iter()
        .flatten()
        .filter(|rule| rule["function"] == "RunStatusFunction")
        .flat_map(|rule| {
            rule["pattern"]["detail-type"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|detail_type| detail_type.as_str().map(str::to_owned))
        .collect()
}
