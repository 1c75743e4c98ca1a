//! `gomend check`

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::setup::{count, prepare, Prepared, Totals};
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
    let totals = p.run(Mode::Check, args.run.engine.generated, |path, f| {
        printer.file(path, f.source.as_deref().unwrap_or(""), &f.outcome)
    })?;
    errors += totals.failed;
    printer.finish()?;
    p.summary(&summary(&p, &totals));
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if totals.findings > 0 {
        1
    } else {
        0
    }))
}

/// `41 files checked: 21 findings, 15 fixable, 6 report-only`.
fn summary(p: &Prepared, t: &Totals) -> String {
    let scanned = p.scanned(t, "checked");
    if t.findings == 0 {
        return format!("{scanned}: no findings");
    }
    format!(
        "{scanned}: {}, {} fixable, {} report-only",
        count(t.findings, "finding"),
        t.fixable,
        t.report_only()
    )
}
