//! `mutual completions SHELL`: a completion script for the shell, on stdout.

use clap::CommandFactory;
use std::process::ExitCode;

/// Prints the completion script of `shell` for every subcommand and option.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = crate::cli::Cli::command();
    clap_complete::generate(shell, &mut command, "mutual", &mut std::io::stdout());
    ExitCode::SUCCESS
}
