//! Sharing by classes of members who pay alike.
//!
//! Where shares differ between members (a weighted split, or annual caps),
//! what a member pays in each period depends only on the periods in which it
//! shares, the periods in which its membership years start, and the annual cap
//! of each of those years. Members alike in those are one class: the period
//! loop then runs over classes with their counts, not over members. A plan
//! year of 10,000,000 members has a few thousand classes.
//!
//! The figures are those of computing every member (tested against it). A
//! remainder distributed by the largest fractions ranks members one by one:
//! those runs, and members whose sharing spans more than `MAX_YEARS`
//! membership years, are left to the per-member computation (`share_all`
//! decides). Kept charges are each class's charge per period, and each
//! member's class.

use super::EngineError;
use super::membership::{Membership, membership_year};
use super::sharing::{
    CapsBound, Charges, Input, PeriodFigures, PeriodRule, Shared, Strategy, annual_cap_at,
    cap_age_day, close_period, open_period,
};
use crate::ast::SplitKind;
use crate::input::Members;
use crate::money::{Fraction, Money};
use crate::plan::Plan;
use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The most membership years a class follows.
const MAX_YEARS: usize = 4;

/// What decides a member's charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Class {
    /// The member shares in periods `a..b` (`0..0`: never).
    a: u16,
    b: u16,
    /// The periods in which a membership year starts (the first is `a`), then `u16::MAX`.
    starts: [u16; MAX_YEARS],
    /// The annual cap of each of those years, in fen.
    caps: [i64; MAX_YEARS],
}

/// What members who joined on one day have in common: the first period in
/// which they may share, the periods in which their membership years start
/// (up to one more than a class follows), and the day whose age picks each
/// year's annual cap.
#[derive(Clone, Copy, Debug)]
struct Joined {
    a: u16,
    years: usize,
    starts: [u16; MAX_YEARS + 1],
    cap_days: [NaiveDate; MAX_YEARS + 1],
}

fn joined(plan: &Plan, ends: &[NaiveDate], join: NaiveDate) -> Joined {
    let a = ends.partition_point(|&e| e < join);
    let mut out = Joined {
        a: a as u16,
        years: 0,
        starts: [u16::MAX; MAX_YEARS + 1],
        cap_days: [join; MAX_YEARS + 1],
    };
    let mut p = a;
    while p < ends.len() && out.years <= MAX_YEARS {
        let e = ends[p];
        out.starts[out.years] = p as u16;
        out.cap_days[out.years] = cap_age_day(plan, join, e);
        out.years += 1;
        if plan.sharing.annual_cap.is_none() {
            break;
        }
        let (years, _) = membership_year(join, e);
        let next = crate::age::add_years(join, years + 1);
        p = ends.partition_point(|&e| e < next);
    }
    out
}

/// `joined` for every join day from `first` on, where the days span a table
/// of reasonable size.
struct JoinTable {
    first: NaiveDate,
    rows: Vec<Joined>,
}

impl JoinTable {
    fn new(plan: &Plan, members: &Members, ends: &[NaiveDate]) -> Option<JoinTable> {
        let (lo, hi) = members
            .join
            .par_iter()
            .fold(
                || (NaiveDate::MAX, NaiveDate::MIN),
                |(lo, hi), &j| (lo.min(j), hi.max(j)),
            )
            .reduce(
                || (NaiveDate::MAX, NaiveDate::MIN),
                |a, b| (a.0.min(b.0), a.1.max(b.1)),
            );
        let span = usize::try_from((hi - lo).num_days()).ok()?;
        if span > 100_000 {
            return None;
        }
        let rows = (0..=span as u64)
            .into_par_iter()
            .map(|k| joined(plan, ends, lo + chrono::Days::new(k)))
            .collect();
        Some(JoinTable { first: lo, rows })
    }

    fn get(&self, join: NaiveDate) -> Option<&Joined> {
        let k = usize::try_from((join - self.first).num_days()).ok()?;
        self.rows.get(k)
    }
}

