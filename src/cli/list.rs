//! `gomend list`

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Also list the recipes in the codemod files of this directory.
    #[arg(long, value_name = "DIR")]
    pub codemods: Vec<std::path::PathBuf>,
}

pub fn run(args: &ListArgs) -> Result<ExitCode> {
    let mut all = crate::recipes::builtin().map_err(anyhow::Error::msg)?;
    for dir in &args.codemods {
        all.extend(crate::recipes::load_dir(dir).map_err(anyhow::Error::msg)?);
    }
    let width = all.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = anstream::stdout().lock();
    for r in &all {
        let note = if r.spec.opt_in {
            " (off unless enabled with --recipe)"
        } else {
            ""
        };
        writeln!(
            out,
            "{:width$}  {:6}  {}{note}",
            r.id,
            r.spec.kind.as_str(),
            r.spec.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
