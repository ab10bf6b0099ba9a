//! `mutual explain`: one claim's decision, or one member's charge in one
//! period, step by step, citing the plan.

use super::data::{Data, Timings, read_data};
use super::{EXIT_INVALID, load_checked_with_sources, shown_path};
use crate::cli::{DataArgs, ExplainFormat, ExplainView};
use crate::engine::Ledger;
use crate::explain::Explanation;
use crate::input::{Claims, Members};
use crate::plan::Plan;
use crate::source::Sources;
use chrono::NaiveDate;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// What to explain.
pub enum Subject {
    /// A claim, by id.
    Claim(String),
    /// A member, by id, in the period holding the day (default: the last period).
    Member(String, Option<NaiveDate>),
}

/// How an explanation is shown: as data, or as text for staff or for the member.
pub struct Shown {
    pub format: ExplainFormat,
    pub view: ExplainView,
    pub lang: crate::i18n::Lang,
}

impl Shown {
    /// The view asked for, or the default: a letter for a member's charge,
    /// the audit steps for a claim; the language asked for, or the environment's.
    pub fn new(
        subject: &Subject,
        format: ExplainFormat,
        view: Option<ExplainView>,
        lang: Option<crate::i18n::Lang>,
    ) -> Shown {
        let view = view.unwrap_or(match subject {
            Subject::Member(..) => ExplainView::Member,
            Subject::Claim(_) => ExplainView::Audit,
        });
        Shown {
            format,
            view,
            lang: lang.unwrap_or_else(crate::i18n::Lang::from_env),
        }
    }
}

/// Everything an explanation is made from.
struct Run<'a> {
    plan: &'a Plan,
    sources: &'a Sources,
    members: &'a Members,
    claims: &'a Claims,
    ledger: &'a Ledger,
    data: &'a DataArgs,
}

/// `mutual explain` as the command line gives it.
pub fn command(a: crate::cli::ExplainArgs) -> ExitCode {
    let subject = match (a.claim, a.member) {
        (Some(id), _) => Subject::Claim(id),
        (None, Some(id)) => Subject::Member(id, a.period),
        (None, None) => return ExitCode::from(super::EXIT_USAGE),
    };
    match a.diff {
        Some(old) => super::explain_diff::explain_diff(&old, &a.plan, &a.data, &subject, a.format),
        None => {
            let shown = Shown::new(&subject, a.format, a.view, a.lang);
            explain(&a.plan, &a.data, &subject, shown)
        }
    }
}

/// Explains `subject` and prints the explanation on stdout.
pub fn explain(plan_path: &Path, data: &DataArgs, subject: &Subject, shown: Shown) -> ExitCode {
    let Some((plan, sources)) = load_checked_with_sources(plan_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut timings = Timings::new(data.timings);
    let Some(mut read) = read_data(&plan, data, subject.member()) else {
        return ExitCode::from(EXIT_INVALID);
    };
    timings.step("read");
    let explanation = match explanation(&plan, &sources, &mut read, data, subject) {
        Ok(e) => e,
        Err(code) => return code,
    };
    timings.step("explain");
    timings.print();
    print(&explanation, &plan, &shown);
    ExitCode::SUCCESS
}

impl Subject {
    /// The member explained, if a member is.
    pub fn member(&self) -> Option<&str> {
        match self {
            Subject::Member(id, _) => Some(id.as_str()),
            Subject::Claim(_) => None,
        }
    }
}

/// The explanation of `subject` by `plan` over the data `read`; an error
/// printed, and the exit code, where there is none.
pub fn explanation(
    plan: &Plan,
    sources: &Sources,
    (members, claims, payments): &mut Data,
    data: &DataArgs,
    subject: &Subject,
) -> Result<Explanation, ExitCode> {
    let about = match subject {
        Subject::Member(id, _) => Some(id.as_str()),
        Subject::Claim(id) => (claims.all().iter())
            .find(|c| c.id == *id)
            .map(|c| c.member_id.as_str()),
    };
    if let Some(id) = about {
        keep_attributes(plan, &data.members, members, id);
    }
    let tracked = match subject.member() {
        Some(id) => match members.find(id) {
            Some(i) => Some(i),
            None => return Err(no_member(data, id)),
        },
        None => None,
    };
    let ledger =
        crate::explain::run_for_explain(plan, members, claims, payments, data.until, tracked)
            .map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_INVALID)
            })?;
    let run = Run {
        plan,
        sources,
        members,
        claims,
        ledger: &ledger,
        data,
    };
    let explanation = match subject {
        Subject::Claim(id) => explain_claim(&run, id),
        Subject::Member(id, period) => explain_member(&run, id, *period),
    };
    explanation.map_err(|()| ExitCode::from(EXIT_INVALID))
}

