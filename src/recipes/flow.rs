//! Where a value goes after it is made: returned, stored in a field or a
//! package-level variable, sent on a channel, captured by a closure that
//! escapes... A type-free escape analysis over one function, shared by the
//! recipes that must not rewrite a value that outlives its function.

use std::ops::Range;

use crate::engine::golang::GoNode;
use crate::engine::scope::declared_names;
use crate::engine::FileContext;

/// Whether a variable name is conventionally an error or a boolean flag.
fn is_error_or_flag(name: &str) -> bool {
    name == "ok" || name.starts_with("err") || name.ends_with("Err")
}

pub(super) fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The node whose scope declares `name` as seen at `node` (the statement
/// list, function or clause holding the declaration), or `None` for a
/// package-level name.
pub(super) fn resolve(node: &GoNode<'_>, name: &str) -> Option<Range<usize>> {
    resolve_from(node, name, false)
}

/// [`resolve`], counting `node` itself as a declaration before the point
/// (for the variables a statement declares, seen just after it).
fn resolve_from(node: &GoNode<'_>, name: &str, inclusive: bool) -> Option<Range<usize>> {
    let mut child = node.clone();
    let mut first = true;
    for anc in node.ancestors() {
        if anc.kind() == "source_file" {
            break;
        }
        let mut names = Vec::new();
        for sib in anc.children() {
            let before = sib.range().start < child.range().start
                || (first && inclusive && sib.range() == child.range());
            if !before {
                break;
            }
            declared_names(&sib, &mut names);
        }
        if let Some(init) = anc.field("initializer") {
            if init.range().end <= child.range().start || (first && inclusive) {
                declared_names(&init, &mut names);
            }
        }
        if names.iter().any(|n| n == name) {
            return Some(anc.range());
        }
        first = false;
        child = anc;
    }
    None
}

/// A variable: a name and the scope that declares it, followed from `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Var {
    pub name: String,
    pub scope: Range<usize>,
    pub from: usize,
}

impl Var {
    pub fn new(name: &str, scope: Range<usize>, from: usize) -> Self {
        Var {
            name: name.to_string(),
            scope,
            from,
        }
    }
}

/// Where the value of a variable goes, without types: through parentheses,
/// `&`, composite literals, closures and the calls `through_call` accepts
/// into local variables (followed in turn), or out of `boundary`: returned
/// (when `returns_escape`), stored in anything that is not a local of
/// `boundary`, or sent on a channel.
pub(super) struct Flow<'a> {
    /// What the value is, for messages ("the context").
    pub what: &'a str,
    pub boundary: GoNode<'a>,
    pub returns_escape: bool,
    /// Methods whose result still carries the value (`ctx.Done()`).
    pub through_methods: &'a [&'a str],
    /// Whether `x.f` not called carries `x` (a method value does).
    pub selector_propagates: bool,
    pub through_call: fn(&FileContext<'_>, &GoNode<'_>) -> bool,
}

/// What one step of the flow found.
enum Step {
    Stays,
    Escapes(String),
    Into(Vec<Var>),
}

