//! `mutual run`: decide every claim, charge every member, write the output
//! folder, and print what happened.

use super::data::{Timings, read_data_with_progress};
use super::{EXIT_INVALID, load_checked, shown_path};
use crate::cli::{DataArgs, RunFormat};
use crate::output::RunSummary;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// What `run` writes and prints besides the three files.
pub struct Options {
    /// Also write charges.csv.
    pub charges: bool,
    /// Print nothing but errors.
    pub quiet: bool,
    /// How the summary is printed on stdout.
    pub format: RunFormat,
}

/// `mutual run` as the command line gives it.
pub fn command(a: crate::cli::RunArgs) -> ExitCode {
    let options = Options {
        charges: a.charges,
        quiet: a.quiet,
        format: a.format,
    };
    run(&a.plan, &a.data, &a.out, options)
}

/// Runs `plan_path` over the data and writes the files into `out`.
pub fn run(plan_path: &Path, data: &DataArgs, out: &Path, options: Options) -> ExitCode {
    let Some(plan) = load_checked(plan_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut inputs = vec![plan_path, data.members.as_path(), data.claims.as_path()];
    inputs.extend(data.payments.as_deref());
    if let Err(e) = crate::output::refuse_overwriting(out, &crate::output::OUTPUTS, &inputs) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    let mut timings = Timings::new(data.timings);
    let progress = crate::progress::Progress::new(options.quiet);
    let Some((members, claims, payments)) = read_data_with_progress(&plan, data, None, &progress)
    else {
        progress.finish();
        return ExitCode::from(EXIT_INVALID);
    };
    timings.step("read");
    let run_options = crate::engine::RunOptions {
        keep_charges: options.charges,
        ..crate::engine::RunOptions::new(data.until)
    };
    progress.stage("sharing", 0, "periods");
    let result = crate::engine::run_observed(
        &plan,
        &members,
        &claims,
        &payments,
        run_options,
        &|done, total| {
            progress.set_total(total as u64);
            progress.set(done as u64);
        },
    );
    let ledger = match result {
        Ok(l) => l,
        Err(e) => {
            progress.finish();
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    timings.step("compute");
    progress.stage("writing", 0, "files");
    let summary = RunSummary::new(&plan, &members, &ledger);
    let written = crate::output::write_all(
        out,
        &plan,
        &members,
        &claims,
        &ledger,
        &summary,
        options.charges,
    );
    progress.finish();
    timings.step("write");
    timings.print();
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    if !options.quiet {
        print_summary(&summary, options, out);
    }
    ExitCode::SUCCESS
}

/// The summary on stdout: as text, with the files written; or as JSON.
fn print_summary(summary: &RunSummary, options: Options, out: &Path) {
    let text = match options.format {
        RunFormat::Json => summary.json(),
        RunFormat::Text => {
            let mut files = vec!["decisions.csv", "periods.csv", "members.csv"];
            if options.charges {
                files.push("charges.csv");
            }
            files.push("summary.json");
            format!(
                "{}wrote {}: {}\n",
                summary.text(),
                shown_path(out),
                files.join(", ")
            )
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
