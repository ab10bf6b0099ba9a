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
    /// Decide every claim and charge every member
    Run {
        /// The plan file
        plan: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// Folder for decisions.csv, periods.csv, members.csv (and charges.csv)
        #[arg(long)]
        out: PathBuf,
        /// Also write charges.csv: every non-zero charge of every member
        #[arg(long)]
        charges: bool,
        /// Print nothing but errors
        #[arg(long, short)]
        quiet: bool,
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

/// The data a plan runs over.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Members CSV: id, birth_date, join_date, optional left_date, and the attributes the plan reads
    #[arg(long)]
    pub members: PathBuf,
    /// Claims CSV: id, member_id, disease, diagnosed_on, optional filed_on, benefit, cause
    #[arg(long)]
    pub claims: PathBuf,
    /// The last day to run: claims filed later do not exist yet (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub until: chrono::NaiveDate,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::input::parse_iso_date(s.as_bytes())
        .ok_or_else(|| format!("`{s}` is not a date written YYYY-MM-DD"))
}

/// Exit status: 0 success, 1 invalid plan or input, 2 wrong usage.
pub const EXIT_INVALID: u8 = 1;

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check { plans, format } => check(&plans, format),
        Command::Fmt { check, plans } => fmt(&plans, check),
        Command::Run {
            plan,
            data,
            out,
            charges,
            quiet,
        } => run_plan(&plan, &data, &out, charges, quiet),
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
        // Only a file that parses completely is formatted: a line that did not
        // make it into the syntax tree would be lost.
        let (file, diags) = crate::parse_path(path, &mut sources);
        let file = match file {
            Some(file) if !diags.has_errors() => file,
            _ => {
                let text =
                    diagnostic::render(&sources, &diags.items, Format::Human, stderr_color());
                let _ = err.write_all(text.as_bytes());
                let _ = writeln!(
                    err,
                    "{}: not formatted: fix the errors above first",
                    path.display()
                );
                failed = true;
                continue;
            }
        };
        let source = sources.get(file.file);
        let formatted = crate::fmt::format(&file, source);
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

/// Loads and checks a plan; on errors prints them and gives `None`.
pub fn load_checked(path: &std::path::Path) -> Option<crate::plan::Plan> {
    let mut sources = Sources::new();
    let loaded = crate::load_plan(path, &mut sources);
    if loaded.diagnostics.has_errors() {
        let errors: Vec<_> = loaded
            .diagnostics
            .items
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        let text = diagnostic::render(&sources, &errors, Format::Human, stderr_color());
        let _ = std::io::stderr().write_all(text.as_bytes());
        return None;
    }
    loaded.plan
}

/// Reads members and claims, reporting every problem of both files.
pub fn read_data(
    plan: &crate::plan::Plan,
    data: &DataArgs,
) -> Option<(crate::input::Members, crate::input::Claims)> {
    let claims = crate::input::read_claims(&data.claims);
    let wanted = claims.as_ref().map(|c| c.member_ids()).unwrap_or_default();
    let requirement = plan.membership.requirement.as_ref().map(|r| &r.value);
    let members = crate::input::read_members(&data.members, requirement, &wanted);
    match (members, claims) {
        (Ok(m), Ok(c)) => Some((m, c)),
        (m, c) => {
            let mut errors = crate::input::InputErrors::default();
            if let Err(e) = m {
                errors.extend(e);
            }
            if let Err(e) = c {
                errors.extend(e);
            }
            let _ = write!(std::io::stderr(), "{errors}");
            None
        }
    }
}

fn run_plan(
    plan_path: &std::path::Path,
    data: &DataArgs,
    out: &std::path::Path,
    charges: bool,
    quiet: bool,
) -> ExitCode {
    let Some(plan) = load_checked(plan_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let Some((members, claims)) = read_data(&plan, data) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let options = crate::engine::RunOptions {
        keep_charges: charges,
        ..crate::engine::RunOptions::new(data.until)
    };
    let ledger = match crate::engine::run(&plan, &members, &claims, options) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    if let Err(e) = crate::output::write_all(out, &plan, &members, &claims, &ledger, charges) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    if !quiet {
        let approved = ledger.decisions.iter().filter(|d| d.approved()).count();
        let charged: crate::money::Money = ledger.periods.iter().map(|p| p.charged).sum();
        eprintln!(
            "{}: {} members, {} claims ({} approved), {} periods, {} charged; wrote {}",
            plan.id,
            members.len(),
            ledger.decisions.len(),
            approved,
            ledger.periods.len(),
            charged,
            out.display()
        );
    }
    ExitCode::SUCCESS
}
