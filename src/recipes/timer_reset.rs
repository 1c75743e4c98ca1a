//! `timer-reset`: replace `case <-time.After(d):` in a loop's `select` with
//! one timer made before the loop and reset before each `select`.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_start, reindent, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{declared_names, enclosing_function, fresh_name_avoiding, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::{enclosing_loop, is_receive};

pub struct TimerReset;

/// The `case` of a `select` that receives from `call` (`case <-call:` or
/// `case v := <-call:`).
fn receiving_case<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let recv = call.parent().filter(|p| is_receive(p))?;
    let mut up = recv.parent()?;
    if up.kind() == "receive_statement" {
        // The receive must be the value, not the left-hand side.
        if up.field("left").is_some_and(|l| l.range() == recv.range()) {
            return None;
        }
        up = up.parent()?;
    }
    (up.kind() == "communication_case").then_some(up)
}

/// The single argument of `time.After(d)`.
fn duration<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let args = call.field("arguments")?;
    let mut named = args.named_children().filter(|a| a.kind() != "comment");
    let d = named.next()?;
    named.next().is_none().then_some(d)
}

/// Every name declared anywhere in the loop, its header included.
fn names_declared_in(lp: &GoNode<'_>) -> HashSet<String> {
    let mut out = Vec::new();
    for n in lp.dfs() {
        declared_names(&n, &mut out);
    }
    out.into_iter().collect()
}

/// Calls a duration may contain without side effects: conversions to
/// numeric types and the pure built-ins.
const PURE_FUNCTIONS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "len", "cap", "min", "max",
];

/// Why the duration of this `time.After` keeps it from being hoisted, if it does.
fn duration_problem(file: &FileContext<'_>, d: &GoNode<'_>, lp: &GoNode<'_>) -> Option<String> {
    let inside = names_declared_in(lp);
    if let Some(name) = d
        .dfs()
        .filter(|n| n.kind() == "identifier")
        .map(|n| n.text().to_string())
        .find(|n| inside.contains(n))
    {
        return Some(format!(
            "the duration uses `{name}`, declared inside the loop, so it cannot be computed before it"
        ));
    }
    let impure = d.dfs().any(|n| match &*n.kind() {
        "call_expression" => !n.field("function").is_some_and(|f| {
            (f.kind() == "identifier" && PURE_FUNCTIONS.contains(&&*f.text()))
                || file.is_pkg_member(&f, "time", "Duration")
        }),
        "unary_expression" => is_receive(&n),
        _ => false,
    });
    if impure {
        return Some(
            "the duration is computed by a call, which the timer made before the loop would run once more"
                .into(),
        );
    }
    None
}

/// The statement a `for` or `select` stands in: its label, if it has one.
fn labelled<'r>(stmt: &GoNode<'r>) -> GoNode<'r> {
    stmt.parent()
        .filter(|p| p.kind() == "labeled_statement")
        .unwrap_or_else(|| stmt.clone())
}

/// Where to insert lines before `stmt`: the start of its line, or of the
/// comment lines right above it (they describe it and stay with it).
fn insertion_point(src: &str, stmt: &GoNode<'_>) -> usize {
    let mut at = line_start(src, labelled(stmt).range().start);
    while at > 0 {
        let prev = line_start(src, at - 1);
        if src[prev..at].trim_start().starts_with("//") {
            at = prev;
        } else {
            break;
        }
    }
    at
}

/// Whether `node` starts its line (after a label line, for a labelled statement).
fn starts_line(src: &str, node: &GoNode<'_>) -> bool {
    let s = node.range().start;
    src[line_start(src, s)..s].trim().is_empty()
}

