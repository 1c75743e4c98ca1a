//! `bounded-spawn`: a loop over items (a `range` or a counter) that starts
//! one goroutine per item with nothing bounding how many run at once gets a
//! counting semaphore: a buffered channel filled before each `go` and
//! drained when the goroutine ends.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_end, line_start, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{
    declared_in_function, declared_names, declares, enclosing_function, fresh_name_avoiding,
    is_function, is_shadowed, top_level,
};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::goroutines::{
    call_name, channel_names, channel_use, constant_count, declared_in_body, feeds_channel_after,
    goroutine_work, has_word, inside_literal_below, is_channel_expr_among, is_channel_type,
    is_integer, is_io_call, lock_held_at, long_lived_loop, loop_bound, loop_variables,
    names_one_of, outermost_loop, runs_under_caller_lock, started_call, waits, words, written_type,
    CallTarget, Work, INTEGER_TYPES, LONG_RUNNING_NAMES, TEARDOWN_NAMES,
};
use super::intent;
use super::util::{assigned_anywhere, enclosing_loop, is_receive};

pub struct BoundedSpawn;

/// The default number of goroutines allowed at once.
const DEFAULT_LIMIT: usize = 16;

/// What to do with one `go` statement, before a name is chosen.
struct Plan {
    /// Where `sem := make(...)` goes (a line start) and its indentation.
    decl_at: usize,
    decl_indent: String,
    /// Where `sem <- struct{}{}` goes (the `go` line's start) and its indentation.
    go_line: usize,
    go_indent: String,
    body: BodyEdit,
}

/// How the goroutine gets its `defer func() { <-sem }()`.
enum BodyEdit {
    /// A literal whose body spans lines: insert a line after `{`.
    InsertLine { at: usize, indent: String },
    /// A literal written on one line: its body `range` becomes a block of
    /// these statements.
    Rebuild {
        range: std::ops::Range<usize>,
        statements: Vec<String>,
    },
    /// `go f(args)`: the call becomes the body of a literal.
    Wrap {
        range: std::ops::Range<usize>,
        call: String,
    },
}

impl RecipeLogic for BoundedSpawn {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let go = cx.node();
        let file = cx.file;
        let limit = cx.setting_usize("limit").unwrap_or(DEFAULT_LIMIT).max(1);
        let planned = match plan(file, &go, limit) {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(why) => return Some(cx.report(&why)),
        };
        // Earlier rewritable spawns of the same declaration pick their names
        // first, so that fixes applied together never collide.
        let mut taken = HashSet::new();
        if let Some(top) = top_level(&go) {
            for other in top
                .dfs()
                .filter(|n| n.kind() == "go_statement" && n.range().start < go.range().start)
            {
                if let Ok(Some(_)) = plan(file, &other, limit) {
                    taken.insert(fresh_name_avoiding(&other, "sem", &taken));
                }
            }
        }
        let sem = fresh_name_avoiding(&go, "sem", &taken);
        let release = format!("defer func() {{ <-{sem} }}()");
        let mut edits = vec![
            TextEdit::insert(
                planned.decl_at,
                format!(
                    "{}{sem} := make(chan struct{{}}, {limit})\n",
                    planned.decl_indent
                ),
            ),
            TextEdit::insert(
                planned.go_line,
                format!("{}{sem} <- struct{{}}{{}}\n", planned.go_indent),
            ),
        ];
        let inner = format!("{}\t", planned.go_indent);
        match planned.body {
            BodyEdit::InsertLine { at, indent } => {
                edits.push(TextEdit::insert(at, format!("{indent}{release}\n")));
            }
            BodyEdit::Rebuild { range, statements } => {
                let mut text = format!("{{\n{inner}{release}\n");
                for s in statements {
                    text.push_str(&format!("{inner}{s}\n"));
                }
                text.push_str(&format!("{}}}", planned.go_indent));
                edits.push(TextEdit::replace(range, text));
            }
            BodyEdit::Wrap { range, call } => {
                edits.push(TextEdit::replace(
                    range,
                    format!(
                        "func() {{\n{inner}{release}\n{inner}{call}\n{}}}()",
                        planned.go_indent
                    ),
                ));
            }
        }
        let mut finding = cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        });
        let chosen = if file.settings.get("bounded-spawn.limit").is_some() {
            format!("{limit}, from the `bounded-spawn.limit` setting")
        } else {
            format!("{limit}, the recipe's default: a fixed number, not measured for this machine or this work")
        };
        finding.message = format!(
            "{}; the rewrite allows {limit} at once (bound: {chosen}; `--set bounded-spawn.limit=N` changes it)",
            finding.message
        );
        Some(finding)
    }
}

