//! `gomend branch` against real repositories in temporary directories.

mod common;

use std::path::Path;

use clap::Parser;
use common::*;
use git2::Repository;
use gomend::cli::branch::{run_to, BranchArgs};
use serde_json::Value;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: BranchArgs,
}

/// Runs `gomend branch` in `dir` with `extra` arguments and JSON output.
fn branch(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut argv = vec![
        "gomend-branch".to_string(),
        "-C".to_string(),
        dir.display().to_string(),
        "--format".to_string(),
        "json".to_string(),
        "--author".to_string(),
        "Gomend Bot <bot@example.com>".to_string(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    let cli = Cli::try_parse_from(argv).unwrap();
    let mut out = Vec::new();
    run_to(&cli.args, &FakeRewriter, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn statuses(records: &[Value]) -> Vec<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn sample_repo(dir: &Path) -> Repository {
    let files = sample_files();
    init_repo(dir, &borrowed(&files))
}

#[test]
fn dirty_worktree_index_and_head_are_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    let head_before = repo.head().unwrap().target().unwrap();
    // Dirty the working tree and the index.
    std::fs::write(
        tmp.path().join("cmd/app/main.go"),
        "package main // edited\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("new.go"), go_file("main", 3, 0)).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("new.go")).unwrap();
    index.write().unwrap();
    let index_bytes = std::fs::read(repo.path().join("index")).unwrap();

    let records = branch(tmp.path(), &[]);

    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "created".into())]
    );
    let record = &records[0];
    assert_eq!(record["fixes"]["remove-gc"], 3);
    assert_eq!(record["fixes"]["remove-gosched"], 1);
    assert_eq!(
        record["files"],
        serde_json::json!(["cmd/app/main.go", "internal/pool/pool.go"])
    );
    // The branch holds the base content with fixes, not the working tree.
    let main_go = file_at(&repo, "gomend/all", "cmd/app/main.go");
    assert_eq!(main_go, go_file("main", 0, 0));
    assert!(file_at(&repo, "gomend/all", "vendor/x/x.go").contains("runtime.GC()"));
    assert!(file_at(&repo, "gomend/all", "internal/pool/pool_test.go").contains("runtime.GC()"));
    assert!(repo.revparse_single("gomend/all:new.go").is_err());
    // Nothing else moved.
    assert_eq!(repo.head().unwrap().target().unwrap(), head_before);
    assert_eq!(repo.head().unwrap().name(), Some("refs/heads/main"));
    assert_eq!(
        std::fs::read(repo.path().join("index")).unwrap(),
        index_bytes
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("cmd/app/main.go")).unwrap(),
        "package main // edited\n"
    );
    // One commit per recipe, authored as asked.
    let tip = tip(&repo, "gomend/all").unwrap();
    let commit = repo.find_commit(tip).unwrap();
    assert_eq!(commit.author().name(), Some("Gomend Bot"));
    assert_eq!(commit.committer().name(), Some("Config User"));
    let messages = messages_between(&repo, tip, head_before);
    assert_eq!(messages.len(), 2);
    insta::assert_snapshot!("commit_remove_gc", unversioned(&messages[0]));
    insta::assert_snapshot!("commit_remove_gosched", unversioned(&messages[1]));
}

#[test]
fn rerun_on_same_base_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    branch(tmp.path(), &[]);
    let first = tip(&repo, "gomend/all").unwrap();
    let objects_before = count_objects(&repo);

    let records = branch(tmp.path(), &[]);

    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "unchanged".into())]
    );
    assert_eq!(tip(&repo, "gomend/all").unwrap(), first);
    assert_eq!(count_objects(&repo), objects_before);
    assert_eq!(records[0]["commits"].as_array().unwrap().len(), 2);
    assert_eq!(
        records[0]["commits"][1].as_str().unwrap(),
        first.to_string()
    );
}

fn count_objects(repo: &Repository) -> usize {
    let odb = repo.odb().unwrap();
    let mut n = 0;
    odb.foreach(|_| {
        n += 1;
        true
    })
    .unwrap();
    n
}

