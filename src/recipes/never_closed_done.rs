//! `never-closed-done`: a channel made in a function, waited on by a
//! goroutine the function starts, and never closed or sent on.

use super::util::is_receive;
use crate::engine::golang::GoNode;
use crate::engine::scope::enclosing_function;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct NeverClosedDone;

impl RecipeLogic for NeverClosedDone {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let make = cx.node();
        let is_make = make
            .field("function")
            .is_some_and(|f| f.kind() == "identifier" && f.text() == "make");
        if !is_make {
            return None;
        }
        // `name := make(chan T)` or `var name = make(chan T)`, one name only.
        let values = make.parent().filter(|p| p.kind() == "expression_list")?;
        if values.named_children().count() != 1 {
            return None;
        }
        let decl = values.parent()?;
        let name_node = match &*decl.kind() {
            "short_var_declaration" => single(&decl.field("left")?)?,
            "var_spec" => {
                let names: Vec<_> = decl
                    .children()
                    .filter(|c| c.kind() == "identifier")
                    .collect();
                (names.len() == 1).then(|| names[0].clone())?
            }
            _ => return None,
        };
        let name = name_node.text().to_string();
        if name == "_" {
            return None;
        }
        let func = enclosing_function(&make)?;
        let after = decl.range().end;
        let mut waited_in_goroutine = false;
        for u in func.dfs() {
            if u.kind() != "identifier" || u.text() != name.as_str() || u.range().start < after {
                continue;
            }
            let wait = receive_of(&u)?;
            if in_goroutine(&u, &func) && blocks_on(&wait) {
                waited_in_goroutine = true;
            }
        }
        if !waited_in_goroutine {
            return None;
        }
        Some(cx.report(&format!(
            "`{name}` is only ever received from; close it (for example `defer close({name})`) or send on it when the goroutine should stop"
        )))
    }
}

/// The only name of an expression list.
fn single<'r>(list: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut names = list.named_children();
    let first = names.next()?;
    (names.next().is_none() && first.kind() == "identifier").then_some(first)
}

/// The receive `use` takes part in: `<-use` or `for range use`. `None` for
/// any other use (a close, a send, passing it on, storing it...).
fn receive_of<'r>(u: &GoNode<'r>) -> Option<GoNode<'r>> {
    let parent = u.parent()?;
    match &*parent.kind() {
        _ if is_receive(&parent) => Some(parent),
        "range_clause"
            if parent
                .field("right")
                .is_some_and(|r| r.range() == u.range()) =>
        {
            Some(parent)
        }
        _ => None,
    }
}

/// Whether `node` runs in a goroutine started (directly) within `func`.
fn in_goroutine(node: &GoNode<'_>, func: &GoNode<'_>) -> bool {
    let stop = func.range();
    node.ancestors()
        .take_while(|a| a.range() != stop)
        .any(|a| a.kind() == "go_statement")
}

/// Whether the receive `wait` blocks with no other way out: not a `select`
/// case beside other cases or a `default`.
fn blocks_on(wait: &GoNode<'_>) -> bool {
    let Some(case) = wait
        .parent()
        .filter(|r| r.kind() == "receive_statement")
        .and_then(|r| r.parent())
        .filter(|c| c.kind() == "communication_case")
    else {
        return true;
    };
    let Some(select) = case.parent() else {
        return true;
    };
    select
        .named_children()
        .filter(|c| matches!(&*c.kind(), "communication_case" | "default_case"))
        .count()
        == 1
}
