//! Deciding claims, in order of (filed_on, id); the first rule that fails decides.

use super::membership::{EndCause, Membership, term_start};
use crate::ast::{AgeBasis, RoundingMode};
use crate::input::{Claims, Members};
use crate::money::Money;
use crate::plan::{Band, BenefitId, DiseaseId, Payout, Plan};
use chrono::NaiveDate;
use rustc_hash::FxHashMap as HashMap;

/// Why a claim was decided as it was. The codes are part of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnknownMember,
    NotEligible,
    BeforeJoin,
    AfterLeaving,
    MembershipEnded,
    DiseaseNotCovered,
    InWaitingPeriod,
    AgeNotCovered,
    LimitReached,
    Covered,
}

impl Reason {
    pub const ALL: [Reason; 10] = [
        Reason::UnknownMember,
        Reason::NotEligible,
        Reason::BeforeJoin,
        Reason::AfterLeaving,
        Reason::MembershipEnded,
        Reason::DiseaseNotCovered,
        Reason::InWaitingPeriod,
        Reason::AgeNotCovered,
        Reason::LimitReached,
        Reason::Covered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::UnknownMember => "unknown_member",
            Reason::NotEligible => "not_eligible",
            Reason::BeforeJoin => "before_join",
            Reason::AfterLeaving => "after_leaving",
            Reason::MembershipEnded => "membership_ended",
            Reason::DiseaseNotCovered => "disease_not_covered",
            Reason::InWaitingPeriod => "in_waiting_period",
            Reason::AgeNotCovered => "age_not_covered",
            Reason::LimitReached => "limit_reached",
            Reason::Covered => "covered",
        }
    }
}

/// What the decision looked at, for explanations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimFacts {
    pub member: Option<u32>,
    /// The benefit that lists the claim's disease.
    pub benefit: Option<BenefitId>,
    pub disease: Option<DiseaseId>,
    /// The day the membership ended, when it had ended by the diagnosis.
    pub ended_on: Option<NaiveDate>,
    pub waiting_ends: Option<NaiveDate>,
    pub waiting_exempt: bool,
    /// The day whose age picked the payout band, and the band's index in its table.
    pub age_on: Option<NaiveDate>,
    pub band: Option<usize>,
    /// Approved claims of the member for this benefit before this one.
    pub prior_approved: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index of the claim in the claims file.
    pub claim: u32,
    pub reason: Reason,
    pub payout: Money,
    pub facts: ClaimFacts,
}

impl Decision {
    pub fn approved(&self) -> bool {
        self.reason == Reason::Covered
    }
}

/// A payout table: the age basis and its bands.
pub type PayoutTable<'p> = (AgeBasis, &'p [Band<Money>]);

/// The payout table behind a benefit's amount (itself, or the one it takes a share of).
pub fn payout_table(plan: &Plan, b: BenefitId) -> (BenefitId, Option<PayoutTable<'_>>) {
    match &plan.benefit(b).payout.value {
        Payout::ShareOf { of, .. } => (*of, payout_table(plan, *of).1),
        Payout::ByAge { basis, bands } => (b, Some((*basis, bands.as_slice()))),
        Payout::Fixed(_) => (b, None),
    }
}

/// The amount benefit `b` pays a member diagnosed on `diagnosed`, with the
/// day whose age was used and the band; `None` when the age is in no band.
pub fn payout_amount(
    plan: &Plan,
    b: BenefitId,
    birth: NaiveDate,
    join: NaiveDate,
    diagnosed: NaiveDate,
) -> Option<(Money, Option<NaiveDate>, Option<usize>)> {
    match &plan.benefit(b).payout.value {
        Payout::Fixed(m) => Some((*m, None, None)),
        Payout::ByAge { basis, bands } => {
            let on = match basis {
                AgeBasis::Diagnosis => diagnosed,
                AgeBasis::Join => join,
                AgeBasis::TermStart => term_start(plan, join, diagnosed),
            };
            let i = bands.iter().position(|band| band.ages.contains(birth, on));
            Some((bands[i?].value, Some(on), i))
        }
        Payout::ShareOf { rate, of } => {
            let (base, on, band) = payout_amount(plan, *of, birth, join, diagnosed)?;
            Some((rate.of(base).round(RoundingMode::HalfUp), on, band))
        }
    }
}

