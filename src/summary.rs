//! A canonical text summary of a checked plan, for snapshot tests and review.
//!
//! `summarize` prints what `check` made of a plan, not what the designer
//! wrote: units resolved, money in CNY with two decimals (`300000.00`), band
//! tables sorted, benefits and diseases resolved by name. The output is
//! deterministic (no hash-map order, no spans), one fact per line, indented
//! two spaces under its section and four under its table, so that a diff of
//! two summaries shows exactly which rule changed.

use crate::age::Age;
use crate::ast::{AgeBasis, SplitKind};
use crate::money::Money;
use crate::period::CloseDay;
use crate::plan::{Band, Literal, Payout, Plan, Requirement, Schedule};
use std::fmt::Write;

/// The summary of a checked plan: one line per fact, sections in a fixed order.
#[must_use]
pub fn summarize(plan: &Plan) -> String {
    let mut out = rules(plan);
    versions(&mut out, plan);
    out
}

/// The rules of one era, in the summary's form.
fn rules(plan: &Plan) -> String {
    let mut out = String::new();
    header(&mut out, plan);
    membership(&mut out, plan);
    for b in &plan.benefits {
        benefit(&mut out, plan, b);
    }
    let _ = writeln!(out, "diseases");
    let _ = writeln!(out, "  codes: {}", plan.diseases.codes.len());
    sharing(&mut out, plan);
    account(&mut out, plan);
    if plan.minimum_members.is_some() || plan.members_needed().is_some() {
        let _ = writeln!(out, "viability");
        if let Some(min) = &plan.minimum_members {
            let _ = writeln!(out, "  minimum members: {}", min.value);
        }
        if let Some(n) = plan.members_needed() {
            let _ = writeln!(out, "  members needed: {n}");
        }
    }
    out
}

/// The days on which a plan's rules change, each with what changes, for
/// `mutual check` (empty for a plan whose rules never change).
pub fn changes(plan: &Plan) -> String {
    let mut out = String::new();
    versions(&mut out, plan);
    let mut text: String = out.lines().skip(1).map(|l| format!("{l}\n")).collect();
    if let Some(c) = &plan.closure {
        text.push_str(&format!(
            "  closes on {}: claims within {}\n",
            c.value.on,
            days(c.value.window_days)
        ));
    }
    text
}

/// Where rules change over time: for each day of change, the summary lines
/// that the change gives, under the section they belong to.
fn versions(out: &mut String, plan: &Plan) {
    if plan.eras.is_empty() {
        return;
    }
    let _ = writeln!(out, "versions");
    let mut before = rules(plan);
    for era in &plan.eras {
        let now = rules(&era.plan);
        let _ = writeln!(out, "  from {}:", era.from);
        for line in changed_lines(&before, &now) {
            let _ = writeln!(out, "    {line}");
        }
        before = now;
    }
}

/// The lines of `now` not in `before`, each prefixed with its section.
fn changed_lines(before: &str, now: &str) -> Vec<String> {
    let in_section = |text: &str| -> Vec<String> {
        let mut section = "";
        let mut out = Vec::new();
        for l in text.lines() {
            if l.starts_with(' ') {
                out.push(format!("{section} › {}", l.trim()));
            } else {
                section = l;
            }
        }
        out
    };
    let old = in_section(before);
    let mut out: Vec<String> = in_section(now)
        .into_iter()
        .filter(|l| !old.contains(l))
        .collect();
    if out.is_empty() {
        out.push("(the same rules)".to_string());
    }
    out
}

