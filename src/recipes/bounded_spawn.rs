//! `bounded-spawn`: a loop over items (a `range` or a counter) that starts
//! one goroutine per item with nothing bounding how many run at once gets a
//! counting semaphore: a buffered channel filled before each `go` and
//! drained when the goroutine ends.

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_end, line_start, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::{declared_names, fresh_name_avoiding, is_shadowed, top_level};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::in_test_code;

pub struct BoundedSpawn;

/// The default number of goroutines allowed at once.
const DEFAULT_LIMIT: usize = 16;

const FUNCTIONS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

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
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}

/// Decides about one `go` statement: `Ok(None)` when it is not an unbounded
/// spawn per item, `Err(why)` when it is but cannot be rewritten safely.
fn plan(file: &FileContext<'_>, go: &GoNode<'_>, limit: usize) -> Result<Option<Plan>, String> {
    let Some(lp) = innermost_loop(go) else {
        return Ok(None);
    };
    if !iterates_items(&lp, limit) || per_cpu(file, &lp) {
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
    let Some(call) = go.named_children().find(|c| c.kind() == "call_expression") else {
        return Ok(None);
    };
    let Some(callee) = call.field("function") else {
        return Ok(None);
    };
    let chans = channel_names(go);
    // The code the goroutine runs, as far as this file shows it.
    let (runs, body_edit) = if callee.kind() == "func_literal" {
        let Some(body) = callee.field("body") else {
            return Ok(None);
        };
        if runs_forever(&body) {
            // A long-lived worker, not work for one item.
            return Ok(None);
        }
        let edit = literal_body_edit(file.source, go, &body)?;
        let Some(edit) = edit else {
            return Ok(None);
        };
        (vec![go.clone()], edit)
    } else {
        let wrapped = wrap_call(file, go, &lp, &call, &callee)?;
        let mut runs = vec![go.clone()];
        if callee.kind() == "identifier" {
            if let Some(f) = same_file_function(go, &callee.text()) {
                runs.push(f);
            }
        }
        (runs, wrapped)
    };
    if in_test_code(file, go) {
        return Err("tests and benchmarks often start goroutines to create load on purpose".into());
    }
    for code in &runs {
        if let Some(what) = channel_use(code, &chans) {
            return Err(format!(
                "the goroutine {what}; with a bound, goroutines blocked on other channels could deadlock a pipeline that is read after the loop"
            ));
        }
        if waits(code) {
            return Err("the goroutine waits for other goroutines; with a bound it could wait for ones that cannot start".into());
        }
        if let Some(lock) = shared_lock(code, go) {
            return Err(format!(
                "the goroutine takes `{lock}`, which the function around the loop takes too; if the loop runs while holding it, a bound would deadlock"
            ));
        }
    }
    // Where the semaphore is declared: before the outermost loop of the
    // function, so that every iteration shares it.
    let outer = outermost_loop(go).unwrap_or_else(|| lp.clone());
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

/// The closest loop around `node` in the same function.
fn innermost_loop<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    for a in node.ancestors() {
        let k = a.kind();
        if k == "for_statement" {
            return Some(a);
        }
        if FUNCTIONS.contains(&&*k) {
            return None;
        }
    }
    None
}

/// The outermost loop around `node` in the same function.
fn outermost_loop<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut found = None;
    for a in node.ancestors() {
        let k = a.kind();
        if FUNCTIONS.contains(&&*k) {
            break;
        }
        if k == "for_statement" {
            found = Some(a);
        }
    }
    found
}

/// Whether `node` sits in a function literal that is itself inside `scope`.
fn inside_literal_below(node: &GoNode<'_>, scope: &GoNode<'_>) -> bool {
    node.ancestors()
        .take_while(|a| a.range() != scope.range())
        .any(|a| a.kind() == "func_literal")
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

/// The number of iterations of `for i := 0; i < K; i++` or `for range K`
/// when `K` is an integer literal.
fn constant_count(lp: &GoNode<'_>) -> Option<usize> {
    let literal = |n: &GoNode<'_>| int_value(n);
    if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
        return literal(&rc.field("right")?);
    }
    let fc = lp.children().find(|c| c.kind() == "for_clause")?;
    let cond = fc.field("condition")?;
    let op = cond.field("operator")?.text().to_string();
    let k = literal(&cond.field("right")?)?;
    let from_zero = fc
        .field("initializer")
        .is_some_and(|i| i.text().ends_with(":= 0"));
    match op.as_str() {
        "<" if from_zero => Some(k),
        "<=" if from_zero => Some(k + 1),
        _ => None,
    }
}

