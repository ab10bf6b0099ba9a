//! Sharing member by member: each member's share, period by period, in
//! parallel over members, from flat per-member state. The general way:
//! weights, annual and calendar-year caps, a distributed remainder, rules
//! that change, and paused members all go through it.

use super::EngineError;
use super::membership::{Membership, membership_year};
use super::sharing::{
    CapKind, CapsBound, Charges, Input, PeriodFigures, PeriodRule, Shared, Strategy, annual_cap,
    close_period, distributed_target, open_period,
};
use crate::ast::{Remainder, SplitKind};
use crate::input::Members;
use crate::money::{Fraction, Money};
use crate::plan::Plan;
use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

/// What the sharing loop keeps of each member between periods.
#[derive(Clone, Copy)]
pub(super) struct MemberState {
    pub(super) join: NaiveDate,
    birth: NaiveDate,
    /// The first day the member no longer shares (`MIN` for the ineligible).
    pub(super) stop: NaiveDate,
    /// Cover paused on the coming closing day (a balance below the minimum).
    pub(super) paused: bool,
    /// The first day of the next membership year (`MIN`: not yet known).
    year_next: NaiveDate,
    sharing: bool,
    year_cap: i64,
    year_charged: i64,
    /// The calendar year of the last closing day shared, and what was charged in it.
    calendar_year: i32,
    calendar_charged: i64,
    /// Everything charged so far.
    pub(super) charged: i64,
}

/// Each member's state before the first period.
fn member_states(members: &Members, membership: &Membership) -> Vec<MemberState> {
    use rayon::prelude::*;
    (0..members.len())
        .into_par_iter()
        .map(|i| MemberState {
            join: members.join[i],
            birth: members.birth[i],
            stop: membership.stop(members, i),
            year_next: NaiveDate::MIN,
            paused: false,
            sharing: false,
            year_cap: 0,
            year_charged: 0,
            calendar_year: i32::MIN,
            calendar_charged: 0,
            charged: 0,
        })
        .collect()
}

/// The sharing rules of one period, as the member-by-member loop reads them.
#[derive(Clone, Copy)]
struct EachRules {
    weighted: bool,
    has_year_cap: bool,
    calendar_cap: Option<i64>,
    distributed: bool,
    /// The plan's rules change over time.
    changes: bool,
}

impl EachRules {
    /// The rules of the period closing on `e`.
    fn at(plan: &Plan, e: NaiveDate, changes: bool) -> EachRules {
        let rules = &plan.at(e).sharing;
        EachRules {
            weighted: rules.split.value == SplitKind::ByAnnualCap,
            has_year_cap: rules.annual_cap.is_some(),
            calendar_cap: rules.calendar_cap.as_ref().map(|c| c.value.0),
            distributed: rules.remainder.value == Remainder::Distributed,
            changes,
        }
    }

    /// Whether a member shares on the closing day `e`, and its weight;
    /// membership and calendar years move on. Where rules change,
    /// membership years move on even while no annual cap is in force: a cap
    /// that starts part-way through a year counts what was charged in it.
    fn enter(&self, s: &mut MemberState, plan: &Plan, e: NaiveDate) -> (u64, i128) {
        s.sharing = s.join <= e && e < s.stop && !s.paused;
        if !s.sharing {
            return (0, 0);
        }
        if e.year() != s.calendar_year {
            s.calendar_year = e.year();
            s.calendar_charged = 0;
        }
        let new_year = e >= s.year_next;
        if new_year && (self.has_year_cap || self.changes) {
            let (k, _) = membership_year(s.join, e);
            s.year_next = crate::age::add_years(s.join, k + 1);
            s.year_charged = 0;
        }
        if self.has_year_cap && (new_year || self.changes) {
            s.year_cap = annual_cap(plan, s.birth, s.join, e).unwrap_or_default().0;
        }
        (
            1,
            if self.weighted {
                i128::from(s.year_cap)
            } else {
                1
            },
        )
    }

    /// What is left of the member's annual and calendar-year caps.
    fn left(&self, s: &MemberState) -> (Option<i64>, Option<i64>) {
        (
            self.has_year_cap.then(|| s.year_cap - s.year_charged),
            self.calendar_cap.map(|c| c - s.calendar_charged),
        )
    }

    /// Adds a charge to the member's totals. A total that would pass
    /// i64::MAX saturates there and is reported as an overflow after the
    /// last period.
    fn apply(&self, s: &mut MemberState, c: i64) {
        s.charged = s.charged.saturating_add(c);
        s.calendar_charged = s.calendar_charged.saturating_add(c);
        if self.has_year_cap || self.changes {
            s.year_charged = s.year_charged.saturating_add(c);
        }
    }
}

