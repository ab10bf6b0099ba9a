//! `check`: from the AST to a checked `Plan`, reporting every problem at once.
//!
//! One module per family of checks: `values` (units, decimals, dates),
//! `structure` (what goes in which section, what is missing or repeated),
//! `diseases` (lists, codes, what each benefit covers), `bands` (age tables),
//! `viability`. The checker goes on after a problem wherever it can, so a
//! designer sees every mistake of a file in one run.

mod account;
mod bands;
mod diseases;
mod examples;
mod sharing;
mod structure;
mod values;
mod versions;
mod viability;

use crate::ast::{self, Header, PlanFile, Section, StatementKind};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::plan::*;
use crate::source::Span;
use chrono::NaiveDate;

pub(crate) struct Checker<'a> {
    diags: Diagnostics,
    files: &'a [PlanFile],
    /// Diseases the `covers` lines named so far (see `diseases::MAX_COVERED`).
    covered: u64,
}

impl Checker<'_> {
    pub(crate) fn push(&mut self, d: Diagnostic) {
        // "no `fee` line" is noise when the `fee` line is there but did not parse.
        if d.code == "E104"
            && let Some(word) = d
                .label
                .strip_prefix("no `")
                .and_then(|l| l.split(['`', ' ']).next())
            && self
                .files
                .iter()
                .any(|f| f.broken.iter().any(|b| b == word))
        {
            return;
        }
        self.diags.push(d);
    }
}

/// Checks a plan file and the files it includes (`files[0]` is the plan).
/// Returns the plan when there is no error, and every diagnostic found.
pub fn check(files: &[PlanFile]) -> (Option<Plan>, Diagnostics) {
    let mut c = Checker::new(files);
    let changes = c.versions();
    let launched = c.launch_day();
    let mut diags = c.diags;
    let plan = if changes.is_empty() {
        plan_of(files, &mut diags)
    } else {
        timeline(files, &changes, launched, &mut diags)
    };
    diags.sort();
    let plan = if diags.has_errors() { None } else { plan };
    (plan, diags)
}

/// The plan of files whose statements are all in force together.
fn plan_of(files: &[PlanFile], diags: &mut Diagnostics) -> Option<Plan> {
    let mut c = Checker::new(files);
    let plan = c.plan();
    diags.extend(c.diags);
    plan
}

/// A plan whose rules change on `changes`: each stretch of days between two
/// changes is checked as a plan of the statements in force then; the first
/// is the plan, the others its eras.
fn timeline(
    files: &[PlanFile],
    changes: &[NaiveDate],
    launched: Option<NaiveDate>,
    diags: &mut Diagnostics,
) -> Option<Plan> {
    let on = |day: Option<NaiveDate>| -> Vec<PlanFile> {
        files
            .iter()
            .map(|f| {
                // A rule the plan needs that has no version on the day is
                // reported once, by E114, not as missing (E104) from each era.
                let mut broken = f.broken.clone();
                let sections = f
                    .sections
                    .iter()
                    .map(|s| Section {
                        statements: s
                            .statements
                            .iter()
                            .filter(|st| {
                                let kept = versions::in_force_before_launch(s, st, day, launched);
                                if !kept
                                    && let Some(key) = versions::required(s, &st.kind)
                                    && key != "covers"
                                {
                                    broken.extend(key.split(' ').next().map(str::to_string));
                                }
                                kept
                            })
                            .cloned()
                            .collect(),
                        ..s.clone()
                    })
                    .collect();
                PlanFile {
                    sections,
                    broken,
                    ..f.clone()
                }
            })
            .collect()
    };
    let base = plan_of(&on(None), diags);
    let mut eras = Vec::with_capacity(changes.len());
    for &day in changes {
        let era = plan_of(&on(Some(day)), diags);
        eras.push(era.map(|mut p| {
            p.examples.clear();
            Era { from: day, plan: p }
        }));
    }
    let mut base = base?;
    base.eras = eras.into_iter().collect::<Option<Vec<Era>>>()?;
    Some(base)
}

