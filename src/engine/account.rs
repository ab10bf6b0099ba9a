//! One member's prepaid account, day by day: top-ups, account fees, a
//! refund, and cover paused while the balance is below the plan's minimum.
//!
//! The balance on day d = prepaid + top-ups dated on or before d − charges
//! of periods closed on or before d − account fees due up to d + refunds
//! credited up to d. Events of one day happen in this order: a refund, the
//! top-ups (in file order), the pause check of a closing day (before the
//! period's charge), the period's charge, then the account fee.

use crate::input::TopUp;
use crate::plan::Plan;
use chrono::{Datelike, NaiveDate};

/// A pause of cover: from the closing day the balance was below the
/// minimum, to the day after the top-up that restored it (`MAX`: still paused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The balance on the closing day, before the period's charge (fen).
    pub balance: i64,
}

/// Something that changed a balance, or cover, for explanations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountEvent {
    TopUp {
        day: NaiveDate,
        amount: i64,
        balance: i64,
    },
    Fee {
        day: NaiveDate,
        amount: i64,
        due: i64,
        balance: i64,
    },
    Refund {
        day: NaiveDate,
        amount: i64,
        balance: i64,
    },
    Paused {
        day: NaiveDate,
        balance: i64,
        minimum: i64,
    },
    /// Cover resumes on `day`, the day after the top-up.
    Resumed { day: NaiveDate, balance: i64 },
}

impl AccountEvent {
    pub fn day(&self) -> NaiveDate {
        match *self {
            AccountEvent::TopUp { day, .. }
            | AccountEvent::Fee { day, .. }
            | AccountEvent::Refund { day, .. }
            | AccountEvent::Paused { day, .. }
            | AccountEvent::Resumed { day, .. } => day,
        }
    }
}

/// What is kept of a watched member's account (a claimant, or the member
/// explained): its pauses, and for the member explained, every event.
#[derive(Clone, Debug, Default)]
pub struct AccountLog {
    pub pauses: Vec<Pause>,
    pub events: Option<Vec<AccountEvent>>,
    /// A refund to credit: (day, fen).
    refund: Option<(NaiveDate, i64)>,
}

impl AccountLog {
    /// The pause holding day `d`, if any.
    pub fn pause_on(&self, d: NaiveDate) -> Option<Pause> {
        self.pauses
            .iter()
            .copied()
            .find(|p| p.from <= d && d < p.to)
    }
}

/// The next event on an account, by day: of one day, a refund comes
/// first, then the top-ups, then a fee.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Refund(NaiveDate),
    TopUp(NaiveDate),
    Fee(NaiveDate),
}

/// The first of a refund, a top-up and a fee, each on its day if any.
fn first_of(
    refund: Option<NaiveDate>,
    topup: Option<NaiveDate>,
    fee: Option<NaiveDate>,
) -> Option<Next> {
    let later = |a: Option<NaiveDate>, b: NaiveDate| a.is_some_and(|a| a < b);
    match (refund, topup, fee) {
        (Some(r), t, f) if !later(t, r) && !later(f, r) => Some(Next::Refund(r)),
        (_, Some(t), f) if !later(f, t) => Some(Next::TopUp(t)),
        (_, _, Some(f)) => Some(Next::Fee(f)),
        _ => None,
    }
}

/// A member's account between events.
#[derive(Clone, Debug)]
pub(super) struct Account {
    /// prepaid + top-ups − fees + the refund credited so far (fen); the
    /// balance is this minus everything charged.
    pub(super) base: i64,
    pub(super) topped_up: i64,
    pub(super) fees: i64,
    /// The next of the member's top-ups to take.
    next_payment: u32,
    /// The first month end not yet considered for a fee (`MIN`: the end of
    /// the month of joining).
    next_fee: NaiveDate,
    /// The closing day the last pause began (`MAX`: never paused).
    pub(super) pause_from: NaiveDate,
    /// The day cover resumed after the last pause (`MAX`: not yet).
    pub(super) resume_on: NaiveDate,
    pub(super) log: Option<Box<AccountLog>>,
}

