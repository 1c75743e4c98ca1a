//! Pushing branches with `--force-with-lease` semantics.
//!
//! gomend remembers the tip it last pushed for each branch in
//! `refs/gomend/pushed/<remote>/<branch>`. A remote branch is overwritten only
//! when its tip is that remembered commit. When nothing is remembered (a fresh
//! clone, as in CI), the remote tip is fetched and accepted only when gomend
//! made it and no one stacked commits on top; anything else is refused. The
//! check is repeated on the pushing connection itself (libgit2's push
//! negotiation), and the server applies the update only if the branch is
//! still at the tip seen there.

use std::cell::{Cell, RefCell};

use anyhow::{anyhow, Context, Result};
use git2::{Cred, Direction, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository};

use super::message::is_gomend_commit;

/// What [`push_with_lease`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote branch now points at the local tip.
    Pushed,
    /// The remote branch already pointed at the local tip.
    UpToDate,
    /// The remote branch was left alone; the text says why.
    Refused(String),
}

/// Credentials for the remote: a token used as an HTTPS password.
#[derive(Clone, Copy)]
pub struct PushAuth<'a> {
    /// The token, if any. It is handed to libgit2 only, never printed.
    pub token: Option<&'a str>,
}

/// The ref remembering the last tip gomend pushed for `branch` to `remote`.
pub fn lease_ref(remote: &str, branch: &str) -> String {
    format!("refs/gomend/pushed/{remote}/{branch}")
}

fn callbacks<'a>(auth: PushAuth<'a>, attempts: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, username, allowed| {
        let n = attempts.get() + 1;
        attempts.set(n);
        if n > 2 {
            return Err(git2::Error::from_str("the remote rejected the credentials"));
        }
        match auth.token {
            Some(token) if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) => {
                Cred::userpass_plaintext(username.unwrap_or("x-access-token"), token)
            }
            _ => Cred::default(),
        }
    });
    cb
}

/// The tip of `refs/heads/<branch>` on the remote, if the branch exists there.
pub fn remote_tip(
    repo: &Repository,
    remote_name: &str,
    branch: &str,
    auth: PushAuth<'_>,
) -> Result<Option<Oid>> {
    let mut remote = repo
        .find_remote(remote_name)
        .with_context(|| format!("no remote named {remote_name}"))?;
    let attempts = Cell::new(0);
    let connection = remote
        .connect_auth(Direction::Fetch, Some(callbacks(auth, &attempts)), None)
        .with_context(|| format!("cannot connect to remote {remote_name}"))?;
    let want = format!("refs/heads/{branch}");
    let tip = connection
        .list()?
        .iter()
        .find(|head| head.name() == want)
        .map(|head| head.oid());
    Ok(tip)
}

/// Pushes `local_tip` to `refs/heads/<branch>` on the remote, never
/// overwriting a tip that gomend did not push (see the module docs).
pub fn push_with_lease(
    repo: &Repository,
    remote_name: &str,
    branch: &str,
    local_tip: Oid,
    auth: PushAuth<'_>,
) -> Result<PushOutcome> {
    let lease_name = lease_ref(remote_name, branch);
    let remembered = repo
        .find_reference(&lease_name)
        .ok()
        .and_then(|r| r.target());
    let current = remote_tip(repo, remote_name, branch, auth)?;
    if current == Some(local_tip) {
        repo.reference(
            &lease_name,
            local_tip,
            true,
            "gomend: remote already up to date",
        )?;
        return Ok(PushOutcome::UpToDate);
    }
    if let Some(current) = current {
        match remembered {
            Some(expected) if expected == current => {}
            Some(expected) => {
                return Ok(PushOutcome::Refused(format!(
                    "remote branch {branch} is at {}, not at {} which gomend pushed last; \
                     someone else changed it",
                    &current.to_string()[..10],
                    &expected.to_string()[..10]
                )))
            }
            None => {
                if let Some(why) = foreign_remote_tip(repo, remote_name, branch, current, auth)? {
                    return Ok(PushOutcome::Refused(why));
                }
            }
        }
    }
    match push_if_remote_at(repo, remote_name, branch, local_tip, current, auth)? {
        PushOutcome::Pushed => {}
        other => return Ok(other),
    }
    repo.reference(&lease_name, local_tip, true, "gomend: pushed")?;
    Ok(PushOutcome::Pushed)
}

