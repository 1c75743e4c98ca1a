//! Screening a file by its top-level declarations before parsing it whole.
//!
//! gofmt starts every top-level `func`, `var`, `const`, `type` and `import`
//! at column 0, outside any bracket. The lexer finds those starts and splits
//! the file into its header (the package clause and the imports) and one
//! chunk per declaration. Each recipe's rule implies words that any match
//! must hold (the keyword of a `go_statement`, the names of a pattern): a
//! chunk holding none of a recipe's words cannot contain a match of it.
//!
//! The header and the chunks that can hold a match are parsed on their own
//! (tree-sitter's included ranges keep the file's byte offsets), and the
//! rules are tried on that tree. Only when one of them matches is the whole
//! file parsed and analysed as usual, so the findings are the ones a whole
//! parse gives; a file where no rule matches is done after parsing a small
//! part of it. Anything unexpected (text the lexer cannot read, unbalanced
//! brackets, a syntax error in the parsed part) sends the file to the whole
//! parse.

use std::cell::RefCell;
use std::ops::Range;

use ast_grep_core::tree_sitter::{LanguageExt, StrDoc};

use super::golang::{Go, GoRoot};
use super::lex::{self, KeywordSet, Token};

/// One condition a match of a rule puts on the declaration holding it: the
/// declaration's code holds one of `keywords` or one of `words`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clause {
    pub keywords: KeywordSet,
    pub words: Vec<String>,
}

impl Clause {
    fn is_empty(&self) -> bool {
        self.keywords.is_empty() && self.words.is_empty()
    }

    fn union(mut self, other: Clause) -> Clause {
        self.keywords = self.keywords.union(other.keywords);
        for w in other.words {
            if !self.words.contains(&w) {
                self.words.push(w);
            }
        }
        self
    }
}

/// How far from the match a rule's conditions may look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Anywhere in the file.
    File,
    /// Within the match's own top-level declaration.
    Declaration,
}

impl Clause {
    /// The clause that `word` occurs: as a keyword or as a name.
    pub fn of_word(word: &str) -> Clause {
        match lex::keyword(word.as_bytes()) {
            Some(k) => Clause {
                keywords: k,
                words: Vec::new(),
            },
            None => Clause {
                keywords: KeywordSet::default(),
                words: vec![word.to_string()],
            },
        }
    }

    /// Whether the clause names keywords only.
    pub fn keywords_only(&self) -> bool {
        self.words.is_empty() && !self.keywords.is_empty()
    }
}

/// The clauses that every match of `rule` satisfies (all of them hold), in
/// the file or, for [`Reach::Declaration`], within the match's own
/// top-level declaration. `qualifiers` are the package names of the rule's
/// patterns, which a file may spell differently, so they are never
/// required.
///
/// They come from what a match must contain: the keyword of its `kind`,
/// the keywords and names its `pattern` spells, the word a `^`-anchored
/// `regex` starts with, and the same of its `has` sub-rules, through `all`
/// and `any`. An `inside` sub-rule names an ancestor: within the same
/// declaration when it has a `kind` other than `source_file`. `follows` and
/// `precedes` name siblings, which may be other declarations, so they count
/// for the file only. `not` and `matches` require nothing here.
pub fn rule_clauses(rule: &toml::Value, qualifiers: &[String], reach: Reach) -> Vec<Clause> {
    let Some(t) = rule.as_table() else {
        return Vec::new();
    };
    let sub = |v: &toml::Value| rule_clauses(v, qualifiers, reach);
    let mut out = Vec::new();
    if let Some(k) = t
        .get("kind")
        .and_then(|k| k.as_str())
        .and_then(lex::keyword_of_kind)
    {
        out.push(Clause {
            keywords: k,
            words: Vec::new(),
        });
    }
    if let Some(p) = t.get("pattern") {
        let text = p
            .as_str()
            .or_else(|| p.get("context").and_then(|c| c.as_str()));
        if let Some(text) = text {
            out.extend(pattern_clauses(text, qualifiers));
        }
    }
    if let Some(w) = t
        .get("regex")
        .and_then(|r| r.as_str())
        .and_then(anchored_word)
    {
        out.push(Clause::of_word(&w));
    }
    if let Some(v) = t.get("has") {
        out.extend(sub(v));
    }
    if let Some(v) = t.get("inside") {
        let ancestor_kind = v.get("kind").and_then(|k| k.as_str());
        if reach == Reach::File || ancestor_kind.is_some_and(|k| k != "source_file") {
            out.extend(sub(v));
        }
    }
    if reach == Reach::File {
        for relation in ["follows", "precedes"] {
            if let Some(v) = t.get(relation) {
                out.extend(sub(v));
            }
        }
    }
    if let Some(all) = t.get("all").and_then(|a| a.as_array()) {
        for v in all {
            out.extend(sub(v));
        }
    }
    if let Some(any) = t.get("any").and_then(|a| a.as_array()) {
        // A match satisfies one branch: one clause of each branch, joined,
        // holds for it. A branch's keyword clause is preferred, so that the
        // join stays one of keywords when every branch has one.
        let mut joined = Some(Clause::default());
        for v in any {
            let clauses = sub(v);
            let pick = clauses
                .iter()
                .find(|c| c.keywords_only())
                .or(clauses.first())
                .cloned();
            joined = match (joined, pick) {
                (Some(j), Some(c)) => Some(j.union(c)),
                _ => None,
            };
        }
        if let Some(j) = joined.filter(|j| !j.is_empty() && !any.is_empty()) {
            out.push(j);
        }
    }
    out.dedup();
    out
}

