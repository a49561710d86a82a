# Installs the tools the tests and the demo need into .tools/ (sourced by
# scripts/test and scripts/demo). Versions are pinned; a second run only checks.
# SAM CLI builds the functions with cargo-lambda only when both share a venv.

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$PROJECT_DIR/.tools"
CARGO_LAMBDA_VERSION="1.9.2"
SAM_CLI_VERSION="1.170.0"
CFN_LINT_VERSION="1.58.0"
PARLIAMENT_VERSION="1.6.4"
# checkov pins dependencies of its own that SAM CLI's conflict with: it
# lives in a venv of its own.
CHECKOV_VERSION="3.3.30"
# moto is the store of the local S3 server (local/s3-server), which holds the
# harvest reports locally and authorizes each request as S3 would.
MOTO_VERSION="5.2.5"

venv_has() { # PACKAGE VERSION
  # grep reads all of pip's output: with pipefail, an early exit (-q)
  # would fail pip with SIGPIPE and the check with it.
  "$TOOLS_DIR/venv/bin/pip" show "$1" 2>/dev/null | grep -x "Version: $2" >/dev/null
}

# cargo-lambda and moto (always); with `template`, also SAM CLI, cfn-lint,
# parliament (the IAM lint) and checkov.
install_python_tools() {
  if [ ! -x "$TOOLS_DIR/venv/bin/pip" ]; then
    python3 -m venv "$TOOLS_DIR/venv"
  fi
  local wanted=("cargo-lambda==$CARGO_LAMBDA_VERSION" "moto[server]==$MOTO_VERSION")
  if [ "${1:-}" = template ]; then
    wanted+=("aws-sam-cli==$SAM_CLI_VERSION" "cfn-lint==$CFN_LINT_VERSION" "parliament==$PARLIAMENT_VERSION")
  fi
  local missing=()
  for spec in "${wanted[@]}"; do
    local name="${spec%%==*}"
    venv_has "${name%%[*}" "${spec##*==}" || missing+=("$spec")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} from PyPI into .tools/venv" >&2
    "$TOOLS_DIR/venv/bin/pip" install --quiet --disable-pip-version-check "${missing[@]}"
  fi
  if [ "${1:-}" = template ]; then
    if [ ! -x "$TOOLS_DIR/checkov/bin/pip" ]; then
      python3 -m venv "$TOOLS_DIR/checkov"
    fi
    if ! "$TOOLS_DIR/checkov/bin/pip" show checkov 2>/dev/null | grep -x "Version: $CHECKOV_VERSION" >/dev/null; then
      echo "installing checkov==$CHECKOV_VERSION from PyPI into .tools/checkov" >&2
      "$TOOLS_DIR/checkov/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
    fi
    export CHECKOV="$TOOLS_DIR/checkov/bin/checkov"
  fi
  export CARGO_LAMBDA="$TOOLS_DIR/venv/bin/cargo-lambda"
  export LOCAL_PYTHON="$TOOLS_DIR/venv/bin/python"
  export PATH="$TOOLS_DIR/venv/bin:$PATH"
  export SAM_CLI_TELEMETRY=0
}

# The state machine runner's npm packages, exactly as package-lock.json says,
# with engine-fix.mjs's mend applied (reinstalled when either changes).
install_node_packages() {
  local runner="$PROJECT_DIR/local/stepfunctions-runner"
  if ! cat "$runner/package-lock.json" "$runner/engine-fix.mjs" | cmp -s - "$runner/node_modules/.installed-from-lock" 2>/dev/null; then
    echo "installing the state machine runner's npm packages (aws-local-stepfunctions)" >&2
    npm ci --prefix "$runner" --no-audit --no-fund --loglevel=error
    node "$runner/engine-fix.mjs"
    cat "$runner/package-lock.json" "$runner/engine-fix.mjs" >"$runner/node_modules/.installed-from-lock"
  fi
}

# Headless Chromium from Debian (bookworm's, with its security updates), for
# the test that loads a harvest's page in a real browser.
install_chromium() {
  if ! command -v chromium >/dev/null; then
    echo "installing chromium from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# Docker for `sam local invoke` (scripts/test): Debian's docker.io and a
# static busybox (the stand-in base image's shell) installed when missing,
# this run's own dockerd (state under .tools/docker, stopped by
# stop_docker), and the stand-in Lambda base image built when absent
# (local/sam-local/stand-in-image.sh). Exports DOCKER_HOST, and
# SAM_LOCAL_HOST: the Docker bridge's address, where containers reach the
# local servers.
start_docker() {
  if ! command -v dockerd >/dev/null || [ ! -x /bin/busybox ] || ! command -v ip >/dev/null; then
    echo "installing docker.io, busybox-static and iproute2 from Debian" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static iproute2 >/dev/null
  fi
  local dir="$TOOLS_DIR/docker"
  mkdir -p "$dir"
  export DOCKER_HOST="unix://$dir/docker.sock"
  if ! docker info >/dev/null 2>&1; then
    dockerd --data-root "$dir/data" --exec-root "$dir/exec" --host "$DOCKER_HOST" \
      --pidfile "$dir/dockerd.pid" >"$dir/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    local waited=0
    until docker info >/dev/null 2>&1; do
      if [ "$waited" -ge 60 ]; then
        echo "dockerd did not start: $dir/dockerd.log" >&2
        tail -20 "$dir/dockerd.log" >&2
        return 1
      fi
      sleep 1
      waited=$((waited + 1))
    done
  fi
  if ! docker image inspect public.ecr.aws/lambda/provided:al2023-x86_64 >/dev/null 2>&1; then
    "$PROJECT_DIR/local/sam-local/stand-in-image.sh"
  fi
  SAM_LOCAL_HOST="$(ip -4 -o addr show docker0 | awk '{print $4}' | cut -d/ -f1)"
  export SAM_LOCAL_HOST
}

# Stops the dockerd start_docker started, if it did.
stop_docker() {
  if [ -n "${DOCKERD_PID:-}" ]; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
  fi
}