/// Reads again the attributes the requirement names for member `id`, where
/// the member did not meet it, so that the explanation can show the values.
fn keep_attributes(plan: &Plan, path: &Path, members: &mut Members, id: &str) {
    let Some(i) = members.find(id) else { return };
    if members.meets_requirements[i as usize] {
        return;
    }
    let rules = &plan.at(members.join[i as usize]).membership;
    let Some(req) = &rules.requirement else {
        return;
    };
    let names = req.value.attributes();
    if let Some(values) = crate::input::attributes::attributes_of(path, id, &names) {
        members.explained_attributes.insert(i, values);
    }
}

fn no_member(data: &DataArgs, id: &str) -> ExitCode {
    eprintln!(
        "error: {}: no member has the id `{}`",
        shown_path(&data.members),
        crate::terminal_text::escape(id)
    );
    ExitCode::from(EXIT_INVALID)
}

/// The explanation of claim `id`; an error printed where there is none.
fn explain_claim(run: &Run, id: &str) -> Result<Explanation, ()> {
    let found = crate::explain::claim(
        run.plan,
        run.sources,
        run.members,
        run.claims,
        run.ledger,
        id,
    );
    if let Some(e) = found {
        return Ok(e);
    }
    let shown = crate::terminal_text::escape(id);
    if run.claims.all().iter().any(|c| c.id == id) {
        eprintln!(
            "error: claim `{shown}` was filed after --until {}: it does not exist yet",
            run.data.until
        );
    } else {
        eprintln!(
            "error: {}: no claim has the id `{shown}`",
            shown_path(&run.data.claims)
        );
    }
    Err(())
}

/// The explanation of member `id`'s charge in the period holding `day`.
fn explain_member(run: &Run, id: &str, day: Option<NaiveDate>) -> Result<Explanation, ()> {
    let Some(p) = crate::explain::period_index(run.ledger, day) else {
        no_period(run.ledger, day);
        return Err(());
    };
    let Some(i) = run.members.find(id) else {
        let _ = no_member(run.data, id);
        return Err(());
    };
    Ok(crate::explain::charge(
        run.plan,
        run.sources,
        run.members,
        run.claims,
        run.ledger,
        i as usize,
        p,
    ))
}

fn no_period(ledger: &Ledger, day: Option<NaiveDate>) {
    match day {
        Some(d) => {
            let day = |p: Option<&crate::engine::PeriodFigures>, end: bool| {
                p.map(|f| if end { f.period.end } else { f.period.start }.to_string())
                    .unwrap_or_default()
            };
            eprintln!(
                "error: no sharing period holds {d}: the run covers {} to {}",
                day(ledger.periods.first(), false),
                day(ledger.periods.last(), true)
            );
        }
        None => eprintln!("error: the run has no sharing period (is --until before the launch?)"),
    }
}

fn print(explanation: &Explanation, plan: &Plan, shown: &Shown) {
    let text = match shown.format {
        ExplainFormat::Human if shown.view == ExplainView::Member => {
            crate::explain::letter::member_view(explanation, plan, shown.lang)
        }
        ExplainFormat::Human => {
            let color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            crate::explain::render_human(explanation, color)
        }
        ExplainFormat::Json => {
            let mut s = serde_json::to_string_pretty(explanation).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
