//! A small GitHub REST client for the pull request endpoints gomend uses.
//!
//! Every request goes through one loop that spaces write requests, honours
//! `Retry-After` and the rate-limit headers, retries a bounded number of times,
//! and strips the token from every error it returns.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::redact::{redact_error, Secret};
use super::retry::{Clock, Decision, RateHeaders, RetryPolicy};

/// Default API root, as in GitHub Actions' `GITHUB_API_URL`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Pages of a listing read at most, so a listing always ends.
pub const MAX_PAGES: usize = 10;

/// Where and as whom to talk to GitHub.
#[derive(Clone, Debug)]
pub struct ForgeConfig {
    /// API root, without trailing slash.
    pub api_url: String,
    /// Token sent as `Authorization: Bearer`.
    pub token: Option<Secret>,
}

impl ForgeConfig {
    /// Reads `GITHUB_TOKEN` and `GITHUB_API_URL` (default [`DEFAULT_API_URL`]).
    pub fn from_env() -> ForgeConfig {
        ForgeConfig {
            api_url: std::env::var("GITHUB_API_URL")
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| DEFAULT_API_URL.to_string()),
            token: std::env::var("GITHUB_TOKEN")
                .ok()
                .filter(|s| !s.is_empty())
                .map(Secret::new),
        }
    }
}

/// A pull request as far as gomend cares.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct PullRequest {
    /// The number.
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    /// Title.
    pub title: String,
    /// Body, if any.
    #[serde(default)]
    pub body: Option<String>,
    /// Web address.
    #[serde(default)]
    pub html_url: String,
    /// Head branch.
    pub head: HeadRef,
    /// When it was merged, if it was.
    #[serde(default)]
    pub merged_at: Option<String>,
    /// Labels on it.
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// A label on a pull request.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Label {
    /// Label name.
    pub name: String,
}

/// The head of a pull request.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct HeadRef {
    /// Branch name.
    #[serde(rename = "ref")]
    pub branch: String,
}

/// The fields of a new pull request.
#[derive(Clone, Debug, Serialize)]
pub struct NewPull<'a> {
    /// Title.
    pub title: &'a str,
    /// Head branch.
    pub head: &'a str,
    /// Base branch.
    pub base: &'a str,
    /// Markdown body.
    pub body: &'a str,
    /// Open as draft.
    pub draft: bool,
}

/// Client for one repository.
pub struct GitHub {
    agent: ureq::Agent,
    api_url: String,
    owner: String,
    name: String,
    token: Option<Secret>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    last_write: Option<SystemTime>,
    pause: Option<Duration>,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api_url", &self.api_url)
            .field("repo", &format!("{}/{}", self.owner, self.name))
            .field("token", &self.token)
            .finish()
    }
}

struct Reply {
    next: Option<String>,
    body: Value,
}

