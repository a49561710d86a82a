//! Child processes of the chain: finding the binaries, logging, ports, and
//! stopping every process when its handle is dropped.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::binaries;

/// A binary of the workspace, built.
pub(crate) fn binary(name: &str) -> PathBuf {
    let path = binaries().join(name);
    assert!(
        path.exists(),
        "{} is not built: run `cargo build --workspace --bins` first (scripts/test does)",
        path.display()
    );
    path
}

/// `<folder>/<name>.log`, for a child's output.
pub(crate) fn log_file(folder: &Path, name: &str) -> Stdio {
    std::fs::File::create(folder.join(format!("{name}.log")))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

pub(crate) fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not open port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts a server of the chain that prints `listening on URL` first (its
/// standard error to `<logs>/<name>.log`); returns it and its URL.
pub(crate) fn spawn_listening(command: &mut Command, name: &str, logs: &Path) -> (Running, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(log_file(logs, name))
        .spawn()
        .unwrap_or_else(|error| panic!("{name} starts: {error}"));
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first_line)
        .unwrap_or_else(|error| panic!("{name} prints its address: {error}"));
    let running = Running(child);
    let url = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| {
            panic!(
                "{name} did not start ({first_line:?}): see {}",
                logs.join(format!("{name}.log")).display()
            )
        })
        .to_owned();
    (running, url)
}

/// A child process killed when dropped, so a failing test leaves nothing behind.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
