//! Deciding claims, in order of (filed_on, id); the first rule that fails decides.

use super::membership::{EndCause, Membership, term_start};
use crate::ast::{AgeBasis, RoundingMode};
use crate::input::{Claim, Claims, Members};
use crate::money::Money;
use crate::plan::{Band, BenefitId, Cause, DiseaseId, Payout, Plan};
use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap as HashMap;

/// Why a claim was decided as it was. The codes are stable: users rely on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnknownMember,
    NotEligible,
    BeforeJoin,
    AfterLeaving,
    MembershipEnded,
    /// The member's balance was below the plan's minimum: cover was paused.
    Paused,
    DiseaseNotCovered,
    CauseNotCovered,
    InWaitingPeriod,
    AgeNotCovered,
    LimitReached,
    Covered,
}

impl Reason {
    pub const ALL: [Reason; 12] = [
        Reason::UnknownMember,
        Reason::NotEligible,
        Reason::BeforeJoin,
        Reason::AfterLeaving,
        Reason::MembershipEnded,
        Reason::Paused,
        Reason::DiseaseNotCovered,
        Reason::CauseNotCovered,
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
            Reason::Paused => "paused",
            Reason::DiseaseNotCovered => "disease_not_covered",
            Reason::CauseNotCovered => "cause_not_covered",
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
    /// Denied in the waiting period by a benefit that then ends the
    /// membership and refunds the member's charges (the first such claim).
    pub refund: bool,
    /// The claim is for a cause the benefit does not pay for.
    pub cause_excluded: bool,
    /// Denied `paused`: the closing day since which cover was paused.
    pub paused_since: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index of the claim in the claims file.
    pub claim: u32,
    /// The claim's filing date (as used: the diagnosis date where none was given).
    pub filed_on: NaiveDate,
    pub reason: Reason,
    /// The amount paid: with a short pool, the full amount reduced pro rata.
    pub payout: Money,
    /// With a short pool, the full amount where the payout was reduced.
    pub full_payout: Option<Money>,
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
/// The payout is the one in force on the diagnosis day; the term that
/// gives the term start, the one in force on the join date.
pub fn payout_amount(
    plan: &Plan,
    b: BenefitId,
    birth: NaiveDate,
    join: NaiveDate,
    diagnosed: NaiveDate,
) -> Option<(Money, Option<NaiveDate>, Option<usize>)> {
    match &plan.at(diagnosed).benefit(b).payout.value {
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

/// A claim as the decisions read it: resolved once, in file order on all
/// cores (member, disease, the member's columns), then sorted, so the
/// decisions themselves run over compact records in order.
#[derive(Clone, Copy, Debug)]
struct Pending {
    filed: NaiveDate,
    claim: u32,
    /// `None`: no member has the claim's member id.
    member: Option<u32>,
    /// The member's number among the claims' members (0 for no member).
    slot: u32,
    diagnosed: NaiveDate,
    disease: Option<DiseaseId>,
    /// The benefit listing the disease.
    benefit: Option<BenefitId>,
    /// The claim names a benefit other than the one listing its disease.
    other_benefit: bool,
    cause: Cause,
    eligible: bool,
    birth: NaiveDate,
    join: NaiveDate,
    /// The day waiting periods count from: `waiting_from`, or the join date.
    waiting_from: NaiveDate,
    left: NaiveDate,
    /// The day the membership ends, by its own rules (payouts come later).
    end: NaiveDate,
}

/// A day as a number in the days' order (the sign bit flipped keeps days
/// before the common era in order).
fn day_number(day: NaiveDate) -> u32 {
    (day.num_days_from_ce() as u32) ^ 0x8000_0000
}

/// The filing day and the first 12 bytes of the claim id (zero-padded) as
/// one number: its order is the order of (day, id) unless two ids share
/// those bytes.
fn order_key(filed: NaiveDate, id: &str) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..4].copy_from_slice(&day_number(filed).to_be_bytes());
    let n = id.len().min(12);
    bytes[4..4 + n].copy_from_slice(&id.as_bytes()[..n]);
    u128::from_be_bytes(bytes)
}

fn pending(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    i: usize,
    claim: &Claim,
    (member, slot): (Option<u32>, u32),
) -> Pending {
    let disease = plan.diseases.lookup(&claim.disease);
    let rules = plan.at(claim.diagnosed_on);
    let benefit = disease.and_then(|d| rules.diseases.benefit[d.0 as usize]);
    let other_benefit = match (benefit, &claim.benefit) {
        (Some(b), Some(named)) => plan.benefit(b).name != *named,
        _ => false,
    };
    let m = member.map_or(0, |m| m as usize);
    let known = member.is_some();
    // The member's day in a column (the earliest day for no member).
    let day = |column: &[NaiveDate]| if known { column[m] } else { NaiveDate::MIN };
    Pending {
        filed: claim.filed_on,
        claim: i as u32,
        member,
        slot,
        diagnosed: claim.diagnosed_on,
        disease,
        benefit,
        other_benefit,
        cause: claim.cause,
        eligible: known && membership.eligible[m],
        birth: day(&members.birth),
        join: day(&members.join),
        waiting_from: if known {
            members.waiting_start(m)
        } else {
            NaiveDate::MIN
        },
        left: day(&members.left),
        end: day(&membership.end),
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
    let mut decider = Decider::new(plan, members, membership, claims, until);
    decider.decide_through(until, &mut |_, _| Cover::default());
    decider.finish(membership)
}

/// Whether a member was covered on a day, for a plan with a minimum balance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cover {
    /// Paused on the day: since this closing day.
    pub paused_since: Option<NaiveDate>,
    /// The day cover last resumed on or before the day, when the plan makes
    /// a resumed member serve a new waiting period.
    pub waiting_from: Option<NaiveDate>,
}

/// Decides claims in order of (filed_on, id), a stretch of filing days at a
/// time, so that a run can share each period before deciding the next
/// period's claims.
pub struct Decider<'p> {
    plan: &'p Plan,
    queue: Vec<Pending>,
    next: usize,
    approved: Approved,
    ended: Vec<NaiveDate>,
    refunded: Vec<bool>,
    out: Vec<Decision>,
    /// Memberships ended by decisions: (member, day, cause), in order.
    ends: Vec<(u32, NaiveDate, EndCause)>,
}

impl<'p> Decider<'p> {
    /// Resolves every claim filed on or before `until` and puts them in order.
    pub fn new(
        plan: &'p Plan,
        members: &Members,
        membership: &Membership,
        claims: &Claims,
        until: NaiveDate,
    ) -> Decider<'p> {
        let (queue, slots) = queue(plan, members, membership, claims, until);
        Decider {
            plan,
            next: 0,
            approved: Approved {
                count: vec![0; slots * plan.benefits.len()],
                benefits: plan.benefits.len(),
            },
            ended: vec![NaiveDate::MAX; slots],
            refunded: vec![false; slots],
            out: Vec::with_capacity(queue.len()),
            ends: Vec::new(),
            queue,
        }
    }