/// A member's facts that the account reads.
#[derive(Clone, Copy)]
pub(super) struct Holder<'p> {
    pub join: NaiveDate,
    /// The first day the membership is not active (`MIN`: never eligible).
    pub stop: NaiveDate,
    /// Charged so far (fen).
    pub charged: i64,
    /// The member's top-ups, in date order.
    pub top_ups: &'p [TopUp],
}

impl Holder<'_> {
    fn active(&self, d: NaiveDate) -> bool {
        self.join <= d && d < self.stop
    }
}

/// The last day of `d`'s month.
pub(super) fn month_end(d: NaiveDate) -> NaiveDate {
    let first_next = if d.month() == 12 {
        NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
    };
    first_next
        .and_then(|f| f.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// The account fee due on month end `q` under the rules then: (amount,
/// only from accounts without an active membership).
fn fee_due(plan: &Plan, q: NaiveDate) -> Option<(i64, bool)> {
    use crate::ast::FeeEvery;
    let fee = plan.at(q).account.as_ref()?.fee.as_ref()?.value;
    let due = match fee.every {
        FeeEvery::Month => true,
        FeeEvery::Quarter => q.month().is_multiple_of(3),
        FeeEvery::Year => q.month() == 12,
    };
    due.then_some((fee.amount.0, fee.inactive_only))
}

/// The minimum balance in force on `day`, if any (fen).
pub(super) fn minimum_on(plan: &Plan, day: NaiveDate) -> Option<i64> {
    plan.at(day)
        .account
        .as_ref()?
        .minimum
        .as_ref()
        .map(|m| m.value.0)
}

/// How the plan's account rules read, the same for every member.
pub(super) struct AccountRules<'p> {
    pub plan: &'p Plan,
    /// Some version of the plan charges an account fee.
    pub fees: bool,
    /// Every version's fee is only for accounts without an active membership.
    pub inactive_only: bool,
}

impl<'p> AccountRules<'p> {
    pub fn new(plan: &'p Plan) -> AccountRules<'p> {
        let versions = || std::iter::once(plan).chain(plan.eras.iter().map(|e| &e.plan));
        let fees: Vec<bool> = versions()
            .filter_map(|p| p.account.as_ref()?.fee.as_ref())
            .map(|f| f.value.inactive_only)
            .collect();
        AccountRules {
            plan,
            fees: !fees.is_empty(),
            inactive_only: fees.iter().all(|&i| i),
        }
    }
}

impl Account {
    /// A new account holding `prepaid`; `watched`: keep its pauses, and
    /// `explained`: keep every event.
    pub(super) fn new(prepaid: i64, watched: bool, explained: bool) -> Account {
        Account {
            base: prepaid,
            topped_up: 0,
            fees: 0,
            next_payment: 0,
            next_fee: NaiveDate::MIN,
            pause_from: NaiveDate::MAX,
            resume_on: NaiveDate::MAX,
            log: (watched || explained).then(|| {
                Box::new(AccountLog {
                    pauses: Vec::new(),
                    events: explained.then(Vec::new),
                    refund: None,
                })
            }),
        }
    }

    /// Whether the run brings this account to `--until`: every account,
    /// or, where `explaining`, those whose log is kept.
    pub(super) fn taken_to_until(&self, explaining: bool) -> bool {
        !explaining || self.log.is_some()
    }

    pub(super) fn balance(&self, charged: i64) -> i64 {
        self.base - charged
    }

    /// What the account's columns hold at `until`, with `charged` taken
    /// from it: (balance, top-ups, fees, cover paused).
    pub(super) fn columns_at(&self, charged: i64, until: NaiveDate) -> (i64, i64, i64, bool) {
        let paused = self.paused_on_day(until);
        (self.balance(charged), self.topped_up, self.fees, paused)
    }

    /// Whether the last pause has not ended (no top-up has restored cover yet).
    pub(super) fn paused(&self) -> bool {
        self.pause_from != NaiveDate::MAX && self.resume_on == NaiveDate::MAX
    }

    /// Whether cover is paused on `d`, a day on or after the last pause began.
    pub(super) fn paused_on_day(&self, d: NaiveDate) -> bool {
        self.pause_from <= d && d < self.resume_on
    }

    /// The day cover last resumed, if it ever paused and resumed.
    pub(super) fn resumed(&self) -> Option<NaiveDate> {
        (self.pause_from != NaiveDate::MAX && self.resume_on != NaiveDate::MAX)
            .then_some(self.resume_on)
    }

    fn note(&mut self, event: AccountEvent) {
        if let Some(events) = self.log.as_mut().and_then(|l| l.events.as_mut()) {
            events.push(event);
        }
    }

    /// Credits `amount` (the member's refunded charges) on `day`.
    pub(super) fn refund_on(&mut self, day: NaiveDate, amount: i64) {
        self.log.get_or_insert_with(Box::default).refund = Some((day, amount));
    }

    /// Takes every event up to the top-ups (and refund) of `topups_through`
    /// and the fees due before `fees_before`, in day order.
    #[inline]
    pub(super) fn advance(
        &mut self,
        rules: &AccountRules,
        h: &Holder,
        topups_through: NaiveDate,
        fees_before: NaiveDate,
    ) {
        if !rules.fees && self.log.is_none() {
            // No fee and no refund: only top-ups can happen.
            self.top_ups_through(rules, h, topups_through);
            return;
        }
        self.take_events(rules, h, topups_through, fees_before);
    }

    /// `advance`, with fees or a refund.
    fn take_events(
        &mut self,
        rules: &AccountRules,
        h: &Holder,
        topups_through: NaiveDate,
        fees_before: NaiveDate,
    ) {
        let mut fee = self.fee_from(rules, h, self.next_fee, fees_before);
        let mut refund = (self.log.as_ref())
            .and_then(|l| l.refund)
            .map(|(day, _)| day)
            .filter(|&r| r <= topups_through);
        loop {
            let topup = (h.top_ups.get(self.next_payment as usize).map(|t| t.day))
                .filter(|&t| t <= topups_through);
            match first_of(refund, topup, fee.map(|f| f.0)) {
                Some(Next::Refund(day)) => {
                    self.credit_refund(h, day);
                    refund = None;
                }
                Some(Next::TopUp(day)) => self.top_up(rules, h, day),
                Some(Next::Fee(day)) => {
                    self.take_fee(h, day, fee.map_or(0, |f| f.1));
                    fee = self.fee_from(rules, h, month_end(next_day(day)), fees_before);
                }
                None => break,
            }
        }
        // Month ends before `fees_before` are all considered now. (An account
        // in force pays no fee that is only for accounts out of force: its
        // first fee day is found from the day it stops.)
        let may_pay = !rules.inactive_only || h.stop.max(h.join) < fees_before;
        if rules.fees && may_pay && self.next_fee < fees_before {
            self.next_fee = month_end(fees_before);
        }
    }

    /// Takes the top-ups dated on or before `through`, in order.
    fn top_ups_through(&mut self, rules: &AccountRules, h: &Holder, through: NaiveDate) {
        while let Some(&TopUp { day, .. }) = h.top_ups.get(self.next_payment as usize)
            && day <= through
        {
            self.top_up(rules, h, day);
        }
    }

    /// The top-ups of `top_ups` (the holder's) not yet taken.
    #[inline]
    pub(super) fn not_taken<'t>(&self, top_ups: &'t [TopUp]) -> &'t [TopUp] {
        top_ups.get(self.next_payment as usize..).unwrap_or(&[])
    }

    /// The first month end on or after `from` and before `before` on which
    /// a fee falls due on this account: (day, amount).
    fn fee_from(
        &self,
        rules: &AccountRules,
        h: &Holder,
        from: NaiveDate,
        before: NaiveDate,
    ) -> Option<(NaiveDate, i64)> {
        if !rules.fees || from >= before {
            return None;
        }
        // Where fees are only for accounts without an active membership,
        // only days on which the membership is not in force pay.
        let inactive_from = h.stop.max(h.join);
        if rules.inactive_only && inactive_from >= before {
            return None;
        }
        let mut q = if from == NaiveDate::MIN {
            month_end(h.join)
        } else {
            from
        };
        if rules.inactive_only {
            q = q.max(month_end(inactive_from));
        }
        while q < before {
            if let Some((amount, inactive_only)) = fee_due(rules.plan, q)
                && !(inactive_only && h.active(q))
            {
                return Some((q, amount));
            }
            q = month_end(next_day(q));
        }
        None
    }

    fn credit_refund(&mut self, h: &Holder, day: NaiveDate) {
        let amount = self
            .log
            .as_mut()
            .and_then(|l| l.refund.take())
            .map_or(0, |(_, a)| a);
        self.base += amount;
        let balance = self.balance(h.charged);
        self.note(AccountEvent::Refund {
            day,
            amount,
            balance,
        });
    }

    fn top_up(&mut self, rules: &AccountRules, h: &Holder, t: NaiveDate) {
        let amount = h.top_ups[self.next_payment as usize].fen;
        self.next_payment += 1;
        self.base += amount;
        self.topped_up += amount;
        let balance = self.balance(h.charged);
        self.note(AccountEvent::TopUp {
            day: t,
            amount,
            balance,
        });
        if self.paused() && minimum_on(rules.plan, t).is_none_or(|m| balance >= m) {
            self.resume(next_day(t), balance);
        }
    }

    fn resume(&mut self, day: NaiveDate, balance: i64) {
        self.resume_on = day;
        if let Some(p) = self.log.as_mut().and_then(|l| l.pauses.last_mut()) {
            p.to = day;
        }
        self.note(AccountEvent::Resumed { day, balance });
    }

    /// Takes a fee of `due` on `q`, at most the balance.
    fn take_fee(&mut self, h: &Holder, q: NaiveDate, due: i64) {
        let balance = self.balance(h.charged);
        let amount = due.min(balance.max(0));
        self.base -= amount;
        self.fees += amount;
        self.note(AccountEvent::Fee {
            day: q,
            amount,
            due,
            balance: balance - amount,
        });
    }

    /// The pause check of closing day `e`, before the period's charge: a
    /// member below the minimum is paused from `e`.
    pub(super) fn check_on_closing_day(&mut self, rules: &AccountRules, h: &Holder, e: NaiveDate) {
        let minimum = minimum_on(rules.plan, e);
        let balance = self.balance(h.charged);
        match minimum {
            None if self.paused() => self.resume(e, balance),
            Some(m) if !self.paused_on_day(e) && h.active(e) && balance < m => {
                self.pause_from = e;
                self.resume_on = NaiveDate::MAX;
                if let Some(log) = self.log.as_mut() {
                    log.pauses.push(Pause {
                        from: e,
                        to: NaiveDate::MAX,
                        balance,
                    });
                }
                self.note(AccountEvent::Paused {
                    day: e,
                    balance,
                    minimum: m,
                });
            }
            _ => {}
        }
    }

    /// Whether cover was paused on `d` (a day already passed), by the log,
    /// and the last day it resumed on or before `d`.
    pub(super) fn paused_on(&self, d: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let Some(log) = &self.log else {
            return (None, None);
        };
        let paused = log.pause_on(d).map(|p| p.from);
        let resumed = log.pauses.iter().filter(|p| p.to <= d).map(|p| p.to).max();
        (paused, resumed)
    }
}

