//! The command line: argument definitions and dispatch. One file per
//! subcommand; this file holds only what they share.

mod apply;
pub mod branch;
mod check;
mod config;
mod diff;
mod explain;
mod interactive;
mod list;
mod merge;
mod new;
mod package;
pub mod pr;
mod setup;
mod test;
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
    /// Print the configuration in force and where each value comes from
    /// (default, `.gomend.toml` file and line, command line).
    Config(config::ConfigArgs),
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
    /// Run the test cases of the recipes in a codemod directory (exit 0: all pass, 1: a failure, 2: error).
    #[command(
        long_about = "Run the test cases of the recipes in a codemod directory.\n\n\
        For every `DIR/<id>.toml`, the cases are the Go files below `DIR/testdata/<id>/`. \
        A line that must be reported ends with `// want \"<id>\"` (optionally followed by a \
        string the message must contain), and no other line may have a finding. \
        `<case>.go.golden` is the file after the fix; a case without one must stay unchanged. \
        The nearest go.mod sets a case's Go version. Failures are printed with a diff; \
        the exit code is 0 when every case passes, 1 when one fails, 2 on an error."
    )]
    Test(test::TestArgs),
    /// Write a new recipe file and its first test cases into a codemod directory.
    New(new::NewArgs),
    /// Print a shell completion script (e.g. `gomend completions bash > /etc/bash_completion.d/gomend`).
    Completions(package::CompletionsArgs),
    /// Print the manual page, in roff (e.g. `gomend man > gomend.1; man ./gomend.1`).
    Man(package::ManArgs),
}

/// Options shared by `check`, `diff` and `apply`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Files or directories (walked recursively). Defaults to the current
    /// directory. `-` reads one Go file from standard input (see --stdin-filename).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// With `-` as the path: the file the text on standard input stands for
    /// (it need not exist). It is the path shown in the output, and its
    /// directory gives the Go version (the nearest go.mod) and the rest of the
    /// package. Without it, `<stdin>` in the current directory.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
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

impl RunArgs {
    /// Whether the file comes from standard input (`-`).
    pub fn reads_stdin(&self) -> bool {
        self.paths.iter().any(|p| p.as_os_str() == "-")
    }
}

/// What to run and how: shared by every subcommand that rewrites.
#[derive(Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// Run only this recipe (repeatable). Also enables recipes that are off
    /// by default; replaces the configuration file's `enable` and `disable`.
    #[arg(long = "recipe", value_name = "ID")]
    pub recipes: Vec<String>,
    /// Do not run this recipe (repeatable).
    #[arg(long = "skip", value_name = "ID")]
    pub skip: Vec<String>,
    /// The Go version to assume for every file, instead of the nearest
    /// go.mod/go.work (and of the configuration file's `go-version`).
    #[arg(long, value_name = "X.Y")]
    pub go_version: Option<String>,
    /// Also process _test.go files.
    #[arg(long, overrides_with = "no_tests")]
    pub tests: bool,
    /// Do not process _test.go files, even when the configuration file turns them on.
    #[arg(long, overrides_with = "tests")]
    pub no_tests: bool,
    /// Also process generated files (`// Code generated ... DO NOT EDIT.`).
    #[arg(long, overrides_with = "no_generated")]
    pub generated: bool,
    /// Do not process generated files, even when the configuration file turns them on.
    #[arg(long, overrides_with = "generated")]
    pub no_generated: bool,
    /// Number of files processed in parallel (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// A recipe setting, as RECIPE.NAME=VALUE (repeatable), e.g.
    /// bounded-spawn.limit=8. Wins over the configuration file's `[settings]`.
    #[arg(long = "set", value_name = "RECIPE.NAME=VALUE")]
    pub set: Vec<String>,
    /// Also load the codemod files (*.toml) in this directory (repeatable;
    /// added to the configuration file's `codemods`).
    #[arg(long, value_name = "DIR")]
    pub codemods: Vec<PathBuf>,
    /// Read the configuration from FILE instead of the `.gomend.toml` found
    /// above the paths (up to the repository root).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any `.gomend.toml`: defaults and command-line flags only.
    #[arg(long)]
    pub no_config: bool,
    /// Parse every file a recipe may match whole. By default a file is
    /// first screened: only its imports, package-level values and the
    /// declarations that can hold a match are parsed, and the whole file
    /// only when that finds something. The results are the same; this is
    /// slower, and there to check that.
    #[arg(long)]
    pub parse_whole_files: bool,
    /// What the configuration file adds, once loaded (see `setup::configure`).
    #[arg(skip)]
    pub file: FileSettings,
}

/// The parts of a configuration file that have no command-line flag of
/// their own, or that flags override: filled by `setup::configure`.
#[derive(Debug, Clone, Default)]
pub struct FileSettings {
    /// The file, when one was used.
    pub config: Option<std::sync::Arc<crate::config::ConfigFile>>,
    /// Recipes turned on and off on top of the defaults.
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    /// `RECIPE.NAME=VALUE` from `[settings]` (already checked); `--set` wins.
    pub set: Vec<String>,
    /// The include and exclude globs.
    pub filter: crate::config::PathFilter,
    /// Whether `configure` ran (it runs once).
    pub done: bool,
}

/// Whether `e` comes from writing to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

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
        Command::Test(a) => test::run(a),
        Command::New(a) => new::run(a),
        Command::Config(a) => config::run(a),
        Command::Branch { args, engine } => setup::configure(engine, &[PathBuf::from(".")])
            .and_then(|e| setup::rewriter(&e))
            .and_then(|r| branch::run(args, &r)),
        Command::Pr { args, engine } => setup::configure(engine, &[PathBuf::from(".")])
            .and_then(|e| setup::rewriter(&e))
            .and_then(|r| pr::run(args, &r)),
        Command::Completions(a) => package::completions(a),
        Command::Man(a) => package::man(a),
    };
    match result {
        Ok(code) => code,
        // The reader of standard output went away (`gomend list | head`):
        // it had what it wanted, so this is no error (as with ripgrep).
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gomend: error: {e:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
