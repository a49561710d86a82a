//! The chain's processes: the emulator, the local S3 server,
//! `cargo lambda watch`, and each function binary running as its template
//! role with its template environment; and the HTTP it speaks to them (the
//! Lambda Invoke API, the emulator's counters and events, the reports).

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http::{agent, exchange};
use crate::node::{deploy_locally, run_status_detail_types};
use crate::process::{Running, binary, free_port, log_file, spawn_listening, wait_for_port};
use crate::s3::{create_bucket, start_s3};
use crate::{cargo_lambda, log_dir, sample_parameters, workspace};

static CHAINS: AtomicUsize = AtomicUsize::new(0);

/// A Lambda function error as the Invoke API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

/// How to start the chain.
#[derive(Debug, Clone)]
pub struct ChainOptions {
    /// The emulator's seed; the functions' principals are added to it.
    pub seed: PathBuf,
    /// The SAM template whose functions' roles and environments the chain
    /// runs them with, and whose state machine `run_flow` executes.
    pub template: PathBuf,
    /// The template's parameters (the rest take their defaults).
    pub parameters: Vec<(String, String)>,
    /// How much faster than real time the chain runs: the emulator's clock
    /// (runs finish sooner, and are as old as they would be), Wait states
    /// (their seconds divided by it), and request rates (the functions'
    /// paces and the emulator's quotas, both per emulated second,
    /// multiplied by it). 1: real time.
    pub time_scale: f64,
    /// Extra `datazone-local` flags (faults).
    pub emulator_args: Vec<String>,
    /// The address the emulator and the S3 server listen on: loopback, or
    /// the Docker bridge's for functions in containers (`sam local invoke`).
    pub listen_host: String,
    /// Environment for every function, over the template's.
    pub function_env: Vec<(String, String)>,
    /// POST the emulator's DataZone events to run-status, as EventBridge
    /// would (the default).
    pub events_to_run_status: bool,
}

impl Default for ChainOptions {
    /// The sample seed, `template.yaml` with the sample's parameters, real time.
    fn default() -> Self {
        Self {
            seed: workspace().join("local/datazone-emulator/seed/sample.json"),
            template: workspace().join("template.yaml"),
            parameters: sample_parameters(),
            time_scale: 1.0,
            emulator_args: Vec::new(),
            listen_host: "127.0.0.1".into(),
            function_env: Vec::new(),
            events_to_run_status: true,
        }
    }
}

impl ChainOptions {
    /// These options with template parameter `name` set to `value`.
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        crate::set_parameter(&mut self.parameters, name, value);
        self
    }
}

/// A function's environment at time scale `scale`: its request rates
/// (`*_REQUESTS_PER_SECOND`) are per emulated second, so `scale` times
/// higher per real second. (Its retry deadline stays in real seconds: it is
/// measured on the function's own clock.)
fn scaled_environment(environment: &Value, scale: f64) -> Vec<(String, String)> {
    environment
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let value = value.as_str().unwrap_or_default();
            let scaled = match value.parse::<f64>() {
                Ok(rate) if name.ends_with("_REQUESTS_PER_SECOND") => (rate * scale).to_string(),
                _ => value.to_owned(),
            };
            (name.clone(), scaled)
        })
        .collect()
}

/// The emulator, the S3 server, `cargo lambda watch` and every function, running.
pub struct LocalChain {
    pub datazone_endpoint: String,
    pub s3_endpoint: String,
    pub invoke_port: u16,
    /// The port of the runner's Step Functions endpoint (SendTaskSuccess…),
    /// which the functions reach through `AWS_ENDPOINT_URL_SFN`; it listens
    /// while an execution runs.
    pub sfn_port: u16,
    /// The template, parameters and time scale the chain was deployed with.
    pub(crate) template: PathBuf,
    pub(crate) parameters: Vec<(String, String)>,
    pub time_scale: f64,
    /// This chain's process logs.
    pub logs: PathBuf,
    /// Each function's access key: its principal, as the template deploys it.
    pub access_keys: Vec<(String, String)>,
    /// The functions, by binary name.
    pub functions: Vec<String>,
    // Dropped in order: functions, then the runtime, the servers.
    _functions: Vec<Running>,
    _watch: Running,
    _s3: Running,
    _emulator: Running,
}

