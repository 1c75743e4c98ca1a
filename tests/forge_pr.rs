//! `gomend pr` against real repositories, a real bare remote and a loopback
//! stand-in for the GitHub API.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use common::server::Server;
use common::*;
use git2::Repository;
use gomend::cli::pr::{run_with, PrArgs};
use gomend::forge::body::parse_metadata;
use gomend::forge::github::ForgeConfig;
use gomend::forge::redact::Secret;
use gomend::forge::retry::{ManualClock, RetryPolicy};
use serde_json::{json, Value};

const TOKEN: &str = "ghs_t0ken_that_must_not_leak";
const OPEN: &str = "GET /repos/acme/widgets/pulls?state=open&per_page=100";
const HEAD_ALL: &str =
    "GET /repos/acme/widgets/pulls?state=all&head=acme%3Agomend%2Fall&per_page=100";

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: PrArgs,
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    repo: Repository,
    remote: Repository,
    server: Server,
    clock: Arc<ManualClock>,
}

fn fixture(extra_files: &[(&'static str, String)]) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    let mut files = sample_files();
    files.extend(extra_files.iter().cloned());
    let repo = init_repo(&dir, &borrowed(&files));
    let remote = bare_origin(&repo, &tmp.path().join("remote.git"));
    Fixture {
        _tmp: tmp,
        dir,
        repo,
        remote,
        server: Server::start("acme", TOKEN),
        clock: Arc::new(ManualClock::at(1_800_000_000)),
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        backoff: Duration::from_secs(1),
        max_wait: Duration::from_secs(60),
        spacing: Duration::from_secs(1),
    }
}

fn config(fx: &Fixture, token: Option<&str>) -> ForgeConfig {
    ForgeConfig {
        api_url: fx.server.url.clone(),
        token: token.map(Secret::new),
    }
}

fn args(fx: &Fixture, extra: &[&str]) -> PrArgs {
    let mut argv = vec![
        "gomend-pr".to_string(),
        "-C".to_string(),
        fx.dir.display().to_string(),
        "--repo".to_string(),
        "acme/widgets".to_string(),
        "--author".to_string(),
        "Gomend Bot <bot@example.com>".to_string(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    Cli::try_parse_from(argv).unwrap().args
}

/// Runs `gomend pr --format json`; returns the records and the raw output.
fn pr(fx: &Fixture, extra: &[&str]) -> anyhow::Result<Vec<Value>> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(extra);
    let mut out = Vec::new();
    run_with(
        &args(fx, &all),
        &FakeRewriter,
        &config(fx, Some(TOKEN)),
        fx.clock.clone(),
        policy(),
        &mut out,
    )?;
    Ok(serde_json::from_slice(&out).unwrap())
}

fn remote_tip(fx: &Fixture, branch: &str) -> Option<git2::Oid> {
    fx.remote
        .refname_to_id(&format!("refs/heads/{branch}"))
        .ok()
}

#[test]
fn opens_one_pull_request_then_updates_it_in_place() {
    let fx = fixture(&[(
        ".github/CODEOWNERS",
        "* @acme/core @alice dev@example.com\n".into(),
    )]);
    let records = pr(
        &fx,
        &[
            "--label",
            "gomend",
            "--label",
            "runtime",
            "--reviewers-from-codeowners",
            "--draft",
        ],
    )
    .unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["pr_action"], "created");
    assert_eq!(records[0]["number"], 1);
    assert_eq!(
        fx.server.lines(),
        [
            OPEN,
            HEAD_ALL,
            "POST /repos/acme/widgets/pulls",
            "POST /repos/acme/widgets/issues/1/labels",
            "POST /repos/acme/widgets/pulls/1/requested_reviewers",
        ]
    );
    let requests = fx.server.requests();
    assert!(requests
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))));
    let create = &requests[2].body;
    assert_eq!(create["head"], "gomend/all");
    assert_eq!(create["base"], "main");
    assert_eq!(create["draft"], true);
    assert_eq!(create["title"], "gomend: 4 fixes from 2 recipes");
    insta::assert_snapshot!("pr_body", unversioned(create["body"].as_str().unwrap()));
    assert_eq!(requests[3].body, json!({ "labels": ["gomend", "runtime"] }));
    assert_eq!(
        requests[4].body,
        json!({ "reviewers": ["alice"], "team_reviewers": ["core"] })
    );
    // Write requests are spaced by the policy, through the clock.
    assert_eq!(
        fx.clock.sleeps(),
        [Duration::from_secs(1), Duration::from_secs(1)]
    );
    // The branch was pushed and the lease remembered.
    let local = tip(&fx.repo, "gomend/all").unwrap();
    assert_eq!(remote_tip(&fx, "gomend/all"), Some(local));
    assert_eq!(
        fx.repo
            .refname_to_id("refs/gomend/pushed/origin/gomend/all")
            .unwrap(),
        local
    );
    let meta = parse_metadata(create["body"].as_str().unwrap()).unwrap();
    assert_eq!(meta.recipes, ["remove-gc", "remove-gosched"]);
    assert_eq!(meta.base, records[0]["base"].as_str().unwrap());

    // Same input again: nothing is written anywhere.
    fx.server.clear_requests();
    let records = pr(&fx, &["--label", "gomend", "--label", "runtime"]).unwrap();
    assert_eq!(records[0]["pr_action"], "unchanged");
    assert_eq!(records[0]["status"], "unchanged");
    assert_eq!(fx.server.lines(), [OPEN, HEAD_ALL]);

    // The base moves: the branch is rebuilt, pushed, and the same PR updated.
    let new_base = commit_files(
        &fx.repo,
        &[("jobs/run.go", &go_file("jobs", 1, 0))],
        "Jobs",
        1_700_000_500,
    );
    fx.server.clear_requests();
    let records = pr(&fx, &["--label", "gomend", "--label", "needs-review"]).unwrap();
    assert_eq!(records[0]["status"], "rebased");
    assert_eq!(records[0]["pr_action"], "updated");
    assert_eq!(
        fx.server.lines(),
        [
            OPEN,
            HEAD_ALL,
            "PATCH /repos/acme/widgets/pulls/1",
            "POST /repos/acme/widgets/issues/1/labels"
        ]
    );
    assert_eq!(
        fx.server.requests()[3].body,
        json!({ "labels": ["needs-review"] })
    );
    let patch = &fx.server.requests()[2].body;
    assert_eq!(patch["title"], "gomend: 5 fixes from 2 recipes");
    assert!(patch["body"]
        .as_str()
        .unwrap()
        .contains(&new_base.to_string()));
    assert!(patch.get("state").is_none());
    assert_eq!(fx.server.pulls().len(), 1);
    assert_eq!(remote_tip(&fx, "gomend/all"), tip(&fx.repo, "gomend/all"));
}

