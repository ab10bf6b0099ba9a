//! Explaining a prepaid account: the balance step by step through a period,
//! a member paused on a closing day, and a claim denied `paused`.

use super::{Builder, Outcome, n, s};
use crate::engine::{AccountEvent, Ledger, Pause};
use crate::input::Members;
use crate::money::Money;
use crate::plan::{Account, Plan};
use chrono::NaiveDate;

/// The account rules in force on `day`.
fn rules_on(plan: &Plan, day: NaiveDate) -> Option<&Account> {
    plan.at(day).account.as_ref()
}

/// The pause of member `i` holding day `d`, if any.
fn pause_on(ledger: &Ledger, i: usize, d: NaiveDate) -> Option<Pause> {
    ledger.accounts.logs.get(&(i as u32))?.pause_on(d)
}

/// For a plan with a minimum balance: whether cover was paused on the
/// diagnosis day `d` (the claim is then denied `paused`).
pub(super) fn cover_on_diagnosis(
    b: &mut Builder,
    why_not: &mut Vec<String>,
    plan: &Plan,
    ledger: &Ledger,
    i: usize,
    d: NaiveDate,
    paused: bool,
) {
    let Some(minimum) = rules_on(plan, d).and_then(|a| a.minimum.as_ref()) else {
        return;
    };
    let pause = pause_on(ledger, i, d).filter(|_| paused);
    let Some(pause) = pause else {
        b.step(
            "cover",
            Outcome::Pass,
            format!(
                "cover was in force on {d}: the balance was not below the minimum of {} on a closing day before it",
                minimum.value
            ),
            Some(minimum.span),
            &[],
        );
        return;
    };
    let short = Money(minimum.value.0 - pause.balance);
    let resumed = if pause.to == NaiveDate::MAX {
        "no top-up has restored it since".to_string()
    } else {
        format!("a top-up restored it from {}", pause.to)
    };
    b.step(
        "cover",
        Outcome::Fail,
        format!(
            "cover was paused on {d}: on the closing day {} the balance was {}, below the minimum of {}; {resumed}",
            pause.from,
            Money(pause.balance),
            minimum.value
        ),
        Some(minimum.span),
        &[
            ("paused_since", s(pause.from)),
            ("balance", s(Money(pause.balance))),
            ("minimum", s(minimum.value)),
        ],
    );
    why_not.push(format!(
        "a top-up of at least {short} dated on or before {} would have kept cover",
        pause.from
    ));
}

/// Whether member `i` was paused on the closing day `e` (then it does not
/// share); the step says so.
pub(super) fn paused_on_closing_day(
    b: &mut Builder,
    plan: &Plan,
    ledger: &Ledger,
    i: usize,
    e: NaiveDate,
    members: u64,
) -> bool {
    let Some(pause) = pause_on(ledger, i, e) else {
        return false;
    };
    let span = rules_on(plan, e)
        .and_then(|a| a.minimum.as_ref())
        .map(|m| m.span);
    b.step(
        "sharing_member",
        Outcome::Info,
        format!(
            "cover was paused on the closing day {e}, since the closing day {} when the balance of {} was below the minimum: the member does not share; {members} member{} share",
            pause.from,
            Money(pause.balance),
            if members == 1 { "" } else { "s" }
        ),
        span,
        &[
            ("paused_since", s(pause.from)),
            ("members", n(members)),
            ("not_sharing", s("paused")),
            ("since", s(pause.from)),
        ],
    );
    true
}

/// One change of the balance, in the order of a day's events.
struct Entry {
    day: NaiveDate,
    order: u8,
    text: String,
    amount: i64,
    rule: Option<crate::source::Span>,
    step: &'static str,
}