impl<'a> Checker<'a> {
    fn new(files: &'a [PlanFile]) -> Checker<'a> {
        Checker {
            diags: Diagnostics::default(),
            files,
            covered: 0,
        }
    }
}

/// The statement `kind` of a section, if written (the first one).
fn find<'s, T>(
    section: &'s Section,
    pick: impl Fn(&'s StatementKind) -> Option<T>,
) -> Option<(T, Span, &'s ast::Statement)> {
    section
        .statements
        .iter()
        .find_map(|s| pick(&s.kind).map(|t| (t, s.span, s)))
}

impl<'a> Checker<'a> {
    fn sections(&self) -> impl Iterator<Item = &'a Section> + use<'a> {
        let files: &'a [PlanFile] = self.files;
        files.iter().flat_map(|f| f.sections.iter())
    }

    fn plan(&mut self) -> Option<Plan> {
        self.structure();
        let files: &'a [PlanFile] = self.files;
        let main = &files[0];
        let header = main
            .sections
            .iter()
            .find(|s| matches!(s.header.node, Header::Plan { .. }));
        let Some(header) = header else {
            self.no_plan_header(main);
            return None;
        };
        let Header::Plan { id } = &header.header.node else {
            return None;
        };
        let header_span = header.header.span;

        let title = find(header, |k| match k {
            StatementKind::Title(t) => Some(t.node.clone()),
            _ => None,
        })
        .map(|t| t.0);
        let operator = find(header, |k| match k {
            StatementKind::Operator(t) => Some(t.node.clone()),
            _ => None,
        })
        .map(|t| t.0);
        let currency = self.currency(header, header_span);
        let launched = self.launched(header, header_span);

        let benefit_sections: Vec<&Section> = self
            .sections()
            .filter(|s| matches!(s.header.node, Header::Benefit { .. }))
            .collect();
        let benefit_names: Vec<(String, Span)> = benefit_sections
            .iter()
            .filter_map(|s| match &s.header.node {
                Header::Benefit { name, .. } => Some((name.node.clone(), name.span)),
                _ => None,
            })
            .collect();
        let diseases = self.diseases(&benefit_sections);
        let membership = self.membership(header_span, &benefit_names);
        let benefits = self.benefits(
            &benefit_sections,
            &benefit_names,
            &diseases,
            membership.as_ref(),
        );
        let sharing = self.sharing(header_span, membership.as_ref());
        let account = self.account();
        let minimum_members = self.minimum();
        let examples = self.examples();

        if benefit_sections.is_empty() {
            self.push(
                Diagnostic::error("E104", header_span, "the plan has no benefit")
                    .label("no `benefit` section")
                    .help("add a section such as `benefit critical` with `covers`, `waiting` and `payout`"),
            );
        }

        let plan = Plan {
            id: id.node.clone(),
            title,
            operator,
            currency: currency?,
            launched: launched?,
            membership: membership?,
            benefits: benefits?,
            diseases: diseases?,
            sharing: sharing?,
            account: match account {
                None => None,
                Some(a) => Some(a?),
            },
            minimum_members,
            examples,
            span: header_span,
            closure: self.closure(header),
            eras: Vec::new(),
        };
        self.viability(&plan);
        Some(plan)
    }

    /// A file without a `plan` header: an error, unless it is empty (one
    /// error) or holds disease lists only (they are checked).
    fn no_plan_header(&mut self, main: &PlanFile) {
        if main.sections.iter().any(|s| {
            !matches!(
                s.header.node,
                Header::Diseases { .. } | Header::Include { .. }
            )
        }) {
            let first = &main.sections[0].header;
            self.push(
            Diagnostic::error("E104", first.span, "the file has no `plan` header")
                .label("the plan should start before this")
                .help("start the file with `plan NAME`, followed by `launched YYYY-MM-DD` and `currency CNY`"),
        );
        } else if main.sections.is_empty() {
            // An empty file: nothing to check, nothing wrong beyond being empty.
            let span = Span::new(main.file, 0, 0);
            self.push(
                Diagnostic::error("E104", span, "the file is empty")
                    .label("nothing here")
                    .help("a plan starts with `plan NAME`; see grammar/README.md"),
            );
        } else {
            // A file of disease lists only: check the lists, there is no plan.
            self.diseases(&[]);
        }
    }

