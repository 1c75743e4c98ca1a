//! `preemption-pre-1-14`: in a module below Go 1.14, a loop with no
//! preemption point (no call, channel operation or allocation): endless,
//! counted to a bound set elsewhere, or walking data whose size decides
//! how long the thread is held. Only loops bounded by a small constant are
//! left alone.

use std::collections::HashMap;

use super::util::is_receive;
use crate::engine::golang::GoNode;
use crate::engine::scope::is_function;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct PreemptionPre114;

impl RecipeLogic for PreemptionPre114 {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        if cx.file.go_version.at_least(1, 14) {
            return None;
        }
        let lp = cx.node();
        let why = unpreemptible(&lp)?;
        // Report the outermost such loop only.
        let outer = lp
            .ancestors()
            .take_while(|a| !is_function(a))
            .filter(|a| a.kind() == "for_statement")
            .any(|a| unpreemptible(&a).is_some());
        if outer {
            return None;
        }
        Some(cx.report(&format!(
            "the module's Go version is {}, and the loop {why}; raise the go directive to 1.14 or later, or block on a channel or sync primitive instead",
            cx.file.go_version
        )))
    }
}

/// Why the loop may run for long without a preemption point, or `None`.
fn unpreemptible(lp: &GoNode<'_>) -> Option<&'static str> {
    let body = lp.field("body")?;
    let clause = lp
        .children()
        .find(|c| c.is_named() && c.range() != body.range() && c.kind() != "comment");
    if let Some(rc) = clause.as_ref().filter(|c| c.kind() == "range_clause") {
        // Ranging over a channel receives, which blocks and lets others
        // run; over data (a slice, array, map or string whose type the
        // source shows) without a call, the data's size is how long the
        // thread is held.
        if lp.dfs().any(|n| is_preemption_point(&n)) {
            return None;
        }
        let right = rc.field("right")?;
        if right.kind() == "int_literal" || !ranges_over_data(&right) {
            return None;
        }
        return Some("ranges over data without calling a function, so a long slice or map holds the thread for as long");
    }
    let condition = match &clause {
        Some(c) if c.kind() == "for_clause" => c.field("condition"),
        Some(c) => Some(c.clone()),
        None => None,
    };
    // `for ; true; ` is an endless loop too.
    let condition = match condition {
        Some(c) if c.kind() == "true" => None,
        other => other,
    };
    if lp.dfs().any(|n| is_preemption_point(&n)) {
        return None;
    }
    // What each iteration changes: the body and the clause's update step
    // (the initialiser runs once).
    let mut written = writes(&body);
    if let Some(update) = clause.as_ref().and_then(|c| c.field("update")) {
        for (name, how) in writes(&update) {
            let entry = written.entry(name).or_insert(how);
            if how == Write::Other {
                *entry = Write::Other;
            }
        }
    }
    let endless = condition.is_none();
    let conditions: Vec<GoNode> = match &condition {
        Some(c) => vec![c.clone()],
        None => exit_conditions(&body)?,
    };
    if conditions.is_empty() {
        return Some("never ends and never calls a function");
    }
    let read: Vec<String> = conditions
        .iter()
        .flat_map(|c| {
            c.dfs()
                .filter(|n| n.kind() == "identifier")
                .collect::<Vec<_>>()
        })
        .map(|n| n.text().to_string())
        .collect();
    let changed: Vec<&Write> = read
        .iter()
        .filter_map(|r| written.get(r.as_str()))
        .collect();
    if changed.is_empty() {
        return Some("reads nothing in its condition that it changes itself, so only another goroutine can end it");
    }
    let counting = changed.iter().all(|w| **w == Write::Counter);
    let big_bound = conditions.iter().any(has_big_literal);
    // A counter that indexes something walks data: the data bounds it.
    let walks_data = lp.dfs().any(|n| {
        matches!(&*n.kind(), "index_expression" | "slice_expression")
            && n.children().skip(1).any(|i| {
                i.dfs()
                    .any(|id| id.kind() == "identifier" && written.contains_key(&*id.text()))
            })
    });
    if !counting {
        return Some("walks a structure without calling a function, so a long one holds the thread for as long");
    }
    if walks_data {
        return Some(
            "walks data without calling a function, so a long slice holds the thread for as long",
        );
    }
    if endless || big_bound {
        return Some("counts for a long time without calling a function");
    }
    // A bound the loop does not fix itself (`for x < n { x++ }`) can be as
    // large as the caller likes; a small constant or the length of data
    // bounds it.
    // Counting down from a value set elsewhere is the same: the start is
    // the bound.
    let known_start = clause
        .as_ref()
        .and_then(|c| c.field("initializer"))
        .and_then(|i| i.field("right"))
        .is_none_or(|r| r.named_children().all(|v| has_known_bound(&v, &written)));
    if !known_start || !conditions.iter().all(|c| has_known_bound(c, &written)) {
        return Some("counts up to a bound it does not fix itself and never calls a function, so a large bound holds the thread for as long");
    }
    // Bounded by a length: as long as the data is.
    if conditions.iter().any(|c| {
        c.dfs().any(|n| {
            n.kind() == "call_expression"
                && n.field("function")
                    .is_some_and(|f| matches!(&*f.text(), "len" | "cap"))
        })
    }) {
        return Some("counts to the length of data without calling a function, so a long slice holds the thread for as long");
    }
    // A small constant bound: over before it matters.
    None
}

/// Whether a ranged expression is data, not a channel, as far as the source
/// shows: a composite literal, a string, or a variable declared (as a
/// parameter, a `var` or with `make`/a literal) with a slice, array, map or
/// string type.
fn ranges_over_data(expr: &GoNode<'_>) -> bool {
    let data_type = |t: &GoNode<'_>| {
        matches!(&*t.kind(), "slice_type" | "array_type" | "map_type")
            || (t.kind() == "type_identifier" && t.text() == "string")
    };
    match &*expr.kind() {
        "composite_literal" | "interpreted_string_literal" | "raw_string_literal" => true,
        "identifier" => {
            let name = expr.text().to_string();
            for anc in expr.ancestors() {
                if is_function(&anc) {
                    let params = anc.field("parameters");
                    let found = params
                        .into_iter()
                        .flat_map(|p| p.named_children().collect::<Vec<_>>())
                        .find(|p| p.field_children("name").any(|n| n.text() == name.as_str()));
                    if let Some(p) = found {
                        return p.field("type").is_some_and(|t| data_type(&t));
                    }
                }
                if matches!(&*anc.kind(), "block" | "statement_list") {
                    for st in anc.children() {
                        if st.range().start >= expr.range().start {
                            break;
                        }
                        let declared = match &*st.kind() {
                            "var_declaration" => st
                                .dfs()
                                .find(|v| {
                                    v.kind() == "var_spec"
                                        && v.field_children("name")
                                            .any(|n| n.text() == name.as_str())
                                })
                                .and_then(|v| v.field("type"))
                                .is_some_and(|t| data_type(&t)),
                            "short_var_declaration" => {
                                let names = st
                                    .field("left")
                                    .map(|l| l.text().to_string())
                                    .unwrap_or_default();
                                names.split(',').any(|n| n.trim() == name)
                                    && st
                                        .field("right")
                                        .and_then(|r| r.named_children().next())
                                        .is_some_and(|v| match &*v.kind() {
                                            "composite_literal" => true,
                                            "call_expression" => {
                                                v.field("function")
                                                    .is_some_and(|f| f.text() == "make")
                                                    && v.field("arguments")
                                                        .and_then(|a| a.named_children().next())
                                                        .is_some_and(|t| data_type(&t))
                                            }
                                            _ => false,
                                        })
                            }
                            _ => false,
                        };
                        if declared {
                            return true;
                        }
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// Nodes at which a goroutine may be preempted before Go 1.14 (or that
/// block): calls other than pure built-ins and basic conversions, channel
/// operations, `select`, allocations by literal, `go` and `defer`.
fn is_preemption_point(n: &GoNode<'_>) -> bool {
    match &*n.kind() {
        "call_expression" => !n.field("function").is_some_and(|f| {
            f.kind() == "identifier"
                && matches!(
                    &*f.text(),
                    "len"
                        | "cap"
                        | "int"
                        | "int8"
                        | "int16"
                        | "int32"
                        | "int64"
                        | "uint"
                        | "uint8"
                        | "uint16"
                        | "uint32"
                        | "uint64"
                        | "uintptr"
                        | "byte"
                        | "rune"
                        | "float32"
                        | "float64"
                        | "bool"
                )
        }),
        "send_statement" | "select_statement" | "composite_literal" | "func_literal"
        | "go_statement" | "defer_statement" => true,
        "unary_expression" => is_receive(n),
        _ => false,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Write {
    /// Only stepped: `i++`, `i--`, `i += 1`.
    Counter,
    Other,
}

/// The variables `scope` writes (by their leftmost name: `s.n` is `s`),
/// and how.
fn writes(scope: &GoNode<'_>) -> HashMap<String, Write> {
    let mut out: HashMap<String, Write> = HashMap::new();
    let mut note = |target: &GoNode<'_>, how: Write| {
        let Some(root) = target.dfs().find(|n| n.kind() == "identifier") else {
            return;
        };
        let entry = out.entry(root.text().to_string()).or_insert(how);
        if how == Write::Other {
            *entry = Write::Other;
        }
    };
    for n in scope.dfs() {
        match &*n.kind() {
            "inc_statement" | "dec_statement" => {
                if let Some(t) = n.named_children().next() {
                    note(&t, Write::Counter);
                }
            }
            "assignment_statement" | "short_var_declaration" => {
                let op = n.field("operator").map(|o| o.text().to_string());
                let step = matches!(op.as_deref(), Some("+=" | "-="))
                    && n.field("right").is_some_and(|r| {
                        r.named_children()
                            .all(|v| matches!(&*v.kind(), "int_literal" | "identifier"))
                    });
                let how = if step { Write::Counter } else { Write::Other };
                if let Some(left) = n.field("left") {
                    for t in left.named_children() {
                        note(&t, how);
                    }
                }
            }
            "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "&") => {
                if let Some(t) = n.field("operand") {
                    note(&t, Write::Other);
                }
            }
            _ => {}
        }
    }
    out
}

/// The conditions of the `if` statements that lead out of an endless loop
/// (`break`, `return`, `goto`). `None` when a way out is not guarded by an
/// `if` we can read (the loop then ends in a way we do not follow).
fn exit_conditions<'r>(body: &GoNode<'r>) -> Option<Vec<GoNode<'r>>> {
    let mut out = Vec::new();
    for n in body.dfs() {
        if !matches!(
            &*n.kind(),
            "break_statement" | "return_statement" | "goto_statement"
        ) {
            continue;
        }
        let guard = n
            .ancestors()
            .take_while(|a| a.range() != body.range())
            .find(|a| a.kind() == "if_statement")?;
        out.push(guard.field("condition")?);
    }
    Some(out)
}

/// Whether `expr` names nothing but the loop's own variables (`written`),
/// constants spelled out, and lengths or capacities: `i < 64`, `i > 0`,
/// `j < len(xs)`. `x < n` depends on an `n` set elsewhere.
fn has_known_bound(expr: &GoNode<'_>, written: &HashMap<String, Write>) -> bool {
    expr.dfs().all(|n| {
        n.kind() != "identifier"
            || written.contains_key(&*n.text())
            || n.ancestors().any(|a| {
                a.kind() == "call_expression"
                    && a.field("function")
                        .is_some_and(|f| matches!(&*f.text(), "len" | "cap"))
            })
            || n.parent().is_some_and(|p| {
                p.kind() == "call_expression"
                    && p.field("function").is_some_and(|f| f.range() == n.range())
            })
    })
}

/// Whether `cond` compares with a numeric literal of at least a million.
fn has_big_literal(cond: &GoNode<'_>) -> bool {
    cond.dfs().any(|n| {
        matches!(&*n.kind(), "int_literal" | "float_literal")
            && n.text()
                .replace('_', "")
                .parse::<f64>()
                .is_ok_and(|v| v >= 1e6)
    })
}
