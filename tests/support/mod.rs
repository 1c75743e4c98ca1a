//! Shared test support: the Go toolchain and running commands with a time limit.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// The `go` binary: `$GOMEND_GO`, else `go` on the PATH. Tests that need it
/// fail (they do not skip) when it is missing: `scripts/test.sh` installs it.
pub fn go_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("GOMEND_GO") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("go"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("the Go toolchain was not found: set GOMEND_GO or run the tests through scripts/test.sh, which installs it")
    })
}

/// `gofmt`, beside `go`.
pub fn gofmt_bin() -> PathBuf {
    let go = go_bin();
    let real = std::fs::canonicalize(&go).unwrap_or(go);
    let beside = real.with_file_name("gofmt");
    if beside.is_file() {
        beside
    } else {
        PathBuf::from("gofmt")
    }
}

/// A `go` command that works offline in a temporary module.
pub fn go(dir: &Path) -> Command {
    let mut c = Command::new(go_bin());
    c.current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", if uses_cgo(dir) { "1" } else { "0" });
    c
}

/// Whether a Go file in `dir` or one level below imports "C" (a cgo
/// fixture needs cgo enabled to build).
fn uses_cgo(dir: &Path) -> bool {
    let files = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    };
    files(dir)
        .into_iter()
        .flat_map(|p| if p.is_dir() { files(&p) } else { vec![p] })
        .filter(|p| p.extension().is_some_and(|x| x == "go"))
        .any(|p| std::fs::read_to_string(&p).is_ok_and(|t| t.contains("import \"C\"")))
}

/// Runs `cmd`, killing it after `limit`. Panics when it cannot start.
pub fn run_with_limit(mut cmd: Command, limit: Duration) -> (Option<i32>, String, bool) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let timed_out = match child.wait_timeout(limit).expect("wait") {
        Some(_) => false,
        None => {
            let _ = child.kill();
            true
        }
    };
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    (status.code(), text, timed_out)
}

/// The `gomend` binary built for these tests.
pub fn gomend() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gomend"))
}

/// Runs gomend in `dir` without colour: exit code, stdout, stderr.
pub fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = gomend()
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("gomend runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Writes `text` to `root/name`, creating the directories on the way.
pub fn write_file(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Copies the directory `from` to `to`, recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
