//! What a goroutine does, as far as the source and the package view show:
//! the code it runs (its literal and the package functions it reaches), the
//! calls in that code and what they are, whether it stays alive until
//! shutdown, whether it touches channels, whether it does I/O, and the state
//! around the statement that starts it (loops, locks held).
//!
//! Everything is syntactic. A call the package view cannot resolve is
//! [`CallTarget::Opaque`]: a recipe whose safety depends on it must report.

use std::collections::HashSet;

use super::util::{int_value, is_receive};
use crate::engine::golang::GoNode;
use crate::engine::package::Callee;
use crate::engine::scope::{
    declared_names, declared_within, enclosing_function, is_function, is_shadowed, top_level,
};
use crate::engine::FileContext;

// ---------------------------------------------------------------------------
// Loops

/// The outermost loop around `node` in the same function.
pub fn outermost_loop<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    let mut found = None;
    for a in node.ancestors() {
        if is_function(&a) {
            break;
        }
        if a.kind() == "for_statement" {
            found = Some(a);
        }
    }
    found
}

/// The expression a loop's size comes from: what a `range` goes over, or
/// the right side of a counter's condition.
pub fn loop_bound<'r>(lp: &GoNode<'r>) -> Option<GoNode<'r>> {
    if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
        return rc.field("right");
    }
    lp.children()
        .find(|c| c.kind() == "for_clause")
        .and_then(|fc| fc.field("condition"))
        .and_then(|c| c.field("right"))
}

/// The number of iterations of `for i := 0; i < K; i++` or `for range K`
/// when `K` is an integer literal.
pub fn constant_count(lp: &GoNode<'_>) -> Option<usize> {
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

/// Whether `node` sits in a function literal that is itself inside `scope`.
pub fn inside_literal_below(node: &GoNode<'_>, scope: &GoNode<'_>) -> bool {
    node.ancestors()
        .take_while(|a| a.range() != scope.range())
        .any(|a| a.kind() == "func_literal")
}

/// The variables a loop's clause declares.
pub fn loop_variables(lp: &GoNode<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for c in lp.children() {
        if matches!(&*c.kind(), "range_clause" | "for_clause") {
            declared_names(&c, &mut out);
        }
    }
    out
}

/// Whether `lp` is `for { ... }`: no clause and no condition.
pub fn is_bare_loop(lp: &GoNode<'_>) -> bool {
    lp.kind() == "for_statement"
        && lp
            .named_children()
            .all(|c| c.kind() == "block" || c.kind() == "comment")
}

/// The statements that leave the loop `lp`: a `break` that belongs to it
/// (unlabelled and not inside an inner loop, switch or select, or any
/// labelled one), a `return`, or a `goto`, not inside a nested literal.
pub fn loop_exits<'r>(lp: &GoNode<'r>) -> Vec<GoNode<'r>> {
    lp.dfs()
        .filter(|n| !inside_literal_below(n, lp))
        .filter(|n| match &*n.kind() {
            "return_statement" | "goto_statement" => true,
            "break_statement" => {
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
                    )
                });
                owner.is_some_and(|o| o.range() == lp.range())
            }
            _ => false,
        })
        .collect()
}

/// Names that signal shutdown when a loop waits on them.
const SHUTDOWN_SIGNALS: &[&str] = &[
    "done", "quit", "stop", "close", "closing", "exit", "shutdown", "cancel", "term", "ctx",
    "finish",
];

