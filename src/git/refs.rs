//! Writing a planned branch into the object database, idempotently.
//!
//! Commits are created with no ref update, then the branch ref is moved with
//! a compare-and-swap on its previous value. `HEAD`, the index and the working
//! tree of every worktree are never touched, and a branch that is checked out
//! somewhere is never moved.

use anyhow::{anyhow, bail, Context, Result};
use git2::{build::TreeUpdateBuilder, Commit, FileMode, Oid, Repository, Signature};
use serde::Serialize;

use super::message::is_gomend_commit;
use super::plan::{BranchPlan, Plan};

/// What happened to one branch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum BranchStatus {
    /// The branch did not exist and was created.
    Created,
    /// The branch already held exactly this change on this base: nothing written.
    Unchanged,
    /// The branch was gomend's and on an older base: rebuilt on the new one.
    Rebased,
    /// The branch was gomend's on this base but with a different change: rebuilt.
    Updated,
    /// The branch held commits gomend did not make and `--force` replaced it.
    Forced,
    /// The branch was left alone; the text says why.
    Skipped(String),
    /// Nothing was written because of `--dry-run`.
    Planned,
}

impl BranchStatus {
    /// Short word for listings.
    pub fn word(&self) -> &'static str {
        match self {
            BranchStatus::Created => "created",
            BranchStatus::Unchanged => "unchanged",
            BranchStatus::Rebased => "rebased",
            BranchStatus::Updated => "updated",
            BranchStatus::Forced => "forced",
            BranchStatus::Skipped(_) => "skipped",
            BranchStatus::Planned => "planned",
        }
    }
}

/// The result of [`write_branch`].
#[derive(Clone, Debug)]
pub struct BranchOutcome {
    /// What happened.
    pub status: BranchStatus,
    /// Commits now on the branch above the base, bottom first (empty when skipped).
    pub commits: Vec<Oid>,
}

/// What an existing branch holds.
enum Existing<'r> {
    Absent,
    /// Only gomend commits (bottom first) on top of `base`.
    Gomend {
        tip: Oid,
        base: Oid,
        commits: Vec<Commit<'r>>,
    },
    /// Something else; the text says what.
    Foreign {
        tip: Oid,
        why: String,
    },
}

/// The author and committer gomend writes commits as.
pub struct Identity {
    /// Commit author.
    pub author: Signature<'static>,
    /// Commit committer.
    pub committer: Signature<'static>,
}

impl Identity {
    /// The identity from `--author "Name <email>"` when given, else from git
    /// config (`user.name`, `user.email`). Errors clearly when neither is set.
    pub fn resolve(repo: &Repository, author: Option<&str>) -> Result<Identity> {
        let configured = repo.signature().ok().map(|s| s.to_owned());
        let author = match author {
            Some(text) => parse_author(text)?,
            None => configured.clone().ok_or_else(|| {
                anyhow!(
                    "no author identity: set user.name and user.email in git config, \
                     or pass --author \"Name <email>\""
                )
            })?,
        };
        let committer = configured.unwrap_or_else(|| author.clone());
        Ok(Identity { author, committer })
    }
}

/// Parses `Name <email>`.
pub fn parse_author(text: &str) -> Result<Signature<'static>> {
    let (name, rest) = text
        .split_once('<')
        .ok_or_else(|| anyhow!("--author must look like \"Name <email>\", got {text:?}"))?;
    let email = rest
        .strip_suffix('>')
        .ok_or_else(|| anyhow!("--author must look like \"Name <email>\", got {text:?}"))?;
    let name = name.trim();
    if name.is_empty() || email.trim().is_empty() {
        bail!("--author must look like \"Name <email>\", got {text:?}");
    }
    Ok(Signature::now(name, email.trim())?)
}

fn inspect<'r>(repo: &'r Repository, refname: &str, new_base: Oid) -> Result<Existing<'r>> {
    let reference = match repo.find_reference(refname) {
        Ok(r) => r,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Existing::Absent),
        Err(e) => return Err(e.into()),
    };
    let tip = reference
        .peel_to_commit()
        .with_context(|| format!("{refname} does not point to a commit"))?;
    let tip_id = tip.id();
    let mut commits = Vec::new();
    let mut cursor = tip;
    loop {
        let is_ours =
            cursor.parent_count() == 1 && cursor.message().map(is_gomend_commit).unwrap_or(false);
        if !is_ours {
            break;
        }
        let parent = cursor.parent(0)?;
        commits.push(cursor);
        cursor = parent;
    }
    if commits.is_empty() {
        return Ok(Existing::Foreign {
            tip: tip_id,
            why: format!("its tip {} was not made by gomend", short(tip_id)),
        });
    }
    let old_base = cursor.id();
    if old_base != new_base && !repo.graph_descendant_of(new_base, old_base)? {
        return Ok(Existing::Foreign {
            tip: tip_id,
            why: format!(
                "gomend's commits on it sit on {}, which is not in the history of the base {}: \
                 either it carries commits gomend did not make, or the base went back",
                short(old_base),
                short(new_base)
            ),
        });
    }
    commits.reverse();
    Ok(Existing::Gomend {
        tip: tip_id,
        base: old_base,
        commits,
    })
}

