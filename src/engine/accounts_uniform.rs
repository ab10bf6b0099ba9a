//! Accounts where every sharing member pays the same (an equal split with
//! caps per case or per charge), but for the fen of a distributed
//! remainder: the figures of `accounts::run`, without a pass over every
//! member in every period.
//!
//! A member sharing since period `s` has paid `C[p] − C[s]` more by period
//! p, where `C` is the running total of the per-period charge. Its balance
//! before the charge of period p is below the minimum M exactly when
//! `C[p] > key`, with `key = base − charged before s + C[s] − M`: so members
//! wait in runs sorted by key, and only those whose key `C` passes are
//! touched. A sharing member's top-ups only raise its key, so they are taken
//! when the key is reached: if the balance is then still below the minimum,
//! the member is paused, else queued again with its new key. A paused
//! member's top-ups are taken as they come, since one may resume its cover.
//! The sharing count is kept by the periods at which members start and stop
//! sharing, less the members paused.
//!
//! With the remainder distributed, the first members in member order pay
//! one fen more in some periods: the keys then wait on a running total that
//! counts that fen for everyone (`totals`), and a member whose key it
//! passes is checked against what it really paid.

use super::EngineError;
use super::RunOptions;
use super::account::{AccountRules, minimum_on};
use super::accounts::{Accounts, Run};
use super::claims::{Decider, Decision};
use super::held::Held;
use super::membership::Membership;
use super::period_of_day::PeriodOfDay;
use super::sharing::{
    Charges, PeriodFigures, Shared, Strategy, amounts_by_period, cases_by_period,
};
use super::sharing::{UniformCharge, close_period, open_period, uniform_charge};
use super::tracked_account::Tracked;
use crate::ast::SplitKind;
use crate::input::{Members, Payments, TopUp};
use crate::money::Money;
use crate::period::Period;
use crate::plan::Plan;
use chrono::{Days, NaiveDate};
use rayon::prelude::*;

mod block_fen;
mod one_pass;
mod totals;

use totals::Totals;

/// Not sharing now (paused, or before the first period it shares).
const NONE: u32 = u32::MAX;

/// Every version of the plan, the first in force first.
fn versions(plan: &Plan) -> impl Iterator<Item = &Plan> {
    std::iter::once(plan).chain(plan.eras.iter().map(|e| &e.plan))
}

/// Whether a run can take this path: every version splits equally without
/// annual or calendar-year caps; an account fee, if any, is only for
/// accounts without an active membership; the minimum balance never
/// changes. A member explained (`track`) is followed on its own
/// (`tracked_account`).
pub(super) fn applies(plan: &Plan, options: RunOptions) -> bool {
    let minimum = |p: &Plan| {
        p.account
            .as_ref()
            .and_then(|a| a.minimum.as_ref().map(|m| m.value))
    };
    !options.keep_charges
        && !options.per_member
        && AccountRules::new(plan).inactive_only
        && versions(plan).all(|p| {
            p.sharing.split.value == SplitKind::Equally
                && p.sharing.annual_cap.is_none()
                && p.sharing.calendar_cap.is_none()
                && minimum(p) == minimum(plan)
        })
}

/// Members by key: runs sorted by key, each read from its start as the
/// running total passes its keys. A member queued again has a new key; its
/// old entry is skipped when reached.
#[derive(Default)]
struct Queue {
    runs: Vec<(Vec<(i64, u32)>, usize)>,
}

impl Queue {
    /// Adds the entries of one period as a run.
    fn add(&mut self, mut run: Vec<(i64, u32)>) {
        if run.is_empty() {
            return;
        }
        run.par_sort_unstable();
        self.runs.push((run, 0));
        if self.runs.len() > 64 {
            // Many short runs: merge what is left of them into one.
            let mut all: Vec<(i64, u32)> = self
                .runs
                .drain(..)
                .flat_map(|(r, at)| r.into_iter().skip(at))
                .collect();
            all.par_sort_unstable();
            self.runs.push((all, 0));
        }
    }

