//! Planning: which branches, which commits, which file contents.
//!
//! A [`Plan`] is pure data computed from a [`BaseTree`] and a [`TreeRewriter`];
//! it writes nothing, so `--dry-run` and the real run see exactly the same
//! branches, and the same inputs always give the same plan.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use git2::Oid;
use rayon::prelude::*;
use serde::Serialize;

use super::base::{BaseFile, BaseTree};
use super::message::{commit_message, CommitSummary};
use super::naming::{branch_name, short_hash};
use super::rewrite::{FixAt, RecipeInfo, TreeRewriter};

/// Decides which of a branch's planned file changes may land (what
/// `--verify` plugs in). It gets one branch's changed files, as planned
/// from `base`, and returns those that may land; a file may come back with
/// fewer fixes (see [`replan_file`]) or not at all.
pub trait Gate {
    fn admit(
        &self,
        base: &BaseTree,
        rewriter: &dyn TreeRewriter,
        files: Vec<FilePlan>,
    ) -> Result<Vec<FilePlan>>;
}

/// How the change set is divided into branches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitBy {
    /// One branch with every recipe.
    None,
    /// One branch per recipe, each applied to the base on its own.
    Recipe,
    /// One branch per top-level directory, or per Go module in a multi-module tree.
    Dir,
    /// One branch per set of owners from CODEOWNERS.
    Codeowners,
}

impl SplitBy {
    /// Every way, in the order `--help` lists them.
    pub const ALL: [SplitBy; 4] = [
        SplitBy::None,
        SplitBy::Recipe,
        SplitBy::Dir,
        SplitBy::Codeowners,
    ];

    /// The name on the command line (`--split-by NAME`) and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            SplitBy::None => "none",
            SplitBy::Recipe => "recipe",
            SplitBy::Dir => "dir",
            SplitBy::Codeowners => "codeowners",
        }
    }

    /// One line saying what it does.
    pub fn help(self) -> &'static str {
        match self {
            SplitBy::None => "One branch with every recipe",
            SplitBy::Recipe => "One branch per recipe, each applied to the base on its own",
            SplitBy::Dir => {
                "One branch per top-level directory, or per Go module in a multi-module tree"
            }
            SplitBy::Codeowners => "One branch per set of owners from CODEOWNERS",
        }
    }
}

impl std::fmt::Display for SplitBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How a branch's change is divided into commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitPer {
    /// One commit per recipe, in catalogue order.
    Recipe,
    /// A single commit per branch.
    Shard,
}

impl CommitPer {
    /// Every way, in the order `--help` lists them.
    pub const ALL: [CommitPer; 2] = [CommitPer::Recipe, CommitPer::Shard];

    /// The name on the command line (`--commit-per NAME`) and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            CommitPer::Recipe => "recipe",
            CommitPer::Shard => "shard",
        }
    }

    /// One line saying what it does.
    pub fn help(self) -> &'static str {
        match self {
            CommitPer::Recipe => "One commit per recipe, in catalogue order",
            CommitPer::Shard => "A single commit per branch",
        }
    }
}

impl std::fmt::Display for CommitPer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The options that decide the content of the branches.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Branch name prefix (`gomend` by default).
    pub prefix: String,
    /// How to split into branches.
    pub split_by: SplitBy,
    /// Largest number of files on one branch.
    pub max_files: Option<usize>,
    /// How to split into commits.
    pub commit_per: CommitPer,
    /// Repository-relative path filters the user gave.
    pub paths: Vec<String>,
    /// Whether the files were verified (`--verify`), for the command that
    /// reproduces the branches.
    pub verify: bool,
}

/// One recipe's change to one file.
#[derive(Clone, Debug)]
pub struct Step {
    /// Recipe id.
    pub recipe: String,
    /// Fixes the recipe made in this file.
    pub fixes: usize,
    /// Every fix the recipe could make in this step, numbered by position.
    pub sites: Vec<FixAt>,
    /// File content after this step.
    pub content: Vec<u8>,
}

/// All changes to one file, in recipe order; never empty.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// Repository-relative path.
    pub path: String,
    /// Git file mode, kept as in the base.
    pub mode: i32,
    /// Successive changes.
    pub steps: Vec<Step>,
}

/// One commit to write.
#[derive(Clone, Debug)]
pub struct CommitPlan {
    /// Recipes applied, in catalogue order.
    pub recipes: Vec<String>,
    /// Complete commit message.
    pub message: String,
    /// Files written by this commit on top of its parent: path, mode, content.
    pub updates: Vec<(String, i32, Vec<u8>)>,
}

