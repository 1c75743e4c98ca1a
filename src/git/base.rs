//! Reading the files to rewrite from a commit of the object database.
//!
//! Nothing here looks at the working tree or the index: the content comes from
//! the tree of the base commit only, so a dirty checkout cannot leak into a
//! branch, and bare repositories work the same way.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use super::codeowners::{CodeOwners, LOCATIONS};
use super::rewrite::TreeRewriter;

/// A file of the base tree that gomend will look at.
#[derive(Clone, Debug)]
pub struct BaseFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// Git file mode (regular or executable).
    pub mode: i32,
    /// The blob content.
    pub content: Vec<u8>,
}

/// The snapshot of the base commit that a plan is built from.
#[derive(Debug)]
pub struct BaseTree {
    /// The revision as the user wrote it (`HEAD`, `main`, an oid...).
    pub rev: String,
    /// The commit the revision resolved to.
    pub commit: Oid,
    /// Files selected by the path filters and by [`TreeRewriter::wants`], sorted by path.
    pub files: Vec<BaseFile>,
    /// Every `go.mod` of the tree, keyed by its directory (`""` for the root).
    pub go_mods: BTreeMap<String, String>,
    /// Every `go.work` of the tree, keyed likewise.
    pub go_works: BTreeMap<String, String>,
    /// The CODEOWNERS file of the tree, if there is one.
    pub codeowners: Option<CodeOwners>,
}