    /// Takes every entry whose key is below `c`.
    fn below(&mut self, c: i64) -> Vec<(i64, u32)> {
        let mut out = Vec::new();
        for (run, at) in &mut self.runs {
            let end = *at + run[*at..].partition_point(|e| e.0 < c);
            out.extend_from_slice(&run[*at..end]);
            *at = end;
        }
        self.runs.retain(|(r, at)| *at < r.len());
        out
    }
}

/// One member's sharing, between periods: what is read together kept together.
#[derive(Clone, Copy)]
struct Sharer {
    /// Sharing periods by membership: `lo..hi` (empty for the ineligible).
    lo: u32,
    hi: u32,
    join: NaiveDate,
    /// The first day the membership is not in force (`MIN`: never eligible).
    stop: NaiveDate,
    /// The period from which the member shares without a pause (`NONE`: not sharing).
    stint: u32,
    /// Paused, and counted among the paused members in force.
    counted: bool,
    /// Charged before the current stint (fen).
    before: i64,
    /// `base − charged + U[p] − M`, set in period p (see `totals`): not
    /// paused before the first closing day q with `U[q] > key`.
    key: i64,
}

impl Sharer {
    /// What the member has been charged before period `p`.
    fn charged(&self, total: &[i64], p: usize) -> i64 {
        match self.stint {
            NONE => self.before,
            s => {
                let end = p.min(self.hi as usize);
                self.before + total[end] - total[(s as usize).min(end)]
            }
        }
    }

    /// Whether the member shares in period `p`, as the loop has taken it to `p`.
    fn shares(&self, p: usize) -> bool {
        self.stint != NONE && (p as u32) < self.hi
    }
}

/// The sharing of the members held, between periods.
struct Sharers {
    /// The members held, side by side (`at(i)`: member i's).
    m: Vec<Sharer>,
    held: Held,
    /// The per-period charges before each period, added up.
    totals: Totals,
    /// Members in force, by the period they start or stop being in force.
    diff: Vec<i64>,
    /// Sharing members by key, in runs sorted by key (one per period).
    queue: Queue,
    /// Keys set this period, to be queued as one run.
    fresh: Vec<(i64, u32)>,
    /// Members whose cover resumes the day after a closing day: they share
    /// again from the next period.
    resume_next: Vec<u32>,
    /// Members paused until a top-up: their top-ups are taken as they come
    /// (a sharing member's wait until its key is reached: they only raise it).
    waiting_for_top_up: Vec<bool>,
    /// Paused members counted, by the period their membership stops.
    expiring: Vec<Vec<u32>>,
    paused: i64,
}

impl Sharers {
    /// Member `i`'s sharing (a member held).
    fn at(&self, i: usize) -> &Sharer {
        &self.m[self.held.slot(i)]
    }

    fn at_mut(&mut self, i: usize) -> &mut Sharer {
        &mut self.m[self.held.slot(i)]
    }

    /// What member `i` has been charged before period `p`.
    fn charged(&self, i: usize, p: usize) -> i64 {
        self.totals.charged(self.at(i), i, p)
    }

    fn facts(&self, i: usize, p: usize) -> (NaiveDate, NaiveDate, i64) {
        let s = self.at(i);
        (s.join, s.stop, self.charged(i, p))
    }

    /// Sets member `i`'s key in period `p` from its account's balance
    /// (while sharing) and queues it.
    fn queue(&mut self, i: usize, p: usize, base: i64, minimum: Option<i64>) {
        let k = self.held.slot(i);
        if let Some(key) = self.totals.set_key(&mut self.m[k], i, p, base, minimum) {
            self.fresh.push((key, i as u32));
        }
    }

    /// Member `i`, paused, shares again from period `p`.
    fn resume(&mut self, i: usize, p: usize, base: i64, minimum: Option<i64>) {
        let s = self.at_mut(i);
        let uncounted = std::mem::replace(&mut s.counted, false);
        let starts = (p as u32) < s.hi && s.stint == NONE;
        if starts {
            s.stint = p as u32;
        }
        self.paused -= i64::from(uncounted);
        if starts {
            self.queue(i, p, base, minimum);
        }
    }

