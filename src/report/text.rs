//! Compiler-style findings: `path:line:col: recipe-id: message`, then the
//! source line.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::Printer;
use crate::engine::FileOutcome;

pub struct TextPrinter<W: Write> {
    out: W,
}

impl<W: Write> TextPrinter<W> {
    pub fn new(out: W) -> Self {
        TextPrinter { out }
    }
}

impl<W: Write> Printer for TextPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        let loc = Style::new().bold();
        let id = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
        let mut lines = super::LineCursor::new(source);
        for f in &outcome.findings {
            writeln!(
                self.out,
                "{loc}{path}:{}:{}:{loc:#} {id}{}:{id:#} {}",
                f.line, f.column, f.finding.recipe, f.finding.message
            )?;
            let line = lines.nth(f.line - 1).unwrap_or("");
            writeln!(self.out, "    {}", line.trim())?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
