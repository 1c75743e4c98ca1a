#!/usr/bin/env bash
# Shows how gomend's time and memory grow with the number of findings in one
# file. Generates Go files with 1x, 10x and 100x the findings of a user
# recipe (strings.Replace(..., -1) rewritten to strings.ReplaceAll) and
# prints wall time, CPU time and peak memory of `check` and `diff` on each.
# Growth should be linear: 10x the findings, about 10x the time.
#
#   bench/positions.sh [BASE_FINDINGS]      (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-2000}"
bin="${GOMEND:-$PWD/target/release/gomend}"
[ -x "$bin" ] || cargo build --release --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/codemods"
cat > "$work/codemods/replace-all.toml" <<'TOML'
id = "replace-all"
kind = "fix"
summary = "Use strings.ReplaceAll"
message = "strings.Replace with -1 replaces every match"
rationale = "Shorter and clearer."
rewrite = "strings.ReplaceAll(s, old, new)"

[match]
imports = { strings = "strings" }
rule = { pattern = "strings.Replace($S, $O, $N, -1)" }

[fix]
template = "strings.ReplaceAll($S, $O, $N)"
TOML

# One function per finding, as generated code often looks.
generate() {
    awk -v n="$1" 'BEGIN {
        print "package p\n\nimport \"strings\"\n"
        for (i = 0; i < n; i++)
            printf "func Clean%d(s string) string {\n\treturn strings.Replace(s, \"a\", \"b\", -1)\n}\n\n", i
    }'
}

measure() { # label, command...
    local label="$1"; shift
    /usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
    read -r wall user rss < <(tail -n 1 "$work/time")
    printf '%-8s %9s %8s s %8s s %9s KB\n' "$label" "$n" "$wall" "$user" "$rss"
}

printf '%-8s %9s %10s %10s %12s\n' command findings wall cpu peak-rss
for scale in 1 10 100; do
    n=$((base * scale))
    dir="$work/x$scale"
    mkdir -p "$dir"
    generate "$n" > "$dir/big.go"
    (cd "$dir" && measure check "$bin" check --codemods "$work/codemods" --recipe replace-all --format json big.go)
    (cd "$dir" && measure diff "$bin" diff --codemods "$work/codemods" --recipe replace-all big.go)
    ls -l "$dir/big.go" | awk '{printf "%-8s %9s bytes\n", "size", $5}'
done
