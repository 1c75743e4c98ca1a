//! The command-line contract: output formats, exit codes and the promise
//! that `gomend diff | git apply` gives exactly what `gomend apply` gives.

mod support;

use std::path::Path;
use std::process::Command;

use support::{copy_dir, gomend};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = gomend()
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("gomend runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A copy of `examples/` in a temporary directory.
fn examples_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("examples"), dir.path());
    dir
}

fn tree_text(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().unwrap() != ".git" {
                    stack.push(p);
                }
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read_to_string(&p).unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn list_shows_every_recipe() {
    let (code, out, _) = run(&["list"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("list", out);
}

#[test]
fn explain_prints_the_recipe_prose() {
    let (code, out, _) = run(&["explain", "remove-gc"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("explain_remove_gc", out);
}

#[test]
fn explain_unknown_recipe_is_an_error() {
    let (code, _, err) = run(&["explain", "no-such-recipe"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown recipe `no-such-recipe`"), "{err}");
    assert!(
        err.contains("remove-gc"),
        "the error lists the known recipes: {err}"
    );
}

#[test]
fn check_text_and_exit_code() {
    let (code, out, _) = run(&["check", "examples"]);
    assert_eq!(code, 1, "findings make check exit 1");
    insta::assert_snapshot!("check_text", out);
}

#[test]
fn check_json() {
    let (code, out, _) = run(&["check", "--format", "json", "examples"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    for f in v.as_array().unwrap() {
        for key in [
            "recipe",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "fix",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
        assert!(f["path"].as_str().unwrap().starts_with("examples/"));
    }
    insta::assert_snapshot!("check_json", out);
}

#[test]
fn check_clean_tree_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.go"), "package a\n\nfunc A() {}\n").unwrap();
    let (code, out, _) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, "[]\n"));
}

#[test]
fn diff_output_and_exit_code() {
    let (code, out, _) = run(&["diff", "examples"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("diff", out);
    let (code, _, _) = run(&["diff", "--exit-code", "examples"]);
    assert_eq!(code, 1, "--exit-code reports a change");
    let (code, _, _) = run(&[
        "diff",
        "--exit-code",
        "--recipe",
        "remove-gc",
        "examples/batch",
    ]);
    assert_eq!(code, 0, "--exit-code with nothing to change");
}

#[test]
fn diff_piped_to_git_apply_equals_apply() {
    let by_diff = examples_copy();
    let by_apply = examples_copy();
    let diff = gomend()
        .args(["diff", "."])
        .current_dir(by_diff.path())
        .output()
        .unwrap();
    assert!(diff.status.success());
    assert!(!diff.stdout.is_empty());
    let mut git = Command::new("git")
        .args(["apply", "-"])
        .current_dir(by_diff.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    use std::io::Write;
    git.stdin.take().unwrap().write_all(&diff.stdout).unwrap();
    assert!(git.wait().unwrap().success(), "git apply accepts the diff");
    let apply = gomend()
        .args(["apply", "."])
        .current_dir(by_apply.path())
        .output()
        .unwrap();
    assert!(apply.status.success());
    assert_eq!(tree_text(by_diff.path()), tree_text(by_apply.path()));
    // A second apply changes nothing.
    let again = gomend()
        .args(["diff", "--exit-code", "."])
        .current_dir(by_apply.path())
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

#[test]
fn apply_prints_a_summary() {
    let dir = examples_copy();
    let out = gomend()
        .args(["apply", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("apply_summary", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn recipe_and_skip_select_recipes() {
    let (_, out, _) = run(&["check", "--recipe", "remove-gc", "examples"]);
    assert!(
        out.contains("remove-gc") && !out.contains("remove-gosched"),
        "{out}"
    );
    let (_, out, _) = run(&["check", "--skip", "remove-gc", "examples"]);
    assert!(
        !out.contains("remove-gc:") && out.contains("remove-gosched"),
        "{out}"
    );
    let (code, _, err) = run(&["check", "--recipe", "nope", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown recipe `nope`"), "{err}");
}

#[test]
fn go_version_flag_overrides_go_mod() {
    let (_, out, _) = run(&[
        "check",
        "--format",
        "json",
        "--recipe",
        "remove-gosched",
        "--go-version",
        "1.13",
        "examples/batch",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fixes: Vec<bool> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fix"].as_bool().unwrap())
        .collect();
    assert!(
        !fixes.is_empty() && fixes.iter().all(|f| !f),
        "before Go 1.14 every yield is report-only: {out}"
    );
    let (code, _, err) = run(&["check", "--go-version", "one", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("--go-version"), "{err}");
}

#[test]
fn file_that_does_not_parse_is_skipped_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "package a\n\nimport \"runtime\"\n\nfunc A() {\n\truntime.GC()\n\tif {\n}\n";
    let good = "package a\n\nimport \"runtime\"\n\nfunc B(n int) int {\n\tn++\n\truntime.GC()\n\treturn n\n}\n";
    std::fs::write(dir.path().join("broken.go"), broken).unwrap();
    std::fs::write(dir.path().join("good.go"), good).unwrap();
    let out = gomend()
        .args(["apply", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.go") && err.contains("syntax error"),
        "the skipped file is named: {err}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a skipped file is a warning, not a failure"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.go")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("good.go")).unwrap(),
        "package a\n\nfunc B(n int) int {\n\tn++\n\treturn n\n}\n"
    );
}

#[test]
fn missing_path_is_an_error() {
    let (code, _, err) = run(&["check", "does/not/exist"]);
    assert_eq!(code, 2);
    assert!(err.contains("does/not/exist"), "{err}");
}

#[test]
fn tests_vendor_and_generated_files_are_skipped_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let body = "package a\n\nimport \"runtime\"\n\nfunc F() {\n\truntime.GC()\n}\n";
    std::fs::create_dir_all(dir.path().join("vendor/x")).unwrap();
    std::fs::write(dir.path().join("vendor/x/v.go"), body).unwrap();
    std::fs::write(dir.path().join("a_test.go"), body).unwrap();
    std::fs::write(
        dir.path().join("gen.go"),
        format!("// Code generated by hand-gen. DO NOT EDIT.\n\n{body}"),
    )
    .unwrap();
    let check = |extra: &[&str]| {
        let out = gomend()
            .arg("check")
            .args(extra)
            .arg(".")
            .current_dir(dir.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(check(&[]), "");
    assert!(check(&["--tests"]).contains("a_test.go"));
    assert!(check(&["--generated"]).contains("gen.go"));
    assert!(!check(&["--tests", "--generated"]).contains("vendor"));
}

#[test]
fn diff_is_colored_only_when_asked() {
    let (_, plain, _) = run(&["diff", "examples"]);
    assert!(!plain.contains('\u{1b}'));
    let (_, colored, _) = run(&["--color", "always", "diff", "examples"]);
    assert!(colored.contains('\u{1b}'));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn branch_commits_the_real_rewrite_without_touching_the_working_tree() {
    let dir = examples_copy();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "start"]);
    // A dirty working tree stays exactly as it is.
    std::fs::write(
        d.join("server/handler.go"),
        "package server\n// work in progress\n",
    )
    .unwrap();
    let before = tree_text(d);
    let out = gomend()
        .args([
            "branch",
            "--recipe",
            "remove-gc",
            "--author",
            "Bot <bot@example.com>",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(tree_text(d), before);
    assert_eq!(git(d, &["status", "--porcelain"]), " M server/handler.go\n");
    let msg = git(d, &["log", "-1", "--format=%B", "gomend/all"]);
    assert!(
        msg.starts_with("gomend: Remove runtime.GC() calls from request paths (remove-gc)"),
        "{msg}"
    );
    assert!(
        msg.contains("gomend branch --recipe remove-gc --base "),
        "{msg}"
    );
    assert!(msg.contains("Gomend-Recipe: remove-gc"), "{msg}");
    // The branch holds what `gomend apply --recipe remove-gc` writes on the base.
    let applied = examples_copy();
    let a = gomend()
        .args(["apply", "--recipe", "remove-gc", "."])
        .current_dir(applied.path())
        .output()
        .unwrap();
    assert!(a.status.success());
    let on_branch = git(d, &["show", "gomend/all:server/handler.go"]);
    assert_eq!(
        on_branch,
        std::fs::read_to_string(applied.path().join("server/handler.go")).unwrap()
    );
}

#[test]
fn syntax_error_elsewhere_keeps_findings_but_blocks_the_rewrite() {
    let dir = tempfile::tempdir().unwrap();
    let src = "package a\n\nimport \"runtime\"\n\nfunc A(n int) int {\n\tn++\n\truntime.GC()\n\treturn n\n}\n\nfunc B() {\n\tif {\n}\n";
    std::fs::write(dir.path().join("a.go"), src).unwrap();
    let check = gomend()
        .args(["check", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(1),
        "the finding away from the error is reported"
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("a.go:7:2: remove-gc"));
    let apply = gomend()
        .args(["apply", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&apply.stderr);
    assert!(
        err.contains("a.go") && err.contains("does not parse"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.go")).unwrap(),
        src
    );
}

#[test]
fn set_changes_a_recipe_setting() {
    let (code, out, _) = run(&[
        "diff",
        "--recipe",
        "bounded-spawn",
        "--set",
        "bounded-spawn.limit=4",
        "fixtures/bounded-spawn/range_param.go",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("make(chan struct{}, 4)"), "{out}");
    let (_, out, _) = run(&[
        "diff",
        "--recipe",
        "bounded-spawn",
        "fixtures/bounded-spawn/range_param.go",
    ]);
    assert!(
        out.contains("make(chan struct{}, 16)"),
        "the default limit is 16: {out}"
    );
    let (code, _, err) = run(&["check", "--set", "bounded-spawn.size=4", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no setting `size`"), "{err}");
    let (code, _, err) = run(&["check", "--set", "bounded-spawn.limit=many", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("takes a whole number"), "{err}");
    let (code, _, err) = run(&["check", "--set", "limit=4", "examples"]);
    assert_eq!(code, 2);
    assert!(err.contains("RECIPE.NAME=VALUE"), "{err}");
}

#[test]
fn gitignored_files_are_skipped_and_jobs_do_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let body = "package a\n\nimport \"runtime\"\n\nfunc F() {\n\truntime.GC()\n}\n";
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join(".gitignore"), "build/\n").unwrap();
    std::fs::create_dir_all(dir.path().join("build")).unwrap();
    std::fs::write(dir.path().join("build/gen.go"), body).unwrap();
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("f{i:02}.go")), body).unwrap();
    }
    let check = |jobs: &str| {
        let out = gomend()
            .args(["check", "--jobs", jobs, "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let one = check("1");
    assert!(!one.contains("build/"), "{one}");
    assert_eq!(one.matches("remove-gc").count(), 40);
    assert_eq!(one, check("4"), "the order does not depend on parallelism");
}

#[test]
fn check_and_diff_end_with_a_summary_on_stderr() {
    let (_, _, err) = run(&["check", "examples"]);
    insta::assert_snapshot!("check_summary", err);
    let (_, _, err) = run(&["diff", "examples"]);
    insta::assert_snapshot!("diff_summary", err);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.go"), "package a\n\nfunc A() {}\n").unwrap();
    let (_, _, err) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(err, "1 file checked: no findings\n");
    let (_, _, err) = run(&["diff", dir.path().to_str().unwrap()]);
    assert!(err.ends_with("1 file checked: no changes\n"), "{err}");
}

#[test]
fn quiet_leaves_only_warnings_and_errors_on_stderr() {
    for cmd in ["check", "diff"] {
        let (code, out, err) = run(&[cmd, "--quiet", "examples"]);
        assert!(code < 2, "{cmd}: {err}");
        assert!(!out.is_empty(), "{cmd}: the report itself is kept");
        assert_eq!(err, "", "{cmd}");
    }
    let (code, _, err) = run(&["check", "-q", "--ignore-missing", "examples", "no/such"]);
    assert_eq!((code, err.as_str()), (1, ""));
    let (code, _, err) = run(&["check", "-q", "no/such"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such"), "errors stay: {err}");
}

/// On a terminal, stderr shows a progress bar with the counts so far; it
/// is cleared at the end and never shown with `--quiet` or off a terminal.
#[cfg(target_os = "linux")]
#[test]
fn progress_is_drawn_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let body =
        "package a\n\nimport \"runtime\"\n\nfunc F(n int) int {\n\truntime.GC()\n\treturn n\n}\n";
    std::fs::write(dir.path().join("go.mod"), "module a\n\ngo 1.22\n").unwrap();
    for i in 0..300 {
        std::fs::write(dir.path().join(format!("f{i:03}.go")), body).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_gomend");
    let in_terminal = |flags: &str| {
        let log = dir.path().join("typescript");
        // `script` gives the command a pseudo-terminal and records it.
        let status = Command::new("script")
            .arg("-qc")
            .arg(format!(
                "{} check {flags} {} >/dev/null",
                bin,
                dir.path().display()
            ))
            .arg(&log)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("`script` (util-linux) runs");
        assert_eq!(status.code(), Some(0), "script itself");
        std::fs::read_to_string(&log).unwrap()
    };
    let shown = in_terminal("");
    assert!(shown.contains("/300 files"), "{shown}");
    assert!(shown.contains("fixable"), "{shown}");
    assert!(shown.contains("ETA"), "{shown}");
    assert!(shown.contains("300 files checked: 300 findings"), "{shown}");
    let quiet = in_terminal("--quiet");
    assert!(!quiet.contains("files"), "{quiet}");
    let (_, _, piped) = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(
        piped,
        "300 files checked: 300 findings, 300 fixable, 0 report-only\n"
    );
}

/// linkname-runtime never reports in the runtime package or in the
/// toolchain's own modules (std, cmd), which ship with the runtime; it
/// decides that before parsing, and reports the same pull anywhere else.
#[test]
fn linkname_pulls_are_reported_outside_the_toolchain_only() {
    let pull = "package PKG\n\nimport _ \"unsafe\"\n\n//go:linkname now runtime.nanotime\nfunc now() int64\n";
    let dir = tempfile::tempdir().unwrap();
    for (module, pkg) in [
        ("std", "clock"),
        ("example.com/app", "runtime"),
        ("example.com/app", "clock"),
    ] {
        let root = dir.path().join(module.replace('/', "_")).join(pkg);
        std::fs::create_dir_all(&root).unwrap();
        support::write_file(
            root.parent().unwrap(),
            "go.mod",
            &format!("module {module}\n\ngo 1.22\n"),
        );
        support::write_file(&root, "clock.go", &pull.replace("PKG", pkg));
    }
    let reported = |module: &str, pkg: &str| {
        let path = dir
            .path()
            .join(module.replace('/', "_"))
            .join(pkg)
            .join("clock.go");
        let (code, out, err) = run(&[
            "check",
            "--recipe",
            "linkname-runtime",
            "--format",
            "json",
            path.to_str().unwrap(),
        ]);
        assert!(code == 0 || code == 1, "{err}");
        out.contains("runtime.nanotime")
    };
    assert!(!reported("std", "clock"));
    assert!(!reported("example.com/app", "runtime"));
    assert!(reported("example.com/app", "clock"));
}
