//! Sharing: for each period, the pool, the members who share it, each
//! member's exact share, the caps, the one rounding step and the remainder.
//!
//! Three strategies give the same figures. Where every sharing member pays
//! the same (an equal split with no annual cap), a period's charge is
//! computed once and members are counted by sorted event dates. Otherwise
//! members who pay alike are grouped into classes (`super::classes`), unless
//! the remainder is distributed: then each member's share is computed period
//! by period from flat columns.

use super::EngineError;
use super::RunOptions;
use super::claims::{Decision, Reason};
use super::membership::{Membership, term_start};
use crate::ast::{AgeBasis, Remainder, RoundingMode, SplitKind};
use crate::input::Members;
use crate::money::{Fraction, Money};
use crate::period::Period;
use crate::plan::{Plan, Schedule};
use chrono::NaiveDate;

/// The figures of one period, as in `periods.csv`, with the exact intermediate values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodFigures {
    pub period: Period,
    pub cases: u64,
    pub payouts: Money,
    pub fee: Money,
    pub pool: Money,
    pub carried_in: Money,
    pub to_collect: Money,
    pub members: u64,
    /// Σ weights of the sharing members (the member count for an equal split).
    pub weight_total: i128,
    pub charged: Money,
    pub operator_borne: Money,
    pub carried_out: Money,
    /// Σ(share − capped share), exact.
    pub excess: Fraction,
    /// The charge of every sharing member, where all pay the same before any remainder is distributed.
    pub uniform_charge: Option<Money>,
    /// Which caps lowered at least one member's share.
    pub caps_bound: CapsBound,
    /// Refunds paid by the operator in the period, outside the sharing identity.
    pub refunded: Money,
    /// With a short pool, where the caps left part of the pool uncollected:
    /// the share of each approved payout that was paid, and the figures
    /// the members' shares were computed from.
    pub short: Option<ShortPool>,
}

/// A period whose payouts a short pool reduced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortPool {
    /// What is paid of each approved payout.
    pub ratio: Fraction,
    /// The figures before the reduction.
    pub payouts: Money,
    pub fee: Money,
    pub pool: Money,
    pub to_collect: Money,
    pub excess: Fraction,
}

impl PeriodFigures {
    /// The figures the members' shares were computed from: with a short
    /// pool, those before the payouts were reduced.
    pub fn as_shared(&self) -> PeriodFigures {
        match &self.short {
            None => self.clone(),
            Some(s) => PeriodFigures {
                payouts: s.payouts,
                fee: s.fee,
                pool: s.pool,
                to_collect: s.to_collect,
                excess: s.excess,
                ..self.clone()
            },
        }
    }
}

/// Which caps bound in a period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapsBound {
    pub per_case: bool,
    pub per_charge: bool,
    pub per_year: bool,
    pub per_calendar_year: bool,
}

impl CapsBound {
    pub fn add(&mut self, kind: Option<CapKind>) {
        match kind {
            Some(CapKind::PerCase) => self.per_case = true,
            Some(CapKind::PerCharge) => self.per_charge = true,
            Some(CapKind::PerYear) => self.per_year = true,
            Some(CapKind::PerCalendarYear) => self.per_calendar_year = true,
            None => {}
        }
    }
}

/// Which cap lowered a share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapKind {
    PerCase,
    PerCharge,
    PerYear,
    PerCalendarYear,
}

impl CapKind {
    /// The cap's name in data: `per_case`, `per_charge`, `per_year`, `per_calendar_year`.
    pub fn code(self) -> &'static str {
        match self {
            CapKind::PerCase => "per_case",
            CapKind::PerCharge => "per_charge",
            CapKind::PerYear => "per_year",
            CapKind::PerCalendarYear => "per_calendar_year",
        }
    }
}

impl CapsBound {
    /// Either cap bound.
    pub fn or(self, other: CapsBound) -> CapsBound {
        CapsBound {
            per_case: self.per_case || other.per_case,
            per_charge: self.per_charge || other.per_charge,
            per_year: self.per_year || other.per_year,
            per_calendar_year: self.per_calendar_year || other.per_calendar_year,
        }
    }
}

