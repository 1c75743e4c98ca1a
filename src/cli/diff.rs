//! `gomend diff`

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::setup::prepare;
use super::RunArgs;
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
    let mut printer = DiffPrinter::new(anstream::stdout().lock());
    errors += p.run(Mode::Rewrite, args.run.engine.generated, |path, f| {
        printer.file(path, f.source.as_deref().unwrap_or(""), &f.outcome)
    })?;
    printer.finish()?;
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if args.exit_code && printer.changed > 0 {
        1
    } else {
        0
    }))
}
