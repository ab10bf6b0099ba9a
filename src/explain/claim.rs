//! A claim's explanation: one step per rule, in the order the rules apply,
//! and what would have let a denied claim through.

use super::ending::end_reason;
use super::*;

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
