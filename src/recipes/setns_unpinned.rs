//! `setns-unpinned`: report namespace switches (`setns`, `unshare`) made on
//! whatever thread the goroutine happens to run on, and switches that are
//! followed by giving the thread back with `UnlockOSThread`.

use crate::engine::golang::GoNode;
use crate::engine::package::Callee;
use crate::engine::scope::enclosing_function;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};
use crate::recipes::util::own_calls;

pub struct SetnsUnpinned;

/// Packages with system-call wrappers.
use super::util::SYSCALL_PKGS;

/// Wrappers that switch namespaces directly.
const WRAPPERS: &[&str] = &["Setns", "Unshare"];

/// Raw system-call entry points and the numbers that switch namespaces.
const NUMBERS: &[&str] = &["SYS_SETNS", "SYS_UNSHARE"];

impl RecipeLogic for SetnsUnpinned {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let via = switch_of(file, &call, HELPER_DEPTH)?;
        let func = enclosing_function(&call)?;
        let name = function_name(&func);
        let through = match &via {
            Some(h) => format!(" when it calls `{h}`, which switches the namespace,"),
            None => ",".to_string(),
        };
        let at = call.range().start;
        if func.kind() == "func_literal" && !started_by_go(&func) {
            if func.parent().is_some_and(|p| p.kind() == "argument_list") {
                // A callback: the function it is handed to decides the thread.
                return None;
            }
            // Run by the goroutine that made it: the outer function's lock counts.
            if let Some(outer) = func.parent().and_then(|p| enclosing_function(&p)) {
                if locks_before(file, &outer, func.range().start) {
                    return None;
                }
            }
        }
        if !locks_before(file, &func, at) {
            if !name.is_empty() && callers_all_locked(file, &func, &name) {
                return None;
            }
            if has_package_callers(file, &func) {
                // A helper that relies on its callers: each call is judged
                // where it is made.
                return None;
            }
            return Some(cx.report(&format!(
                "{} does not hold runtime.LockOSThread here{through} so another goroutine may end up on the switched thread while this one moves on; lock first and let the goroutine end locked (or switch back before unlocking)",
                describe(&name)
            )));
        }
        let unlock = own_calls(&func)
            .into_iter()
            .find(|n| file.is_pkg_call(n, "runtime", "UnlockOSThread"))?;
        let switches = own_calls(&func)
            .into_iter()
            .filter(|n| switch_of(file, n, HELPER_DEPTH).is_some())
            .count();
        if switches > 1 {
            // It switches back before the thread is released.
            return None;
        }
        let how = if unlock
            .ancestors()
            .take_while(|a| a.range() != func.range())
            .any(|a| a.kind() == "defer_statement")
        {
            "the deferred UnlockOSThread"
        } else {
            "the UnlockOSThread"
        };
        let tail = if file.go_version.at_least(1, 10) {
            "the thread goes back to the scheduler in the new namespace as soon as the outermost lock is released; do not unlock (the runtime then discards the thread) or switch back first"
        } else {
            "before Go 1.10 locks do not nest, so it also releases a caller's lock; do not unlock here, or switch back first"
        };
        Some(cx.report(&format!(
            "{how} in {} undoes the pinning but not the switch: {tail}",
            describe(&name)
        )))
    }
}

fn describe(name: &str) -> String {
    if name.is_empty() {
        "this function literal".to_string()
    } else {
        format!("`{name}`")
    }
}

/// How many helpers deep a switch is followed from a call.
const HELPER_DEPTH: usize = 2;

/// Whether `call` switches namespaces: `Some(None)` when it is the system
/// call itself, `Some(Some(helper))` when it calls a function of the package
/// that switches without pinning the thread itself (up to `depth` helpers
/// deep).
fn switch_of<'r>(
    file: &FileContext<'r>,
    call: &GoNode<'r>,
    depth: usize,
) -> Option<Option<String>> {
    if call.kind() != "call_expression" {
        return None;
    }
    if is_ns_call(file, call) {
        return Some(None);
    }
    if depth == 0 {
        return None;
    }
    let Callee::Declared(helper) = file.resolve_call(call) else {
        return None;
    };
    helper.field("body")?;
    let calls = own_calls(&helper);
    if calls.iter().any(|c| is_lock_call(file, c)) {
        // It pins the thread itself: judged inside the helper.
        return None;
    }
    calls
        .iter()
        .any(|c| switch_of(file, c, depth - 1).is_some())
        .then(|| Some(function_name(&helper)))
}

