//! Rules over time: statements of `membership`, a `benefit`, `sharing` or
//! `viability` dated `from DATE` and/or `until DATE`. The versions of one rule may not
//! be in force on the same day, and a rule the plan needs must have a
//! version on every day from the launch on.

use super::Checker;
use crate::ast::{Header, InForce, Section, Statement};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One version of a rule: the days it is in force (open ends: `None`).
#[derive(Clone, Copy, Debug)]
struct Version {
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    span: Span,
}

impl Version {
    fn first(&self) -> NaiveDate {
        self.from.unwrap_or(NaiveDate::MIN)
    }

    fn last(&self) -> NaiveDate {
        self.until.unwrap_or(NaiveDate::MAX)
    }
}

/// The days on which a dated statement is in force; `None` when undated.
pub(crate) fn days(stmt: &Statement) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let f = stmt.in_force.as_ref()?;
    let parse = |d: &Option<crate::ast::Spanned<String>>| {
        d.as_ref()
            .and_then(|d| NaiveDate::parse_from_str(&d.node, "%Y-%m-%d").ok())
    };
    Some((parse(&f.from), parse(&f.until)))
}

/// Whether a statement is in force on `day` (`None`: the days before every change).
pub(crate) fn in_force_on(stmt: &Statement, day: Option<NaiveDate>) -> bool {
    let Some((from, until)) = days(stmt) else {
        return true;
    };
    match day {
        None => from.is_none(),
        Some(d) => from.is_none_or(|f| f <= d) && until.is_none_or(|u| d <= u),
    }
}

/// Whether `stmt` of `section` is one of the rules of `day` (`None`: the
/// days before every change, as `Plan::at` gives them): a statement in force
/// then, and, on a day before the launch on which a rule the plan must have
/// (see `required`) has no version, the next version of it to start. The
/// days before the launch need the rule only for members who joined, or
/// claims diagnosed, before it; from the launch on, a day without a version
/// is E114.
pub(crate) fn in_force_before_launch(
    section: &Section,
    stmt: &Statement,
    day: Option<NaiveDate>,
    launched: Option<NaiveDate>,
) -> bool {
    if in_force_on(stmt, day) {
        return true;
    }
    let before_launch = match (day, launched) {
        (None, _) => true,
        (Some(d), Some(l)) => d < l,
        (Some(_), None) => false,
    };
    let Some(key) = required(section, &stmt.kind).filter(|_| before_launch) else {
        return false;
    };
    let versions = || {
        section
            .statements
            .iter()
            .filter(move |s| required(section, &s.kind) == Some(key))
    };
    if versions().any(|s| in_force_on(s, day)) {
        return false;
    }
    let from = |s: &Statement| days(s).and_then(|d| d.0);
    let next = versions()
        .filter_map(from)
        .filter(|&f| day.is_none_or(|d| f > d))
        .min();
    next.is_some() && from(stmt) == next
}

/// The rule a statement is a version of, when the plan must have that rule:
/// the rules `check` reports as missing (E104) or missing on some day (E114).
pub(crate) fn required(
    section: &Section,
    kind: &crate::ast::StatementKind,
) -> Option<&'static str> {
    let key = super::structure::once_key(kind).unwrap_or_else(|| kind.keyword());
    let kw = section.header.node.keyword();
    (needed(kw, key) || (kw, key) == ("benefit", "covers")).then_some(key)
}

/// The rules a plan needs on every day, by section keyword.
fn needed(section: &str, key: &str) -> bool {
    matches!(
        (section, key),
        ("membership", "join ages")
            | ("benefit", "waiting")
            | ("benefit", "payout")
            | ("sharing", "closes on")
            | ("sharing", "fee")
            | ("sharing", "split")
            | ("sharing", "rounding")
    )
}

/// The name of a section for grouping versions: `benefit critical`, `sharing`.
fn section_key(section: &Section) -> Option<String> {
    match &section.header.node {
        Header::Membership => Some("membership".into()),
        Header::Sharing => Some("sharing".into()),
        Header::Account => Some("account".into()),
        Header::Viability => Some("viability".into()),
        Header::Benefit { name, .. } => Some(format!("benefit {}", name.node)),
        _ => None,
    }
}

