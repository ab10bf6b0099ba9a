//! Who is a member, and when: eligibility, prepayment and the day a membership ends.

use crate::age::{add_years, age_years};
use crate::input::Members;
use crate::money::Money;
use crate::plan::{Plan, Schedule};
use chrono::NaiveDate;

/// Why a membership ended (other than leaving).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndCause {
    /// Still running.
    None,
    /// On the birthday of the plan's age limit.
    AgeLimit,
    /// On an anniversary at which the term could not be renewed.
    TermNotRenewed,
    /// On the filing day of an approved payout that ends the membership.
    Payout,
    /// On the filing day of a claim denied in the waiting period, with a refund.
    WaitingRefund,
    /// On the day the plan closed.
    Closed,
}

/// Per-member membership columns, in input order.
#[derive(Debug)]
pub struct Membership {
    pub eligible: Vec<bool>,
    /// The first day the membership is no longer in force (`NaiveDate::MAX`: never ends).
    pub end: Vec<NaiveDate>,
    pub end_cause: Vec<EndCause>,
    /// What was paid at joining, by age at join: each era's schedule from its first day.
    prepayment: Vec<(NaiveDate, Option<Schedule>)>,
}

impl Membership {
    pub fn new(plan: &Plan, members: &Members) -> Membership {
        use rayon::prelude::*;
        let closes = plan.closure.as_ref().map_or(NaiveDate::MAX, |c| c.value.on);
        let (eligible, ends): (Vec<bool>, Vec<(NaiveDate, EndCause)>) = (0..members.len())
            .into_par_iter()
            .map(|i| {
                let (birth, join) = (members.birth[i], members.join[i]);
                let join_range = plan.at(join).membership.join.value;
                let eligible = members.meets_requirements[i]
                    && join_range.contains(birth, join)
                    && join < closes;
                (eligible, natural_end(plan, birth, join))
            })
            .unzip();
        let (end, end_cause) = ends.into_par_iter().unzip();
        Membership {
            eligible,
            end,
            end_cause,
            prepayment: std::iter::once((NaiveDate::MIN, plan))
                .chain(plan.eras.iter().map(|e| (e.from, &e.plan)))
                .map(|(from, p)| {
                    (
                        from,
                        p.membership.prepayment.as_ref().map(|s| s.value.clone()),
                    )
                })
                .collect(),
        }
    }

    /// What member `i` paid at joining: nothing when not eligible.
    pub fn prepaid(&self, members: &Members, i: usize) -> Money {
        if !self.eligible[i] {
            return Money::ZERO;
        }
        let join = members.join[i];
        let era = self.prepayment.partition_point(|(from, _)| *from <= join);
        let schedule = era
            .checked_sub(1)
            .and_then(|k| self.prepayment[k].1.as_ref());
        match schedule {
            None => Money::ZERO,
            Some(Schedule::Fixed(m)) => *m,
            Some(Schedule::ByAge { bands, .. }) => {
                crate::age::AgeOn::new(members.birth[i], members.join[i])
                    .and_then(|age| bands.iter().find(|b| b.ages.holds(age)))
                    .map(|b| b.value)
                    .unwrap_or_default()
            }
        }
    }

    /// The first day member `i` no longer shares: leaving or the end of the
    /// membership (`MIN` for the ineligible, who never share).
    pub fn stop(&self, members: &Members, i: usize) -> NaiveDate {
        if self.eligible[i] {
            members.left[i].min(self.end[i])
        } else {
            NaiveDate::MIN
        }
    }

    /// The periods member `i` shares in, by its membership alone: `lo..hi`
    /// of `periods` (from the first closing day on or after joining to the
    /// last before it stops), `(0, 0)` for none.
    pub(crate) fn sharing_periods(
        &self,
        members: &Members,
        days: &super::period_of_day::PeriodOfDay,
        i: usize,
    ) -> (usize, usize) {
        let (lo, hi, _) = self.sharing(members, days, i);
        (lo, hi)
    }

    /// `sharing_periods`, with the first day member `i` no longer shares
    /// (`stop`).
    #[inline]
    pub(crate) fn sharing(
        &self,
        members: &Members,
        days: &super::period_of_day::PeriodOfDay,
        i: usize,
    ) -> (usize, usize, NaiveDate) {
        let (join, stop) = (members.join[i], self.stop(members, i));
        let lo = days.period_of(join);
        let hi = days.period_of(stop);
        match lo < hi {
            true => (lo, hi, stop),
            false => (0, 0, stop),
        }
    }

    /// Is member `i` in force on day `d`?
    #[inline]
    pub fn active(&self, members: &Members, i: usize, d: NaiveDate) -> bool {
        self.eligible[i] && members.join[i] <= d && d < members.left[i] && d < self.end[i]
    }

    /// Ends a membership on `day` (when earlier than its current end).
    pub fn end_on(&mut self, i: usize, day: NaiveDate, cause: EndCause) {
        if day < self.end[i] {
            self.end[i] = day;
            self.end_cause[i] = cause;
        }
    }
}

/// The end by age limit or by a term that cannot be renewed, whichever comes first.
pub fn natural_end(plan: &Plan, birth: NaiveDate, join: NaiveDate) -> (NaiveDate, EndCause) {
    let mut end = match &plan.closure {
        Some(c) => (c.value.on, EndCause::Closed),
        None => (NaiveDate::MAX, EndCause::None),
    };
    let plan = plan.at(join);
    if let Some(age) = &plan.membership.ends_at_age {
        let d = age.value.reached_on(birth);
        if d < end.0 {
            end = (d, EndCause::AgeLimit);
        }
    }
    if let Some(term) = &plan.membership.term
        && let Some(limit) = term.value.renew_up_to
    {
        // The first anniversary (a multiple of the term) on which the age exceeds the limit.
        let too_old = limit.next().reached_on(birth);
        let n = term.value.years;
        let mut j = age_years(join, too_old) / n;
        if add_years(join, j * n) < too_old {
            j += 1;
        }
        let d = add_years(join, j.max(1) * n);
        if d < end.0 {
            end = (d, EndCause::TermNotRenewed);
        }
    }
    end
}

/// The start of the term in force on `d`: the join date plus whole terms.
pub fn term_start(plan: &Plan, join: NaiveDate, d: NaiveDate) -> NaiveDate {
    let n = plan
        .at(join)
        .membership
        .term
        .as_ref()
        .map(|t| t.value.years)
        .unwrap_or(0);
    if n == 0 || d < join {
        return join;
    }
    let k = age_years(join, d) / n;
    add_years(join, k * n)
}

/// The membership year holding `d`: its index (0 for the first) and first day.
pub fn membership_year(join: NaiveDate, d: NaiveDate) -> (u32, NaiveDate) {
    let k = age_years(join, d);
    (k, add_years(join, k))
}
