//! `gomend pr`: branches pushed with a lease and one pull request per branch.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use serde::Serialize;

use super::branch::{prepare, BranchRecord, BuildArgs, Format};
use crate::forge::body::{render_body, render_title};
use crate::forge::github::{ForgeConfig, GitHub, PullRequest};
use crate::forge::publish::{publish, PrAction, PublishOptions};
use crate::forge::redact::{redact, redact_error};
use crate::forge::retry::{Clock, RetryPolicy, SystemClock};
use crate::git::plan::BranchPlan;
use crate::git::push::PushAuth;
use crate::git::refs::{BranchOutcome, BranchStatus, Identity};
use crate::git::rewrite::TreeRewriter;

/// Arguments of `gomend pr`.
#[derive(Clone, Debug, clap::Args)]
pub struct PrArgs {
    /// Files or directories to fix (default: the whole repository).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub build: BuildArgs,
    /// The GitHub repository, as OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: String,
    /// The git remote to push to.
    #[arg(long, value_name = "REMOTE", default_value = "origin")]
    pub remote: String,
    /// The branch the pull requests target.
    #[arg(long, value_name = "BRANCH", default_value = "main")]
    pub base_branch: String,
    /// Open new pull requests as drafts.
    #[arg(long)]
    pub draft: bool,
    /// Label to add to every pull request (repeatable).
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
    /// Request reviews from the CODEOWNERS of the changed files on new pull requests.
    #[arg(long)]
    pub reviewers_from_codeowners: bool,
    /// Most gomend pull requests open at once; no new ones beyond it.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub max_open: usize,
    /// Reopen a closed pull request for the same branch instead of skipping it.
    #[arg(long)]
    pub reopen: bool,
    /// Print the branches, titles and bodies; write and push nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// One branch and its pull request, as reported to the user.
#[derive(Clone, Debug, Serialize)]
pub struct PrRecord {
    /// The branch.
    #[serde(flatten)]
    pub branch: BranchRecord,
    /// What happened to the pull request: created, updated, unchanged,
    /// reopened, skipped or planned.
    pub pr_action: String,
    /// Pull request number, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// Pull request address, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Why nothing was done, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Generated title.
    pub title: String,
    /// Generated body (included in JSON and in `--dry-run` text).
    pub body: String,
}

/// Runs `gomend pr` with `GITHUB_TOKEN` / `GITHUB_API_URL`, the real clock and
/// the default retry policy, printing to stdout.
pub fn run(args: &PrArgs, rewriter: &dyn TreeRewriter) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    run_with(
        args,
        rewriter,
        &ForgeConfig::from_env(),
        Arc::new(SystemClock),
        RetryPolicy::default(),
        &mut stdout.lock(),
    )
}

/// Runs `gomend pr` with explicit configuration. The token never appears in
/// `out` or in the returned error.
pub fn run_with(
    args: &PrArgs,
    rewriter: &dyn TreeRewriter,
    config: &ForgeConfig,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let token = config.token.clone();
    let mut text = Vec::new();
    let result = run_inner(args, rewriter, config, clock, policy, &mut text);
    let shown = redact(&String::from_utf8_lossy(&text), token.as_ref());
    out.write_all(shown.as_bytes())?;
    result.map_err(|e| redact_error(e, token.as_ref()))
}

fn run_inner(
    args: &PrArgs,
    rewriter: &dyn TreeRewriter,
    config: &ForgeConfig,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    out: &mut dyn Write,
) -> Result<ExitCode> {
    let (repo, plan) = prepare(&args.paths, &args.build, rewriter)?;
    let mut records = Vec::new();
    if args.dry_run {
        for branch in &plan.branches {
            let outcome = BranchOutcome {
                status: BranchStatus::Planned,
                commits: Vec::new(),
            };
            records.push(record(
                &plan,
                branch,
                &outcome,
                PrAction::Planned,
                None,
                None,
            ));
        }
        return report(args, &records, out);
    }
    if config.token.is_none() {
        return Err(anyhow!(
            "GITHUB_TOKEN is not set; it is needed to open pull requests (or pass --dry-run)"
        ));
    }
    let identity = Identity::resolve(&repo, args.build.author.as_deref())?;
    let mut github = GitHub::new(config, &args.repo, clock, policy)?;
    let auth = PushAuth {
        token: config.token.as_ref().map(|t| t.expose()),
    };
    let options = PublishOptions {
        remote: args.remote.clone(),
        base_branch: args.base_branch.clone(),
        draft: args.draft,
        labels: args.labels.clone(),
        reviewers_from_codeowners: args.reviewers_from_codeowners,
        max_open: args.max_open,
        reopen: args.reopen,
        force: args.build.force,
    };
    for p in publish(&repo, &plan, &identity, &mut github, auth, &options)? {
        records.push(record(
            &plan,
            p.branch,
            &p.outcome,
            p.action,
            p.pull.as_ref(),
            p.note,
        ));
    }
    report(args, &records, out)
}

fn record(
    plan: &crate::git::plan::Plan,
    branch: &BranchPlan,
    outcome: &BranchOutcome,
    action: PrAction,
    pull: Option<&PullRequest>,
    note: Option<String>,
) -> PrRecord {
    PrRecord {
        branch: BranchRecord::new(plan, branch, outcome),
        pr_action: action.as_str().to_string(),
        number: pull.map(|p| p.number),
        url: pull.map(|p| p.html_url.clone()).filter(|u| !u.is_empty()),
        note,
        title: render_title(plan, branch),
        body: render_body(plan, branch),
    }
}

fn report(args: &PrArgs, records: &[PrRecord], out: &mut dyn Write) -> Result<ExitCode> {
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(records)?)?,
        Format::Text => {
            if records.is_empty() {
                writeln!(out, "nothing to fix")?;
            }
            for r in records {
                writeln!(out, "{}", r.branch.line())?;
                let number = r.number.map(|n| format!(" #{n}")).unwrap_or_default();
                writeln!(out, "          pull request{number}: {}", r.pr_action)?;
                if let Some(note) = &r.note {
                    writeln!(out, "          {note}")?;
                }
                if args.dry_run {
                    writeln!(out, "          title: {}\n", r.title)?;
                    writeln!(out, "{}", r.body)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
