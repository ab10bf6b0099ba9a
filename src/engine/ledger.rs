//! The ledger: what a run produced, ready to be written or explained.

use super::accounts::Accounts;
use super::claims::{Decision, Reason};
use super::membership::Membership;
use super::sharing::{Charges, PeriodFigures, Shared, Strategy};
use crate::input::{Members, Payments};
use crate::money::Money;
use chrono::NaiveDate;

/// A member's status on `--until`: the first that holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Ineligible,
    /// Eligible, but joins after `--until`: not yet a member.
    Pending,
    Left,
    Ended,
    /// Active, but cover is paused: the balance fell below the plan's minimum.
    Paused,
    Active,
}

impl MemberStatus {
    pub fn name(self) -> &'static str {
        match self {
            MemberStatus::Ineligible => "ineligible",
            MemberStatus::Pending => "pending",
            MemberStatus::Left => "left",
            MemberStatus::Ended => "ended",
            MemberStatus::Paused => "paused",
            MemberStatus::Active => "active",
        }
    }
}

#[derive(Debug)]
pub struct Ledger {
    pub until: NaiveDate,
    pub decisions: Vec<Decision>,
    pub periods: Vec<PeriodFigures>,
    pub membership: Membership,
    /// Each member's total charge, where members' charges differ; where they do
    /// not, it is computed from the per-period charge (`Charges::Uniform`).
    charged_each: Option<Vec<Money>>,
    /// Approved payouts by member (few members have any).
    paid_out: rustc_hash::FxHashMap<u32, Money>,
    /// Charges refunded, by member (§ a claim in the waiting period).
    refunds: rustc_hash::FxHashMap<u32, Money>,
    pub charges: Charges,
    pub strategy: Strategy,
    /// Whether any member of a uniform split was charged an extra fen.
    any_extra: bool,
    /// Top-ups, account fees and pauses.
    pub accounts: Accounts,
}

/// With a short pool, the approved payouts of a period whose pool the caps
/// left short are reduced by the period's ratio; the full amount is kept.
fn reduce_short_payouts(decisions: &mut [Decision], periods: &[PeriodFigures]) {
    if periods.iter().all(|f| f.short.is_none()) {
        return;
    }
    for d in decisions.iter_mut().filter(|d| d.reason == Reason::Covered) {
        let p = periods.partition_point(|f| f.period.end < d.filed_on);
        if let Some(f) = periods.get(p)
            && f.period.start <= d.filed_on
            && let Some(short) = &f.short
        {
            d.full_payout = Some(d.payout);
            d.payout = super::short_pool::paid_part(d.payout, short.ratio).unwrap_or(d.payout);
        }
    }
}