/// Force-pushes `local_tip` to `refs/heads/<branch>` only if the remote
/// branch is at `expected` (`None`: absent) on the pushing connection.
fn push_if_remote_at(
    repo: &Repository,
    remote_name: &str,
    branch: &str,
    local_tip: Oid,
    expected: Option<Oid>,
    auth: PushAuth<'_>,
) -> Result<PushOutcome> {
    let mut remote = repo.find_remote(remote_name)?;
    let attempts = Cell::new(0);
    let rejection: RefCell<Option<String>> = RefCell::new(None);
    let mut cb = callbacks(auth, &attempts);
    // The lease itself: right before the upload, the remote's tip as it
    // advertises it on this connection must still be the one checked above.
    // The push command carries that tip as the old value, so the server
    // refuses the update if the branch moves after this point: no window is
    // left in which someone else's push could be overwritten.
    let expected = expected.unwrap_or_else(Oid::zero);
    let moved: Cell<Option<Oid>> = Cell::new(None);
    cb.push_negotiation(|updates| {
        if let Some(u) = updates.iter().find(|u| u.src() != expected) {
            moved.set(Some(u.src()));
            return Err(git2::Error::from_str(
                "the remote branch moved since it was checked",
            ));
        }
        Ok(())
    });
    cb.push_update_reference(|_refname, status| {
        if let Some(status) = status {
            *rejection.borrow_mut() = Some(status.to_string());
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(cb);
    let local = format!("refs/heads/{branch}");
    let at = repo.refname_to_id(&local)?;
    if at != local_tip {
        return Err(anyhow!("{local} moved while gomend ran"));
    }
    let spec = format!("+{local}:{local}");
    let pushed = remote.push(&[spec.as_str()], Some(&mut options));
    if let Some(now) = moved.get() {
        return Ok(PushOutcome::Refused(format!(
            "remote branch {branch} moved to {} while gomend was pushing; left alone",
            &now.to_string()[..10]
        )));
    }
    pushed.with_context(|| format!("cannot push {branch} to {remote_name}"))?;
    drop(options);
    if let Some(why) = rejection.into_inner() {
        return Err(anyhow!("the remote rejected {branch}: {why}"));
    }
    Ok(PushOutcome::Pushed)
}

/// Fetches the remote tip and says why it must not be overwritten, if it must not.
fn foreign_remote_tip(
    repo: &Repository,
    remote_name: &str,
    branch: &str,
    tip: Oid,
    auth: PushAuth<'_>,
) -> Result<Option<String>> {
    let mut remote = repo.find_remote(remote_name)?;
    let attempts = Cell::new(0);
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks(auth, &attempts));
    let seen = format!("refs/gomend/seen/{remote_name}/{branch}");
    remote
        .fetch(
            &[format!("+refs/heads/{branch}:{seen}").as_str()],
            Some(&mut options),
            None,
        )
        .with_context(|| format!("cannot fetch {branch} from {remote_name}"))?;
    let commit = repo.find_commit(tip)?;
    if commit.message().map(is_gomend_commit).unwrap_or(false) {
        Ok(None)
    } else {
        Ok(Some(format!(
            "remote branch {branch} ends in {}, a commit gomend did not make",
            &tip.to_string()[..10]
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo: &Repository, parent: Option<Oid>, msg: &str) -> Oid {
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let tree = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let parents: Vec<git2::Commit> = parent
            .into_iter()
            .map(|p| repo.find_commit(p).unwrap())
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &sig, &sig, msg, &tree, &parents).unwrap()
    }

    #[test]
    fn a_branch_that_moved_since_the_check_is_not_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        let remote_dir = tmp.path().join("remote.git");
        Repository::init_bare(&remote_dir).unwrap();
        let repo = Repository::init(tmp.path().join("work")).unwrap();
        repo.remote("origin", remote_dir.to_str().unwrap()).unwrap();
        let auth = PushAuth { token: None };

        // Someone else's commit is on the remote branch.
        let theirs = commit(&repo, None, "theirs");
        repo.reference("refs/heads/fix", theirs, true, "").unwrap();
        repo.find_remote("origin")
            .unwrap()
            .push(&["refs/heads/fix:refs/heads/fix"], None)
            .unwrap();

        // gomend believes the branch is absent (a stale check) and tries to push.
        let ours = commit(&repo, None, "ours");
        repo.reference("refs/heads/fix", ours, true, "").unwrap();
        let out = push_if_remote_at(&repo, "origin", "fix", ours, None, auth).unwrap();
        assert!(
            matches!(out, PushOutcome::Refused(ref why) if why.contains("moved")),
            "{out:?}"
        );
        assert_eq!(
            remote_tip(&repo, "origin", "fix", auth).unwrap(),
            Some(theirs)
        );

        // With the right expectation the push goes through.
        let out = push_if_remote_at(&repo, "origin", "fix", ours, Some(theirs), auth).unwrap();
        assert_eq!(out, PushOutcome::Pushed);
        assert_eq!(
            remote_tip(&repo, "origin", "fix", auth).unwrap(),
            Some(ours)
        );
    }
}
