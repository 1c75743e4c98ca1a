//! Findings as one JSON array, streamed object by object.

use std::io::{self, Write};

use serde::Serialize;

use super::Printer;
use crate::engine::FileOutcome;

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
}

pub struct JsonPrinter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> JsonPrinter<W> {
    pub fn new(out: W) -> Self {
        JsonPrinter { out, first: true }
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
    fn file(&mut self, path: &str, _source: &str, outcome: &FileOutcome) -> io::Result<()> {
        for f in &outcome.findings {
            let j = JsonFinding {
                recipe: &f.finding.recipe,
                path,
                line: f.line,
                column: f.column,
                end_line: f.end_line,
                end_column: f.end_column,
                message: &f.finding.message,
                fix: f.finding.fix.is_some(),
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
