//! Questions about Go syntax that several recipes ask.

use crate::engine::golang::GoNode;
use crate::engine::scope::{is_function, is_shadowed, top_level};
use crate::engine::FileContext;

/// The statement a call stands in: `f()` as an expression statement, or the
/// `defer f()` / `go f()` statement.
pub fn call_statement<'r>(call: &GoNode<'r>) -> Option<GoNode<'r>> {
    let parent = call.parent()?;
    matches!(
        &*parent.kind(),
        "expression_statement" | "defer_statement" | "go_statement"
    )
    .then_some(parent)
}

/// The statements of the list holding `stmt`, comments left out.
pub fn sibling_statements<'r>(stmt: &GoNode<'r>) -> Vec<GoNode<'r>> {
    match stmt.parent() {
        Some(list) if list.kind() == "statement_list" => list
            .named_children()
            .filter(|n| n.kind() != "comment")
            .collect(),
        _ => vec![stmt.clone()],
    }
}

/// The statement before `stmt` in its list (comments skipped).
pub fn prev_statement<'r>(stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    stmt.prev_all()
        .find(|n| n.is_named() && n.kind() != "comment")
}

/// The statement after `stmt` in its list (comments skipped).
pub fn next_statement<'r>(stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    stmt.next_all()
        .find(|n| n.is_named() && n.kind() != "comment")
}

/// The node owning the block whose statement list holds `stmt` (a
/// `for_statement`, `if_statement`, `function_declaration`, `func_literal`...),
/// or the case clause for statements of a `case`.
pub fn block_owner<'r>(stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    let list = stmt.parent()?;
    if list.kind() != "statement_list" {
        return None;
    }
    let holder = list.parent()?;
    if holder.kind() == "block" {
        holder.parent()
    } else {
        Some(holder)
    }
}

/// The name of the top-level function or method holding `node`.
pub fn top_function_name(node: &GoNode<'_>) -> Option<String> {
    let top = crate::engine::scope::top_level(node)?;
    if matches!(&*top.kind(), "function_declaration" | "method_declaration") {
        top.field("name").map(|n| n.text().to_string())
    } else {
        None
    }
}

/// Whether `node` is in the program's `main` function or in an `init` function.
pub fn in_main_or_init(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<&'static str> {
    let top = crate::engine::scope::top_level(node)?;
    if top.kind() != "function_declaration" {
        return None;
    }
    match top.field("name").map(|n| n.text().to_string()).as_deref() {
        Some("init") => Some("init"),
        Some("main") if file.package_name() == "main" => Some("main"),
        _ => None,
    }
}

/// Whether `node` is a statement of the program's `main` function or of an
/// `init` function itself: unlike [`in_main_or_init`], a function literal
/// inside them (a goroutine, a handler) is not.
pub fn in_main_or_init_itself(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<&'static str> {
    let func = crate::engine::scope::enclosing_function(node)?;
    if func.kind() != "function_declaration" || func.parent()?.kind() != "source_file" {
        return None;
    }
    in_main_or_init(file, node)
}

/// Whether `node` is test code: in a `_test.go` file or the `testing`
/// package, or in a function that
/// takes a `*testing.T`, `*testing.B`, `*testing.F` or `testing.TB`.
pub fn in_test_code(file: &FileContext<'_>, node: &GoNode<'_>) -> bool {
    // The test framework itself (package testing) is test code too.
    if file.is_test_file() || file.package_name() == "testing" {
        return true;
    }
    node.ancestors()
        .filter(is_function)
        .any(|f| testing_param(&f).is_some())
}

/// The testing type (`T`, `B`, `F`, `TB`) a function takes, if any.
pub fn testing_param(func: &GoNode<'_>) -> Option<String> {
    let params = func.field("parameters")?;
    let found = params.named_children().find_map(|p| {
        let ty = p.field("type")?;
        let text = ty.text();
        let t = text.trim_start_matches('*');
        let (pkg, name) = t.split_once('.')?;
        (pkg == "testing" && matches!(name, "T" | "B" | "F" | "TB")).then(|| name.to_string())
    });
    found
}

/// The loop (`for_statement`) whose body's statements include `stmt` directly.
pub fn loop_of<'r>(stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    block_owner(stmt).filter(|o| o.kind() == "for_statement")
}