#[test]
fn moved_base_rebuilds_the_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    branch(tmp.path(), &[]);
    let new_base = commit_files(
        &repo,
        &[("internal/cache/cache.go", &go_file("cache", 1, 1))],
        "Add a cache",
        1_700_000_100,
    );

    let records = branch(tmp.path(), &[]);

    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "rebased".into())]
    );
    assert_eq!(records[0]["base"], new_base.to_string());
    let tip = tip(&repo, "gomend/all").unwrap();
    let messages = messages_between(&repo, tip, new_base);
    assert_eq!(messages.len(), 2);
    assert_eq!(
        file_at(&repo, "gomend/all", "internal/cache/cache.go"),
        go_file("cache", 0, 0)
    );
    assert_eq!(records[0]["fixes"]["remove-gc"], 4);
}

#[test]
fn human_commit_on_the_branch_is_left_alone_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    let base = repo.head().unwrap().target().unwrap();
    branch(tmp.path(), &[]);
    // A person adds a commit on top of gomend's.
    let gomend_tip = tip(&repo, "gomend/all").unwrap();
    let parent = repo.find_commit(gomend_tip).unwrap();
    let sig = fixed_sig(1_700_000_200);
    let human = repo
        .commit(
            Some("refs/heads/gomend/all"),
            &sig,
            &sig,
            "Keep one GC call for the benchmark\n",
            &parent.tree().unwrap(),
            &[&parent],
        )
        .unwrap();
    // And the base moves, which would otherwise trigger a rebuild.
    commit_files(
        &repo,
        &[("extra.go", &go_file("main", 1, 0))],
        "More",
        1_700_000_300,
    );

    let records = branch(tmp.path(), &[]);
    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "skipped".into())]
    );
    let reason = records[0]["reason"].as_str().unwrap();
    assert!(reason.contains("not made by gomend"), "{reason}");
    assert!(reason.contains("--force"), "{reason}");
    assert_eq!(tip(&repo, "gomend/all").unwrap(), human);

    let records = branch(tmp.path(), &["--force"]);
    assert_eq!(statuses(&records), [("gomend/all".into(), "forced".into())]);
    let new_tip = tip(&repo, "gomend/all").unwrap();
    assert_ne!(new_tip, human);
    assert!(!repo.graph_descendant_of(new_tip, human).unwrap());
    assert!(repo.graph_descendant_of(new_tip, base).unwrap());
}

#[test]
fn codeowners_split_gives_one_branch_per_owner_set() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = sample_files();
    files.push((
        ".github/CODEOWNERS",
        "*  @acme/core\n/cmd/ @acme/cli @alice\n".to_string(),
    ));
    files.push(("CODEOWNERS", "* @ignored\n".to_string()));
    files.push(("tools/gen.go", go_file("tools", 0, 2)));
    let repo = init_repo(tmp.path(), &borrowed(&files));

    let records = branch(tmp.path(), &["--split-by", "codeowners"]);

    assert_eq!(
        statuses(&records),
        [
            ("gomend/all/acme-cli+alice".into(), "created".into()),
            ("gomend/all/acme-core".into(), "created".into()),
        ]
    );
    assert_eq!(
        records[0]["reviewers"],
        serde_json::json!(["@acme/cli", "@alice"])
    );
    assert_eq!(records[0]["files"], serde_json::json!(["cmd/app/main.go"]));
    assert_eq!(records[1]["reviewers"], serde_json::json!(["@acme/core"]));
    assert_eq!(
        records[1]["files"],
        serde_json::json!(["internal/pool/pool.go", "tools/gen.go"])
    );
    // Each branch changes only its own files.
    assert!(file_at(&repo, "gomend/all/acme-core", "cmd/app/main.go").contains("runtime.GC()"));
    assert!(
        !file_at(&repo, "gomend/all/acme-cli+alice", "cmd/app/main.go").contains("runtime.GC()")
    );
}

