//! The bad-input matrix: what gomend does with odd files, odd trees and
//! concurrent activity, one case per test, each with the exact expected
//! behaviour.
//!
//! | case | expected |
//! |---|---|
//! | a writer appends while `apply` replaces the file | no append is lost, in either window of the replacement |
//! | `apply link.go`, a symbolic link | skipped with a warning, the link stays a link, the target is unchanged, exit 0 |
//! | a file with two hard links | skipped with a warning, both names keep sharing the old content |
//! | a file owned by another user (run as root) | rewritten, owner and group kept |
//! | a read-only file | refused with an error (exit 2), other files still rewritten; `--force` rewrites it and keeps its mode |
//! | SIGINT during `apply` | exit 130, no temporary left, every file either unchanged or fully rewritten |
//! | a temporary left by a killed run | removed by the next `apply` in that directory |
//! | two `apply` runs at once | the second waits and says so; each fix is applied once |
//! | `go.mod` without a `go` line | Go 1.16, as the go command reads it; an inner module does not inherit the outer one's line |
//! | a workspace with modules at 1.13, 1.21 and 1.23 | each module's own version, the same in `diff` and `branch` |
//! | a CRLF file | inserted lines end in CRLF |
//! | a file name with a tab | the diff header is quoted as git does, and `git apply` takes it |
//! | `diff ../other` from a subdirectory of a repository | headers relative to the repository root, which stderr names |
//! | a listed file that does not exist | exit 2 by default; `--ignore-missing` skips it with a note |
//! | a 1.6 MB file with 20,000 fixes | rewritten with a peak below one syntax tree plus 12 times the file (`tests/memory.rs`); time grows linearly with the findings (`bench/positions.sh`) |

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::gomend;

/// A module with one file per name, each holding one fix of the test recipe.
fn module(dir: &Path, names: &[&str]) {
    std::fs::write(dir.join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    for n in names {
        std::fs::write(dir.join(n), source(n)).unwrap();
    }
}

/// Go source with one `strings.Replace(..., -1)` call for the test recipe.
fn source(tag: &str) -> String {
    let id: String = tag.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!(
        "package p\n\nimport \"strings\"\n\nfunc Clean{id}(s string) string {{\n\treturn strings.Replace(s, \"a\", \"b\", -1)\n}}\n"
    )
}

/// A directory holding one user recipe `id` that matches
/// `strings.Replace(s, old, new, -1)`: a fix to `strings.ReplaceAll` when
/// `fix`, a report otherwise; `go_before` gates it on the Go version.
fn user_recipe(id: &str, fix: bool, go_before: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "id = \"{id}\"\nkind = \"{}\"\nsummary = \"Use strings.ReplaceAll\"\nmessage = \"strings.Replace with -1 replaces every match\"\nrationale = \"Shorter and clearer.\"\n",
        if fix { "fix" } else { "report" }
    );
    if fix {
        text.push_str("rewrite = \"strings.ReplaceAll(s, old, new)\"\n");
    }
    text.push_str("\n[match]\n");
    if let Some(v) = go_before {
        text.push_str(&format!("go-before = \"{v}\"\n"));
    }
    text.push_str("imports = { strings = \"strings\" }\nrule = { pattern = \"strings.Replace($S, $O, $N, -1)\" }\n");
    if fix {
        text.push_str("\n[fix]\ntemplate = \"strings.ReplaceAll($S, $O, $N)\"\n");
    }
    std::fs::write(dir.path().join(format!("{id}.toml")), text).unwrap();
    dir
}

/// The fix recipe most tests use.
fn recipe_dir() -> tempfile::TempDir {
    user_recipe("replace-all", true, None)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = gomend()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("gomend runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn apply_with_recipe(dir: &Path, extra: &[&str]) -> Run {
    let recipes = recipe_dir();
    let codemods = recipes.path().to_string_lossy().into_owned();
    let mut args = vec!["apply", "--recipe", "replace-all", "--codemods", &codemods];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn rewritten(text: &str) -> bool {
    text.contains("strings.ReplaceAll(") && !text.contains("strings.Replace(")
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".gomend-"))
        .collect()
}

