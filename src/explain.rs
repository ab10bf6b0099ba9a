//! `mutual explain`: every step that produced a decision or a charge, each
//! citing the plan line it applied, and what would have changed the outcome.
//!
//! An explanation is data (`Explanation`, serialised as JSON with a stable
//! shape) rendered as a tree for people. It is built from the same ledger a
//! run writes, and the figures it shows are checked against it.
//!
//! `claim` and `charge` build the steps (`account` adds a prepaid balance's,
//! `eligibility` and `ending` say why a member could not join or stopped);
//! `render` draws them for staff, `letter` writes them to the member, and
//! `compared` sets two explanations side by side.

use crate::age::{age_days, age_years};
use crate::ast::{AgeBasis, Remainder, RoundingMode, SplitKind};
use crate::engine::{
    self, CapKind, Decision, EndCause, Ledger, MemberShare, PeriodFigures, Reason, annual_cap,
    member_share, membership_year, payout_table, term_start,
};
use crate::input::{Claims, Members};
use crate::money::{Fraction, Money};
use crate::plan::{BenefitId, Payout, Plan};
use crate::source::{Sources, Span};
use crate::terminal_text::escape;
use crate::words::count;
use chrono::NaiveDate;
mod account;
mod charge;
mod claim;
pub mod compared;
mod eligibility;
mod ending;
pub mod letter;
mod render;

pub use charge::charge;
pub use claim::claim;
pub use render::render_human;

use owo_colors::OwoColorize;
use serde::Serialize;
use std::ops::ControlFlow::{self, Break, Continue};

/// The plan line a step applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub file: String,
    pub line: usize,
    pub text: String,
}

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A rule that held.
    Pass,
    /// The rule that decided against.
    Fail,
    /// A figure or fact, not a test.
    Info,
}

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// A stable name for the step: `eligibility`, `waiting_period`, `share`, ….
    pub step: &'static str,
    pub outcome: Outcome,
    /// The step in words, with its figures.
    pub text: String,
    /// The plan rule the step applied, if any.
    pub rule: Option<Citation>,
    /// The step's figures as data (money as decimal strings, dates ISO).
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Why a figure is what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// `claim` or `charge`.
    pub kind: &'static str,
    /// What is explained, in words.
    pub subject: String,
    /// The outcome in words: `denied: in_waiting_period`, `charged 0.13`.
    pub result: String,
    pub steps: Vec<Step>,
    /// What would have changed the outcome, where something could.
    pub why_not: Vec<String>,
}

struct Builder<'a> {
    sources: &'a Sources,
    steps: Vec<Step>,
}

impl Builder<'_> {
    fn cite(&self, span: Span) -> Citation {
        let file = self.sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        let text = file.line_text(line);
        let code = &text[..crate::syntax::comment_start(text).unwrap_or(text.len())];
        Citation {
            file: file.name.clone(),
            line,
            text: code.trim().to_string(),
        }
    }

    fn step(
        &mut self,
        step: &'static str,
        outcome: Outcome,
        text: String,
        rule: Option<Span>,
        values: &[(&str, serde_json::Value)],
    ) {
        let rule = rule.map(|s| self.cite(s));
        self.steps.push(Step {
            step,
            outcome,
            text,
            rule,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        });
    }
}

fn s(v: impl ToString) -> serde_json::Value {
    serde_json::Value::String(v.to_string())
}

fn n(v: impl Into<serde_json::Number>) -> serde_json::Value {
    serde_json::Value::Number(v.into())
}

fn pass(ok: bool) -> Outcome {
    if ok { Outcome::Pass } else { Outcome::Fail }
}

/// The index of the period that holds `date`, or the last period.
pub fn period_index(ledger: &Ledger, date: Option<NaiveDate>) -> Option<usize> {
    match date {
        None => ledger.periods.len().checked_sub(1),
        Some(d) => ledger
            .periods
            .iter()
            .position(|p| p.period.start <= d && d <= p.period.end),
    }
}

/// The figures of a period, for callers that want them alongside an explanation.
pub fn period_figures(ledger: &Ledger, p: usize) -> &PeriodFigures {
    &ledger.periods[p]
}

/// Runs the plan as `explain` needs: following the charges of `member`
/// only, or, where no member is named (a claim is explained), deciding the
/// claims without sharing the periods.
pub fn run_for_explain(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    payments: &crate::input::Payments,
    until: NaiveDate,
    member: Option<u32>,
) -> Result<Ledger, engine::EngineError> {
    // With accounts, a claim's decision depends on the charges before it.
    let options = engine::RunOptions {
        track: member,
        share: member.is_some() || engine::has_accounts(plan),
        explaining: true,
        ..engine::RunOptions::new(until)
    };
    engine::run_with_payments(plan, members, claims, payments, options)
}
