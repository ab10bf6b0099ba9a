//! A run of a plan with prepaid accounts (an `account` section).
//!
//! Whether a member is covered on a day depends on its balance, which
//! depends on what it was charged, which depends on the claims approved
//! before: so claims and periods are taken in turn. For each period, in
//! order: the claims filed in it are decided (a claim diagnosed while the
//! member is paused is denied `paused`); every account takes its top-ups
//! and fees up to the closing day, and a member whose balance is then
//! below the minimum is paused; the period is shared among the members
//! active and not paused. The claims filed after the last closing day are
//! decided last, and the accounts brought to `--until`.

use super::EngineError;
use super::RunOptions;
use super::account::{Account, AccountLog, AccountRules, Holder};
use super::claims::{Cover, Decider, Decision};
use super::each::{EachLoop, MemberState};
use super::held::Held;
use super::membership::Membership;
use super::sharing::{Input, Shared, amounts_by_period, cases_by_period};
use crate::input::{Members, Payments};
use crate::period::Period;
use crate::plan::Plan;
use chrono::{Days, NaiveDate};
use rayon::prelude::*;

/// What the accounts hold at `--until`, for the ledger.
#[derive(Debug, Default)]
pub struct Accounts {
    /// Top-ups dated on or before `--until`, by member (fen).
    pub topped_up: Vec<i64>,
    /// Account fees taken, by member (fen; empty: none).
    pub fees: Vec<i64>,
    /// Paused on `--until`, by member (empty: nobody).
    pub paused: Vec<bool>,
    /// The pauses of claimants, and every event of the member explained.
    pub logs: rustc_hash::FxHashMap<u32, AccountLog>,
    /// Each balance as the accounts kept it, event by event (fen; empty
    /// without accounts): checked against the identity.
    pub kept_balance: Vec<i64>,
}

impl Accounts {
    /// Columns of `n` members, all zero and not paused, to be written.
    pub(super) fn zeroed(n: usize) -> Accounts {
        Accounts {
            topped_up: vec![0; n],
            fees: vec![0; n],
            paused: vec![false; n],
            logs: Default::default(),
            kept_balance: vec![0; n],
        }
    }

    /// The top-ups of a plan without accounts: added to the balance, nothing more.
    pub fn topped_up_only(members: &Members, payments: &Payments, until: NaiveDate) -> Accounts {
        if payments.is_empty() {
            return Accounts::default();
        }
        let topped_up = (0..members.len())
            .into_par_iter()
            .map(|i| {
                let top_ups = payments.top_ups(i);
                let n = top_ups.partition_point(|t| t.day <= until);
                top_ups[..n].iter().map(|t| t.fen).sum()
            })
            .collect();
        Accounts {
            topped_up,
            ..Accounts::default()
        }
    }
}

/// Whether the plan, in any version, has an `account` section.
pub fn has_accounts(plan: &Plan) -> bool {
    plan.account.is_some() || plan.eras.iter().any(|e| e.plan.account.is_some())
}

/// The accounts, and what the loop over periods has taken so far.
pub(super) struct Run<'a> {
    pub(super) plan: &'a Plan,
    pub(super) rules: AccountRules<'a>,
    pub(super) payments: &'a Payments,
    /// The accounts of the members held, side by side (`account(i)`: member i's).
    pub(super) accounts: Vec<Account>,
    pub(super) held: Held,
    /// The members whose accounts keep a log (the claimants, whose refunds
    /// and pauses are kept, and the member explained), in order.
    logged: Vec<u32>,
    /// The last closing day taken (`MIN` before the first).
    pub(super) last_closing: NaiveDate,
    /// Ends already applied to the members' states.
    pub(super) ends_seen: usize,
    /// Only the accounts whose log is kept are closed (`RunOptions::explaining`).
    pub(super) explaining: bool,
}

