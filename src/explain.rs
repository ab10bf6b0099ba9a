//! `mutual explain`: every step that produced a decision or a charge, each
//! citing the plan line it applied, and what would have changed the outcome.
//!
//! An explanation is data (`Explanation`, serialised as JSON with a stable
//! shape) rendered as a tree for people. It is built from the same ledger a
//! run writes, and the figures it shows are checked against it.

use crate::age::{age_days, age_years};
use crate::ast::{AgeBasis, Remainder, RoundingMode, SplitKind};
use crate::engine::{
    self, CapKind, Decision, EndCause, Ledger, MemberShare, PeriodFigures, Reason, annual_cap,
    member_share, membership_year, payout_table, term_start,
};
use crate::input::{Claims, Members};
use crate::money::{Fraction, Money};
use crate::plan::{BenefitId, Payout, Plan};
use crate::source::{Sources, Span};
use crate::terminal_text::escape;
use crate::words::count;
use chrono::NaiveDate;
mod account;
pub mod compared;
mod eligibility;
pub mod letter;

use owo_colors::OwoColorize;
use serde::Serialize;
use std::ops::ControlFlow::{self, Break, Continue};

/// The plan line a step applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub file: String,
    pub line: usize,
    pub text: String,
}

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A rule that held.
    Pass,
    /// The rule that decided against.
    Fail,
    /// A figure or fact, not a test.
    Info,
}

/// One step of an explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// A stable name for the step: `eligibility`, `waiting_period`, `share`, ….
    pub step: &'static str,
    pub outcome: Outcome,
    /// The step in words, with its figures.
    pub text: String,
    /// The plan rule the step applied, if any.
    pub rule: Option<Citation>,
    /// The step's figures as data (money as decimal strings, dates ISO).
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Why a figure is what it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// `claim` or `charge`.
    pub kind: &'static str,
    /// What is explained, in words.
    pub subject: String,
    /// The outcome in words: `denied: in_waiting_period`, `charged 0.13`.
    pub result: String,
    pub steps: Vec<Step>,
    /// What would have changed the outcome, where something could.
    pub why_not: Vec<String>,
}

struct Builder<'a> {
    sources: &'a Sources,
    steps: Vec<Step>,
}

impl Builder<'_> {
    fn cite(&self, span: Span) -> Citation {
        let file = self.sources.get(span.file);
        let (line, _) = file.line_col(span.start as usize);
        let text = file.line_text(line);
        let code = &text[..crate::syntax::comment_start(text).unwrap_or(text.len())];
        Citation {
            file: file.name.clone(),
            line,
            text: code.trim().to_string(),
        }
    }

    fn step(
        &mut self,
        step: &'static str,
        outcome: Outcome,
        text: String,
        rule: Option<Span>,
        values: &[(&str, serde_json::Value)],
    ) {
        let rule = rule.map(|s| self.cite(s));
        self.steps.push(Step {
            step,
            outcome,
            text,
            rule,
            values: values
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        });
    }
}

fn s(v: impl ToString) -> serde_json::Value {
    serde_json::Value::String(v.to_string())
}

fn n(v: impl Into<serde_json::Number>) -> serde_json::Value {
    serde_json::Value::Number(v.into())
}

fn pass(ok: bool) -> Outcome {
    if ok { Outcome::Pass } else { Outcome::Fail }
}

/// Explains the decision on claim `claim_id`. `None` when no such claim was decided.
pub fn claim(
    plan: &Plan,
    sources: &Sources,
    members: &Members,
    claims: &Claims,
    ledger: &Ledger,
    claim_id: &str,
) -> Option<Explanation> {
    let decision = ledger
        .decisions
        .iter()
        .find(|d| claims.all()[d.claim as usize].id == claim_id)?;
    let c = &claims.all()[decision.claim as usize];
    let mut steps = ClaimSteps {
        plan,
        members,
        claims,
        ledger,
        c,
        decision,
        b: Builder {
            sources,
            steps: Vec::new(),
        },
        why_not: Vec::new(),
    };
    steps.claim();
    // The explanation stops at the step that decided the claim.
    let _ = steps.decide();
    let mut why_not = steps.why_not;
    why_not.extend(other_versions(plan, members, c, decision));
    Some(finish(
        "claim",
        format!("claim {}", c.id),
        decision,
        steps.b,
        why_not,
    ))
}

/// The explanation of one claim, built a step at a time in the order the
/// rules are applied: each step lets the claim through (`Continue`) or is
/// the one that decided it (`Break`).
struct ClaimSteps<'a> {
    plan: &'a Plan,
    members: &'a Members,
    claims: &'a Claims,
    ledger: &'a Ledger,
    c: &'a crate::input::Claim,
    decision: &'a Decision,
    b: Builder<'a>,
    why_not: Vec<String>,
}

