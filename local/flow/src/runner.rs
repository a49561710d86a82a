//! Executing the state machine of the chain's template with the flow
//! runner (`local/flow-runner`, aws-local-stepfunctions), and reading the
//! template's IAM through it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::chain::{ChainOptions, LocalChain};
use crate::{set_parameter, workspace};

fn flow_runner() -> PathBuf {
    let runner = workspace().join("local/flow-runner");
    assert!(
        runner.join("node_modules/aws-local-stepfunctions").exists(),
        "the flow runner's packages are not installed: run `npm ci --prefix local/flow-runner` (the scripts do)"
    );
    runner
}

/// A `node` command running `script` of the flow runner.
fn node(script: &str) -> Command {
    let runner = flow_runner();
    let mut command = Command::new("node");
    command
        .arg("--require")
        .arg(runner.join("polyfill.cjs"))
        .arg(runner.join(script))
        .current_dir(workspace());
    command
}

fn parameter_args(command: &mut Command, parameters: &[(String, String)]) {
    for (name, value) in parameters {
        command.arg("--parameter").arg(format!("{name}={value}"));
    }
}

/// Writes `options.seed` plus the functions' principals to `folder` and
/// returns the seed's path and each function's access key.
pub(crate) fn seed_with_function_principals(
    options: &ChainOptions,
    folder: &Path,
) -> (PathBuf, Value) {
    let seed = folder.join("seed.json");
    let mut command = node("template-iam.mjs");
    command
        .arg("seed")
        .arg("--template")
        .arg(&options.template)
        .arg("--seed")
        .arg(&options.seed)
        .arg("--out")
        .arg(&seed);
    parameter_args(&mut command, &options.parameters);
    let output = command.output().expect("node runs template-iam.mjs");
    assert!(
        output.status.success(),
        "the functions' principals could not be read from {}: {}",
        options.template.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let keys = serde_json::from_slice(&output.stdout).expect("template-iam prints JSON");
    (seed, keys)
}

impl LocalChain {
    /// Executes the state machine of template.yaml through this chain.
    pub fn run_flow(&self, flow: &FlowRun) -> FlowReport {
        let report_path = self
            .logs
            .join(format!("report-{}.json", flow.execution_name));
        let _ = std::fs::remove_file(&report_path);
        let mut command = node("run-flow.mjs");
        command
            .arg("--template")
            .arg(&self.template)
            .arg("--invoke-url")
            .arg(format!("http://127.0.0.1:{}", self.invoke_port))
            .arg("--input")
            .arg(flow.input.to_string())
            .arg("--execution-name")
            .arg(&flow.execution_name)
            .arg("--wait-ms")
            .arg(flow.wait_ms.map_or("real".to_owned(), |ms| ms.to_string()))
            .arg("--report")
            .arg(&report_path);
        let mut parameters = self.parameters.clone();
        for (name, value) in &flow.parameters {
            set_parameter(&mut parameters, name, value);
        }
        parameter_args(&mut command, &parameters);
        if !flow.print {
            command.arg("--quiet");
        }
        let status = command.status().expect("node runs the flow runner");
        let report = std::fs::read_to_string(&report_path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        FlowReport {
            ran_to_the_end: status.success(),
            report,
        }
    }
}

/// One execution of the state machine.
#[derive(Debug, Clone)]
pub struct FlowRun {
    pub execution_name: String,
    pub input: Value,
    /// Template parameters over the chain's (the state machine's settings;
    /// those that shape IAM belong to the chain).
    pub parameters: Vec<(String, String)>,
    /// Milliseconds every Wait state takes instead of its seconds; `None`:
    /// the seconds the state itself says (`SecondsPath`).
    pub wait_ms: Option<u64>,
    /// Print the flow for a person (else the runner is quiet).
    pub print: bool,
}

impl FlowRun {
    /// The chain's data sources, metadata generation on.
    pub fn sample(execution_name: &str) -> Self {
        Self {
            execution_name: execution_name.to_owned(),
            input: Value::Object(Default::default()),
            parameters: vec![("GenerateMetadata".into(), "true".into())],
            wait_ms: Some(20),
            print: false,
        }
    }

    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        set_parameter(&mut self.parameters, name, value);
        self
    }
}

/// What an execution came to.
#[derive(Debug, Clone)]
pub struct FlowReport {
    /// The runner's verdict: the flow ran to its end (whatever the runs' outcomes).
    pub ran_to_the_end: bool,
    /// `{status, output | error+cause, stateTransitions, notifications,
    /// invocations, waits, retries}`.
    pub report: Value,
}

impl FlowReport {
    pub fn status(&self) -> &str {
        self.report["status"].as_str().unwrap_or("NO REPORT")
    }

    /// The per-data-source results, from the output or, for a failed
    /// execution, from the cause the state machine wrote.
    pub fn data_sources(&self) -> Vec<Value> {
        let summary = if self.status() == "SUCCEEDED" {
            self.report["output"].clone()
        } else {
            serde_json::from_str(self.report["cause"].as_str().unwrap_or("{}"))
                .unwrap_or(Value::Null)
        };
        summary["dataSources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The result for one data source.
    pub fn data_source(&self, id: &str) -> Value {
        self.data_sources()
            .into_iter()
            .find(|result| result["dataSourceId"] == id)
            .unwrap_or_else(|| panic!("no result for {id} in {}", self.report))
    }
}
