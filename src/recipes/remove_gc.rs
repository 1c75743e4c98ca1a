//! `remove-gc`: drop `runtime.GC()` calls from request paths.

use crate::engine::scope::enclosing_function;
use crate::engine::{Finding, Fix, MatchContext, RecipeLogic};

use super::intent;
use super::util::{
    block_owner, call_statement, calls_any, dot_import_blocks_removal, enclosing_loop, once_flag,
    remove_call_statement_cleanly, sibling_statements, switch_guard, testing_param,
};

/// Words that name what the call does, for reading its comments.
const SUBJECT: &[&str] = &[
    "gc",
    "collect",
    "collects",
    "collection",
    "collections",
    "collector",
    "garbage",
];

/// Phrases that only restate the wish to have memory back sooner.
const BELIEFS: &[&str] = &[
    "free",
    "release",
    "reclaim",
    "give back",
    "hand back",
    "right away",
    "immediately",
    "as soon as possible",
    "promptly",
    "eagerly",
    "shrink",
    "keep the heap small",
];

/// Calls that make a collection observable: finalizers and cleanups run
/// only after the object has been collected.
const FINALIZERS: &[&str] = &["SetFinalizer", "AddCleanup"];

pub struct RemoveGc;

/// Calls that read memory statistics: a `GC()` beside them is measuring.
const STATS: &[(&str, &[&str])] = &[
    ("runtime", &["ReadMemStats"]),
    (
        "runtime/debug",
        &["FreeOSMemory", "ReadGCStats", "WriteHeapDump"],
    ),
    ("runtime/metrics", &["Read"]),
    // A heap profile is only current right after a collection.
    ("runtime/pprof", &["WriteHeapProfile", "Lookup"]),
];

impl RecipeLogic for RemoveGc {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let Some(stmt) = call_statement(&call) else {
            return Some(cx.report("its result is used as a value"));
        };
        if stmt.kind() == "go_statement" {
            return Some(cx.report("it runs in its own goroutine"));
        }
        let bench_loop = enclosing_function(&call)
            .is_some_and(|f| testing_param(&f).as_deref() == Some("B"))
            && enclosing_loop(&call).is_some();
        if bench_loop {
            return Some(cx.report(
                "a collection inside a benchmark loop empties every sync.Pool and skews the measurement; move it before b.ResetTimer",
            ));
        }
        if intent::in_test_support(file, &call) {
            return Some(cx.report(
                "it is in tests or test-support code, which may collect to measure or to run finalizers",
            ));
        }
        if intent::externally_linked(file, &call) {
            return Some(cx.report(
                "its function is exported to C or linked by name, so its callers are outside Go's view and may need the collection",
            ));
        }
        let func = crate::engine::scope::enclosing_function(&call)?;
        let whole_body = sibling_statements(&stmt).len() == 1
            && block_owner(&stmt).is_some_and(|o| o.range() == func.range());
        if whole_body {
            return Some(cx.report(
                "it is the whole body of its function, a collection hook that callers invoke on purpose",
            ));
        }
        // A function named for collecting (`gcHandler`, `forceGC`,
        // `collectGarbage`): the collection is what callers ask for, as with
        // a debug endpoint that runs one.
        let named = crate::engine::scope::top_level(&call)
            .and_then(|t| t.field("name"))
            .map(|n| n.text().to_string());
        if let Some(name) = named.filter(|n| named_for_collection(n)) {
            return Some(cx.report(&format!(
                "its function `{name}` is named for collecting, so the collection is what its callers ask for"
            )));
        }
        let top = crate::engine::scope::top_level(&call).unwrap_or_else(|| func.clone());
        if calls_any(file, &top, "runtime", FINALIZERS) {
            return Some(cx.report(
                "the function also sets a finalizer or cleanup, which only runs after a collection",
            ));
        }
        let polls_select = call
            .ancestors()
            .take_while(|a| a.range() != func.range())
            .any(|a| {
                a.kind() == "default_case"
                    && a.parent().is_some_and(|sel| {
                        sel.kind() == "select_statement" && enclosing_loop(&sel).is_some()
                    })
            });
        if polls_select {
            return Some(cx.report(
                "it is the default of a select in a loop, waiting for something that a collection releases (a finalizer or cleanup)",
            ));
        }
        if STATS
            .iter()
            .any(|(path, names)| calls_any(file, &func, path, names))
        {
            return Some(
                cx.report("the function reads memory statistics or writes a heap profile, which need a collection first"),
            );
        }
        if let Some((_, switch)) = switch_guard(&stmt) {
            return Some(cx.report(&format!(
                "it is behind the switch `{switch}`, a hook turned on for debugging or tests rather than a request-path habit"
            )));
        }
        if let Some(flag) = once_flag(&stmt) {
            return Some(cx.report(&format!(
                "it runs at most once per round, behind the local flag `{flag}`"
            )));
        }
        if let Some(why) = intent::stated_reason_in_context(file, &stmt, SUBJECT, BELIEFS) {
            return Some(cx.report(&why));
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

/// Whether a function name says it collects: a camel-case word `GC`/`Gc`,
/// or `Collect`/`Garbage`/`FreeOSMemory` in it.
fn named_for_collection(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = c == '_'
            || (c.is_uppercase()
                && i > 0
                && (chars[i - 1].is_lowercase()
                    || chars.get(i + 1).is_some_and(|n| n.is_lowercase())
                        && chars[i - 1].is_uppercase()));
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        if c != '_' {
            cur.push(c.to_ascii_lowercase());
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
        .iter()
        .any(|w| matches!(w.as_str(), "gc" | "collect" | "garbage" | "freeosmemory"))
}

#[cfg(test)]
mod name_tests {
    use super::named_for_collection;

    #[test]
    fn names_for_collecting() {
        for n in [
            "gcHandler",
            "forceGC",
            "runGC",
            "collectGarbage",
            "GC",
            "doGc",
            "handle_gc",
        ] {
            assert!(named_for_collection(n), "{n}");
        }
        for n in ["handle", "logic", "Flagcheck", "Process", "gcd"] {
            assert!(!named_for_collection(n), "{n}");
        }
    }
}