/// The closest loop around `node`, not crossing a function boundary.
pub fn enclosing_loop<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    for a in node.ancestors() {
        match &*a.kind() {
            "for_statement" => return Some(a),
            _ if is_function(&a) => return None,
            _ => {}
        }
    }
    None
}

/// `x.M()` as a statement: the method name `M`, with the receiver text.
pub fn method_call(stmt: &GoNode<'_>) -> Option<(String, String)> {
    let expr = if stmt.kind() == "expression_statement" {
        stmt.named_children().next()?
    } else {
        stmt.clone()
    };
    if expr.kind() != "call_expression" {
        return None;
    }
    let f = expr.field("function")?;
    if f.kind() != "selector_expression" {
        return None;
    }
    Some((
        f.field("operand")?.text().to_string(),
        f.field("field")?.text().to_string(),
    ))
}

/// Whether `node` contains a call of `path.name` for any of `names`.
pub fn calls_any(file: &FileContext<'_>, node: &GoNode<'_>, path: &str, names: &[&str]) -> bool {
    node.dfs()
        .filter(|n| n.kind() == "call_expression")
        .any(|c| names.iter().any(|name| file.is_pkg_call(&c, path, name)))
}

/// Whether `node` receives from a channel (`<-ch`).
pub fn is_receive(node: &GoNode<'_>) -> bool {
    node.kind() == "unary_expression" && node.field("operator").is_some_and(|o| o.text() == "<-")
}

/// Whether evaluating `expr` can have side effects: calls (other than the
/// pure built-ins `len` and `cap`) and channel receives.
pub fn has_side_effects(expr: &GoNode<'_>) -> bool {
    expr.dfs().any(|n| match &*n.kind() {
        "call_expression" => !n
            .field("function")
            .is_some_and(|f| f.kind() == "identifier" && matches!(&*f.text(), "len" | "cap")),
        "unary_expression" => is_receive(&n),
        _ => false,
    })
}

/// Why a fix that deletes a use of the package at `path` must only report:
/// under a dot-import the import may be left unused, and counting its other
/// uses needs type information.
pub fn dot_import_blocks_removal(file: &FileContext<'_>, path: &str) -> Option<String> {
    (file.imports.local_name(path) == Some(&crate::engine::imports::LocalName::Dot)).then(|| {
        format!("`{path}` is dot-imported; deleting the call could leave the import unused, which needs a human to check")
    })
}

/// Whether `expr` mentions a local variable whose only other mention in the
/// function is its declaration: deleting `stmt` (which holds `expr`) would
/// leave it "declared and not used".
fn only_use_of_a_local(expr: &GoNode<'_>, stmt: &GoNode<'_>) -> bool {
    let Some(func) = crate::engine::scope::enclosing_function(stmt) else {
        return false;
    };
    let skip = stmt.range();
    expr.dfs().filter(|n| n.kind() == "identifier").any(|id| {
        let name = id.text();
        if !crate::engine::scope::is_shadowed(&id, &name) || is_parameter(&id, &name) {
            return false;
        }
        let mentions = func
            .dfs()
            .filter(|n| {
                n.kind() == "identifier"
                    && n.text() == name
                    && !(skip.start <= n.range().start && n.range().end <= skip.end)
            })
            .count();
        mentions < 2
    })
}

/// The `if` statement whose `else` branch is the `if` statement `node`.
pub fn else_branch_of<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let parent = node.parent()?;
    (parent.kind() == "if_statement"
        && parent
            .field("alternative")
            .is_some_and(|a| a.range() == node.range()))
    .then_some(parent)
}

/// Whether `name` at `node` is a parameter (or result) of an enclosing
/// function: an unused parameter is not an error in Go.
fn is_parameter(node: &GoNode<'_>, name: &str) -> bool {
    node.ancestors().filter(is_function).any(|f| {
        ["parameters", "result", "receiver"]
            .iter()
            .filter_map(|k| f.field(k))
            .any(|params| {
                params
                    .dfs()
                    .filter(|n| {
                        matches!(
                            &*n.kind(),
                            "parameter_declaration" | "variadic_parameter_declaration"
                        )
                    })
                    .any(|p| p.field_children("name").any(|n| n.text() == name))
            })
    })
}

