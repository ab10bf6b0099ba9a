//! The command line: clap definitions and what each subcommand does.

use crate::diagnostic::{self, Format};
use crate::source::Sources;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "mutual",
    version,
    about = "Check, run and explain mutual-aid plans"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check plans and report every problem
    Check {
        /// Plan files to check
        #[arg(required = true)]
        plans: Vec<PathBuf>,
        /// How to show diagnostics
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Print plans in canonical form
    Fmt {
        /// Exit 1 and name the files that are not in canonical form, instead of printing
        #[arg(long)]
        check: bool,
        /// Plan files to format
        #[arg(required = true)]
        plans: Vec<PathBuf>,
    },
}

/// Exit status: 0 success, 1 invalid plan or input, 2 wrong usage.
pub const EXIT_INVALID: u8 = 1;

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check { plans, format } => check(&plans, format),
        Command::Fmt { check, plans } => fmt(&plans, check),
    }
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn check(plans: &[PathBuf], format: Format) -> ExitCode {
    let mut failed = false;
    let mut all = Vec::new();
    let mut sources = Sources::new();
    for path in plans {
        let loaded = crate::load_plan(path, &mut sources);
        failed |= loaded.diagnostics.has_errors();
        all.extend(loaded.diagnostics.items);
    }
    let text = diagnostic::render(&sources, &all, format, stderr_color());
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if format != Format::Json {
        let _ = writeln!(
            err,
            "checked {} plan{}: {} error{}, {} warning{}",
            plans.len(),
            plural(plans.len()),
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        );
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn fmt(plans: &[PathBuf], check_only: bool) -> ExitCode {
    let mut sources = Sources::new();
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    for path in plans {
        let loaded = crate::load_plan(path, &mut sources);
        let syntax_errors: Vec<_> = loaded
            .diagnostics
            .items
            .iter()
            .filter(|d| {
                d.is_error() && d.code.starts_with("E0")
                    || d.code.starts_with("E1")
                        && d.code != "E104"
                        && d.code != "E105"
                        && d.code != "E106"
                        && d.code != "E102"
            })
            .cloned()
            .collect();
        let Some(file) = loaded.files.first() else {
            let _ = err.write_all(
                diagnostic::render(&sources, &loaded.diagnostics.items, Format::Plain, false)
                    .as_bytes(),
            );
            failed = true;
            continue;
        };
        if !syntax_errors.is_empty() {
            let _ = err.write_all(
                diagnostic::render(&sources, &syntax_errors, Format::Human, stderr_color())
                    .as_bytes(),
            );
            failed = true;
            continue;
        }
        let source = sources.get(file.file);
        let formatted = crate::fmt::format(file, source);
        if check_only {
            if formatted != source.text {
                let _ = writeln!(
                    err,
                    "{}: not in canonical form (run `mutual fmt` to see it)",
                    source.name
                );
                failed = true;
            }
        } else {
            let _ = out.write_all(formatted.as_bytes());
        }
    }
    if failed {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
