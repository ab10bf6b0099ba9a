//! Hover: what the word under the cursor means in this plan.
//!
//! On a keyword, its entry in the language reference; on an age band, the
//! ages it covers in days and years; on a disease code, its name and the
//! benefit that covers it; on a dated rule, every version of it; on a cap,
//! the members the plan needs for it; on a list, a benefit or an include,
//! what it holds.

use super::analysis::Analysis;
use super::reference;
use super::symbols::{self, Occurrence, Symbol};
use crate::age::Age;
use crate::ast::{AgeRange, Cap, Header, Row, Section, Statement, StatementKind};
use crate::source::{FileId, Span};

/// The hover text (Markdown) and the span it is about.
pub fn hover(analysis: &Analysis, file: FileId, offset: u32) -> Option<(String, Span)> {
    let occurrences = symbols::occurrences(&analysis.loaded.files);
    if let Some(o) = symbols::at(&occurrences, file, offset) {
        return Some((symbol(analysis, o, &occurrences)?, o.span));
    }
    let ast = analysis.ast(file)?;
    let section = ast
        .sections
        .iter()
        .rev()
        .find(|s| s.header.span.start <= offset)?;
    if contains(section.header.span, offset) {
        return header(analysis, section, offset);
    }
    for stmt in &section.statements {
        for row in &stmt.rows {
            if let Row::Band { ages, value, span } = row
                && contains(*span, offset)
            {
                let amount = analysis.text(value.span);
                return Some((band(ages, amount), *span));
            }
        }
        let dates = stmt.in_force.as_ref().map(|f| f.span);
        if contains(stmt.span, offset) || dates.is_some_and(|d| contains(d, offset)) {
            return statement(analysis, section, stmt, offset);
        }
    }
    None
}

