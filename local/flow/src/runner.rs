//! Executing the state machine of the chain's template with the flow
//! runner (`local/stepfunctions-runner`, aws-local-stepfunctions), and what an
//! execution came to.

use serde_json::Value;

use crate::chain::LocalChain;
use crate::node::{node, parameter_args};

impl LocalChain {
    /// Executes the state machine of the chain's template through this chain.
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
            .arg("--sfn-port")
            .arg(self.sfn_port.to_string())
            .arg("--input")
            .arg(flow.input.to_string())
            .arg("--execution-name")
            .arg(&flow.execution_name)
            .arg("--time-scale")
            .arg(self.time_scale.to_string())
            .arg("--report")
            .arg(&report_path);
        if let Some(ms) = flow.wait_ms {
            command.arg("--wait-ms").arg(ms.to_string());
        }
        if let Some(definition) = &flow.definition {
            command.arg("--definition").arg(definition);
        }
        parameter_args(&mut command, &self.parameters);
        if !flow.print {
            command.arg("--quiet");
        }
        let status = command
            .status()
            .expect("node runs the state machine runner");
        let report = std::fs::read_to_string(&report_path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        FlowReport {
            ran_to_the_end: status.success(),
            report,
        }
    }

    /// The full report of the harvest an execution summed up: every source
    /// (`sources`), read from the report bucket.
    pub fn harvest(&self, flow: &FlowReport) -> Value {
        let location = flow.summary()["report"]
            .as_str()
            .unwrap_or_else(|| panic!("no report location in {}", flow.report))
            .to_owned();
        self.s3_object(&location)
    }
}

/// One execution of the state machine.
#[derive(Debug, Clone)]
pub struct FlowRun {
    pub execution_name: String,
    pub input: Value,
    /// Milliseconds every Wait state takes; `None`: its seconds divided by
    /// the chain's time scale.
    pub wait_ms: Option<u64>,
    /// Print the flow for a person (else the runner is quiet).
    pub print: bool,
    /// Another copy of the template's state machine definition; its path
    /// must end with the template's `DefinitionUri`.
    pub definition: Option<std::path::PathBuf>,
}

impl FlowRun {
    /// An execution with an empty input: the deployment's selection.
    pub fn named(execution_name: &str) -> Self {
        Self {
            execution_name: execution_name.to_owned(),
            input: Value::Object(Default::default()),
            wait_ms: None,
            print: false,
            definition: None,
        }
    }
}

/// What an execution came to.
#[derive(Debug, Clone)]
pub struct FlowReport {
    /// The runner's verdict: the flow ran to its end (whatever the runs' outcomes).
    pub ran_to_the_end: bool,
    /// `{status, output | error+cause, stateTransitions, visits, quotas,
    /// notifications, droppedNotifications, invocations, waits, retries}`;
    /// `status` is SUCCEEDED, FAILED or TIMED_OUT.
    pub report: Value,
}

impl FlowReport {
    pub fn status(&self) -> &str {
        self.report["status"].as_str().unwrap_or("NO REPORT")
    }

    /// The error a failed execution ended with.
    pub fn error(&self) -> &str {
        self.report["error"].as_str().unwrap_or_default()
    }

    /// The harvest's summary: the output of a succeeded execution, or the
    /// cause the state machine wrote for a failed one.
    pub fn summary(&self) -> Value {
        if self.status() == "SUCCEEDED" {
            self.report["output"].clone()
        } else {
            serde_json::from_str(self.report["cause"].as_str().unwrap_or("{}"))
                .unwrap_or(Value::Null)
        }
    }
}
