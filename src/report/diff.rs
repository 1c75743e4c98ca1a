//! The rewrite as a unified diff that `git apply` accepts
//! (`--- a/PATH` / `+++ b/PATH`).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use similar::{Algorithm, TextDiff};

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

/// Files with more lines than this are diffed with the patience algorithm:
/// Myers' algorithm takes time proportional to the file's length times the
/// number of changed lines, which grows quadratically on a large generated
/// file with a change every few lines. Patience anchors on unique lines
/// (function headers) and runs Myers only between them.
const MYERS_MAX_LINES: usize = 5_000;

/// The unified diff between `old` and `new` for `path`, uncoloured.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    let lines = old.bytes().filter(|&b| b == b'\n').count();
    let algorithm = if lines > MYERS_MAX_LINES {
        Algorithm::Patience
    } else {
        Algorithm::Myers
    };
    TextDiff::configure()
        .algorithm(algorithm)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &quote_path(&format!("a/{path}")),
            &quote_path(&format!("b/{path}")),
        )
        .missing_newline_hint(true)
        .to_string()
}

/// A path as git writes it in patch headers: as it is, or in double quotes
/// with C escapes when it holds a quote, a backslash, a control character
/// or a non-ASCII byte (git's default `core.quotePath`).
pub fn quote_path(path: &str) -> String {
    let needs = path
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || b < 0x20 || b == 0x7f || b >= 0x80);
    if !needs {
        return path.to_string();
    }
    let mut out = String::from("\"");
    for b in path.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b if !(0x20..0x7f).contains(&b) => out.push_str(&format!("\\{b:03o}")),
            b => out.push(b as char),
        }
    }
    out.push('"');
    out
}

/// Writes a unified diff with its lines colored (when the writer keeps
/// colors): headers bold, removals red, additions green, hunk lines cyan.
pub fn write_colored(out: &mut impl Write, diff: &str) -> io::Result<()> {
    let add = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let del = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let hunk = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let head = Style::new().bold();
    for line in diff.split_inclusive('\n') {
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
        write!(out, "{style}{body}{style:#}")?;
        if line.ends_with('\n') {
            writeln!(out)?;
        }
    }
    Ok(())
}

impl<W: Write> Printer for DiffPrinter<W> {
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()> {
        let Some(new) = &outcome.rewritten else {
            return Ok(());
        };
        self.changed += 1;
        write_colored(&mut self.out, &unified(path, source, new))
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::quote_path;

    #[test]
    fn paths_are_quoted_as_git_does() {
        assert_eq!(quote_path("a/b.go"), "a/b.go");
        assert_eq!(quote_path("a/x\ty.go"), "\"a/x\\ty.go\"");
        assert_eq!(quote_path("a/new\nline.go"), "\"a/new\\nline.go\"");
        assert_eq!(quote_path("a/q\"uote.go"), "\"a/q\\\"uote.go\"");
        assert_eq!(quote_path("a/é.go"), "\"a/\\303\\251.go\"");
    }
}
