//! `lost-cancel`: keep the cancel function of a derived context and defer it.
//!
//! Also home of a small value-flow analysis (where does a variable's value
//! go?) that `finalizer-self-capture` shares.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_end, line_start, TextEdit};
use crate::engine::golang::{GoMatch, GoNode};
use crate::engine::scope::{declared_names, enclosing_function, fresh_name_avoiding, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::flow::{contains, resolve, Flow, Var};
use super::util::{enclosing_loop, is_receive};

pub struct LostCancel;

impl RecipeLogic for LostCancel {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let takes_cause = deriver(cx, cx.m)? == "WithCancelCause";
        let (holder, left, stmt) = dropped_cancel(&call)?;
        let target = &left[0];
        if target.kind() != "identifier" {
            return Some(cx.report(&format!(
                "the context is stored in `{}`, so it outlives this function",
                target.text()
            )));
        }
        let name = target.text().to_string();
        if stmt.parent().is_some_and(|p| p.kind() == "source_file") {
            return Some(
                cx.report("the context is a package-level variable: nothing can defer its cancel"),
            );
        }
        if stmt.parent().is_none_or(|p| p.kind() != "statement_list") {
            return Some(cx.report(
                "it is the initializer of an `if`, `switch` or `for`: declare the context on its own line first",
            ));
        }
        if enclosing_loop(&stmt).is_some() {
            return Some(cx.report(
                "it runs in a loop, where a deferred cancel would only run when the function returns; cancel each iteration's context at the end of that iteration",
            ));
        }
        let func = enclosing_function(&stmt)?;
        // The variable the context lands in, named by the scope declaring it.
        let scope = if holder.kind() == "assignment_statement" {
            match resolve(target, &name) {
                None => {
                    return Some(cx.report(&format!(
                        "the context is stored in the package-level variable `{name}`"
                    )))
                }
                Some(s) if !contains(&func.range(), &s) => {
                    return Some(cx.report(&format!(
                        "the context is stored in `{name}`, a variable of an enclosing function"
                    )))
                }
                Some(s) => s,
            }
        } else {
            stmt.parent()?.range()
        };
        if scope == func.range() && is_named_result(&func, &name) {
            return Some(cx.report(&format!(
                "the context is the named result `{name}`, returned to the caller"
            )));
        }
        let flow = Flow {
            what: "the context",
            boundary: func.clone(),
            returns_escape: true,
            through_methods: &["Done"],
            selector_propagates: true,
            through_call: propagates_context,
        };
        if let Some(why) = flow.escapes(file, Var::new(&name, scope.clone(), stmt.range().end)) {
            return Some(cx.report(&why));
        }
        if let Some(why) = outlived_by_goroutine(&func, &name, stmt.range().end) {
            return Some(cx.report(why));
        }
        let src = file.source;
        let r = stmt.range();
        if !crate::engine::edit::owns_lines(src, r.start, r.end) {
            return Some(cx.report("it shares its line with other code"));
        }
        // Earlier statements of the same declaration take `cancel`,
        // `cancel2`... first: their fixes land in the same round.
        let mut taken = HashSet::new();
        if let Some(top) = top_level(&stmt) {
            for other in top
                .dfs()
                .filter(|n| n.kind() == "call_expression" && n.range().start < call.range().start)
            {
                let derives = cx
                    .match_at(&other)
                    .is_some_and(|m| deriver(cx, &m).is_some());
                if let Some((_, _, s)) = dropped_cancel(&other).filter(|_| derives) {
                    taken.insert(fresh_name_avoiding(&s, "cancel", &taken));
                }
            }
        }
        let cancel = fresh_name_avoiding(&stmt, "cancel", &taken);
        let indent = indent_at(src, r.start).to_string();
        let arg = if takes_cause { "nil" } else { "" };
        let mut edits = vec![
            TextEdit::replace(left[1].range(), cancel.clone()),
            TextEdit::insert(
                line_end(src, r.end),
                format!("{indent}defer {cancel}({arg})\n"),
            ),
        ];
        if holder.kind() == "assignment_statement" {
            let list_scope = stmt.parent()?.range();
            let body_list = func
                .field("body")
                .and_then(|b| b.named_children().find(|c| c.kind() == "statement_list"))
                .map(|l| l.range());
            let same_block =
                scope == list_scope || (scope == func.range() && body_list == Some(list_scope));
            if same_block {
                let op = holder.children().find(|c| c.kind() == "=")?;
                edits.push(TextEdit::replace(op.range(), ":=".to_string()));
            } else {
                let ty = if takes_cause {
                    "CancelCauseFunc"
                } else {
                    "CancelFunc"
                };
                let q = file.qualifier("context");
                edits.push(TextEdit::insert(
                    line_start(src, r.start),
                    format!("{indent}var {cancel} {q}{ty}\n"),
                ));
            }
        }
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}

/// The `context` function a match of the rule calls: its `$F`, the
/// `With...` function whose second result is the cancel function. With a
/// dot-import, a local declaration of that name is not the package's.
fn deriver(cx: &MatchContext<'_, '_>, m: &GoMatch<'_>) -> Option<String> {
    let name = m.get_env().get_match("F")?.text().to_string();
    cx.file
        .is_pkg_call(m.get_node(), "context", &name)
        .then_some(name)
}

/// A goroutine started after `from` that uses `name`, when the function does
/// not wait for anything afterwards (no receive, `select`, `range` or
/// `Wait()`): such a goroutine is meant to outlive the call, and a deferred
/// cancel would stop it as soon as the function returns.
fn outlived_by_goroutine(func: &GoNode<'_>, name: &str, from: usize) -> Option<&'static str> {
    let starts = func.dfs().filter(|n| {
        n.kind() == "go_statement"
            && n.range().start >= from
            && n.dfs()
                .any(|i| i.kind() == "identifier" && i.text() == name)
    });
    let last_start = starts.map(|g| g.range().end).max()?;
    let waits = func.dfs().any(|n| {
        n.range().start >= last_start
            && match &*n.kind() {
                "unary_expression" => is_receive(&n),
                "select_statement" | "range_clause" | "receive_statement" => true,
                "call_expression" => n
                    .field("function")
                    .and_then(|f| f.field("field"))
                    .is_some_and(|f| f.text() == "Wait"),
                _ => false,
            }
    });
    (!waits).then_some(
        "the context is handed to a goroutine that this function does not wait for; a deferred cancel would stop it on return, so the owner of that goroutine must cancel it",
    )
}

/// For a call whose cancel function is dropped (`ctx, _ := call`), the
/// declaring or assigning node, its left-hand side and the statement.
fn dropped_cancel<'r>(call: &GoNode<'r>) -> Option<(GoNode<'r>, Vec<GoNode<'r>>, GoNode<'r>)> {
    let list = call.parent().filter(|p| p.kind() == "expression_list")?;
    let holder = list.parent()?;
    let (left, stmt): (Vec<GoNode>, GoNode) = match &*holder.kind() {
        "short_var_declaration" | "assignment_statement"
            if holder
                .field("right")
                .is_some_and(|r| r.range() == list.range()) =>
        {
            let left = holder.field("left")?.named_children().collect();
            (left, holder.clone())
        }
        "var_spec" => {
            let decl = holder.ancestors().find(|a| a.kind() == "var_declaration")?;
            (holder.field_children("name").collect(), decl)
        }
        _ => return None,
    };
    if left.len() != 2 || left[1].text() != "_" || left[0].text() == "_" {
        return None;
    }
    if holder.kind() == "assignment_statement" && !holder.children().any(|c| c.kind() == "=") {
        return None;
    }
    Some((holder, left, stmt))
}

/// Whether a call's result may hold a context passed to it: `append`, the
/// `context` package's `With...` functions, and anything named after contexts
/// (`WithContext`, `NewRequestWithContext`, `errgroup.WithContext`...).
fn propagates_context(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    let Some(f) = call.field("function") else {
        return false;
    };
    let callee = match &*f.kind() {
        "identifier" => f.text().to_string(),
        "selector_expression" => {
            let member = f
                .field("field")
                .map(|x| x.text().to_string())
                .unwrap_or_default();
            if f.field("operand").is_some_and(|o| {
                o.kind() == "identifier" && file.imports.path_of(&o.text()) == Some("context")
            }) {
                // `context.WithValue(ctx, ...)` derives; `context.Cause` does not.
                return member.starts_with("With");
            }
            member
        }
        _ => return true,
    };
    callee == "append" || callee.contains("Context") || callee.contains("Ctx")
}

fn is_named_result(func: &GoNode<'_>, name: &str) -> bool {
    let Some(result) = func.field("result") else {
        return false;
    };
    if result.kind() != "parameter_list" {
        return false;
    }
    let mut names = Vec::new();
    declared_names(&result, &mut names);
    names.iter().any(|n| n == name)
}
