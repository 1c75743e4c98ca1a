//! Publishing planned branches: for each branch, write it, decide what its
//! pull request needs (opened, updated, reopened or left alone), push it
//! and make that change on the forge.
//!
//! The decision for one branch is [`next_step`], a pure function of the pull
//! requests already there; [`publish`] carries it out for every branch of a
//! plan. Parsing options and printing results belong to the caller.

use anyhow::{Context, Result};
use git2::Repository;

use super::body::{parse_metadata, render_body, render_title};
use super::github::{GitHub, NewPull, PullRequest};
use crate::git::plan::{BranchPlan, Plan};
use crate::git::push::{push_with_lease, PushAuth, PushOutcome};
use crate::git::refs::{write_branch, BranchOutcome, BranchStatus, Identity};

/// How the pull requests are published.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The git remote to push to.
    pub remote: String,
    /// The branch the pull requests target.
    pub base_branch: String,
    /// Open new pull requests as drafts.
    pub draft: bool,
    /// Labels every pull request carries.
    pub labels: Vec<String>,
    /// Request reviews from the branch's CODEOWNERS on pull requests that
    /// are opened or reopened.
    pub reviewers_from_codeowners: bool,
    /// Most gomend pull requests open at once.
    pub max_open: usize,
    /// Reopen a closed pull request for the branch instead of skipping it.
    pub reopen: bool,
    /// Replace branches that carry commits gomend did not make.
    pub force: bool,
}

/// What happened to a branch's pull request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrAction {
    /// A new pull request was opened.
    Created,
    /// The open pull request got a new title or body.
    Updated,
    /// The open pull request already said what it should.
    Unchanged,
    /// A closed pull request for the branch was opened again.
    Reopened,
    /// Nothing was done (see the note).
    Skipped,
    /// Nothing was done because nothing is written (`--dry-run`).
    Planned,
}

impl PrAction {
    /// The word reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            PrAction::Created => "created",
            PrAction::Updated => "updated",
            PrAction::Unchanged => "unchanged",
            PrAction::Reopened => "reopened",
            PrAction::Skipped => "skipped",
            PrAction::Planned => "planned",
        }
    }
}

/// One branch of the plan, once published.
#[derive(Clone, Debug)]
pub struct Published<'p> {
    /// The branch.
    pub branch: &'p BranchPlan,
    /// What writing the branch did.
    pub outcome: BranchOutcome,
    /// What happened to its pull request.
    pub action: PrAction,
    /// The pull request, when there is one.
    pub pull: Option<PullRequest>,
    /// Why nothing was done, or what went wrong on the side.
    pub note: Option<String>,
}

/// What a branch's pull request needs, given those already there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextStep<'a> {
    /// Push the branch and make this change to its pull request.
    Make(Change<'a>),
    /// Leave things as they are, for the reason given.
    Skip {
        pull: Option<&'a PullRequest>,
        note: String,
    },
}

/// A change to a branch's pull request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change<'a> {
    /// Open a new pull request.
    Create,
    /// Bring the open pull request up to date.
    Update(&'a PullRequest),
    /// Open the closed pull request again and bring it up to date.
    Reopen(&'a PullRequest),
}

impl<'a> Change<'a> {
    /// The pull request changed, unless one is created.
    pub fn existing(self) -> Option<&'a PullRequest> {
        match self {
            Change::Create => None,
            Change::Update(pr) | Change::Reopen(pr) => Some(pr),
        }
    }
}