/// Decides, shares and keeps the accounts; returns the decisions, what was
/// shared, the accounts and the memberships as the decisions ended them.
pub(super) fn run(
    plan: &Plan,
    members: &Members,
    membership: &mut Membership,
    payments: &Payments,
    claims: &crate::input::Claims,
    options: RunOptions,
    period_done: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Vec<Decision>, Shared, Accounts), EngineError> {
    let periods: Vec<Period> = super::periods(plan, options.until);
    let mut decider = Decider::new(plan, members, membership, claims, options.until);
    let every = Held::Every(members.len());
    let mut run = Run::open(
        plan, members, membership, payments, &decider, options, every,
    );
    let input = Input {
        plan,
        members,
        membership,
        periods: &periods,
        cases: &[],
        amounts: &[],
        options,
        period_done,
    };
    let mut each = EachLoop::new(input);
    {
        for (p, period) in periods.iter().enumerate() {
            let e = period.end;
            let batch = run.decide(&mut decider, &mut each.state, e, Some(e));
            run.closing_day(&mut each.state, e);
            let decided = &decider.decisions()[batch];
            let (cases, payouts) = cases_by_period(std::slice::from_ref(period), decided)?[0];
            let amounts = amounts_by_period(plan, std::slice::from_ref(period), decided);
            let amounts = amounts.first().map_or(&[][..], Vec::as_slice);
            each.period(p, cases, payouts, amounts)?;
            run.last_closing = e;
        }
    }
    run.decide(&mut decider, &mut each.state, options.until, None);
    let until = options.until;
    let after = until
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    let explaining = run.explaining;
    run.each_account(&mut each.state, |a, _, rules, h| {
        if a.taken_to_until(explaining) {
            a.advance(rules, h, until, after)
        }
    });
    let charged: Vec<i64> = each.state.par_iter().map(|s| s.charged).collect();
    let accounts = run.close(&charged, until, None);
    let shared = each.finish()?;
    let decisions = decider.finish(membership);
    Ok((decisions, shared, accounts))
}

/// Every member's account as it opens: the prepayment (nothing for the
/// ineligible, or for a member joining after `--until`).
fn open_accounts(
    members: &Members,
    membership: &Membership,
    watched: &[bool],
    options: RunOptions,
    held: &Held,
) -> Vec<Account> {
    (0..held.len())
        .into_par_iter()
        .map(|k| {
            let i = held.member(k);
            let prepaid = opening_balance(members, membership, i, options.until);
            let explained = options.track == Some(i as u32);
            Account::new(prepaid, watched[i], explained)
        })
        .collect()
}

/// What member `i`'s account holds as it opens: the prepayment (nothing
/// for the ineligible, or for a member joining after `until`), fen.
pub(super) fn opening_balance(
    members: &Members,
    membership: &Membership,
    i: usize,
    until: NaiveDate,
) -> i64 {
    if members.join[i] > until {
        0
    } else {
        membership.prepaid(members, i).0
    }
}

