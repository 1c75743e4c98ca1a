//! `bench/precision.sh`: the fixes it lists, the comparison with a review
//! file and the type-check of the rewritten packages, on a small module
//! written here.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

const GO_MOD: &str = "module example.com/demo\n\ngo 1.22\n";

const WORKER: &str = r#"package worker

import (
	"runtime"
	"strings"
	"time"
)

// Timeout is how long Drain waits for more input.
const Timeout = time.Second

// Drain reads from in until it has been idle for Timeout.
func Drain(in <-chan string) []string {
	var out []string
	for {
		select {
		case s := <-in:
			out = append(out, strings.ToUpper(s))
		case <-time.After(Timeout):
			return out
		}
	}
}

// Sum adds up its input, yielding now and then.
func Sum(data []int) int {
	total := 0
	for _, v := range data {
		total += v
		if total%1024 == 0 {
			runtime.Gosched()
		}
	}
	return total
}
"#;

// Uses a package of the module, which the type-check stubs: the rewrite
// repeats `worker.Timeout * 2`, which must not count as a new error.
const API: &str = r#"package api

import (
	"time"

	"example.com/demo/worker"
)

// Collect gathers results until none has come for twice the worker's timeout.
func Collect(results <-chan int) []int {
	var got []int
	for {
		select {
		case r := <-results:
			got = append(got, r)
		case <-time.After(worker.Timeout * 2):
			return got
		}
	}
}
"#;

// Nothing to rewrite here: this directory must not be copied or checked.
const QUIET: &str = "package quiet\n\n// Answer is the answer.\nconst Answer = 42\n";

/// A user recipe whose template turns `strings.ToUpper(x)` into `REPLACEMENT`.
fn upper_recipe(replacement: &str) -> String {
    format!(
        r#"id = "upper"
kind = "fix"
summary = "Rewrite strings.ToUpper"
message = "strings.ToUpper is rewritten"
rationale = "A recipe for the precision test."
[match]
imports = {{ strings = "strings" }}
rule = {{ pattern = "strings.ToUpper($X)" }}
[fix]
template = "{replacement}"
"#
    )
}

const EXPECTED_TSV: &str = "demo\tapi/api.go\t16\ttimer-reset\n\
                            demo\tworker/worker.go\t19\ttimer-reset\n\
                            demo\tworker/worker.go\t31\tremove-gosched\n";

/// A temporary directory holding the module in `demo/`.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("demo");
    for (path, text) in [
        ("go.mod", GO_MOD),
        ("worker/worker.go", WORKER),
        ("api/api.go", API),
        ("quiet/quiet.go", QUIET),
    ] {
        let p = tree.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, tree)
}

