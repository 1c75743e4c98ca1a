//! `trylock-spin`: a loop that retries `TryLock` until it succeeds.

use crate::engine::golang::GoNode;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct TrylockSpin;

/// `x.TryLock()` or `x.TryRLock()` (no arguments): the receiver's text and
/// the blocking call that waits for the same lock.
fn trylock_receiver(expr: &GoNode<'_>) -> Option<(String, &'static str)> {
    let expr = strip_parens(expr.clone());
    if expr.kind() != "call_expression" {
        return None;
    }
    let func = expr.field("function")?;
    if func.kind() != "selector_expression" {
        return None;
    }
    let name = func.field("field")?;
    let wait = match &*name.text() {
        "TryLock" => "Lock",
        "TryRLock" => "RLock",
        _ => return None,
    };
    let args = expr.field("arguments")?;
    if args.named_children().any(|a| a.kind() != "comment") {
        return None;
    }
    Some((func.field("operand")?.text().to_string(), wait))
}

fn strip_parens(mut n: GoNode<'_>) -> GoNode<'_> {
    while n.kind() == "parenthesized_expression" {
        let inner = n.named_children().find(|c| c.kind() != "comment");
        match inner {
            Some(inner) => n = inner,
            None => break,
        }
    }
    n
}

/// `!x.TryLock()` or `x.TryLock() == false`: the receiver.
fn negated_trylock(cond: &GoNode<'_>) -> Option<(String, &'static str)> {
    let cond = strip_parens(cond.clone());
    match &*cond.kind() {
        "unary_expression" => {
            (cond.field("operator")?.text() == "!").then_some(())?;
            trylock_receiver(&cond.field("operand")?)
        }
        "binary_expression" => {
            (cond.field("operator")?.text() == "==").then_some(())?;
            let (l, r) = (cond.field("left")?, cond.field("right")?);
            if r.text() == "false" {
                trylock_receiver(&l)
            } else if l.text() == "false" {
                trylock_receiver(&r)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A statement that only waits a little before the next attempt.
fn is_backoff(file: &FileContext<'_>, stmt: &GoNode<'_>) -> bool {
    match &*stmt.kind() {
        "continue_statement" | "empty_statement" => stmt.named_children().next().is_none(),
        "expression_statement" => stmt.named_children().next().is_some_and(|call| {
            file.is_pkg_call(&call, "runtime", "Gosched")
                || file.is_pkg_call(&call, "time", "Sleep")
        }),
        _ => false,
    }
}

/// `if x.TryLock() { break }`: the receiver.
fn break_on_trylock(stmt: &GoNode<'_>) -> Option<(String, &'static str)> {
    if stmt.kind() != "if_statement"
        || stmt.field("initializer").is_some()
        || stmt.field("alternative").is_some()
    {
        return None;
    }
    let body = super::exits::body_statements(&stmt.field("consequence")?);
    let [only] = body.as_slice() else {
        return None;
    };
    if only.kind() != "break_statement" || only.named_children().next().is_some() {
        return None;
    }
    trylock_receiver(&stmt.field("condition")?)
}

impl RecipeLogic for TrylockSpin {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let lp = cx.node();
        let file = cx.file;
        let body = super::exits::body_statements(&lp.field("body")?);
        let header: Vec<GoNode<'_>> = lp
            .children()
            .filter(|c| c.is_named() && c.kind() != "block" && c.kind() != "comment")
            .collect();
        let (receiver, wait) = match header.as_slice() {
            // for !mu.TryLock() { <back-off> }
            [cond] => {
                let r = negated_trylock(cond)?;
                body.iter().all(|s| is_backoff(file, s)).then_some(r)?
            }
            // for { if mu.TryLock() { break }; <back-off> }
            [] => {
                let (first, rest) = body.split_first()?;
                let r = break_on_trylock(first)?;
                rest.iter().all(|s| is_backoff(file, s)).then_some(r)?
            }
            _ => return None,
        };
        let held = other_locks_held(&lp, &receiver);
        let why = match held.first() {
            Some(other) => format!(
                "`{other}` is already held here: retrying `{receiver}` hides a lock-order cycle; take the locks in one fixed order (by id or address) with plain Lock"
            ),
            None => format!(
                "call `{receiver}.{wait}()` to wait, or give up when the lock is busy instead of retrying"
            ),
        };
        Some(cx.report(&why))
    }
}

/// Receivers of `x.Lock()`/`x.RLock()` statements that run before `node` in
/// its function (same or enclosing blocks), other than `receiver`.
fn other_locks_held(node: &GoNode<'_>, receiver: &str) -> Vec<String> {
    let Some(func) = crate::engine::scope::enclosing_function(node) else {
        return Vec::new();
    };
    let start = node.range().start;
    let mut out: Vec<String> = Vec::new();
    let mut released: Vec<String> = Vec::new();
    for n in func.dfs() {
        if n.range().start >= start || n.kind() != "call_expression" {
            continue;
        }
        let Some(f) = n.field("function") else {
            continue;
        };
        if f.kind() != "selector_expression" {
            continue;
        }
        let (Some(op), Some(method)) = (f.field("operand"), f.field("field")) else {
            continue;
        };
        let op = op.text().to_string();
        let is_stmt = n
            .parent()
            .is_some_and(|p| p.kind() == "expression_statement");
        if !is_stmt || op == receiver {
            continue;
        }
        match &*method.text() {
            "Lock" | "RLock" if !out.contains(&op) => out.push(op),
            "Unlock" | "RUnlock" => released.push(op),
            _ => {}
        }
    }
    out.retain(|o| !released.contains(o));
    out
}
