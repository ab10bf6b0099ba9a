//! `mutual diff`: the impact of a rule change. Both plans run over the same
//! data (read once where the plans read the members alike), side by side on
//! all cores; what differs is written and summed up.

use super::data::{Data, read_data_with_progress};
use super::{EXIT_INVALID, EXIT_USAGE, load_checked, shown_path};
use crate::cli::{DataArgs, RunFormat};
use crate::engine::{Ledger, RunOptions};
use crate::plan::Plan;
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The two plans to compare.
pub enum Plans {
    /// Two plan files: old, new.
    Files(PathBuf, PathBuf),
    /// One plan with dated rules: the rules in force on the first day against those of the second.
    Days(PathBuf, NaiveDate, NaiveDate),
}

/// `mutual diff` as the command line gives it.
pub fn command(a: crate::cli::DiffArgs) -> ExitCode {
    let plans = match (a.new, a.as_of, a.vs) {
        (Some(new), _, _) => Plans::Files(a.old, new),
        (None, Some(d1), Some(d2)) => Plans::Days(a.old, d1, d2),
        _ => return ExitCode::from(EXIT_USAGE),
    };
    diff(&plans, &a.data, &a.out, a.format, a.quiet)
}

/// Runs both plans, writes the differences into `out` and prints the summary.
pub fn diff(
    plans: &Plans,
    data: &DataArgs,
    out: &Path,
    format: RunFormat,
    quiet: bool,
) -> ExitCode {
    let Some(((old, old_name), (new, new_name))) = load(plans) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut inputs = match plans {
        Plans::Files(a, b) => vec![a.as_path(), b.as_path()],
        Plans::Days(a, _, _) => vec![a.as_path()],
    };
    inputs.extend([data.members.as_path(), data.claims.as_path()]);
    inputs.extend(data.payments.as_deref());
    let names = crate::output::diff::DIFF_OUTPUTS;
    if let Err(e) = crate::output::refuse_overwriting(out, &names, &inputs) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    let progress = crate::progress::Progress::new(quiet);
    let mut timings = super::data::Timings::new(data.timings);
    let (old_data, new_data) = match read_both(&old, &new, data, &progress) {
        Ok(both) => both,
        Err(code) => {
            progress.finish();
            return code;
        }
    };
    timings.step("read");
    progress.stage("running both plans", 0, "");
    let new_data = new_data.as_ref().unwrap_or(&old_data);
    let (a, b) = rayon::join(
        || run(&old, &old_data, data.until),
        || run(&new, new_data, data.until),
    );
    progress.finish();
    let (old_ledger, new_ledger) = match (a, b) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let (members, claims, _) = &old_data;
    let mut d = crate::diff::compare(members, claims, &old_ledger, &new_ledger);
    d.summary.old_plan = old_name;
    d.summary.new_plan = new_name;
    timings.step("compute");
    if let Err(e) = crate::output::diff::write_diff(out, &d, members, claims) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    timings.step("write");
    timings.print();
    if !quiet {
        let text = match format {
            RunFormat::Json => d.summary.json(),
            RunFormat::Text => format!(
                "{}wrote {}: periods.csv, members.csv, decisions.csv, summary.json\n",
                d.summary.text(),
                shown_path(out)
            ),
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }
    ExitCode::SUCCESS
}

/// A plan, and the name the summary gives it.
type Named = (Plan, String);

/// Loads and checks both plans; prints the errors and gives `None` if either fails.
fn load(plans: &Plans) -> Option<(Named, Named)> {
    match plans {
        Plans::Files(a, b) => {
            let (old, new) = (load_checked(a), load_checked(b));
            Some(((old?, shown_path(a)), (new?, shown_path(b))))
        }
        Plans::Days(path, a, b) => {
            let plan = load_checked(path)?;
            if !plan.changes() {
                eprintln!(
                    "error: {}: the rules do not change over time, so --as-of and --vs compare a plan with itself; give two plan files instead",
                    shown_path(path)
                );
                return None;
            }
            let name = |d: &NaiveDate| format!("{} as of {d}", shown_path(path));
            Some((
                (plan.in_force_on(*a), name(a)),
                (plan.in_force_on(*b), name(b)),
            ))
        }
    }
}

/// The data read for the old plan and, where the new plan reads the members
/// otherwise (another joining requirement), again for the new one.
fn read_both(
    old: &Plan,
    new: &Plan,
    data: &DataArgs,
    progress: &crate::progress::Progress,
) -> Result<(Data, Option<Data>), ExitCode> {
    let invalid = || ExitCode::from(EXIT_INVALID);
    let twice = old.requirements() != new.requirements();
    if twice && super::data::from_stdin(data) > 0 {
        eprintln!(
            "error: the two plans read the members with different requirements, so the data files are read twice: give them as files, not `-`"
        );
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let first = read_data_with_progress(old, data, None, progress).ok_or_else(invalid)?;
    if !twice {
        return Ok((first, None));
    }
    let second = read_data_with_progress(new, data, None, progress).ok_or_else(invalid)?;
    Ok((first, Some(second)))
}

fn run(
    plan: &Plan,
    (members, claims, payments): &Data,
    until: NaiveDate,
) -> Result<Ledger, crate::engine::EngineError> {
    crate::engine::run_with_payments(plan, members, claims, payments, RunOptions::new(until))
}
