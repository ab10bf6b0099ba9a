//! The impact of a rule change: two runs over the same data, compared.
//!
//! `compare` takes the ledgers of an old and a new plan run over the same
//! members and claims and keeps what differs: every period of either run
//! (`PeriodRow`), the members whose status, charges or payouts differ
//! (`MemberRow`) and the claims whose decision, reason or payout differ
//! (`DecisionRow`), in input order. Every figure is read from the two
//! ledgers as `run` writes them, so it equals what two separate runs give.

use crate::engine::{Decision, Ledger, MemberStatus, PeriodFigures};
use crate::input::{Claims, Members};
use crate::money::Money;
use chrono::NaiveDate;
use rayon::prelude::*;

pub mod summary;
pub use summary::DiffSummary;

/// One period of either run; `None` where that run has no such period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodRow {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub old: Option<PeriodSide>,
    pub new: Option<PeriodSide>,
}

/// The figures of one period in one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodSide {
    pub members: u64,
    pub payouts: Money,
    pub charged: Money,
    pub operator_borne: Money,
}

impl PeriodRow {
    /// new − old of one figure, a missing side counting as 0.00.
    pub fn delta(&self, figure: fn(&PeriodSide) -> Money) -> Money {
        let of = |s: &Option<PeriodSide>| s.as_ref().map(figure).unwrap_or_default();
        of(&self.new) - of(&self.old)
    }
}

/// A member whose status, total charged or total paid out differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// Input position.
    pub member: u32,
    pub status: (MemberStatus, MemberStatus),
    pub charged: (Money, Money),
    pub paid_out: (Money, Money),
}

/// A claim whose decision, reason or payout differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    /// Position in the claims file.
    pub claim: u32,
    pub old: Outcome,
    pub new: Outcome,
}

/// What one run made of a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub reason: crate::engine::Reason,
    pub payout: Money,
}

impl Outcome {
    pub fn decision(&self) -> &'static str {
        if self.reason == crate::engine::Reason::Covered {
            "approved"
        } else {
            "denied"
        }
    }
}

/// Everything that differs between two runs, and their totals.
#[derive(Clone, Debug)]
pub struct Diff {
    pub periods: Vec<PeriodRow>,
    pub members: Vec<MemberRow>,
    pub decisions: Vec<DecisionRow>,
    pub summary: DiffSummary,
}

/// Compares the runs `old` and `new` of two plans over the same `members`
/// and `claims`.
pub fn compare(members: &Members, claims: &Claims, old: &Ledger, new: &Ledger) -> Diff {
    let periods = compare_periods(old, new);
    let members_rows = member_rows(members, old, new);
    let decisions = decision_rows(claims, old, new);
    let summary = DiffSummary::new(members, old, new, &members_rows, &decisions);
    Diff {
        periods,
        members: members_rows,
        decisions,
        summary,
    }
}

fn side(f: &PeriodFigures) -> PeriodSide {
    PeriodSide {
        members: f.members,
        payouts: f.payouts,
        charged: f.charged,
        operator_borne: f.operator_borne,
    }
}

/// Every period of either run, by start then end: the two runs' periods
/// merged, matched where both have the same days.
pub fn compare_periods(old: &Ledger, new: &Ledger) -> Vec<PeriodRow> {
    let key = |f: &PeriodFigures| (f.period.start, f.period.end);
    let (mut a, mut b) = (old.periods.iter().peekable(), new.periods.iter().peekable());
    let mut out = Vec::with_capacity(old.periods.len().max(new.periods.len()));
    loop {
        let row = match (a.peek().map(|f| key(f)), b.peek().map(|f| key(f))) {
            (None, None) => break,
            (Some(x), Some(y)) if x == y => (x, a.next().map(side), b.next().map(side)),
            (Some(x), Some(y)) if x < y => (x, a.next().map(side), None),
            (Some(x), None) => (x, a.next().map(side), None),
            (_, Some(y)) => (y, None, b.next().map(side)),
        };
        let ((start, end), old, new) = row;
        out.push(PeriodRow {
            start,
            end,
            old,
            new,
        });
    }
    out
}

/// The members whose status, charged or paid out differ, in input order.
fn member_rows(members: &Members, old: &Ledger, new: &Ledger) -> Vec<MemberRow> {
    (0..members.len())
        .into_par_iter()
        .filter_map(|i| {
            let row = MemberRow {
                member: i as u32,
                status: (old.status(members, i), new.status(members, i)),
                charged: (old.charged(i), new.charged(i)),
                paid_out: (old.paid_out(i), new.paid_out(i)),
            };
            let differs = row.status.0 != row.status.1
                || row.charged.0 != row.charged.1
                || row.paid_out.0 != row.paid_out.1;
            differs.then_some(row)
        })
        .collect()
}

/// Each claim's outcome in one run, by position in the claims file
/// (`None`: filed after `--until`, not decided).
fn outcomes(claims: &Claims, ledger: &Ledger) -> Vec<Option<Outcome>> {
    let mut out = vec![None; claims.all().len()];
    for d in &ledger.decisions {
        out[d.claim as usize] = Some(outcome(d));
    }
    out
}

fn outcome(d: &Decision) -> Outcome {
    Outcome {
        reason: d.reason,
        payout: d.payout,
    }
}

/// The claims whose decision, reason or payout differ, in input order.
fn decision_rows(claims: &Claims, old: &Ledger, new: &Ledger) -> Vec<DecisionRow> {
    let (a, b) = (outcomes(claims, old), outcomes(claims, new));
    a.into_iter()
        .zip(b)
        .enumerate()
        .filter_map(|(k, pair)| match pair {
            (Some(old), Some(new)) if old != new => Some(DecisionRow {
                claim: k as u32,
                old,
                new,
            }),
            _ => None,
        })
        .collect()
}
