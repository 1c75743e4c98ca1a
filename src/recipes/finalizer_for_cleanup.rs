//! `finalizer-for-cleanup`: report a finalizer that releases a resource
//! (the only way it is ever released) or that stores its own argument
//! somewhere reachable again.

use crate::engine::golang::GoNode;
use crate::engine::{FileContext, Finding, MatchContext, RecipeLogic};

pub struct FinalizerForCleanup;

/// Method names that release something the collector does not manage.
const RELEASES: &[&str] = &[
    "Close", "close", "Release", "release", "Free", "free", "Destroy", "destroy", "Shutdown",
    "Unmap", "Munmap",
];

/// Package functions that release descriptors and mappings.
const RELEASE_FUNCS: &[(&str, &[&str])] = &[
    ("syscall", &["Close", "Munmap", "CloseHandle"]),
    ("golang.org/x/sys/unix", &["Close", "Munmap"]),
    ("golang.org/x/sys/windows", &["CloseHandle"]),
    ("os", &["Remove", "RemoveAll"]),
];

/// The finalizer function: its first parameter's name and type text, and body.
struct Finalizer<'r> {
    param: String,
    type_name: String,
    body: GoNode<'r>,
}

impl RecipeLogic for FinalizerForCleanup {
    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let call = cx.node();
        let file = cx.file;
        let args: Vec<GoNode<'_>> = call.field("arguments")?.named_children().collect();
        let [_, func] = args.as_slice() else {
            return None;
        };
        let fin = resolve(file, func)?;
        if let Some(store) = stored_argument(&fin) {
            return Some(cx.report(&format!(
                "`{}` stores the object it is handed, so it becomes reachable again and is never finalized again; copy out what you need instead",
                store.text()
            )));
        }
        let release = releasing_call(file, &fin.body)?;
        if disarmed(file) || has_close_method(file, &fin.type_name) {
            // An explicit close path exists; the finalizer is a safety net.
            return None;
        }
        Some(cx.report(&format!(
            "`{}` runs only when a collection gets to the object, maybe never; give `{}` a Close method that callers defer (and that disarms the finalizer with SetFinalizer(x, nil))",
            release.text(),
            if fin.type_name.is_empty() { "the type" } else { &fin.type_name }
        )))
    }
}

/// The function a finalizer argument denotes: a literal, a top-level
/// function, or a method expression `(*T).m` declared in this file.
fn resolve<'r>(file: &FileContext<'r>, func: &GoNode<'r>) -> Option<Finalizer<'r>> {
    // The file is parsed whole only when it may declare the function.
    let root = || file.whole_root().root();
    match &*func.kind() {
        "func_literal" => from_signature(func.field("parameters")?, func.field("body")?),
        "identifier" => {
            let name = func.text().to_string();
            if !file.may_declare_function(&name) {
                return None;
            }
            let decl = root().children().find(|d| {
                d.kind() == "function_declaration"
                    && d.field("name").is_some_and(|n| n.text() == name)
            })?;
            from_signature(decl.field("parameters")?, decl.field("body")?)
        }
        "selector_expression" => {
            let method = func.field("field")?.text().to_string();
            let operand = func.field("operand")?.text().to_string();
            let ty: String = operand
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !file.may_declare_function(&method) {
                return None;
            }
            let decl = root().children().find(|d| {
                d.kind() == "method_declaration"
                    && d.field("name").is_some_and(|n| n.text() == method)
                    && d.field("receiver").is_some_and(|r| receiver_type(&r) == ty)
            })?;
            let mut fin = from_signature(decl.field("receiver")?, decl.field("body")?)?;
            fin.type_name = ty;
            Some(fin)
        }
        _ => None,
    }
}

fn from_signature<'r>(params: GoNode<'r>, body: GoNode<'r>) -> Option<Finalizer<'r>> {
    let p = params
        .named_children()
        .find(|c| c.kind() == "parameter_declaration")?;
    let param = p
        .field("name")
        .map(|n| n.text().to_string())
        .unwrap_or_default();
    let type_name = p
        .field("type")
        .map(|t| t.text().trim_start_matches('*').to_string())
        .unwrap_or_default();
    Some(Finalizer {
        param,
        type_name,
        body,
    })
}

