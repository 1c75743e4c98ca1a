//! `linkname-runtime`: report `//go:linkname` directives that pull a symbol
//! out of the runtime, and conversions of a pointer into a struct type that
//! mirrors one of the runtime's private structures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::engine::golang::GoNode;
use crate::engine::package::package_clause;
use crate::engine::{Finding, MatchContext, RecipeLogic};

pub struct LinknameRuntime;

/// Packages whose symbols are runtime internals.
const RUNTIME_PREFIXES: &[&str] = &["runtime.", "runtime/internal/", "internal/runtime/"];

/// Private runtime structures (lower case, without `_`) that code copies to
/// read through `unsafe.Pointer`.
const RUNTIME_TYPES: &[&str] = &[
    "hchan",
    "hmap",
    "hiter",
    "bmap",
    "maptype",
    "chantype",
    "iface",
    "eface",
    "itab",
    "sudog",
    "waitq",
    "stringstruct",
    "funcval",
    "gobuf",
    "mspan",
    "mcache",
    "mheap",
    "runtimeg",
    "runtimem",
    "runtimep",
    "runtimetype",
    "runtimechan",
    "runtimemap",
];

impl RecipeLogic for LinknameRuntime {
    fn applies_to_file(&self, path: &Path, source: &str) -> bool {
        // The standard library and the toolchain ship with the runtime.
        package_clause(source).as_deref() != Some("runtime") && !in_toolchain_module(path)
    }

    fn examine(&self, cx: &MatchContext<'_, '_>) -> Option<Finding> {
        let node = cx.node();
        if node.kind() == "comment" {
            return linkname(cx, &node);
        }
        layout_cast(cx, &node)
    }
}

fn linkname(cx: &MatchContext<'_, '_>, comment: &GoNode<'_>) -> Option<Finding> {
    let text = comment.text();
    let mut words = text.trim_start_matches("//go:linkname").split_whitespace();
    let local = words.next()?;
    // The one-argument form only exports a local symbol.
    let target = words.next()?;
    if !RUNTIME_PREFIXES.iter().any(|p| target.starts_with(p)) {
        return None;
    }
    let why = format!(
        "`{local}` is bound to `{target}`; call a documented API instead, or pin the Go version in go.mod and expect this to break on upgrade"
    );
    // Point at the declaration the directive binds, where there is one.
    let decl = cx.file.whole_root().root().children().find(|d| {
        matches!(&*d.kind(), "function_declaration" | "var_declaration")
            && d.dfs()
                .take_while(|n| n.kind() != "block")
                .any(|n| n.kind() == "identifier" && n.text() == local)
    });
    Some(
        match decl.and_then(|d| {
            d.field("name").or_else(|| {
                d.dfs()
                    .find(|n| n.kind() == "identifier" && n.text() == local)
            })
        }) {
            Some(name) => cx.report_at(name.range(), &why),
            None => cx.report(&why),
        },
    )
}

fn layout_cast(cx: &MatchContext<'_, '_>, call: &GoNode<'_>) -> Option<Finding> {
    if !cx.file.imports.has("unsafe") {
        return None;
    }
    let func = call.field("function")?;
    // `(*T)(p)`: in expression position `*T` parses as a dereference.
    let ptr = func
        .named_children()
        .find(|c| matches!(&*c.kind(), "pointer_type" | "unary_expression"))?;
    if ptr.kind() == "unary_expression" && !ptr.text().starts_with('*') {
        return None;
    }
    let ty = ptr.named_children().last()?;
    if !matches!(&*ty.kind(), "type_identifier" | "identifier") {
        return None;
    }
    let name = ty.text().to_string();
    let key: String = name.to_lowercase().chars().filter(|c| *c != '_').collect();
    let mirrors = RUNTIME_TYPES.iter().any(|t| key.starts_with(t))
        || (key.starts_with("runtime") && key.len() > "runtime".len());
    if !mirrors || !declares_struct(cx, &name) || !unsafe_argument(cx, call) {
        return None;
    }
    Some(cx.report(&format!(
        "`{name}` copies the layout of a private runtime structure; use the builtins (len, cap) or a documented API, the layout changes between releases"
    )))
}

/// Whether the converted value comes from `unsafe`: an `unsafe.Pointer`
/// expression, or a name declared from one in the same function.
fn unsafe_argument(cx: &MatchContext<'_, '_>, call: &GoNode<'_>) -> bool {
    let qual = cx.file.qualifier("unsafe");
    let Some(arg) = call
        .field("arguments")
        .and_then(|a| a.named_children().next())
    else {
        return false;
    };
    let mentions = |n: &GoNode<'_>| {
        if qual.is_empty() {
            n.dfs()
                .any(|i| i.kind() == "identifier" && i.text() == "Pointer")
        } else {
            n.text().contains(&format!("{qual}Pointer"))
        }
    };
    if mentions(&arg) {
        return true;
    }
    if arg.kind() != "identifier" {
        return false;
    }
    let name = arg.text().to_string();
    let Some(func) = crate::engine::scope::enclosing_function(call) else {
        return false;
    };
    let found = func.dfs().any(|d| match &*d.kind() {
        "parameter_declaration" | "var_spec" => {
            d.field_children("name").any(|n| n.text() == name) && mentions(&d)
        }
        "short_var_declaration" => {
            d.field("left")
                .is_some_and(|l| l.named_children().any(|n| n.text() == name))
                && mentions(&d)
        }
        _ => false,
    });
    found
}

/// Whether the file declares `name` as a struct type.
fn declares_struct(cx: &MatchContext<'_, '_>, name: &str) -> bool {
    cx.file.whole_root().root().dfs().any(|n| {
        n.kind() == "type_spec"
            && n.field("name").is_some_and(|t| t.text() == name)
            && n.field("type").is_some_and(|t| t.kind() == "struct_type")
    })
}

/// Whether `path` belongs to the `std` or `cmd` module (nearest `go.mod`).
pub fn in_toolchain_module(path: &Path) -> bool {
    static CACHE: Mutex<Option<HashMap<PathBuf, bool>>> = Mutex::new(None);
    let Some(dir) = path.parent() else {
        return false;
    };
    if let Some(v) = CACHE
        .lock()
        .ok()
        .and_then(|c| c.as_ref().and_then(|m| m.get(dir).copied()))
    {
        return v;
    }
    let mut found = false;
    for d in dir.ancestors() {
        if let Ok(text) = std::fs::read_to_string(d.join("go.mod")) {
            found = text.lines().any(|l| {
                let l = l.trim();
                l == "module std" || l == "module cmd"
            });
            break;
        }
    }
    if let Ok(mut c) = CACHE.lock() {
        c.get_or_insert_with(HashMap::new)
            .insert(dir.to_path_buf(), found);
    }
    found
}
