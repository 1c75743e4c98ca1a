//! `buffered-result-chan`: a function makes an unbuffered channel, starts one
//! goroutine that sends on it once, and returns it. A caller that stops
//! waiting leaves the goroutine blocked in its send for ever; a buffer of
//! one lets the send complete whether anyone receives or not.

use super::goroutines::{started_call, started_literal};
use crate::engine::edit::TextEdit;
use crate::engine::golang::GoNode;
use crate::engine::scope::{declares, enclosing_function, is_shadowed};
use crate::engine::{Finding, Fix, MatchContext, RecipeLogic};

pub struct BufferedResultChan;

/// How one mention of the channel's name is used.
enum Use<'r> {
    /// `return ..., ch, ...` from the function itself.
    Returned,
    /// Inside (or passed to) the function literal of this `go` statement.
    Goroutine(GoNode<'r>),
    /// Anything else.
    Other,
}

impl RecipeLogic for BufferedResultChan {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let decl = cx.node();
        let left: Vec<GoNode> = decl.field("left")?.named_children().collect();
        let right: Vec<GoNode> = decl.field("right")?.named_children().collect();
        let ([name], [call]) = (left.as_slice(), right.as_slice()) else {
            return None;
        };
        if name.kind() != "identifier" || call.kind() != "call_expression" {
            return None;
        }
        let func_name = call.field("function")?;
        if func_name.text() != "make" || is_shadowed(&func_name, "make") {
            return None;
        }
        let arg_list = call.field("arguments")?;
        let args: Vec<GoNode> = arg_list
            .named_children()
            .filter(|a| a.kind() != "comment")
            .collect();
        // Only `make(chan T)`: unbuffered, both directions, on one line.
        let [ty] = args.as_slice() else {
            return None;
        };
        if ty.kind() != "channel_type"
            || !ty.text().starts_with("chan")
            || arg_list.text().contains('\n')
        {
            return None;
        }
        let ch = name.text().to_string();
        let func = enclosing_function(&decl)?;
        let body = func.field("body")?;
        // One declaration of the name in the function, or the uses are ambiguous.
        let declarations = body.dfs().filter(|n| declares(n, &ch)).count();
        if declarations != 1 {
            return None;
        }
        let mut returned = false;
        let mut goroutines: Vec<GoNode> = Vec::new();
        let mut other = false;
        for id in body.dfs().filter(|n| {
            n.kind() == "identifier" && n.text() == ch && n.range().start > decl.range().end
        }) {
            match classify(&id, &func) {
                Use::Returned => returned = true,
                Use::Goroutine(g) => {
                    if !goroutines.iter().any(|x| x.range() == g.range()) {
                        goroutines.push(g);
                    }
                }
                Use::Other => other = true,
            }
        }
        let [goroutine] = goroutines.as_slice() else {
            if returned && goroutines.len() > 1 {
                return Some(cx.report("more than one goroutine uses the channel"));
            }
            return None;
        };
        if !returned {
            return None;
        }
        let started_in_loop = goroutine
            .ancestors()
            .take_while(|a| a.range() != func.range())
            .any(|a| a.kind() == "for_statement");
        if started_in_loop {
            return Some(cx.report(
                "the goroutine is started in a loop, so the channel may receive more than one value",
            ));
        }
        let sends = match sends_in(goroutine, &ch) {
            Ok(Some(sends)) => sends,
            Ok(None) => return None,
            Err(why) => return Some(cx.report(&why)),
        };
        if other {
            return Some(cx.report(&format!(
                "`{ch}` is used in the function for more than returning it; a buffer may change what that code sees"
            )));
        }
        if let Some(why) = more_than_once(&sends, goroutine) {
            return Some(cx.report(&why));
        }
        let close = arg_list.range().end - 1;
        Some(cx.fix(Fix {
            edits: vec![TextEdit::insert(close, ", 1")],
            add_imports: Vec::new(),
        }))
    }
}

/// What a mention `id` of the channel in function `func` is.
fn classify<'r>(id: &GoNode<'r>, func: &GoNode<'r>) -> Use<'r> {
    // The innermost function around the mention, and the `go` statement
    // starting it if that function is a literal started by `go`.
    let inner = enclosing_function(id);
    let parent = id.parent();
    if inner.as_ref().is_some_and(|f| f.range() == func.range()) {
        if let Some(p) = &parent {
            if p.kind() == "expression_list"
                && p.parent().is_some_and(|r| r.kind() == "return_statement")
            {
                return Use::Returned;
            }
            // `go func(c chan T) {...}(ch)`: passed to the goroutine.
            if p.kind() == "argument_list" {
                if let Some(go) = p
                    .parent()
                    .filter(|c| c.kind() == "call_expression")
                    .and_then(|c| c.parent())
                    .filter(|g| g.kind() == "go_statement")
                {
                    if started_literal(&go).is_some() {
                        return Use::Goroutine(go);
                    }
                }
            }
        }
        return Use::Other;
    }
    // Inside a literal: only the outermost literal below `func` matters,
    // and only when `go` starts it.
    let mut lit = None;
    for a in id.ancestors() {
        if a.range() == func.range() {
            break;
        }
        if a.kind() == "func_literal" {
            lit = Some(a);
        }
    }
    let Some(lit) = lit else {
        return Use::Other;
    };
    match lit
        .parent()
        .filter(|c| c.kind() == "call_expression")
        .and_then(|c| c.parent())
        .filter(|g| g.kind() == "go_statement")
    {
        Some(go) => Use::Goroutine(go),
        None => Use::Other,
    }
}

