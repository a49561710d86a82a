"""The functions' deployment size and cold start, as Lambda would see them.

Builds the release bootstraps of every function in one cargo lambda
invocation (x86_64), then for each prints: the bootstrap's size, its
deployment zip's size (deflate, as SAM packages it), and, over five fresh
processes served by `cargo lambda watch`, the median time from the process
start to the answer of its first invocation (a payload it refuses at once,
so no AWS call is timed) and the peak resident memory.

With --against DIR (a folder holding <function>/bootstrap, e.g. another
checkout's target/lambda), each function's cold start is measured in pairs,
this build's and DIR's in turn, so that a drift of the machine's speed
moves both; the table then adds DIR's zipped size, median, peak memory and
the median of the pairs' differences.

Usage: python scripts/bench_size.py [--runs N] [--against DIR]
       (run by scripts/bench-size)
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FUNCTIONS = ["start-runs", "follow-runs", "metadata-status", "run-status"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


def zipped_size(bootstrap: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(bootstrap, "bootstrap")
    return len(buffer.getvalue())


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def cold_start(bootstrap: Path, name: str, port: int) -> tuple[float, int]:
    """Seconds from spawn to the first answer, and peak memory in KiB."""
    environment = dict(
        os.environ,
        AWS_LAMBDA_RUNTIME_API=f"http://127.0.0.1:{port}/.rt/{name}",
        AWS_LAMBDA_FUNCTION_NAME=name,
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="AKIDBENCH",
        AWS_SECRET_ACCESS_KEY="bench",
        REPORT_BUCKET="bench",
        DATAZONE_DOMAIN_ID="dzd_bench",
    )
    began = time.monotonic()
    process = subprocess.Popen([str(bootstrap)], env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/2015-03-31/functions/{name}/invocations",
            data=b"[]", method="POST")
        try:
            urllib.request.urlopen(request, timeout=30).read()
        except urllib.error.HTTPError as refused:  # the InvalidInput answer
            body = json.loads(refused.read())
            assert body["errorType"] == "InvalidInput", body
        elapsed = time.monotonic() - began
        return elapsed, peak_memory_kib(process.pid)
    finally:
        process.kill()
        process.wait()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The functions' size, cold start and memory.")
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each bootstrap")
    parser.add_argument("--against", type=Path,
                        help="a folder of <function>/bootstrap to measure in pairs with this build")
    return parser.parse_args()


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def median_start(starts: list[tuple[float, int]]) -> str:
    return f"{statistics.median(start[0] for start in starts) * 1000:.1f} ms"


def peak_memory(starts: list[tuple[float, int]]) -> str:
    return f"{max(start[1] for start in starts) / 1024:.1f} MiB"


def main() -> int:
    args = arguments()
    cargo_lambda = os.environ.get("CARGO_LAMBDA", str(PROJECT / ".tools/venv/bin/cargo-lambda"))
    build = [cargo_lambda, "lambda", "build", "--release", "--x86-64"]
    # By package, as `sam build` does from each function's CodeUri: cargo
    # then resolves the features of the functions alone, not those of the
    # workspace's tools (dzrun's SSO, local-flow's default TLS client).
    for function in FUNCTIONS:
        build += ["--package", function]
    began = time.monotonic()
    subprocess.run(build, check=True, cwd=PROJECT)
    print(f"release build of {len(FUNCTIONS)} functions: {time.monotonic() - began:.0f} s")
    target = Path(os.environ.get("CARGO_TARGET_DIR", PROJECT / "target"))
    port = free_port()
    watch = subprocess.Popen([cargo_lambda, "lambda", "watch", "--only-lambda-apis",
                              "-A", "127.0.0.1", "-P", str(port)], cwd=PROJECT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        header = f"| function | bootstrap | zipped | cold start (median of {args.runs}) | peak memory |"
        if args.against:
            header += " baseline zipped | baseline cold start | paired difference (median) | baseline peak memory |"
        print(header)
        print("|---" * (header.count(" | ") + 1) + "|")
        for function in FUNCTIONS:
            bootstrap = target / "lambda" / function / "bootstrap"
            baseline = args.against / function / "bootstrap" if args.against else None
            starts, baseline_starts = [], []
            for _ in range(args.runs):
                starts.append(cold_start(bootstrap, function, port))
                if baseline and baseline.exists():
                    baseline_starts.append(cold_start(baseline, function, port))
            row = (f"| {function} | {megabytes(bootstrap.stat().st_size)} | "
                   f"{megabytes(zipped_size(bootstrap))} | {median_start(starts)} | "
                   f"{peak_memory(starts)} |")
            if baseline_starts:
                difference = statistics.median(
                    new[0] - old[0] for new, old in zip(starts, baseline_starts))
                row += (f" {megabytes(zipped_size(baseline))} | {median_start(baseline_starts)} | "
                        f"{difference * 1000:+.1f} ms | {peak_memory(baseline_starts)} |")
            elif args.against:
                row += " – | – | – | – |"
            print(row)
    finally:
        watch.kill()
        watch.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
