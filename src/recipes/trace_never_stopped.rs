//! `trace-never-stopped`: report `trace.Start` whose function can return
//! with the trace still running.

use std::ops::Range;

use crate::engine::golang::GoNode;
use crate::engine::scope::is_function;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct TraceNeverStopped;

const TRACE: &str = "runtime/trace";

impl RecipeLogic for TraceNeverStopped {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let start = cx.node();
        let file = cx.file;
        if !file.is_pkg_call(&start, TRACE, "Start") {
            return None;
        }
        let func = crate::engine::scope::enclosing_function(&start)?;
        let stops = stop_mentions(file, &func);
        if stops.is_empty() {
            // A call to a function of the package that stops the trace.
            let reach = file.reachable(&func, 2);
            if reach
                .bodies
                .iter()
                .any(|b| !package_stops(file, b).is_empty())
            {
                return None;
            }
            let elsewhere: Vec<GoNode<'_>> = file
                .package_decls_mentioning(&["Stop"])
                .iter()
                .flat_map(|d| package_stops(file, d))
                .collect();
            if elsewhere.is_empty() {
                return Some(cx.report(
                    "nothing in this package calls trace.Stop; add `defer trace.Stop()` after a successful Start",
                ));
            }
            // A function that stops without starting a trace of its own is
            // the other half of a start/stop pair (an End method, a stop
            // command, a shutdown hook).
            if elsewhere.iter().any(|s| !stops_own_start(file, s)) {
                return None;
            }
            return Some(cx.report(
                "the trace.Stop calls elsewhere stop the traces their own functions start, and none is on this function's way out; add `defer trace.Stop()` after a successful Start",
            ));
        }
        // A deferred Stop, or Stop handed over as a value (a timer, a
        // cleanup list), covers every way out.
        if stops
            .iter()
            .any(|s| !is_plain_call(s) || is_deferred(s, &func))
        {
            return None;
        }
        // Stops in another branch than the Start (a start/stop dispatcher)
        // are not on its way out.
        let on_path: Vec<_> = stops.iter().filter(|s| same_branch(&start, s)).collect();
        if on_path.is_empty() {
            return None;
        }
        let first_stop = on_path
            .iter()
            .map(|s| s.range().start)
            .filter(|p| *p > start.range().end)
            .min()?;
        let spared = error_branch(&start);
        let early = func.dfs().find(|n| {
            n.kind() == "return_statement"
                && n.range().start > start.range().end
                && n.range().start < first_stop
                && same_function(n, &func)
                && !spared
                    .as_ref()
                    .is_some_and(|r| r.start <= n.range().start && n.range().end <= r.end)
        })?;
        let line = early.start_pos().line() + 1;
        Some(cx.report(&format!(
            "the return on line {line} leaves before trace.Stop; use `defer trace.Stop()` right after a successful Start"
        )))
    }
}

/// Every mention of `trace.Stop` inside `scope` (calls and function values).
fn stop_mentions<'r>(file: &FileContext<'_>, scope: &GoNode<'r>) -> Vec<GoNode<'r>> {
    scope
        .dfs()
        .filter(|n| matches!(&*n.kind(), "selector_expression" | "identifier"))
        .filter(|n| file.is_pkg_member(n, TRACE, "Stop"))
        .collect()
}

/// Every mention of `trace.Stop` under `scope`, a declaration of this file
/// or of another file of the package (where `trace` is taken as the
/// package's usual name).
fn package_stops<'r>(file: &FileContext<'_>, scope: &GoNode<'r>) -> Vec<GoNode<'r>> {
    scope
        .dfs()
        .filter(|n| is_trace_member(file, n, "Stop"))
        .collect()
}

fn is_trace_member(file: &FileContext<'_>, n: &GoNode<'_>, name: &str) -> bool {
    if file.is_pkg_member(n, TRACE, name) {
        return true;
    }
    n.kind() == "selector_expression"
        && n.field("field").is_some_and(|f| f.text() == name)
        && n.field("operand").is_some_and(|o| {
            o.kind() == "identifier"
                && o.text() == "trace"
                && !crate::engine::scope::is_shadowed(&o, "trace")
        })
}

