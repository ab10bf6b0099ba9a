//! The checked plan: units resolved, bands sorted, names resolved to ids.
//!
//! A `Plan` can only be built by `check`, so it is never ill-formed: every
//! reference points at something that exists, every band table is sorted and
//! leaves no gap in the join ages, every rule carries the span it was
//! written at so that explanations can cite it.

use crate::age::{Age, AgeRange};
use crate::ast::{AgeBasis, CompareOp, ExcessRule, FeeEvery, Remainder, RoundingMode, SplitKind};
use crate::money::{Money, Rate};
use crate::period::Calendar;
use crate::source::Span;
use chrono::NaiveDate;

/// A value with the plan line that states it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cited<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Cited<T> {
    pub fn new(value: T, span: Span) -> Cited<T> {
        Cited { value, span }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BenefitId(pub u16);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DiseaseId(pub u32);

/// What caused a claim's illness or injury.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    Illness,
    Accident,
}

impl Cause {
    pub fn parse(s: &str) -> Option<Cause> {
        match s {
            "illness" => Some(Cause::Illness),
            "accident" => Some(Cause::Accident),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Cause::Illness => "illness",
            Cause::Accident => "accident",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub id: String,
    pub title: Option<String>,
    pub operator: Option<String>,
    pub currency: String,
    pub launched: Cited<NaiveDate>,
    pub membership: Membership,
    pub benefits: Vec<Benefit>,
    pub diseases: Diseases,
    pub sharing: Sharing,
    /// `account`: members keep a prepaid balance (none: charges are only owed).
    pub account: Option<Account>,
    pub minimum_members: Option<Cited<u64>>,
    pub examples: Vec<Example>,
    /// The plan header's span.
    pub span: Span,
    /// `closes DATE, claims within N days`: the day the plan closes.
    pub closure: Option<Cited<Closure>>,
    /// Where rules change over time: the rules in force from each day of
    /// change on, in order. The plan itself holds the rules in force before
    /// the first change (and always, where nothing changes).
    pub eras: Vec<Era>,
}

/// The rules of a plan in force from `from` until the next era.
#[derive(Clone, Debug, PartialEq)]
pub struct Era {
    pub from: NaiveDate,
    pub plan: Plan,
}

/// A plan closing on `on`: nobody joins or is charged from that day on; a
/// claim diagnosed before it may be filed up to `window_days` after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closure {
    pub on: NaiveDate,
    pub window_days: u32,
}

impl Plan {
    /// The rules in force on `day`.
    pub fn at(&self, day: NaiveDate) -> &Plan {
        match self.eras.partition_point(|e| e.from <= day) {
            0 => self,
            k => &self.eras[k - 1].plan,
        }
    }

    /// The rules in force on `day`, as a plan whose rules never change: the
    /// same launch and closure, every statement as it reads on that day.
    pub fn in_force_on(&self, day: NaiveDate) -> Plan {
        let mut p = self.at(day).clone();
        p.eras.clear();
        p.examples.clear();
        p.launched = self.launched.clone();
        p.closure = self.closure.clone();
        p
    }

    /// The joining requirement in force from each day on (the first from the
    /// earliest day), as the members file is read with them.
    pub fn requirements(&self) -> Vec<(NaiveDate, Option<&Requirement>)> {
        std::iter::once((NaiveDate::MIN, self))
            .chain(self.eras.iter().map(|e| (e.from, &e.plan)))
            .map(|(from, p)| (from, p.membership.requirement.as_ref().map(|r| &r.value)))
            .collect()
    }

    /// Whether any rule changes over time.
    pub fn changes(&self) -> bool {
        !self.eras.is_empty()
    }

    pub fn benefit(&self, id: BenefitId) -> &Benefit {
        &self.benefits[id.0 as usize]
    }

    pub fn benefit_named(&self, name: &str) -> Option<BenefitId> {
        self.benefits
            .iter()
            .position(|b| b.name == name)
            .map(|i| BenefitId(i as u16))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub join: Cited<AgeRange>,
    pub requirement: Option<Cited<Requirement>>,
    pub prepayment: Option<Cited<Schedule>>,
    pub ends_at_age: Option<Cited<Age>>,
    pub term: Option<Cited<Term>>,
    /// Benefits whose approved payout ends the membership.
    pub ends_on_payout: Vec<Cited<BenefitId>>,
}

/// `term 1 year, renewed while age <= 70 years`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    pub years: u32,
    /// Renewed on an anniversary while the age then is at most this.
    pub renew_up_to: Option<Age>,
}

/// A requirement on member attributes.
#[derive(Clone, Debug, PartialEq)]
pub enum Requirement {
    All(Vec<Requirement>),
    Any(Vec<Requirement>),
    Not(Box<Requirement>),
    Compare {
        attribute: String,
        op: CompareOp,
        value: Literal,
    },
}

impl Requirement {
    /// The attributes the requirement reads, each once, in order of appearance.
    pub fn attributes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.visit(&mut |r| {
            if let Requirement::Compare { attribute, .. } = r
                && !out.contains(&attribute.as_str())
            {
                out.push(attribute);
            }
        });
        out
    }

