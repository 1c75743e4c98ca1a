//! `remove-gc`: drop `runtime.GC()` calls from request paths.

use crate::engine::{Finding, Fix, MatchContext, RecipeLogic};

use super::util::{
    call_statement, calls_any, dot_import_blocks_removal, enclosing_loop, in_main_or_init,
    in_test_code, remove_call_statement, testing_param,
};

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
        if let Some(func) = in_main_or_init(file, &call) {
            return Some(cx.report(&format!(
                "`{func}` may collect on purpose, once, at start-up or shut-down"
            )));
        }
        let bench_loop = call
            .ancestors()
            .find(|a| {
                matches!(
                    &*a.kind(),
                    "function_declaration" | "method_declaration" | "func_literal"
                )
            })
            .is_some_and(|f| testing_param(&f).as_deref() == Some("B"))
            && enclosing_loop(&call).is_some();
        if bench_loop {
            return Some(cx.report(
                "a collection inside a benchmark loop empties every sync.Pool and skews the measurement; move it before b.ResetTimer",
            ));
        }
        if in_test_code(file, &call) {
            return Some(cx.report("tests and benchmarks may collect to measure"));
        }
        let func = crate::engine::scope::enclosing_function(&call)?;
        if STATS
            .iter()
            .any(|(path, names)| calls_any(file, &func, path, names))
        {
            return Some(
                cx.report("the function reads memory statistics or writes a heap profile, which need a collection first"),
            );
        }
        if let Some(why) = dot_import_blocks_removal(file, "runtime") {
            return Some(cx.report(&why));
        }
        Some(cx.fix(Fix {
            edits: vec![remove_call_statement(file.source, &stmt)],
            add_imports: Vec::new(),
        }))
    }
}
