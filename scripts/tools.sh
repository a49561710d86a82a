# Installs the tools the tests and the demo need into .tools/ (sourced by
# scripts/test and scripts/demo). Versions are pinned; a second run only checks.

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
CARGO_LAMBDA_VERSION="1.9.2"

install_python_tools() {
  if [ ! -x "$TOOLS_DIR/venv/bin/pip" ]; then
    python3 -m venv "$TOOLS_DIR/venv"
  fi
  if ! "$TOOLS_DIR/venv/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "$CARGO_LAMBDA_VERSION"; then
    echo "installing cargo-lambda $CARGO_LAMBDA_VERSION from PyPI into .tools/venv" >&2
    "$TOOLS_DIR/venv/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION"
  fi
  export CARGO_LAMBDA="$TOOLS_DIR/venv/bin/cargo-lambda"
  export PATH="$TOOLS_DIR/venv/bin:$PATH"
}

install_node_packages() {
  local runner
  runner="$(dirname "$TOOLS_DIR")/local/flow-runner"
  # npm ci is exact (package-lock.json) but slow; skip it when nothing changed.
  if ! cmp -s "$runner/package-lock.json" "$runner/node_modules/.installed-from-lock" 2>/dev/null; then
    echo "installing the flow runner's npm packages (aws-local-stepfunctions)" >&2
    npm ci --prefix "$runner" --no-audit --no-fund --loglevel=error
    cp "$runner/package-lock.json" "$runner/node_modules/.installed-from-lock"
  fi
}