    /// `W`: the first `left` members sharing in period `p`, in member
    /// order, are those numbered below it (0 where `left` is 0), where
    /// every member is held.
    fn one_more_below(&self, p: usize, left: i64) -> u32 {
        const CHUNK: usize = 1 << 14;
        if left <= 0 {
            return 0;
        }
        let sharing = |s: &Sharer| i64::from(s.shares(p));
        let counts: Vec<i64> = (self.m.par_chunks(CHUNK))
            .map(|part| part.iter().map(sharing).sum())
            .collect();
        let Some((k, left)) = totals::nth_of(counts.into_iter(), left) else {
            return u32::MAX;
        };
        let in_chunk = self.m[k * CHUNK..].iter().map(sharing);
        totals::nth_of(in_chunk, left).map_or(u32::MAX, |(j, _)| (k * CHUNK + j + 1) as u32)
    }

    /// The members whose membership stops in period `p`, and who were
    /// counted as paused, are no longer counted.
    fn expire(&mut self, p: usize) {
        for i in std::mem::take(&mut self.expiring[p]) {
            if self.at(i as usize).counted && self.at(i as usize).hi == p as u32 {
                self.at_mut(i as usize).counted = false;
                self.paused -= 1;
            }
        }
    }

    /// The membership of member `i` now stops on `stop`, in period `hi`.
    fn stop_at(&mut self, i: usize, stop: NaiveDate, hi: u32) {
        let s = *self.at(i);
        if hi >= s.hi {
            return;
        }
        if s.lo < s.hi {
            self.diff[s.lo as usize] -= 1;
            self.diff[s.hi as usize] += 1;
        }
        if s.lo < hi {
            self.diff[s.lo as usize] += 1;
            self.diff[hi as usize] -= 1;
        }
        let s = self.at_mut(i);
        s.hi = hi;
        s.stop = stop;
        if s.counted {
            self.expiring[hi as usize].push(i as u32);
        }
    }
}

/// What a run reads, the same in every pass.
pub(super) struct Ctx<'a> {
    plan: &'a Plan,
    members: &'a Members,
    payments: &'a Payments,
    claims: &'a crate::input::Claims,
    options: RunOptions,
    periods: &'a [Period],
    /// The period of each day.
    days: &'a PeriodOfDay,
    /// The minimum balance (the same in every version of the plan), fen.
    minimum: Option<i64>,
    period_done: &'a (dyn Fn(usize, usize) + Sync),
}

/// What a run gives: the decisions, what was shared, the accounts.
type Done = (Vec<Decision>, Shared, Accounts);

/// `accounts::run` where every sharing member pays the same.
pub(super) fn run(
    plan: &Plan,
    members: &Members,
    membership: &mut Membership,
    payments: &Payments,
    claims: &crate::input::Claims,
    options: RunOptions,
    period_done: &(dyn Fn(usize, usize) + Sync),
) -> Result<Done, EngineError> {
    let periods: Vec<Period> = super::periods(plan, options.until);
    let c = Ctx {
        plan,
        members,
        payments,
        claims,
        options,
        periods: &periods,
        days: &PeriodOfDay::new(&periods),
        minimum: minimum_on(plan, plan.launched.value),
        period_done,
    };
    if options.passes > 0
        && let Some(done) = one_pass::run(&c, membership)?
    {
        return Ok(done);
    }
    every_member(&c, membership)
}

/// Takes every member through the periods in turn.
fn every_member(c: &Ctx, membership: &mut Membership) -> Result<Done, EngineError> {
    let until = c.options.until;
    let mut decider = Decider::new(c.plan, c.members, membership, c.claims, until);
    let every = Held::Every(c.members.len());
    let mut run = Run::open(
        c.plan,
        c.members,
        membership,
        c.payments,
        &decider,
        c.options,
        every.clone(),
    );
    let mut sh = sharers(c.members, membership, c.days, every);
    let mut tracked = Tracked::open(c.members, c.options.track, &|i| run.account(i), |i| {
        sh.at(i).stop
    });
    let lists = Lists::of(c, &sh, None);
    let others = vec![0; c.periods.len()];
    let mut loop_state = Loop {
        run: &mut run,
        sh: &mut sh,
        decider: &mut decider,
        tracked: &mut tracked,
    };
    let place = |sh: &Sharers, f: Fen| sh.one_more_below(f.p, f.left);
    let out = loop_state.periods(c, &lists, (&others, &place))?;
    loop_state.last_claims(c);
    let charged = finish(&mut run, &sh, c.periods.len(), until);
    wrap_up(c, membership, (run, decider, tracked), out, charged, None)
}