fn append(path: &Path, line: &str) {
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    f.write_all(line.as_bytes()).unwrap();
}

fn replaced(original: &str) -> String {
    original
        .replace("strings.Replace(", "strings.ReplaceAll(")
        .replace(", -1)", ")")
}

#[test]
fn an_append_in_either_window_of_a_replacement_is_kept() {
    use gomend::write::{replace_file_observed, Stage, WriteOptions};
    for window in [Stage::BeforeLastCheck, Stage::BeforeRename] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        let original = source("a");
        std::fs::write(&path, &original).unwrap();
        let r = replace_file_observed(
            &path,
            &original,
            &replaced(&original),
            WriteOptions::default(),
            &mut |stage| {
                if stage == window {
                    append(&path, "// late\n");
                }
            },
        );
        assert!(r.is_err(), "{window:?}: the rewrite should give way");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{original}// late\n"),
            "{window:?}"
        );
        assert!(temporaries(dir.path()).is_empty());
    }
}

#[test]
fn a_concurrent_append_is_never_lost() {
    use gomend::write::{replace_file_observed, Stage, WriteOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.go");
    let settled = Arc::new(AtomicBool::new(false));
    let mut lost = Vec::new();
    let mut refused = 0;
    for trial in 0..300u64 {
        let original = source("x");
        std::fs::write(&path, &original).unwrap();
        settled.store(false, Ordering::SeqCst);
        let appender = {
            let path = path.clone();
            let settled = settled.clone();
            std::thread::spawn(move || {
                // Appends whose write returned before the replacement read
                // the files for the last time must all survive; a write into
                // the old file after that is what no rename-based save can
                // keep (see `gomend::write`).
                let mut must_survive = Vec::new();
                for n in 0..20 {
                    if settled.load(Ordering::SeqCst) {
                        break;
                    }
                    let line = format!("// append {trial}-{n}\n");
                    append(&path, &line);
                    if !settled.load(Ordering::SeqCst) {
                        must_survive.push(line);
                    }
                    std::thread::sleep(Duration::from_micros(50 + (trial % 7) * 40));
                }
                must_survive
            })
        };
        std::thread::sleep(Duration::from_micros((trial % 11) * 30));
        let r = replace_file_observed(
            &path,
            &original,
            &replaced(&original),
            WriteOptions::default(),
            &mut |stage| {
                if stage == Stage::Settled {
                    settled.store(true, Ordering::SeqCst);
                }
            },
        );
        settled.store(true, Ordering::SeqCst);
        if r.is_err() {
            refused += 1;
        }
        let appended = appender.join().unwrap();
        let now = std::fs::read_to_string(&path).unwrap();
        for line in appended {
            if !now.contains(&line) {
                lost.push(line);
            }
        }
    }
    assert!(lost.is_empty(), "appends lost: {lost:?}");
    assert!(
        refused > 0,
        "the appender never raced the writer: the test proves nothing"
    );
    assert!(temporaries(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_skipped_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["target.go"]);
    std::os::unix::fs::symlink("target.go", dir.path().join("link.go")).unwrap();
    let r = apply_with_recipe(dir.path(), &["link.go"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("link.go") && r.stderr.contains("symbolic link"),
        "{}",
        r.stderr
    );
    let meta = std::fs::symlink_metadata(dir.path().join("link.go")).unwrap();
    assert!(meta.file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("target.go")).unwrap(),
        source("target.go")
    );
}

#[cfg(unix)]
#[test]
fn hard_links_are_not_split() {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["a.go"]);
    std::fs::hard_link(dir.path().join("a.go"), dir.path().join("b.go.txt")).unwrap();
    let r = apply_with_recipe(dir.path(), &["."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("hard links"), "{}", r.stderr);
    use std::os::unix::fs::MetadataExt;
    let a = std::fs::metadata(dir.path().join("a.go")).unwrap();
    let b = std::fs::metadata(dir.path().join("b.go.txt")).unwrap();
    assert_eq!(a.ino(), b.ino());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.go")).unwrap(),
        source("a.go")
    );
}

#[cfg(unix)]
#[test]
fn owner_and_group_are_kept_when_root() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["a.go"]);
    let file = dir.path().join("a.go");
    let me = std::fs::metadata(&file).unwrap();
    if me.uid() != 0 {
        // Only root may give a file away: as another user the owner is
        // ours already, which the rewrite keeps trivially.
        let r = apply_with_recipe(dir.path(), &["."]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(std::fs::metadata(&file).unwrap().uid(), me.uid());
        return;
    }
    // nobody:nogroup on Debian.
    std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
    let r = apply_with_recipe(dir.path(), &["."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after = std::fs::metadata(&file).unwrap();
    assert!(rewritten(&std::fs::read_to_string(&file).unwrap()));
    assert_eq!((after.uid(), after.gid()), (65534, 65534));
}

#[cfg(unix)]
#[test]
fn read_only_files_are_refused_unless_forced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["locked.go", "open.go"]);
    let locked = dir.path().join("locked.go");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    let r = apply_with_recipe(dir.path(), &["."]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("locked.go")
            && r.stderr.contains("read-only")
            && r.stderr.contains("--force"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&locked).unwrap(),
        source("locked.go")
    );
    assert!(rewritten(
        &std::fs::read_to_string(dir.path().join("open.go")).unwrap()
    ));
    let r = apply_with_recipe(dir.path(), &["--force", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(rewritten(&std::fs::read_to_string(&locked).unwrap()));
    assert_eq!(
        std::fs::metadata(&locked).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[cfg(unix)]
#[test]
fn sigint_finishes_the_file_being_written_and_leaves_no_temporary() {
    let names: Vec<String> = (0..3000).map(|i| format!("f{i:04}.go")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let recipes = recipe_dir();
    let mut interrupted_once = false;
    for attempt in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        module(dir.path(), &refs);
        let mut child = gomend()
            .args(["apply", "--recipe", "replace-all", "--codemods"])
            .arg(recipes.path())
            .arg(".")
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until writing has started, then interrupt.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            let done = names.iter().take(400).any(|n| {
                rewritten(&std::fs::read_to_string(dir.path().join(n)).unwrap_or_default())
            });
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(2 + attempt));
        }
        let pid = child.id().to_string();
        Command::new("kill").args(["-INT", &pid]).status().unwrap();
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert!(
            temporaries(dir.path()).is_empty(),
            "temporaries left: {:?}",
            temporaries(dir.path())
        );
        let mut fixed = 0;
        for n in &names {
            let text = std::fs::read_to_string(dir.path().join(n)).unwrap();
            if rewritten(&text) {
                fixed += 1;
            } else {
                assert_eq!(
                    text,
                    source(n),
                    "{n} is neither the original nor the rewrite"
                );
            }
        }
        if status.code() == Some(130) {
            assert!(stderr.contains("interrupted"), "{stderr}");
            assert!(
                fixed < names.len(),
                "an interrupted run finished every file"
            );
            interrupted_once = true;
        } else {
            // The run ended before the signal arrived.
            assert_eq!(status.code(), Some(0), "{stderr}");
        }
    }
    assert!(interrupted_once, "no attempt was interrupted while writing");
}

#[test]
fn a_killed_runs_temporary_is_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["a.go"]);
    // A process id far above any Linux pid_max.
    let stale = dir.path().join(".a.go.gomend-4999999-Ab12Cd.tmp");
    std::fs::write(&stale, source("a.go")).unwrap();
    let foreign = dir.path().join(".notes.tmp");
    std::fs::write(&foreign, "keep").unwrap();
    let r = apply_with_recipe(dir.path(), &["."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!stale.exists(), "{}", r.stderr);
    assert!(
        r.stderr.contains("left by an interrupted run"),
        "{}",
        r.stderr
    );
    assert!(foreign.exists());
}

#[test]
fn two_runs_at_once_apply_each_fix_once() {
    let names: Vec<String> = (0..1500).map(|i| format!("f{i:04}.go")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &refs);
    let recipes = recipe_dir();
    let spawn = || {
        gomend()
            .args(["apply", "--recipe", "replace-all", "--codemods"])
            .arg(recipes.path())
            .arg(".")
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn();
    let b = spawn();
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();
    let fixes = |o: &std::process::Output| -> usize {
        let text = String::from_utf8_lossy(&o.stdout);
        let first = text.lines().next().unwrap_or("");
        first
            .split(", ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no summary in {text:?}"))
    };
    assert_eq!(fixes(&a) + fixes(&b), names.len());
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(stderr.contains("waiting"), "neither run waited: {stderr}");
    assert!(a.status.success() && b.status.success(), "{stderr}");
}

/// A user recipe that only runs below Go 1.22, to show which version a file got.
fn old_go_recipe() -> tempfile::TempDir {
    user_recipe("old-go", false, Some("1.22"))
}

fn findings(dir: &Path, recipes: &Path) -> Vec<String> {
    let r = run_in(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--codemods",
            &recipes.to_string_lossy(),
            "--recipe",
            "old-go",
            ".",
        ],
    );
    assert!(r.code <= 1, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn a_go_mod_without_a_go_line_is_go_1_16() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module outer\n\ngo 1.23\n").unwrap();
    std::fs::write(dir.path().join("a.go"), source("a")).unwrap();
    std::fs::create_dir_all(dir.path().join("tools")).unwrap();
    std::fs::write(dir.path().join("tools/go.mod"), "module tools\n").unwrap();
    std::fs::write(dir.path().join("tools/b.go"), source("b")).unwrap();
    let recipes = old_go_recipe();
    assert_eq!(findings(dir.path(), recipes.path()), ["tools/b.go"]);
    // A go line that is not a version is named, not silently read as the newest Go.
    std::fs::write(
        dir.path().join("tools/go.mod"),
        "module tools\n\ngo latest\n",
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &[
            "check",
            "--codemods",
            &recipes.path().to_string_lossy(),
            "--recipe",
            "old-go",
            ".",
        ],
    );
    assert!(
        r.stderr.contains("tools/go.mod") && r.stderr.contains("latest"),
        "{}",
        r.stderr
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_workspace_keeps_each_modules_version_in_diff_and_branch() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (m, v) in [("m13", "1.13"), ("m21", "1.21"), ("m23", "1.23")] {
        std::fs::create_dir_all(root.join(m)).unwrap();
        std::fs::write(
            root.join(m).join("go.mod"),
            format!("module {m}\n\ngo {v}\n"),
        )
        .unwrap();
        std::fs::write(root.join(m).join("x.go"), source(m)).unwrap();
    }
    std::fs::write(
        root.join("go.work"),
        "go 1.24\n\nuse (\n\t./m13\n\t./m21\n\t./m23\n)\n",
    )
    .unwrap();
    // A fix that runs below 1.22 only: m13 and m21 change, m23 does not.
    let recipes = user_recipe("old-fix", true, Some("1.22"));
    let codemods = recipes.path().to_string_lossy().into_owned();
    let diff = run_in(
        root,
        &["diff", "--codemods", &codemods, "--recipe", "old-fix", "."],
    );
    let changed = |text: &str| -> Vec<String> {
        let mut v: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("+++ b/"))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        changed(&diff.stdout),
        ["m13/x.go", "m21/x.go"],
        "{}",
        diff.stderr
    );
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "base"]);
    let b = run_in(
        root,
        &["branch", "--codemods", &codemods, "--recipe", "old-fix"],
    );
    assert_eq!(b.code, 0, "{}{}", b.stdout, b.stderr);
    let branches = git(
        root,
        &[
            "for-each-ref",
            "--format=%(refname:short)",
            "refs/heads/gomend",
        ],
    );
    let branch = branches
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no branch made: {}", b.stdout));
    let files = git(root, &["diff", "--name-only", "main", branch]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort();
    assert_eq!(files, ["m13/x.go", "m21/x.go"]);
}