fn header(out: &mut String, plan: &Plan) {
    let _ = writeln!(out, "plan {}", plan.id);
    let _ = writeln!(
        out,
        "  title: {}",
        plan.title.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(
        out,
        "  operator: {}",
        plan.operator.as_deref().unwrap_or("(none)")
    );
    let _ = writeln!(out, "  currency: {}", plan.currency);
    let _ = writeln!(out, "  launched: {}", plan.launched.value);
    if let Some(c) = &plan.closure {
        let _ = writeln!(
            out,
            "  closes: {}, claims within {}",
            c.value.on,
            days(c.value.window_days)
        );
    }
}

fn membership(out: &mut String, plan: &Plan) {
    let m = &plan.membership;
    let _ = writeln!(out, "membership");
    let _ = writeln!(out, "  join ages: {}", m.join.value);
    match &m.requirement {
        Some(r) => {
            let _ = writeln!(out, "  requires: {}", requirement(&r.value, 0));
        }
        None => {
            let _ = writeln!(out, "  requires: (nothing)");
        }
    }
    match &m.prepayment {
        Some(s) => schedule(out, "pays at join", &s.value),
        None => {
            let _ = writeln!(out, "  pays at join: (nothing)");
        }
    }
    match &m.ends_at_age {
        Some(a) => {
            let _ = writeln!(out, "  ends at age: {}", a.value);
        }
        None => {
            let _ = writeln!(out, "  ends at age: (never)");
        }
    }
    match &m.term {
        Some(t) => {
            let mut s = years(t.value.years);
            if let Some(r) = t.value.renew_up_to {
                let _ = write!(s, ", renewed while age <= {r}");
            }
            let _ = writeln!(out, "  term: {s}");
        }
        None => {
            let _ = writeln!(out, "  term: (none)");
        }
    }
    if m.ends_on_payout.is_empty() {
        let _ = writeln!(out, "  ends on payout of: (none)");
    } else {
        let names: Vec<&str> = m
            .ends_on_payout
            .iter()
            .map(|b| plan.benefit(b.value).name.as_str())
            .collect();
        let _ = writeln!(out, "  ends on payout of: {}", names.join(", "));
    }
}

fn benefit(out: &mut String, plan: &Plan, b: &crate::plan::Benefit) {
    let _ = writeln!(out, "benefit {}", b.name);
    let _ = writeln!(out, "  title: {}", b.title.as_deref().unwrap_or("(none)"));
    let covers = &b.covers.value;
    let code = |i: usize| plan.diseases.codes[covers[i].0 as usize].as_str();
    match covers.len() {
        0 => {
            let _ = writeln!(out, "  covers: 0 diseases");
        }
        1 => {
            let _ = writeln!(out, "  covers: 1 disease, {}", code(0));
        }
        n => {
            let _ = writeln!(
                out,
                "  covers: {n} diseases, {} to {}",
                code(0),
                code(n - 1)
            );
        }
    }
    let _ = writeln!(out, "  waiting: {}", days(b.waiting_days.value));
    if b.waiting_refund.is_some() {
        let _ = writeln!(
            out,
            "  in waiting: ends the membership, refunds the charges"
        );
    }
    if let Some(only) = &b.only_for {
        let causes: Vec<&str> = only.value.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "  only for: {}", causes.join(", "));
    }
    if b.exempt.is_empty() {
        let _ = writeln!(out, "  exempt from waiting: (none)");
    } else {
        let causes: Vec<&str> = b.exempt.iter().map(|c| c.name()).collect();
        let _ = writeln!(out, "  exempt from waiting: {}", causes.join(", "));
    }
    match &b.payout.value {
        Payout::Fixed(m) => {
            let _ = writeln!(out, "  payout: {m}");
        }
        Payout::ByAge { basis, bands: bs } => {
            let _ = writeln!(out, "  payout: by age at {}", basis.words());
            bands(out, bs);
        }
        Payout::ShareOf { rate, of } => {
            let _ = writeln!(out, "  payout: {rate} of {}", plan.benefit(*of).name);
        }
    }
    match &b.limit {
        Some(l) => {
            let _ = writeln!(out, "  limit: {} per member", l.value);
        }
        None => {
            let _ = writeln!(out, "  limit: (none)");
        }
    }
}

