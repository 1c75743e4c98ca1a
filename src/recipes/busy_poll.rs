//! `busy-poll`: an endless loop that never blocks, so it holds a core while
//! it waits for something to change.

use std::collections::HashSet;

use super::util::is_receive;
use crate::engine::golang::GoNode;
use crate::engine::lex::{self, Token};
use crate::engine::package::Callee;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct BusyPoll;

/// Built-in functions and conversions to built-in types: they never block.
const BUILTINS: &[&str] = &[
    "len", "cap", "append", "copy", "min", "max", "delete", "clear", "string", "int", "int8",
    "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32",
    "float64", "byte", "rune", "bool",
];

/// Standard-library calls that return at once.
const QUICK: &[(&str, &[&str])] = &[
    ("runtime", &["Gosched", "NumGoroutine"]),
    ("time", &["Now", "Since", "Until"]),
    ("fmt", &["Sprint", "Sprintf", "Sprintln"]),
];

/// Methods of sync/atomic's types: loads and stores return at once.
const ATOMIC_METHODS: &[&str] = &["Load", "Store", "Add", "Swap", "And", "Or"];

/// How many same-file functions deep the search for a blocking call goes.
const DEPTH: usize = 3;

impl RecipeLogic for BusyPoll {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let lp = cx.node();
        let file = cx.file;
        // Only `for { ... }` and `for true { ... }`.
        let header: Vec<GoNode<'_>> = lp
            .children()
            .filter(|c| c.is_named() && c.kind() != "block" && c.kind() != "comment")
            .collect();
        match header.as_slice() {
            [] => {}
            [c] if c.kind() == "true" || c.text() == "true" => {}
            _ => return None,
        }
        let body = lp.field("body")?;
        if after_exit(&lp) || leaves(&lp, &body) {
            return None;
        }
        let mut seen = HashSet::new();
        if !never_blocks(file, &body, DEPTH, &mut seen) && !pure_poll(file, &body) {
            return None;
        }
        let empty = body.named_children().all(|c| {
            c.kind() == "comment"
                || (c.kind() == "statement_list"
                    && c.named_children().all(|s| s.kind() == "comment"))
        });
        let why = if empty {
            "an empty endless loop spins; `select {}` blocks forever without using a core"
        } else {
            "nothing in it waits, so it re-checks at full speed even when there is nothing to do; drive it from a channel, a time.Ticker or a sync.Cond instead"
        };
        Some(cx.report(why))
    }

    /// No finding in a declaration where every `for {` and `for true {`
    /// loop is seen to end or to wait from its tokens alone: with no
    /// function literal in its body, a `return` or `goto` leaves it, a
    /// `select` or a `range` may block (and rules out the bare poll), and
    /// an unlabelled `break` with no loop, switch or select around it
    /// leaves it too.
    fn may_find_in(&self, code: &[u8]) -> bool {
        let mut tokens = lex::Tokens::new(code);
        let mut list: Vec<(Token<'_>, usize)> = Vec::new();
        while let Some(t) = tokens.next() {
            let start = match t {
                Token::Word(w) => w.as_ptr() as usize - code.as_ptr() as usize,
                Token::Bracket(_) => tokens.end() - 1,
            };
            list.push((t, start));
        }
        if tokens.broken() {
            return true;
        }
        let word = |k: usize| match list.get(k) {
            Some((Token::Word(w), _)) => Some(*w),
            _ => None,
        };
        let open_brace = |k: usize| matches!(list.get(k), Some((Token::Bracket(b'{'), _)));
        for k in 0..list.len() {
            if word(k) != Some(b"for") {
                continue;
            }
            let open = if open_brace(k + 1) {
                k + 1
            } else if word(k + 1) == Some(b"true") && open_brace(k + 2) {
                k + 2
            } else {
                continue;
            };
            let mut depth = 0usize;
            let (mut literal, mut ends, mut nested, mut breaks) = (false, false, false, false);
            let mut closed = false;
            for j in open..list.len() {
                match list[j].0 {
                    Token::Bracket(b'{' | b'(' | b'[') => depth += 1,
                    Token::Bracket(_) => {
                        depth -= 1;
                        if depth == 0 {
                            closed = true;
                            break;
                        }
                    }
                    Token::Word(w) => match w {
                        b"func" => literal = true,
                        b"return" | b"goto" | b"range" => ends = true,
                        b"select" => {
                            ends = true;
                            nested = true;
                        }
                        b"for" | b"switch" => nested = true,
                        b"break" => breaks |= unlabelled(code, &list, j),
                        _ => {}
                    },
                }
            }
            if !closed || literal || !(ends || (breaks && !nested)) {
                return true;
            }
        }
        false
    }
}

