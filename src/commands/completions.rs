//! `mutual completions SHELL`: a completion script for the shell, on stdout.

use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// Prints the completion script of `shell` for every subcommand and option.
/// The script is made whole first, so that a reader that stops early (`|
/// head`) ends the output quietly.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "mutual", &mut script);
    let _ = std::io::stdout().lock().write_all(&script);
    ExitCode::SUCCESS
}
