//! Text edits: what a fix is made of, and the helpers that keep the result
//! gofmt-clean (whole-line statement removal, tab indentation).

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;

use super::golang::GoNode;

/// Replaces the bytes in `range` of the original text with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub text: String,
}

impl TextEdit {
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Self {
        TextEdit {
            range,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        TextEdit::replace(at..at, text)
    }

    pub fn delete(range: Range<usize>) -> Self {
        TextEdit::replace(range, "")
    }

    /// Whether two edits touch the same bytes. Two insertions at one offset
    /// overlap too: their order would be ambiguous.
    pub fn overlaps(&self, other: &TextEdit) -> bool {
        if self.range.start == other.range.start {
            return true;
        }
        self.range.start < other.range.end && other.range.start < self.range.end
    }
}

/// Applies non-overlapping edits to `source`. Edits are sorted here; callers
/// guarantee they do not overlap (see [`EditSet`]).
pub fn apply_edits(source: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len());
    let mut pos = 0;
    for e in sorted {
        debug_assert!(e.range.start >= pos, "overlapping edits");
        out.push_str(&source[pos..e.range.start]);
        out.push_str(&e.text);
        pos = e.range.end;
    }
    out.push_str(&source[pos..]);
    out
}

/// Collects the edits of whole fixes, accepting a fix only when none of its
/// edits overlaps an edit already accepted. A rejected fix is not lost: the
/// caller re-runs the recipes on the edited text (see the fix-point loop).
///
/// The accepted edits are kept sorted by start (no two share one: they
/// would overlap), so adding a fix and mapping an offset take logarithmic
/// time in the number of edits, and a file with many fixes costs linear time.
#[derive(Default, Debug)]
pub struct EditSet {
    edits: BTreeMap<usize, TextEdit>,
    /// For [`EditSet::map_range`]: the accepted edits in order with the
    /// length change of all edits before each, built on first use after
    /// the last addition.
    shifts: OnceCell<Vec<Shift>>,
}

/// One accepted edit as [`EditSet::map_range`] sees it.
#[derive(Debug)]
struct Shift {
    range: Range<usize>,
    new_len: usize,
    /// The length change of the edits before this one.
    before: isize,
}

impl EditSet {
    /// Adds all of `fix` or nothing; returns whether it was added.
    pub fn try_add(&mut self, fix: &[TextEdit]) -> bool {
        let clash = fix
            .iter()
            .enumerate()
            .any(|(i, e)| self.overlaps_accepted(e) || fix[i + 1..].iter().any(|b| b.overlaps(e)));
        if clash {
            return false;
        }
        for e in fix {
            self.edits.insert(e.range.start, e.clone());
        }
        self.shifts = OnceCell::new();
        true
    }

