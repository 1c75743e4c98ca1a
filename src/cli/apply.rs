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
}

pub fn run(args: &ApplyArgs) -> Result<ExitCode> {
    let p = prepare(&args.run)?;
    let mut errors = p.report_walk_errors();
    let mut files_changed = 0usize;
    let mut per_recipe: BTreeMap<String, usize> = BTreeMap::new();
    let mut reported = 0usize;
    let mut write_errors = 0usize;
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
                match crate::write::replace_file(&f.path, old, new) {
                    Ok(()) => {
                        files_changed += 1;
                        for (id, n) in &f.outcome.fixes {
                            *per_recipe.entry(id.clone()).or_insert(0) += n;
                        }
                    }
                    Err(e) => {
                        eprintln!("gomend: error: {path}: {e}");
                        write_errors += 1;
                    }
                }
            }
            Ok(())
        },
    )?;
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
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else {
        0
    }))
}
