//! `gomend explain <id>`

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use crate::engine::Recipe;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The recipe id (see `gomend list`).
    pub id: String,
    /// Also look in the codemod files of this directory.
    #[arg(long, value_name = "DIR")]
    pub codemods: Vec<std::path::PathBuf>,
}

pub fn run(args: &ExplainArgs) -> Result<ExitCode> {
    let mut all = crate::recipes::builtin().map_err(anyhow::Error::msg)?;
    for dir in &args.codemods {
        all.extend(crate::recipes::load_dir(dir).map_err(anyhow::Error::msg)?);
    }
    if args.id == crate::report::UNUSED_IGNORE {
        let rule = unused_ignore_rule();
        anstream::stdout().lock().write_all(rule.help.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(r) = all.iter().find(|r| *r.id == *args.id) else {
        let known: Vec<&str> = all.iter().map(|r| &*r.id).collect();
        bail!("unknown recipe `{}` (known: {})", args.id, known.join(", "));
    };
    anstream::stdout().lock().write_all(render(r).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The explanation of one recipe, as plain text.
pub fn render(r: &Recipe) -> String {
    let s = &r.spec;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})\n", s.id, s.kind.as_str());
    let _ = writeln!(out, "{}\n", s.summary);
    let _ = writeln!(out, "Finds:\n  {}\n", s.message);
    let _ = writeln!(out, "Why it matters:");
    for line in s.rationale.trim().lines() {
        let _ = writeln!(out, "  {}", line.trim());
    }
    if let Some(rw) = &s.rewrite {
        let _ = writeln!(out, "\nRewrite:\n  {}", rw.trim());
    }
    if !s.report_only.is_empty() {
        let _ = writeln!(out, "\nReports without rewriting when:");
        for c in &s.report_only {
            let _ = writeln!(out, "  - {c}");
        }
    }
    if !s.settings.is_empty() {
        let _ = writeln!(out, "\nSettings (--set {}.NAME=VALUE):", s.id);
        for (k, v) in &s.settings {
            let _ = writeln!(out, "  {k} (default {v})");
        }
    }
    if let Some(ex) = &s.example {
        match &ex.go_version {
            Some(v) => {
                let _ = writeln!(out, "\nBefore (in a module at Go {v}):");
            }
            None => {
                let _ = writeln!(out, "\nBefore:");
            }
        }
        for line in ex.before.trim_matches('\n').lines() {
            let _ = writeln!(out, "    {line}");
        }
        if let Some(after) = &ex.after {
            let _ = writeln!(out, "\nAfter:");
            for line in after.trim_matches('\n').lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\nSilence one finding with `//gomend:ignore {id}` at the end of its line or alone on the line \
         above, and a whole file with `//gomend:file-ignore {id}` before its package clause.",
        id = s.id
    );
    out
}

/// The rule `check --report-unused-ignores` reports under.
pub fn unused_ignore_rule() -> crate::report::RuleInfo {
    let id = crate::report::UNUSED_IGNORE;
    let summary = "Suppression comments that silence nothing";
    let rationale = "A `//gomend:ignore` comment that silences no finding, or names a recipe that \
        does not exist, hides nothing today but will hide a real finding tomorrow, or was \
        meant for another line or recipe (a typo in an id silences nothing). A \
        `//gomend:file-ignore` after the package clause applies nowhere.";
    let help = format!(
        "{id} (report)\n\n{summary}\n\nWhy it matters:\n  {rationale}\n\n\
         Reported by `gomend check --report-unused-ignores`. Remove the comment, or correct \
         its recipe ids (`gomend list`) or its place: at the end of the finding's line, alone \
         on the line above it, or, for `//gomend:file-ignore`, before the package clause.\n"
    );
    crate::report::RuleInfo {
        id: id.to_string(),
        summary: summary.to_string(),
        rationale: rationale.to_string(),
        help,
        severity: "note",
    }
}
