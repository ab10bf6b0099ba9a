//! The command line's definition: subcommands, options and their help. What
//! each subcommand does is in `commands`.

use crate::diagnostic::Format;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "mutual",
    version,
    about = "Check, run and explain mutual-aid plans",
    long_about = "Check, run and explain mutual-aid plans.\n\n\
        A plan is a page of rules (who may join, which diseases are covered, the waiting \
        period, the payout by age, the fee, the caps) written as a .plan file. `mutual` \
        checks it like a compiler, decides every claim and computes every member's charge, \
        exact to the fen.\n\n\
        Exit status: 0 success; 1 an invalid plan or input (every problem reported as \
        file:line:column, nothing written); 2 wrong usage."
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
        /// human: the plan lines with each problem marked (on stderr); plain: one line each (on stderr); json: an array (on stdout)
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Decide every claim and charge every member; print what happened
    Run(RunArgs),
    /// Explain a claim's decision or a member's charge, step by step, citing the plan
    Explain(ExplainArgs),
    /// Run the examples written in plans and report what they covered
    Test {
        /// Plan files, or folders whose .plan files to test (default: plans)
        paths: Vec<PathBuf>,
        /// text: results and coverage; json: one object; junit: JUnit XML, one test case per example
        #[arg(long, value_enum, default_value = "text")]
        format: TestFormat,
    },
    /// Print plans in canonical form, check it, or write it in place
    Fmt {
        /// Exit 1 and name the first line of each file that is not in canonical form
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Rewrite the files in place (each replaced whole, never half-written)
        #[arg(long)]
        write: bool,
        /// Plan files to format
        #[arg(required = true)]
        plans: Vec<PathBuf>,
    },
    /// Compare two plans, or the rules of one plan on two days, over the same data
    Diff(DiffArgs),
    /// Draw a plan year as one self-contained HTML page (report.html)
    Report(ReportArgs),
    /// Print a shell completion script (e.g. `mutual completions bash > /etc/bash_completion.d/mutual`)
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Serve editors: a language server over stdin and stdout (diagnostics, formatting,
    /// hover, definitions, completion, quick fixes, example results)
    Lsp,
    /// Print a manual page, in roff (e.g. `mutual man run > mutual-run.1; man ./mutual-run.1`)
    Man {
        /// The command whose page to print (default: the page of `mutual` itself)
        command: Option<String>,
    },
}

/// The options of `mutual run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The plan file
    pub plan: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Folder for decisions.csv, periods.csv, members.csv, summary.json (and charges.csv)
    #[arg(long)]
    pub out: PathBuf,
    /// Also write charges.csv: every non-zero charge of every member
    #[arg(long)]
    pub charges: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// text: the summary as lines; json: the summary as one object
    #[arg(long, value_enum, default_value = "text")]
    pub format: RunFormat,
}

/// The options of `mutual explain`.
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("subject").required(true).args(["claim", "member"]))]
pub struct ExplainArgs {
    /// The plan file
    pub plan: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The claim to explain
    #[arg(long)]
    pub claim: Option<String>,
    /// The member whose charge to explain
    #[arg(long)]
    pub member: Option<String>,
    /// A day in the period to explain (default: the last period)
    #[arg(long, requires = "member", value_parser = parse_date)]
    pub period: Option<chrono::NaiveDate>,
    /// human: a tree; json: the same steps as data
    #[arg(long, value_enum, default_value = "human")]
    pub format: ExplainFormat,
    /// audit: every step with its rule (the default for --claim); member: a letter for the member (the default for --member)
    #[arg(long, value_enum)]
    pub view: Option<ExplainView>,
    /// The language of the member view (default: from LANG, else en)
    #[arg(long, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
    /// An old version of the plan: explain both, side by side, marking the steps that differ
    #[arg(long, value_name = "OLD_PLAN")]
    pub diff: Option<PathBuf>,
}

/// The options of `mutual diff`.
#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("second").required(true).args(["new", "as_of"]))]
pub struct DiffArgs {
    /// The old plan (with --as-of and --vs: the one plan whose rules on two days to compare)
    pub old: PathBuf,
    /// The new plan
    pub new: Option<PathBuf>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Folder for periods.csv, members.csv, decisions.csv and summary.json
    #[arg(long)]
    pub out: PathBuf,
    /// The day whose rules are the old ones (one dated plan, with --vs)
    #[arg(long, value_parser = parse_date, requires = "vs", conflicts_with = "new")]
    pub as_of: Option<chrono::NaiveDate>,
    /// The day whose rules are the new ones (with --as-of)
    #[arg(long, value_parser = parse_date, requires = "as_of")]
    pub vs: Option<chrono::NaiveDate>,
    /// text: the summary as lines; json: the summary as one object
    #[arg(long, value_enum, default_value = "text")]
    pub format: RunFormat,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

/// The options of `mutual report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The plan file
    pub plan: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Folder for report.html
    #[arg(long)]
    pub out: PathBuf,
    /// The language of the page (default: from LANG, else en)
    #[arg(long, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
    /// An old version of the plan: draw the charge per member and what the operator bore, old against new
    #[arg(long, value_name = "OLD_PLAN")]
    pub diff: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Human,
    Json,
}

/// Who an explanation is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainView {
    /// Every step, each citing its rule: for staff and CI.
    Audit,
    /// A short letter: what the member paid or was paid, and why.
    Member,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RunFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}

/// The data a plan runs over.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Members CSV: id, birth_date, join_date, optional left_date and waiting_from, and the attributes the plan reads (`-`: standard input)
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

/// A day given on the command line, `YYYY-MM-DD`; a day the calendar does
/// not have is said so (`February 2019 has 28 days`).
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    let shown = crate::terminal_text::escape(s);
    crate::input::parse_iso_date(s.as_bytes()).ok_or_else(|| {
        match crate::input::not_a_day(s.as_bytes()) {
            Some(why) => format!("`{shown}` is not a day in the calendar: {why}"),
            None => format!("`{shown}` is not a date written YYYY-MM-DD"),
        }
    })
}