/// One member's share in one period, before the remainder is distributed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberShare {
    /// The member's weight: 1 for an equal split, the annual cap in fen for a weighted one.
    pub weight: i128,
    /// The exact share: `to_collect × weight / weight_total`.
    pub share: Fraction,
    /// Each cap that applies, in fen.
    pub case_cap: Option<Money>,
    pub charge_cap: Option<Money>,
    pub year_left: Option<Money>,
    /// What is left of the calendar-year cap.
    pub calendar_left: Option<Money>,
    /// The share after the caps, exact.
    pub capped: Fraction,
    /// The cap that bound, if any.
    pub bound: Option<CapKind>,
    /// The capped share rounded as the plan says.
    pub charge: Money,
}

/// Computes one member's share. `year_left` is what is left of the annual
/// cap, `calendar_left` of the calendar-year cap.
pub fn member_share(
    plan: &Plan,
    f: &PeriodFigures,
    weight: i128,
    year_left: Option<Money>,
    calendar_left: Option<Money>,
) -> MemberShare {
    let plan = plan.at(f.period.end);
    let den = f.weight_total.max(1);
    let num = i128::from(f.to_collect.0) * weight;
    let case_cap = plan
        .sharing
        .case_cap
        .as_ref()
        .map(|c| Money(c.value.0.saturating_mul(f.cases as i64)));
    let charge_cap = plan.sharing.charge_cap.as_ref().map(|c| c.value);
    let mut capped = num;
    let mut bound = None;
    for (cap, kind) in [
        (case_cap, CapKind::PerCase),
        (charge_cap, CapKind::PerCharge),
        (year_left, CapKind::PerYear),
        (calendar_left, CapKind::PerCalendarYear),
    ] {
        // A cap too large to scale is above any share: it does not bind.
        if let Some(limit) = cap.and_then(|c| i128::from(c.0.max(0)).checked_mul(den))
            && limit < capped
        {
            capped = limit;
            bound = Some(kind);
        }
    }
    let capped = Fraction::new(capped, den);
    MemberShare {
        weight,
        share: Fraction::new(num, den),
        case_cap,
        charge_cap,
        year_left,
        calendar_left,
        capped,
        bound,
        charge: capped.round(plan.sharing.rounding.value),
    }
}

/// The annual cap of a member on day `e` (its weight in a weighted split).
pub fn annual_cap(plan: &Plan, birth: NaiveDate, join: NaiveDate, e: NaiveDate) -> Option<Money> {
    annual_cap_at(plan.at(e), birth, cap_age_day(plan, join, e))
}

/// The day whose age picks the annual cap of a member who joined on `join`,
/// on day `e`: the cap in force on `e` says which age; the term in force on
/// the join date gives the term start.
pub fn cap_age_day(plan: &Plan, join: NaiveDate, e: NaiveDate) -> NaiveDate {
    match &plan.at(e).sharing.annual_cap.as_ref().map(|c| &c.value) {
        Some(Schedule::ByAge { basis, .. }) => match basis {
            AgeBasis::TermStart => term_start(plan, join, e),
            AgeBasis::Join => join,
            AgeBasis::Diagnosis => e,
        },
        _ => e,
    }
}

/// The annual cap of a member born on `birth`, by the age on day `on`.
pub fn annual_cap_at(plan: &Plan, birth: NaiveDate, on: NaiveDate) -> Option<Money> {
    let sched = &plan.sharing.annual_cap.as_ref()?.value;
    Some(match sched {
        Schedule::Fixed(m) => *m,
        Schedule::ByAge { bands, .. } => crate::age::AgeOn::new(birth, on)
            .and_then(|age| bands.iter().find(|b| b.ages.holds(age)))
            .map(|b| b.value)
            .unwrap_or_default(),
    })
}

/// How each member's charges are kept.
#[derive(Debug)]
pub enum Charges {
    /// Every sharing member of period p pays `per_period[p]`, plus one fen for the members in `extra[p]`.
    Uniform {
        /// Member i shares in periods `lo[i]..hi[i]`.
        lo: Vec<u16>,
        hi: Vec<u16>,
        per_period: Vec<Money>,
        /// `prefix[p]`: the sum of the per-period charges before period p.
        prefix: Vec<i64>,
        extra: Vec<Vec<u32>>,
    },
    /// Each period's non-zero charges, by member input order.
    PerMember(Vec<Vec<(u32, Money)>>),
    /// Member i pays `per_period[p][class[i]]` in period p.
    Classes {
        class: Vec<u32>,
        per_period: Vec<Vec<Money>>,
    },
    /// One member's charge in each period.
    Tracked { member: u32, per_period: Vec<Money> },
    /// Not kept.
    None,
}