/// The balance of member `i` through period `p`: the balance before it,
/// then each top-up, pause, charge, fee and refund of the period.
pub(super) fn balance_steps(
    b: &mut Builder,
    plan: &Plan,
    members: &Members,
    ledger: &Ledger,
    i: usize,
    p: usize,
) {
    let Some(log) = ledger.accounts.logs.get(&(i as u32)) else {
        return;
    };
    let period = ledger.periods[p].period;
    let mut entries = vec![Entry {
        day: members.join[i],
        order: 0,
        text: "paid at joining".to_string(),
        amount: ledger.prepaid(members, i).0,
        rule: plan.membership.prepayment.as_ref().map(|p| p.span),
        step: "balance_prepaid",
    }];
    for (q, f) in ledger.periods.iter().enumerate().take(p + 1) {
        if let Some(c) = ledger.charge_of(i as u32, q).filter(|c| c.0 != 0) {
            entries.push(Entry {
                day: f.period.end,
                order: 3,
                text: format!("the charge of the period closing on {}", f.period.end),
                amount: -c.0,
                rule: Some(plan.at(f.period.end).sharing.rounding.span),
                step: "balance_charge",
            });
        }
    }
    for ev in log.events.iter().flatten() {
        entries.push(entry(plan, ev));
    }
    entries.sort_by_key(|e| (e.day, e.order));
    let before: i64 = entries
        .iter()
        .filter(|e| e.day < period.start)
        .map(|e| e.amount)
        .sum();
    b.step(
        "balance_before",
        Outcome::Info,
        format!(
            "the balance before the period (on {}): {}",
            period.start.pred_opt().unwrap_or(period.start),
            Money(before)
        ),
        None,
        &[("balance", s(Money(before)))],
    );
    let mut balance = before;
    for e in entries
        .iter()
        .filter(|e| period.start <= e.day && e.day <= period.end)
    {
        balance += e.amount;
        let text = if e.amount == 0 {
            format!("{}: {}; the balance is {}", e.day, e.text, Money(balance))
        } else {
            format!(
                "{}: {} {}; the balance is {}",
                e.day,
                e.text,
                signed(e.amount),
                Money(balance)
            )
        };
        b.step(
            e.step,
            Outcome::Info,
            text,
            e.rule,
            &[
                ("day", s(e.day)),
                ("amount", s(Money(e.amount))),
                ("balance", s(Money(balance))),
            ],
        );
    }
}

fn signed(fen: i64) -> String {
    if fen < 0 {
        format!("−{}", Money(-fen))
    } else {
        format!("+{}", Money(fen))
    }
}

/// An account event as a balance entry.
fn entry(plan: &Plan, ev: &AccountEvent) -> Entry {
    let rules = rules_on(plan, ev.day());
    let minimum_span = rules.and_then(|a| a.minimum.as_ref()).map(|m| m.span);
    match *ev {
        AccountEvent::Refund { day, amount, .. } => Entry {
            day,
            order: 1,
            text: "every charge refunded (a claim in the waiting period)".to_string(),
            amount,
            rule: None,
            step: "balance_refund",
        },
        AccountEvent::TopUp { day, amount, .. } => Entry {
            day,
            order: 1,
            text: "top-up".to_string(),
            amount,
            rule: None,
            step: "balance_top_up",
        },
        AccountEvent::Paused {
            day,
            balance,
            minimum,
        } => Entry {
            day,
            order: 2,
            text: format!(
                "the balance {} is below the minimum {}: cover is paused",
                Money(balance),
                Money(minimum)
            ),
            amount: 0,
            rule: minimum_span,
            step: "balance_paused",
        },
        AccountEvent::Resumed { day, .. } => Entry {
            day,
            order: 1,
            text: "cover resumes (the day after the top-up)".to_string(),
            amount: 0,
            rule: rules
                .and_then(|a| a.new_waiting.as_ref().map(|w| w.span))
                .or(minimum_span),
            step: "balance_resumed",
        },
        AccountEvent::Fee {
            day, amount, due, ..
        } => Entry {
            day,
            order: 4,
            text: if amount == due {
                "account fee".to_string()
            } else {
                format!("account fee of {}, at most the balance", Money(due))
            },
            amount: -amount,
            rule: rules.and_then(|a| a.fee.as_ref()).map(|f| f.span),
            step: "balance_fee",
        },
    }
}
