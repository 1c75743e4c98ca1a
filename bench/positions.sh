#!/usr/bin/env bash
# Shows how gomend's time and memory grow with the number of findings in one
# file. Generates Go files with 1x, 10x and 100x the findings of two
# workloads and prints wall time, CPU time and peak memory of `check` and
# `diff` on each, with the CPU time over that of the scale before:
#   replace-all  a user recipe (strings.Replace(..., -1) rewritten to
#                strings.ReplaceAll), JSON findings;
#   gosched      the built-in remove-gosched on a yield in every loop, text
#                findings (each printed with its source line).
# Growth should be linear: 10x the findings, about 10x the time (a ratio
# near 10, not near 100).
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
generate() { # workload, findings
    case "$1" in
    replace-all) awk -v n="$2" 'BEGIN {
        print "package p\n\nimport \"strings\"\n"
        for (i = 0; i < n; i++)
            printf "func Clean%d(s string) string {\n\treturn strings.Replace(s, \"a\", \"b\", -1)\n}\n\n", i
    }' ;;
    gosched) awk -v n="$2" 'BEGIN {
        print "package p\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n"
        for (i = 0; i < n; i++)
            printf "func Spin%d(xs []int) {\n\tfor _, x := range xs {\n\t\tfmt.Println(x)\n\t\truntime.Gosched()\n\t}\n}\n\n", i
    }' ;;
    esac
}

declare -A prev
measure() { # label, directory, command...
    local label="$1" dir="$2"; shift 2
    (cd "$dir" && /usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>"$work/err") || true
    read -r wall user rss < <(tail -n 1 "$work/time")
    local ratio=-
    if [ -n "${prev[$label]:-}" ]; then
        ratio=$(awk -v a="$user" -v b="${prev[$label]}" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
    fi
    prev[$label]=$user
    printf '%-20s %9s %8s s %8s s %7s %9s KB\n' "$label" "$n" "$wall" "$user" "$ratio" "$rss"
}

printf '%-20s %9s %10s %10s %7s %12s\n' command findings wall cpu growth peak-rss
for workload in replace-all gosched; do
    if [ "$workload" = replace-all ]; then
        flags=(--codemods "$work/codemods" --recipe replace-all)
        format=(--format json)
    else
        flags=(--recipe remove-gosched)
        format=()
    fi
    for scale in 1 10 100; do
        n=$((base * scale))
        dir="$work/$workload-x$scale"
        mkdir -p "$dir"
        generate "$workload" "$n" > "$dir/big.go"
        measure "$workload check" "$dir" "$bin" check "${flags[@]}" "${format[@]}" big.go
        measure "$workload diff" "$dir" "$bin" diff "${flags[@]}" big.go
        ls -l "$dir/big.go" | awk '{printf "%-20s %9s bytes\n", "size", $5}'
    done
done
