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
}

/// A rewrite waiting to be written.
struct Pending {
    path: PathBuf,
    display: String,
    source: String,
    outcome: FileOutcome,
}

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    // Without a toolchain, --verify stops here, before anything is read or written.
    let verifier = if args.verify { Some(verifier()?) } else { None };
    let p = prepare(&args.run)?;
    let mut errors = p.report_walk_errors();
    let mut files_changed = 0usize;
    let mut per_recipe: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported = 0usize;
    let mut write_errors = 0usize;
    let mut write = |pending: &Pending, new: &str| match crate::write::replace_file(
        &pending.path,
        &pending.source,
        new,
    ) {
        Ok(()) => {
            files_changed += 1;
            for (id, n) in &pending.outcome.fixes {
                *per_recipe.entry(id.clone()).or_insert(0) += n;
            }
        }
        Err(e) => {
            eprintln!("gomend: error: {}: {e}", pending.display);
            write_errors += 1;
        }
    };
    let mut held = Vec::new();
    let mut dropped = 0usize;
    errors += p.run(
        Mode::Rewrite,
        args.run.engine.generated,
        |path, f| -> Result<()> {
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
        },
    )?;
    if let Some(verifier) = &verifier {
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
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else {
        0
    }))
}
