//! `mutual test`: runs the examples written in plans, reports each failed
//! expectation as expected against actual, and what the examples covered:
//! which reasons, benefits, age bands and caps they exercised, and which
//! none did.

use crate::engine::{self, Ledger, Reason, RunOptions};
use crate::input::{Claim, Claims, Members, evaluate};
use crate::money::Money;
use crate::plan::{BenefitId, Example, ExampleClaim, Payout, Plan, Schedule, Target};
use crate::source::{Sources, Span};
use crate::terminal_text::escape;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

pub mod json;
pub mod junit;
pub mod report;

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub target: String,
    pub expected: String,
    pub actual: String,
    pub span: Span,
}

/// The outcome of one example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleResult {
    pub title: String,
    pub span: Span,
    pub expectations: usize,
    pub failures: Vec<Failure>,
    /// The example could not run at all (bad data), with why.
    pub error: Option<String>,
}

impl ExampleResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.error.is_none()
    }
}

/// What a plan's examples exercised.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub reasons: BTreeSet<Reason>,
    pub benefits_paid: BTreeSet<BenefitId>,
    /// (benefit owning the table, band index)
    pub payout_bands: BTreeSet<(BenefitId, usize)>,
    pub prepayment_bands: BTreeSet<usize>,
    pub annual_cap_bands: BTreeSet<usize>,
    pub caps: engine::CapsBound,
    /// The versions of the rules (0: those before the first change, k: the
    /// plan's era k − 1) under which a member joined, a claim was
    /// diagnosed or a period closed.
    pub versions: BTreeSet<usize>,
}

/// Finds an example's members by id: single members, and `PREFIXk` in a cohort.
#[derive(Default)]
struct Ids {
    single: HashMap<String, u32>,
    cohorts: Vec<(String, u32, u64)>,
}

impl Ids {
    fn get(&self, id: &str) -> Option<u32> {
        if let Some(&i) = self.single.get(id) {
            return Some(i);
        }
        self.cohorts.iter().find_map(|(prefix, start, count)| {
            let k: u64 = id.strip_prefix(prefix.as_str())?.parse().ok()?;
            (k < *count).then(|| start + k as u32)
        })
    }
}

/// A member's `waiting_from=YYYY-MM-DD`, if given.
fn waiting_from(em: &crate::plan::ExampleMember) -> Result<Option<chrono::NaiveDate>, String> {
    let Some((_, v)) = em.attributes.iter().find(|(k, _)| k == "waiting_from") else {
        return Ok(None);
    };
    crate::input::parse_iso_date(v.as_bytes())
        .map(Some)
        .ok_or_else(|| format!("member `{}`: `waiting_from` is not a date", em.id))
}

/// Builds an example's members and claims.
fn data(plan: &Plan, ex: &Example) -> Result<(Members, Claims, Ids), String> {
    let mut m = Members::default();
    let mut ids = Ids::default();
    let requirement_of = |join| {
        plan.at(join)
            .membership
            .requirement
            .as_ref()
            .map(|r| &r.value)
    };
    let claims: Vec<Claim> = ex.claims.iter().flat_map(ExampleClaim::claims).collect();
    let referenced: std::collections::HashSet<&str> =
        claims.iter().map(|c| c.member_id.as_str()).collect();
    for em in &ex.members {
        let requirement = requirement_of(em.join);
        let names: Vec<&str> = requirement.map(|r| r.attributes()).unwrap_or_default();
        let values: Vec<&str> = names
            .iter()
            .map(|n| {
                em.attributes
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            })
            .collect();
        let meets = match requirement {
            Some(r) => evaluate(r, &names, &values)
                .map_err(|(_, msg)| format!("member `{}`: {msg}", em.id))?,
            None => true,
        };
        let first = m.len();
        match em.count {
            None => {
                ids.single.insert(em.id.clone(), m.len() as u32);
                m.push(&em.id, em.birth, em.join, em.left, meets);
            }
            Some(count) => {
                ids.cohorts.push((em.id.clone(), m.len() as u32, count));
                m.push_cohort(&em.id, count as usize, em.birth, em.join, em.left, meets);
            }
        }
        if let Some(day) = waiting_from(em)? {
            m.waiting_from
                .extend((first..m.len()).map(|i| (i as u32, day)));
        }
    }
    // Members of a cohort that claims name are findable by id.
    for id in referenced {
        if !ids.single.contains_key(id)
            && let Some(i) = ids.get(id)
        {
            m.index.insert(id.into(), i);
        }
    }
    let claims = Claims::new(claims);
    Ok((m, claims, ids))
}