#[cfg(test)]
mod tests {
    use super::{Next, first_of};
    use chrono::NaiveDate;

    #[test]
    fn of_one_day_a_refund_comes_first_then_a_top_up_then_a_fee() {
        let d = |day: u32| Some(NaiveDate::from_ymd_opt(2019, 1, day).expect("a day"));
        let day = |n: u32| d(n).expect("a day");
        assert_eq!(first_of(d(5), d(5), d(5)), Some(Next::Refund(day(5))));
        assert_eq!(first_of(d(6), d(5), d(5)), Some(Next::TopUp(day(5))));
        assert_eq!(first_of(d(6), d(6), d(5)), Some(Next::Fee(day(5))));
        assert_eq!(first_of(d(4), d(5), d(3)), Some(Next::Fee(day(3))));
        assert_eq!(first_of(d(4), d(3), d(5)), Some(Next::TopUp(day(3))));
        assert_eq!(first_of(d(4), None, d(5)), Some(Next::Refund(day(4))));
        assert_eq!(first_of(None, None, d(5)), Some(Next::Fee(day(5))));
        assert_eq!(first_of(d(7), None, d(5)), Some(Next::Fee(day(5))));
        assert_eq!(first_of(None, d(2), None), Some(Next::TopUp(day(2))));
        assert_eq!(first_of(None, None, None), None);
    }
}
