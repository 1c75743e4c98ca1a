//! `gomend test [DIR]`: runs the cases of the recipes in a codemod directory.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Result};
use clap::Args;

use crate::engine::gomod::VersionResolver;
use crate::harness;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// The codemod directory (its *.toml files, cases in testdata/<id>/).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Test only this recipe (repeatable).
    #[arg(long = "recipe", value_name = "ID")]
    pub recipes: Vec<String>,
    /// A recipe setting for the run, as RECIPE.NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "RECIPE.NAME=VALUE")]
    pub set: Vec<String>,
    /// Test the built-in recipes instead, with the cases of each in DIR/<id>/
    /// (DIR: the fixtures/ directory of gomend's source tree).
    #[arg(long)]
    pub builtin: bool,
}

pub fn run(args: &TestArgs) -> Result<ExitCode> {
    let all = if args.builtin {
        if !args.dir.is_dir() {
            bail!("{}: no such directory", args.dir.display());
        }
        crate::recipes::builtin().map_err(anyhow::Error::msg)?
    } else {
        crate::recipes::load_dir(&args.dir).map_err(anyhow::Error::msg)?
    };
    if all.is_empty() {
        bail!(
            "{}: no codemod files (*.toml); `gomend new <id> --dir {}` writes one",
            args.dir.display(),
            args.dir.display()
        );
    }
    for id in &args.recipes {
        if !all.iter().any(|r| &*r.id == id) {
            let known: Vec<&str> = all.iter().map(|r| &*r.id).collect();
            bail!(
                "no recipe `{id}` in {} (there: {})",
                args.dir.display(),
                known.join(", ")
            );
        }
    }
    let settings = super::setup::parse_settings(&args.set)?;
    super::setup::check_settings(&settings, &all)?;
    let versions = VersionResolver::new(None);
    let mut out = anstream::stdout().lock();
    let (ok, bad) = (
        Style::new().fg_color(Some(AnsiColor::Green.into())),
        Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    );
    let (mut suites, mut failed_suites, mut cases, mut failed_cases) = (0, 0, 0, 0);
    for recipe in all {
        if !args.recipes.is_empty() && !args.recipes.iter().any(|r| *r == *recipe.id) {
            continue;
        }
        let dir = if args.builtin {
            args.dir.join(&*recipe.id)
        } else {
            harness::case_dir(&args.dir, &recipe.id)
        };
        let result = harness::run_suite(recipe, &dir, &settings, &versions);
        suites += 1;
        cases += result.cases.len();
        let failing: Vec<_> = result.cases.iter().filter(|c| !c.passed()).collect();
        failed_cases += failing.len();
        if result.passed() {
            writeln!(
                out,
                "{ok}ok{ok:#}    {} ({} case{})",
                result.id,
                result.cases.len(),
                if result.cases.len() == 1 { "" } else { "s" }
            )?;
            continue;
        }
        failed_suites += 1;
        writeln!(out, "{bad}FAIL{bad:#}  {}", result.id)?;
        if let Some(e) = &result.error {
            for line in e.lines() {
                writeln!(out, "  {line}")?;
            }
        }
        for c in failing {
            for p in &c.problems {
                for line in p.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    writeln!(
        out,
        "\n{} recipe{}, {cases} case{}: {}",
        suites,
        if suites == 1 { "" } else { "s" },
        if cases == 1 { "" } else { "s" },
        if failed_suites == 0 {
            format!("{ok}all passed{ok:#}")
        } else {
            let cases = match failed_cases {
                0 => String::new(),
                1 => " (1 case)".to_string(),
                n => format!(" ({n} cases)"),
            };
            format!("{bad}{failed_suites} recipe(s) failed{bad:#}{cases}")
        }
    )?;
    Ok(if failed_suites == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