/// Deletes a statement that only calls something. When it is the only
/// statement of an `if` with no `else` whose condition (and initializer) has
/// no side effects, the whole `if` goes: an empty branch is noise.
pub fn remove_call_statement(src: &str, stmt: &GoNode<'_>) -> crate::engine::edit::TextEdit {
    use crate::engine::edit::{remove_statement, remove_statement_range};
    if sibling_statements(stmt).len() == 1 {
        if let Some(owner) = block_owner(stmt) {
            let removable_if = owner.kind() == "if_statement"
                && owner.field("alternative").is_none()
                && owner.field("initializer").is_none()
                && owner
                    .field("condition")
                    .is_some_and(|c| !has_side_effects(&c) && !only_use_of_a_local(&c, &owner));
            if removable_if {
                let r = owner.range();
                // `} else if cond { stmt }`: the whole `else if` goes, and the
                // `}` before it ends the chain. Deleting only the inner `if`
                // would leave a bare `else` that captures the next statement.
                if let Some(outer) = else_branch_of(&owner) {
                    let end_of_then = outer
                        .field("consequence")
                        .map_or(r.start, |c| c.range().end);
                    return crate::engine::edit::TextEdit::delete(end_of_then..r.end);
                }
                return remove_statement_range(src, r.start, r.end);
            }
        }
    }
    remove_statement(src, stmt)
}

/// Calls in `func`'s body, not inside nested function literals.
pub fn own_calls<'r>(func: &GoNode<'r>) -> Vec<GoNode<'r>> {
    let Some(body) = func.field("body") else {
        return Vec::new();
    };
    body.dfs()
        .filter(|n| {
            n.kind() == "call_expression"
                && crate::engine::scope::enclosing_function(n)
                    .is_some_and(|f| f.range() == func.range())
        })
        .collect()
}

/// The packages that wrap system calls.
pub const SYSCALL_PKGS: &[&str] = &["syscall", "golang.org/x/sys/unix"];

/// Whether `call` is a raw system call (`syscall.Syscall(SYS_X, ...)` and
/// friends) whose number is one of `numbers`.
pub fn raw_syscall_of(file: &FileContext<'_>, call: &GoNode<'_>, numbers: &[&str]) -> bool {
    const RAW: &[&str] = &["Syscall", "Syscall6", "RawSyscall", "RawSyscall6"];
    let raw = SYSCALL_PKGS
        .iter()
        .any(|p| RAW.iter().any(|r| file.is_pkg_call(call, p, r)));
    raw && call
        .field("arguments")
        .and_then(|a| a.named_children().next())
        .is_some_and(|n| {
            SYSCALL_PKGS
                .iter()
                .any(|p| numbers.iter().any(|s| file.is_pkg_member(&n, p, s)))
        })
}

/// Like [`in_main_or_init`], but only for the function's own statements: a
/// function literal inside `main` (a handler it registers, a goroutine it
/// starts) runs on other paths and is not `main` itself.
pub fn in_main_or_init_body(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<&'static str> {
    let func = crate::engine::scope::enclosing_function(node)?;
    if func.kind() != "function_declaration" {
        return None;
    }
    in_main_or_init(file, &func)
}

/// The `if` statements around `node`, innermost first, up to its function.
pub fn guarding_ifs<'r>(node: &GoNode<'r>) -> Vec<GoNode<'r>> {
    let mut out = Vec::new();
    let mut child = node.clone();
    for a in node.ancestors() {
        match &*a.kind() {
            _ if is_function(&a) => break,
            "if_statement" => {
                // Only the branches guard; a call in the condition is not guarded.
                let in_branch = ["consequence", "alternative"]
                    .iter()
                    .filter_map(|f| a.field(f))
                    .any(|b| b.range() == child.range());
                if in_branch {
                    out.push(a.clone());
                }
            }
            _ => {}
        }
        child = a;
    }
    out
}

/// The first `if` around `node` (in its function) whose condition is a
/// switch rather than a computation: a package-level variable, a field, a
/// parameter, or one of those compared with a constant or masked with a
/// flag (`if debugGC`, `if !cfg.gc`, `if mode == CollectAlways`,
/// `if flags&gcFlag != 0`). Counters and arithmetic (`i%1000 == 0`,
/// `n > 0`) are no switch.
pub fn switch_guard<'r>(node: &GoNode<'r>) -> Option<(GoNode<'r>, String)> {
    guarding_ifs(node).into_iter().find_map(|g| {
        let cond = g.field("condition")?;
        switch_in(&cond).map(|name| (g, name))
    })
}

