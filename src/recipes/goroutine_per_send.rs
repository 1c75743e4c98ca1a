//! `goroutine-per-send`: a goroutine whose only work is one channel send.

use crate::engine::{Finding, MatchContext, RecipeLogic};

use super::goroutines::started_call;
use super::util::{enclosing_loop, is_receive};

pub struct GoroutinePerSend;

impl RecipeLogic for GoroutinePerSend {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let stmt = cx.node();
        let call = started_call(&stmt)?;
        let lit = call.field("function")?;
        if lit.kind() != "func_literal" {
            return None;
        }
        let body = lit.field("body")?;
        let stmts = super::exits::body_statements(&body);
        let [send] = stmts.as_slice() else {
            return None;
        };
        if send.kind() != "send_statement" {
            return None;
        }
        let value = send.field("value")?;
        // A value that takes a call or a receive to produce is real work
        // done off the caller's goroutine (`errc <- srv.Serve(l)`).
        if value
            .dfs()
            .any(|n| n.kind() == "call_expression" || n.kind() == "func_literal" || is_receive(&n))
        {
            return None;
        }
        let chan = send.field("channel")?.text().to_string();
        // Outside a loop one such goroutine is a bounded, deliberate hand-off.
        enclosing_loop(&stmt)?;
        Some(cx.report(&format!(
            "one goroutine per iteration parks on `{chan}` until a receiver takes its value, so a slow reader piles them up; send from the loop itself to get back-pressure, or select with a default to drop"
        )))
    }
}