impl ClaimSteps<'_> {
    /// Every step, up to the one that decided the claim.
    fn decide(&mut self) -> ControlFlow<()> {
        let i = self.member()?;
        self.eligibility(i)?;
        self.dates(i)?;
        let bid = self.disease()?;
        self.waiting(bid)?;
        self.age_band(i, bid)?;
        self.limit_and_payout(bid)
    }

    /// The claim itself: what it says, and where it came in the order.
    fn claim(&mut self) {
        let (c, ledger, decision) = (self.c, self.ledger, self.decision);
        let order = ledger
            .decisions
            .iter()
            .position(|d| std::ptr::eq(d, decision))
            .unwrap_or(0)
            + 1;
        self.b.step(
            "claim",
            Outcome::Info,
            format!(
                "claim {} of member {}: disease {}, cause {}, diagnosed {}, filed {} (decided {} of {}, in order of filing date and id)",
                c.id,
                c.member_id,
                c.disease,
                c.cause.name(),
                c.diagnosed_on,
                c.filed_on,
                order,
                ledger.decisions.len()
            ),
            None,
            &[
                ("claim_id", s(&c.id)),
                ("member_id", s(&c.member_id)),
                ("disease", s(&c.disease)),
                ("cause", s(c.cause.name())),
                ("diagnosed_on", s(c.diagnosed_on)),
                ("filed_on", s(c.filed_on)),
                ("input_line", n(c.line)),
            ],
        );
    }

    /// The member named by the claim: its index among the members.
    fn member(&mut self) -> ControlFlow<(), usize> {
        let (c, members, f) = (self.c, self.members, &self.decision.facts);
        // 1. The member.
        let Some(m) = f.member else {
            self.b.step(
                "member",
                Outcome::Fail,
                format!("no member has the id `{}`", c.member_id),
                None,
                &[("member_id", s(&c.member_id))],
            );
            self.why_not.push(format!(
                "a member with the id `{}` in the members file",
                c.member_id
            ));
            return Break(());
        };
        let i = m as usize;
        let (birth, join) = (members.birth[i], members.join[i]);
        self.b.step(
            "member",
            Outcome::Pass,
            format!("member {} was born {birth} and joined {join}", c.member_id),
            None,
            &[("birth_date", s(birth)), ("join_date", s(join))],
        );
        Continue(i)
    }

    /// Eligibility (2), by the rules in force on the join date.
    fn eligibility(&mut self, i: usize) -> ControlFlow<()> {
        let (plan, members, r) = (self.plan, self.members, self.decision.reason);
        let (birth, join) = (members.birth[i], members.join[i]);
        // 2. Eligibility, by the rules in force on the join date.
        let join_plan = plan.at(join);
        let join_rule = &join_plan.membership.join;
        let in_range = join_rule.value.contains(birth, join);
        let years = age_years(birth, join);
        let days = age_days(birth, join);
        self.b.step(
            "join_age",
            pass(in_range),
            format!(
                "age at joining: {} ({}), {} the join ages {}",
                count(u64::from(years), "year"),
                count(days.unsigned_abs(), "day"),
                if in_range { "within" } else { "outside" },
                join_rule.value
            ),
            Some(join_rule.span),
            &[
                ("age_years", n(years)),
                ("age_days", n(days)),
                ("join_ages", s(join_rule.value)),
            ],
        );
        if !in_range {
            self.why_not.push(format!(
                "joining between {} and {} (ages {})",
                join_rule.value.starts(birth),
                join_rule
                    .value
                    .ends(birth)
                    .pred_opt()
                    .unwrap_or(NaiveDate::MIN),
                join_rule.value
            ));
        }
        if let Some(req) = &join_plan.membership.requirement {
            let held = members.meets_requirements[i];
            let text = crate::summary::requirement_text(&req.value);
            let values = eligibility::compared(&req.value, members, i);
            let values_shown = values.clone();
            self.b.step(
                "requirement",
                pass(held),
                match (held, values) {
                    (true, Some(v)) => format!("the requirement `{text}` held: {v}"),
                    (true, None) => format!("the requirement `{text}` held on the member's attributes"),
                    (false, Some(v)) => format!("the requirement `{text}` did not hold: {v}"),
                    (false, None) => format!(
                        "the requirement `{text}` did not hold on the member's attributes (or one of them was empty)"
                    ),
                },
                Some(req.span),
                &[
                    ("held", serde_json::Value::Bool(held)),
                    ("requirement", s(&text)),
                    ("member_values", s(values_shown.unwrap_or_default())),
                ],
            );
            if !held {
                self.why_not.push(format!(
                    "attributes that meet the requirement `{text}` at joining"
                ));
            }
        }
        if r == Reason::NotEligible {
            return Break(());
        }
        Continue(())
    }

    /// The diagnosis day against joining, leaving and the end of the membership.
    fn dates(&mut self, i: usize) -> ControlFlow<()> {
        let (plan, ledger, claims, c) = (self.plan, self.ledger, self.claims, self.c);
        let (r, f) = (self.decision.reason, &self.decision.facts);
        let (join, left) = (self.members.join[i], self.members.left[i]);
        // 3. Dates.
        let d = c.diagnosed_on;
        self.b.step(
            "joined_before",
            pass(d >= join),
            format!(
                "diagnosed {d}, {} joining on {join}",
                if d >= join { "on or after" } else { "before" }
            ),
            None,
            &[],
        );
        if r == Reason::BeforeJoin {
            self.why_not
                .push(format!("a diagnosis on or after the join date {join}"));
            return Break(());
        }
        if left != NaiveDate::MAX {
            self.b.step(
                "left",
                pass(d < left),
                format!(
                    "the member left on {left}; diagnosed {}",
                    if d < left {
                        "before"
                    } else {
                        "on or after that day"
                    }
                ),
                None,
                &[("left_date", s(left))],
            );
        }
        if r == Reason::AfterLeaving {
            self.why_not
                .push(format!("a diagnosis before the member left on {left}"));
            return Break(());
        }
        if r == Reason::MembershipEnded {
            let ended = f.ended_on.unwrap_or(NaiveDate::MAX);
            let (why, span) = end_reason(plan, ledger, claims, i, ended);
            self.b.step(
                "membership",
                Outcome::Fail,
                format!(
                    "the membership ended on {ended} ({why}), on or before the diagnosis on {d}"
                ),
                span,
                &[("ended_on", s(ended))],
            );
            self.why_not.push(format!(
                "a diagnosis before the membership ended on {ended}"
            ));
            return Break(());
        }
        self.b.step(
            "membership",
            Outcome::Pass,
            format!("the membership was in force on {d}"),
            None,
            &[],
        );
        let paused = r == Reason::Paused;
        account::cover_on_diagnosis(&mut self.b, &mut self.why_not, plan, ledger, i, d, paused);
        if paused {
            return Break(());
        }
        Continue(())
    }

    /// The disease (4), by the benefit rules in force on the diagnosis day,
    /// and the cause where the benefit pays for some causes only.
    fn disease(&mut self) -> ControlFlow<(), BenefitId> {
        let (c, r, f) = (self.c, self.decision.reason, &self.decision.facts);
        let d = c.diagnosed_on;
        // 4. The disease, by the benefit rules in force on the diagnosis day.
        let plan = self.plan.at(d);
        let Some(bid) = f.benefit.filter(|_| r != Reason::DiseaseNotCovered) else {
            let listed = f.benefit.map(|x| plan.benefit(x).name.clone());
            let text = match (&listed, &c.benefit) {
                (Some(listed), Some(named)) => format!(
                    "the claim names benefit `{named}`, but disease {} belongs to `{listed}`",
                    c.disease
                ),
                _ => match f.disease {
                    Some(_) => format!(
                        "disease {} is in the plan's lists, but no benefit covers it",
                        c.disease
                    ),
                    None => format!(
                        "disease {} is in none of the plan's disease lists",
                        c.disease
                    ),
                },
            };
            self.b.step(
                "disease",
                Outcome::Fail,
                text,
                None,
                &[("disease", s(&c.disease))],
            );
            let covered: Vec<String> = plan
                .benefits
                .iter()
                .map(|x| format!("`{}` ({} diseases)", x.name, x.covers.value.len()))
                .collect();
            self.why_not.push(format!(
                "a disease covered by a benefit: {}",
                covered.join(", ")
            ));
            return Break(());
        };
        let ben = plan.benefit(bid);
        let dname = f
            .disease
            .map(|x| plan.diseases.names[x.0 as usize].clone())
            .unwrap_or_default();
        self.b.step(
            "disease",
            Outcome::Pass,
            format!(
                "disease {} ({dname}) is covered by benefit `{}`",
                c.disease, ben.name
            ),
            Some(ben.covers.span),
            &[("benefit", s(&ben.name)), ("disease_name", s(&dname))],
        );
        if let Some(only) = &ben.only_for {
            let causes: Vec<&str> = only.value.iter().map(|c| c.name()).collect();
            let pays = only.value.contains(&c.cause);
            self.b.step(
                "cause",
                if pays { Outcome::Pass } else { Outcome::Fail },
                format!(
                    "benefit `{}` pays only for {}; the claim's cause is {}",
                    ben.name,
                    causes.join(", "),
                    c.cause.name()
                ),
                Some(only.span),
                &[("cause", s(c.cause.name()))],
            );
            if !pays {
                self.why_not
                    .push(format!("a claim caused by {}", causes.join(" or ")));
                return Break(());
            }
        }
        Continue(bid)
    }

    /// The waiting period (5).
    fn waiting(&mut self, bid: BenefitId) -> ControlFlow<()> {
        let (c, r, f) = (self.c, self.decision.reason, &self.decision.facts);
        let d = c.diagnosed_on;
        let ben = self.plan.at(d).benefit(bid);
        // 5. The waiting period.
        let ends = f.waiting_ends.unwrap_or(d);
        let waited = d >= ends;
        let text = if waited {
            format!(
                "diagnosed {d}, on or after the end of the {}-day waiting period on {ends}",
                ben.waiting_days.value
            )
        } else if f.waiting_exempt {
            format!(
                "diagnosed {d}, inside the {}-day waiting period (ends {ends}), but a claim caused by {} is exempt",
                ben.waiting_days.value,
                c.cause.name()
            )
        } else {
            format!(
                "diagnosed {d}, before the {}-day waiting period ends on {ends}",
                ben.waiting_days.value
            )
        };
        self.b.step(
            "waiting_period",
            pass(waited || f.waiting_exempt),
            text,
            Some(ben.waiting_days.span),
            &[
                ("waiting_days", n(ben.waiting_days.value)),
                ("waiting_ends", s(ends)),
                ("exempt", serde_json::Value::Bool(f.waiting_exempt)),
                (
                    "accidents_exempt",
                    serde_json::Value::Bool(ben.exempt.contains(&crate::plan::Cause::Accident)),
                ),
            ],
        );
        if r == Reason::InWaitingPeriod {
            let mut w = format!(
                "covered if diagnosed on or after {ends}, when the {}-day waiting period ends",
                ben.waiting_days.value
            );
            if !ben.exempt.is_empty() {
                let causes: Vec<&str> = ben.exempt.iter().map(|c| c.name()).collect();
                w.push_str(&format!(
                    " (or at once if caused by {})",
                    causes.join(" or ")
                ));
            }
            self.why_not.push(w);
            return Break(());
        }
        Continue(())
    }

    /// The age band (6) of the payout table.
    fn age_band(&mut self, i: usize, bid: BenefitId) -> ControlFlow<()> {
        let f = &self.decision.facts;
        let d = self.c.diagnosed_on;
        let plan = self.plan.at(d);
        let ben = plan.benefit(bid);
        let birth = self.members.birth[i];
        // 6. The age band.
        let (table_owner, table) = payout_table(plan, bid);
        if let Some((basis, bands)) = table {
            let on = f.age_on.unwrap_or(d);
            let age = age_years(birth, on);
            let basis_words = match basis {
                AgeBasis::Diagnosis => format!("at diagnosis on {on}"),
                AgeBasis::Join => format!("at joining on {on}"),
                AgeBasis::TermStart => format!("at the start of the term on {on}"),
            };
            let owner = plan.benefit(table_owner);
            match f.band {
                Some(k) => {
                    let band = &bands[k];
                    self.b.step(
                        "age_band",
                        Outcome::Pass,
                        format!(
                            "age {basis_words}: {}, in the band {} of `{}`: {}",
                            count(u64::from(age), "year"),
                            band.ages,
                            owner.name,
                            band.value
                        ),
                        Some(band.span),
                        &[
                            ("age_on", s(on)),
                            ("age_years", n(age)),
                            ("band", s(band.ages)),
                            ("amount", s(band.value)),
                        ],
                    );
                }
                None => {
                    self.b.step(
                        "age_band",
                        Outcome::Fail,
                        format!(
                            "age {basis_words}: {}, in no band of `{}`",
                            count(u64::from(age), "year"),
                            owner.name
                        ),
                        Some(owner.payout.span),
                        &[("age_on", s(on)), ("age_years", n(age))],
                    );
                    let ranges: Vec<String> = bands.iter().map(|x| x.ages.to_string()).collect();
                    self.why_not.push(format!(
                        "an age {basis_words} within the plan's bands ({})",
                        ranges.join(", ")
                    ));
                    return Break(());
                }
            }
        }
        if let Payout::ShareOf { rate, of } = &ben.payout.value {
            self.b.step(
                "share_of",
                Outcome::Info,
                format!(
                    "`{}` pays {rate} of the `{}` amount, rounded half up to the fen",
                    ben.name,
                    plan.benefit(*of).name
                ),
                Some(ben.payout.span),
                &[("rate", s(rate))],
            );
        }
        Continue(())
    }

    /// The limit (7), then the payout and what it ends.
    fn limit_and_payout(&mut self, bid: BenefitId) -> ControlFlow<()> {
        let (c, f, decision) = (self.c, &self.decision.facts, self.decision);
        let plan = self.plan.at(c.diagnosed_on);
        let ben = plan.benefit(bid);
        // 7. The limit.
        if let Some(limit) = &ben.limit {
            let ok = f.prior_approved < limit.value;
            self.b.step(
                "limit",
                pass(ok),
                format!(
                    "{} earlier approved `{}` claims of the {} allowed",
                    f.prior_approved, ben.name, limit.value
                ),
                Some(limit.span),
                &[
                    ("approved_before", n(f.prior_approved)),
                    ("limit", n(limit.value)),
                ],
            );
            if !ok {
                self.why_not.push(format!(
                    "no more than {} approved `{}` claims per member",
                    limit.value, ben.name
                ));
                return Break(());
            }
        }
        self.b.step(
            "payout",
            Outcome::Pass,
            format!("approved: pays {}", decision.payout),
            Some(ben.payout.span),
            &[("payout", s(decision.payout))],
        );
        if let Some(end) = plan
            .membership
            .ends_on_payout
            .iter()
            .find(|e| e.value == bid)
        {
            self.b.step(
                "ends_membership",
                Outcome::Info,
                format!(
                    "the payout ends the membership on the filing day, {}",
                    c.filed_on
                ),
                Some(end.span),
                &[("ended_on", s(c.filed_on))],
            );
        }
        Continue(())
    }
}

