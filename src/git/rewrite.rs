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
    /// Rewrite one file's bytes with only `recipe` enabled (or all when None). `go_mod` is the text of the nearest go.mod in the tree (or None). Ok(None) = no change.
    fn rewrite(
        &self,
        rel_path: &str,
        content: &[u8],
        go_mod: Option<&str>,
        recipe: Option<&str>,
    ) -> anyhow::Result<Option<Rewritten>>;
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
}
