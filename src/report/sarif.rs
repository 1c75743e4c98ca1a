//! SARIF 2.1.0, the format code-scanning services import (GitHub code
//! scanning, GitLab, Azure DevOps, IDE viewers): one run whose tool lists
//! every rule with its prose, one result per finding, and each automatic
//! rewrite as a `fix` made of text replacements.
//!
//! Columns are counted in UTF-16 code units, SARIF's default `columnKind`;
//! replacements also give their exact bytes (`byteOffset`, `byteLength`).

use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{json, Value};

use super::{utf16_position, utf16_span, Printer, Rules};
use crate::engine::{FileOutcome, LineIndex};

/// The schema the output follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Characters a relative URI reference cannot hold as they are.
const URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A displayed path as a relative URI reference (`/` separators, unsafe
/// characters percent-encoded). A path with a colon before any `/` gets a
/// leading `./` so that it is not read as a scheme; an absolute path
/// becomes a `file://` URI.
pub fn path_uri(path: &str) -> String {
    let encoded = utf8_percent_encode(&path.replace('\\', "/"), URI).to_string();
    let first = encoded.split('/').next().unwrap_or("");
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else if first.contains(':') {
        format!("./{encoded}")
    } else {
        encoded
    }
}

pub struct SarifPrinter<W: Write> {
    out: W,
    rules: Rules,
    results: Vec<Value>,
}

impl<W: Write> SarifPrinter<W> {
    pub fn new(out: W, rules: Rules) -> Self {
        SarifPrinter {
            out,
            rules,
            results: Vec::new(),
        }
    }

    fn rule_descriptors(&self) -> Vec<Value> {
        self.rules
            .rules
            .iter()
            .map(|r| {
                json!({
                    "id": r.id,
                    "shortDescription": { "text": r.summary },
                    "fullDescription": { "text": r.rationale.trim() },
                    "help": { "text": r.help },
                    "defaultConfiguration": { "level": r.severity },
                })
            })
            .collect()
    }
}

fn region(source: &str, lines: &LineIndex, range: &std::ops::Range<usize>) -> Value {
    let (l, c) = utf16_position(source, lines, range.start);
    let (el, ec) = utf16_position(source, lines, range.end);
    json!({
        "startLine": l,
        "startColumn": c,
        "endLine": el,
        "endColumn": ec,
        "byteOffset": range.start,
        "byteLength": range.end - range.start,
    })
}

impl<W: Write> Printer for SarifPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        if outcome.findings.is_empty() {
            return Ok(());
        }
        let lines = LineIndex::new(source);
        let uri = path_uri(path);
        for f in &outcome.findings {
            let id = &*f.finding.recipe;
            let (l, c, el, ec) = utf16_span(source, &lines, f);
            let mut result = json!({
                "ruleId": id,
                "level": self.rules.severity(id),
                "message": { "text": f.finding.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": l,
                            "startColumn": c,
                            "endLine": el,
                            "endColumn": ec,
                        },
                    },
                }],
            });
            if let Some((index, _)) = self.rules.find(id) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(fix) = &f.finding.fix {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "deletedRegion": region(source, &lines, &e.range),
                            "insertedContent": { "text": e.text },
                        })
                    })
                    .collect();
                let mut description =
                    "The rewrite `gomend apply` makes; it also adds the imports the new code needs and drops those left unused".to_string();
                if !fix.add_imports.is_empty() {
                    description.push_str(&format!(" (adds {})", fix.add_imports.join(", ")));
                }
                description.push('.');
                result["fixes"] = json!([{
                    "description": { "text": description },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri },
                        "replacements": replacements,
                    }],
                }]);
            }
            self.results.push(result);
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "gomend",
                        "version": env!("CARGO_PKG_VERSION"),
                        "rules": self.rule_descriptors(),
                    },
                },
                "columnKind": "utf16CodeUnits",
                "results": std::mem::take(&mut self.results),
            }],
        });
        serde_json::to_writer_pretty(&mut self.out, &log)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::path_uri;

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(path_uri("cmd/app/main.go"), "cmd/app/main.go");
        assert_eq!(path_uri("a b/c#d%.go"), "a%20b/c%23d%25.go");
        assert_eq!(path_uri("é.go"), "%C3%A9.go");
        assert_eq!(path_uri("c:x/y.go"), "./c:x/y.go");
        assert_eq!(path_uri("/tmp/a b.go"), "file:///tmp/a%20b.go");
    }
}