/// The class of member `i`, or `None` when its sharing spans too many membership years.
fn class_of(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    ends: &[NaiveDate],
    table: Option<&JoinTable>,
    i: usize,
) -> Option<Class> {
    let mut class = Class {
        a: 0,
        b: 0,
        starts: [u16::MAX; MAX_YEARS],
        caps: [0; MAX_YEARS],
    };
    if !membership.eligible[i] {
        return Some(class);
    }
    let (birth, join) = (members.birth[i], members.join[i]);
    let stop = members.left[i].min(membership.end[i]);
    let computed;
    let j = match table.and_then(|t| t.get(join)) {
        Some(j) => j,
        None => {
            computed = joined(plan, ends, join);
            &computed
        }
    };
    let a = usize::from(j.a);
    let b = if stop == NaiveDate::MAX {
        ends.len()
    } else {
        ends.partition_point(|&e| e < stop)
    };
    if a >= b {
        return Some(class);
    }
    (class.a, class.b) = (j.a, b as u16);
    let has_year_cap = plan.sharing.annual_cap.is_some();
    for k in 0..j.years {
        if usize::from(j.starts[k]) >= b {
            break;
        }
        if k == MAX_YEARS {
            return None;
        }
        class.starts[k] = j.starts[k];
        if has_year_cap {
            class.caps[k] = annual_cap_at(plan, birth, j.cap_days[k])
                .unwrap_or_default()
                .0;
        }
    }
    Some(class)
}

/// A class's state between periods.
#[derive(Clone, Copy, Default)]
struct ClassState {
    year: usize,
    year_charged: i64,
    charged: i64,
    /// The charge of each member of the class in the last period.
    last: i64,
}

/// Shares every period by classes; see the module documentation. `None`:
/// some member's sharing spans too many membership years.
pub(super) fn share_classes(input: &Input) -> Result<Option<Shared>, EngineError> {
    let Input {
        plan,
        members,
        membership,
        periods,
        cases,
        options,
        period_done,
        ..
    } = *input;
    if periods.len() >= usize::from(u16::MAX) {
        return Ok(None);
    }
    let ends: Vec<NaiveDate> = periods.iter().map(|p| p.end).collect();
    let table = JoinTable::new(plan, members, &ends);
    let table = table.as_ref();
    let Some(classes) = count_classes(plan, members, membership, &ends, table) else {
        return Ok(None);
    };
    let mut states = vec![ClassState::default(); classes.len()];
    let weighted = plan.sharing.split.value == SplitKind::ByAnnualCap;
    let tracked_class = options
        .track
        .filter(|&t| (t as usize) < members.len())
        .and_then(|t| class_of(plan, members, membership, &ends, table, t as usize));
    let mut tracked: Vec<Money> = Vec::new();
    let mut kept: Vec<Vec<Money>> = Vec::new();
    let mut out = Vec::with_capacity(periods.len());
    let mut carried = Money::ZERO;
    for (p, period) in periods.iter().enumerate() {
        let pu = p as u16;
        let mut f = open_period(plan, *period, cases[p].0, cases[p].1, carried)?;
        let (count, total, max_w) = move_on(&classes, &mut states, pu, weighted);
        f.members = count;
        f.weight_total = total;
        let charged = charge_classes(plan, &mut f, &classes, &mut states, pu, max_w)?;
        close_period(plan, &mut f, charged, input.payouts_of(p))?;
        period_done(p + 1, periods.len());
        carried = f.carried_out;
        out.push(f);
        if let Some(t) = &tracked_class
            && let Ok(k) = classes.binary_search_by(|(c, _)| c.cmp(t))
        {
            tracked.push(Money(states[k].last));
        }
        if options.keep_charges {
            kept.push(states.iter().map(|s| Money(s.last)).collect());
        }
    }
    if let (Some(last), true) = (periods.last(), states.iter().any(|s| s.charged == i64::MAX)) {
        return Err(EngineError::Overflow {
            start: last.start,
            end: last.end,
        });
    }
    let shares = Shares {
        classes: &classes,
        states: &states,
        ends: &ends,
        table,
    };
    Ok(Some(shares.shared(input, out, kept, tracked)))
}

/// Every member's class and how many members are in it, in class order;
/// `None` where some member's facts do not fit a class.
fn count_classes(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    ends: &[NaiveDate],
    table: Option<&JoinTable>,
) -> Option<Vec<(Class, u64)>> {
    let counted = (0..members.len())
        .into_par_iter()
        .try_fold(FxHashMap::<Class, u64>::default, |mut map, i| {
            let class = class_of(plan, members, membership, ends, table, i)?;
            *map.entry(class).or_default() += 1;
            Some(map)
        })
        .try_reduce(FxHashMap::default, |mut a, b| {
            for (class, count) in b {
                *a.entry(class).or_default() += count;
            }
            Some(a)
        })?;
    let mut classes: Vec<(Class, u64)> = counted.into_iter().collect();
    classes.sort_unstable();
    Some(classes)
}

