//! `goexit-in-main`: report `runtime.Goexit()` that runs on the main
//! goroutine, in `main` or `init` or in a function of the same file that they
//! call directly.

use std::collections::{HashMap, HashSet, VecDeque};

use crate::engine::golang::GoNode;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct GoexitInMain;

/// Functions that run on the main goroutine.
const ENTRIES: &[&str] = &["main", "init"];

impl RecipeLogic for GoexitInMain {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        if !file.is_pkg_call(&call, "runtime", "Goexit") {
            return None;
        }
        // Every package's `init` runs on the main goroutine; `main` only
        // in package main.
        let entries: &[&str] = if file.package_name() == "main" {
            ENTRIES
        } else {
            &["init"]
        };
        // The top-level function whose goroutine runs the call.
        let func = goroutine_owner(&call)?;
        if func.kind() != "function_declaration" {
            return None;
        }
        let name = func.field("name")?.text().to_string();
        if entries.contains(&name.as_str()) {
            return Some(cx.report(&format!(
                "it is in `{name}`; return from `{name}`, or call os.Exit to end the program with a status"
            )));
        }
        let path = path_from_entry(cx, entries, &name)?;
        Some(cx.report(&format!(
            "`{}` calls it on the main goroutine; return instead, and let the caller decide whether the program ends",
            path.join("` → `")
        )))
    }
}

/// The top-level declaration that runs `node` on its own goroutine: walking
/// out through function literals that are called in place or deferred.
/// `None` when `node` runs in a goroutine started with `go`, or in a literal
/// handed elsewhere (a callback may run on any goroutine).
fn goroutine_owner<'r>(node: &GoNode<'r>) -> Option<GoNode<'r>> {
    for a in node.ancestors() {
        match &*a.kind() {
            "go_statement" => return None,
            "func_literal" => {
                let parent = a.parent()?;
                let called_in_place = parent.kind() == "call_expression"
                    && parent
                        .field("function")
                        .is_some_and(|f| f.range() == a.range());
                if !called_in_place {
                    return None;
                }
            }
            "function_declaration" | "method_declaration" => return Some(a),
            _ => {}
        }
    }
    None
}

/// The chain of calls `main` → ... → `target` through top-level functions
/// of this file, each called on the caller's goroutine.
fn path_from_entry(
    cx: &MatchContext<'_, '_>,
    entries: &[&str],
    target: &str,
) -> Option<Vec<String>> {
    let root = cx.file.whole_root().root();
    // A file may declare several `init` functions.
    let mut funcs: HashMap<String, Vec<GoNode<'_>>> = HashMap::new();
    for d in root
        .children()
        .filter(|d| d.kind() == "function_declaration")
    {
        if let Some(name) = d.field("name") {
            funcs.entry(name.text().to_string()).or_default().push(d);
        }
    }
    let mut came_from: HashMap<String, String> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    for e in entries {
        if funcs.contains_key(*e) && *e != target {
            seen.insert(e.to_string());
            queue.push_back(e.to_string());
        }
    }
    while let Some(cur) = queue.pop_front() {
        let Some(decls) = funcs.get(&cur) else {
            continue;
        };
        for callee in decls.iter().flat_map(direct_callees) {
            if !funcs.contains_key(&callee) || entries.contains(&callee.as_str()) {
                continue;
            }
            if seen.insert(callee.clone()) {
                came_from.insert(callee.clone(), cur.clone());
                if callee == target {
                    let mut path = vec![callee];
                    while let Some(prev) = came_from.get(path.last()?) {
                        path.push(prev.clone());
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(callee);
            }
        }
    }
    None
}

/// Names of functions `decl` calls by plain name on its own goroutine.
fn direct_callees(decl: &GoNode<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for c in decl.dfs().filter(|n| n.kind() == "call_expression") {
        let Some(f) = c.field("function") else {
            continue;
        };
        if f.kind() != "identifier" {
            continue;
        }
        let name = f.text().to_string();
        if crate::engine::scope::is_shadowed(&f, &name) {
            continue;
        }
        let owner = goroutine_owner(&c);
        if owner.is_some_and(|o| o.range() == decl.range()) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}
