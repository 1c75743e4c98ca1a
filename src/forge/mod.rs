//! Opening and updating pull requests for gomend branches.
//!
//! - [`github`]: the REST client for the few endpoints used.
//! - [`body`]: pull request titles, bodies and their metadata comment.
//! - [`publish`]: what each branch's pull request needs, and doing it.
//! - [`retry`]: spacing, rate limits and bounded retries, with an injectable clock.
//! - [`redact`]: keeping the token out of every message.

pub mod body;
pub mod github;
pub mod publish;
pub mod redact;
pub mod retry;
