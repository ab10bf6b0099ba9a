//! `mutual fmt`: the canonical form of a plan. Comments are kept; blank
//! lines are collapsed to one; sections are separated by one blank line;
//! statements are indented two spaces and table rows four.

use crate::ast::*;
use crate::source::SourceFile;
use crate::syntax::{comment_start, lines};
use std::fmt::Write;

/// One output line made from one node of the AST.
struct NodeLine {
    /// Where the node is placed: the source line it takes the place of.
    line: usize,
    /// The source line the node was written on (its trailing comment's).
    source: usize,
    indent: usize,
    text: String,
    is_header: bool,
}

/// Formats a parsed file. The file must have parsed without errors.
pub fn format(file: &PlanFile, source: &SourceFile) -> String {
    let nodes = nodes(file, source);

    // The source lines: blank, comment-only, or code with an optional trailing comment.
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let src: Vec<&str> = lines(text).map(|(_, l)| l).collect();
    let trailing = |line: usize| -> Option<String> {
        let l = src.get(line - 1)?;
        let at = comment_start(l)?;
        (!l[..at].trim().is_empty()).then(|| l[at..].trim_end().to_string())
    };

    let mut out = String::new();
    let mut prev_line = 0usize;
    for (i, node) in nodes.iter().enumerate() {
        let mut gap: Vec<Option<&str>> = Vec::new(); // None = blank line
        let mut between = &src[prev_line..node.line.saturating_sub(1).max(prev_line)];
        if node.is_header && i > 0 {
            // Indented comments right after a section's last line end that section.
            let ends = section_end_comments(between);
            for c in &between[..ends] {
                let _ = writeln!(out, "  {}", c.trim());
            }
            between = &between[ends..];
        }
        for l in between {
            let t = l.trim();
            if t.is_empty() {
                if (i > 0 || !gap.is_empty()) && gap.last() != Some(&None) {
                    gap.push(None);
                }
            } else if t.starts_with('#') {
                gap.push(Some(t));
            }
        }
        if node.is_header && i > 0 && gap.first() != Some(&None) {
            gap.insert(0, None);
        }
        while !node.is_header
            && gap.last() == Some(&None)
            && gap.len() == 1
            && nodes[i - 1].is_header
        {
            gap.pop();
        }
        for g in gap {
            match g {
                None => out.push('\n'),
                Some(c) => {
                    let _ = writeln!(out, "{:indent$}{c}", "", indent = node.indent);
                }
            }
        }
        let _ = write!(out, "{:indent$}{}", "", node.text, indent = node.indent);
        if let Some(c) = trailing(node.source) {
            let _ = write!(out, "  {c}");
        }
        out.push('\n');
        prev_line = node.line;
    }
    out.push_str(&tail_comments(&src, prev_line));
    out
}

/// Every header, statement and row of the file as a line of the canonical
/// form, in the order they are written (versions of a rule by date).
fn nodes(file: &PlanFile, source: &SourceFile) -> Vec<NodeLine> {
    let mut nodes = Vec::new();
    let line_of = |span: crate::source::Span| source.line_col(span.start as usize).0;
    for section in &file.sections {
        let line = line_of(section.header.span);
        nodes.push(NodeLine {
            line,
            source: line,
            indent: 0,
            text: header(&section.header.node),
            is_header: true,
        });
        let placed = versions_in_date_order(&section.statements, &line_of);
        for (stmt, line) in section.statements.iter().zip(placed) {
            let moved = line != line_of(stmt.span);
            let mut text = statement(&stmt.kind);
            if let Some(f) = &stmt.in_force {
                text.push_str(&in_force(f));
            }
            nodes.push(NodeLine {
                line,
                source: line_of(stmt.span),
                indent: 2,
                text,
                is_header: false,
            });
            for r in &stmt.rows {
                // The rows of a version placed elsewhere follow it there
                // (the sort by line keeps them in order after it).
                let own = line_of(r.span());
                nodes.push(NodeLine {
                    line: if moved { line } else { own },
                    source: own,
                    indent: 4,
                    text: row(r),
                    is_header: false,
                });
            }
        }
        for r in &section.rows {
            let line = line_of(r.span());
            nodes.push(NodeLine {
                line,
                source: line,
                indent: 2,
                text: row(r),
                is_header: false,
            });
        }
    }
    nodes.sort_by_key(|n| n.line);
    nodes
}

/// The comment lines after the last line of code, kept with at most one
/// blank line between them and one before them.
fn tail_comments(src: &[&str], prev_line: usize) -> String {
    let mut out = String::new();
    let mut tail: Vec<&str> = Vec::new();
    for l in &src[prev_line.min(src.len())..] {
        let t = l.trim();
        if t.starts_with('#') {
            tail.push(t);
        } else if t.is_empty() && tail.last().is_some_and(|x| !x.is_empty()) {
            tail.push("");
        }
    }
    while tail.last() == Some(&"") {
        tail.pop();
    }
    if !tail.is_empty() {
        out.push('\n');
        for t in tail {
            out.push_str(t);
            out.push('\n');
        }
    }
    out
}

