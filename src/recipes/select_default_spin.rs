//! `select-default-spin`: drop the empty `default` that turns a blocking
//! `select` in an endless loop into a busy-spin.

use crate::engine::edit::{indent_at, line_end, line_start, remove_statement_range, TextEdit};
use crate::engine::golang::GoNode;
use crate::engine::{FileContext, Finding, Fix, MatchContext, RecipeLogic};

use super::intent;
use super::util::{in_test_code, is_receive, loop_of, sibling_statements};

pub struct SelectDefaultSpin;

/// What the header of a `for` loop makes of it.
enum LoopShape {
    /// `for {}` or a three-clause loop without a condition: only the body ends it.
    Endless,
    /// `for cond {}` or a three-clause loop with a condition, polled each pass.
    Conditional,
    /// `for ... range x {}`: one pass per item.
    Range,
}

fn loop_shape(lp: &GoNode<'_>) -> LoopShape {
    let body = lp.field("body").map(|b| b.range());
    let header = lp
        .named_children()
        .find(|c| c.kind() != "comment" && Some(c.range()) != body);
    match header {
        None => LoopShape::Endless,
        Some(h) if h.kind() == "range_clause" => LoopShape::Range,
        Some(h) if h.kind() == "for_clause" => {
            if h.field("condition").is_some() {
                LoopShape::Conditional
            } else {
                LoopShape::Endless
            }
        }
        Some(_) => LoopShape::Conditional,
    }
}

/// Whether the statements of a non-empty `default` leave the loop or wait,
/// so that the loop does not spin: `return`, `goto`, a labelled `break`,
/// `panic`, `os.Exit`, `log.Fatal*`, `time.Sleep`, a channel operation, a
/// nested `select` or a `Wait` call.
fn leaves_or_waits(file: &FileContext<'_>, body: &GoNode<'_>) -> bool {
    body.dfs().any(|n| match &*n.kind() {
        "return_statement" | "goto_statement" | "send_statement" | "select_statement" => true,
        "break_statement" => n.named_children().any(|c| c.kind() == "label_name"),
        "unary_expression" => is_receive(&n),
        "call_expression" => {
            let Some(f) = n.field("function") else {
                return false;
            };
            (f.kind() == "identifier" && f.text() == "panic")
                || file.is_pkg_call(&n, "time", "Sleep")
                || file.is_pkg_call(&n, "os", "Exit")
                || ["Fatal", "Fatalf", "Fatalln"]
                    .iter()
                    .any(|m| file.is_pkg_call(&n, "log", m))
                || (f.kind() == "selector_expression"
                    && f.field("field").is_some_and(|x| x.text() == "Wait"))
        }
        _ => false,
    })
}

fn is_clause(n: &GoNode<'_>) -> bool {
    matches!(&*n.kind(), "communication_case" | "default_case")
}

/// The edit removing an empty `default:` with the comments that belong to
/// it: comment lines right above it at its own indentation, and the
/// comments after it up to the next clause that sit on its line or deeper.
fn remove_default(src: &str, dflt: &GoNode<'_>) -> TextEdit {
    let r = dflt.range();
    let own_line = src[line_start(src, r.start)..r.start].trim().is_empty();
    if !own_line {
        return remove_statement_range(src, r.start, r.end);
    }
    let indent = indent_at(src, r.start);
    let mut end = r.end;
    for n in dflt.next_all() {
        if n.kind() != "comment" {
            break;
        }
        let c = n.range().start;
        let same_line = !src[end..c].contains('\n');
        let deeper =
            src[line_start(src, c)..c].trim().is_empty() && indent_at(src, c).len() > indent.len();
        if !(same_line || deeper) {
            break;
        }
        end = n.range().end;
    }
    let mut s = line_start(src, r.start);
    let mut e = line_end(src, end);
    while s > 0 {
        let prev = line_start(src, s - 1);
        let text = &src[prev..s - 1];
        if text.trim_start().starts_with("//") && indent_at(src, prev) == indent {
            s = prev;
        } else {
            break;
        }
    }
    // No blank line may be left right before the closing brace, nor two in a row.
    if s > 0 {
        let prev = line_start(src, s - 1);
        let prev_blank = src[prev..s].trim().is_empty();
        let next = &src[e..line_end(src, e.min(src.len()))];
        let next_closes = next.trim_start().starts_with('}');
        if prev_blank && next_closes {
            s = prev;
        } else if prev_blank && next.trim().is_empty() && e < src.len() {
            e = line_end(src, e);
        }
    }
    TextEdit::delete(s..e)
}

