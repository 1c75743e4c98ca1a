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
    let mut files = Vec::new();
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
                files.push(root.clone());
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
                        files.push(p.to_path_buf());
                    }
                }
                Ok(_) => {}
                Err(e) => errors.push(WalkError(e.to_string())),
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
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
        assert!(wants(Path::new("a/b_test.go"), WalkOptions { tests: true }));
        assert!(!wants(Path::new("vendor/x/b.go"), o));
        assert!(!wants(Path::new("a/testdata/b.go"), o));
        assert!(!wants(Path::new("_old/b.go"), o));
        assert!(!wants(Path::new(".git/b.go"), o));
        assert!(!wants(Path::new("a/b.txt"), o));
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
