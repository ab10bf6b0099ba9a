//! The members without claims, each taken through the whole year in one
//! pass, where every sharing member pays the same.
//!
//! A member without claims depends on the others only through the charge
//! of each period, the same for every sharing member. So once the charges
//! are known, each such member's account, pauses and charges follow from
//! its own top-ups alone, and the period loop needs to take only the
//! claimants (whose pauses decide their claims) and the member explained.
//!
//! The charges are not known before the loop, so they are found in
//! passes. The first loop counts the members outside it as sharing
//! whenever their membership is in force; each member outside is then
//! taken through the year with the charges that loop gave, which counts
//! who shares in each period; the loop runs again with those counts. When
//! a loop gives the charges the members outside were taken with, the two
//! agree, period after period, with taking every member in turn, and the
//! run is that. (The charges up to a period p depend only on who shares up
//! to p, which depends only on the charges before p: so each pass gets at
//! least one more period right, and the passes end.)
//!
//! With a distributed remainder, the first members sharing in a period, in
//! member order, pay one fen more: the loop places that fen (`W`, see
//! `totals.rs`) among the members outside it from where the last pass
//! found them sharing. Before any pass it guesses the place, as if those
//! who share were spread evenly. When a loop gives the same charges as
//! the last pass, with fen in the same periods, only the members between
//! the old and the new place of some period's fen pay differently: the
//! next pass takes only their blocks of neighbours again.
//!
//! The run holds the accounts and sharing of the members in the loop only.
//! A member outside it is taken from its account's opening in each pass,
//! and what its account holds at the end is written straight into the
//! accounts' columns: no state is kept for it between passes.

use super::{Ctx, Done, Fen, Lists, Loop, Sharer, Sharers, add, in_force_from_to};
use super::{block_fen::BlockFen, sharer, sharers, totals::Totals, wrap_up};
use crate::engine::EngineError;
use crate::engine::account::{Account, AccountRules, Holder};
use crate::engine::accounts::{Accounts, Run, opening_balance};
use crate::engine::claims::Decider;
use crate::engine::held::Held;
use crate::engine::membership::Membership;
use crate::engine::period_of_day::PeriodOfDay;
use crate::engine::sharing::PeriodFigures;
use crate::engine::tracked_account::Tracked;
use crate::input::{Members, Payments};
use chrono::{Days, NaiveDate};
use places::Places;
use rayon::prelude::*;
use std::cell::RefCell;

mod member;
mod places;

/// The run, with only the claimants and the member explained in the period
/// loop; `None` where the charges did not agree within the passes allowed
/// (or a pass failed), so that every member must be taken in turn.
pub(super) fn run(c: &Ctx, membership: &mut Membership) -> Result<Option<Done>, EngineError> {
    let np = c.periods.len();
    let first = Decider::new(c.plan, c.members, membership, c.claims, c.options.until);
    let in_loop = members_in_loop(&first, c);
    let held = Held::Only(in_loop.clone());
    let run = Run::open(
        c.plan,
        c.members,
        membership,
        c.payments,
        &first,
        c.options,
        held.clone(),
    );
    let sh = sharers(c.members, membership, c.days, held);
    let lists = Lists::of(c, &sh, Some(&in_loop));
    let mut inside = vec![false; c.members.len()];
    for &i in &in_loop {
        inside[i as usize] = true;
    }
    // The members held are those in the loop, in order: their states as
    // they opened are the held vectors as they are now.
    let saved = (run.accounts.clone(), sh.m.clone());
    let diff = in_force(&sh, in_loop.iter().map(|&i| i as usize), np);
    let mut in_force_outside: Vec<i64> = sh.diff.iter().zip(&diff).map(|(a, b)| a - b).collect();
    running_sum(&mut in_force_outside);
    in_force_outside.truncate(np);
    let fresh = Fresh {
        spare: RefCell::new(Some(first)),
        in_loop: &in_loop,
        inside: &inside,
        saved: &saved,
        diff: &diff,
        lists: &lists,
    };
    fresh.until_agreed(c, membership, run, sh, in_force_outside)
}

