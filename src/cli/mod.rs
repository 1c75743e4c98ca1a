//! The command line: argument definitions and dispatch. One file per
//! subcommand; this file holds only what they share.

mod apply;
pub mod branch;
mod check;
mod diff;
mod explain;
mod list;
mod merge;
pub mod pr;
mod setup;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code for errors (bad arguments, unreadable files, failed writes).
pub const EXIT_ERROR: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "gomend",
    version,
    about = "Find Go code that misuses the runtime and scheduler, and rewrite it into the documented fix",
    long_about = "Find Go code that misuses the runtime and scheduler, and rewrite it into the documented fix.\n\n\
        Typical use: `gomend check` to see the findings, `gomend diff` to review the rewrite, \
        `gomend apply` to write it. `gomend list` shows the recipes and `gomend explain <id>` \
        what one of them does and why."
)]
pub struct Cli {
    /// When to color output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every recipe with its kind (fix or report) and summary.
    List(list::ListArgs),
    /// Explain a recipe: what it finds, why it matters, the rewrite, when it only reports.
    Explain(explain::ExplainArgs),
    /// Report findings without changing anything (exit 0: none, 1: some, 2: error).
    Check(check::CheckArgs),
    /// Print the rewrite as a unified diff (`gomend diff . | git apply` equals `gomend apply .`).
    Diff(diff::DiffArgs),
    /// Rewrite files in place and print a summary.
    Apply(apply::ApplyArgs),
    /// Merge the JSON reports of `check --shard K/N` runs into the report of one full run
    /// (exit 0: no findings, 1: some, 2: error).
    Merge(merge::MergeArgs),
    /// Commit the fixes onto git branches built from a base commit (the working tree is not touched).
    Branch {
        #[command(flatten)]
        args: branch::BranchArgs,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Build the branches, push them and open or update one pull request per branch on GitHub.
    Pr {
        #[command(flatten)]
        args: pr::PrArgs,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

/// Options shared by `check`, `diff` and `apply`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Files or directories (walked recursively). Defaults to the current directory.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Skip paths that do not exist, with a note, instead of failing (for
    /// file lists from scripts, e.g. `git diff --name-only | xargs gomend check --ignore-missing`).
    #[arg(long)]
    pub ignore_missing: bool,
    /// Process only shard K of N: a stable partition of the files by a hash
    /// of their path relative to the PATH they were found under, the same on
    /// every machine. Run the N shards on N CI machines; `gomend merge`
    /// turns their JSON reports into the report of one full run.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::walk::Shard>,
    /// Print nothing on stderr but warnings and errors: no progress bar,
    /// no summary line, no notes.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// What to run and how: shared by every subcommand that rewrites.
#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// Run only this recipe (repeatable). Also enables recipes that are off by default.
    #[arg(long = "recipe", value_name = "ID")]
    pub recipes: Vec<String>,
    /// Do not run this recipe (repeatable).
    #[arg(long = "skip", value_name = "ID")]
    pub skip: Vec<String>,
    /// The Go version to assume for every file, instead of the nearest go.mod/go.work.
    #[arg(long, value_name = "X.Y")]
    pub go_version: Option<String>,
    /// Also process _test.go files.
    #[arg(long)]
    pub tests: bool,
    /// Also process generated files (`// Code generated ... DO NOT EDIT.`).
    #[arg(long)]
    pub generated: bool,
    /// Number of files processed in parallel (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// A recipe setting, as RECIPE.NAME=VALUE (repeatable), e.g. bounded-spawn.limit=8.
    #[arg(long = "set", value_name = "RECIPE.NAME=VALUE")]
    pub set: Vec<String>,
    /// Also load the codemod files (*.toml) in this directory.
    #[arg(long, value_name = "DIR")]
    pub codemods: Vec<PathBuf>,
}

pub use setup::engine as engine_for;

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let choice = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let result = match &cli.command {
        Command::List(a) => list::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Check(a) => check::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Apply(a) => apply::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Branch { args, engine } => {
            crate::git::rewrite::EngineRewriter::new(engine).and_then(|r| branch::run(args, &r))
        }
        Command::Pr { args, engine } => {
            crate::git::rewrite::EngineRewriter::new(engine).and_then(|r| pr::run(args, &r))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gomend: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