/// The top-ups of an example, each by a member of the example, on or after its join date.
fn payments(ex: &Example, members: &Members, ids: &Ids) -> Result<crate::input::Payments, String> {
    let mut rows = Vec::with_capacity(ex.payments.len());
    for p in &ex.payments {
        let Some(i) = ids.get(&p.member) else {
            return Err(format!(
                "a payment names member `{}`, which the example does not have",
                p.member
            ));
        };
        let join = members.join[i as usize];
        if p.date < join {
            return Err(format!(
                "member `{}` pays on {}, before joining on {join}",
                p.member, p.date
            ));
        }
        rows.push(crate::input::TopUp::new(i, p.date, p.amount.0));
    }
    Ok(crate::input::Payments::new(members.len(), rows))
}

/// An example's data and the ledger the plan makes of it.
pub struct ExampleRun {
    pub members: Members,
    pub claims: Claims,
    pub payments: crate::input::Payments,
    pub ledger: Ledger,
    ids: Ids,
}

impl ExampleRun {
    /// The input position of a member of the example, by id.
    pub fn member(&self, id: &str) -> Option<u32> {
        self.ids.get(id)
    }
}

/// Builds an example's members and claims and runs the plan over them, charges kept.
pub fn run_data(plan: &Plan, ex: &Example) -> Result<ExampleRun, String> {
    let (members, claims, ids) = data(plan, ex)?;
    let payments = payments(ex, &members, &ids)?;
    let options = RunOptions {
        keep_charges: true,
        ..RunOptions::new(ex.as_of)
    };
    let ledger = engine::run_with_payments(plan, &members, &claims, &payments, options)
        .map_err(|e| e.to_string())?;
    Ok(ExampleRun {
        members,
        claims,
        payments,
        ledger,
        ids,
    })
}

/// Runs one example; adds what it exercised to `coverage`.
pub fn run_example(plan: &Plan, ex: &Example, coverage: &mut Coverage) -> ExampleResult {
    match run_data(plan, ex) {
        Ok(run) => judge(plan, ex, &run, coverage),
        Err(e) => ExampleResult {
            title: ex.title.clone(),
            span: ex.span,
            expectations: ex.expects.len(),
            failures: Vec::new(),
            error: Some(e),
        },
    }
}

/// Holds an example's expectations against what the plan made of its data;
/// adds what it exercised to `coverage`.
pub fn judge(
    plan: &Plan,
    ex: &Example,
    run: &ExampleRun,
    coverage: &mut Coverage,
) -> ExampleResult {
    let mut result = ExampleResult {
        title: ex.title.clone(),
        span: ex.span,
        expectations: ex.expects.len(),
        failures: Vec::new(),
        error: None,
    };
    let ExampleRun {
        members,
        claims,
        ledger,
        ids,
        ..
    } = run;
    cover(plan, members, ledger, coverage);
    cover_versions(plan, members, claims, ledger, coverage);
    for x in &ex.expects {
        let actual = actual(plan, members, claims, ledger, ids, &x.target);
        if actual != x.expected {
            result.failures.push(Failure {
                target: x.target.to_string(),
                expected: x.expected.clone(),
                actual,
                span: x.span,
            });
        }
    }
    result
}