/// Who shares in period `pu`, and their weights: the classes in force move
/// on to a new membership year where one starts. The sharing members, the Σ
/// of their weights and the largest weight.
fn move_on(
    classes: &[(Class, u64)],
    states: &mut [ClassState],
    pu: u16,
    weighted: bool,
) -> (u64, i128, i64) {
    let (mut count, mut total, mut max_w) = (0u64, 0i128, 0i64);
    for ((class, n), s) in classes.iter().zip(states.iter_mut()) {
        s.last = 0;
        if !(class.a <= pu && pu < class.b) {
            continue;
        }
        if pu == class.a {
            *s = ClassState::default();
        } else if s.year + 1 < MAX_YEARS && class.starts[s.year + 1] == pu {
            s.year += 1;
            s.year_charged = 0;
        }
        let w = if weighted { class.caps[s.year] } else { 1 };
        count += n;
        total += i128::from(*n) * i128::from(w);
        max_w = max_w.max(w);
    }
    (count, total, max_w)
}

/// Charges every class sharing in period `pu` (each member of a class the
/// same), and sets the period's excess and the caps that bound; gives the
/// total charged.
fn charge_classes(
    plan: &Plan,
    f: &mut PeriodFigures,
    classes: &[(Class, u64)],
    states: &mut [ClassState],
    pu: u16,
    max_w: i64,
) -> Result<i128, EngineError> {
    let total = f.weight_total;
    if f.to_collect.0 <= 0 {
        return Ok(0);
    }
    if total == 0 {
        f.excess = Fraction::whole(f.to_collect);
        return Ok(0);
    }
    let weighted = plan.sharing.split.value == SplitKind::ByAnnualCap;
    let has_year_cap = plan.sharing.annual_cap.is_some();
    let rule = PeriodRule::new(plan, f, max_w, false);
    let (mut charged, mut excess_num) = (0i128, 0i128);
    let mut bound = CapsBound::default();
    let overflow = || EngineError::Overflow {
        start: f.period.start,
        end: f.period.end,
    };
    for ((class, n), s) in classes.iter().zip(states.iter_mut()) {
        if !(class.a <= pu && pu < class.b) {
            continue;
        }
        let cap = class.caps[s.year];
        let w = if weighted { cap } else { 1 };
        let year_left = has_year_cap.then(|| cap - s.year_charged);
        let (c, ex, _, b) = rule.charge(plan, f, w, (year_left, None));
        bound.add(b);
        let n = i128::from(*n);
        charged += n * i128::from(c);
        excess_num = n
            .checked_mul(ex)
            .and_then(|x| excess_num.checked_add(x))
            .ok_or_else(overflow)?;
        s.charged = s.charged.saturating_add(c);
        if has_year_cap {
            s.year_charged = s.year_charged.saturating_add(c);
        }
        s.last = c;
    }
    f.excess = Fraction::new(excess_num, total);
    f.caps_bound = bound;
    Ok(charged)
}

/// The classes once every period is shared: what each member was charged.
struct Shares<'a> {
    classes: &'a [(Class, u64)],
    states: &'a [ClassState],
    ends: &'a [NaiveDate],
    table: Option<&'a JoinTable>,
}

impl Shares<'_> {
    /// The shared periods with each member's total and, where kept, each
    /// member's class (or the one member followed). Classes are worked out
    /// again rather than kept from the count: a class is 48 bytes, which for
    /// every member would outweigh the work.
    fn shared(
        &self,
        input: &Input,
        periods: Vec<PeriodFigures>,
        kept: Vec<Vec<Money>>,
        tracked: Vec<Money>,
    ) -> Shared {
        let (plan, members, membership, options) =
            (input.plan, input.members, input.membership, input.options);
        let index: FxHashMap<Class, u32> = (self.classes.iter())
            .enumerate()
            .map(|(k, (c, _))| (*c, k as u32))
            .collect();
        let class_index = |i: usize| {
            class_of(plan, members, membership, self.ends, self.table, i)
                .and_then(|c| index.get(&c).copied())
                .unwrap_or(u32::MAX)
        };
        let member_class: Option<Vec<u32>> = options.keep_charges.then(|| {
            (0..members.len())
                .into_par_iter()
                .map(class_index)
                .collect()
        });
        let total =
            |k: u32| (self.states.get(k as usize)).map_or(Money::ZERO, |s| Money(s.charged));
        let member_charged = options.track.is_none().then(|| match &member_class {
            Some(class) => class.par_iter().map(|&k| total(k)).collect(),
            None => (0..members.len())
                .into_par_iter()
                .map(|i| total(class_index(i)))
                .collect(),
        });
        Shared {
            strategy: Strategy::Classes,
            periods,
            member_charged,
            charges: match (member_class, options.track) {
                (Some(class), _) => Charges::Classes {
                    class,
                    per_period: kept,
                },
                (None, Some(member)) => Charges::Tracked {
                    member,
                    per_period: tracked,
                },
                (None, None) => Charges::None,
            },
        }
    }
}
