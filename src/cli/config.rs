//! `gomend config`: the configuration in force and where each value comes from.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::setup::{all_recipes, configure};
use super::EngineArgs;

#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// The file or directory whose configuration to show (the `.gomend.toml`
    /// is looked for from there upward). Defaults to the current directory.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
}

const DEFAULT: &str = "default";
const COMMAND_LINE: &str = "command line";

/// One printed row: name, value, origin.
struct Row(String, String, String);

pub fn run(args: &ConfigArgs) -> Result<ExitCode> {
    let cli = &args.engine;
    let eff = configure(cli, std::slice::from_ref(&args.path))?;
    // Validates `--set` and `--recipe`/`--skip` as a run would.
    super::setup::engine(&eff)?;
    let file = eff.file.config.as_deref();
    let from_file = |line: usize| match file {
        Some(f) => format!("{}:{line}", f.shown()),
        None => DEFAULT.to_string(),
    };
    let mut out = anstream::stdout().lock();
    match (file, cli.no_config) {
        (Some(f), _) => writeln!(
            out,
            "configuration file: {}{}",
            f.shown(),
            if cli.config.is_some() {
                " (--config)"
            } else {
                ""
            }
        )?,
        (None, true) => writeln!(out, "configuration file: none (--no-config)")?,
        (None, false) => writeln!(
            out,
            "configuration file: none (no {} from {} up to the repository root)",
            crate::config::FILE_NAME,
            crate::walk::display_path(&args.path)
        )?,
    }
    let mut rows = Vec::new();
    let go_version = match (&cli.go_version, file.and_then(|f| f.go_version.as_ref())) {
        (Some(v), _) => Row("go-version".into(), v.clone(), COMMAND_LINE.into()),
        (None, Some(v)) => Row(
            "go-version".into(),
            eff.go_version.clone().unwrap_or_default(),
            from_file(v.line),
        ),
        (None, None) => Row(
            "go-version".into(),
            "from each file's go.mod or go.work".into(),
            DEFAULT.into(),
        ),
    };
    rows.push(go_version);
    for (name, value, on, off, placed) in [
        (
            "tests",
            eff.tests,
            cli.tests,
            cli.no_tests,
            file.and_then(|f| f.tests.as_ref()),
        ),
        (
            "generated",
            eff.generated,
            cli.generated,
            cli.no_generated,
            file.and_then(|f| f.generated.as_ref()),
        ),
    ] {
        let origin = if on || off {
            COMMAND_LINE.to_string()
        } else if let Some(p) = placed {
            from_file(p.line)
        } else {
            DEFAULT.to_string()
        };
        rows.push(Row(name.into(), value.to_string(), origin));
    }
    let empty = Vec::new();
    for (name, list) in [
        ("include", file.map_or(&empty, |f| &f.include)),
        ("exclude", file.map_or(&empty, |f| &f.exclude)),
    ] {
        if list.is_empty() {
            let what = if name == "include" {
                "every file walked"
            } else {
                "nothing"
            };
            rows.push(Row(name.into(), what.into(), DEFAULT.into()));
        }
        for (i, g) in list.iter().enumerate() {
            let shown = if i == 0 { name } else { "" };
            rows.push(Row(shown.into(), g.value.clone(), from_file(g.line)));
        }
    }
    let mut codemods: Vec<(String, String)> = file
        .map(|f| {
            f.codemods
                .iter()
                .map(|d| (crate::walk::display_path(&d.value), from_file(d.line)))
                .collect()
        })
        .unwrap_or_default();
    codemods.extend(
        cli.codemods
            .iter()
            .map(|d| (d.display().to_string(), COMMAND_LINE.to_string())),
    );
    if codemods.is_empty() {
        rows.push(Row("codemods".into(), "none".into(), DEFAULT.into()));
    }
    for (i, (d, origin)) in codemods.into_iter().enumerate() {
        rows.push(Row(if i == 0 { "codemods" } else { "" }.into(), d, origin));
    }
    print_rows(&mut out, &rows)?;

    let all = all_recipes(&eff.codemods)?;
    let find = |list: &[crate::config::Placed<String>], id: &str| {
        list.iter().find(|p| p.value == id).map(|p| p.line)
    };
    writeln!(out, "\nrecipes:")?;
    let mut rows = Vec::new();
    for r in &all {
        let id = r.id.to_string();
        let (on, origin) = if cli.skip.contains(&id) {
            (false, "command line (--skip)".to_string())
        } else if !cli.recipes.is_empty() {
            if cli.recipes.contains(&id) {
                (true, "command line (--recipe)".to_string())
            } else {
                (false, "command line (--recipe names others)".to_string())
            }
        } else if let Some(line) = file.and_then(|f| find(&f.disable, &id)) {
            (false, format!("{} (disable)", from_file(line)))
        } else if let Some(line) = file.and_then(|f| find(&f.enable, &id)) {
            (true, format!("{} (enable)", from_file(line)))
        } else if r.spec.opt_in {
            (false, "default (opt-in)".to_string())
        } else {
            (true, DEFAULT.to_string())
        };
        rows.push(Row(
            format!("  {id}"),
            if on { "on" } else { "off" }.into(),
            origin,
        ));
    }
    print_rows(&mut out, &rows)?;

    let mut rows = Vec::new();
    for r in &all {
        for (name, default) in &r.spec.settings {
            let key = format!("{}.{name}", r.id);
            let cli_value = cli
                .set
                .iter()
                .filter_map(|s| s.split_once('='))
                .filter(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_string())
                .next_back();
            let file_value = file.and_then(|f| {
                f.settings
                    .iter()
                    .rev()
                    .find(|s| s.recipe.value == *r.id && s.name.value == *name)
            });
            let (value, origin) = match (cli_value, file_value) {
                (Some(v), _) => (v, COMMAND_LINE.to_string()),
                (None, Some(s)) => (s.value.value.clone(), from_file(s.name.line)),
                (None, None) => (default.to_string(), DEFAULT.to_string()),
            };
            rows.push(Row(format!("  {key}"), value, origin));
        }
    }
    if !rows.is_empty() {
        writeln!(out, "\nsettings:")?;
        print_rows(&mut out, &rows)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_rows(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for Row(name, value, origin) in rows {
        writeln!(out, "{name:w0$}  {value:w1$}  {origin}")?;
    }
    Ok(())
}