/// The switch an `if` condition tests, if it is one (see [`switch_guard`]).
fn switch_in(cond: &GoNode<'_>) -> Option<String> {
    match &*cond.kind() {
        "parenthesized_expression" => switch_in(&cond.named_children().next()?),
        "unary_expression" => {
            let op = cond.field("operator")?;
            (op.text() == "!")
                .then(|| cond.field("operand"))?
                .and_then(|o| switch_in(&o))
        }
        "binary_expression" => {
            let op = cond.field("operator")?.text().to_string();
            let (l, r) = (cond.field("left")?, cond.field("right")?);
            match op.as_str() {
                "&&" | "||" => switch_in(&l).or_else(|| switch_in(&r)),
                "==" | "!=" => {
                    let masked = |e: &GoNode<'_>| {
                        e.kind() == "binary_expression"
                            && e.field("operator").is_some_and(|o| o.text() == "&")
                            && e.field("left").and_then(|x| switch_operand(&x)).is_some()
                    };
                    if masked(&l) {
                        return l.field("left").and_then(|x| switch_operand(&x));
                    }
                    let s = switch_operand(&l)?;
                    is_constant_like(&r).then_some(s)
                }
                _ => None,
            }
        }
        _ => switch_operand(cond),
    }
}

/// A package-level variable, a parameter, or a field (`cfg.debug`,
/// `s.opts.collect`): something set once, elsewhere, to choose a behaviour.
fn switch_operand(e: &GoNode<'_>) -> Option<String> {
    match &*e.kind() {
        "identifier" => {
            let name = e.text().to_string();
            let local = crate::engine::scope::is_shadowed(e, &name);
            (!local || is_parameter(e, &name)).then_some(name)
        }
        "selector_expression" => {
            let mut cur = e.clone();
            while cur.kind() == "selector_expression" {
                cur = cur.field("operand")?;
            }
            (cur.kind() == "identifier").then(|| e.text().to_string())
        }
        _ => None,
    }
}

/// A literal, or a name that is not a local variable (a constant such as
/// `GC` or `pkg.Mode`).
fn is_constant_like(e: &GoNode<'_>) -> bool {
    match &*e.kind() {
        "true"
        | "false"
        | "nil"
        | "int_literal"
        | "interpreted_string_literal"
        | "raw_string_literal"
        | "rune_literal" => true,
        "identifier" => !crate::engine::scope::is_shadowed(e, &e.text()),
        "selector_expression" => e.field("operand").is_some_and(|o| {
            o.kind() == "identifier" && !crate::engine::scope::is_shadowed(&o, &o.text())
        }),
        _ => false,
    }
}

/// A local flag that makes the call around `node` happen once per round: an
/// `if` on a local bool that the same branch sets again (`if first { first
/// = false; ... }`). Returns the flag's name.
pub fn once_flag(node: &GoNode<'_>) -> Option<String> {
    guarding_ifs(node).into_iter().find_map(|g| {
        let cond = g.field("condition")?;
        let flag = match &*cond.kind() {
            "identifier" => cond.clone(),
            "unary_expression" if cond.field("operator").is_some_and(|o| o.text() == "!") => {
                cond.field("operand").filter(|o| o.kind() == "identifier")?
            }
            _ => return None,
        };
        let name = flag.text().to_string();
        if !crate::engine::scope::is_shadowed(&flag, &name) || is_parameter(&flag, &name) {
            return None;
        }
        let branch = g.field("consequence")?;
        let resets = branch.dfs().any(|n| {
            n.kind() == "assignment_statement"
                && n.field("operator").is_some_and(|o| o.text() == "=")
                && n.field("left").is_some_and(|l| l.text() == name)
                && n.field("right")
                    .is_some_and(|r| matches!(&*r.text(), "true" | "false"))
        });
        resets.then_some(name)
    })
}

