//! `cgo-in-loop`: report the first cgo call of a loop that iterates over
//! data (a range loop or a counted loop), and `go C.f()` inside any loop.

use crate::engine::golang::GoNode;
use crate::engine::{Finding, MatchContext, RecipeLogic};

use super::util::enclosing_loop;

pub struct CgoInLoop;

/// `C.<name>` forms that are conversions to C types or Go-side helpers,
/// not calls into C.
const NOT_CALLS: &[&str] = &[
    "char",
    "schar",
    "uchar",
    "short",
    "ushort",
    "int",
    "uint",
    "long",
    "ulong",
    "longlong",
    "ulonglong",
    "float",
    "double",
    "complexfloat",
    "complexdouble",
    "size_t",
    "ssize_t",
    "uintptr_t",
    "intptr_t",
    "int8_t",
    "int16_t",
    "int32_t",
    "int64_t",
    "uint8_t",
    "uint16_t",
    "uint32_t",
    "uint64_t",
    "GoString",
    "GoStringN",
    "GoBytes",
];

impl RecipeLogic for CgoInLoop {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        if !is_cgo_call(cx, &call) {
            return None;
        }
        let lp = enclosing_loop(&call)?;
        let name = call.field("function")?.text().to_string();
        let spawned = call.parent().is_some_and(|p| p.kind() == "go_statement");
        if spawned {
            return Some(cx.report_at(
                call.parent()?.range(),
                &format!(
                    "`go {name}(...)` in a loop: each goroutine waiting in C pins an OS thread; call C from a fixed set of workers instead"
                ),
            ));
        }
        if !iterates_over_data(&lp) {
            return None;
        }
        // One finding per loop: the first cgo call in it.
        let first = lp
            .dfs()
            .filter(|n| n.kind() == "call_expression")
            .filter(|n| enclosing_loop(n).is_some_and(|l| l.range() == lp.range()))
            .find(|n| is_cgo_call(cx, n))?;
        if first.range() != call.range() {
            return None;
        }
        Some(cx.report(&format!(
            "`{name}` runs once per iteration; use a Go equivalent, or pass the whole batch to C in one call"
        )))
    }
}

/// `C.f(...)` in a file that imports "C", with `C` not a local name and `f`
/// not a C type conversion or a Go-side helper.
fn is_cgo_call<'r>(cx: &MatchContext<'_, 'r>, call: &GoNode<'r>) -> bool {
    if call.kind() != "call_expression" || !cx.file.imports.has("C") {
        return false;
    }
    let Some(f) = call.field("function") else {
        return false;
    };
    if f.kind() != "selector_expression" {
        return false;
    }
    let is_c = f
        .field("operand")
        .is_some_and(|o| o.kind() == "identifier" && o.text() == "C");
    let Some(member) = f.field("field").map(|m| m.text().to_string()) else {
        return false;
    };
    is_c && !cx.file.is_shadowed(&f, "C")
        && !NOT_CALLS.contains(&member.as_str())
        && !["struct_", "union_", "enum_"]
            .iter()
            .any(|p| member.starts_with(p))
}

/// A `for ... range` loop or a loop with a three-part clause: one that walks
/// data, rather than an event loop that waits in C once per round.
fn iterates_over_data(lp: &GoNode<'_>) -> bool {
    lp.named_children()
        .any(|c| matches!(&*c.kind(), "range_clause" | "for_clause"))
}