/// The actual value of an expectation's target, as the output files would show it.
fn actual(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    ledger: &Ledger,
    ids: &Ids,
    t: &Target,
) -> String {
    match t {
        Target::Claim { id, field } => {
            let Some(d) = ledger
                .decisions
                .iter()
                .find(|d| claims.all()[d.claim as usize].id == *id)
            else {
                return "(no such claim decided)".into();
            };
            match field.as_str() {
                "decision" => (if d.approved() { "approved" } else { "denied" }).into(),
                "reason" => d.reason.code().into(),
                "payout" => d.payout.to_string(),
                "full_payout" => d.full_payout.unwrap_or(d.payout).to_string(),
                _ => d
                    .facts
                    .benefit
                    .map(|b| plan.benefit(b).name.clone())
                    .unwrap_or_default(),
            }
        }
        Target::Period { date, field } => {
            let Some(f) = ledger
                .periods
                .iter()
                .find(|p| p.period.start <= *date && *date <= p.period.end)
            else {
                return "(no period holds that day)".into();
            };
            match field.as_str() {
                "period_start" => f.period.start.to_string(),
                "period_end" => f.period.end.to_string(),
                "cases" => f.cases.to_string(),
                "payouts" => f.payouts.to_string(),
                "fee" => f.fee.to_string(),
                "pool" => f.pool.to_string(),
                "carried_in" => f.carried_in.to_string(),
                "members" => f.members.to_string(),
                "charged" => f.charged.to_string(),
                "operator_borne" => f.operator_borne.to_string(),
                "refunded" => f.refunded.to_string(),
                _ => f.carried_out.to_string(),
            }
        }
        Target::Member { id, field } => {
            let Some(i) = ids.get(id) else {
                return "(no such member)".into();
            };
            let i = i as usize;
            match field.as_str() {
                "status" => ledger.status(members, i).name().into(),
                "prepaid" => ledger.prepaid(members, i).to_string(),
                "charged" => ledger.charged(i).to_string(),
                "paid_out" => ledger.paid_out(i).to_string(),
                "refunded" => ledger.refunded(i).to_string(),
                "topped_up" => ledger.topped_up(i).to_string(),
                "fees" => ledger.fees(i).to_string(),
                _ => ledger.balance(members, i).to_string(),
            }
        }
        Target::Charge { date, member } => {
            let Some(i) = ids.get(member) else {
                return "(no such member)".into();
            };
            let Some(p) = ledger
                .periods
                .iter()
                .position(|p| p.period.start <= *date && *date <= p.period.end)
            else {
                return "(no period holds that day)".into();
            };
            ledger.charge_of(i, p).unwrap_or(Money::ZERO).to_string()
        }
    }
}

/// The versions of the rules the example's joins, diagnoses and closing days fell under.
fn cover_versions(
    plan: &Plan,
    members: &Members,
    claims: &Claims,
    ledger: &Ledger,
    c: &mut Coverage,
) {
    if !plan.changes() {
        return;
    }
    let version = |d: chrono::NaiveDate| plan.eras.partition_point(|e| e.from <= d);
    for d in &ledger.decisions {
        c.versions
            .insert(version(claims.all()[d.claim as usize].diagnosed_on));
    }
    c.versions
        .extend(ledger.periods.iter().map(|f| version(f.period.end)));
    c.versions.extend(members.join.iter().map(|&j| version(j)));
}

