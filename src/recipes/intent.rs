//! Signs that code is the way it is on purpose, shared by every recipe.
//!
//! A rewrite that removes a statement or takes its effect away is made only
//! where nothing says the author meant it. Two kinds of sign:
//!
//! - a comment attached to the statement that gives a *specific* reason
//!   (an issue reference, a compiler or platform, a named mechanism, tests,
//!   "on purpose"), as opposed to one that restates the belief the recipe
//!   exists to correct ("be nice to the scheduler", "free memory");
//! - the kind of code: test support in a non-test file, and functions
//!   exported to C or linked by name, whose callers are outside Go's view.

use crate::engine::edit::line_start;
use crate::engine::golang::GoNode;
use crate::engine::scope::top_level;
use crate::engine::FileContext;

/// Words that make a comment a specific reason, whatever else it says.
/// Each is matched on word boundaries, case-insensitively.
const REASON_MARKERS: &[&str] = &[
    // Issue and bug references.
    "issue",
    "bug",
    "golang.org/issue",
    "go.dev/issue",
    "see",
    "cl",
    "workaround",
    "work around",
    // Compilers, platforms and tools.
    "gccgo",
    "gc compiler",
    "plan9",
    "plan 9",
    "wasm",
    "js/wasm",
    "windows",
    "darwin",
    "ios",
    "android",
    "solaris",
    "aix",
    "openbsd",
    "freebsd",
    "netbsd",
    "race detector",
    "threadsanitizer",
    "tsan",
    "msan",
    "asan",
    "cgo",
    "vet",
    // Tests.
    "test",
    "tests",
    "testing",
    "coverage",
    "benchmark",
    "benchmarks",
    "flaky",
    "deterministic",
    // Declared intent.
    "on purpose",
    "deliberate",
    "deliberately",
    "intentional",
    "intentionally",
    "needed",
    "required",
    "necessary",
    "do not remove",
    "don't remove",
    "must not be removed",
    "keep this",
    // Mechanisms a yield or collection is for.
    "finalizer",
    "finalizers",
    "cleanup",
    "cleanups",
    "weak",
    "profile",
    "heap profile",
    "memstats",
    "batch",
    "starvation",
    "preempt",
    "preemption",
    "unpreemptible",
    "deadlock",
    "livelock",
    "race",
    "retry",
];

/// Phrases that restate the belief the recipes correct: a comment made only
/// of these (and of words naming the call) is no reason.
const BELIEF_PHRASES: &[&str] = &[
    "be nice",
    "play nice",
    "nice to",
    "fair",
    "fairness",
    "give other goroutines a chance",
    "give others a chance",
    "give the scheduler a chance",
    "let other goroutines run",
    "let others run",
    "allow other goroutines",
    "other goroutines",
    "yield to others",
    "yield the processor",
    "yield cpu",
    "help the scheduler",
    "cooperative",
    "free memory",
    "free up memory",
    "release memory",
    "reclaim memory",
    "clean up memory",
    "reduce memory",
    "keep memory low",
    "keep memory down",
    "before the next request",
    "after each request",
    "look again",
    "try again",
    "check again",
    "poll again",
    "keep polling",
    "keep looping",
    "nothing to do",
    "use all cores",
    "use every core",
    "scale",
];

/// Why `stmt` looks deliberate, from the comments attached to it: on its
/// own lines, directly above it, or in the doc comment of its function.
/// The answer quotes the comment.
pub fn stated_reason(file: &FileContext<'_>, stmt: &GoNode<'_>) -> Option<String> {
    let doc = function_doc(file, stmt);
    attached_comments(file, stmt)
        .into_iter()
        .find(|c| {
            if doc.as_deref() == Some(c.as_str()) {
                has_marker(c)
            } else {
                gives_reason(c)
            }
        })
        .map(|c| quote_reason(&c))
}

