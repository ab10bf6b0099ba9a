//! `report.html`: a plan year as pictures, for designers who would rather
//! look than read CSV files. One self-contained page (inline CSS and SVG, no
//! script, nothing fetched), in English or Chinese: a headline table, and
//! six charts, each with a table of its numbers under it. With an old plan
//! beside it, the charge per member and what the operator bore, old against
//! new.
//!
//! The charts are SVG written here (`svg`), not drawn by a charting crate:
//! four simple kinds of chart, with the plan's own labels and no fonts or
//! files to ship, are less code than adapting a general library's output to
//! a page that must stay self-contained.

use crate::engine::{Ledger, PeriodFigures};
use crate::i18n::{Arg, Lang, Messages};
use crate::input::{Claims, Members};
use crate::money::{Fraction, Money};
use crate::output::RunSummary;
use crate::plan::Plan;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

pub mod svg;

/// One run to draw: its plan and ledger over the shared members and claims.
pub struct Year<'a> {
    pub plan: &'a Plan,
    pub ledger: &'a Ledger,
}

/// The names shown at the top: the plan file and the data files.
pub struct Sources<'a> {
    pub plan: &'a str,
    pub members: &'a str,
    pub claims: &'a str,
    /// The old plan's file, when one is compared.
    pub old_plan: Option<&'a str>,
}

/// The page for `year` (and `old`, drawn against it), in `lang`.
pub fn page(
    year: &Year,
    old: Option<&Year>,
    members: &Members,
    claims: &Claims,
    lang: Lang,
    files: &Sources,
) -> String {
    let m = Messages::new(lang);
    let t = |id: &str| m.get(id, &BTreeMap::new());
    let summary = RunSummary::new(year.plan, members, year.ledger);
    let title = year
        .plan
        .title
        .clone()
        .unwrap_or_else(|| year.plan.id.clone());
    let mut args = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        args.insert(k.to_string(), Arg::Text(v.to_string()));
    };
    set("plan", &title);
    set("until", &year.ledger.until.to_string());
    set("file", files.plan);
    set("members_file", files.members);
    set("claims_file", files.claims);
    set("old", files.old_plan.unwrap_or(""));
    set("new", files.plan);
    let mut out = String::new();
    head(&mut out, &m.get("report-title", &args), lang);
    let _ = write!(
        out,
        "<h1>{}</h1>\n<p class=\"note\">{}</p>\n",
        esc(&m.get("report-title", &args)),
        esc(&m.get("report-generated", &args))
    );
    if files.old_plan.is_some() {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            esc(&m.get("report-compared", &args))
        );
    }
    let periods = &year.ledger.periods;
    let labels: Vec<String> = periods.iter().map(|f| f.period.end.to_string()).collect();
    let per_member: Vec<Money> = periods.iter().map(charge_per_member).collect();
    let cumulative: Vec<Money> = per_member
        .iter()
        .scan(Money::ZERO, |acc, c| {
            *acc += *c;
            Some(*acc)
        })
        .collect();
    headline(
        &mut out,
        &t,
        &summary,
        year.plan,
        cumulative.last().copied(),
    );
    charge_charts(&mut out, &t, &labels, &per_member, &cumulative, periods);
    money_chart(&mut out, &t, &labels, periods);
    reasons_chart(&mut out, &t, &summary);
    bands_chart(&mut out, &t, year, claims);
    status_chart(&mut out, &t, &labels, members, year.ledger);
    if let Some(old) = old {
        compared(&mut out, &t, year, old);
    }
    out.push_str("</main></body></html>\n");
    out
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(crate::terminal_text::escape(s).as_ref()).into_owned()
}

fn head(out: &mut String, title: &str, lang: Lang) {
    let lang = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body><main>\n",
        esc(title),
        CSS
    );
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Noto Sans CJK SC',sans-serif;color:#1a202c;background:#fff;margin:0}\
main{max-width:900px;margin:0 auto;padding:24px}h1{font-size:24px}h2{font-size:18px;margin-top:36px;border-bottom:1px solid #e2e8f0}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}td,th{border:1px solid #e2e8f0;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}\
details summary{cursor:pointer;color:#4a5568;font-size:13px}.note{color:#4a5568;font-size:13px}svg{width:100%;height:auto}";

/// The average charge of a sharing member in a period, to the fen (the
/// charge itself where every sharing member paid the same).
fn charge_per_member(f: &PeriodFigures) -> Money {
    if let Some(c) = f.uniform_charge {
        return c;
    }
    if f.members == 0 {
        return Money::ZERO;
    }
    Fraction::new(i128::from(f.charged.fen()), i128::from(f.members))
        .round(crate::ast::RoundingMode::HalfUp)
}