/// Decides what to do with a branch whose pull requests (for its head,
/// open or closed) are `pulls`, when `open_count` gomend pull requests are
/// open. An open pull request is updated; a closed one is reopened with
/// `reopen` and skipped without; a pull request is opened or reopened only
/// below the `max_open` limit.
pub fn next_step<'a>(
    pulls: &'a [PullRequest],
    reopen: bool,
    open_count: usize,
    max_open: usize,
) -> NextStep<'a> {
    let open = pulls.iter().find(|p| p.state == "open");
    let closed = pulls.iter().find(|p| p.state == "closed");
    if let Some(open) = open {
        return NextStep::Make(Change::Update(open));
    }
    let opening = match closed {
        Some(closed) if !reopen => {
            return NextStep::Skip {
                pull: Some(closed),
                note: format!(
                    "pull request #{} for this branch is closed; not reopened (pass --reopen)",
                    closed.number
                ),
            };
        }
        Some(closed) => Change::Reopen(closed),
        None => Change::Create,
    };
    if open_count >= max_open {
        return NextStep::Skip {
            pull: closed,
            note: format!(
                "{open_count} gomend pull request(s) already open, the --max-open limit; not opened"
            ),
        };
    }
    NextStep::Make(opening)
}

/// Writes every branch of `plan`, pushes it and opens, updates or reopens
/// its pull request, in plan order. A branch that cannot be written safely,
/// pushed with its lease, or whose pull request is to be left alone is
/// skipped with a note; errors of the repository or the forge stop the run.
pub fn publish<'p>(
    repo: &Repository,
    plan: &'p Plan,
    identity: &Identity,
    github: &mut GitHub,
    auth: PushAuth<'_>,
    options: &PublishOptions,
) -> Result<Vec<Published<'p>>> {
    let mut open_count = github
        .open_pulls()?
        .iter()
        .filter(|p| p.body.as_deref().and_then(parse_metadata).is_some())
        .count();
    let mut done = Vec::new();
    for branch in &plan.branches {
        let outcome = write_branch(repo, plan, branch, identity, options.force)
            .with_context(|| format!("cannot write branch {}", branch.name))?;
        let published = |outcome, action, pull: Option<&PullRequest>, note| Published {
            branch,
            outcome,
            action,
            pull: pull.cloned(),
            note,
        };
        if let BranchStatus::Skipped(why) = &outcome.status {
            let why = why.clone();
            done.push(published(outcome, PrAction::Skipped, None, Some(why)));
            continue;
        }
        let pulls = github.pulls_for_head(&branch.name)?;
        let step = next_step(&pulls, options.reopen, open_count, options.max_open);
        let change = match step {
            NextStep::Make(change) => change,
            NextStep::Skip { pull, note } => {
                done.push(published(outcome, PrAction::Skipped, pull, Some(note)));
                continue;
            }
        };
        let existing = change.existing();
        let tip = *outcome
            .commits
            .last()
            .context("a written branch has at least one commit")?;
        match push_with_lease(repo, &options.remote, &branch.name, tip, auth)? {
            PushOutcome::Pushed | PushOutcome::UpToDate => {}
            PushOutcome::Refused(why) => {
                done.push(published(outcome, PrAction::Skipped, existing, Some(why)));
                continue;
            }
        }
        let title = render_title(plan, branch);
        let body = render_body(plan, branch);
        let (action, pull, note) = match change {
            Change::Update(pr) => {
                let (action, pull) =
                    if pr.title == title && pr.body.as_deref() == Some(body.as_str()) {
                        (PrAction::Unchanged, pr.clone())
                    } else {
                        (
                            PrAction::Updated,
                            github.update_pull(pr.number, &title, &body, None)?,
                        )
                    };
                let have: Vec<&str> = pr.labels.iter().map(|l| l.name.as_str()).collect();
                let missing: Vec<String> = options
                    .labels
                    .iter()
                    .filter(|l| !have.contains(&l.as_str()))
                    .cloned()
                    .collect();
                github.add_labels(pr.number, &missing)?;
                (action, pull, None)
            }
            Change::Reopen(pr) => {
                let pull = github.update_pull(pr.number, &title, &body, Some("open"))?;
                open_count += 1;
                let note = after_open(github, options, branch, pull.number)?;
                (PrAction::Reopened, pull, note)
            }
            Change::Create => {
                let pull = github.create_pull(&NewPull {
                    title: &title,
                    head: &branch.name,
                    base: &options.base_branch,
                    body: &body,
                    draft: options.draft,
                })?;
                open_count += 1;
                let note = after_open(github, options, branch, pull.number)?;
                (PrAction::Created, pull, note)
            }
        };
        done.push(published(outcome, action, Some(&pull), note));
    }
    Ok(done)
}