/// Decides about one `go` statement: `Ok(None)` when it is not an unbounded
/// spawn per item, `Err(why)` when it is but cannot be rewritten safely.
fn plan<'r>(file: &FileContext<'r>, go: &GoNode<'r>, limit: usize) -> Result<Option<Plan>, String> {
    let Some(lp) = enclosing_loop(go) else {
        return Ok(None);
    };
    if !iterates_items(file, &lp, limit) {
        return Ok(None);
    }
    let Some(loop_body) = lp.field("body") else {
        return Ok(None);
    };
    if already_paced(&loop_body, go) {
        return Ok(None);
    }
    // Goroutines that take nothing from their iteration are a pool of
    // identical workers, sized by the loop's count: that count is the bound
    // (unless it is a constant above the limit).
    if !mentions_iteration(go, &lp, &loop_body) && constant_count(&lp).is_none_or(|k| k <= limit) {
        return Ok(None);
    }
    let others = loop_body
        .dfs()
        .filter(|n| n.kind() == "go_statement" && n.range() != go.range())
        .filter(|n| !inside_literal_below(n, &loop_body))
        .count();
    if others > 0 {
        return Err(
            "the loop starts more than one goroutine per iteration; bound them together by hand"
                .into(),
        );
    }
    let Some(call) = started_call(go) else {
        return Ok(None);
    };
    let Some(callee) = call.field("function") else {
        return Ok(None);
    };
    let body_edit = if callee.kind() == "func_literal" {
        let Some(body) = callee.field("body") else {
            return Ok(None);
        };
        let Some(edit) = literal_body_edit(file.source, go, &body)? else {
            return Ok(None);
        };
        edit
    } else {
        wrap_call(file, go, &lp, &call, &callee)?
    };
    if intent::in_test_support(file, go) {
        return Err("this is test or test-support code, where goroutines are often started to create load on purpose".into());
    }
    let outer = outermost_loop(go).unwrap_or_else(|| lp.clone());
    let work = goroutine_work(file, go);
    // B5: a deliberate fan-out of stops, closes or waits.
    if let Some(why) = teardown_fanout(go, &callee) {
        return Err(why);
    }
    // B4: a lock held at the loop.
    if let Some(lock) = lock_held_at(&outer) {
        return Err(format!(
            "`{lock}` is held at the loop; a blocking semaphore there would stall everyone who needs the lock, so bound it by hand outside the critical section"
        ));
    }
    if let Some(why) = runs_under_caller_lock(file, go) {
        return Err(format!(
            "{why}; a blocking semaphore inside a critical section would stall everyone who needs the lock"
        ));
    }
    // B1: long-lived goroutines never give their slot back.
    if let Some(why) = long_lived(file, &work) {
        return Err(format!(
            "the goroutine {why}: a long-lived goroutine never gives its slot back, so the loop would deadlock once there are more of them than the bound"
        ));
    }
    // B3: already bounded.
    if let Some(why) = already_bounded(file, &lp, &work) {
        return Err(format!("{why}; a second bound would only get in its way"));
    }
    // B2: channels link the goroutines to the code after the loop.
    if let Some(why) = channel_link(file, go, &lp, &callee, &work) {
        return Err(format!(
            "{why}; with a bound, goroutines blocked on a channel could hold every slot and deadlock code that runs after the loop"
        ));
    }
    for code in &work.code {
        if waits(code) {
            return Err("the goroutine waits for other goroutines; with a bound it could wait for ones that cannot start".into());
        }
        if let Some(lock) = shared_lock(code, go) {
            return Err(format!(
                "the goroutine takes `{lock}`, which the function around the loop takes too; if the loop runs while holding it, a bound would deadlock"
            ));
        }
    }
    // B6: small by construction.
    if let Some(what) = small_by_construction(file, &lp) {
        return Err(format!(
            "the loop ranges over {what}, which is small by construction; a bound would change nothing"
        ));
    }
    // X1: the author says why the loop fans out.
    for stmt in [go, &lp, &outer] {
        if let Some(why) = intent::stated_reason_at_head(file, stmt) {
            return Err(why);
        }
    }
    // Calls whose effect cannot be seen: they could block on anything.
    if let Some(name) = work.calls.iter().find_map(|(_, t)| match t {
        CallTarget::Opaque(name) => Some(name.clone()),
        _ => None,
    }) {
        return Err(format!(
            "the goroutine calls `{name}`, which cannot be resolved here; if it blocks on something that only happens after the loop, a bound would deadlock, so check it and bound by hand"
        ));
    }
    // B6: CPU-only work holds no thread in a system call.
    if !work.calls.iter().any(|(c, t)| is_io_call(c, t)) {
        return Err("the goroutine does no visible I/O (no file, network, process or database call), so it holds no thread in a system call and the reason for a bound does not apply; bound it by hand if memory per goroutine matters".into());
    }
    // Where the semaphore is declared: before the outermost loop of the
    // function, so that every iteration shares it.
    let anchor = match outer.parent() {
        Some(p) if p.kind() == "labeled_statement" => p,
        _ => outer.clone(),
    };
    let src = file.source;
    let owns_line = |n: &GoNode<'_>| {
        src[line_start(src, n.range().start)..n.range().start]
            .trim()
            .is_empty()
    };
    if !owns_line(&anchor) || !owns_line(go) {
        return Err("the loop or the `go` statement shares its line with other code".into());
    }
    Ok(Some(Plan {
        decl_at: line_start(src, anchor.range().start),
        // gofmt outdents a label by one level: the loop's own line tells the
        // block's indentation.
        decl_indent: indent_at(src, outer.range().start).to_string(),
        go_line: line_start(src, go.range().start),
        go_indent: indent_at(src, go.range().start).to_string(),
        body: body_edit,
    }))
}

