//! What a rule change does, in a few lines: the claims whose outcome
//! changed, the members whose charges changed, the totals old → new, and the
//! largest increase and decrease of one member's charges.

use super::{DecisionRow, MemberRow};
use crate::engine::Ledger;
use crate::input::Members;
use crate::money::Money;
use crate::words::grouped;
use serde::Serialize;
use std::fmt::Write;

/// The summary of a diff. In JSON, money is a decimal string with two places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub old_plan: String,
    pub new_plan: String,
    pub until: String,
    /// Claims whose decision, reason or payout changed.
    pub claims_changed: u64,
    /// Members whose total charged changed.
    pub members_charged_differently: u64,
    /// Members whose status, charged or paid out changed.
    pub members_changed: u64,
    pub charged: OldNew,
    pub operator_borne: OldNew,
    pub payouts: OldNew,
    pub fee: OldNew,
    pub largest_increase: Option<MemberChange>,
    pub largest_decrease: Option<MemberChange>,
}

/// A total in both runs, and new − old.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OldNew {
    pub old: Money,
    pub new: Money,
    pub delta: Money,
}

impl OldNew {
    fn of(old: Money, new: Money) -> OldNew {
        OldNew {
            old,
            new,
            delta: new - old,
        }
    }
}

/// One member's charges in both runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberChange {
    pub member_id: String,
    pub charged_old: Money,
    pub charged_new: Money,
    pub delta: Money,
}

impl DiffSummary {
    pub(super) fn new(
        members: &Members,
        old: &Ledger,
        new: &Ledger,
        rows: &[MemberRow],
        decisions: &[DecisionRow],
    ) -> DiffSummary {
        let total = |l: &Ledger, f: fn(&crate::engine::PeriodFigures) -> Money| l.total(f);
        let pair = |f: fn(&crate::engine::PeriodFigures) -> Money| {
            OldNew::of(total(old, f), total(new, f))
        };
        let delta = |r: &MemberRow| r.charged.1 - r.charged.0;
        let change = |r: &MemberRow| MemberChange {
            member_id: members.id(r.member as usize).to_string(),
            charged_old: r.charged.0,
            charged_new: r.charged.1,
            delta: delta(r),
        };
        // The first member (in input order) of the largest change wins a tie.
        let largest = |sign: i64| {
            rows.iter()
                .filter(|r| delta(r).fen() * sign > 0)
                .fold(None::<&MemberRow>, |best, r| match best {
                    Some(b) if delta(b).fen() * sign >= delta(r).fen() * sign => Some(b),
                    _ => Some(r),
                })
                .map(change)
        };
        DiffSummary {
            old_plan: String::new(),
            new_plan: String::new(),
            until: old.until.to_string(),
            claims_changed: decisions.len() as u64,
            members_charged_differently: rows.iter().filter(|r| r.charged.0 != r.charged.1).count()
                as u64,
            members_changed: rows.len() as u64,
            charged: pair(|f| f.charged),
            operator_borne: pair(|f| f.operator_borne),
            payouts: pair(|f| f.payouts),
            fee: pair(|f| f.fee),
            largest_increase: largest(1),
            largest_decrease: largest(-1),
        }
    }

    /// The summary as people read it, amounts grouped.
    pub fn text(&self) -> String {
        let esc = |s: &str| crate::terminal_text::escape(s).into_owned();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} → {}, until {}",
            esc(&self.old_plan),
            esc(&self.new_plan),
            self.until
        );
        let _ = writeln!(
            out,
            "  claims whose outcome changed   {}",
            grouped(self.claims_changed)
        );
        let _ = writeln!(
            out,
            "  members whose charges changed {}",
            grouped(self.members_charged_differently)
        );
        for (label, v) in [
            ("charged", &self.charged),
            ("operator bore", &self.operator_borne),
            ("payouts", &self.payouts),
            ("fee", &self.fee),
        ] {
            let _ = writeln!(
                out,
                "  {label:<13} {} → {} ({})",
                v.old.grouped(),
                v.new.grouped(),
                signed(v.delta)
            );
        }
        for (label, c) in [
            ("largest increase", &self.largest_increase),
            ("largest decrease", &self.largest_decrease),
        ] {
            match c {
                Some(c) => {
                    let _ = writeln!(
                        out,
                        "  {label}: member {} {} → {} ({})",
                        esc(&c.member_id),
                        c.charged_old.grouped(),
                        c.charged_new.grouped(),
                        signed(c.delta)
                    );
                }
                None => {
                    let _ = writeln!(out, "  {label}: none");
                }
            }
        }
        out
    }

    /// The summary as one pretty-printed JSON object, with a final line break.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

/// A change as people read it: `+1,200.00`, `-0.13`, `0.00`.
fn signed(m: Money) -> String {
    if m.fen() > 0 {
        format!("+{}", m.grouped())
    } else {
        m.grouped()
    }
}
