//! The whole flow, locally, from the project's real parts: the DataZone
//! emulator (`datazone-local`), `cargo lambda watch` serving the Lambda
//! runtime and Invoke APIs, the function binaries polling that runtime API as
//! they would in Lambda, and the state machine definition executed by
//! aws-local-stepfunctions (`local/flow-runner`), whose Lambda tasks go
//! through the Invoke API. The emulator's EventBridge events reach the
//! run-status function the same way.
//!
//! Each function runs as its own role: the chain adds to the seed one
//! principal per function, with the policy and project memberships
//! `template.yaml` gives that function's role, and hands each function
//! process that principal's access key. The emulator enforces them, so a
//! call a function's template policy does not allow fails here as it would
//! in AWS.
//!
//! The binaries must be built first (`cargo build --workspace --bins`, as
//! the scripts do): running cargo from inside a test would wait on the build
//! lock the test run holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The Lambda functions of the workspace, by binary name.
pub const FUNCTIONS: &[&str] = &[
    "start-runs",
    "run-status",
    "metadata-status",
    "start-metadata-generation",
];

/// The domain, project and data sources of the sample seed.
pub const SAMPLE_DOMAIN: &str = "dzd_sales2026";
pub const SAMPLE_PROJECT: &str = "prj_salesdata";
pub const SAMPLE_DATA_SOURCES: &[&str] = &["ds_orders", "ds_clickstream", "ds_finance"];

