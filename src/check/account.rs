//! The `account` section: a prepaid balance's minimum, how cover resumes
//! after a top-up, and the account fee.

use super::{Checker, find};
use crate::ast::{Header, StatementKind};
use crate::diagnostic::Diagnostic;
use crate::plan::{Account, AccountFee, Cited};

impl Checker<'_> {
    /// The plan's account rules; `None` when the plan has no `account`
    /// section; `Some(None)` when the section is wrong (reported).
    pub(super) fn account(&mut self) -> Option<Option<Account>> {
        let section = self.section(|h| matches!(h, Header::Account))?;
        let mut ok = true;
        let minimum = find(section, |k| match k {
            StatementKind::MinimumBalance(q) => Some(q),
            _ => None,
        })
        .and_then(|(q, span, _)| {
            let m = self.money(q, "a minimum balance");
            ok &= m.is_some();
            m.map(|m| Cited::new(m, span))
        });
        let new_waiting = find(section, |k| match k {
            StatementKind::Resumes { new_waiting } => Some(new_waiting.node),
            _ => None,
        })
        .map(|(w, span, _)| Cited::new(w, span));
        let fee = find(section, |k| match k {
            StatementKind::AccountFee {
                amount,
                every,
                inactive_only,
            } => Some((amount, every.node, *inactive_only)),
            _ => None,
        })
        .and_then(|((amount, every, inactive_only), span, _)| {
            let m = self.money(amount, "an account fee");
            ok &= m.is_some();
            m.map(|amount| {
                Cited::new(
                    AccountFee {
                        amount,
                        every,
                        inactive_only,
                    },
                    span,
                )
            })
        });
        if let (Some(w), None) = (&new_waiting, &minimum) {
            self.push(
                Diagnostic::error(
                    "E215",
                    w.span,
                    "cover can only resume after a pause, and the plan has no minimum balance",
                )
                .label("nothing pauses cover")
                .help("add `minimum balance 1 CNY` to the account section, or remove this line"),
            );
            ok = false;
        }
        if minimum.is_none() && fee.is_none() && ok {
            self.push(
                Diagnostic::error("E104", section.header.span, "the account section says nothing")
                    .label("no `minimum balance` or `fee` line")
                    .help("add `minimum balance 1 CNY` (cover pauses below it) or `fee 2 CNY per quarter`; or remove the section"),
            );
            ok = false;
        }
        Some(ok.then_some(Account {
            minimum,
            new_waiting,
            fee,
        }))
    }
}