/// The edits that delete the call statement `stmt` and whatever it alone
/// kept alive: an `if` (or `else`) left empty, and a local counter that
/// only that `if` read. `Err` says, in one sentence, why it cannot be done
/// cleanly: the `if` has an `else`, an initializer or a condition with side
/// effects; a variable it reads would be left unused and is more than a
/// counter; the comment above speaks of the call and of the statements that
/// stay. `subject` names what the call does, to tell which comments are
/// about it (see [`comment_fate`]).
pub fn remove_call_statement_cleanly(
    src: &str,
    stmt: &GoNode<'_>,
    subject: &[&str],
) -> Result<Vec<crate::engine::edit::TextEdit>, String> {
    use crate::engine::edit::{remove_statement_range, TextEdit};
    let mut target = stmt.clone();
    let mut conditions = Vec::new();
    let mut else_edit: Option<TextEdit> = None;
    while sibling_statements(&target).len() == 1 {
        let Some(owner) = block_owner(&target) else {
            break;
        };
        if owner.kind() != "if_statement" {
            break;
        }
        let in_else = owner.field("alternative").is_some_and(|a| {
            a.range().start <= target.range().start && target.range().end <= a.range().end
        });
        if in_else {
            // `if c { ... } else { stmt }`: the `else` goes, the rest stays.
            let end_of_then = owner.field("consequence").map(|c| c.range().end);
            let alt = owner.field("alternative").map(|a| a.range().end);
            if let (Some(s), Some(e)) = (end_of_then, alt) {
                else_edit = Some(TextEdit::delete(s..e));
            }
            break;
        }
        if owner.field("alternative").is_some() {
            return Err(
                "removing it would leave an empty branch before an `else`, which needs rewording by hand"
                    .into(),
            );
        }
        if owner.field("initializer").is_some() {
            return Err(
                "the `if` around it would be left empty, and its initializer has to be kept or moved by hand"
                    .into(),
            );
        }
        let Some(cond) = owner.field("condition") else {
            break;
        };
        if has_side_effects(&cond) {
            return Err(
                "the `if` around it would be left empty, and its condition has side effects that must stay"
                    .into(),
            );
        }
        conditions.push(cond);
        target = owner;
    }
    let mut removed = Vec::new();
    if else_edit.is_none() {
        removed.push(target.clone());
        for cond in &conditions {
            for name in local_names(cond) {
                if let Some(stmts) = counter_statements(&name, &target)? {
                    removed.extend(stmts);
                }
            }
        }
    }
    removed.sort_by_key(|n| n.range().start);
    removed.dedup_by_key(|n| n.range().start);
    let is_removed = |n: &GoNode<'_>| removed.iter().any(|r| r.range() == n.range());
    for s in removed.iter().filter(|_| else_edit.is_none()) {
        let emptied = sibling_statements(s).iter().all(is_removed);
        let owner = block_owner(s).map(|o| o.kind().to_string());
        if emptied
            && matches!(
                owner.as_deref(),
                Some(
                    "for_statement"
                        | "function_declaration"
                        | "method_declaration"
                        | "func_literal"
                )
            )
        {
            return Err("removing it would leave a loop or a function empty".into());
        }
    }
    let mut edits = Vec::new();
    if let Some(e) = else_edit {
        edits.push(e);
    } else if let Some(outer) = else_branch_of(&target) {
        // `} else if cond { stmt }`: the whole `else if` goes, and the `}`
        // before it ends the chain.
        let r = target.range();
        let end_of_then = outer
            .field("consequence")
            .map_or(r.start, |c| c.range().end);
        edits.push(TextEdit::delete(end_of_then..r.end));
        removed.remove(removed.iter().position(|n| n.range() == r).unwrap_or(0));
    }
    // Neighbouring statements go as one range, so the blank lines around
    // the hole are tidied once.
    let mut groups: Vec<(usize, usize, bool)> = Vec::new();
    for s in &removed {
        let keep_comment = match comment_fate(src, s, subject) {
            CommentFate::Goes => false,
            CommentFate::Stays => true,
            CommentFate::Unclear => {
                return Err(
                    "the comment above it speaks of the call and also of the statements after it; a human should reword it"
                        .into(),
                )
            }
        };
        let r = s.range();
        let adjacent = groups.last().is_some_and(|(_, end, _)| {
            prev_statement(s).is_some_and(|p| p.range().end == *end)
                && src[*end..r.start].trim().is_empty()
        });
        if adjacent {
            groups.last_mut().expect("non-empty").1 = r.end;
        } else {
            groups.push((r.start, r.end, keep_comment));
        }
    }
    edits.extend(groups.into_iter().map(|(s, e, keep_comment)| {
        if keep_comment && crate::engine::edit::owns_lines(src, s, e) {
            use crate::engine::edit::{line_end, line_start};
            TextEdit::delete(line_start(src, s)..line_end(src, e))
        } else {
            remove_statement_range(src, s, e)
        }
    }));
    Ok(edits)
}