/// [`stated_reason`] for a statement that spans a block (a loop, a `go`
/// with a literal): only the comment on its first line and the comment lines
/// directly above it count, not those inside its body nor the function's
/// doc comment (which describes the whole function, not this statement).
pub fn stated_reason_at_head(file: &FileContext<'_>, stmt: &GoNode<'_>) -> Option<String> {
    head_comments(file, stmt)
        .into_iter()
        .find(|c| gives_reason(c))
        .map(|c| quote_reason(&c))
}

/// The message fragment that quotes a comment giving a reason.
fn quote_reason(c: &str) -> String {
    let short: String = c.chars().take(70).collect();
    let more = if c.chars().count() > 70 { "..." } else { "" };
    format!("a comment gives a reason for it (\"{short}{more}\"); a human should decide whether that reason still holds")
}

/// The run of comment-only lines that ends right above the line starting
/// at `at`, joined, without comment markers.
fn comment_lines_above(src: &str, mut at: usize) -> Option<String> {
    let mut block = Vec::new();
    while at > 0 {
        let prev = line_start(src, at - 1);
        let line = src[prev..at].trim();
        if line.starts_with("//")
            || line.starts_with("/*")
            || line.ends_with("*/")
            || line.starts_with('*')
        {
            block.push(clean(line));
            at = prev;
        } else {
            break;
        }
    }
    block.reverse();
    (!block.is_empty()).then(|| block.join(" "))
}

/// The trailing comment of the first line of `stmt` and the run of comment
/// lines directly above it.
fn head_comments(file: &FileContext<'_>, stmt: &GoNode<'_>) -> Vec<String> {
    let src = file.source;
    let start = line_start(src, stmt.range().start);
    let first_line = &src[start..crate::engine::edit::line_end(src, stmt.range().start)];
    let mut out = Vec::new();
    if let Some(i) = comment_start(first_line) {
        out.push(clean(&first_line[i..]));
    }
    out.extend(comment_lines_above(src, start));
    out
}

/// The comment texts attached to `stmt`, without `//` and `/* */`: the
/// trailing comment of its lines, the run of comment lines directly above
/// it, and the doc comment of the top-level function around it.
pub fn attached_comments(file: &FileContext<'_>, stmt: &GoNode<'_>) -> Vec<String> {
    let src = file.source;
    let mut out = Vec::new();
    // Trailing comments on the statement's own lines.
    let r = stmt.range();
    let end = crate::engine::edit::line_end(src, r.end);
    for line in src[line_start(src, r.start)..end].lines() {
        if let Some(i) = comment_start(line) {
            out.push(clean(&line[i..]));
        }
    }
    out.retain(|c| !is_annotation(c));
    // The run of comment-only lines directly above.
    out.extend(comment_lines_above(src, line_start(src, r.start)));
    // The doc comment of the function.
    if let Some(doc) = function_doc(file, stmt) {
        out.push(doc);
    }
    out
}

