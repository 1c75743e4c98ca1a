//! `timer-reset`: replace `case <-time.After(d):` in a loop's `select` with
//! one timer made before the loop and reset before each `select`.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_start, reindent, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{declared_names, enclosing_function, fresh_name_avoiding};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::enclosing_loop;

pub struct TimerReset;

/// The `case` of a `select` that receives from `call` (`case <-call:` or
/// `case v := <-call:`).
fn receiving_case<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let recv = call.parent().filter(|p| {
        p.kind() == "unary_expression" && p.field("operator").is_some_and(|o| o.text() == "<-")
    })?;
    let mut up = recv.parent()?;
    if up.kind() == "receive_statement" {
        // The receive must be the value, not the left-hand side.
        if up.field("left").is_some_and(|l| l.range() == recv.range()) {
            return None;
        }
        up = up.parent()?;
    }
    (up.kind() == "communication_case").then_some(up)
}

/// The single argument of `time.After(d)`.
fn duration<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let args = call.field("arguments")?;
    let mut named = args.named_children().filter(|a| a.kind() != "comment");
    let d = named.next()?;
    named.next().is_none().then_some(d)
}

/// Every name declared anywhere in the loop, its header included.
fn names_declared_in(lp: &GoNode<'_>) -> HashSet<String> {
    let mut out = Vec::new();
    for n in lp.dfs() {
        declared_names(&n, &mut out);
    }
    out.into_iter().collect()
}

/// Calls a duration may contain without side effects: conversions to
/// numeric types and the pure built-ins.
const PURE_FUNCTIONS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "len", "cap", "min", "max",
];

/// Why the duration of this `time.After` keeps it from being hoisted, if it does.
fn duration_problem(file: &FileContext<'_>, d: &GoNode<'_>, lp: &GoNode<'_>) -> Option<String> {
    let inside = names_declared_in(lp);
    if let Some(name) = d
        .dfs()
        .filter(|n| n.kind() == "identifier")
        .map(|n| n.text().to_string())
        .find(|n| inside.contains(n))
    {
        return Some(format!(
            "the duration uses `{name}`, declared inside the loop, so it cannot be computed before it"
        ));
    }
    let impure = d.dfs().any(|n| match &*n.kind() {
        "call_expression" => !n.field("function").is_some_and(|f| {
            (f.kind() == "identifier" && PURE_FUNCTIONS.contains(&&*f.text()))
                || file.is_pkg_member(&f, "time", "Duration")
        }),
        "unary_expression" => n.field("operator").is_some_and(|o| o.text() == "<-"),
        _ => false,
    });
    if impure {
        return Some(
            "the duration is computed by a call, which the timer made before the loop would run once more"
                .into(),
        );
    }
    None
}

/// The statement a `for` or `select` stands in: its label, if it has one.
fn labelled<'r>(stmt: &GoNode<'r>) -> GoNode<'r> {
    stmt.parent()
        .filter(|p| p.kind() == "labeled_statement")
        .unwrap_or_else(|| stmt.clone())
}

/// Where to insert lines before `stmt`: the start of its line, or of the
/// comment lines right above it (they describe it and stay with it).
fn insertion_point(src: &str, stmt: &GoNode<'_>) -> usize {
    let mut at = line_start(src, labelled(stmt).range().start);
    while at > 0 {
        let prev = line_start(src, at - 1);
        if src[prev..at].trim_start().starts_with("//") {
            at = prev;
        } else {
            break;
        }
    }
    at
}

/// Whether `node` starts its line (after a label line, for a labelled statement).
fn starts_line(src: &str, node: &GoNode<'_>) -> bool {
    let s = node.range().start;
    src[line_start(src, s)..s].trim().is_empty()
}

/// One `time.After` case of the select that the fix rewrites.
struct Hoisted<'r> {
    call: GoNode<'r>,
    duration: String,
    name: String,
}

impl RecipeLogic for TimerReset {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let src = file.source;
        if !file.is_pkg_call(&call, "time", "After") {
            return None;
        }
        let case = receiving_case(&call)?;
        let select = case.parent().filter(|p| p.kind() == "select_statement")?;
        let lp = enclosing_loop(&select)?;
        if enclosing_loop(&lp).is_some() {
            return Some(cx.report(
                "the loop sits inside another loop: a timer with a deferred Stop per outer pass would pile up until the function returns",
            ));
        }
        let d = duration(&call)?;
        let uses_goto =
            enclosing_function(&lp).is_some_and(|f| f.dfs().any(|n| n.kind() == "goto_statement"));
        if uses_goto {
            return Some(
                cx.report("the function uses goto, which could jump over the new timer variable"),
            );
        }
        if let Some(why) = duration_problem(file, &d, &lp) {
            return Some(cx.report(&why));
        }
        let in_block = |n: &GoNode<'_>| {
            labelled(n)
                .parent()
                .is_some_and(|p| p.kind() == "statement_list")
        };
        if !in_block(&lp)
            || !in_block(&select)
            || !starts_line(src, &lp)
            || !starts_line(src, &select)
        {
            return Some(
                cx.report("the loop or the select shares its line with other code; split it first"),
            );
        }

        // Every time.After case of this select that can be hoisted gets its
        // own timer, in one fix, so the names and resets stay together.
        let mut taken = HashSet::new();
        let mut hoisted = Vec::new();
        for c in select
            .children()
            .filter(|c| c.kind() == "communication_case")
        {
            let Some(after) = c.dfs().find(|n| {
                file.is_pkg_call(n, "time", "After")
                    && receiving_case(n).is_some_and(|rc| rc.range() == c.range())
            }) else {
                continue;
            };
            let Some(d) = duration(&after) else { continue };
            if duration_problem(file, &d, &lp).is_some() {
                continue;
            }
            let name = fresh_name_avoiding(&select, "timer", &taken);
            taken.insert(name.clone());
            hoisted.push(Hoisted {
                duration: d.text().to_string(),
                call: after,
                name,
            });
        }
        if !hoisted.iter().any(|h| h.call.range() == call.range()) {
            return None;
        }

        let q = file.qualifier("time");
        let pre_1_23 = !file.go_version.at_least(1, 23);
        let loop_indent = indent_at(src, lp.range().start).to_string();
        let select_indent = indent_at(src, select.range().start).to_string();
        let mut before_loop = String::new();
        let mut before_select = String::new();
        let mut edits = Vec::new();
        for h in &hoisted {
            let from = indent_at(src, h.call.range().start).to_string();
            let at_loop = reindent(&h.duration, &from, &loop_indent);
            let at_select = reindent(&h.duration, &from, &select_indent);
            let (n, li, si) = (&h.name, &loop_indent, &select_indent);
            before_loop.push_str(&format!(
                "{li}{n} := {q}NewTimer({at_loop})\n{li}defer {n}.Stop()\n"
            ));
            if pre_1_23 {
                before_select.push_str(&format!(
                    "{si}if !{n}.Stop() {{\n{si}\tselect {{\n{si}\tcase <-{n}.C:\n{si}\tdefault:\n{si}\t}}\n{si}}}\n"
                ));
            }
            before_select.push_str(&format!("{si}{n}.Reset({at_select})\n"));
            edits.push(TextEdit::replace(h.call.range(), format!("{n}.C")));
        }
        edits.push(TextEdit::insert(insertion_point(src, &lp), before_loop));
        edits.push(TextEdit::insert(
            insertion_point(src, &select),
            before_select,
        ));
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}