/// How a run computed the members' shares (all give the same figures).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// All sharing members pay the same: one charge per period.
    Uniform,
    /// By classes of members who pay alike.
    Classes,
    /// Member by member.
    PerMember,
    /// Not shared: the claims were decided only (`RunOptions::share` off).
    NotShared,
}

/// What sharing produced.
#[derive(Debug)]
pub struct Shared {
    pub strategy: Strategy,
    pub periods: Vec<PeriodFigures>,
    /// Each member's total, where members' charges differ.
    pub member_charged: Option<Vec<Money>>,
    pub charges: Charges,
}

/// What every way of sharing reads.
#[derive(Clone, Copy)]
pub(super) struct Input<'a> {
    pub plan: &'a Plan,
    pub members: &'a Members,
    pub membership: &'a Membership,
    pub periods: &'a [Period],
    /// Approved cases and their payouts, by period.
    pub cases: &'a [(u64, Money)],
    /// Each approved payout, by period, where a short pool may reduce them
    /// (empty otherwise).
    pub amounts: &'a [Vec<Money>],
    pub options: RunOptions,
    pub period_done: &'a (dyn Fn(usize, usize) + Sync),
}

impl Input<'_> {
    /// The approved payouts of period `p`, where a short pool may reduce them.
    pub fn payouts_of(&self, p: usize) -> &[Money] {
        self.amounts.get(p).map_or(&[], Vec::as_slice)
    }
}

/// Cases and payouts of each period: approved claims filed in it.
pub(super) fn cases_by_period(
    periods: &[Period],
    decisions: &[Decision],
) -> Result<Vec<(u64, Money)>, EngineError> {
    let mut out = vec![(0u64, 0i128); periods.len()];
    for d in decisions.iter().filter(|d| d.reason == Reason::Covered) {
        let filed = d.filed_on;
        let p = periods.partition_point(|p| p.end < filed);
        if p < periods.len() && periods[p].start <= filed {
            out[p].0 += 1;
            out[p].1 += i128::from(d.payout.0);
        }
    }
    out.iter()
        .zip(periods)
        .map(|(&(n, total), period)| Ok((n, bounded(total, period)?)))
        .collect()
}

/// Each approved payout of each period, in decision order, where some
/// period's payouts may be reduced by a short pool (otherwise none).
pub(super) fn amounts_by_period(
    plan: &Plan,
    periods: &[Period],
    decisions: &[Decision],
) -> Vec<Vec<Money>> {
    let rules = || std::iter::once(plan).chain(plan.eras.iter().map(|e| &e.plan));
    if !rules().any(|r| r.sharing.short_pool()) {
        return Vec::new();
    }
    let mut out = vec![Vec::new(); periods.len()];
    for d in decisions.iter().filter(|d| d.reason == Reason::Covered) {
        let p = periods.partition_point(|p| p.end < d.filed_on);
        if p < periods.len() && periods[p].start <= d.filed_on {
            out[p].push(d.payout);
        }
    }
    out
}

/// The largest amount of money a period may hold, in fen: sums of two such
/// amounts still fit in 64 bits: about 23 quadrillion CNY.
const PERIOD_LIMIT: i128 = (i64::MAX / 4) as i128;

/// `fen` as money, or an error when it is beyond what a period may hold.
pub(super) fn bounded(fen: i128, period: &Period) -> Result<Money, EngineError> {
    if fen.abs() > PERIOD_LIMIT {
        return Err(EngineError::Overflow {
            start: period.start,
            end: period.end,
        });
    }
    Ok(Money(fen as i64))
}