    /// Whether `e` overlaps an accepted edit. Accepted edits do not overlap
    /// one another, so their ends grow with their starts: only the last one
    /// starting at or before `e` and the first one starting after it can
    /// touch it.
    fn overlaps_accepted(&self, e: &TextEdit) -> bool {
        let before = self.edits.range(..=e.range.start).next_back();
        let after = self.edits.range(e.range.start + 1..).next();
        before.is_some_and(|(_, a)| a.overlaps(e)) || after.is_some_and(|(_, a)| a.overlaps(e))
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn apply(&self, source: &str) -> String {
        let mut out = String::with_capacity(source.len());
        let mut pos = 0;
        for e in self.edits.values() {
            out.push_str(&source[pos..e.range.start]);
            out.push_str(&e.text);
            pos = e.range.end;
        }
        out.push_str(&source[pos..]);
        out
    }

    /// Where `range` of the text before [`EditSet::apply`] lies in the text
    /// after it. An edit that overlaps the range, or touches its end,
    /// widens it to cover the edit's replacement: the result holds whatever
    /// became of those bytes.
    pub fn map_range(&self, range: Range<usize>) -> Range<usize> {
        self.map_offset(range.start, false)..self.map_offset(range.end, true)
    }

    /// `offset` moved by the edits; an offset strictly inside an edited
    /// range goes to the start of its replacement, or its end when `end`.
    /// An insertion at `offset` counts as before it when `end`.
    fn map_offset(&self, offset: usize, end: bool) -> usize {
        let shifts = self.shifts.get_or_init(|| {
            let mut before = 0;
            self.edits
                .values()
                .map(|e| {
                    let s = Shift {
                        range: e.range.clone(),
                        new_len: e.text.len(),
                        before,
                    };
                    before += e.text.len() as isize - e.range.len() as isize;
                    s
                })
                .collect()
        });
        // The edits wholly before `offset` are a prefix of the sorted ones.
        let n = shifts.partition_point(|s| {
            if s.range.is_empty() {
                s.range.start < offset || (end && s.range.start == offset)
            } else {
                s.range.end <= offset
            }
        });
        let shift = match shifts.get(n) {
            // The first edit not before `offset` may hold it.
            Some(s) if s.range.start < offset && offset < s.range.end => {
                let start = s.range.start as isize + s.before;
                return (start + if end { s.new_len as isize } else { 0 }) as usize;
            }
            Some(s) => s.before,
            None => shifts.last().map_or(0, |s| {
                s.before + s.new_len as isize - s.range.len() as isize
            }),
        };
        (offset as isize + shift) as usize
    }
}

/// The start of the line holding `offset`.
pub fn line_start(src: &str, offset: usize) -> usize {
    src[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, after its newline (or the end of the text).
pub fn line_end(src: &str, offset: usize) -> usize {
    src[offset..]
        .find('\n')
        .map_or(src.len(), |i| offset + i + 1)
}

/// The leading white space of the line holding `offset`.
pub fn indent_at(src: &str, offset: usize) -> &str {
    let ls = line_start(src, offset);
    let rest = &src[ls..];
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..n]
}

/// Whether the code from `start` to `end` is alone on its lines (a trailing
/// comment allowed): statements sharing a line need a human to split them
/// before code is inserted around them.
pub fn owns_lines(src: &str, start: usize, end: usize) -> bool {
    let before = &src[line_start(src, start)..start];
    if !before.trim().is_empty() {
        return false;
    }
    let after = &src[end..line_end(src, end)];
    let after = after.trim();
    after.is_empty() || after.starts_with("//")
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The text of the line that starts at `ls`, without its newline.
fn line_at(src: &str, ls: usize) -> &str {
    let le = line_end(src, ls);
    src[ls..le].trim_end_matches('\n')
}

/// Removes a statement with the comments that belong to it: a trailing
/// comment on its last line and the comment lines directly above it. Blank
/// lines are tidied so that no block starts or ends with one and no two end
/// up adjacent. A statement that shares its line with other code loses just
/// its own bytes (and a `;` separator).
pub fn remove_statement(src: &str, stmt: &GoNode<'_>) -> TextEdit {
    let r = stmt.range();
    remove_statement_range(src, r.start, r.end)
}

/// [`remove_statement`] for a byte range that covers one or more whole statements.
pub fn remove_statement_range(src: &str, start: usize, end: usize) -> TextEdit {
    if !owns_lines(src, start, end) {
        let mut e = end;
        let rest = &src[e..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with(';') {
            e += rest.len() - trimmed.len() + 1;
        }
        let mut s = start;
        while s > 0 && matches!(src.as_bytes()[s - 1], b' ' | b'\t') {
            s -= 1;
        }
        // `{ stmt }` on one line becomes `{}`, which gofmt keeps.
        let after = src[e..].trim_start_matches([' ', '\t']);
        if s > 0 && src.as_bytes()[s - 1] == b'{' && after.starts_with('}') {
            e += src[e..].len() - after.len();
        }
        return TextEdit::delete(s..e);
    }
    let mut s = line_start(src, start);
    let mut e = line_end(src, end);
    // Comment lines directly above belong to the statement.
    while s > 0 {
        let prev = line_start(src, s - 1);
        let text = line_at(src, prev).trim();
        if text.starts_with("//") {
            s = prev;
        } else {
            break;
        }
    }
    // Tidy blank lines around the hole.
    let prev_line = if s > 0 {
        Some(line_at(src, line_start(src, s - 1)))
    } else {
        None
    };
    let next_line = if e < src.len() {
        Some(line_at(src, e))
    } else {
        None
    };
    let prev_opens = prev_line
        .is_some_and(|l| is_blank(l) || l.trim_end().ends_with('{') || l.trim_end().ends_with(':'));
    let next_closes = next_line.is_some_and(|l| is_blank(l) || l.trim_start().starts_with('}'));
    if prev_opens && next_line.is_some_and(is_blank) {
        e = line_end(src, e);
    } else if next_closes && prev_line.is_some_and(is_blank) {
        s = line_start(src, s - 1);
    }
    TextEdit::delete(s..e)
}

/// Re-indents a block of code written with `from` as its base indentation so
/// that its base indentation becomes `to`. Lines inside raw strings are not
/// detected; recipes only move statements whose text they have parsed, and a
/// multi-line raw string keeps its bytes because its continuation lines carry
/// no `from` prefix in gofmt output.
pub fn reindent(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i == 0 {
            out.push_str(line);
            continue;
        }
        if line.trim().is_empty() {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
            continue;
        }
        match line.strip_prefix(from) {
            Some(rest) => {
                out.push_str(to);
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remove_first(src: &str, needle: &str) -> String {
        let start = src.find(needle).unwrap();
        let e = remove_statement_range(src, start, start + needle.len());
        apply_edits(src, &[e])
    }

    #[test]
    fn removes_whole_line_with_comments() {
        let src = "func f() {\n\ta()\n\t// yield\n\tb() // now\n\tc()\n}\n";
        assert_eq!(remove_first(src, "b()"), "func f() {\n\ta()\n\tc()\n}\n");
    }

    #[test]
    fn tidies_blank_lines() {
        let src = "func f() {\n\tb()\n\n\tc()\n}\n";
        assert_eq!(remove_first(src, "b()"), "func f() {\n\tc()\n}\n");
        let src = "func f() {\n\ta()\n\n\tb()\n}\n";
        assert_eq!(remove_first(src, "b()"), "func f() {\n\ta()\n}\n");
        let src = "func f() {\n\ta()\n\n\tb()\n\n\tc()\n}\n";
        assert_eq!(remove_first(src, "b()"), "func f() {\n\ta()\n\n\tc()\n}\n");
    }

    #[test]
    fn removes_inline_statement() {
        let src = "if x { b() }\n";
        assert_eq!(remove_first(src, "b()"), "if x {}\n");
        let src = "a(); b(); c()\n";
        assert_eq!(remove_first(src, "b()"), "a(); c()\n");
    }

    #[test]
    fn edit_set_rejects_overlap() {
        let mut set = EditSet::default();
        assert!(set.try_add(&[TextEdit::delete(0..3)]));
        assert!(!set.try_add(&[TextEdit::delete(2..5)]));
        assert!(set.try_add(&[TextEdit::insert(3, "x")]));
        assert_eq!(set.apply("abcdef"), "xdef");
    }

    /// The edit set against a plain list checked edit by edit, on random
    /// fixes over a short text (many clashes): the same fixes are accepted,
    /// the same text comes out and every offset maps to the same place.
    #[test]
    fn edit_set_agrees_with_a_linear_search() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let src = "abcdefghijklmnopqrstuvwxyz0123456789";
        for _ in 0..300 {
            let mut set = EditSet::default();
            let mut plain: Vec<TextEdit> = Vec::new();
            for _ in 0..12 {
                let fix: Vec<TextEdit> = (0..1 + next(2))
                    .map(|_| {
                        let start = next(src.len() + 1);
                        let end = (start + next(4)).min(src.len());
                        TextEdit::replace(start..end, "X".repeat(next(3)))
                    })
                    .collect();
                let clash = fix.iter().enumerate().any(|(i, e)| {
                    plain.iter().any(|a| a.overlaps(e))
                        || fix[i + 1..].iter().any(|b| b.overlaps(e))
                });
                assert_eq!(set.try_add(&fix), !clash, "{fix:?} after {plain:?}");
                if !clash {
                    plain.extend(fix);
                }
            }
            assert_eq!(set.apply(src), apply_edits(src, &plain));
            for a in 0..=src.len() {
                for b in a..=src.len() {
                    let want = linear_map(&plain, a, false)..linear_map(&plain, b, true);
                    assert_eq!(set.map_range(a..b), want, "{a}..{b} through {plain:?}");
                }
            }
        }
    }

    /// Maps an offset by looking at every edit.
    fn linear_map(edits: &[TextEdit], offset: usize, end: bool) -> usize {
        let grown = |e: &TextEdit| e.text.len() as isize - e.range.len() as isize;
        let before = |e: &TextEdit, at: usize, end: bool| {
            if e.range.is_empty() {
                e.range.start < at || (end && e.range.start == at)
            } else {
                e.range.end <= at
            }
        };
        if let Some(e) = edits
            .iter()
            .find(|e| e.range.start < offset && offset < e.range.end)
        {
            let shift: isize = edits
                .iter()
                .filter(|x| before(x, e.range.start, false))
                .map(grown)
                .sum();
            let start = e.range.start as isize + shift;
            return (start + if end { e.text.len() as isize } else { 0 }) as usize;
        }
        let shift: isize = edits
            .iter()
            .filter(|x| before(x, offset, end))
            .map(grown)
            .sum();
        (offset as isize + shift) as usize
    }

    #[test]
    fn map_range_follows_edits() {
        let src = "aaaa bbbb cccc";
        let mut set = EditSet::default();
        assert!(set.try_add(&[TextEdit::replace(0..4, "x")]));
        assert!(set.try_add(&[TextEdit::replace(11..12, "ZZZ")]));
        assert_eq!(set.apply(src), "x bbbb cZZZcc");
        // Untouched bytes move with the text before them.
        assert_eq!(set.map_range(5..9), 2..6);
        // A range that an edit cuts into grows to cover the replacement.
        assert_eq!(set.map_range(10..12), 7..11);
        assert_eq!(&set.apply(src)[7..11], "cZZZ");
        assert_eq!(set.map_range(2..7), 0..4);
        assert_eq!(set.map_range(0..4), 0..1);
    }

    #[test]
    fn reindents() {
        assert_eq!(
            reindent("a()\n\tb()\n\n\tc()", "\t", "\t\t"),
            "a()\n\t\tb()\n\n\t\tc()"
        );
    }
}
