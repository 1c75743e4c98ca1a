//! Findings as one JSON array, streamed object by object.

use std::io::{self, Write};

use serde::Serialize;

use super::{docs_pointer, Printer, Rules};
use crate::engine::{FileOutcome, LineIndex};

/// The JSON shape of one finding (a stable contract for tools).
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub recipe: &'a str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    /// Whether an automatic rewrite exists for this finding.
    pub fix: bool,
    /// `warning` for recipe findings, `note` for unused suppressions.
    pub severity: &'a str,
    /// Where the rule is explained (a command to run).
    pub docs: String,
    /// The rewrite's own edits of the original text, for findings with a fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edits: Option<Vec<JsonEdit<'a>>>,
    /// Import paths the rewrite adds, for findings with a fix. (Applying the
    /// rewrite also drops imports it leaves unused.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imports: Option<&'a [String]>,
}

/// One edit: the bytes `start..end` of the original file (also given as
/// 1-based lines and byte columns, end exclusive) become `text`.
#[derive(Serialize)]
pub struct JsonEdit<'a> {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub text: &'a str,
}

pub struct JsonPrinter<W: Write> {
    out: W,
    first: bool,
    rules: Rules,
}

impl<W: Write> JsonPrinter<W> {
    pub fn new(out: W, rules: Rules) -> Self {
        JsonPrinter {
            out,
            first: true,
            rules,
        }
    }

    /// Writes one finding already serialised as a JSON object (by
    /// `gomend merge`, which passes findings through unchanged).
    pub fn raw(&mut self, object: &str) -> io::Result<()> {
        self.separator()?;
        self.out.write_all(object.as_bytes())
    }

    fn separator(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[\n  " } else { b",\n  " })?;
        self.first = false;
        Ok(())
    }
}

impl<W: Write> Printer for JsonPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        let lines = LineIndex::new(source);
        for f in &outcome.findings {
            let edits = f.finding.fix.as_ref().map(|fix| {
                fix.edits
                    .iter()
                    .map(|e| {
                        let (line, column) = lines.position(e.range.start);
                        let (end_line, end_column) = lines.position(e.range.end);
                        JsonEdit {
                            start: e.range.start,
                            end: e.range.end,
                            line,
                            column,
                            end_line,
                            end_column,
                            text: &e.text,
                        }
                    })
                    .collect()
            });
            let j = JsonFinding {
                recipe: &f.finding.recipe,
                path,
                line: f.line,
                column: f.column,
                end_line: f.end_line,
                end_column: f.end_column,
                message: &f.finding.message,
                fix: f.finding.fix.is_some(),
                severity: self.rules.severity(&f.finding.recipe),
                docs: docs_pointer(&f.finding.recipe),
                edits,
                imports: f.finding.fix.as_ref().map(|x| x.add_imports.as_slice()),
            };
            self.separator()?;
            serde_json::to_writer(&mut self.out, &j)?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.first { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}