/// The period's figures up to `to_collect`.
pub(super) fn open_period(
    plan: &Plan,
    period: Period,
    cases: u64,
    payouts: Money,
    carried_in: Money,
) -> Result<PeriodFigures, EngineError> {
    let fee = plan
        .at(period.end)
        .sharing
        .fee
        .value
        .of(payouts)
        .round_fen(RoundingMode::HalfUp);
    let fee = bounded(fee, &period)?;
    let pool = bounded(i128::from(payouts.0) + i128::from(fee.0), &period)?;
    let to_collect = bounded(i128::from(pool.0) - i128::from(carried_in.0), &period)?;
    Ok(PeriodFigures {
        period,
        cases,
        payouts,
        fee,
        pool,
        carried_in,
        to_collect,
        members: 0,
        weight_total: 0,
        charged: Money::ZERO,
        operator_borne: Money::ZERO,
        carried_out: Money::ZERO,
        excess: Fraction::new(0, 1),
        uniform_charge: None,
        caps_bound: CapsBound::default(),
        refunded: Money::ZERO,
        short: None,
    })
}

/// Closes a period: the remainder goes where the plan says; the money identity is checked.
pub(super) fn close_period(
    plan: &Plan,
    f: &mut PeriodFigures,
    charged: i128,
    payouts: &[Money],
) -> Result<(), EngineError> {
    let p = f.period;
    f.charged = bounded(charged, &p)?;
    // From the day a plan closes, nothing is carried: the operator bears the rest.
    let closed = plan.closure.as_ref().is_some_and(|c| p.end >= c.value.on);
    if !closed && plan.at(p.end).sharing.short_pool() {
        super::short_pool::reduce(plan, f, payouts)?;
    }
    let (charged, to_collect) = (i128::from(f.charged.0), i128::from(f.to_collect.0));
    let remainder = match plan.at(p.end).sharing.remainder.value {
        _ if closed => Remainder::Operator,
        r => r,
    };
    match remainder {
        Remainder::Carried => {
            let borne = f.excess.round_fen(RoundingMode::HalfUp);
            f.operator_borne = bounded(borne, &p)?;
            f.carried_out = bounded(charged + borne - to_collect, &p)?;
        }
        Remainder::Operator | Remainder::Distributed => {
            f.operator_borne = bounded(to_collect - charged, &p)?;
            f.carried_out = Money::ZERO;
        }
    }
    if f.charged + f.operator_borne != f.pool - f.carried_in + f.carried_out {
        return Err(EngineError::Identity {
            start: f.period.start,
            end: f.period.end,
            detail: format!(
                "charged {} + operator {} != pool {} - carried in {} + carried out {}",
                f.charged, f.operator_borne, f.pool, f.carried_in, f.carried_out
            ),
        });
    }
    Ok(())
}

/// The total the distributed remainder aims at: Σ capped shares, rounded as the plan says.
pub(super) fn distributed_target(plan: &Plan, f: &PeriodFigures) -> i128 {
    let total = Fraction::new(i128::from(f.to_collect.0), 1).minus(f.excess);
    total.round_fen(plan.at(f.period.end).sharing.rounding.value)
}

pub fn share_all(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    decisions: &[Decision],
    options: RunOptions,
    period_done: &(dyn Fn(usize, usize) + Sync),
) -> Result<Shared, EngineError> {
    let periods = super::periods(plan, options.until);
    let cases = cases_by_period(&periods, decisions)?;
    let amounts = amounts_by_period(plan, &periods, decisions);
    let input = Input {
        plan,
        members,
        membership,
        periods: &periods,
        cases: &cases,
        amounts: &amounts,
        options,
        period_done,
    };
    let rules = || std::iter::once(plan).chain(plan.eras.iter().map(|e| &e.plan));
    let uniform = !options.per_member
        && rules().all(|r| {
            r.sharing.split.value == SplitKind::Equally
                && r.sharing.annual_cap.is_none()
                && r.sharing.calendar_cap.is_none()
        });
    if uniform {
        share_uniform(&input)
    } else {
        let by_class = !options.per_member
            && !plan.changes()
            && plan.sharing.calendar_cap.is_none()
            && plan.sharing.remainder.value != Remainder::Distributed;
        if by_class && let Some(shared) = super::classes::share_classes(&input)? {
            return Ok(shared);
        }
        super::each::share_each(&input)
    }
}

/// What each of the sharing members of a period pays where all pay the
/// same, but for the fen of a distributed remainder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct UniformCharge {
    /// What every sharing member pays.
    pub(super) charge: Money,
    /// How many of them, the first in member order, pay one fen more (a
    /// distributed remainder).
    pub(super) one_more: i64,
    /// What all of them pay together.
    pub(super) charged: i128,
}

