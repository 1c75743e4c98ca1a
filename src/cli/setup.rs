//! Turning `RunArgs` into an engine, a version resolver and a file list.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::{EngineArgs, RunArgs};
use crate::engine::gomod::{GoVersion, VersionResolver};
use crate::engine::{Engine, Mode, Recipe, Settings};
use crate::git::rewrite::{EngineRewriter, RewriterOptions};
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
    /// The file read from standard input (`-`): the path it stands for and
    /// its bytes. `files` is then empty.
    pub stdin: Option<(PathBuf, Vec<u8>)>,
    /// Whether generated files are processed.
    pub generated: bool,
    /// Whether to show a progress bar on a terminal.
    pub progress: bool,
    /// The codemod directories of the run (flags and configuration).
    pub codemods: Vec<PathBuf>,
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
        self.failed += usize::from(f.error().is_some());
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
        mut sink: impl FnMut(&str, &Processed) -> Result<(), E>,
    ) -> Result<Totals, E> {
        let generated = self.generated;
        let bar = if self.progress && !self.quiet {
            progress(self.files.len())
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_message(message(mode, &Totals::default()));
        // Shared by the sink, which counts, and the progress callback,
        // which shows the counts once per chunk.
        let totals = std::cell::Cell::new(Totals::default());
        if let Some((path, bytes)) = &self.stdin {
            let f = worker::process_bytes(
                &self.engine,
                &self.versions,
                path,
                bytes.clone(),
                mode,
                RunOptions { generated },
            );
            let shown = display_path(path);
            for w in &f.outcome.warnings {
                eprintln!("gomend: warning: {shown}: {w}");
            }
            if let Some(e) = f.error() {
                eprintln!("gomend: error: {shown}: {e}");
            }
            let mut t = totals.get();
            t.add(&f);
            totals.set(t);
            sink(&shown, &f)?;
        }
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
                if let Some(e) = f.error() {
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

/// The recipes selected by `--recipe`, `--skip`, `--codemods` and the
/// configuration file's `enable` and `disable`, with their settings (the
/// file's, then `--set`) in place.
pub fn selected_recipes(args: &EngineArgs) -> Result<Vec<Recipe>> {
    let all = all_recipes(&args.codemods)?;
    let settings = settings(args)?;
    check_settings(&settings, &all)?;
    let selection = Selection {
        only: args.recipes.clone(),
        skip: args.skip.clone(),
        enable: args.file.enable.clone(),
        disable: args.file.disable.clone(),
    };
    selection
        .apply(all)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .map(|r| r.with_settings(&settings).map_err(anyhow::Error::from))
        .collect()
}

/// Parses `RECIPE.NAME=VALUE` settings; a later one wins.
pub fn parse_settings<'a>(set: impl IntoIterator<Item = &'a String>) -> Result<Settings> {
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

/// The settings of the configuration file, overridden by `--set`.
pub fn settings(args: &EngineArgs) -> Result<Settings> {
    parse_settings(args.file.set.iter().chain(&args.set))
}

/// `args` with the configuration file applied: the one given with
/// `--config`, else the `.gomend.toml` found above `paths`, unless
/// `--no-config`. Command-line flags win over the file: `--go-version`,
/// `--tests`/`--no-tests`, `--generated`/`--no-generated` and `--set`
/// replace its values, `--codemods` adds directories to its own, `--skip`
/// turns off recipes it enables, and `--recipe` replaces its `enable` and
/// `disable` with exactly the recipes named.
pub fn configure(args: &EngineArgs, paths: &[PathBuf]) -> Result<EngineArgs> {
    let mut out = args.clone();
    if args.file.done {
        return Ok(out);
    }
    out.file.done = true;
    let path = if args.no_config {
        None
    } else if let Some(p) = &args.config {
        if !p.is_file() {
            bail!("--config {}: no such file", p.display());
        }
        Some(p.clone())
    } else {
        crate::config::discover(paths).map_err(anyhow::Error::msg)?
    };
    let Some(path) = path else {
        return Ok(out);
    };
    let cfg = crate::config::load(&path)?;
    for d in &cfg.codemods {
        if !d.value.is_dir() {
            return Err(crate::config::ConfigError {
                file: cfg.shown(),
                line: d.line,
                column: d.column,
                message: format!(
                    "codemod directory {} does not exist",
                    crate::walk::display_path(&d.value)
                ),
            }
            .into());
        }
    }
    out.codemods = cfg.codemods.iter().map(|d| d.value.clone()).collect();
    out.codemods.extend(args.codemods.iter().cloned());
    let known: Vec<(String, Vec<(String, toml::Value)>)> = all_recipes(&out.codemods)?
        .into_iter()
        .map(|r| {
            let settings = r.spec.settings.clone().into_iter().collect();
            (r.id.to_string(), settings)
        })
        .collect();
    cfg.check_recipes(&known)?;
    out.file.enable = cfg.enable.iter().map(|p| p.value.clone()).collect();
    out.file.disable = cfg.disable.iter().map(|p| p.value.clone()).collect();
    out.file.set = cfg
        .settings
        .iter()
        .map(|s| format!("{}.{}={}", s.recipe.value, s.name.value, s.value.value))
        .collect();
    if args.go_version.is_none() {
        out.go_version = cfg.go_version_text.clone();
    }
    if !args.tests && !args.no_tests {
        out.tests = cfg.tests.as_ref().is_some_and(|t| t.value);
    }
    if !args.generated && !args.no_generated {
        out.generated = cfg.generated.as_ref().is_some_and(|t| t.value);
    }
    out.file.filter = cfg.filter()?;
    out.file.config = Some(std::sync::Arc::new(cfg));
    Ok(out)
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
    let mut engine = Engine::new(recipes, settings);
    engine.parse_whole_files(args.parse_whole_files);
    Ok((
        engine.with_packages(crate::engine::package::DiskPackages),
        VersionResolver::new(forced),
    ))
}

/// The rewriter `gomend branch` and `gomend pr` use for `args`: the engine
/// with every selected recipe, one engine per recipe for per-recipe
/// commits, and the flags that reproduce the selection.
pub fn rewriter(args: &EngineArgs) -> Result<EngineRewriter> {
    let (all, _) = engine(args)?;
    let mut single = Vec::new();
    for r in all.recipes() {
        let mut one = args.clone();
        one.recipes = vec![r.id.to_string()];
        one.skip.clear();
        single.push(engine(&one)?.0);
    }
    let forced_version = match &args.go_version {
        Some(v) => Some(v.parse().map_err(anyhow::Error::msg)?),
        None => None,
    };
    let options = RewriterOptions {
        command_args: reproducing_flags(args),
        forced_version,
        walk: WalkOptions {
            tests: args.tests,
            ..WalkOptions::default()
        },
        filter: args.file.filter.clone(),
        generated: args.generated,
    };
    Ok(EngineRewriter::new(all, single, options))
}

/// The command-line options that select the recipes and settings of
/// `args`, with the configuration file's values already folded in.
fn reproducing_flags(args: &EngineArgs) -> Vec<String> {
    let mut flags = Vec::new();
    for id in &args.recipes {
        flags.extend(["--recipe".to_string(), id.clone()]);
    }
    for id in &args.skip {
        flags.extend(["--skip".to_string(), id.clone()]);
    }
    if let Some(v) = &args.go_version {
        flags.extend(["--go-version".to_string(), v.clone()]);
    }
    if args.tests {
        flags.push("--tests".into());
    }
    if args.generated {
        flags.push("--generated".into());
    }
    for s in &args.set {
        flags.extend(["--set".to_string(), s.clone()]);
    }
    for d in &args.codemods {
        flags.extend(["--codemods".to_string(), d.display().to_string()]);
    }
    flags
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
    let stdin = read_stdin(args)?;
    // Standard input is configured as the file it stands for.
    let engine_args = match &stdin {
        Some((path, _)) => configure(&args.engine, std::slice::from_ref(path))?,
        None => configure(&args.engine, &args.paths)?,
    };
    let (engine, versions) = engine(&engine_args)?;
    if let Some(stdin) = stdin {
        return Ok(Prepared {
            engine,
            versions,
            files: Vec::new(),
            walk_errors: Vec::new(),
            stdin: Some(stdin),
            generated: engine_args.generated,
            progress: true,
            codemods: engine_args.codemods.clone(),
            shard: None,
            quiet: args.quiet,
        });
    }
    let mut found = walk::collect_all(
        &args.paths,
        WalkOptions {
            tests: engine_args.tests,
            shard: args.shard,
        },
    );
    found.files.retain(|f| engine_args.file.filter.allows(f));
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
        stdin: None,
        generated: engine_args.generated,
        progress: true,
        codemods: engine_args.codemods,
        shard: args.shard,
        quiet: args.quiet,
    })
}

/// The file on standard input, when the path is `-`.
fn read_stdin(args: &RunArgs) -> Result<Option<(PathBuf, Vec<u8>)>> {
    if !args.reads_stdin() {
        if args.stdin_filename.is_some() {
            bail!("--stdin-filename names the file read from standard input: pass `-` as the path");
        }
        return Ok(None);
    }
    if args.paths.len() > 1 {
        bail!("`-` (standard input) cannot be combined with other paths");
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
        .context("reading standard input")?;
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    Ok(Some((path, bytes)))
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