/// Refuses a run whose totals over all periods would not fit in money: every
/// figure printed or written is then exact, and so is each member's total
/// (a member's charge in a period is at most the period's charged).
fn check_totals(periods: &[PeriodFigures]) -> Result<(), super::EngineError> {
    type Column = fn(&PeriodFigures) -> Money;
    let columns: [(&'static str, Column); 6] = [
        ("payouts", |f| f.payouts),
        ("fees", |f| f.fee),
        ("pools", |f| f.pool),
        ("charges", |f| f.charged),
        ("amounts borne by the operator", |f| f.operator_borne),
        ("refunds", |f| f.refunded),
    ];
    for (what, column) in columns {
        let total: i128 = periods.iter().map(|f| i128::from(column(f).0.abs())).sum();
        if total > i128::from(i64::MAX) {
            return Err(super::EngineError::RunTotal { what });
        }
    }
    Ok(())
}

impl Ledger {
    /// The sum of one figure over all periods: exact, as `new` checked that it fits.
    pub fn total(&self, column: impl Fn(&PeriodFigures) -> Money) -> Money {
        self.periods.iter().map(column).sum()
    }

    pub(super) fn new(
        members: &Members,
        membership: Membership,
        mut decided: Vec<Decision>,
        shared: Shared,
        until: NaiveDate,
    ) -> Result<Ledger, super::EngineError> {
        reduce_short_payouts(&mut decided, &shared.periods);
        let mut paid_out = rustc_hash::FxHashMap::default();
        for d in &decided {
            if d.reason == Reason::Covered
                && let Some(m) = d.facts.member
            {
                let total: &mut Money = paid_out.entry(m).or_insert(Money::ZERO);
                *total =
                    total
                        .checked_add(d.payout)
                        .ok_or_else(|| super::EngineError::PaidOut {
                            member: members.id(m as usize).to_string(),
                        })?;
            }
        }
        let mut ledger = Ledger {
            until,
            decisions: decided,
            periods: shared.periods,
            membership,
            charged_each: shared.member_charged,
            paid_out,
            any_extra: match &shared.charges {
                Charges::Uniform { extra, .. } => extra.iter().any(|e| !e.is_empty()),
                _ => false,
            },
            charges: shared.charges,
            strategy: shared.strategy,
            refunds: rustc_hash::FxHashMap::default(),
            accounts: Accounts::default(),
        };
        ledger.refund();
        check_totals(&ledger.periods)?;
        Ok(ledger)
    }

    /// Adds the accounts and checks every member's balance by the identity
    /// prepaid + topped_up − charged − fees + refunded, against the balance
    /// the accounts kept event by event, and the top-ups against the
    /// payments file.
    pub(super) fn with_accounts(
        mut self,
        members: &Members,
        payments: &Payments,
        accounts: Accounts,
    ) -> Result<Ledger, super::EngineError> {
        use rayon::prelude::*;
        self.accounts = accounts;
        if self.accounts.kept_balance.is_empty() {
            return Ok(self);
        }
        let until = self.until;
        let wrong = (0..members.len()).into_par_iter().find_first(|&i| {
            let top_ups = payments.top_ups(i);
            let paid: i64 = top_ups[..top_ups.partition_point(|t| t.day <= until)]
                .iter()
                .map(|t| t.fen)
                .sum();
            paid != self.accounts.topped_up[i]
                || self.balance(members, i).0 != self.accounts.kept_balance[i]
        });
        match wrong {
            None => Ok(self),
            Some(i) => Err(super::EngineError::Balance {
                member: members.id(i).to_string(),
                kept: Money(self.accounts.kept_balance[i]),
                identity: self.balance(members, i),
            }),
        }
    }

    /// Top-ups of member `i` dated on or before `--until`.
    pub fn topped_up(&self, i: usize) -> Money {
        Money(self.accounts.topped_up.get(i).copied().unwrap_or(0))
    }

    /// Account fees taken from member `i`.
    pub fn fees(&self, i: usize) -> Money {
        Money(self.accounts.fees.get(i).copied().unwrap_or(0))
    }

    /// Refunds every charge of a member whose claim in the waiting period
    /// ended the membership; the operator pays it in the period holding the
    /// claim's filing day (when that period is in the run).
    fn refund(&mut self) {
        let due: Vec<(u32, NaiveDate)> = self
            .decisions
            .iter()
            .filter(|d| d.facts.refund)
            .filter_map(|d| d.facts.member.map(|m| (m, d.filed_on)))
            .collect();
        for (m, filed) in due {
            let amount = self.charged(m as usize);
            self.refunds.insert(m, amount);
            if let Some(f) = self
                .periods
                .iter_mut()
                .find(|f| f.period.start <= filed && filed <= f.period.end)
            {
                f.refunded += amount;
            }
        }
    }

    /// The last closing day shared: `None` when no period has closed.
    pub fn last_closing_day(&self) -> Option<NaiveDate> {
        self.periods.last().map(|f| f.period.end)
    }

    /// The decisions filed after the last closing day: decided, but waiting
    /// for the next closing day to be shared.
    pub fn waiting(&self) -> impl Iterator<Item = &Decision> {
        let last = self.last_closing_day();
        self.decisions
            .iter()
            .filter(move |d| last.is_none_or(|e| d.filed_on > e))
    }

    /// Everything member `i` was charged.
    pub fn charged(&self, i: usize) -> Money {
        if let Some(each) = &self.charged_each {
            return each[i];
        }
        match &self.charges {
            Charges::Uniform {
                lo,
                hi,
                prefix,
                extra,
                ..
            } => {
                let (a, b) = (lo[i] as usize, hi[i] as usize);
                let mut total = prefix[b] - prefix[a];
                if self.any_extra {
                    for e in &extra[a..b.max(a)] {
                        total += i64::from(e.binary_search(&(i as u32)).is_ok());
                    }
                }
                Money(total)
            }
            // A run that explained one member knows only that member's charges.
            Charges::Tracked { member, per_period } if *member as usize == i => {
                per_period.iter().copied().sum()
            }
            _ => Money::ZERO,
        }
    }

    /// The sum of member `i`'s approved payouts.
    pub fn paid_out(&self, i: usize) -> Money {
        self.paid_out.get(&(i as u32)).copied().unwrap_or_default()
    }

    /// What member `i` paid at joining: nothing before joining.
    pub fn prepaid(&self, members: &Members, i: usize) -> Money {
        if members.join[i] > self.until {
            return Money::ZERO;
        }
        self.membership.prepaid(members, i)
    }

    /// What was refunded to member `i`.
    pub fn refunded(&self, i: usize) -> Money {
        self.refunds.get(&(i as u32)).copied().unwrap_or_default()
    }

    pub fn status(&self, members: &Members, i: usize) -> MemberStatus {
        if !self.membership.eligible[i] {
            MemberStatus::Ineligible
        } else if members.join[i] > self.until {
            MemberStatus::Pending
        } else if members.left[i] <= self.until {
            MemberStatus::Left
        } else if self.membership.end[i] <= self.until {
            MemberStatus::Ended
        } else if self.accounts.paused.get(i).copied().unwrap_or(false) {
            MemberStatus::Paused
        } else {
            MemberStatus::Active
        }
    }

    /// prepaid + topped_up − charged − fees + refunded.
    pub fn balance(&self, members: &Members, i: usize) -> Money {
        self.prepaid(members, i) + self.topped_up(i) - self.charged(i) - self.fees(i)
            + self.refunded(i)
    }

    /// Calls `f(member, charge)` for each non-zero charge of period `p`, in member input order.
    pub fn for_each_charge(&self, p: usize, f: impl FnMut(u32, Money)) {
        self.charges_in(p, 0..self.membership.eligible.len(), f);
    }

    /// `for_each_charge` for the members in `range` only.
    pub fn charges_in(
        &self,
        p: usize,
        range: std::ops::Range<usize>,
        mut f: impl FnMut(u32, Money),
    ) {
        match &self.charges {
            Charges::Uniform {
                lo,
                hi,
                per_period,
                extra,
                ..
            } => {
                let c = per_period[p];
                let ex = &extra[p];
                let mut k = ex.partition_point(|&e| (e as usize) < range.start);
                for i in range.start..range.end.min(lo.len()) {
                    if (lo[i] as usize) <= p && p < hi[i] as usize {
                        let mut amount = c;
                        if k < ex.len() && ex[k] == i as u32 {
                            amount.0 += 1;
                            k += 1;
                        }
                        if amount.0 != 0 {
                            f(i as u32, amount);
                        }
                    }
                }
            }
            Charges::PerMember(rows) => {
                let row = &rows[p];
                let from = row.partition_point(|r| (r.0 as usize) < range.start);
                for &(i, c) in row[from..]
                    .iter()
                    .take_while(|r| (r.0 as usize) < range.end)
                {
                    f(i, c);
                }
            }
            Charges::Tracked { member, per_period } => {
                if per_period[p].0 != 0 && range.contains(&(*member as usize)) {
                    f(*member, per_period[p]);
                }
            }
            Charges::Classes { class, per_period } => {
                let row = &per_period[p];
                let end = range.end.min(class.len());
                let start = range.start.min(end);
                for (i, &k) in class[start..end].iter().enumerate() {
                    if let Some(&c) = row.get(k as usize)
                        && c.0 != 0
                    {
                        f((start + i) as u32, c);
                    }
                }
            }
            Charges::None => {}
        }
    }

    /// The charge of member `i` in period `p`, where charges were kept.
    pub fn charge_of(&self, i: u32, p: usize) -> Option<Money> {
        match &self.charges {
            Charges::Uniform {
                lo,
                hi,
                per_period,
                extra,
                ..
            } => {
                let iu = i as usize;
                let sharing = (lo[iu] as usize) <= p && p < hi[iu] as usize;
                Some(if sharing {
                    Money(per_period[p].0 + i64::from(extra[p].binary_search(&i).is_ok()))
                } else {
                    Money::ZERO
                })
            }
            Charges::PerMember(rows) => Some(
                rows[p]
                    .binary_search_by_key(&i, |r| r.0)
                    .map(|k| rows[p][k].1)
                    .unwrap_or_default(),
            ),
            Charges::Tracked { member, per_period } => (*member == i).then(|| per_period[p]),
            Charges::Classes { class, per_period } => Some(
                class
                    .get(i as usize)
                    .and_then(|&k| per_period[p].get(k as usize))
                    .copied()
                    .unwrap_or_default(),
            ),
            Charges::None => None,
        }
    }
}