    /// `currency CNY`, the only currency.
    fn currency(&mut self, header: &Section, header_span: Span) -> Option<String> {
        match find(header, |k| match k {
            StatementKind::Currency(c) => Some(c),
            _ => None,
        }) {
            Some((c, _, _)) if c.node == "CNY" => Some("CNY".to_string()),
            Some((c, _, _)) => {
                self.push(
                    Diagnostic::error(
                        "E310",
                        c.span,
                        format!("`{}` is not a supported currency", c.node),
                    )
                    .label("unsupported currency")
                    .help("plans are written in `CNY`, counted to the fen"),
                );
                None
            }
            None => {
                self.push(
                    Diagnostic::error("E104", header_span, "the plan does not say its currency")
                        .label("no `currency` line")
                        .help("add `currency CNY` under the plan header"),
                );
                None
            }
        }
    }

    /// `launched DATE`.
    fn launched(&mut self, header: &Section, header_span: Span) -> Option<Cited<NaiveDate>> {
        match find(header, |k| match k {
            StatementKind::Launched(d) => Some(d),
            _ => None,
        }) {
            Some((d, span, _)) => self.date(d, "the launch date").map(|v| Cited::new(v, span)),
            None => {
                self.push(
                Diagnostic::error("E104", header_span, "the plan does not say when it launched")
                    .label("no `launched` line")
                    .help("add `launched YYYY-MM-DD`: sharing starts with the period that holds that day"),
            );
                None
            }
        }
    }

    /// `closes DATE, claims within N days`, under the plan header.
    fn closure(&mut self, header: &Section) -> Option<Cited<Closure>> {
        let ((date, window), span, _) = find(header, |k| match k {
            StatementKind::PlanCloses { date, window } => Some((date, window)),
            _ => None,
        })?;
        let on = self.date(date, "the day the plan closes")?;
        let window_days = match window {
            Some(q) => self.days(q, "the claim window")?,
            None => 0,
        };
        Some(Cited::new(Closure { on, window_days }, span))
    }

    /// Resolves a benefit name, reporting an unknown one.
    fn benefit_ref(&mut self, name: &ast::Name, benefits: &[(String, Span)]) -> Option<BenefitId> {
        if let Some(i) = benefits.iter().position(|(n, _)| *n == name.node) {
            return Some(BenefitId(i as u16));
        }
        let mut d = Diagnostic::error(
            "E200",
            name.span,
            format!("there is no benefit named `{}`", name.node),
        )
        .label("unknown benefit");
        d = match did_you_mean(&name.node, benefits.iter().map(|(n, _)| n.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")).fix(name.span, s),
            None if benefits.is_empty() => d.help("declare it with a `benefit NAME` section"),
            None => d.help(format!("the plan's benefits are {}", listed(benefits))),
        };
        self.push(d);
        None
    }

    fn section(&self, pick: fn(&Header) -> bool) -> Option<&'a Section> {
        let files: &'a [PlanFile] = self.files;
        files[0].sections.iter().find(|s| pick(&s.header.node))
    }