/// Resolves `rev` to a commit and reads the files under `filters`
/// (repository-relative paths; empty means the whole tree).
pub fn read_base(
    repo: &Repository,
    rev: &str,
    filters: &[String],
    rewriter: &dyn TreeRewriter,
) -> Result<BaseTree> {
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .with_context(|| format!("cannot resolve base revision `{rev}` to a commit"))?;
    let tree = commit.tree()?;
    let mut blobs = Vec::new();
    let mut go_mod_blobs = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let Some(name) = entry.name() else {
            return TreeWalkResult::Ok;
        };
        let path = format!("{dir}{name}");
        let mode = entry.filemode();
        if mode == 0o120000 {
            return TreeWalkResult::Ok;
        }
        if name == "go.mod" || name == "go.work" {
            go_mod_blobs.push((
                name.to_string(),
                dir.trim_end_matches('/').to_string(),
                entry.id(),
            ));
        }
        if selected(&path, filters) && rewriter.wants(&path) {
            blobs.push((path, mode, entry.id()));
        }
        TreeWalkResult::Ok
    })?;
    let mut go_mods = BTreeMap::new();
    let mut go_works = BTreeMap::new();
    for (name, dir, id) in go_mod_blobs {
        let blob = repo.find_blob(id)?;
        let text = String::from_utf8_lossy(blob.content()).into_owned();
        if name == "go.mod" {
            go_mods.insert(dir, text);
        } else {
            go_works.insert(dir, text);
        }
    }
    let mut files = Vec::with_capacity(blobs.len());
    for (path, mode, id) in blobs {
        let blob = repo.find_blob(id)?;
        files.push(BaseFile {
            path,
            mode,
            content: blob.content().to_vec(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut codeowners = None;
    for location in LOCATIONS {
        if let Ok(entry) = tree.get_path(std::path::Path::new(location)) {
            if let Ok(blob) = repo.find_blob(entry.id()) {
                let text = String::from_utf8_lossy(blob.content());
                codeowners = Some(CodeOwners::parse(location, &text)?);
                break;
            }
        }
    }
    Ok(BaseTree {
        rev: rev.to_string(),
        commit: commit.id(),
        files,
        go_mods,
        go_works,
        codeowners,
    })
}

/// The tree's `go.mod` and `go.work` files, seen from a root at `/`.
impl crate::engine::gomod::ModuleFiles for BaseTree {
    fn read(&self, dir: &std::path::Path, name: &str) -> Option<String> {
        let rel = dir.strip_prefix("/").ok()?.to_string_lossy().into_owned();
        let map = match name {
            "go.mod" => &self.go_mods,
            "go.work" => &self.go_works,
            _ => return None,
        };
        map.get(&rel).cloned()
    }
}

/// Whether `path` is one of `filters` or lies below one of them.
fn selected(path: &str, filters: &[String]) -> bool {
    filters.is_empty()
        || filters.iter().any(|f| {
            f.is_empty()
                || path == f
                || (path.starts_with(f.as_str()) && path.as_bytes().get(f.len()) == Some(&b'/'))
        })
}

impl BaseTree {
    /// The directory of the `go.mod` closest above `path`, if any.
    pub fn module_dir(&self, path: &str) -> Option<&str> {
        let mut dir = path;
        loop {
            dir = match dir.rfind('/') {
                Some(i) => &dir[..i],
                None if dir.is_empty() => return None,
                None => "",
            };
            if let Some((key, _)) = self.go_mods.get_key_value(dir) {
                return Some(key.as_str());
            }
            if dir.is_empty() {
                return None;
            }
        }
    }

    /// The text of the `go.mod` closest above `path`, if any.
    pub fn go_mod_for(&self, path: &str) -> Option<&str> {
        self.module_dir(path)
            .and_then(|dir| self.go_mods.get(dir))
            .map(String::as_str)
    }

    /// The base files in the directory of `path` (`path` included), as
    /// (path, content): the package a recipe may look into.
    pub fn package_of(&self, path: &str) -> Vec<(&str, &[u8])> {
        let dir_of = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let dir = dir_of(path);
        self.files
            .iter()
            .filter(|f| dir_of(&f.path) == dir)
            .map(|f| (f.path.as_str(), f.content.as_slice()))
            .collect()
    }

    /// The Go version of the file at `path`, by the same rule as on disk
    /// ([`crate::engine::gomod::resolve`]).
    pub fn go_version_for(&self, path: &str) -> crate::engine::gomod::Resolved {
        let dir = std::path::Path::new("/").join(path);
        let dir = dir.parent().unwrap_or(std::path::Path::new("/"));
        crate::engine::gomod::resolve(self, dir)
    }

    /// Whether the tree holds more than one Go module, or a single one that
    /// is not at the root.
    pub fn is_multi_module(&self) -> bool {
        self.go_mods.len() > 1 || (self.go_mods.len() == 1 && !self.go_mods.contains_key(""))
    }
}

/// Converts user paths to repository-relative filters; an empty result
/// selects the whole tree.
///
/// Relative paths are taken from `cwd`; for a repository with a working tree
/// they must lie inside it. For a bare repository paths are taken as
/// repository-relative already.
pub fn path_filters(
    repo: &Repository,
    cwd: &std::path::Path,
    paths: &[std::path::PathBuf],
) -> Result<Vec<String>> {
    let Some(workdir) = repo.workdir() else {
        return Ok(paths
            .iter()
            .map(|p| normalize(&p.to_string_lossy()))
            .collect());
    };
    let workdir = workdir
        .canonicalize()
        .with_context(|| format!("cannot open working tree {}", workdir.display()))?;
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let mut out = Vec::new();
    for path in paths {
        let joined = cwd.join(path);
        let mut parts: Vec<String> = Vec::new();
        for comp in joined.components() {
            use std::path::Component;
            match comp {
                Component::ParentDir => {
                    parts.pop();
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        let abs = std::path::PathBuf::from(format!("/{}", parts.join("/")));
        let Ok(rel) = abs.strip_prefix(&workdir) else {
            bail!(
                "{} is outside the repository at {}",
                path.display(),
                workdir.display()
            );
        };
        out.push(normalize(&rel.to_string_lossy()));
    }
    out.sort();
    out.dedup();
    if out.iter().any(String::is_empty) {
        // One of the paths is the repository root: everything is selected.
        out.clear();
    }
    Ok(out)
}

fn normalize(p: &str) -> String {
    p.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// The files of a base commit on disk, for tools that need a real tree
/// (`--verify` builds packages there).
pub enum Checkout {
    /// The repository's own working tree: it is at the base commit and clean.
    WorkTree(std::path::PathBuf),
    /// A temporary copy of the base tree, removed when dropped.
    Temporary(tempfile::TempDir),
}

impl Checkout {
    /// The directory holding the tree.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Checkout::WorkTree(p) => p,
            Checkout::Temporary(t) => t.path(),
        }
    }
}

/// The tree of `commit` on disk: the working tree when `HEAD` is that
/// commit and nothing in the working tree differs from it (untracked files
/// included), otherwise a copy written into a temporary directory. Neither
/// the index, `HEAD` nor the working tree is changed.
pub fn checkout(repo: &Repository, commit: Oid) -> Result<Checkout> {
    if let Some(workdir) = repo.workdir() {
        let at_base = repo
            .head()
            .ok()
            .and_then(|h| h.target())
            .is_some_and(|head| head == commit);
        if at_base {
            let mut opts = git2::StatusOptions::new();
            opts.include_untracked(true)
                .recurse_untracked_dirs(true)
                .include_ignored(false);
            let clean = repo.statuses(Some(&mut opts)).is_ok_and(|s| s.is_empty());
            if clean {
                let dir = workdir
                    .canonicalize()
                    .with_context(|| format!("cannot open working tree {}", workdir.display()))?;
                return Ok(Checkout::WorkTree(dir));
            }
        }
    }
    let dir = tempfile::Builder::new()
        .prefix("gomend-base-")
        .tempdir()
        .context("cannot create a directory for the base tree")?;
    let tree = repo.find_commit(commit)?.tree()?;
    let mut options = git2::build::CheckoutBuilder::new();
    options
        .target_dir(dir.path())
        .force()
        .recreate_missing(true)
        .update_index(false);
    repo.checkout_tree(tree.as_object(), Some(&mut options))
        .with_context(|| {
            format!(
                "cannot write the tree of {commit} to {}",
                dir.path().display()
            )
        })?;
    Ok(Checkout::Temporary(dir))
}

#[cfg(test)]
mod tests {
    use super::selected;

    #[test]
    fn filters_select_whole_components() {
        let f = vec!["cmd".to_string()];
        assert!(selected("cmd/a.go", &f));
        assert!(selected("cmd", &f));
        assert!(!selected("cmdx/a.go", &f));
        assert!(selected("x.go", &[]));
    }
}
