//! A small Go lexer for questions that must be answered before parsing:
//! which words occur in code (outside comments, strings and runes), and
//! where the brackets are.
//!
//! It knows just enough of the language to tell code from comments and
//! literals. Anything it cannot read (an unterminated comment, string or
//! rune) marks the text as [`Tokens::broken`]; callers then assume the
//! worst, as the parser will find a syntax error there anyway.

/// A token the lexer reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A run of identifier characters: an identifier, a keyword or a number
    /// (numbers start with a digit; a `.` or an exponent sign splits them).
    Word(&'a [u8]),
    /// One of `{ ( [ ] ) }`.
    Bracket(u8),
}

/// The tokens of a Go text, comments and literals skipped. Other
/// punctuation is not reported.
pub struct Tokens<'a> {
    b: &'a [u8],
    i: usize,
    broken: bool,
    /// Where the last code (a token or a literal, not a comment) ends.
    code_end: usize,
    /// `code_end` as it was before the last token reported.
    before: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Tokens {
            b: text,
            i: 0,
            broken: false,
            code_end: 0,
            before: 0,
        }
    }

    /// Where the code before the last token reported ends: the end of the
    /// token or literal before it (comments are not code).
    pub fn code_before(&self) -> usize {
        self.before
    }

    /// Where the last token reported ends.
    pub fn end(&self) -> usize {
        self.code_end
    }

    /// Reports `t`, which ends where the lexer stands.
    fn emit(&mut self, t: Token<'a>) -> Option<Token<'a>> {
        self.before = self.code_end;
        self.code_end = self.i;
        Some(t)
    }

    /// Whether the lexer met a comment, string or rune that does not end:
    /// the tokens after it are not reported.
    pub fn broken(&self) -> bool {
        self.broken
    }

    fn stop(&mut self) -> Option<Token<'a>> {
        self.broken = true;
        self.i = self.b.len();
        None
    }
}

/// Whether `c` can be part of an identifier (any non-ASCII byte counts:
/// Go identifiers may hold Unicode letters).
pub fn is_word_byte(c: u8) -> bool {
    WORD_BYTES[c as usize]
}

/// [`is_word_byte`] for every byte, looked up rather than computed: the
/// lexer asks it of nearly every byte of every file.
static WORD_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80;
        c += 1;
    }
    t
};

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let b = self.b;
        while self.i < b.len() {
            let c = b[self.i];
            match c {
                b'/' if b.get(self.i + 1) == Some(&b'/') => {
                    self.i = find_byte(b, b'\n', self.i).unwrap_or(b.len());
                }
                b'/' if b.get(self.i + 1) == Some(&b'*') => match find_pair(b, b"*/", self.i + 2) {
                    Some(end) => self.i = end + 2,
                    None => return self.stop(),
                },
                b'"' | b'\'' => {
                    let mut j = self.i + 1;
                    loop {
                        let Some(k) = b
                            .get(j..)
                            .and_then(|rest| memchr::memchr3(c, b'\\', b'\n', rest))
                        else {
                            return self.stop();
                        };
                        j += k;
                        match b[j] {
                            b'\\' => j += 2,
                            b'\n' => return self.stop(),
                            _ => break,
                        }
                    }
                    self.i = j + 1;
                    self.code_end = self.i;
                }
                b'`' => match find_byte(b, b'`', self.i + 1) {
                    Some(end) => {
                        self.i = end + 1;
                        self.code_end = self.i;
                    }
                    None => return self.stop(),
                },
                b'{' | b'(' | b'[' | b'}' | b')' | b']' => {
                    self.i += 1;
                    return self.emit(Token::Bracket(c));
                }
                c if is_word_byte(c) => {
                    let start = self.i;
                    self.i += b[start..]
                        .iter()
                        .position(|&x| !is_word_byte(x))
                        .unwrap_or(b.len() - start);
                    return self.emit(Token::Word(&b[start..self.i]));
                }
                c if c.is_ascii_whitespace() => self.i += 1,
                _ => {
                    self.i += 1;
                    self.code_end = self.i;
                }
            }
        }
        None
    }
}

/// The first `c` in `b` at or after `from`.
pub fn find_byte(b: &[u8], c: u8, from: usize) -> Option<usize> {
    memchr::memchr(c, b.get(from..)?).map(|j| from + j)
}

fn find_pair(b: &[u8], pair: &[u8; 2], from: usize) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, pair).map(|j| from + j)
}

/// Go's keywords, in the order of the bits of a [`KeywordSet`].
pub const KEYWORDS: [&str; 25] = [
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

/// A set of Go keywords, one bit per entry of [`KEYWORDS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeywordSet(u32);

impl KeywordSet {
    /// Every keyword.
    pub const ALL: KeywordSet = KeywordSet((1 << KEYWORDS.len()) - 1);

    /// The set holding only `word`, when it is a keyword.
    pub fn of(word: &str) -> Option<KeywordSet> {
        KEYWORDS
            .iter()
            .position(|k| *k == word)
            .map(|i| KeywordSet(1 << i))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: KeywordSet) -> KeywordSet {
        KeywordSet(self.0 | other.0)
    }

    /// Whether the two sets share a keyword.
    pub fn meets(self, other: KeywordSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The keywords of the set, in [`KEYWORDS`] order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        KEYWORDS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, k)| *k)
    }
}

