//! `--verify` end to end, with the real Go toolchain (`GOMEND_GO`): a codemod
//! whose rewrite type-checks in some places and not in others, so that one
//! package keeps some fixes and loses another.

mod common;
mod support;

use std::path::Path;
use std::process::{Command, Output};

use git2::Repository;

/// Rewrites `fmt.Sprint(x)` into `strconv.Itoa(x)`: right for an int,
/// a type error for anything else.
const ITOA: &str = r#"
id = "sprint-itoa"
kind = "fix"
summary = "Format a single int with strconv.Itoa"
message = "fmt.Sprint of one int: strconv.Itoa says the same for less"
rationale = "A codemod for these tests; it does not look at the argument's type."
[match]
imports = { fmt = "fmt" }
rule = { pattern = "fmt.Sprint($X)" }
[fix]
template = "strconv.Itoa($X)"
imports = ["strconv"]
"#;

const GO_MOD: &str = "module example.com/shop\n\ngo 1.22\n";

/// Three fixes: the second (line 12) is given a string and breaks the build.
const PRICES: &str = r#"package prices

import "fmt"

// Cents renders an amount of cents.
func Cents(c int) string {
	return fmt.Sprint(c) + "c"
}

// Currency renders a currency code.
func Currency(code string) string {
	return "[" + fmt.Sprint(code) + "]"
}

// Units renders a number of units.
func Units(n int) string {
	return fmt.Sprint(n*1) + " units"
}

// Dump shows any value for debugging.
func Dump(v any) string {
	return fmt.Sprintf("%v", v)
}
"#;

/// One fix that builds.
const LABELS: &str = r#"package labels

import "fmt"

// Shelf names shelf number n.
func Shelf(n int) string {
	return "shelf " + fmt.Sprint(n)
}

// Quoted quotes a label.
func Quoted(s string) string {
	return fmt.Sprintf("%q", s)
}
"#;

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}

/// A directory holding the codemod, beside the module.
fn codemods(dir: &Path) -> std::path::PathBuf {
    let cm = dir.join("codemods");
    std::fs::create_dir_all(&cm).unwrap();
    std::fs::write(cm.join("sprint-itoa.toml"), ITOA).unwrap();
    cm
}

/// `gomend` with the test toolchain, offline, and only our codemod.
fn gomend(dir: &Path, args: &[&str]) -> Output {
    let mut cmd = support::gomend();
    cmd.current_dir(dir)
        .env("GOMEND_GO", support::go_bin())
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "0")
        .env_remove("GOFLAGS")
        .env("NO_COLOR", "1")
        .args(args)
        .args(["--codemods", "../codemods", "--recipe", "sprint-itoa"]);
    cmd.output().expect("gomend runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `go build ./...` and `go vet ./...` succeed in `dir`.
fn builds(dir: &Path) -> bool {
    let ok = |args: &[&str]| {
        support::go(dir)
            .args(args)
            .output()
            .expect("go runs")
            .status
            .success()
    };
    ok(&["build", "./..."]) && ok(&["vet", "./..."])
}

fn shop(root: &Path) -> std::path::PathBuf {
    codemods(root);
    let module = root.join("shop");
    write_files(
        &module,
        &[
            ("go.mod", GO_MOD),
            ("prices/prices.go", PRICES),
            ("labels/labels.go", LABELS),
        ],
    );
    module
}

#[test]
fn the_fixture_really_breaks_without_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let module = shop(tmp.path());
    assert!(builds(&module), "the module builds before the rewrite");
    let out = gomend(&module, &["apply", "."]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 files changed, 4 fixes applied"),
        "{stdout}"
    );
    assert!(!builds(&module), "without --verify the broken fix lands");
}

