//! The `sharing` section: when periods close, the fee, the split, the
//! caps, what happens to the excess, and the rounding.

use super::{Checker, find};
use crate::ast::{self, Header, Section, StatementKind};
use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::plan::*;
use crate::source::Span;

/// The caps a sharing section writes.
struct Caps {
    case: Option<Cited<Money>>,
    charge: Option<Cited<Money>>,
    calendar: Option<Cited<Money>>,
    annual: Option<Cited<Schedule>>,
}

impl Checker<'_> {
    pub(super) fn sharing(
        &mut self,
        header_span: Span,
        membership: Option<&Membership>,
    ) -> Option<Sharing> {
        let Some(section) = self.section(|h| matches!(h, Header::Sharing)) else {
            self.push(
                Diagnostic::error("E104", header_span, "the plan has no `sharing` section")
                    .label("how members share the cost is not said")
                    .help("add `sharing` with `closes on`, `fee`, `split` and `rounding`"),
            );
            return None;
        };
        let calendar = self.closing_days(section);
        let fee = match find(section, |k| match k {
            StatementKind::Fee(q) => Some(q),
            _ => None,
        }) {
            Some((q, span, _)) => self.percent(q, "the fee").map(|r| Cited::new(r, span)),
            None => {
                self.missing_in_sharing(section, "the management fee", "fee 10% of payouts");
                None
            }
        };
        let split = match find(section, |k| match k {
            StatementKind::Split(s) => Some(s.node),
            _ => None,
        }) {
            Some((s, span, _)) => Some(Cited::new(s, span)),
            None => {
                self.missing_in_sharing(section, "how the cost is split", "split equally");
                None
            }
        };
        let rounding = match find(section, |k| match k {
            StatementKind::Rounding { mode, remainder } => Some((mode.node, remainder.node)),
            _ => None,
        }) {
            Some(((m, r), span, _)) => Some((Cited::new(m, span), Cited::new(r, span))),
            None => {
                self.missing_in_sharing(
                    section,
                    "how charges are rounded",
                    "rounding up, remainder carried",
                );
                None
            }
        };
        let (
            Caps {
                case: case_cap,
                charge: charge_cap,
                calendar: calendar_cap,
                annual: annual_cap,
            },
            mut ok,
        ) = self.caps(section, membership);
        if let Some(split) = &split
            && split.value == ast::SplitKind::ByAnnualCap
            && annual_cap.is_none()
            && ok
        {
            self.push(
                    Diagnostic::error("E209", split.span, "the split is in proportion to the annual cap, but the plan has none")
                        .label("no annual cap to weigh by")
                        .help("add `cap per year by age at term start` with a table, or `cap 188 CNY per year`"),
                );
            ok = false;
        }
        let excess = find(section, |k| match k {
            StatementKind::Excess(rule) => Some(rule.node),
            _ => None,
        })
        .map(|(rule, span, _)| Cited::new(rule, span));
        let (rounding, remainder) = rounding?;
        if !ok {
            return None;
        }
        Some(Sharing {
            calendar: calendar?,
            fee: fee?,
            split: split?,
            case_cap,
            charge_cap,
            annual_cap,
            calendar_cap,
            rounding,
            remainder,
            excess,
        })
    }

    /// `closes on days …`: the days the periods close.
    fn closing_days(&mut self, section: &Section) -> Option<Cited<crate::period::Calendar>> {
        match find(section, |k| match k {
            StatementKind::Closes(days) => Some(days),
            _ => None,
        }) {
            Some((days, span, _)) => {
                let mut out = Vec::new();
                let mut ok = true;
                for d in days {
                    match d.node.as_str() {
                        "last" => out.push(crate::period::CloseDay::Last),
                        n => match n.parse::<u8>() {
                            Ok(v @ 1..=28) => out.push(crate::period::CloseDay::Day(v)),
                            _ => {
                                ok = false;
                                self.push(
                                    Diagnostic::error("E306", d.span, format!("`{n}` is not a closing day every month has"))
                                        .label("not in 1 to 28")
                                        .help("closing days are 1 to 28, or `last` for the last day of the month"),
                                );
                            }
                        },
                    }
                }
                ok.then(|| Cited::new(crate::period::Calendar::new(out), span))
            }
            None => {
                self.missing_in_sharing(section, "when periods close", "closes on days 6 and 20");
                None
            }
        }
    }

    /// The caps of the sharing section: (the caps, whether they all check).
    fn caps(&mut self, section: &Section, membership: Option<&Membership>) -> (Caps, bool) {
        let mut case_cap = None;
        let mut charge_cap = None;
        let mut calendar_cap = None;
        let mut annual_cap = None;
        let mut ok = true;
        let domain = membership.map(|m| {
            let mut d = m.join.value;
            if let Some(r) = m.term.as_ref().and_then(|t| t.value.renew_up_to)
                && r.approx_days() > d.to.approx_days()
            {
                d.to = r;
            }
            d
        });
        for s in &section.statements {
            let StatementKind::Cap(cap) = &s.kind else {
                continue;
            };
            match cap {
                ast::Cap::Fixed { amount, basis } => match self.money(amount, "a cap") {
                    Some(m) => {
                        let slot = match basis.node {
                            ast::CapBasis::Case => &mut case_cap,
                            ast::CapBasis::Charge => &mut charge_cap,
                            ast::CapBasis::CalendarYear => &mut calendar_cap,
                            ast::CapBasis::Year => {
                                annual_cap = Some(Cited::new(Schedule::Fixed(m), s.span));
                                continue;
                            }
                        };
                        *slot = Some(Cited::new(m, s.span));
                    }
                    None => ok = false,
                },
                ast::Cap::PerYearByAge { basis } => {
                    let amount = ast::Amount::ByAge(basis.clone());
                    match self.schedule(
                        &amount,
                        s,
                        "an annual cap",
                        domain,
                        &[ast::AgeBasis::TermStart, ast::AgeBasis::Join],
                    ) {
                        Some(sch) => annual_cap = Some(Cited::new(sch, s.span)),
                        None => ok = false,
                    }
                }
            }
        }
        let caps = Caps {
            case: case_cap,
            charge: charge_cap,
            calendar: calendar_cap,
            annual: annual_cap,
        };
        (caps, ok)
    }

    /// Reports that the sharing section does not say `what` (such as `example`).
    fn missing_in_sharing(&mut self, section: &Section, what: &str, example: &str) {
        self.push(
            Diagnostic::error(
                "E104",
                section.header.span,
                format!("the sharing section does not say {what}"),
            )
            .label(format!(
                "no `{}` line",
                example.split(' ').next().unwrap_or(example)
            ))
            .help(format!("add `{example}`")),
        );
    }
}