/// What a pass of the period loop gives: the periods, the claims decided
/// and the member explained.
type Passed<'a> = (Vec<PeriodFigures>, Decider<'a>, Option<Tracked>);

/// The members in the loop as they opened, for each pass.
struct Fresh<'s, 'p> {
    /// A decider whose pass was not kept, to decide the next pass's claims
    /// (a new one writes tables as long as the members).
    spare: RefCell<Option<Decider<'p>>>,
    in_loop: &'s [u32],
    /// By member: whether it is in the loop.
    inside: &'s [bool],
    saved: &'s (Vec<Account>, Vec<Sharer>),
    diff: &'s [i64],
    lists: &'s Lists,
}

impl<'p> Fresh<'_, 'p> {
    /// Passes until a loop gives the charges that the members outside it
    /// were taken with; `in_force_outside[p]`: the members outside the
    /// loop in force in period p.
    fn until_agreed(
        &self,
        c: &Ctx<'p>,
        membership: &mut Membership,
        mut run: Run<'p>,
        mut sh: Sharers,
        in_force_outside: Vec<i64>,
    ) -> Result<Option<Done>, EngineError> {
        let np = c.periods.len();
        let mut charged = vec![0i64; c.members.len()];
        let mut columns = None;
        let (mut others, mut passed) =
            self.first_guess(c, membership, &mut run, &mut sh, in_force_outside);
        // The charges the members outside the loop were last taken with,
        // and where they then shared.
        let mut previous: Option<(Totals, Places)> = None;
        for n in 0..=c.options.passes.min(np + 2) {
            let Some((out, mut decider, mut tracked)) = passed.take().or_else(|| {
                self.pass(c, membership, &mut run, &mut sh, &others, previous.as_ref())
            }) else {
                return Ok(None);
            };
            if previous.as_ref().is_some_and(|(t, _)| *t == sh.totals) {
                Loop {
                    run: &mut run,
                    sh: &mut sh,
                    decider: &mut decider,
                    tracked: &mut tracked,
                }
                .last_claims(c);
                finish_in_loop(
                    &mut run,
                    &sh,
                    self.in_loop,
                    np,
                    c.options.until,
                    &mut charged,
                );
                let state = (run, decider, tracked);
                return wrap_up(c, membership, state, out, charged, columns).map(Some);
            }
            self.spare.replace(Some(decider));
            if n == c.options.passes {
                break;
            }
            let at = (c, &*membership, &run, &sh);
            let places = self.take_all(at, &mut charged, &mut columns, previous.take());
            others.clone_from(&places.all);
            previous = Some((sh.totals.clone(), places));
        }
        Ok(None)
    }

    /// A first guess of how many members outside the loop share in each
    /// period, from a sample of them taken with the charges of a loop,
    /// until the loop's charges stop changing (at most `SAMPLE_ROUNDS`);
    /// with the last loop, where it was run with the guess returned.
    fn first_guess(
        &self,
        c: &Ctx<'p>,
        membership: &Membership,
        run: &mut Run<'p>,
        sh: &mut Sharers,
        in_force_outside: Vec<i64>,
    ) -> (Vec<i64>, Option<Passed<'p>>) {
        let mut others = in_force_outside.clone();
        let mut previous: Option<Totals> = None;
        for _ in 0..SAMPLE_ROUNDS.min(c.options.passes) {
            let Some(passed) = self.pass(c, membership, run, sh, &others, None) else {
                break;
            };
            if previous.as_ref() == Some(&sh.totals) {
                return (others, Some(passed));
            }
            self.spare.replace(Some(passed.1));
            let outside = outside(c, &run.rules, membership, &sh.totals);
            let (count, sample_in_force) = outside.take_sample(self.inside, SAMPLE);
            others = estimate(&in_force_outside, &count, &sample_in_force);
            previous = Some(sh.totals.clone());
        }
        (others, None)
    }

    /// Every member outside the loop taken through the year with the
    /// charges of the last pass: where they share. Their
    /// charges are written in `charged` and, unless explaining, what their
    /// accounts hold in `columns`.
    ///
    /// Where the pass before was taken with the same charges and fen in
    /// the same periods (`before`), only the members whose fen moved pay
    /// differently: only their blocks are taken again.
    fn take_all(
        &self,
        (c, membership, run, sh): (&Ctx, &Membership, &Run, &Sharers),
        charged: &mut [i64],
        columns: &mut Option<Accounts>,
        before: Option<(Totals, Places)>,
    ) -> Places {
        if !c.options.explaining && columns.is_none() {
            *columns = Some(Accounts::zeroed(c.members.len()));
        }
        let outside = outside(c, &run.rules, membership, &sh.totals);
        let n = c.members.len();
        match before {
            Some((t, mut places)) if t.same_but_for_fen(&sh.totals) => {
                let which = places.blocks_of(t.moved(&sh.totals), n);
                let at = (places.block, Some(&which[..]));
                places.update(outside.take_all(self.inside, charged, columns.as_mut(), at));
                places
            }
            _ => {
                let block = Places::block(n, c.periods.len());
                let taken = outside.take_all(self.inside, charged, columns.as_mut(), (block, None));
                let counts = taken.into_iter().map(|(_, count)| count).collect();
                Places::new(block, counts, c.periods.len())
            }
        }
    }

    /// The period loop from the start, with `others[p]` members outside
    /// it sharing in period p, placed as when they were taken with the
    /// charges `outside` gives (`None`: not yet taken, so that the fen of
    /// a distributed remainder go to no one): the periods, the claims
    /// decided and the member explained, or `None` where the loop failed.
    fn pass(
        &self,
        c: &Ctx<'p>,
        membership: &Membership,
        run: &mut Run<'p>,
        sh: &mut Sharers,
        others: &[i64],
        outside_at: Option<&(Totals, Places)>,
    ) -> Option<Passed<'p>> {
        let rules = AccountRules::new(c.plan);
        let taken = outside_at.map(|(t, places)| (places, outside(c, &rules, membership, t)));
        let place = |sh: &Sharers, f: Fen| match &taken {
            Some((places, o)) => places.one_more_below(sh, o, self.inside, f.p, f.left),
            None => guessed_place(f, self.inside.len()),
        };
        reset(run, sh, self.saved, self.diff);
        let mut decider = match self.spare.take() {
            Some(mut spare) => {
                spare.restart();
                spare
            }
            None => Decider::new(c.plan, c.members, membership, c.claims, c.options.until),
        };
        let mut tracked = Tracked::open(c.members, c.options.track, &|i| run.account(i), |i| {
            sh.at(i).stop
        });
        let mut state = Loop {
            run,
            sh,
            decider: &mut decider,
            tracked: &mut tracked,
        };
        let out = state.periods(c, self.lists, (others, &place)).ok()?;
        Some((out, decider, tracked))
    }
}