fn contains(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// The first word written at `span`, as a span.
fn first_word(analysis: &Analysis, span: Span) -> Span {
    let text = analysis.text(span);
    let len = text.find(char::is_whitespace).unwrap_or(text.len());
    Span::new(span.file, span.start as usize, span.start as usize + len)
}

fn header(analysis: &Analysis, section: &Section, offset: u32) -> Option<(String, Span)> {
    let word = first_word(analysis, section.header.span);
    contains(word, offset).then_some(())?;
    Some((reference::keyword(section.header.node.keyword())?, word))
}

fn statement(
    analysis: &Analysis,
    section: &Section,
    stmt: &Statement,
    offset: u32,
) -> Option<(String, Span)> {
    let mut parts = Vec::new();
    let word = first_word(analysis, stmt.span);
    if contains(word, offset) {
        parts.push(reference::keyword(stmt.kind.keyword())?);
    }
    if let StatementKind::Cap(cap) = &stmt.kind {
        parts.push(viability(analysis, cap));
    }
    if stmt.in_force.is_some() {
        parts.push(versions(analysis, section, stmt));
    }
    (!parts.is_empty()).then(|| (parts.join("\n\n---\n\n"), stmt.span))
}

/// `30 days to 39 years`: the first and last day of life it holds for.
pub fn band(ages: &AgeRange, amount: &str) -> String {
    let mut out = format!("**Age band**: {amount}\n\n");
    let (Some(from), Some(to)) = (age(&ages.from), age(&ages.to)) else {
        return out;
    };
    let first_day = from.approx_days();
    let last_day = to.next().approx_days().saturating_sub(1);
    out.push_str(&format!(
        "- holds from the day a member is {from} old (day {} of life){}\n",
        words_grouped(first_day),
        if from.unit == crate::age::AgeUnit::Years {
            ", approximately"
        } else {
            ""
        },
    ));
    out.push_str(&format!(
        "- until the day before the member is {} old: up to about day {} of life\n",
        to.next(),
        words_grouped(last_day),
    ));
    out.push_str(&format!(
        "- in whole years (周岁): {} to {}",
        from.approx_days() / 365,
        match to.unit {
            crate::age::AgeUnit::Years => to.value,
            crate::age::AgeUnit::Days => to.value / 365,
        }
    ));
    out
}

fn words_grouped(n: u64) -> String {
    crate::words::grouped(n)
}

fn age(q: &crate::ast::Quantity) -> Option<Age> {
    let value: u32 = q.number.node.replace('_', "").parse().ok()?;
    match q.unit.node.as_str() {
        "day" | "days" => Some(Age::days(value)),
        "year" | "years" => Some(Age::years(value)),
        _ => None,
    }
}

/// What a cap implies for the plan's viability.
fn viability(analysis: &Analysis, cap: &Cap) -> String {
    let plan = analysis.loaded.plan.as_ref();
    match (cap, plan.and_then(|p| p.viability_reason())) {
        (Cap::Fixed { basis, .. }, Some(reason)) if basis.node == crate::ast::CapBasis::Case => {
            format!(
                "**Viability**: one largest case and its fee are covered by this cap when at least \
                 `{reason}` share it."
            )
        }
        (Cap::Fixed { basis, .. }, _) => format!(
            "**Cap per {}**: what the caps leave uncollected is the excess (borne by the operator, \
             or reducing payouts in a short pool).",
            basis.node.words()
        ),
        (Cap::PerYearByAge { .. }, _) => {
            "**Cap per year by age**: each member's charges in a membership year are at most the \
             amount of the member's band."
                .to_string()
        }
    }
}

/// Every version of a dated rule: the statements of the same kind in the section.
fn versions(analysis: &Analysis, section: &Section, stmt: &Statement) -> String {
    let mut out = String::from("**Versions of this rule**\n");
    for s in section
        .statements
        .iter()
        .filter(|s| s.kind.keyword() == stmt.kind.keyword())
    {
        let when = match &s.in_force {
            None => "every day".to_string(),
            Some(f) => match (&f.from, &f.until) {
                (Some(a), Some(b)) => format!("from {} until {}", a.node, b.node),
                (Some(a), None) => format!("from {}", a.node),
                (None, Some(b)) => format!("until {}", b.node),
                (None, None) => "every day".to_string(),
            },
        };
        let line = analysis.cite(s.span);
        let this = if s.span.same_place(stmt.span) {
            " ← this one"
        } else {
            ""
        };
        out.push_str(&format!(
            "- {when}: `{}` ({line}){this}\n",
            first_line(analysis, s.span)
        ));
    }
    out
}

fn first_line(analysis: &Analysis, span: Span) -> String {
    let text = analysis.text(span);
    text.lines().next().unwrap_or("").trim().to_string()
}

fn symbol(analysis: &Analysis, o: &Occurrence, all: &[Occurrence]) -> Option<String> {
    match &o.symbol {
        Symbol::Disease(code) => Some(disease(analysis, code, all)),
        Symbol::List(name) => Some(list(analysis, name, all)),
        Symbol::Benefit(name) => Some(benefit(analysis, name)),
        Symbol::Include(rel) => Some(include(analysis, rel)),
    }
}

/// `CI001 恶性肿瘤——重度`: its list and the benefit that covers it.
fn disease(analysis: &Analysis, code: &str, all: &[Occurrence]) -> String {
    let defined = all
        .iter()
        .find(|o| o.defines && o.symbol == Symbol::Disease(code.to_string()));
    let Some(def) = defined else {
        return format!("**{code}**: not in any disease list of this plan");
    };
    let name = disease_name(analysis, def.span).unwrap_or_default();
    let mut out = format!("**{code}** {name}\n");
    let list = list_of(analysis, def.span);
    if let Some(list) = &list {
        let at = analysis.cite(def.span);
        out.push_str(&format!("\n- listed in `{list}` ({at})"));
    }
    match covering(analysis, code, list.as_deref(), all) {
        Some(b) => out.push_str(&format!("\n- covered by benefit {b}")),
        None => out.push_str("\n- covered by no benefit"),
    }
    out
}

/// The benefit that covers a code: from the checked plan, or, while the plan
/// has errors, from the `covers` lines that name the code or its list.
fn covering(
    analysis: &Analysis,
    code: &str,
    list: Option<&str>,
    all: &[Occurrence],
) -> Option<String> {
    if let Some(p) = &analysis.loaded.plan {
        let b = p.benefit(p.diseases.benefit[p.diseases.lookup(code)?.0 as usize]?);
        return Some(format!("`{}`{}", b.name, titled(&b.title)));
    }
    let named = |o: &&Occurrence| match &o.symbol {
        Symbol::Disease(c) => c == code,
        Symbol::List(l) => Some(l.as_str()) == list,
        _ => false,
    };
    let o = all.iter().filter(|o| !o.defines).find(named)?;
    benefit_around(analysis, o.span).map(|b| format!("`{b}`"))
}

fn titled(title: &Option<String>) -> String {
    title
        .as_ref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default()
}

/// The name written on a disease row, found by its code's span.
fn disease_name(analysis: &Analysis, code: Span) -> Option<String> {
    analysis
        .loaded
        .files
        .iter()
        .flat_map(|f| &f.sections)
        .flat_map(|s| &s.rows)
        .find_map(|r| match r {
            Row::Disease { code: c, name, .. } if c.span.same_place(code) => {
                Some(name.node.clone())
            }
            _ => None,
        })
}

/// The header of the section that holds `span`.
fn section_around(analysis: &Analysis, span: Span) -> Option<&Header> {
    let file = analysis.loaded.files.iter().find(|f| f.file == span.file)?;
    let section = file
        .sections
        .iter()
        .rev()
        .find(|s| s.header.span.start <= span.start)?;
    Some(&section.header.node)
}

/// The list whose section holds the row at `span`.
fn list_of(analysis: &Analysis, span: Span) -> Option<String> {
    match section_around(analysis, span)? {
        Header::Diseases { name, .. } => Some(name.node.clone()),
        _ => None,
    }
}

/// A disease list: its title, its size and the benefits that cover it.
fn list(analysis: &Analysis, name: &str, all: &[Occurrence]) -> String {
    let section = analysis
        .loaded
        .files
        .iter()
        .flat_map(|f| &f.sections)
        .find(|s| matches!(&s.header.node, Header::Diseases { name: n, .. } if n.node == name));
    let Some(section) = section else {
        return format!("**{name}**: no disease list of this name");
    };
    let title = match &section.header.node {
        Header::Diseases { title: Some(t), .. } => format!(" \"{}\"", t.node),
        _ => String::new(),
    };
    let mut out = format!(
        "**diseases {name}**{title}: {} ({})",
        crate::words::count(section.rows.len() as u64, "disease"),
        analysis.cite(section.header.span)
    );
    for o in all
        .iter()
        .filter(|o| !o.defines && o.symbol == Symbol::List(name.to_string()))
    {
        if let Some(b) = benefit_around(analysis, o.span) {
            out.push_str(&format!("\n- covered by benefit `{b}`"));
        }
    }
    out
}

/// The benefit whose section holds `span`.
fn benefit_around(analysis: &Analysis, span: Span) -> Option<String> {
    match section_around(analysis, span)? {
        Header::Benefit { name, .. } => Some(name.node.clone()),
        _ => None,
    }
}

/// A benefit: its title, waiting period, payout and limit.
fn benefit(analysis: &Analysis, name: &str) -> String {
    let plan = analysis.loaded.plan.as_ref();
    let Some(b) = plan.and_then(|p| p.benefit_named(name).map(|id| p.benefit(id))) else {
        return format!("**benefit {name}**");
    };
    let mut out = format!("**benefit {name}**{}\n", titled(&b.title));
    out.push_str(&format!(
        "\n- covers {}",
        crate::words::count(b.covers.value.len() as u64, "disease")
    ));
    out.push_str(&format!(
        "\n- waiting period: {}",
        crate::words::count(u64::from(b.waiting_days.value), "day")
    ));
    if let Some(limit) = &b.limit {
        out.push_str(&format!("\n- at most {} per member", limit.value));
    }
    out.push_str(&format!("\n- declared at {}", analysis.cite(b.span)));
    out
}

/// An included file: where it is and what it declares.
fn include(analysis: &Analysis, rel: &str) -> String {
    let Some(id) = analysis.included(rel) else {
        return format!("**include** `{rel}`: not read");
    };
    let lists: Vec<String> = analysis
        .ast(id)
        .map(|f| {
            f.sections
                .iter()
                .filter_map(|s| match &s.header.node {
                    Header::Diseases { name, .. } => Some(format!(
                        "`{}` ({})",
                        name.node,
                        crate::words::count(s.rows.len() as u64, "disease")
                    )),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "**include** `{}`\n\n- declares {}",
        rel,
        if lists.is_empty() {
            "no disease list".to_string()
        } else {
            lists.join(", ")
        }
    )
}
