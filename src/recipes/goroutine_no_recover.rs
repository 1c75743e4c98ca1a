//! `goroutine-no-recover` (opt-in): library code starts a goroutine that
//! has no deferred `recover`.

use crate::engine::golang::GoNode;
use crate::engine::scope::{enclosing_function, is_shadowed};
use crate::engine::{Finding, MatchContext, RecipeLogic};

use super::goroutines::started_call;

pub struct GoroutineNoRecover;

/// Calls that cannot panic in practice (or only on misuse the goroutine
/// cannot cause): a goroutine making only these is left alone.
const HARMLESS: &[&str] = &[
    "close", "len", "cap", "Done", "Wait", "Lock", "Unlock", "RLock", "RUnlock", "Stop", "Add",
    "Store", "Load",
];

impl RecipeLogic for GoroutineNoRecover {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let file = cx.file;
        let go_stmt = cx.node();
        // The runtime's own goroutines have no caller to protect.
        let package = file.package_name();
        if package == "runtime" {
            return None;
        }
        // A program may let a panic crash it, unless the function starting
        // the goroutine recovers and so looks protected when it is not.
        let spawner_recovers = enclosing_function(&go_stmt)
            .and_then(|f| f.field("body"))
            .is_some_and(|b| recovers(cx, &b));
        if package == "main" && !spawner_recovers {
            return None;
        }
        let call = started_call(&go_stmt)?;
        let callee = call.field("function")?;
        let (body, what) = match &*callee.kind() {
            "func_literal" => (callee.field("body")?, "the goroutine".to_string()),
            "identifier" => (
                declared_body(cx, "function_declaration", &callee.text())?,
                format!("`{}`", callee.text()),
            ),
            "selector_expression" => {
                let name = callee.field("field")?.text().to_string();
                let operand = callee.field("operand")?;
                // A package's function is declared elsewhere.
                let pkg = operand.text().to_string();
                if operand.kind() == "identifier"
                    && file.imports.path_of(&pkg).is_some()
                    && !is_shadowed(&operand, &pkg)
                {
                    return None;
                }
                (
                    declared_body(cx, "method_declaration", &name)?,
                    format!("`{name}`"),
                )
            }
            _ => return None,
        };
        if recovers(cx, &body) || !may_panic(&body) {
            return None;
        }
        if spawner_recovers {
            return Some(cx.report(&format!(
                "{what} has no deferred recover, and the recover of the function that starts it does not cover it: recover runs only in the goroutine that panics; defer a recover inside {what}"
            )));
        }
        Some(cx.report(&format!(
            "{what} has no deferred recover; recover there and report the panic (log it or return it as an error), or document that a panic crashes the program"
        )))
    }
}

/// The body of the one top-level declaration of `kind` named `name` in the
/// file (`None` if it is not declared here, or more than once).
fn declared_body<'r>(cx: &MatchContext<'_, 'r>, kind: &str, name: &str) -> Option<GoNode<'r>> {
    let root = cx.file.whole_root().root();
    let mut found = root
        .children()
        .filter(|d| d.kind() == kind && d.field("name").is_some_and(|n| n.text() == name));
    let decl = found.next()?;
    if found.next().is_some() {
        return None;
    }
    decl.field("body")
}

/// Whether the body defers something that recovers: a literal calling
/// `recover()`, a function whose name says it recovers, or a function or
/// method declared in this file that calls `recover()`.
fn recovers(cx: &MatchContext<'_, '_>, body: &GoNode<'_>) -> bool {
    let owner = body.parent().map(|f| f.range());
    body.dfs()
        .filter(|n| n.kind() == "defer_statement")
        // Its own defers, not those of goroutines or closures inside it.
        .filter(|d| enclosing_function(d).map(|f| f.range()) == owner)
        .any(|d| {
            if d.text().to_ascii_lowercase().contains("recover") {
                return true;
            }
            let Some(callee) = started_call(&d).and_then(|c| c.field("function")) else {
                return false;
            };
            let declared = match &*callee.kind() {
                "identifier" => declared_body(cx, "function_declaration", &callee.text()),
                "selector_expression" => callee
                    .field("field")
                    .and_then(|m| declared_body(cx, "method_declaration", &m.text())),
                _ => None,
            };
            declared.is_some_and(|b| b.text().contains("recover()"))
        })
}

/// Whether the body calls anything beyond a few calls that do not panic.
fn may_panic(body: &GoNode<'_>) -> bool {
    body.dfs()
        .filter(|n| n.kind() == "call_expression")
        .any(|c| {
            let name = c.field("function").and_then(|f| match &*f.kind() {
                "identifier" => Some(f.text().to_string()),
                "selector_expression" => f.field("field").map(|m| m.text().to_string()),
                _ => None,
            });
            !name.is_some_and(|n| HARMLESS.contains(&n.as_str()))
        })
}
