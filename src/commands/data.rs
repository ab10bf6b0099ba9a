//! The data files a plan runs over (`--members`, `--claims`, `--payments`):
//! reading them, with every problem of every file reported at once.

use crate::cli::DataArgs;
use crate::input::{InputErrors, Members};
use crate::progress::Progress;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The input files, read.
pub type Data = (
    crate::input::Members,
    crate::input::Claims,
    crate::input::Payments,
);

/// How many of the data files are read from standard input (`-`).
pub fn from_stdin(data: &DataArgs) -> usize {
    let stdin = Path::new(crate::input::STDIN);
    [
        Some(&data.members),
        Some(&data.claims),
        data.payments.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| *p == stdin)
    .count()
}

/// Standard input can be read once: at most one input may be `-`.
pub fn one_stdin(data: &DataArgs) -> Result<(), ExitCode> {
    if from_stdin(data) > 1 {
        eprintln!(
            "error: only one of --members, --claims and --payments can be `-`: standard input can be read only once"
        );
        return Err(ExitCode::from(super::EXIT_USAGE));
    }
    Ok(())
}

/// Reads members and claims (and payments), reporting every problem on
/// stderr. `also_index` is a member id to make findable besides those the
/// claims name.
pub fn read_data(
    plan: &crate::plan::Plan,
    data: &DataArgs,
    also_index: Option<&str>,
) -> Option<Data> {
    read_data_with_progress(plan, data, also_index, &Progress::hidden())
}

/// `read_data`, showing the bytes of the members file read.
pub fn read_data_with_progress(
    plan: &crate::plan::Plan,
    data: &DataArgs,
    also_index: Option<&str>,
    progress: &Progress,
) -> Option<Data> {
    let result = read_all(plan, data, also_index, progress);
    if let Err(errors) = &result {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{errors}");
        if let Some(hint) = crate::input::kind::swapped_files(&named_files(data)) {
            let _ = writeln!(err, "{hint}");
        }
    }
    result.ok()
}

/// The data files with the option that names each.
fn named_files(data: &DataArgs) -> Vec<(&'static str, &Path)> {
    let mut files = vec![
        ("--members", data.members.as_path()),
        ("--claims", data.claims.as_path()),
    ];
    files.extend(data.payments.as_deref().map(|p| ("--payments", p)));
    files
}

fn read_all(
    plan: &crate::plan::Plan,
    data: &DataArgs,
    also_index: Option<&str>,
    progress: &Progress,
) -> Result<Data, InputErrors> {
    let mut claims = crate::input::read_claims(&data.claims);
    let mut wanted = claims.as_mut().map(|c| c.member_keys()).unwrap_or_default();
    if let Some(id) = also_index {
        wanted.insert(id);
    }
    let requirements = plan.requirements();
    let size = std::fs::metadata(&data.members)
        .map(|m| m.len())
        .unwrap_or(0);
    progress.stage("reading members", size / 1_000_000, "MB");
    let members =
        crate::input::read_members_dated(&data.members, &requirements, wanted, &|bytes| {
            progress.set(bytes / 1_000_000)
        });
    let (members, claims) = match (members, claims) {
        (Ok(m), Ok(c)) => (m, c),
        (m, c) => {
            let mut errors = InputErrors::default();
            errors.extend(m.err().unwrap_or_default());
            errors.extend(c.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let payments = read_payments(data, &members, progress)?;
    Ok((members, claims, payments))
}

fn read_payments(
    data: &DataArgs,
    members: &Members,
    progress: &Progress,
) -> Result<crate::input::Payments, InputErrors> {
    match &data.payments {
        None => Ok(crate::input::Payments::default()),
        Some(path) => {
            progress.stage("reading payments", 0, "");
            crate::input::read_payments(path, members)
        }
    }
}

/// Wall-clock times of the steps of a command, printed with `--timings`.
pub struct Timings {
    on: bool,
    last: std::time::Instant,
    steps: Vec<(&'static str, f64)>,
}

impl Timings {
    pub fn new(on: bool) -> Timings {
        Timings {
            on,
            last: std::time::Instant::now(),
            steps: Vec::new(),
        }
    }

    /// Ends a step.
    pub fn step(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.steps.push((name, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    pub fn print(&self) {
        if self.on {
            let parts: Vec<String> = self
                .steps
                .iter()
                .map(|(n, t)| format!("{n} {t:.3} s"))
                .collect();
            eprintln!("timings: {}", parts.join(", "));
        }
    }
}