fn finish(
    kind: &'static str,
    subject: String,
    d: &Decision,
    b: Builder,
    why_not: Vec<String>,
) -> Explanation {
    let result = if d.approved() {
        format!("approved: covered, pays {}", d.payout)
    } else {
        format!("denied: {}", d.reason.code())
    };
    Explanation {
        kind,
        subject,
        result,
        steps: b.steps,
        why_not,
    }
}

/// For a claim denied by a benefit rule that has other versions: the
/// versions under which the same claim would have been paid (as far as that
/// rule goes), such as a shorter waiting period before a change.
fn other_versions(
    plan: &Plan,
    members: &Members,
    c: &crate::input::Claim,
    decision: &crate::engine::Decision,
) -> Vec<String> {
    let (Some(m), true) = (decision.facts.member, plan.changes()) else {
        return Vec::new();
    };
    let own = plan.eras.partition_point(|e| e.from <= c.diagnosed_on);
    let mut out = Vec::new();
    for (k, (from, rules)) in std::iter::once((None, plan))
        .chain(plan.eras.iter().map(|e| (Some(e.from), &e.plan)))
        .enumerate()
    {
        if k == own {
            continue;
        }
        if let Some(what) = passes_under(rules, members, m as usize, c, decision) {
            let when = match from {
                Some(d) => format!("had it been diagnosed under the rules in force from {d}"),
                None => format!(
                    "had it been diagnosed under the rules in force before {}",
                    plan.eras[0].from
                ),
            };
            out.push(format!("{when}, {what}"));
        }
    }
    out
}

