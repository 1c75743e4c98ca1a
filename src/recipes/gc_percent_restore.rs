//! `gc-percent-restore`: keep the value `debug.SetGCPercent(-1)` returns and
//! restore it when the function returns.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_end, owns_lines, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{enclosing_function, fresh_name_avoiding, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::{enclosing_loop, in_main_or_init_itself};

pub struct GcPercentRestore;

const DEBUG: &str = "runtime/debug";

/// Whether `call` is `debug.SetGCPercent(-1)`.
fn is_disable(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    file.is_pkg_call(call, DEBUG, "SetGCPercent") && argument(call).as_deref() == Some("-1")
}

/// The text of a call's only argument, without spaces.
fn argument(call: &GoNode<'_>) -> Option<String> {
    let args: Vec<GoNode> = call.field("arguments")?.named_children().collect();
    match args.as_slice() {
        [a] => Some(a.text().split_whitespace().collect()),
        _ => None,
    }
}

/// The statement that drops the old value: `debug.SetGCPercent(-1)` on its
/// own, or `_ = debug.SetGCPercent(-1)`.
fn dropping_statement<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let parent = call.parent()?;
    match &*parent.kind() {
        "expression_statement" => Some(parent),
        "expression_list" => {
            let stmt = parent.parent()?;
            let blank = stmt.kind() == "assignment_statement"
                && stmt
                    .field("right")
                    .is_some_and(|r| r.range() == parent.range())
                && stmt.field("left").is_some_and(|l| l.text() == "_")
                && stmt.children().any(|c| c.kind() == "=")
                && parent.named_children().count() == 1;
            blank.then_some(stmt)
        }
        _ => None,
    }
}

impl RecipeLogic for GcPercentRestore {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        if !is_disable(file, &call) {
            return None;
        }
        if let Some(p) = call.parent() {
            if matches!(&*p.kind(), "defer_statement" | "go_statement") {
                return Some(cx.report(
                    "it is deferred or run as a goroutine: the collector is switched off when the function returns",
                ));
            }
        }
        // The old value is kept: the caller restores it (or means not to).
        let stmt = dropping_statement(&call)?;
        let func = enclosing_function(&stmt)?;
        let restored = func
            .dfs()
            .filter(|n| n.kind() == "call_expression")
            .any(|c| file.is_pkg_call(&c, DEBUG, "SetGCPercent") && !is_disable(file, &c));
        if restored {
            return None;
        }
        if let Some(f) = in_main_or_init_itself(file, &call) {
            return Some(cx.report(&format!(
                "in `{f}` the setting is meant for the whole program"
            )));
        }
        if stmt.parent().is_none_or(|p| p.kind() != "statement_list") {
            return Some(cx.report("it is not a statement of its own"));
        }
        if enclosing_loop(&stmt).is_some() {
            return Some(cx.report(
                "it runs in a loop, where each iteration would stack another deferred restore",
            ));
        }
        let src = file.source;
        let r = stmt.range();
        if !owns_lines(src, r.start, r.end) {
            return Some(cx.report("it shares its line with other code"));
        }
        // Earlier calls in the same declaration take `prev`, `prev2`... first.
        let top = top_level(&stmt)?;
        let mut taken = HashSet::new();
        for other in top
            .dfs()
            .filter(|n| n.kind() == "call_expression" && n.range().start < call.range().start)
        {
            if is_disable(file, &other) {
                if let Some(s) = dropping_statement(&other) {
                    taken.insert(fresh_name_avoiding(&s, "prev", &taken));
                }
            }
        }
        let prev = fresh_name_avoiding(&stmt, "prev", &taken);
        let q = file.qualifier(DEBUG);
        let indent = indent_at(src, r.start).to_string();
        let declare = if stmt.kind() == "assignment_statement" {
            // `_ = ` becomes `prev := `.
            let right = stmt.field("right")?;
            TextEdit::replace(r.start..right.range().start, format!("{prev} := "))
        } else {
            TextEdit::insert(r.start, format!("{prev} := "))
        };
        Some(cx.fix(Fix {
            edits: vec![
                declare,
                TextEdit::insert(
                    line_end(src, r.end),
                    format!("{indent}defer {q}SetGCPercent({prev})\n"),
                ),
            ],
            add_imports: Vec::new(),
        }))
    }
}