impl Flow<'_> {
    /// Why the value of `start` escapes `boundary`, if it does.
    pub fn escapes(&self, file: &FileContext<'_>, start: Var) -> Option<String> {
        self.escapes_all(file, vec![start])
    }

    /// [`Flow::escapes`] for several variables at once (the local variables
    /// the value reaches are added and followed too).
    pub fn escapes_all(&self, file: &FileContext<'_>, mut vars: Vec<Var>) -> Option<String> {
        let mut i = 0;
        while i < vars.len() && i < 64 {
            let v = vars[i].clone();
            i += 1;
            let uses: Vec<GoNode> = self
                .boundary
                .dfs()
                .filter(|n| {
                    n.kind() == "identifier"
                        && n.text() == v.name.as_str()
                        && n.range().start >= v.from
                        && resolve(n, &v.name).as_ref() == Some(&v.scope)
                })
                .collect();
            for u in uses {
                if let Some(why) = self.value_escapes(file, u, &mut vars) {
                    return Some(why);
                }
            }
        }
        None
    }

    /// Why the value at node `u` escapes, if it does, following it alone.
    pub fn escapes_one(&self, file: &FileContext<'_>, u: GoNode<'_>) -> Option<String> {
        let mut vars = Vec::new();
        if let Some(why) = self.value_escapes(file, u, &mut vars) {
            return Some(why);
        }
        self.escapes_all(file, vars)
    }

    /// Follows the value at `u` (and a closure holding it); local variables
    /// it lands in are added to `vars`.
    fn value_escapes(
        &self,
        file: &FileContext<'_>,
        u: GoNode<'_>,
        vars: &mut Vec<Var>,
    ) -> Option<String> {
        let mut values = vec![u.clone()];
        // A closure that uses the value carries it too, unless it is called
        // on the spot (`go func() {...}()`, `defer func() {...}()`).
        for lit in u.ancestors() {
            if lit.range() == self.boundary.range() {
                break;
            }
            if lit.kind() == "func_literal" {
                let called = lit.parent().is_some_and(|p| {
                    p.kind() == "call_expression"
                        && p.field("function")
                            .is_some_and(|f| f.range() == lit.range())
                });
                if !called {
                    values.push(lit);
                }
            }
        }
        for value in values {
            match self.step(file, value) {
                Step::Stays => {}
                Step::Escapes(why) => return Some(why),
                Step::Into(new) => {
                    for n in new {
                        if !vars.iter().any(|x| x.name == n.name && x.scope == n.scope) {
                            vars.push(n);
                        }
                    }
                }
            }
        }
        None
    }

    fn step(&self, file: &FileContext<'_>, start: GoNode<'_>) -> Step {
        let mut cur = start;
        loop {
            let Some(p) = cur.parent() else {
                return Step::Stays;
            };
            let is_field = |f: &str| p.field(f).is_some_and(|x| x.range() == cur.range());
            match &*p.kind() {
                "parenthesized_expression"
                | "composite_literal"
                | "literal_value"
                | "literal_element"
                | "keyed_element"
                | "type_conversion_expression"
                | "type_assertion_expression"
                | "slice_expression" => cur = p,
                "index_expression" if is_field("operand") => cur = p,
                "unary_expression" => {
                    let op = p.field("operator").map(|o| o.text().to_string());
                    if matches!(op.as_deref(), Some("&") | Some("*")) {
                        cur = p;
                    } else {
                        return Step::Stays;
                    }
                }
                "selector_expression" => {
                    if !is_field("operand") {
                        return Step::Stays;
                    }
                    let method = p.field("field").map(|f| f.text().to_string());
                    let call = p.parent().filter(|g| {
                        g.kind() == "call_expression"
                            && g.field("function").is_some_and(|f| f.range() == p.range())
                    });
                    let carried = method
                        .as_deref()
                        .is_some_and(|m| self.through_methods.contains(&m));
                    match call {
                        Some(call) if carried => cur = call,
                        None if self.selector_propagates => cur = p,
                        _ => return Step::Stays,
                    }
                }
                "argument_list" => {
                    let Some(call) = p.parent() else {
                        return Step::Stays;
                    };
                    if (self.through_call)(file, &call) {
                        cur = call;
                    } else {
                        return Step::Stays;
                    }
                }
                "return_statement" => return self.returned(),
                "send_statement" => {
                    return if is_field("value") {
                        Step::Escapes(format!("{} is sent on a channel", self.what))
                    } else {
                        Step::Stays
                    };
                }
                "expression_list" => {
                    let Some(h) = p.parent() else {
                        return Step::Stays;
                    };
                    match &*h.kind() {
                        "return_statement" => return self.returned(),
                        "assignment_statement" | "short_var_declaration" => {
                            if h.field("left").is_some_and(|l| l.range() == p.range()) {
                                return Step::Stays;
                            }
                            let Some(left) = h.field("left") else {
                                return Step::Stays;
                            };
                            let lefts: Vec<GoNode> = left.named_children().collect();
                            let rights: Vec<GoNode> = p.named_children().collect();
                            let targets: Vec<GoNode> = if lefts.len() == rights.len() {
                                let idx = rights.iter().position(|r| r.range() == cur.range());
                                idx.and_then(|i| lefts.get(i).cloned())
                                    .into_iter()
                                    .collect()
                            } else {
                                // Results of one call: an error or a flag
                                // (`req, err := ...`, `v, ok := ...`) does not
                                // carry the value.
                                lefts
                                    .into_iter()
                                    .filter(|l| !is_error_or_flag(&l.text()))
                                    .collect()
                            };
                            return self.assigned(&h, &targets);
                        }
                        "var_spec" => {
                            let targets: Vec<GoNode> = h.field_children("name").collect();
                            return self.assigned(&h, &targets);
                        }
                        _ => return Step::Stays,
                    }
                }
                k if k.ends_with("_statement")
                    || k.ends_with("_case")
                    || k.ends_with("_clause")
                    || matches!(
                        k,
                        "block"
                            | "statement_list"
                            | "binary_expression"
                            | "call_expression"
                            | "index_expression"
                            | "func_literal"
                    ) =>
                {
                    return Step::Stays
                }
                _ => cur = p,
            }
        }
    }

    fn returned(&self) -> Step {
        if self.returns_escape {
            Step::Escapes(format!(
                "{} is returned, so it outlives this function",
                self.what
            ))
        } else {
            Step::Stays
        }
    }

    /// The value is assigned to `targets` by statement `h`.
    fn assigned(&self, h: &GoNode<'_>, targets: &[GoNode<'_>]) -> Step {
        let mut into = Vec::new();
        for t in targets {
            let text = t.text().to_string();
            if t.kind() != "identifier" {
                return Step::Escapes(format!("{} is stored in `{text}`", self.what));
            }
            if text == "_" {
                continue;
            }
            let declares = matches!(&*h.kind(), "short_var_declaration" | "var_spec");
            let scope = if declares {
                let anchor = if h.kind() == "var_spec" {
                    h.ancestors().find(|a| a.kind() == "var_declaration")
                } else {
                    Some(h.clone())
                };
                anchor.and_then(|a| resolve_from(&a, &text, true))
            } else {
                resolve(t, &text)
            };
            match scope {
                Some(s) if contains(&self.boundary.range(), &s) => {
                    into.push(Var::new(&text, s, h.range().end));
                }
                Some(_) => {
                    return Step::Escapes(format!(
                        "{} is stored in `{text}`, a variable of an enclosing function",
                        self.what
                    ))
                }
                None => {
                    return Step::Escapes(format!(
                        "{} is stored in the package-level variable `{text}`",
                        self.what
                    ))
                }
            }
        }
        Step::Into(into)
    }
}