/// The charge of each of `count` sharing members who all pay the same (an
/// equal split, caps per case or per charge), with the period's excess.
/// With the remainder distributed, each share is rounded down and the fen
/// that the period's rounded total still needs go one each to the first
/// members, as where members pay different amounts.
pub(super) fn uniform_charge(
    plan: &Plan,
    f: &mut PeriodFigures,
    count: i64,
) -> Result<UniformCharge, EngineError> {
    let none = UniformCharge {
        charge: Money::ZERO,
        one_more: 0,
        charged: 0,
    };
    f.members = count as u64;
    f.weight_total = i128::from(count);
    if f.to_collect.0 <= 0 {
        return Ok(none);
    }
    if count == 0 {
        f.excess = Fraction::whole(f.to_collect);
        return Ok(none);
    }
    let s = member_share(plan, f, 1, None, None);
    f.caps_bound.add(s.bound);
    // Σ(share − capped) over `count` identical members.
    let excess = (s.share.num - s.capped.num)
        .checked_mul(i128::from(count))
        .ok_or(EngineError::Overflow {
            start: f.period.start,
            end: f.period.end,
        })?;
    f.excess = Fraction::new(excess, s.share.den);
    let distributed = plan.at(f.period.end).sharing.remainder.value == Remainder::Distributed;
    let (charge, one_more) = if distributed {
        let charge = s.capped.round(RoundingMode::Down);
        let most = if s.capped.is_integer() { 0 } else { count };
        let left = distributed_target(plan, f) - i128::from(charge.0) * i128::from(count);
        (charge, left.clamp(0, i128::from(most)) as i64)
    } else {
        (s.charge, 0)
    };
    if one_more == 0 {
        f.uniform_charge = Some(charge);
    }
    Ok(UniformCharge {
        charge,
        one_more,
        charged: i128::from(charge.0) * i128::from(count) + i128::from(one_more),
    })
}

/// Every sharing member pays the same: one charge per period.
fn share_uniform(input: &Input) -> Result<Shared, EngineError> {
    let Input {
        plan,
        members,
        membership,
        periods,
        cases,
        options: _,
        period_done,
        ..
    } = *input;
    use rayon::prelude::*;
    let n = members.len();
    let np = periods.len();
    if np > usize::from(u16::MAX) {
        return Err(EngineError::TooManyPeriods { periods: np });
    }
    // Each member shares in a run of periods: from the first closing day on or
    // after joining to the last before leaving or the end of the membership.
    let days = super::period_of_day::PeriodOfDay::new(periods);
    let (lo, hi): (Vec<u16>, Vec<u16>) = (0..n)
        .into_par_iter()
        .map(|i| {
            let (lo, hi) = membership.sharing_periods(members, &days, i);
            (lo as u16, hi as u16)
        })
        .unzip();
    let mut diff = vec![0i64; np + 1];
    for i in 0..n {
        let (a, b) = (lo[i] as usize, hi[i] as usize);
        if a < b {
            diff[a] += 1;
            diff[b] -= 1;
        }
    }
    let mut out = Vec::with_capacity(np);
    let mut per_period = Vec::with_capacity(np);
    let mut extra: Vec<Vec<u32>> = vec![Vec::new(); np];
    let mut carried = Money::ZERO;
    let mut count = 0i64;
    for (p, period) in periods.iter().enumerate() {
        count += diff[p];
        let mut f = open_period(plan, *period, cases[p].0, cases[p].1, carried)?;
        let u = uniform_charge(plan, &mut f, count)?;
        let mut left = u.one_more;
        for i in 0..n {
            if left == 0 {
                break;
            }
            if lo[i] as usize <= p && p < hi[i] as usize {
                extra[p].push(i as u32);
                left -= 1;
            }
        }
        let (charge, charged) = (u.charge, u.charged);
        close_period(plan, &mut f, charged, input.payouts_of(p))?;
        period_done(p + 1, periods.len());
        carried = f.carried_out;
        per_period.push(charge);
        out.push(f);
    }
    // A member's total: prefix sums of the per-period charge over their sharing periods.
    let mut prefix = vec![0i64; np + 1];
    for p in 0..np {
        prefix[p + 1] = prefix[p]
            .checked_add(per_period[p].0)
            .ok_or(EngineError::Overflow {
                start: periods[p].start,
                end: periods[p].end,
            })?;
    }
    Ok(Shared {
        strategy: Strategy::Uniform,
        periods: out,
        member_charged: None,
        charges: Charges::Uniform {
            lo,
            hi,
            per_period,
            prefix,
            extra,
        },
    })
}