/// How many of `lines` (those between a section's last line and the next
/// header) are indented comments that follow the section without a blank line.
fn section_end_comments(lines: &[&str]) -> usize {
    lines
        .iter()
        .take_while(|l| l.starts_with([' ', '\t']) && l.trim().starts_with('#'))
        .count()
}

/// ` from 2018-11-27 until 2019-12-31`
fn in_force(f: &InForce) -> String {
    let mut s = String::new();
    if let Some(d) = &f.from {
        let _ = write!(s, " from {}", d.node);
    }
    if let Some(d) = &f.until {
        let _ = write!(s, " until {}", d.node);
    }
    s
}

/// The line each statement is placed on: the versions of one rule (dated
/// statements of the same kind) take the lines they were written on in the
/// order of their first day; a version's table rows go with it.
fn versions_in_date_order(
    statements: &[Statement],
    line_of: &dyn Fn(crate::source::Span) -> usize,
) -> Vec<usize> {
    let mut placed: Vec<usize> = statements.iter().map(|s| line_of(s.span)).collect();
    let first_day = |s: &Statement| {
        s.in_force
            .as_ref()
            .map(|f| f.from.as_ref().map_or(String::new(), |d| d.node.clone()))
    };
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, s) in statements.iter().enumerate() {
        if s.in_force.is_none() {
            continue;
        }
        let key = rule(&s.kind);
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    for (_, members) in groups {
        let mut lines: Vec<usize> = members.iter().map(|&k| placed[k]).collect();
        lines.sort_unstable();
        let mut by_day = members.clone();
        by_day.sort_by_key(|&k| (first_day(&statements[k]), placed[k]));
        for (k, line) in by_day.into_iter().zip(lines) {
            placed[k] = line;
        }
    }
    placed
}

/// The rule a statement is a version of: its keyword, with the basis of a
/// cap (`cap per case`, `cap per calendar year`); a table of annual caps is
/// a version of `cap X CNY per year`.
fn rule(kind: &StatementKind) -> String {
    match kind {
        StatementKind::Cap(Cap::Fixed { basis, .. }) => format!("cap per {}", basis.node.words()),
        other => other.keyword().to_string(),
    }
}

fn text(s: &str) -> String {
    format!("\"{s}\"")
}

fn quantity(q: &Quantity) -> String {
    if q.unit.node == "%" {
        format!("{}%", q.number.node)
    } else {
        format!("{} {}", q.number.node, q.unit.node)
    }
}

fn age_range(r: &AgeRange) -> String {
    format!("{} to {}", quantity(&r.from), quantity(&r.to))
}

fn amount(a: &Amount) -> String {
    match a {
        Amount::Fixed(q) => quantity(q),
        Amount::ByAge(b) => format!("by age at {}", b.node.words()),
        Amount::ShareOf { percent, of } => format!("{} of {}", quantity(percent), of.node),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::Text(t) => text(t),
        Value::Number(s) | Value::Date(s) | Value::Word(s) => s.clone(),
    }
}

fn condition(c: &Condition, parent: u8) -> String {
    // precedence: or = 1, and = 2, not = 3
    let (s, own) = match c {
        Condition::Or(v) => (
            v.iter()
                .map(|c| condition(c, 1))
                .collect::<Vec<_>>()
                .join(" or "),
            1,
        ),
        Condition::And(v) => (
            v.iter()
                .map(|c| condition(c, 2))
                .collect::<Vec<_>>()
                .join(" and "),
            2,
        ),
        Condition::Not(c) => (format!("not {}", condition(c, 3)), 3),
        Condition::Compare {
            attribute,
            op,
            value: v,
        } => (
            format!("{} {} {}", attribute.node, op.node.symbol(), value(&v.node)),
            4,
        ),
    };
    if own < parent { format!("({s})") } else { s }
}

fn header(h: &Header) -> String {
    match h {
        Header::Plan { id } => format!("plan {}", id.node),
        Header::Membership => "membership".into(),
        Header::Benefit { name, title } | Header::Diseases { name, title } => {
            let mut s = format!("{} {}", h.keyword(), name.node);
            if let Some(t) = title {
                s.push(' ');
                s.push_str(&text(&t.node));
            }
            s
        }
        Header::Sharing => "sharing".into(),
        Header::Account => "account".into(),
        Header::Viability => "viability".into(),
        Header::Example { title } => format!("example {}", text(&title.node)),
        Header::Include { path } => format!("include {}", text(&path.node)),
    }
}

