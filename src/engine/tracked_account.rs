//! The account of the member explained, where every sharing member pays the
//! same (`accounts_uniform`).
//!
//! That path takes an account forward only when its balance may have
//! reached the minimum, so what it would record of the member explained is
//! not what a day-by-day account records (a top-up noted periods late, with
//! the balance of then). The member explained is replayed here alongside, as
//! `accounts::run` takes every account: the claims of a period decided
//! (its refund, the day its membership ends), the account taken to the
//! closing day and checked against the minimum, then the period's charge,
//! the same for every sharing member, if it shares. Its log and its charge
//! in each period are those of the general path.

use super::account::{Account, AccountRules, Holder};
use super::claims::Decision;
use crate::input::{Members, Payments};
use crate::money::Money;
use chrono::{Days, NaiveDate};

/// The member explained, followed period by period.
pub(super) struct Tracked {
    /// The member, by input position.
    pub(super) member: u32,
    account: Account,
    join: NaiveDate,
    /// The first day the membership is not in force, as the decisions so far end it.
    stop: NaiveDate,
    /// Charged so far (fen).
    charged: i64,
    /// The charge of each period shared so far.
    per_period: Vec<Money>,
}

impl Tracked {
    /// Member `member`'s account as it opens (`account(i)`: member i's, before any event),
    /// sharing until `stop`; `None` where there is no such member.
    pub(super) fn open<'a>(
        members: &Members,
        member: Option<u32>,
        account: &dyn Fn(usize) -> &'a Account,
        stop: impl Fn(usize) -> NaiveDate,
    ) -> Option<Tracked> {
        let member = member.filter(|&t| (t as usize) < members.len())?;
        let i = member as usize;
        Some(Tracked {
            member,
            account: account(i).clone(),
            join: members.join[i],
            stop: stop(i),
            charged: 0,
            per_period: Vec::new(),
        })
    }

    /// The member's facts as its account reads them.
    fn holder<'p>(&self, payments: &'p Payments) -> Holder<'p> {
        let top_ups = payments.top_ups(self.member as usize);
        Holder {
            join: self.join,
            stop: self.stop,
            charged: self.charged,
            top_ups,
        }
    }

    /// After a batch of `decided` claims: the membership now stops on
    /// `stop`, and a refund of everything charged so far is credited on the
    /// filing day of a claim that refunds it.
    pub(super) fn decided(&mut self, decided: &[Decision], stop: NaiveDate) {
        self.stop = self.stop.min(stop);
        for d in decided {
            if d.facts.refund && d.facts.member == Some(self.member) {
                self.account.refund_on(d.filed_on, self.charged);
            }
        }
    }

    /// Takes the account to the closing day `e` and checks it against the
    /// minimum; then, if the member shares on `e` (active, and not paused),
    /// charges `charge`, and one fen more if it is numbered below `one_more_below`.
    pub(super) fn period(
        &mut self,
        rules: &AccountRules,
        payments: &Payments,
        e: NaiveDate,
        (charge, one_more_below): (Money, u32),
    ) {
        let h = self.holder(payments);
        self.account.advance(rules, &h, e, e);
        self.account.check_on_closing_day(rules, &h, e);
        let shares = self.join <= e && e < self.stop && !self.account.paused_on_day(e);
        let one_more = i64::from(self.member < one_more_below);
        let c = if shares {
            Money(charge.0 + one_more)
        } else {
            Money::ZERO
        };
        self.charged += c.0;
        self.per_period.push(c);
    }

    /// Takes the account to `until`: the account, what it charged in all,
    /// and the charge of each period.
    pub(super) fn finish(
        mut self,
        rules: &AccountRules,
        payments: &Payments,
        until: NaiveDate,
    ) -> (Account, i64, Vec<Money>) {
        let after = until
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        let h = self.holder(payments);
        self.account.advance(rules, &h, until, after);
        (self.account, self.charged, self.per_period)
    }
}
