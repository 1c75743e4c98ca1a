//! `library-gomaxprocs`: a library's `init` that sets `runtime.GOMAXPROCS`,
//! and `runtime.GOMAXPROCS(runtime.NumCPU())` anywhere.

use std::ops::Range;

use crate::engine::edit::{line_start, remove_statement_range};
use crate::engine::golang::GoNode;
use crate::engine::scope::{declared_names, declares, enclosing_function, is_shadowed};
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::{
    block_owner, call_statement, dot_import_blocks_removal, is_receive, sibling_statements,
};

pub struct LibraryGomaxprocs;

impl RecipeLogic for LibraryGomaxprocs {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        // `$N` of the rule's `runtime.GOMAXPROCS($N)`.
        let arg = cx.m.get_env().get_match("N")?;
        if only_reads(arg) {
            return None;
        }
        let to_numcpu = is_numcpu(file, arg);
        let func = enclosing_function(&call)?;
        let func_name = (func.kind() == "function_declaration")
            .then(|| func.field("name").map(|n| n.text().to_string()))
            .flatten();
        let in_init = func_name.as_deref() == Some("init");
        let library_init = in_init && file.package_name() != "main";
        if !to_numcpu && !library_init {
            // A program's own choice, or a function callers call on purpose.
            return None;
        }
        let Some(stmt) = call_statement(&call).filter(|s| s.kind() == "expression_statement")
        else {
            return Some(cx.report(
                "its result is used, or it is deferred or started as a goroutine: the statement cannot just go",
            ));
        };
        if let Some(why) = dot_import_blocks_removal(file, "runtime") {
            return Some(cx.report(&why));
        }
        if to_numcpu {
            if let Some(why) = restores_other_setting(file, &call, &func) {
                return Some(cx.report(&why));
            }
        }
        let body = func.field("body")?;
        let removed = match removal_range(file, &stmt) {
            Ok(r) => r,
            Err(why) => return Some(cx.report(&why)),
        };
        // An `init` left with nothing to do, or that only computes values
        // for GOMAXPROCS, goes as a whole.
        let init_empties = in_init
            && body
                .children()
                .find(|n| n.kind() == "statement_list")
                .is_none_or(|list| {
                    list.named_children()
                        .filter(|s| s.kind() != "comment")
                        .all(|s| within(&s.range(), &removed))
                });
        let remove_init = |f: &GoNode| {
            let r = f.range();
            let mut edit = remove_statement_range(file.source, r.start, r.end);
            // At the end of the file, the blank line that separated the
            // declaration goes too.
            let src = file.source;
            if edit.range.end == src.len()
                && edit.range.start > 0
                && src[line_start(src, edit.range.start - 1)..edit.range.start]
                    .trim()
                    .is_empty()
            {
                edit.range.start = line_start(src, edit.range.start - 1);
            }
            Some(cx.fix(Fix {
                edits: vec![edit],
                add_imports: Vec::new(),
            }))
        };
        if init_empties || (in_init && init_is_pure(file, &body)) {
            return remove_init(&func);
        }
        if let Some(name) = orphaned_local(&body, std::slice::from_ref(&removed)) {
            return Some(cx.report(&format!(
                "removing it would leave `{name}` unused; the code that computes the value needs a human"
            )));
        }
        Some(cx.fix(Fix {
            edits: vec![remove_statement_range(
                file.source,
                removed.start,
                removed.end,
            )],
            add_imports: Vec::new(),
        }))
    }
}

/// Whether `call` is a `GOMAXPROCS(n)` call: through this file's imports, or
/// spelled `runtime.GOMAXPROCS` in another file of the package.
fn is_gomaxprocs(file: &FileContext<'_>, call: &GoNode<'_>, this_file: bool) -> bool {
    if this_file {
        return file.is_pkg_call(call, "runtime", "GOMAXPROCS");
    }
    call.field("function")
        .is_some_and(|f| f.text() == "runtime.GOMAXPROCS")
}