/// Whether `rule` decides a match from the match's own top-level
/// declaration and the file's imports: it then gives the same answer on a
/// tree of a part of the file that holds them. An `inside` that may reach
/// the file itself (without a `kind`, or `kind = "source_file"`), `follows`,
/// `precedes` and `nthChild` (whose siblings may be other declarations), and
/// `matches` (a utility rule not looked into here) may look elsewhere.
pub fn rule_is_local(rule: &toml::Value) -> bool {
    let Some(t) = rule.as_table() else {
        return true;
    };
    t.iter().all(|(key, v)| match key.as_str() {
        "follows" | "precedes" | "nthChild" | "matches" => false,
        "inside" => {
            v.get("kind")
                .and_then(|k| k.as_str())
                .is_some_and(|k| k != "source_file")
                && rule_is_local(v)
        }
        "has" | "not" => rule_is_local(v),
        "all" | "any" => v
            .as_array()
            .is_some_and(|subs| subs.iter().all(rule_is_local)),
        _ => true,
    })
}

/// The word a `regex` makes a match's text start with: `^C\.` and
/// `^make\(` give `C` and `make`, for a text that starts with identifier
/// characters followed by an escaped punctuation mark, `\s` or `\b`.
fn anchored_word(regex: &str) -> Option<String> {
    let rest = regex.strip_prefix('^')?;
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let after = &rest[word.len()..];
    let ends = after.starts_with("\\s") || after.starts_with("\\b") || {
        let mut c = after.chars();
        c.next() == Some('\\')
            && c.next()
                .is_some_and(|p| p.is_ascii_punctuation() && p != '_')
    };
    (!word.is_empty() && !word.as_bytes()[0].is_ascii_digit() && ends).then_some(word)
}

/// The keywords and names a pattern spells outside its meta-variables:
/// each must be in the text of a match.
fn pattern_clauses(text: &str, qualifiers: &[String]) -> Vec<Clause> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for t in lex::Tokens::new(bytes) {
        let Token::Word(w) = t else { continue };
        let start = w.as_ptr() as usize - bytes.as_ptr() as usize;
        let meta = start > 0 && bytes[start - 1] == b'$';
        if meta || w[0].is_ascii_digit() || w == b"_" {
            continue;
        }
        let Ok(word) = std::str::from_utf8(w) else {
            continue;
        };
        if qualifiers.iter().any(|q| q == word) {
            continue;
        }
        let clause = Clause::of_word(word);
        if !out.contains(&clause) {
            out.push(clause);
        }
    }
    out
}

/// The words of every recipe's clauses, numbered.
#[derive(Default)]
pub struct Words {
    /// FNV: the screen looks up every word of a file, and the words are short.
    ids: fnv::FnvHashMap<Vec<u8>, usize>,
}