/// Labels and reviewers for a pull request that was just opened or reopened.
/// A refused review request (say, for the pull request's own author) does not
/// fail the run: it comes back as a note.
fn after_open(
    github: &mut GitHub,
    options: &PublishOptions,
    branch: &BranchPlan,
    number: u64,
) -> Result<Option<String>> {
    github.add_labels(number, &options.labels)?;
    if options.reviewers_from_codeowners {
        let (users, teams) = reviewers(github.owner(), &branch.reviewers);
        if let Err(err) = github.request_reviewers(number, &users, &teams) {
            return Ok(Some(format!("reviewers not requested: {err:#}")));
        }
    }
    Ok(None)
}

/// Splits CODEOWNERS owners into user logins and team slugs of `org`.
/// E-mail owners and teams of other organisations are dropped.
pub fn reviewers(org: &str, owners: &[String]) -> (Vec<String>, Vec<String>) {
    let mut users = Vec::new();
    let mut teams = Vec::new();
    for owner in owners {
        let Some(handle) = owner.strip_prefix('@') else {
            continue;
        };
        match handle.split_once('/') {
            Some((team_org, slug)) if team_org.eq_ignore_ascii_case(org) => {
                teams.push(slug.to_string())
            }
            Some(_) => {}
            None => users.push(handle.to_string()),
        }
    }
    (users, teams)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::github::HeadRef;

    fn pull(number: u64, state: &str) -> PullRequest {
        PullRequest {
            number,
            state: state.to_string(),
            title: String::new(),
            body: None,
            html_url: String::new(),
            head: HeadRef {
                branch: "gomend/all".to_string(),
            },
            merged_at: None,
            labels: Vec::new(),
        }
    }

    #[test]
    fn an_open_pull_request_is_updated_even_at_the_limit() {
        let pulls = [pull(3, "closed"), pull(7, "open")];
        assert_eq!(
            next_step(&pulls, false, 10, 10),
            NextStep::Make(Change::Update(&pulls[1]))
        );
    }

    #[test]
    fn a_closed_pull_request_is_reopened_only_when_asked() {
        let pulls = [pull(3, "closed")];
        assert_eq!(
            next_step(&pulls, true, 0, 10),
            NextStep::Make(Change::Reopen(&pulls[0]))
        );
        match next_step(&pulls, false, 0, 10) {
            NextStep::Skip { pull, note } => {
                assert_eq!(pull, Some(&pulls[0]));
                assert!(note.contains("#3") && note.contains("--reopen"), "{note}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nothing_is_opened_or_reopened_at_the_limit() {
        assert_eq!(next_step(&[], false, 1, 2), NextStep::Make(Change::Create));
        match next_step(&[], false, 2, 2) {
            NextStep::Skip { pull: None, note } => assert!(note.starts_with("2 gomend")),
            other => panic!("{other:?}"),
        }
        let pulls = [pull(3, "closed")];
        match next_step(&pulls, true, 2, 2) {
            NextStep::Skip { pull, note } => {
                assert_eq!(pull, Some(&pulls[0]));
                assert!(note.contains("--max-open"), "{note}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reviewers_keep_users_and_teams_of_the_organisation() {
        let owners = [
            "@alice".to_string(),
            "@Acme/runtime".to_string(),
            "@other/team".to_string(),
            "bob@example.com".to_string(),
        ];
        assert_eq!(
            reviewers("acme", &owners),
            (vec!["alice".to_string()], vec!["runtime".to_string()])
        );
    }
}