/// `W` of a period with fen of a distributed remainder: the first
/// `left` members sharing in it, in member order, those in the loop as
/// `Sharers` holds them, are numbered below it.
type Place<'p> = &'p (dyn Fn(&Sharers, Fen) -> u32 + Sync);

/// The fen of a distributed remainder in period `p`: `left` of them, for
/// `sharing` members in all.
#[derive(Clone, Copy, Debug)]
struct Fen {
    p: usize,
    left: i64,
    sharing: i64,
}

/// The members the period loop takes, by the period each starts sharing
/// and by the periods each tops up in.
struct Lists {
    arrivals: Vec<Vec<u32>>,
    top_ups: Vec<Vec<u32>>,
}

impl Lists {
    /// The lists of `members` (`None`: every member).
    fn of(c: &Ctx, sh: &Sharers, members: Option<&[u32]>) -> Lists {
        let np = c.periods.len();
        let arrivals = match members {
            None => {
                let held = (sh.m.iter().enumerate()).map(|(k, s)| (s.lo, sh.held.member(k)));
                by_period(np, held, sh)
            }
            Some(ms) => by_period(
                np,
                ms.iter().map(|&i| (sh.at(i as usize).lo, i as usize)),
                sh,
            ),
        };
        let n = c.members.len();
        let top_ups = match members {
            None => top_ups_by_period((0..n).into_par_iter(), c.payments, c.periods),
            Some(ms) => {
                top_ups_by_period(ms.par_iter().map(|&i| i as usize), c.payments, c.periods)
            }
        };
        Lists { arrivals, top_ups }
    }
}

/// The state the period loop changes.
struct Loop<'r, 'a> {
    run: &'r mut Run<'a>,
    sh: &'r mut Sharers,
    decider: &'r mut Decider<'a>,
    tracked: &'r mut Option<Tracked>,
}

impl Loop<'_, '_> {
    /// Takes the periods in turn: decides their claims, takes the top-ups
    /// and pauses of the members in `lists`, and shares each period among
    /// those sharing and `others[p]` members outside the loop; `place`
    /// gives the fen of a distributed remainder to the first of them.
    fn periods(
        &mut self,
        c: &Ctx,
        lists: &Lists,
        (others, place): (&[i64], Place),
    ) -> Result<Vec<PeriodFigures>, EngineError> {
        let (plan, np, minimum) = (c.plan, c.periods.len(), c.minimum);
        let Loop {
            run, sh, decider, ..
        } = self;
        let mut out = Vec::with_capacity(np);
        let mut carried = Money::ZERO;
        let mut count = 0i64;
        for (p, period) in c.periods.iter().enumerate() {
            let e = period.end;
            let batch = decide(run, decider, sh, c.periods, p, e, Some(e));
            let keys = update_marked(run, sh, &lists.arrivals[p], p, |a, s, at| {
                if s.hi <= p as u32 {
                    return None;
                }
                s.stint = p as u32;
                at.set_key(s, a.base, minimum)
            });
            sh.fresh
                .extend(keys.into_iter().filter_map(|(i, k)| Some((k?, i))));
            for i in std::mem::take(&mut sh.resume_next) {
                let base = run.account(i as usize).base;
                sh.resume(i as usize, p, base, minimum);
            }
            take_top_ups(run, sh, &lists.top_ups[p], p, e, minimum);
            let fresh = std::mem::take(&mut sh.fresh);
            sh.queue.add(fresh);
            pause(run, sh, p, e);
            sh.expire(p);
            count += sh.diff[p];
            let decided = &decider.decisions()[batch];
            let sharing = count - sh.paused + others[p];
            let (f, u) = share_period(plan, period, decided, carried, sharing)?;
            let left = u.one_more;
            let below = place(sh, Fen { p, left, sharing });
            if let Some(t) = self.tracked.as_mut() {
                t.decided(decided, sh.at(t.member as usize).stop);
                t.period(&run.rules, c.payments, e, (u.charge, below));
            }
            (c.period_done)(p + 1, np);
            carried = f.carried_out;
            sh.totals.push(period, u.charge.0, below)?;
            out.push(f);
            run.last_closing = e;
        }
        Ok(out)
    }