/// Like [`stated_reason`], for a call about `subject` (words naming what
/// it does: "yield", "collect"...), with `beliefs`: more phrases that only
/// restate the habit the recipe corrects (a comment with one of them and no
/// specific marker is no reason). Besides the comments on the statement's
/// lines and directly above it, the comments on the `if` statements that
/// guard it inside its loop count (`// needed for gccgo` over `if i%N == 0 {
/// runtime.Gosched() }`). The function's doc comment counts only through a
/// sentence that names the subject and holds a specific marker (an issue, a
/// platform, a mechanism such as "batch"): a long doc comment is no reason
/// by its length alone. The answer quotes the sentence that gives the reason.
pub fn stated_reason_in_context(
    file: &FileContext<'_>,
    stmt: &GoNode<'_>,
    subject: &[&str],
    beliefs: &[&str],
) -> Option<String> {
    let src = file.source;
    let r = stmt.range();
    let mut comments = Vec::new();
    let own = &src[line_start(src, r.start)..crate::engine::edit::line_end(src, r.end)];
    for line in own.lines() {
        if let Some(i) = comment_start(line) {
            comments.push(clean(&line[i..]));
        }
    }
    comments.extend(leading_comments(file, stmt));
    let stmt_loop = super::util::enclosing_loop(stmt).map(|l| l.range());
    for g in super::util::guarding_ifs(stmt) {
        // An `if` around the whole loop is about more than the call.
        let in_loop =
            stmt_loop.is_none() || super::util::enclosing_loop(&g).map(|l| l.range()) == stmt_loop;
        if !in_loop {
            break;
        }
        comments.extend(leading_comments(file, &g));
    }
    comments.retain(|c| !is_annotation(c));
    let quote = |c: &str| {
        format!(
            "a comment gives a reason for it (\"{}\"); a human should decide whether that reason still holds",
            reason_excerpt(c, subject)
        )
    };
    let reason = |c: &str| {
        let lower = c.to_lowercase();
        gives_reason(c) && (has_marker(c) || !beliefs.iter().any(|b| has_phrase(&lower, b)))
    };
    if let Some(c) = comments.iter().find(|c| reason(c)) {
        return Some(quote(c));
    }
    let doc = function_doc(file, stmt)?;
    // Go doc comments start with the function's name, which says nothing
    // (`// Batch collects...` is not about a batch).
    let name = top_level(stmt)
        .and_then(|t| t.field("name"))
        .map(|n| n.text().to_string());
    let doc = match name.as_deref().and_then(|n| doc.strip_prefix(n)) {
        Some(rest) if rest.starts_with(' ') => rest.to_string(),
        _ => doc,
    };
    sentences(&doc)
        .into_iter()
        .find(|s| names_any(s, subject) && has_marker(s))
        .map(quote)
}

/// Whether a comment speaks of the call: it names it (`subject` words) or
/// restates the belief behind it ("be nice", "let others run").
pub fn speaks_of_call(comment: &str, subject: &[&str]) -> bool {
    let lower = comment.to_lowercase();
    names_any(&lower, subject) || BELIEF_PHRASES.iter().any(|b| has_phrase(&lower, b))
}

/// Whether `text` holds one of `words` (case-insensitive, whole words).
fn names_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| has_phrase(&lower, w))
}

/// Whether `comment` holds a specific marker: an issue number, a link, or
/// one of [`REASON_MARKERS`]. A doc comment, which describes a whole
/// function, counts only through one.
pub fn has_marker(comment: &str) -> bool {
    let lower = comment.to_lowercase();
    (lower.contains('#') && lower.chars().any(|c| c.is_ascii_digit()))
        || lower.contains("http://")
        || lower.contains("https://")
        || REASON_MARKERS.iter().any(|m| has_phrase(&lower, m))
}

