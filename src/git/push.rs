//! Pushing branches with `--force-with-lease` semantics.
//!
//! gomend remembers the tip it last pushed for each branch in
//! `refs/gomend/pushed/<remote>/<branch>`. A remote branch is overwritten only
//! when its tip is that remembered commit. When nothing is remembered (a fresh
//! clone, as in CI), the remote tip is fetched and accepted only when gomend
//! made it and no one stacked commits on top; anything else is refused.

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
    let mut remote = repo.find_remote(remote_name)?;
    let attempts = Cell::new(0);
    let rejection: RefCell<Option<String>> = RefCell::new(None);
    let mut cb = callbacks(auth, &attempts);
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
    remote
        .push(&[spec.as_str()], Some(&mut options))
        .with_context(|| format!("cannot push {branch} to {remote_name}"))?;
    drop(options);
    if let Some(why) = rejection.into_inner() {
        return Err(anyhow!("the remote rejected {branch}: {why}"));
    }
    repo.reference(&lease_name, local_tip, true, "gomend: pushed")?;
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
