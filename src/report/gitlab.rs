//! GitLab Code Quality (a JSON array in the Code Climate issue format), which
//! GitLab shows in the merge request and the pipeline when a job publishes
//! it as `artifacts: reports: codequality`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Printer, Rules};
use crate::engine::FileOutcome;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

pub struct GitlabPrinter<W: Write> {
    out: W,
    rules: Rules,
    first: bool,
}

impl<W: Write> GitlabPrinter<W> {
    pub fn new(out: W, rules: Rules) -> Self {
        GitlabPrinter {
            out,
            rules,
            first: true,
        }
    }
}

/// A finding's identity across runs: its recipe, its file, the text of its
/// first line without the indentation, and how many findings of that kind
/// came before it on identical lines of the file. Lines added or removed
/// elsewhere in the file do not change it, so GitLab can tell new findings
/// from old ones. The value is the SHA-1 that git gives the same bytes as
/// a blob: stable across platforms and versions.
pub fn fingerprint(recipe: &str, path: &str, line_text: &str, occurrence: usize) -> String {
    let key = format!("{recipe}\0{path}\0{}\0{occurrence}", line_text.trim());
    git2::Oid::hash_object(git2::ObjectType::Blob, key.as_bytes())
        .map(|oid| oid.to_string())
        .unwrap_or_else(|_| key.replace('\0', ":"))
}

impl<W: Write> Printer for GitlabPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        let mut lines = super::LineCursor::new(source);
        for f in &outcome.findings {
            let id = &*f.finding.recipe;
            let text = lines.nth(f.line - 1).unwrap_or("").trim();
            let n = seen.entry((id, text)).or_insert(0);
            let issue = Issue {
                description: &f.finding.message,
                check_name: id,
                fingerprint: fingerprint(id, path, text, *n),
                severity: match self.rules.severity(id) {
                    "note" => "info",
                    _ => "minor",
                },
                location: Location {
                    path,
                    lines: Lines {
                        begin: f.line,
                        end: f.end_line,
                    },
                },
            };
            *n += 1;
            self.out
                .write_all(if self.first { b"[\n  " } else { b",\n  " })?;
            self.first = false;
            serde_json::to_writer(&mut self.out, &issue)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        let a = fingerprint("remove-gc", "a.go", "\truntime.GC()", 0);
        assert_eq!(a, fingerprint("remove-gc", "a.go", "runtime.GC()  ", 0));
        assert_eq!(a.len(), 40);
        assert_ne!(a, fingerprint("remove-gc", "a.go", "runtime.GC()", 1));
        assert_ne!(a, fingerprint("remove-gc", "b.go", "runtime.GC()", 0));
        assert_ne!(a, fingerprint("remove-gosched", "a.go", "runtime.GC()", 0));
    }
}
