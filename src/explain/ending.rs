//! Why a membership ended: the cause as a code, and in words with its rule.

use super::*;

/// The cause a membership ended for, as a code in data.
pub(super) fn end_cause_code(cause: EndCause) -> &'static str {
    match cause {
        EndCause::None => "none",
        EndCause::AgeLimit => "age_limit",
        EndCause::TermNotRenewed => "term_not_renewed",
        EndCause::Payout => "payout",
        EndCause::WaitingRefund => "waiting_refund",
        EndCause::Closed => "closed",
    }
}

/// Why a membership ended on `ended`, and the rule.
pub(super) fn end_reason(
    plan: &Plan,
    ledger: &Ledger,
    claims: &Claims,
    i: usize,
    ended: NaiveDate,
) -> (String, Option<Span>) {
    match ledger.membership.end_cause[i] {
        EndCause::AgeLimit => {
            let age = plan.membership.ends_at_age.as_ref();
            (
                format!(
                    "the birthday of age {}",
                    age.map(|a| a.value.to_string()).unwrap_or_default()
                ),
                age.map(|a| a.span),
            )
        }
        EndCause::TermNotRenewed => (
            "an anniversary on which the term could not be renewed".to_string(),
            plan.membership.term.as_ref().map(|t| t.span),
        ),
        EndCause::Payout => {
            let by = ledger
                .decisions
                .iter()
                .find(|d| {
                    d.approved()
                        && d.facts.member == Some(i as u32)
                        && claims.all()[d.claim as usize].filed_on == ended
                })
                .map(|d| claims.all()[d.claim as usize].id.clone())
                .unwrap_or_default();
            let span = plan.membership.ends_on_payout.first().map(|e| e.span);
            (format!("the approved claim {by} was filed that day"), span)
        }
        EndCause::WaitingRefund => {
            let span = plan.benefits.iter().find_map(|b| b.waiting_refund);
            (
                "a claim in the waiting period was filed that day; the charges were refunded"
                    .to_string(),
                span,
            )
        }
        EndCause::Closed => (
            "the day the plan closed".to_string(),
            plan.closure.as_ref().map(|c| c.span),
        ),
        EndCause::None => ("no end".to_string(), None),
    }
}
