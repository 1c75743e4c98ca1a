//! The rewrite as a unified diff that `git apply` accepts
//! (`--- a/PATH` / `+++ b/PATH`).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use similar::TextDiff;

use super::Printer;
use crate::engine::FileOutcome;

pub struct DiffPrinter<W: Write> {
    out: W,
    /// Files with a change so far.
    pub changed: usize,
}

impl<W: Write> DiffPrinter<W> {
    pub fn new(out: W) -> Self {
        DiffPrinter { out, changed: 0 }
    }
}

/// The unified diff between `old` and `new` for `path`, uncoloured.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .missing_newline_hint(true)
        .to_string()
}

impl<W: Write> Printer for DiffPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        let Some(new) = &outcome.rewritten else {
            return Ok(());
        };
        self.changed += 1;
        let add = Style::new().fg_color(Some(AnsiColor::Green.into()));
        let del = Style::new().fg_color(Some(AnsiColor::Red.into()));
        let hunk = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
        let head = Style::new().bold();
        for line in unified(path, source, new).split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                head
            } else if line.starts_with('+') {
                add
            } else if line.starts_with('-') {
                del
            } else if line.starts_with("@@") {
                hunk
            } else {
                Style::new()
            };
            let body = line.strip_suffix('\n').unwrap_or(line);
            write!(self.out, "{style}{body}{style:#}")?;
            if line.ends_with('\n') {
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
