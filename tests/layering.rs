//! Dependencies run one way: the command line uses git, forge and report,
//! which use the engine; recipes plug into the engine. These tests read the
//! source files and fail when a module names a layer above it.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, as (path relative to `src/`, text).
fn sources(dir: &Path, src: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, src, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            let rel = path.strip_prefix(src).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn all_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    sources(&src, &src, &mut out);
    assert!(
        out.iter().any(|(p, _)| p == "engine/mod.rs"),
        "the scan sees the sources"
    );
    out
}

/// Whether `word` occurs in `text` as a whole identifier (`clap` in
/// `clap::Args` or `clap_complete`, not in `clapper`).
fn names(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        before.is_none_or(|c| !ident(c)) && after.is_none_or(|c| !c.is_alphanumeric() || c == '_')
    })
}

/// The lines of `text` that name `crate::<module>` for one of `modules`,
/// as "path:line: text".
fn offending(path: &str, text: &str, what: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if what.iter().any(|w| names(line, w)) {
            found.push(format!("{path}:{}: {}", n + 1, line.trim()));
        }
    }
    found
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    assert!(names("use clap::Args;", "clap"));
    assert!(names("clap_complete::generate", "clap"));
    assert!(!names("a clapper", "clap"));
    assert!(names("crate::cli::EngineArgs", "crate::cli"));
    assert!(!names("crate::client", "crate::cli"));
    assert_eq!(
        offending(
            "git/x.rs",
            "a\n    x: crate::cli::EngineArgs,\n",
            &["crate::cli"]
        ),
        vec!["git/x.rs:2: x: crate::cli::EngineArgs,"]
    );
}

#[test]
fn only_the_command_line_names_the_command_line_or_clap() {
    let mut found = Vec::new();
    for (path, text) in all_sources() {
        if path.starts_with("cli/") || path == "main.rs" {
            continue;
        }
        found.extend(offending(
            &path,
            &text,
            &["crate::cli", "gomend::cli", "clap"],
        ));
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_engine_names_no_module_outside_it() {
    let sources = all_sources();
    let lib = &sources.iter().find(|(p, _)| p == "lib.rs").unwrap().1;
    let others: Vec<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .filter(|m| *m != "engine")
        .map(|m| format!("crate::{m}"))
        .collect();
    assert!(others.len() > 5, "lib.rs lists the modules: {others:?}");
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let mut found = Vec::new();
    for (path, text) in &sources {
        if path.starts_with("engine/") {
            found.extend(offending(path, text, &others));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn git_forge_and_report_stay_below_the_command_line() {
    let mut found = Vec::new();
    for (path, text) in all_sources() {
        if ["git/", "forge/", "report/"]
            .iter()
            .any(|d| path.starts_with(d))
        {
            found.extend(offending(
                &path,
                &text,
                &["crate::cli", "crate::harness", "crate::recipes"],
            ));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