/// One branch to write.
#[derive(Clone, Debug)]
pub struct BranchPlan {
    /// Branch name without `refs/heads/`.
    pub name: String,
    /// The recipe when the plan is split by recipe.
    pub recipe: Option<String>,
    /// The shard key (directory, module, owner set, part), if any.
    pub shard: Option<String>,
    /// Changed files, sorted by path.
    pub files: Vec<FilePlan>,
    /// Owners from CODEOWNERS of the changed files, sorted, without duplicates.
    pub reviewers: Vec<String>,
    /// Commits from the base upwards; never empty.
    pub commits: Vec<CommitPlan>,
}

/// Everything gomend would write.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The base commit.
    pub base: Oid,
    /// The recipe catalogue.
    pub recipes: Vec<RecipeInfo>,
    /// The options the plan was made with.
    pub options: PlanOptions,
    /// Command that rebuilds these branches from the repository root.
    pub command: String,
    /// Branches, in a stable order; empty when there is nothing to fix.
    pub branches: Vec<BranchPlan>,
}

impl BranchPlan {
    /// Fixes per recipe over the whole branch, in catalogue order.
    pub fn fixes_by_recipe(&self) -> Vec<(String, usize)> {
        let mut totals: Vec<(String, usize)> = Vec::new();
        for commit in &self.commits {
            for recipe in &commit.recipes {
                if !totals.iter().any(|(r, _)| r == recipe) {
                    totals.push((recipe.clone(), 0));
                }
            }
        }
        for file in &self.files {
            for step in &file.steps {
                if let Some(entry) = totals.iter_mut().find(|(r, _)| *r == step.recipe) {
                    entry.1 += step.fixes;
                }
            }
        }
        totals
    }

    /// Fixes one recipe made in one file (0 when none).
    pub fn fixes_in(&self, path: &str, recipe: &str) -> usize {
        self.files
            .iter()
            .find(|f| f.path == path)
            .map(|f| {
                f.steps
                    .iter()
                    .filter(|s| s.recipe == recipe)
                    .map(|s| s.fixes)
                    .sum()
            })
            .unwrap_or(0)
    }

    /// Total fixes on the branch.
    pub fn total_fixes(&self) -> usize {
        self.fixes_by_recipe().iter().map(|(_, n)| n).sum()
    }
}