/// The names the channel has inside the goroutine's literal: the captured
/// name (unless a parameter hides it) and parameters it is passed as.
fn names_inside(go: &GoNode<'_>, lit: &GoNode<'_>, ch: &str) -> Vec<String> {
    let mut params: Vec<String> = Vec::new();
    if let Some(list) = lit.field("parameters") {
        for p in list.named_children().filter(|p| p.kind() != "comment") {
            let names: Vec<String> = p
                .field_children("name")
                .map(|n| n.text().to_string())
                .collect();
            if names.is_empty() {
                params.push(String::new());
            } else {
                params.extend(names);
            }
        }
    }
    let mut out = Vec::new();
    if !params.iter().any(|p| p == ch) {
        out.push(ch.to_string());
    }
    let args: Vec<GoNode> = started_call(go)
        .and_then(|c| c.field("arguments"))
        .map(|a| {
            a.named_children()
                .filter(|x| x.kind() != "comment")
                .collect()
        })
        .unwrap_or_default();
    for (i, a) in args.iter().enumerate() {
        if a.kind() == "identifier" && a.text() == ch {
            if let Some(p) = params.get(i).filter(|p| !p.is_empty() && *p != "_") {
                out.push(p.clone());
            }
        }
    }
    out
}

/// The send statements on the channel inside the goroutine. `Ok(None)`: the
/// goroutine sends in a `select`, so it can already give up; `Err`: the
/// goroutine uses the channel in a way a buffer could change.
#[allow(clippy::type_complexity)]
fn sends_in<'r>(go: &GoNode<'r>, ch: &str) -> Result<Option<Vec<GoNode<'r>>>, String> {
    let Some(lit) = started_literal(go) else {
        return Err("the goroutine is not a function literal".into());
    };
    let names = names_inside(go, &lit, ch);
    let Some(body) = lit.field("body") else {
        return Ok(None);
    };
    let mut sends = Vec::new();
    for id in body.dfs().filter(|n| {
        n.kind() == "identifier" && names.iter().any(|x| x.as_str() == n.text().as_ref())
    }) {
        if enclosing_function(&id).is_some_and(|f| f.range() != lit.range()) {
            return Err("a function literal inside the goroutine uses the channel".into());
        }
        let parent = id.parent();
        let is_channel_of_send = parent.as_ref().is_some_and(|p| {
            p.kind() == "send_statement"
                && p.field("channel").is_some_and(|c| c.range() == id.range())
        });
        if is_channel_of_send {
            let send = parent.expect("checked");
            if send
                .parent()
                .is_some_and(|c| c.kind() == "communication_case")
            {
                return Ok(None);
            }
            sends.push(send);
            continue;
        }
        let is_close = parent.as_ref().is_some_and(|p| {
            p.kind() == "argument_list"
                && p.named_children().count() == 1
                && p.parent().is_some_and(|c| {
                    c.kind() == "call_expression"
                        && c.field("function").is_some_and(|f| {
                            f.kind() == "identifier"
                                && f.text() == "close"
                                && !is_shadowed(&f, "close")
                        })
                })
        });
        if is_close {
            continue;
        }
        return Err("the goroutine does more with the channel than send on it and close it".into());
    }
    if sends.is_empty() {
        return Ok(None);
    }
    Ok(Some(sends))
}

/// Why the goroutine may send more than once, if it may.
fn more_than_once(sends: &[GoNode<'_>], go: &GoNode<'_>) -> Option<String> {
    for s in sends {
        let in_loop = s
            .ancestors()
            .take_while(|a| a.range() != go.range())
            .any(|a| a.kind() == "for_statement");
        if in_loop {
            return Some("the goroutine sends in a loop, so it may send more than once".into());
        }
    }
    if go.dfs().any(|n| n.kind() == "goto_statement") {
        return Some("the goroutine jumps with goto, so it may send more than once".into());
    }
    // Several sends are fine when each but the last ends its path.
    for s in &sends[..sends.len() - 1] {
        let next = s.next_all().find(|n| n.is_named() && n.kind() != "comment");
        if next.is_none_or(|n| n.kind() != "return_statement") {
            return Some("the goroutine may send more than once".into());
        }
    }
    None
}