/// Whether the `break` at `list[j]` names no label: the next token is a
/// bracket, or starts a later statement (a line or a `;` away, with no
/// comment in between that could hide where it is).
fn unlabelled(code: &[u8], list: &[(Token<'_>, usize)], j: usize) -> bool {
    let Token::Word(w) = list[j].0 else {
        return false;
    };
    let end = list[j].1 + w.len();
    match list.get(j + 1) {
        None | Some((Token::Bracket(_), _)) => true,
        Some((Token::Word(_), next)) => {
            let gap = &code[end..*next];
            !gap.contains(&b'/') && gap.iter().any(|&c| c == b'\n' || c == b';')
        }
    }
}

/// Whether the loop body is a single `if` on a call (`if ready() { report() }`)
/// and nothing in it can be seen to block: no channel operation, and no call
/// of the standard library, of a method on a value of unknown type, or of a
/// function of the package that may block. Calls of function values and of
/// functions not in sight are taken as they come: the shape is a poll
/// whatever they do.
fn pure_poll<'r>(file: &FileContext<'r>, body: &GoNode<'r>) -> bool {
    let stmts: Vec<GoNode<'r>> = body
        .named_children()
        .flat_map(|c| {
            if c.kind() == "statement_list" {
                c.named_children().collect()
            } else {
                vec![c]
            }
        })
        .filter(|c| c.kind() != "comment")
        .collect();
    let [only] = stmts.as_slice() else {
        return false;
    };
    if only.kind() != "if_statement" {
        return false;
    }
    let on_call = ["initializer", "condition"].iter().any(|f| {
        only.field(f)
            .is_some_and(|c| c.dfs().any(|n| n.kind() == "call_expression"))
    });
    on_call && !could_block(file, body, DEPTH)
}

/// Whether something under `node` may block, as far as the source shows.
fn could_block<'r>(file: &FileContext<'r>, node: &GoNode<'r>, depth: usize) -> bool {
    node.dfs().any(|n| match &*n.kind() {
        "send_statement" | "select_statement" | "range_clause" => true,
        "unary_expression" => is_receive(&n),
        "call_expression" => {
            let mut seen = HashSet::new();
            if quick_call(file, &n, 1, &mut seen) {
                return false;
            }
            match file.resolve_call(&n) {
                Callee::Builtin(_) => false,
                Callee::Imported(path, _) => path != "sync/atomic",
                Callee::Unknown(_) => n.field("function").is_none_or(|f| f.kind() != "identifier"),
                Callee::Declared(d) => {
                    depth == 0
                        || d.field("body")
                            .is_none_or(|b| could_block(file, &b, depth - 1))
                }
            }
        }
        _ => false,
    })
}

/// Whether the statement before the loop ends the program (`exit(0)`,
/// `os.Exit(1)`, `abort()`): the loop is an unreachable guard.
fn after_exit(lp: &GoNode<'_>) -> bool {
    let stmt = match lp.parent() {
        Some(p) if p.kind() == "labeled_statement" => p,
        _ => lp.clone(),
    };
    super::util::prev_statement(&stmt)
        .filter(|p| p.kind() == "expression_statement")
        .and_then(|p| p.named_children().next())
        .filter(|c| c.kind() == "call_expression")
        .and_then(|c| c.field("function"))
        .is_some_and(|f| {
            let name = f
                .text()
                .rsplit('.')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            matches!(
                name.as_str(),
                "exit" | "abort" | "throw" | "fatal" | "fatalf" | "goexit"
            )
        })
}

/// Whether control can leave the loop `lp` (whose body is `body`): a
/// `break` or `goto` that targets it, a `return`, or a call that ends the
/// goroutine or the program.
fn leaves(lp: &GoNode<'_>, body: &GoNode<'_>) -> bool {
    let label = lp
        .parent()
        .filter(|p| p.kind() == "labeled_statement")
        .and_then(|p| p.field("label"))
        .map(|l| l.text().to_string());
    let mut stack = vec![body.clone()];
    while let Some(n) = stack.pop() {
        match &*n.kind() {
            "func_literal" => continue,
            "return_statement" | "goto_statement" => return true,
            "break_statement" => match n.named_children().next() {
                Some(l) => {
                    if label.as_deref() != Some(&*l.text()) {
                        // A labelled break to an outer statement leaves too.
                        if !body.dfs().any(|d| {
                            d.kind() == "labeled_statement"
                                && d.field("label").is_some_and(|x| x.text() == l.text())
                        }) {
                            return true;
                        }
                    } else {
                        return true;
                    }
                }
                None => {
                    if breaks_here(&n, lp) {
                        return true;
                    }
                }
            },
            "call_expression" => {
                let f = n.field("function").map(|f| f.text().to_string());
                if matches!(
                    f.as_deref(),
                    Some(
                        "panic"
                            | "os.Exit"
                            | "log.Fatal"
                            | "log.Fatalf"
                            | "log.Fatalln"
                            | "log.Panic"
                            | "log.Panicf"
                            | "runtime.Goexit"
                    )
                ) {
                    return true;
                }
            }
            _ => {}
        }
        stack.extend(n.children());
    }
    false
}

/// Whether an unlabelled `break` leaves `lp` (and not an inner loop,
/// switch or select).
fn breaks_here(brk: &GoNode<'_>, lp: &GoNode<'_>) -> bool {
    for a in brk.ancestors() {
        match &*a.kind() {
            "for_statement"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "select_statement" => return a.range() == lp.range(),
            _ => {}
        }
    }
    false
}