/// `W` before the members outside the loop are placed, as if those who
/// share were spread evenly over the `n` members: near enough that, once
/// they are placed, few members are between the guess and the true `W`
/// (only those need be taken again), and 0 only where no fen are left.
fn guessed_place(f: Fen, n: usize) -> u32 {
    if f.left <= 0 {
        return 0;
    }
    let sharing = i128::from(f.sharing.max(f.left));
    let at = (i128::from(f.left) * n as i128 + sharing - 1) / sharing;
    at.clamp(1, i128::from(u32::MAX)) as u32
}

/// One member in `SAMPLE` outside the loop makes the first guess.
const SAMPLE: usize = 16;
/// At most this many rounds of the loop and the sample.
const SAMPLE_ROUNDS: usize = 4;

/// Members outside the loop sharing in each period, estimated from a
/// sample: those in force, in the proportion of the sample's in force who share.
fn estimate(in_force: &[i64], sample: &[i64], sample_in_force: &[i64]) -> Vec<i64> {
    in_force
        .iter()
        .zip(sample.iter().zip(sample_in_force))
        .map(|(&all, (&shares, &of))| {
            if of == 0 {
                return all;
            }
            let (all, shares, of) = (i128::from(all), i128::from(shares), i128::from(of));
            ((all * shares * 2 + of) / (of * 2)) as i64
        })
        .collect()
}