/// B5: the function around the loop, or the goroutine's own work, stops,
/// closes or waits for something: such fan-outs are deliberate, so the total
/// time is the slowest one rather than the sum.
fn teardown_fanout(go: &GoNode<'_>, callee: &GoNode<'_>) -> Option<String> {
    for f in go.ancestors().filter(is_function) {
        if let Some(name) = f.field("name").map(|n| n.text().to_string()) {
            if names_one_of(&name, TEARDOWN_NAMES).is_some() {
                return Some(format!(
                    "`{name}` fans out on purpose so that it takes as long as the slowest item, not the sum; a bound would serialise it"
                ));
            }
        }
    }
    let own_scope = (callee.kind() == "func_literal").then(|| callee.clone());
    for call in go.dfs().filter(|n| n.kind() == "call_expression") {
        if call.ancestors().any(|a| a.kind() == "defer_statement") {
            continue;
        }
        let name = call_name(&call);
        if names_one_of(&name, TEARDOWN_NAMES).is_none() || name == "Wait" {
            continue;
        }
        // Closing or cancelling what the goroutine made itself is cleanup,
        // not the work.
        let root = call
            .field("function")
            .and_then(|f| f.dfs().find(|n| n.kind() == "identifier"))
            .map(|n| n.text().to_string())
            .unwrap_or_default();
        if own_scope
            .as_ref()
            .is_some_and(|lit| declared_in_body(&call, &root, lit))
        {
            continue;
        }
        return Some(format!(
            "each goroutine runs `{name}`: stops, closes and waits are fanned out on purpose so that they take as long as the slowest one, not the sum"
        ));
    }
    None
}