/// What the rule that denied a claim says under `rules`, when it would let the claim through.
fn passes_under(
    rules: &Plan,
    members: &Members,
    i: usize,
    c: &crate::input::Claim,
    decision: &crate::engine::Decision,
) -> Option<String> {
    let disease = decision.facts.disease?;
    let b = rules.diseases.benefit[disease.0 as usize]?;
    let ben = rules.benefit(b);
    match decision.reason {
        Reason::DiseaseNotCovered => Some(format!("benefit `{}` covered {}", ben.name, c.disease)),
        Reason::CauseNotCovered => ben
            .only_for
            .as_ref()
            .is_none_or(|o| o.value.contains(&c.cause))
            .then(|| format!("benefit `{}` paid for {}", ben.name, c.cause.name())),
        Reason::InWaitingPeriod => {
            let start = members.waiting_start(i);
            let ends = start + chrono::Days::new(u64::from(ben.waiting_days.value));
            (c.diagnosed_on >= ends || ben.exempt.contains(&c.cause)).then(|| {
                format!(
                    "the waiting period was {}, over by {ends}",
                    count(u64::from(ben.waiting_days.value), "day")
                )
            })
        }
        Reason::AgeNotCovered => {
            let (birth, join) = (members.birth[i], members.join[i]);
            crate::engine::payout_amount(rules, b, birth, join, c.diagnosed_on)
                .map(|(amount, _, _)| format!("benefit `{}` would have paid {amount}", ben.name))
        }
        _ => None,
    }
}