    /// Decides the claims filed after the last closing day, through `--until`.
    fn last_claims(&mut self, c: &Ctx) {
        let np = c.periods.len();
        let until = c.options.until;
        let batch = decide(self.run, self.decider, self.sh, c.periods, np, until, None);
        if let Some(t) = self.tracked.as_mut() {
            t.decided(
                &self.decider.decisions()[batch],
                self.sh.at(t.member as usize).stop,
            );
        }
    }
}

/// Period `period`, with the claims `decided` in it and `carried` from the
/// period before, shared among `sharing` members who pay the same (but
/// for the fen of a distributed remainder): its figures and its charge.
fn share_period(
    plan: &Plan,
    period: &Period,
    decided: &[Decision],
    carried: Money,
    sharing: i64,
) -> Result<(PeriodFigures, UniformCharge), EngineError> {
    let (cases, payouts) = cases_by_period(std::slice::from_ref(period), decided)?[0];
    let amounts = amounts_by_period(plan, std::slice::from_ref(period), decided);
    let amounts = amounts.first().map_or(&[][..], Vec::as_slice);
    let mut f = open_period(plan, *period, cases, payouts, carried)?;
    let u = uniform_charge(plan, &mut f, sharing)?;
    close_period(plan, &mut f, u.charged, amounts)?;
    Ok((f, u))
}

/// The run's result, from the accounts and the charges of every member
/// (`others`: the accounts' columns of the members not held).
fn wrap_up(
    c: &Ctx,
    membership: &mut Membership,
    (run, decider, tracked): (Run, Decider, Option<Tracked>),
    periods: Vec<PeriodFigures>,
    charged: Vec<i64>,
    others: Option<Accounts>,
) -> Result<Done, EngineError> {
    let until = c.options.until;
    let (accounts, charges) = close(run, c.members, &charged, tracked, until, others)?;
    let decisions = decider.finish(membership);
    Ok((
        decisions,
        Shared {
            strategy: Strategy::Uniform,
            periods,
            member_charged: Some(charged.into_iter().map(Money).collect()),
            charges,
        },
        accounts,
    ))
}

/// What the accounts hold at `until`, the member explained's account as it
/// was followed on its own, and its charges. What it was charged on its own
/// must be what the uniform path charged it; its balance is kept from it.
fn close(
    mut run: Run,
    members: &Members,
    charged: &[i64],
    tracked: Option<Tracked>,
    until: NaiveDate,
    others: Option<Accounts>,
) -> Result<(Accounts, Charges), EngineError> {
    let Some(t) = tracked else {
        return Ok((run.close(charged, until, others), Charges::None));
    };
    let i = t.member as usize;
    let (account, own, per_period) = t.finish(&run.rules, run.payments, until);
    let balance = account.balance(own);
    if own != charged[i] {
        return Err(EngineError::Balance {
            member: members.id(i).to_string(),
            kept: Money(balance),
            identity: Money(account.balance(charged[i])),
        });
    }
    *run.account_mut(i) = account;
    let mut accounts = run.close(charged, until, others);
    if let Some(kept) = accounts.kept_balance.get_mut(i) {
        *kept = balance;
    }
    let member = i as u32;
    Ok((accounts, Charges::Tracked { member, per_period }))
}

