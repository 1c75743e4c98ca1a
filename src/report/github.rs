//! GitHub Actions workflow commands: one `::warning file=…::message` line
//! per finding, which the runner turns into an annotation on the pull
//! request's diff.

use std::io::{self, Write};

use super::{utf16_span, Printer, Rules};
use crate::engine::{FileOutcome, LineIndex};

pub struct GithubPrinter<W: Write> {
    out: W,
    rules: Rules,
}

impl<W: Write> GithubPrinter<W> {
    pub fn new(out: W, rules: Rules) -> Self {
        GithubPrinter { out, rules }
    }
}

/// A command's message: `%`, CR and LF are percent-encoded.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as [`escape_data`], and also `:` and `,`,
/// which separate the properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl<W: Write> Printer for GithubPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        if outcome.findings.is_empty() {
            return Ok(());
        }
        let lines = LineIndex::new(source);
        for f in &outcome.findings {
            let id = &*f.finding.recipe;
            let command = match self.rules.severity(id) {
                "note" => "notice",
                _ => "warning",
            };
            let (line, col, end_line, end_col) = utf16_span(source, &lines, f);
            let fix = if f.finding.fix.is_some() {
                " (`gomend apply` rewrites it)"
            } else {
                ""
            };
            writeln!(
                self.out,
                "::{command} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
                escape_property(path),
                escape_property(&format!("gomend {id}")),
                escape_data(&format!("{}{fix}", f.finding.message)),
            )?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("dir,x/a:b%.go\n"), "dir%2Cx/a%3Ab%25.go%0A");
    }
}