/// The template parameters of a deployment for the sample seed.
pub fn sample_parameters() -> Vec<(String, String)> {
    vec![
        ("DomainId".into(), SAMPLE_DOMAIN.into()),
        ("DataSourceIds".into(), SAMPLE_DATA_SOURCES.join(",")),
        ("ProjectIds".into(), SAMPLE_PROJECT.into()),
    ]
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Where cargo put the workspace's binaries (`target/debug`, or under
/// `CARGO_TARGET_DIR`): beside this executable, or one level up for a test
/// executable, which lives in `deps/`.
pub fn binaries() -> PathBuf {
    let executable = std::env::current_exe().expect("executable path");
    let folder = executable.parent().expect("executable folder");
    if folder.file_name().is_some_and(|name| name == "deps") {
        folder.parent().expect("target/<profile>").to_path_buf()
    } else {
        folder.to_path_buf()
    }
}

fn binary(name: &str) -> PathBuf {
    let path = binaries().join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace --bins` first (scripts/test does)",
        path.display()
    );
    path
}

/// Where the logs of every chain's processes go, a folder per chain.
pub fn log_dir() -> PathBuf {
    workspace().join("target/local-flow-logs")
}

static CHAINS: AtomicUsize = AtomicUsize::new(0);

fn log_file(folder: &Path, name: &str) -> Stdio {
    std::fs::File::create(folder.join(format!("{name}.log")))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// `cargo-lambda`: `CARGO_LAMBDA` if set, else the one scripts/test installs.
pub fn cargo_lambda() -> PathBuf {
    let path = std::env::var_os("CARGO_LAMBDA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".tools/venv/bin/cargo-lambda"));
    assert!(
        path.exists(),
        "cargo-lambda not found at {}: run scripts/test, which installs it, or set CARGO_LAMBDA",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not open port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A child process killed when dropped, so a failing test leaves nothing behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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
    /// The SAM template whose functions' roles the chain runs them as, and
    /// whose state machine `run_flow` executes.
    pub template: PathBuf,
    /// The template's parameters (the rest take their defaults).
    pub parameters: Vec<(String, String)>,
    /// Extra `datazone-local` flags (a time scale, faults).
    pub emulator_args: Vec<String>,
    /// Environment for every function, over the chain's own.
    pub function_env: Vec<(String, String)>,
    /// POST the emulator's DataZone events to run-status, as EventBridge would.
    pub events_to_run_status: bool,
}

impl Default for ChainOptions {
    /// The sample seed, `template.yaml` with the sample's parameters.
    fn default() -> Self {
        Self {
            seed: workspace().join("local/datazone-emulator/seed/sample.json"),
            template: workspace().join("template.yaml"),
            parameters: sample_parameters(),
            emulator_args: Vec::new(),
            function_env: Vec::new(),
            events_to_run_status: false,
        }
    }
}

/// Sets `name` to `value` in `parameters`, replacing an earlier value.
pub fn set_parameter(parameters: &mut Vec<(String, String)>, name: &str, value: &str) {
    parameters.retain(|(known, _)| known != name);
    parameters.push((name.to_owned(), value.to_owned()));
}

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
fn seed_with_function_principals(options: &ChainOptions, folder: &Path) -> (PathBuf, Value) {
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

/// The emulator, `cargo lambda watch` and every function, running.
pub struct LocalChain {
    pub datazone_endpoint: String,
    pub invoke_port: u16,
    /// The template and parameters the chain was deployed with.
    template: PathBuf,
    parameters: Vec<(String, String)>,
    /// This chain's process logs.
    pub logs: PathBuf,
    // Dropped in order: functions, then the runtime, then the emulator.
    _functions: Vec<Running>,
    _watch: Running,
    _emulator: Running,
}

impl LocalChain {
    /// Starts the chain with the sample seed's domain and data sources
    /// configured in the functions, as the template configures them.
    pub fn start(options: &ChainOptions) -> Self {
        let chain = CHAINS.fetch_add(1, Ordering::Relaxed);
        let logs = log_dir().join(format!("{}-{chain}", std::process::id()));
        std::fs::create_dir_all(&logs).expect("a log folder under target/");
        let (seed, access_keys) = seed_with_function_principals(options, &logs);
        let invoke_port = free_port();
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
            .args([
                "--listen",
                "127.0.0.1:0",
                "--authorization",
                "enforce",
                "--seed",
            ])
            .arg(&seed)
            .args(&options.emulator_args);
        if options.events_to_run_status {
            emulator.arg("--events-url").arg(format!(
                "http://127.0.0.1:{invoke_port}/2015-03-31/functions/run-status/invocations"
            ));
        }
        let mut emulator = emulator
            .stdout(Stdio::piped())
            .stderr(log_file(&logs, "datazone-local"))
            .spawn()
            .expect("datazone-local starts");
        let mut first_line = String::new();
        BufReader::new(emulator.stdout.take().expect("stdout"))
            .read_line(&mut first_line)
            .expect("the emulator prints its address");
        let emulator = Running(emulator);
        let datazone_endpoint = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from datazone-local: {first_line:?}"))
            .to_owned();

        let functions = FUNCTIONS
            .iter()
            .map(|name| {
                let access_key = access_keys[name].as_str().unwrap_or_else(|| {
                    panic!(
                        "{} gives function {name} no role",
                        options.template.display()
                    )
                });
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
                        .env("AWS_ACCESS_KEY_ID", access_key)
                        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
                        .env("AWS_REGION", "us-east-1")
                        .env("DATAZONE_DOMAIN_ID", SAMPLE_DOMAIN)
                        .env("DATA_SOURCE_IDS", SAMPLE_DATA_SOURCES.join(","))
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
            invoke_port,
            template: options.template.clone(),
            parameters: options.parameters.clone(),
            logs,
            _functions: functions,
            _watch: watch,
            _emulator: emulator,
        }
    }

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

    /// Invokes `function` through the Lambda Invoke API with raw `payload` bytes.
    pub fn invoke_raw(&self, function: &str, payload: &[u8]) -> Result<Value, FunctionError> {
        let path = format!("/2015-03-31/functions/{function}/invocations");
        let (status, body) = http(self.invoke_port, "POST", &path, payload);
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
        let port = self
            .datazone_endpoint
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("emulator port");
        let (_, body) = http(port, "GET", path, b"");
        serde_json::from_str(&body).expect("the emulator answers JSON")
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

    /// GET /_emulator/events: the DataZone events emitted so far.
    pub fn events(&self) -> Vec<Value> {
        self.emulator("/_emulator/events")
            .as_array()
            .cloned()
            .unwrap_or_default()
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

/// One HTTP/1.1 exchange on loopback; the project's own servers only.
fn http(port: u16, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("read timeout");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status code");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}