impl Words {
    /// The number of `word`, adding it when new.
    pub fn intern(&mut self, word: &str) -> usize {
        let n = self.ids.len();
        *self.ids.entry(word.as_bytes().to_vec()).or_insert(n)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn get(&self, word: &[u8]) -> Option<usize> {
        if self.ids.is_empty() {
            return None;
        }
        self.ids.get(word).copied()
    }
}

/// [`Clause`] with its words numbered by [`Words`].
#[derive(Clone, Debug)]
pub struct Compiled {
    pub keywords: KeywordSet,
    pub words: Vec<usize>,
}

/// A top-level declaration: its bytes and what its code holds. The bytes
/// run from the line after the previous declaration's code to the end of
/// the line where its own code ends, so that its doc comment is part of it.
pub struct Decl {
    pub range: Range<usize>,
    /// A `var` or `const` declaration: analyses of a function read those
    /// its code names (see [`Layout::values_named`]).
    pub value: bool,
    pub keywords: KeywordSet,
    /// One entry per [`Words`] number: whether the code holds the word.
    words: Vec<bool>,
    /// Its identifiers, as indexes into [`Layout::idents`].
    idents: Range<usize>,
    /// For a `var` or `const` declaration, the identifiers that may be
    /// names it declares, as indexes into [`Layout::idents`].
    names: Vec<usize>,
}

impl Decl {
    /// Whether every clause holds in this declaration.
    pub fn meets(&self, clauses: &[Compiled]) -> bool {
        clauses
            .iter()
            .all(|c| self.keywords.meets(c.keywords) || c.words.iter().any(|&w| self.words[w]))
    }
}

/// A file split at its top-level declarations.
pub struct Layout {
    /// Where the header (package clause, imports and the comments among
    /// them) ends.
    pub header_end: usize,
    pub decls: Vec<Decl>,
    /// The byte ranges of the identifiers past the header (not keywords,
    /// not numbers), in order.
    idents: Vec<Range<usize>>,
}

/// Whether the word at `start` follows a line break, a comma, a semicolon,
/// an opening parenthesis or a comment (which may hide any of them), with
/// nothing but blanks in between: where a `var` or `const` declaration
/// puts the names it declares.
fn may_start_name(source: &[u8], start: usize) -> bool {
    let before = source[..start]
        .iter()
        .rev()
        .find(|&&c| c == b'\n' || !c.is_ascii_whitespace());
    matches!(before, None | Some(b'\n' | b',' | b';' | b'(' | b'/'))
}

/// Words that start a top-level declaration at column 0.
fn starts_declaration(w: &[u8]) -> bool {
    matches!(w, b"func" | b"var" | b"const" | b"type" | b"import")
}

impl Layout {
    /// Splits `source`, or `None` when it is not in a shape this can be
    /// sure of: text the lexer cannot read, or brackets that do not balance.
    pub fn scan(source: &[u8], words: &Words) -> Option<Layout> {
        let mut tokens = lex::Tokens::new(source);
        let mut depth: usize = 0;
        let mut header_end = None;
        let mut decls: Vec<Decl> = Vec::new();
        let mut seen_package = false;
        let mut idents = Vec::new();
        while let Some(t) = tokens.next() {
            match t {
                Token::Bracket(b'{' | b'(' | b'[') => depth += 1,
                Token::Bracket(_) => depth = depth.checked_sub(1)?,
                Token::Word(w) => {
                    let start = w.as_ptr() as usize - source.as_ptr() as usize;
                    let at_margin = start == 0 || source[start - 1] == b'\n';
                    if depth == 0 && at_margin {
                        if w == b"package" {
                            seen_package = true;
                        } else if starts_declaration(w) {
                            // The declaration takes the lines after the
                            // previous code: its doc comment among them.
                            let boundary = lex::find_byte(source, b'\n', tokens.code_before())
                                .map_or(start, |nl| (nl + 1).min(start));
                            if header_end.is_none() && w != b"import" {
                                header_end = Some(boundary);
                            }
                            if header_end.is_some() {
                                if let Some(last) = decls.last_mut() {
                                    last.range.end = boundary;
                                    last.idents.end = idents.len();
                                }
                                decls.push(Decl {
                                    range: boundary..source.len(),
                                    value: matches!(w, b"var" | b"const"),
                                    keywords: KeywordSet::default(),
                                    words: vec![false; words.len()],
                                    idents: idents.len()..idents.len(),
                                    names: Vec::new(),
                                });
                            }
                        }
                    }
                    if let Some(d) = decls.last_mut() {
                        if let Some(k) = lex::keyword(w) {
                            d.keywords = d.keywords.union(k);
                        } else if !w[0].is_ascii_digit() {
                            if let Some(id) = words.get(w) {
                                d.words[id] = true;
                            }
                            // A declared name comes first in the
                            // declaration, its line or its group, or after
                            // a comma: anything so placed may be one.
                            let first = d.idents.start == idents.len();
                            if d.value && depth <= 1 && (first || may_start_name(source, start)) {
                                d.names.push(idents.len());
                            }
                            idents.push(start..start + w.len());
                        }
                    }
                }
            }
        }
        if tokens.broken() || depth != 0 || !seen_package {
            return None;
        }
        if let Some(last) = decls.last_mut() {
            last.idents.end = idents.len();
        }
        Some(Layout {
            header_end: header_end.unwrap_or(source.len()),
            decls,
            idents,
        })
    }