/// At most ten items joined with commas, then how many more there are.
fn first_few(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = items[..items.len().min(SHOWN)].join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

/// The cap per calendar year, if the rules of period `p` have one: a step
/// saying what the member was charged before in the year, and what is left.
fn calendar_cap_step(
    b: &mut Builder,
    sh: &crate::plan::Sharing,
    ledger: &Ledger,
    i: usize,
    p: usize,
) -> Option<Money> {
    use chrono::Datelike;
    let rule = sh.calendar_cap.as_ref()?;
    let year = ledger.periods[p].period.end.year();
    let before: Money = (0..p)
        .filter(|&q| ledger.periods[q].period.end.year() == year)
        .map(|q| ledger.charge_of(i as u32, q).unwrap_or_default())
        .sum();
    let left = (rule.value - before).max(Money::ZERO);
    b.step(
        "calendar_cap",
        Outcome::Info,
        format!(
            "cap per calendar year {}: {before} charged before this period in {year}, {left} left",
            rule.value
        ),
        Some(rule.span),
        &[],
    );
    Some(left)
}

/// Why a membership ended on `ended`, and the rule.
/// The cause a membership ended for, as a code in data.
fn end_cause_code(cause: EndCause) -> &'static str {
    match cause {
        EndCause::None => "none",
        EndCause::AgeLimit => "age_limit",
        EndCause::TermNotRenewed => "term_not_renewed",
        EndCause::Payout => "payout",
        EndCause::WaitingRefund => "waiting_refund",
        EndCause::Closed => "closed",
    }
}

fn end_reason(
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

/// The index of the period that holds `date`, or the last period.
pub fn period_index(ledger: &Ledger, date: Option<NaiveDate>) -> Option<usize> {
    match date {
        None => ledger.periods.len().checked_sub(1),
        Some(d) => ledger
            .periods
            .iter()
            .position(|p| p.period.start <= d && d <= p.period.end),
    }
}

/// Explains the charge of the member at input position `i` in period `p`.
pub fn charge(
    plan: &Plan,
    sources: &Sources,
    members: &Members,
    claims: &Claims,
    ledger: &Ledger,
    i: usize,
    p: usize,
) -> Explanation {
    // With a short pool, the shares were computed from the full payouts.
    let shared = ledger.periods[p].as_shared();
    let f = &shared;
    let mut steps = ChargeSteps {
        plan,
        members,
        claims,
        ledger,
        i,
        p,
        f,
        sh: &plan.at(f.period.end).sharing,
        e: f.period.end,
        b: Builder {
            sources,
            steps: Vec::new(),
        },
        why_not: Vec::new(),
    };
    let charge = ledger.charge_of(i as u32, p).unwrap_or_default();
    let subject = format!(
        "charge of member {} in the period {} to {}",
        members.id(i),
        f.period.start,
        f.period.end
    );
    steps.pool();
    if steps.sharing_member() {
        let (weight, year_left) = steps.weight_and_annual_cap();
        let calendar_left = calendar_cap_step(&mut steps.b, steps.sh, ledger, i, p);
        let share = member_share(plan, f, weight, year_left, calendar_left);
        steps.share(&share, weight);
        steps.caps(&share);
        steps.rounding(&share, charge);
        debug_assert!(steps.sh.remainder.value == Remainder::Distributed || share.charge == charge);
    }
    short_pool_step(&mut steps.b, plan, &ledger.periods[p]);
    account::balance_steps(&mut steps.b, plan, members, ledger, i, p);
    Explanation {
        kind: "charge",
        subject,
        result: format!("charged {charge}"),
        steps: steps.b.steps,
        why_not: steps.why_not,
    }
}

/// With a short pool: how much of each payout the period paid.
fn short_pool_step(b: &mut Builder, plan: &Plan, f: &PeriodFigures) {
    let Some(short) = &f.short else {
        return;
    };
    let span = plan
        .at(f.period.end)
        .sharing
        .excess
        .as_ref()
        .map(|e| e.span);
    b.step(
        "short_pool",
        Outcome::Info,
        format!(
            "the caps left {} of the pool {} uncollected: each payout is paid {}/{} of its amount ({} of {}), rounded down to the fen; the fee is {} and the pool {}",
            short.excess.round(crate::ast::RoundingMode::HalfUp),
            short.pool,
            short.ratio.num,
            short.ratio.den,
            f.payouts,
            short.payouts,
            f.fee,
            f.pool
        ),
        span,
        &[
            ("payouts", s(f.payouts)),
            ("full_payouts", s(short.payouts)),
            ("fee", s(f.fee)),
            ("pool", s(f.pool)),
        ],
    );
}

/// The explanation of one member's charge in one period, a step at a time.
struct ChargeSteps<'a> {
    plan: &'a Plan,
    members: &'a Members,
    claims: &'a Claims,
    ledger: &'a Ledger,
    /// The member and the period.
    i: usize,
    p: usize,
    f: &'a PeriodFigures,
    /// The sharing rules in force on the closing day `e`.
    sh: &'a crate::plan::Sharing,
    e: NaiveDate,
    b: Builder<'a>,
    why_not: Vec<String>,
}

