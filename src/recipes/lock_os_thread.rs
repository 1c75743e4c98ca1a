//! `lock-os-thread`: `runtime.LockOSThread()` gets `defer
//! runtime.UnlockOSThread()` right after it, and unlocks that are not
//! deferred (missing on some paths, or made before the thread-bound work is
//! done) are removed.

use crate::engine::edit::{indent_at, line_end, owns_lines, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::package::Callee;
use crate::engine::scope::{enclosing_function, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::exits::{
    body_statements, insert_among, own_statements, remove_inline_or_line, ExitPaths,
};
use super::util::call_statement;

pub struct LockOsThread;

/// Words in names that point at per-thread state which must die with the
/// thread (Linux namespaces): unlocking would return a tainted thread to the
/// scheduler.
const THREAD_STATE: &[&str] = &[
    "setns",
    "unshare",
    "netns",
    "clone_new",
    "namespace",
    "setuid",
    "setgid",
    "setresuid",
    "setresgid",
    "setgroups",
    "seccomp",
    "prctl",
];

/// Comment wording that says the goroutine is meant to end locked, so that
/// its thread is thrown away ("document it", as the usual advice goes).
const DELIBERATE_UNLOCK: &[&str] = &[
    "omit",
    "deliberate",
    "on purpose",
    "intentional",
    "without unlock",
];
const THREAD_DEATH: &[&str] = &[
    "die",
    "terminat",
    "destroy",
    "kill",
    "taint",
    "be reused",
    "not reused",
];

/// Words in the names of calls (function, method or package) that suggest
/// the call changes the calling thread itself: scheduling attributes, core
/// scheduling, CPU affinity, priority, credentials, namespaces, the signal
/// mask.
const THREAD_STATE_CALLS: &[&str] = &[
    "sched",
    "prctl",
    "setns",
    "unshare",
    "credential",
    "affinity",
    "priority",
    "sigmask",
    "sigprocmask",
    "signalmask",
    "setuid",
    "setgid",
    "setres",
    "setgroups",
    "capset",
    "seccomp",
    "namespace",
    "netns",
    "userns",
    "mntns",
];

/// The words of an identifier or path: split at `.`, `/`, `_` and at
/// lower-to-upper case changes, lower-cased.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a call's name suggests it changes per-thread state.
fn names_thread_state(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    THREAD_STATE_CALLS.iter().any(|w| lower.contains(w))
        || words(name)
            .iter()
            .any(|w| matches!(w.as_str(), "ns" | "cred" | "creds" | "nice"))
}

/// A call made after the lock that cannot be looked into (imported, or
/// not resolved in the package), directly or through a same-package helper,
/// and whose name suggests that it changes the thread itself (TRUST.md L2):
/// the call as the message shows it, in backquotes.
fn unresolved_thread_call<'r>(
    file: &FileContext<'r>,
    body: &GoNode<'r>,
    after: usize,
) -> Option<String> {
    for call in body
        .dfs()
        .filter(|n| n.kind() == "call_expression" && n.range().start >= after)
    {
        let spelled = call
            .field("function")
            .map(|f| f.text().to_string())
            .unwrap_or_default();
        match file.resolve_call(&call) {
            Callee::Builtin(_) => {}
            Callee::Imported(path, name) => {
                if path == "runtime" {
                    continue;
                }
                let pkg = path.rsplit('/').next().unwrap_or(&path);
                if names_thread_state(pkg) || names_thread_state(&name) {
                    return Some(format!("`{spelled}`"));
                }
            }
            Callee::Unknown(_) => {
                if names_thread_state(&spelled) {
                    return Some(format!("`{spelled}`"));
                }
            }
            Callee::Declared(d) => {
                let reach = file.reachable(&d, 1);
                let imported = reach.imported.iter().find(|(path, name)| {
                    let pkg = path.rsplit('/').next().unwrap_or(path);
                    path != "runtime" && (names_thread_state(pkg) || names_thread_state(name))
                });
                if let Some((path, name)) = imported {
                    let pkg = path.rsplit('/').next().unwrap_or(path);
                    return Some(format!("`{pkg}.{name}` (called by `{spelled}`)"));
                }
                if let Some(name) = reach.unknown.iter().find(|n| names_thread_state(n)) {
                    return Some(format!("`{name}` (called by `{spelled}`)"));
                }
            }
        }
    }
    None
}

/// Whether `func` is the literal of a `go` statement.
fn is_goroutine_literal(func: &GoNode<'_>) -> bool {
    func.kind() == "func_literal"
        && func
            .parent()
            .filter(|c| c.kind() == "call_expression")
            .and_then(|c| c.parent())
            .is_some_and(|g| g.kind() == "go_statement")
}

impl RecipeLogic for LockOsThread {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let stmt = call_statement(&call).filter(|s| s.kind() == "expression_statement")?;
        let func = enclosing_function(&call)?;
        let body = func.field("body")?;
        let src = file.source;
        let own: Vec<GoNode<'_>> = own_statements(&body).collect();
        let deferred = own.iter().any(|s| {
            s.kind() == "defer_statement"
                && s.dfs()
                    .any(|n| file.is_pkg_call(&n, "runtime", "UnlockOSThread"))
        });
        let unlocks: Vec<GoNode<'_>> = own
            .iter()
            .filter(|s| is_call_stmt(file, s, "UnlockOSThread"))
            .cloned()
            .collect();
        if deferred && unlocks.is_empty() {
            return None;
        }
        // The unlock handed to someone else: `runtime.UnlockOSThread` as a
        // value (returned, stored), or called from a function literal that
        // is not deferred here. The thread is meant to stay locked after
        // this function returns, until that someone unlocks it.
        let handed_out = body.dfs().any(|n| {
            if !file.is_pkg_member(&n, "runtime", "UnlockOSThread") {
                return false;
            }
            let called = n.parent().is_some_and(|p| {
                p.kind() == "call_expression"
                    && p.field("function").is_some_and(|f| f.range() == n.range())
            });
            if !called {
                return true;
            }
            let lit = n
                .ancestors()
                .take_while(|a| a.range() != body.range())
                .find(|a| a.kind() == "func_literal");
            lit.is_some_and(|l| {
                l.parent()
                    .is_none_or(|c| c.parent().is_none_or(|d| d.kind() != "defer_statement"))
            })
        });
        if handed_out {
            return Some(cx.report(
                "the unlock is handed to the caller (returned, or kept in a function value), so the thread stays locked past this function on purpose",
            ));
        }
        let locks = own
            .iter()
            .filter(|s| is_call_stmt(file, s, "LockOSThread"))
            .count();
        if locks > 1 {
            return Some(
                cx.report("the function locks more than once; each lock needs its own unlock"),
            );
        }
        let top = body_statements(&body);
        let at_top = top.iter().position(|s| s.range() == stmt.range());
        let mut paths = None;
        if let Some(pos) = at_top {
            match top.get(pos + 1) {
                // Locked and released at once: nothing ran while pinned, so
                // nothing after the pair is known to need the thread.
                Some(next) if is_call_stmt(file, next, "UnlockOSThread") && !deferred => {
                    return None
                }
                _ => {}
            }
        }
        if let (Some(pos), false) = (at_top, deferred) {
            let is_unlock = |s: &GoNode<'_>| is_call_stmt(file, s, "UnlockOSThread");
            let p = ExitPaths::walk(file, &top[pos + 1..], &is_unlock);
            if p.unsupported.is_none() && p.markers.len() == 1 && !p.missed_exit && !p.work_after {
                // One unlock that every way out passes, after all the work.
                return None;
            }
            paths = Some(p);
        }

        if func.kind() == "function_declaration" {
            let name = func.field("name").map(|n| n.text().to_string());
            match name.as_deref() {
                Some("init") => {
                    return Some(cx.report(
                        "`init` pins the main goroutine to the main thread, which is deliberate",
                    ))
                }
                Some("main") if file.package_name() == "main" => {
                    return Some(cx.report(
                        "`main` pins the main goroutine to the main thread, which is deliberate",
                    ))
                }
                _ => {}
            }
        }
        let nested_unlock = body.dfs().any(|n| {
            n.kind() == "call_expression"
                && file.is_pkg_call(&n, "runtime", "UnlockOSThread")
                && call_statement(&n).is_none_or(|s| s.kind() != "defer_statement")
                && enclosing_function(&n).is_some_and(|f| f.range() != func.range())
        });
        if changes_thread_state(&func)
            || helpers_after(file, &body, stmt.range().end)
                .iter()
                .any(helper_changes_thread_state)
        {
            return Some(cx.report(
                "the function changes per-thread state (namespaces, credentials, seccomp filters) that must die with the thread; unlocking would hand the tainted thread back to the scheduler",
            ));
        }
        if documents_thread_death(src, &call) {
            return Some(cx.report(
                "a comment says the goroutine is meant to end locked, so that its thread is thrown away",
            ));
        }
        // L1: a goroutine that locks its thread first thing and never
        // unlocks ends locked, so the runtime throws the thread away with it.
        if is_goroutine_literal(&func)
            && at_top == Some(0)
            && unlocks.is_empty()
            && !deferred
            && !nested_unlock
        {
            return Some(cx.report(
                "the goroutine locks its thread first thing and never unlocks it, so it ends locked and its thread is thrown away with it, which keeps whatever the goroutine did to the thread from reaching other code: decide whether that is the point before adding an unlock",
            ));
        }
        if at_top.is_some_and(|pos| pos + 1 == top.len()) {
            return Some(cx.report(
                "the lock is the last thing the function does: it pins its caller, or lets the goroutine end locked so that the runtime destroys the thread, on purpose",
            ));
        }
        if at_top.is_none() {
            return Some(cx.report(
                "the lock is inside a loop or a conditional block; the unlock has to follow the same structure",
            ));
        }
        if let Some(callee) = unresolved_thread_call(file, &body, stmt.range().end) {
            let what = if unlocks.is_empty() {
                "whether the goroutine may unlock at all"
            } else {
                "where the unlock belongs"
            };
            return Some(cx.report(&format!(
                "{callee} may change the thread itself (its name suggests thread state) and cannot be looked into: {what} depends on what it does"
            )));
        }
        if nested_unlock && !deferred {
            return Some(cx.report("a nested function literal unlocks the thread"));
        }
        if let Some(why) = paths.as_ref().and_then(|p| p.unsupported) {
            return Some(cx.report(why));
        }
        let removals: Vec<TextEdit> = unlocks
            .iter()
            .map(|u| remove_inline_or_line(src, u))
            .collect();
        if deferred {
            return Some(cx.fix(Fix {
                edits: removals,
                add_imports: Vec::new(),
            }));
        }
        let r = stmt.range();
        if !owns_lines(src, r.start, r.end) {
            return Some(cx.report("the lock shares its line with other statements"));
        }
        let indent = indent_at(src, r.start);
        let text = format!(
            "{indent}defer {}UnlockOSThread()\n",
            file.qualifier("runtime")
        );
        let edits = insert_among(removals, line_end(src, r.end), text);
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}

/// `runtime.<name>()` as an expression statement.
fn is_call_stmt(file: &FileContext<'_>, stmt: &GoNode<'_>, name: &str) -> bool {
    stmt.kind() == "expression_statement"
        && stmt
            .named_children()
            .next()
            .is_some_and(|c| file.is_pkg_call(&c, "runtime", name))
}

/// Whether a comment in the top-level declaration holding `node`, or its
/// doc comment, says that the unlock is left out on purpose or that the
/// thread is meant to die.
fn documents_thread_death(src: &str, node: &GoNode<'_>) -> bool {
    let Some(top) = top_level(node) else {
        return false;
    };
    let mut comments: Vec<std::ops::Range<usize>> = top
        .dfs()
        .filter(|n| n.kind() == "comment")
        .map(|n| n.range())
        .collect();
    comments.extend(
        top.prev_all()
            .take_while(|n| n.kind() == "comment")
            .map(|n| n.range()),
    );
    comments.sort_by_key(|r| r.start);
    // Comment lines that follow each other form one block of prose.
    let mut blocks: Vec<String> = Vec::new();
    let mut last_end = None;
    for r in comments {
        let joined = last_end.is_some_and(|e: usize| {
            e <= r.start
                && src[e..r.start].trim().is_empty()
                && src[e..r.start].matches('\n').count() <= 1
        });
        let text = src[r.clone()].to_lowercase();
        match blocks.last_mut() {
            Some(b) if joined => {
                b.push(' ');
                b.push_str(&text);
            }
            _ => blocks.push(text),
        }
        last_end = Some(r.end);
    }
    blocks.iter().any(|t| {
        (t.contains("unlock") && DELIBERATE_UNLOCK.iter().any(|w| t.contains(w)))
            || (t.contains("thread") && THREAD_DEATH.iter().any(|w| t.contains(w)))
    })
}

/// The declarations of the package that calls made after `after` in `body`
/// reach, two levels deep.
fn helpers_after<'r>(file: &FileContext<'r>, body: &GoNode<'r>, after: usize) -> Vec<GoNode<'r>> {
    let mut out: Vec<GoNode<'r>> = Vec::new();
    for call in body
        .dfs()
        .filter(|n| n.kind() == "call_expression" && n.range().start >= after)
    {
        if let Callee::Declared(d) = file.resolve_call(&call) {
            let mut found = vec![d.clone()];
            found.extend(file.reachable(&d, 1).bodies);
            for f in found {
                if !out
                    .iter()
                    .any(|o| o.range() == f.range() && o.text() == f.text())
                {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// [`changes_thread_state`] for a helper: the generic word "namespace" is
/// left out there, since packages use it for their own namespaces too.
fn helper_changes_thread_state(func: &GoNode<'_>) -> bool {
    func.dfs().any(|n| match &*n.kind() {
        "identifier" | "field_identifier" | "type_identifier" => {
            let t = n.text().to_ascii_lowercase();
            THREAD_STATE
                .iter()
                .filter(|w| **w != "namespace")
                .any(|w| t.contains(w))
        }
        "interpreted_string_literal" | "raw_string_literal" => n.text().contains("/ns/"),
        _ => false,
    })
}

/// Whether the function names anything that changes namespace state.
fn changes_thread_state(func: &GoNode<'_>) -> bool {
    func.dfs().any(|n| match &*n.kind() {
        "identifier" | "field_identifier" | "type_identifier" => {
            let t = n.text().to_ascii_lowercase();
            THREAD_STATE.iter().any(|w| t.contains(w))
        }
        "interpreted_string_literal" | "raw_string_literal" => n.text().contains("/ns/"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("schedcore.Create"), ["schedcore", "create"]);
        assert_eq!(words("EnterNS"), ["enter", "ns"]);
        assert_eq!(words("set_cpu_affinity"), ["set", "cpu", "affinity"]);
    }

    #[test]
    fn tells_thread_state_names() {
        for name in [
            "schedcore",
            "SchedSetaffinity",
            "Setpriority",
            "netns.Set",
            "h.ns.Enter",
            "setCreds",
            "PthreadSigmask",
        ] {
            assert!(names_thread_state(name), "{name}");
        }
        for name in [
            "Encode",
            "credits",
            "Instance",
            "transport.Dial",
            "ctx.Done",
        ] {
            assert!(!names_thread_state(name), "{name}");
        }
    }
}