    /// Adds to `needed` (one entry per declaration) every `var` and `const`
    /// declaration that may declare a name the needed declarations use,
    /// and, in turn, those their own code names: an analysis of a function
    /// reads the package-level values it names, and a value's type or
    /// initial value may name others.
    pub fn values_named(&self, source: &[u8], needed: &mut [bool]) {
        let mut by_name: fnv::FnvHashMap<&[u8], Vec<usize>> = Default::default();
        for (j, d) in self.decls.iter().enumerate() {
            if d.value && !needed[j] {
                for &n in &d.names {
                    by_name
                        .entry(&source[self.idents[n].clone()])
                        .or_default()
                        .push(j);
                }
            }
        }
        let mut work: Vec<usize> = (0..self.decls.len()).filter(|&j| needed[j]).collect();
        while let Some(j) = work.pop() {
            if by_name.is_empty() {
                return;
            }
            for r in &self.idents[self.decls[j].idents.clone()] {
                let Some(values) = by_name.remove(&source[r.clone()]) else {
                    continue;
                };
                for v in values {
                    if !needed[v] {
                        needed[v] = true;
                        work.push(v);
                    }
                }
            }
        }
    }

    /// The declaration holding byte `offset`, if it is past the header.
    pub fn decl_at(&self, offset: usize) -> Option<usize> {
        if offset < self.header_end {
            return None;
        }
        let i = self.decls.partition_point(|d| d.range.start <= offset);
        i.checked_sub(1)
    }
}

thread_local! {
    static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
}

/// Parses only `ranges` of `source` (sorted, apart), or `None` if the
/// parser gives up. Nodes keep their offsets in `source`.
pub fn parse_ranges(source: &str, ranges: &[Range<usize>]) -> Option<GoRoot> {
    let bytes = source.as_bytes();
    let mut row = 0;
    let mut at = 0;
    let mut line_start = 0;
    let mut point = |offset: usize| {
        for (i, &b) in bytes[at..offset].iter().enumerate() {
            if b == b'\n' {
                row += 1;
                line_start = at + i + 1;
            }
        }
        at = offset;
        tree_sitter::Point::new(row, offset - line_start)
    };
    let mut included = Vec::with_capacity(ranges.len());
    for r in ranges {
        let start_point = point(r.start);
        let end_point = point(r.end);
        included.push(tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point,
            end_point,
        });
    }
    let tree = PARSER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let parser = match cell.as_mut() {
            Some(p) => p,
            None => {
                let mut p = tree_sitter::Parser::new();
                p.set_language(&Go.get_ts_language()).ok()?;
                cell.insert(p)
            }
        };
        parser.reset();
        parser.set_included_ranges(&included).ok()?;
        parser.parse(bytes, None)
    })?;
    Some(GoRoot::doc(StrDoc {
        src: source.to_string(),
        lang: Go,
        tree,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clauses(rule: &str) -> Vec<Clause> {
        let v: toml::Value = toml::from_str(&format!("rule = {rule}")).unwrap();
        rule_clauses(
            &v["rule"],
            &["runtime".to_string(), "context".to_string()],
            Reach::Declaration,
        )
    }

    fn kw(k: &str) -> Clause {
        Clause {
            keywords: KeywordSet::of(k).unwrap(),
            words: Vec::new(),
        }
    }

    fn word(w: &str) -> Clause {
        Clause {
            keywords: KeywordSet::default(),
            words: vec![w.to_string()],
        }
    }

    #[test]
    fn rules_give_the_words_a_match_must_hold() {
        assert_eq!(clauses("{ kind = \"go_statement\" }"), [kw("go")]);
        assert_eq!(clauses("{ pattern = \"runtime.GC()\" }"), [word("GC")]);
        assert_eq!(
            clauses("{ pattern = \"$CH := make(chan $T, $$$A)\" }"),
            [word("make"), kw("chan")]
        );
        assert_eq!(
            clauses("{ any = [{ pattern = \"context.WithCancel($$$A)\" }, { pattern = \"context.WithTimeout($$$A)\" }] }"),
            [Clause {
                keywords: KeywordSet::default(),
                words: vec!["WithCancel".into(), "WithTimeout".into()],
            }]
        );
        assert_eq!(
            clauses("{ kind = \"default_case\", inside = { kind = \"select_statement\" } }"),
            [kw("default"), kw("select")]
        );
        assert_eq!(
            clauses("{ kind = \"call_expression\", regex = '^make\\(\\s*chan\\b' }"),
            [word("make")]
        );
        assert_eq!(
            clauses("{ kind = \"call_expression\", regex = '^C\\.' }"),
            [word("C")]
        );
        for open in ["'^[\\w.]*Lock'", "'C\\.'", "'^Cgo'", "'^C+'"] {
            assert_eq!(clauses(&format!("{{ regex = {open} }}")), [], "{open}");
        }
        // An `any` with a branch that requires nothing requires nothing.
        assert_eq!(
            clauses("{ any = [{ kind = \"go_statement\" }, { kind = \"send_statement\" }] }"),
            []
        );
        // Siblings and negations say nothing about the declaration.
        assert_eq!(
            clauses("{ kind = \"call_expression\", follows = { kind = \"go_statement\" }, not = { kind = \"for_statement\" } }"),
            []
        );
        assert_eq!(
            clauses("{ kind = \"call_expression\", inside = { kind = \"source_file\", has = { kind = \"go_statement\" } } }"),
            []
        );
    }

    #[test]
    fn rules_that_may_look_past_the_declaration_are_told() {
        let local = |rule: &str| {
            let v: toml::Value = toml::from_str(&format!("rule = {rule}")).unwrap();
            rule_is_local(&v["rule"])
        };
        assert!(local(
            "{ kind = \"go_statement\", has = { pattern = \"$WG.Done()\" } }"
        ));
        assert!(local(
            "{ kind = \"default_case\", inside = { kind = \"select_statement\" } }"
        ));
        assert!(local("{ all = [{ kind = \"call_expression\" }, { not = { inside = { kind = \"for_statement\", stopBy = \"end\" } } }] }"));
        for rule in [
            "{ pattern = \"f()\", inside = { kind = \"source_file\", has = { kind = \"go_statement\", stopBy = \"end\" } } }",
            "{ pattern = \"f()\", inside = { stopBy = \"end\", has = { kind = \"go_statement\" } } }",
            "{ kind = \"function_declaration\", follows = { kind = \"var_declaration\" } }",
            "{ any = [{ kind = \"go_statement\" }, { matches = \"helper\" }] }",
            "{ kind = \"function_declaration\", nthChild = 2 }",
        ] {
            assert!(!local(rule), "{rule}");
        }
    }

    #[test]
    fn files_split_at_their_declarations() {
        let mut words = Words::default();
        let go = words.intern("Go");
        let src = "// doc\npackage p\n\nimport (\n\t\"fmt\"\n)\n\nimport \"os\"\n\n// f does\nfunc f() {\n\tgo g()\n}\n\nvar x = func() {\n}\n\ntype T struct{ Go int }\n\nconst help = `a\nb\n`\n\nfunc h() {}\n";
        let layout = Layout::scan(src.as_bytes(), &words).unwrap();
        assert_eq!(
            &src[..layout.header_end],
            "// doc\npackage p\n\nimport (\n\t\"fmt\"\n)\n\nimport \"os\"\n"
        );
        let texts: Vec<&str> = layout.decls.iter().map(|d| &src[d.range.clone()]).collect();
        assert_eq!(
            texts,
            [
                "\n// f does\nfunc f() {\n\tgo g()\n}\n",
                "\nvar x = func() {\n}\n",
                "\ntype T struct{ Go int }\n",
                "\nconst help = `a\nb\n`\n",
                "\nfunc h() {}\n"
            ]
        );
        let values: Vec<bool> = layout.decls.iter().map(|d| d.value).collect();
        assert_eq!(values, [false, true, false, true, false]);
        assert!(layout.decls[0]
            .keywords
            .meets(KeywordSet::of("go").unwrap()));
        assert!(!layout.decls[1]
            .keywords
            .meets(KeywordSet::of("go").unwrap()));
        assert!(layout.decls[2].words[go]);
        assert_eq!(layout.decl_at(src.find("go g").unwrap()), Some(0));
        assert_eq!(layout.decl_at(3), None);
    }

    #[test]
    fn values_are_needed_when_named() {
        let src = "package p\n\nvar (\n\tlimit = base * 2\n\tunused, other = 1, 2\n)\n\nconst base = 8\n\nconst far = 3\n\nfunc f() {\n\tgo g(limit)\n}\n\nvar a, b /* c */, c int\n\nfunc h() { _ = c }\n\nfunc k() { _ = other }\n";
        let layout = Layout::scan(src.as_bytes(), &Words::default()).unwrap();
        let texts: Vec<&str> = layout
            .decls
            .iter()
            .map(|d| src[d.range.clone()].trim())
            .collect();
        let needed_with = |parsed: &[usize]| {
            let mut needed: Vec<bool> = (0..texts.len()).map(|j| parsed.contains(&j)).collect();
            layout.values_named(src.as_bytes(), &mut needed);
            (0..texts.len()).filter(|&j| needed[j]).collect::<Vec<_>>()
        };
        // f names `limit`, whose value names `base`; `far` stays out.
        assert_eq!(needed_with(&[3]), [0, 1, 3], "{texts:?}");
        // Names after a comma, with or without a comment, are names.
        assert_eq!(needed_with(&[5]), [4, 5], "{texts:?}");
        assert_eq!(needed_with(&[6]), [0, 1, 6], "{texts:?}");
        assert_eq!(needed_with(&[]), Vec::<usize>::new());
    }

    #[test]
    fn unsure_shapes_are_not_split() {
        let words = Words::default();
        for src in [
            "package p\nfunc f() {\n",
            "package p\nvar s = \"x\n",
            "func f() {}\n",
            "package p\n)\n",
        ] {
            assert!(Layout::scan(src.as_bytes(), &words).is_none(), "{src:?}");
        }
    }

    #[test]
    fn parsed_ranges_keep_the_file_offsets() {
        let src = "package p\n\nfunc a() { x() }\n\nfunc b() { go y() }\n";
        let b = src.find("func b").unwrap();
        let root = parse_ranges(src, &[0..11, b..src.len()]).unwrap();
        let kinds: Vec<String> = root
            .root()
            .children()
            .map(|n| n.kind().to_string())
            .collect();
        assert_eq!(kinds, ["package_clause", "function_declaration"]);
        let go = root
            .root()
            .dfs()
            .find(|n| n.kind() == "go_statement")
            .unwrap();
        assert_eq!(go.text(), "go y()");
        assert_eq!(go.range().start, src.find("go y").unwrap());
        assert_eq!(go.start_pos().line(), 4);
    }
}