/// Whether `call` switches namespaces: `unix.Setns(...)`, `syscall.Unshare(...)`
/// or a raw system call whose number is `SYS_SETNS`/`SYS_UNSHARE` or a
/// constant named for them (`sysSetns`, `SYS_UNSHARE` of the package). In
/// another file of the package, `syscall` and `unix` are taken as the
/// packages' usual names.
fn is_ns_call<'r>(file: &FileContext<'r>, call: &GoNode<'r>) -> bool {
    if SYSCALL_PKGS
        .iter()
        .any(|p| WRAPPERS.iter().any(|w| file.is_pkg_call(call, p, w)))
    {
        return true;
    }
    if super::util::raw_syscall_of(file, call, NUMBERS) {
        return true;
    }
    let Some(f) = call.field("function") else {
        return false;
    };
    let Some((pkg, member)) = f
        .field("operand")
        .filter(|o| o.kind() == "identifier")
        .zip(f.field("field"))
        .map(|(o, m)| (o.text().to_string(), m.text().to_string()))
    else {
        return false;
    };
    let known_pkg = !file.is_shadowed(&f, &pkg)
        && (pkg == "syscall"
            || pkg == "unix"
            || SYSCALL_PKGS
                .iter()
                .any(|p| file.imports.path_of(&pkg) == Some(p)));
    if !known_pkg {
        return false;
    }
    if WRAPPERS.contains(&member.as_str()) {
        return true;
    }
    const RAW: &[&str] = &["Syscall", "Syscall6", "RawSyscall", "RawSyscall6"];
    if !RAW.contains(&member.as_str()) {
        return false;
    }
    call.field("arguments")
        .and_then(|a| a.named_children().next())
        .is_some_and(|n| {
            let name = match &*n.kind() {
                "identifier" => n.text().to_string(),
                "selector_expression" => n
                    .field("field")
                    .map(|x| x.text().to_string())
                    .unwrap_or_default(),
                _ => return false,
            };
            let lower = name.to_ascii_lowercase();
            lower.contains("setns") || lower.contains("unshare")
        })
}

fn is_lock_call(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    file.is_pkg_call(call, "runtime", "LockOSThread")
        || call
            .field("function")
            .is_some_and(|f| f.text() == "runtime.LockOSThread")
}

/// Whether some call in the package resolves to the declaration `func`.
fn has_package_callers<'r>(file: &FileContext<'r>, func: &GoNode<'r>) -> bool {
    if func.kind() == "func_literal" {
        return false;
    }
    let name = function_name(func);
    let key = func.range();
    file.package_decls_mentioning(&[&name]).iter().any(|d| {
        d.dfs().any(|c| {
            c.kind() == "call_expression"
                && c.field("function").is_some_and(|f| {
                    let tail = f.text();
                    tail == name.as_str() || tail.ends_with(&format!(".{name}"))
                })
                && matches!(file.resolve_call(&c), Callee::Declared(h) if h.range() == key && function_name(&h) == name)
        })
    })
}

/// Whether the literal `lit` is what a `go` statement starts.
fn started_by_go(lit: &GoNode<'_>) -> bool {
    lit.parent()
        .filter(|c| c.kind() == "call_expression")
        .and_then(|c| c.parent())
        .is_some_and(|g| g.kind() == "go_statement")
}

/// The name of a declared function or method (empty for a literal).
fn function_name(func: &GoNode<'_>) -> String {
    if func.kind() == "func_literal" {
        return String::new();
    }
    func.field("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default()
}

/// Whether `func` calls `runtime.LockOSThread()` before byte `at`.
fn locks_before(file: &FileContext<'_>, func: &GoNode<'_>, at: usize) -> bool {
    own_calls(func)
        .iter()
        .any(|n| n.range().start < at && file.is_pkg_call(n, "runtime", "LockOSThread"))
}

/// Whether `name` is called somewhere in the file and every such call is
/// made while the calling function holds the thread.
fn callers_all_locked(file: &FileContext<'_>, func: &GoNode<'_>, name: &str) -> bool {
    let mut seen = false;
    for n in file.whole_root().root().dfs() {
        if n.kind() != "call_expression" {
            continue;
        }
        let Some(f) = n.field("function") else {
            continue;
        };
        let named = match &*f.kind() {
            "identifier" => f.text() == name,
            "selector_expression" => f.field("field").is_some_and(|x| x.text() == name),
            _ => false,
        };
        if !named || n.range().start >= func.range().start && n.range().end <= func.range().end {
            continue;
        }
        let Some(caller) = enclosing_function(&n) else {
            return false;
        };
        if !locks_before(file, &caller, n.range().start) {
            return false;
        }
        seen = true;
    }
    seen
}