/// The sentences of `text`: a `.`, `;`, `!` or `?` ends one when a space
/// or the end follows (`xfer.Done()` is one word).
fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let ends = matches!(c, b'.' | b';' | b'!' | b'?')
            && b.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
        if ends {
            out.push(text[start..=i].trim());
            start = i + 1;
        }
    }
    out.push(text[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The sentence of `comment` that gives the reason, cut to about 120
/// characters: the first that names the subject and gives a reason, else
/// the first with a specific marker, else the first that gives a reason,
/// else the start of the comment.
pub fn reason_excerpt(comment: &str, subject: &[&str]) -> String {
    let all = sentences(comment);
    let pick = all
        .iter()
        .find(|s| names_any(s, subject) && gives_reason(s))
        .or_else(|| all.iter().find(|s| has_marker(s)))
        .or_else(|| all.iter().find(|s| gives_reason(s)))
        .copied()
        .unwrap_or(comment);
    let short: String = pick.chars().take(120).collect();
    if pick.chars().count() > 120 {
        format!("{short}...")
    } else {
        short
    }
}

/// The comment lines directly above `node` (joined) and the trailing
/// comment of its first line.
fn leading_comments(file: &FileContext<'_>, node: &GoNode<'_>) -> Vec<String> {
    let src = file.source;
    let start = line_start(src, node.range().start);
    let mut out = Vec::new();
    let first = &src[start..crate::engine::edit::line_end(src, node.range().start)];
    if let Some(i) = comment_start(first) {
        out.push(clean(&first[i..]));
    }
    let mut block = Vec::new();
    let mut at = start;
    while at > 0 {
        let prev = line_start(src, at - 1);
        let line = src[prev..at].trim();
        if line.starts_with("//") {
            block.push(clean(line));
            at = prev;
        } else {
            break;
        }
    }
    if !block.is_empty() {
        block.reverse();
        out.push(block.join(" "));
    }
    out.retain(|c| !is_annotation(c));
    out
}

/// An analyzer-test expectation (`// want "..."`), which states what a
/// checker should say, not why the code is there.
fn is_annotation(comment: &str) -> bool {
    comment.starts_with("want \"")
}

/// The doc comment (joined lines) of the top-level declaration around `node`.
pub fn function_doc(file: &FileContext<'_>, node: &GoNode<'_>) -> Option<String> {
    let top = top_level(node)?;
    let src = file.source;
    let mut lines = Vec::new();
    let mut at = line_start(src, top.range().start);
    while at > 0 {
        let prev = line_start(src, at - 1);
        let line = src[prev..at].trim();
        if line.starts_with("//") {
            lines.push(line.to_string());
            at = prev;
        } else {
            break;
        }
    }
    lines.reverse();
    (!lines.is_empty()).then(|| lines.iter().map(|l| clean(l)).collect::<Vec<_>>().join(" "))
}

/// Whether the function around `node` is called from outside Go's view:
/// `//export` (cgo) or `//go:linkname` in its doc comment.
pub fn externally_linked(file: &FileContext<'_>, node: &GoNode<'_>) -> bool {
    let Some(top) = top_level(node) else {
        return false;
    };
    let src = file.source;
    let mut at = line_start(src, top.range().start);
    while at > 0 {
        let prev = line_start(src, at - 1);
        let line = src[prev..at].trim();
        if !line.starts_with("//") {
            break;
        }
        if line.starts_with("//export ") || line.starts_with("//go:linkname ") {
            return true;
        }
        at = prev;
    }
    // A linkname directive may also stand anywhere in the file, naming it
    // (a plain function: a method is never linked by its bare name).
    if top.kind() != "function_declaration" {
        return false;
    }
    top.field("name")
        .is_some_and(|n| file.linkname_targets().contains(&*n.text()))
}

/// Whether `node` is test-support code, even in a non-test file: a
/// `_test.go` file, a file that imports `testing`, a function that takes a
/// `*testing.T`/`B`/`F` or `testing.TB`, or a package named `*test` or
/// `*testutil` (and the `testing` package itself).
pub fn in_test_support(file: &FileContext<'_>, node: &GoNode<'_>) -> bool {
    if super::util::in_test_code(file, node) || file.imports.has("testing") {
        return true;
    }
    let pkg = file.package_name();
    pkg.ends_with("test") || pkg.ends_with("testutil") || pkg.ends_with("testutils")
}

/// Whether a comment gives a specific reason (see the module docs).
pub fn gives_reason(comment: &str) -> bool {
    if has_marker(comment) {
        return true;
    }
    let lower = comment.to_lowercase();
    if BELIEF_PHRASES.iter().any(|b| has_phrase(&lower, b)) {
        return false;
    }
    // Neither a marker nor a belief: a short comment restates the call
    // ("yield", "force a collection"); a longer one explains something a
    // human should weigh.
    // A purpose clause names a mechanism ("to allow more messages to
    // fill", "so the reader sees the flag").
    if PURPOSE.iter().any(|p| has_phrase(&lower, p)) {
        return true;
    }
    let words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2 && !RESTATING_WORDS.contains(w))
        .count();
    words >= 5
}

/// Connectors that introduce what a statement is for.
const PURPOSE: &[&str] = &[
    "to allow",
    "to let",
    "so that",
    "in order to",
    "to make sure",
    "to ensure",
    "to give the",
    "to wait for",
    "waits for",
    "until the",
    "so the",
];

/// Words that only name what the call does.
const RESTATING_WORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "this",
    "that",
    "here",
    "now",
    "runtime",
    "gosched",
    "yield",
    "yields",
    "yielding",
    "schedule",
    "scheduler",
    "run",
    "force",
    "forces",
    "forcing",
    "garbage",
    "collection",
    "collect",
    "collector",
    "call",
    "calls",
    "calling",
    "goroutine",
    "goroutines",
    "thread",
    "threads",
    "cpu",
    "processor",
    "memory",
    "gomaxprocs",
    "numcpu",
    "set",
    "sets",
];

