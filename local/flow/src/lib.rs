//! The whole flow, locally, from the project's real parts: the DataZone
//! emulator (`datazone-local`), the local S3 server (moto's, behind S3's
//! authorization) for the harvest reports, `cargo lambda watch` serving the Lambda runtime and
//! Invoke APIs, the function binaries polling that runtime API as they
//! would in Lambda, and the state machine definition executed by
//! aws-local-stepfunctions (`local/stepfunctions-runner`), whose Lambda tasks go
//! through the Invoke API and which holds Step Functions' quotas. The
//! emulator's EventBridge events reach the run-status function the same way.
//!
//! Each function runs as the template deploys it: with the environment
//! `template.yaml` gives it, and as its own role: the chain adds to the
//! seed one principal per function, with the policy and project memberships
//! the template gives that function's role, and hands each function process
//! that principal's access key. The emulator and the S3 server enforce
//! them, so a call a function's template policy does not allow fails here
//! as it would in AWS.
//!
//! The binaries must be built first (`cargo build --workspace --bins`, as
//! the scripts do): running cargo from inside a test would wait on the build
//! lock the test run holds.
//!
//! [`LocalChain`] starts and stops the processes; [`FlowRun`] executes the
//! state machine through them.

mod chain;
pub mod fleet;
mod http;
mod node;
mod process;
mod runner;
mod s3;

use std::path::{Path, PathBuf};

pub use chain::{ChainOptions, FunctionError, LocalChain};
pub use node::{deploy_locally, node as node_command, template_local};
pub use runner::{FlowReport, FlowRun};

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

/// Where the logs of every chain's processes go, a folder per chain.
pub fn log_dir() -> PathBuf {
    workspace().join("target/local-flow-logs")
}

/// The account every local resource belongs to (`local/stepfunctions-runner/template.mjs`'s).
pub const LOCAL_ACCOUNT: &str = "123456789012";

/// The Python that runs the local S3 server, with moto installed:
/// `LOCAL_PYTHON` if set, else the scripts' venv.
pub fn local_python() -> PathBuf {
    let path = std::env::var_os("LOCAL_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".tools/venv/bin/python"));
    assert!(
        path.exists(),
        "{} not found: run scripts/test, which installs moto there, or set LOCAL_PYTHON",
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

/// Sets `name` to `value` in `parameters`, replacing an earlier value.
pub fn set_parameter(parameters: &mut Vec<(String, String)>, name: &str, value: &str) {
    parameters.retain(|(known, _)| known != name);
    parameters.push((name.to_owned(), value.to_owned()));
}
