//! `gomend pr` as a user runs it: the real binary, the real engine, the
//! token and API root read from the environment (as in GitHub Actions), a
//! bare remote and a loopback stand-in for the GitHub API.

mod common;

use std::process::Command;

use common::server::Server;
use common::*;
use git2::Repository;

const TOKEN: &str = "ghs_env_token_never_printed";

fn setup() -> (tempfile::TempDir, std::path::PathBuf, Repository) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("work");
    let files = [
        ("go.mod", "module example.com/app\n\ngo 1.22\n".to_string()),
        ("internal/pool/pool.go", go_file("pool", 1, 0)),
    ];
    let repo = init_repo(&dir, &borrowed(&files));
    let remote = bare_origin(&repo, &tmp.path().join("remote.git"));
    (tmp, dir, remote)
}

fn gomend_pr(dir: &std::path::Path, env: &[(&str, &str)], extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gomend"));
    cmd.arg("pr")
        .arg("-C")
        .arg(dir)
        .args([
            "--repo",
            "acme/widgets",
            "--author",
            "Gomend Bot <bot@example.com>",
        ])
        .args(extra)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn token_and_api_root_come_from_the_environment() {
    let (_tmp, dir, remote) = setup();
    let server = Server::start("acme", TOKEN);
    let out = gomend_pr(
        &dir,
        &[("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", &server.url)],
        &["--format", "json"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "the token leaked"
    );

    // The pull request was opened with the token from the environment.
    let create = server
        .requests()
        .into_iter()
        .find(|r| r.line() == "POST /repos/acme/widgets/pulls")
        .expect("a pull request is created");
    assert!(create
        .authorization
        .as_deref()
        .is_some_and(|a| a.contains(TOKEN)));
    assert_eq!(create.body["head"], "gomend/all");
    assert_eq!(create.body["base"], "main");

    // The pushed branch holds the engine's real rewrite.
    let tip = remote
        .refname_to_id("refs/heads/gomend/all")
        .expect("branch pushed");
    let commit = remote.find_commit(tip).unwrap();
    let blob = commit
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("internal/pool/pool.go"))
        .unwrap();
    let text = String::from_utf8(remote.find_blob(blob.id()).unwrap().content().to_vec()).unwrap();
    assert_eq!(
        text,
        "package pool\n\nfunc Work(items []string) int {\n\tn := len(items)\n\treturn n\n}\n"
    );
}

#[test]
fn missing_token_is_a_clear_error_and_dry_run_needs_none() {
    let (_tmp, dir, remote) = setup();
    let server = Server::start("acme", TOKEN);
    let out = gomend_pr(&dir, &[("GITHUB_API_URL", &server.url)], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GITHUB_TOKEN"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        remote.refname_to_id("refs/heads/gomend/all").is_err(),
        "nothing is pushed without a token"
    );

    let out = gomend_pr(&dir, &[("GITHUB_API_URL", &server.url)], &["--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(server.requests().is_empty(), "a dry run sends nothing");
    assert!(
        remote.refname_to_id("refs/heads/gomend/all").is_err(),
        "a dry run pushes nothing"
    );
}
