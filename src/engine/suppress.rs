//! Suppression comments, read from the syntax tree.
//!
//! `//gomend:ignore [ID[,ID...]] [reason]` silences findings on one line:
//! the line it trails, or, when the comment stands alone on its line, the
//! line directly below. `//gomend:file-ignore [ID[,ID...]] [reason]` before
//! the package clause silences the whole file. Without ids, every recipe is
//! silenced. Only comment nodes count: the same text inside a string
//! literal is just text.

use std::ops::Range;

use super::edit;
use super::golang::GoRoot;
use super::recipe::Finding;
use super::LineIndex;

const LINE: &str = "//gomend:ignore";
const FILE: &str = "//gomend:file-ignore";

/// Whether `bytes` may hold a suppression comment (a cheap test before
/// parsing).
pub fn mentions(bytes: &[u8]) -> bool {
    bytes.windows(7).any(|w| w == b"gomend:")
}

/// Where a directive applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings starting on this 1-based line.
    Line(usize),
    /// The whole file.
    File,
    /// A `file-ignore` after the package clause: it applies nowhere.
    Misplaced,
}

/// One suppression comment.
#[derive(Clone, Debug)]
pub struct Directive {
    /// The comment's bytes.
    pub range: Range<usize>,
    pub scope: Scope,
    /// The recipe ids named; empty means every recipe.
    pub ids: Vec<String>,
    /// How many findings each id silenced (one entry when `ids` is empty).
    pub silenced: Vec<usize>,
}

/// The suppression comments of one file.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    pub directives: Vec<Directive>,
    lines: Option<LineIndex>,
}

impl Suppressions {
    /// Reads every suppression comment of a parsed file.
    pub fn scan(source: &str, root: &GoRoot) -> Self {
        if !source.contains("gomend:") {
            return Suppressions::default();
        }
        let package_start = root
            .root()
            .children()
            .find(|n| n.kind() == "package_clause")
            .map(|n| n.range().start);
        let lines = LineIndex::new(source);
        let mut directives = Vec::new();
        for node in root.root().dfs() {
            if node.kind() != "comment" {
                continue;
            }
            let range = node.range();
            let text = &source[range.clone()];
            let (file_level, rest) = if let Some(rest) = text.strip_prefix(FILE) {
                (true, rest)
            } else if let Some(rest) = text.strip_prefix(LINE) {
                (false, rest)
            } else {
                continue;
            };
            // `//gomend:ignored` is some other word.
            if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
                continue;
            }
            let ids: Vec<String> = rest
                .split_whitespace()
                .next()
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            let scope = if file_level {
                if package_start.is_some_and(|p| range.end <= p) {
                    Scope::File
                } else {
                    Scope::Misplaced
                }
            } else {
                let (line, _) = lines.position(range.start);
                let before = &source[edit::line_start(source, range.start)..range.start];
                if before.trim().is_empty() {
                    Scope::Line(line + 1)
                } else {
                    Scope::Line(line)
                }
            };
            let silenced = vec![0; ids.len().max(1)];
            directives.push(Directive {
                range,
                scope,
                ids,
                silenced,
            });
        }
        Suppressions {
            lines: (!directives.is_empty()).then_some(lines),
            directives,
        }
    }

    /// Whether a directive silences `f`; the directives that do count it.
    pub fn silences(&mut self, f: &Finding) -> bool {
        let Some(lines) = &self.lines else {
            return false;
        };
        let (line, _) = lines.position(f.range.start);
        let mut silenced = false;
        for d in &mut self.directives {
            let applies = match d.scope {
                Scope::File => true,
                Scope::Line(l) => l == line,
                Scope::Misplaced => false,
            };
            if !applies {
                continue;
            }
            if d.ids.is_empty() {
                d.silenced[0] += 1;
                silenced = true;
            } else if let Some(i) = d.ids.iter().position(|id| **id == *f.recipe) {
                d.silenced[i] += 1;
                silenced = true;
            }
        }
        silenced
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::golang::parse;

    fn finding(source: &str, needle: &str, recipe: &str) -> Finding {
        let start = source.find(needle).expect("needle");
        Finding {
            recipe: recipe.into(),
            range: start..start + needle.len(),
            message: String::new(),
            fix: None,
        }
    }

    fn silenced(source: &str, needle: &str, recipe: &str) -> bool {
        let root = parse(source);
        let mut s = Suppressions::scan(source, &root);
        s.silences(&finding(source, needle, recipe))
    }

    const TRAILING: &str = "package p\n\nfunc f() {\n\ta() //gomend:ignore remove-gc\n\tb()\n}\n";

    #[test]
    fn a_trailing_ignore_covers_its_own_line_only() {
        assert!(silenced(TRAILING, "a()", "remove-gc"));
        assert!(!silenced(TRAILING, "b()", "remove-gc"));
        assert!(!silenced(TRAILING, "a()", "remove-gosched"));
    }

    #[test]
    fn a_standalone_ignore_covers_the_line_below() {
        let src = "package p\n\nfunc f() {\n\t//gomend:ignore remove-gc,remove-gosched because\n\ta()\n\tb()\n}\n";
        assert!(silenced(src, "a()", "remove-gc"));
        assert!(silenced(src, "a()", "remove-gosched"));
        assert!(!silenced(src, "b()", "remove-gc"));
        // The reason is not an id.
        assert!(!silenced(src, "a()", "because"));
    }

    #[test]
    fn a_bare_ignore_covers_every_recipe() {
        let src = "package p\n\nfunc f() {\n\ta() //gomend:ignore\n}\n";
        assert!(silenced(src, "a()", "anything"));
    }

    #[test]
    fn text_in_a_string_is_not_a_directive() {
        let src = "package p\n\nfunc f() {\n\ta(\"//gomend:ignore\")\n\tb(`\n//gomend:ignore`)\n\tc()\n}\n";
        assert!(!silenced(src, "a(", "remove-gc"));
        assert!(!silenced(src, "c()", "remove-gc"));
        assert!(Suppressions::scan(src, &parse(src)).directives.is_empty());
    }

    #[test]
    fn other_words_and_nested_mentions_are_not_directives() {
        let src =
            "package p\n\nfunc f() {\n\ta() //gomend:ignored\n\tb() // see //gomend:ignore\n}\n";
        assert!(!silenced(src, "a()", "x"));
        assert!(!silenced(src, "b()", "x"));
    }

    #[test]
    fn a_file_ignore_before_the_package_clause_covers_the_file() {
        let src =
            "//gomend:file-ignore remove-gc legacy code\n\npackage p\n\nfunc f() {\n\ta()\n}\n";
        assert!(silenced(src, "a()", "remove-gc"));
        assert!(!silenced(src, "a()", "remove-gosched"));
        let late = "package p\n\n//gomend:file-ignore remove-gc\n\nfunc f() {\n\ta()\n}\n";
        assert!(!silenced(late, "a()", "remove-gc"));
        let root = parse(late);
        assert_eq!(
            Suppressions::scan(late, &root).directives[0].scope,
            Scope::Misplaced
        );
    }

    #[test]
    fn uses_are_counted_per_id() {
        let src = "package p\n\nfunc f() {\n\ta() //gomend:ignore x,y\n}\n";
        let root = parse(src);
        let mut s = Suppressions::scan(src, &root);
        assert!(s.silences(&finding(src, "a()", "y")));
        assert_eq!(s.directives[0].silenced, vec![0, 1]);
    }
}
