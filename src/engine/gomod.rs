//! The Go language version that applies to a file.
//!
//! A file's version is the `go` directive of its module's `go.mod` (see
//! [`resolve`] for the whole rule, shared by every command). A version given
//! on the command line overrides it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Mutex;

/// A Go language version such as `1.22`. Patch levels and pre-release
/// suffixes are dropped: language semantics change only with minor versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
}

impl GoVersion {
    /// The version assumed where no `go.mod`, `go.work` or `--go-version`
    /// says otherwise: the newest language version the recipes know about.
    pub const ASSUMED: GoVersion = GoVersion::new(1, 27);

    pub const fn new(major: u32, minor: u32) -> Self {
        GoVersion { major, minor }
    }

    /// Whether this version is at least `major.minor`.
    pub fn at_least(self, major: u32, minor: u32) -> bool {
        self >= GoVersion::new(major, minor)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for GoVersion {
    type Err = String;

    /// Accepts `1.22`, `1.22.3`, `1.22rc1`, `go1.22`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches("go");
        let mut parts = t.split('.');
        let major = parts.next().and_then(|p| p.parse().ok());
        let minor = parts.next().map(|p| {
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        });
        match (major, minor) {
            (Some(major), Some(Some(minor))) => Ok(GoVersion { major, minor }),
            (Some(major), None) => Ok(GoVersion { major, minor: 0 }),
            _ => Err(format!(
                "`{s}` is not a Go version (expected something like 1.22)"
            )),
        }
    }
}

/// Reads the `go` directive of a `go.mod` or `go.work` file's text.
pub fn parse_go_directive(text: &str) -> Option<GoVersion> {
    go_directive(text).and_then(Result::ok)
}

/// The `go` line of a `go.mod` or `go.work` text: `None` when there is
/// none, an error when it is there but is not a version.
fn go_directive(text: &str) -> Option<Result<GoVersion, String>> {
    text.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or("").trim();
        let rest = line.strip_prefix("go")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        Some(rest.trim().parse())
    })
}

/// The directories a `go.work` text lists in its `use` directives, as
/// written (relative to the workspace file).
fn workspace_uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if in_block {
            if line == ")" {
                in_block = false;
            } else if !line.is_empty() {
                out.push(line.trim_matches('"').to_string());
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("use") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
            } else if !rest.is_empty() && (line.starts_with("use ") || line.starts_with("use\t")) {
                out.push(rest.trim_matches('"').to_string());
            }
        }
    }
    out
}

/// The go command's language version for a module whose `go.mod` has no
/// `go` line.
pub const MODULE_DEFAULT: GoVersion = GoVersion::new(1, 16);

/// Where [`resolve`] reads `go.mod` and `go.work` files: the file system,
/// or the tree of a commit.
pub trait ModuleFiles {
    /// The text of the file `name` in directory `dir`, if it exists.
    fn read(&self, dir: &Path, name: &str) -> Option<String>;
}

/// The file system.
pub struct Disk;

impl ModuleFiles for Disk {
    fn read(&self, dir: &Path, name: &str) -> Option<String> {
        std::fs::read_to_string(dir.join(name)).ok()
    }
}

/// The version of a directory's Go files, and what was wrong on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub version: GoVersion,
    /// A `go.mod` or `go.work` that could not be read as expected.
    pub warning: Option<String>,
}