/// A table: a header row, then rows of cells; numbers right-aligned.
fn table(out: &mut String, id: &str, header: &[String], rows: &[Vec<Cell>]) {
    let _ = write!(out, "<table id=\"{id}\"><thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for c in row {
            match c {
                Cell::Text(s) => {
                    let _ = write!(out, "<td>{}</td>", esc(s));
                }
                Cell::Money(m) => {
                    let _ = write!(
                        out,
                        "<td class=\"n\" data-fen=\"{}\">{}</td>",
                        m.fen(),
                        m.grouped()
                    );
                }
                Cell::Count(n) => {
                    let _ = write!(
                        out,
                        "<td class=\"n\" data-count=\"{n}\">{}</td>",
                        crate::words::grouped(*n)
                    );
                }
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// A cell of a table.
enum Cell {
    Text(String),
    Money(Money),
    Count(u64),
}

fn chart(out: &mut String, t: &dyn Fn(&str) -> String, title_id: &str, svg: String) {
    let _ = write!(
        out,
        "<h2>{}</h2>\n{svg}\n<details open><summary>{}</summary>",
        esc(&t(title_id)),
        esc(&t("chart-table"))
    );
}

fn fen(m: Money) -> f64 {
    m.fen() as f64
}

fn headline(
    out: &mut String,
    t: &dyn Fn(&str) -> String,
    s: &RunSummary,
    plan: &Plan,
    all_periods: Option<Money>,
) {
    let _ = writeln!(out, "<h2>{}</h2>", esc(&t("headline-title")));
    let rows = vec![
        vec![
            Cell::Text(t("headline-members")),
            Cell::Count(s.members.total),
        ],
        vec![
            Cell::Text(t("headline-approved")),
            Cell::Count(s.claims.approved),
        ],
        vec![
            Cell::Text(t("headline-denied")),
            Cell::Count(s.claims.denied),
        ],
        vec![
            Cell::Text(t("headline-payouts")),
            Cell::Money(s.money.payouts),
        ],
        vec![Cell::Text(t("headline-fee")), Cell::Money(s.money.fee)],
        vec![
            Cell::Text(t("headline-charged")),
            Cell::Money(s.money.charged),
        ],
        vec![
            Cell::Text(t("headline-operator")),
            Cell::Money(s.money.operator_borne),
        ],
        vec![
            Cell::Text(t("headline-per-member")),
            Cell::Money(all_periods.unwrap_or_default()),
        ],
        vec![
            Cell::Text(t("headline-caps")),
            Cell::Text(caps(plan).unwrap_or_else(|| t("headline-no-caps"))),
        ],
    ];
    table(out, "headline", &[String::new(), String::new()], &rows);
    let m = &s.members;
    let statuses = [
        ("status-active", m.active),
        ("status-paused", m.paused),
        ("status-ended", m.ended),
        ("status-left", m.left),
        ("status-pending", m.pending),
        ("status-ineligible", m.ineligible),
    ];
    let rows: Vec<Vec<Cell>> = statuses
        .iter()
        .map(|(k, n)| vec![Cell::Text(t(k)), Cell::Count(*n)])
        .collect();
    table(
        out,
        "statuses",
        &[t("headline-members"), String::new()],
        &rows,
    );
}

/// The plan's caps, as the plan writes them.
fn caps(plan: &Plan) -> Option<String> {
    let sh = &plan.sharing;
    let mut parts = Vec::new();
    if let Some(c) = &sh.case_cap {
        parts.push(format!("{} CNY / case", c.value));
    }
    if let Some(c) = &sh.charge_cap {
        parts.push(format!("{} CNY / charge", c.value));
    }
    if sh.annual_cap.is_some() {
        parts.push("per membership year, by age".to_string());
    }
    if let Some(c) = &sh.calendar_cap {
        parts.push(format!("{} CNY / calendar year", c.value));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn charge_charts(
    out: &mut String,
    t: &dyn Fn(&str) -> String,
    labels: &[String],
    per_member: &[Money],
    cumulative: &[Money],
    periods: &[PeriodFigures],
) {
    let series = vec![(
        t("col-charge"),
        per_member.iter().copied().map(fen).collect(),
    )];
    chart(
        out,
        t,
        "chart-charge",
        svg::lines(&t("chart-charge"), labels, &series, true),
    );
    let rows: Vec<Vec<Cell>> = (labels.iter().zip(periods).zip(per_member))
        .map(|((l, f), c)| {
            vec![
                Cell::Text(l.clone()),
                Cell::Count(f.members),
                Cell::Money(*c),
            ]
        })
        .collect();
    table(
        out,
        "charge-table",
        &[t("col-period"), t("col-members"), t("col-charge")],
        &rows,
    );
    out.push_str("</details>\n");
    let series = vec![(
        t("col-cumulative"),
        cumulative.iter().copied().map(fen).collect(),
    )];
    chart(
        out,
        t,
        "chart-cumulative",
        svg::lines(&t("chart-cumulative"), labels, &series, true),
    );
    let rows: Vec<Vec<Cell>> = (labels.iter().zip(cumulative))
        .map(|(l, c)| vec![Cell::Text(l.clone()), Cell::Money(*c)])
        .collect();
    table(
        out,
        "cumulative-table",
        &[t("col-period"), t("col-cumulative")],
        &rows,
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">{}</p></details>",
        esc(&t("note-cumulative"))
    );
}

fn money_chart(
    out: &mut String,
    t: &dyn Fn(&str) -> String,
    labels: &[String],
    periods: &[PeriodFigures],
) {
    let series = vec![
        (
            t("col-charged"),
            periods.iter().map(|f| fen(f.charged)).collect(),
        ),
        (
            t("col-operator"),
            periods.iter().map(|f| fen(f.operator_borne)).collect(),
        ),
    ];
    chart(
        out,
        t,
        "chart-money",
        svg::stacked(&t("chart-money"), labels, &series, true),
    );
    let rows: Vec<Vec<Cell>> = (labels.iter().zip(periods))
        .map(|(l, f)| {
            vec![
                Cell::Text(l.clone()),
                Cell::Money(f.payouts),
                Cell::Money(f.charged),
                Cell::Money(f.operator_borne),
            ]
        })
        .collect();
    let header = [
        t("col-period"),
        t("col-payouts"),
        t("col-charged"),
        t("col-operator"),
    ];
    table(out, "money-table", &header, &rows);
    out.push_str("</details>\n");
}

fn reasons_chart(out: &mut String, t: &dyn Fn(&str) -> String, s: &RunSummary) {
    let mut rows: Vec<(String, u64)> = vec![("covered".to_string(), s.claims.approved)];
    rows.extend(
        s.claims
            .denied_by_reason
            .0
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| (r.code().to_string(), *n)),
    );
    let bars: Vec<(String, f64)> = rows.iter().map(|(r, n)| (r.clone(), *n as f64)).collect();
    chart(
        out,
        t,
        "chart-reasons",
        svg::bars(&t("chart-reasons"), &bars, false),
    );
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|(r, n)| vec![Cell::Text(r), Cell::Count(n)])
        .collect();
    table(
        out,
        "reasons-table",
        &[t("col-reason"), t("col-claims")],
        &cells,
    );
    out.push_str("</details>\n");
}

/// Approved payouts of the shared periods by benefit and age band.
fn bands_chart(out: &mut String, t: &dyn Fn(&str) -> String, year: &Year, claims: &Claims) {
    let last = year.ledger.last_closing_day();
    let mut by: BTreeMap<String, (u64, Money)> = BTreeMap::new();
    for d in year
        .ledger
        .decisions
        .iter()
        .filter(|d| d.approved() && last.is_some_and(|l| d.filed_on <= l))
    {
        let claim = &claims.all()[d.claim as usize];
        let plan = year.plan.at(claim.diagnosed_on);
        let label = match d.facts.benefit {
            Some(b) => {
                let (table_of, bands) = crate::engine::payout_table(plan, b);
                let band = (bands.zip(d.facts.band))
                    .and_then(|((_, bands), k)| bands.get(k))
                    .map(|b| b.ages.to_string());
                let name = &plan.benefit(table_of).name;
                match band {
                    Some(band) => format!("{} · {band}", plan.benefit(b).name),
                    None => name.clone(),
                }
            }
            None => "-".to_string(),
        };
        let e = by.entry(label).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 += d.payout;
    }
    let bars: Vec<(String, f64)> = by.iter().map(|(k, (_, m))| (k.clone(), fen(*m))).collect();
    chart(
        out,
        t,
        "chart-bands",
        svg::bars(&t("chart-bands"), &bars, true),
    );
    let rows: Vec<Vec<Cell>> = by
        .into_iter()
        .map(|(k, (n, m))| vec![Cell::Text(k), Cell::Count(n), Cell::Money(m)])
        .collect();
    table(
        out,
        "bands-table",
        &[t("col-band"), t("col-claims"), t("col-amount")],
        &rows,
    );
    out.push_str("</details>\n");
}

/// For each closing day, the members active, ended, left, not yet joined
/// and ineligible on that day (the order in which `run` decides a status).
fn statuses_by_day(members: &Members, ledger: &Ledger) -> Vec<[u64; 5]> {
    let days: Vec<chrono::NaiveDate> = ledger.periods.iter().map(|f| f.period.end).collect();
    (0..members.len())
        .into_par_iter()
        .fold(
            || vec![[0u64; 5]; days.len()],
            |mut acc, i| {
                for (k, &d) in days.iter().enumerate() {
                    let s = if !ledger.membership.eligible[i] {
                        4
                    } else if members.join[i] > d {
                        3
                    } else if members.left[i] <= d {
                        2
                    } else if ledger.membership.end[i] <= d {
                        1
                    } else {
                        0
                    };
                    acc[k][s] += 1;
                }
                acc
            },
        )
        .reduce(
            || vec![[0u64; 5]; days.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for s in 0..5 {
                        x[s] += y[s];
                    }
                }
                a
            },
        )
}

/// Members by status on each closing day, as `run` gives the status on `--until`.
fn status_chart(
    out: &mut String,
    t: &dyn Fn(&str) -> String,
    labels: &[String],
    members: &Members,
    ledger: &Ledger,
) {
    let counts = statuses_by_day(members, ledger);
    let names = [
        "status-active",
        "status-ended",
        "status-left",
        "status-pending",
        "status-ineligible",
    ];
    let series: Vec<(String, Vec<f64>)> = names
        .iter()
        .enumerate()
        .take(3)
        .map(|(s, n)| (t(n), counts.iter().map(|c| c[s] as f64).collect()))
        .collect();
    chart(
        out,
        t,
        "chart-status",
        svg::stacked(&t("chart-status"), labels, &series, false),
    );
    let rows: Vec<Vec<Cell>> = (labels.iter().zip(&counts))
        .map(|(l, c)| {
            let mut row = vec![Cell::Text(l.clone())];
            row.extend(c.iter().map(|n| Cell::Count(*n)));
            row
        })
        .collect();
    let mut header = vec![t("col-period")];
    header.extend(names.iter().map(|n| t(n)));
    table(out, "status-table", &header, &rows);
    out.push_str("</details>\n");
}

fn old_side(r: &crate::diff::PeriodRow) -> Option<&crate::diff::PeriodSide> {
    r.old.as_ref()
}

fn new_side(r: &crate::diff::PeriodRow) -> Option<&crate::diff::PeriodSide> {
    r.new.as_ref()
}

/// The charge per member and what the operator bore, old against new, by period.
fn compared(out: &mut String, t: &dyn Fn(&str) -> String, new: &Year, old: &Year) {
    let rows = crate::diff::compare_periods(old.ledger, new.ledger);
    let labels: Vec<String> = rows.iter().map(|r| r.end.to_string()).collect();
    let each = |side: fn(&crate::diff::PeriodRow) -> Option<&crate::diff::PeriodSide>,
                f: fn(&crate::diff::PeriodSide) -> Money|
     -> Vec<Money> {
        rows.iter()
            .map(|r| side(r).map(f).unwrap_or_default())
            .collect()
    };
    let per = |s: &crate::diff::PeriodSide| {
        if s.members == 0 {
            Money::ZERO
        } else {
            Fraction::new(i128::from(s.charged.fen()), i128::from(s.members))
                .round(crate::ast::RoundingMode::HalfUp)
        }
    };
    let (co, cn) = (each(old_side, per), each(new_side, per));
    let (oo, on) = (
        each(old_side, |s| s.operator_borne),
        each(new_side, |s| s.operator_borne),
    );
    let name = |k: &str, which: &str| format!("{} ({})", t(k), t(which));
    let series = vec![
        (
            name("col-charge", "col-old"),
            co.iter().copied().map(fen).collect(),
        ),
        (
            name("col-charge", "col-new"),
            cn.iter().copied().map(fen).collect(),
        ),
    ];
    chart(
        out,
        t,
        "chart-charge",
        svg::lines(&t("chart-charge"), &labels, &series, true),
    );
    let series2 = vec![
        (
            name("col-operator", "col-old"),
            oo.iter().copied().map(fen).collect(),
        ),
        (
            name("col-operator", "col-new"),
            on.iter().copied().map(fen).collect(),
        ),
    ];
    out.push_str(&svg::lines(&t("col-operator"), &labels, &series2, true));
    let rows: Vec<Vec<Cell>> = (0..labels.len())
        .map(|i| {
            vec![
                Cell::Text(labels[i].clone()),
                Cell::Money(co[i]),
                Cell::Money(cn[i]),
                Cell::Money(oo[i]),
                Cell::Money(on[i]),
            ]
        })
        .collect();
    let header = [
        t("col-period"),
        name("col-charge", "col-old"),
        name("col-charge", "col-new"),
        name("col-operator", "col-old"),
        name("col-operator", "col-new"),
    ];
    table(out, "compared-table", &header, &rows);
    out.push_str("</details>\n");
}