/// TRUST.md M1: when the same function, or another function of the
/// package, sets GOMAXPROCS to some other value, `GOMAXPROCS(NumCPU())` is
/// the way back from it (or the other branch of one choice), not a stray
/// override: why, if so.
fn restores_other_setting(
    file: &FileContext<'_>,
    call: &GoNode<'_>,
    func: &GoNode<'_>,
) -> Option<String> {
    let sets_other = |n: &GoNode<'_>, this_file: bool| {
        n.kind() == "call_expression"
            && n.range() != call.range()
            && is_gomaxprocs(file, n, this_file)
            && n.field("arguments").is_some_and(|a| {
                let args: Vec<GoNode> = a
                    .named_children()
                    .filter(|x| x.kind() != "comment")
                    .collect();
                matches!(args.as_slice(), [x] if !only_reads(x) && !is_numcpu(file, x))
            })
    };
    if func.dfs().any(|n| sets_other(&n, true)) {
        return Some("the same function also sets GOMAXPROCS to another value, so this call is one of its choices or undoes the other; removing it would leave that setting in force".into());
    }
    // The package's declarations start with this file's own.
    let own = file.whole_root().root().children().count();
    let elsewhere = file.package_decls().iter().enumerate().find_map(|(i, d)| {
        let this_file = i < own;
        d.dfs()
            .any(|n| sets_other(&n, this_file))
            .then(|| d.field("name").map(|n| n.text().to_string()))
            .flatten()
    });
    elsewhere.map(|name| format!("`{name}` sets GOMAXPROCS to another value, so this call may be what restores the default after it; removing it would leave that setting in force"))
}

/// `GOMAXPROCS(0)` (or a negative constant) only reads the setting.
fn only_reads(arg: &GoNode<'_>) -> bool {
    let text = arg.text();
    let t = text.trim_matches(|c| c == '(' || c == ')' || c == ' ');
    t == "0" || (t.starts_with('-') && t[1..].trim().chars().all(|c| c.is_ascii_digit()))
}

/// Whether `arg` is `runtime.NumCPU()` (parentheses allowed).
fn is_numcpu(file: &FileContext<'_>, arg: &GoNode<'_>) -> bool {
    let mut a = arg.clone();
    while a.kind() == "parenthesized_expression" {
        let inner = a.named_children().find(|c| c.kind() != "comment");
        match inner {
            Some(inner) => a = inner,
            None => return false,
        }
    }
    file.is_pkg_call(&a, "runtime", "NumCPU")
        && a.field("arguments")
            .is_some_and(|x| x.named_children().next().is_none())
}

/// The bytes to remove for the statement. When it is the only statement of
/// a branch of an `if`, the branch goes with it: the whole `if` when it has
/// no `else`, the ` else { ... }` part of an `else` block, and an
/// `else if` without an `else` of its own (each when the conditions that go
/// have no side effects). Any other branch it would leave empty is a
/// report: the error says why.
fn removal_range(file: &FileContext<'_>, stmt: &GoNode<'_>) -> Result<Range<usize>, String> {
    if sibling_statements(stmt).len() != 1 {
        return Ok(stmt.range());
    }
    let Some(owner) = block_owner(stmt) else {
        return Ok(stmt.range());
    };
    if owner.kind() != "if_statement" {
        return Ok(stmt.range());
    }
    let block = stmt.parent().and_then(|l| l.parent());
    let is_alternative = owner
        .field("alternative")
        .zip(block.as_ref())
        .is_some_and(|(a, b)| a.range() == b.range());
    if is_alternative {
        // `if c { ... } else { stmt }`: the `else` goes.
        let consequence = owner.field("consequence").ok_or("no consequence")?;
        return Ok(consequence.range().end..owner.range().end);
    }
    let pure_header = owner.field("initializer").is_none_or(|i| is_pure(file, &i))
        && owner.field("condition").is_some_and(|c| is_pure(file, &c));
    if owner.field("alternative").is_none() && pure_header {
        return Ok(match super::util::else_branch_of(&owner) {
            // `... else if c { stmt }`: the `else if` goes.
            Some(outer) => {
                let consequence = outer.field("consequence").ok_or("no consequence")?;
                consequence.range().end..owner.range().end
            }
            None => owner.range(),
        });
    }
    Err("it is the only statement of a branch of an `if` that cannot go with it; removing it would leave an empty block".into())
}

