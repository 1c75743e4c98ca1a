//! `pprof-do`: profiler labels set with `pprof.SetGoroutineLabels` stay on
//! the goroutine after the work they describe; `pprof.Do` scopes them to a
//! function and restores the previous labels when it returns.
//!
//! Two shapes are rewritten, both followed by the rest of their block:
//!
//! ```go
//! ctx = pprof.WithLabels(ctx, labels)   // or lctx := ...
//! pprof.SetGoroutineLabels(ctx)
//!
//! pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels("k", v)))
//! ```
//!
//! become `pprof.Do(ctx, labels, func(ctx context.Context) { ...rest... })`.

use std::ops::Range;

use crate::engine::edit::{indent_at, line_end, line_start, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{enclosing_function, names_in, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::{call_statement, prev_statement};

pub struct PprofDo;

const PPROF: &str = "runtime/pprof";

/// Where the labelled context of a `SetGoroutineLabels` call comes from.
struct Source<'r> {
    /// The parent context passed to `pprof.WithLabels`.
    parent: String,
    /// The label set passed to `pprof.WithLabels`.
    labels: String,
    /// The variable the labelled context was stored in, if any.
    var: Option<String>,
    /// Whether that variable is declared (`:=`) by the statement that is replaced.
    declares: bool,
    /// The `x := pprof.WithLabels(...)` statement, for the three-statement shape.
    with_stmt: Option<GoNode<'r>>,
}

/// The `pprof.WithLabels(parent, labels)` call `node` is, as (parent, labels).
fn with_labels(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<(String, String)> {
    if !file.is_pkg_call(node, PPROF, "WithLabels") {
        return None;
    }
    let args: Vec<GoNode<'_>> = node
        .field("arguments")?
        .named_children()
        .filter(|a| a.kind() != "comment")
        .collect();
    match args.as_slice() {
        [parent, labels] => Some((parent.text().to_string(), labels.text().to_string())),
        _ => None,
    }
}

/// `x := pprof.WithLabels(...)` or `x = pprof.WithLabels(...)` assigning `var`.
fn assigns_with_labels(
    file: &FileContext<'_>,
    stmt: &GoNode<'_>,
    var: &str,
) -> Option<(String, String, bool)> {
    let declares = match &*stmt.kind() {
        "short_var_declaration" => true,
        "assignment_statement" if stmt.field("operator").is_some_and(|o| o.text() == "=") => false,
        _ => return None,
    };
    let left: Vec<GoNode<'_>> = stmt.field("left")?.named_children().collect();
    let right: Vec<GoNode<'_>> = stmt.field("right")?.named_children().collect();
    match (left.as_slice(), right.as_slice()) {
        ([l], [r]) if l.kind() == "identifier" && l.text() == var => {
            let (parent, labels) = with_labels(file, r)?;
            Some((parent, labels, declares))
        }
        _ => None,
    }
}

/// The argument of a `SetGoroutineLabels` call.
fn set_argument<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let args: Vec<GoNode<'r>> = call
        .field("arguments")?
        .named_children()
        .filter(|a| a.kind() != "comment")
        .collect();
    match args.as_slice() {
        [a] => Some(a.clone()),
        _ => None,
    }
}

/// Where the context set by `stmt` (a `SetGoroutineLabels` call statement)
/// comes from; `None` when it is not built by `pprof.WithLabels` (for
/// example a saved context put back).
fn source<'r>(file: &FileContext<'_>, call: &GoNode<'r>, stmt: &GoNode<'r>) -> Option<Source<'r>> {
    let arg = set_argument(call)?;
    if let Some((parent, labels)) = with_labels(file, &arg) {
        let var = (arg
            .field("arguments")
            .and_then(|a| a.named_children().next())
            .is_some_and(|p| p.kind() == "identifier"))
        .then(|| parent.clone());
        return Some(Source {
            parent,
            labels,
            var,
            declares: false,
            with_stmt: None,
        });
    }
    if arg.kind() != "identifier" {
        return None;
    }
    let var = arg.text().to_string();
    let prev = prev_statement(stmt)?;
    let (parent, labels, declares) = assigns_with_labels(file, &prev, &var)?;
    Some(Source {
        parent,
        labels,
        var: Some(var),
        declares,
        with_stmt: Some(prev),
    })
}

/// Whether some other `SetGoroutineLabels` in the function puts labels back
/// (deferred, or with a context not built by `WithLabels` just before).
fn restored_by_hand(file: &FileContext<'_>, func: &GoNode<'_>, call: &GoNode<'_>) -> bool {
    func.dfs().any(|n| {
        if n.range() == call.range() || !file.is_pkg_call(&n, PPROF, "SetGoroutineLabels") {
            return false;
        }
        if enclosing_function(&n).is_none_or(|f| f.range() != func.range()) {
            return false;
        }
        match call_statement(&n) {
            Some(s) if s.kind() == "defer_statement" => true,
            Some(s) if s.kind() == "expression_statement" => {
                n.range().start > call.range().start && source(file, &n, &s).is_none()
            }
            _ => false,
        }
    })
}