/// Member `i`'s sharing periods by membership, before any claim is decided.
fn sharer(members: &Members, membership: &Membership, days: &PeriodOfDay, i: usize) -> Sharer {
    let (lo, hi, stop) = membership.sharing(members, days, i);
    Sharer {
        lo: lo as u32,
        hi: hi as u32,
        join: members.join[i],
        stop,
        stint: NONE,
        counted: false,
        before: 0,
        key: 0,
    }
}

/// The sharing of the members `held` before any claim is decided, and
/// every member counted by the periods it starts and stops being in force.
fn sharers(members: &Members, membership: &Membership, days: &PeriodOfDay, held: Held) -> Sharers {
    let n = members.len();
    let m: Vec<Sharer> = (0..held.len())
        .into_par_iter()
        .map(|k| sharer(members, membership, days, held.member(k)))
        .collect();
    let np = days.len();
    let diff = match held {
        Held::Every(_) => m.iter().fold(vec![0i64; np + 1], |mut diff, s| {
            in_force_from_to(&mut diff, s.lo as usize, s.hi as usize);
            diff
        }),
        // The members not held are counted too.
        Held::Only(_) => (0..n)
            .into_par_iter()
            .with_min_len(1 << 12)
            .fold(
                || vec![0i64; np + 1],
                |mut diff, i| {
                    let (lo, hi) = membership.sharing_periods(members, days, i);
                    in_force_from_to(&mut diff, lo, hi);
                    diff
                },
            )
            .reduce(|| vec![0i64; np + 1], add),
    };
    Sharers {
        m,
        held,
        totals: Totals::default(),
        diff,
        queue: Queue::default(),
        fresh: Vec::new(),
        resume_next: Vec::new(),
        waiting_for_top_up: vec![false; n],
        expiring: vec![Vec::new(); np + 1],
        paused: 0,
    }
}

/// Counts a member in force from period `lo` up to `hi` (not at all where
/// the range is empty) in `diff`, by the periods it starts and stops.
fn in_force_from_to(diff: &mut [i64], lo: usize, hi: usize) {
    if lo < hi {
        diff[lo] += 1;
        diff[hi] -= 1;
    }
}

/// `a` with `b` added, entry by entry.
fn add(mut a: Vec<i64>, b: Vec<i64>) -> Vec<i64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

/// Members by a period number each gives (members whose range is empty left out).
fn by_period(np: usize, items: impl Iterator<Item = (u32, usize)>, sh: &Sharers) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); np];
    for (p, i) in items {
        if (p as usize) < np && sh.at(i).lo < sh.at(i).hi {
            out[p as usize].push(i as u32);
        }
    }
    out
}

/// The members with a top-up in each period (closing day after the
/// previous one through its own), each once.
fn top_ups_by_period(
    members: impl ParallelIterator<Item = usize>,
    payments: &Payments,
    periods: &[Period],
) -> Vec<Vec<u32>> {
    let firsts: Vec<Vec<u32>> = members
        .fold(Vec::new, |mut acc: Vec<u32>, i| {
            let mut last = usize::MAX;
            for &TopUp { day: d, .. } in payments.top_ups(i) {
                let p = periods.partition_point(|q| q.end < d);
                if p < periods.len() && p != last {
                    acc.push(p as u32);
                    acc.push(i as u32);
                    last = p;
                }
            }
            acc
        })
        .collect();
    let mut out = vec![Vec::new(); periods.len()];
    for part in firsts {
        for pair in part.chunks_exact(2) {
            out[pair[0] as usize].push(pair[1]);
        }
    }
    out
}

