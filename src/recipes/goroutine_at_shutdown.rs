//! `goroutine-at-shutdown`: a `go` statement in a `Close`, `Shutdown` or
//! `Stop` method whose goroutine the method does not wait for.

use super::util::is_receive;
use crate::engine::golang::GoNode;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct GoroutineAtShutdown;

/// Method names that promise the object's work is over when they return.
const SHUTDOWN_METHODS: &[&str] = &["Close", "Shutdown", "Stop"];

impl RecipeLogic for GoroutineAtShutdown {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let go_stmt = cx.node();
        let method = go_stmt
            .ancestors()
            .find(|a| a.kind() == "method_declaration")?;
        let name = method.field("name")?.text().to_string();
        if !SHUTDOWN_METHODS.contains(&name.as_str()) {
            return None;
        }
        let body = method.field("body")?;
        if waits_after(&body, &go_stmt) {
            return None;
        }
        Some(cx.report(&format!(
            "`{name}` returns without waiting for it; do the work before returning, or wait for the goroutine (WaitGroup, done channel) in `{name}`"
        )))
    }
}

/// Whether `body` blocks on something after `go_stmt` has started its
/// goroutine: a channel receive, a `select`, a `range` over a channel or a
/// `Wait()` call, outside the goroutine's own code.
fn waits_after(body: &GoNode<'_>, go_stmt: &GoNode<'_>) -> bool {
    let spawned = go_stmt.range();
    body.dfs()
        .filter(|n| n.range().start >= spawned.end)
        .any(|n| is_wait(&n))
}

fn is_wait(n: &GoNode<'_>) -> bool {
    match &*n.kind() {
        "select_statement" | "range_clause" => true,
        "unary_expression" => is_receive(n),
        "call_expression" => n.field("function").is_some_and(|f| {
            f.kind() == "selector_expression"
                && f.field("field")
                    .is_some_and(|m| matches!(&*m.text(), "Wait" | "WaitContext"))
        }),
        _ => false,
    }
}