fn short(oid: Oid) -> String {
    oid.to_string()[..10].to_string()
}

/// Builds the trees of the planned commits on the base, bottom first.
/// Writes blobs and trees only; unreferenced objects are harmless.
fn build_trees(repo: &Repository, plan: &Plan, branch: &BranchPlan) -> Result<Vec<Oid>> {
    let mut tree = repo.find_commit(plan.base)?.tree()?;
    let mut out = Vec::new();
    for commit in &branch.commits {
        let mut builder = TreeUpdateBuilder::new();
        for (path, mode, content) in &commit.updates {
            let blob = repo.blob(content)?;
            let mode = if *mode == i32::from(FileMode::BlobExecutable) {
                FileMode::BlobExecutable
            } else {
                FileMode::Blob
            };
            builder.upsert(path, blob, mode);
        }
        let id = builder.create_updated(repo, &tree)?;
        tree = repo.find_tree(id)?;
        out.push(id);
    }
    Ok(out)
}

/// Whether the branch is the `HEAD` of the repository or of one of its worktrees.
pub fn checked_out_in(repo: &Repository, refname: &str) -> Result<Option<String>> {
    let points_here = |r: &Repository| -> bool {
        r.find_reference("HEAD")
            .ok()
            .and_then(|h| h.symbolic_target().map(|t| t == refname))
            .unwrap_or(false)
    };
    // The main repository (from a linked worktree, `commondir` is the main one).
    if let Ok(main) = Repository::open(repo.commondir()) {
        if points_here(&main) {
            return Ok(Some(
                main.workdir().unwrap_or(main.path()).display().to_string(),
            ));
        }
    }
    if points_here(repo) {
        return Ok(Some(repo.path().display().to_string()));
    }
    for name in repo.worktrees()?.iter().flatten() {
        if let Ok(wt) = repo.find_worktree(name) {
            if let Ok(wt_repo) = Repository::open_from_worktree(&wt) {
                if points_here(&wt_repo) {
                    return Ok(Some(wt.path().display().to_string()));
                }
            }
        }
    }
    Ok(None)
}

/// Writes one planned branch.
///
/// Guarantees: if the branch already holds exactly the planned commits
/// (same trees and messages) on the same base, nothing is written. If it holds
/// only gomend commits on an older base, it is rebuilt on the new base. If it
/// holds anything else, it is left alone unless `force`. A checked-out branch
/// is never moved. The ref update fails rather than overwrite a concurrent change.
pub fn write_branch(
    repo: &Repository,
    plan: &Plan,
    branch: &BranchPlan,
    identity: &Identity,
    force: bool,
) -> Result<BranchOutcome> {
    let refname = format!("refs/heads/{}", branch.name);
    let existing = inspect(repo, &refname, plan.base)?;
    let trees = build_trees(repo, plan, branch)?;
    let (old_tip, status) = match &existing {
        Existing::Absent => (None, BranchStatus::Created),
        Existing::Gomend { tip, base, commits } => {
            if *base == plan.base {
                let same = commits.len() == branch.commits.len()
                    && commits.iter().zip(trees.iter().zip(&branch.commits)).all(
                        |(have, (tree, want))| {
                            have.tree_id() == *tree
                                && have.message_raw() == Some(want.message.as_str())
                        },
                    );
                if same {
                    return Ok(BranchOutcome {
                        status: BranchStatus::Unchanged,
                        commits: commits.iter().map(Commit::id).collect(),
                    });
                }
                (Some(*tip), BranchStatus::Updated)
            } else {
                (Some(*tip), BranchStatus::Rebased)
            }
        }
        Existing::Foreign { tip, why } => {
            if !force {
                return Ok(BranchOutcome {
                    status: BranchStatus::Skipped(format!(
                        "left {} alone: {why}; pass --force to replace it",
                        branch.name
                    )),
                    commits: Vec::new(),
                });
            }
            (Some(*tip), BranchStatus::Forced)
        }
    };
    if let Some(place) = checked_out_in(repo, &refname)? {
        return Ok(BranchOutcome {
            status: BranchStatus::Skipped(format!(
                "left {} alone: it is checked out in {place}",
                branch.name
            )),
            commits: Vec::new(),
        });
    }
    let mut parent = repo.find_commit(plan.base)?;
    let mut ids = Vec::new();
    for (commit, tree) in branch.commits.iter().zip(&trees) {
        let tree = repo.find_tree(*tree)?;
        let id = repo.commit(
            None,
            &identity.author,
            &identity.committer,
            &commit.message,
            &tree,
            &[&parent],
        )?;
        ids.push(id);
        parent = repo.find_commit(id)?;
    }
    let tip = *ids
        .last()
        .context("a planned branch has at least one commit")?;
    let log = format!("gomend: {} {}", status.word(), branch.name);
    match old_tip {
        None => {
            repo.reference(&refname, tip, false, &log)
                .with_context(|| format!("cannot create {refname}"))?;
        }
        Some(old) => {
            repo.reference_matching(&refname, tip, true, old, &log)
                .with_context(|| format!("cannot update {refname}: it changed while gomend ran"))?;
        }
    }
    Ok(BranchOutcome {
        status,
        commits: ids,
    })
}