/// How members outside the loop are taken through the year, with the charges added up in `totals`.
fn outside<'a>(
    c: &'a Ctx,
    rules: &'a AccountRules<'a>,
    membership: &'a Membership,
    totals: &'a Totals,
) -> Outside<'a> {
    Outside {
        rules,
        days: c.days,
        payments: c.payments,
        members: c.members,
        membership,
        totals,
        minimum: c.minimum,
        until: c.options.until,
        after: (c.options.until.checked_add_days(Days::new(1))).unwrap_or(NaiveDate::MAX),
        explaining: c.options.explaining,
    }
}

/// The claimants and the member explained, in member order.
fn members_in_loop(decider: &Decider, c: &Ctx) -> Vec<u32> {
    let mut out: Vec<u32> = decider.claimants().chain(c.options.track).collect();
    out.retain(|&i| (i as usize) < c.members.len());
    out.sort_unstable();
    out.dedup();
    out
}

/// Members in force, by the period they start or stop being in force.
fn in_force(sh: &Sharers, members: impl Iterator<Item = usize>, np: usize) -> Vec<i64> {
    let mut diff = vec![0i64; np + 1];
    for i in members {
        let s = sh.at(i);
        in_force_from_to(&mut diff, s.lo as usize, s.hi as usize);
    }
    diff
}

fn running_sum(v: &mut [i64]) {
    let mut sum = 0;
    for x in v.iter_mut() {
        sum += *x;
        *x = sum;
    }
}

/// The members in the loop as they opened, for the next pass.
fn reset(run: &mut Run, sh: &mut Sharers, saved: &(Vec<Account>, Vec<Sharer>), diff: &[i64]) {
    run.accounts.clone_from(&saved.0);
    sh.m.copy_from_slice(&saved.1);
    for k in 0..sh.held.len() {
        let i = sh.held.member(k);
        sh.waiting_for_top_up[i] = false;
    }
    run.last_closing = NaiveDate::MIN;
    run.ends_seen = 0;
    sh.totals = Default::default();
    sh.diff = diff.to_vec();
    sh.queue = Default::default();
    sh.fresh.clear();
    sh.resume_next.clear();
    for e in &mut sh.expiring {
        e.clear();
    }
    sh.paused = 0;
}

/// Charges of the members in the loop, their accounts taken to `until`.
fn finish_in_loop(
    run: &mut Run,
    sh: &Sharers,
    in_loop: &[u32],
    np: usize,
    until: NaiveDate,
    charged: &mut [i64],
) {
    let after = until
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    for &i in in_loop {
        let i = i as usize;
        charged[i] = sh.charged(i, np);
        let a = &mut run.accounts[run.held.slot(i)];
        if !a.taken_to_until(run.explaining) {
            continue;
        }
        let top_ups = run.payments.top_ups(i);
        let h = Holder {
            join: sh.at(i).join,
            stop: sh.at(i).stop,
            charged: charged[i],
            top_ups,
        };
        a.advance(&run.rules, &h, until, after);
    }
}

/// What taking a member outside the loop through the year reads.
pub(super) struct Outside<'a> {
    rules: &'a AccountRules<'a>,
    /// The period of each day, and the closing days.
    days: &'a PeriodOfDay,
    payments: &'a Payments,
    members: &'a Members,
    membership: &'a Membership,
    /// The charges before each period, added up.
    pub(super) totals: &'a Totals,
    minimum: Option<i64>,
    until: NaiveDate,
    /// The day after `until`.
    after: NaiveDate,
    explaining: bool,
}

