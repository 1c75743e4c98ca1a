//! Turning `RunArgs` into an engine, a version resolver and a file list.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::{EngineArgs, RunArgs};
use crate::engine::gomod::{GoVersion, VersionResolver};
use crate::engine::{Engine, Mode, Recipe, Settings};
use crate::recipes::{self, Selection};
use crate::walk::display_path;
use crate::walk::{self, WalkOptions};
use crate::worker::{self, Processed, RunOptions};

/// Everything a run needs.
pub struct Prepared {
    pub engine: Engine,
    pub versions: VersionResolver,
    pub files: Vec<PathBuf>,
    /// Problems met while walking (reported, and they make the exit code 2).
    pub walk_errors: Vec<String>,
}

impl Prepared {
    /// Runs the engine over the files, in order, with a progress bar on a
    /// terminal. Each file's warnings and errors go to stderr; `sink` gets
    /// every file with its displayed path. Returns how many files failed.
    pub fn run<E>(
        &self,
        mode: Mode,
        generated: bool,
        mut sink: impl FnMut(&str, &Processed) -> Result<(), E>,
    ) -> Result<usize, E> {
        let bar = progress(self.files.len());
        let mut failed = 0;
        worker::run(
            &self.engine,
            &self.versions,
            &self.files,
            mode,
            RunOptions { generated },
            |f| {
                let path = display_path(&f.path);
                for w in &f.outcome.warnings {
                    bar.suspend(|| eprintln!("gomend: warning: {path}: {w}"));
                }
                if let Some(e) = &f.outcome.error {
                    bar.suspend(|| eprintln!("gomend: error: {path}: {e}"));
                    failed += 1;
                }
                sink(&path, &f)
            },
            |n| bar.inc(n as u64),
        )?;
        bar.finish_and_clear();
        for w in self.versions.take_warnings() {
            eprintln!("gomend: warning: {w}");
        }
        Ok(failed)
    }

    /// Prints the problems met while walking; returns how many there were.
    pub fn report_walk_errors(&self) -> usize {
        for e in &self.walk_errors {
            eprintln!("gomend: error: {e}");
        }
        self.walk_errors.len()
    }
}

/// The built-in recipes and those of the `--codemods` directories.
pub fn all_recipes(codemods: &[PathBuf]) -> Result<Vec<Recipe>> {
    let mut all = recipes::builtin().map_err(anyhow::Error::msg)?;
    for dir in codemods {
        let extra = recipes::load_dir(dir).map_err(anyhow::Error::msg)?;
        for r in extra {
            if all.iter().any(|a| a.id == r.id) {
                bail!("{}: recipe `{}` is already defined", dir.display(), r.id);
            }
            all.push(r);
        }
    }
    Ok(all)
}

/// The recipes selected by `--recipe`, `--skip` and `--codemods`, with
/// their `--set` settings in place.
pub fn selected_recipes(args: &EngineArgs) -> Result<Vec<Recipe>> {
    let all = all_recipes(&args.codemods)?;
    let settings = settings(&args.set)?;
    check_settings(&settings, &all)?;
    let selection = Selection {
        only: args.recipes.clone(),
        skip: args.skip.clone(),
    };
    selection
        .apply(all)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .map(|r| r.with_settings(&settings).map_err(anyhow::Error::from))
        .collect()
}

/// Parses `--set RECIPE.NAME=VALUE` arguments.
pub fn settings(set: &[String]) -> Result<Settings> {
    let mut settings = Settings::default();
    for s in set {
        let Some((key, value)) = s.split_once('=') else {
            bail!("--set takes RECIPE.NAME=VALUE, got `{s}`");
        };
        if !key.contains('.') {
            bail!("--set takes RECIPE.NAME=VALUE, got `{s}` (the name needs its recipe id, e.g. bounded-spawn.limit)");
        }
        settings.set(key.trim(), value.trim());
    }
    Ok(settings)
}

/// The engine and version resolver for `args`.
pub fn engine(args: &EngineArgs) -> Result<(Engine, VersionResolver)> {
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            bail!("--jobs must be at least 1");
        }
        // A second call (in tests, several runs in one process) keeps the first pool.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global();
    }
    let forced = match &args.go_version {
        Some(v) => Some(
            v.parse::<GoVersion>()
                .map_err(anyhow::Error::msg)
                .context("--go-version")?,
        ),
        None => None,
    };
    let recipes = selected_recipes(args)?;
    let settings = settings(&args.set)?;
    Ok((
        Engine::new(recipes, settings).with_packages(crate::engine::package::DiskPackages),
        VersionResolver::new(forced),
    ))
}

/// Checks every setting against the recipe it names, among `all` (the
/// built-in recipes and those of `--codemods`): the recipe must declare it,
/// and the value must have the type of the declared default.
pub fn check_settings(settings: &Settings, all: &[Recipe]) -> Result<()> {
    for key in settings.keys() {
        let (id, name) = key.split_once('.').unwrap_or((key, ""));
        let value = settings.get(key).unwrap_or("");
        match all.iter().find(|r| &*r.id == id) {
            Some(r) if r.spec.settings.contains_key(name) => {
                let default = &r.spec.settings[name];
                if default.is_integer() && value.parse::<u64>().is_err() {
                    bail!("--set {key}={value}: `{name}` takes a whole number (default {default})");
                }
                if default.is_bool() && value.parse::<bool>().is_err() {
                    bail!("--set {key}={value}: `{name}` takes true or false (default {default})");
                }
            }
            Some(r) => {
                let known: Vec<&String> = r.spec.settings.keys().collect();
                if known.is_empty() {
                    bail!("recipe `{id}` has no settings (`--set {key}`)");
                }
                bail!("recipe `{id}` has no setting `{name}` (settings: {known:?})");
            }
            None => {
                bail!("--set {key}: there is no recipe `{id}` (load your own with --codemods DIR)")
            }
        }
    }
    Ok(())
}

pub fn prepare(args: &RunArgs) -> Result<Prepared> {
    let (engine, versions) = engine(&args.engine)?;
    let found = walk::collect_all(
        &args.paths,
        WalkOptions {
            tests: args.engine.tests,
        },
    );
    let mut walk_errors: Vec<String> = found.errors.into_iter().map(|e| e.0).collect();
    for m in &found.missing {
        if args.ignore_missing {
            eprintln!("gomend: note: {}: no such file; skipped", m.display());
        } else {
            walk_errors.push(format!(
                "{}: No such file or directory (os error 2); pass --ignore-missing to skip missing paths",
                m.display()
            ));
        }
    }
    Ok(Prepared {
        engine,
        versions,
        files: found.files,
        walk_errors,
    })
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress(total: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && total > 200 {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}