/// Why a loop in `code` runs until shutdown, if one does: `for {}` that no
/// `break` or `return` leaves, `for { select {...} }` waiting for a context
/// or done channel (or leaving only when the context is cancelled), or a
/// `range` over a channel. A bounded retry that breaks is no such loop.
pub fn long_lived_loop<'r>(file: &FileContext<'r>, code: &GoNode<'r>) -> Option<String> {
    for lp in code.dfs().filter(|n| n.kind() == "for_statement") {
        if let Some(rc) = lp.children().find(|c| c.kind() == "range_clause") {
            if rc.field("right").is_some_and(|r| is_channel_expr(file, &r)) {
                return Some(format!(
                    "ranges over channel `{}` until it is closed",
                    short(
                        &rc.field("right")
                            .map(|r| r.text().to_string())
                            .unwrap_or_default()
                    )
                ));
            }
            continue;
        }
        if !is_bare_loop(&lp) {
            continue;
        }
        let exits = loop_exits(&lp);
        if exits.is_empty() {
            return Some("runs a `for {}` loop that nothing leaves".into());
        }
        let waits_shutdown = lp
            .dfs()
            .filter(|n| n.kind() == "select_statement" && !inside_literal_below(n, &lp))
            .any(|s| {
                s.dfs()
                    .filter(|c| c.kind() == "communication_case")
                    .any(|c| c.field("communication").is_some_and(|x| names_shutdown(&x)))
            });
        if waits_shutdown {
            return Some("loops on a `select` until a context or done channel says to stop".into());
        }
        // Every way out is guarded by cancellation (`if ctx.Err() != nil`).
        let only_on_cancel = exits.iter().all(|e| {
            e.ancestors()
                .take_while(|a| a.range() != lp.range())
                .any(|a| {
                    a.kind() == "if_statement"
                        && a.field("condition").is_some_and(|c| {
                            let t = c.text();
                            t.contains(".Err()") || t.contains(".Done()")
                        })
                })
        });
        if only_on_cancel {
            return Some("loops until its context is cancelled".into());
        }
    }
    None
}

/// Whether a receive names a shutdown signal: `<-ctx.Done()`, `<-done`,
/// `<-s.quit`...
fn names_shutdown(comm: &GoNode<'_>) -> bool {
    let text = comm.text().to_lowercase();
    if !text.contains("<-") {
        return false;
    }
    let received = text.rsplit("<-").next().unwrap_or_default();
    words(received)
        .iter()
        .any(|w| SHUTDOWN_SIGNALS.iter().any(|s| w.starts_with(s)))
}

// ---------------------------------------------------------------------------
// Names

/// The lowercase words of an identifier: `runWorker` gives `run`, `worker`;
/// `ListenAndServe` gives `listen`, `and`, `serve`; `n_threads` gives `n`,
/// `threads`. Non-identifier characters separate words too.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !cur.is_empty()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a word of `name` is one of `roots`.
pub fn has_word(name: &str, roots: &[&str]) -> bool {
    words(name).iter().any(|w| roots.contains(&w.as_str()))
}

/// Calls whose name says they run until shutdown.
pub const LONG_RUNNING_NAMES: &[&str] = &["run", "serve", "loop", "listen", "watch"];

/// Names of work that stops or waits for something: a fan-out of these
/// is deliberate (the total time is the slowest one, not the sum).
pub const TEARDOWN_NAMES: &[&str] = &[
    "stop",
    "close",
    "shutdown",
    "teardown",
    "cancel",
    "drain",
    "terminate",
    "kill",
    "wait",
    "flush",
    "reload",
];

/// The root of `name` (lowercased) among `roots`, as a substring.
pub fn names_one_of<'a>(name: &str, roots: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    roots.iter().find(|r| lower.contains(*r)).copied()
}

fn short(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        format!("{}...", one_line.chars().take(40).collect::<String>())
    } else {
        one_line
    }
}

// ---------------------------------------------------------------------------
// Declarations and where values come from

/// The import path that the package name `name` stands for in the file
/// holding `node` (which may be another file of the package than the one
/// being examined, whose import table differs).
pub fn import_path_at(node: &GoNode<'_>, name: &str) -> Option<String> {
    let root = node.ancestors().find(|a| a.kind() == "source_file")?;
    let found = root
        .children()
        .filter(|d| d.kind() == "import_declaration")
        .flat_map(|d| {
            d.dfs()
                .filter(|n| n.kind() == "import_spec")
                .collect::<Vec<_>>()
        })
        .find_map(|spec| {
            let path = spec.field("path")?.text().trim_matches('"').to_string();
            let local = match spec.field("name") {
                Some(n) => n.text().to_string(),
                None => crate::engine::imports::default_name(&path).to_string(),
            };
            (local == name).then_some(path)
        });
    found
}