/// The period's charges with one more fen for each of `winners` (sorted
/// member numbers), who are charged it.
fn one_more_fen(
    state: &mut [MemberState],
    rules: &EachRules,
    row: &[(u32, Money)],
    winners: &[u32],
) -> Vec<(u32, Money)> {
    let mut extra = 0usize;
    let mut merged = Vec::with_capacity(row.len() + winners.len());
    let mut add = |merged: &mut Vec<(u32, Money)>, i: u32, c: Money| {
        merged.push((i, Money(c.0 + 1)));
        rules.apply(&mut state[i as usize], 1);
    };
    for &(i, c) in row {
        while extra < winners.len() && winners[extra] < i {
            add(&mut merged, winners[extra], Money::ZERO);
            extra += 1;
        }
        if extra < winners.len() && winners[extra] == i {
            add(&mut merged, i, c);
            extra += 1;
        } else {
            merged.push((i, c));
        }
    }
    for &w in &winners[extra..] {
        add(&mut merged, w, Money::ZERO);
    }
    merged
}

/// Members pay different amounts: share every period member by member.
pub(super) fn share_each(input: &Input) -> Result<Shared, EngineError> {
    let mut each = EachLoop::new(*input);
    for p in 0..input.periods.len() {
        each.period(p, input.cases[p].0, input.cases[p].1, input.payouts_of(p))?;
    }
    each.finish()
}

/// The member-by-member loop between periods: each member's state, and
/// what has been shared so far.
pub(super) struct EachLoop<'a> {
    input: Input<'a>,
    pub(super) state: Vec<MemberState>,
    kept: Vec<Vec<(u32, Money)>>,
    tracked: Vec<Money>,
    tracked_before: i64,
    pub(super) out: Vec<PeriodFigures>,
    carried: Money,
    changes: bool,
}

/// One member's result in a period: (member, charge, excess numerator, remainder, cap bound).
type Charged = (u32, i64, i128, i64, Option<CapKind>);

