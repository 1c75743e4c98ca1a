//! Turning fixes into git branches without touching the working tree.
//!
//! - [`rewrite`]: the interface to the rewrite engine.
//! - [`base`]: reading the files of the base commit.
//! - [`changed`]: the lines changed since a revision (`check --new-from-rev`).
//! - [`codeowners`]: CODEOWNERS parsing and matching.
//! - [`naming`]: branch names that are valid refs.
//! - [`plan`]: splitting the change into branches and commits.
//! - [`message`]: commit messages and the trailers that mark gomend's commits.
//! - [`refs`]: writing commits and branch refs, idempotently.
//! - [`push`]: pushing branches with lease semantics.

pub mod base;
pub mod changed;
pub mod codeowners;
pub mod message;
pub mod naming;
pub mod plan;
pub mod push;
pub mod refs;
pub mod rewrite;