/// Whether an import path names a package of the standard library: its
/// first element has no dot, and it is not one of the Go tools' own
/// packages (`cmd/...`).
pub fn is_std_path(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or_default();
    !first.contains('.') && first != "cmd"
}

/// The standard-library package a type expression names: `pkg.T`, `*pkg.T`,
/// `[]pkg.T`, `map[K]pkg.T`...
pub fn std_type(ty: &GoNode<'_>) -> Option<String> {
    match &*ty.kind() {
        "qualified_type" => {
            let pkg = ty.field("package")?.text().to_string();
            let path = import_path_at(ty, &pkg)?;
            is_std_path(&path).then_some(path)
        }
        "pointer_type" | "parenthesized_type" | "slice_type" | "array_type" => {
            let elem = ty.field("element").or_else(|| ty.named_children().last())?;
            std_type(&elem)
        }
        "map_type" => std_type(&ty.field("value")?),
        "generic_type" => std_type(&ty.field("type")?),
        _ => None,
    }
}

/// The standard-library package a value visibly comes from: a variable
/// declared with such a type or from such a call, a package variable of it
/// (`http.DefaultClient`), a field of that type, or the result of such a
/// call.
pub fn std_origin<'r>(file: &FileContext<'r>, expr: &GoNode<'r>) -> Option<String> {
    std_origin_depth(file, expr, 4)
}

fn std_origin_depth<'r>(file: &FileContext<'r>, expr: &GoNode<'r>, depth: usize) -> Option<String> {
    if depth == 0 {
        return None;
    }
    let again = |e: &GoNode<'r>| std_origin_depth(file, e, depth - 1);
    match &*expr.kind() {
        "identifier" => {
            let name = expr.text().to_string();
            if !is_shadowed(expr, &name) {
                if let Some(path) = import_path_at(expr, &name) {
                    return is_std_path(&path).then_some(path);
                }
            }
            // Only declarations in this file's tree: the node's ancestors.
            let decl = crate::engine::package::local_declaration_in_file(expr, &name)?;
            if let Some(t) = &decl.ty {
                return std_type(t);
            }
            again(&decl.value?)
        }
        "selector_expression" => {
            let operand = expr.field("operand")?;
            if let Some(p) = again(&operand) {
                return Some(p);
            }
            let base = file.type_of(&operand)?;
            let field = expr.field("field")?.text().to_string();
            let ty = file.struct_field_type(&base, &field)?;
            std_type(&ty)
        }
        "call_expression" => {
            let f = expr.field("function")?;
            match file.resolve_call(expr) {
                Callee::Imported(path, _) => is_std_path(&path).then_some(path),
                Callee::Declared(d) => {
                    let result = d.field("result")?;
                    let first = if result.kind() == "parameter_list" {
                        result.named_children().next()?.field("type")?
                    } else {
                        result
                    };
                    std_type(&first)
                }
                _ if f.kind() == "selector_expression" => again(&f.field("operand")?),
                // A function variable: every value has its type, so a
                // literal's result type is the variable's.
                _ if f.kind() == "identifier" => {
                    function_values(file, &f)?.iter().find_map(|lit| {
                        let result = lit.field("result")?;
                        let first = if result.kind() == "parameter_list" {
                            result.named_children().next()?.field("type")?
                        } else {
                            result
                        };
                        std_type(&first)
                    })
                }
                _ => None,
            }
        }
        "composite_literal" => std_type(&expr.field("type")?),
        "index_expression" => again(&expr.field("operand")?),
        "parenthesized_expression" => again(&expr.named_children().next()?),
        "unary_expression" => again(&expr.field("operand")?),
        "type_assertion_expression" => std_type(&expr.field("type")?),
        _ => None,
    }
}

