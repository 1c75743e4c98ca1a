//! `gomaxprocs-as-lock`: report `runtime.GOMAXPROCS(1)` in a function that
//! starts goroutines writing shared variables with no synchronisation, as if
//! one processor made their updates atomic.

use std::collections::HashMap;

use crate::engine::golang::GoNode;
use crate::engine::scope::declared_names;
use crate::engine::scope::declared_within;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

use super::goroutines::{started_call, started_literal};
use super::util::{enclosing_loop, in_main_or_init, is_receive};

pub struct GomaxprocsAsLock;

/// Method names that synchronise (mutexes, wait groups, once, conditions).
const SYNC_METHODS: &[&str] = &["Lock", "RLock", "TryLock", "TryRLock", "Wait", "Do"];

impl RecipeLogic for GomaxprocsAsLock {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        // The rule matched `runtime.GOMAXPROCS(1)` through the file's imports,
        // in a file that starts goroutines.
        let call = cx.node();
        let file = cx.file;
        let func = crate::engine::scope::top_level(&call)?;
        let root = file.whole_root().root();
        // Set in `main` or `init`, the setting holds for the whole program:
        // goroutines started anywhere in the file count, for the variables
        // of the package.
        let program_wide = in_main_or_init(file, &call).is_some();
        let globals = package_vars(&root);
        let scope = if program_wide {
            root.clone()
        } else {
            func.clone()
        };
        // Shared name -> (goroutines writing it, whether one of them runs
        // once per loop iteration).
        let mut writers: HashMap<String, (usize, bool)> = HashMap::new();
        for go in scope.dfs().filter(|n| n.kind() == "go_statement") {
            let Some(owner) = crate::engine::scope::top_level(&go) else {
                continue;
            };
            let (body, named) = match started_literal(&go) {
                Some(lit) => (lit, false),
                None => match started_function(&root, &go) {
                    Some(decl) => (decl, true),
                    None => continue,
                },
            };
            if synchronises(file, &body) {
                continue;
            }
            let only_globals = named || owner.range() != func.range();
            let maps_in = if named { root.clone() } else { owner };
            let lp = enclosing_loop(&go);
            for (name, at) in shared_writes(&maps_in, &body) {
                if only_globals && !globals.contains(&name) {
                    continue;
                }
                // Once per iteration, for a variable that outlives the
                // iteration (a named function's globals always do).
                let repeated = lp
                    .as_ref()
                    .is_some_and(|l| named || !declared_within(&at, &name, l));
                let e = writers.entry(name).or_insert((0, false));
                e.0 += 1;
                e.1 |= repeated;
            }
        }
        let mut racy: Vec<String> = writers
            .into_iter()
            .filter(|(_, (n, repeated))| *n > 1 || *repeated)
            .map(|(name, _)| name)
            .collect();
        racy.sort();
        let first = racy.first()?;
        Some(cx.report(&format!(
            "several goroutines write `{first}` with nothing ordering them; guard it with a sync.Mutex or sync/atomic, or give it one owning goroutine fed by a channel"
        )))
    }
}

/// Whether the literal uses anything that orders memory between goroutines:
/// channel operations, `select`, `sync/atomic`, or a lock-like method.
fn synchronises(file: &FileContext<'_>, lit: &GoNode<'_>) -> bool {
    lit.dfs().any(|n| match &*n.kind() {
        "send_statement" | "select_statement" => true,
        "unary_expression" => is_receive(&n),
        "range_clause" => true,
        "selector_expression" => {
            let atomic = n.field("operand").is_some_and(|o| {
                o.kind() == "identifier" && file.imports.path_of(&o.text()) == Some("sync/atomic")
            });
            let locking = n
                .field("field")
                .is_some_and(|f| SYNC_METHODS.contains(&&*f.text()));
            atomic || locking
        }
        _ => false,
    })
}

