//! `defer-wg-done`: a goroutine literal that calls `wg.Done()` by hand on
//! some of its paths gets one `defer wg.Done()` as its first statement.
//!
//! The module also holds [`ExitPaths`], the walk over a function body that
//! tells whether a call is made on every way out (also used by
//! `lock-os-thread` for `runtime.UnlockOSThread()`).

use std::collections::HashSet;

use crate::engine::edit::{indent_at, line_end, line_start, remove_statement, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::imports::LocalName;
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::util::remove_call_statement;

pub struct DeferWgDone;

impl RecipeLogic for DeferWgDone {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let go_stmt = cx.node();
        let file = cx.file;
        let call = go_stmt
            .named_children()
            .find(|c| c.kind() == "call_expression")?;
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

/// Adds an insertion of `text` at `at` to a set of deletions. When `at`
/// falls on or inside a deletion (the statement there is being removed),
/// the text replaces that deletion instead, so that the edits never overlap.
pub(super) fn insert_among(mut edits: Vec<TextEdit>, at: usize, text: String) -> Vec<TextEdit> {
    match edits
        .iter_mut()
        .find(|e| e.range.start <= at && at < e.range.end.max(e.range.start + 1))
    {
        Some(e) => e.text = format!("{text}{}", e.text),
        None => edits.push(TextEdit::insert(at, text)),
    }
    edits
}

/// Removes a call statement: its whole line when it owns it (with an `if`
/// that it leaves empty, see [`remove_call_statement`]), or just its bytes
/// and one `;` separator when it shares a line (`a(); wg.Done() }`).
pub(super) fn remove_inline_or_line(src: &str, stmt: &GoNode<'_>) -> TextEdit {
    let r = stmt.range();
    let before = &src[line_start(src, r.start)..r.start];
    if before.trim().is_empty() {
        return remove_call_statement(src, stmt);
    }
    let after = &src[r.end..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    if let Some(rest) = trimmed.strip_prefix(';') {
        let gap = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let end = r.end + (after.len() - rest.len()) + gap;
        return TextEdit::delete(r.start..end);
    }
    let head = before.trim_end_matches([' ', '\t']);
    if head.ends_with(';') {
        let start = line_start(src, r.start) + head.len() - 1;
        return TextEdit::delete(start..r.end);
    }
    remove_statement(src, stmt)
}

/// The statements of a block (comments left out).
pub(super) fn body_statements<'r>(block: &GoNode<'r>) -> Vec<GoNode<'r>> {
    block
        .children()
        .find(|c| c.kind() == "statement_list")
        .map(|l| {
            l.named_children()
                .filter(|n| n.kind() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// Every statement under `block`, not descending into nested function literals.
pub(super) fn own_statements<'r>(block: &GoNode<'r>) -> impl Iterator<Item = GoNode<'r>> {
    let mut out = Vec::new();
    collect_own(block, &mut out);
    out.into_iter()
}

fn collect_own<'r>(node: &GoNode<'r>, out: &mut Vec<GoNode<'r>>) {
    for c in node.children() {
        if c.kind() == "func_literal" {
            continue;
        }
        if c.parent().is_some_and(|p| p.kind() == "statement_list") && c.is_named() {
            out.push(c.clone());
        }
        collect_own(&c, out);
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
    file.root.root().dfs().any(|n| match &*n.kind() {
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

/// Whether a marker call has been made, on the paths that reach a point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    No,
    Yes,
    Maybe,
}

fn join(a: Option<Reach>, b: Option<Reach>) -> Option<Reach> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) if x == y => Some(x),
        _ => Some(Reach::Maybe),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Loop,
    Other,
}

struct Frame {
    kind: FrameKind,
    label: Option<String>,
    breaks: Option<Reach>,
    continues: Option<Reach>,
}

/// What a walk over the statements of a function found out about one
/// "marker" statement (`wg.Done()`, `runtime.UnlockOSThread()`) on the ways
/// out of the function.
pub(super) struct ExitPaths {
    /// Start offsets of the marker statements met.
    pub markers: HashSet<usize>,
    /// Some way out (a `return`, `runtime.Goexit()`, the end of the body)
    /// does not always pass a marker.
    pub missed_exit: bool,
    /// Some statement runs after a marker on the same path.
    pub work_after: bool,
    /// Some path may pass a marker twice.
    pub twice: bool,
    /// A jump the walk does not follow (`goto`, labelled jumps out,
    /// `fallthrough`).
    pub unsupported: Option<&'static str>,
}

struct Walker<'a, 'f, 'r> {
    file: &'a FileContext<'f>,
    is_marker: &'a dyn Fn(&GoNode<'r>) -> bool,
    out: ExitPaths,
    frames: Vec<Frame>,
    pending_label: Option<String>,
}

impl ExitPaths {
    /// Walks `stmts` (the rest of a function body) from a point where no
    /// marker has run yet.
    pub fn walk<'r>(
        file: &FileContext<'_>,
        stmts: &[GoNode<'r>],
        is_marker: &dyn Fn(&GoNode<'r>) -> bool,
    ) -> ExitPaths {
        let mut w = Walker {
            file,
            is_marker,
            out: ExitPaths {
                markers: HashSet::new(),
                missed_exit: false,
                work_after: false,
                twice: false,
                unsupported: None,
            },
            frames: Vec::new(),
            pending_label: None,
        };
        let end = w.list(stmts.iter().cloned(), Some(Reach::No));
        // Falling off the end of the body is a way out.
        if let Some(st) = end {
            w.exit(st);
        }
        w.out
    }
}

impl<'r> Walker<'_, '_, 'r> {
    fn work(&mut self, st: Reach) {
        if st != Reach::No {
            self.out.work_after = true;
        }
    }

    fn exit(&mut self, st: Reach) {
        if st != Reach::Yes {
            self.out.missed_exit = true;
        }
    }

    fn unsupported(&mut self, why: &'static str) {
        self.out.unsupported.get_or_insert(why);
    }

    fn list(
        &mut self,
        stmts: impl Iterator<Item = GoNode<'r>>,
        mut st: Option<Reach>,
    ) -> Option<Reach> {
        for s in stmts {
            if s.kind() == "comment" || !s.is_named() {
                continue;
            }
            let cur = st?;
            st = self.stmt(&s, cur);
        }
        st
    }

    fn block(&mut self, block: &GoNode<'r>, st: Reach) -> Option<Reach> {
        let list = block.children().find(|c| c.kind() == "statement_list");
        match list {
            Some(l) => self.list(l.named_children(), Some(st)),
            None => Some(st),
        }
    }

    /// The statements of a case clause.
    fn clause(&mut self, clause: &GoNode<'r>, st: Reach) -> Option<Reach> {
        match clause.children().find(|c| c.kind() == "statement_list") {
            Some(l) => self.list(l.named_children(), Some(st)),
            None => Some(st),
        }
    }

    fn is_terminating_call(&self, call: &GoNode<'r>) -> bool {
        if call.kind() != "call_expression" {
            return false;
        }
        let f = self.file;
        call.field("function")
            .is_some_and(|x| x.kind() == "identifier" && x.text() == "panic")
            || f.is_pkg_call(call, "os", "Exit")
            || ["Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"]
                .iter()
                .any(|n| f.is_pkg_call(call, "log", n))
    }

    fn stmt(&mut self, s: &GoNode<'r>, st: Reach) -> Option<Reach> {
        match &*s.kind() {
            "expression_statement" => {
                if (self.is_marker)(s) {
                    if st != Reach::No {
                        self.out.twice = true;
                    }
                    self.out.markers.insert(s.range().start);
                    return Some(Reach::Yes);
                }
                let call = s.named_children().next();
                if call.as_ref().is_some_and(|c| self.is_terminating_call(c)) {
                    return None;
                }
                if call
                    .as_ref()
                    .is_some_and(|c| self.file.is_pkg_call(c, "runtime", "Goexit"))
                {
                    self.work(st);
                    self.exit(st);
                    return None;
                }
                self.work(st);
                Some(st)
            }
            "return_statement" => {
                if s.dfs().any(|n| n.kind() == "call_expression") {
                    self.work(st);
                }
                self.exit(st);
                None
            }
            "empty_statement" => Some(st),
            "block" => self.block(s, st),
            "labeled_statement" => {
                let label = s.field("label").map(|l| l.text().to_string());
                let inner = s.named_children().find(|c| c.kind() != "label_name")?;
                self.pending_label = label;
                let r = self.stmt(&inner, st);
                self.pending_label = None;
                r
            }
            "if_statement" => {
                self.work(st);
                let cons = match s.field("consequence") {
                    Some(b) => self.block(&b, st),
                    None => Some(st),
                };
                let alt = match s.field("alternative") {
                    Some(a) if a.kind() == "block" => self.block(&a, st),
                    Some(a) => self.stmt(&a, st),
                    None => Some(st),
                };
                join(cons, alt)
            }
            "for_statement" => self.for_loop(s, st),
            "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
                self.work(st);
                let label = self.pending_label.take();
                self.frames.push(Frame {
                    kind: FrameKind::Other,
                    label,
                    breaks: None,
                    continues: None,
                });
                let mut out = None;
                let mut has_default = false;
                let mut cases = 0;
                for c in s.named_children() {
                    if !matches!(
                        &*c.kind(),
                        "expression_case" | "default_case" | "type_case" | "communication_case"
                    ) {
                        continue;
                    }
                    cases += 1;
                    has_default |= c.kind() == "default_case";
                    let r = self.clause(&c, st);
                    out = join(out, r);
                }
                let frame = self.frames.pop().expect("frame pushed above");
                out = join(out, frame.breaks);
                let is_select = s.kind() == "select_statement";
                if !is_select && !has_default {
                    out = join(out, Some(st));
                }
                if is_select && cases == 0 {
                    return None;
                }
                out
            }
            "break_statement" => {
                let label = s.named_children().next().map(|l| l.text().to_string());
                match self.find_frame(label.as_deref(), false) {
                    Some(i) => self.frames[i].breaks = join(self.frames[i].breaks, Some(st)),
                    None => self.unsupported("it breaks out to a label outside the function"),
                }
                None
            }
            "continue_statement" => {
                let label = s.named_children().next().map(|l| l.text().to_string());
                self.add_continue(label.as_deref(), st);
                None
            }
            "goto_statement" => {
                self.unsupported("it uses `goto`");
                None
            }
            "fallthrough_statement" => {
                self.unsupported("it uses `fallthrough`");
                None
            }
            _ => {
                self.work(st);
                Some(st)
            }
        }
    }

    fn add_continue(&mut self, label: Option<&str>, st: Reach) {
        match self.find_frame(label, true) {
            Some(i) => self.frames[i].continues = join(self.frames[i].continues, Some(st)),
            None => self.unsupported("it continues a loop outside the function"),
        }
    }

    fn find_frame(&self, label: Option<&str>, loop_only: bool) -> Option<usize> {
        (0..self.frames.len()).rev().find(|&i| {
            let f = &self.frames[i];
            match label {
                Some(l) => f.label.as_deref() == Some(l),
                None => !loop_only || f.kind == FrameKind::Loop,
            }
        })
    }

    fn for_loop(&mut self, s: &GoNode<'r>, st: Reach) -> Option<Reach> {
        let label = self.pending_label.take();
        let has_header = s
            .named_children()
            .any(|c| !matches!(&*c.kind(), "block" | "comment"));
        let body = s.field("body");
        let mut entry = st;
        // Two passes reach the fixed point of a three-valued state.
        let mut result = None;
        for _ in 0..3 {
            self.work(entry);
            self.frames.push(Frame {
                kind: FrameKind::Loop,
                label: label.clone(),
                breaks: None,
                continues: None,
            });
            let end = match &body {
                Some(b) => self.block(b, entry),
                None => Some(entry),
            };
            let frame = self.frames.pop().expect("frame pushed above");
            let next = join(join(Some(entry), end), frame.continues).unwrap_or(entry);
            let exit = if has_header { Some(next) } else { None };
            result = join(exit, frame.breaks);
            if next == entry {
                break;
            }
            entry = next;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::golang::parse;
    use crate::engine::imports::ImportTable;
    use crate::engine::Settings;

    /// Walks the body of the first function in `src` with `done()` as the marker.
    fn walk(body: &str) -> ExitPaths {
        let src = format!("package a\n\nimport \"os\"\n\nfunc f() {{\n{body}\n}}\n");
        let root = parse(&src);
        let imports = ImportTable::from_root(&root);
        let settings = Settings::default();
        let file = FileContext {
            path: std::path::Path::new("a.go"),
            source: &src,
            root: &root,
            imports: &imports,
            go_version: "1.22".parse().unwrap(),
            settings: &settings,
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