#[test]
fn lines_inserted_into_a_crlf_file_end_in_crlf() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("go.mod"), "module m\n\ngo 1.22\n").unwrap();
    let src = "package p\r\n\r\nimport (\r\n\t\"context\"\r\n\t\"time\"\r\n)\r\n\r\nfunc call(ctx context.Context) error { return ctx.Err() }\r\n\r\nfunc Fetch(parent context.Context) error {\r\n\tctx, _ := context.WithTimeout(parent, time.Second)\r\n\treturn call(ctx)\r\n}\r\n";
    std::fs::write(dir.path().join("a.go"), src).unwrap();
    let r = run_in(dir.path(), &["apply", "--recipe", "lost-cancel", "."]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert!(out.contains("defer cancel()\r\n"), "{out:?}");
    assert_eq!(
        out.matches('\n').count(),
        out.matches("\r\n").count(),
        "{out:?}"
    );
}

#[test]
fn a_name_with_a_tab_gets_a_quoted_header_that_git_applies() {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["tab\there.go"]);
    git(dir.path(), &["init", "-q"]);
    let recipes = recipe_dir();
    let r = run_in(
        dir.path(),
        &[
            "diff",
            "--recipe",
            "replace-all",
            "--codemods",
            &recipes.path().to_string_lossy(),
            ".",
        ],
    );
    assert!(r.stdout.contains("--- \"a/tab\\there.go\""), "{}", r.stdout);
    let mut apply = Command::new("git")
        .args(["apply", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    apply
        .stdin
        .take()
        .unwrap()
        .write_all(r.stdout.as_bytes())
        .unwrap();
    assert!(apply.wait().unwrap().success());
    assert!(rewritten(
        &std::fs::read_to_string(dir.path().join("tab\there.go")).unwrap()
    ));
}

#[test]
fn diff_from_a_subdirectory_names_paths_from_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::create_dir_all(root.join("other")).unwrap();
    module(&root.join("other"), &["o.go"]);
    git(root, &["init", "-q"]);
    let recipes = recipe_dir();
    let r = run_in(
        &root.join("sub"),
        &[
            "diff",
            "--recipe",
            "replace-all",
            "--codemods",
            &recipes.path().to_string_lossy(),
            "../other",
        ],
    );
    assert!(r.stdout.contains("--- a/other/o.go"), "{}", r.stdout);
    assert!(!r.stdout.contains(".."), "{}", r.stdout);
    let canonical = root.canonicalize().unwrap();
    assert!(
        r.stderr.contains(&*canonical.to_string_lossy()),
        "{}",
        r.stderr
    );
    let mut apply = Command::new("git")
        .args(["apply", "-"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    apply
        .stdin
        .take()
        .unwrap()
        .write_all(r.stdout.as_bytes())
        .unwrap();
    assert!(apply.wait().unwrap().success());
    assert!(rewritten(
        &std::fs::read_to_string(root.join("other/o.go")).unwrap()
    ));
}

#[test]
fn missing_listed_files_fail_unless_ignored() {
    let dir = tempfile::tempdir().unwrap();
    module(dir.path(), &["a.go"]);
    let r = run_in(dir.path(), &["check", "a.go", "gone.go"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("gone.go") && r.stderr.contains("--ignore-missing"),
        "{}",
        r.stderr
    );
    let r = run_in(
        dir.path(),
        &["check", "--ignore-missing", "a.go", "gone.go"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("gone.go: no such file; skipped"),
        "{}",
        r.stderr
    );
}
