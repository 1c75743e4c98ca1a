//! The rewrite engine: parse a Go file once, run every recipe from one walk
//! of its tree, and apply the fixes until nothing changes.
//!
//! The engine does no I/O of its own: it takes source text and returns
//! findings and rewritten text. Walking, reading and writing files belong to
//! the callers.

pub mod edit;
pub mod golang;
pub mod gomod;
pub mod imports;
pub mod package;
pub mod recipe;
pub mod scope;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::LanguageExt;

use edit::EditSet;
use golang::{parse, Go, GoRoot};
use gomod::GoVersion;
use imports::ImportTable;
use recipe::Prefilter;
pub use recipe::{FileContext, Finding, Fix, MatchContext, Recipe, RecipeLogic, Settings};

/// How many times a file is re-analysed when fixes overlap before the
/// engine gives up on it.
pub const MAX_ROUNDS: usize = 8;

/// Whether to compute a rewrite or only findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Findings only.
    Check,
    /// Findings and the rewritten text.
    Rewrite,
}

/// A finding placed in its file (1-based lines and columns, byte columns).
#[derive(Clone, Debug)]
pub struct Located {
    pub finding: Finding,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// What the engine made of one file.
#[derive(Clone, Debug, Default)]
pub struct FileOutcome {
    /// Findings on the original text, in source order.
    pub findings: Vec<Located>,
    /// The rewritten text, when it differs from the original.
    pub rewritten: Option<String>,
    /// Fixes applied per recipe id.
    pub fixes: BTreeMap<String, usize>,
    /// Problems worth telling the user that did not stop the file.
    pub warnings: Vec<String>,
    /// A problem that stopped the file from being rewritten.
    pub error: Option<String>,
}

/// The recipes to run and how.
pub struct Engine {
    recipes: Vec<Recipe>,
    prefilter: Prefilter,
    /// For each node kind id, the recipes that may match it.
    by_kind: Vec<Vec<usize>>,
    /// Recipes with no kind information: tried on every node.
    any_kind: Vec<usize>,
    settings: Settings,
    /// Where recipes find the other files of a package (none: every file
    /// is alone in its package).
    packages: Option<package::PackageCache>,
}

impl Engine {
    /// Builds an engine over `recipes` (already selected by the caller).
    pub fn new(recipes: Vec<Recipe>, settings: Settings) -> Self {
        let prefilter = Prefilter::new(&recipes);
        let n_kinds = Go.get_ts_language().node_kind_count();
        let mut by_kind = vec![Vec::new(); n_kinds + 1];
        let mut any_kind = Vec::new();
        for (i, r) in recipes.iter().enumerate() {
            match r.potential_kinds() {
                Some(kinds) => {
                    for k in kinds {
                        if let Some(v) = by_kind.get_mut(k as usize) {
                            v.push(i);
                        }
                    }
                }
                None => any_kind.push(i),
            }
        }
        Engine {
            recipes,
            prefilter,
            by_kind,
            any_kind,
            settings,
            packages: None,
        }
    }

    /// Lets recipes look into the other files of each file's package,
    /// read from `source`.
    pub fn with_packages(mut self, source: impl package::PackageSource + 'static) -> Self {
        self.packages = Some(package::PackageCache::new(source));
        self
    }

    pub fn recipes(&self) -> &[Recipe] {
        &self.recipes
    }

    /// Whether any recipe could match `bytes` (the cheap prefilter).
    pub fn may_match(&self, bytes: &[u8]) -> bool {
        !self
            .prefilter
            .candidates(bytes, self.recipes.len())
            .is_empty()
    }

    /// Analyses one file and, in [`Mode::Rewrite`], rewrites it. The other
    /// files of its package come from the engine's package source, if any.
    pub fn process(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
    ) -> FileOutcome {
        let package = package::PackageHandle::new(self.packages.as_ref(), path);
        self.process_in(path, source, go_version, mode, &package)
    }

    /// [`Engine::process`] with the files of the package given by the
    /// caller: every `.go` file of the directory, `path` included.
    pub fn process_with_files(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        files: Vec<(std::path::PathBuf, String)>,
    ) -> FileOutcome {
        let package = package::PackageHandle::with_files(path, files);
        self.process_in(path, source, go_version, mode, &package)
    }

    fn process_in(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        package: &package::PackageHandle<'_>,
    ) -> FileOutcome {
        let mut out = FileOutcome::default();
        let mut candidates = self
            .prefilter
            .candidates(source.as_bytes(), self.recipes.len());
        candidates.retain(|&i| self.recipes[i].go_before.is_none_or(|v| go_version < v));
        if candidates.is_empty() {
            return out;
        }
        let root = parse(source);
        let has_error = golang::has_syntax_error(&root.root());
        let findings = self.analyse(path, source, &root, go_version, &candidates, package);
        let findings = if has_error {
            let (kept, dropped): (Vec<_>, Vec<_>) =
                findings.into_iter().partition(|f| !near_error(&root, f));
            for f in dropped {
                let (line, _) = position(source, f.range.start);
                out.warnings.push(format!(
                    "line {line}: syntax error near a {} finding; skipped (neither reported nor rewritten)",
                    f.recipe
                ));
            }
            kept
        } else {
            findings
        };
        out.findings = findings.iter().map(|f| locate(source, f)).collect();
        if mode == Mode::Check || !findings.iter().any(|f| f.fix.is_some()) {
            return out;
        }
        if has_error {
            out.warnings
                .push("the file does not parse as Go; it was not rewritten".into());
            return out;
        }
        match self.fix_point(
            path,
            source,
            &root,
            go_version,
            findings,
            &candidates,
            package,
        ) {
            Ok((text, fixes)) => {
                if text != source {
                    out.rewritten = Some(text);
                    out.fixes = fixes;
                }
            }
            Err(e) => out.error = Some(e),
        }
        out
    }

