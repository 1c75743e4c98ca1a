//! Names and scopes, without type information.
//!
//! Two questions recipes ask: does a local declaration hide an imported
//! package's name here, and which new name is free to introduce.

use std::collections::{HashMap, HashSet};

use super::golang::GoNode;

/// Node kinds that introduce a function scope.
pub const FUNCTIONS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

/// Whether `node` is a function: a declaration, a method or a literal.
pub fn is_function(node: &GoNode<'_>) -> bool {
    FUNCTIONS.contains(&&*node.kind())
}

/// The names declared directly by `node` (not inside nested blocks).
pub fn declared_names(node: &GoNode<'_>, out: &mut Vec<String>) {
    visit_declared_names(node, &mut |n| {
        out.push(n.text().to_string());
        false
    });
}

/// Whether `node` directly declares `name` (one of [`declared_names`]).
/// Scope walks ask this of every statement before a use: it stops at the
/// first match and copies no name.
pub fn declares(node: &GoNode<'_>, name: &str) -> bool {
    visit_declared_names(node, &mut |n| n.text() == name)
}

/// Each name that a child of `node` declares directly, with the start of
/// the first child that does: a name is declared by a child before offset
/// `at` exactly when its start here is below `at` (children come in
/// order).
pub fn first_declarations(node: &GoNode<'_>) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for child in node.children() {
        let start = child.range().start;
        visit_declared_names(&child, &mut |n| {
            out.entry(n.text().to_string()).or_insert(start);
            false
        });
    }
    out
}

/// Hands the name nodes that `node` declares directly to `visit`, in
/// order, until `visit` returns true; returns whether it did.
fn visit_declared_names(node: &GoNode<'_>, visit: &mut dyn FnMut(&GoNode<'_>) -> bool) -> bool {
    match &*node.kind() {
        "short_var_declaration" | "range_clause" | "receive_statement" => {
            // Only `:=` forms declare.
            let declares = node.children().any(|c| c.kind() == ":=");
            if declares {
                if let Some(left) = node.field("left") {
                    return left
                        .named_children()
                        .filter(|c| c.kind() == "identifier")
                        .any(|c| visit(&c));
                }
            }
            false
        }
        "var_declaration" | "const_declaration" | "type_declaration" | "var_spec_list"
        | "parameter_list" => node
            .named_children()
            .any(|c| visit_declared_names(&c, visit)),
        "var_spec"
        | "const_spec"
        | "type_spec"
        | "type_alias"
        | "parameter_declaration"
        | "variadic_parameter_declaration" => node
            .field_children("name")
            .filter(|c| matches!(&*c.kind(), "identifier" | "type_identifier"))
            .any(|c| visit(&c)),
        "for_clause" => node
            .field("initializer")
            .is_some_and(|init| visit_declared_names(&init, visit)),
        "type_switch_statement" => node.field("alias").is_some_and(|alias| {
            alias.named_children().any(|c| visit(&c))
                || (alias.kind() == "identifier" && visit(&alias))
        }),
        _ => false,
    }
}

/// Whether `name`, at `node`, refers to something declared inside the
/// enclosing function (a parameter, a local variable, a range variable...)
/// rather than to a package-level name or an import.
pub fn is_shadowed(node: &GoNode<'_>, name: &str) -> bool {
    declared_before(node, name, None)
}

/// Whether `name`, used at `node`, is declared inside `scope` (its
/// parameters or its body) rather than outside it.
pub fn declared_within(node: &GoNode<'_>, name: &str, scope: &GoNode<'_>) -> bool {
    declared_before(node, name, Some(scope))
}

/// Walks the scopes around `node` outwards, up to `boundary` (included) or
/// the package level (excluded), looking for a declaration of `name` that
/// comes before `node`.
fn declared_before(node: &GoNode<'_>, name: &str, boundary: Option<&GoNode<'_>>) -> bool {
    declared_before_by(node, name, boundary, &mut |anc, before| {
        anc.children()
            .take_while(|sib| sib.range().start < before)
            .any(|sib| declares(&sib, name))
    })
}

/// [`declared_before`], asking `children_declare(anc, before)` whether a
/// child of the scope `anc` that starts before offset `before` declares
/// `name`; a caller that asks often can answer from
/// [`first_declarations`] of `anc`, read once.
pub fn declared_before_by<'r>(
    node: &GoNode<'r>,
    name: &str,
    boundary: Option<&GoNode<'_>>,
    children_declare: &mut dyn FnMut(&GoNode<'r>, usize) -> bool,
) -> bool {
    let mut child = node.clone();
    for anc in node.ancestors() {
        if anc.kind() == "source_file" {
            break;
        }
        let before = child.range().start;
        if children_declare(&anc, before) {
            return true;
        }
        // `if x := f(); ... {` and `switch x := ...` declare in their initializer.
        if anc
            .field("initializer")
            .is_some_and(|init| init.range().end <= before && declares(&init, name))
        {
            return true;
        }
        if boundary.is_some_and(|b| b.range() == anc.range()) {
            return false;
        }
        child = anc;
    }
    false
}

/// The innermost function (declaration, method or literal) around `node`.
pub fn enclosing_function<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    node.ancestors().find(is_function)
}

