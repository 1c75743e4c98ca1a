//! The lines of the working tree changed since a revision, for
//! `check --new-from-rev REV`.
//!
//! The working tree (staged or not, untracked files included, ignored files
//! not) is compared with REV's tree, renames followed. A file that is new
//! since REV counts as changed on every line.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use git2::{Delta, DiffFindOptions, DiffOptions, Repository};

use crate::engine::gomod::normalize;

/// Which lines changed, per file.
#[derive(Debug, Default)]
pub struct ChangedLines {
    /// The working tree's root, canonical.
    workdir: PathBuf,
    /// Repository-relative paths (with `/`): `None` when the whole file is new.
    files: HashMap<String, Option<BTreeSet<usize>>>,
}

impl ChangedLines {
    /// The lines changed since `rev` in the repository around `start`.
    pub fn since(rev: &str, start: &Path) -> Result<Self> {
        let repo = Repository::discover(start).with_context(|| {
            format!(
                "--new-from-rev: {} is not in a git repository",
                start.display()
            )
        })?;
        let workdir = repo
            .workdir()
            .ok_or_else(|| anyhow!("--new-from-rev: the repository has no working tree"))?;
        let workdir = workdir
            .canonicalize()
            .unwrap_or_else(|_| workdir.to_path_buf());
        let tree = repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .map_err(|e| {
                anyhow!(
                    "--new-from-rev {rev}: not a revision of this repository ({})",
                    e.message()
                )
            })?;
        let mut opts = DiffOptions::new();
        opts.context_lines(0)
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .show_untracked_content(true);
        let mut diff = repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))
            .context("--new-from-rev: cannot compare the working tree")?;
        diff.find_similar(Some(
            DiffFindOptions::new().renames(true).for_untracked(true),
        ))
        .context("--new-from-rev: cannot follow renames")?;
        let mut files: HashMap<String, Option<BTreeSet<usize>>> = HashMap::new();
        for delta in diff.deltas() {
            let Some(path) = delta.new_file().path() else {
                continue;
            };
            let name = path.to_string_lossy().replace('\\', "/");
            match delta.status() {
                Delta::Added | Delta::Untracked => {
                    files.insert(name, None);
                }
                Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange => {
                    files.entry(name).or_insert_with(|| Some(BTreeSet::new()));
                }
                _ => {}
            }
        }
        diff.foreach(
            &mut |_, _| true,
            None,
            Some(&mut |delta, hunk| {
                if let Some(path) = delta.new_file().path() {
                    let name = path.to_string_lossy().replace('\\', "/");
                    if let Some(Some(lines)) = files.get_mut(&name) {
                        let start = hunk.new_start() as usize;
                        lines.extend(start..start + hunk.new_lines() as usize);
                    }
                }
                true
            }),
            None,
        )
        .context("--new-from-rev: cannot read the changes")?;
        Ok(ChangedLines { workdir, files })
    }

    /// Whether `line` (1-based) of `file` changed.
    pub fn contains(&self, file: &Path, line: usize) -> bool {
        let abs = file
            .canonicalize()
            .unwrap_or_else(|_| normalize(&std::path::absolute(file).unwrap_or_default()));
        let Ok(rel) = abs.strip_prefix(&self.workdir) else {
            return false;
        };
        let name = rel.to_string_lossy().replace('\\', "/");
        match self.files.get(&name) {
            Some(None) => true,
            Some(Some(lines)) => lines.contains(&line),
            None => false,
        }
    }
}
