//! Examples written in a plan: members, claims, an `as of` date and the
//! figures expected. Checked like the rest of the plan; run by `mutual test`.

use super::Checker;
use crate::ast::{Field, Header, Section, StatementKind, Value};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::engine::Reason;
use crate::input::{Claim, parse_iso_date};
use crate::money::Money;
use crate::plan::{
    CLAIM_FIELDS, Cause, Example, ExampleClaim, ExampleMember, ExamplePayment, Expectation,
    MAX_EXAMPLE_CLAIMS, MAX_EXAMPLE_CREATED, MEMBER_FIELDS, PERIOD_FIELDS, Target, claim_count,
    member_count,
};
use crate::source::Span;

const REASONS: [Reason; 12] = Reason::ALL;

/// What the lines of an example give, while they are read.
struct Lines {
    ok: bool,
    as_of: Option<NaiveDate>,
    members: Vec<ExampleMember>,
    claims: Vec<ExampleClaim>,
    payments: Vec<ExamplePayment>,
    expects: Vec<Expectation>,
    /// Member ids and claim ids so far, to report one written twice.
    ids: HashSet<String>,
    claim_ids: HashSet<String>,
}

impl Default for Lines {
    fn default() -> Lines {
        Lines {
            ok: true,
            as_of: None,
            members: Vec::new(),
            claims: Vec::new(),
            payments: Vec::new(),
            expects: Vec::new(),
            ids: HashSet::new(),
            claim_ids: HashSet::new(),
        }
    }
}
use chrono::NaiveDate;
use std::collections::HashSet;

const MEMBER_COLUMNS: [&str; 3] = ["birth_date", "join_date", "left_date"];
const CLAIM_COLUMNS: [&str; 6] = [
    "member_id",
    "disease",
    "diagnosed_on",
    "filed_on",
    "benefit",
    "cause",
];

/// `25000000` → `25,000,000`
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// `1 member`, `25,000,000 members`
fn counted(n: u64, what: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {what}{s}", grouped(n))
}

fn text_of(v: &Value) -> &str {
    match v {
        Value::Text(s) | Value::Number(s) | Value::Date(s) | Value::Word(s) => s,
    }
}

