//! Keeping the API token out of output, logs and error messages.

use std::fmt;

/// A secret string. Its `Debug` and `Display` never show the value; the
/// value is reachable only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `text` with every occurrence of the secret replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, Some(self))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `text` with every occurrence of `secret` replaced by `***`. Secrets shorter
/// than four characters are still replaced; an empty secret changes nothing.
pub fn redact(text: &str, secret: Option<&Secret>) -> String {
    match secret {
        Some(secret) if !secret.0.is_empty() => text.replace(&secret.0, "***"),
        _ => text.to_string(),
    }
}

/// An error with the secret removed from every message of its chain.
pub fn redact_error(err: anyhow::Error, secret: Option<&Secret>) -> anyhow::Error {
    match secret {
        Some(_) => anyhow::anyhow!("{}", redact(&format!("{err:#}"), secret)),
        None => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("ghp_abc123");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        assert_eq!(s.redact("token ghp_abc123 here"), "token *** here");
        let e = redact_error(anyhow::anyhow!("bad ghp_abc123").context("outer"), Some(&s));
        assert_eq!(e.to_string(), "outer: bad ***");
    }
}
