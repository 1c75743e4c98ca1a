//! `gomend check`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::setup::prepare;
use super::RunArgs;
use crate::engine::Mode;
use crate::git::changed::ChangedLines;
use crate::report::baseline::{Baseline, BaselineWriter};
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
    /// Report only the findings not recorded in this baseline (written by
    /// --write-baseline). Recorded findings that are gone are listed on
    /// stderr as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding in FILE (JSON, stable order) instead of
    /// reporting them; exit 0. Later runs with --baseline FILE report only
    /// new findings.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "new_from_rev"])]
    pub write_baseline: Option<PathBuf>,
    /// Report only the findings that start on a line changed since REV (a
    /// commit, branch or tag): the working tree, staged or not, against
    /// REV's tree. Files new since REV count as changed on every line.
    #[arg(long, value_name = "REV")]
    pub new_from_rev: Option<String>,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let mut baseline = match &args.baseline {
        Some(b) => Some(Baseline::load(b).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let changed = match &args.new_from_rev {
        Some(rev) => Some(ChangedLines::since(
            rev,
            &repository_start(&args.run.paths),
        )?),
        None => None,
    };
    let mut writer = args.write_baseline.as_deref().map(BaselineWriter::new);
    let p = prepare(&args.run)?;
    let mut errors = p.report_walk_errors();
    let stdout = anstream::stdout();
    let mut printer: Box<dyn Printer> = match args.format {
        Format::Text => Box::new(TextPrinter::new(stdout.lock())),
        Format::Json => Box::new(JsonPrinter::new(std::io::stdout().lock())),
    };
    let mut findings = 0usize;
    errors += p.run(Mode::Check, |path, f| {
        let source = f.source.as_deref().unwrap_or("");
        if let Some(w) = &mut writer {
            w.add(&f.path, source, &f.outcome.findings);
            return Ok(());
        }
        let filtered;
        let outcome = if baseline.is_some() || changed.is_some() {
            let mut o = f.outcome.clone();
            // The baseline first: its entries are used up by the findings
            // they cover, wherever those are.
            if let Some(b) = &mut baseline {
                b.filter(&f.path, source, &mut o.findings);
            }
            if let Some(c) = &changed {
                o.findings.retain(|x| c.contains(&f.path, x.line));
            }
            filtered = o;
            &filtered
        } else {
            &f.outcome
        };
        findings += outcome.findings.len();
        printer.file(path, source, outcome)
    })?;
    printer.finish()?;
    if let (Some(w), Some(file)) = (&writer, &args.write_baseline) {
        if errors > 0 {
            anyhow::bail!(
                "--write-baseline {}: not written, as some files could not be checked (see above)",
                file.display()
            );
        }
        crate::write::write_whole_file(file, &w.to_json()).map_err(anyhow::Error::msg)?;
        let n = w.len();
        eprintln!(
            "gomend: recorded {n} finding{} in {}",
            if n == 1 { "" } else { "s" },
            file.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let (Some(b), Some(file)) = (&baseline, &args.baseline) {
        let fixed = b.fixed(&p.files, &args.run.paths);
        if !fixed.is_empty() {
            let n: usize = fixed.iter().map(|e| e.count).sum();
            eprintln!(
                "gomend: {n} finding{} of the baseline {} fixed; `--write-baseline {}` records the smaller baseline:",
                if n == 1 { "" } else { "s" },
                if n == 1 { "is" } else { "are" },
                file.display()
            );
            for e in fixed {
                let times = if e.count > 1 {
                    format!(" ({} times)", e.count)
                } else {
                    String::new()
                };
                eprintln!("  {}: {}: {}{times}", e.path, e.recipe, e.source);
            }
        }
    }
    Ok(ExitCode::from(if errors > 0 {
        super::EXIT_ERROR
    } else if findings > 0 {
        1
    } else {
        0
    }))
}

/// Where to look for the repository of `--new-from-rev`: the first path's
/// directory.
fn repository_start(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    if first.is_dir() {
        first
    } else {
        match first.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}