    /// The decider as `new` gave it, before any claim was decided: only the
    /// claimants' counts are reset, so that no per-member table is written
    /// again.
    pub fn restart(&mut self) {
        let b = self.approved.benefits;
        for slot in self.queue.iter().map(|p| p.slot as usize) {
            // (A claim naming no member has no slot.)
            if let Some(ended) = self.ended.get_mut(slot) {
                *ended = NaiveDate::MAX;
            }
            if let Some(refunded) = self.refunded.get_mut(slot) {
                *refunded = false;
            }
            if let Some(count) = self.approved.count.get_mut(slot * b..(slot + 1) * b) {
                count.fill(0);
            }
        }
        self.next = 0;
        self.out.clear();
        self.ends.clear();
    }

    /// Memberships ended by the decisions so far: (member, day, cause), in order.
    pub fn ends(&self) -> &[(u32, NaiveDate, EndCause)] {
        &self.ends
    }

    /// The decisions so far, in processing order.
    pub fn decisions(&self) -> &[Decision] {
        &self.out
    }

    /// The members that claims name, each once.
    pub fn claimants(&self) -> impl Iterator<Item = u32> + '_ {
        self.queue.iter().filter_map(|p| p.member)
    }

    /// Decides the claims filed on or before `day`; `cover(member,
    /// diagnosed)` says whether the member was covered on the diagnosis
    /// day. Returns the decisions made.
    pub fn decide_through(
        &mut self,
        day: NaiveDate,
        cover: &mut dyn FnMut(u32, NaiveDate) -> Cover,
    ) -> std::ops::Range<usize> {
        let first = self.out.len();
        while let Some(p) = self.queue.get(self.next).filter(|p| p.filed <= day) {
            let p = *p;
            self.next += 1;
            let decision = self.decide_one(&p, cover);
            self.out.push(decision);
        }
        first..self.out.len()
    }

    /// Decides one claim and records what it changes.
    fn decide_one(
        &mut self,
        p: &Pending,
        cover: &mut dyn FnMut(u32, NaiveDate) -> Cover,
    ) -> Decision {
        let plan = self.plan;
        let mut facts = ClaimFacts {
            member: p.member,
            disease: p.disease,
            benefit: p.benefit,
            ..ClaimFacts::default()
        };
        let end = self
            .ended
            .get(p.slot as usize)
            .map_or(p.end, |&day| day.min(p.end));
        let covered = |m: u32| cover(m, p.diagnosed);
        let (reason, payout) = decide(plan, end, p, &mut facts, &self.approved, covered);
        let rules = plan.at(p.diagnosed);
        let (m, b) = (
            facts.member.unwrap_or(0),
            facts.benefit.unwrap_or(BenefitId(0)),
        );
        let (ended, ends) = (&mut self.ended, &mut self.ends);
        let mut end_on = |day: NaiveDate, cause: EndCause| {
            ends.push((m, day, cause));
            let slot = &mut ended[p.slot as usize];
            *slot = (*slot).min(day);
        };
        if reason == Reason::Covered {
            *self.approved.of(p.slot, b) += 1;
            if rules.membership.ends_on_payout.iter().any(|e| e.value == b) {
                end_on(p.filed, EndCause::Payout);
            }
        } else if reason == Reason::InWaitingPeriod
            && rules.benefit(b).waiting_refund.is_some()
            && !std::mem::replace(&mut self.refunded[p.slot as usize], true)
        {
            facts.refund = true;
            end_on(p.filed, EndCause::WaitingRefund);
        }
        Decision {
            claim: p.claim,
            filed_on: p.filed,
            reason,
            payout,
            full_payout: None,
            facts,
        }
    }

    /// Every decision, in processing order; the memberships they ended
    /// are ended in `membership`.
    pub fn finish(self, membership: &mut Membership) -> Vec<Decision> {
        for &(m, day, cause) in &self.ends {
            membership.end_on(m as usize, day, cause);
        }
        self.out
    }
}