/// B1: why the goroutine lives until shutdown, if it does.
fn long_lived<'r>(file: &FileContext<'r>, work: &Work<'r>) -> Option<String> {
    for code in &work.code {
        if let Some(why) = long_lived_loop(file, code) {
            let whose = match code.field("name") {
                Some(n) if code.kind() != "go_statement" => format!(" (in `{}`)", n.text()),
                _ => String::new(),
            };
            return Some(format!("{why}{whose}"));
        }
    }
    work.calls.iter().find_map(|(call, t)| {
        let unresolved = matches!(t, CallTarget::Opaque(_) | CallTarget::Std(..));
        let name = call_name(call);
        (unresolved && has_word(&name, LONG_RUNNING_NAMES))
            .then(|| format!("calls `{name}`, which is named like a loop that runs until shutdown"))
    })
}

/// Concurrency words: a loop bound named like these is a pool size.
const POOL_WORDS: &[&str] = &[
    "worker",
    "workers",
    "thread",
    "threads",
    "nthreads",
    "parallel",
    "parallelism",
    "procs",
    "nprocs",
    "shards",
    "nshards",
    "concurrency",
    "conns",
    "cpu",
    "cpus",
    "ncpu",
    "goroutines",
    "pool",
];

/// B3: why the goroutines are already bounded, if they are: the goroutine
/// takes a semaphore or waits on a limiter, or the loop counts to a pool
/// size.
fn already_bounded<'r>(file: &FileContext<'r>, lp: &GoNode<'r>, work: &Work<'r>) -> Option<String> {
    for (call, _) in &work.calls {
        let name = call_name(call);
        if matches!(name.as_str(), "Acquire" | "TryAcquire") {
            return Some(format!(
                "the goroutine already takes a semaphore (`{name}`)"
            ));
        }
        if name == "Wait" {
            let recv = call
                .field("function")
                .and_then(|f| f.field("operand"))
                .map(|o| o.text().to_lowercase())
                .unwrap_or_default();
            if ["limit", "rate", "sem", "throttle", "bucket"]
                .iter()
                .any(|w| recv.contains(w))
            {
                return Some("the goroutine already waits on a limiter".into());
            }
        }
    }
    for code in &work.code {
        for send in code.dfs().filter(|n| n.kind() == "send_statement") {
            let ch = send
                .field("channel")
                .map(|c| c.text().to_lowercase())
                .unwrap_or_default();
            if ["sem", "token", "limit", "slot", "throttle", "guard"]
                .iter()
                .any(|w| ch.contains(w))
            {
                return Some("the goroutine already takes a slot of a semaphore channel".into());
            }
        }
    }
    let bound = loop_bound(lp)?;
    for n in bound.dfs() {
        if matches!(&*n.kind(), "identifier" | "field_identifier")
            && POOL_WORDS
                .iter()
                .any(|w| words(&n.text()).iter().any(|x| x == w))
        {
            return Some(format!(
                "the loop's size `{}` is named for concurrency, so it is already the bound",
                bound.text()
            ));
        }
    }
    if per_cpu(file, lp) {
        return Some(
            "the loop's size follows the number of CPUs, so it is already the bound".into(),
        );
    }
    if let Some(n) = counts_to_pool(file, lp) {
        return Some(format!(
            "the loop counts to `{n}`, a pool size rather than a list of items, so it is already the bound"
        ));
    }
    None
}

/// The bound of a loop that counts to a number that is not the length of
/// something: `for i := 0; i < n; i++` or `for i := range n` with `n` an
/// integer (not a slice or map).
fn counts_to_pool<'r>(file: &FileContext<'r>, lp: &GoNode<'r>) -> Option<String> {
    let bound = loop_bound(lp)?;
    // A constant count above the limit is a number of items.
    if constant_count(lp).is_some() {
        return None;
    }
    if bound.dfs().any(|n| {
        n.kind() == "call_expression" && n.field("function").is_some_and(|f| f.text() == "len")
    }) {
        return None;
    }
    let counter = lp.children().any(|c| c.kind() == "for_clause");
    if counter || is_integer(file, &bound) {
        return Some(bound.text().to_string());
    }
    None
}