fn snapshot(tree: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![tree.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn precision(args: &[&str]) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/precision.sh");
    let mut cmd = Command::new(script);
    cmd.args(args)
        .env("GOMEND", env!("CARGO_BIN_EXE_gomend"))
        .env("GOMEND_GO", support::go_bin())
        .env("NO_COLOR", "1");
    let out = cmd.output().expect("bench/precision.sh runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn lists_each_fix_once_in_order_with_counts() {
    let (_dir, tree) = demo();
    let run = precision(&[s(&tree)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, EXPECTED_TSV);
    assert!(
        run.stderr.contains("demo: 3 fixes, 0 report-only findings"),
        "{}",
        run.stderr
    );
    let counts: Vec<Vec<&str>> = run
        .stderr
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(
        counts.contains(&vec!["timer-reset", "2", "0"]),
        "{}",
        run.stderr
    );
    assert!(
        counts.contains(&vec!["remove-gosched", "1", "0"]),
        "{}",
        run.stderr
    );

    // -o writes the same lines, and --name renames the tree.
    let out = tree.parent().unwrap().join("fixes.tsv");
    let name = format!("{}=octo+demo", s(&tree));
    let run = precision(&["-o", s(&out), "--name", &name, s(&tree)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        EXPECTED_TSV.replace("demo\t", "octo+demo\t")
    );
}

#[test]
fn a_rejected_site_still_rewritten_fails_the_comparison() {
    let (dir, tree) = demo();
    let review = dir.path().join("review.tsv");
    let write_review = |gosched_verdict: &str| {
        let text = format!(
            "# repository\tpath\tline\trecipe\tverdict\tshapes\n\
             demo\tworker/worker.go\t19\ttimer-reset\tN\tT1\n\
             demo\tworker/worker.go\t31\tremove-gosched\t{gosched_verdict}\tG1\n\
             demo\tworker/worker.go\t40\tremove-gc\tA\t-\n\
             other\tx.go\t1\tremove-gc\tR\t-\n"
        );
        std::fs::write(&review, text).unwrap();
    };

    write_review("A");
    let run = precision(&["--review", s(&review), s(&tree)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, EXPECTED_TSV);
    assert!(
        run.stderr.contains("REJECT sites still rewritten: 0"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "NEUTRAL sites still rewritten: 1\n  demo\tworker/worker.go:19\ttimer-reset  [T1]\n"
        ),
        "{}",
        run.stderr
    );
    // Accepted but not rewritten; the other repository was not run.
    assert!(
        run.stderr.contains(
            "ACCEPT sites no longer rewritten: 1\n  demo\tworker/worker.go:40\tremove-gc\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Unreviewed rewrites (read these): 1\n  demo\tapi/api.go:16\ttimer-reset\n"),
        "{}",
        run.stderr
    );

    write_review("R");
    let run = precision(&["--review", s(&review), s(&tree)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "REJECT sites still rewritten: 1\n  demo\tworker/worker.go:31\tremove-gosched  [G1]\n"
        ),
        "{}",
        run.stderr
    );

    // The same verdicts through the comparison script alone.
    let fixes = dir.path().join("fixes.tsv");
    std::fs::write(&fixes, EXPECTED_TSV).unwrap();
    let compare = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/precision-compare.py");
    let out = Command::new("python3")
        .arg(compare)
        .args(["--review", s(&review), s(&fixes)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("worker/worker.go:31\tremove-gosched"));
}

#[test]
fn typecheck_passes_a_clean_rewrite_and_leaves_the_tree_alone() {
    let (dir, tree) = demo();
    let before = snapshot(&tree);
    let run = precision(&["--typecheck", s(&tree)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("typecheck demo: 2 changed files in 2 packages; 0 errors before, 0 after"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("0 new, 0 gone"), "{}", run.stderr);
    assert!(!run.stderr.contains("NEW ERROR"), "{}", run.stderr);
    assert_eq!(
        snapshot(&tree),
        before,
        "the tree itself is never rewritten"
    );

    // A user recipe whose output type-checks passes too.
    let mods = dir.path().join("mods");
    std::fs::create_dir(&mods).unwrap();
    std::fs::write(mods.join("upper.toml"), upper_recipe("strings.ToLower($X)")).unwrap();
    let run = precision(&[
        "--typecheck",
        s(&tree),
        "--",
        "--codemods",
        s(&mods),
        "--recipe",
        "upper",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "demo\tworker/worker.go\t18\tupper\n");
    assert!(
        run.stderr
            .contains("typecheck demo: 1 changed files in 1 packages"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&tree), before);
}

#[test]
fn typecheck_catches_a_rewrite_that_breaks_the_package() {
    let (dir, tree) = demo();
    let mods = dir.path().join("mods");
    std::fs::create_dir(&mods).unwrap();
    std::fs::write(mods.join("upper.toml"), upper_recipe("strings.Shout($X)")).unwrap();
    let before = snapshot(&tree);
    let run = precision(&[
        "--typecheck",
        s(&tree),
        "--",
        "--codemods",
        s(&mods),
        "--recipe",
        "upper",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "demo\tworker/worker.go\t18\tupper\n");
    assert!(
        run.stderr
            .contains("NEW ERROR demo/worker/worker.go:18:30: undefined: strings.Shout"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 new, 0 gone"), "{}", run.stderr);
    assert_eq!(snapshot(&tree), before);
}
