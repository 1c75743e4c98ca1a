//! `finalizer-self-capture`: a finalizer closure that refers to its own
//! object keeps the object reachable, so the finalizer never runs. The
//! closure is made to use its parameter instead.

use std::ops::Range;

use crate::engine::edit::TextEdit;
use crate::engine::golang::GoNode;
use crate::engine::scope::declared_names;
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::flow::{resolve, Flow, Var};

pub struct FinalizerSelfCapture;

/// Whether `call` stores what is passed to it: only `append` is assumed to.
fn keeps_argument(_file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    call.field("function")
        .is_some_and(|f| f.kind() == "identifier" && f.text() == "append")
}

/// Whether the identifier `n` is the key of a struct literal element
/// (`T{r: 1}`), which names a field rather than a variable.
fn is_literal_key(n: &GoNode<'_>) -> bool {
    let Some(elem) = n.parent().filter(|p| p.kind() == "literal_element") else {
        return false;
    };
    elem.parent().is_some_and(|k| {
        k.kind() == "keyed_element"
            && k.named_children()
                .next()
                .is_some_and(|first| first.range() == elem.range())
    })
}

/// Whether the identifier `n` is declared here (`x := ...`, `var x`, a
/// parameter) rather than used.
fn is_declaration(n: &GoNode<'_>) -> bool {
    let Some(p) = n.parent() else {
        return false;
    };
    match &*p.kind() {
        "var_spec" | "const_spec" | "parameter_declaration" | "variadic_parameter_declaration" => {
            true
        }
        "expression_list" => p.parent().is_some_and(|h| {
            matches!(
                &*h.kind(),
                "short_var_declaration" | "range_clause" | "receive_statement"
            ) && h.field("left").is_some_and(|l| l.range() == p.range())
                && h.children().any(|c| c.kind() == ":=")
        }),
        _ => false,
    }
}

/// The variable an expression such as `s.res`, `&v` or `list[i]` starts from.
fn root_variable<'r>(expr: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut cur = expr.clone();
    loop {
        match &*cur.kind() {
            "identifier" => return Some(cur),
            "selector_expression" | "unary_expression" | "index_expression" => {
                cur = cur.field("operand")?
            }
            "parenthesized_expression" => {
                let inner = cur.named_children().next()?;
                cur = inner;
            }
            _ => return None,
        }
    }
}

/// Uses of `name` in `body` that refer to a declaration outside the closure
/// `lit` (a captured variable).
fn captured_uses<'r>(lit: &GoNode<'r>, body: &GoNode<'r>, name: &str) -> Vec<GoNode<'r>> {
    let lit_range = lit.range();
    body.dfs()
        .filter(|n| {
            n.kind() == "identifier" && n.text() == name && !is_literal_key(n) && !is_declaration(n)
        })
        .filter(|n| !resolve(n, name).is_some_and(|s| inside(&lit_range, &s)))
        .collect()
}

fn inside(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

impl RecipeLogic for FinalizerSelfCapture {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        if !file.is_pkg_call(&call, "runtime", "SetFinalizer") {
            return None;
        }
        let args: Vec<GoNode> = call.field("arguments")?.named_children().collect();
        let [obj, lit] = args.as_slice() else {
            return None;
        };
        if lit.kind() != "func_literal" {
            return None;
        }
        let params: Vec<GoNode> = lit
            .field("parameters")?
            .named_children()
            .filter(|p| p.kind() == "parameter_declaration")
            .collect();
        let [param] = params.as_slice() else {
            return None;
        };
        let body = lit.field("body")?;
        if obj.kind() != "identifier" {
            // `s.res`, `&v`, `list[i]`: a closure that refers to the variable
            // the object is reached from holds the object as well.
            let text = obj.text().to_string();
            let root = root_variable(obj)?;
            let root_name = root.text().to_string();
            if captured_uses(lit, &body, &root_name).is_empty() {
                return None;
            }
            return Some(cx.report(&format!(
                "the object is `{text}`, not a variable of its own, and the closure refers to `{root_name}`, which holds it: make the closure use its parameter by hand"
            )));
        }
        let name = obj.text().to_string();
        let uses = captured_uses(lit, &body, &name);
        if uses.is_empty() {
            return None;
        }
        let names: Vec<GoNode> = param.field_children("name").collect();
        let pname = names.first().map(|n| n.text().to_string());
        // The object must not be stored anywhere (resurrection), through the
        // captured variable or through the parameter.
        let lit_scope = lit.range();
        let flow = Flow {
            what: "the object",
            boundary: lit.clone(),
            returns_escape: false,
            through_methods: &[],
            selector_propagates: false,
            through_call: keeps_argument,
        };
        let mut vars = Vec::new();
        if let Some(p) = pname.as_deref().filter(|p| *p != "_") {
            vars.push(Var::new(p, lit_scope.clone(), body.range().start));
        }
        if let Some(why) = flow.escapes_all(file, vars) {
            return Some(cx.report(&format!(
                "{why}: the finalizer resurrects it, which needs a human decision"
            )));
        }
        for u in &uses {
            if let Some(why) = flow.escapes_one(file, u.clone()) {
                return Some(cx.report(&format!(
                    "{why}: the finalizer resurrects it, which needs a human decision"
                )));
            }
            let p = u.parent();
            let written = p.as_ref().is_some_and(|p| {
                (p.kind() == "unary_expression"
                    && p.field("operator").is_some_and(|o| o.text() == "&"))
                    || p.kind() == "inc_statement"
                    || p.kind() == "dec_statement"
                    || (p.kind() == "expression_list"
                        && p.parent().is_some_and(|s| {
                            matches!(&*s.kind(), "assignment_statement")
                                && s.field("left").is_some_and(|l| l.range() == p.range())
                        }))
            });
            if written {
                return Some(cx.report(&format!(
                    "the closure assigns `{name}` or takes its address, so the parameter cannot stand in for it"
                )));
            }
        }
        let ty = param.field("type")?;
        if ty.kind() != "pointer_type" {
            return Some(cx.report(&format!(
                "the parameter's type `{}` may lack the fields and methods the closure uses on `{name}`",
                ty.text()
            )));
        }
        // The body's own top level shares the parameters' scope: a name
        // declared there cannot become the parameter's.
        let mut top_names = Vec::new();
        if let Some(list) = body.named_children().find(|c| c.kind() == "statement_list") {
            for stmt in list.named_children() {
                declared_names(&stmt, &mut top_names);
            }
        }
        if matches!(pname.as_deref(), None | Some("_")) && top_names.contains(&name) {
            return Some(cx.report(&format!(
                "the closure declares its own `{name}`, so the parameter cannot take that name"
            )));
        }
        let edits = match pname.as_deref() {
            None => vec![TextEdit::insert(ty.range().start, format!("{name} "))],
            Some("_") => vec![TextEdit::replace(names[0].range(), name.clone())],
            Some(p) => {
                // Each use of the object takes the parameter's name, which
                // must not be hidden there by a local declaration.
                let mut edits = Vec::new();
                for u in &uses {
                    if resolve(u, p).as_ref() != Some(&lit_scope) {
                        return Some(cx.report(&format!(
                            "a local `{p}` hides the parameter where the closure uses `{name}`"
                        )));
                    }
                    edits.push(TextEdit::replace(u.range(), p.to_string()));
                }
                edits
            }
        };
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}