/// The declared type of `expr` (an identifier or a field of a package
/// struct), when the source writes it.
pub fn written_type<'r>(file: &FileContext<'r>, expr: &GoNode<'r>) -> Option<GoNode<'r>> {
    match &*expr.kind() {
        "identifier" => file.local_declaration(expr, &expr.text())?.ty,
        "selector_expression" => {
            let base = file.type_of(&expr.field("operand")?)?;
            file.struct_field_type(&base, &expr.field("field")?.text())
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Channels

/// Names that hold channels in the declaration around `node` or at package
/// level: made with `make(chan ...)`, or declared with a channel type.
pub fn channel_names(node: &GoNode<'_>) -> HashSet<String> {
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
                "short_var_declaration" | "assignment_statement" => {
                    let (left, right) = sides(&n);
                    for (l, r) in left.iter().zip(&right) {
                        if makes_channel(r) && l.kind() == "identifier" {
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
pub fn makes_channel(expr: &GoNode<'_>) -> bool {
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

/// Whether `expr` visibly holds a channel: a name declared with a channel
/// type or made with `make(chan ...)`, or a field of a package struct whose
/// type is a channel (or a package type defined as one).
pub fn is_channel_expr<'r>(file: &FileContext<'r>, expr: &GoNode<'r>) -> bool {
    is_channel_expr_among(file, expr, &channel_names(expr))
}

/// [`is_channel_expr`] with `chans` the [`channel_names`] of `expr`, which
/// are those of any node of the same top-level declaration: a caller that
/// asks about many nodes of one declaration collects them once.
pub fn is_channel_expr_among<'r>(
    file: &FileContext<'r>,
    expr: &GoNode<'r>,
    chans: &HashSet<String>,
) -> bool {
    match &*expr.kind() {
        "identifier" => {
            chans.contains(&*expr.text())
                || written_type(file, expr).is_some_and(|t| is_channel_type(file, &t))
        }
        "selector_expression" => {
            written_type(file, expr).is_some_and(|t| is_channel_type(file, &t))
        }
        "parenthesized_expression" => expr
            .named_children()
            .next()
            .is_some_and(|e| is_channel_expr_among(file, &e, chans)),
        _ => false,
    }
}

/// Whether a type expression is a channel type or a package type defined
/// as one.
pub fn is_channel_type<'r>(file: &FileContext<'r>, ty: &GoNode<'r>) -> bool {
    match &*ty.kind() {
        "channel_type" => true,
        "type_identifier" => file
            .package_type(&ty.text())
            .and_then(|s| s.field("type"))
            .is_some_and(|t| t.kind() == "channel_type"),
        "parenthesized_type" => ty
            .named_children()
            .next()
            .is_some_and(|t| is_channel_type(file, &t)),
        _ => false,
    }
}

/// How `code` touches a channel, if it does: a send, a receive, a `select`,
/// a `close`, or a use of one of the channel names `chans`.
pub fn channel_use(code: &GoNode<'_>, chans: &HashSet<String>) -> Option<String> {
    for n in code.dfs() {
        match &*n.kind() {
            "send_statement" => return Some("sends on a channel".into()),
            "select_statement" => return Some("selects on channels".into()),
            _ if is_receive(&n) => return Some("receives from a channel".into()),
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

/// The first send on or `close` of a channel in the function around `lp`
/// after the loop, before anything waits (`Wait()`): goroutines bounded in
/// the loop could be waiting for it.
pub fn feeds_channel_after(lp: &GoNode<'_>) -> Option<String> {
    let func = enclosing_function(lp)?;
    let end = lp.range().end;
    let mut nodes: Vec<GoNode> = func.dfs().filter(|n| n.range().start >= end).collect();
    nodes.sort_by_key(|n| n.range().start);
    for n in nodes {
        match &*n.kind() {
            "call_expression" => {
                let Some(f) = n.field("function") else {
                    continue;
                };
                if f.kind() == "selector_expression"
                    && f.field("field").is_some_and(|x| x.text() == "Wait")
                {
                    return None;
                }
                if f.kind() == "identifier" && f.text() == "close" && !is_shadowed(&f, "close") {
                    return Some(format!(
                        "closes a channel after the loop (`{}`)",
                        short(&n.text())
                    ));
                }
            }
            "send_statement" => {
                return Some(format!(
                    "sends on a channel after the loop (`{}`)",
                    short(&n.text())
                ))
            }
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Calls

/// What a call reaches, as far as the source shows.
pub enum CallTarget<'r> {
    /// A function or method of the package (its body is visible).
    Package,
    /// A function of the standard library, or a method called on a value
    /// that visibly comes from it: (import path, name).
    Std(String, String),
    /// A built-in (`len`, `append`, `close`...).
    Builtin,
    /// A function literal called in place (its body is part of the code).
    Literal,
    /// A local function variable whose values are all visible: these
    /// literals (and possibly standard-library functions or hooks).
    FuncValue(Vec<GoNode<'r>>),
    /// Nothing is known: a method of an unknown value, a function value, a
    /// function of another module. The text names it.
    Opaque(String),
}

/// What `call` (a `call_expression`) reaches.
pub fn classify_call<'r>(file: &FileContext<'r>, call: &GoNode<'r>) -> CallTarget<'r> {
    let Some(f) = call.field("function") else {
        return CallTarget::Opaque(short(&call.text()));
    };
    // `pkg.F(...)`, read with the imports of the file that holds the call.
    if f.kind() == "selector_expression" {
        if let (Some(o), Some(x)) = (f.field("operand"), f.field("field")) {
            if o.kind() == "identifier" && !file.is_shadowed(&o, &o.text()) {
                if let Some(path) = import_path_at(&o, &o.text()) {
                    return if is_std_path(&path) {
                        CallTarget::Std(path, x.text().to_string())
                    } else {
                        CallTarget::Opaque(short(&f.text()))
                    };
                }
            }
        }
    }
    match file.resolve_call(call) {
        Callee::Declared(_) => CallTarget::Package,
        Callee::Builtin(_) => CallTarget::Builtin,
        _ if f.kind() == "func_literal" => CallTarget::Literal,
        Callee::Imported(path, name) => {
            if is_std_path(&path) {
                CallTarget::Std(path, name)
            } else {
                CallTarget::Opaque(short(&f.text()))
            }
        }
        _ if is_conversion(file, &f) => CallTarget::Builtin,
        Callee::Unknown(name) => match &*f.kind() {
            "selector_expression" => match f.field("operand").and_then(|o| std_origin(file, &o)) {
                Some(path) => CallTarget::Std(path, name),
                None => CallTarget::Opaque(short(&f.text())),
            },
            "identifier" => match function_values(file, &f) {
                Some(lits) => CallTarget::FuncValue(lits),
                None => CallTarget::Opaque(name),
            },
            _ => CallTarget::Opaque(short(&f.text())),
        },
    }
}

/// Whether the function part of a call is a type: a conversion such as
/// `string(b)`, `[]byte(s)` or `level(n)` with `level` a package type.
fn is_conversion<'r>(file: &FileContext<'r>, f: &GoNode<'r>) -> bool {
    match &*f.kind() {
        "identifier" | "type_identifier" => {
            let name = f.text().to_string();
            (crate::engine::scope::PREDECLARED_TYPES.contains(&name.as_str())
                && !file.is_shadowed(f, &name))
                || (file.package_type(&name).is_some() && file.package_function(&name).is_none())
        }
        "slice_type" | "array_type" | "map_type" | "pointer_type" | "channel_type"
        | "function_type" | "interface_type" | "struct_type" | "qualified_type" => true,
        "parenthesized_expression" | "parenthesized_type" => f
            .named_children()
            .next()
            .is_some_and(|t| is_conversion(file, &t)),
        _ => false,
    }
}

/// The function literals a local function variable `f` holds, when every
/// value it is given in its function is visible: a literal, a function of
/// the standard library, or a function-typed field of a standard-library
/// value (a documented hook such as an opener). `None` when any value is
/// not visible (a parameter, a field of the package, a call result).
fn function_values<'r>(file: &FileContext<'r>, f: &GoNode<'r>) -> Option<Vec<GoNode<'r>>> {
    let name = f.text().to_string();
    let decl = file.local_declaration(f, &name)?;
    if decl.parameter {
        return None;
    }
    let func = f
        .ancestors()
        .find(|a| matches!(&*a.kind(), "function_declaration" | "method_declaration"))?;
    let mut values: Vec<GoNode> = decl.value.into_iter().collect();
    for n in func.dfs().filter(|n| n.kind() == "assignment_statement") {
        let (left, right) = sides(&n);
        for (i, l) in left.iter().enumerate() {
            if l.kind() == "identifier" && l.text() == name.as_str() {
                values.push(right.get(i).cloned()?);
            }
        }
    }
    // Its address or the variable itself handed elsewhere could change it.
    if func.dfs().any(|n| {
        n.kind() == "unary_expression"
            && n.field("operator").is_some_and(|o| o.text() == "&")
            && n.field("operand")
                .is_some_and(|o| o.text() == name.as_str())
    }) {
        return None;
    }
    if values.is_empty() {
        return None;
    }
    let mut lits = Vec::new();
    for v in values {
        match &*v.kind() {
            "func_literal" => lits.push(v),
            "selector_expression" => {
                std_origin(file, &v.field("operand")?)?;
            }
            // A function the standard library returns (a `CancelFunc`).
            "call_expression" => {
                std_origin(file, &v)?;
            }
            _ => return None,
        }
    }
    Some(lits)
}

/// The code a goroutine runs, as far as the package shows it.
pub struct Work<'r> {
    /// The `go` statement itself, the function values it calls, and the
    /// package declarations it reaches (two levels deep).
    pub code: Vec<GoNode<'r>>,
    /// Every call in that code, with what it reaches.
    pub calls: Vec<(GoNode<'r>, CallTarget<'r>)>,
}

/// The call a `go` or `defer` statement starts.
pub fn started_call<'r>(stmt: &GoNode<'r>) -> Option<GoNode<'r>> {
    stmt.named_children()
        .find(|c| c.kind() == "call_expression")
}

/// The function literal a `go func(...) {...}(...)` statement starts.
pub fn started_literal<'r>(go: &GoNode<'r>) -> Option<GoNode<'r>> {
    let f = started_call(go)?.field("function")?;
    (f.kind() == "func_literal").then_some(f)
}

/// What the `go` statement `go` runs.
pub fn goroutine_work<'r>(file: &FileContext<'r>, go: &GoNode<'r>) -> Work<'r> {
    let mut code = vec![go.clone()];
    code.extend(file.reachable(go, 2).bodies);
    let mut calls = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let node = code[i].clone();
        for call in node.dfs().filter(|n| n.kind() == "call_expression") {
            let target = classify_call(file, &call);
            if let CallTarget::FuncValue(lits) = &target {
                for l in lits {
                    if !code.iter().any(|c| c.range() == l.range()) {
                        code.push(l.clone());
                        for b in file.reachable(l, 1).bodies {
                            if !code.iter().any(|c| c.range() == b.range()) {
                                code.push(b);
                            }
                        }
                    }
                }
            }
            calls.push((call, target));
        }
        i += 1;
    }
    Work { code, calls }
}

/// The name a call is known by: `f` for `f(x)`, `m` for `x.m(y)`.
pub fn call_name(call: &GoNode<'_>) -> String {
    let Some(f) = call.field("function") else {
        return String::new();
    };
    match &*f.kind() {
        "selector_expression" => f
            .field("field")
            .map(|x| x.text().to_string())
            .unwrap_or_default(),
        "identifier" => f.text().to_string(),
        _ => String::new(),
    }
}

/// Packages whose functions and methods do I/O (files, sockets, processes,
/// databases, system calls).
pub fn is_io_package(path: &str) -> bool {
    matches!(
        path,
        "os" | "os/exec"
            | "os/user"
            | "io"
            | "io/ioutil"
            | "io/fs"
            | "bufio"
            | "database/sql"
            | "syscall"
            | "net"
    ) || path.starts_with("net/")
}

/// Method names that obviously do I/O.
pub const IO_NAMES: &[&str] = &[
    "Read", "Write", "Do", "Get", "Post", "Query", "Exec", "Dial", "Open", "Send", "Fetch",
    "Download", "Upload", "Copy",
];

/// Whether a call does visible I/O: a function or method of an I/O package
/// of the standard library, a `filepath` walk, or an I/O-named method.
pub fn is_io_call(call: &GoNode<'_>, target: &CallTarget<'_>) -> bool {
    let name = call_name(call);
    match target {
        CallTarget::Std(path, n) => {
            is_io_package(path)
                || (path == "path/filepath"
                    && matches!(n.as_str(), "Walk" | "WalkDir" | "Glob" | "EvalSymlinks"))
                || (path == "fmt" && n.starts_with("Fprint"))
                || io_named(n)
        }
        CallTarget::Builtin | CallTarget::Literal => false,
        _ => io_named(&name),
    }
}

/// Whether a name starts with one of [`IO_NAMES`] as a word: `Read`,
/// `ReadFile`, `WriteTo`, `Get`, `GetObject`...
fn io_named(name: &str) -> bool {
    IO_NAMES.iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_uppercase()))
    })
}

