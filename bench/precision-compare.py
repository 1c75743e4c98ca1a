#!/usr/bin/env python3
"""Compare the automatic fixes of a gomend run with a file of reviewed sites.

    bench/precision-compare.py --review REVIEW.tsv [--repo NAME]... FIXES.tsv

FIXES.tsv is what bench/precision.sh writes: one line per automatic fix,
`repo<TAB>path<TAB>line<TAB>recipe`. REVIEW.tsv holds reviewed sites,
`repository<TAB>path<TAB>line<TAB>recipe<TAB>verdict<TAB>shapes`, where the
verdict is A (accept: the rewrite is right), N (neutral: harmless but
pointless) or R (reject: the rewrite is wrong); lines starting with `#` are
comments. A site is the same when repository, path, line and recipe match.

Prints the rejected sites still rewritten, the neutral sites still
rewritten, the accepted sites no longer rewritten and the rewrites the review
does not cover. Sites of repositories that the run did not cover are left
out; `--repo` names the repositories the run covered (default: those that
appear in FIXES.tsv). Exits 1 when a rejected site is still rewritten, 2 on
a malformed input.
"""

import argparse
import sys
from collections import Counter

VERDICTS = {"A": "accept", "N": "neutral", "R": "reject"}


def die(msg):
    print(f"precision-compare: {msg}", file=sys.stderr)
    sys.exit(2)


def read_rows(path, min_fields):
    """Yields (line number, fields) for the data lines of a TSV file."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < min_fields:
                die(f"{path}:{n}: expected {min_fields} tab-separated fields, got {len(fields)}")
            yield n, fields


def site(fields, path, n):
    repo, file, line, recipe = fields[:4]
    try:
        return (repo, file, int(line), recipe)
    except ValueError:
        die(f"{path}:{n}: line {line!r} is not a number")


def read_review(path):
    review = {}
    for n, fields in read_rows(path, 5):
        key = site(fields, path, n)
        verdict = fields[4].strip().upper()
        if verdict not in VERDICTS:
            die(f"{path}:{n}: verdict {fields[4]!r} is not A, N or R")
        shapes = fields[5].strip() if len(fields) > 5 else ""
        review[key] = (verdict, shapes)
    return review


def show(key, shapes=""):
    repo, file, line, recipe = key
    tail = f"  [{shapes}]" if shapes and shapes != "-" else ""
    return f"  {repo}\t{file}:{line}\t{recipe}{tail}"


def section(title, keys, review):
    print(f"{title}: {len(keys)}")
    for key in sorted(keys):
        print(show(key, review[key][1] if key in review else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--review", required=True, help="the reviewed-sites TSV")
    ap.add_argument("--repo", action="append", default=[], help="a repository the run covered (repeatable)")
    ap.add_argument("fixes", help="the TSV of automatic fixes written by bench/precision.sh")
    args = ap.parse_args()

    review = read_review(args.review)
    fixes = {site(fields, args.fixes, n) for n, fields in read_rows(args.fixes, 4)}
    covered = set(args.repo) or {k[0] for k in fixes}
    review = {k: v for k, v in review.items() if k[0] in covered}

    by_verdict = {v: {k for k, (verdict, _) in review.items() if verdict == v} for v in VERDICTS}
    rejected = by_verdict["R"] & fixes
    neutral = by_verdict["N"] & fixes
    lost = by_verdict["A"] - fixes
    unreviewed = fixes - review.keys()

    section("REJECT sites still rewritten", rejected, review)
    section("NEUTRAL sites still rewritten", neutral, review)
    section("ACCEPT sites no longer rewritten", lost, review)
    section("Unreviewed rewrites (read these)", unreviewed, review)

    print()
    print(f"reviewed sites in the covered repositories: {len(review)} "
          f"({len(by_verdict['A'])} accept, {len(by_verdict['N'])} neutral, {len(by_verdict['R'])} reject)")
    print(f"rewrites: {len(fixes)}; reviewed {len(fixes) - len(unreviewed)}, unreviewed {len(unreviewed)}")
    print(f"reject still rewritten {len(rejected)}/{len(by_verdict['R'])}, "
          f"neutral still rewritten {len(neutral)}/{len(by_verdict['N'])}, "
          f"accept kept {len(by_verdict['A']) - len(lost)}/{len(by_verdict['A'])}")
    per_recipe = Counter(k[3] for k in rejected)
    if per_recipe:
        print("rejects still rewritten per recipe: " + ", ".join(f"{r} {n}" for r, n in sorted(per_recipe.items())))
    print("result: " + ("FAIL (rejected sites are still rewritten)" if rejected else "ok (no rejected site is rewritten)"))
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main())