/// Decides the claims filed on or before `day` (`p`: the period being
/// taken); memberships they end stop sharing, refunds are credited.
fn decide(
    run: &mut Run,
    decider: &mut Decider,
    sh: &mut Sharers,
    periods: &[Period],
    p: usize,
    day: NaiveDate,
    closing: Option<NaiveDate>,
) -> std::ops::Range<usize> {
    let batch = {
        let (r, s) = (&*run, &*sh);
        let mut cover =
            |m: u32, d: NaiveDate| r.cover(m as usize, s.facts(m as usize, p), d, closing);
        decider.decide_through(day, &mut cover)
    };
    for &(m, end, _) in &decider.ends()[run.ends_seen..] {
        let i = m as usize;
        let stop = sh.at(i).stop.min(end);
        let hi = periods.partition_point(|q| q.end < stop) as u32;
        sh.stop_at(i, stop, hi.max(sh.at(i).lo).min(sh.at(i).hi));
        sh.at_mut(i).stop = stop;
    }
    run.ends_seen = decider.ends().len();
    for d in &decider.decisions()[batch.clone()] {
        if d.facts.refund
            && let Some(m) = d.facts.member
        {
            let charged = sh.charged(m as usize, p);
            run.account_mut(m as usize).refund_on(d.filed_on, charged);
        }
    }
    batch
}

/// Takes the top-ups (and fees) of period `p` of the members who paid in
/// it; a paused member whose balance reaches the minimum shares again.
fn take_top_ups(
    run: &mut Run,
    sh: &mut Sharers,
    members: &[u32],
    p: usize,
    e: NaiveDate,
    minimum: Option<i64>,
) {
    let paused: Vec<u32> = members
        .iter()
        .copied()
        .filter(|&i| sh.waiting_for_top_up[i as usize])
        .collect();
    // (no longer counted as paused, the key to queue, covered from the next
    // period, still paused)
    let done = update_marked(run, sh, &paused, p, |a, s, at| {
        a.advance(at.rules, &at.holder, e, e);
        if a.paused() {
            return (false, None, false, true);
        }
        if a.resume_on > e {
            // A top-up on the closing day: paused on it, covered from the next.
            return (false, None, true, false);
        }
        let uncounted = std::mem::replace(&mut s.counted, false);
        if (p as u32) < s.hi && s.stint == NONE {
            s.stint = p as u32;
        }
        (uncounted, at.set_key(s, a.base, minimum), false, false)
    });
    for (i, (uncounted, key, next, still)) in done {
        sh.waiting_for_top_up[i as usize] = still;
        sh.paused -= i64::from(uncounted);
        if let Some(k) = key {
            sh.fresh.push((k, i));
        }
        if next {
            sh.resume_next.push(i);
        }
    }
}

/// What the update of one member in `update_marked` reads besides its
/// account and its sharing.
struct Marked<'a> {
    totals: &'a Totals,
    rules: &'a AccountRules<'a>,
    /// The member's facts as its account reads them.
    holder: super::account::Holder<'a>,
    member: usize,
    /// The period being taken.
    p: usize,
}

impl Marked<'_> {
    /// Sets the member's key from its account's `base`; the key to queue.
    fn set_key(&self, s: &mut Sharer, base: i64, minimum: Option<i64>) -> Option<i64> {
        self.totals.set_key(s, self.member, self.p, base, minimum)
    }

    /// What the member has been charged before the period.
    fn charged(&self, s: &Sharer) -> i64 {
        self.totals.charged(s, self.member, self.p)
    }
}

