//! The Go grammar as an ast-grep language.
//!
//! Two adjustments make Go patterns behave: `$` is not a Go identifier
//! character, so meta-variables are spelled with the expando character `µ`
//! after pre-processing; and a pattern gets a trailing newline, without which
//! tree-sitter inserts a missing terminator and reads a bare call such as
//! `runtime.GC()` as a type conversion that never matches.

use std::borrow::Cow;

use ast_grep_core::matcher::PatternBuilder;
use ast_grep_core::tree_sitter::{LanguageExt, StrDoc, TSLanguage};
use ast_grep_core::{Language, Pattern, PatternError};

/// The Go language binding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Go;

/// A parsed Go document.
pub type GoDoc = StrDoc<Go>;
/// The root of a parsed Go file.
pub type GoRoot = ast_grep_core::AstGrep<GoDoc>;
/// A node of a parsed Go file.
pub type GoNode<'r> = ast_grep_core::Node<'r, GoDoc>;
/// A node matched by a rule, with its meta-variables.
pub type GoMatch<'r> = ast_grep_core::NodeMatch<'r, GoDoc>;

const EXPANDO: char = 'µ';

impl Language for Go {
    fn pre_process_pattern<'q>(&self, query: &'q str) -> Cow<'q, str> {
        let mut out = String::with_capacity(query.len() + 1);
        let mut chars = query.chars().peekable();
        while let Some(c) = chars.next() {
            // `$X`, `$$$X` and `$_` become expando identifiers; a lone `$`
            // (never valid Go) is kept so the parser reports it.
            if c == '$'
                && matches!(chars.peek(), Some(n) if *n == '$' || *n == '_' || n.is_ascii_uppercase())
            {
                out.push(EXPANDO);
            } else {
                out.push(c);
            }
        }
        // A lone meta-variable (the `source` of a transformation) is read
        // as a name, so it must stay as it is.
        let lone = out.strip_prefix(EXPANDO).is_some_and(|rest| {
            rest.trim_start_matches(EXPANDO)
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        if !lone && !out.ends_with('\n') {
            out.push('\n');
        }
        Cow::Owned(out)
    }

    fn expando_char(&self) -> char {
        EXPANDO
    }

    fn kind_to_id(&self, kind: &str) -> u16 {
        self.get_ts_language().id_for_node_kind(kind, true)
    }

    fn field_to_id(&self, field: &str) -> Option<u16> {
        self.get_ts_language()
            .field_id_for_name(field)
            .map(|f| f.get())
    }

    fn build_pattern(&self, builder: &PatternBuilder) -> Result<Pattern, PatternError> {
        builder.build(|src| StrDoc::try_new(src, *self))
    }
}

impl LanguageExt for Go {
    fn get_ts_language(&self) -> TSLanguage {
        tree_sitter_go::LANGUAGE.into()
    }
}

/// Parses Go source text.
pub fn parse(source: &str) -> GoRoot {
    GoRoot::new(source, Go)
}

/// Whether the subtree under `node` holds a syntax error.
pub fn has_syntax_error(node: &GoNode<'_>) -> bool {
    node.get_inner_node().has_error()
}