/// TRUST.md X1: a comment that gives a specific reason for the spin, on the
/// `default` (above it, on its line, or the comment lines in its empty
/// body), on the select or the loop, or in the function's doc comment.
fn stated_reason_for_spin<'r>(
    file: &FileContext<'_>,
    dflt: &GoNode<'r>,
    select: &GoNode<'r>,
    lp: &GoNode<'r>,
) -> Option<String> {
    if let Some(why) = [dflt, select, lp]
        .into_iter()
        .find_map(|n| intent::stated_reason(file, n))
    {
        return Some(why);
    }
    let src = file.source;
    let inside = dflt
        .dfs()
        .chain(dflt.next_all().take_while(|n| n.kind() == "comment"))
        .filter(|n| n.kind() == "comment")
        .map(|n| src[n.range()].trim_start_matches("//").trim().to_string())
        .find(|c| intent::gives_reason(c))?;
    let short: String = inside.chars().take(70).collect();
    Some(format!(
        "a comment gives a reason for the empty default (\"{short}\"); a human should decide whether that reason still holds"
    ))
}

impl RecipeLogic for SelectDefaultSpin {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let dflt = cx.node();
        let select = dflt.parent().filter(|p| p.kind() == "select_statement")?;
        let lp = loop_of(&select)?;
        // Only a select that is the whole loop body spins: with other work
        // beside it, a non-blocking select is a deliberate check.
        if sibling_statements(&select).len() != 1 {
            return None;
        }
        let shape = loop_shape(&lp);
        if matches!(shape, LoopShape::Range) {
            // One non-blocking attempt per item is a drop policy, not a spin.
            return None;
        }
        let clauses = select.children().filter(is_clause).count();
        if clauses == 1 {
            return Some(cx.report(
                "it is the only clause: without it the select would block forever; the loop needs a real wait",
            ));
        }
        if let Some(body) = dflt.children().find(|c| c.kind() == "statement_list") {
            if body.named_children().any(|c| c.kind() != "comment") {
                // A loop with its own exit condition that does work when
                // nothing is ready is a bounded retry, not a spin.
                if leaves_or_waits(cx.file, &body) || matches!(shape, LoopShape::Conditional) {
                    return None;
                }
                return Some(cx.report(
                    "the default does work on every empty pass; decide whether it should wait (a blocking case, a ticker, a back-off)",
                ));
            }
        }
        if in_test_code(cx.file, &dflt) {
            return Some(
                cx.report("in a test or benchmark a spinning loop may be the load under test"),
            );
        }
        if matches!(shape, LoopShape::Conditional) {
            return Some(cx.report(
                "the loop re-checks its condition on every pass; without the default it would only re-check after a case fires",
            ));
        }
        if let Some(why) = stated_reason_for_spin(cx.file, &dflt, &select, &lp) {
            return Some(cx.report(&why));
        }
        Some(cx.fix(Fix {
            edits: vec![remove_default(cx.file.source, &dflt)],
            add_imports: Vec::new(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::edit::apply_edits;
    use crate::engine::golang::parse;

    fn without_default(src: &str) -> String {
        let root = parse(src);
        let dflt = root
            .root()
            .dfs()
            .find(|n| n.kind() == "default_case")
            .expect("a default clause");
        apply_edits(src, &[remove_default(src, &dflt)])
    }

    #[test]
    fn removes_default_with_its_comments_only() {
        let src = "package p\n\nfunc f(a, b chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-a:\n\t\t\t// a's note\n\t\t// poll\n\t\tdefault: // spin\n\t\t\t// nothing\n\t\t// b next\n\t\tcase <-b:\n\t\t}\n\t}\n}\n";
        let want = "package p\n\nfunc f(a, b chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-a:\n\t\t\t// a's note\n\t\t// b next\n\t\tcase <-b:\n\t\t}\n\t}\n}\n";
        assert_eq!(without_default(src), want);
    }

    #[test]
    fn removes_default_sharing_a_line() {
        let src = "package p\n\nfunc f(a chan int) {\n\tfor {\n\t\tselect { case <-a: default: }\n\t}\n}\n";
        let want = "package p\n\nfunc f(a chan int) {\n\tfor {\n\t\tselect { case <-a: }\n\t}\n}\n";
        assert_eq!(without_default(src), want);
    }

    #[test]
    fn tells_loop_shapes_apart() {
        let root = parse("package p\n\nfunc f(xs []int, ok bool) {\n\tfor {\n\t}\n\tfor i := 0; ; i++ {\n\t}\n\tfor ok {\n\t}\n\tfor i := 0; i < 3; i++ {\n\t}\n\tfor range xs {\n\t}\n}\n");
        let shapes: Vec<&str> = root
            .root()
            .dfs()
            .filter(|n| n.kind() == "for_statement")
            .map(|l| match loop_shape(&l) {
                LoopShape::Endless => "endless",
                LoopShape::Conditional => "conditional",
                LoopShape::Range => "range",
            })
            .collect();
        assert_eq!(
            shapes,
            ["endless", "endless", "conditional", "conditional", "range"]
        );
    }
}