/// The language version for the Go files of `dir`, the one rule every
/// command uses (the Go specification reads a package's language version
/// from its own module):
///
/// - the `go` line of the nearest `go.mod` above `dir`;
/// - a `go.mod` without one: the `go` line of a `go.work` further up that
///   lists the module in its `use` directives, else Go's default, 1.16;
/// - no `go.mod` at all: the `go` line of a `go.work` above, else
///   [`GoVersion::ASSUMED`].
///
/// A `go` line that is not a version is warned about and treated as missing.
pub fn resolve(files: &dyn ModuleFiles, dir: &Path) -> Resolved {
    let mut warning = None;
    let mut module: Option<(PathBuf, Option<GoVersion>)> = None;
    for d in dir.ancestors() {
        if let Some(text) = files.read(d, "go.mod") {
            let own = match go_directive(&text) {
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    warning = Some(format!(
                        "{}: {e}; the go line is ignored",
                        d.join("go.mod").display()
                    ));
                    None
                }
                None => None,
            };
            module = Some((d.to_path_buf(), own));
            break;
        }
    }
    if let Some((_, Some(v))) = &module {
        return Resolved {
            version: *v,
            warning,
        };
    }
    let from = module.as_ref().map_or(dir, |(m, _)| m.as_path());
    for d in from.ancestors() {
        let Some(text) = files.read(d, "go.work") else {
            continue;
        };
        let lists_module = match &module {
            None => true,
            Some((m, _)) => workspace_uses(&text).iter().any(|u| {
                let used = normalize(&d.join(u));
                used == normalize(m)
            }),
        };
        if !lists_module {
            continue;
        }
        match go_directive(&text) {
            Some(Ok(v)) => {
                return Resolved {
                    version: v,
                    warning,
                }
            }
            Some(Err(e)) => {
                warning = Some(format!(
                    "{}: {e}; the go line is ignored",
                    d.join("go.work").display()
                ));
            }
            None => {}
        }
        break;
    }
    Resolved {
        version: if module.is_some() {
            MODULE_DEFAULT
        } else {
            GoVersion::ASSUMED
        },
        warning,
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Finds the Go version for files, remembering what it read per directory so
/// that a monorepo's thousands of files cost one look-up per directory.
#[derive(Default)]
pub struct VersionResolver {
    forced: Option<GoVersion>,
    cache: Mutex<HashMap<PathBuf, GoVersion>>,
    warnings: Mutex<Vec<String>>,
}

impl VersionResolver {
    /// `forced` (from `--go-version`) wins over every file.
    pub fn new(forced: Option<GoVersion>) -> Self {
        VersionResolver {
            forced,
            cache: Mutex::default(),
            warnings: Mutex::default(),
        }
    }

    /// The version for the Go file at `path` (see [`resolve`]).
    pub fn version_for(&self, path: &Path) -> GoVersion {
        if let Some(v) = self.forced {
            return v;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
        if let Some(v) = self.cache.lock().expect("version cache").get(&dir) {
            return *v;
        }
        let r = resolve(&Disk, &dir);
        if let Some(w) = r.warning {
            let mut ws = self.warnings.lock().expect("version warnings");
            if !ws.contains(&w) {
                ws.push(w);
            }
        }
        self.cache
            .lock()
            .expect("version cache")
            .insert(dir, r.version);
        r.version
    }

    /// The problems met reading `go.mod` and `go.work` files so far, each
    /// once; taking them empties the list.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().expect("version warnings"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!("1.22".parse(), Ok(GoVersion::new(1, 22)));
        assert_eq!("1.21.3".parse(), Ok(GoVersion::new(1, 21)));
        assert_eq!("1.23rc1".parse(), Ok(GoVersion::new(1, 23)));
        assert_eq!("go1.13".parse(), Ok(GoVersion::new(1, 13)));
        assert!("one".parse::<GoVersion>().is_err());
    }

    #[test]
    fn reads_go_directive() {
        let m = "module x\n\ngo 1.21.0 // pinned\n\ntoolchain go1.22.1\n";
        assert_eq!(parse_go_directive(m), Some(GoVersion::new(1, 21)));
        assert_eq!(parse_go_directive("module x\ngopher 1\n"), None);
    }

    #[test]
    fn the_module_decides_and_a_workspace_only_fills_a_missing_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (m, v) in [
            ("m13", "go 1.13\n"),
            ("m21", "go 1.21\n"),
            ("m23", "go 1.23.4\n"),
            ("bare", ""),
            ("unlisted", ""),
        ] {
            std::fs::create_dir_all(root.join(m).join("pkg")).unwrap();
            std::fs::write(root.join(m).join("go.mod"), format!("module {m}\n{v}")).unwrap();
        }
        std::fs::write(
            root.join("go.work"),
            "go 1.24\n\nuse (\n\t./m13\n\t./m21\n\t./m23\n\t./bare\n)\n",
        )
        .unwrap();
        let r = VersionResolver::new(None);
        let v = |m: &str| r.version_for(&root.join(m).join("pkg/x.go"));
        assert_eq!(v("m13"), GoVersion::new(1, 13));
        assert_eq!(v("m21"), GoVersion::new(1, 21));
        assert_eq!(v("m23"), GoVersion::new(1, 23));
        // No go line: the workspace's, for a module it lists; Go's default otherwise.
        assert_eq!(v("bare"), GoVersion::new(1, 24));
        assert_eq!(v("unlisted"), MODULE_DEFAULT);
        // Outside any module, the workspace's line applies.
        assert_eq!(r.version_for(&root.join("loose.go")), GoVersion::new(1, 24));
        let r = VersionResolver::new(Some(GoVersion::new(1, 9)));
        assert_eq!(r.version_for(&root.join("m13/x.go")), GoVersion::new(1, 9));
    }

    #[test]
    fn an_inner_module_without_a_go_line_does_not_inherit_the_outer_one() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("tools/gen");
        std::fs::create_dir_all(&inner).unwrap();
        std::fs::write(dir.path().join("go.mod"), "module outer\n\ngo 1.23\n").unwrap();
        std::fs::write(dir.path().join("tools/go.mod"), "module tools\n").unwrap();
        let r = VersionResolver::new(None);
        assert_eq!(r.version_for(&inner.join("x.go")), MODULE_DEFAULT);
        assert_eq!(
            r.version_for(&dir.path().join("x.go")),
            GoVersion::new(1, 23)
        );
        assert!(r.take_warnings().is_empty());
    }

    #[test]
    fn a_broken_go_line_is_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module m\n\ngo one.two\n").unwrap();
        let r = VersionResolver::new(None);
        assert_eq!(r.version_for(&dir.path().join("x.go")), MODULE_DEFAULT);
        let w = r.take_warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("go.mod") && w[0].contains("one.two"), "{w:?}");
    }

    #[test]
    fn workspace_use_directives() {
        assert_eq!(
            workspace_uses("go 1.22\nuse ./a\nuse (\n\t./b // x\n\t\"./c\"\n)\n"),
            ["./a", "./b", "./c"]
        );
    }
}
