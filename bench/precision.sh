#!/usr/bin/env bash
# Lists the automatic fixes gomend makes on real Go trees, one TSV line per
# fix, optionally compares them with a file of reviewed sites and checks that
# the rewritten packages type-check as well as before. See docs/precision.md.
#
#   bench/precision.sh [options] DIR... [-- GOMEND_FLAGS...]
#
#   -o FILE            write the TSV to FILE instead of stdout
#   --name DIR=NAME    call the tree DIR NAME (default: DIR's base name)
#   --review FILE      compare the fixes with FILE (reviewed sites)
#   --typecheck        type-check the changed packages before and after
#   --keep             keep the scratch copies (their path is printed)
#
# The binary is $GOMEND, else target/release/gomend (built when missing);
# the Go toolchain for --typecheck is $GOMEND_GO, else go on the PATH.
# Exit status: 0 clean, 1 a rejected site is rewritten or a rewrite adds a
# type error, 2 a usage or tool error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    sed -n '2,17s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
die() {
    echo "precision: $*" >&2
    exit 2
}

out=""
review=""
typecheck=0
keep=0
names=()
dirs=()
flags=()
while [ $# -gt 0 ]; do
    case "$1" in
        -o) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
        --review) [ $# -ge 2 ] || usage; review=$2; shift 2 ;;
        --name) [ $# -ge 2 ] || usage; names+=("$2"); shift 2 ;;
        --typecheck) typecheck=1; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) usage ;;
        --) shift; flags=("$@"); break ;;
        -*) echo "precision: unknown option $1" >&2; usage ;;
        *) dirs+=("$1"); shift ;;
    esac