/// Every claim filed on or before `until`, resolved and in decision order,
/// and how many members the claims name.
fn queue(
    plan: &Plan,
    members: &Members,
    membership: &Membership,
    claims: &Claims,
    until: NaiveDate,
) -> (Vec<Pending>, usize) {
    use rayon::prelude::*;
    let all = claims.all();
    // Resolve every claim in file order, then order compact keys.
    let membership_now = membership;
    // The claims' members and their numbers among the claims' members: by
    // number when the members were read with the claims' numbering,
    // otherwise by id, in a loop of lookups alone whose cache misses
    // overlap, then numbered in order.
    let stamp = claims.key_stamp().unwrap_or(0);
    let (found, slots): (Vec<(Option<u32>, u32)>, usize) =
        match (claims.keys(stamp), members.by_key(stamp)) {
            (Some(keys), Some(by_key)) => (
                keys.par_iter()
                    .map(|&k| {
                        let m = by_key.get(k as usize).copied().filter(|&m| m != u32::MAX);
                        (m, k)
                    })
                    .collect(),
                by_key.len(),
            ),
            _ => {
                let found: Vec<Option<u32>> =
                    all.par_iter().map(|c| members.find(&c.member_id)).collect();
                let mut number: HashMap<u32, u32> = HashMap::default();
                let found: Vec<(Option<u32>, u32)> = found
                    .into_iter()
                    .map(|m| {
                        let next = number.len() as u32;
                        (m, m.map_or(0, |m| *number.entry(m).or_insert(next)))
                    })
                    .collect();
                (found, number.len())
            }
        };
    let resolved: Vec<Pending> = all
        .par_iter()
        .enumerate()
        .zip(found)
        .map(|((i, c), m)| pending(plan, members, membership_now, i, c, m))
        .collect();
    // Claim ids that increase through the file (as most exports do) put the
    // claims of one day in file order: one u64 key (day, index) orders them.
    let order: Vec<u32> = if claims.ids_increase() {
        let mut keys: Vec<u64> = resolved
            .par_iter()
            .filter(|p| p.filed <= until)
            .map(|p| (u64::from(day_number(p.filed)) << 32) | u64::from(p.claim))
            .collect();
        keys.par_sort_unstable();
        keys.into_par_iter().map(|k| k as u32).collect()
    } else {
        // (filing day, the first 12 bytes of the id) packed in a u128, the
        // whole ids compared only when those agree.
        let mut keys: Vec<(u128, u32)> = resolved
            .par_iter()
            .filter(|p| p.filed <= until)
            .map(|p| (order_key(p.filed, &all[p.claim as usize].id), p.claim))
            .collect();
        keys.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| all[a.1 as usize].id.cmp(&all[b.1 as usize].id))
        });
        keys.into_par_iter().map(|k| k.1).collect()
    };
    // The claims in decision order, gathered on all cores, so that the
    // decisions read memory in order; what earlier decisions change (approved
    // payouts, memberships ended by one) is kept by the members' numbers.
    let queue: Vec<Pending> = order.par_iter().map(|&i| resolved[i as usize]).collect();
    drop(resolved);
    (queue, slots)
}