impl GitHub {
    /// A client for `owner/name`.
    pub fn new(
        config: &ForgeConfig,
        repo: &str,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Result<GitHub> {
        let (owner, name) = repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| anyhow!("--repo must be OWNER/NAME, got {repo:?}"))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("gomend/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(GitHub {
            agent,
            api_url: config.api_url.trim_end_matches('/').to_string(),
            owner: owner.to_string(),
            name: name.to_string(),
            token: config.token.clone(),
            clock,
            policy,
            last_write: None,
            pause: None,
        })
    }

    /// The repository owner.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn repo_path(&self) -> String {
        format!("/repos/{}/{}", self.owner, self.name)
    }

    /// Pull requests, open or closed, whose head is `branch` of this repository.
    pub fn pulls_for_head(&mut self, branch: &str) -> Result<Vec<PullRequest>> {
        let path = format!(
            "{}/pulls?state=all&head={}&per_page=100",
            self.repo_path(),
            encode(&format!("{}:{branch}", self.owner))
        );
        self.list(&path)
    }

    /// All open pull requests of the repository.
    pub fn open_pulls(&mut self) -> Result<Vec<PullRequest>> {
        let path = format!("{}/pulls?state=open&per_page=100", self.repo_path());
        self.list(&path)
    }

    fn list(&mut self, path: &str) -> Result<Vec<PullRequest>> {
        let mut out = Vec::new();
        let mut url = format!("{}{path}", self.api_url);
        for _ in 0..MAX_PAGES {
            let reply = self.send("GET", &url, None)?;
            let page: Vec<PullRequest> =
                serde_json::from_value(reply.body).context("unexpected pull request listing")?;
            out.extend(page);
            match reply.next {
                Some(next) => url = next,
                None => return Ok(out),
            }
        }
        Ok(out)
    }

    /// Opens a pull request.
    pub fn create_pull(&mut self, new: &NewPull<'_>) -> Result<PullRequest> {
        let url = format!("{}{}/pulls", self.api_url, self.repo_path());
        let reply = self.send("POST", &url, Some(serde_json::to_value(new)?))?;
        serde_json::from_value(reply.body).context("unexpected pull request")
    }

    /// Sets title and body, and the state when `state` is given.
    pub fn update_pull(
        &mut self,
        number: u64,
        title: &str,
        body: &str,
        state: Option<&str>,
    ) -> Result<PullRequest> {
        let url = format!("{}{}/pulls/{number}", self.api_url, self.repo_path());
        let mut payload = json!({ "title": title, "body": body });
        if let Some(state) = state {
            payload["state"] = json!(state);
        }
        let reply = self.send("PATCH", &url, Some(payload))?;
        serde_json::from_value(reply.body).context("unexpected pull request")
    }

    /// Adds labels (existing labels are kept).
    pub fn add_labels(&mut self, number: u64, labels: &[String]) -> Result<()> {
        if labels.is_empty() {
            return Ok(());
        }
        let url = format!(
            "{}{}/issues/{number}/labels",
            self.api_url,
            self.repo_path()
        );
        self.send("POST", &url, Some(json!({ "labels": labels })))?;
        Ok(())
    }

    /// Requests reviews from users and teams (team slugs without the org).
    pub fn request_reviewers(
        &mut self,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<()> {
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let url = format!(
            "{}{}/pulls/{number}/requested_reviewers",
            self.api_url,
            self.repo_path()
        );
        self.send(
            "POST",
            &url,
            Some(json!({ "reviewers": users, "team_reviewers": teams })),
        )?;
        Ok(())
    }

    fn send(&mut self, method: &str, url: &str, body: Option<Value>) -> Result<Reply> {
        let token = self.token.clone();
        self.send_inner(method, url, body)
            .map_err(|e| redact_error(e, token.as_ref()))
    }

    fn send_inner(&mut self, method: &str, url: &str, body: Option<Value>) -> Result<Reply> {
        if !url.starts_with(&self.api_url) {
            bail!("refusing to follow a link outside the API root: {url}");
        }
        if let Some(pause) = self.pause.take() {
            if pause > self.policy.max_wait {
                bail!(
                    "rate limit used up; it resets in {}s, longer than the {}s gomend waits",
                    pause.as_secs(),
                    self.policy.max_wait.as_secs()
                );
            }
            self.clock.sleep(pause);
        }
        let write = method != "GET";
        let mut attempt = 0;
        loop {
            attempt += 1;
            if write {
                if let Some(last) = self.last_write {
                    let since = self.clock.now().duration_since(last).unwrap_or_default();
                    if since < self.policy.spacing {
                        self.clock.sleep(self.policy.spacing - since);
                    }
                }
                self.last_write = Some(self.clock.now());
            }
            let mut response = match self.call(method, url, body.as_ref()) {
                Ok(response) => response,
                Err(_) if attempt < self.policy.max_attempts => {
                    self.clock
                        .sleep(self.policy.backoff * 2u32.saturating_pow(attempt - 1));
                    continue;
                }
                Err(err) => {
                    return Err(err.context(format!(
                        "{method} {} failed; gave up after {attempt} attempts",
                        path_of(url, &self.api_url)
                    )))
                }
            };
            let status = response.status().as_u16();
            let header = |name: &str| -> Option<String> {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let rate = RateHeaders {
                retry_after: header("retry-after")
                    .and_then(|v| super::retry::parse_retry_after(&v, self.clock.now())),
                remaining: header("x-ratelimit-remaining").and_then(|v| v.trim().parse().ok()),
                reset: header("x-ratelimit-reset").and_then(|v| v.trim().parse().ok()),
            };
            let next = header("link").and_then(|l| next_link(&l));
            let text = response.body_mut().read_to_string().unwrap_or_default();
            match self.policy.decide(status, &rate, attempt, self.clock.now()) {
                Decision::Retry(wait) => {
                    self.clock.sleep(wait);
                    continue;
                }
                Decision::Fail(why) => {
                    bail!("{method} {}: {why}", path_of(url, &self.api_url))
                }
                Decision::Accept => {}
            }
            self.pause = self.policy.pause_before_next(&rate, self.clock.now());
            if !(200..300).contains(&status) {
                let message = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| text.chars().take(200).collect());
                bail!(
                    "{method} {} returned {status}: {message}",
                    path_of(url, &self.api_url)
                );
            }
            let body = if text.trim().is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).context("the API answered with invalid JSON")?
            };
            return Ok(Reply { next, body });
        }
    }

    fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let auth = self
            .token
            .as_ref()
            .map(|t| format!("Bearer {}", t.expose()));
        macro_rules! headers {
            ($req:expr) => {{
                let mut req = $req
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28");
                if let Some(auth) = &auth {
                    req = req.header("Authorization", auth.as_str());
                }
                req
            }};
        }
        let payload = body.map(Value::to_string).unwrap_or_default();
        let response = match method {
            "GET" => headers!(self.agent.get(url)).call(),
            "POST" => headers!(self.agent.post(url))
                .header("Content-Type", "application/json")
                .send(payload.as_str()),
            "PATCH" => headers!(self.agent.patch(url))
                .header("Content-Type", "application/json")
                .send(payload.as_str()),
            other => bail!("unsupported method {other}"),
        };
        Ok(response?)
    }
}

fn path_of<'a>(url: &'a str, root: &str) -> &'a str {
    url.strip_prefix(root).unwrap_or(url)
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_link_headers_and_encodes() {
        let h = r#"<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.example/x?page=2")
        );
        assert_eq!(next_link(r#"<https://a/x>; rel="prev""#), None);
        assert_eq!(encode("acme:gomend/all"), "acme%3Agomend%2Fall");
    }
}