/// The command line that rebuilds the plan's branches on `base`.
pub fn reproduce_command(base: Oid, options: &PlanOptions, engine_args: &[String]) -> String {
    let mut cmd = vec!["gomend".to_string(), "branch".to_string()];
    cmd.extend(options.paths.iter().map(|p| shell_quote(p)));
    cmd.extend(engine_args.iter().map(|a| shell_quote(a)));
    cmd.push("--base".into());
    cmd.push(base.to_string());
    if options.prefix != "gomend" {
        cmd.push("--name".into());
        cmd.push(shell_quote(&options.prefix));
    }
    if options.split_by != SplitBy::None {
        cmd.push("--split-by".into());
        cmd.push(options.split_by.name().into());
    }
    if let Some(n) = options.max_files {
        cmd.push("--max-files".into());
        cmd.push(n.to_string());
    }
    if options.commit_per != CommitPer::Recipe {
        cmd.push("--commit-per".into());
        cmd.push(options.commit_per.name().into());
    }
    if options.verify {
        cmd.push("--verify".into());
    }
    cmd.join(" ")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Rewrites the base files and divides the result into branches and
/// commits. With a `gate`, each branch only gets the file changes it admits.
pub fn make_plan(
    base: &BaseTree,
    rewriter: &dyn TreeRewriter,
    options: &PlanOptions,
    gate: Option<&dyn Gate>,
) -> Result<Plan> {
    let recipes = rewriter.recipes();
    let command = reproduce_command(base.commit, options, &rewriter.command_args());
    let mut branches = Vec::new();
    let groups: Vec<(Option<&RecipeInfo>, Vec<&RecipeInfo>)> = match options.split_by {
        SplitBy::Recipe => recipes.iter().map(|r| (Some(r), vec![r])).collect(),
        _ => vec![(None, recipes.iter().collect())],
    };
    for (recipe, applied) in groups {
        let files = rewrite_all(base, rewriter, &applied)?;
        let label = recipe.map(|r| r.id.as_str()).unwrap_or("all");
        for (shard, files) in shard_files(base, options, files) {
            let files = match gate {
                Some(gate) => gate.admit(base, rewriter, files)?,
                None => files,
            };
            if files.is_empty() {
                continue;
            }
            let name = branch_name(&options.prefix, label, shard.as_deref());
            branches.push(build_branch(
                base, &recipes, options, &command, name, recipe, shard, files,
            ));
        }
    }
    dedupe_names(&mut branches);
    Ok(Plan {
        base: base.commit,
        recipes,
        options: options.clone(),
        command,
        branches,
    })
}

/// Applies `recipes` one after the other to every base file, in parallel over files.
fn rewrite_all(
    base: &BaseTree,
    rewriter: &dyn TreeRewriter,
    recipes: &[&RecipeInfo],
) -> Result<Vec<FilePlan>> {
    let mut warned = std::collections::BTreeSet::new();
    for f in &base.files {
        if let Some(w) = base.go_version_for(&f.path).warning {
            if warned.insert(w.clone()) {
                eprintln!("gomend: warning: {w}");
            }
        }
    }
    let planned: Result<Vec<Option<FilePlan>>> = base
        .files
        .par_iter()
        .map(|file| rewrite_file(base, rewriter, recipes, file))
        .collect();
    Ok(planned?.into_iter().flatten().collect())
}

fn rewrite_file(
    base: &BaseTree,
    rewriter: &dyn TreeRewriter,
    recipes: &[&RecipeInfo],
    file: &BaseFile,
) -> Result<Option<FilePlan>> {
    let go_version = base.go_version_for(&file.path).version;
    let package = base.package_of(&file.path);
    let mut current = file.content.clone();
    let mut steps = Vec::new();
    for recipe in recipes {
        let rewritten = rewriter
            .rewrite_in_package(
                &file.path,
                &current,
                go_version,
                Some(&recipe.id),
                &package,
                None,
            )
            .with_context(|| format!("{}: recipe {} failed", file.path, recipe.id))?;
        if let Some(rewritten) = rewritten {
            if rewritten.content != current {
                current = rewritten.content.clone();
                steps.push(Step {
                    recipe: recipe.id.clone(),
                    fixes: rewritten.fixes,
                    sites: rewritten.sites,
                    content: rewritten.content,
                });
            }
        }
    }
    Ok((!steps.is_empty()).then(|| FilePlan {
        path: file.path.clone(),
        mode: file.mode,
        steps,
    }))
}

/// `planned` again from the base content `original`, with only the fixes
/// numbered in `keep`. The fixes of a file are numbered across its steps:
/// the sites of the first step, then those of the second, and so on. Each
/// step's recipe runs on the output of the steps before it; a step left
/// with no fix is skipped. None when no change is left.
pub fn replan_file(
    base: &BaseTree,
    rewriter: &dyn TreeRewriter,
    planned: &FilePlan,
    original: &[u8],
    keep: &BTreeSet<usize>,
) -> Result<Option<FilePlan>> {
    let go_version = base.go_version_for(&planned.path).version;
    let package = base.package_of(&planned.path);
    let mut current = original.to_vec();
    let mut steps = Vec::new();
    let mut first = 0;
    for step in &planned.steps {
        let here: BTreeSet<usize> = keep
            .range(first..first + step.sites.len())
            .map(|n| n - first)
            .collect();
        first += step.sites.len();
        if here.is_empty() {
            continue;
        }
        let rewritten = rewriter
            .rewrite_in_package(
                &planned.path,
                &current,
                go_version,
                Some(&step.recipe),
                &package,
                Some(&here),
            )
            .with_context(|| format!("{}: recipe {} failed", planned.path, step.recipe))?;
        if let Some(rewritten) = rewritten {
            if rewritten.content != current {
                current = rewritten.content.clone();
                steps.push(Step {
                    recipe: step.recipe.clone(),
                    fixes: rewritten.fixes,
                    sites: rewritten.sites,
                    content: rewritten.content,
                });
            }
        }
    }
    Ok((!steps.is_empty()).then(|| FilePlan {
        path: planned.path.clone(),
        mode: planned.mode,
        steps,
    }))
}

/// Groups files by shard key, then cuts groups to `max_files`.
fn shard_files(
    base: &BaseTree,
    options: &PlanOptions,
    files: Vec<FilePlan>,
) -> Vec<(Option<String>, Vec<FilePlan>)> {
    let mut groups: BTreeMap<Option<String>, Vec<FilePlan>> = BTreeMap::new();
    for file in files {
        let key = shard_key(base, options.split_by, &file.path);
        groups.entry(key).or_default().push(file);
    }
    let mut out = Vec::new();
    for (key, mut files) in groups {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        match options.max_files {
            Some(max) if max > 0 && files.len() > max => {
                let parts = files.len().div_ceil(max);
                let mut rest = files;
                for part in 1..=parts {
                    let tail = rest.split_off(max.min(rest.len()));
                    let name = match &key {
                        Some(k) => format!("{k}-{part}"),
                        None => format!("part-{part}"),
                    };
                    out.push((Some(name), rest));
                    rest = tail;
                }
            }
            _ => out.push((key, files)),
        }
    }
    out
}

fn shard_key(base: &BaseTree, split_by: SplitBy, path: &str) -> Option<String> {
    match split_by {
        SplitBy::None | SplitBy::Recipe => None,
        SplitBy::Dir => {
            let module = if base.is_multi_module() {
                base.module_dir(path)
            } else {
                None
            };
            Some(match module {
                Some("") => "root".to_string(),
                Some(dir) => dir.to_string(),
                None => match path.split_once('/') {
                    Some((top, _)) => top.to_string(),
                    None => "root".to_string(),
                },
            })
        }
        SplitBy::Codeowners => {
            let owners = base
                .codeowners
                .as_ref()
                .map(|c| c.owners_of(path))
                .unwrap_or(&[]);
            if owners.is_empty() {
                Some("unowned".to_string())
            } else {
                let mut owners: Vec<&str> =
                    owners.iter().map(|o| o.trim_start_matches('@')).collect();
                owners.sort_unstable();
                owners.dedup();
                Some(owners.join("+"))
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn build_branch(
    base: &BaseTree,
    catalogue: &[RecipeInfo],
    options: &PlanOptions,
    command: &str,
    name: String,
    recipe: Option<&RecipeInfo>,
    shard: Option<String>,
    files: Vec<FilePlan>,
) -> BranchPlan {
    let reviewers: BTreeSet<String> = match &base.codeowners {
        Some(owners) => files
            .iter()
            .flat_map(|f| owners.owners_of(&f.path).iter().cloned())
            .collect(),
        None => BTreeSet::new(),
    };
    let used: Vec<&RecipeInfo> = catalogue
        .iter()
        .filter(|r| {
            files
                .iter()
                .any(|f| f.steps.iter().any(|s| s.recipe == r.id))
        })
        .collect();
    let fixes_of = |id: &str| -> usize {
        files
            .iter()
            .flat_map(|f| f.steps.iter())
            .filter(|s| s.recipe == id)
            .map(|s| s.fixes)
            .sum()
    };
    let mut commits = Vec::new();
    match options.commit_per {
        CommitPer::Recipe => {
            for r in &used {
                let updates: Vec<(String, i32, Vec<u8>)> = files
                    .iter()
                    .filter_map(|f| {
                        f.steps
                            .iter()
                            .find(|s| s.recipe == r.id)
                            .map(|s| (f.path.clone(), f.mode, s.content.clone()))
                    })
                    .collect();
                let message = commit_message(&CommitSummary {
                    recipes: vec![(r, fixes_of(&r.id))],
                    files: updates.len(),
                    command,
                });
                commits.push(CommitPlan {
                    recipes: vec![r.id.clone()],
                    message,
                    updates,
                });
            }
        }
        CommitPer::Shard => {
            let updates: Vec<(String, i32, Vec<u8>)> = files
                .iter()
                .filter_map(|f| {
                    f.steps
                        .last()
                        .map(|s| (f.path.clone(), f.mode, s.content.clone()))
                })
                .collect();
            let message = commit_message(&CommitSummary {
                recipes: used.iter().map(|r| (*r, fixes_of(&r.id))).collect(),
                files: updates.len(),
                command,
            });
            commits.push(CommitPlan {
                recipes: used.iter().map(|r| r.id.clone()).collect(),
                message,
                updates,
            });
        }
    }
    BranchPlan {
        name,
        recipe: recipe.map(|r| r.id.clone()),
        shard,
        files,
        reviewers: reviewers.into_iter().collect(),
        commits,
    }
}

/// Gives distinct names to branches whose sanitised names collide.
fn dedupe_names(branches: &mut [BranchPlan]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for b in branches.iter() {
        *counts.entry(b.name.clone()).or_default() += 1;
    }
    for b in branches.iter_mut() {
        if counts[&b.name] > 1 {
            let raw = b.shard.clone().unwrap_or_default();
            b.name = format!("{}-{}", b.name, short_hash(&raw));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_match_the_json_values() {
        for (names, json) in [
            (
                SplitBy::ALL.map(SplitBy::name).to_vec(),
                SplitBy::ALL
                    .map(|s| serde_json::to_string(&s).unwrap())
                    .to_vec(),
            ),
            (
                CommitPer::ALL.map(CommitPer::name).to_vec(),
                CommitPer::ALL
                    .map(|c| serde_json::to_string(&c).unwrap())
                    .to_vec(),
            ),
        ] {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            assert_eq!(quoted, json);
            let distinct: BTreeSet<_> = names.iter().collect();
            assert_eq!(distinct.len(), names.len());
        }
    }
}