impl LocalChain {
    /// Starts the chain with the sample seed's domain and data sources
    /// configured in the functions, as the template configures them.
    pub fn start(options: &ChainOptions) -> Self {
        let chain = CHAINS.fetch_add(1, Ordering::Relaxed);
        let logs = log_dir().join(format!("{}-{chain}", std::process::id()));
        std::fs::create_dir_all(&logs).expect("a log folder under target/");
        let (seed, deployed) =
            deploy_locally(&options.template, &options.seed, &options.parameters, &logs);
        let principals = std::fs::read_to_string(&seed)
            .ok()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .map(|seed| seed["principals"].clone())
            .expect("the deployed seed names its principals");
        let (s3, s3_endpoint) = start_s3(&logs, &principals, &options.listen_host);
        for bucket in deployed
            .as_object()
            .into_iter()
            .flat_map(|functions| functions.values())
            .filter_map(|function| function["environment"]["REPORT_BUCKET"].as_str())
        {
            create_bucket(&s3_endpoint, bucket);
        }
        let invoke_port = free_port();
        let sfn_port = free_port();
        let watch = Running(
            Command::new(cargo_lambda())
                .args([
                    "lambda",
                    "watch",
                    "--only-lambda-apis",
                    "-A",
                    "127.0.0.1",
                    "-P",
                ])
                .arg(invoke_port.to_string())
                .current_dir(workspace())
                .stdout(log_file(&logs, "cargo-lambda-watch"))
                .stderr(log_file(&logs, "cargo-lambda-watch.err"))
                .spawn()
                .expect("cargo lambda watch starts"),
        );
        wait_for_port(invoke_port, "cargo lambda watch");

        let mut emulator = Command::new(binary("datazone-local"));
        emulator
            .args(["--authorization", "enforce", "--seed"])
            .arg(&seed)
            .arg("--listen")
            .arg(format!("{}:0", options.listen_host))
            .arg("--time-scale")
            .arg(options.time_scale.to_string())
            .args(&options.emulator_args);
        if options.events_to_run_status {
            emulator.arg("--events-url").arg(format!(
                "http://127.0.0.1:{invoke_port}/2015-03-31/functions/run-status/invocations"
            ));
            // Only what the template's rule matches, as EventBridge delivers.
            for detail_type in run_status_detail_types(&options.template, &options.parameters) {
                emulator.arg("--events-url-detail-type").arg(detail_type);
            }
        }
        let (emulator, datazone_endpoint) = spawn_listening(&mut emulator, "datazone-local", &logs);

        let names: Vec<String> = deployed
            .as_object()
            .map(|functions| functions.keys().cloned().collect())
            .unwrap_or_default();
        let access_keys: Vec<(String, String)> = names
            .iter()
            .map(|name| {
                let key = deployed[name]["accessKeyId"].as_str().unwrap_or_else(|| {
                    panic!(
                        "{} gives function {name} no role",
                        options.template.display()
                    )
                });
                (name.clone(), key.to_owned())
            })
            .collect();
        let functions = access_keys
            .iter()
            .map(|(name, access_key)| {
                let function = &deployed[name];
                Running(
                    Command::new(binary(name))
                        .env(
                            "AWS_LAMBDA_RUNTIME_API",
                            format!("http://127.0.0.1:{invoke_port}/.rt/{name}"),
                        )
                        .env("AWS_LAMBDA_FUNCTION_NAME", name)
                        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
                        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
                        .env("AWS_ENDPOINT_URL_DATAZONE", &datazone_endpoint)
                        .env("AWS_ENDPOINT_URL_S3", &s3_endpoint)
                        .env(
                            "AWS_ENDPOINT_URL_SFN",
                            format!("http://127.0.0.1:{sfn_port}"),
                        )
                        .env("REPORT_S3_PATH_STYLE", "true")
                        .env("AWS_ACCESS_KEY_ID", access_key)
                        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
                        .env("AWS_REGION", "us-east-1")
                        .envs(scaled_environment(
                            &function["environment"],
                            options.time_scale,
                        ))
                        .envs(options.function_env.iter().map(|(k, v)| (k, v)))
                        .stdout(log_file(&logs, name))
                        .stderr(log_file(&logs, &format!("{name}.err")))
                        .spawn()
                        .unwrap_or_else(|error| panic!("{name} starts: {error}")),
                )
            })
            .collect();
        Self {
            datazone_endpoint,
            s3_endpoint,
            invoke_port,
            sfn_port,
            template: options.template.clone(),
            parameters: options.parameters.clone(),
            time_scale: options.time_scale,
            logs,
            access_keys,
            functions: names,
            _functions: functions,
            _watch: watch,
            _s3: s3,
            _emulator: emulator,
        }
    }

