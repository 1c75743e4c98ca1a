//! What a file imports, under which local names, and keeping the import
//! block right after a rewrite.
//!
//! Recipes match packages by import path: `runtime.GC()` is also `rt.GC()`
//! when the file imports `rt "runtime"`, and `GC()` under a dot-import.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use super::edit::{apply_edits, line_end, line_start, TextEdit};
use super::golang::{parse, GoNode, GoRoot};

/// How an import makes its package visible.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum LocalName {
    /// Used as `name.X`.
    Named(String),
    /// `import . "path"`: members are used unqualified.
    Dot,
    /// `import _ "path"`: only for side effects.
    Blank,
}

/// One import spec.
#[derive(Clone, Debug)]
pub struct Import {
    pub path: String,
    pub local: LocalName,
    /// The spec's bytes.
    pub range: Range<usize>,
    /// The enclosing `import` declaration's bytes.
    pub decl_range: Range<usize>,
    /// Number of specs in that declaration.
    pub decl_len: usize,
}

/// The imports of one file.
#[derive(Clone, Debug, Default)]
pub struct ImportTable {
    imports: Vec<Import>,
}

/// The name a package gets when imported without an alias: the last path
/// element, skipping a major-version suffix (`math/rand/v2` is `rand`).
pub fn default_name(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or(path);
    let is_version =
        last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit());
    if is_version {
        parts.next().unwrap_or(last)
    } else {
        last
    }
}

