//! What a run did, in one place: the claims decided and why, the money that
//! moved, and the members by status. Printed by `mutual run` (as text or as
//! one JSON object) and written beside the CSV files as `summary.json`.

use crate::engine::{Ledger, MemberStatus, Reason};
use crate::input::Members;
use crate::money::Money;
use crate::plan::Plan;
use crate::words::{count, grouped};
use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::fmt::Write;

/// The figures of one run. In JSON, money is a decimal string with two
/// places (`"58110.90"`), exact, as in the CSV files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub plan: String,
    pub title: Option<String>,
    pub until: String,
    pub periods: PeriodsSummary,
    pub members: MembersSummary,
    pub claims: ClaimsSummary,
    pub money: MoneySummary,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PeriodsSummary {
    /// Periods whose closing day is on or before `until`.
    pub shared: usize,
    pub first_start: Option<String>,
    pub last_closing_day: Option<String>,
}

/// Members by their status on `until`, in the order the statuses are decided.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MembersSummary {
    pub total: u64,
    pub ineligible: u64,
    pub pending: u64,
    pub left: u64,
    pub ended: u64,
    pub paused: u64,
    pub active: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimsSummary {
    /// Claims filed on or before `until`, each decided.
    pub decided: u64,
    pub approved: u64,
    pub denied: u64,
    /// Every reason a claim can be denied for, with its count (0 included).
    pub denied_by_reason: DeniedByReason,
    /// Claims filed after the last closing day: decided, not yet shared.
    pub waiting: u64,
    pub waiting_approved: u64,
}

/// Denials by reason code, in the order the reasons are checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeniedByReason(pub Vec<(Reason, u64)>);

impl Serialize for DeniedByReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (reason, n) in &self.0 {
            map.serialize_entry(reason.code(), n)?;
        }
        map.end()
    }
}

/// Totals over the shared periods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoneySummary {
    /// Approved cases shared (claims waiting for the next closing day are not).
    pub cases: u64,
    pub payouts: Money,
    pub fee: Money,
    pub charged: Money,
    pub operator_borne: Money,
    /// Carried into the period after the last one shared.
    pub carried_out: Money,
    pub refunded: Money,
    pub topped_up: Money,
    pub fees: Money,
}

impl RunSummary {
    /// The summary of `ledger`, a run of `plan` over `members`.
    pub fn new(plan: &Plan, members: &Members, ledger: &Ledger) -> RunSummary {
        let day = |d: chrono::NaiveDate| d.to_string();
        RunSummary {
            plan: plan.id.clone(),
            title: plan.title.clone(),
            until: day(ledger.until),
            periods: PeriodsSummary {
                shared: ledger.periods.len(),
                first_start: ledger.periods.first().map(|f| day(f.period.start)),
                last_closing_day: ledger.last_closing_day().map(day),
            },
            members: members_by_status(members, ledger),
            claims: claims(ledger),
            money: money(ledger, members.len()),
        }
    }

    /// The summary as people read it: one fact per line, amounts grouped.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let plan = crate::terminal_text::escape(&self.plan);
        let name = match &self.title {
            Some(title) => format!("{} ({plan})", crate::terminal_text::escape(title)),
            None => plan.into_owned(),
        };
        let _ = writeln!(out, "{name}, until {}", self.until);
        let _ = writeln!(out, "  periods       {}", self.periods_line());
        let _ = writeln!(out, "  members       {}", self.members_line());
        let c = &self.claims;
        let _ = writeln!(
            out,
            "  claims        {} decided: {} approved, {} denied",
            grouped(c.decided),
            grouped(c.approved),
            grouped(c.denied)
        );
        let denied: Vec<String> = (c.denied_by_reason.0.iter())
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| format!("{} {}", r.code(), grouped(*n)))
            .collect();
        if !denied.is_empty() {
            let _ = writeln!(out, "    denied      {}", denied.join(", "));
        }
        if c.waiting > 0 {
            let _ = writeln!(out, "    waiting     {}", self.waiting_line());
        }
        let m = &self.money;
        let _ = writeln!(
            out,
            "  payouts       {} ({})",
            m.payouts.grouped(),
            count(m.cases, "case")
        );
        let rows = [
            ("fee", &m.fee),
            ("charged", &m.charged),
            ("operator bore", &m.operator_borne),
            ("carried out", &m.carried_out),
        ];
        for (label, amount) in rows {
            let _ = writeln!(out, "  {label:<13} {}", amount.grouped());
        }
        for (label, amount) in [
            ("refunded", &m.refunded),
            ("topped up", &m.topped_up),
            ("fees", &m.fees),
        ] {
            if *amount != Money::ZERO {
                let _ = writeln!(out, "  {label:<13} {}", amount.grouped());
            }
        }
        out
    }

    fn periods_line(&self) -> String {
        let p = &self.periods;
        match (&p.first_start, &p.last_closing_day) {
            (Some(first), Some(last)) => format!(
                "{} shared, from {first} to the closing day {last}",
                grouped(p.shared as u64)
            ),
            _ => "none shared: no closing day on or before the last day".to_string(),
        }
    }

    fn members_line(&self) -> String {
        let m = &self.members;
        let by_status: Vec<String> = [
            ("active", m.active),
            ("paused", m.paused),
            ("ended", m.ended),
            ("left", m.left),
            ("pending", m.pending),
            ("ineligible", m.ineligible),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{} {s}", grouped(n)))
        .collect();
        if by_status.is_empty() {
            "0".to_string()
        } else {
            format!("{}: {}", grouped(m.total), by_status.join(", "))
        }
    }

    fn waiting_line(&self) -> String {
        let c = &self.claims;
        let after = match &self.periods.last_closing_day {
            Some(day) => format!("after the last closing day {day}"),
            None => "before the first closing day".to_string(),
        };
        format!(
            "{} filed {after} ({} approved) wait{} for the next closing day",
            grouped(c.waiting),
            grouped(c.waiting_approved),
            if c.waiting == 1 { "s" } else { "" }
        )
    }

    /// The summary as one JSON object, pretty-printed, with a final line break.
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}

