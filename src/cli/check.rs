//! `gomend check`

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::setup::prepare;
use super::RunArgs;
use crate::engine::Mode;
use crate::report::json::JsonPrinter;
use crate::report::text::TextPrinter;
use crate::report::Printer;

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let p = prepare(&args.run)?;
    let mut errors = p.report_walk_errors();
    let stdout = anstream::stdout();
    let mut printer: Box<dyn Printer> = match args.format {
        Format::Text => Box::new(TextPrinter::new(stdout.lock())),
        Format::Json => Box::new(JsonPrinter::new(std::io::stdout().lock())),
    };
    let mut findings = 0usize;
    errors += p.run(Mode::Check, |path, f| {
        findings += f.outcome.findings.len();
        printer.file(path, f.source.as_deref().unwrap_or(""), &f.outcome)
    })?;
    printer.finish()?;
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if findings > 0 {
        1
    } else {
        0
    }))
}
