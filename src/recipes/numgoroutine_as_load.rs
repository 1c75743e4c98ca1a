//! `numgoroutine-as-load`: report `runtime.NumGoroutine()` read as a load
//! figure, as a number of OS threads, or compared with a tiny constant as if
//! only `main` existed.

use crate::engine::golang::GoNode;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct NumgoroutineAsLoad;

/// Name fragments that say a value means load or activity.
const LOAD_WORDS: &[&str] = &[
    "load",
    "busy",
    "active",
    "inflight",
    "concurren",
    "pressure",
    "utiliz",
    "saturat",
];

/// Name fragments that say a value means OS threads.
const THREAD_WORDS: &[&str] = &["thread"];

/// Predeclared numeric types a count is often converted to.
const NUMERIC: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "uintptr",
];

impl RecipeLogic for NumgoroutineAsLoad {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        if !file.is_pkg_call(&call, "runtime", "NumGoroutine") {
            return None;
        }
        let value = widen(&call);
        let parent = value.parent()?;
        match &*parent.kind() {
            "binary_expression" => {
                let op = parent.field("operator")?.text().to_string();
                if !matches!(&*op, "<" | "<=" | ">" | ">=" | "==" | "!=") {
                    return None;
                }
                let other = [parent.field("left")?, parent.field("right")?]
                    .into_iter()
                    .find(|s| s.range() != value.range())?;
                if mentions_count(file, &other) {
                    // Compared with an earlier count: leak or trend checking.
                    return None;
                }
                if small_constant(&other).is_some_and(|v| v <= 2) {
                    return Some(cx.report(&format!(
                        "compared with {}: the runtime and the standard library run goroutines of their own, so the count is rarely that small; compare against a count taken earlier instead",
                        other.text()
                    )));
                }
                if in_condition(&parent) {
                    return Some(cx.report(
                        "a threshold on the goroutine count decides on load; count in-flight work explicitly (atomic add on entry, subtract on exit)",
                    ));
                }
                None
            }
            _ => {
                let name = destination_name(&value)?;
                let lower = name.to_ascii_lowercase();
                if THREAD_WORDS.iter().any(|w| lower.contains(w)) {
                    return Some(cx.report(&format!(
                        "stored as `{name}`, but goroutines are not OS threads; read the thread count from the operating system (Threads in /proc/self/status) or the threadcreate profile"
                    )));
                }
                if LOAD_WORDS.iter().any(|w| lower.contains(w)) {
                    return Some(cx.report(&format!(
                        "stored as `{name}`, but most goroutines are usually parked; count in-flight work explicitly (atomic add on entry, subtract on exit)"
                    )));
                }
                let func = crate::engine::scope::enclosing_function(&call)?;
                let limit = compared_with_small(&func, &name, value.range().end)?;
                Some(cx.report(&format!(
                    "`{name}` is compared with {limit}: the runtime and the standard library run goroutines of their own, so the count is rarely that small; compare against a count taken earlier instead"
                )))
            }
        }
    }
}

/// The expression that carries the count: the call, through parentheses,
/// numeric conversions and arithmetic (`NumGoroutine() - 1`).
fn widen<'r>(call: &GoNode<'r>) -> GoNode<'r> {
    let mut cur = call.clone();
    while let Some(p) = cur.parent() {
        let keep = match &*p.kind() {
            "parenthesized_expression" => true,
            "argument_list" => p.parent().is_some_and(|c| {
                c.kind() == "call_expression"
                    && c.field("function")
                        .is_some_and(|f| f.kind() == "identifier" && NUMERIC.contains(&&*f.text()))
            }),
            "binary_expression" => p
                .field("operator")
                .is_some_and(|o| matches!(&*o.text(), "+" | "-" | "*" | "/")),
            _ => false,
        };
        if !keep {
            break;
        }
        cur = if p.kind() == "argument_list" {
            match p.parent() {
                Some(c) => c,
                None => break,
            }
        } else {
            p
        };
    }
    cur
}

/// Whether `expr` holds another goroutine count: a `NumGoroutine()` call, or
/// a variable of this file that is assigned one.
fn mentions_count(file: &FileContext<'_>, expr: &GoNode<'_>) -> bool {
    let is_count = |n: &GoNode<'_>| file.is_pkg_call(n, "runtime", "NumGoroutine");
    if expr.dfs().any(|n| is_count(&n)) {
        return true;
    }
    let names: Vec<String> = expr
        .dfs()
        .filter(|n| n.kind() == "identifier")
        .map(|n| n.text().to_string())
        .collect();
    if names.is_empty() {
        return false;
    }
    // Any variable holding a count anywhere in the file: a baseline can be
    // taken in one function and checked in another.
    let found = file.whole_root().root().dfs().any(|c| {
        if !is_count(&c) {
            return false;
        }
        let v = widen(&c);
        destination_name(&v).is_some_and(|d| names.contains(&d))
    });
    found
}

