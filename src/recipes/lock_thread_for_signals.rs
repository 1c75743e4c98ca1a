//! `lock-thread-for-signals`: report `runtime.LockOSThread` used for things
//! it does not do: making `signal.Notify` work, or pinning goroutines that
//! the locked one starts; and `go f()` where `f` only sets per-thread state.

use crate::engine::golang::GoNode;
use crate::engine::scope::enclosing_function;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};
use crate::recipes::util::own_calls;

pub struct LockThreadForSignals;

use super::goroutines::started_call;
/// System-call packages.
use super::util::SYSCALL_PKGS;

/// Wrappers whose effect or result is tied to the calling thread.
const THREAD_CALLS: &[&str] = &["Gettid", "Unshare", "Setns", "PthreadSigmask", "Prctl"];

/// Wrappers that only change per-thread state (a goroutine doing nothing
/// else leaves that state on a random thread).
const THREAD_SETTERS: &[&str] = &["Unshare", "Setns", "PthreadSigmask", "Prctl"];

/// Words in a C function's name that point at per-thread state.
const C_THREAD_WORDS: &[&str] = &[
    "mask", "sig", "thread", "tls", "affinity", "setns", "unshare", "prctl", "sched", "priority",
    "locale",
];

/// Raw entry points, and the numbers of thread-scoped system calls.
const THREAD_NUMBERS: &[&str] = &[
    "SYS_GETTID",
    "SYS_UNSHARE",
    "SYS_SETNS",
    "SYS_RT_SIGPROCMASK",
    "SYS_PRCTL",
];

impl RecipeLogic for LockThreadForSignals {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let node = cx.node();
        if node.kind() == "go_statement" {
            return go_thread_setter(cx, &node);
        }
        let file = cx.file;
        if !file.is_pkg_call(&node, "runtime", "LockOSThread") {
            return None;
        }
        let func = enclosing_function(&node)?;
        let calls = own_calls(&func);
        let notify = calls.iter().find(|c| {
            file.is_pkg_call(c, "os/signal", "Notify")
                || file.is_pkg_call(c, "os/signal", "NotifyContext")
        });
        if let Some(notify) = notify {
            // Thread-bound work of its own would explain the lock.
            if calls.iter().any(|c| thread_bound(file, c)) {
                return None;
            }
            return Some(cx.report(&format!(
                "`{}` delivers to its channel whatever thread takes the signal; the lock only keeps a thread idle (remove it, or say what it is really for)",
                callee(notify)
            )));
        }
        // A goroutine started after the lock that expects the locked thread.
        let at = node.range().end;
        let go = func.field("body")?.dfs().find(|n| {
            n.kind() == "go_statement"
                && n.range().start > at
                && enclosing_function(n).is_some_and(|f| f.range() == func.range())
                && goroutine_needs_thread(file, n)
        })?;
        Some(cx.report_at(
            go.range(),
            "this goroutine does not inherit the caller's LockOSThread and runs on any thread; lock inside the goroutine if its work must stay on one thread",
        ))
    }
}

/// `go f(...)` where `f` only sets per-thread state: a C function, or a
/// thread-scoped system call.
fn go_thread_setter(cx: &MatchContext<'_, '_>, go: &GoNode<'_>) -> Option<Finding> {
    let file = cx.file;
    let call = started_call(go)?;
    let f = call.field("function")?;
    let is_c = file.imports.has("C")
        && f.kind() == "selector_expression"
        && f.field("operand")
            .is_some_and(|o| o.kind() == "identifier" && o.text() == "C")
        && f.field("field").is_some_and(|n| {
            let name = n.text().to_lowercase();
            C_THREAD_WORDS.iter().any(|w| name.contains(w))
        });
    let setter = SYSCALL_PKGS
        .iter()
        .any(|p| THREAD_SETTERS.iter().any(|s| file.is_pkg_call(&call, p, s)))
        || raw_thread_call(file, &call);
    if !is_c && !setter {
        return None;
    }
    Some(cx.report(&format!(
        "`{}` runs on a fresh goroutine that exits right after: the thread state it sets stays on an arbitrary thread; call it from the goroutine that needs it, after LockOSThread",
        callee(&call)
    )))
}

/// The called function's text (`signal.Notify`).
fn callee(call: &GoNode<'_>) -> String {
    call.field("function")
        .map(|f| f.text().to_string())
        .unwrap_or_default()
}

/// A raw system call whose number is thread-scoped.
fn raw_thread_call(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    super::util::raw_syscall_of(file, call, THREAD_NUMBERS)
}

/// Whether `call` depends on or changes the calling thread.
fn thread_bound(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    let is_c = file.imports.has("C")
        && call.field("function").is_some_and(|f| {
            f.kind() == "selector_expression"
                && f.field("operand")
                    .is_some_and(|o| o.kind() == "identifier" && o.text() == "C")
        });
    is_c || SYSCALL_PKGS
        .iter()
        .any(|p| THREAD_CALLS.iter().any(|s| file.is_pkg_call(call, p, s)))
        || raw_thread_call(file, call)
}

/// Whether a `go` statement starts a literal that does thread-bound work
/// without locking its own thread.
fn goroutine_needs_thread(file: &FileContext<'_>, go: &GoNode<'_>) -> bool {
    let Some(lit) = started_call(go)
        .and_then(|c| c.field("function"))
        .filter(|f| f.kind() == "func_literal")
    else {
        return false;
    };
    let calls = own_calls(&lit);
    !calls
        .iter()
        .any(|c| file.is_pkg_call(c, "runtime", "LockOSThread"))
        && calls.iter().any(|c| thread_bound(file, c))
}