#[test]
fn dir_split_follows_modules_and_max_files() {
    let tmp = tempfile::tempdir().unwrap();
    let files = vec![
        ("go.mod", "module example.com/root\n\ngo 1.22\n".to_string()),
        ("main.go", go_file("main", 1, 0)),
        (
            "services/api/go.mod",
            "module example.com/api\n\ngo 1.23\n".to_string(),
        ),
        ("services/api/a.go", go_file("api", 1, 0)),
        ("services/api/b.go", go_file("api", 1, 0)),
        ("services/api/c/c.go", go_file("c", 1, 0)),
    ];
    init_repo(tmp.path(), &borrowed(&files));

    let records = branch(tmp.path(), &["--split-by", "dir", "--max-files", "2"]);

    assert_eq!(
        statuses(&records),
        [
            ("gomend/all/root".into(), "created".into()),
            ("gomend/all/services-api-1".into(), "created".into()),
            ("gomend/all/services-api-2".into(), "created".into()),
        ]
    );
    assert_eq!(
        records[1]["files"],
        serde_json::json!(["services/api/a.go", "services/api/b.go"])
    );
    assert_eq!(
        records[2]["files"],
        serde_json::json!(["services/api/c/c.go"])
    );
}

#[test]
fn split_by_recipe_and_path_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());

    let records = branch(
        tmp.path(),
        &["cmd", "--split-by", "recipe", "--name", "bots/Go Fix"],
    );

    assert_eq!(
        statuses(&records),
        [
            ("bots/Go-Fix/remove-gc".into(), "created".into()),
            ("bots/Go-Fix/remove-gosched".into(), "created".into()),
        ]
    );
    // Each recipe branch applies only its recipe, and only under cmd/.
    assert_eq!(
        file_at(&repo, "bots/Go-Fix/remove-gc", "cmd/app/main.go"),
        go_file("main", 0, 1)
    );
    assert_eq!(
        file_at(&repo, "bots/Go-Fix/remove-gosched", "cmd/app/main.go"),
        go_file("main", 2, 0)
    );
    assert_eq!(records[0]["files"], serde_json::json!(["cmd/app/main.go"]));
    let tip = tip(&repo, "bots/Go-Fix/remove-gc").unwrap();
    let message = repo
        .find_commit(tip)
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert!(message.contains("gomend branch cmd --base "), "{message}");
    assert!(
        message.contains("--name 'bots/Go Fix' --split-by recipe"),
        "{message}"
    );
}

#[test]
fn single_commit_per_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    let base = repo.head().unwrap().target().unwrap();

    branch(tmp.path(), &["--commit-per", "shard"]);

    let tip = tip(&repo, "gomend/all").unwrap();
    let messages = messages_between(&repo, tip, base);
    assert_eq!(messages.len(), 1);
    insta::assert_snapshot!("commit_per_shard", unversioned(&messages[0]));
}

#[test]
fn works_in_linked_worktrees_and_bare_repositories() {
    let tmp = tempfile::tempdir().unwrap();
    let main_dir = tmp.path().join("main");
    let repo = sample_repo(&main_dir);
    let wt_dir = tmp.path().join("linked");
    let worktree = repo.worktree("linked", &wt_dir, None).unwrap();
    let wt_repo = Repository::open_from_worktree(&worktree).unwrap();
    let wt_head = wt_repo.head().unwrap().name().unwrap().to_string();

    let records = branch(&wt_dir, &[]);
    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "created".into())]
    );
    // The branch is shared with the main repository; no HEAD moved.
    assert!(tip(&repo, "gomend/all").is_some());
    assert_eq!(wt_repo.head().unwrap().name().unwrap(), wt_head);
    assert_eq!(repo.head().unwrap().name(), Some("refs/heads/main"));

    let bare_dir = tmp.path().join("bare.git");
    let bare = Repository::init_bare(&bare_dir).unwrap();
    let mut remote = bare.remote_anonymous(main_dir.to_str().unwrap()).unwrap();
    remote
        .fetch(&["+refs/heads/main:refs/heads/main"], None, None)
        .unwrap();
    bare.set_head("refs/heads/main").unwrap();
    let records = branch(&bare_dir, &["internal"]);
    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "created".into())]
    );
    assert_eq!(
        records[0]["files"],
        serde_json::json!(["internal/pool/pool.go"])
    );
    assert!(tip(&bare, "gomend/all").is_some());
}