    /// Runs the candidate recipes over one walk of the tree.
    fn analyse(
        &self,
        path: &Path,
        source: &str,
        root: &GoRoot,
        go_version: GoVersion,
        candidates: &[usize],
        package: &package::PackageHandle<'_>,
    ) -> Vec<Finding> {
        let imports = ImportTable::from_root(root);
        let file = FileContext {
            path,
            source,
            root,
            imports: &imports,
            go_version,
            settings: &self.settings,
            package,
        };
        // Per candidate recipe, the matcher for this file's import names.
        let mut matchers = vec![None; self.recipes.len()];
        let mut active = false;
        for &i in candidates {
            matchers[i] = self.recipes[i].matcher_for(&imports);
            active |= matchers[i].is_some();
        }
        if !active {
            return Vec::new();
        }
        let mut findings = Vec::new();
        for node in root.root().dfs() {
            let kind = node.kind_id() as usize;
            let by_kind = self.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[]);
            for &i in by_kind.iter().chain(&self.any_kind) {
                let Some(m) = &matchers[i] else { continue };
                if let Some(nm) = m.match_node(node.clone()) {
                    if let Some(f) = self.recipes[i].examine(&nm, &file) {
                        if !is_suppressed(source, &f) {
                            findings.push(f);
                        }
                    }
                }
            }
        }
        findings.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.recipe).cmp(&(b.range.start, b.range.end, &b.recipe))
        });
        findings
    }

    /// Applies fixes round after round until none is left over.
    #[allow(clippy::too_many_arguments)]
    fn fix_point(
        &self,
        path: &Path,
        original: &str,
        original_root: &GoRoot,
        go_version: GoVersion,
        first: Vec<Finding>,
        candidates: &[usize],
        package: &package::PackageHandle<'_>,
    ) -> Result<(String, BTreeMap<String, usize>), String> {
        let mut text = original.to_string();
        let mut findings = first;
        let mut fixes: BTreeMap<String, usize> = BTreeMap::new();
        let mut needed: BTreeSet<String> = BTreeSet::new();
        for _round in 0..MAX_ROUNDS {
            let mut set = EditSet::default();
            let mut deferred = 0;
            for f in &findings {
                let Some(fix) = &f.fix else { continue };
                if set.try_add(&fix.edits) {
                    *fixes.entry(f.recipe.to_string()).or_insert(0) += 1;
                    needed.extend(fix.add_imports.iter().cloned());
                } else {
                    deferred += 1;
                }
            }
            if !set.is_empty() {
                text = set.apply(&text);
            }
            if deferred == 0 {
                let tidied = imports::tidy(original_root, &text, &needed);
                let check = parse(&tidied);
                if golang::has_syntax_error(&check.root()) {
                    return Err("the rewrite would not parse; the file was left unchanged (please report this)".into());
                }
                return Ok((tidied, fixes));
            }
            let root = parse(&text);
            findings = self.analyse(path, &text, &root, go_version, candidates, package);
        }
        Err(format!(
            "fixes still overlap after {MAX_ROUNDS} rounds; the file was left unchanged"
        ))
    }
}

/// Whether the top-level declaration holding a finding contains a syntax error.
fn near_error(root: &GoRoot, f: &Finding) -> bool {
    root.root()
        .children()
        .filter(|d| {
            d.range().start <= f.range.start
                && f.range.start < d.range().end.max(d.range().start + 1)
        })
        .any(|d| golang::has_syntax_error(&d))
        || root.root().children().any(|d| {
            d.is_error() && d.range().start <= f.range.end && f.range.start <= d.range().end
        })
}

/// `//gomend:ignore` or `//gomend:ignore <id>[,<id>]` on the finding's line
/// or the line above silences it.
fn is_suppressed(source: &str, f: &Finding) -> bool {
    let ls = edit::line_start(source, f.range.start);
    let le = edit::line_end(source, f.range.start);
    let prev = if ls > 0 {
        &source[edit::line_start(source, ls - 1)..ls]
    } else {
        ""
    };
    [&source[ls..le], prev]
        .iter()
        .any(|line| suppresses(line, &f.recipe))
}

fn suppresses(line: &str, id: &str) -> bool {
    let Some(i) = line.find("//gomend:ignore") else {
        return false;
    };
    let rest = &line[i + "//gomend:ignore".len()..];
    let ids = rest.split("//").next().unwrap_or("").trim();
    ids.is_empty() || ids.split([',', ' ']).any(|x| x.trim() == id)
}

/// 1-based line and byte column of `offset`.
pub fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = offset - edit::line_start(source, offset) + 1;
    (line, col)
}

fn locate(source: &str, f: &Finding) -> Located {
    let (line, column) = position(source, f.range.start);
    let (end_line, end_column) = position(source, f.range.end);
    Located {
        finding: f.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// A shared, cheaply clonable engine.
pub type SharedEngine = Arc<Engine>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppression_comments() {
        assert!(suppresses("\truntime.GC() //gomend:ignore", "remove-gc"));
        assert!(suppresses("//gomend:ignore remove-gc", "remove-gc"));
        assert!(suppresses(
            "//gomend:ignore remove-gosched,remove-gc",
            "remove-gc"
        ));
        assert!(!suppresses("//gomend:ignore remove-gosched", "remove-gc"));
        assert!(!suppresses("\truntime.GC()", "remove-gc"));
    }
}