/// B2: how the goroutine is linked by channels to the code around the
/// loop, if it is.
fn channel_link<'r>(
    file: &FileContext<'r>,
    go: &GoNode<'r>,
    lp: &GoNode<'r>,
    callee: &GoNode<'r>,
    work: &Work<'r>,
) -> Option<String> {
    let chans = channel_names(go);
    for (i, code) in work.code.iter().enumerate() {
        let local = if i == 0 {
            chans.clone()
        } else {
            HashSet::new()
        };
        if let Some(what) = channel_use(code, &local) {
            let whose = match code.field("name") {
                Some(n) if i > 0 => format!(" (in `{}`)", n.text()),
                _ => String::new(),
            };
            return Some(format!("the goroutine {what}{whose}"));
        }
    }
    if callee.kind() == "func_literal" {
        let params = callee.field("parameters");
        if let Some(p) = params
            .iter()
            .flat_map(|p| p.named_children().collect::<Vec<_>>())
            .find(|p| p.field("type").is_some_and(|t| is_channel_type(file, &t)))
        {
            return Some(format!("the goroutine receives a channel (`{}`)", p.text()));
        }
    }
    // A channel handed to it, or a channel field it uses.
    let uses = go.dfs().find(|n| {
        matches!(&*n.kind(), "identifier" | "selector_expression")
            && n.parent().is_none_or(|p| {
                p.kind() != "selector_expression"
                    || p.field("field").is_none_or(|f| f.range() != n.range())
            })
            && is_channel_expr_among(file, n, &chans)
    });
    if let Some(u) = uses {
        return Some(format!("the goroutine uses channel `{}`", u.text()));
    }
    feeds_channel_after(lp).map(|what| format!("the function {what}"))
}

/// B6: what the loop ranges over when that is small by construction: a
/// fixed-size array or a map keyed by an enum-like type.
fn small_by_construction<'r>(file: &FileContext<'r>, lp: &GoNode<'r>) -> Option<String> {
    let rc = lp.children().find(|c| c.kind() == "range_clause")?;
    let right = rc.field("right")?;
    let ty = written_type(file, &right)?;
    match &*ty.kind() {
        "array_type" => Some(format!("`{}`, a fixed-size array", right.text())),
        "map_type" => {
            let key = ty.field("key")?;
            enum_like(file, &key).then(|| {
                format!(
                    "`{}`, a map keyed by the enum-like type `{}`",
                    right.text(),
                    key.text()
                )
            })
        }
        _ => None,
    }
}

/// Whether a type names a set of constants: a package type defined as an
/// integer, or a type of another package named like a kind (`...Type`,
/// `...Kind`, `...Mode`, `...Class`).
fn enum_like<'r>(file: &FileContext<'r>, ty: &GoNode<'r>) -> bool {
    match &*ty.kind() {
        "type_identifier" => file
            .package_type(&ty.text())
            .and_then(|s| s.field("type"))
            .is_some_and(|t| INTEGER_TYPES.contains(&&*t.text())),
        "qualified_type" => ty.field("name").is_some_and(|n| {
            let n = n.text();
            ["Type", "Kind", "Mode", "Class"]
                .iter()
                .any(|s| n.ends_with(s))
        }),
        _ => false,
    }
}

/// Whether the `go` statement uses a variable of its iteration: a loop
/// variable, or one declared in the loop body before it.
fn mentions_iteration(go: &GoNode<'_>, lp: &GoNode<'_>, loop_body: &GoNode<'_>) -> bool {
    let mut names = loop_variables(lp);
    for n in loop_body.dfs() {
        if n.range().end <= go.range().start {
            declared_names(&n, &mut names);
        }
    }
    names.retain(|n| n != "_");
    go.dfs()
        .any(|n| n.kind() == "identifier" && names.iter().any(|x| *x == *n.text()))
}

