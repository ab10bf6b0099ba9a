//! A charge's explanation: the period's pool, whether the member shared,
//! the weight, the share, the caps, the rounding and the remainder.

use super::ending::{end_cause_code, end_reason};
use super::*;

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