// ---------------------------------------------------------------------------
// Locks

/// The lock held at `node`: a `Lock()`/`RLock()` earlier in the function
/// around it, in a block that holds `node`, with no `Unlock()` of the same
/// value in such a block between them (a deferred unlock does not release
/// it before `node`).
pub fn lock_held_at(node: &GoNode<'_>) -> Option<String> {
    let func = enclosing_function(node)?;
    let start = node.range().start;
    // Statements directly in a block around `node`, before it.
    let encloses = |stmt: &GoNode<'_>| {
        stmt.parent().is_some_and(|p| {
            let block = if p.kind() == "statement_list" {
                p.parent().unwrap_or(p)
            } else {
                p
            };
            let r = block.range();
            r.start <= start && start < r.end
        })
    };
    let mut held: Vec<String> = Vec::new();
    let mut calls: Vec<GoNode> = func
        .dfs()
        .filter(|n| n.kind() == "call_expression" && n.range().end <= start)
        .filter(|n| !inside_literal_below(n, &func))
        .collect();
    calls.sort_by_key(|n| n.range().start);
    for call in calls {
        let Some(f) = call.field("function") else {
            continue;
        };
        if f.kind() != "selector_expression" {
            continue;
        }
        let (Some(operand), Some(field)) = (f.field("operand"), f.field("field")) else {
            continue;
        };
        let Some(stmt) = call.parent().filter(|p| p.kind() == "expression_statement") else {
            continue;
        };
        if !encloses(&stmt) {
            continue;
        }
        let recv = operand.text().to_string();
        match &*field.text() {
            "Lock" | "RLock" => held.push(recv),
            "Unlock" | "RUnlock" => held.retain(|r| *r != recv),
            _ => {}
        }
    }
    held.pop()
}

