//! Questions about Go syntax that several recipes ask.

use crate::engine::golang::GoNode;
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
        .filter(|a| {
            matches!(
                &*a.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            )
        })
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
            "func_literal" | "function_declaration" | "method_declaration" => return None,
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

/// Whether evaluating `expr` can have side effects: calls (other than the
/// pure built-ins `len` and `cap`) and channel receives.
pub fn has_side_effects(expr: &GoNode<'_>) -> bool {
    expr.dfs().any(|n| match &*n.kind() {
        "call_expression" => !n
            .field("function")
            .is_some_and(|f| f.kind() == "identifier" && matches!(&*f.text(), "len" | "cap")),
        "unary_expression" => n.field("operator").is_some_and(|o| o.text() == "<-"),
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
    node.ancestors()
        .filter(|a| {
            matches!(
                &*a.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            )
        })
        .any(|f| {
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
