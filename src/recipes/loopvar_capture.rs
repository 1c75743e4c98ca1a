//! `loopvar-capture`: before Go 1.22 a loop has one variable for all its
//! iterations, so a goroutine literal started in the loop that reads it sees
//! whatever value it holds when the goroutine runs. The fix is the classic
//! per-iteration copy, `v := v`, at the top of the loop body.

use crate::engine::edit::{indent_at, line_end, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::scope::is_function;
use crate::engine::{Finding, Fix, MatchContext, RecipeLogic};

use super::flow::resolve;

pub struct LoopvarCapture;

impl RecipeLogic for LoopvarCapture {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        if cx.file.go_version.at_least(1, 22) {
            return None;
        }
        let stmt = cx.node();
        if stmt.kind() != "go_statement" {
            return None;
        }
        // `go f(v)` and the arguments of `go func(x T) {...}(v)` are
        // evaluated when the statement runs: only a literal's body captures.
        let call = stmt
            .named_children()
            .find(|c| c.kind() == "call_expression")?;
        let lit = call.field("function")?;
        if lit.kind() != "func_literal" {
            return None;
        }
        let body = lit.field("body")?;
        let src = cx.file.source;
        // For each loop around the statement (innermost first), the loop
        // variables the literal reads.
        let mut captured: Vec<(GoNode<'_>, Vec<String>)> = Vec::new();
        let mut child = stmt.clone();
        for anc in stmt.ancestors() {
            match &*anc.kind() {
                _ if is_function(&anc) => break,
                "for_statement"
                    if anc
                        .field("body")
                        .is_some_and(|b| b.range() == child.range()) =>
                {
                    let used: Vec<String> = loop_variables(&anc)
                        .into_iter()
                        .filter(|name| reads(&body, name, &anc))
                        .collect();
                    if !used.is_empty() {
                        captured.push((anc.clone(), used));
                    }
                }
                _ => {}
            }
            child = anc;
        }
        if captured.is_empty() {
            return None;
        }
        let names: Vec<String> = captured
            .iter()
            .flat_map(|(_, v)| v.iter().map(|n| format!("`{n}`")))
            .collect();
        let what = names.join(" and ");
        for (lp, vars) in &captured {
            let lbody = lp.field("body")?;
            for v in vars {
                if let Some(how) = written_in(&lbody, v, lp) {
                    return Some(cx.report(&format!(
                        "the loop body {how} `{v}`, so a copy at the top would change what the code after it sees; decide which value the goroutine should get and pass it as an argument"
                    )));
                }
            }
            let open = lbody.children().next()?;
            let first = lbody
                .named_children()
                .find(|c| c.kind() != "comment")
                .map(|c| c.range().start)
                .unwrap_or(lbody.range().end);
            let close = lbody.range().end.saturating_sub(1);
            let on_open_line = |at: usize| !src[open.range().end..at].contains('\n');
            if on_open_line(first) || on_open_line(close) {
                return Some(cx.report(&format!(
                    "the goroutine reads the loop variable {what}, but the loop body is on one line; put it on lines of its own, then copy the variable at its top"
                )));
            }
        }
        let mut edits = Vec::new();
        for (lp, vars) in &captured {
            let lbody = lp.field("body")?;
            let open = lbody.children().next()?;
            let at = line_end(src, open.range().end);
            let indent = format!("{}\t", indent_at(src, lp.range().start));
            let text: String = vars
                .iter()
                .map(|v| format!("{indent}{v} := {v}\n"))
                .collect();
            edits.push(TextEdit::insert(at, text));
        }
        Some(cx.fix(Fix {
            edits,
            add_imports: Vec::new(),
        }))
    }
}

/// The variables a loop declares for all its iterations, in order:
/// `for k, v := range` gives `k`, `v`; `for i, j := 0, n; ...` gives `i`, `j`.
/// `for k, v = range` assigns variables declared elsewhere: none.
fn loop_variables(lp: &GoNode<'_>) -> Vec<String> {
    let Some(clause) = lp
        .named_children()
        .find(|c| matches!(&*c.kind(), "range_clause" | "for_clause"))
    else {
        return Vec::new();
    };
    let decl = match &*clause.kind() {
        "range_clause" => Some(clause.clone()),
        _ => clause
            .field("initializer")
            .filter(|i| i.kind() == "short_var_declaration"),
    };
    let Some(decl) = decl else {
        return Vec::new();
    };
    if !decl.children().any(|c| c.kind() == ":=") {
        return Vec::new();
    }
    decl.field("left")
        .map(|l| {
            l.named_children()
                .filter(|c| c.kind() == "identifier" && c.text() != "_")
                .map(|c| c.text().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `name` is used under `scope` as the variable that loop `lp`
/// declares (not a name declared closer, not a struct literal's field key).
fn reads(scope: &GoNode<'_>, name: &str, lp: &GoNode<'_>) -> bool {
    scope
        .dfs()
        .filter(|n| n.kind() == "identifier" && n.text() == name)
        .filter(|n| !is_literal_key(n) && !is_declared_here(n))
        .any(|n| resolve(&n, name) == Some(lp.range()))
}

/// Whether identifier `id` is a name being declared: a parameter, a `var`
/// name, the left side of `:=`.
fn is_declared_here(id: &GoNode<'_>) -> bool {
    let Some(p) = id.parent() else {
        return false;
    };
    match &*p.kind() {
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            p.field_children("name").any(|n| n.range() == id.range())
        }
        "expression_list" => p.parent().is_some_and(|d| {
            matches!(&*d.kind(), "short_var_declaration" | "range_clause")
                && d.children().any(|c| c.kind() == ":=")
                && d.field("left").is_some_and(|l| l.range() == p.range())
        }),
        _ => false,
    }
}

/// `k` in `T{k: v}`: a field name for a struct, a key for a map. Without
/// types it cannot be told apart, so it does not count as a read.
fn is_literal_key(id: &GoNode<'_>) -> bool {
    let Some(elem) = id.parent().filter(|p| p.kind() == "literal_element") else {
        return false;
    };
    elem.parent().is_some_and(|k| {
        k.kind() == "keyed_element"
            && k.named_children()
                .next()
                .is_some_and(|f| f.range() == elem.range())
    })
}

/// How the loop body writes the loop variable `name`, if it does: an
/// assignment, an increment, or taking its address.
fn written_in(body: &GoNode<'_>, name: &str, lp: &GoNode<'_>) -> Option<&'static str> {
    let is_var = |t: &GoNode<'_>| {
        t.kind() == "identifier" && t.text() == name && resolve(t, name) == Some(lp.range())
    };
    let left_writes = |n: &GoNode<'_>| {
        n.field("left")
            .is_some_and(|l| l.named_children().any(|t| is_var(&t)))
    };
    for n in body.dfs() {
        let how = match &*n.kind() {
            "assignment_statement" if left_writes(&n) => "assigns",
            "range_clause" | "receive_statement"
                if !n.children().any(|c| c.kind() == ":=") && left_writes(&n) =>
            {
                "assigns"
            }
            "inc_statement" | "dec_statement"
                if n.named_children().next().is_some_and(|t| is_var(&t)) =>
            {
                "steps"
            }
            "unary_expression"
                if n.field("operator").is_some_and(|o| o.text() == "&")
                    && n.field("operand").is_some_and(|t| is_var(&t)) =>
            {
                "takes the address of"
            }
            _ => continue,
        };
        return Some(how);
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::engine::gomod::GoVersion;
    use crate::engine::{Engine, Mode, Settings};
    use crate::recipes::{builtin, Selection};

    fn run(src: &str, version: &str) -> crate::engine::FileOutcome {
        let only = Selection {
            only: vec!["loopvar-capture".to_string()],
            skip: vec![],
            ..Selection::default()
        }
        .apply(builtin().unwrap())
        .unwrap();
        let engine = Engine::new(only, Settings::default());
        let v: GoVersion = version.parse().unwrap();
        engine.process(Path::new("p.go"), src, v, Mode::Rewrite)
    }

    // gofmt never leaves a loop body on one line, so no fixture can hold one.
    #[test]
    fn one_line_body_is_reported() {
        let src = "package p\n\nfunc f(ns []int, out chan int) {\n\tfor _, n := range ns { go func() { out <- n }() }\n}\n";
        let out = run(src, "1.21");
        assert!(out.rewritten.is_none());
        assert_eq!(out.findings.len(), 1);
        assert!(out.findings[0].finding.message.contains("on one line"));
        assert!(out.findings[0].finding.fix.is_none());
    }

    #[test]
    fn nothing_from_go_1_22() {
        let src = "package p\n\nfunc f(ns []int, out chan int) {\n\tfor _, n := range ns {\n\t\tgo func() { out <- n }()\n\t}\n}\n";
        assert!(run(src, "1.22").findings.is_empty());
        assert_eq!(run(src, "1.21").findings.len(), 1);
    }
}