impl RecipeLogic for PprofDo {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let src = file.source;
        let stmt = call_statement(&call).filter(|s| s.kind() == "expression_statement")?;
        let func = enclosing_function(&call)?;
        let found = source(file, &call, &stmt)?;
        if restored_by_hand(file, &func, &call) {
            return None;
        }
        let list = stmt.parent().filter(|l| l.kind() == "statement_list")?;
        let holder = list.parent()?;
        let rest: Vec<GoNode<'_>> = stmt
            .next_all()
            .filter(|n| n.is_named() && n.kind() != "comment")
            .collect();
        if rest.is_empty() {
            return Some(cx.report(
                "nothing follows it in its block: the labels are meant to stay on this goroutine, or the work they describe is elsewhere",
            ));
        }
        let body_is_func =
            holder.kind() == "block" && holder.parent().is_some_and(|p| p.range() == func.range());
        let has_results = func.field("result").is_some();
        if let Some(why) = jumps_out(&rest, body_is_func && !has_results, &func) {
            return Some(cx.report(why));
        }
        if body_is_func && has_results {
            return Some(cx.report(
                "the function returns values, and the code after the call cannot return them from inside a closure",
            ));
        }
        if let (Some(var), false) = (&found.var, body_is_func) {
            // The variable outlives the block when the block did not declare
            // it; it then loses its labels if the old code changed it.
            let outer_var = !(found.declares && found.with_stmt.is_some());
            let changed = found
                .with_stmt
                .as_ref()
                .is_some_and(|w| !found.declares && w.kind() == "assignment_statement")
                || rest.iter().any(|r| assigns_to(r, var));
            if outer_var && changed {
                if super::util::enclosing_loop(&stmt).is_some() {
                    return Some(cx.report(&format!(
                        "`{var}` is changed inside a loop, and later iterations would see it without the labels"
                    )));
                }
                let after =
                    enclosing_statement(&holder).map_or(holder.range().end, |s| s.range().end);
                let used_after = func.dfs().any(|n| {
                    n.kind() == "identifier" && n.text() == var.as_str() && n.range().start >= after
                });
                if used_after {
                    return Some(cx.report(&format!(
                        "`{var}` is used after the block, where it would no longer carry the labels"
                    )));
                }
            }
        }

        // The replaced text runs from the first label statement to the end
        // of the block's last line.
        let first = found.with_stmt.clone().unwrap_or_else(|| stmt.clone());
        let start = line_start(src, first.range().start);
        if !src[start..first.range().start].trim().is_empty() {
            return Some(cx.report("the label statements share their line with other code"));
        }
        let stmt_end = stmt.range().end;
        let tail = src[stmt_end..line_end(src, stmt_end)].trim();
        if !tail.is_empty() && !tail.starts_with("//") {
            return Some(cx.report("the label statements share their line with other code"));
        }
        let end = if holder.kind() == "block" {
            let close = holder.range().end - 1;
            let ls = line_start(src, close);
            if !src[ls..close].trim().is_empty() {
                return Some(cx.report("the block is written on one line"));
            }
            ls
        } else {
            let last = rest.last().expect("rest is not empty");
            line_end(src, last.range().end)
        };
        let rest_start = line_end(src, stmt_end);
        if rest_start >= end {
            return Some(cx.report("the block is written on one line"));
        }

        let ctx_q = match file.imports.qualifier("context") {
            Some(q) => q,
            None => {
                let taken = top_level(&call).is_some_and(|t| names_in(&t).contains("context"));
                if taken {
                    return Some(cx.report(
                        "the name `context` is taken here, and the closure needs the context package",
                    ));
                }
                "context.".to_string()
            }
        };
        let indent = indent_at(src, stmt.range().start).to_string();
        let body = indent_block(src, &file.whole_root().root(), rest_start..end, "\t");
        let param = match &found.var {
            Some(v) => format!("{v} {ctx_q}Context"),
            None => format!("{ctx_q}Context"),
        };
        let text = format!(
            "{indent}{}Do({}, {}, func({param}) {{\n{body}{indent}}})\n",
            file.qualifier(PPROF),
            found.parent,
            found.labels,
        );
        let add_imports = if file.imports.has("context") {
            Vec::new()
        } else {
            vec!["context".to_string()]
        };
        Some(cx.fix(Fix {
            edits: vec![TextEdit::replace(start..end, text)],
            add_imports,
        }))
    }
}