/// Whether a loop goes over items: a `range` or a counter with a condition,
/// and not over a constant number of items within the limit.
fn iterates_items<'r>(file: &FileContext<'r>, lp: &GoNode<'r>, limit: usize) -> bool {
    if constant_count(lp).is_some_and(|k| k <= limit) {
        return false;
    }
    if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
        let Some(right) = rc.field("right") else {
            return false;
        };
        // A literal list, written in place or as the only value of a
        // variable that nothing else assigns: small by construction.
        let literal = if right.kind() == "composite_literal" {
            Some(right)
        } else if right.kind() == "identifier" && !assigned_anywhere(file, &right) {
            file.local_declaration(&right, &right.text())
                .and_then(|d| d.value)
                .filter(|v| v.kind() == "composite_literal")
        } else {
            None
        };
        if let Some(lit) = literal {
            let elements = lit
                .field("body")
                .map(|b| b.named_children().filter(|e| e.kind() != "comment").count())
                .unwrap_or(0);
            return elements > limit;
        }
        return true;
    }
    lp.children()
        .find(|c| c.kind() == "for_clause")
        .is_some_and(|fc| fc.field("condition").is_some())
}

/// Whether the loop body, outside the goroutine, already paces the loop: a
/// channel operation (a semaphore), or a call such as `Acquire` or `Wait`.
fn already_paced(loop_body: &GoNode<'_>, go: &GoNode<'_>) -> bool {
    loop_body.dfs().any(|n| {
        let r = n.range();
        if go.range().start <= r.start && r.end <= go.range().end {
            return false;
        }
        if inside_literal_below(&n, loop_body) {
            return false;
        }
        match &*n.kind() {
            "send_statement" | "select_statement" => true,
            "unary_expression" => is_receive(&n),
            "call_expression" => n.field("function").is_some_and(|f| {
                f.kind() == "selector_expression"
                    && f.field("field").is_some_and(|x| {
                        matches!(&*x.text(), "Acquire" | "TryAcquire" | "Wait" | "Go")
                    })
            }),
            _ => false,
        }
    })
}

/// The receiver of a `Lock`/`RLock` call in `code` that the function around
/// the `go` statement also locks outside the goroutine.
fn shared_lock(code: &GoNode<'_>, go: &GoNode<'_>) -> Option<String> {
    let lock_receivers = |scope: &GoNode<'_>, skip: Option<&GoNode<'_>>| -> Vec<String> {
        scope
            .dfs()
            .filter(|n| {
                skip.is_none_or(|g| {
                    !(g.range().start <= n.range().start && n.range().end <= g.range().end)
                })
            })
            .filter_map(|n| {
                if n.kind() != "call_expression" {
                    return None;
                }
                let f = n.field("function")?;
                let field = f.field("field")?;
                matches!(&*field.text(), "Lock" | "RLock")
                    .then(|| f.field("operand").map(|o| o.text().to_string()))
                    .flatten()
            })
            .collect()
    };
    let inside = lock_receivers(code, None);
    if inside.is_empty() {
        return None;
    }
    let func = enclosing_function(go)?;
    let outside = lock_receivers(&func, Some(go));
    inside.into_iter().find(|r| outside.contains(r))
}

