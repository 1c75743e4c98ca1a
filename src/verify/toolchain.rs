//! Finding the Go toolchain and running the go command the way `--verify`
//! needs: from a module root, offline-friendly, with an overlay.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable that names the `go` binary to use, ahead of
/// `go` on `PATH`.
pub const GO_ENV: &str = "GOMEND_GO";

/// A working `go` command.
#[derive(Clone, Debug)]
pub struct Toolchain {
    go: PathBuf,
    /// What `go version` said.
    pub version: String,
}

impl Toolchain {
    /// `$GOMEND_GO` when set, else `go` on `PATH`; checked by running
    /// `go version`. The error says what to install or set.
    pub fn find() -> Result<Toolchain, String> {
        let go = match std::env::var_os(GO_ENV) {
            Some(p) if !p.is_empty() => {
                let p = PathBuf::from(p);
                if !p.is_file() {
                    return Err(format!(
                        "--verify needs a Go toolchain: {GO_ENV} is set to {}, which is not a file",
                        p.display()
                    ));
                }
                p
            }
            _ => on_path(std::env::var_os("PATH")).ok_or_else(|| {
                format!(
                    "--verify needs a Go toolchain and none was found: install Go and put `go` on PATH, \
                     or set {GO_ENV} to the go binary"
                )
            })?,
        };
        let out = Command::new(&go)
            .arg("version")
            .env("GOTOOLCHAIN", "local")
            .output()
            .map_err(|e| {
                format!(
                    "--verify needs a Go toolchain: cannot run {}: {e}",
                    go.display()
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "--verify needs a Go toolchain: `{} version` failed: {}",
                go.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Toolchain {
            go,
            version: String::from_utf8_lossy(&out.stdout).trim().to_string(),
        })
    }

    /// A go command run from `module_root`, with `GOTOOLCHAIN=local` and,
    /// unless `GOFLAGS` is set or a workspace is in use, `GOFLAGS=-mod=mod`.
    pub fn command(&self, module_root: &Path) -> Command {
        let mut c = Command::new(&self.go);
        c.current_dir(module_root).env("GOTOOLCHAIN", "local");
        if std::env::var_os("GOFLAGS").is_none() && !in_workspace(module_root) {
            // -mod=mod is refused in workspace mode.
            c.env("GOFLAGS", "-mod=mod");
        }
        c
    }
}

/// `go` (or `go.exe`) in one of the directories of `path`.
fn on_path(path: Option<OsString>) -> Option<PathBuf> {
    let name = if cfg!(windows) { "go.exe" } else { "go" };
    std::env::split_paths(&path?)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Whether the go command would run in workspace mode from `dir`.
fn in_workspace(dir: &Path) -> bool {
    match std::env::var_os("GOWORK") {
        Some(v) if v == "off" => false,
        Some(v) if !v.is_empty() => true,
        _ => dir.ancestors().any(|d| d.join("go.work").is_file()),
    }
}

/// The directory of the `go.mod` nearest above `dir` (or `dir` itself).
pub fn module_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("go.mod").is_file())
        .map(Path::to_path_buf)
}

/// An overlay file for `go build -overlay`: the files of `replace` (absolute
/// paths) are read from copies in `dir` instead of from disk.
pub struct Overlay {
    /// The JSON file to pass to `-overlay`.
    pub json: PathBuf,
    /// Each copy and the file it stands for, to name them in messages.
    pub copies: Vec<(PathBuf, PathBuf)>,
}

impl Overlay {
    /// Writes the copies and the JSON under `dir` (a fresh directory).
    pub fn write(dir: &Path, replace: &BTreeMap<PathBuf, Vec<u8>>) -> std::io::Result<Overlay> {
        std::fs::create_dir_all(dir)?;
        let mut map = serde_json::Map::new();
        let mut copies = Vec::new();
        for (i, (path, content)) in replace.iter().enumerate() {
            // The copy keeps the file's name, so the compiler's messages do too.
            let name = path.file_name().unwrap_or_else(|| "file.go".as_ref());
            let copy_dir = dir.join(i.to_string());
            std::fs::create_dir_all(&copy_dir)?;
            let copy = copy_dir.join(name);
            std::fs::write(&copy, content)?;
            map.insert(
                path.display().to_string(),
                serde_json::Value::String(copy.display().to_string()),
            );
            copies.push((copy, path.clone()));
        }
        let json = dir.join("overlay.json");
        let text = serde_json::json!({ "Replace": map }).to_string();
        std::fs::write(&json, text)?;
        Ok(Overlay { json, copies })
    }
}

/// `to` written relative to `from` (both absolute), as the go command
/// prints paths; None when they share no prefix.
pub fn relative(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/a/b/c"), Path::new("/a/x/y.go")),
            Some(PathBuf::from("../../x/y.go"))
        );
        assert_eq!(
            relative(Path::new("/a"), Path::new("/a/y.go")),
            Some(PathBuf::from("y.go"))
        );
    }

    #[test]
    fn go_is_looked_up_in_path_directories() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(on_path(Some(dir.path().as_os_str().to_owned())), None);
        let name = if cfg!(windows) { "go.exe" } else { "go" };
        std::fs::write(dir.path().join(name), "").unwrap();
        assert_eq!(
            on_path(Some(dir.path().as_os_str().to_owned())),
            Some(dir.path().join(name))
        );
        assert_eq!(on_path(None), None);
    }
}