fn within(inner: &Range<usize>, outer: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// Calls that read the environment or convert values and change nothing.
fn is_pure_call(file: &FileContext<'_>, call: &GoNode<'_>) -> bool {
    let Some(f) = call.field("function") else {
        return false;
    };
    if f.kind() == "identifier" {
        let name = f.text();
        return matches!(
            &*name,
            "len"
                | "cap"
                | "min"
                | "max"
                | "int"
                | "int32"
                | "int64"
                | "uint"
                | "float64"
                | "string"
        ) && !is_shadowed(&f, &name);
    }
    [
        ("runtime", "NumCPU"),
        ("runtime", "GOMAXPROCS"),
        ("os", "Getenv"),
        ("os", "LookupEnv"),
        ("strconv", "Atoi"),
        ("strconv", "ParseInt"),
        ("strconv", "ParseUint"),
    ]
    .iter()
    .any(|(path, name)| file.is_pkg_member(&f, path, name))
}

/// Whether evaluating `node` only computes: no calls other than pure ones,
/// no channel operations, no function literals.
fn is_pure(file: &FileContext<'_>, node: &GoNode<'_>) -> bool {
    node.dfs().all(|n| match &*n.kind() {
        "call_expression" => is_pure_call(file, &n),
        "unary_expression" => !is_receive(&n),
        "func_literal" | "send_statement" | "go_statement" | "defer_statement"
        | "goto_statement" => false,
        _ => true,
    })
}

/// Whether an `init` body does nothing but compute local values and set
/// GOMAXPROCS: every call pure, every assignment to a local of its own.
fn init_is_pure(file: &FileContext<'_>, body: &GoNode<'_>) -> bool {
    if !is_pure(file, body) {
        return false;
    }
    let mut locals = Vec::new();
    for n in body.dfs() {
        declared_names(&n, &mut locals);
    }
    body.dfs().all(|n| match &*n.kind() {
        "assignment_statement" => n.field("left").is_some_and(|l| {
            l.named_children()
                .all(|t| t.kind() == "identifier" && locals.contains(&t.text().to_string()))
        }),
        "inc_statement" | "dec_statement" => n
            .named_children()
            .all(|t| t.kind() == "identifier" && locals.contains(&t.text().to_string())),
        _ => true,
    })
}

/// Whether identifier `id` is a use of its variable for Go's "declared and
/// not used" check: declaring it, or assigning to it, is not.
fn is_use(id: &GoNode<'_>) -> bool {
    let Some(parent) = id.parent() else {
        return true;
    };
    match &*parent.kind() {
        "inc_statement" | "dec_statement" => false,
        "var_spec" => !parent
            .field_children("name")
            .any(|n| n.range() == id.range()),
        "expression_list" => {
            let Some(stmt) = parent.parent() else {
                return true;
            };
            let is_left = stmt
                .field("left")
                .is_some_and(|l| l.range() == parent.range());
            !(is_left
                && matches!(
                    &*stmt.kind(),
                    "short_var_declaration" | "assignment_statement" | "range_clause"
                ))
        }
        _ => true,
    }
}

/// A local variable of the function body `body` that the code in `removed`
/// uses and nothing else would use any more: removing that code would make
/// the program fail to compile ("declared and not used").
pub(super) fn orphaned_local(body: &GoNode<'_>, removed: &[Range<usize>]) -> Option<String> {
    let inside = |r: &Range<usize>| removed.iter().any(|x| within(r, x));
    let mut candidates: Vec<String> = Vec::new();
    for n in body.dfs() {
        if n.kind() == "identifier" && inside(&n.range()) && is_use(&n) {
            let t = n.text().to_string();
            if !candidates.contains(&t) {
                candidates.push(t);
            }
        }
    }
    for name in candidates {
        // Declared by a statement that stays?
        let declared_outside = body.dfs().any(|n| {
            if inside(&n.range()) {
                return false;
            }
            n.kind() != "parameter_declaration"
                && n.kind() != "parameter_list"
                && declares(&n, &name)
        });
        if !declared_outside {
            continue;
        }
        let used_elsewhere = body.dfs().any(|n| {
            n.kind() == "identifier" && n.text() == name && !inside(&n.range()) && is_use(&n)
        });
        if !used_elsewhere {
            return Some(name);
        }
    }
    None
}