done
[ ${#dirs[@]} -gt 0 ] || usage
[ -z "$review" ] || [ -f "$review" ] || die "no review file $review"

if [ -n "${GOMEND:-}" ]; then
    gomend=$GOMEND
else
    gomend="$root/target/release/gomend"
    if [ ! -x "$gomend" ]; then
        echo "precision: building $gomend" >&2
        (cd "$root" && cargo build --release --quiet)
    fi
fi
[ -x "$gomend" ] || die "gomend binary $gomend is not executable"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gomend-precision.XXXXXX")
if [ "$keep" = 1 ]; then
    echo "precision: scratch copies kept in $scratch" >&2
else
    trap 'rm -rf "$scratch"' EXIT
fi

# The name of a tree: the last --name DIR=NAME given for it, else its base name.
tree_name() {
    local dir=$1 name entry
    name=$(basename "$dir")
    for entry in "${names[@]+"${names[@]}"}"; do
        if [ "$(cd "${entry%%=*}" 2>/dev/null && pwd)" = "$dir" ]; then
            name=${entry#*=}
        fi
    done
    printf '%s\n' "$name"
}

# Every finding as repo, path, line, recipe, fix (1 or 0).
findings="$scratch/findings.tsv"
: > "$findings"
trees=()
tree_names=()
for d in "${dirs[@]}"; do
    [ -d "$d" ] || die "no directory $d"
    abs=$(cd "$d" && pwd)
    name=$(tree_name "$abs")
    case "$name" in *$'\t'*|"") die "bad tree name '$name'" ;; esac
    trees+=("$abs")
    tree_names+=("$name")
    status=0
    (cd "$abs" && "$gomend" check --format json --color never "${flags[@]+"${flags[@]}"}") \
        > "$scratch/check.json" || status=$?
    [ "$status" -le 1 ] || die "gomend check failed in $abs (exit $status)"
    python3 - "$name" "$scratch/check.json" >> "$findings" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    for x in json.load(f):
        print(f"{name}\t{x['path']}\t{x['line']}\t{x['recipe']}\t{1 if x['fix'] else 0}")
PY
done

fixes="$scratch/fixes.tsv"
awk -F'\t' -v OFS='\t' '$5 == 1 { print $1, $2, $3, $4 }' "$findings" \
    | LC_ALL=C sort -t$'\t' -k1,1 -k2,2 -k3,3n -k4,4 -u > "$fixes"
if [ -n "$out" ]; then
    cp "$fixes" "$out"
else
    cat "$fixes"
fi

# Counts on stderr: per tree, then per recipe over all trees.
{
    for name in "${tree_names[@]}"; do
        awk -F'\t' -v n="$name" '$1 == n { if ($5 == 1) f++; else r++ }
            END { printf "%s: %d fixes, %d report-only findings\n", n, f, r }' "$findings"
    done
    printf '%-28s %7s %12s\n' recipe fixes report-only
    awk -F'\t' '{ seen[$4] = 1; if ($5 == 1) f[$4]++; else r[$4]++; if ($5 == 1) tf++; else tr++ }
        END { for (k in seen) printf "%-28s %7d %12d\n", k, f[k], r[k]
              printf "%-28s %7d %12d\n", "~total", tf, tr }' "$findings" \
        | LC_ALL=C sort | sed 's/^~total/total /'
} >&2

status=0

if [ -n "$review" ]; then
    repo_args=()
    for name in "${tree_names[@]}"; do
        repo_args+=(--repo "$name")
    done
    echo >&2
    python3 "$root/bench/precision-compare.py" --review "$review" "${repo_args[@]}" "$fixes" >&2 \
        || status=1
fi

if [ "$typecheck" = 1 ]; then
    go_cmd=${GOMEND_GO:-go}
    command -v "$go_cmd" >/dev/null || die "no Go toolchain: set GOMEND_GO or put go on the PATH"
    export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
    checker="$scratch/typecheck"
    (cd "$root/bench/typecheck" && "$go_cmd" build -o "$checker" .) || die "cannot build bench/typecheck"
    GOROOT=$("$go_cmd" env GOROOT)
    export GOROOT
    echo >&2
    for i in "${!trees[@]}"; do
        tree=${trees[$i]}
        name=${tree_names[$i]}
        files=()
        while IFS= read -r f; do files+=("$f"); done < <(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$fixes" | LC_ALL=C sort -u)
        if [ ${#files[@]} -eq 0 ]; then
            echo "typecheck $name: nothing rewritten" >&2
            continue
        fi
        before="$scratch/$i/before"
        after="$scratch/$i/after"
        mkdir -p "$before"
        # Only the directories that change, each with its Go files, and every
        # go.mod / go.work on the way up, for the Go version gomend assumes.
        while IFS= read -r d; do
            mkdir -p "$before/$d"
            find "$tree/$d" -maxdepth 1 -type f -name '*.go' -exec cp -p {} "$before/$d/" \;
            p=$d
            while :; do
                for m in go.mod go.work; do
                    if [ -f "$tree/$p/$m" ]; then mkdir -p "$before/$p"; cp -p "$tree/$p/$m" "$before/$p/$m"; fi
                done
                [ "$p" != "." ] || break
                p=$(dirname "$p")
            done
        done < <(for f in "${files[@]}"; do dirname "$f"; done | LC_ALL=C sort -u)
        # A module file above the tree still decides the version inside it.
        if [ ! -f "$tree/go.mod" ] && [ ! -f "$tree/go.work" ]; then
            p=$(dirname "$tree")
            while :; do
                if [ -f "$p/go.work" ] || [ -f "$p/go.mod" ]; then
                    for m in go.mod go.work; do
                        if [ -f "$p/$m" ]; then cp -p "$p/$m" "$before/$m"; fi
                    done
                    break
                fi
                [ "$p" != "/" ] || break
                p=$(dirname "$p")
            done
        fi
        cp -a "$before" "$after"
        (cd "$after" && "$gomend" apply --color never "${flags[@]+"${flags[@]}"}" "${files[@]}") >/dev/null \
            || die "gomend apply failed on the copy of $name"
        for f in "${files[@]}"; do
            if cmp -s "$before/$f" "$after/$f"; then
                echo "precision: $name/$f: check lists a fix here but apply left the file unchanged" >&2
            fi
        done
        "$checker" -name "$name" "$before" "$after" >&2 || status=1
    done
fi

exit "$status"