impl ChargeSteps<'_> {
    /// The period, its cases, fee and pool, and the surplus carried in.
    fn pool(&mut self) {
        let (ledger, claims, f, sh, e) = (self.ledger, self.claims, self.f, self.sh, self.e);
        self.b.step(
            "period",
            Outcome::Info,
            format!(
                "the period from {} to {}, closing on {e}",
                f.period.start, e
            ),
            Some(sh.calendar.span),
            &[("period_start", s(f.period.start)), ("period_end", s(e))],
        );
        // Cases and pool.
        let cases: Vec<String> = ledger
            .decisions
            .iter()
            .filter(|d| d.approved())
            .map(|d| &claims.all()[d.claim as usize])
            .zip(ledger.decisions.iter().filter(|d| d.approved()))
            .filter(|(c, _)| f.period.start <= c.filed_on && c.filed_on <= e)
            .map(|(c, d)| format!("{} ({})", c.id, d.full_payout.unwrap_or(d.payout)))
            .collect();
        self.b.step(
            "cases",
            Outcome::Info,
            if cases.is_empty() {
                "no approved claim was filed in the period".to_string()
            } else {
                format!(
                    "{} approved claim{} filed in the period: {}; payouts {}",
                    f.cases,
                    if f.cases == 1 { "" } else { "s" },
                    first_few(&cases),
                    f.payouts
                )
            },
            None,
            &[("cases", n(f.cases)), ("payouts", s(f.payouts))],
        );
        self.b.step(
            "fee",
            Outcome::Info,
            format!(
                "fee: {} of {} = {}, rounded half up to the fen; pool {} + {} = {}",
                sh.fee.value, f.payouts, f.fee, f.payouts, f.fee, f.pool
            ),
            Some(sh.fee.span),
            &[("fee", s(f.fee)), ("pool", s(f.pool))],
        );
        self.b.step(
            "carried_in",
            Outcome::Info,
            format!(
                "surplus carried in from the previous period: {}; to collect {} − {} = {}",
                f.carried_in, f.pool, f.carried_in, f.to_collect
            ),
            Some(sh.remainder.span),
            &[
                ("carried_in", s(f.carried_in)),
                ("to_collect", s(f.to_collect)),
            ],
        );
    }

    /// Whether the member shares in the period and there is something to
    /// collect (the steps say which, and why not).
    fn sharing_member(&mut self) -> bool {
        let (plan, members, ledger, claims) = (self.plan, self.members, self.ledger, self.claims);
        let (i, f, e) = (self.i, self.f, self.e);
        let member_id = members.id(i);
        // Is the member sharing?
        let active = ledger.membership.active(members, i, e);
        if !active {
            let (code, day, why) = if !ledger.membership.eligible[i] {
                let why = eligibility::why_ineligible(plan, members, i);
                ("ineligible", members.join[i], why)
            } else if members.join[i] > e {
                let why = format!("joined on {}, after the closing day", members.join[i]);
                ("joined_after", members.join[i], why)
            } else if members.left[i] <= e {
                let why = format!("left on {}, on or before the closing day", members.left[i]);
                ("left", members.left[i], why)
            } else {
                let ended = ledger.membership.end[i];
                let (why, _) = end_reason(plan, ledger, claims, i, ended);
                (
                    "ended",
                    ended,
                    format!("the membership ended on {ended} ({why})"),
                )
            };
            self.b.step(
                "sharing_member",
                Outcome::Fail,
                format!(
                    "member {member_id} was not in force on the closing day {e}: {why}; {} {}",
                    count(f.members, "member"),
                    if f.members == 1 { "shares" } else { "share" }
                ),
                None,
                &[
                    ("members", n(f.members)),
                    ("not_sharing", s(code)),
                    ("since", s(day)),
                    ("why", s(&why)),
                    (
                        "end_cause",
                        s(end_cause_code(ledger.membership.end_cause[i])),
                    ),
                    ("refunded", s(ledger.refunded(i))),
                ],
            );
            return false;
        }
        if account::paused_on_closing_day(&mut self.b, plan, ledger, i, e, f.members) {
            return false;
        }
        self.b.step(
            "sharing_member",
            Outcome::Pass,
            format!(
                "member {member_id} was in force on the closing day {e}, one of {} sharing member{}",
                f.members,
                if f.members == 1 { "" } else { "s" }
            ),
            None,
            &[("members", n(f.members))],
        );
        if f.to_collect.0 <= 0 {
            self.b.step(
                "share",
                Outcome::Info,
                format!("nothing to collect ({}): nobody is charged", f.to_collect),
                None,
                &[],
            );
            return false;
        }
        true
    }

    /// The member's weight in the split, and what is left of its annual cap.
    fn weight_and_annual_cap(&mut self) -> (i128, Option<Money>) {
        let (plan, members, ledger, sh) = (self.plan, self.members, self.ledger, self.sh);
        let (i, p, e) = (self.i, self.p, self.e);
        let (birth, join) = (members.birth[i], members.join[i]);
        let cap = annual_cap(plan, birth, join, e);
        let weight = match sh.split.value {
            SplitKind::Equally => 1i128,
            SplitKind::ByAnnualCap => i128::from(cap.unwrap_or_default().0),
        };
        let mut year_left = None;
        let mut year_before = Money::ZERO;
        if let (Some(cap), Some(rule)) = (cap, &sh.annual_cap) {
            let (k, start) = membership_year(join, e);
            for q in 0..p {
                let pe = ledger.periods[q].period.end;
                if pe >= start && membership_year(join, pe).0 == k {
                    year_before += ledger.charge_of(i as u32, q).unwrap_or_default();
                }
            }
            year_left = Some(cap - year_before);
            let ts = term_start(plan, join, e);
            self.b.step(
                "annual_cap",
                Outcome::Info,
                format!(
                    "annual cap {cap} (age {} at the term start {ts}); membership year from {start}: {year_before} charged before this period, {} left",
                    age_years(birth, ts),
                    cap - year_before
                ),
                Some(rule.span),
                &[("annual_cap", s(cap)), ("year_start", s(start)), ("charged_before", s(year_before))],
            );
        }
        (weight, year_left)
    }

    /// The member's exact share before the caps.
    fn share(&mut self, share: &MemberShare, weight: i128) {
        let (f, sh) = (self.f, self.sh);
        match sh.split.value {
            SplitKind::Equally => self.b.step(
                "share",
                Outcome::Info,
                format!(
                    "equal split: {} / {} = {} CNY ({})",
                    f.to_collect,
                    count(f.members, "member"),
                    share.share.cny(6),
                    fraction_words(share.share)
                ),
                Some(sh.split.span),
                &[("share", s(share.share.cny(6))), ("numerator_fen", s(share.share.reduced().num)), ("denominator", s(share.share.reduced().den))],
            ),
            SplitKind::ByAnnualCap => self.b.step(
                "share",
                Outcome::Info,
                format!(
                    "split in proportion to the annual cap: {} × {} / {} (the sum of the sharing members' caps) = {} CNY ({})",
                    f.to_collect,
                    Money(weight as i64),
                    Money(f.weight_total as i64),
                    share.share.cny(6),
                    fraction_words(share.share)
                ),
                Some(sh.split.span),
                &[("share", s(share.share.cny(6))), ("weight", s(Money(weight as i64))), ("weight_total", s(Money(f.weight_total as i64)))],
            ),
        }
    }

    /// Each cap that applies, and whether it binds.
    fn caps(&mut self, share: &MemberShare) {
        let (f, sh) = (self.f, self.sh);
        // Caps.
        for (kind, limit, rule) in [
            (
                CapKind::PerCase,
                share.case_cap,
                sh.case_cap.as_ref().map(|c| c.span),
            ),
            (
                CapKind::PerCharge,
                share.charge_cap,
                sh.charge_cap.as_ref().map(|c| c.span),
            ),
            (
                CapKind::PerYear,
                share.year_left,
                sh.annual_cap.as_ref().map(|c| c.span),
            ),
            (
                CapKind::PerCalendarYear,
                share.calendar_left,
                sh.calendar_cap.as_ref().map(|c| c.span),
            ),
        ] {
            let Some(limit) = limit else { continue };
            let bound = share.bound == Some(kind);
            let what = match kind {
                CapKind::PerCase => format!(
                    "cap per case: {} × {} = {limit}",
                    sh.case_cap.as_ref().map(|c| c.value).unwrap_or_default(),
                    count(f.cases, "case")
                ),
                CapKind::PerCharge => format!("cap per charge: {limit}"),
                CapKind::PerYear => format!("what is left of the annual cap: {limit}"),
                CapKind::PerCalendarYear => {
                    format!("what is left of the cap per calendar year: {limit}")
                }
            };
            let text = if bound {
                format!(
                    "{what}: it binds, lowering the share from {} to {limit}",
                    share.share.cny(6)
                )
            } else if share.share.le_money(limit) {
                format!("{what}: the share is within it")
            } else {
                format!("{what}: a lower cap binds first")
            };
            self.b.step(
                "cap",
                if bound { Outcome::Fail } else { Outcome::Pass },
                text,
                rule,
                &[
                    ("cap", s(limit)),
                    ("binds", serde_json::Value::Bool(bound)),
                    ("kind", s(kind.code())),
                    ("share_before_cap", s(share.share.cny(6))),
                ],
            );
            if bound {
                self.why_not.push(format!(
                    "without this cap the share would have been {} CNY",
                    share.share.cny(6)
                ));
            }
        }
    }

    /// The rounding of the capped share, and where the period's remainder went.
    fn rounding(&mut self, share: &MemberShare, charge: Money) {
        let (f, sh) = (self.f, self.sh);
        // Rounding.
        let mode = sh.rounding.value;
        let words = match mode {
            RoundingMode::Up => "up",
            RoundingMode::HalfUp => "half up",
            RoundingMode::Down => "down",
        };
        match sh.remainder.value {
            Remainder::Distributed => {
                let floor = share.capped.round(RoundingMode::Down);
                self.b.step(
                    "rounding",
                    Outcome::Info,
                    format!(
                        "{} rounded down to {floor}; the period's total (Σ capped shares rounded {words}) is reached by giving one more fen to the members with the largest remainders: {}",
                        share.capped.cny(6),
                        if charge != floor { "this member gets one" } else { "not this member" }
                    ),
                    Some(sh.rounding.span),
                    &[("rounded", s(floor)), ("charge", s(charge))],
                );
            }
            _ => self.b.step(
                "rounding",
                Outcome::Info,
                format!(
                    "{} rounded {words} to the fen: {}",
                    share.capped.cny(6),
                    share.charge
                ),
                Some(sh.rounding.span),
                &[("charge", s(share.charge))],
            ),
        }
        let remainder_text = match sh.remainder.value {
            Remainder::Carried => format!(
                "the period charged {} in all; the operator bears the excess over the caps, {}; the surplus {} is carried into the next period",
                f.charged, f.operator_borne, f.carried_out
            ),
            Remainder::Operator => format!(
                "the period charged {} in all; the operator bears {}",
                f.charged, f.operator_borne
            ),
            Remainder::Distributed => format!(
                "the period charged {} in all; the operator bears {}",
                f.charged, f.operator_borne
            ),
        };
        self.b.step(
            "remainder",
            Outcome::Info,
            remainder_text,
            Some(sh.remainder.span),
            &[
                ("charged", s(f.charged)),
                ("operator_borne", s(f.operator_borne)),
                ("carried_out", s(f.carried_out)),
            ],
        );
    }
}

