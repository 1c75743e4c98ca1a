//! The rewrite engine: parse a Go file once, run every recipe from one walk
//! of its tree, and apply the fixes until nothing changes.
//!
//! The engine does no I/O of its own: it takes source text and returns
//! findings and rewritten text. Walking, reading and writing files belong to
//! the callers.

pub mod decls;
pub mod edit;
mod error;
pub mod golang;
pub mod gomod;
pub mod imports;
pub mod lex;
pub mod package;
pub mod recipe;
pub mod scope;
pub mod spec;
pub mod suppress;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use ast_grep_core::matcher::MatcherExt;
use ast_grep_core::tree_sitter::LanguageExt;

use edit::EditSet;
pub use error::{Error, FixPointError, RecipeError};
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

/// The prefilter's judgement of a file's bytes (see [`Engine::prefilter`]).
pub struct Prefiltered {
    /// The recipes that may match, ascending.
    candidates: Vec<usize>,
    /// The bytes mention a suppression directive and ignores are tracked.
    tracked: bool,
}

impl Prefiltered {
    /// Whether the file is worth reading as text and processing.
    pub fn wanted(&self) -> bool {
        !self.candidates.is_empty() || self.tracked
    }
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
    pub error: Option<Error>,
    /// The suppression comments of the file and what each silenced (filled
    /// in when the file was parsed; for every file with such a comment when
    /// the engine tracks them, see [`Engine::track_ignores`]).
    pub ignores: Vec<suppress::Directive>,
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
    /// Parse files with suppression comments even when no recipe can match
    /// them, so that unused ones can be reported.
    track_ignores: bool,
    /// Screen files by their declarations before parsing them whole (see
    /// [`decls`]).
    screen: bool,
    /// The words of the recipes' declaration clauses.
    words: decls::Words,
    /// Per recipe, its declaration clauses with numbered words.
    local: Vec<Vec<decls::Compiled>>,
    /// The triggers of the recipes whose triggers are in the declaration of
    /// each finding (`triggers-in = "declaration"`), with their recipes.
    decl_triggers: Option<(aho_corasick::AhoCorasick, Vec<Vec<usize>>)>,
    /// Per recipe, whether the screen cannot run it on a part of a file:
    /// its rule can match a comment (those between declarations are not
    /// parsed) or may look past the match's declaration
    /// ([`decls::rule_is_local`]).
    needs_whole: Vec<bool>,
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
        let mut words = decls::Words::default();
        let local = recipes
            .iter()
            .map(|r| {
                r.local
                    .iter()
                    .map(|c| decls::Compiled {
                        keywords: c.keywords,
                        words: c.words.iter().map(|w| words.intern(w)).collect(),
                    })
                    .collect()
            })
            .collect();
        let comment = Go.get_ts_language().id_for_node_kind("comment", true);
        let needs_whole = recipes
            .iter()
            .map(|r| {
                r.potential_kinds().is_none_or(|k| k.contains(&comment))
                    || !decls::rule_is_local(&r.spec.matching.rule)
                    || r.spec.matching.constraints.as_ref().is_some_and(|c| {
                        c.as_table()
                            .is_none_or(|t| !t.values().all(decls::rule_is_local))
                    })
            })
            .collect();
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (i, r) in recipes.iter().enumerate() {
            if r.spec.matching.triggers_in == spec::TriggerScope::Declaration {
                for t in &r.triggers {
                    recipe::add_pattern(&mut patterns, &mut owners, t, i);
                }
            }
        }
        let decl_triggers = (!patterns.is_empty()).then(|| {
            let ac = aho_corasick::AhoCorasick::new(&patterns)
                .expect("trigger strings build an automaton");
            (ac, owners)
        });
        Engine {
            decl_triggers,
            recipes,
            prefilter,
            by_kind,
            any_kind,
            settings,
            packages: None,
            track_ignores: false,
            screen: true,
            words,
            local,
            needs_whole,
        }
    }

    /// Parses every candidate file whole, without screening it by its
    /// declarations first. The findings are the same either way; this is
    /// slower, and there to check that.
    pub fn parse_whole_files(&mut self, on: bool) {
        self.screen = !on;
    }

    /// Also reads the suppression comments of files no recipe can match
    /// (they then silence nothing), for reports of unused ones.
    pub fn track_ignores(&mut self, on: bool) {
        self.track_ignores = on;
    }

    /// Whether a file's raw bytes need processing: some recipe may match
    /// them, or they hold a suppression comment that is tracked.
    pub fn wants(&self, bytes: &[u8]) -> bool {
        self.prefilter(bytes).wanted()
    }

    /// What the prefilter makes of `bytes`: the file can then be processed
    /// with [`Engine::process_prefiltered`] without prefiltering it again.
    pub fn prefilter(&self, bytes: &[u8]) -> Prefiltered {
        Prefiltered {
            candidates: self.prefilter.candidates(bytes, self.recipes.len()),
            tracked: self.track_ignores && suppress::mentions(bytes),
        }
    }

    /// Lets recipes look into the other files of each file's package,
    /// read from `source`.
    pub fn with_packages(mut self, source: impl package::PackageSource + 'static) -> Self {
        self.packages = Some(package::PackageCache::new(source));
        self
    }

    /// Forgets the package views built so far (see
    /// [`package::PackageCache::clear`]); the worker calls it after each
    /// batch of files, which keeps memory flat on any repository size.
    pub fn release_packages(&self) {
        if let Some(c) = &self.packages {
            c.clear();
        }
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
        self.process_in(path, source, go_version, mode, &self.package_of(path), None)
    }

    /// [`Engine::process`] of the text whose bytes gave `pre`.
    pub fn process_prefiltered(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        pre: Prefiltered,
    ) -> FileOutcome {
        let package = self.package_of(path);
        self.process_screened(
            path,
            source,
            go_version,
            mode,
            &package,
            None,
            self.screen,
            Some(pre.candidates),
        )
    }

    /// The package of the file at `path`, from the engine's package source.
    pub fn package_of(&self, path: &Path) -> package::PackageHandle<'_> {
        package::PackageHandle::new(self.packages.as_ref(), path)
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
        self.process_in(path, source, go_version, mode, &package, None)
    }

    /// Rewrites one file with only some of its fixes: the fixes are numbered
    /// from 0 in the order of the findings that carry one in
    /// [`FileOutcome::findings`] of [`Engine::process`] on the same text, and
    /// only those whose number is in `keep` are applied.
    ///
    /// A finding left out stays left out in the later rounds of the
    /// fix-point loop too: a re-analysis that finds the same recipe again at
    /// the bytes it covered (followed through the edits made so far) does not
    /// apply it. Findings that only appear in later rounds are applied unless
    /// they fall on such bytes. With every fix kept, the result is the one of
    /// [`Engine::process`]. `findings` of the outcome are all the findings,
    /// `fixes` counts only the fixes applied.
    ///
    /// This is what `--verify` uses to drop the fixes that break a build.
    pub fn process_selected(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        keep: &BTreeSet<usize>,
    ) -> FileOutcome {
        let package = self.package_of(path);
        self.process_in(
            path,
            source,
            go_version,
            Mode::Rewrite,
            &package,
            Some(keep),
        )
    }

    /// The general form of [`Engine::process`]: the package comes from
    /// `package`, and `keep`, when given, selects the fixes as in
    /// [`Engine::process_selected`].
    pub fn process_in(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        package: &package::PackageHandle<'_>,
        keep: Option<&BTreeSet<usize>>,
    ) -> FileOutcome {
        self.process_screened(
            path,
            source,
            go_version,
            mode,
            package,
            keep,
            self.screen,
            None,
        )
    }

    /// [`Engine::process_in`] with every candidate file parsed whole,
    /// whatever [`Engine::parse_whole_files`] says: what the declaration
    /// screen must agree with.
    pub fn process_whole(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        package: &package::PackageHandle<'_>,
    ) -> FileOutcome {
        self.process_screened(path, source, go_version, mode, package, None, false, None)
    }

    /// Whether files are screened by their declarations first.
    pub fn screens(&self) -> bool {
        self.screen
    }

    #[allow(clippy::too_many_arguments)]
    fn process_screened(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        mode: Mode,
        package: &package::PackageHandle<'_>,
        keep: Option<&BTreeSet<usize>>,
        screen: bool,
        prefiltered: Option<Vec<usize>>,
    ) -> FileOutcome {
        let mut out = FileOutcome::default();
        let mut candidates = prefiltered.unwrap_or_else(|| {
            self.prefilter
                .candidates(source.as_bytes(), self.recipes.len())
        });
        candidates.retain(|&i| self.recipes[i].applies_to(go_version));
        candidates.retain(|&i| self.recipes[i].applies_to_file(path, source));
        let tracked = self.track_ignores && suppress::mentions(source.as_bytes());
        if candidates.is_empty() && !tracked {
            return out;
        }
        let mut whole = None;
        if screen && !tracked && !suppress::mentions(source.as_bytes()) {
            match self.screen(path, source, go_version, &candidates, package) {
                Screened::Nothing => return out,
                Screened::Unsure(tree) => whole = tree,
            }
        }
        let root = whole.unwrap_or_else(|| parse(source));
        let has_error = golang::has_syntax_error(&root.root());
        let mut suppressions = suppress::Suppressions::scan(source, &root);
        let findings = self.analyse(
            path,
            source,
            &root,
            None,
            go_version,
            &candidates,
            package,
            Some(&mut suppressions),
        );
        out.ignores = suppressions.directives;
        let mut unparsed_fixes = 0;
        let findings = if has_error {
            let (kept, dropped): (Vec<_>, Vec<_>) =
                findings.into_iter().partition(|f| !near_error(&root, f));
            let lines = LineIndex::new(source);
            for f in dropped {
                let (line, _) = lines.position(f.range.start);
                out.warnings.push(format!(
                    "line {line}: syntax error near a {} finding; skipped (neither reported nor rewritten)",
                    f.recipe
                ));
            }
            // A file that does not parse is never written, so no finding in
            // it may claim a rewrite (`check` and `apply` must agree).
            kept.into_iter()
                .map(|mut f| {
                    if f.fix.take().is_some() {
                        unparsed_fixes += 1;
                        f.message.push_str(" (not rewritten: the file does not parse as Go here, so gomend never writes it)");
                    }
                    f
                })
                .collect()
        } else {
            findings
        };
        // The fixes need only the original tree's qualifier counts (for the
        // import upkeep): the tree goes now, before the findings are copied
        // into the outcome, so that neither those copies nor the fix-point
        // loop and the tidy step ever share the memory with it.
        let rewrite = mode == Mode::Rewrite && findings.iter().any(|f| f.fix.is_some());
        let qualifiers = if rewrite {
            imports::qualifier_uses(&root)
        } else {
            Default::default()
        };
        drop(root);
        let lines = LineIndex::new(source);
        out.findings = findings.iter().map(|f| lines.locate(f)).collect();
        drop(lines);
        if mode == Mode::Rewrite && unparsed_fixes > 0 {
            out.warnings
                .push("the file does not parse as Go; it was not rewritten".into());
        }
        if !rewrite {
            return out;
        }
        let mut left_out = Vec::new();
        let findings = match keep {
            None => findings,
            Some(keep) => {
                let mut kept = Vec::with_capacity(findings.len());
                for (n, f) in findings.into_iter().filter(|f| f.fix.is_some()).enumerate() {
                    if keep.contains(&n) {
                        kept.push(f);
                    } else {
                        left_out.push((f.recipe.clone(), f.range.clone()));
                    }
                }
                kept
            }
        };
        if findings.is_empty() {
            return out;
        }
        match self.fix_point(
            path,
            source,
            &qualifiers,
            go_version,
            findings,
            &candidates,
            package,
            left_out,
        ) {
            Ok((text, fixes)) => {
                // Lines a fix inserts take the file's own line ending.
                let text = if is_crlf(source) {
                    to_crlf(&text)
                } else {
                    text
                };
                if text != source {
                    out.rewritten = Some(text);
                    out.fixes = fixes;
                }
            }
            Err(e) => out.error = Some(e.into()),
        }
        out
    }

    /// Whether analysing `source` on the parse of its header, of the
    /// declarations that hold what the rules of `candidates` need (see
    /// [`decls`]) and of the `var` and `const` declarations those name
    /// finds nothing. Recipes that look further (at a function the match
    /// calls, at the whole file) get the whole file's tree, parsed when
    /// first asked. [`Screened::Unsure`] whenever this cannot be told, and
    /// whenever a finding is made: the caller then analyses the whole file,
    /// so what it reports is always what a whole parse gives.
    fn screen(
        &self,
        path: &Path,
        source: &str,
        go_version: GoVersion,
        candidates: &[usize],
        package: &package::PackageHandle<'_>,
    ) -> Screened {
        if candidates.iter().any(|&i| self.needs_whole[i]) {
            return Screened::Unsure(None);
        }
        let Some(layout) = decls::Layout::scan(source.as_bytes(), &self.words) else {
            return Screened::Unsure(None);
        };
        // Per declaration, the recipes whose triggers it holds, for those
        // whose triggers are in the declaration of each finding.
        let n = self.recipes.len();
        let local_triggers =
            |i: usize| self.recipes[i].spec.matching.triggers_in == spec::TriggerScope::Declaration;
        let mut triggered = vec![false; layout.decls.len() * n];
        let scan = self
            .decl_triggers
            .as_ref()
            .filter(|_| candidates.iter().any(|&i| local_triggers(i)));
        if let Some((ac, owners)) = scan {
            for m in ac.find_overlapping_iter(source.as_bytes()) {
                if let Some(d) = layout.decl_at(m.start()) {
                    for &i in &owners[m.pattern().as_usize()] {
                        triggered[d * n + i] = true;
                    }
                }
            }
        }
        let mut needed: Vec<bool> = layout
            .decls
            .iter()
            .enumerate()
            .map(|(j, d)| {
                candidates.iter().any(|&i| {
                    d.meets(&self.local[i])
                        && (!local_triggers(i) || triggered[j * n + i])
                        && self.recipes[i].may_find_in(&source.as_bytes()[d.range.clone()])
                })
            })
            .collect();
        layout.values_named(source.as_bytes(), &mut needed);
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::with_capacity(layout.decls.len() + 1);
        ranges.push(0..layout.header_end);
        for (d, _) in layout.decls.iter().zip(&needed).filter(|(_, &n)| n) {
            match ranges.last_mut() {
                Some(last) if last.end == d.range.start => last.end = d.range.end,
                _ => ranges.push(d.range.clone()),
            }
        }
        if ranges.len() == 1 && ranges[0].end == source.len() {
            // Every declaration is needed: the whole parse does the work.
            return Screened::Unsure(None);
        }
        let Some(partial) = decls::parse_ranges(source, &ranges) else {
            return Screened::Unsure(None);
        };
        if golang::has_syntax_error(&partial.root()) {
            return Screened::Unsure(None);
        }
        let whole = std::cell::OnceCell::new();
        let found = !self
            .analyse(
                path,
                source,
                &partial,
                Some(&whole),
                go_version,
                candidates,
                package,
                None,
            )
            .is_empty();
        if found {
            // The whole tree a recipe asked for is the one to analyse.
            Screened::Unsure(whole.into_inner())
        } else {
            Screened::Nothing
        }
    }

    /// Runs the candidate recipes over one walk of the tree. Findings that
    /// `suppressions` silence are left out (and counted there). `root` may
    /// be the tree of a part of the file; `whole` then holds the whole
    /// file's tree once a recipe asks for it.
    #[allow(clippy::too_many_arguments)]
    fn analyse<'r>(
        &self,
        path: &'r Path,
        source: &'r str,
        root: &'r GoRoot,
        whole: Option<&'r std::cell::OnceCell<GoRoot>>,
        go_version: GoVersion,
        candidates: &[usize],
        package: &'r package::PackageHandle<'r>,
        mut suppressions: Option<&mut suppress::Suppressions>,
    ) -> Vec<Finding> {
        let imports = ImportTable::from_root(root);
        let file = FileContext {
            path,
            source,
            root,
            whole,
            imports: &imports,
            go_version,
            settings: &self.settings,
            package,
            memo: Default::default(),
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
                        if !suppressions.as_mut().is_some_and(|s| s.silences(&f)) {
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

    /// Applies fixes round after round until none is left over. `left_out`
    /// are fixes not to apply (recipe and bytes of the current text): they
    /// are followed through each round's edits, and a later finding of the
    /// same recipe on those bytes is not applied either. `qualifiers` are
    /// the [`imports::qualifier_uses`] of the original text. One syntax tree
    /// at most is alive at a time: each round's tree goes at its end.
    #[allow(clippy::too_many_arguments)]
    fn fix_point(
        &self,
        path: &Path,
        original: &str,
        qualifiers: &std::collections::HashMap<String, usize>,
        go_version: GoVersion,
        first: Vec<Finding>,
        candidates: &[usize],
        package: &package::PackageHandle<'_>,
        mut left_out: Vec<(Arc<str>, std::ops::Range<usize>)>,
    ) -> Result<(String, BTreeMap<String, usize>), FixPointError> {
        let mut text = original.to_string();
        let mut findings = first;
        let mut fixes: BTreeMap<String, usize> = BTreeMap::new();
        let mut needed: BTreeSet<String> = BTreeSet::new();
        for round in 0..MAX_ROUNDS {
            let mut set = EditSet::default();
            let mut deferred = 0;
            for f in &findings {
                let Some(fix) = &f.fix else { continue };
                // In the first round the findings left out were removed by
                // number already; later rounds recognise them by place.
                if round > 0
                    && left_out.iter().any(|(recipe, range)| {
                        *recipe == f.recipe
                            && (range.start < f.range.end && f.range.start < range.end
                                || *range == f.range)
                    })
                {
                    continue;
                }
                if set.try_add(&fix.edits) {
                    *fixes.entry(f.recipe.to_string()).or_insert(0) += 1;
                    needed.extend(fix.add_imports.iter().cloned());
                } else {
                    deferred += 1;
                }
            }
            if !set.is_empty() {
                text = set.apply(&text);
                for (_, range) in &mut left_out {
                    *range = set.map_range(range.clone());
                }
            }
            if deferred == 0 {
                // Nothing of this round is needed any more: the findings and
                // edits go before the text is parsed again.
                drop(findings);
                drop(set);
                let (tidied, parsed) = imports::tidy_parsed(qualifiers, text, &needed);
                // The text is parsed once more only when tidying changed it.
                let check = parsed.unwrap_or_else(|| parse(&tidied));
                if golang::has_syntax_error(&check.root()) {
                    return Err(FixPointError::Unparsable);
                }
                return Ok((tidied, fixes));
            }
            let root = parse(&text);
            let mut suppressions = suppress::Suppressions::scan(&text, &root);
            findings = self.analyse(
                path,
                &text,
                &root,
                None,
                go_version,
                candidates,
                package,
                Some(&mut suppressions),
            );
        }
        Err(FixPointError::Overlap { rounds: MAX_ROUNDS })
    }
}

/// What the declaration screen tells of a file.
enum Screened {
    /// No recipe finds anything in it.
    Nothing,
    /// The whole file is to be analysed, on this tree of it when the
    /// screen has already parsed it.
    Unsure(Option<GoRoot>),
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

/// 1-based line and byte column of `offset`. For many offsets in one text,
/// build a [`LineIndex`] once instead.
pub fn position(source: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(source).position(offset)
}

/// The start of every line of a text, to turn byte offsets into lines and
/// columns in logarithmic time.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and byte column of `offset`.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }

    fn locate(&self, f: &Finding) -> Located {
        let (line, column) = self.position(f.range.start);
        let (end_line, end_column) = self.position(f.range.end);
        Located {
            finding: f.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Whether every line of `source` ends with CRLF (and there is one).
fn is_crlf(source: &str) -> bool {
    let mut any = false;
    for (i, _) in source.match_indices('\n') {
        if i == 0 || source.as_bytes()[i - 1] != b'\r' {
            return false;
        }
        any = true;
    }
    any
}

/// `text` with every bare LF turned into CRLF.
fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// A shared, cheaply clonable engine.
pub type SharedEngine = Arc<Engine>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_positions() {
        let src = "ab\ncd\n\nef";
        let idx = LineIndex::new(src);
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(2), (1, 3));
        assert_eq!(idx.position(3), (2, 1));
        assert_eq!(idx.position(6), (3, 1));
        assert_eq!(idx.position(7), (4, 1));
        assert_eq!(idx.position(9), (4, 3));
        assert_eq!(position(src, 4), (2, 2));
    }

    #[test]
    fn line_endings() {
        assert!(is_crlf("a\r\nb\r\n"));
        assert!(!is_crlf("a\r\nb\n"));
        assert!(!is_crlf("a"));
        assert_eq!(to_crlf("a\r\nb\nc\n"), "a\r\nb\r\nc\r\n");
    }
}