impl<'a> EachLoop<'a> {
    pub(super) fn new(input: Input<'a>) -> EachLoop<'a> {
        EachLoop {
            state: member_states(input.members, input.membership),
            kept: Vec::new(),
            tracked: Vec::new(),
            tracked_before: 0,
            out: Vec::with_capacity(input.periods.len()),
            carried: Money::ZERO,
            changes: input.plan.changes(),
            input,
        }
    }

    /// Shares period `p` with its approved `cases` and their `payouts`;
    /// `amounts`: each approved payout, where a short pool may reduce them.
    pub(super) fn period(
        &mut self,
        p: usize,
        cases: u64,
        payouts: Money,
        amounts: &[Money],
    ) -> Result<(), EngineError> {
        let Input { plan, periods, .. } = self.input;
        let period = periods[p];
        let e = period.end;
        let rules = EachRules::at(plan, e, self.changes);
        let mut f = open_period(plan, period, cases, payouts, self.carried)?;
        // Pass 1: who shares on the closing day, and their weights; membership
        // and calendar years move on.
        let (count, total) = self
            .state
            .par_iter_mut()
            .map(|s| rules.enter(s, plan, e))
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        f.members = count;
        f.weight_total = total;
        let mut charged: i128 = 0;
        let mut row: Vec<(u32, Money)> = Vec::new();
        if f.to_collect.0 > 0 && total == 0 {
            f.excess = Fraction::whole(f.to_collect);
        } else if f.to_collect.0 > 0 {
            let rule = PeriodRule::new(plan, &f, self.max_weight(&rules), rules.distributed);
            if self.input.options.keep_charges || rules.distributed {
                (charged, row) = self.charge_listed(&rules, &rule, &mut f)?;
            } else {
                charged = self.charge_summed(&rules, &rule, &mut f)?;
            }
        }
        close_period(plan, &mut f, charged, amounts)?;
        (self.input.period_done)(p + 1, periods.len());
        self.carried = f.carried_out;
        self.out.push(f);
        if self.input.options.keep_charges {
            self.kept.push(row);
        }
        if let Some(t) = self
            .input
            .options
            .track
            .filter(|&t| (t as usize) < self.state.len())
        {
            let now = self.state[t as usize].charged;
            self.tracked.push(Money(now - self.tracked_before));
            self.tracked_before = now;
        }
        Ok(())
    }

    /// The largest weight of a sharing member.
    fn max_weight(&self, rules: &EachRules) -> i64 {
        if !rules.weighted {
            return 1;
        }
        self.state
            .par_iter()
            .filter(|s| s.sharing)
            .map(|s| s.year_cap)
            .max()
            .unwrap_or(0)
    }

    /// Charges every sharing member, keeping each non-zero charge (and, with
    /// the remainder distributed, giving out the fen left): (charged, the charges).
    fn charge_listed(
        &mut self,
        rules: &EachRules,
        rule: &PeriodRule,
        f: &mut PeriodFigures,
    ) -> Result<(i128, Vec<(u32, Money)>), EngineError> {
        let plan = self.input.plan;
        let fig = &*f;
        let results: Vec<Charged> = self
            .state
            .par_iter_mut()
            .enumerate()
            .filter(|(_, s)| s.sharing)
            .map(|(i, s)| {
                let w = if rules.weighted { s.year_cap } else { 1 };
                let (c, ex, rem, b) = rule.charge(plan, fig, w, rules.left(s));
                rules.apply(s, c);
                (i as u32, c, ex, rem, b)
            })
            .collect();
        let overflow = || EngineError::Overflow {
            start: f.period.start,
            end: f.period.end,
        };
        let (mut charged, mut excess_num) = (0i128, 0i128);
        let mut row = Vec::new();
        for &(i, c, ex, _, b) in &results {
            f.caps_bound.add(b);
            charged += i128::from(c);
            excess_num = excess_num.checked_add(ex).ok_or_else(overflow)?;
            if c != 0 {
                row.push((i, Money(c)));
            }
        }
        f.excess = Fraction::new(excess_num, f.weight_total);
        if rules.distributed {
            let target = distributed_target(plan, f);
            let mut fractions: Vec<(i64, u32)> = results
                .iter()
                .filter(|r| r.3 > 0)
                .map(|r| (r.3, r.0))
                .collect();
            let left = (target - charged).clamp(0, fractions.len() as i128) as usize;
            if left > 0 {
                fractions.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                let mut winners: Vec<u32> = fractions[..left].iter().map(|x| x.1).collect();
                winners.sort_unstable();
                row = one_more_fen(&mut self.state, rules, &row, &winners);
                charged += left as i128;
            }
        }
        Ok((charged, row))
    }

    /// Charges every sharing member, keeping only the totals: charged.
    fn charge_summed(
        &mut self,
        rules: &EachRules,
        rule: &PeriodRule,
        f: &mut PeriodFigures,
    ) -> Result<i128, EngineError> {
        let plan = self.input.plan;
        let fig = &*f;
        let (sum, ex, bound) = self
            .state
            .par_iter_mut()
            .filter(|s| s.sharing)
            .map(|s| {
                let w = if rules.weighted { s.year_cap } else { 1 };
                let (c, ex, _, b) = rule.charge(plan, fig, w, rules.left(s));
                rules.apply(s, c);
                let mut cb = CapsBound::default();
                cb.add(b);
                (i128::from(c), Some(ex), cb)
            })
            .reduce(
                || (0i128, Some(0i128), CapsBound::default()),
                |a, b| {
                    (
                        a.0 + b.0,
                        a.1.zip(b.1).and_then(|(x, y)| x.checked_add(y)),
                        a.2.or(b.2),
                    )
                },
            );
        let excess_num = ex.ok_or(EngineError::Overflow {
            start: f.period.start,
            end: f.period.end,
        })?;
        f.caps_bound = bound;
        f.excess = Fraction::new(excess_num, f.weight_total);
        Ok(sum)
    }

    /// What was shared: the periods and each member's charges.
    pub(super) fn finish(self) -> Result<Shared, EngineError> {
        if let (Some(last), true) = (
            self.input.periods.last(),
            self.state.iter().any(|s| s.charged == i64::MAX),
        ) {
            return Err(EngineError::Overflow {
                start: last.start,
                end: last.end,
            });
        }
        let options = self.input.options;
        Ok(Shared {
            strategy: Strategy::PerMember,
            periods: self.out,
            member_charged: Some(self.state.iter().map(|s| Money(s.charged)).collect()),
            charges: match (options.keep_charges, options.track) {
                (true, _) => Charges::PerMember(self.kept),
                (false, Some(member)) => Charges::Tracked {
                    member,
                    per_period: self.tracked,
                },
                (false, None) => Charges::None,
            },
        })
    }
}
