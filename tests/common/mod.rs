//! Helpers shared by the git and forge tests: a fake rewriter, real
//! repositories in temporary directories, and a loopback GitHub stand-in.
#![allow(dead_code)]

pub mod server;

use std::path::Path;

use git2::{Oid, Repository, Signature, Time};
use gomend::git::rewrite::{FixAt, RecipeInfo, Rewritten, TreeRewriter};

/// Removes whole lines `runtime.GC()` (recipe `remove-gc`) and
/// `runtime.Gosched()` (recipe `remove-gosched`).
pub struct FakeRewriter;

const RECIPES: [(&str, &str, &str); 2] = [
    (
        "remove-gc",
        "Remove explicit runtime.GC calls",
        "Forcing a collection blocks the caller and rarely frees memory sooner than the pacer would. \
         The runtime already collects when the heap grows past its target. \
         Explicit calls mostly add latency.",
    ),
    (
        "remove-gosched",
        "Remove runtime.Gosched from busy loops",
        "Since Go 1.14 goroutines are preempted asynchronously. \
         Yielding by hand no longer prevents starvation. \
         The call only burns scheduler time. It is kept in code that documents a reason.",
    ),
];

impl TreeRewriter for FakeRewriter {
    fn recipes(&self) -> Vec<RecipeInfo> {
        RECIPES
            .iter()
            .map(|(id, summary, rationale)| RecipeInfo {
                id: id.to_string(),
                summary: summary.to_string(),
                rationale: rationale.to_string(),
            })
            .collect()
    }

    fn wants(&self, rel_path: &str) -> bool {
        rel_path.ends_with(".go")
            && !rel_path.ends_with("_test.go")
            && !rel_path
                .split('/')
                .any(|c| c == "vendor" || c == "testdata")
    }

    fn rewrite(
        &self,
        _rel_path: &str,
        content: &[u8],
        _go_version: gomend::engine::gomod::GoVersion,
        recipe: Option<&str>,
    ) -> anyhow::Result<Option<Rewritten>> {
        let text = std::str::from_utf8(content)?;
        let mut targets = Vec::new();
        if recipe.is_none() || recipe == Some("remove-gc") {
            targets.push("runtime.GC()");
        }
        if recipe.is_none() || recipe == Some("remove-gosched") {
            targets.push("runtime.Gosched()");
        }
        let mut sites = Vec::new();
        let mut out = String::new();
        for (n, line) in text.split_inclusive('\n').enumerate() {
            if targets.contains(&line.trim()) {
                let recipe = if line.trim() == "runtime.GC()" {
                    "remove-gc"
                } else {
                    "remove-gosched"
                };
                sites.push(FixAt {
                    line: n + 1,
                    recipe: recipe.into(),
                });
            } else {
                out.push_str(line);
            }
        }
        Ok((!sites.is_empty()).then(|| Rewritten {
            content: out.into_bytes(),
            fixes: sites.len(),
            sites,
        }))
    }
}

/// A fixed signature, so that base commits have the same id on every run.
pub fn fixed_sig(seconds: i64) -> Signature<'static> {
    Signature::new("Dev Eloper", "dev@example.com", &Time::new(seconds, 0)).unwrap()
}

/// Go source with `gc` lines of `runtime.GC()` and `sched` of `runtime.Gosched()`.
pub fn go_file(pkg: &str, gc: usize, sched: usize) -> String {
    let mut s =
        format!("package {pkg}\n\nimport \"runtime\"\n\nfunc Work(items []string) int {{\n\tn := len(items)\n");
    for _ in 0..gc {
        s.push_str("\truntime.GC()\n");
    }
    for _ in 0..sched {
        s.push_str("\truntime.Gosched()\n");
    }
    s.push_str("\treturn n\n}\n");
    s
}

/// Writes `files` into the working tree, stages them and commits on HEAD
/// with a fixed time. Returns the commit id.
pub fn commit_files(repo: &Repository, files: &[(&str, &str)], message: &str, time: i64) -> Oid {
    let workdir = repo.workdir().expect("non-bare repository");
    let mut index = repo.index().unwrap();
    for (path, content) in files {
        let full = workdir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, content).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = fixed_sig(time);
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap()
}

/// A repository on branch `main` with one commit holding `files`.
pub fn init_repo(dir: &Path, files: &[(&str, &str)]) -> Repository {
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(dir, &opts).unwrap();
    {
        let mut config = repo.config().unwrap();
        config.set_str("user.name", "Config User").unwrap();
        config.set_str("user.email", "config@example.com").unwrap();
    }
    commit_files(&repo, files, "Initial commit", 1_700_000_000);
    repo
}

/// The standard sample: two packages with both kinds of call, a test file
/// and a vendored file that must be left alone.
pub fn sample_files() -> Vec<(&'static str, String)> {
    vec![
        ("go.mod", "module example.com/app\n\ngo 1.22\n".to_string()),
        ("cmd/app/main.go", go_file("main", 2, 1)),
        ("internal/pool/pool.go", go_file("pool", 1, 0)),
        ("internal/pool/pool_test.go", go_file("pool", 1, 1)),
        ("vendor/x/x.go", go_file("x", 1, 1)),
        ("README.md", "runtime.GC()\n".to_string()),
    ]
}

/// `sample_files` as borrowed pairs.
pub fn borrowed<'a>(files: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    files.iter().map(|(p, c)| (*p, c.as_str())).collect()
}

/// The content of `path` at `rev`.
pub fn file_at(repo: &Repository, rev: &str, path: &str) -> String {
    let tree = repo.revparse_single(rev).unwrap().peel_to_tree().unwrap();
    let entry = tree.get_path(Path::new(path)).unwrap();
    let blob = repo.find_blob(entry.id()).unwrap();
    String::from_utf8(blob.content().to_vec()).unwrap()
}

/// Commit messages from `tip` down to (excluding) `base`, bottom first.
pub fn messages_between(repo: &Repository, tip: Oid, base: Oid) -> Vec<String> {
    let mut out = Vec::new();
    let mut c = repo.find_commit(tip).unwrap();
    while c.id() != base {
        out.push(c.message().unwrap().to_string());
        c = c.parent(0).unwrap();
    }
    out.reverse();
    out
}

/// The tip of a local branch.
pub fn tip(repo: &Repository, branch: &str) -> Option<Oid> {
    repo.refname_to_id(&format!("refs/heads/{branch}")).ok()
}

/// `text` with the gomend version replaced, so snapshots survive releases.
pub fn unversioned(text: &str) -> String {
    text.replace(gomend::git::message::VERSION, "[version]")
}

/// A bare repository at `dir` added to `repo` as `origin`, holding `main`.
pub fn bare_origin(repo: &Repository, dir: &Path) -> Repository {
    let remote = Repository::init_bare(dir).unwrap();
    repo.remote("origin", dir.to_str().unwrap()).unwrap();
    repo.find_remote("origin")
        .unwrap()
        .push(&["refs/heads/main:refs/heads/main"], None)
        .unwrap();
    remote
}