#[test]
fn apply_verify_keeps_the_fixes_that_build_and_drops_the_one_that_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let module = shop(tmp.path());

    let out = gomend(&module, &["apply", "--verify", "."]);

    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("prices/prices.go:12: dropped the sprint-itoa fix"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot use code (variable of type string) as int value"),
        "the compiler's complaint is quoted: {stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("2 files changed, 3 fixes applied"),
        "{stdout}"
    );
    assert!(stdout.contains("1 fix left out"), "{stdout}");
    let prices = std::fs::read_to_string(module.join("prices/prices.go")).unwrap();
    assert!(
        prices.contains("return strconv.Itoa(c) + \"c\""),
        "{prices}"
    );
    assert!(
        prices.contains("\"[\" + fmt.Sprint(code) + \"]\""),
        "{prices}"
    );
    assert!(
        prices.contains("return strconv.Itoa(n*1) + \" units\""),
        "{prices}"
    );
    let labels = std::fs::read_to_string(module.join("labels/labels.go")).unwrap();
    assert!(labels.contains("\"shelf \" + strconv.Itoa(n)"), "{labels}");
    assert!(builds(&module), "what --verify wrote builds");
}

#[test]
fn apply_verify_vets_test_files() {
    let tmp = tempfile::tempdir().unwrap();
    let module = shop(tmp.path());
    // Only the tests use fmt.Sprint on a string: `go build` never sees it,
    // `go vet` compiles it.
    write_files(
        &module,
        &[(
            "labels/labels_test.go",
            "package labels\n\nimport (\n\t\"fmt\"\n\t\"testing\"\n)\n\nfunc TestShelf(t *testing.T) {\n\tif got := Shelf(3); got != \"shelf \"+fmt.Sprint(\"3\") {\n\t\tt.Errorf(\"Shelf(3) = %q\", got)\n\t}\n\tt.Log(fmt.Sprintf(\"%d\", 3))\n}\n",
        )],
    );

    let out = gomend(&module, &["apply", "--verify", "--tests", "labels"]);

    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("labels/labels_test.go:9: dropped the sprint-itoa fix"),
        "{stderr}"
    );
    assert!(stderr.contains("go vet failed"), "{stderr}");
    let labels = std::fs::read_to_string(module.join("labels/labels.go")).unwrap();
    assert!(labels.contains("strconv.Itoa(n)"), "{labels}");
    let test = std::fs::read_to_string(module.join("labels/labels_test.go")).unwrap();
    assert!(test.contains("fmt.Sprint(\"3\")"), "{test}");
    assert!(builds(&module));
}

#[test]
fn apply_verify_drops_the_fixes_of_a_package_that_did_not_build_before() {
    let tmp = tempfile::tempdir().unwrap();
    let module = shop(tmp.path());
    let broken = LABELS.replace(
        "return fmt.Sprintf(\"%q\", s)",
        "return fmt.Sprintf(\"%q\", s) + missing",
    );
    write_files(&module, &[("labels/labels.go", &broken)]);

    let out = gomend(&module, &["apply", "--verify", "labels"]);

    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("labels: not verified: the package did not build before the rewrite"),
        "{stderr}"
    );
    assert!(stderr.contains("undefined: missing"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(module.join("labels/labels.go")).unwrap(),
        broken,
        "nothing unverified is written"
    );
}