    fn membership(&mut self, header_span: Span, benefits: &[(String, Span)]) -> Option<Membership> {
        let Some(section) = self.section(|h| matches!(h, Header::Membership)) else {
            self.push(
                Diagnostic::error("E104", header_span, "the plan has no `membership` section")
                    .label("who may join is not said")
                    .help("add `membership` with at least `join ages 30 days to 59 years`"),
            );
            return None;
        };
        let join = match find(section, |k| match k {
            StatementKind::Join(r) => Some(r),
            _ => None,
        }) {
            Some((r, span, _)) => self.age_range(r, "a join age").map(|v| Cited::new(v, span)),
            None => {
                self.push(
                    Diagnostic::error(
                        "E104",
                        section.header.span,
                        "the membership does not say who may join",
                    )
                    .label("no `join ages` line")
                    .help("add `join ages 30 days to 59 years`"),
                );
                None
            }
        };
        let requirement = find(section, |k| match k {
            StatementKind::Requires(c) => Some(c),
            _ => None,
        })
        .map(|(c, span, _)| Cited::new(requirement(c), span));
        let prepayment = match find(section, |k| match k {
            StatementKind::Pays(a) => Some(a),
            _ => None,
        }) {
            None => None,
            Some((amount, span, stmt)) => {
                let domain = join.as_ref().map(|j| j.value);
                self.schedule(
                    amount,
                    stmt,
                    "the payment at join",
                    domain,
                    &[ast::AgeBasis::Join],
                )
                .map(|s| Cited::new(s, span))
            }
        };
        let ends_at_age = find(section, |k| match k {
            StatementKind::EndsAtAge(q) => Some(q),
            _ => None,
        })
        .and_then(|(q, span, _)| {
            self.age(q, "the age at which membership ends")
                .map(|a| Cited::new(a, span))
        });
        let term = find(section, |k| match k {
            StatementKind::Term {
                length,
                renew_up_to,
            } => Some((length, renew_up_to)),
            _ => None,
        })
        .and_then(|((length, renew), span, _)| {
            let years = self.years(length, "a term");
            let renew_up_to = match renew {
                Some(q) => Some(self.age(q, "the renewal age")?),
                None => None,
            };
            if years == Some(0) {
                self.push(
                    Diagnostic::error("E307", length.span, "a term cannot be zero years")
                        .label("zero")
                        .help("write `term 1 year`"),
                );
                return None;
            }
            Some(Cited::new(
                Term {
                    years: years?,
                    renew_up_to,
                },
                span,
            ))
        });
        let mut ends_on_payout = Vec::new();
        for s in &section.statements {
            if let StatementKind::EndsOnPayout(name) = &s.kind
                && let Some(id) = self.benefit_ref(name, benefits)
            {
                ends_on_payout.push(Cited::new(id, s.span));
            }
        }
        Some(Membership {
            join: join?,
            requirement,
            prepayment,
            ends_at_age,
            term,
            ends_on_payout,
        })
    }

    /// A fixed amount or a table by age.
    fn schedule(
        &mut self,
        amount: &ast::Amount,
        stmt: &ast::Statement,
        what: &str,
        domain: Option<crate::age::AgeRange>,
        bases: &[ast::AgeBasis],
    ) -> Option<Schedule> {
        match amount {
            ast::Amount::Fixed(q) => self.money(q, what).map(Schedule::Fixed),
            ast::Amount::ByAge(basis) => {
                if !bases.contains(&basis.node) {
                    let allowed: Vec<String> = bases
                        .iter()
                        .map(|b| format!("`by age at {}`", b.words()))
                        .collect();
                    self.push(
                        Diagnostic::error(
                            "E306",
                            basis.span,
                            format!(
                                "{what} cannot be looked up by age at {}",
                                basis.node.words()
                            ),
                        )
                        .label("not available here")
                        .help(format!("write {}", allowed.join(" or "))),
                    );
                    return None;
                }
                let bands = self.bands(stmt, what, domain)?;
                Some(Schedule::ByAge {
                    basis: basis.node,
                    bands,
                })
            }
            ast::Amount::ShareOf { percent, .. } => {
                self.push(
                    Diagnostic::error(
                        "E306",
                        percent.span,
                        format!("{what} cannot be a share of a benefit"),
                    )
                    .label("only a payout can be a share of another")
                    .help("write an amount such as `9 CNY`, or a table `by age at ...`"),
                );
                None
            }
        }
    }

    /// `only for accident`: the causes a benefit pays for.
    fn only_for(&mut self, section: &Section) -> Option<Cited<Vec<Cause>>> {
        let (names, span, _) = find(section, |k| match k {
            StatementKind::OnlyFor(names) => Some(names),
            _ => None,
        })?;
        let mut causes = Vec::new();
        for n in names {
            match Cause::parse(&n.node) {
                Some(c) => causes.push(c),
                None => self.push(
                    Diagnostic::error("E308", n.span, format!("`{}` is not a cause", n.node))
                        .label("unknown cause")
                        .help(
                            "a claim's cause is `illness` or `accident`: write `only for accident`",
                        ),
                ),
            }
        }
        Some(Cited::new(causes, span))
    }

