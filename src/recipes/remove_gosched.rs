//! `remove-gosched`: drop `runtime.Gosched()` calls sprinkled for fairness.

use crate::engine::golang::GoNode;
use crate::engine::scope::is_function;
use crate::engine::{Finding, Fix, MatchContext, RecipeLogic};

use super::intent;
use super::util::{
    block_owner, call_statement, dot_import_blocks_removal, enclosing_loop, loop_of, method_call,
    next_statement, once_flag, prev_statement, remove_call_statement_cleanly, sibling_statements,
    switch_guard,
};

/// Words that name what the call does, for reading its comments.
const SUBJECT: &[&str] = &[
    "yield",
    "yields",
    "yielding",
    "gosched",
    "schedule",
    "scheduler",
    "scheduling",
    "processor",
];

pub struct RemoveGosched;

impl RecipeLogic for RemoveGosched {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let Some(stmt) = call_statement(&call) else {
            return Some(cx.report("it is not a statement of its own"));
        };
        if stmt.kind() != "expression_statement" {
            return Some(cx.report("it is deferred or started as a goroutine"));
        }
        if !file.go_version.at_least(1, 14) {
            return Some(cx.report(&format!(
                "the module targets Go {}, before asynchronous preemption (1.14): a tight loop may need the yield",
                file.go_version
            )));
        }
        if intent::externally_linked(file, &call) {
            return Some(cx.report(
                "its function is exported to C or linked by name, so its callers are outside Go's view",
            ));
        }
        if stmt.parent().is_some_and(|p| p.kind() == "for_clause") {
            return Some(cx.report(
                "it is the loop's update step: every retry yields, a spin-wait back-off that needs a blocking wait, not removal",
            ));
        }
        let siblings = sibling_statements(&stmt);
        let alone = siblings.len() == 1;
        if let Some(lp) =
            loop_of(&stmt).or_else(|| call.ancestors().find(|a| a.kind() == "for_statement"))
        {
            let spins_on_trylock = lp.dfs().any(|n| {
                n.kind() == "call_expression"
                    && n.field("function").is_some_and(|f| {
                        f.kind() == "selector_expression"
                            && f.field("field").is_some_and(|x| x.text() == "TryLock")
                    })
            });
            if spins_on_trylock {
                return Some(cx.report(
                    "it spins on TryLock: waiting with Lock, or fixing the lock order, is the real fix (see the trylock-spin finding)",
                ));
            }
        }
        if alone && loop_of(&stmt).is_some() {
            return Some(cx.report("it is the whole body of a loop: a spin-wait that needs a blocking wait (channel, sync.Cond), not removal"));
        }
        // `for cond { if i%1000 == 0 { runtime.Gosched() } }`: the yield is
        // all the loop does, behind a throttle; removing it leaves a hot spin.
        let guarded_alone_in_loop = alone
            && block_owner(&stmt).is_some_and(|owner| {
                owner.kind() == "if_statement"
                    && owner.field("alternative").is_none()
                    && loop_of(&owner).is_some()
                    && sibling_statements(&owner).len() == 1
            });
        if guarded_alone_in_loop {
            return Some(cx.report(
                "the loop does nothing but yield now and then: a spin-wait that needs a blocking wait (channel, sync.Cond), not removal",
            ));
        }
        // `for { select { case ...: default: runtime.Gosched() } }`: a polling
        // loop whose only back-off is the yield.
        let polls_select = alone
            && stmt.parent().and_then(|l| l.parent()).is_some_and(|case| {
                case.kind() == "default_case"
                    && case.parent().is_some_and(|sel| {
                        sel.kind() == "select_statement"
                            && super::util::enclosing_loop(&sel).is_some()
                    })
            });
        if polls_select {
            return Some(cx.report(
                "it is the whole default case of a select in a loop: the yield is the loop's only back-off while it polls",
            ));
        }
        if loop_of(&stmt).is_some() && !alone && polls(&stmt, &siblings) {
            return Some(cx.report(
                "the loop only checks a condition and yields: a polling wait that needs a blocking wait (channel, sync.Cond), not removal",
            ));
        }
        if alone && block_owner(&stmt).is_some_and(|o| is_function(&o)) {
            return Some(cx.report("it is the whole body of a function that callers use to yield"));
        }
        let is_method = |s: &Option<_>, names: &[&str]| {
            s.as_ref()
                .and_then(method_call)
                .is_some_and(|(_, m): (String, String)| names.contains(&m.as_str()))
        };
        if is_method(&prev_statement(&stmt), &["Unlock", "RUnlock"])
            && is_method(&next_statement(&stmt), &["Lock", "RLock"])
        {
            return Some(
                cx.report("it hands the lock to waiting goroutines between an Unlock and a Lock"),
            );
        }
        if let Some(why) = intent::stated_reason_in_context(file, &stmt, SUBJECT, &[]) {
            return Some(cx.report(&why));
        }
        if let Some(flag) = once_flag(&stmt) {
            return Some(cx.report(&format!(
                "it yields at most once per round, behind the local flag `{flag}` that is reset when it does: a deliberate, cheap hand-off"
            )));
        }
        if let Some((_, switch)) = switch_guard(&stmt) {
            return Some(cx.report(&format!(
                "it is behind the switch `{switch}`, set elsewhere to choose this behaviour: a human should decide whether the switch should go"
            )));
        }
        if enclosing_loop(&stmt).is_none() {
            return Some(cx.report(
                "it is not in a loop: a single yield costs next to nothing, and it may order the start of other goroutines on purpose",
            ));
        }
        if let Some(why) = dot_import_blocks_removal(file, "runtime") {
            return Some(cx.report(&why));
        }
        match remove_call_statement_cleanly(file.source, &stmt, SUBJECT) {
            Ok(edits) => Some(cx.fix(Fix {
                edits,
                add_imports: Vec::new(),
            })),
            Err(why) => Some(cx.report(&why)),
        }
    }
}

/// Whether a loop body is a polling wait: besides the yield, it only holds
/// `if` statements (without `else`) that leave the loop. Removing the yield
/// would turn such a wait into a hot spin.
fn polls(stmt: &GoNode<'_>, siblings: &[GoNode<'_>]) -> bool {
    siblings
        .iter()
        .filter(|s| s.range() != stmt.range())
        .all(|s| {
            s.kind() == "if_statement"
                && s.field("alternative").is_none()
                && s.field("consequence").is_some_and(|block| {
                    block
                        .dfs()
                        .filter(|n| n.kind() == "statement_list")
                        .take(1)
                        .flat_map(|list| {
                            list.named_children()
                                .filter(|n| n.kind() != "comment")
                                .last()
                        })
                        .any(|last| leaves_loop(&last))
                })
        })
}

fn leaves_loop(stmt: &GoNode<'_>) -> bool {
    match &*stmt.kind() {
        "return_statement" | "break_statement" | "goto_statement" => true,
        "expression_statement" => stmt
            .named_children()
            .next()
            .and_then(|c| c.field("function"))
            .is_some_and(|f| {
                let t = f.text();
                t == "panic"
                    || t.ends_with(".Fatal")
                    || t.ends_with(".Fatalf")
                    || t.ends_with(".FailNow")
            }),
        _ => false,
    }
}
