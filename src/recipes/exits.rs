//! The ways out of a function body, and edits that move a call to a
//! `defer`: [`ExitPaths`] walks the statements of a body and tells whether a
//! "marker" call (`wg.Done()`, `runtime.UnlockOSThread()`) is made on every
//! way out and whether work follows it. Shared by `defer-wg-done` and
//! `lock-os-thread`.

use std::collections::HashSet;

use crate::engine::edit::{line_start, remove_statement, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::FileContext;

use super::util::remove_call_statement;

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
///
/// The comment lines directly above a removed call go with it only when
/// they speak of it (name one of its identifiers) or nothing follows it in
/// its block: `// ctx is done.` over `wg.Done()` and a `return` explains
/// the `return`, which stays.
pub(super) fn remove_inline_or_line(src: &str, stmt: &GoNode<'_>) -> TextEdit {
    let r = stmt.range();
    let line = line_start(src, r.start);
    let before = &src[line..r.start];
    if before.trim().is_empty() {
        let edit = remove_call_statement(src, stmt);
        let above = edit.range.start < line && edit.range.end >= r.end;
        if above && super::util::next_statement(stmt).is_some() {
            let comment = &src[edit.range.start..line];
            if !speaks_of(comment, &stmt.text()) {
                return TextEdit::delete(line..edit.range.end);
            }
        }
        return edit;
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

/// Whether `comment` names one of the identifiers of `code` (as written).
fn speaks_of(comment: &str, code: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| w.len() > 1)
            .map(str::to_string)
            .collect()
    };
    let said = words(comment);
    words(code).iter().any(|w| said.contains(w))
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
