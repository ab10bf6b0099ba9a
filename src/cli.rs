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
    /// Explain a claim's decision or a member's charge, step by step, citing the plan
    Explain {
        /// The plan file
        plan: PathBuf,
        #[command(flatten)]
        data: DataArgs,
        /// The claim to explain
        #[arg(long, conflicts_with = "member", required_unless_present = "member")]
        claim: Option<String>,
        /// The member whose charge to explain
        #[arg(long)]
        member: Option<String>,
        /// A day in the period to explain (default: the last period)
        #[arg(long, requires = "member", value_parser = parse_date)]
        period: Option<chrono::NaiveDate>,
        /// human: a tree; json: the same steps as data
        #[arg(long, value_enum, default_value = "human")]
        format: ExplainFormat,
    },
    /// Run the examples written in plans and report what they covered
    Test {
        /// Plan files, or folders whose .plan files to test (default: plans)
        paths: Vec<PathBuf>,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

/// The data a plan runs over.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Members CSV: id, birth_date, join_date, optional left_date, and the attributes the plan reads (`-`: standard input)
    #[arg(long)]
    pub members: PathBuf,
    /// Claims CSV: id, member_id, disease, diagnosed_on, optional filed_on, benefit, cause (`-`: standard input)
    #[arg(long)]
    pub claims: PathBuf,
    /// Payments CSV: member_id, date, amount: members' top-ups of a prepaid balance (`-`: standard input)
    #[arg(long)]
    pub payments: Option<PathBuf>,
    /// The last day to run: claims filed later do not exist yet (YYYY-MM-DD)
    #[arg(long, value_parser = parse_date)]
    pub until: chrono::NaiveDate,
    /// Print how long reading, computing and writing took, on stderr
    #[arg(long)]
    pub timings: bool,
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

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::input::parse_iso_date(s.as_bytes())
        .ok_or_else(|| format!("`{s}` is not a date written YYYY-MM-DD"))
}

/// Exit status: 0 success, 1 invalid plan or input, 2 wrong usage.
pub const EXIT_INVALID: u8 = 1;