    /// Invokes `function` through the Lambda Invoke API with raw `payload` bytes.
    pub fn invoke_raw(&self, function: &str, payload: &[u8]) -> Result<Value, FunctionError> {
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{function}/invocations",
            self.invoke_port
        );
        let (status, body) = exchange(agent().post(&url).send(payload));
        let json: Value = serde_json::from_str(&body)
            .unwrap_or_else(|error| panic!("{function} answered non-JSON ({error}): {body:?}"));
        if status == 200 {
            Ok(json)
        } else {
            Err(FunctionError {
                error_type: json["errorType"].as_str().unwrap_or_default().to_owned(),
                error_message: json["errorMessage"].as_str().unwrap_or_default().to_owned(),
            })
        }
    }

    pub fn invoke(&self, function: &str, payload: &Value) -> Result<Value, FunctionError> {
        self.invoke_raw(function, payload.to_string().as_bytes())
    }

    fn emulator(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.datazone_endpoint);
        let (_, body) = exchange(agent().get(&url).call());
        serde_json::from_str(&body).expect("the emulator answers JSON")
    }

    /// The S3 requests the local S3 server authorized so far, by action
    /// (`s3:GetObject`, …).
    pub fn s3_requests(&self) -> Value {
        let url = format!("{}/_s3-local/requests", self.s3_endpoint);
        let (_, body) = exchange(agent().get(&url).call());
        serde_json::from_str(&body).expect("the S3 server answers JSON")
    }

    /// GET /_emulator/predictions: each asset's predictions and decisions.
    pub fn predictions(&self) -> Value {
        self.emulator("/_emulator/predictions")
    }

    /// GET /_emulator/counters: calls by operation and status, event deliveries.
    pub fn counters(&self) -> Value {
        self.emulator("/_emulator/counters")
    }

    /// Waits (up to a minute) until the counter at `path` in
    /// GET /_emulator/counters reaches `at_least`, and returns it.
    pub fn wait_for_counter(&self, path: &[&str], at_least: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let counters = self.counters();
            let value = path
                .iter()
                .fold(&counters, |node, key| &node[*key])
                .as_u64()
                .unwrap_or(0);
            if value >= at_least {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "counter {path:?} stayed at {value}, below {at_least}: {counters}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many calls of `operation` answered `status`.
    pub fn calls(&self, operation: &str, status: u16) -> u64 {
        self.counters()["operations"][operation]["byStatus"][status.to_string()]
            .as_u64()
            .unwrap_or(0)
    }

    /// The JSON object at `s3://bucket/key` (e.g. a harvest report).
    pub fn s3_object(&self, location: &str) -> Value {
        crate::s3::read_object(&self.s3_endpoint, location)
    }

    /// The bytes of the object at `s3://bucket/key` (e.g. a harvest's page).
    pub fn s3_bytes(&self, location: &str) -> Vec<u8> {
        crate::s3::read_bytes(&self.s3_endpoint, location)
    }

    /// Puts `bytes` at `location` (`s3://bucket/key`), as the operator.
    pub fn put_s3_bytes(&self, location: &str, bytes: Vec<u8>) {
        crate::s3::write_bytes(&self.s3_endpoint, location, bytes);
    }

    /// GET /_emulator/events: the DataZone events emitted so far.
    pub fn events(&self) -> Vec<Value> {
        self.emulator("/_emulator/events")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}