    fn benefits(
        &mut self,
        sections: &[&Section],
        names: &[(String, Span)],
        diseases: &Option<Diseases>,
        membership: Option<&Membership>,
    ) -> Option<Vec<Benefit>> {
        let mut out = Vec::new();
        let mut ok = true;
        let domain = membership.map(|m| {
            let mut d = m.join.value;
            if let Some(t) = &m.term
                && let Some(r) = t.value.renew_up_to
                && r.approx_days() > d.to.approx_days()
            {
                d.to = r;
            }
            d
        });
        for (i, section) in sections.iter().enumerate() {
            let Header::Benefit { name, title } = &section.header.node else {
                continue;
            };
            let covers = diseases
                .as_ref()
                .map(|d| Cited::new(d.covered_by(BenefitId(i as u16)), section.header.span));
            let (waiting_days, exempt) = self.waiting(section);
            let payout = self.payout(section, i, &name.node, names, domain);
            let limit = self.limit(section);
            if !section
                .statements
                .iter()
                .any(|s| matches!(s.kind, StatementKind::Covers(_)))
            {
                self.push(
                    Diagnostic::error("E104", section.header.span, format!("benefit `{}` does not say which diseases it covers", name.node))
                        .label("no `covers` line")
                        .help("add `covers critical_illnesses` (a disease list) or `covers CI001 to CI028`"),
                );
                ok = false;
            }
            let only_for = self.only_for(section);
            let waiting_refund = find(section, |k| {
                matches!(k, StatementKind::WaitingRefund).then_some(())
            })
            .map(|(_, span, _)| span);
            match (covers, waiting_days, payout) {
                (Some(covers), Some(waiting_days), Some(payout)) => out.push(Benefit {
                    name: name.node.clone(),
                    title: title.as_ref().map(|t| t.node.clone()),
                    span: section.header.span,
                    covers,
                    waiting_days,
                    exempt,
                    payout,
                    limit,
                    only_for,
                    waiting_refund,
                }),
                _ => ok = false,
            }
        }
        ok &= self.no_share_of_a_share(&out);
        ok.then_some(out)
    }

    /// `waiting N days, except CAUSE`: the days and the exempt causes (no
    /// waiting when absent).
    fn waiting(&mut self, section: &Section) -> (Option<Cited<u32>>, Vec<Cause>) {
        let waiting = find(section, |k| match k {
            StatementKind::Waiting { period, except } => Some((period, except)),
            _ => None,
        });
        match waiting {
            Some(((period, except), span, _)) => {
                let days = self
                    .days(period, "a waiting period")
                    .map(|d| Cited::new(d, span));
                let mut exempt = Vec::new();
                for e in except {
                    match Cause::parse(&e.node) {
                        Some(c) => exempt.push(c),
                        None => {
                            let mut d = Diagnostic::error(
                                "E206",
                                e.span,
                                format!("`{}` is not a cause of a claim", e.node),
                            )
                            .label("unknown cause");
                            d = match did_you_mean(&e.node, ["accident", "illness"]) {
                            Some(s) => d.help(format!("did you mean `{s}`? Claims are caused by `illness` or `accident`")).fix(e.span, s),
                            None => d.help("claims are caused by `illness` or `accident`"),
                        };
                            self.push(d);
                        }
                    }
                }
                (days, exempt)
            }
            None => (Some(Cited::new(0, section.header.span)), Vec::new()),
        }
    }

    /// The `payout` of benefit `i`, named `name`: an amount, a table by age,
    /// or a share of another benefit.
    fn payout(
        &mut self,
        section: &Section,
        i: usize,
        name: &str,
        names: &[(String, Span)],
        domain: Option<crate::age::AgeRange>,
    ) -> Option<Cited<Payout>> {
        match find(section, |k| match k {
            StatementKind::Payout(a) => Some(a),
            _ => None,
        }) {
            None => {
                self.push(
                Diagnostic::error("E104", section.header.span, format!("benefit `{name}` does not say what it pays"))
                    .label("no `payout` line")
                    .help("add `payout 300_000 CNY`, `payout by age at diagnosis` with a table, or `payout 10% of critical`"),
            );
                None
            }
            Some((ast::Amount::ShareOf { percent, of }, span, _)) => {
                let rate = self.percent(percent, "a payout share");
                let target = self.benefit_ref(of, names);
                if target == Some(BenefitId(i as u16)) {
                    self.push(
                        Diagnostic::error(
                            "E208",
                            of.span,
                            "a benefit cannot pay a share of itself",
                        )
                        .label("refers to itself")
                        .help("name another benefit, such as `payout 10% of critical`"),
                    );
                    None
                } else {
                    match (rate, target) {
                        (Some(rate), Some(of)) => {
                            Some(Cited::new(Payout::ShareOf { rate, of }, span))
                        }
                        _ => None,
                    }
                }
            }
            Some((amount, span, stmt)) => self
                .schedule(
                    amount,
                    stmt,
                    "a payout",
                    domain,
                    &[
                        ast::AgeBasis::Diagnosis,
                        ast::AgeBasis::TermStart,
                        ast::AgeBasis::Join,
                    ],
                )
                .map(|s| {
                    Cited::new(
                        match s {
                            Schedule::Fixed(m) => Payout::Fixed(m),
                            Schedule::ByAge { basis, bands } => Payout::ByAge { basis, bands },
                        },
                        span,
                    )
                }),
        }
    }