/// Whether the function around `node` says it runs with a lock held: a name
/// ending in `Locked`, or a doc comment such as "must be called with mu
/// held" or "caller holds the lock".
pub fn runs_under_caller_lock(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<String> {
    let top = top_level(node)?;
    if let Some(name) = top.field("name").map(|n| n.text().to_string()) {
        if name.ends_with("Locked") || name.ends_with("_locked") {
            return Some(format!("`{name}` is named to run with a lock held"));
        }
    }
    let doc = super::intent::function_doc(file, node)?.to_lowercase();
    let holds = [
        " held",
        "must hold",
        "must be locked",
        "while holding",
        "caller holds",
    ]
    .iter()
    .any(|p| doc.contains(p));
    let names_lock = words(&doc).iter().any(|w| {
        !matches!(w.as_str(), "deadlock" | "deadlocks" | "livelock")
            && (w.ends_with("lock")
                || w.ends_with("locked")
                || w.ends_with("mu")
                || w.ends_with("mtx")
                || w.ends_with("mutex"))
    });
    let says = holds && names_lock;
    says.then(|| "its doc comment says it runs with a lock held".to_string())
}

/// Whether `name` used at `node` is declared inside `scope`'s body (not by
/// its parameters).
pub fn declared_in_body(node: &GoNode<'_>, name: &str, func: &GoNode<'_>) -> bool {
    match func.field("body") {
        Some(body) => declared_within(node, name, &body),
        None => false,
    }
}

/// The expressions on the left and on the right of an assignment or `:=`.
fn sides<'r>(n: &GoNode<'r>) -> (Vec<GoNode<'r>>, Vec<GoNode<'r>>) {
    let list = |f: &str| -> Vec<GoNode<'r>> {
        n.field(f)
            .map(|l| l.named_children().collect())
            .unwrap_or_default()
    };
    (list("left"), list("right"))
}