/// Whether the loop's count follows the number of processors (a pool of
/// one worker per CPU): its bound calls `runtime.GOMAXPROCS`/`NumCPU`, or
/// names a variable of the function computed from them.
fn per_cpu<'r>(file: &FileContext<'r>, lp: &GoNode<'r>) -> bool {
    let Some(bound) = loop_bound(lp) else {
        return false;
    };
    let cpu_call = |n: &GoNode<'_>| {
        n.dfs().any(|c| {
            file.is_pkg_call(&c, "runtime", "GOMAXPROCS")
                || file.is_pkg_call(&c, "runtime", "NumCPU")
        })
    };
    if cpu_call(&bound) {
        return true;
    }
    let names: Vec<String> = bound
        .dfs()
        .filter(|n| n.kind() == "identifier")
        .map(|n| n.text().to_string())
        .collect();
    let Some(top) = top_level(lp) else {
        return false;
    };
    let found = top.dfs().any(|n| {
        let (left, right) = match &*n.kind() {
            "short_var_declaration" | "assignment_statement" => (n.field("left"), n.field("right")),
            "var_spec" => (Some(n.clone()), n.field("value")),
            _ => return false,
        };
        let assigns = left.is_some_and(|l| {
            l.named_children()
                .any(|x| x.kind() == "identifier" && names.contains(&x.text().to_string()))
        });
        assigns && right.is_some_and(|r| cpu_call(&r))
    });
    if found {
        return true;
    }
    // A field of the bound set from the CPU count anywhere in the package:
    // `width: runtime.NumCPU()` or `x.width = runtime.NumCPU()`.
    let fields: Vec<String> = bound
        .dfs()
        .filter(|n| n.kind() == "field_identifier")
        .map(|n| n.text().to_string())
        .collect();
    if fields.is_empty() {
        return false;
    }
    let cpu_text = |n: &GoNode<'_>| {
        let t = n.text();
        t.contains("NumCPU()") || t.contains("GOMAXPROCS(")
    };
    let decls = file.package_decls_mentioning(&["NumCPU()", "GOMAXPROCS("]);
    let set = decls.iter().any(|d| {
        d.dfs().any(|n| match &*n.kind() {
            "keyed_element" => {
                let mut parts = n.named_children().filter(|c| c.kind() != "comment");
                let (Some(k), Some(v)) = (parts.next(), parts.next()) else {
                    return false;
                };
                fields.iter().any(|f| k.text() == f.as_str()) && cpu_text(&v)
            }
            "assignment_statement" => {
                n.field("left").is_some_and(|l| {
                    l.named_children().any(|x| {
                        x.kind() == "selector_expression"
                            && x.field("field")
                                .is_some_and(|f| fields.iter().any(|g| f.text() == g.as_str()))
                    })
                }) && n.field("right").is_some_and(|r| cpu_text(&r))
            }
            _ => false,
        })
    });
    set
}

/// How to put the release first in a literal's body.
fn literal_body_edit(
    src: &str,
    go: &GoNode<'_>,
    body: &GoNode<'_>,
) -> Result<Option<BodyEdit>, String> {
    let statements: Vec<GoNode> = body
        .children()
        .find(|c| c.kind() == "statement_list")
        .map(|l| l.named_children().collect())
        .unwrap_or_default();
    if statements.is_empty() {
        return Ok(None);
    }
    let r = body.range();
    if !src[r.clone()].contains('\n') {
        if statements.iter().any(|s| s.kind() == "comment") {
            return Err("the goroutine is written on one line with a comment".into());
        }
        return Ok(Some(BodyEdit::Rebuild {
            range: r,
            statements: statements.iter().map(|s| s.text().to_string()).collect(),
        }));
    }
    let open_line_rest = &src[r.start + 1..line_end(src, r.start)];
    let rest = open_line_rest.trim();
    if !(rest.is_empty() || rest.starts_with("//")) {
        return Err("the goroutine's first statement shares the line of its `{`".into());
    }
    Ok(Some(BodyEdit::InsertLine {
        at: line_end(src, r.start),
        indent: format!("{}\t", indent_at(src, go.range().start)),
    }))
}

/// `go f(args)` as `go func() { ...; f(args) }()`: allowed when evaluating
/// the call later, inside the goroutine, gives the same values.
fn wrap_call(
    file: &FileContext<'_>,
    go: &GoNode<'_>,
    lp: &GoNode<'_>,
    call: &GoNode<'_>,
    callee: &GoNode<'_>,
) -> Result<BodyEdit, String> {
    let later = "it starts a call whose function or arguments would be evaluated later once wrapped in a literal; bound it by hand";
    if call.text().contains('\n') {
        return Err(later.into());
    }
    let callee_ok = match &*callee.kind() {
        "identifier" => !declared_in_function(go, &callee.text()),
        "selector_expression" => callee.field("operand").is_some_and(|o| {
            o.kind() == "identifier"
                && file.imports.path_of(&o.text()).is_some()
                && !is_shadowed(&o, &o.text())
        }),
        _ => false,
    };
    if !callee_ok {
        return Err(later.into());
    }
    if callee.kind() == "identifier" && file.package_function(&callee.text()).is_none() {
        return Err(
            "it starts a function declared elsewhere, which may use channels; bound it by hand"
                .into(),
        );
    }
    let loop_vars = loop_variables(lp);
    let per_iteration_loop_vars = file.go_version.at_least(1, 22);
    let body = lp.field("body");
    let args: Vec<GoNode> = call
        .field("arguments")
        .map(|a| {
            a.named_children()
                .filter(|x| x.kind() != "comment")
                .collect()
        })
        .unwrap_or_default();
    for a in &args {
        let stable = match &*a.kind() {
            "int_literal"
            | "float_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "rune_literal"
            | "true"
            | "false"
            | "nil" => true,
            "identifier" => {
                let name = a.text().to_string();
                let declared_in_body = body.as_ref().is_some_and(|b| {
                    b.dfs()
                        .filter(|n| n.range().end <= go.range().start)
                        .any(|n| declares(&n, &name))
                });
                let is_loop_var = loop_vars.contains(&name) && per_iteration_loop_vars;
                (declared_in_body || is_loop_var) && !assigned_after(body.as_ref(), go, &name)
            }
            _ => false,
        };
        if !stable {
            return Err(later.into());
        }
    }
    Ok(BodyEdit::Wrap {
        range: call.range(),
        call: call.text().to_string(),
    })
}

