//! The seam between the git layer and the rewrite engine.
//!
//! Everything under `git` and `forge` talks to the engine only through
//! [`TreeRewriter`]: `gomend branch` and `gomend pr` get their rewrites from
//! whatever implements it, whether an adapter over the engine, which belongs in
//! this module, or a small fake in tests.

/// What the git layer needs from the rewrite engine.
pub trait TreeRewriter: Sync {
    /// Recipes known, in catalogue order: id, one-line summary, rationale (prose, a few sentences).
    fn recipes(&self) -> Vec<RecipeInfo>;
    /// Whether a repository-relative path is one gomend would look at (.go, not vendor/, testdata/, _test.go unless enabled, ...).
    fn wants(&self, rel_path: &str) -> bool;
    /// Rewrite one file's bytes with only `recipe` enabled (or all when None). `go_version` is the file's Go language version, resolved from the tree's go.mod and go.work files. Ok(None) = no change.
    fn rewrite(
        &self,
        rel_path: &str,
        content: &[u8],
        go_version: crate::engine::gomod::GoVersion,
        recipe: Option<&str>,
    ) -> anyhow::Result<Option<Rewritten>>;

    /// [`TreeRewriter::rewrite`] with the other files of the package: every
    /// file of the same directory in the tree, as (path, content), and,
    /// when `keep` is given, only some of the fixes: fix `n` is the `n`-th
    /// of [`Rewritten::sites`] of `rewrite` on the same input, and only the
    /// fixes numbered in `keep` are applied (`--verify` uses this to drop
    /// fixes that break the build).
    ///
    /// The default ignores the package and can only keep every fix.
    fn rewrite_in_package(
        &self,
        rel_path: &str,
        content: &[u8],
        go_version: crate::engine::gomod::GoVersion,
        recipe: Option<&str>,
        package: &[(&str, &[u8])],
        keep: Option<&std::collections::BTreeSet<usize>>,
    ) -> anyhow::Result<Option<Rewritten>> {
        let _ = package;
        let all = self.rewrite(rel_path, content, go_version, recipe)?;
        let n = all.as_ref().map_or(0, |r| r.sites.len());
        if keep.is_none_or(|keep| (0..n).all(|i| keep.contains(&i))) {
            Ok(all)
        } else {
            anyhow::bail!("{rel_path}: this rewriter cannot apply only some of a file's fixes")
        }
    }

    /// The command-line options that select this rewriter's recipes and
    /// settings, for the command that reproduces a branch.
    fn command_args(&self) -> Vec<String> {
        Vec::new()
    }
}

/// One entry of the recipe catalogue, as the git layer shows it to reviewers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipeInfo {
    /// Stable identifier, e.g. `remove-gc`.
    pub id: String,
    /// One-line summary used in commit and pull request titles.
    pub summary: String,
    /// A few sentences explaining why the rewrite is correct.
    pub rationale: String,
}

/// The result of rewriting one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewritten {
    /// The new file content.
    pub content: Vec<u8>,
    /// How many individual fixes were applied to produce it.
    pub fixes: usize,
    /// Every fix the rewrite could make, applied or not, numbered by
    /// position (see [`TreeRewriter::rewrite_in_package`]).
    pub sites: Vec<FixAt>,
}

/// Where a fix is, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixAt {
    /// 1-based line in the content that was rewritten.
    pub line: usize,
    /// Recipe id.
    pub recipe: String,
}

/// The real [`TreeRewriter`]: the engine with the recipes and options chosen
/// on the command line, plus one engine per recipe for per-recipe commits.
pub struct EngineRewriter {
    all: crate::engine::Engine,
    single: Vec<crate::engine::Engine>,
    options: RewriterOptions,
}

/// What an [`EngineRewriter`] needs besides its engines: which files it
/// looks at, the Go version it assumes, and how to name its selection.
#[derive(Clone, Debug, Default)]
pub struct RewriterOptions {
    /// The command-line options that select the recipes and settings, for
    /// the command that reproduces a branch ([`TreeRewriter::command_args`]).
    pub command_args: Vec<String>,
    /// The Go version assumed for every file instead of the tree's go.mod
    /// and go.work files.
    pub forced_version: Option<crate::engine::gomod::GoVersion>,
    /// Which files the walk includes (`_test.go` or not).
    pub walk: crate::walk::WalkOptions,
    /// The configuration file's include and exclude globs.
    pub filter: crate::config::PathFilter,
    /// Whether generated files are rewritten.
    pub generated: bool,
}