/// The statements of a `case` or `default` clause.
fn clause_statements<'r>(clause: &GoNode<'r>) -> Vec<GoNode<'r>> {
    clause
        .children()
        .find(|c| c.kind() == "statement_list")
        .map(|l| {
            l.named_children()
                .filter(|s| s.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// The label of a labelled statement around `stmt`, if any.
fn label_of(stmt: &GoNode<'_>) -> Option<String> {
    stmt.parent()
        .filter(|p| p.kind() == "labeled_statement")
        .and_then(|p| p.field("label"))
        .map(|l| l.text().to_string())
}

/// Whether the clause of `select` ends by leaving the loop around it:
/// `return`, `goto`, a labelled `break` or `continue` that does not target
/// the select (or, for `continue`, this loop), `panic`, `os.Exit`,
/// `log.Fatal*`/`log.Panic*`. A plain `break` only leaves the select.
fn leaves_loop(
    file: &FileContext<'_>,
    clause: &GoNode<'_>,
    select: &GoNode<'_>,
    lp: &GoNode<'_>,
) -> bool {
    let Some(last) = clause_statements(clause).pop() else {
        return false;
    };
    let label = |n: &GoNode<'_>| {
        n.named_children()
            .find(|c| c.kind() == "label_name")
            .map(|l| l.text().to_string())
    };
    match &*last.kind() {
        "return_statement" | "goto_statement" => true,
        "break_statement" => label(&last).is_some_and(|l| Some(l) != label_of(select)),
        "continue_statement" => label(&last).is_some_and(|l| Some(l) != label_of(lp)),
        "expression_statement" => last.named_children().next().is_some_and(|c| {
            c.kind() == "call_expression"
                && (c
                    .field("function")
                    .is_some_and(|f| f.kind() == "identifier" && f.text() == "panic")
                    || file.is_pkg_call(&c, "os", "Exit")
                    || ["Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"]
                        .iter()
                        .any(|m| file.is_pkg_call(&c, "log", m)))
        }),
        _ => false,
    }
}

/// The `time.After` call a clause receives from, if it is a timer case.
fn after_of<'r>(file: &FileContext<'_>, clause: &GoNode<'r>) -> Option<GoNode<'r>> {
    clause.dfs().find(|n| {
        file.is_pkg_call(n, "time", "After")
            && receiving_case(n).is_some_and(|rc| rc.range() == clause.range())
    })
}

/// Whether a timer case only sends the loop round again: an empty body, or
/// a bare `continue`.
fn only_continues(clause: &GoNode<'_>) -> bool {
    match clause_statements(clause).as_slice() {
        [] => true,
        [s] => s.kind() == "continue_statement" && s.named_children().next().is_none(),
        _ => false,
    }
}

/// What to do with a select in a loop, before looking at its timer cases.
enum SelectVerdict {
    /// Nothing is abandoned per pass: no finding.
    Fine,
    /// A finding without a rewrite, and why.
    Report(String),
    /// The timer cases may be hoisted.
    Hoist,
}

fn select_verdict(file: &FileContext<'_>, select: &GoNode<'_>, lp: &GoNode<'_>) -> SelectVerdict {
    let src = file.source;
    let clauses: Vec<GoNode<'_>> = select
        .children()
        .filter(|c| matches!(&*c.kind(), "communication_case" | "default_case"))
        .collect();
    let leaves = |c: &GoNode<'_>| leaves_loop(file, c, select, lp);
    // T4: every clause leaves the loop, so the select runs at most once per
    // loop and makes one timer at most.
    if clauses.iter().all(leaves) {
        return SelectVerdict::Fine;
    }
    // T2: every clause but the timers leaves the loop (a done channel, a
    // context): the loop only goes round when a timer fired, so none is
    // abandoned before the loop ends. A periodic or back-off wait.
    if clauses
        .iter()
        .all(|c| after_of(file, c).is_some() || leaves(c))
    {
        return SelectVerdict::Fine;
    }
    if enclosing_loop(lp).is_some() {
        return SelectVerdict::Report(
            "the loop sits inside another loop: a timer with a deferred Stop per outer pass would pile up until the function returns".into(),
        );
    }
    let uses_goto =
        enclosing_function(lp).is_some_and(|f| f.dfs().any(|n| n.kind() == "goto_statement"));
    if uses_goto {
        return SelectVerdict::Report(
            "the function uses goto, which could jump over the new timer variable".into(),
        );
    }
    let in_block = |n: &GoNode<'_>| {
        labelled(n)
            .parent()
            .is_some_and(|p| p.kind() == "statement_list")
    };
    if !in_block(lp) || !in_block(select) || !starts_line(src, lp) || !starts_line(src, select) {
        return SelectVerdict::Report(
            "the loop or the select shares its line with other code; split it first".into(),
        );
    }
    // T3: the select is reached only on a retry path.
    let body = lp.field("body");
    let list = labelled(select).parent();
    let directly_in_body = list
        .as_ref()
        .and_then(|l| l.parent())
        .zip(body.as_ref())
        .is_some_and(|(b, body)| b.range() == body.range());
    if !directly_in_body {
        return SelectVerdict::Report(
            "the select is inside a conditional block of the loop, a retry path: a timer made before the loop would be paid for by every call, also the ones that never wait; decide whether that is worth it".into(),
        );
    }
    let at = labelled(select).range().start;
    let early_return = list.iter().flat_map(|l| l.named_children()).any(|s| {
        s.range().end <= at
            && s.kind() == "if_statement"
            && s.field("consequence").is_some_and(|b| {
                b.children()
                    .find(|c| c.kind() == "statement_list")
                    .and_then(|l| l.named_children().filter(|c| c.kind() != "comment").last())
                    .is_some_and(|last| last.kind() == "return_statement")
            })
    });
    if early_return {
        return SelectVerdict::Report(
            "the select is reached only when an earlier step of the pass did not return, a retry path: a timer made before the loop would be paid for by the passes that return first; decide whether that is worth it".into(),
        );
    }
    SelectVerdict::Hoist
}

/// Why this timer case is not hoisted, if it is not.
fn case_problem(
    file: &FileContext<'_>,
    clause: &GoNode<'_>,
    d: &GoNode<'_>,
    lp: &GoNode<'_>,
) -> Option<String> {
    if let Some(why) = duration_problem(file, d, lp) {
        return Some(why);
    }
    if only_continues(clause) {
        return Some(
            "the timer case only sends the loop round again: the timer is the loop's regular wake-up (polling or back-off), and a timer left behind lives only until it fires; decide whether reusing one is worth it".into(),
        );
    }
    None
}

/// The timer cases of `select` that the fix would hoist, in source order,
/// with their durations.
fn plan<'r>(file: &FileContext<'_>, select: &GoNode<'r>) -> Vec<(GoNode<'r>, GoNode<'r>)> {
    let Some(lp) = enclosing_loop(select) else {
        return Vec::new();
    };
    if !matches!(select_verdict(file, select, &lp), SelectVerdict::Hoist) {
        return Vec::new();
    }
    select
        .children()
        .filter(|c| c.kind() == "communication_case")
        .filter_map(|c| {
            let after = after_of(file, &c)?;
            let d = duration(&after)?;
            case_problem(file, &c, &d, &lp)
                .is_none()
                .then_some((after, d))
        })
        .collect()
}

