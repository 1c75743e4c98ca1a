//! `--shard K/N` and `gomend merge`: the shards of a run partition its
//! files, and their reports merge into exactly the report of one full run.

mod support;

use std::path::Path;
use std::process::Output;

use support::{copy_dir, gomend};

/// A module of many packages: the examples, plus generated packages whose
/// files have findings, tests, nested directories and names that sort
/// differently as whole paths than directory by directory (`b.go`, `b/`).
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        dir.path(),
    );
    let gc = "import \"runtime\"\n\nfunc Flush() {\n\truntime.GC()\n}\n";
    let spin = "import \"runtime\"\n\nfunc Wait(done func() bool) {\n\tfor !done() {\n\t\truntime.Gosched()\n\t}\n}\n";
    let plain = "func Plain() int { return 1 }\n";
    for i in 0..40 {
        let pkg = format!("p{i:02}");
        let d = dir.path().join("internal").join(&pkg);
        std::fs::create_dir_all(d.join("b")).unwrap();
        let write = |name: &str, package: &str, body: &str| {
            std::fs::write(d.join(name), format!("package {package}\n\n{body}")).unwrap();
        };
        write("a.go", &pkg, if i % 3 == 0 { plain } else { gc });
        write("b.go", &pkg, spin);
        write("b/c.go", "b", gc);
        write("a_test.go", &pkg, gc);
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    gomend()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("gomend runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn paths(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn merged_shards_equal_one_full_run() {
    let dir = tree();
    let full = run(dir.path(), &["check", "--tests", "--format", "json", "."]);
    assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
    let full_json = stdout(&full);
    assert!(paths(&full_json).len() > 100, "{full_json}");
    for n in [1, 3, 7] {
        let mut reports = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            let out = run(
                dir.path(),
                &[
                    "check", "--tests", "--format", "json", "--shard", &shard, ".",
                ],
            );
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{shard}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(&format!("(shard {shard})")),
                "{}",
                stderr(&out)
            );
            let json = stdout(&out);
            // No file is in two shards.
            let files: std::collections::BTreeSet<String> = paths(&json).into_iter().collect();
            for f in &files {
                assert!(seen.insert(f.clone()), "{f} is in two shards of {n}");
            }
            let file = dir.path().join(format!("shard-{k}-of-{n}.json"));
            std::fs::write(&file, &json).unwrap();
            reports.push(file);
        }
        let mut args = vec!["merge".to_string()];
        args.extend(reports.iter().map(|r| r.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let merged = run(dir.path(), &args);
        assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
        assert_eq!(stdout(&merged), full_json, "{n} shards merged");
        for r in &reports {
            std::fs::remove_file(r).unwrap();
        }
    }
}

#[test]
fn shards_stay_put_wherever_the_tree_is() {
    // The same tree in two places, named by absolute paths: each shard
    // holds the same files, because keys are relative to the PATH given.
    let a = tree();
    let b = tree();
    let shard_files = |dir: &Path| -> Vec<String> {
        let root = dir.display().to_string();
        let out = run(
            dir,
            &[
                "check", "--tests", "--format", "json", "--shard", "2/5", &root,
            ],
        );
        paths(&stdout(&out))
            .into_iter()
            .map(|p| {
                Path::new(&p)
                    .strip_prefix(dir)
                    .unwrap_or(Path::new(&p))
                    .display()
                    .to_string()
            })
            .collect()
    };
    let in_a = shard_files(a.path());
    assert!(!in_a.is_empty());
    assert_eq!(in_a, shard_files(b.path()));
}

#[test]
fn applying_every_shard_equals_applying_the_whole_tree() {
    let whole = tree();
    let sharded = tree();
    let out = run(whole.path(), &["apply", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let out = run(sharded.path(), &["apply", "--shard", &shard, "."]);
        assert_eq!(out.status.code(), Some(0), "{shard}: {}", stderr(&out));
    }
    let diff = run(sharded.path(), &["diff", "--exit-code", "."]);
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
    let text = |d: &Path| {
        let out = std::process::Command::new("diff")
            .args(["-r", "-q"])
            .arg(d)
            .arg(sharded.path())
            .output()
            .unwrap();
        stdout(&out)
    };
    assert_eq!(text(whole.path()), "", "the two trees differ");
}

#[test]
fn bad_shards_are_explained() {
    let dir = tree();
    for (arg, says) in [
        ("0/3", "shards count from 1"),
        ("4/3", "there are only 3 shards"),
        ("1/0", "must be at least 1"),
        ("junk", "expected K/N"),
        ("1/x", "`x` is not a whole number"),
        ("", "expected K/N"),
    ] {
        let out = run(dir.path(), &["check", "--shard", arg, "."]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let err = stderr(&out);
        assert!(err.contains(says), "{arg}: {err}");
        assert!(stdout(&out).is_empty(), "{arg}");
    }
}

#[test]
fn merge_refuses_what_is_not_shards_of_one_run() {
    let dir = tree();
    let out = run(
        dir.path(),
        &["check", "--format", "json", "--shard", "1/2", "."],
    );
    std::fs::write(dir.path().join("one.json"), stdout(&out)).unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"not\": \"a list\"}").unwrap();
    std::fs::write(dir.path().join("odd.json"), "[{\"path\": \"a.go\"}]").unwrap();
    let twice = run(dir.path(), &["merge", "one.json", "one.json"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("overlap"), "{}", stderr(&twice));
    let bad = run(dir.path(), &["merge", "one.json", "bad.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("bad.json: not a JSON array"),
        "{}",
        stderr(&bad)
    );
    let odd = run(dir.path(), &["merge", "odd.json"]);
    assert_eq!(odd.status.code(), Some(2));
    assert!(
        stderr(&odd).contains("odd.json: not a gomend finding"),
        "{}",
        stderr(&odd)
    );
    let missing = run(dir.path(), &["merge", "nope.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nope.json: cannot read"),
        "{}",
        stderr(&missing)
    );
    let empty = run(dir.path(), &["merge", "-"]);
    assert_eq!(empty.status.code(), Some(2), "empty stdin is not a report");
}

#[test]
fn merge_of_empty_reports_is_an_empty_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), "[]\n").unwrap();
    std::fs::write(dir.path().join("b.json"), "[]\n").unwrap();
    let out = run(dir.path(), &["merge", "a.json", "b.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[]\n");
}