pub const INTEGER_TYPES: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "uintptr",
];

/// Whether `expr` is visibly an integer: a literal, arithmetic, or a name or
/// field declared with an integer type or from an integer literal.
pub fn is_integer<'r>(file: &FileContext<'r>, expr: &GoNode<'r>) -> bool {
    match &*expr.kind() {
        "int_literal" => true,
        "binary_expression" => {
            expr.field("left").is_some_and(|l| is_integer(file, &l))
                || expr.field("right").is_some_and(|r| is_integer(file, &r))
        }
        "parenthesized_expression" => expr
            .named_children()
            .next()
            .is_some_and(|e| is_integer(file, &e)),
        "call_expression" => expr
            .field("function")
            .is_some_and(|f| INTEGER_TYPES.contains(&&*f.text())),
        "identifier" | "selector_expression" => {
            if let Some(t) = written_type(file, expr) {
                return INTEGER_TYPES.contains(&&*t.text());
            }
            if expr.kind() == "identifier" {
                if let Some(v) = file
                    .local_declaration(expr, &expr.text())
                    .and_then(|d| d.value)
                {
                    return v.kind() == "int_literal";
                }
            }
            false
        }
        _ => false,
    }
}

/// Whether `code` waits for other goroutines: `wg.Wait()`, `cond.Wait()`,
/// or yielding with `Gosched` while others make progress.
pub fn waits(code: &GoNode<'_>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_camel_case_and_underscores() {
        assert_eq!(words("runWorker"), ["run", "worker"]);
        assert_eq!(words("ListenAndServe"), ["listen", "and", "serve"]);
        assert_eq!(words("serveHTTP"), ["serve", "http"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("n_threads"), ["n", "threads"]);
        assert!(has_word("RunKeyValueLoop", LONG_RUNNING_NAMES));
        assert!(has_word("runWorker", LONG_RUNNING_NAMES));
        assert!(!has_word("Truncate", LONG_RUNNING_NAMES));
        assert!(!has_word("prune", LONG_RUNNING_NAMES));
        assert!(!has_word("IsRunning", LONG_RUNNING_NAMES));
    }

    #[test]
    fn io_names_are_words() {
        assert!(io_named("ReadFile"));
        assert!(io_named("Get"));
        assert!(!io_named("Getenv"));
        assert!(!io_named("Done"));
        assert!(!io_named("Readiness"));
    }

    #[test]
    fn std_paths() {
        assert!(is_std_path("net/http"));
        assert!(is_std_path("os"));
        assert!(!is_std_path("github.com/x/y"));
        assert!(!is_std_path("cmd/internal/obj"));
    }
}