impl Checker<'_> {
    /// Checks the dates of every dated statement and the versions of each
    /// rule; returns the days on which some rule changes, in order.
    pub(super) fn versions(&mut self) -> Vec<NaiveDate> {
        let files = self.files;
        let launched = self.launch_day();
        let mut changes: Vec<NaiveDate> = Vec::new();
        for section in files.iter().flat_map(|f| &f.sections) {
            let mut rules: BTreeMap<&'static str, Vec<Version>> = BTreeMap::new();
            // Rules with a version whose days are wrong (E305, E112): their
            // days are not known, so they are not checked for gaps.
            let mut unknown: Vec<&'static str> = Vec::new();
            let datable = section_key(section).is_some();
            for stmt in &section.statements {
                let version = match &stmt.in_force {
                    Some(f) if !datable => {
                        self.undatable(section, f);
                        continue;
                    }
                    Some(f) => match self.in_force_days(f) {
                        Some(v) => v,
                        None => {
                            unknown.extend(super::structure::once_key(&stmt.kind));
                            continue;
                        }
                    },
                    None => Version {
                        from: None,
                        until: None,
                        span: stmt.span,
                    },
                };
                changes.extend(version.from);
                changes.extend(version.until.and_then(|u| u.succ_opt()));
                if let Some(key) = super::structure::once_key(&stmt.kind) {
                    let span = stmt.span;
                    rules
                        .entry(key)
                        .or_default()
                        .push(Version { span, ..version });
                }
            }
            let kw = section.header.node.keyword();
            for (key, mut versions) in rules {
                if versions
                    .iter()
                    .any(|v| v.from.is_some() || v.until.is_some())
                {
                    versions.sort_by_key(|v| (v.first(), v.span.start));
                    self.overlaps(key, &versions);
                    if needed(kw, key) && !unknown.contains(&key) {
                        self.gaps(key, &versions, launched);
                    }
                }
            }
        }
        changes.sort_unstable();
        changes.dedup();
        changes
    }

    /// The plan's launch day, if written and valid (gaps before it do not matter).
    pub(super) fn launch_day(&self) -> Option<NaiveDate> {
        let header = self.files[0]
            .sections
            .iter()
            .find(|s| matches!(s.header.node, Header::Plan { .. }))?;
        header.statements.iter().find_map(|s| match &s.kind {
            crate::ast::StatementKind::Launched(d) => {
                NaiveDate::parse_from_str(&d.node, "%Y-%m-%d").ok()
            }
            _ => None,
        })
    }

    fn undatable(&mut self, section: &Section, f: &InForce) {
        self.push(
            Diagnostic::error(
                "E111",
                f.span,
                format!(
                    "a statement of `{}` cannot be dated",
                    section.header.node.keyword()
                ),
            )
            .label("no rule to date here")
            .help("only the rules of `membership`, a `benefit`, `sharing` and `viability` change over time; remove the date"),
        );
    }

    /// The days of `from … until …`, reporting a date that is not a day or
    /// an `until` before its `from`.
    fn in_force_days(&mut self, f: &InForce) -> Option<Version> {
        let from = match &f.from {
            Some(d) => Some(self.date(d, "the first day a rule is in force")?),
            None => None,
        };
        let until = match &f.until {
            Some(d) => Some(self.date(d, "the last day a rule is in force")?),
            None => None,
        };
        if let (Some(a), Some(b)) = (from, until)
            && b < a
        {
            self.push(
                Diagnostic::error("E112", f.span, format!("`until {b}` is before `from {a}`"))
                    .label("in force on no day")
                    .help("the rule is in force from the first date through the second: write the earlier date first"),
            );
            return None;
        }
        Some(Version {
            from,
            until,
            span: f.span,
        })
    }

    /// Two versions of one rule in force on the same day.
    fn overlaps(&mut self, key: &str, versions: &[Version]) {
        for pair in versions.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.first() <= a.last() {
                let day = b.first().max(a.first());
                let when = if day == NaiveDate::MIN {
                    "from the start".to_string()
                } else {
                    format!("on {day}")
                };
                self.push(
                    Diagnostic::error(
                        "E113",
                        b.span,
                        format!("two versions of `{key}` are in force {when}"),
                    )
                    .label("this version")
                    .related(a.span, "and this one")
                    .help(format!(
                        "end the first with `until {}` or start the second later: one version of a rule is in force on each day",
                        day.pred_opt().filter(|_| day != NaiveDate::MIN).map_or("DATE".to_string(), |d| d.to_string())
                    )),
                );
            }
        }
    }

    /// Days from the launch on on which a rule the plan needs has no version.
    fn gaps(&mut self, key: &str, versions: &[Version], launched: Option<NaiveDate>) {
        let start = launched.unwrap_or(NaiveDate::MIN);
        if let Some(first) = versions.first()
            && first.first() > start
        {
            self.push(
                Diagnostic::error(
                    "E114",
                    first.span,
                    format!("no version of `{key}` is in force before {}", first.first()),
                )
                .label("the first version starts here")
                .help("start the first version on the launch day, or leave out its `from`"),
            );
        }
        for pair in versions.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            // A gap that ends before the launch does not matter.
            if let Some(next) = a.last().succ_opt()
                && next < b.first()
                && start < b.first()
            {
                let next = next.max(start);
                self.push(
                    Diagnostic::error(
                        "E114",
                        b.span,
                        match b.first().pred_opt().filter(|&last| last != next) {
                            Some(last) => {
                                format!("no version of `{key}` is in force from {next} to {last}")
                            }
                            None => format!("no version of `{key}` is in force on {next}"),
                        },
                    )
                    .label("the next version starts here")
                    .related(a.span, "the version before ends here")
                    .help(format!(
                        "start this version `from {next}`, or end the one before later"
                    )),
                );
            }
        }
        if let Some(last) = versions.last()
            && last.until.is_some()
        {
            self.push(
                Diagnostic::error(
                    "E114",
                    last.span,
                    format!(
                        "no version of `{key}` is in force after {}",
                        last.last()
                    ),
                )
                .label("the last version ends here")
                .help("leave out the last version's `until`: a rule the plan needs is in force to the end"),
            );
        }
    }
}
