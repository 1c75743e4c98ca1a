//! Which files gomend looks at, in what order.
//!
//! A directory is walked recursively, honouring `.gitignore` and skipping
//! `vendor/`, `testdata/` and directories whose names start with `.` or `_`
//! (the go command ignores those too). A file named on the command line is
//! taken as given. Generated files are recognised by their content, after
//! reading (see [`is_generated`]).

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

/// What to include.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOptions {
    /// Include `_test.go` files.
    pub tests: bool,
    /// Keep only the files of this shard.
    pub shard: Option<Shard>,
}

/// One part of a stable partition of the file set: `--shard K/N` keeps
/// the files whose key hashes to K among N parts.
///
/// A file's key is its path relative to the directory named on the
/// command line that it was found under (or the path as given, for a file
/// named directly), with `/` separators and no leading `./`. The hash is
/// 64-bit FNV-1a over the key's UTF-8 bytes; the file belongs to shard
/// `hash % N + 1`. Both are fixed by their definitions, so every machine,
/// checkout location and build puts a file in the same shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index of this shard.
    pub index: u64,
    /// How many shards there are.
    pub count: u64,
}

impl Shard {
    /// The shard (1-based) that the file with this key belongs to.
    pub fn of(key: &str, count: u64) -> u64 {
        use std::hash::Hasher;
        let mut h = fnv::FnvHasher::default();
        h.write(key.as_bytes());
        h.finish() % count + 1
    }

    /// Whether the file with this key belongs to this shard.
    pub fn contains(&self, key: &str) -> bool {
        Shard::of(key, self.count) == self.index
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = "expected K/N, two whole numbers with 1 <= K <= N (e.g. 2/8: the second of eight shards)";
        let Some((k, n)) = s.trim().split_once('/') else {
            return Err(usage.to_string());
        };
        let number = |x: &str, what: &str| {
            x.trim()
                .parse::<u64>()
                .map_err(|_| format!("{what} `{}` is not a whole number; {usage}", x.trim()))
        };
        let index = number(k, "K")?;
        let count = number(n, "N")?;
        if count == 0 {
            return Err("N, the number of shards, must be at least 1".to_string());
        }
        if index == 0 {
            return Err(format!(
                "shards count from 1, so K must be between 1 and {count}"
            ));
        }
        if index > count {
            return Err(format!(
                "there are only {count} shards, so K must be between 1 and {count}"
            ));
        }
        Ok(Shard { index, count })
    }
}

