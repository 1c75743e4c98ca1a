//! Baselines (`check --write-baseline`, `check --baseline`) and
//! `check --new-from-rev`.

mod support;

use git2::{Repository, Signature};
use support::{run_in as run, write_file as write};

const A: &str = "package p\n\nimport \"runtime\"\n\nfunc F() {\n\truntime.GC()\n\twork()\n}\n\nfunc work() {}\n";
const B: &str = "package p\n\nimport \"runtime\"\n\nfunc G(items []int) {\n\tfor range items {\n\t\twork()\n\t\truntime.Gosched()\n\t}\n\truntime.GC()\n\twork()\n\truntime.GC()\n\twork()\n}\n";

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "go.mod", "module m\n\ngo 1.22\n");
    write(dir.path(), "a.go", A);
    write(dir.path(), "sub/b.go", B);
    dir
}

/// Nothing on stderr but the closing summary, which finds nothing.
fn assert_only_summary(err: &str) {
    assert!(
        err.lines().count() == 1 && err.ends_with(" checked: no findings\n"),
        "{err}"
    );
}

/// The first line (`path:line:col: recipe: ...`) of each finding, cut after the recipe.
fn reported(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| !l.starts_with(' '))
        .map(|l| l.splitn(5, ':').take(4).collect::<Vec<_>>().join(":"))
        .collect()
}