fn sharing(out: &mut String, plan: &Plan) {
    let s = &plan.sharing;
    let _ = writeln!(out, "sharing");
    let closes: Vec<String> = s
        .calendar
        .value
        .days()
        .iter()
        .map(|d| match d {
            CloseDay::Day(n) => n.to_string(),
            CloseDay::Last => "last".to_string(),
        })
        .collect();
    let _ = writeln!(out, "  closes on days: {}", closes.join(", "));
    let _ = writeln!(out, "  fee: {} of payouts", s.fee.value);
    let _ = writeln!(
        out,
        "  split: {}",
        match s.split.value {
            SplitKind::Equally => "equally",
            SplitKind::ByAnnualCap => "in proportion to annual cap",
        }
    );
    let _ = writeln!(
        out,
        "  cap per case: {}",
        optional_money(s.case_cap.as_ref())
    );
    let _ = writeln!(
        out,
        "  cap per charge: {}",
        optional_money(s.charge_cap.as_ref())
    );
    match &s.annual_cap {
        Some(c) => schedule(out, "cap per year", &c.value),
        None => {
            let _ = writeln!(out, "  cap per year: (none)");
        }
    }
    if let Some(c) = &s.calendar_cap {
        let _ = writeln!(out, "  cap per calendar year: {}", c.value);
    }
    let _ = writeln!(out, "  rounding: {}", s.rounding.value.words());
    let _ = writeln!(out, "  remainder: {}", s.remainder.value.words());
    let _ = writeln!(
        out,
        "  excess: {}",
        match &s.excess {
            Some(e) => e.value.words(),
            None => "borne by operator (not written)",
        }
    );
}

fn account(out: &mut String, plan: &Plan) {
    let Some(a) = &plan.account else {
        return;
    };
    let _ = writeln!(out, "account");
    let _ = writeln!(
        out,
        "  minimum balance: {}",
        optional_money(a.minimum.as_ref())
    );
    if a.minimum.is_some() {
        let _ = writeln!(
            out,
            "  resumes the day after a top-up: {}",
            if a.resume_with_waiting() {
                "with a new waiting period"
            } else {
                "without a new waiting period"
            }
        );
    }
    match &a.fee {
        Some(f) => {
            let _ = writeln!(
                out,
                "  fee: {} per {}{}",
                f.value.amount,
                f.value.every.words(),
                if f.value.inactive_only {
                    ", on accounts without active membership"
                } else {
                    ", on every account"
                }
            );
        }
        None => {
            let _ = writeln!(out, "  fee: (none)");
        }
    }
}

fn optional_money(m: Option<&crate::plan::Cited<Money>>) -> String {
    m.map_or_else(|| "(none)".to_string(), |c| c.value.to_string())
}

/// `  what: 9.00`, or `  what: by age at join` followed by its bands.
fn schedule(out: &mut String, what: &str, s: &Schedule) {
    match s {
        Schedule::Fixed(m) => {
            let _ = writeln!(out, "  {what}: {m}");
        }
        Schedule::ByAge { basis, bands: bs } => {
            let _ = writeln!(out, "  {what}: {}", by_age(*basis));
            bands(out, bs);
        }
    }
}

fn by_age(basis: AgeBasis) -> String {
    format!("by age at {}", basis.words())
}

fn bands(out: &mut String, bands: &[Band<Money>]) {
    for b in bands {
        let _ = writeln!(out, "    {}: {}", b.ages, b.value);
    }
}

fn days(n: u32) -> String {
    Age::days(n).to_string()
}

fn years(n: u32) -> String {
    Age::years(n).to_string()
}

/// A requirement as text; `parent` is the precedence of the enclosing operator
/// (or 1, and 2, not 3), so parentheses appear only where they are needed.
/// A requirement as the plan writes it: `credit_score >= 650 and age < 60`.
pub fn requirement_text(r: &Requirement) -> String {
    requirement(r, 0)
}