/// The value of an integer literal, or of a constant declared in the
/// function or at package level as one.
fn int_value(n: &GoNode<'_>) -> Option<usize> {
    let parse = |t: &GoNode<'_>| t.text().replace('_', "").parse::<usize>().ok();
    match &*n.kind() {
        "int_literal" => parse(n),
        "identifier" => {
            let name = n.text().to_string();
            let file = n.ancestors().find(|a| a.kind() == "source_file")?;
            let mut scopes: Vec<GoNode> = file
                .children()
                .filter(|d| d.kind() == "const_declaration")
                .collect();
            scopes.extend(top_level(n));
            let found = scopes.iter().find_map(|scope| {
                scope
                    .dfs()
                    .filter(|c| c.kind() == "const_spec")
                    .find_map(|spec| {
                        let names: Vec<GoNode> = spec.field_children("name").collect();
                        let [only] = names.as_slice() else {
                            return None;
                        };
                        if only.text() != name.as_str() {
                            return None;
                        }
                        let value: Vec<GoNode> = spec.field("value")?.named_children().collect();
                        match value.as_slice() {
                            [v] if v.kind() == "int_literal" => parse(v),
                            _ => None,
                        }
                    })
            });
            found
        }
        _ => None,
    }
}

/// Whether a goroutine body is a worker loop: a `for { ... }` at its top
/// level that no `break` leaves (a worker stops by returning, if at all).
fn runs_forever(body: &GoNode<'_>) -> bool {
    body.children()
        .filter(|c| c.kind() == "statement_list")
        .flat_map(|l| l.named_children().collect::<Vec<_>>())
        .any(|s| {
            s.kind() == "for_statement"
                && s.named_children()
                    .all(|c| c.kind() == "block" || c.kind() == "comment")
                && !breaks_out(&s)
        })
}

/// Whether a `break` leaves the loop `lp` (an unlabelled one not inside an
/// inner loop, switch or select, or any labelled one).
fn breaks_out(lp: &GoNode<'_>) -> bool {
    lp.dfs().any(|n| {
        if n.kind() != "break_statement" {
            return false;
        }
        if n.named_children().next().is_some() {
            return true;
        }
        let owner = n.ancestors().find(|a| {
            matches!(
                &*a.kind(),
                "for_statement"
                    | "expression_switch_statement"
                    | "type_switch_statement"
                    | "select_statement"
                    | "func_literal"
            )
        });
        owner.is_some_and(|o| o.range() == lp.range())
    })
}