/// `330000.00 / 23000000 = 0.014347…`: the exact fraction in lowest terms, in fen.
fn fraction_words(f: Fraction) -> String {
    let r = f.reduced();
    if r.den == 1 {
        format!("exactly {} fen", r.num)
    } else {
        format!("exactly {}/{} fen", r.num, r.den)
    }
}

/// The figures of a period, for callers that want them alongside an explanation.
pub fn period_figures(ledger: &Ledger, p: usize) -> &PeriodFigures {
    &ledger.periods[p]
}

/// Renders an explanation as a tree; colour only when asked. Text from the
/// plan and the data files is shown with its control characters written visibly.
pub fn render_human(e: &Explanation, color: bool) -> String {
    let mut out = String::new();
    let paint = |text: &str, o: Outcome| -> String {
        if !color {
            return text.to_string();
        }
        match o {
            Outcome::Pass => text.green().to_string(),
            Outcome::Fail => text.red().to_string(),
            Outcome::Info => text.to_string(),
        }
    };
    let head = format!("{}: {}", escape(&e.subject), escape(&e.result));
    out.push_str(&if color { head.bold().to_string() } else { head });
    out.push('\n');
    for (k, step) in e.steps.iter().enumerate() {
        let last = k + 1 == e.steps.len();
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let mark = match step.outcome {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Info => "·",
        };
        out.push_str(branch);
        out.push_str(&paint(mark, step.outcome));
        out.push(' ');
        out.push_str(&escape(&step.text));
        out.push('\n');
        if let Some(rule) = &step.rule {
            let cite = format!(
                "{}:{}  {}",
                escape(&rule.file),
                rule.line,
                escape(&rule.text)
            );
            out.push_str(cont);
            out.push_str("  ");
            out.push_str(&if color {
                cite.dimmed().to_string()
            } else {
                cite
            });
            out.push('\n');
        }
    }
    for w in &e.why_not {
        out.push_str("why not: ");
        out.push_str(&escape(w));
        out.push('\n');
    }
    out
}

/// Runs the plan as `explain` needs: following the charges of `member`
/// only, or, where no member is named (a claim is explained), deciding the
/// claims without sharing the periods.
pub fn run_for_explain(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    payments: &crate::input::Payments,
    until: NaiveDate,
    member: Option<u32>,
) -> Result<Ledger, engine::EngineError> {
    // With accounts, a claim's decision depends on the charges before it.
    let options = engine::RunOptions {
        track: member,
        share: member.is_some() || engine::has_accounts(plan),
        ..engine::RunOptions::new(until)
    };
    engine::run_with_payments(plan, members, claims, payments, options)
}