/// The name a value is stored under: `x := v`, `x = v`, `var x = v`,
/// `s.x = v`, `Field: v`.
fn destination_name(value: &GoNode<'_>) -> Option<String> {
    let parent = value.parent()?;
    match &*parent.kind() {
        "expression_list" => {
            let stmt = parent.parent()?;
            let idx = parent
                .named_children()
                .position(|c| c.range() == value.range())?;
            let left = match &*stmt.kind() {
                "short_var_declaration" | "assignment_statement" => {
                    if stmt.field("right")?.range() != parent.range() {
                        return None;
                    }
                    stmt.field("left")?
                }
                "var_spec" => {
                    let names: Vec<_> = stmt.field_children("name").collect();
                    return names.get(idx).map(|n| n.text().to_string());
                }
                _ => return None,
            };
            let target = left.named_children().nth(idx)?;
            Some(match &*target.kind() {
                "selector_expression" => target.field("field")?.text().to_string(),
                _ => target.text().to_string(),
            })
        }
        "literal_element" => {
            let keyed = parent.parent()?;
            if keyed.kind() != "keyed_element" {
                return None;
            }
            let key = keyed.named_children().next()?;
            (key.range() != parent.range()).then(|| key.text().trim_matches('"').to_string())
        }
        _ => None,
    }
}

/// The value of a small integer literal.
fn small_constant(expr: &GoNode<'_>) -> Option<i64> {
    (expr.kind() == "int_literal")
        .then(|| expr.text().replace('_', "").parse().ok())
        .flatten()
}

/// Whether a comparison decides something: it sits in the condition of an
/// `if`, a `for` or a `switch` case, or in a boolean expression feeding one.
fn in_condition(cmp: &GoNode<'_>) -> bool {
    let mut child = cmp.clone();
    for a in cmp.ancestors() {
        match &*a.kind() {
            "binary_expression" | "parenthesized_expression" | "unary_expression" => {}
            "if_statement" => {
                return a
                    .field("condition")
                    .is_some_and(|c| c.range() == child.range())
                    && !a.field("consequence").is_some_and(|b| only_alarms(&b));
            }
            "for_clause" => {
                return a
                    .field("condition")
                    .is_some_and(|c| c.range() == child.range());
            }
            "for_statement" => return true,
            "expression_list" => {
                return a.parent().is_some_and(|p| p.kind() == "expression_case");
            }
            _ => return false,
        }
        child = a;
    }
    false
}

/// Whether a block only logs or panics: a leak alarm, which is what the
/// count is good for, not a decision about load.
fn only_alarms(block: &GoNode<'_>) -> bool {
    let Some(list) = block
        .named_children()
        .find(|n| n.kind() == "statement_list")
    else {
        return false;
    };
    let mut stmts = list
        .named_children()
        .filter(|n| n.kind() != "comment")
        .peekable();
    stmts.peek().is_some()
        && stmts.all(|st| {
            let Some(call) = st
                .named_children()
                .next()
                .filter(|c| st.kind() == "expression_statement" && c.kind() == "call_expression")
            else {
                return false;
            };
            let Some(f) = call.field("function") else {
                return false;
            };
            let name = match &*f.kind() {
                "selector_expression" => f.field("field").map(|n| n.text().to_string()),
                "identifier" => Some(f.text().to_string()),
                _ => None,
            };
            name.is_some_and(|n| {
                n == "panic"
                    || ["Print", "Log", "Warn", "Error", "Info", "Debug"]
                        .iter()
                        .any(|w| n.starts_with(w) || n.starts_with(&w.to_ascii_lowercase()))
            })
        })
}

/// A small constant (at most 2) that variable `name` is compared with in
/// `func` after byte `from`.
fn compared_with_small(func: &GoNode<'_>, name: &str, from: usize) -> Option<i64> {
    func.dfs()
        .filter(|n| n.kind() == "binary_expression" && n.range().start >= from)
        .filter(|n| {
            n.field("operator")
                .is_some_and(|o| matches!(&*o.text(), "<" | "<=" | ">" | ">=" | "==" | "!="))
        })
        .find_map(|n| {
            let (l, r) = (n.field("left")?, n.field("right")?);
            let other = if l.kind() == "identifier" && l.text() == name {
                r
            } else if r.kind() == "identifier" && r.text() == name {
                l
            } else {
                return None;
            };
            small_constant(&other).filter(|v| *v <= 2)
        })
}
