//! Viability: enough members to fund the largest payout under a per-case cap.

use super::Checker;
use crate::diagnostic::Diagnostic;
use crate::money::Money;
use crate::plan::{Payout, Plan};

impl Plan {
    /// The largest amount any benefit can pay.
    pub fn largest_payout(&self) -> Money {
        self.benefits
            .iter()
            .map(|b| match &b.payout.value {
                Payout::Fixed(m) => *m,
                Payout::ByAge { bands, .. } => {
                    bands.iter().map(|b| b.value).max().unwrap_or_default()
                }
                Payout::ShareOf { rate, of } => {
                    let base = match &self.benefit(*of).payout.value {
                        Payout::Fixed(m) => *m,
                        Payout::ByAge { bands, .. } => {
                            bands.iter().map(|b| b.value).max().unwrap_or_default()
                        }
                        Payout::ShareOf { .. } => Money::ZERO,
                    };
                    rate.of(base).round(crate::ast::RoundingMode::HalfUp)
                }
            })
            .max()
            .unwrap_or_default()
    }

    /// Members needed so that one largest case plus fee is covered by the per-case cap:
    /// `ceil(payout × (1 + fee) / cap)`. None without a per-case cap.
    pub fn members_needed(&self) -> Option<u64> {
        let cap = self.sharing.case_cap.as_ref()?.value;
        if cap.0 <= 0 {
            return None;
        }
        let payout = i128::from(self.largest_payout().0);
        let fee = self.sharing.fee.value;
        // payout × (den + num) / den / cap, rounded up
        let num = payout * i128::from(fee.den + fee.num);
        let den = i128::from(fee.den) * i128::from(cap.0);
        Some(((num + den - 1) / den) as u64)
    }
}

impl Plan {
    /// How the per-case cap gives the members needed:
    /// `300000.00 CNY × (100% + 10%) / 0.10 CNY per case = 3300000 members`.
    pub fn viability_reason(&self) -> Option<String> {
        let needed = self.members_needed()?;
        let cap = self.sharing.case_cap.as_ref()?.value;
        Some(format!(
            "{} CNY × (100% + {}) / {} CNY per case = {} members",
            self.largest_payout(),
            self.sharing.fee.value,
            cap,
            needed
        ))
    }
}

impl Checker<'_> {
    pub(super) fn viability(&mut self, plan: &Plan) {
        let Some(needed) = plan.members_needed() else {
            return;
        };
        let reason = plan.viability_reason().unwrap_or_default();
        match &plan.minimum_members {
            Some(min) if min.value == needed => {}
            Some(min) => self.push(
                Diagnostic::warning("W500", min.span, format!("the plan declares {} members as its minimum, but the per-case cap needs {needed}", min.value))
                    .label("disagrees with the cap")
                    .related(plan.sharing.case_cap.as_ref().map(|c| c.span).unwrap_or(min.span), "the per-case cap")
                    .help(format!("{reason}; write `minimum {needed} members`, or change the cap")),
            ),
            None => self.push(
                Diagnostic::warning("W501", plan.sharing.case_cap.as_ref().map(|c| c.span).unwrap_or(plan.span), "the plan has a per-case cap but declares no minimum number of members")
                    .label("needs a minimum")
                    .help(format!("{reason}; add `viability` with `minimum {needed} members`")),
            ),
        }
    }
}