/// The approved claims so far, by the member's number and benefit.
struct Approved {
    count: Vec<u32>,
    benefits: usize,
}

impl Approved {
    fn of(&mut self, slot: u32, b: BenefitId) -> &mut u32 {
        &mut self.count[slot as usize * self.benefits + usize::from(b.0)]
    }

    fn get(&self, slot: u32, b: BenefitId) -> u32 {
        self.count[slot as usize * self.benefits + usize::from(b.0)]
    }
}

/// The day the plan closed, when a claim filed on `filed` comes after the
/// claim window that followed it.
fn filed_after_window(plan: &Plan, filed: NaiveDate) -> Option<NaiveDate> {
    let c = plan.closure.as_ref()?.value;
    let last =
        c.on.checked_add_days(chrono::Days::new(u64::from(c.window_days)))
            .unwrap_or(NaiveDate::MAX);
    (filed > last).then_some(c.on)
}

/// Decides one claim; `end` is the day the member's membership ends (so
/// far) and `approved` counts the approved claims so far.
fn decide(
    plan: &Plan,
    end: NaiveDate,
    p: &Pending,
    facts: &mut ClaimFacts,
    approved: &Approved,
    mut cover: impl FnMut(u32) -> Cover,
) -> (Reason, Money) {
    let denied = |r| (r, Money::ZERO);
    if p.member.is_none() {
        return denied(Reason::UnknownMember);
    }
    let d = p.diagnosed;
    if !p.eligible {
        return denied(Reason::NotEligible);
    }
    let (birth, join) = (p.birth, p.join);
    if d < join {
        return denied(Reason::BeforeJoin);
    }
    if d >= p.left {
        return denied(Reason::AfterLeaving);
    }
    if end <= d {
        facts.ended_on = Some(end);
        return denied(Reason::MembershipEnded);
    }
    if let Some(closed) = filed_after_window(plan, p.filed) {
        facts.ended_on = Some(closed);
        return denied(Reason::MembershipEnded);
    }
    let cover = p.member.map(&mut cover).unwrap_or_default();
    if let Some(since) = cover.paused_since {
        facts.paused_since = Some(since);
        return denied(Reason::Paused);
    }
    let Some(b) = p.benefit.filter(|_| !p.other_benefit) else {
        return denied(Reason::DiseaseNotCovered);
    };
    let rules = plan.at(d);
    let ben = rules.benefit(b);
    if let Some(only) = &ben.only_for
        && !only.value.contains(&p.cause)
    {
        facts.cause_excluded = true;
        return denied(Reason::CauseNotCovered);
    }
    let waiting_from = cover
        .waiting_from
        .map_or(p.waiting_from, |w| w.max(p.waiting_from));
    let waiting_ends = waiting_from
        .checked_add_days(chrono::Days::new(u64::from(ben.waiting_days.value)))
        .unwrap_or(NaiveDate::MAX);
    facts.waiting_ends = Some(waiting_ends);
    facts.waiting_exempt = ben.exempt.contains(&p.cause);
    if d < waiting_ends && !facts.waiting_exempt {
        return denied(Reason::InWaitingPeriod);
    }
    let Some((amount, on, band)) = payout_amount(plan, b, birth, join, d) else {
        let (_, table) = payout_table(rules, b);
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
    let prior = approved.get(p.slot, b);
    facts.prior_approved = prior;
    if let Some(limit) = &ben.limit
        && prior >= limit.value
    {
        return denied(Reason::LimitReached);
    }
    (Reason::Covered, amount)
}
