//! Checkstyle XML, which many CI systems and editors import: one `<file>`
//! per file with findings, one `<error>` per finding.

use std::io::{self, Write};

use super::{utf16_span, Printer, Rules};
use crate::engine::{FileOutcome, LineIndex};

pub struct CheckstylePrinter<W: Write> {
    out: W,
    rules: Rules,
    started: bool,
}

impl<W: Write> CheckstylePrinter<W> {
    pub fn new(out: W, rules: Rules) -> Self {
        CheckstylePrinter {
            out,
            rules,
            started: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            writeln!(self.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
            writeln!(self.out, "<checkstyle version=\"4.3\">")?;
        }
        Ok(())
    }
}

/// Text for an XML attribute value in double quotes. Characters XML 1.0
/// cannot carry at all become U+FFFD; tab, CR and LF are written as
/// character references so that attribute normalisation keeps them.
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

impl<W: Write> Printer for CheckstylePrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        if outcome.findings.is_empty() {
            return Ok(());
        }
        self.start()?;
        let lines = LineIndex::new(source);
        writeln!(self.out, "  <file name=\"{}\">", escape_attr(path))?;
        for f in &outcome.findings {
            let id = &*f.finding.recipe;
            let severity = match self.rules.severity(id) {
                "note" => "info",
                _ => "warning",
            };
            let (line, col, _, _) = utf16_span(source, &lines, f);
            writeln!(
                self.out,
                "    <error line=\"{line}\" column=\"{col}\" severity=\"{severity}\" message=\"{}\" source=\"gomend.{}\"/>",
                escape_attr(&f.finding.message),
                escape_attr(id),
            )?;
        }
        writeln!(self.out, "  </file>")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.start()?;
        writeln!(self.out, "</checkstyle>")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::escape_attr;

    #[test]
    fn attribute_escaping() {
        assert_eq!(
            escape_attr("a<b> & \"c\" 'd'\n\u{1}"),
            "a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;&#10;\u{FFFD}"
        );
    }
}