/// What happens to the comment lines directly above a statement that goes.
enum CommentFate {
    /// They are about the statement alone: they go with it.
    Goes,
    /// They describe the paragraph that goes on after it: they stay.
    Stays,
    /// They speak of the call and of more: nobody can tell.
    Unclear,
}

/// The comment lines directly above `stmt` belong to it alone when the
/// paragraph ends with it (a blank line or the block's `}` follows), or when
/// a single line speaks of the call (`subject` words or the fairness
/// belief). A comment over a paragraph that goes on and does not speak of
/// the call describes the statements that stay, and stays. A block of
/// several lines that speaks of the call over a paragraph that goes on is
/// unclear.
fn comment_fate(src: &str, stmt: &GoNode<'_>, subject: &[&str]) -> CommentFate {
    use crate::engine::edit::{line_end, line_start};
    let r = stmt.range();
    let mut lines = Vec::new();
    let mut at = line_start(src, r.start);
    while at > 0 {
        let prev = line_start(src, at - 1);
        let text = src[prev..at].trim();
        if text.starts_with("//") {
            lines.push(text.trim_start_matches('/').trim());
            at = prev;
        } else {
            break;
        }
    }
    if lines.is_empty() {
        return CommentFate::Goes;
    }
    let next = line_end(src, r.end);
    let following = src[next..line_end(src, next)].trim();
    if following.is_empty()
        || following.starts_with('}')
        || following.starts_with("case ")
        || following.starts_with("default:")
    {
        return CommentFate::Goes;
    }
    lines.reverse();
    let text = lines.join(" ");
    match (super::intent::speaks_of_call(&text, subject), lines.len()) {
        (false, _) => CommentFate::Stays,
        (true, 1) => CommentFate::Goes,
        (true, _) => CommentFate::Unclear,
    }
}

/// The identifiers in `expr` that name local variables (not parameters).
fn local_names(expr: &GoNode<'_>) -> Vec<String> {
    let mut out: Vec<String> = expr
        .dfs()
        .filter(|n| n.kind() == "identifier")
        .filter(|id| {
            let name = id.text();
            crate::engine::scope::is_shadowed(id, &name) && !is_parameter(id, &name)
        })
        .map(|id| id.text().to_string())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// For a local `name` read in `removed` (a statement about to go): `None`
/// when it is still read elsewhere, so it stays; the statements to delete
/// with it when all it has left are its declaration and updates (`n := 0`,
/// `n++`, `n += k`); `Err` when it would be left unused and those cannot be
/// deleted cleanly.
fn counter_statements<'r>(
    name: &str,
    removed: &GoNode<'r>,
) -> Result<Option<Vec<GoNode<'r>>>, String> {
    let Some(func) = crate::engine::scope::enclosing_function(removed) else {
        return Ok(None);
    };
    let skip = removed.range();
    let unclean = || {
        Err(format!(
            "`{name}` exists only for the `if` that would go with it, and cannot be deleted cleanly"
        ))
    };
    // Each remaining mention is a read (None) or a write by a statement.
    let mut writes = Vec::new();
    for id in func.dfs().filter(|n| {
        n.kind() == "identifier"
            && n.text() == name
            && !(skip.start <= n.range().start && n.range().end <= skip.end)
    }) {
        let Some(parent) = id.parent() else {
            return Ok(None);
        };
        let statement = match &*parent.kind() {
            "inc_statement" | "dec_statement" => Some(parent.clone()),
            "expression_list" => parent.parent().filter(|s| {
                matches!(
                    &*s.kind(),
                    "assignment_statement" | "short_var_declaration" | "range_clause"
                ) && s.field("left").is_some_and(|l| l.range() == parent.range())
            }),
            "var_spec"
                if parent
                    .field_children("name")
                    .any(|n| n.range() == id.range()) =>
            {
                parent.parent().filter(|d| d.kind() == "var_declaration")
            }
            "parameter_declaration" => Some(parent.clone()),
            _ => None,
        };
        match statement {
            Some(st) => writes.push(st),
            // Any other mention reads it: it stays in use.
            None => return Ok(None),
        }
    }
    let declarations = writes
        .iter()
        .filter(|s| matches!(&*s.kind(), "short_var_declaration" | "var_declaration"))
        .count();
    if declarations != 1 {
        return unclean();
    }
    for statement in &writes {
        // Only a lone name with a plain value, as a statement of its own, can go.
        let lone = match &*statement.kind() {
            "inc_statement" | "dec_statement" => true,
            "var_declaration" => {
                let specs: Vec<_> = statement.named_children().collect();
                specs.len() == 1
                    && specs[0].field_children("name").count() == 1
                    && specs[0]
                        .field("value")
                        .is_none_or(|v| !has_side_effects(&v))
            }
            "assignment_statement" | "short_var_declaration" => {
                statement
                    .field("left")
                    .is_some_and(|l| l.named_children().count() == 1)
                    && statement
                        .field("right")
                        .is_some_and(|r| !has_side_effects(&r))
            }
            _ => false,
        };
        let own_statement = statement
            .parent()
            .is_some_and(|p| p.kind() == "statement_list")
            && sibling_statements(statement).len() > 1;
        if !lone || !own_statement {
            return unclean();
        }
    }
    Ok(Some(writes))
}