impl Checker<'_> {
    pub(super) fn examples(&mut self) -> Vec<Example> {
        let files = self.files;
        let mut out = Vec::new();
        for section in files[0].sections.iter() {
            let Header::Example { title } = &section.header.node else {
                continue;
            };
            if let Some(e) = self.example(section, &title.node) {
                out.push(e);
            }
        }
        out
    }

    fn field_date(&mut self, f: &Field, required_what: &str) -> Option<NaiveDate> {
        let raw = text_of(&f.value.node);
        match parse_iso_date(raw.as_bytes()) {
            Some(d) => Some(d),
            None => {
                self.push(
                    Diagnostic::error(
                        "E305",
                        f.value.span,
                        format!("`{raw}` is not a date in the calendar"),
                    )
                    .label("not a date")
                    .help(format!(
                        "{required_what} is a date written YYYY-MM-DD, such as `2019-01-28`"
                    )),
                );
                None
            }
        }
    }

    fn missing_field(&mut self, span: Span, what: &str, field: &str, example: &str) {
        self.push(
            Diagnostic::error("E501", span, format!("{what} has no `{field}`"))
                .label(format!("no `{field}=`"))
                .help(format!("add `{field}={example}`")),
        );
    }

    fn example(&mut self, section: &Section, title: &str) -> Option<Example> {
        let mut lines = Lines::default();
        for stmt in &section.statements {
            match &stmt.kind {
                StatementKind::AsOf(d) => {
                    lines.as_of = self.date(d, "the example's date");
                    lines.ok &= lines.as_of.is_some();
                }
                StatementKind::Member { name, fields } => {
                    self.member_line(&mut lines, stmt.span, name, None, fields)
                }
                StatementKind::Members {
                    prefix,
                    count,
                    fields,
                } => match self.count(count, "a number of members", 1_000_000_000) {
                    Some(n) => self.member_line(&mut lines, stmt.span, prefix, Some(n), fields),
                    None => lines.ok = false,
                },
                StatementKind::Claims {
                    prefix,
                    count,
                    fields,
                } => self.claims_line(&mut lines, stmt.span, prefix, count, fields),
                StatementKind::Claim { name, fields } => {
                    self.claim_line(&mut lines, stmt.span, name, fields)
                }
                StatementKind::Payment { member, fields } => {
                    match self.example_payment(stmt.span, &member.node, fields) {
                        Some(p) => lines.payments.push(p),
                        None => lines.ok = false,
                    }
                }
                StatementKind::Expect { target, value } => {
                    match self.expectation(target, text_of(&value.node), value.span) {
                        Some(target) => lines.expects.push(Expectation {
                            target,
                            expected: text_of(&value.node).to_string(),
                            span: stmt.span,
                        }),
                        None => lines.ok = false,
                    }
                }
                _ => {}
            }
        }
        self.example_complete(section, title, lines)
    }

    /// `member ID …` or `members PREFIX COUNT …`.
    fn member_line(
        &mut self,
        lines: &mut Lines,
        span: Span,
        name: &crate::ast::Name,
        count: Option<u64>,
        fields: &[Field],
    ) {
        if !lines.ids.insert(name.node.clone()) {
            self.written_twice("member", name);
            lines.ok = false;
        }
        match self.example_member(span, &name.node, count, fields) {
            Some(m) => lines.members.push(m),
            None => lines.ok = false,
        }
    }

    /// `claims PREFIX COUNT …`: claim k of the group is made by member k of
    /// the group of members it names.
    fn claims_line(
        &mut self,
        lines: &mut Lines,
        span: Span,
        prefix: &crate::ast::Name,
        count: &crate::ast::Spanned<String>,
        fields: &[Field],
    ) {
        let n = self.count(count, "a number of claims", MAX_EXAMPLE_CLAIMS);
        let claim = n.and_then(|_| self.example_claim(span, &prefix.node, fields));
        let (Some(n), Some(claim)) = (n, claim) else {
            lines.ok = false;
            return;
        };
        let by_member_group = lines
            .members
            .iter()
            .any(|m: &ExampleMember| m.count.is_some() && m.id == claim.member_id);
        lines.claims.push(ExampleClaim {
            claim,
            count: Some(n),
            by_member_group,
        });
    }

    /// `claim ID …`.
    fn claim_line(
        &mut self,
        lines: &mut Lines,
        span: Span,
        name: &crate::ast::Name,
        fields: &[Field],
    ) {
        if !lines.claim_ids.insert(name.node.clone()) {
            self.written_twice("claim", name);
            lines.ok = false;
        }
        match self.example_claim(span, &name.node, fields) {
            Some(claim) => lines.claims.push(ExampleClaim {
                claim,
                count: None,
                by_member_group: false,
            }),
            None => lines.ok = false,
        }
    }

    /// A member or claim id written twice in one example.
    fn written_twice(&mut self, kind: &str, name: &crate::ast::Name) {
        self.push(
            Diagnostic::error(
                "E503",
                name.span,
                format!("{kind} `{}` is written twice in this example", name.node),
            )
            .label("written again")
            .help(format!("give each {kind} of an example its own id")),
        );
    }

    /// The example the lines make, once it has what every example needs.
    fn example_complete(
        &mut self,
        section: &Section,
        title: &str,
        lines: Lines,
    ) -> Option<Example> {
        let mut ok = lines.ok;
        ok &= self.example_size(section, &lines.members, &lines.claims);
        if lines.as_of.is_none() && ok {
            self.push(
                Diagnostic::error(
                    "E501",
                    section.header.span,
                    format!("example \"{title}\" has no `as of` date"),
                )
                .label("no `as of` line")
                .help("add `as of YYYY-MM-DD`: the example runs as `mutual run --until` that day"),
            );
            return None;
        }
        if lines.expects.is_empty() && ok {
            self.push(
                Diagnostic::warning(
                    "W502",
                    section.header.span,
                    format!("example \"{title}\" expects nothing"),
                )
                .label("no `expect` line")
                .help("add lines such as `expect claim.c1.reason = covered`"),
            );
        }
        ok.then(|| Example {
            title: title.to_string(),
            span: section.header.span,
            as_of: lines.as_of.unwrap_or_default(),
            members: lines.members,
            claims: lines.claims,
            payments: lines.payments,
            expects: lines.expects,
        })
    }

    /// `payment a date=2017-03-01 amount=10`: a top-up of member `a`.
    fn example_payment(
        &mut self,
        span: Span,
        member: &str,
        fields: &[Field],
    ) -> Option<ExamplePayment> {
        let mut date = None;
        let mut amount = None;
        let mut ok = true;
        for f in fields {
            match f.name.node.as_str() {
                "date" => {
                    date = self.field_date(f, "a payment's `date`");
                    ok &= date.is_some();
                }
                "amount" => {
                    let raw = text_of(&f.value.node);
                    match crate::money::Money::parse(raw) {
                        Ok(m) if m.0 > 0 => amount = Some(m),
                        _ => {
                            self.push(
                                Diagnostic::error(
                                    "E506",
                                    f.value.span,
                                    format!("`{raw}` is not an amount a member can pay"),
                                )
                                .label("not a positive amount of fen")
                                .help("a top-up is more than zero, with at most two decimals: `amount=10` or `amount=0.50`"),
                            );
                            ok = false;
                        }
                    }
                }
                other => {
                    self.push(
                        Diagnostic::error(
                            "E504",
                            f.name.span,
                            format!("a payment has no field `{other}`"),
                        )
                        .label("unknown field")
                        .help("a payment's fields are `date` and `amount`: `payment a date=2017-03-01 amount=10`"),
                    );
                    ok = false;
                }
            }
        }
        for (value, field, example) in [
            (date.is_some(), "date", "2017-03-01"),
            (amount.is_some(), "amount", "10"),
        ] {
            if !value && ok {
                self.missing_field(span, &format!("the payment of `{member}`"), field, example);
                ok = false;
            }
        }
        let (date, amount) = (date?, amount?);
        ok.then(|| ExamplePayment {
            member: member.to_string(),
            date,
            amount,
            span,
        })
    }

    /// Whether an example creates no more members and claims than it may;
    /// reports it when it creates more.
    fn example_size(
        &mut self,
        section: &Section,
        members: &[ExampleMember],
        claims: &[ExampleClaim],
    ) -> bool {
        let (m, c) = (member_count(members), claim_count(claims));
        if m.saturating_add(c) <= MAX_EXAMPLE_CREATED && c <= MAX_EXAMPLE_CLAIMS {
            return true;
        }
        self.push(
            Diagnostic::error(
                "E507",
                section.header.span,
                format!(
                    "an example may create at most {} members and claims in total, and at most {} claims; this one creates {} and {}",
                    grouped(MAX_EXAMPLE_CREATED),
                    grouped(MAX_EXAMPLE_CLAIMS),
                    counted(m, "member"),
                    counted(c, "claim")
                ),
            )
            .label("too large an example")
            .help("make the `members` and `claims` groups smaller, or split the example in two"),
        );
        false
    }

    fn example_member(
        &mut self,
        span: Span,
        id: &str,
        count: Option<u64>,
        fields: &[Field],
    ) -> Option<ExampleMember> {
        let mut birth = None;
        let mut join = None;
        let mut left = None;
        let mut attributes = Vec::new();
        let mut ok = true;
        for f in fields {
            match f.name.node.as_str() {
                "birth_date" => {
                    birth = self.field_date(f, "`birth_date`").or_else(|| {
                        ok = false;
                        None
                    })
                }
                "join_date" => {
                    join = self.field_date(f, "`join_date`").or_else(|| {
                        ok = false;
                        None
                    })
                }
                "left_date" => {
                    left = self.field_date(f, "`left_date`").or_else(|| {
                        ok = false;
                        None
                    })
                }
                other => attributes.push((other.to_string(), text_of(&f.value.node).to_string())),
            }
        }
        if birth.is_none() && ok {
            self.missing_field(span, &format!("member `{id}`"), "birth_date", "1990-05-01");
            ok = false;
        }
        if join.is_none() && ok {
            self.missing_field(span, &format!("member `{id}`"), "join_date", "2018-10-16");
            ok = false;
        }
        let _ = MEMBER_COLUMNS;
        ok.then(|| ExampleMember {
            id: id.to_string(),
            count,
            birth: birth.unwrap_or_default(),
            join: join.unwrap_or_default(),
            left,
            attributes,
            span,
        })
    }

    fn example_claim(&mut self, span: Span, id: &str, fields: &[Field]) -> Option<Claim> {
        let mut member = None;
        let mut disease = None;
        let mut diagnosed = None;
        let mut filed = None;
        let mut benefit = None;
        let mut cause = Cause::Illness;
        let mut ok = true;
        for f in fields {
            let raw = text_of(&f.value.node);
            match f.name.node.as_str() {
                "member_id" | "member" => member = Some(raw.to_string()),
                "disease" => disease = Some(raw.to_string()),
                "diagnosed_on" => {
                    diagnosed = self.field_date(f, "`diagnosed_on`").or_else(|| {
                        ok = false;
                        None
                    })
                }
                "filed_on" => {
                    filed = self.field_date(f, "`filed_on`").or_else(|| {
                        ok = false;
                        None
                    })
                }
                "benefit" => benefit = Some(raw.to_string()),
                "cause" => match Cause::parse(raw) {
                    Some(c) => cause = c,
                    None => {
                        self.push(
                            Diagnostic::error(
                                "E206",
                                f.value.span,
                                format!("`{raw}` is not a cause of a claim"),
                            )
                            .label("unknown cause")
                            .help("claims are caused by `illness` or `accident`"),
                        );
                        ok = false;
                    }
                },
                other => {
                    let mut d = Diagnostic::error(
                        "E504",
                        f.name.span,
                        format!("a claim has no field `{other}`"),
                    )
                    .label("unknown field");
                    d = match did_you_mean(other, CLAIM_COLUMNS) {
                        Some(s) => d.help(format!("did you mean `{s}`?")).fix(f.name.span, s),
                        None => {
                            d.help(format!("a claim's fields are {}", CLAIM_COLUMNS.join(", ")))
                        }
                    };
                    self.push(d);
                    ok = false;
                }
            }
        }
        for (value, field, example) in [
            (member.is_some(), "member_id", "m1"),
            (disease.is_some(), "disease", "CI001"),
            (diagnosed.is_some(), "diagnosed_on", "2019-01-10"),
        ] {
            if !value && ok {
                self.missing_field(span, &format!("claim `{id}`"), field, example);
                ok = false;
            }
        }
        if let (Some(d), Some(f)) = (diagnosed, filed)
            && f < d
        {
            self.push(
                Diagnostic::error(
                    "E505",
                    span,
                    format!("claim `{id}` is filed on {f}, before its diagnosis on {d}"),
                )
                .label("filed before diagnosed")
                .help("a claim is filed on or after the day of diagnosis"),
            );
            ok = false;
        }
        let diagnosed_on = diagnosed?;
        ok.then(|| Claim {
            id: id.into(),
            member_id: member.unwrap_or_default().into(),
            disease: disease.unwrap_or_default().into(),
            diagnosed_on,
            filed_on: filed.unwrap_or(diagnosed_on),
            benefit: benefit.map(Into::into),
            cause,
            line: 0,
        })
    }

    fn expectation(
        &mut self,
        target: &crate::ast::Spanned<String>,
        value: &str,
        value_span: Span,
    ) -> Option<Target> {
        let parsed = self.target(target)?;
        let t = &target.node;
        if !self.value_of_kind(&parsed, t, value, value_span) {
            return None;
        }
        if let Target::Claim { field, .. } = &parsed
            && !self.claim_value(field, value, value_span)
        {
            return None;
        }
        Some(parsed)
    }

    /// An E504 for a target an example cannot expect, and `None`.
    fn unknown_target(
        &mut self,
        target: &crate::ast::Spanned<String>,
        why: String,
    ) -> Option<Target> {
        let t = &target.node;
        self.push(
            Diagnostic::error("E504", target.span, format!("`{t}` is not something an example can expect: {why}"))
                .label("unknown target")
                .help("write `claim.ID.FIELD`, `period[DATE].FIELD`, `member.ID.FIELD` or `charge[DATE].MEMBER`"),
        );
        None
    }

    /// Whether `field` is one of `fields`; an E504 naming the likely one if not.
    fn known_field(
        &mut self,
        target: &crate::ast::Spanned<String>,
        field: &str,
        fields: &[&str],
    ) -> bool {
        if fields.contains(&field) {
            return true;
        }
        let mut d = Diagnostic::error(
            "E504",
            target.span,
            format!("`{field}` is not a field an example can expect here"),
        )
        .label("unknown field");
        d = match did_you_mean(field, fields.iter().copied()) {
            Some(s) => {
                let d = d.help(format!("did you mean `{s}`?"));
                // The field is the target's last part: `period[…].FIELD`.
                match target.node.strip_suffix(field) {
                    Some(rest) if rest.ends_with('.') => {
                        let end = target.span.end as usize;
                        let field_span = Span::new(target.span.file, end - field.len(), end);
                        d.fix(field_span, s)
                    }
                    _ => d,
                }
            }
            None => d.help(format!("the fields are {}", fields.join(", "))),
        };
        self.push(d);
        false
    }

    /// The target an expectation names: `claim.ID.FIELD`, `member.ID.FIELD`,
    /// `period[DATE].FIELD` or `charge[DATE].MEMBER`.
    fn target(&mut self, target: &crate::ast::Spanned<String>) -> Option<Target> {
        let t = &target.node;
        let (head, rest) = t.split_once('.').unwrap_or((t.as_str(), ""));
        let (word, date) = match head.split_once('[') {
            Some((w, d)) => (w, Some(d.trim_end_matches(']').trim())),
            None => (head, None),
        };
        let date = match date {
            Some(d) => match parse_iso_date(d.as_bytes()) {
                Some(d) => Some(d),
                None => return self.unknown_target(target, format!("`{d}` is not a date")),
            },
            None => None,
        };
        match (word, date) {
            ("claim", None) => {
                let Some((id, field)) = rest.split_once('.') else {
                    return self.unknown_target(
                        target,
                        "name the claim and a field, such as `claim.c1.reason`".into(),
                    );
                };
                self.known_field(target, field, &CLAIM_FIELDS)
                    .then(|| Target::Claim {
                        id: id.into(),
                        field: field.into(),
                    })
            }
            ("member", None) => {
                let Some((id, field)) = rest.split_once('.') else {
                    return self.unknown_target(
                        target,
                        "name the member and a field, such as `member.m1.balance`".into(),
                    );
                };
                self.known_field(target, field, &MEMBER_FIELDS)
                    .then(|| Target::Member {
                        id: id.into(),
                        field: field.into(),
                    })
            }
            ("period", Some(date)) => {
                self.known_field(target, rest, &PERIOD_FIELDS)
                    .then(|| Target::Period {
                        date,
                        field: rest.into(),
                    })
            }
            ("charge", Some(date)) if !rest.is_empty() && !rest.contains('.') => {
                Some(Target::Charge {
                    date,
                    member: rest.into(),
                })
            }
            _ => self.unknown_target(
                target,
                "it starts with none of `claim.`, `member.`, `period[DATE].`, `charge[DATE].`"
                    .into(),
            ),
        }
    }

    /// Whether the expected value is of the field's kind: an amount of money
    /// is written with two decimals. An E506 if not.
    fn value_of_kind(&mut self, target: &Target, t: &str, value: &str, value_span: Span) -> bool {
        let money_field = match target {
            Target::Claim { field, .. } => field == "payout" || field == "full_payout",
            Target::Period { field, .. } => !matches!(
                field.as_str(),
                "period_start" | "period_end" | "cases" | "members"
            ),
            Target::Member { field, .. } => field != "status",
            Target::Charge { .. } => true,
        };
        let amount = value.contains('.')
            && Money::parse(value).is_ok()
            && value.rsplit('.').next().is_some_and(|d| d.len() == 2);
        if money_field && !amount {
            self.push(
                Diagnostic::error(
                    "E506",
                    value_span,
                    format!(
                        "`{t}` is an amount of money, written with two decimals, not `{value}`"
                    ),
                )
                .label("not an amount")
                .help("write it as the output files do, such as `300000.00` or `0.10`"),
            );
            return false;
        }
        true
    }

    /// Whether a claim's expected decision or reason is one there is. An
    /// E506 naming the likely one if not.
    fn claim_value(&mut self, field: &str, value: &str, value_span: Span) -> bool {
        let allowed: &[&str] = match field {
            "decision" => &["approved", "denied"],
            "reason" => &REASONS.map(|r| r.code()),
            _ => &[],
        };
        if allowed.is_empty() || allowed.contains(&value) {
            return true;
        }
        let mut d = Diagnostic::error("E506", value_span, format!("`{value}` is not a {field}"))
            .label(format!("unknown {field}"));
        d = match did_you_mean(value, allowed.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")).fix(value_span, s),
            None => d.help(format!("a {field} is one of {}", allowed.join(", "))),
        };
        self.push(d);
        false
    }
}
