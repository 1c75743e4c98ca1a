//! The Go language version that applies to a file.
//!
//! A file's version is the `go` directive of the nearest `go.work` or `go.mod`
//! above it (a workspace file wins over the module file beside or below it,
//! as the go command does). A version given on the command line overrides it.

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
    text.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or("").trim();
        let rest = line.strip_prefix("go")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        rest.trim().parse().ok()
    })
}

/// Finds the Go version for files, remembering what it read per directory so
/// that a monorepo's thousands of files cost one look-up per directory.
#[derive(Default)]
pub struct VersionResolver {
    forced: Option<GoVersion>,
    cache: Mutex<HashMap<PathBuf, Option<GoVersion>>>,
}

impl VersionResolver {
    /// `forced` (from `--go-version`) wins over every file.
    pub fn new(forced: Option<GoVersion>) -> Self {
        VersionResolver {
            forced,
            cache: Mutex::default(),
        }
    }

    /// The version for the Go file at `path`.
    pub fn version_for(&self, path: &Path) -> GoVersion {
        if let Some(v) = self.forced {
            return v;
        }
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        abs.parent()
            .and_then(|dir| self.dir_version(dir))
            .unwrap_or(GoVersion::ASSUMED)
    }

    fn dir_version(&self, dir: &Path) -> Option<GoVersion> {
        if let Some(v) = self.cache.lock().expect("version cache").get(dir) {
            return *v;
        }
        let found =
            Self::read_dir_version(dir).or_else(|| dir.parent().and_then(|p| self.dir_version(p)));
        self.cache
            .lock()
            .expect("version cache")
            .insert(dir.to_path_buf(), found);
        found
    }

    /// A directory's own answer: a `go.work` wins; a `go.mod` answers unless
    /// a workspace file further up covers it.
    fn read_dir_version(dir: &Path) -> Option<GoVersion> {
        if let Ok(text) = std::fs::read_to_string(dir.join("go.work")) {
            if let Some(v) = parse_go_directive(&text) {
                return Some(v);
            }
        }
        let text = std::fs::read_to_string(dir.join("go.mod")).ok()?;
        let own = parse_go_directive(&text);
        let workspace = dir.ancestors().skip(1).find_map(|d| {
            std::fs::read_to_string(d.join("go.work"))
                .ok()
                .and_then(|t| parse_go_directive(&t))
        });
        workspace.or(own)
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
    fn nearest_module_wins_and_workspace_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::write(dir.path().join("a/go.mod"), "module a\ngo 1.13\n").unwrap();
        let r = VersionResolver::new(None);
        assert_eq!(r.version_for(&a.join("x.go")), GoVersion::new(1, 13));
        std::fs::write(dir.path().join("go.work"), "go 1.24\nuse ./a\n").unwrap();
        let r = VersionResolver::new(None);
        assert_eq!(r.version_for(&a.join("x.go")), GoVersion::new(1, 24));
        let r = VersionResolver::new(Some(GoVersion::new(1, 9)));
        assert_eq!(r.version_for(&a.join("x.go")), GoVersion::new(1, 9));
    }
}
