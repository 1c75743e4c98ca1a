//! `gomend diff`

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::setup::{count, prepare, Prepared, Totals};
use super::RunArgs;
use crate::engine::gomod::normalize;
use crate::engine::Mode;
use crate::report::diff::DiffPrinter;
use crate::report::Printer;

#[derive(Args, Debug)]
pub struct DiffArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Exit with 1 when there is a change (like `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
}

pub fn run(args: &DiffArgs) -> Result<ExitCode> {
    let p = prepare(&args.run)?;
    let mut errors = p.report_walk_errors();
    let mut files = p.files.clone();
    files.extend(p.stdin.as_ref().map(|(path, _)| path.clone()));
    let root = patch_root(&files);
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    if let Some(root) = root.as_ref().filter(|_| !p.quiet) {
        if cwd.as_deref() != Some(root.as_path()) {
            eprintln!(
                "gomend: the patch's paths are relative to {}; apply it there (`git -C {} apply` or `patch -p1 -d {}`)",
                root.display(),
                root.display(),
                root.display()
            );
        }
    }
    let mut printer = DiffPrinter::new(anstream::stdout().lock());
    let totals = p.run(Mode::Rewrite, |path, f| {
        let shown = root
            .as_deref()
            .and_then(|r| relative_to(&f.path, r))
            .unwrap_or_else(|| path.to_string());
        printer.file(&shown, f.source.as_deref().unwrap_or(""), &f.outcome)
    })?;
    errors += totals.failed;
    printer.finish()?;
    p.summary(&summary(&p, &totals));
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if args.exit_code && printer.changed > 0 {
        1
    } else {
        0
    }))
}

/// `41 files checked: 10 files changed by 15 fixes; 6 findings only
/// reported`. Report-only findings are named because the patch cannot show
/// them.
fn summary(p: &Prepared, t: &Totals) -> String {
    let scanned = p.scanned(t, "checked");
    let changes = if t.changed == 0 {
        "no changes".to_string()
    } else {
        format!(
            "{} changed by {}",
            count(t.changed, "file"),
            count(t.fixes, "fix")
        )
    };
    let reported = t.findings - t.fixable;
    if reported == 0 {
        return format!("{scanned}: {changes}");
    }
    format!(
        "{scanned}: {changes}; {} only reported, not in the patch (see `gomend check`)",
        count(reported, "finding")
    )
}

/// The directory the patch applies from: the root of the git repository
/// around the current directory, when every file is inside it; otherwise
/// the closest directory holding the current one and every file (so that no
/// header needs `..`). `None` when that is the current directory itself
/// and it is not in a repository (paths are then shown as usual).
fn patch_root(files: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let abs: Vec<std::path::PathBuf> = files
        .iter()
        .filter_map(|f| std::path::absolute(f).ok())
        .map(|f| normalize(&f))
        .collect();
    if let Some(repo) = cwd.ancestors().find(|d| d.join(".git").exists()) {
        if abs.iter().all(|f| f.starts_with(repo)) {
            return Some(repo.to_path_buf());
        }
    }
    let mut common = cwd.clone();
    for f in &abs {
        while !f.starts_with(&common) {
            if !common.pop() {
                return None;
            }
        }
    }
    (common != cwd).then_some(common)
}

/// `path` relative to `root`, with `/` separators.
fn relative_to(path: &std::path::Path, root: &std::path::Path) -> Option<String> {
    let abs = normalize(&std::path::absolute(path).ok()?);
    let rel = abs.strip_prefix(root).ok()?;
    Some(rel.to_string_lossy().replace('\\', "/"))
}