fn members_by_status(members: &Members, ledger: &Ledger) -> MembersSummary {
    let add = |mut s: MembersSummary, status: MemberStatus| {
        s.total += 1;
        *match status {
            MemberStatus::Ineligible => &mut s.ineligible,
            MemberStatus::Pending => &mut s.pending,
            MemberStatus::Left => &mut s.left,
            MemberStatus::Ended => &mut s.ended,
            MemberStatus::Paused => &mut s.paused,
            MemberStatus::Active => &mut s.active,
        } += 1;
        s
    };
    (0..members.len())
        .into_par_iter()
        .fold(MembersSummary::default, |s, i| {
            add(s, ledger.status(members, i))
        })
        .reduce(MembersSummary::default, |a, b| MembersSummary {
            total: a.total + b.total,
            ineligible: a.ineligible + b.ineligible,
            pending: a.pending + b.pending,
            left: a.left + b.left,
            ended: a.ended + b.ended,
            paused: a.paused + b.paused,
            active: a.active + b.active,
        })
}

fn claims(ledger: &Ledger) -> ClaimsSummary {
    // One pass over the decisions, counting each reason.
    let mut by_reason = [0u64; Reason::ALL.len()];
    for d in &ledger.decisions {
        if let Some(k) = Reason::ALL.iter().position(|r| *r == d.reason) {
            by_reason[k] += 1;
        }
    }
    let counted = Reason::ALL.into_iter().zip(by_reason);
    let approved = counted
        .clone()
        .find(|(r, _)| *r == Reason::Covered)
        .map_or(0, |(_, n)| n);
    let decided = ledger.decisions.len() as u64;
    let (waiting, waiting_approved) = ledger
        .waiting()
        .fold((0, 0), |(w, a), d| (w + 1, a + u64::from(d.approved())));
    ClaimsSummary {
        decided,
        approved,
        denied: decided - approved,
        denied_by_reason: DeniedByReason(counted.filter(|(r, _)| *r != Reason::Covered).collect()),
        waiting,
        waiting_approved,
    }
}

fn money(ledger: &Ledger, members: usize) -> MoneySummary {
    let total = |column: fn(&crate::engine::PeriodFigures) -> Money| ledger.total(column);
    let sum_members = |f: &(dyn Fn(usize) -> Money + Sync)| -> Money {
        (0..members).into_par_iter().map(f).sum()
    };
    MoneySummary {
        cases: ledger.periods.iter().map(|f| f.cases).sum(),
        payouts: total(|f| f.payouts),
        fee: total(|f| f.fee),
        charged: total(|f| f.charged),
        operator_borne: total(|f| f.operator_borne),
        carried_out: (ledger.periods.last())
            .map(|f| f.carried_out)
            .unwrap_or(Money::ZERO),
        refunded: total(|f| f.refunded),
        topped_up: sum_members(&|i| ledger.topped_up(i)),
        fees: sum_members(&|i| ledger.fees(i)),
    }
}