    /// `limit N per member`, at least 1.
    fn limit(&mut self, section: &Section) -> Option<Cited<u32>> {
        find(section, |k| match k {
            StatementKind::Limit(n) => Some(n),
            _ => None,
        })
        .and_then(|(n, span, _)| {
            let v = self.count(n, "a limit of payouts", 1_000_000)?;
            if v == 0 {
                self.push(
                    Diagnostic::error(
                        "E307",
                        n.span,
                        "a limit of zero payouts means the benefit never pays",
                    )
                    .label("zero")
                    .help("write `limit 1 per member`, or remove the benefit"),
                );
                return None;
            }
            Some(Cited::new(v as u32, span))
        })
    }

    /// A share of a benefit that is itself a share is refused: one level only.
    fn no_share_of_a_share(&mut self, out: &[Benefit]) -> bool {
        let mut ok = true;
        for b in out {
            if let Payout::ShareOf { of, .. } = b.payout.value
                && let Some(target) = out.get(of.0 as usize)
                && matches!(target.payout.value, Payout::ShareOf { .. })
            {
                self.push(
                    Diagnostic::error(
                        "E208",
                        b.payout.span,
                        format!(
                            "`{}` pays a share of `{}`, which is itself a share",
                            b.name, target.name
                        ),
                    )
                    .label("a share of a share")
                    .help("name a benefit whose payout is an amount or a table by age"),
                );
                ok = false;
            }
        }
        ok
    }

    fn minimum(&mut self) -> Option<Cited<u64>> {
        let section = self.section(|h| matches!(h, Header::Viability))?;
        let (n, span, _) = find(section, |k| match k {
            StatementKind::Minimum(n) => Some(n),
            _ => None,
        })?;
        self.count(n, "a minimum number of members", 10_000_000_000)
            .map(|v| Cited::new(v, span))
    }
}

/// The names of the first few benefits, for a message: `a`, `b`, `c`, … (12 in all).
fn listed(benefits: &[(String, Span)]) -> String {
    const SHOWN: usize = 10;
    let mut names: Vec<String> = benefits
        .iter()
        .take(SHOWN)
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    if benefits.len() > SHOWN {
        names.push(format!("… ({} in all)", benefits.len()));
    }
    names.join(", ")
}

fn requirement(c: &ast::Condition) -> Requirement {
    match c {
        ast::Condition::Or(v) => Requirement::Any(v.iter().map(requirement).collect()),
        ast::Condition::And(v) => Requirement::All(v.iter().map(requirement).collect()),
        ast::Condition::Not(c) => Requirement::Not(Box::new(requirement(c))),
        ast::Condition::Compare {
            attribute,
            op,
            value,
        } => Requirement::Compare {
            attribute: attribute.node.clone(),
            op: op.node,
            value: match &value.node {
                ast::Value::Number(n) => number_literal(n),
                ast::Value::Text(t) | ast::Value::Date(t) | ast::Value::Word(t) => {
                    Literal::Text(t.clone())
                }
            },
        },
    }
}

/// A decimal literal, exact: `650` → 650 × 10^0, `0.5` → 5 × 10^-1.
pub(crate) fn number_literal(text: &str) -> Literal {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    match crate::input::parse_decimal(&clean) {
        Some((scaled, scale)) => Literal::Number {
            scaled,
            scale,
            text: clean,
        },
        None => Literal::Text(clean),
    }
}
