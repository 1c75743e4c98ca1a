//! `gomend completions` and `gomend man`: what packagers install beside the
//! binary, generated from the command-line definition itself.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};

use super::Cli;

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn completions(args: &CompletionsArgs) -> Result<ExitCode> {
    use clap_complete::Shell as S;
    let shell = match args.shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Elvish => S::Elvish,
        Shell::Powershell => S::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gomend", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Print the page of this subcommand (`gomend-check(1)`) instead of `gomend(1)`.
    #[arg(value_name = "SUBCOMMAND")]
    pub command: Option<String>,
    /// Write every page (`gomend.1`, `gomend-check.1`, ...) into this directory
    /// instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

/// The command definition as the pages describe it (subcommands named
/// `gomend-check` and so on).
fn built() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The roff text of `gomend(1)`, or of one subcommand's page.
pub fn render_man(command: Option<&str>) -> Result<Vec<u8>> {
    let cmd = built();
    let page = match command {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                anyhow::bail!("no subcommand `{name}` (subcommands: {})", known.join(", "));
            }
        },
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    Ok(out)
}

pub fn man(args: &ManArgs) -> Result<ExitCode> {
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir)?;
        clap_mangen::generate_to(Cli::command(), dir)
            .map_err(|e| anyhow::anyhow!("writing the pages into {}: {e}", dir.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let page = render_man(args.command.as_deref())?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&page)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