/// Whether a loop goes over items: a `range` or a counter with a condition,
/// and not over a constant number of items within the limit.
fn iterates_items(lp: &GoNode<'_>, limit: usize) -> bool {
    if constant_count(lp).is_some_and(|k| k <= limit) {
        return false;
    }
    if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
        let Some(right) = rc.field("right") else {
            return false;
        };
        if right.kind() == "composite_literal" {
            let elements = right
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
            "unary_expression" => n.field("operator").is_some_and(|o| o.text() == "<-"),
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

/// Names that hold channels in the declaration around `node` or at package
/// level: made with `make(chan ...)`, or declared with a channel type.
fn channel_names(node: &GoNode<'_>) -> HashSet<String> {
    let mut out = HashSet::new();
    let Some(file) = node.ancestors().find(|a| a.kind() == "source_file") else {
        return out;
    };
    let top = top_level(node);
    let mut scopes: Vec<GoNode> = file
        .children()
        .filter(|d| d.kind() == "var_declaration")
        .collect();
    scopes.extend(top);
    for scope in scopes {
        for n in scope.dfs() {
            match &*n.kind() {
                "var_spec" | "parameter_declaration"
                    if n.field("type").is_some_and(|t| t.kind() == "channel_type")
                        || n.field("value").is_some_and(|v| makes_channel(&v)) =>
                {
                    let mut names = Vec::new();
                    declared_names(&n, &mut names);
                    out.extend(names);
                }
                "short_var_declaration" => {
                    let left: Vec<GoNode> = n
                        .field("left")
                        .map(|l| l.named_children().collect())
                        .unwrap_or_default();
                    let right: Vec<GoNode> = n
                        .field("right")
                        .map(|r| r.named_children().collect())
                        .unwrap_or_default();
                    for (l, r) in left.iter().zip(&right) {
                        if makes_channel(r) {
                            out.insert(l.text().to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Whether `expr` (or the expression list it is) is `make(chan ...)`.
fn makes_channel(expr: &GoNode<'_>) -> bool {
    let e = if expr.kind() == "expression_list" {
        match expr.named_children().next() {
            Some(e) => e,
            None => return false,
        }
    } else {
        expr.clone()
    };
    e.kind() == "call_expression"
        && e.field("function").is_some_and(|f| f.text() == "make")
        && e.field("arguments")
            .and_then(|a| a.named_children().next())
            .is_some_and(|t| t.kind() == "channel_type")
}

/// How `code` touches a channel, if it does.
fn channel_use(code: &GoNode<'_>, chans: &HashSet<String>) -> Option<String> {
    for n in code.dfs() {
        match &*n.kind() {
            "send_statement" => return Some("sends on a channel".into()),
            "select_statement" => return Some("selects on channels".into()),
            "unary_expression" if n.field("operator").is_some_and(|o| o.text() == "<-") => {
                return Some("receives from a channel".into())
            }
            "call_expression"
                if n.field("function").is_some_and(|f| {
                    f.kind() == "identifier" && f.text() == "close" && !is_shadowed(&f, "close")
                }) =>
            {
                return Some("closes a channel".into())
            }
            "identifier" if chans.contains(&*n.text()) => {
                return Some(format!("uses channel `{}`", n.text()))
            }
            _ => {}
        }
    }
    None
}

/// Whether `code` waits for other goroutines: `wg.Wait()`, `cond.Wait()`,
/// or yielding with `Gosched` while others make progress.
fn waits(code: &GoNode<'_>) -> bool {
    code.dfs().any(|n| {
        n.kind() == "call_expression"
            && n.field("function").is_some_and(|f| match &*f.kind() {
                "selector_expression" => f
                    .field("field")
                    .is_some_and(|x| matches!(&*x.text(), "Wait" | "Gosched")),
                "identifier" => f.text() == "Gosched",
                _ => false,
            })
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
    let func = go.ancestors().find(|a| FUNCTIONS.contains(&&*a.kind()))?;
    let outside = lock_receivers(&func, Some(go));
    inside.into_iter().find(|r| outside.contains(r))
}

/// Whether the loop's count follows the number of processors (a pool of
/// one worker per CPU): its bound calls `runtime.GOMAXPROCS`/`NumCPU`, or
/// names a variable of the function computed from them.
fn per_cpu(file: &FileContext<'_>, lp: &GoNode<'_>) -> bool {
    let bound = if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
        rc.field("right")
    } else {
        lp.children()
            .find(|c| c.kind() == "for_clause")
            .and_then(|fc| fc.field("condition"))
            .and_then(|c| c.field("right"))
    };
    let Some(bound) = bound else {
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
    found
}

/// The function declared at the top level of the file as `name`.
fn same_file_function<'r>(node: &GoNode<'r>, name: &str) -> Option<GoNode<'r>> {
    let file = node.ancestors().find(|a| a.kind() == "source_file")?;
    let found = file.children().find(|d| {
        d.kind() == "function_declaration" && d.field("name").is_some_and(|n| n.text() == name)
    });
    found
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
    if callee.kind() == "identifier" && same_file_function(go, &callee.text()).is_none() {
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
                        .any(|n| {
                            let mut names = Vec::new();
                            declared_names(&n, &mut names);
                            names.contains(&name)
                        })
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

/// Whether `name` is declared anywhere in the function around `node`.
fn declared_in_function(node: &GoNode<'_>, name: &str) -> bool {
    let Some(top) = top_level(node) else {
        return false;
    };
    let found = top.dfs().any(|n| {
        let mut names = Vec::new();
        declared_names(&n, &mut names);
        names.iter().any(|x| x == name)
    });
    found
}

/// The variables a loop's clause declares.
fn loop_variables(lp: &GoNode<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for c in lp.children() {
        if matches!(&*c.kind(), "range_clause" | "for_clause") {
            declared_names(&c, &mut out);
        }
    }
    out
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

    const SRC: &str = "package p\n\nfunc work(int) {}\n\nfunc All(xs []int) {\n\tfor _, x := range xs {\n\t\tgo func() {\n\t\t\twork(x)\n\t\t}()\n\t}\n}\n";

    fn rewrite(settings: Settings) -> String {
        let only = Selection {
            only: vec!["bounded-spawn".into()],
            skip: vec![],
        }
        .apply(builtin().expect("recipes load"))
        .expect("recipe exists");
        let engine = Engine::new(only, settings);
        let version: GoVersion = "1.22".parse().expect("version");
        engine
            .process(Path::new("p.go"), SRC, version, Mode::Rewrite)
            .rewritten
            .expect("a rewrite")
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
