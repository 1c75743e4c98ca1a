//! `gomend branch`: fixes as commits on branches, written straight into the
//! object database.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use git2::Repository;
use serde::Serialize;

use crate::git::base::{path_filters, read_base};
use crate::git::plan::{make_plan, BranchPlan, CommitPer, Plan, PlanOptions, SplitBy};
use crate::git::refs::{write_branch, BranchOutcome, BranchStatus, Identity};
use crate::git::rewrite::TreeRewriter;

/// Output format of the per-branch records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per branch for people.
    Text,
    /// One JSON array of records.
    Json,
}

// The git layer names its choices; the command line offers them as values.
impl clap::ValueEnum for SplitBy {
    fn value_variants<'a>() -> &'a [Self] {
        &SplitBy::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.help()))
    }
}

impl clap::ValueEnum for CommitPer {
    fn value_variants<'a>() -> &'a [Self] {
        &CommitPer::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.help()))
    }
}

/// Options shared by `gomend branch` and `gomend pr` that decide what is built.
#[derive(Clone, Debug, clap::Args)]
pub struct BuildArgs {
    /// Branch name prefix.
    #[arg(long = "name", value_name = "NAME", default_value = "gomend")]
    pub name: String,
    /// Commit to read the files from and to build the branches on.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub base: String,
    /// How to divide the fixes into branches.
    #[arg(long, value_enum, value_name = "HOW", default_value = "none")]
    pub split_by: SplitBy,
    /// Largest number of files on one branch; bigger groups are split further.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_files: Option<u32>,
    /// One commit per recipe, or a single commit per branch.
    #[arg(long, value_enum, value_name = "HOW", default_value = "recipe")]
    pub commit_per: CommitPer,
    /// Replace branches that carry commits gomend did not make.
    #[arg(long)]
    pub force: bool,
    /// Author of the commits, as "Name <email>" (default: git config).
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,
    /// Run as if started in DIR.
    #[arg(short = 'C', value_name = "DIR")]
    pub directory: Option<PathBuf>,
    #[arg(long, help = super::verify::HELP)]
    pub verify: bool,
}

/// Arguments of `gomend branch`.
#[derive(Clone, Debug, clap::Args)]
pub struct BranchArgs {
    /// Files or directories to fix (default: the whole repository).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub build: BuildArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// One branch as reported to the user.
#[derive(Clone, Debug, Serialize)]
pub struct BranchRecord {
    /// Branch name.
    pub name: String,
    /// Base commit.
    pub base: String,
    /// What happened: created, unchanged, rebased, updated, forced, skipped, planned.
    pub status: String,
    /// Why, when the branch was left alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Commits above the base, bottom first.
    pub commits: Vec<String>,
    /// Changed files.
    pub files: Vec<String>,
    /// Fixes per recipe.
    pub fixes: BTreeMap<String, usize>,
    /// Owners from CODEOWNERS.
    pub reviewers: Vec<String>,
}

impl BranchRecord {
    /// The record for a planned branch and what happened to it.
    pub fn new(plan: &Plan, branch: &BranchPlan, outcome: &BranchOutcome) -> BranchRecord {
        let reason = match &outcome.status {
            BranchStatus::Skipped(why) => Some(why.clone()),
            _ => None,
        };
        BranchRecord {
            name: branch.name.clone(),
            base: plan.base.to_string(),
            status: outcome.status.word().to_string(),
            reason,
            commits: outcome.commits.iter().map(|c| c.to_string()).collect(),
            files: branch.files.iter().map(|f| f.path.clone()).collect(),
            fixes: branch.fixes_by_recipe().into_iter().collect(),
            reviewers: branch.reviewers.clone(),
        }
    }

    /// One human-readable line (two when there is a reason).
    pub fn line(&self) -> String {
        let fixes: Vec<String> = self.fixes.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let mut line = format!(
            "{:<9} {} on {}: {} commit(s), {} file(s), fixes: {}",
            self.status,
            self.name,
            &self.base[..10],
            self.commits.len(),
            self.files.len(),
            fixes.join(", ")
        );
        if !self.reviewers.is_empty() {
            line.push_str(&format!("; reviewers: {}", self.reviewers.join(" ")));
        }
        if let Some(reason) = &self.reason {
            line.push_str(&format!("\n          {reason}"));
        }
        line
    }
}

/// The repository and plan for `paths` and `build`, starting from `cwd`.
pub fn prepare(
    paths: &[PathBuf],
    build: &BuildArgs,
    rewriter: &dyn TreeRewriter,
) -> Result<(Repository, Plan)> {
    // Without a toolchain, --verify stops here, before anything is read or written.
    let verifier = if build.verify {
        Some(super::verify::verifier()?)
    } else {
        None
    };
    let cwd = match &build.directory {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let repo = Repository::discover(&cwd)
        .with_context(|| format!("{} is not inside a git repository", cwd.display()))?;
    let filters = path_filters(&repo, &cwd, paths)?;
    let base = read_base(&repo, &build.base, &filters, rewriter)?;
    let options = PlanOptions {
        prefix: build.name.clone(),
        split_by: build.split_by,
        max_files: build.max_files.map(|n| n as usize),
        commit_per: build.commit_per,
        paths: filters,
        verify: build.verify,
    };
    let plan = match verifier {
        None => make_plan(&base, rewriter, &options, None)?,
        Some(verifier) => {
            let tree = crate::git::base::checkout(&repo, base.commit)?;
            let gate = super::verify::BranchGate::new(verifier, tree.path());
            make_plan(&base, rewriter, &options, Some(&gate))?
        }
    };
    Ok((repo, plan))
}

/// Runs `gomend branch`, printing to stdout.
pub fn run(args: &BranchArgs, rewriter: &dyn TreeRewriter) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    run_to(args, rewriter, &mut stdout.lock())
}

/// Runs `gomend branch`, printing to `out`. Exit code 0 unless an error is returned.
pub fn run_to(
    args: &BranchArgs,
    rewriter: &dyn TreeRewriter,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let (repo, plan) = prepare(&args.paths, &args.build, rewriter)?;
    let identity = Identity::resolve(&repo, args.build.author.as_deref())?;
    let mut records = Vec::new();
    for branch in &plan.branches {
        let outcome = write_branch(&repo, &plan, branch, &identity, args.build.force)
            .with_context(|| format!("cannot write branch {}", branch.name))?;
        records.push(BranchRecord::new(&plan, branch, &outcome));
    }
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&records)?)?,
        Format::Text => {
            if records.is_empty() {
                writeln!(out, "nothing to fix on {}", &plan.base.to_string()[..10])?;
            }
            for record in &records {
                writeln!(out, "{}", record.line())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_way_to_split_parses_from_its_name() {
        for s in SplitBy::ALL {
            assert_eq!(SplitBy::from_str(s.name(), false), Ok(s));
        }
        for c in CommitPer::ALL {
            assert_eq!(CommitPer::from_str(c.name(), false), Ok(c));
        }
        assert!(SplitBy::from_str("Dir", false).is_err());
    }
}