/// Standard input can be read once: at most one input may be `-`.
fn one_stdin(data: &DataArgs) -> Result<(), ExitCode> {
    let stdin = std::path::Path::new(crate::input::STDIN);
    let from_stdin = [
        Some(&data.members),
        Some(&data.claims),
        data.payments.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter(|p| *p == stdin)
    .count();
    if from_stdin > 1 {
        eprintln!(
            "error: only one of --members, --claims and --payments can be `-`: standard input can be read only once"
        );
        return Err(ExitCode::from(2));
    }
    Ok(())
}

pub fn run(cli: Cli) -> ExitCode {
    if let Command::Run { data, .. } | Command::Explain { data, .. } = &cli.command
        && let Err(code) = one_stdin(data)
    {
        return code;
    }
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
        Command::Test { paths } => test(&paths),
        Command::Explain {
            plan,
            data,
            claim,
            member,
            period,
            format,
        } => explain(
            &plan,
            &data,
            claim.as_deref(),
            member.as_deref(),
            period,
            format,
        ),
    }
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn check(plans: &[PathBuf], format: Format) -> ExitCode {
    let mut failed = false;
    let mut all = Vec::new();
    let mut sources = Sources::new();
    let mut versions = String::new();
    for path in plans {
        let loaded = crate::load_plan(path, &mut sources);
        failed |= loaded.diagnostics.has_errors();
        all.extend(loaded.diagnostics.items);
        if let Some(plan) = loaded.plan.filter(|p| p.changes() || p.closure.is_some()) {
            versions.push_str(&format!(
                "{}: the rules change over time\n",
                shown_path(path)
            ));
            versions.push_str(&crate::summary::changes(&plan));
        }
    }
    let text = diagnostic::render(&sources, &all, format, stderr_color());
    let errors = all.iter().filter(|d| d.is_error()).count();
    let warnings = all.len() - errors;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if format != Format::Json {
        let _ = err.write_all(versions.as_bytes());
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

/// A path as the terminal may show it: control characters written visibly.
fn shown_path(path: &std::path::Path) -> String {
    crate::terminal_text::escape(&path.display().to_string()).into_owned()
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
                    shown_path(path)
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
                    "{}",
                    first_difference(&source.name, &source.text, &formatted)
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

/// Where a file first differs from its canonical form, as a message:
/// `plan.plan:12: not in canonical form: `…` should read `…``.
fn first_difference(name: &str, text: &str, formatted: &str) -> String {
    let shown = |l: Option<&str>| match l {
        Some(l) => format!("`{}`", crate::terminal_text::escape(l)),
        None => "(no line)".to_string(),
    };
    let (mut a, mut b) = (text.lines(), formatted.lines());
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (x, y) if x == y && x.is_some() => line += 1,
            (x, y) => {
                return format!(
                    "{name}:{line}: not in canonical form: {} should read {} (run `mutual fmt` to see it all)",
                    shown(x),
                    shown(y)
                );
            }
        }
    }
}

/// Loads and checks a plan; on errors prints them and gives `None`.
pub fn load_checked(path: &std::path::Path) -> Option<crate::plan::Plan> {
    load_checked_with_sources(path).map(|(p, _)| p)
}

/// Prints the errors (not the warnings) of a plan that does not check, on stderr.
fn print_errors(sources: &Sources, diagnostics: crate::diagnostic::Diagnostics) {
    let errors: Vec<_> = diagnostics
        .items
        .into_iter()
        .filter(|d| d.is_error())
        .collect();
    let text = diagnostic::render(sources, &errors, Format::Human, stderr_color());
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// Loads and checks a plan, keeping its source text for citations.
pub fn load_checked_with_sources(path: &std::path::Path) -> Option<(crate::plan::Plan, Sources)> {
    let mut sources = Sources::new();
    let loaded = crate::load_plan(path, &mut sources);
    if loaded.diagnostics.has_errors() {
        print_errors(&sources, loaded.diagnostics);
        return None;
    }
    loaded.plan.map(|p| (p, sources))
}

/// Reads members and claims, reporting every problem of both files.
/// `also_index` is a member id to make findable besides those the claims name.
pub fn read_data(
    plan: &crate::plan::Plan,
    data: &DataArgs,
    also_index: Option<&str>,
) -> Option<Data> {
    read_data_with_progress(plan, data, also_index, &crate::progress::Progress::hidden())
}

/// The input files, read.
pub type Data = (
    crate::input::Members,
    crate::input::Claims,
    crate::input::Payments,
);

/// `read_data`, showing the bytes of the members file read.
pub fn read_data_with_progress(
    plan: &crate::plan::Plan,
    data: &DataArgs,
    also_index: Option<&str>,
    progress: &crate::progress::Progress,
) -> Option<Data> {
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
    match (members, claims) {
        (Ok(m), Ok(c)) => {
            let Some(path) = &data.payments else {
                return Some((m, c, crate::input::Payments::default()));
            };
            progress.stage("reading payments", 0, "");
            match crate::input::read_payments(path, &m) {
                Ok(p) => Some((m, c, p)),
                Err(e) => {
                    let _ = write!(std::io::stderr(), "{e}");
                    None
                }
            }
        }
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
    let mut inputs = vec![plan_path, data.members.as_path(), data.claims.as_path()];
    inputs.extend(data.payments.as_deref());
    if let Err(e) = crate::output::refuse_overwriting(out, &crate::output::OUTPUTS, &inputs) {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    let mut timings = Timings::new(data.timings);
    let progress = crate::progress::Progress::new(quiet);
    let Some((members, claims, payments)) = read_data_with_progress(&plan, data, None, &progress)
    else {
        progress.finish();
        return ExitCode::from(EXIT_INVALID);
    };
    timings.step("read");
    let options = crate::engine::RunOptions {
        keep_charges: charges,
        ..crate::engine::RunOptions::new(data.until)
    };
    progress.stage("sharing", 0, "periods");
    let result = crate::engine::run_observed(
        &plan,
        &members,
        &claims,
        &payments,
        options,
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
    let written = crate::output::write_all(out, &plan, &members, &claims, &ledger, charges);
    progress.finish();
    timings.step("write");
    timings.print();
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INVALID);
    }
    if !quiet {
        print_run_summary(&plan, &members, &ledger, out);
    }
    ExitCode::SUCCESS
}

/// The run's one-line summary on stderr, and the claims that wait for the next closing day.
fn print_run_summary(
    plan: &crate::plan::Plan,
    members: &crate::input::Members,
    ledger: &crate::engine::Ledger,
    out: &std::path::Path,
) {
    let approved = ledger.decisions.iter().filter(|d| d.approved()).count();
    let charged = ledger.total(|f| f.charged);
    let (n, decided, periods) = (members.len(), ledger.decisions.len(), ledger.periods.len());
    eprintln!(
        "{}: {n} member{}, {decided} claim{} ({approved} approved), {periods} period{}, {charged} charged; wrote {}",
        plan.id,
        plural(n),
        plural(decided),
        plural(periods),
        shown_path(out)
    );
    let waiting = ledger.waiting().count();
    if waiting > 0 {
        let approved = ledger.waiting().filter(|d| d.approved()).count();
        let after = match ledger.last_closing_day() {
            Some(day) => format!("after the last closing day {day}"),
            None => "before the first closing day".to_string(),
        };
        eprintln!(
            "{waiting} claim{} filed {after} ({approved} approved) wait{} for the next closing day to be shared",
            plural(waiting),
            if waiting == 1 { "s" } else { "" }
        );
    }
}

fn explain(
    plan_path: &std::path::Path,
    data: &DataArgs,
    claim: Option<&str>,
    member: Option<&str>,
    period: Option<chrono::NaiveDate>,
    format: ExplainFormat,
) -> ExitCode {
    let Some((plan, sources)) = load_checked_with_sources(plan_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut timings = Timings::new(data.timings);
    let Some((members, claims, payments)) = read_data(&plan, data, member) else {
        return ExitCode::from(EXIT_INVALID);
    };
    timings.step("read");
    let tracked = match member {
        Some(id) => match members.find(id) {
            Some(i) => Some(i),
            None => {
                eprintln!(
                    "error: {}: no member has the id `{id}`",
                    shown_path(&data.members)
                );
                return ExitCode::from(EXIT_INVALID);
            }
        },
        None => None,
    };
    let ledger = match crate::explain::run_for_explain(
        &plan, &members, &claims, &payments, data.until, tracked,
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let explanation = match (claim, member) {
        (Some(id), _) => {
            match crate::explain::claim(&plan, &sources, &members, &claims, &ledger, id) {
                Some(e) => e,
                None => {
                    let filed_later = claims.all().iter().any(|c| c.id == id);
                    if filed_later {
                        eprintln!(
                            "error: claim `{id}` was filed after --until {}: it does not exist yet",
                            data.until
                        );
                    } else {
                        eprintln!(
                            "error: {}: no claim has the id `{id}`",
                            shown_path(&data.claims)
                        );
                    }
                    return ExitCode::from(EXIT_INVALID);
                }
            }
        }
        (None, Some(id)) => {
            let Some(p) = crate::explain::period_index(&ledger, period) else {
                match period {
                    Some(d) => eprintln!(
                        "error: no sharing period holds {d}: the run covers {} to {}",
                        ledger
                            .periods
                            .first()
                            .map(|p| p.period.start.to_string())
                            .unwrap_or_default(),
                        ledger
                            .periods
                            .last()
                            .map(|p| p.period.end.to_string())
                            .unwrap_or_default()
                    ),
                    None => eprintln!(
                        "error: the run has no sharing period (is --until before the launch?)"
                    ),
                }
                return ExitCode::from(EXIT_INVALID);
            };
            let Some(i) = members.find(id) else {
                eprintln!(
                    "error: {}: no member has the id `{id}`",
                    shown_path(&data.members)
                );
                return ExitCode::from(EXIT_INVALID);
            };
            crate::explain::charge(&plan, &sources, &members, &claims, &ledger, i as usize, p)
        }
        (None, None) => return ExitCode::from(2),
    };
    timings.step("explain");
    timings.print();
    let mut out = std::io::stdout().lock();
    let text = match format {
        ExplainFormat::Human => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            crate::explain::render_human(&explanation, color)
        }
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(&explanation).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// The plan files named, with folders replaced by the .plan files in them.
fn plan_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let default = [PathBuf::from("plans")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map(|rd| {
                    rd.filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|x| x == "plan"))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn test(paths: &[PathBuf]) -> ExitCode {
    let files = plan_files(paths);
    let mut err = std::io::stderr().lock();
    let mut out = std::io::stdout().lock();
    if files.is_empty() {
        let _ = writeln!(err, "error: no .plan file found");
        return ExitCode::from(EXIT_INVALID);
    }
    let (mut passed, mut failed, mut broken) = (0usize, 0usize, 0usize);
    for path in &files {
        let mut sources = Sources::new();
        let loaded = crate::load_plan(path, &mut sources);
        if loaded.diagnostics.has_errors() {
            print_errors(&sources, loaded.diagnostics);
            let _ = writeln!(out, "{}: does not check", shown_path(path));
            broken += 1;
            continue;
        }
        let Some(plan) = loaded.plan else {
            // A file of disease lists only: nothing to run.
            continue;
        };
        if plan.examples.is_empty() {
            let _ = writeln!(out, "{}: no examples", shown_path(path));
            continue;
        }
        let mut coverage = crate::testing::Coverage::default();
        let results: Vec<_> = plan
            .examples
            .iter()
            .map(|ex| crate::testing::run_example(&plan, ex, &mut coverage))
            .collect();
        let _ = writeln!(out, "{}", shown_path(path));
        let _ = out.write_all(crate::testing::render_results(&sources, &results).as_bytes());
        let _ = writeln!(out, "coverage of {}:", shown_path(path));
        let _ = out.write_all(crate::testing::render_coverage(&plan, &coverage).as_bytes());
        for r in &results {
            if r.passed() {
                passed += 1;
            } else {
                failed += 1;
            }
        }
    }
    let _ = writeln!(out, "examples: {passed} passed, {failed} failed");
    if broken > 0 {
        let _ = writeln!(out, "{broken} plan{} did not check", plural(broken));
    }
    if failed > 0 || broken > 0 {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
