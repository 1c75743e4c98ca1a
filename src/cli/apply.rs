//! `gomend apply`

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::setup::prepare;
use super::verify::{print_notes, verifier, EngineFile};
use super::RunArgs;
use crate::engine::{FileOutcome, Mode};

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub run: RunArgs,
    #[arg(long, help = super::verify::HELP)]
    pub verify: bool,
    /// Also rewrite read-only files (their mode is kept). Without it they
    /// are refused, as `gofmt -w` would.
    #[arg(long)]
    pub force: bool,
    /// Show each fix as a diff with its recipe and message and ask whether
    /// to apply it: y (yes), n (no), a (this one and every later fix of
    /// its recipe), q (quit). Needs a terminal on standard input.
    #[arg(long, short = 'i', conflicts_with = "verify")]
    pub interactive: bool,
}

/// Exit code after an interrupt (128 + SIGINT), as shells expect.
const EXIT_INTERRUPTED: u8 = 130;

/// A rewrite waiting to be written.
struct Pending {
    path: PathBuf,
    display: String,
    source: String,
    outcome: FileOutcome,
}

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    if args.run.reads_stdin() {
        anyhow::bail!("apply rewrites files in place and cannot rewrite standard input; `gomend diff -` prints the rewrite");
    }
    if args.interactive {
        return super::interactive::run(args);
    }
    // Without a toolchain, --verify stops here, before anything is read or written.
    let verifier = if args.verify { Some(verifier()?) } else { None };
    // Ctrl-C lets the file being written finish (its temporary is renamed
    // or removed), then the run stops; nothing is left half-written.
    crate::write::stop_on_interrupt();
    let p = prepare(&args.run)?;
    // One writer per tree: a second run waits for the first.
    let _lock = lock_tree(&args.run.paths)?;
    let mut cleaned = std::collections::BTreeSet::new();
    let options = crate::write::WriteOptions { force: args.force };
    let mut errors = p.report_walk_errors();
    let mut files_changed = 0usize;
    let mut per_recipe: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported = 0usize;
    let mut write_errors = 0usize;
    let mut write = |pending: &Pending, new: &str| {
        // Temporaries a killed run left beside the file go first.
        let dir = match pending.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if cleaned.insert(dir.clone()) {
            for t in crate::write::remove_stale_temporaries(&dir) {
                if args.run.quiet {
                    continue;
                }
                eprintln!("gomend: removed {} left by an interrupted run", t.display());
            }
        }
        match crate::write::replace_file_with(&pending.path, &pending.source, new, options) {
            Ok(()) => {
                files_changed += 1;
                for (id, n) in &pending.outcome.fixes {
                    *per_recipe.entry(id.clone()).or_insert(0) += n;
                }
            }
            Err(crate::write::WriteError::Skipped(why)) => {
                eprintln!("gomend: warning: {}: {why}", pending.display);
            }
            Err(e) => {
                eprintln!("gomend: error: {}: {e}", pending.display);
                write_errors += 1;
            }
        }
    };
    let mut held = Vec::new();
    let mut dropped = 0usize;
    let outcome = p.run(Mode::Rewrite, |path, f| -> Result<()> {
        if crate::write::interrupted() {
            return Err(anyhow::anyhow!(Interrupted));
        }
        reported += f
            .outcome
            .findings
            .iter()
            .filter(|x| x.finding.fix.is_none())
            .count();
        if let (Some(new), Some(old)) = (&f.outcome.rewritten, &f.source) {
            let pending = Pending {
                path: f.path.clone(),
                display: path.to_string(),
                source: old.clone(),
                outcome: f.outcome.clone(),
            };
            if verifier.is_some() {
                held.push(pending);
            } else {
                write(&pending, new);
            }
        }
        Ok(())
    });
    let interrupted = match outcome {
        Ok(totals) => {
            errors += totals.failed;
            false
        }
        Err(e) if e.is::<Interrupted>() => true,
        Err(e) => return Err(e),
    };
    if let Some(verifier) = verifier.as_ref().filter(|_| !interrupted) {
        let mut candidates = Vec::new();
        for pending in &held {
            let version = p.versions.version_for(&pending.path);
            match EngineFile::new(
                &p.engine,
                &pending.path,
                pending.display.clone(),
                pending.source.clone(),
                version,
                &pending.outcome,
            ) {
                Ok(c) => candidates.push((pending, c)),
                Err(e) => {
                    eprintln!("gomend: error: {}: {e}", pending.display);
                    errors += 1;
                }
            }
        }
        let (pendings, files): (Vec<&Pending>, Vec<EngineFile>) = candidates.into_iter().unzip();
        let mut notes = Vec::new();
        let verdicts = verifier.verify(&files, &mut notes);
        print_notes(&notes);
        for ((pending, file), verdict) in pendings.into_iter().zip(&files).zip(verdicts) {
            dropped += file.sites.len() - verdict.kept.len();
            let Some(outcome) = verdict.output else {
                continue;
            };
            if let Some(new) = &outcome.rewritten {
                let verified = Pending {
                    outcome: outcome.clone(),
                    path: pending.path.clone(),
                    display: pending.display.clone(),
                    source: pending.source.clone(),
                };
                write(&verified, new);
            }
        }
    }
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
    if dropped > 0 {
        writeln!(
            out,
            "{dropped} fix{} left out: {} not verify (see the messages above)",
            if dropped == 1 { "" } else { "es" },
            if dropped == 1 { "it did" } else { "they did" }
        )?;
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
            "gomend: interrupted; the files counted above were written, the others are unchanged"
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

/// Takes the lock of the tree holding `paths`, saying so while another run
/// holds it: one writer per tree.
pub(super) fn lock_tree(paths: &[std::path::PathBuf]) -> Result<crate::write::TreeLock> {
    let root = crate::write::tree_root(paths);
    crate::write::TreeLock::acquire(&root, |lock| {
        eprintln!(
            "gomend: another gomend run is rewriting {}; waiting for it to finish (lock {})",
            root.display(),
            lock.display()
        );
    })
    .map_err(anyhow::Error::msg)
}