/// Whether `name` is assigned (or has its address taken) in the loop body
/// after the `go` statement.
fn assigned_after(body: Option<&GoNode<'_>>, go: &GoNode<'_>, name: &str) -> bool {
    let Some(body) = body else {
        return false;
    };
    body.dfs()
        .filter(|n| n.range().start >= go.range().end)
        .any(|n| match &*n.kind() {
            "assignment_statement" => n
                .field("left")
                .is_some_and(|l| l.named_children().any(|t| t.text() == name)),
            "inc_statement" | "dec_statement" => n.named_children().any(|t| t.text() == name),
            "unary_expression" => {
                n.field("operator").is_some_and(|o| o.text() == "&")
                    && n.field("operand").is_some_and(|o| o.text() == name)
            }
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::engine::gomod::GoVersion;
    use crate::engine::{Engine, Mode, Settings};
    use crate::recipes::{builtin, Selection};

    const SRC: &str = "package p\n\nimport \"os\"\n\nfunc work(p string) { _, _ = os.Stat(p) }\n\nfunc All(xs []string) {\n\tfor _, x := range xs {\n\t\tgo func() {\n\t\t\twork(x)\n\t\t}()\n\t}\n}\n";

    fn rewrite(settings: Settings) -> String {
        run(settings).rewritten.expect("a rewrite")
    }

    fn run(settings: Settings) -> crate::engine::FileOutcome {
        let only = Selection {
            only: vec!["bounded-spawn".into()],
            skip: vec![],
            ..Selection::default()
        }
        .apply(builtin().expect("recipes load"))
        .expect("recipe exists");
        let engine = Engine::new(only, settings);
        let version: GoVersion = "1.22".parse().expect("version");
        engine.process(Path::new("p.go"), SRC, version, Mode::Rewrite)
    }

    #[test]
    fn message_says_how_the_bound_was_chosen() {
        let out = run(Settings::default());
        let msg = &out.findings[0].finding.message;
        assert!(msg.contains("16, the recipe's default"), "{msg}");
        assert!(msg.contains("--set bounded-spawn.limit=N"), "{msg}");
        let mut settings = Settings::default();
        settings.set("bounded-spawn.limit", "6");
        let out = run(settings);
        let msg = &out.findings[0].finding.message;
        assert!(
            msg.contains("6, from the `bounded-spawn.limit` setting"),
            "{msg}"
        );
    }

    #[test]
    fn limit_defaults_to_sixteen() {
        assert!(rewrite(Settings::default()).contains("sem := make(chan struct{}, 16)\n"));
    }

    #[test]
    fn limit_comes_from_the_setting() {
        let mut settings = Settings::default();
        settings.set("bounded-spawn.limit", "4");
        let out = rewrite(settings);
        assert!(out.contains("sem := make(chan struct{}, 4)\n"), "{out}");
        // A limit of zero would make an unbuffered channel: it counts as one.
        let mut settings = Settings::default();
        settings.set("bounded-spawn.limit", "0");
        assert!(rewrite(settings).contains("sem := make(chan struct{}, 1)\n"));
    }
}