#[test]
fn retry_after_and_rate_limit_reset_are_honoured() {
    let fx = fixture(&[]);
    fx.server.can(
        429,
        &[("Retry-After", "3")],
        r#"{"message":"You have exceeded a secondary rate limit."}"#,
    );
    let reset = (1_800_000_000u64 + 10).to_string();
    fx.server.can(
        403,
        &[
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", &reset),
        ],
        r#"{"message":"API rate limit exceeded"}"#,
    );

    let records = pr(&fx, &[]).unwrap();

    assert_eq!(records[0]["pr_action"], "created");
    let lines = fx.server.lines();
    assert_eq!(&lines[..4], [OPEN, OPEN, OPEN, HEAD_ALL]);
    // 3 s from Retry-After, then until the reset (10 s after start, 3 s spent, +1 s margin).
    assert_eq!(
        &fx.clock.sleeps()[..2],
        [Duration::from_secs(3), Duration::from_secs(8)]
    );
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times() {
    let fx = fixture(&[]);
    for _ in 0..3 {
        fx.server.can(502, &[], r#"{"message":"Server Error"}"#);
    }

    let err = pr(&fx, &[]).unwrap_err();

    let text = format!("{err:#}");
    assert!(
        text.contains("server error 502; gave up after 3 attempts"),
        "{text}"
    );
    assert_eq!(fx.server.lines(), [OPEN, OPEN, OPEN]);
    assert_eq!(
        fx.clock.sleeps(),
        [Duration::from_secs(1), Duration::from_secs(2)]
    );
    let waits_too_long = fixture(&[]);
    waits_too_long
        .server
        .can(429, &[("Retry-After", "3600")], "{}");
    let err = pr(&waits_too_long, &[]).unwrap_err();
    assert!(
        format!("{err:#}").contains("longer than the 60s"),
        "{err:#}"
    );
    assert!(waits_too_long.clock.sleeps().is_empty());
}

#[test]
fn token_never_appears_in_output_or_errors() {
    let fx = fixture(&[]);
    // The server knows another token and echoes the one it got in its error.
    fx.server.state.lock().unwrap().token = "ghs_other".to_string();

    let mut out = Vec::new();
    let err = run_with(
        &args(&fx, &[]),
        &FakeRewriter,
        &config(&fx, Some(TOKEN)),
        fx.clock.clone(),
        policy(),
        &mut out,
    )
    .unwrap_err();

    let shown = format!("{err:#} {err:?}");
    assert!(
        shown.contains("returned 401: Bad credentials: Bearer ***"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(!String::from_utf8_lossy(&out).contains(TOKEN));
    let cfg = config(&fx, Some(TOKEN));
    assert!(!format!("{cfg:?}").contains(TOKEN));
    // The request did carry it, to the API only.
    assert_eq!(
        fx.server.requests()[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    let err = run_with(
        &args(&fx, &[]),
        &FakeRewriter,
        &config(&fx, None),
        fx.clock.clone(),
        policy(),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("GITHUB_TOKEN is not set"), "{err}");
}

#[test]
fn closed_pull_request_is_not_reopened_unless_asked() {
    let fx = fixture(&[]);
    fx.server
        .add_pull("gomend/all", "closed", "closed by a maintainer");

    let records = pr(&fx, &[]).unwrap();
    assert_eq!(records[0]["pr_action"], "skipped");
    assert!(records[0]["note"].as_str().unwrap().contains("--reopen"));
    assert_eq!(fx.server.lines(), [OPEN, HEAD_ALL]);
    assert_eq!(remote_tip(&fx, "gomend/all"), None);

    fx.server.clear_requests();
    let records = pr(&fx, &["--reopen"]).unwrap();
    assert_eq!(records[0]["pr_action"], "reopened");
    assert_eq!(
        fx.server.lines(),
        [OPEN, HEAD_ALL, "PATCH /repos/acme/widgets/pulls/1"]
    );
    assert_eq!(fx.server.requests()[2].body["state"], "open");
    assert_eq!(fx.server.pulls()[0].state, "open");
}

#[test]
fn lease_protects_a_remote_branch_someone_else_pushed_to() {
    let fx = fixture(&[]);
    pr(&fx, &[]).unwrap();
    // Without a remembered lease, a remote tip made by gomend is accepted.
    fx.repo
        .find_reference("refs/gomend/pushed/origin/gomend/all")
        .unwrap()
        .delete()
        .unwrap();
    commit_files(
        &fx.repo,
        &[("a.go", &go_file("main", 1, 0))],
        "A",
        1_700_000_600,
    );
    let records = pr(&fx, &[]).unwrap();
    assert_eq!(records[0]["pr_action"], "updated");
    assert_eq!(remote_tip(&fx, "gomend/all"), tip(&fx.repo, "gomend/all"));

    // Someone pushes a commit to the remote branch.
    let pushed = remote_tip(&fx, "gomend/all").unwrap();
    let parent = fx.remote.find_commit(pushed).unwrap();
    let sig = fixed_sig(1_700_000_700);
    let human = fx
        .remote
        .commit(
            Some("refs/heads/gomend/all"),
            &sig,
            &sig,
            "Keep the GC call in the benchmark\n",
            &parent.tree().unwrap(),
            &[&parent],
        )
        .unwrap();
    commit_files(
        &fx.repo,
        &[("b.go", &go_file("main", 1, 0))],
        "B",
        1_700_000_800,
    );
    fx.server.clear_requests();

    let records = pr(&fx, &[]).unwrap();

    assert_eq!(records[0]["pr_action"], "skipped");
    let note = records[0]["note"].as_str().unwrap();
    assert!(note.contains("someone else changed it"), "{note}");
    assert_eq!(remote_tip(&fx, "gomend/all"), Some(human));
    assert_eq!(fx.server.lines(), [OPEN, HEAD_ALL]);
}

#[test]
fn max_open_caps_new_pull_requests() {
    let fx = fixture(&[]);
    fx.server.add_pull(
        "gomend/older",
        "open",
        "<!-- gomend:metadata {\"tool\":\"gomend\",\"version\":\"0.0.1\",\"recipes\":[\"remove-gc\"],\"base\":\"abc\",\"branch\":\"gomend/older\"} -->\nold",
    );
    fx.server
        .add_pull("feature/human", "open", "a person's work");

    let records = pr(&fx, &["--split-by", "dir", "--max-open", "2"]).unwrap();

    let actions: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["pr_action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("gomend/all/cmd", "created"),
            ("gomend/all/internal", "skipped")
        ]
    );
    assert!(records[1]["note"].as_str().unwrap().contains("--max-open"));
    assert_eq!(remote_tip(&fx, "gomend/all/internal"), None);
}

#[test]
fn dry_run_writes_and_pushes_nothing() {
    let fx = fixture(&[]);
    let mut out = Vec::new();
    run_with(
        &args(&fx, &["--dry-run", "--split-by", "recipe"]),
        &FakeRewriter,
        &config(&fx, None),
        fx.clock.clone(),
        policy(),
        &mut out,
    )
    .unwrap();

    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("planned   gomend/remove-gc on "), "{text}");
    assert!(
        text.contains("title: gomend: Remove explicit runtime.GC calls (remove-gc)"),
        "{text}"
    );
    assert!(
        text.contains("title: gomend: Remove runtime.Gosched from busy loops (remove-gosched)"),
        "{text}"
    );
    assert!(text.contains("## Fixes per file"), "{text}");
    assert!(fx.server.lines().is_empty());
    assert!(fx
        .repo
        .find_reference("refs/heads/gomend/remove-gc")
        .is_err());
    assert_eq!(remote_tip(&fx, "gomend/remove-gc"), None);
}

#[test]
fn unreachable_api_is_retried_then_reported() {
    let fx = fixture(&[]);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let config = ForgeConfig {
        api_url: url,
        token: Some(Secret::new(TOKEN)),
    };

    let err = run_with(
        &args(&fx, &[]),
        &FakeRewriter,
        &config,
        fx.clock.clone(),
        policy(),
        &mut Vec::new(),
    )
    .unwrap_err();

    let text = format!("{err:#}");
    assert!(text.contains("GET /repos/acme/widgets/pulls?state=open&per_page=100 failed; gave up after 3 attempts"), "{text}");
    assert!(!text.contains(TOKEN));
    assert_eq!(
        fx.clock.sleeps(),
        [Duration::from_secs(1), Duration::from_secs(2)]
    );
}

#[test]
fn refused_review_request_is_a_note_not_a_failure() {
    let fx = fixture(&[(".github/CODEOWNERS", "* @gomend-bot\n".into())]);

    let records = pr(&fx, &["--reviewers-from-codeowners"]).unwrap();

    assert_eq!(records[0]["pr_action"], "created");
    let note = records[0]["note"].as_str().unwrap();
    assert!(
        note.contains("returned 422: Review cannot be requested from pull request author."),
        "{note}"
    );
    assert_eq!(
        fx.server.lines().last().unwrap(),
        "POST /repos/acme/widgets/pulls/1/requested_reviewers"
    );
}
