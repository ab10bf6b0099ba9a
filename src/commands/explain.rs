//! `mutual explain`: one claim's decision, or one member's charge in one
//! period, step by step, citing the plan.

use super::data::{Timings, read_data};
use super::{EXIT_INVALID, load_checked_with_sources, shown_path};
use crate::cli::{DataArgs, ExplainFormat};
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

/// Everything an explanation is made from.
struct Run<'a> {
    plan: &'a Plan,
    sources: &'a Sources,
    members: &'a Members,
    claims: &'a Claims,
    ledger: &'a Ledger,
    data: &'a DataArgs,
}

/// Explains `subject` and prints the explanation on stdout.
pub fn explain(
    plan_path: &Path,
    data: &DataArgs,
    subject: &Subject,
    format: ExplainFormat,
) -> ExitCode {
    let Some((plan, sources)) = load_checked_with_sources(plan_path) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let mut timings = Timings::new(data.timings);
    let member = match subject {
        Subject::Member(id, _) => Some(id.as_str()),
        Subject::Claim(_) => None,
    };
    let Some((mut members, claims, payments)) = read_data(&plan, data, member) else {
        return ExitCode::from(EXIT_INVALID);
    };
    let about = match subject {
        Subject::Member(id, _) => Some(id.as_str()),
        Subject::Claim(id) => (claims.all().iter())
            .find(|c| c.id == *id)
            .map(|c| c.member_id.as_str()),
    };
    if let Some(id) = about {
        keep_attributes(&plan, &data.members, &mut members, id);
    }
    timings.step("read");
    let tracked = match member {
        Some(id) => match members.find(id) {
            Some(i) => Some(i),
            None => return no_member(data, id),
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
    let run = Run {
        plan: &plan,
        sources: &sources,
        members: &members,
        claims: &claims,
        ledger: &ledger,
        data,
    };
    let explanation = match subject {
        Subject::Claim(id) => explain_claim(&run, id),
        Subject::Member(id, period) => explain_member(&run, id, *period),
    };
    let Ok(explanation) = explanation else {
        return ExitCode::from(EXIT_INVALID);
    };
    timings.step("explain");
    timings.print();
    print(&explanation, format);
    ExitCode::SUCCESS
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

fn print(explanation: &Explanation, format: ExplainFormat) {
    let text = match format {
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