/// Whether `stmt` (or code under it, outside nested literals) assigns to `var`.
fn assigns_to(stmt: &GoNode<'_>, var: &str) -> bool {
    stmt.dfs().any(|n| {
        matches!(
            &*n.kind(),
            "assignment_statement" | "short_var_declaration" | "inc_statement" | "dec_statement"
        ) && n
            .field("left")
            .or_else(|| n.named_children().next())
            .is_some_and(|l| l.text() == var || l.named_children().any(|c| c.text() == var))
    })
}

/// The statement of a statement list that holds `node` (for a block of an
/// `else if` chain, the first `if`; for a case clause, its switch).
fn enclosing_statement<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut cur = node.clone();
    for a in node.ancestors() {
        if a.kind() == "statement_list" {
            return Some(cur);
        }
        cur = a;
    }
    None
}

/// Why moving `rest` into a closure would change where control goes, if it
/// would: a `return` (allowed only when `may_return`, the block being the
/// whole body of a function without results), a `goto`, a `break` or
/// `continue` aimed outside `rest`, or a `defer` that would run when the
/// closure ends rather than the function.
fn jumps_out(rest: &[GoNode<'_>], may_return: bool, func: &GoNode<'_>) -> Option<&'static str> {
    if func.dfs().any(|n| n.kind() == "goto_statement") {
        return Some("the function uses `goto`");
    }
    for stmt in rest {
        for n in stmt.dfs() {
            if enclosing_function(&n).is_some_and(|f| f.range() != func.range()) {
                continue;
            }
            match &*n.kind() {
                "return_statement" => {
                    if n.named_children().any(|c| c.kind() != "comment") {
                        return Some("the code after the call returns values");
                    }
                    if !may_return {
                        return Some("the code after the call returns from the function, which a closure cannot do");
                    }
                }
                "defer_statement" if !may_return => {
                    return Some("the code after the call defers work to the end of the function");
                }
                "break_statement" | "continue_statement" | "fallthrough_statement"
                    if !jump_stays_inside(&n, stmt) =>
                {
                    return Some(
                        "the code after the call jumps out of its block (break, continue or fallthrough)",
                    );
                }
                _ => {}
            }
        }
    }
    None
}

/// Whether a `break`/`continue` lands inside `top` (its loop, switch or
/// select, or its label, is within `top`).
fn jump_stays_inside(jump: &GoNode<'_>, top: &GoNode<'_>) -> bool {
    if jump.kind() == "fallthrough_statement" {
        return false;
    }
    let inside =
        |n: &GoNode<'_>| n.range().start >= top.range().start && n.range().end <= top.range().end;
    let label = jump
        .named_children()
        .find(|c| c.kind() == "label_name")
        .map(|l| l.text().to_string());
    let targets: &[&str] = if jump.kind() == "continue_statement" {
        &["for_statement"]
    } else {
        &[
            "for_statement",
            "expression_switch_statement",
            "type_switch_statement",
            "select_statement",
        ]
    };
    for a in jump.ancestors() {
        if !inside(&a) {
            return false;
        }
        match &label {
            Some(l) => {
                if a.kind() == "labeled_statement"
                    && a.field("label").is_some_and(|x| x.text() == l.as_str())
                {
                    return true;
                }
            }
            None => {
                if targets.contains(&&*a.kind()) {
                    return true;
                }
            }
        }
    }
    false
}

/// The lines of `src[range]` with `extra` added in front of each, except
/// blank lines (left empty) and lines that continue a raw string literal
/// (their bytes are the string's value). Leading and trailing blank lines
/// are dropped.
fn indent_block(src: &str, root: &GoNode<'_>, range: Range<usize>, extra: &str) -> String {
    let raw: Vec<Range<usize>> = root
        .dfs()
        .filter(|n| {
            n.kind() == "raw_string_literal"
                && n.range().start < range.end
                && n.range().end > range.start
                && n.text().contains('\n')
        })
        .map(|n| n.range())
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut pos = range.start;
    for line in src[range.clone()].split_inclusive('\n') {
        let in_raw = raw.iter().any(|r| r.start < pos && pos < r.end);
        if in_raw {
            lines.push(line.to_string());
        } else if line.trim().is_empty() {
            lines.push("\n".to_string());
        } else {
            lines.push(format!("{extra}{line}"));
        }
        pos += line.len();
    }
    while lines.first().is_some_and(|l| l == "\n") {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l == "\n") {
        lines.pop();
    }
    let mut out = lines.concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::golang::parse;

    #[test]
    fn indents_code_but_not_raw_string_lines() {
        let src = "package a\n\nfunc f() {\n\n\ta := `x\n\ty`\n\n\tb(a)\n\n}\n";
        let root = parse(src);
        let start = src.find("\n\n\ta").unwrap() + 1;
        let end = src.rfind('}').unwrap();
        let out = indent_block(src, &root.root(), start..end, "\t");
        assert_eq!(out, "\t\ta := `x\n\ty`\n\n\t\tb(a)\n");
    }
}