fn cover(plan: &Plan, members: &Members, ledger: &Ledger, c: &mut Coverage) {
    for d in &ledger.decisions {
        c.reasons.insert(d.reason);
        if d.approved()
            && let Some(b) = d.facts.benefit
        {
            c.benefits_paid.insert(b);
            if let (owner, Some(_)) = engine::payout_table(plan, b)
                && let Some(k) = d.facts.band
            {
                c.payout_bands.insert((owner, k));
            }
        }
    }
    for f in &ledger.periods {
        c.caps = c.caps.or(f.caps_bound);
    }
    if let Some(Schedule::ByAge { bands, .. }) =
        plan.membership.prepayment.as_ref().map(|p| &p.value)
    {
        for i in 0..members.len() {
            if ledger.membership.eligible[i]
                && let Some(k) = bands
                    .iter()
                    .position(|b| b.ages.contains(members.birth[i], members.join[i]))
            {
                c.prepayment_bands.insert(k);
            }
        }
    }
    if let Some(Schedule::ByAge { bands, .. }) = plan.sharing.annual_cap.as_ref().map(|p| &p.value)
    {
        for (p, f) in ledger.periods.iter().enumerate() {
            ledger.for_each_charge(p, |i, _| {
                let iu = i as usize;
                let cap =
                    engine::annual_cap(plan, members.birth[iu], members.join[iu], f.period.end);
                if let Some(k) = bands.iter().position(|b| {
                    Some(b.value) == cap && {
                        let ts = engine::term_start(plan, members.join[iu], f.period.end);
                        b.ages.contains(members.birth[iu], ts)
                    }
                }) {
                    c.annual_cap_bands.insert(k);
                }
            });
        }
    }
}

/// Whether some benefit, in some era, pays for one cause only.
fn can_exclude_causes(plan: &Plan) -> bool {
    std::iter::once(plan)
        .chain(plan.eras.iter().map(|e| &e.plan))
        .any(|p| p.benefits.iter().any(|b| b.only_for.is_some()))
}

/// Whether some version of the plan pauses members below a minimum balance.
fn can_pause(plan: &Plan) -> bool {
    std::iter::once(plan)
        .chain(plan.eras.iter().map(|e| &e.plan))
        .any(|p| p.account.as_ref().is_some_and(|a| a.minimum.is_some()))
}

/// The coverage report of a plan's examples: what was exercised and what was not.
pub fn render_coverage(plan: &Plan, c: &Coverage) -> String {
    let mut out = String::new();
    let mark = |hit: bool| if hit { "✓" } else { "✗" };
    // A plan without a benefit for one cause never gives `cause_not_covered`,
    // nor one without a minimum balance `paused`.
    let possible: Vec<Reason> = Reason::ALL
        .into_iter()
        .filter(|r| *r != Reason::CauseNotCovered || can_exclude_causes(plan))
        .filter(|r| *r != Reason::Paused || can_pause(plan))
        .collect();
    let (hit, missed): (Vec<Reason>, Vec<Reason>) =
        possible.iter().partition(|r| c.reasons.contains(r));
    let names = |v: &[Reason]| v.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out, "  reasons: {}/{} exercised", hit.len(), possible.len());
    if !missed.is_empty() {
        let _ = writeln!(out, "    never: {}", names(&missed));
    }
    for (k, b) in plan.benefits.iter().enumerate() {
        let id = BenefitId(k as u16);
        let _ = writeln!(
            out,
            "  {} benefit {}: {}",
            mark(c.benefits_paid.contains(&id)),
            escape(&b.name),
            if c.benefits_paid.contains(&id) {
                "paid"
            } else {
                "never paid"
            }
        );
        if let Payout::ByAge { bands, .. } = &b.payout.value {
            for (j, band) in bands.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    {} payout band {}: {}",
                    mark(c.payout_bands.contains(&(id, j))),
                    band.ages,
                    band.value
                );
            }
        }
    }
    if let Some(Schedule::ByAge { bands, .. }) =
        plan.membership.prepayment.as_ref().map(|p| &p.value)
    {
        for (j, band) in bands.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {} prepayment band {}: {}",
                mark(c.prepayment_bands.contains(&j)),
                band.ages,
                band.value
            );
        }
    }
    let sh = &plan.sharing;
    for (present, bound, what) in [
        (sh.case_cap.is_some(), c.caps.per_case, "cap per case"),
        (sh.charge_cap.is_some(), c.caps.per_charge, "cap per charge"),
    ] {
        if present {
            let binds = if bound { "binds" } else { "never binds" };
            let _ = writeln!(out, "  {} {what} {binds}", mark(bound));
        }
    }
    if let Some(cap) = &sh.annual_cap {
        let _ = writeln!(
            out,
            "  {} cap per year {}",
            mark(c.caps.per_year),
            if c.caps.per_year {
                "binds"
            } else {
                "never binds"
            }
        );
        if let Schedule::ByAge { bands, .. } = &cap.value {
            for (j, band) in bands.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "    {} annual cap band {}: {}",
                    mark(c.annual_cap_bands.contains(&j)),
                    band.ages,
                    band.value
                );
            }
        }
    }
    let calendar_cap = std::iter::once(plan)
        .chain(plan.eras.iter().map(|e| &e.plan))
        .any(|p| p.sharing.calendar_cap.is_some());
    if calendar_cap {
        let bound = c.caps.per_calendar_year;
        let binds = if bound { "binds" } else { "never binds" };
        let _ = writeln!(out, "  {} cap per calendar year {binds}", mark(bound));
    }
    render_versions(&mut out, plan, c);
    out
}