fn fields(fs: &[Field]) -> String {
    fs.iter()
        .map(|f| format!(" {}={}", f.name.node, value(&f.value.node)))
        .collect()
}

fn statement(k: &StatementKind) -> String {
    use StatementKind::*;
    match k {
        Title(t) => format!("title {}", text(&t.node)),
        Operator(t) => format!("operator {}", text(&t.node)),
        Currency(c) => format!("currency {}", c.node),
        Launched(d) => format!("launched {}", d.node),
        PlanCloses { date, window } => match window {
            Some(w) => format!("closes {}, claims within {}", date.node, quantity(w)),
            None => format!("closes {}", date.node),
        },
        OnlyFor(causes) => {
            let names: Vec<&str> = causes.iter().map(|c| c.node.as_str()).collect();
            format!("only for {}", names.join(", "))
        }
        WaitingRefund => "in waiting: ends membership, refunds charges".to_string(),
        Join(r) => format!("join ages {}", age_range(r)),
        Requires(c) => format!("requires {}", condition(c, 0)),
        Pays(a) => format!("pays at join {}", amount(a)),
        EndsAtAge(q) => format!("ends at age {}", quantity(q)),
        EndsOnPayout(n) => format!("ends on payout of {}", n.node),
        Term {
            length,
            renew_up_to,
        } => {
            let mut s = format!("term {}", quantity(length));
            if let Some(r) = renew_up_to {
                let _ = write!(s, ", renewed while age <= {}", quantity(r));
            }
            s
        }
        Covers(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    CoverItem::List(n) | CoverItem::Code(n) => n.node.clone(),
                    CoverItem::Range { from, to } => format!("{} to {}", from.node, to.node),
                })
                .collect();
            format!("covers {}", parts.join(", "))
        }
        Waiting { period, except } => {
            let mut s = format!("waiting {}", quantity(period));
            if !except.is_empty() {
                let names: Vec<&str> = except.iter().map(|e| e.node.as_str()).collect();
                let _ = write!(s, ", except {}", names.join(", "));
            }
            s
        }
        Payout(a) => format!("payout {}", amount(a)),
        Limit(n) => format!("limit {} per member", n.node),
        Closes(days) => {
            let ds: Vec<&str> = days.iter().map(|d| d.node.as_str()).collect();
            match ds.as_slice() {
                [one] => format!("closes on day {one}"),
                [init @ .., last] => format!("closes on days {} and {last}", init.join(", ")),
                [] => "closes on".into(),
            }
        }
        Fee(q) => format!("fee {} of payouts", quantity(q)),
        Split(s) => match s.node {
            SplitKind::Equally => "split equally".into(),
            SplitKind::ByAnnualCap => "split in proportion to annual cap".into(),
        },
        Cap(crate::ast::Cap::Fixed { amount, basis }) => {
            format!("cap {} per {}", quantity(amount), basis.node.words())
        }
        Cap(crate::ast::Cap::PerYearByAge { basis }) => {
            format!("cap per year by age at {}", basis.node.words())
        }
        Excess(rule) => format!("excess {}", rule.node.words()),
        MinimumBalance(q) => format!("minimum balance {}", quantity(q)),
        Resumes { new_waiting } => format!(
            "resumes after a top-up, {} a new waiting period",
            if new_waiting.node { "with" } else { "without" }
        ),
        AccountFee {
            amount,
            every,
            inactive_only,
        } => format!(
            "fee {} per {}{}",
            quantity(amount),
            every.node.words(),
            if *inactive_only {
                " on accounts without active membership"
            } else {
                ""
            }
        ),
        Payment { member, fields: fs } => format!("payment {}{}", member.node, fields(fs)),
        Rounding { mode, remainder } => format!(
            "rounding {}, remainder {}",
            mode.node.words(),
            remainder.node.words()
        ),
        Minimum(n) => format!("minimum {} members", n.node),
        AsOf(d) => format!("as of {}", d.node),
        Member { name, fields: fs } => format!("member {}{}", name.node, fields(fs)),
        Members {
            prefix,
            count,
            fields: fs,
        } => format!("members {} {}{}", prefix.node, count.node, fields(fs)),
        Claim { name, fields: fs } => format!("claim {}{}", name.node, fields(fs)),
        Claims {
            prefix,
            count,
            fields: fs,
        } => format!("claims {} {}{}", prefix.node, count.node, fields(fs)),
        Expect { target, value: v } => format!("expect {} = {}", target.node, value(&v.node)),
    }
}

fn row(r: &Row) -> String {
    match r {
        Row::Band { ages, value, .. } => format!("{}: {}", age_range(ages), quantity(value)),
        Row::Disease { code, name, .. } => format!("{} {}", code.node, text(&name.node)),
    }
}