fn has_phrase(text: &str, phrase: &str) -> bool {
    let mut start = 0;
    while let Some(i) = text[start..].find(phrase) {
        let at = start + i;
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        start = at + phrase.len();
    }
    false
}

/// Where a `//` or `/*` comment starts in `line`, outside string literals.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q != b'`' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b'"' || c == b'`' || c == b'\'' {
                    quote = Some(c);
                } else if c == b'/' && i + 1 < b.len() && (b[i + 1] == b'/' || b[i + 1] == b'*') {
                    return Some(i);
                }
            }
        }
        i += 1;
    }
    None
}

fn clean(comment: &str) -> String {
    comment
        .trim()
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_end_matches("*/")
        .trim_start_matches('*')
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specific_reasons() {
        for c in [
            "avoid starvation (see #28701)",
            "needed for gccgo, to avoid an unpreemptible fast path",
            "so writers can fill the batch before we flush",
            "let the remover run before we retry",
            "stable coverage when running tests",
            "Yield to allow more messages to fill.",
            "this is on purpose",
            "do not remove: the finalizer must run",
            "The goroutine that removes this entry is waiting on the same channel, so give it a turn",
        ] {
            assert!(gives_reason(c), "{c}");
        }
    }

    #[test]
    fn beliefs_and_restatements_are_no_reason() {
        for c in [
            "be nice to other goroutines",
            "for fairness",
            "free memory before the next request",
            "give other goroutines a chance",
            "yield",
            "force a garbage collection",
            "Gosched here",
            "nothing scheduled yet: look again",
        ] {
            assert!(!gives_reason(c), "{c}");
        }
    }

    #[test]
    fn sentences_end_at_punctuation_before_a_space() {
        assert_eq!(
            sentences("Wait for x.Done() here. Then go; fast"),
            vec!["Wait for x.Done() here.", "Then go;", "fast"]
        );
    }

    #[test]
    fn the_excerpt_is_the_sentence_that_gives_the_reason() {
        let doc = "Run serves the loop until it fails. As an optimization, it yields once so writers can fill the batch.";
        assert_eq!(
            reason_excerpt(doc, &["yields"]),
            "As an optimization, it yields once so writers can fill the batch."
        );
        assert!(reason_excerpt(&"word ".repeat(40), &[]).ends_with("..."));
    }

    #[test]
    fn calls_are_spoken_of_by_name_or_belief() {
        assert!(speaks_of_call("Yield to the reader", &["yield"]));
        assert!(speaks_of_call("let others run", &["yield"]));
        assert!(!speaks_of_call("store the value and count it", &["yield"]));
    }

    #[test]
    fn analyzer_expectations_are_no_comments_of_intent() {
        assert!(is_annotation("want \"remove-gc\" \"a reason\""));
        assert!(!is_annotation("wanted by the reader, see #12"));
    }

    #[test]
    fn comments_in_strings_are_not_comments() {
        assert_eq!(comment_start(r#"x := "a // b" // real"#), Some(14));
        assert_eq!(comment_start("s := `//`"), None);
    }
}