/// The shard key of a path: `/` separators, no leading `./`.
fn shard_key(path: &Path) -> String {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::RootDir => parts.push(String::new()),
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

/// Whether a repository-relative path is one gomend looks at when walking.
pub fn wants(rel: &Path, opts: WalkOptions) -> bool {
    let is_go = rel.extension().is_some_and(|e| e == "go");
    if !is_go {
        return false;
    }
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if !opts.tests && name.ends_with("_test.go") {
        return false;
    }
    let dirs = rel.parent().into_iter().flat_map(|p| p.components());
    for c in dirs {
        if let std::path::Component::Normal(s) = c {
            if skips_dir(&s.to_string_lossy()) {
                return false;
            }
        }
    }
    true
}

fn skips_dir(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

/// Whether Go source is generated (`// Code generated ... DO NOT EDIT.`
/// before the package clause).
pub fn is_generated(src: &str) -> bool {
    for line in src.lines() {
        let l = line.trim_end();
        if l.starts_with("package ") {
            return false;
        }
        if l.starts_with("// Code generated ") && l.ends_with(" DO NOT EDIT.") {
            return true;
        }
    }
    false
}

/// A problem met while walking.
#[derive(Debug)]
pub struct WalkError(pub String);

/// What [`collect`] found.
#[derive(Debug, Default)]
pub struct Collected {
    pub files: Vec<PathBuf>,
    pub errors: Vec<WalkError>,
    /// Paths named on the command line that do not exist.
    pub missing: Vec<PathBuf>,
}

/// The Go files under `roots`, sorted within each root, each path once.
/// Errors (a missing path, an unreadable directory) are returned beside
/// the files so that one bad path does not hide the others.
pub fn collect(roots: &[PathBuf], opts: WalkOptions) -> (Vec<PathBuf>, Vec<WalkError>) {
    let c = collect_all(roots, opts);
    let mut errors = c.errors;
    errors.extend(c.missing.iter().map(|m| {
        WalkError(format!(
            "{}: No such file or directory (os error 2)",
            m.display()
        ))
    }));
    (c.files, errors)
}

/// [`collect`], telling missing paths apart from other problems.
pub fn collect_all(roots: &[PathBuf], opts: WalkOptions) -> Collected {
    // Each file with its shard key.
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    for root in roots {
        match std::fs::metadata(root) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                missing.push(root.clone());
                continue;
            }
            Err(e) => {
                errors.push(WalkError(format!("{}: {e}", root.display())));
                continue;
            }
            Ok(m) if m.is_file() => {
                files.push((root.clone(), shard_key(root)));
                continue;
            }
            Ok(_) => {}
        }
        let walker = WalkBuilder::new(root)
            .standard_filters(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(|e| {
                e.depth() == 0
                    || !e.file_type().is_some_and(|t| t.is_dir())
                    || !skips_dir(&e.file_name().to_string_lossy())
            })
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    let p = e.path();
                    let rel = p.strip_prefix(root).unwrap_or(p);
                    if wants(rel, opts) {
                        files.push((p.to_path_buf(), shard_key(rel)));
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(WalkError(e.to_string())),
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|(f, _)| seen.insert(f.clone()));
    // Sharding comes after removing duplicates, so that a file named twice
    // is judged by the key of its first appearance, as a full run keeps it.
    let files = files
        .into_iter()
        .filter(|(_, key)| opts.shard.is_none_or(|s| s.contains(key)))
        .map(|(f, _)| f)
        .collect();
    Collected {
        files,
        errors,
        missing,
    }
}

/// How a path is shown to the user: relative to the current directory when
/// it is inside it, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = match cwd.as_deref().and_then(|c| abs.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_the_go_command_skips() {
        let o = WalkOptions::default();
        assert!(wants(Path::new("a/b.go"), o));
        assert!(!wants(Path::new("a/b_test.go"), o));
        assert!(wants(
            Path::new("a/b_test.go"),
            WalkOptions {
                tests: true,
                ..WalkOptions::default()
            }
        ));
        assert!(!wants(Path::new("vendor/x/b.go"), o));
        assert!(!wants(Path::new("a/testdata/b.go"), o));
        assert!(!wants(Path::new("_old/b.go"), o));
        assert!(!wants(Path::new(".git/b.go"), o));
        assert!(!wants(Path::new("a/b.txt"), o));
    }

    #[test]
    fn shard_parsing_explains_bad_input() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard { index: 1, count: 1 }));
        let err = |s: &str| s.parse::<Shard>().unwrap_err();
        assert!(err("0/3").contains("count from 1"), "{}", err("0/3"));
        assert!(err("4/3").contains("only 3 shards"), "{}", err("4/3"));
        assert!(err("1/0").contains("at least 1"), "{}", err("1/0"));
        assert!(err("junk").contains("expected K/N"), "{}", err("junk"));
        assert!(err("a/3").contains("not a whole number"), "{}", err("a/3"));
        assert!(
            err("-1/3").contains("not a whole number"),
            "{}",
            err("-1/3")
        );
        assert!(
            err("1/2/3").contains("not a whole number"),
            "{}",
            err("1/2/3")
        );
    }

    #[test]
    fn shard_hash_is_fixed_by_its_definition() {
        // 64-bit FNV-1a: these values can be recomputed with any
        // implementation of it, so the partition never moves.
        use std::hash::Hasher;
        let mut h = fnv::FnvHasher::default();
        h.write(b"");
        assert_eq!(h.finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = fnv::FnvHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Shard::of("a", 7), 0xaf63_dc4c_8601_ec8c % 7 + 1);
        assert_eq!(shard_key(Path::new("./pkg/a.go")), "pkg/a.go");
        assert_eq!(shard_key(Path::new("/src/pkg/a.go")), "/src/pkg/a.go");
        // Every file lands in exactly one shard.
        for key in ["a.go", "pkg/b.go", "cmd/x/main.go"] {
            let homes: Vec<u64> = (1..=5)
                .filter(|&k| Shard { index: k, count: 5 }.contains(key))
                .collect();
            assert_eq!(homes.len(), 1, "{key}: {homes:?}");
        }
    }

    #[test]
    fn recognises_generated_files() {
        assert!(is_generated(
            "// Code generated by stringer; DO NOT EDIT.\n\npackage a\n"
        ));
        assert!(!is_generated(
            "package a\n// Code generated by x. DO NOT EDIT.\n"
        ));
        assert!(!is_generated("// Code generated by hand.\npackage a\n"));
    }
}
