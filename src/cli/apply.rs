//! `gomend apply`

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::setup::prepare;
use super::RunArgs;
use crate::engine::Mode;

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Also rewrite read-only files (their mode is kept). Without it they
    /// are refused, as `gofmt -w` would.
    #[arg(long)]
    pub force: bool,
}

/// Exit code after an interrupt (128 + SIGINT), as shells expect.
const EXIT_INTERRUPTED: u8 = 130;

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    // Ctrl-C lets the file being written finish (its temporary is renamed
    // or removed), then the run stops; nothing is left half-written.
    crate::write::stop_on_interrupt();
    let p = prepare(&args.run)?;
    // One writer per tree: a second run waits for the first.
    let root = crate::write::tree_root(&args.run.paths);
    let _lock = crate::write::TreeLock::acquire(&root, |lock| {
        eprintln!(
            "gomend: another gomend run is rewriting {}; waiting for it to finish (lock {})",
            root.display(),
            lock.display()
        );
    })
    .map_err(anyhow::Error::msg)?;
    let mut cleaned = std::collections::BTreeSet::new();
    let options = crate::write::WriteOptions { force: args.force };
    let mut errors = p.report_walk_errors();
    let mut files_changed = 0usize;
    let mut per_recipe: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported = 0usize;
    let mut write_errors = 0usize;
    let outcome = p.run(
        Mode::Rewrite,
        args.run.engine.generated,
        |path, f| -> Result<()> {
            reported += f
                .outcome
                .findings
                .iter()
                .filter(|x| x.finding.fix.is_none())
                .count();
            if crate::write::interrupted() {
                return Err(anyhow::anyhow!(Interrupted));
            }
            if let (Some(new), Some(old)) = (&f.outcome.rewritten, &f.source) {
                let dir = f.path.parent().map(|d| d.to_path_buf()).unwrap_or_default();
                if cleaned.insert(dir.clone()) {
                    let dir = if dir.as_os_str().is_empty() {
                        std::path::PathBuf::from(".")
                    } else {
                        dir
                    };
                    for t in crate::write::remove_stale_temporaries(&dir) {
                        eprintln!("gomend: removed {} left by an interrupted run", t.display());
                    }
                }
                match crate::write::replace_file_with(&f.path, old, new, options) {
                    Ok(()) => {
                        files_changed += 1;
                        for (id, n) in &f.outcome.fixes {
                            *per_recipe.entry(id.clone()).or_insert(0) += n;
                        }
                    }
                    Err(crate::write::WriteError::Skipped(why)) => {
                        eprintln!("gomend: warning: {path}: {why}");
                    }
                    Err(e) => {
                        eprintln!("gomend: error: {path}: {e}");
                        write_errors += 1;
                    }
                }
            }
            Ok(())
        },
    );
    let interrupted = match outcome {
        Ok(n) => {
            errors += n;
            false
        }
        Err(e) if e.is::<Interrupted>() => true,
        Err(e) => return Err(e),
    };
    errors += write_errors;
    let total: usize = per_recipe.values().sum();
    let mut out = anstream::stdout().lock();
    let s = |n: usize| if n == 1 { "" } else { "s" };
    writeln!(
        out,
        "{files_changed} file{} changed, {total} fix{} applied",
        s(files_changed),
        if total == 1 { "" } else { "es" }
    )?;
    for (id, n) in &per_recipe {
        writeln!(out, "  {id}: {n}")?;
    }
    if reported > 0 {
        writeln!(
            out,
            "{reported} finding{} left for a human (see `gomend check`)",
            s(reported)
        )?;
    }
    if interrupted || crate::write::interrupted() {
        eprintln!(
            "gomend: interrupted; the files listed above were written, the others are unchanged"
        );
        return Ok(ExitCode::from(EXIT_INTERRUPTED));
    }
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else {
        0
    }))
}

/// The run was stopped by Ctrl-C.
#[derive(Debug)]
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}
