//! The local chain the flow tests drive, made of the project's real
//! binaries: the DataZone emulator (`datazone-local`), `cargo lambda watch`
//! serving the Lambda runtime and Invoke APIs, and the function binaries
//! polling that runtime API as they would in Lambda.
//!
//! The binaries must be built first (`cargo build --workspace --bins`, as
//! the test script does): running cargo from inside a test would wait on the
//! build lock the test run holds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The Lambda functions of the workspace, by binary name.
pub const FUNCTIONS: &[&str] = &["start-runs", "run-status", "metadata-status", "start-metadata-generation"];

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where cargo put this test's binaries (`target/debug`, or under
/// `CARGO_TARGET_DIR`): the test executable lives in its `deps/`.
pub fn binaries() -> PathBuf {
    let test_executable = std::env::current_exe().expect("test executable path");
    test_executable
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
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

/// The emulator, `cargo lambda watch` and every function, running.
pub struct LocalChain {
    pub datazone_endpoint: String,
    pub invoke_port: u16,
    // Dropped in order: functions, then the runtime, then the emulator.
    _functions: Vec<Running>,
    _watch: Running,
    _emulator: Running,
}

impl LocalChain {
    /// Starts the chain; `emulator_args` go to `datazone-local`, `env` to
    /// every function.
    pub fn start(emulator_args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut emulator = Command::new(binary("datazone-local"))
            .args(["--listen", "127.0.0.1:0"])
            .args(emulator_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("datazone-local starts");
        let mut first_line = String::new();
        BufReader::new(emulator.stdout.take().expect("stdout"))
            .read_line(&mut first_line)
            .expect("the emulator prints its address");
        let datazone_endpoint = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first_line:?}"))
            .to_owned();
        let emulator = Running(emulator);

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
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("cargo lambda watch starts"),
        );
        wait_for_port(invoke_port, "cargo lambda watch");

        let functions = FUNCTIONS
            .iter()
            .map(|name| {
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
                        .env("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
                        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
                        .env("AWS_REGION", "us-east-1")
                        .envs(env.iter().copied())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .spawn()
                        .unwrap_or_else(|error| panic!("{name} starts: {error}")),
                )
            })
            .collect();
        Self {
            datazone_endpoint,
            invoke_port,
            _functions: functions,
            _watch: watch,
            _emulator: emulator,
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

    /// GET /_emulator/counters.
    pub fn counters(&self) -> Value {
        let port = self
            .datazone_endpoint
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("emulator port");
        let (_, body) = http(port, "GET", "/_emulator/counters", b"");
        serde_json::from_str(&body).expect("counters are JSON")
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