/// Whether the Stop `stop` belongs to a Start of its own: a function around
/// it (its own, or one it is nested in) calls `trace.Start` directly.
fn stops_own_start(file: &FileContext<'_>, stop: &GoNode<'_>) -> bool {
    stop.ancestors().filter(is_function).any(|f| {
        f.dfs().any(|c| {
            c.kind() == "call_expression"
                && c.field("function")
                    .is_some_and(|g| is_trace_member(file, &g, "Start"))
                && same_function(&c, &f)
        })
    })
}

/// Whether `member` is called right there: `trace.Stop()`.
fn is_plain_call(member: &GoNode<'_>) -> bool {
    member.parent().is_some_and(|p| {
        p.kind() == "call_expression"
            && p.field("function")
                .is_some_and(|f| f.range() == member.range())
    })
}

/// Whether `node` runs deferred: inside a `defer` statement of `func`, or in
/// a function literal nested in `func` (a deferred closure, a cleanup hook).
fn is_deferred(node: &GoNode<'_>, func: &GoNode<'_>) -> bool {
    for a in node.ancestors() {
        if a.range() == func.range() {
            return false;
        }
        if matches!(&*a.kind(), "defer_statement" | "func_literal") {
            return true;
        }
    }
    false
}

/// Whether `node`'s innermost function is `func`.
fn same_function(node: &GoNode<'_>, func: &GoNode<'_>) -> bool {
    crate::engine::scope::enclosing_function(node).is_some_and(|f| f.range() == func.range())
}

/// The bytes of the branch that handles a failed Start, where returning is
/// right (no trace is running): the body of `if err := trace.Start(w); err != nil`
/// or of the `if` right after `err := trace.Start(w)` / `err = trace.Start(w)`.
fn error_branch(start: &GoNode<'_>) -> Option<Range<usize>> {
    let mut child = start.clone();
    for a in start.ancestors() {
        match &*a.kind() {
            "if_statement" => {
                let in_head = ["initializer", "condition"]
                    .iter()
                    .any(|f| a.field(f).is_some_and(|h| h.range() == child.range()));
                if in_head {
                    return a.field("consequence").map(|c| c.range());
                }
                return None;
            }
            "short_var_declaration" | "assignment_statement"
                if a.parent().is_some_and(|p| {
                    p.kind() == "if_statement"
                        && p.field("initializer")
                            .is_some_and(|i| i.range() == a.range())
                }) => {}
            "short_var_declaration" | "assignment_statement" | "var_declaration" => {
                let names: Vec<String> = a
                    .dfs()
                    .filter(|n| n.kind() == "identifier" && n.range().end <= start.range().start)
                    .map(|n| n.text().to_string())
                    .collect();
                let next = super::util::next_statement(&a)?;
                if next.kind() != "if_statement" {
                    return None;
                }
                let cond = next.field("condition")?;
                let checks = cond
                    .dfs()
                    .any(|n| n.kind() == "identifier" && names.iter().any(|v| *v == n.text()));
                return checks.then(|| next.field("consequence").map(|c| c.range()))?;
            }
            "func_literal" | "function_declaration" | "method_declaration" | "block" => {
                return None
            }
            _ => {}
        }
        child = a;
    }
    None
}

/// Whether `stop` is not in another branch of an `if`, `switch` or `select`
/// than `start`: their closest common ancestor is no such statement, or
/// `start` sits in its head.
fn same_branch(start: &GoNode<'_>, stop: &GoNode<'_>) -> bool {
    let r = start.range();
    let Some(common) = stop
        .ancestors()
        .find(|a| a.range().start <= r.start && r.end <= a.range().end)
    else {
        return true;
    };
    let branching = matches!(
        &*common.kind(),
        "if_statement"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "select_statement"
    );
    if !branching {
        return true;
    }
    ["initializer", "condition", "value"].iter().any(|f| {
        common
            .field(f)
            .is_some_and(|h| h.range().start <= r.start && r.end <= h.range().end)
    })
}
