//! Printing results: one printer per output format behind one trait.
//! Adding a format touches one file.

pub mod baseline;
pub mod checkstyle;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod sarif;
pub mod text;

use std::io;

use crate::engine::{FileOutcome, LineIndex, Located};

/// Receives processed files in a deterministic order.
pub trait Printer {
    /// One file: its displayed path, its original text and what the engine made of it.
    fn file(&mut self, path: &str, source: &str, outcome: &FileOutcome) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self) -> io::Result<()>;
}

/// The id under which problems with suppression comments are reported
/// (`check --report-unused-ignores`).
pub const UNUSED_IGNORE: &str = "unused-ignore";

/// What a report says about one rule (a recipe, or [`UNUSED_IGNORE`]).
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub id: String,
    /// One line.
    pub summary: String,
    /// Why it matters (prose).
    pub rationale: String,
    /// The full explanation (`gomend explain ID`).
    pub help: String,
    /// `warning` or `note`.
    pub severity: &'static str,
}

/// The rules of a run, for the formats that describe them.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub rules: Vec<RuleInfo>,
}

impl Rules {
    /// The rule and its index.
    pub fn find(&self, id: &str) -> Option<(usize, &RuleInfo)> {
        self.rules.iter().enumerate().find(|(_, r)| r.id == id)
    }

    /// The severity of a finding of `id` (`warning` when unknown).
    pub fn severity(&self, id: &str) -> &'static str {
        self.find(id).map_or("warning", |(_, r)| r.severity)
    }
}

/// Where a finding's rule is explained.
pub fn docs_pointer(id: &str) -> String {
    format!("gomend explain {id}")
}

/// The lines of a text by number, read forward: asking for them in
/// increasing order, as a file's findings come, walks the text once (a
/// finding's source line is printed in time linear in the file, not in
/// findings times file size).
pub struct LineCursor<'a> {
    source: &'a str,
    rest: std::str::Lines<'a>,
    /// The index of the line `rest` yields next.
    next: usize,
}

impl<'a> LineCursor<'a> {
    pub fn new(source: &'a str) -> Self {
        LineCursor {
            source,
            rest: source.lines(),
            next: 0,
        }
    }

    /// What `source.lines().nth(index)` gives.
    pub fn nth(&mut self, index: usize) -> Option<&'a str> {
        if index < self.next {
            self.rest = self.source.lines();
            self.next = 0;
        }
        let line = self.rest.nth(index - self.next);
        self.next = index + 1;
        line
    }
}

/// A position in a text counted as tools that index by characters expect:
/// 1-based line, and 1-based column in UTF-16 code units (SARIF's default
/// `columnKind`, and what editors and GitHub count).
pub fn utf16_position(source: &str, lines: &LineIndex, offset: usize) -> (usize, usize) {
    let (line, byte_col) = lines.position(offset);
    let start = offset + 1 - byte_col;
    let col = source
        .get(start..offset)
        .map_or(byte_col - 1, |s| s.encode_utf16().count());
    (line, col + 1)
}

/// The start and end of a finding, with columns in UTF-16 code units.
pub fn utf16_span(source: &str, lines: &LineIndex, f: &Located) -> (usize, usize, usize, usize) {
    let (l, c) = utf16_position(source, lines, f.finding.range.start);
    let (el, ec) = utf16_position(source, lines, f.finding.range.end);
    (l, c, el, ec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cursor_reads_lines_in_any_order() {
        let src = "a\nb\r\n\nd";
        let mut cursor = LineCursor::new(src);
        for i in [0, 1, 1, 3, 4, 9, 2, 0, 3] {
            assert_eq!(cursor.nth(i), src.lines().nth(i), "line {i}");
        }
    }

    #[test]
    fn utf16_columns_count_characters_not_bytes() {
        let src = "x := \"é\"; y\n";
        let idx = LineIndex::new(src);
        let y = src.find('y').unwrap();
        assert_eq!(idx.position(y), (1, 12));
        assert_eq!(utf16_position(src, &idx, y), (1, 11));
        let emoji = "s := \"😀\"; z\n";
        let z = emoji.find('z').unwrap();
        assert_eq!(utf16_position(emoji, &LineIndex::new(emoji), z), (1, 12));
    }
}