/// The base type name of a method receiver list `(c *conn)`.
fn receiver_type(recv: &GoNode<'_>) -> String {
    recv.named_children()
        .find(|c| c.kind() == "parameter_declaration")
        .and_then(|p| p.field("type"))
        .map(|t| {
            let text = t.text();
            let base = text.trim_start_matches('*');
            base.split('[').next().unwrap_or(base).to_string()
        })
        .unwrap_or_default()
}

/// A statement that puts the finalizer's argument somewhere that outlives
/// the call: `global = c`, `list = append(list, c)`, `m[k] = c`, `ch <- c`.
fn stored_argument<'r>(fin: &Finalizer<'r>) -> Option<GoNode<'r>> {
    if fin.param.is_empty() || fin.param == "_" {
        return None;
    }
    let p = fin.param.as_str();
    let is_param = |n: &GoNode<'_>| {
        let mut cur = n.clone();
        while cur.kind() == "parenthesized_expression" || cur.kind() == "unary_expression" {
            match cur.named_children().last() {
                Some(inner) => cur = inner,
                None => break,
            }
        }
        cur.kind() == "identifier" && cur.text() == p
    };
    let appended = |n: &GoNode<'_>| {
        n.kind() == "call_expression"
            && n.field("function")
                .is_some_and(|f| f.kind() == "identifier" && f.text() == "append")
            && n.field("arguments")
                .is_some_and(|a| a.named_children().skip(1).any(|x| is_param(&x)))
    };
    fin.body.dfs().find(|s| match &*s.kind() {
        "assignment_statement" => {
            let (Some(left), Some(right)) = (s.field("left"), s.field("right")) else {
                return false;
            };
            // Writes through the object itself (`c.x = c`) keep nothing alive.
            let lhs_is_object = left.named_children().all(|l| {
                let mut cur = l.clone();
                while let Some(o) = cur.field("operand") {
                    cur = o;
                }
                cur.kind() == "identifier" && cur.text() == p
            });
            !lhs_is_object && right.named_children().any(|r| is_param(&r) || appended(&r))
        }
        "send_statement" => s.field("value").is_some_and(|v| is_param(&v)),
        _ => false,
    })
}

/// The first call in `body` that releases an outside resource.
fn releasing_call<'r>(file: &FileContext<'_>, body: &GoNode<'r>) -> Option<GoNode<'r>> {
    body.dfs().find(|n| {
        if n.kind() != "call_expression" {
            return false;
        }
        let Some(f) = n.field("function") else {
            return false;
        };
        if RELEASE_FUNCS
            .iter()
            .any(|(path, names)| names.iter().any(|m| file.is_pkg_member(&f, path, m)))
        {
            return true;
        }
        f.kind() == "selector_expression"
            && f.field("field")
                .is_some_and(|m| RELEASES.contains(&&*m.text()))
            && f.field("operand").is_some_and(|o| {
                // Not a package function (`pkg.Close`) that the table did not name.
                !(o.kind() == "identifier" && file.imports.path_of(&o.text()).is_some())
            })
    })
}

/// Whether the file also clears a finalizer (`SetFinalizer(x, nil)`): the
/// explicit close path disarms it, so it only catches forgotten closes.
fn disarmed(file: &FileContext<'_>) -> bool {
    file.whole_root().root().dfs().any(|n| {
        file.is_pkg_call(&n, "runtime", "SetFinalizer")
            && n.field("arguments")
                .is_some_and(|a| a.named_children().nth(1).is_some_and(|x| x.kind() == "nil"))
    })
}

/// Whether the file declares an exported closing method on `ty`.
fn has_close_method(file: &FileContext<'_>, ty: &str) -> bool {
    if ty.is_empty() {
        return false;
    }
    file.whole_root().root().children().any(|d| {
        d.kind() == "method_declaration"
            && d.field("name").is_some_and(|n| {
                matches!(
                    &*n.text(),
                    "Close" | "Release" | "Free" | "Destroy" | "Stop"
                )
            })
            && d.field("receiver").is_some_and(|r| receiver_type(&r) == ty)
    })
}