/// Decides every claim filed on or before `until`, in order of (filed_on, id).
/// Approved payouts that end a membership update `membership`.
pub fn decide_all(
    plan: &Plan,
    members: &Members,
    membership: &mut Membership,
    claims: &Claims,
    until: NaiveDate,
) -> Vec<Decision> {
    // Sort compact keys (date, id, index) side by side, on all cores.
    let mut keys: Vec<(NaiveDate, &str, u32)> = claims
        .claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.filed_on <= until)
        .map(|(i, c)| (c.filed_on, c.id.as_str(), i as u32))
        .collect();
    {
        use rayon::prelude::*;
        keys.par_sort_unstable();
    }
    let order: Vec<u32> = keys.iter().map(|k| k.2).collect();
    let mut approved: HashMap<(u32, BenefitId), u32> = HashMap::default();
    let ending: Vec<BenefitId> = plan
        .membership
        .ends_on_payout
        .iter()
        .map(|c| c.value)
        .collect();
    let mut out = Vec::with_capacity(order.len());
    for ci in order {
        let claim = &claims.claims[ci as usize];
        let mut facts = ClaimFacts {
            disease: plan.diseases.lookup(&claim.disease),
            ..ClaimFacts::default()
        };
        facts.benefit = facts
            .disease
            .and_then(|d| plan.diseases.benefit[d.0 as usize]);
        let (reason, payout) = decide(plan, members, membership, claim, &mut facts, &approved);
        if reason == Reason::Covered {
            let (m, b) = (
                facts.member.unwrap_or(0),
                facts.benefit.unwrap_or(BenefitId(0)),
            );
            *approved.entry((m, b)).or_default() += 1;
            if ending.contains(&b) {
                membership.end_on(m as usize, claim.filed_on, EndCause::Payout);
            }
        }
        out.push(Decision {
            claim: ci,
            reason,
            payout,
            facts,
        });
    }
    out
}

fn decide(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    claim: &crate::input::Claim,
    facts: &mut ClaimFacts,
    approved: &HashMap<(u32, BenefitId), u32>,
) -> (Reason, Money) {
    let denied = |r| (r, Money::ZERO);
    let Some(m) = members.find(&claim.member_id) else {
        return denied(Reason::UnknownMember);
    };
    facts.member = Some(m);
    let i = m as usize;
    let d = claim.diagnosed_on;
    if !membership.eligible[i] {
        return denied(Reason::NotEligible);
    }
    let (birth, join) = (members.birth[i], members.join[i]);
    if d < join {
        return denied(Reason::BeforeJoin);
    }
    if d >= members.left[i] {
        return denied(Reason::AfterLeaving);
    }
    if membership.end[i] <= d {
        facts.ended_on = Some(membership.end[i]);
        return denied(Reason::MembershipEnded);
    }
    let benefit = match (facts.benefit, &claim.benefit) {
        (Some(b), Some(named)) if plan.benefit(b).name != *named => None,
        (b, _) => b,
    };
    let Some(b) = benefit else {
        return denied(Reason::DiseaseNotCovered);
    };
    let ben = plan.benefit(b);
    let waiting_ends = join
        .checked_add_days(chrono::Days::new(u64::from(ben.waiting_days.value)))
        .unwrap_or(NaiveDate::MAX);
    facts.waiting_ends = Some(waiting_ends);
    facts.waiting_exempt = ben.exempt.contains(&claim.cause);
    if d < waiting_ends && !facts.waiting_exempt {
        return denied(Reason::InWaitingPeriod);
    }
    let Some((amount, on, band)) = payout_amount(plan, b, birth, join, d) else {
        let (_, table) = payout_table(plan, b);
        if let Some((basis, _)) = table {
            facts.age_on = Some(match basis {
                AgeBasis::Diagnosis => d,
                AgeBasis::Join => join,
                AgeBasis::TermStart => term_start(plan, join, d),
            });
        }
        return denied(Reason::AgeNotCovered);
    };
    facts.age_on = on;
    facts.band = band;
    let prior = approved.get(&(m, b)).copied().unwrap_or(0);
    facts.prior_approved = prior;
    if let Some(limit) = &ben.limit
        && prior >= limit.value
    {
        return denied(Reason::LimitReached);
    }
    (Reason::Covered, amount)
}