/// The smallest cap that applies to a share, with its kind (the first on ties).
#[inline]
fn lowest_cap(caps: [(Option<i64>, CapKind); 4]) -> Option<(i64, CapKind)> {
    let mut best: Option<(i64, CapKind)> = None;
    for (cap, kind) in caps {
        if let Some(c) = cap {
            let c = c.max(0);
            if best.is_none_or(|(b, _)| c < b) {
                best = Some((c, kind));
            }
        }
    }
    best
}

/// One member's charge from `num / den` fen and the lowest cap, as `member_share`
/// computes it but with one 64-bit division: (charge, excess numerator, remainder, cap bound).
#[inline]
fn charge_fast(
    num: i64,
    den: i64,
    cap: Option<(i64, CapKind)>,
    mode: RoundingMode,
) -> (i64, i128, i64, Option<CapKind>) {
    let (q, r) = (num / den, num % den);
    if let Some((limit, kind)) = cap
        && (q > limit || (q == limit && r > 0))
    {
        let excess = i128::from(num) - i128::from(limit) * i128::from(den);
        return (limit, excess, 0, Some(kind));
    }
    let charge = match mode {
        RoundingMode::Down => q,
        RoundingMode::Up => q + i64::from(r > 0),
        RoundingMode::HalfUp => q + i64::from(2 * r >= den),
    };
    (charge, 0, r, None)
}

/// How one period turns a member's weight into a charge: the 64-bit path
/// where the numbers fit, else the exact wide one.
pub(super) struct PeriodRule {
    to_collect: i64,
    den: i64,
    case_cap: Option<i64>,
    charge_cap: Option<i64>,
    fits: bool,
    distributed: bool,
    mode: RoundingMode,
}

impl PeriodRule {
    /// `max_weight`: the largest weight of a sharing member. With the
    /// remainder distributed, each share is first rounded down.
    pub(super) fn new(
        plan: &Plan,
        f: &PeriodFigures,
        max_weight: i64,
        distributed: bool,
    ) -> PeriodRule {
        let plan = plan.at(f.period.end);
        let tc = f.to_collect.0;
        PeriodRule {
            to_collect: tc,
            den: f.weight_total as i64,
            case_cap: plan
                .sharing
                .case_cap
                .as_ref()
                .map(|c| c.value.0.saturating_mul(f.cases as i64)),
            charge_cap: plan.sharing.charge_cap.as_ref().map(|c| c.value.0),
            fits: tc.checked_mul(max_weight.max(1)).is_some()
                && f.weight_total <= i128::from(i64::MAX),
            distributed,
            mode: if distributed {
                RoundingMode::Down
            } else {
                plan.sharing.rounding.value
            },
        }
    }

    /// (charge, excess numerator, remainder, cap bound) of a member of
    /// weight `w` with `year_left` of its annual cap and `calendar_left` of
    /// its calendar-year cap.
    #[inline]
    pub(super) fn charge(
        &self,
        plan: &Plan,
        f: &PeriodFigures,
        w: i64,
        (year_left, calendar_left): (Option<i64>, Option<i64>),
    ) -> (i64, i128, i64, Option<CapKind>) {
        if self.fits {
            let cap = lowest_cap([
                (self.case_cap, CapKind::PerCase),
                (self.charge_cap, CapKind::PerCharge),
                (year_left, CapKind::PerYear),
                (calendar_left, CapKind::PerCalendarYear),
            ]);
            charge_fast(self.to_collect * w, self.den, cap, self.mode)
        } else {
            let ms = member_share(
                plan,
                f,
                i128::from(w),
                year_left.map(Money),
                calendar_left.map(Money),
            );
            let rem = ms.capped.num.rem_euclid(ms.capped.den);
            let c = if self.distributed {
                ms.capped.round(RoundingMode::Down)
            } else {
                ms.charge
            };
            (c.0, ms.share.num - ms.capped.num, rem as i64, ms.bound)
        }
    }
}
