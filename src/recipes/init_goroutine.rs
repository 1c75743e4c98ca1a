//! `init-goroutine`: an `init` function that starts a goroutine, or sends on
//! an unbuffered channel before any receiver can exist.

use super::goroutines::started_call;
use super::util::is_receive;
use crate::engine::golang::GoNode;
use crate::engine::lex::{self, Token};
use crate::engine::scope::{enclosing_function, is_shadowed};
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct InitGoroutine;

impl RecipeLogic for InitGoroutine {
    /// A finding is a `go` statement or a send: a declaration with neither
    /// the keyword in its code nor `<-` in its bytes holds none.
    fn may_find_in(&self, code: &[u8]) -> bool {
        if memchr::memmem::find(code, b"<-").is_some() {
            return true;
        }
        let mut tokens = lex::Tokens::new(code);
        tokens.by_ref().any(|t| t == Token::Word(b"go")) || tokens.broken()
    }

    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let node = cx.node();
        let func = enclosing_function(&node)?;
        if func.kind() != "function_declaration"
            || func.field("name").is_none_or(|n| n.text() != "init")
        {
            return None;
        }
        match &*node.kind() {
            "go_statement" => Some(cx.report(&go_reason(&node))),
            "send_statement" => send_reason(cx.file, &node).map(|why| cx.report(&why)),
            _ => None,
        }
    }
}

/// What the started goroutine does that makes `init` the wrong place.
fn go_reason(stmt: &GoNode<'_>) -> String {
    let waits = started_call(stmt)
        .and_then(|call| call.field("function"))
        .filter(|f| f.kind() == "func_literal")
        .is_some_and(|lit| {
            lit.dfs().any(|n| match &*n.kind() {
                "select_statement" | "send_statement" => true,
                "unary_expression" => is_receive(&n),
                _ => false,
            })
        });
    if waits {
        "the goroutine waits on a channel that nothing may ever serve; if the wake-up never comes it is parked until exit with no error, so start it from main or an explicit Start function that can also stop it".to_string()
    } else {
        "importing the package now starts background work nobody asked for and nobody can stop; start it from main or an explicit Start function".to_string()
    }
}

/// Why a send in `init` blocks: the channel is a package-level unbuffered
/// channel made in this file. `None` when that is not known.
fn send_reason(file: &FileContext<'_>, send: &GoNode<'_>) -> Option<String> {
    // A send that is a case of a select with a default does not block.
    if let Some(case) = send.parent().filter(|p| p.kind() == "communication_case") {
        let select = case.parent()?;
        if select.children().any(|c| c.kind() == "default_case") {
            return None;
        }
    }
    let chan = send.field("channel")?;
    if chan.kind() != "identifier" {
        return None;
    }
    let name = chan.text().to_string();
    if is_shadowed(&chan, &name) {
        return None;
    }
    let made = package_var_value(file, &name)?;
    if !is_unbuffered_make(&made) {
        return None;
    }
    Some(format!(
        "`{name}` is unbuffered and init runs before main, so no goroutine can be receiving yet: the send blocks and the program dies with \"all goroutines are asleep\"; send after the receiver starts, from main"
    ))
}

/// The initial value of the package-level variable `name` declared in this file.
fn package_var_value<'r>(file: &FileContext<'r>, name: &str) -> Option<GoNode<'r>> {
    for decl in file.whole_root().root().children() {
        if decl.kind() != "var_declaration" {
            continue;
        }
        for spec in decl.dfs().filter(|n| n.kind() == "var_spec") {
            let names: Vec<GoNode<'_>> = spec
                .children()
                .take_while(|c| c.kind() != "expression_list" && c.kind() != "=")
                .filter(|c| c.kind() == "identifier")
                .collect();
            let Some(i) = names.iter().position(|n| n.text() == name) else {
                continue;
            };
            let values = spec.field("value")?;
            return values
                .named_children()
                .filter(|v| v.kind() != "comment")
                .nth(i);
        }
    }
    None
}

/// `make(chan T)` or `make(chan T, 0)`.
fn is_unbuffered_make(expr: &GoNode<'_>) -> bool {
    if expr.kind() != "call_expression"
        || expr
            .field("function")
            .is_none_or(|f| f.kind() != "identifier" || f.text() != "make")
    {
        return false;
    }
    let Some(args) = expr.field("arguments") else {
        return false;
    };
    let args: Vec<GoNode<'_>> = args
        .named_children()
        .filter(|a| a.kind() != "comment")
        .collect();
    match args.as_slice() {
        [ty] => ty.kind() == "channel_type",
        [ty, size] => ty.kind() == "channel_type" && size.text() == "0",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declarations_that_start_goroutines_or_send_may_hold_a_finding() {
        let may = |code: &str| InitGoroutine.may_find_in(code.as_bytes());
        assert!(may("func init() {\n\tgo serve()\n}\n"));
        assert!(may("func init() {\n\tready <- true\n}\n"));
        // A comment may hide anything: it counts as code for the send.
        assert!(may("func init() {\n\t// ch <- v\n}\n"));
        assert!(!may("func init() {\n\tregister(\"go\") // go on\n}\n"));
        assert!(!may("func init() {\n\ttable = build()\n}\n"));
        // Text that does not lex: anything may follow.
        assert!(may("func init() {\n\ts := \"open\n\tgo f()\n}\n"));
    }
}