/// Names declared outside `lit` that it assigns to or increments (`x = `,
/// `x += `, `x++`, `x.f = `, `*x = `, and `m[k] = ` for a map `m` made in
/// `func`: goroutines writing distinct elements of a slice do not race),
/// each with the identifier written.
fn shared_writes<'r>(func: &GoNode<'r>, lit: &GoNode<'r>) -> Vec<(String, GoNode<'r>)> {
    let mut out: Vec<(String, GoNode<'r>)> = Vec::new();
    for n in lit.dfs() {
        let targets: Vec<GoNode<'_>> = match &*n.kind() {
            "assignment_statement" => n
                .field("left")
                .map(|l| l.named_children().collect())
                .unwrap_or_default(),
            "inc_statement" | "dec_statement" => n.named_children().take(1).collect(),
            _ => continue,
        };
        // Writes inside a nested literal run who knows where.
        if crate::engine::scope::enclosing_function(&n).is_some_and(|f| f.range() != lit.range()) {
            continue;
        }
        for t in targets {
            let Some(root) = root_identifier(&t) else {
                continue;
            };
            let name = root.text().to_string();
            if t.kind() == "index_expression" && !is_local_map(func, &name) {
                continue;
            }
            if name != "_"
                && !declared_within(&root, &name, lit)
                && !out.iter().any(|(n, _)| *n == name)
            {
                out.push((name, root));
            }
        }
    }
    out
}

/// The variable an assignable expression is rooted at.
fn root_identifier<'r>(expr: &GoNode<'r>) -> Option<GoNode<'r>> {
    match &*expr.kind() {
        "identifier" => Some(expr.clone()),
        "selector_expression" => root_identifier(&expr.field("operand")?),
        "index_expression" => root_identifier(&expr.field("operand")?),
        "parenthesized_expression" => root_identifier(&expr.named_children().next()?),
        "unary_expression" => root_identifier(&expr.field("operand")?),
        _ => None,
    }
}

/// Whether `func` declares `name` as a map: `name := make(map[...]...)`,
/// `name := map[...]...{...}` or `var name map[...]...`.
fn is_local_map(func: &GoNode<'_>, name: &str) -> bool {
    func.dfs().any(|n| {
        let (names, value) = match &*n.kind() {
            "short_var_declaration" | "assignment_statement" => (n.field("left"), n.field("right")),
            "var_spec" => (None, None),
            _ => return false,
        };
        if n.kind() == "var_spec" {
            let named = n.field_children("name").any(|c| c.text() == name);
            let ty = n.field("type").is_some_and(|t| t.kind() == "map_type");
            let val = n
                .field("value")
                .and_then(|v| v.named_children().next())
                .is_some_and(|v| is_map_value(&v));
            return named && (ty || val);
        }
        let (Some(names), Some(value)) = (names, value) else {
            return false;
        };
        let lefts: Vec<_> = names.named_children().collect();
        let rights: Vec<_> = value.named_children().collect();
        lefts.len() == rights.len()
            && lefts
                .iter()
                .zip(&rights)
                .any(|(l, r)| l.kind() == "identifier" && l.text() == name && is_map_value(r))
    })
}

fn is_map_value(v: &GoNode<'_>) -> bool {
    let t = v.text();
    t.starts_with("map[") || t.starts_with("make(map[")
}

/// The function declaration of this file a `go name(...)` statement starts.
fn started_function<'r>(root: &GoNode<'r>, go: &GoNode<'r>) -> Option<GoNode<'r>> {
    let call = started_call(go)?;
    let f = call.field("function")?;
    if f.kind() != "identifier" || crate::engine::scope::is_shadowed(&f, &f.text()) {
        return None;
    }
    root.children().find(|d| {
        d.kind() == "function_declaration" && d.field("name").is_some_and(|n| n.text() == f.text())
    })
}

/// Names of the package-level variables this file declares.
fn package_vars(root: &GoNode<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for d in root.children().filter(|d| d.kind() == "var_declaration") {
        declared_names(&d, &mut out);
    }
    out
}