fn requirement(r: &Requirement, parent: u8) -> String {
    let (s, own) = match r {
        Requirement::Any(v) => (
            v.iter()
                .map(|r| requirement(r, 1))
                .collect::<Vec<_>>()
                .join(" or "),
            1,
        ),
        Requirement::All(v) => (
            v.iter()
                .map(|r| requirement(r, 2))
                .collect::<Vec<_>>()
                .join(" and "),
            2,
        ),
        Requirement::Not(r) => (format!("not {}", requirement(r, 3)), 3),
        Requirement::Compare {
            attribute,
            op,
            value,
        } => {
            let v = match value {
                Literal::Number { text, .. } => text.clone(),
                Literal::Text(t) => format!("\"{t}\""),
            };
            (format!("{attribute} {} {v}", op.symbol()), 4)
        }
    };
    if own < parent { format!("({s})") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Sources};

    const PLAN: &str = r#"plan tiny
  title "小计划"
  currency CNY
  launched 2019-01-01

diseases main "主要"
  CI001 "甲"
  CI002 "乙"
  CI003 "丙"

membership
  join ages 30 days to 59 years
  requires not (region = "HK" or region = "MO") and score >= 6.5
  pays at join by age at join
    30 days to 39 years: 9 CNY
    40 years to 59 years: 19.5 CNY
  term 1 year, renewed while age <= 60 years
  ends on payout of critical

benefit critical "重大疾病"
  covers CI001 to CI002
  waiting 90 days, except accident
  payout by age at diagnosis
    30 days to 39 years: 300_000 CNY
    40 years to 60 years: 100_000 CNY
  limit 1 per member

benefit minor
  covers CI003
  waiting 0 days
  payout 10% of critical

sharing
  closes on days 20, 6 and last
  fee 8.5% of payouts
  split equally
  cap 0.10 CNY per case
  rounding half up, remainder distributed

viability
  minimum 3_300_000 members
"#;

    fn plan(text: &str) -> Plan {
        let mut sources = Sources::new();
        let id = sources.add(SourceFile::new("tiny.plan", "tiny.plan", text.to_string()));
        let (file, diags) = crate::syntax::parse_file(id, sources.get(id));
        assert!(diags.items.is_empty(), "{diags:?}");
        let (plan, diags) = crate::check::check(&[file]);
        assert!(!diags.has_errors(), "{diags:?}");
        plan.expect("the plan checks")
    }

    #[test]
    fn summarizes_every_part_of_a_plan() {
        let p = plan(PLAN);
        let s = summarize(&p);
        let expected = "\
plan tiny
  title: 小计划
  operator: (none)
  currency: CNY
  launched: 2019-01-01
membership
  join ages: 30 days to 59 years
  requires: not (region = \"HK\" or region = \"MO\") and score >= 6.5
  pays at join: by age at join
    30 days to 39 years: 9.00
    40 years to 59 years: 19.50
  ends at age: (never)
  term: 1 year, renewed while age <= 60 years
  ends on payout of: critical
benefit critical
  title: 重大疾病
  covers: 2 diseases, CI001 to CI002
  waiting: 90 days
  exempt from waiting: accident
  payout: by age at diagnosis
    30 days to 39 years: 300000.00
    40 years to 60 years: 100000.00
  limit: 1 per member
benefit minor
  title: (none)
  covers: 1 disease, CI003
  waiting: 0 days
  exempt from waiting: (none)
  payout: 10% of critical
  limit: (none)
diseases
  codes: 3
sharing
  closes on days: 6, 20, last
  fee: 8.5% of payouts
  split: equally
  cap per case: 0.10
  cap per charge: (none)
  cap per year: (none)
  rounding: half up
  remainder: distributed
  excess: borne by operator (not written)
viability
  minimum members: 3300000
  members needed: 3255000
";
        assert_eq!(s, expected);
        // Deterministic: the same plan always gives the same text.
        assert_eq!(summarize(&plan(PLAN)), s);
    }
}