/// Which versions of the rules the examples ran under.
fn render_versions(out: &mut String, plan: &Plan, c: &Coverage) {
    if !plan.changes() {
        return;
    }
    let mark = |k: usize| {
        if c.versions.contains(&k) {
            "✓"
        } else {
            "✗"
        }
    };
    let _ = writeln!(
        out,
        "  versions: {}/{} exercised",
        c.versions.len(),
        plan.eras.len() + 1
    );
    let _ = writeln!(
        out,
        "    {} the rules before {}",
        mark(0),
        plan.eras[0].from
    );
    for (k, e) in plan.eras.iter().enumerate() {
        let _ = writeln!(out, "    {} the rules from {}", mark(k + 1), e.from);
    }
}

/// Renders the results of one plan's examples, failures as expected against
/// actual. Text from the plan is shown with its control characters written
/// visibly: a title cannot clear the screen or pass for `ok`.
pub fn render_results(sources: &Sources, results: &[ExampleResult]) -> String {
    let mut out = String::new();
    for r in results {
        let title = escape(&r.title);
        if r.passed() {
            let expectations = crate::words::count(r.expectations as u64, "expectation");
            let _ = writeln!(out, "  ok    {title} ({expectations})");
            continue;
        }
        let _ = writeln!(out, "  FAIL  {title}  ({})", sources.cite(r.span));
        if let Some(e) = &r.error {
            let _ = writeln!(out, "        the example cannot run: {}", escape(e));
        }
        for f in &r.failures {
            let file = sources.get(f.span.file);
            let (line, _) = file.line_col(f.span.start as usize);
            let text = escape(file.line_text(line).trim());
            let _ = writeln!(out, "        {}:{line}  {text}", file.name);
            let _ = writeln!(out, "          expected: {}", escape(&f.expected));
            let _ = writeln!(out, "            actual: {}", escape(&f.actual));
        }
    }
    out
}

/// The whole run as text: each plan's results and coverage, then the totals.
pub fn render_text(run: &report::TestRun) -> String {
    let mut out = String::new();
    for p in &run.plans {
        match &p.outcome {
            report::PlanOutcome::DoesNotCheck(_) => {
                let _ = writeln!(out, "{}: does not check", p.file);
            }
            report::PlanOutcome::NoExamples => {
                let _ = writeln!(out, "{}: no examples", p.file);
            }
            report::PlanOutcome::Ran {
                results,
                coverage,
                plan,
            } => {
                let _ = writeln!(out, "{}", p.file);
                out.push_str(&render_results(&p.sources, results));
                let _ = writeln!(out, "coverage of {}:", p.file);
                out.push_str(&render_coverage(plan, coverage));
            }
        }
    }
    let t = run.totals();
    let _ = writeln!(out, "examples: {} passed, {} failed", t.passed, t.failed);
    if t.broken > 0 {
        let _ = writeln!(
            out,
            "{} did not check",
            crate::words::count(t.broken as u64, "plan")
        );
    }
    out
}