#[test]
fn round_trip() {
    let dir = tree();
    let root = dir.path();
    let (code, out, err) = run(
        root,
        &["check", "--write-baseline", "gomend-baseline.json", "."],
    );
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(err, "gomend: recorded 4 findings in gomend-baseline.json\n");
    insta::assert_snapshot!(
        "baseline_file",
        std::fs::read_to_string(root.join("gomend-baseline.json")).unwrap()
    );

    // Nothing new: nothing reported.
    let (code, out, err) = run(root, &["check", "--baseline", "gomend-baseline.json", "."]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_only_summary(&err);

    // A new finding is the only one reported, a duplicate of a recorded
    // line included (the count tells them apart).
    let mut b = B.to_string();
    b = b.replace(
        "\truntime.GC()\n\twork()\n}\n",
        "\truntime.GC()\n\twork()\n\truntime.GC()\n\twork()\n}\n",
    );
    write(root, "sub/b.go", &b);
    let (code, out, _) = run(root, &["check", "--baseline", "gomend-baseline.json", "."]);
    assert_eq!(code, 1);
    assert_eq!(reported(&out), ["sub/b.go:14:2: remove-gc"]);
    write(root, "sub/b.go", B);

    // Moved code, re-indented and under other lines, stays silent.
    let moved = A.replace(
        "func F() {\n\truntime.GC()\n\twork()\n}\n",
        "// F works.\nfunc F() {\n\tif true {\n\t\truntime.GC()   \n\t}\n\twork()\n}\n",
    );
    write(root, "a.go", &moved);
    let (code, out, err) = run(root, &["check", "--baseline", "gomend-baseline.json", "."]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_only_summary(&err);

    // A fix is listed as fixed, on stderr; the rest stays silent.
    write(root, "a.go", &A.replace("\truntime.GC()\n", ""));
    let no_gosched = B.replace("\t\truntime.Gosched()\n", "");
    write(root, "sub/b.go", &no_gosched);
    let (code, out, err) = run(root, &["check", "--baseline", "gomend-baseline.json", "."]);
    assert_eq!((code, out.as_str()), (0, ""));
    insta::assert_snapshot!("fixed", err);

    // Checking one file only lists what is fixed in that file.
    let (_, _, err) = run(
        root,
        &["check", "--baseline", "gomend-baseline.json", "a.go"],
    );
    assert!(err.contains("a.go: remove-gc: runtime.GC()"), "{err}");
    assert!(!err.contains("sub/b.go"), "{err}");

    // A deleted file under the paths checked is fixed too.
    std::fs::remove_file(root.join("sub/b.go")).unwrap();
    let (_, _, err) = run(root, &["check", "--baseline", "gomend-baseline.json", "."]);
    assert!(
        err.contains("sub/b.go: remove-gc: runtime.GC() (2 times)"),
        "{err}"
    );
}

#[test]
fn paths_are_relative_to_the_baseline() {
    let dir = tree();
    let root = dir.path();
    std::fs::create_dir_all(root.join("ci")).unwrap();
    let (code, _, err) = run(root, &["check", "--write-baseline", "ci/base.json", "."]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(root.join("ci/base.json")).unwrap();
    assert!(text.contains("\"path\": \"../a.go\""), "{text}");
    // Run from elsewhere, naming the same files another way.
    let (code, out, err) = run(
        &root.join("sub"),
        &["check", "--baseline", "../ci/base.json", ".."],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    assert_only_summary(&err);
}

#[test]
fn bad_baselines_are_refused() {
    let dir = tree();
    let root = dir.path();
    write(root, "b.json", "[]");
    let (code, _, err) = run(root, &["check", "--baseline", "b.json", "."]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("gomend: error: --baseline b.json: not a gomend baseline ("),
        "{err}"
    );
    write(root, "b.json", "{\"version\": 9, \"findings\": []}");
    let (code, _, err) = run(root, &["check", "--baseline", "b.json", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("format version 9"), "{err}");
    let (code, _, err) = run(root, &["check", "--baseline", "none.json", "."]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("gomend: error: --baseline none.json: "),
        "{err}"
    );
    let (code, _, err) = run(
        root,
        &[
            "check",
            "--baseline",
            "b.json",
            "--write-baseline",
            "c.json",
            ".",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

fn commit(repo: &Repository, message: &str) {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("t", "t@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

#[test]
fn new_from_rev_reports_only_changed_lines() {
    let dir = tree();
    let root = dir.path();
    let repo = Repository::init(root).unwrap();
    commit(&repo, "first");
    // Nothing changed: nothing reported.
    let (code, out, err) = run(root, &["check", "--new-from-rev", "HEAD", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");

    // A line added to a committed file, and a file that is new (untracked).
    write(
        root,
        "a.go",
        &A.replace("\twork()\n}\n", "\twork()\n\truntime.GC()\n\twork()\n}\n"),
    );
    write(
        root,
        "c.go",
        "package p\n\nimport \"runtime\"\n\nfunc H() {\n\truntime.GC()\n\twork()\n}\n",
    );
    let (code, out, _) = run(root, &["check", "--new-from-rev", "HEAD", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        reported(&out),
        ["a.go:8:2: remove-gc", "c.go:6:2: remove-gc"]
    );

    // Staged changes count as well; REV can be any revision.
    commit(&repo, "second");
    let (_, out, _) = run(root, &["check", "--new-from-rev", "HEAD", "."]);
    assert_eq!(out, "");
    let (_, out, _) = run(root, &["check", "--new-from-rev", "HEAD~1", "."]);
    assert_eq!(
        reported(&out),
        ["a.go:8:2: remove-gc", "c.go:6:2: remove-gc"]
    );

    // With a baseline, both apply.
    let (code, _, _) = run(root, &["check", "--write-baseline", "base.json", "."]);
    assert_eq!(code, 0);
    let (code, out, err) = run(
        root,
        &[
            "check",
            "--baseline",
            "base.json",
            "--new-from-rev",
            "HEAD~1",
            ".",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    assert_only_summary(&err);

    let (code, _, err) = run(root, &["check", "--new-from-rev", "no-such-branch", "."]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(
            "gomend: error: --new-from-rev no-such-branch: not a revision of this repository"
        ),
        "{err}"
    );
}

#[test]
fn new_from_rev_outside_a_repository() {
    let dir = tree();
    let (code, _, err) = run(dir.path(), &["check", "--new-from-rev", "HEAD", "."]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("gomend: error: --new-from-rev: . is not in a git repository"),
        "{err}"
    );
}