/// The value of an integer literal, or of a constant declared in the
/// function or at package level as one.
pub fn int_value(n: &GoNode<'_>) -> Option<usize> {
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

/// Whether the variable `name` is assigned or appended to anywhere in its
/// function or, for a package variable, in the file.
pub fn assigned_anywhere<'r>(file: &FileContext<'r>, name: &GoNode<'r>) -> bool {
    let scope = if is_shadowed(name, &name.text()) {
        top_level(name)
    } else {
        Some(file.whole_root().root())
    };
    let Some(scope) = scope else {
        return true;
    };
    let text = name.text().to_string();
    let found = scope.dfs().any(|n| {
        matches!(&*n.kind(), "assignment_statement")
            && n.field("left")
                .is_some_and(|l| l.named_children().any(|t| t.text() == text.as_str()))
    });
    found
}

#[cfg(test)]
mod removal_tests {
    use super::*;
    use crate::engine::edit::apply_edits;
    use crate::engine::golang::parse;

    fn call_stmt<'r>(root: &'r crate::engine::golang::GoRoot, callee: &str) -> GoNode<'r> {
        root.root()
            .dfs()
            .find(|n| {
                n.kind() == "expression_statement"
                    && n.named_children()
                        .next()
                        .and_then(|c| c.field("function"))
                        .is_some_and(|f| f.text() == callee)
            })
            .expect("the call")
    }

    fn removed(src: &str) -> Result<String, String> {
        let root = parse(src);
        let stmt = call_stmt(&root, "y");
        remove_call_statement_cleanly(src, &stmt, &["yield"]).map(|e| apply_edits(src, &e))
    }

    fn body(code: &str) -> String {
        format!("package p\n\nfunc f(xs []int) int {{\n{code}}}\n")
    }

    #[test]
    fn a_counter_goes_with_its_if() {
        let src = body("\tn := 0\n\tfor range xs {\n\t\tn++\n\t\tif n%8 == 0 {\n\t\t\ty()\n\t\t}\n\t\tz()\n\t}\n\treturn 0\n");
        let want = body("\tfor range xs {\n\t\tz()\n\t}\n\treturn 0\n");
        assert_eq!(removed(&src).unwrap(), want);
    }

    #[test]
    fn a_counter_that_is_read_stays() {
        let src = body("\tn := 0\n\tfor range xs {\n\t\tn++\n\t\tif n%8 == 0 {\n\t\t\ty()\n\t\t}\n\t}\n\treturn n\n");
        let want = body("\tn := 0\n\tfor range xs {\n\t\tn++\n\t}\n\treturn n\n");
        assert_eq!(removed(&src).unwrap(), want);
    }

    #[test]
    fn unclean_removals_are_refused() {
        // A condition with a side effect.
        let src =
            body("\tfor range xs {\n\t\tif g() {\n\t\t\ty()\n\t\t}\n\t\tz()\n\t}\n\treturn 0\n");
        assert!(removed(&src).unwrap_err().contains("side effects"));
        // A then-branch before an else.
        let src = body("\tfor _, x := range xs {\n\t\tif x > 0 {\n\t\t\ty()\n\t\t} else {\n\t\t\tz()\n\t\t}\n\t}\n\treturn 0\n");
        assert!(removed(&src).unwrap_err().contains("else"));
        // A variable declared with others, read only by the condition.
        let src = body("\ta, b := 1, 2\n\tif a > b {\n\t\ty()\n\t}\n\treturn 0\n");
        assert!(removed(&src).unwrap_err().contains("cleanly"));
        // The loop would be left empty.
        let src = body("\tn := 0\n\tfor range xs {\n\t\tn++\n\t\tif n%8 == 0 {\n\t\t\ty()\n\t\t}\n\t}\n\treturn 0\n");
        assert!(removed(&src).unwrap_err().contains("empty"));
    }

    #[test]
    fn an_else_that_empties_goes() {
        let src = body("\tfor _, x := range xs {\n\t\tif x > 0 {\n\t\t\tz()\n\t\t} else {\n\t\t\ty()\n\t\t}\n\t}\n\treturn 0\n");
        let want =
            body("\tfor _, x := range xs {\n\t\tif x > 0 {\n\t\t\tz()\n\t\t}\n\t}\n\treturn 0\n");
        assert_eq!(removed(&src).unwrap(), want);
    }

    #[test]
    fn comments_go_or_stay_by_what_they_describe() {
        // About the call, at the end of its paragraph: goes.
        let src = body("\tfor range xs {\n\t\tz()\n\t\t// yield now\n\t\ty()\n\t}\n\treturn 0\n");
        assert_eq!(
            removed(&src).unwrap(),
            body("\tfor range xs {\n\t\tz()\n\t}\n\treturn 0\n")
        );
        // Over a paragraph that goes on, not about the call: stays.
        let src =
            body("\tfor range xs {\n\t\t// store and count\n\t\ty()\n\t\tz()\n\t}\n\treturn 0\n");
        assert_eq!(
            removed(&src).unwrap(),
            body("\tfor range xs {\n\t\t// store and count\n\t\tz()\n\t}\n\treturn 0\n")
        );
        // Several lines about the call and more: a human rewords it.
        let src = body("\tfor range xs {\n\t\t// yield first,\n\t\t// then store\n\t\ty()\n\t\tz()\n\t}\n\treturn 0\n");
        assert!(removed(&src).unwrap_err().contains("reword"));
    }

    fn guard_of(src: &str) -> Option<String> {
        let root = parse(src);
        switch_guard(&call_stmt(&root, "y")).map(|(_, s)| s)
    }

    #[test]
    fn switches_and_computations() {
        let wrap = |cond: &str| {
            format!("package p\n\nvar on bool\n\nconst K = 1\n\nfunc f(m int, xs []int) {{\n\tn := len(xs)\n\tif {cond} {{\n\t\ty()\n\t}}\n\t_ = n\n}}\n")
        };
        assert_eq!(guard_of(&wrap("on")).as_deref(), Some("on"));
        assert_eq!(guard_of(&wrap("!on")).as_deref(), Some("on"));
        assert_eq!(guard_of(&wrap("m == K")).as_deref(), Some("m"));
        assert_eq!(guard_of(&wrap("s.cfg.gc")).as_deref(), Some("s.cfg.gc"));
        assert_eq!(guard_of(&wrap("m&K != 0")).as_deref(), Some("m"));
        assert_eq!(guard_of(&wrap("n > 0")), None);
        assert_eq!(guard_of(&wrap("n%100 == 0")), None);
        assert_eq!(guard_of(&wrap("n == K")), None);
    }

    #[test]
    fn once_flags() {
        let src = "package p\n\nfunc f(next func() bool) {\n\tfirst := true\n\tfor next() {\n\t\tif first {\n\t\t\tfirst = false\n\t\t\ty()\n\t\t}\n\t}\n}\n";
        let root = parse(src);
        assert_eq!(once_flag(&call_stmt(&root, "y")).as_deref(), Some("first"));
        let src = "package p\n\nfunc f(next func() bool) {\n\tok := true\n\tfor next() {\n\t\tif ok {\n\t\t\ty()\n\t\t}\n\t}\n}\n";
        let root = parse(src);
        assert_eq!(once_flag(&call_stmt(&root, "y")), None);
    }
}
