//! The engine: decide every claim and charge every member.
//!
//! `Engine::new` compiles a checked plan into flat tables; `Engine::run` turns
//! members and claims into a `Ledger`. The per-member, per-period work touches
//! only columns of dates and integers: no strings, no hash maps.

mod account;
mod accounts;
mod accounts_uniform;
mod claims;
mod classes;
mod each;
mod held;
mod ledger;
mod membership;
mod period_of_day;
mod periods;
mod sharing;
mod short_pool;
mod tracked_account;

pub use account::{AccountEvent, AccountLog, Pause};
pub use accounts::{Accounts, has_accounts};
pub use claims::{ClaimFacts, Decision, Reason, payout_amount, payout_table};
pub use ledger::{Ledger, MemberStatus};
pub use membership::{EndCause, Membership, membership_year, term_start};
pub use periods::periods;
pub use sharing::{
    CapKind, CapsBound, Charges, MemberShare, PeriodFigures, ShortPool, Strategy, annual_cap,
    member_share,
};

use crate::input::{Claims, Members, Payments};
use crate::money::Money;
use crate::plan::Plan;
use chrono::NaiveDate;

/// A run of the engine failed in a way that is not the input's fault.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("internal error: money does not add up in the period {start} to {end}: {detail}")]
    Identity {
        start: NaiveDate,
        end: NaiveDate,
        detail: String,
    },
    #[error("amounts too large to compute exactly in the period {start} to {end}")]
    Overflow { start: NaiveDate, end: NaiveDate },
    #[error(
        "the run covers {periods} sharing periods; at most 65535 can be computed at once (move --until or the launch date)"
    )]
    TooManyPeriods { periods: usize },
    #[error("the payouts of member {member} add up to more than can be counted")]
    PaidOut { member: String },
    #[error(
        "the run's {what} add up to more than can be computed exactly (over 92 quadrillion CNY); run fewer periods or check the payouts"
    )]
    RunTotal { what: &'static str },
    #[error(
        "internal error: the balance of member {member} does not add up: kept {kept}, but prepaid + topped up − charged − fees + refunded = {identity}"
    )]
    Balance {
        member: String,
        kept: Money,
        identity: Money,
    },
}

/// Options of a run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    pub until: NaiveDate,
    /// Keep every non-zero charge (for `charges.csv` and explanations).
    pub keep_charges: bool,
    /// Compute every member's share separately even where all members pay the
    /// same. Slower; the figures are identical (used to cross-check the fast path).
    pub per_member: bool,
    /// Keep the charges of this one member (by input position), for an
    /// explanation, without keeping everyone's.
    pub track: Option<u32>,
    /// Share the periods; `false` decides the claims only (explaining a
    /// claim needs nothing more): the ledger then has no periods or charges.
    pub share: bool,
    /// Bring to `--until` only the prepaid accounts an explanation reads
    /// (those whose log is kept: the claimants', the member explained's, a
    /// refunded member's); the ledger then keeps no balance, fee or pause
    /// of any member at `--until`, and checks no balance.
    pub explaining: bool,
    /// Where every sharing member pays the same and accounts are prepaid:
    /// how many times the members without claims may be taken through the
    /// year in one pass each, from the charges of the pass before, until the
    /// charges come out the same (then they are the charges of taking every
    /// member period by period). 0: take every member period by period.
    /// Each pass gets at least one more period right; with a distributed
    /// remainder, where one fen more or less moves who pays the next, a
    /// year of 10,000,000 members has needed up to 9, each about a tenth
    /// of the time of taking every member in turn.
    pub passes: usize,
}

impl RunOptions {
    pub fn new(until: NaiveDate) -> RunOptions {
        RunOptions {
            until,
            keep_charges: false,
            per_member: false,
            track: None,
            share: true,
            explaining: false,
            passes: 12,
        }
    }
}

/// Runs a plan over members and claims up to `until`.
pub fn run(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    options: RunOptions,
) -> Result<Ledger, EngineError> {
    run_with_payments(plan, members, claims, &Payments::default(), options)
}

/// Runs a plan over members, claims and the members' top-ups up to `until`.
pub fn run_with_payments(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    payments: &Payments,
    options: RunOptions,
) -> Result<Ledger, EngineError> {
    run_observed(plan, members, claims, payments, options, &|_, _| {})
}

/// `run_with_payments`, calling `period_done(done, total)` after each period is shared.
pub fn run_observed(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    payments: &Payments,
    options: RunOptions,
    period_done: &(dyn Fn(usize, usize) + Sync),
) -> Result<Ledger, EngineError> {
    let mut membership = Membership::new(plan, members);
    if has_accounts(plan) {
        let run = if accounts_uniform::applies(plan, options) {
            accounts_uniform::run
        } else {
            accounts::run
        };
        let (decisions, shared, accounts) = run(
            plan,
            members,
            &mut membership,
            payments,
            claims,
            options,
            period_done,
        )?;
        return Ledger::new(members, membership, decisions, shared, options.until)?
            .with_accounts(members, payments, accounts);
    }
    let decisions = claims::decide_all(plan, members, &mut membership, claims, options.until);
    let shared = if options.share {
        sharing::share_all(plan, members, &membership, &decisions, options, period_done)?
    } else {
        sharing::Shared {
            strategy: Strategy::NotShared,
            periods: Vec::new(),
            member_charged: None,
            charges: Charges::None,
        }
    };
    Ledger::new(members, membership, decisions, shared, options.until)?.with_accounts(
        members,
        payments,
        Accounts::topped_up_only(members, payments, options.until),
    )
}