/// The top-level declaration holding `node`.
pub fn top_level<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut cur = node.clone();
    for anc in node.ancestors() {
        if anc.kind() == "source_file" {
            return Some(cur);
        }
        cur = anc;
    }
    None
}

/// Every identifier spelled anywhere in `scope`: a conservative set of the
/// names a new declaration there could collide with.
pub fn names_in(scope: &GoNode<'_>) -> HashSet<String> {
    scope
        .dfs()
        .filter(|n| {
            matches!(
                &*n.kind(),
                "identifier"
                    | "type_identifier"
                    | "package_identifier"
                    | "field_identifier"
                    | "label_name"
            )
        })
        .map(|n| n.text().to_string())
        .collect()
}

/// A name based on `base` that collides with nothing visible at `node`:
/// `base`, then `base2`, `base3`... It avoids every identifier of the
/// enclosing top-level declaration, every package-level name and import of
/// the file, and Go's predeclared names.
pub fn fresh_name(node: &GoNode<'_>, base: &str) -> String {
    fresh_name_avoiding(node, base, &HashSet::new())
}

/// [`fresh_name`] that also avoids `taken` (names the same fix introduces).
pub fn fresh_name_avoiding(node: &GoNode<'_>, base: &str, taken: &HashSet<String>) -> String {
    let mut used = top_level(node).map(|t| names_in(&t)).unwrap_or_default();
    if let Some(file) = node.ancestors().find(|a| a.kind() == "source_file") {
        for decl in file.children() {
            let mut names = Vec::new();
            declared_names(&decl, &mut names);
            used.extend(names);
            if matches!(&*decl.kind(), "function_declaration") {
                if let Some(n) = decl.field("name") {
                    used.insert(n.text().to_string());
                }
            }
            if decl.kind() == "import_declaration" {
                used.extend(decl.dfs().filter(|n| n.kind() == "import_spec").map(|s| {
                    match s.field("name") {
                        Some(n) => n.text().to_string(),
                        None => {
                            let p = s
                                .field("path")
                                .map(|p| p.text().trim_matches('"').to_string())
                                .unwrap_or_default();
                            super::imports::default_name(&p).to_string()
                        }
                    }
                }));
            }
        }
    }
    let free = |n: &str| !used.contains(n) && !taken.contains(n) && !is_predeclared(n);
    if free(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| free(n))
        .expect("an unbounded range yields a free name")
}

/// The predeclared type names of Go: a call of one is a conversion.
pub const PREDECLARED_TYPES: &[&str] = &[
    "any",
    "bool",
    "byte",
    "comparable",
    "complex64",
    "complex128",
    "error",
    "float32",
    "float64",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "rune",
    "string",
    "uint",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "uintptr",
];

/// The other predeclared identifiers: constants, `nil` and the built-in
/// functions.
const PREDECLARED_VALUES: &[&str] = &[
    "true", "false", "iota", "nil", "append", "cap", "clear", "close", "complex", "copy", "delete",
    "imag", "len", "make", "max", "min", "new", "panic", "print", "println", "real", "recover",
];

/// Whether `name` is predeclared in Go's universe block.
pub fn is_predeclared(name: &str) -> bool {
    PREDECLARED_TYPES.contains(&name) || PREDECLARED_VALUES.contains(&name)
}

/// Whether `name` is declared anywhere in the function around `node`.
pub fn declared_in_function(node: &GoNode<'_>, name: &str) -> bool {
    let Some(top) = top_level(node) else {
        return false;
    };
    let found = top.dfs().any(|n| declares(&n, name));
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::golang::parse;

    fn find<'r>(root: &'r crate::engine::golang::GoRoot, text: &str) -> GoNode<'r> {
        root.root()
            .dfs()
            .filter(|n| n.text() == text)
            .last()
            .unwrap()
    }

    #[test]
    fn sees_local_shadowing() {
        let root = parse("package a\nimport \"runtime\"\nfunc f(runtime int) {\n\tx := runtime\n}\nfunc g() {\n\truntime := 1\n\t_ = runtime\n}\nfunc h() {\n\t_ = runtime.GC\n}\n");
        let x = root
            .root()
            .dfs()
            .find(|n| n.text() == "x := runtime")
            .unwrap();
        assert!(is_shadowed(&x, "runtime"));
        let g = root
            .root()
            .dfs()
            .find(|n| n.text() == "_ = runtime")
            .unwrap();
        assert!(is_shadowed(&g, "runtime"));
        let h = find(&root, "runtime.GC");
        assert!(!is_shadowed(&h, "runtime"));
    }

    #[test]
    fn declaration_after_use_does_not_shadow() {
        let root =
            parse("package a\nfunc f() {\n\truntime.GC()\n\truntime := 1\n\t_ = runtime\n}\n");
        let call = find(&root, "runtime.GC()");
        assert!(!is_shadowed(&call, "runtime"));
    }

    #[test]
    fn fresh_names_skip_taken_ones() {
        let root =
            parse("package a\nvar timer int\nfunc f() {\n\ttimer2 := 1\n\t_ = timer2\n\tx()\n}\n");
        let call = find(&root, "x()");
        assert_eq!(fresh_name(&call, "timer"), "timer3");
        assert_eq!(fresh_name(&call, "sem"), "sem");
    }
}
