//! Turning `RunArgs` into an engine, a version resolver and a file list.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::{EngineArgs, RunArgs};
use crate::engine::gomod::{GoVersion, VersionResolver};
use crate::engine::{Engine, Mode, Settings};
use crate::recipes::{self, Selection};
use crate::walk::display_path;
use crate::walk::{self, Shard, WalkOptions};
use crate::worker::{self, Processed, RunOptions};

/// Everything a run needs.
pub struct Prepared {
    pub engine: Engine,
    pub versions: VersionResolver,
    pub files: Vec<PathBuf>,
    /// Problems met while walking (reported, and they make the exit code 2).
    pub walk_errors: Vec<String>,
    /// The shard this run covers, if any.
    pub shard: Option<Shard>,
    /// `--quiet`: no progress bar, summary or notes on stderr.
    pub quiet: bool,
}

/// What a run found, for the summary line and the exit code.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// Files looked at.
    pub files: usize,
    /// Files that could not be analysed.
    pub failed: usize,
    /// Findings.
    pub findings: usize,
    /// Findings with an automatic rewrite.
    pub fixable: usize,
    /// Rewrites made (rewrite mode only).
    pub fixes: usize,
    /// Files the rewrite changes (rewrite mode only).
    pub changed: usize,
}

impl Totals {
    /// Findings that only report, for a human to decide.
    pub fn report_only(&self) -> usize {
        self.findings - self.fixable
    }

    fn add(&mut self, f: &Processed) {
        self.files += 1;
        self.failed += usize::from(f.outcome.error.is_some());
        self.findings += f.outcome.findings.len();
        self.fixable += f
            .outcome
            .findings
            .iter()
            .filter(|x| x.finding.fix.is_some())
            .count();
        self.fixes += f.outcome.fixes.values().sum::<usize>();
        self.changed += usize::from(f.outcome.rewritten.is_some());
    }
}

/// The counts shown beside the progress bar.
fn message(mode: Mode, t: &Totals) -> String {
    match mode {
        Mode::Check => format!("{}, {} fixable", count(t.findings, "finding"), t.fixable),
        Mode::Rewrite => format!(
            "{}, {}",
            count(t.findings, "finding"),
            count(t.fixes, "fix")
        ),
    }
}

/// `n` and the noun, with an `s` unless `n` is 1 (`es` for nouns in `x`).
pub fn count(n: usize, noun: &str) -> String {
    let plural = if n == 1 {
        ""
    } else if noun.ends_with('x') {
        "es"
    } else {
        "s"
    };
    format!("{n} {noun}{plural}")
}

impl Prepared {
    /// Runs the engine over the files, in order, with a progress bar on a
    /// terminal. Each file's warnings and errors go to stderr; `sink` gets
    /// every file with its displayed path. Returns what the run found.
    pub fn run<E>(
        &self,
        mode: Mode,
        generated: bool,
        mut sink: impl FnMut(&str, &Processed) -> Result<(), E>,
    ) -> Result<Totals, E> {
        let bar = if self.quiet {
            indicatif::ProgressBar::hidden()
        } else {
            progress(self.files.len())
        };
        bar.set_message(message(mode, &Totals::default()));
        // Shared by the sink, which counts, and the progress callback,
        // which shows the counts once per chunk.
        let totals = std::cell::Cell::new(Totals::default());
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
                }
                let mut t = totals.get();
                t.add(&f);
                totals.set(t);
                sink(&path, &f)
            },
            |n| {
                bar.inc(n as u64);
                bar.set_message(message(mode, &totals.get()));
            },
        )?;
        bar.finish_and_clear();
        for w in self.versions.take_warnings() {
            eprintln!("gomend: warning: {w}");
        }
        Ok(totals.get())
    }

    /// Prints the problems met while walking; returns how many there were.
    pub fn report_walk_errors(&self) -> usize {
        for e in &self.walk_errors {
            eprintln!("gomend: error: {e}");
        }
        self.walk_errors.len()
    }

    /// Prints the one-line summary on stderr, unless `--quiet`.
    pub fn summary(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// "N files checked" and, for a shard, which one.
    pub fn scanned(&self, totals: &Totals, verb: &str) -> String {
        let mut s = format!("{} {verb}", count(totals.files, "file"));
        if let Some(shard) = self.shard {
            s.push_str(&format!(" (shard {shard})"));
        }
        s
    }
}

/// The recipes selected by `--recipe`, `--skip` and `--codemods`.
pub fn selected_recipes(args: &EngineArgs) -> Result<Vec<crate::engine::Recipe>> {
    let mut all = recipes::builtin().map_err(anyhow::Error::msg)?;
    for dir in &args.codemods {
        let extra = recipes::load_dir(dir).map_err(anyhow::Error::msg)?;
        for r in extra {
            if all.iter().any(|a| a.id == r.id) {
                bail!("{}: recipe `{}` is already defined", dir.display(), r.id);
            }
            all.push(r);
        }
    }
    let selection = Selection {
        only: args.recipes.clone(),
        skip: args.skip.clone(),
    };
    selection.apply(all).map_err(anyhow::Error::msg)
}

pub fn settings(args: &EngineArgs) -> Result<Settings> {
    let mut settings = Settings::default();
    for s in &args.set {
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
    let settings = settings(args)?;
    for key in settings.keys() {
        let (id, name) = key.split_once('.').unwrap_or((key, ""));
        match recipes::builtin()
            .ok()
            .and_then(|all| all.into_iter().find(|r| &*r.id == id))
        {
            Some(r) if r.spec.settings.contains_key(name) => {
                let default = &r.spec.settings[name];
                let value = settings.get(key).unwrap_or("");
                if default.is_integer() && value.parse::<u64>().is_err() {
                    bail!("--set {key}={value}: `{name}` takes a whole number (default {default})");
                }
            }
            Some(r) => {
                let known: Vec<&String> = r.spec.settings.keys().collect();
                bail!("recipe `{id}` has no setting `{name}` (settings: {known:?})");
            }
            None => bail!("--set {key}: recipe `{id}` is unknown or not selected"),
        }
    }
    Ok((
        Engine::new(recipes, settings).with_packages(crate::engine::package::DiskPackages),
        VersionResolver::new(forced),
    ))
}

pub fn prepare(args: &RunArgs) -> Result<Prepared> {
    let (engine, versions) = engine(&args.engine)?;
    let found = walk::collect_all(
        &args.paths,
        WalkOptions {
            tests: args.engine.tests,
            shard: args.shard,
        },
    );
    let mut walk_errors: Vec<String> = found.errors.into_iter().map(|e| e.0).collect();
    for m in &found.missing {
        if args.ignore_missing {
            if args.quiet {
                continue;
            }
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
        shard: args.shard,
        quiet: args.quiet,
    })
}

/// A progress bar on stderr when it is a terminal (and the run is large
/// enough for one to be worth drawing); hidden otherwise, so that logs and
/// pipes never see it.
pub fn progress(total: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && total > 200 {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} files, {msg} [{elapsed}, ETA {eta}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}