/// Applies `update` to the accounts and sharing of `members` on all
/// cores: (member, its result), in member order. The accounts and the
/// sharing are cut into disjoint stretches, one per stretch of the sorted members.
fn update_marked<T: Send>(
    run: &mut Run,
    sh: &mut Sharers,
    members: &[u32],
    p: usize,
    update: impl Fn(&mut super::account::Account, &mut Sharer, &Marked) -> T + Sync,
) -> Vec<(u32, T)> {
    let mut sorted = members.to_vec();
    if !sorted.is_sorted() {
        sorted.par_sort_unstable();
    }
    sorted.dedup();
    let Run {
        rules,
        payments,
        accounts,
        ..
    } = run;
    let (rules, payments, totals, held) = (&*rules, &*payments, &sh.totals, &sh.held);
    let chunk = sorted.len().div_ceil(256).max(1);
    let mut jobs = Vec::new();
    let mut rest: (&mut [super::account::Account], &mut [Sharer]) = (accounts, &mut sh.m);
    let mut offset = 0usize;
    for part in sorted.chunks(chunk) {
        let end = held.slots_before(part[part.len() - 1] as usize + 1);
        let (accounts, sharers) = std::mem::take(&mut rest);
        let (a_head, a_tail) = accounts.split_at_mut(end - offset);
        let (s_head, s_tail) = sharers.split_at_mut(end - offset);
        jobs.push((part, a_head, s_head, offset));
        rest = (a_tail, s_tail);
        offset = end;
    }
    let jobs: Vec<Vec<(u32, T)>> = jobs
        .into_par_iter()
        .map(|(part, a_head, s_head, offset)| {
            let mut out = Vec::with_capacity(part.len());
            for batch in part.chunks(16) {
                // Load what the batch reads, all at once: the loads do not
                // wait for each other, so their cache misses overlap.
                let mut touched = 0i64;
                for &i in batch {
                    let k = held.slot(i as usize) - offset;
                    let first = payments.top_ups(i as usize).first();
                    touched ^= a_head[k].base ^ s_head[k].key ^ first.map_or(0, |t| t.fen);
                }
                std::hint::black_box(touched);
                for &i in batch {
                    let k = held.slot(i as usize) - offset;
                    let s = &mut s_head[k];
                    let member = i as usize;
                    let holder = super::account::Holder {
                        join: s.join,
                        stop: s.stop,
                        charged: totals.charged(s, member, p),
                        top_ups: payments.top_ups(member),
                    };
                    let at = Marked {
                        totals,
                        rules,
                        holder,
                        member,
                        p,
                    };
                    out.push((i, update(&mut a_head[k], s, &at)));
                }
            }
            out
        })
        .collect();
    jobs.into_iter().flatten().collect()
}

/// Pauses, on the closing day `e` of period `p`, every sharing member whose
/// balance before the period's charge is below the minimum.
fn pause(run: &mut Run, sh: &mut Sharers, p: usize, e: NaiveDate) {
    let popped = sh.queue.below(sh.totals.upper[p]);

    let due: Vec<u32> = popped
        .into_par_iter()
        .filter(|&(key, i)| {
            let i = i as usize;
            sh.at(i).stint != NONE
                && sh.at(i).key == key
                && sh.at(i).lo <= p as u32
                && (p as u32) < sh.at(i).hi
        })
        .map(|(_, i)| i)
        .collect();
    let c = sh.totals.upper[p];
    let minimum = minimum_on(run.plan, e);
    // A member's key counts the top-ups taken so far: take the rest, and
    // pause the member only if the balance is still below the minimum.
    let done = update_marked(run, sh, &due, p, |a, s, at| {
        a.advance(at.rules, &at.holder, e, e);
        match at.set_key(s, a.base, minimum) {
            Some(key) if key >= c => Err(key),
            _ => {
                a.check_on_closing_day(at.rules, &at.holder, e);
                s.before = at.charged(s);
                s.stint = NONE;
                s.counted = true;
                Ok(s.hi)
            }
        }
    });
    for (i, result) in done {
        match result {
            Ok(hi) => {
                sh.paused += 1;
                sh.waiting_for_top_up[i as usize] = true;
                sh.expiring[hi as usize].push(i);
            }
            Err(key) => sh.fresh.push((key, i)),
        }
    }
}

/// Every member's charges, with its account taken to `until`.
fn finish(run: &mut Run, sh: &Sharers, np: usize, until: NaiveDate) -> Vec<i64> {
    // `charged` caps the stint at the period the membership stops.
    let after = until
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    let charged: Vec<i64> = (0..sh.m.len())
        .into_par_iter()
        .map(|i| sh.charged(i, np))
        .collect();
    let Run {
        rules,
        payments,
        accounts,
        explaining,
        ..
    } = run;
    let (rules, explaining) = (&*rules, *explaining);
    accounts.par_iter_mut().enumerate().for_each(|(i, a)| {
        if !a.taken_to_until(explaining) {
            return;
        }
        let top_ups = payments.top_ups(i);
        let h = super::account::Holder {
            join: sh.at(i).join,
            stop: sh.at(i).stop,
            charged: charged[i],
            top_ups,
        };
        a.advance(rules, &h, until, after);
    });
    charged
}