/// Whether nothing under `node` can block: no channel operation, no select,
/// no range (it may be over a channel), no goroutine start, and only calls
/// known to return at once (built-ins, a few standard functions, atomic
/// loads and stores, and functions of this file that themselves never block).
fn never_blocks(
    file: &FileContext<'_>,
    node: &GoNode<'_>,
    depth: usize,
    seen: &mut HashSet<String>,
) -> bool {
    for n in node.dfs() {
        match &*n.kind() {
            "send_statement" | "select_statement" | "range_clause" | "go_statement" => {
                return false
            }
            _ if is_receive(&n) => return false,
            "call_expression" if !quick_call(file, &n, depth, seen) => return false,
            _ => {}
        }
    }
    true
}

fn quick_call(
    file: &FileContext<'_>,
    call: &GoNode<'_>,
    depth: usize,
    seen: &mut HashSet<String>,
) -> bool {
    let Some(f) = call.field("function") else {
        return false;
    };
    if QUICK
        .iter()
        .any(|(path, names)| names.iter().any(|name| file.is_pkg_member(&f, path, name)))
    {
        return true;
    }
    match &*f.kind() {
        "identifier" => {
            let name = f.text().to_string();
            if crate::engine::scope::is_shadowed(&f, &name) {
                return false;
            }
            if BUILTINS.contains(&name.as_str()) {
                return true;
            }
            same_file_quick(file, "function_declaration", &name, depth, seen)
        }
        "selector_expression" => {
            let (Some(op), Some(field)) = (f.field("operand"), f.field("field")) else {
                return false;
            };
            let name = field.text().to_string();
            if op.kind() == "identifier" {
                if let Some(path) = file.imports.path_of(&op.text()) {
                    if crate::engine::scope::is_shadowed(&op, &op.text()) {
                        // A local value: fall through to methods.
                    } else {
                        return path == "sync/atomic";
                    }
                }
            }
            if ATOMIC_METHODS.contains(&name.as_str()) {
                return true;
            }
            same_file_quick(file, "method_declaration", &name, depth, seen)
        }
        _ => false,
    }
}

/// Whether every declaration of `kind` named `name` in this file (at least
/// one) never blocks.
fn same_file_quick(
    file: &FileContext<'_>,
    kind: &str,
    name: &str,
    depth: usize,
    seen: &mut HashSet<String>,
) -> bool {
    if depth == 0 {
        return false;
    }
    let key = format!("{kind}:{name}");
    if !seen.insert(key) {
        // Already being checked (recursion): judged by the outer check.
        return true;
    }
    if !file.may_declare_function(name) {
        return false;
    }
    let decls: Vec<GoNode<'_>> = file
        .whole_root()
        .root()
        .children()
        .filter(|d| d.kind() == kind && d.field("name").is_some_and(|n| n.text() == name))
        .collect();
    !decls.is_empty()
        && decls.iter().all(|d| {
            d.field("body")
                .is_some_and(|b| never_blocks(file, &b, depth - 1, seen))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn may(code: &str) -> bool {
        BusyPoll.may_find_in(code.as_bytes())
    }

    #[test]
    fn declarations_whose_loops_end_or_wait_hold_no_finding() {
        // Each loop returns, jumps away, waits in a select, ranges or breaks.
        for code in [
            "func f() {\n\tfor {\n\t\tif x() {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
            "func f() {\n\tfor true {\n\t\tgoto done\n\t}\ndone:\n}\n",
            "func f() {\n\tfor {\n\t\tselect {\n\t\tcase <-c:\n\t\t}\n\t}\n}\n",
            "func f() {\n\tfor {\n\t\tif x() {\n\t\t\tbreak\n\t\t}\n\t}\n}\n",
            "func f() {\n\tfor i := 0; i < 3; i++ {\n\t}\n}\n",
        ] {
            assert!(!may(code), "{code}");
        }
    }

    #[test]
    fn declarations_with_a_loop_that_may_spin_may_hold_one() {
        for code in [
            "func f() {\n\tfor {\n\t\tn++\n\t}\n}\n",
            // The return is a function literal's, the break an inner switch's.
            "func f() {\n\tfor {\n\t\tg(func() { return })\n\t}\n}\n",
            "func f() {\n\tfor {\n\t\tswitch {\n\t\tdefault:\n\t\t\tbreak\n\t\t}\n\t}\n}\n",
            // A labelled break may name a statement inside the loop.
            "func f() {\n\tfor {\n\t\tif x() {\n\t\t\tbreak L\n\t\t}\n\t}\n}\n",
            // One loop ends, the other does not.
            "func f() {\n\tfor {\n\t\treturn\n\t}\n\tfor /* c */ {\n\t}\n}\n",
            // Text the lexer cannot read.
            "func f() {\n\tfor {\n\t\ts := \"\n",
        ] {
            assert!(may(code), "{code}");
        }
    }
}
