//! What each subcommand does: one module per subcommand, and what they share
//! (loading a plan, reading the data files, exit codes). The options
//! themselves are defined in `cli`.

use crate::cli::{Cli, Command};
use crate::diagnostic::{self, Format};
use crate::source::Sources;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

pub mod check;
pub mod completions;
pub mod data;
pub mod diff;
pub mod explain;
pub mod explain_diff;
pub mod fmt;
pub mod lsp;
pub mod man;
pub mod report;
pub mod run;
pub mod test;

/// Exit status: 0 success, 1 invalid plan or input, 2 wrong usage.
pub const EXIT_INVALID: u8 = 1;
/// Exit status of wrong usage.
pub const EXIT_USAGE: u8 = 2;

/// Runs the subcommand the command line names.
pub fn run(cli: Cli) -> ExitCode {
    let data = match &cli.command {
        Command::Run(a) => Some(&a.data),
        Command::Explain(a) => Some(&a.data),
        Command::Diff(a) => Some(&a.data),
        Command::Report(a) => Some(&a.data),
        _ => None,
    };
    if let Some(Err(code)) = data.map(data::one_stdin) {
        return code;
    }
    match cli.command {
        Command::Check { plans, format } => check::check(&plans, format),
        Command::Fmt {
            check,
            write,
            plans,
        } => fmt::fmt(&plans, fmt::Mode::new(check, write)),
        Command::Run(a) => run::command(a),
        Command::Test { paths, format } => test::test(&paths, format),
        Command::Explain(a) => explain::command(a),
        Command::Diff(a) => diff::command(a),
        Command::Report(a) => report::command(a),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { command } => man::man(command.as_deref()),
        Command::Lsp => lsp::lsp(),
    }
}

/// Whether diagnostics on stderr may be coloured.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A path as the terminal may show it: control characters written visibly.
pub fn shown_path(path: &Path) -> String {
    crate::terminal_text::escape(&path.display().to_string()).into_owned()
}

/// Loads and checks a plan; on errors prints them and gives `None`.
pub fn load_checked(path: &Path) -> Option<crate::plan::Plan> {
    load_checked_with_sources(path).map(|(p, _)| p)
}

/// Prints the errors (not the warnings) of a plan that does not check, on stderr.
pub fn print_errors(sources: &Sources, diagnostics: crate::diagnostic::Diagnostics) {
    let errors: Vec<_> = diagnostics
        .items
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    let text = diagnostic::render(sources, &errors, Format::Human, stderr_color());
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Loads and checks a plan, keeping its source text for citations.
pub fn load_checked_with_sources(path: &Path) -> Option<(crate::plan::Plan, Sources)> {
    let mut sources = Sources::new();
    let loaded = crate::load_plan(path, &mut sources);
    if loaded.diagnostics.has_errors() {
        print_errors(&sources, loaded.diagnostics);
        return None;
    }
    loaded.plan.map(|p| (p, sources))
}
