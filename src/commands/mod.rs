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
    if let Command::Run { data, .. }
    | Command::Explain { data, .. }
    | Command::Diff { data, .. }
    | Command::Report { data, .. } = &cli.command
        && let Err(code) = data::one_stdin(data)
    {
        return code;
    }
    match cli.command {
        Command::Check { plans, format } => check::check(&plans, format),
        Command::Fmt {
            check,
            write,
            plans,
        } => fmt::fmt(&plans, fmt::Mode::new(check, write)),
        Command::Run {
            plan,
            data,
            out,
            charges,
            quiet,
            format,
        } => run::run(
            &plan,
            &data,
            &out,
            run::Options {
                charges,
                quiet,
                format,
            },
        ),
        Command::Test { paths, format } => test::test(&paths, format),
        Command::Explain {
            plan,
            data,
            claim,
            member,
            period,
            format,
            view,
            lang,
            diff,
        } => {
            let subject = match (claim, member) {
                (Some(id), _) => explain::Subject::Claim(id),
                (None, Some(id)) => explain::Subject::Member(id, period),
                (None, None) => return ExitCode::from(EXIT_USAGE),
            };
            match diff {
                Some(old) => explain_diff::explain_diff(&old, &plan, &data, &subject, format),
                None => {
                    let shown = explain::Shown::new(&subject, format, view, lang);
                    explain::explain(&plan, &data, &subject, shown)
                }
            }
        }
        Command::Diff {
            old,
            new,
            data,
            out,
            as_of,
            vs,
            format,
            quiet,
        } => {
            let plans = match (new, as_of, vs) {
                (Some(new), _, _) => diff::Plans::Files(old, new),
                (None, Some(a), Some(b)) => diff::Plans::Days(old, a, b),
                _ => return ExitCode::from(EXIT_USAGE),
            };
            diff::diff(&plans, &data, &out, format, quiet)
        }
        Command::Report {
            plan,
            data,
            out,
            lang,
            diff,
        } => report::report(
            &plan,
            diff.as_deref(),
            &data,
            &out,
            lang.unwrap_or_else(crate::i18n::Lang::from_env),
        ),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { command } => man::man(command.as_deref()),
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