impl<'a> Run<'a> {
    /// The accounts of the members `held` as they open; the claimants'
    /// pauses are kept.
    pub(super) fn open(
        plan: &'a Plan,
        members: &Members,
        membership: &Membership,
        payments: &'a Payments,
        decider: &Decider,
        options: RunOptions,
        held: Held,
    ) -> Run<'a> {
        let mut watched = vec![false; members.len()];
        for m in decider.claimants() {
            watched[m as usize] = true;
        }
        let mut logged: Vec<u32> = decider.claimants().chain(options.track).collect();
        logged.retain(|&m| (m as usize) < members.len());
        logged.sort_unstable();
        logged.dedup();
        Run {
            plan,
            rules: AccountRules::new(plan),
            payments,
            accounts: open_accounts(members, membership, &watched, options, &held),
            held,
            logged,
            last_closing: NaiveDate::MIN,
            ends_seen: 0,
            explaining: options.explaining,
        }
    }

    /// Member `i`'s account (a member held).
    pub(super) fn account(&self, i: usize) -> &Account {
        &self.accounts[self.held.slot(i)]
    }

    pub(super) fn account_mut(&mut self, i: usize) -> &mut Account {
        &mut self.accounts[self.held.slot(i)]
    }

    /// Member `i`'s facts as its account reads them.
    pub(super) fn holder(
        &self,
        i: usize,
        (join, stop, charged): (NaiveDate, NaiveDate, i64),
    ) -> Holder<'a> {
        let top_ups = self.payments.top_ups(i);
        Holder {
            join,
            stop,
            charged,
            top_ups,
        }
    }

    /// Decides the claims filed on or before `day`; `closing`: the closing
    /// day of the period being taken (none after the last). Memberships the
    /// decisions end stop sharing; refunds are credited on the filing day.
    fn decide(
        &mut self,
        decider: &mut Decider,
        state: &mut [MemberState],
        day: NaiveDate,
        closing: Option<NaiveDate>,
    ) -> std::ops::Range<usize> {
        let batch = {
            let this = &*self;
            let state = &*state;
            let mut cover = |m: u32, d: NaiveDate| {
                let s = &state[m as usize];
                this.cover(m as usize, (s.join, s.stop, s.charged), d, closing)
            };
            decider.decide_through(day, &mut cover)
        };
        for &(m, end, _) in &decider.ends()[self.ends_seen..] {
            let s = &mut state[m as usize];
            s.stop = s.stop.min(end);
        }
        self.ends_seen = decider.ends().len();
        for d in &decider.decisions()[batch.clone()] {
            if d.facts.refund
                && let Some(m) = d.facts.member
            {
                let charged = state[m as usize].charged;
                self.account_mut(m as usize).refund_on(d.filed_on, charged);
            }
        }
        batch
    }

    /// Whether member `i` was covered on `d`: from its pauses for a day
    /// already passed, else from its account taken forward to `d`.
    pub(super) fn cover(
        &self,
        i: usize,
        facts: (NaiveDate, NaiveDate, i64),
        d: NaiveDate,
        closing: Option<NaiveDate>,
    ) -> Cover {
        let account = self.account(i);
        let new_waiting = |plan: &Plan, day: NaiveDate| {
            plan.at(day)
                .account
                .as_ref()
                .is_some_and(|a| a.resume_with_waiting())
        };
        let (paused, resumed) = if d <= self.last_closing {
            account.paused_on(d)
        } else {
            let h = self.holder(i, facts);
            let mut a = account.clone();
            let before = d.pred_opt().unwrap_or(d);
            a.advance(&self.rules, &h, before, d);
            if closing == Some(d) {
                a.advance(&self.rules, &h, d, d);
                a.check_on_closing_day(&self.rules, &h, d);
            }
            (a.paused_on_day(d).then_some(a.pause_from), a.resumed())
        };
        Cover {
            paused_since: paused,
            waiting_from: resumed.filter(|&r| new_waiting(self.plan, r)),
        }
    }

    /// Applies `f` to every member's account and sharing state, on all
    /// cores (every member held).
    fn each_account(
        &mut self,
        state: &mut [MemberState],
        f: impl Fn(&mut Account, &mut MemberState, &AccountRules, &Holder) + Sync,
    ) {
        let Run {
            rules,
            payments,
            accounts,
            ..
        } = self;
        let rules = &*rules;
        accounts
            .par_iter_mut()
            .zip(state.par_iter_mut())
            .enumerate()
            .for_each(|(i, (a, s))| {
                let top_ups = payments.top_ups(i);
                let h = Holder {
                    join: s.join,
                    stop: s.stop,
                    charged: s.charged,
                    top_ups,
                };
                f(a, s, rules, &h);
            });
    }

    /// Takes every account to the closing day `e` and pauses the members
    /// below the minimum.
    fn closing_day(&mut self, state: &mut [MemberState], e: NaiveDate) {
        self.each_account(state, |a, s, rules, h| {
            a.advance(rules, h, e, e);
            a.check_on_closing_day(rules, h, e);
            s.paused = a.paused_on_day(e);
        });
    }

    /// The logs kept, by member.
    fn logs(mut self) -> rustc_hash::FxHashMap<u32, AccountLog> {
        let (accounts, held) = (&mut self.accounts, &self.held);
        (self.logged.iter())
            .filter_map(|&i| Some((i, *accounts[held.slot(i as usize)].log.take()?)))
            .collect()
    }

    /// What the accounts hold at `until` (where explaining, the logs
    /// only): the held accounts' columns, written over `others`, the
    /// columns of the members not held (`None` where every member is held).
    pub(super) fn close(
        self,
        charged: &[i64],
        until: NaiveDate,
        others: Option<Accounts>,
    ) -> Accounts {
        if self.explaining {
            return Accounts {
                logs: self.logs(),
                ..Accounts::default()
            };
        }
        let mut columns = match others {
            Some(mut columns) => {
                for (k, a) in self.accounts.iter().enumerate() {
                    let i = self.held.member(k);
                    let c = &mut columns;
                    (c.kept_balance[i], c.topped_up[i], c.fees[i], c.paused[i]) =
                        a.columns_at(charged[i], until);
                }
                columns
            }
            None => self.columns(charged, until),
        };
        if !columns.fees.par_iter().any(|&f| f != 0) {
            columns.fees = Vec::new();
        }
        columns.logs = self.logs();
        columns
    }

    /// The four columns, every member's account read once, on all cores.
    fn columns(&self, charged: &[i64], until: NaiveDate) -> Accounts {
        let n = self.accounts.len();
        let (mut kept_balance, mut topped_up, mut fees) = (vec![0; n], vec![0; n], vec![0; n]);
        let mut paused = vec![false; n];
        (self.accounts.par_iter().zip(charged))
            .zip(kept_balance.par_iter_mut().zip(&mut topped_up))
            .zip(fees.par_iter_mut().zip(&mut paused))
            .with_min_len(1 << 12)
            .for_each(|(((a, &c), (kept, top)), (fee, pause))| {
                (*kept, *top, *fee, *pause) = a.columns_at(c, until);
            });
        Accounts {
            kept_balance,
            topped_up,
            fees,
            paused,
            logs: Default::default(),
        }
    }
}
