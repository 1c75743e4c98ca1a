//! `defer-wg-done`: a goroutine literal that calls `wg.Done()` by hand on
//! some of its paths gets one `defer wg.Done()` as its first statement.
//!
//! The walk over the goroutine's ways out lives in [`super::exits`].

use crate::engine::edit::{indent_at, line_end, line_start};
use crate::engine::golang::GoNode;
use crate::engine::imports::LocalName;
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::exits::{
    body_statements, insert_among, own_statements, remove_inline_or_line, ExitPaths,
};
use super::goroutines::started_call;

pub struct DeferWgDone;

impl RecipeLogic for DeferWgDone {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let go_stmt = cx.node();
        let file = cx.file;
        let call = started_call(&go_stmt)?;
        let lit = call
            .field("function")
            .filter(|f| f.kind() == "func_literal")?;
        let body = lit.field("body")?;
        let top = body_statements(&body);

        // Receivers of `X.Done()` statements made directly by the literal.
        let mut receivers: Vec<String> = Vec::new();
        for stmt in own_statements(&body) {
            if let Some(r) = done_receiver(&stmt) {
                if !receivers.contains(&r) {
                    receivers.push(r);
                }
            }
        }
        let wg = receivers
            .into_iter()
            .find(|r| is_wait_group(file, &go_stmt, r))?;
        if already_deferred(&body, &wg) {
            return None;
        }

        let nested_done = body.dfs().any(|n| {
            n.kind() == "call_expression"
                && method_receiver(&n, "Done").as_deref() == Some(wg.as_str())
                && crate::engine::scope::enclosing_function(&n)
                    .is_some_and(|f| f.range() != lit.range())
        });
        if nested_done {
            return Some(cx.report(&format!(
                "a nested function literal also calls `{wg}.Done()`; a deferred call could count twice"
            )));
        }
        let is_done = |s: &GoNode<'_>| done_receiver(s).as_deref() == Some(wg.as_str());
        let paths = ExitPaths::walk(file, &top, &is_done);
        if let Some(why) = paths.unsupported {
            return Some(cx.report(why));
        }
        if paths.work_after {
            return Some(cx.report(&format!(
                "a `{wg}.Done()` is followed by more work on its path; deferring it would make `Wait` return later"
            )));
        }
        if paths.twice {
            return Some(cx.report(&format!(
                "`{wg}.Done()` may run twice on one path; the count needs a human look"
            )));
        }
        if !paths.missed_exit && paths.markers.len() < 2 {
            // One `Done()` that every way out passes: nothing to fix.
            return None;
        }
        if top.is_empty() {
            return None;
        }
        // Only names and field paths (`wg`, `s.wg`): a receiver with calls
        // or indexes would be evaluated at a different time once deferred.
        if !wg
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            return Some(cx.report(&format!(
                "the WaitGroup is reached through `{wg}`, which a deferred call would evaluate earlier"
            )));
        }
        let dones: Vec<GoNode<'_>> = own_statements(&body).filter(|s| is_done(s)).collect();
        let src = file.source;
        let first = &top[0];
        let defer = format!("defer {wg}.Done()");
        let one_line = !src[body.range()].contains('\n');
        let (at, text) = if one_line {
            (first.range().start, format!("{defer}; "))
        } else {
            if !src[line_start(src, first.range().start)..first.range().start]
                .trim()
                .is_empty()
            {
                return Some(cx.report("the literal's first statement shares a line"));
            }
            // Above any comment that opens the body: the defer comes first.
            let at = line_end(src, body.range().start);
            let indent = indent_at(src, first.range().start);
            (at, format!("{indent}{defer}\n"))
        };
        let removals = dones
            .iter()
            .map(|d| remove_inline_or_line(src, d))
            .collect();
        let edits = insert_among(removals, at, text);
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}

/// `X.Done()` as an expression statement: the receiver text `X`.
fn done_receiver(stmt: &GoNode<'_>) -> Option<String> {
    if stmt.kind() != "expression_statement" {
        return None;
    }
    let call = stmt.named_children().next()?;
    method_receiver(&call, "Done")
}

/// `X.name()` with no arguments: the receiver text `X` (spaces removed).
fn method_receiver(call: &GoNode<'_>, name: &str) -> Option<String> {
    if call.kind() != "call_expression" {
        return None;
    }
    let f = call.field("function")?;
    if f.kind() != "selector_expression" || f.field("field")?.text() != name {
        return None;
    }
    let args = call.field("arguments")?;
    if args.named_children().any(|a| a.kind() != "comment") {
        return None;
    }
    let operand = f.field("operand")?;
    Some(operand.text().split_whitespace().collect())
}

/// Whether the literal already defers `X.Done()`, directly or inside a
/// deferred function literal.
fn already_deferred(body: &GoNode<'_>, wg: &str) -> bool {
    own_statements(body)
        .filter(|s| s.kind() == "defer_statement")
        .any(|d| {
            d.dfs().any(|n| {
                n.kind() == "call_expression" && method_receiver(&n, "Done").as_deref() == Some(wg)
            })
        })
}