    /// The comparisons the requirement is made of, in order of appearance.
    pub fn comparisons(&self) -> Vec<&Requirement> {
        let mut out = Vec::new();
        self.visit(&mut |r| {
            if matches!(r, Requirement::Compare { .. }) {
                out.push(r);
            }
        });
        out
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Requirement)) {
        f(self);
        match self {
            Requirement::All(v) | Requirement::Any(v) => v.iter().for_each(|r| r.visit(f)),
            Requirement::Not(r) => r.visit(f),
            Requirement::Compare { .. } => {}
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A number, kept exact as a decimal scaled by 10^scale.
    Number {
        scaled: i128,
        scale: u32,
        text: String,
    },
    Text(String),
}

/// An amount that is either fixed or looked up by age.
#[derive(Clone, Debug, PartialEq)]
pub enum Schedule {
    Fixed(Money),
    ByAge {
        basis: AgeBasis,
        bands: Vec<Band<Money>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Band<T> {
    pub ages: AgeRange,
    pub value: T,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Benefit {
    pub name: String,
    pub title: Option<String>,
    pub span: Span,
    pub covers: Cited<Vec<DiseaseId>>,
    pub waiting_days: Cited<u32>,
    pub exempt: Vec<Cause>,
    pub payout: Cited<Payout>,
    pub limit: Option<Cited<u32>>,
    /// `only for accident`: the causes the benefit pays for (empty: every cause).
    pub only_for: Option<Cited<Vec<Cause>>>,
    /// `in waiting: ends membership, refunds charges`.
    pub waiting_refund: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Payout {
    Fixed(Money),
    ByAge {
        basis: AgeBasis,
        bands: Vec<Band<Money>>,
    },
    ShareOf {
        rate: Rate,
        of: BenefitId,
    },
}

/// Every disease code the plan knows, with its name and the benefit that lists it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diseases {
    pub codes: Vec<String>,
    pub names: Vec<String>,
    pub benefit: Vec<Option<BenefitId>>,
    pub index: rustc_hash::FxHashMap<String, DiseaseId>,
}

impl Diseases {
    pub fn lookup(&self, code: &str) -> Option<DiseaseId> {
        self.index.get(code).copied()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sharing {
    pub calendar: Cited<Calendar>,
    pub fee: Cited<Rate>,
    pub split: Cited<SplitKind>,
    pub case_cap: Option<Cited<Money>>,
    pub charge_cap: Option<Cited<Money>>,
    pub annual_cap: Option<Cited<Schedule>>,
    /// `cap X per calendar year`: charges of periods closing in one calendar year.
    pub calendar_cap: Option<Cited<Money>>,
    pub rounding: Cited<RoundingMode>,
    pub remainder: Cited<Remainder>,
    /// `excess borne by operator` or `excess reduces payouts`, when written
    /// (unwritten: borne by the operator).
    pub excess: Option<Cited<ExcessRule>>,
}

impl Sharing {
    /// Whether what the caps leave uncollected reduces the period's payouts.
    pub fn short_pool(&self) -> bool {
        self.excess
            .as_ref()
            .is_some_and(|e| e.value == ExcessRule::ReducesPayouts)
    }
}

/// A prepaid account: the balance cover needs, and the fee the operator takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    /// `minimum balance X`: a member below it on a closing day is paused.
    pub minimum: Option<Cited<Money>>,
    /// `resumes after a top-up, with a new waiting period` (false: without).
    pub new_waiting: Option<Cited<bool>>,
    /// `fee X per quarter [on accounts without active membership]`.
    pub fee: Option<Cited<AccountFee>>,
}

impl Account {
    /// Whether a resumed member serves a new waiting period.
    pub fn resume_with_waiting(&self) -> bool {
        self.new_waiting.as_ref().is_some_and(|w| w.value)
    }
}

/// A fixed fee taken from the balance on the last day of each calendar month, quarter or year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountFee {
    pub amount: Money,
    pub every: FeeEvery,
    /// Only from accounts without an active membership on the day it falls due.
    pub inactive_only: bool,
}

/// A worked example written in a plan: members, claims, a date, and the
/// figures the plan must produce. `mutual test` runs them.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub title: String,
    pub span: Span,
    pub as_of: NaiveDate,
    pub members: Vec<ExampleMember>,
    pub claims: Vec<ExampleClaim>,
    /// Top-ups: (member id, date, amount).
    pub payments: Vec<ExamplePayment>,
    pub expects: Vec<Expectation>,
}

/// The most members and claims, together, one example may create.
pub const MAX_EXAMPLE_CREATED: u64 = 25_000_000;

/// The most claims one example may create.
pub const MAX_EXAMPLE_CLAIMS: u64 = 1_000_000;

impl Example {
    /// How many members the example creates.
    pub fn member_count(&self) -> u64 {
        member_count(&self.members)
    }

    /// How many claims the example creates.
    pub fn claim_count(&self) -> u64 {
        claim_count(&self.claims)
    }
}

/// How many members these lines of an example create (at most `u64::MAX`).
pub fn member_count(members: &[ExampleMember]) -> u64 {
    let counts = members.iter().map(|m| m.count.unwrap_or(1));
    counts.fold(0, u64::saturating_add)
}

/// How many claims these lines of an example create (at most `u64::MAX`).
pub fn claim_count(claims: &[ExampleClaim]) -> u64 {
    let counts = claims.iter().map(|c| c.count.unwrap_or(1));
    counts.fold(0, u64::saturating_add)
}

/// One claim, or `count` identical claims with ids `id0`, `id1`, …, created
/// only when the example runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleClaim {
    /// The claim; for a group, the claim each copies, with the group's prefix as id.
    pub claim: crate::input::Claim,
    pub count: Option<u64>,
    /// Claim k of the group is made by member k of the `members` group its
    /// `member_id` names.
    pub by_member_group: bool,
}

impl ExampleClaim {
    /// The claims, one by one.
    pub fn claims(&self) -> impl Iterator<Item = crate::input::Claim> + '_ {
        let group = self.count.is_some();
        (0..self.count.unwrap_or(1)).map(move |k| {
            let mut c = self.claim.clone();
            if group {
                c.id = compact_str::format_compact!("{}{k}", self.claim.id);
            }
            if self.by_member_group {
                c.member_id = compact_str::format_compact!("{}{k}", self.claim.member_id);
            }
            c
        })
    }
}

/// `payment a date=2017-03-01 amount=10`: a top-up in an example.
#[derive(Clone, Debug, PartialEq)]
pub struct ExamplePayment {
    pub member: String,
    pub date: NaiveDate,
    pub amount: Money,
    pub span: Span,
}

/// One member, or `count` identical members with ids `id0`, `id1`, ….
#[derive(Clone, Debug, PartialEq)]
pub struct ExampleMember {
    pub id: String,
    pub count: Option<u64>,
    pub birth: NaiveDate,
    pub join: NaiveDate,
    pub left: Option<NaiveDate>,
    /// Attributes by name, as the members file would hold them.
    pub attributes: Vec<(String, String)>,
    pub span: Span,
}

/// `expect claim.c1.reason = covered`
#[derive(Clone, Debug, PartialEq)]
pub struct Expectation {
    pub target: Target,
    /// The expected value as written.
    pub expected: String,
    pub span: Span,
}

/// What an expectation looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A column of `decisions.csv` for a claim: decision, reason, payout, benefit.
    Claim { id: String, field: String },
    /// A column of `periods.csv` for the period holding a date.
    Period { date: NaiveDate, field: String },
    /// A column of `members.csv`: status, prepaid, charged, paid_out, balance.
    Member { id: String, field: String },
    /// A member's charge in the period holding a date.
    Charge { date: NaiveDate, member: String },
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Claim { id, field } => write!(f, "claim.{id}.{field}"),
            Target::Period { date, field } => write!(f, "period[{date}].{field}"),
            Target::Member { id, field } => write!(f, "member.{id}.{field}"),
            Target::Charge { date, member } => write!(f, "charge[{date}].{member}"),
        }
    }
}

/// The columns an expectation may name.
pub const CLAIM_FIELDS: [&str; 5] = ["decision", "reason", "payout", "benefit", "full_payout"];
pub const PERIOD_FIELDS: [&str; 12] = [
    "period_start",
    "period_end",
    "cases",
    "payouts",
    "fee",
    "pool",
    "carried_in",
    "members",
    "charged",
    "operator_borne",
    "carried_out",
    "refunded",
];
pub const MEMBER_FIELDS: [&str; 8] = [
    "status",
    "prepaid",
    "charged",
    "paid_out",
    "balance",
    "refunded",
    "topped_up",
    "fees",
];
