use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = mutual::cli::Cli::parse();
    mutual::commands::run(cli)
}