/// One `time.After` case of the select that the fix rewrites.
struct Hoisted<'r> {
    call: GoNode<'r>,
    duration: String,
    name: String,
}

impl RecipeLogic for TimerReset {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let src = file.source;
        if !file.is_pkg_call(&call, "time", "After") {
            return None;
        }
        let case = receiving_case(&call)?;
        let select = case.parent().filter(|p| p.kind() == "select_statement")?;
        let lp = enclosing_loop(&select)?;
        match select_verdict(file, &select, &lp) {
            SelectVerdict::Fine => return None,
            SelectVerdict::Report(why) => return Some(cx.report(&why)),
            SelectVerdict::Hoist => {}
        }
        let d = duration(&call)?;
        if let Some(why) = case_problem(file, &case, &d, &lp) {
            return Some(cx.report(&why));
        }

        // Names: the timers of the selects before this one in the same
        // declaration are planned first, in source order, so two loops of
        // one function do not both declare `timer`. Each time.After case of
        // this select that can be hoisted gets its own timer, in one fix, so
        // the names and resets stay together.
        let mut taken = HashSet::new();
        if let Some(top) = top_level(&select) {
            for earlier in top.dfs().filter(|n| {
                n.kind() == "select_statement" && n.range().start < select.range().start
            }) {
                for (after, _) in plan(file, &earlier) {
                    taken.insert(fresh_name_avoiding(&after, "timer", &taken));
                }
            }
        }
        let mut hoisted = Vec::new();
        for (after, d) in plan(file, &select) {
            let name = fresh_name_avoiding(&select, "timer", &taken);
            taken.insert(name.clone());
            hoisted.push(Hoisted {
                duration: d.text().to_string(),
                call: after,
                name,
            });
        }
        if !hoisted.iter().any(|h| h.call.range() == call.range()) {
            return None;
        }

        let q = file.qualifier("time");
        let loop_indent = indent_at(src, lp.range().start).to_string();
        let select_indent = indent_at(src, select.range().start).to_string();
        let mut before_loop = String::new();
        let mut before_select = String::new();
        let mut edits = Vec::new();
        for h in &hoisted {
            let from = indent_at(src, h.call.range().start).to_string();
            let at_loop = reindent(&h.duration, &from, &loop_indent);
            let at_select = reindent(&h.duration, &from, &select_indent);
            let (n, li, si) = (&h.name, &loop_indent, &select_indent);
            before_loop.push_str(&format!(
                "{li}{n} := {q}NewTimer({at_loop})\n{li}defer {n}.Stop()\n"
            ));
            // Before Go 1.23 (the only versions the recipe runs at), a
            // timer that may have fired is stopped and drained before Reset.
            before_select.push_str(&format!(
                "{si}if !{n}.Stop() {{\n{si}\tselect {{\n{si}\tcase <-{n}.C:\n{si}\tdefault:\n{si}\t}}\n{si}}}\n"
            ));
            before_select.push_str(&format!("{si}{n}.Reset({at_select})\n"));
            edits.push(TextEdit::replace(h.call.range(), format!("{n}.C")));
        }
        edits.push(TextEdit::insert(insertion_point(src, &lp), before_loop));
        edits.push(TextEdit::insert(
            insertion_point(src, &select),
            before_select,
        ));
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}