#[test]
fn checked_out_branch_is_never_moved() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = sample_repo(tmp.path());
    branch(tmp.path(), &[]);
    let before = tip(&repo, "gomend/all").unwrap();
    repo.set_head("refs/heads/gomend/all").unwrap();
    commit_files(
        &repo,
        &[("late.go", &go_file("main", 1, 0))],
        "Late",
        1_700_000_400,
    );
    let after_commit = tip(&repo, "gomend/all").unwrap();
    assert_ne!(before, after_commit);

    let records = branch(tmp.path(), &["--base", "main", "--force"]);
    assert_eq!(
        statuses(&records),
        [("gomend/all".into(), "skipped".into())]
    );
    assert!(records[0]["reason"]
        .as_str()
        .unwrap()
        .contains("checked out"));
    assert_eq!(tip(&repo, "gomend/all").unwrap(), after_commit);
}

#[test]
fn nothing_to_fix_and_bad_author_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    init_repo(tmp.path(), &[("main.go", "package main\n")]);
    assert!(branch(tmp.path(), &[]).is_empty());

    let cli = Cli::try_parse_from([
        "gomend-branch",
        "-C",
        tmp.path().to_str().unwrap(),
        "--author",
        "nobody",
    ])
    .unwrap();
    let err = run_to(&cli.args, &FakeRewriter, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("Name <email>"), "{err}");

    let cli = Cli::try_parse_from([
        "gomend-branch",
        "-C",
        tmp.path().to_str().unwrap(),
        "--base",
        "nope",
    ])
    .unwrap();
    let err = run_to(&cli.args, &FakeRewriter, &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot resolve base revision `nope`"),
        "{err}"
    );
}

#[test]
fn text_output_lists_each_branch() {
    let tmp = tempfile::tempdir().unwrap();
    sample_repo(tmp.path());
    let cli = Cli::try_parse_from([
        "gomend-branch",
        "-C",
        tmp.path().to_str().unwrap(),
        "--author",
        "Gomend Bot <bot@example.com>",
    ])
    .unwrap();
    let mut out = Vec::new();
    run_to(&cli.args, &FakeRewriter, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("created   gomend/all on "), "{text}");
    assert!(
        text.contains("2 commit(s), 2 file(s), fixes: remove-gc 3, remove-gosched 1"),
        "{text}"
    );
}

#[test]
fn paths_are_taken_from_the_directory_gomend_runs_in() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = sample_files();
    files.push(("docs/CODEOWNERS", "/internal/ @acme/runtime\n".to_string()));
    let repo = sample_repo_with(tmp.path(), &files);

    let records = branch(
        &tmp.path().join("internal"),
        &["pool", "../internal/./pool/../pool"],
    );
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0]["files"],
        serde_json::json!(["internal/pool/pool.go"])
    );
    assert_eq!(
        records[0]["reviewers"],
        serde_json::json!(["@acme/runtime"])
    );
    let tip = tip(&repo, "gomend/all").unwrap();
    let message = repo
        .find_commit(tip)
        .unwrap()
        .message()
        .unwrap()
        .to_string();
    assert!(
        message.contains("gomend branch internal/pool --base "),
        "{message}"
    );

    let records = branch(&tmp.path().join("internal"), &[".."]);
    assert_eq!(records[0]["status"], "updated");
    assert_eq!(records[0]["files"].as_array().unwrap().len(), 2);

    let cli = Cli::try_parse_from([
        "gomend-branch",
        "-C",
        tmp.path().to_str().unwrap(),
        "../elsewhere",
    ])
    .unwrap();
    let err = run_to(&cli.args, &FakeRewriter, &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("outside the repository"), "{err}");
}

fn sample_repo_with(dir: &Path, files: &[(&'static str, String)]) -> Repository {
    init_repo(dir, &borrowed(files))
}