#[test]
fn verify_without_a_go_toolchain_fails_before_changing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let module = shop(tmp.path());
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let run = |go: Option<&Path>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gomend"));
        cmd.current_dir(&module)
            .env("PATH", &empty)
            .env_remove("GOMEND_GO")
            .args(args)
            .args(["--codemods", "../codemods", "--recipe", "sprint-itoa"]);
        if let Some(go) = go {
            cmd.env("GOMEND_GO", go);
        }
        cmd.output().unwrap()
    };

    let out = run(
        Some(&tmp.path().join("no-such-go")),
        &["apply", "--verify", "."],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--verify needs a Go toolchain"), "{stderr}");
    assert!(stderr.contains("no-such-go"), "{stderr}");

    let out = run(None, &["apply", "--verify", "."]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--verify needs a Go toolchain and none was found"),
        "{stderr}"
    );
    assert!(stderr.contains("GOMEND_GO"), "{stderr}");

    assert_eq!(
        std::fs::read_to_string(module.join("prices/prices.go")).unwrap(),
        PRICES
    );

    let repo = common::init_repo(
        &module,
        &[
            ("go.mod", GO_MOD),
            ("prices/prices.go", PRICES),
            ("labels/labels.go", LABELS),
        ],
    );
    let out = run(
        None,
        &["branch", "--verify", "--author", "B <b@example.com>"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(repo
        .find_branch("gomend/all", git2::BranchType::Local)
        .is_err());
}

/// `gomend branch --verify` in `dir`, with JSON output.
fn branch(dir: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec![
        "branch",
        "--verify",
        "--format",
        "json",
        "--author",
        "Gomend Bot <bot@example.com>",
    ];
    args.extend(extra);
    let out = gomend(dir, &args);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

#[test]
fn branch_verify_keeps_the_broken_fix_out_of_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    codemods(tmp.path());
    let module = tmp.path().join("shop");
    let repo: Repository = common::init_repo(
        &module,
        &[
            ("go.mod", GO_MOD),
            ("prices/prices.go", PRICES),
            ("labels/labels.go", LABELS),
        ],
    );

    // A clean working tree at the base: verified in place.
    let (records, stderr) = branch(&module, &[]);
    assert!(
        stderr.contains("prices/prices.go:12: dropped the sprint-itoa fix"),
        "{stderr}"
    );
    assert_eq!(records[0]["name"], "gomend/all");
    assert_eq!(records[0]["fixes"]["sprint-itoa"], 3);
    let prices = common::file_at(&repo, "gomend/all", "prices/prices.go");
    assert!(prices.contains("strconv.Itoa(c)"), "{prices}");
    assert!(prices.contains("fmt.Sprint(code)"), "{prices}");
    assert!(prices.contains("strconv.Itoa(n*1)"), "{prices}");
    let labels = common::file_at(&repo, "gomend/all", "labels/labels.go");
    assert!(labels.contains("strconv.Itoa(n)"), "{labels}");

    // The branch builds: check out its tree and build it.
    let out_dir = tmp.path().join("branch-tree");
    std::fs::create_dir_all(&out_dir).unwrap();
    let tree = repo.revparse_single("gomend/all^{tree}").unwrap();
    let mut co = git2::build::CheckoutBuilder::new();
    co.target_dir(&out_dir).force().update_index(false);
    repo.checkout_tree(&tree, Some(&mut co)).unwrap();
    assert!(builds(&out_dir), "the branch builds");

    // A working tree that differs from the base (here: a broken labels
    // package) does not matter: the base tree is what is built.
    let index_before = std::fs::read(repo.path().join("index")).unwrap();
    let broken = LABELS.replace(
        "return fmt.Sprintf(\"%q\", s)",
        "return fmt.Sprintf(\"%q\", s) + missing",
    );
    std::fs::write(module.join("labels/labels.go"), &broken).unwrap();
    let (records, stderr) = branch(&module, &["--name", "again", "--commit-per", "shard"]);
    assert_eq!(records[0]["name"], "again/all", "{stderr}");
    assert_eq!(records[0]["fixes"]["sprint-itoa"], 3, "{stderr}");
    assert!(stderr.contains("prices/prices.go:12: dropped"), "{stderr}");
    assert!(!stderr.contains("did not build before"), "{stderr}");
    assert_eq!(
        common::file_at(&repo, "again/all", "prices/prices.go"),
        prices
    );
    assert_eq!(
        std::fs::read_to_string(module.join("labels/labels.go")).unwrap(),
        broken,
        "the working tree is left alone"
    );
    assert_eq!(
        std::fs::read(repo.path().join("index")).unwrap(),
        index_before,
        "the index is left alone"
    );
    let message = repo
        .revparse_single("again/all")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert!(message.contains("--verify"), "{message}");
}

#[test]
fn pr_dry_run_verify_plans_only_the_fixes_that_build() {
    let tmp = tempfile::tempdir().unwrap();
    codemods(tmp.path());
    let module = tmp.path().join("shop");
    common::init_repo(
        &module,
        &[
            ("go.mod", GO_MOD),
            ("prices/prices.go", PRICES),
            ("labels/labels.go", LABELS),
        ],
    );

    let out = gomend(
        &module,
        &[
            "pr",
            "--repo",
            "acme/shop",
            "--dry-run",
            "--verify",
            "--format",
            "json",
        ],
    );

    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("prices/prices.go:12: dropped the sprint-itoa fix"),
        "{stderr}"
    );
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(records[0]["pr_action"], "planned");
    assert_eq!(records[0]["fixes"]["sprint-itoa"], 3);
    assert!(records[0]["body"].as_str().unwrap().contains("--verify"));
}