/// The keyword `word` is, if it is one.
pub fn keyword(word: &[u8]) -> Option<KeywordSet> {
    // A match on the bytes compiles to a switch on the length and a few
    // comparisons; the lexer asks this of every word of every file.
    let i = match word {
        b"break" => 0,
        b"case" => 1,
        b"chan" => 2,
        b"const" => 3,
        b"continue" => 4,
        b"default" => 5,
        b"defer" => 6,
        b"else" => 7,
        b"fallthrough" => 8,
        b"for" => 9,
        b"func" => 10,
        b"go" => 11,
        b"goto" => 12,
        b"if" => 13,
        b"import" => 14,
        b"interface" => 15,
        b"map" => 16,
        b"package" => 17,
        b"range" => 18,
        b"return" => 19,
        b"select" => 20,
        b"struct" => 21,
        b"switch" => 22,
        b"type" => 23,
        b"var" => 24,
        _ => return None,
    };
    Some(KeywordSet(1 << i))
}

/// The keyword every node of a grammar kind is spelled with, for the kinds
/// that have one: a `go_statement` always starts with `go`.
pub fn keyword_of_kind(kind: &str) -> Option<KeywordSet> {
    let word = match kind {
        "go_statement" => "go",
        "defer_statement" => "defer",
        "select_statement" => "select",
        "for_statement" => "for",
        "range_clause" => "range",
        "if_statement" => "if",
        "return_statement" => "return",
        "expression_switch_statement" | "type_switch_statement" => "switch",
        "default_case" => "default",
        "communication_case" | "expression_case" | "type_case" => "case",
        "break_statement" => "break",
        "continue_statement" => "continue",
        "goto_statement" => "goto",
        "fallthrough_statement" => "fallthrough",
        "func_literal" | "function_declaration" | "method_declaration" | "function_type" => "func",
        "channel_type" => "chan",
        "map_type" => "map",
        "struct_type" => "struct",
        "interface_type" => "interface",
        "type_declaration" => "type",
        "var_declaration" => "var",
        "const_declaration" => "const",
        "import_declaration" => "import",
        "package_clause" => "package",
        _ => return None,
    };
    KeywordSet::of(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keywords that occur in the code of `text`, outside comments, strings
    /// and runes. [`KeywordSet::ALL`] when the text cannot be lexed to its end.
    fn keywords_in_code(text: &[u8]) -> KeywordSet {
        let mut tokens = Tokens::new(text);
        let mut found = KeywordSet::default();
        for t in tokens.by_ref() {
            if let Token::Word(w) = t {
                if let Some(k) = keyword(w) {
                    found = found.union(k);
                    if found == KeywordSet::ALL {
                        return found;
                    }
                }
            }
        }
        if tokens.broken() {
            KeywordSet::ALL
        } else {
            found
        }
    }

    fn words(text: &str) -> Vec<String> {
        Tokens::new(text.as_bytes())
            .filter_map(|t| match t {
                Token::Word(w) => Some(String::from_utf8_lossy(w).into_owned()),
                Token::Bracket(_) => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_runes_hold_no_tokens() {
        let src = "a // go b\n/* go\n c */ d \"go \\\" e\" 'x' '\\'' `go\nf` g";
        assert_eq!(words(src), ["a", "d", "g"]);
    }

    #[test]
    fn keywords_are_found_in_code_only() {
        let src = "package p\n// go and select in prose\nfunc f() { s := \"for {\"; _ = s }\n";
        let found: Vec<_> = keywords_in_code(src.as_bytes()).names().collect();
        assert_eq!(found, ["func", "package"]);
        let src = "package p\nfunc f() { go g(); defer func() { go h() }() }\n";
        let found: Vec<_> = keywords_in_code(src.as_bytes()).names().collect();
        assert_eq!(found, ["defer", "func", "go", "package"]);
    }

    #[test]
    fn words_are_whole() {
        let src = "package p\nvar gopher, forward, selected, _go = 1, 2, 3, 4\n";
        let found: Vec<_> = keywords_in_code(src.as_bytes()).names().collect();
        assert_eq!(found, ["package", "var"]);
    }

    #[test]
    fn text_that_does_not_lex_may_hold_any_keyword() {
        for src in ["package p\n/* open", "var s = \"open\nx", "var r = `open"] {
            assert_eq!(keywords_in_code(src.as_bytes()), KeywordSet::ALL, "{src:?}");
        }
    }

    #[test]
    fn every_keyword_is_known_by_its_bit() {
        for (i, k) in KEYWORDS.iter().enumerate() {
            assert_eq!(keyword(k.as_bytes()), Some(KeywordSet(1 << i)), "{k}");
            assert_eq!(KeywordSet::of(k), Some(KeywordSet(1 << i)), "{k}");
        }
        for w in ["Go", "fo", "forx", "", "_", "selects"] {
            assert_eq!(keyword(w.as_bytes()), None, "{w}");
        }
    }

    #[test]
    fn kinds_name_their_keywords() {
        assert_eq!(keyword_of_kind("go_statement"), KeywordSet::of("go"));
        assert_eq!(keyword_of_kind("call_expression"), None);
        for k in KEYWORDS {
            assert!(KeywordSet::of(k).is_some());
        }
        assert_eq!(KeywordSet::of("gopher"), None);
    }
}