impl EngineRewriter {
    /// A rewriter over engines already built: `all` runs every selected
    /// recipe, and `single[i]` runs only the `i`-th recipe of `all`, for
    /// per-recipe commits.
    ///
    /// # Panics
    ///
    /// When `single` does not hold one engine per recipe of `all`, in the
    /// same order, each with that recipe alone.
    pub fn new(
        all: crate::engine::Engine,
        single: Vec<crate::engine::Engine>,
        options: RewriterOptions,
    ) -> Self {
        assert_eq!(
            single.len(),
            all.recipes().len(),
            "one single-recipe engine per recipe"
        );
        for (r, one) in all.recipes().iter().zip(&single) {
            assert!(
                one.recipes().len() == 1 && one.recipes()[0].id == r.id,
                "the engine for `{}` runs that recipe alone",
                r.id
            );
        }
        EngineRewriter {
            all,
            single,
            options,
        }
    }
}

impl TreeRewriter for EngineRewriter {
    fn command_args(&self) -> Vec<String> {
        self.options.command_args.clone()
    }

    fn recipes(&self) -> Vec<RecipeInfo> {
        self.all
            .recipes()
            .iter()
            .map(|r| RecipeInfo {
                id: r.id.to_string(),
                summary: r.spec.summary.clone(),
                rationale: r
                    .spec
                    .rationale
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect()
    }

    fn wants(&self, rel_path: &str) -> bool {
        crate::walk::wants(std::path::Path::new(rel_path), self.options.walk)
            && self.options.filter.allows(std::path::Path::new(rel_path))
    }

    fn rewrite(
        &self,
        rel_path: &str,
        content: &[u8],
        go_version: crate::engine::gomod::GoVersion,
        recipe: Option<&str>,
    ) -> anyhow::Result<Option<Rewritten>> {
        self.rewrite_in_package(rel_path, content, go_version, recipe, &[], None)
    }

    fn rewrite_in_package(
        &self,
        rel_path: &str,
        content: &[u8],
        go_version: crate::engine::gomod::GoVersion,
        recipe: Option<&str>,
        package: &[(&str, &[u8])],
        keep: Option<&std::collections::BTreeSet<usize>>,
    ) -> anyhow::Result<Option<Rewritten>> {
        let engine = match recipe {
            None => &self.all,
            Some(id) => match self.all.recipes().iter().position(|r| &*r.id == id) {
                Some(i) => &self.single[i],
                None => anyhow::bail!("unknown recipe `{id}`"),
            },
        };
        if !engine.may_match(content) {
            return Ok(None);
        }
        let Ok(source) = std::str::from_utf8(content) else {
            return Ok(None);
        };
        if !self.options.generated && crate::walk::is_generated(source) {
            return Ok(None);
        }
        let version = self.options.forced_version.unwrap_or(go_version);
        let files = package
            .iter()
            .filter_map(|(p, c)| {
                let text = std::str::from_utf8(c).ok()?;
                Some((std::path::PathBuf::from(p), text.to_string()))
            })
            .collect();
        let path = std::path::Path::new(rel_path);
        let handle = crate::engine::package::PackageHandle::with_files(path, files);
        let out = engine.process_in(
            path,
            source,
            version,
            crate::engine::Mode::Rewrite,
            &handle,
            keep,
        );
        // One file the engine cannot rewrite must not stop a repository-wide
        // run: it is named and left as it is on the base.
        for w in &out.warnings {
            eprintln!("gomend: warning: {rel_path}: {w}");
        }
        if let Some(e) = &out.error {
            eprintln!("gomend: warning: {rel_path}: {e}");
        }
        let sites = out
            .findings
            .iter()
            .filter(|f| f.finding.fix.is_some())
            .map(|f| FixAt {
                line: f.line,
                recipe: f.finding.recipe.to_string(),
            })
            .collect();
        Ok(out.rewritten.map(|text| Rewritten {
            content: text.into_bytes(),
            fixes: out.fixes.values().sum(),
            sites,
        }))
    }
}