impl ImportTable {
    /// Reads the import declarations of a parsed file.
    pub fn from_root(root: &GoRoot) -> Self {
        let mut imports = Vec::new();
        for decl in root
            .root()
            .children()
            .filter(|n| n.kind() == "import_declaration")
        {
            let specs: Vec<GoNode> = decl.dfs().filter(|n| n.kind() == "import_spec").collect();
            for spec in &specs {
                let Some(path_node) = spec.field("path") else {
                    continue;
                };
                let path = path_node.text().trim_matches(['"', '`']).to_string();
                let local = match spec.field("name") {
                    Some(n) if n.kind() == "dot" || n.text() == "." => LocalName::Dot,
                    Some(n) if n.text() == "_" => LocalName::Blank,
                    Some(n) => LocalName::Named(n.text().to_string()),
                    None => LocalName::Named(default_name(&path).to_string()),
                };
                imports.push(Import {
                    path,
                    local,
                    range: spec.range(),
                    decl_range: decl.range(),
                    decl_len: specs.len(),
                });
            }
        }
        ImportTable { imports }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Import> {
        self.imports.iter()
    }

    /// How `path` is visible in this file (the first usable import wins).
    pub fn local_name(&self, path: &str) -> Option<&LocalName> {
        self.imports
            .iter()
            .filter(|i| i.path == path && i.local != LocalName::Blank)
            .map(|i| &i.local)
            .next()
    }

    /// Whether the file imports `path` for use (not only for side effects).
    pub fn has(&self, path: &str) -> bool {
        self.local_name(path).is_some()
    }

    /// The import path that local name `name` refers to, if any.
    pub fn path_of(&self, name: &str) -> Option<&str> {
        self.imports
            .iter()
            .find(|i| i.local == LocalName::Named(name.to_string()))
            .map(|i| i.path.as_str())
    }

    /// The qualifier to write before a member of `path` (`"rt."`, `""` for a
    /// dot-import), if the package is imported.
    pub fn qualifier(&self, path: &str) -> Option<String> {
        match self.local_name(path)? {
            LocalName::Named(n) => Some(format!("{n}.")),
            LocalName::Dot => Some(String::new()),
            LocalName::Blank => None,
        }
    }
}

/// How many times each local name is used as a package qualifier
/// (`name.X` in expressions and types). [`tidy_parsed`] compares the counts
/// before and after a rewrite.
pub fn qualifier_uses(root: &GoRoot) -> HashMap<String, usize> {
    let mut uses = HashMap::new();
    for n in root.root().dfs() {
        let qualifier = match &*n.kind() {
            "selector_expression" => n.field("operand").filter(|o| o.kind() == "identifier"),
            "qualified_type" => n.field("package"),
            _ => None,
        };
        if let Some(q) = qualifier {
            *uses.entry(q.text().to_string()).or_insert(0) += 1;
        }
    }
    uses
}

/// Puts the imports of `rewritten` right after recipes edited `original`:
/// a named import that was used before and is used no more is removed (its
/// whole declaration when that empties), and every path in `needed` that is
/// not imported yet is added in gofmt's order.
///
/// Dot and blank imports are never removed: their use cannot be counted
/// without type information.
pub fn tidy(original: &GoRoot, rewritten: &str, needed: &BTreeSet<String>) -> String {
    tidy_parsed(&qualifier_uses(original), rewritten.to_string(), needed).0
}

/// [`tidy`] from the [`qualifier_uses`] of the original text, with the
/// parse of the text it returns, when it had to parse that text anyway (the
/// rewrite needed no import change).
///
/// It takes the counts rather than the original tree, and the text by
/// value, so that on a huge file no more than one syntax tree and about two
/// copies of the text are alive at once.
pub fn tidy_parsed(
    before: &HashMap<String, usize>,
    rewritten: String,
    needed: &BTreeSet<String>,
) -> (String, Option<GoRoot>) {
    let root = parse(&rewritten);
    let after = qualifier_uses(&root);
    let table = ImportTable::from_root(&root);
    let src = rewritten.as_str();

    let mut edits = Vec::new();
    let mut removed_per_decl: HashMap<usize, usize> = HashMap::new();
    let mut unused = Vec::new();
    for imp in table.iter() {
        let LocalName::Named(name) = &imp.local else {
            continue;
        };
        if imp.path == "C" {
            continue;
        }
        let was_used = before.get(name).copied().unwrap_or(0) > 0;
        let is_used = after.get(name).copied().unwrap_or(0) > 0;
        if was_used && !is_used {
            unused.push(imp);
            *removed_per_decl.entry(imp.decl_range.start).or_insert(0) += 1;
        }
    }
    drop(after);
    let mut whole_decls = BTreeSet::new();
    for imp in &unused {
        if removed_per_decl[&imp.decl_range.start] == imp.decl_len {
            if whole_decls.insert(imp.decl_range.start) {
                edits.push(remove_lines(src, imp.decl_range.clone()));
            }
        } else {
            edits.push(remove_lines(src, imp.range.clone()));
        }
    }

    let missing: Vec<&String> = needed.iter().filter(|p| !table.has(p)).collect();
    if edits.is_empty() && missing.is_empty() {
        return (rewritten, Some(root));
    }
    // Additions go into what is left once the unused imports are gone: the
    // declaration they would have joined may be one that was removed. The
    // tree of the text before pruning goes before the pruned text is parsed.
    let (pruned, root) = if edits.is_empty() {
        (rewritten, root)
    } else {
        drop(root);
        let pruned = apply_edits(src, &edits);
        drop(rewritten);
        if missing.is_empty() {
            return (pruned, None);
        }
        let root = parse(&pruned);
        (pruned, root)
    };
    let table = ImportTable::from_root(&root);
    let kept: Vec<&Import> = table.iter().collect();
    let additions = add_imports(&pruned, &root, &kept, &missing);
    drop(root);
    (apply_edits(&pruned, &additions), None)
}

/// Deletes the whole lines covering `range`, and a blank line that would be
/// left doubled or dangling next to the hole.
fn remove_lines(src: &str, range: Range<usize>) -> TextEdit {
    let mut s = line_start(src, range.start);
    let mut e = line_end(src, range.end);
    let next_blank = src[e..].lines().next().is_some_and(|l| l.trim().is_empty()) && e < src.len();
    let prev_blank = s > 0 && src[line_start(src, s - 1)..s].trim().is_empty();
    let next_close = src[e..].trim_start().starts_with(')');
    let prev_open = s > 0 && src[line_start(src, s - 1)..s].trim_end().ends_with('(');
    if next_blank && (prev_blank || prev_open || s == 0) {
        e = line_end(src, e);
    } else if prev_blank && next_close {
        s = line_start(src, s - 1);
    }
    TextEdit::delete(s..e)
}

/// Whether an import path belongs to the standard library (gofmt does not
/// care, but goimports groups standard imports first and so do we).
fn is_std(path: &str) -> bool {
    !path.split('/').next().unwrap_or("").contains('.')
}

fn add_imports(src: &str, root: &GoRoot, kept: &[&Import], missing: &[&String]) -> Vec<TextEdit> {
    let mut edits = Vec::new();
    // A parenthesised declaration: insert each path into the first group of
    // standard-library imports at its sorted place (gofmt sorts within a group).
    let block = root.root().children().find(|n| {
        n.kind() == "import_declaration"
            && n.text()
                .trim_start_matches("import")
                .trim_start()
                .starts_with('(')
    });
    if let Some(block) = block {
        let specs: Vec<&&Import> = kept
            .iter()
            .filter(|i| block.range().contains(&i.range.start))
            .collect();
        // Group boundaries are blank lines between specs.
        let group: Vec<&&&Import> = {
            let mut groups: Vec<Vec<&&&Import>> = Vec::new();
            let mut last_end = None;
            for s in &specs {
                let gap_blank = last_end
                    .is_some_and(|e: usize| src[e..s.range.start].matches('\n').count() > 1);
                if groups.is_empty() || gap_blank {
                    groups.push(Vec::new());
                }
                groups.last_mut().expect("group").push(s);
                last_end = Some(s.range.end);
            }
            groups
                .into_iter()
                .find(|g| g.iter().any(|i| is_std(&i.path)))
                .unwrap_or_default()
        };
        for path in missing {
            let at = match group.iter().find(|i| i.path.as_str() > path.as_str()) {
                Some(next) => line_start(src, next.range.start),
                None => match group.last() {
                    Some(last) => line_end(src, last.range.end),
                    None => line_start(src, block.range().end - 1),
                },
            };
            edits.push(TextEdit::insert(at, format!("\t\"{path}\"\n")));
        }
        return edits;
    }
    // Single-spec declarations: turn the first into a block holding all.
    let single = root
        .root()
        .children()
        .find(|n| n.kind() == "import_declaration");
    if let Some(decl) = single {
        let mut paths: Vec<String> = kept
            .iter()
            .filter(|i| decl.range().contains(&i.range.start))
            .map(|i| src[i.range.clone()].to_string())
            .collect();
        paths.extend(missing.iter().map(|p| format!("\"{p}\"")));
        paths.sort_by(|a, b| spec_path(a).cmp(spec_path(b)));
        let body: String = paths.iter().map(|p| format!("\t{p}\n")).collect();
        edits.push(TextEdit::replace(
            decl.range(),
            format!("import (\n{body})"),
        ));
        return edits;
    }
    // No imports at all: add a declaration after the package clause.
    let pkg = root
        .root()
        .children()
        .find(|n| n.kind() == "package_clause");
    let at = pkg.map_or(0, |p| line_end(src, p.range().end));
    let decl = if missing.len() == 1 {
        format!("\nimport \"{}\"\n", missing[0])
    } else {
        let body: String = missing.iter().map(|p| format!("\t\"{p}\"\n")).collect();
        format!("\nimport (\n{body})\n")
    };
    edits.push(TextEdit::insert(at, decl));
    edits
}

fn spec_path(spec: &str) -> &str {
    spec.rsplit(' ').next().unwrap_or(spec).trim_matches('"')
}

/// The import paths of a Go file, read from its bytes without parsing:
/// the `import` declarations before the first other top-level declaration.
/// It errs on the side of listing more (a path-like string in a comment
/// inside an import block counts), never fewer, so that a recipe is only
/// skipped for a file that cannot import its packages. `None` when the
/// header is not in a shape this reader knows: the caller then parses.
pub fn scan_import_paths(src: &[u8]) -> Option<Vec<String>> {
    let mut paths = Vec::new();
    let mut in_block = false;
    let mut in_comment = false;
    let mut seen_package = false;
    // Line by line, so that only the header is ever read (or checked to
    // be UTF-8).
    for line in src.split(|&b| b == b'\n') {
        let mut t = std::str::from_utf8(line).ok()?.trim();
        if in_comment {
            match t.find("*/") {
                Some(i) => {
                    in_comment = false;
                    t = t[i + 2..].trim();
                }
                None => continue,
            }
        }
        if t.starts_with("/*") {
            match t.find("*/") {
                Some(i) => t = t[i + 2..].trim(),
                None => {
                    in_comment = true;
                    continue;
                }
            }
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        if in_block {
            if t.starts_with(')') {
                in_block = false;
            } else {
                paths.extend(quoted(t));
            }
            continue;
        }
        if !seen_package {
            if (t.starts_with("package ") || t.starts_with("package\t")) && !t.contains(';') {
                seen_package = true;
                continue;
            }
            return None;
        }
        if let Some(rest) = t.strip_prefix("import") {
            let rest = rest.trim_start();
            if let Some(inner) = rest.strip_prefix('(') {
                // `import ( "a"; "b" )` on one line, or the block's first line.
                let (inside, closed) = match inner.find(')') {
                    Some(i) => (&inner[..i], true),
                    None => (inner, false),
                };
                paths.extend(quoted(inside));
                in_block = !closed;
            } else {
                paths.extend(quoted(rest));
            }
            continue;
        }
        // The first declaration that is not an import ends the header.
        break;
    }
    (!in_block && !in_comment).then_some(paths)
}

/// The double-quoted or back-quoted strings of a line.
fn quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find(['"', '`']) {
        let q = rest.as_bytes()[i] as char;
        let after = &rest[i + 1..];
        let Some(j) = after.find(q) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_paths_are_read_without_parsing() {
        let src = "// Copyright\n\n//go:build linux\n\n/* doc\n*/\npackage a // x\n\nimport \"fmt\"\nimport rt \"runtime\"\n\nimport (\n\t// a comment\n\t_ \"embed\"\n\t. \"time\"\n\tctx `context`\n)\n\n/*\n#include <stdio.h>\n*/\nimport \"C\"\n\nfunc f() { _ = \"os\" }\n\nimport \"late\"\n";
        assert_eq!(
            scan_import_paths(src.as_bytes()).unwrap(),
            ["fmt", "runtime", "embed", "time", "context", "C"]
        );
        assert_eq!(scan_import_paths(b"package a; import \"x\"\n"), None);
        assert_eq!(
            scan_import_paths(b"package a\nimport (\"a\"; \"b\")\nfunc f() {}\n").unwrap(),
            ["a", "b"]
        );
        // Not a shape it knows: no answer, the caller parses.
        assert_eq!(scan_import_paths(b"x := 1\n"), None);
        assert_eq!(scan_import_paths(b"package a\nimport (\n\"a\"\n"), None);
    }

    #[test]
    fn scanned_paths_cover_the_parsed_ones_on_the_standard_library() {
        // Every file of this repository's examples and fixtures: the scan
        // never misses an import the parser sees.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("fixtures"), root.join("examples")];
        let mut files = 0;
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().filter_map(|e| e.ok()) {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let name = p.to_string_lossy();
                if !(name.ends_with(".go") || name.ends_with(".go.golden")) {
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                let parsed = ImportTable::from_root(&parse(&src));
                let Some(scanned) = scan_import_paths(src.as_bytes()) else {
                    continue;
                };
                for imp in parsed.iter() {
                    assert!(scanned.contains(&imp.path), "{name}: {} missed", imp.path);
                }
                files += 1;
            }
        }
        assert!(files > 100, "only {files} files read");
    }

    fn table(src: &str) -> ImportTable {
        ImportTable::from_root(&parse(src))
    }

    #[test]
    fn reads_aliases_dots_and_blanks() {
        let t = table("package a\nimport (\n\trt \"runtime\"\n\t. \"time\"\n\t_ \"embed\"\n\t\"math/rand/v2\"\n)\n");
        assert_eq!(
            t.local_name("runtime"),
            Some(&LocalName::Named("rt".into()))
        );
        assert_eq!(t.local_name("time"), Some(&LocalName::Dot));
        assert_eq!(t.local_name("embed"), None);
        assert_eq!(t.qualifier("math/rand/v2").as_deref(), Some("rand."));
        assert_eq!(t.path_of("rt"), Some("runtime"));
    }

    #[test]
    fn removes_import_that_became_unused() {
        let before = "package a\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc f() {\n\tfmt.Println()\n\truntime.GC()\n}\n";
        let after = "package a\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc f() {\n\tfmt.Println()\n}\n";
        let out = tidy(&parse(before), after, &BTreeSet::new());
        assert_eq!(
            out,
            "package a\n\nimport (\n\t\"fmt\"\n)\n\nfunc f() {\n\tfmt.Println()\n}\n"
        );
    }

    #[test]
    fn removes_emptied_declaration() {
        let before = "package a\n\nimport \"runtime\"\n\nfunc f() {\n\truntime.GC()\n}\n";
        let after = "package a\n\nimport \"runtime\"\n\nfunc f() {\n}\n";
        let out = tidy(&parse(before), after, &BTreeSet::new());
        assert_eq!(out, "package a\n\nfunc f() {\n}\n");
    }

    #[test]
    fn replaces_an_emptied_single_import_with_the_needed_one() {
        let before = "package a\n\nimport \"io/ioutil\"\n\nfunc f() {\n\tioutil.ReadAll(nil)\n}\n";
        let after = "package a\n\nimport \"io/ioutil\"\n\nfunc f() {\n\tio.ReadAll(nil)\n}\n";
        let need = BTreeSet::from(["io".to_string()]);
        let out = tidy(&parse(before), after, &need);
        assert_eq!(
            out,
            "package a\n\nimport \"io\"\n\nfunc f() {\n\tio.ReadAll(nil)\n}\n"
        );
        // Inside a block that keeps other imports.
        let before = "package a\n\nimport (\n\t\"fmt\"\n\t\"io/ioutil\"\n)\n\nfunc f() {\n\tfmt.Println(ioutil.ReadAll(nil))\n}\n";
        let after = "package a\n\nimport (\n\t\"fmt\"\n\t\"io/ioutil\"\n)\n\nfunc f() {\n\tfmt.Println(io.ReadAll(nil))\n}\n";
        let out = tidy(&parse(before), after, &need);
        assert_eq!(out, "package a\n\nimport (\n\t\"fmt\"\n\t\"io\"\n)\n\nfunc f() {\n\tfmt.Println(io.ReadAll(nil))\n}\n");
    }

    #[test]
    fn adds_import_in_order() {
        let src =
            "package a\n\nimport (\n\t\"fmt\"\n\t\"runtime/pprof\"\n\n\t\"example.com/x\"\n)\n";
        let need = BTreeSet::from(["context".to_string()]);
        let out = tidy(&parse(src), src, &need);
        assert_eq!(out, "package a\n\nimport (\n\t\"context\"\n\t\"fmt\"\n\t\"runtime/pprof\"\n\n\t\"example.com/x\"\n)\n");
        let src = "package a\n\nimport \"runtime/pprof\"\n";
        let out = tidy(&parse(src), src, &need);
        assert_eq!(
            out,
            "package a\n\nimport (\n\t\"context\"\n\t\"runtime/pprof\"\n)\n"
        );
        let src = "package a\n\nfunc f() {}\n";
        let out = tidy(&parse(src), src, &need);
        assert_eq!(out, "package a\n\nimport \"context\"\n\nfunc f() {}\n");
    }
}