/// Whether `X` is a `sync.WaitGroup` (or behaves as one): the file declares
/// the name `X` ends with as a `sync.WaitGroup` (variable, parameter, field,
/// `new(sync.WaitGroup)`, `&sync.WaitGroup{}`), or the declaration holding
/// the goroutine calls `X.Add(...)` or `X.Wait()`.
fn is_wait_group(file: &FileContext<'_>, go_stmt: &GoNode<'_>, recv: &str) -> bool {
    if let Some(top) = crate::engine::scope::top_level(go_stmt) {
        let counted = top.dfs().any(|n| {
            n.kind() == "call_expression"
                && n.field("function").is_some_and(|f| {
                    f.kind() == "selector_expression"
                        && f.field("field")
                            .is_some_and(|x| matches!(&*x.text(), "Add" | "Wait"))
                        && f.field("operand").is_some_and(|o| {
                            o.text().split_whitespace().collect::<String>() == recv
                        })
                })
        });
        if counted {
            return true;
        }
    }
    let last = recv.rsplit('.').next().unwrap_or(recv);
    let last = last
        .trim_start_matches(['*', '&', '('])
        .trim_end_matches(')');
    let sync = match file.imports.local_name("sync") {
        Some(LocalName::Named(n)) => format!("{n}.WaitGroup"),
        Some(LocalName::Dot) => "WaitGroup".to_string(),
        _ => return false,
    };
    let is_wg_type = |t: &GoNode<'_>| {
        let text: String = t.text().split_whitespace().collect();
        text.trim_start_matches('*') == sync
    };
    file.whole_root().root().dfs().any(|n| match &*n.kind() {
        "var_spec" | "field_declaration" | "parameter_declaration" => {
            n.field("type").is_some_and(|t| is_wg_type(&t))
                && n.field_children("name").any(|x| x.text() == last)
        }
        "short_var_declaration" => {
            let names_it = n
                .field("left")
                .is_some_and(|l| l.named_children().any(|x| x.text() == last));
            let text: String = n
                .field("right")
                .map(|r| r.text().split_whitespace().collect())
                .unwrap_or_default();
            names_it
                && (text == format!("new({sync})")
                    || text == format!("&{sync}{{}}")
                    || text == format!("{sync}{{}}"))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::edit::TextEdit;
    use crate::engine::golang::parse;
    use crate::engine::imports::ImportTable;
    use crate::engine::Settings;

    /// Walks the body of the first function in `src` with `done()` as the marker.
    fn walk(body: &str) -> ExitPaths {
        let src = format!("package a\n\nimport \"os\"\n\nfunc f() {{\n{body}\n}}\n");
        let root = parse(&src);
        let imports = ImportTable::from_root(&root);
        let settings = Settings::default();
        let package =
            crate::engine::package::PackageHandle::new(None, std::path::Path::new("a.go"));
        let file = FileContext {
            path: std::path::Path::new("a.go"),
            source: &src,
            root: &root,
            whole: None,
            imports: &imports,
            go_version: "1.22".parse().unwrap(),
            settings: &settings,
            package: &package,
            memo: Default::default(),
        };
        let func = root
            .root()
            .dfs()
            .find(|n| n.kind() == "function_declaration")
            .unwrap();
        let stmts = body_statements(&func.field("body").unwrap());
        let is_done = |s: &GoNode<'_>| s.text() == "done()";
        ExitPaths::walk(&file, &stmts, &is_done)
    }

    #[test]
    fn every_way_out_passing_one_marker_is_clean() {
        let p = walk("\tfor {\n\t\tselect {\n\t\tcase <-q:\n\t\t\tdone()\n\t\t\treturn\n\t\tcase <-t:\n\t\t}\n\t}");
        assert!(!p.missed_exit && !p.work_after && !p.twice);
        assert_eq!(p.markers.len(), 1);
    }

    #[test]
    fn an_early_return_misses_the_marker() {
        let p = walk("\tif x {\n\t\treturn\n\t}\n\tdone()");
        assert!(p.missed_exit && !p.work_after);
    }

    #[test]
    fn work_after_the_marker_and_markers_in_loops_are_seen() {
        assert!(walk("\tdone()\n\tflush()").work_after);
        assert!(walk("\tfor _, x := range xs {\n\t\tuse(x)\n\t\tdone()\n\t}").work_after);
        // Leaving the process ends every path without a marker being needed.
        let p = walk("\tif x {\n\t\tos.Exit(1)\n\t}\n\tdone()");
        assert!(!p.missed_exit && !p.work_after);
    }

    #[test]
    fn breaks_join_the_state_after_the_loop() {
        let p = walk("\tfor {\n\t\tif x {\n\t\t\tbreak\n\t\t}\n\t\tif y {\n\t\t\tdone()\n\t\t\treturn\n\t\t}\n\t}\n\tdone()");
        assert!(!p.missed_exit && !p.work_after && !p.twice);
        let p = walk("\tgoto L\nL:\n\tdone()");
        assert!(p.unsupported.is_some());
    }

    #[test]
    fn insertion_on_a_removed_statement_replaces_it() {
        let edits = insert_among(vec![TextEdit::delete(10..20)], 10, "x".into());
        assert_eq!(edits, vec![TextEdit::replace(10..20, "x")]);
        let edits = insert_among(vec![TextEdit::delete(10..20)], 30, "x".into());
        assert_eq!(edits.len(), 2);
    }
}