impl Outside<'_> {
    /// Takes every member outside the loop through the year, on all
    /// cores (only those of the blocks marked in `which`, where it is
    /// given): its charges, and in `columns` what its account holds.
    /// Returns where they share: for each block taken, its index and how
    /// its members' sharing changes by period.
    fn take_all(
        &self,
        inside: &[bool],
        charged: &mut [i64],
        columns: Option<&mut Accounts>,
        (block, which): (usize, Option<&[bool]>),
    ) -> Vec<(usize, Vec<i64>)> {
        let np = self.days.len();
        let taken = |b: &usize| which.is_none_or(|w| w[*b]);
        match columns {
            None => (charged.par_chunks_mut(block).enumerate())
                .filter(|(b, _)| taken(b))
                .map(|(b, part)| {
                    let mut count = vec![0i64; np + 1];
                    let fen = self.fen_of(b * block..b * block + part.len());
                    for (j, ch) in part.iter_mut().enumerate() {
                        let i = b * block + j;
                        if !inside[i] {
                            *ch = self.through_year(i, &fen, &mut count).0;
                        }
                    }
                    (b, count)
                })
                .collect(),
            Some(a) => (charged.par_chunks_mut(block))
                .zip(a.kept_balance.par_chunks_mut(block))
                .zip(a.topped_up.par_chunks_mut(block))
                .zip(a.fees.par_chunks_mut(block))
                .zip(a.paused.par_chunks_mut(block))
                .enumerate()
                .filter(|(b, _)| taken(b))
                .map(|(b, ((((ch, kept), top), fee), pause))| {
                    let mut count = vec![0i64; np + 1];
                    let fen = self.fen_of(b * block..b * block + ch.len());
                    for j in 0..ch.len() {
                        let i = b * block + j;
                        if !inside[i] {
                            let (c, a, _) = self.through_year(i, &fen, &mut count);
                            ch[j] = c;
                            (kept[j], top[j], fee[j], pause[j]) = a.columns_at(c, self.until);
                        }
                    }
                    (b, count)
                })
                .collect(),
        }
    }

    /// Takes one member in `step` outside the loop through the year, on
    /// all cores: how many of them share in each period, and how many are
    /// in force. The members are taken in runs of neighbours (the first
    /// run of every `step`), so that each member read brings the next ones
    /// into cache with it; the runs are short enough that there are at
    /// least a thousand of them.
    fn take_sample(&self, inside: &[bool], step: usize) -> (Vec<i64>, Vec<i64>) {
        let np = self.days.len();
        let n = self.members.len();
        let run = (n / (step * 1024)).clamp(1, 256);
        let zero = || (vec![0i64; np + 1], vec![0i64; np + 1]);
        let (mut count, mut in_force) = (0..n.div_ceil(run * step))
            .into_par_iter()
            .with_min_len((256 / run).max(1))
            .map(|k| k * run * step..(k * run * step + run).min(n))
            .fold(zero, |(mut count, mut in_force), members| {
                let fen = self.fen_of(members.clone());
                for i in members.filter(|&i| !inside[i]) {
                    let s = self.through_year(i, &fen, &mut count).2;
                    in_force_from_to(&mut in_force, s.lo as usize, s.hi as usize);
                }
                (count, in_force)
            })
            .reduce(zero, |(a, b), (c, d)| (add(a, c), add(b, d)));
        for v in [&mut count, &mut in_force] {
            running_sum(v);
            v.truncate(np);
        }
        (count, in_force)
    }

    /// Member `i` from its account's opening through the year (see
    /// `member`): what it was charged, its account, and its sharing by
    /// membership. `count` gains +1 at the first period of each stretch
    /// it shares in and −1 after its last.
    #[inline(always)]
    fn through_year(&self, i: usize, fen: &BlockFen, count: &mut [i64]) -> (i64, Account, Sharer) {
        self.stretches(i, fen, &mut |p, q| {
            count[p] += 1;
            count[q] -= 1;
        })
    }

    /// The fen of the charges taken with, counted for the members `block`.
    pub(super) fn fen_of(&self, block: std::ops::Range<usize>) -> BlockFen {
        BlockFen::new(self.totals, block)
    }

    /// Member `i` from its account's opening through the year, with
    /// `shares(p, q)` for each stretch of periods `p..q` it shares in;
    /// `fen` counts those of its block.
    #[inline(always)]
    pub(super) fn stretches(
        &self,
        i: usize,
        fen: &BlockFen,
        shares: &mut impl FnMut(usize, usize),
    ) -> (i64, Account, Sharer) {
        let s = sharer(self.members, self.membership, self.days, i);
        let opening = opening_balance(self.members, self.membership, i, self.until);
        let mut a = Account::new(opening, false, false);
        let charged = self.member((i, fen), &mut a, s, shares);
        (charged, a, s)
    }
}
