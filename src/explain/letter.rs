//! The member view of an explanation: a short letter that a member who asks
//! about a charge or a claim can read, in English or Chinese. It is written
//! from the same steps as the audit view (their figures, as data), with the
//! messages of `locales/`: what the member paid and why, which cap protected
//! the member and by how much, the balance after the charge, and where to
//! read the rule.

use super::{Explanation, Outcome, Step};
use crate::i18n::{Arg, Lang, Messages};
use crate::plan::Plan;
use std::collections::BTreeMap;

/// The letter for `e`, an explanation of `plan`'s, in `lang`.
pub fn member_view(e: &Explanation, plan: &Plan, lang: Lang) -> String {
    let m = Messages::new(lang);
    let mut args = figures(&e.steps);
    let title = plan.title.clone().unwrap_or_else(|| plan.id.clone());
    set(&mut args, "plan", &title);
    let mut lines = Vec::new();
    if e.kind == "claim" {
        claim(&m, e, plan, &mut args, &mut lines);
    } else {
        charge(&m, e, &mut args, &mut lines);
    }
    lines.push(m.get("letter-closing", &args));
    let mut out = lines.join("\n\n");
    out.push('\n');
    crate::terminal_text::escape_lines(&out).into_owned()
}

/// Every figure of every step, by name (a later step's wins): text as it is,
/// amounts to the fen with thousands grouped, numbers as numbers (with a
/// `NAME_text` form grouped).
fn figures(steps: &[Step]) -> BTreeMap<String, Arg> {
    let mut args = BTreeMap::new();
    for step in steps {
        for (k, v) in &step.values {
            match v {
                serde_json::Value::Number(n) => {
                    let x = n.as_f64().unwrap_or(0.0);
                    args.insert(k.clone(), Arg::Number(x));
                    let text = n
                        .as_u64()
                        .map(crate::words::grouped)
                        .unwrap_or_else(|| n.to_string());
                    args.insert(format!("{k}_text"), Arg::Text(text));
                }
                serde_json::Value::String(s) => {
                    args.insert(k.clone(), Arg::Text(amount(s).unwrap_or_else(|| s.clone())));
                }
                serde_json::Value::Bool(b) => {
                    args.insert(k.clone(), Arg::Text(b.to_string()));
                }
                _ => {}
            }
        }
    }
    args
}

/// A decimal amount (`2760000.00`, `265.034016`) to the fen, grouped
/// (`2,760,000.00`, `265.03`); `None` for anything else.
fn amount(s: &str) -> Option<String> {
    let (whole, frac) = s.split_once('.')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole.trim_start_matches('-')) || !digits(frac) {
        return None;
    }
    let frac = format!("{frac:0<2}");
    let fen = crate::money::Fraction::new(
        format!("{whole}{frac}").parse::<i128>().ok()?,
        10i128.pow(frac.len() as u32) / 100,
    );
    Some(fen.round(crate::ast::RoundingMode::HalfUp).grouped())
}

fn set(args: &mut BTreeMap<String, Arg>, k: &str, v: &str) {
    args.insert(k.to_string(), Arg::Text(v.to_string()));
}

fn text(args: &BTreeMap<String, Arg>, k: &str) -> String {
    match args.get(k) {
        Some(Arg::Text(t)) => t.clone(),
        Some(Arg::Number(n)) => n.to_string(),
        None => String::new(),
    }
}

fn step<'e>(e: &'e Explanation, name: &str) -> Option<&'e Step> {
    e.steps.iter().find(|s| s.step == name)
}

/// "file line N (text)" of the steps' rules, each once.
fn rules(m: &Messages, steps: &[&Step]) -> Option<String> {
    let mut seen = Vec::new();
    for s in steps {
        if let Some(r) = &s.rule
            && !seen.iter().any(|(f, l, _)| *f == r.file && *l == r.line)
        {
            seen.push((r.file.clone(), r.line, r.text.clone()));
        }
    }
    if seen.is_empty() {
        return None;
    }
    let parts: Vec<String> = seen
        .into_iter()
        .map(|(file, line, text)| {
            let mut a = BTreeMap::new();
            set(&mut a, "file", &file);
            set(&mut a, "line", &line.to_string());
            set(&mut a, "text", &text);
            m.get("letter-rule", &a)
        })
        .collect();
    let mut a = BTreeMap::new();
    let separator = m.get("letter-rules-separator", &a);
    set(&mut a, "rules", &parts.join(&separator));
    Some(m.get("letter-rules", &a))
}

/// The letter about one period's charge.
fn charge(
    m: &Messages,
    e: &Explanation,
    args: &mut BTreeMap<String, Arg>,
    lines: &mut Vec<String>,
) {
    let member = e
        .subject
        .split_whitespace()
        .nth(3)
        .unwrap_or_default()
        .to_string();
    set(args, "member", &member);
    set(args, "start", &text(args, "period_start"));
    set(args, "end", &text(args, "period_end"));
    lines.push(m.get("letter-greeting", args));
    let charged = step(e, "rounding")
        .and_then(|s| s.values.get("charge"))
        .and_then(|v| v.as_str());
    let charged = charged
        .and_then(amount)
        .unwrap_or_else(|| "0.00".to_string());
    set(args, "charge", &charged);
    let paid = charged != "0.00";
    lines.push(m.get(
        if paid {
            "charge-paid"
        } else {
            "charge-nothing"
        },
        args,
    ));
    let sharing = step(e, "sharing_member");
    if let Some(s) = sharing.filter(|s| s.values.contains_key("not_sharing")) {
        set(args, "why", &text(args, "not_sharing"));
        if let Some(why) = s.values.get("why").and_then(|v| v.as_str()) {
            set(args, "detail", why);
        }
        lines.push(m.get("charge-not-sharing", args));
        if !matches!(text(args, "refunded").as_str(), "" | "0.00") {
            lines.push(m.get("charge-refunded", args));
        }
        lines.push(m.get("charge-others", args));
    } else {
        sharing_letter(m, e, args, lines);
    }
    let last_balance = e.steps.iter().rev().find(|s| s.step.starts_with("balance"));
    if let Some(balance) = last_balance.and_then(|b| b.values.get("balance")?.as_str()) {
        let shown = amount(balance).unwrap_or_else(|| balance.to_string());
        set(args, "balance", &shown);
        lines.push(m.get("charge-balance", args));
    }
    let cited: Vec<&Step> = e
        .steps
        .iter()
        .filter(|s| {
            matches!(s.step, "fee" | "share" | "rounding")
                || (s.step == "cap" && s.outcome == Outcome::Fail)
        })
        .collect();
    lines.extend(rules(m, &cited));
}

/// The cases, the pool, the member's share, the caps that protected the
/// member and the rounding.
fn sharing_letter(
    m: &Messages,
    e: &Explanation,
    args: &mut BTreeMap<String, Arg>,
    lines: &mut Vec<String>,
) {
    lines.push(m.get("charge-cases", args));
    if text(args, "carried_in") != "0.00" && args.contains_key("carried_in") {
        let carried = text(args, "carried_in");
        set(args, "carried", &carried);
        lines.push(m.get("charge-carried", args));
    }
    if matches!(args.get("cases"), Some(Arg::Number(n)) if *n == 0.0) {
        return;
    }
    lines.push(m.get("charge-shared", args));
    for cap in e
        .steps
        .iter()
        .filter(|s| s.step == "cap" && s.outcome == Outcome::Fail)
    {
        let mut a = args.clone();
        for (k, v) in [
            ("kind", "kind"),
            ("cap", "cap"),
            ("share", "share_before_cap"),
        ] {
            if let Some(x) = cap.values.get(v).and_then(|x| x.as_str()) {
                set(&mut a, k, &amount(x).unwrap_or_else(|| x.to_string()));
            }
        }
        lines.push(m.get("charge-protected", &a));
    }
    lines.push(m.get("charge-rounded", args));
}

/// The letter about one claim.
fn claim(
    m: &Messages,
    e: &Explanation,
    plan: &Plan,
    args: &mut BTreeMap<String, Arg>,
    lines: &mut Vec<String>,
) {
    set(args, "member", &text(args, "member_id"));
    set(args, "claim", &text(args, "claim_id"));
    set(args, "diagnosed", &text(args, "diagnosed_on"));
    set(args, "filed", &text(args, "filed_on"));
    let name = text(args, "disease_name");
    set(
        args,
        "disease_name",
        &if name.is_empty() {
            name.clone()
        } else {
            format!(" ({name})")
        },
    );
    lines.push(m.get("letter-greeting", args));
    lines.push(m.get("claim-head", args));
    let failed =
        e.steps.iter().rev().find(|s| {
            s.outcome == Outcome::Fail || (s.step == "cover" && s.outcome != Outcome::Pass)
        });
    match (e.result.starts_with("approved"), failed) {
        (true, _) | (false, None) => {
            let benefit = text(args, "benefit");
            let title = plan
                .benefit_named(&benefit)
                .and_then(|b| plan.benefit(b).title.clone())
                .unwrap_or(benefit);
            set(args, "benefit", &title);
            lines.push(m.get("claim-approved", args));
            if step(e, "ends_membership").is_some() {
                lines.push(m.get("claim-approved-ends", args));
            }
            let cited: Vec<&Step> = e
                .steps
                .iter()
                .filter(|s| matches!(s.step, "age_band" | "payout"))
                .collect();
            lines.extend(rules(m, &cited));
        }
        (false, Some(f)) => {
            lines.push(m.get("claim-denied", args));
            let with_values = f.step == "requirement" && !text(args, "member_values").is_empty();
            let id = if with_values {
                "deny-requirement-values".to_string()
            } else {
                format!("deny-{}", f.step)
            };
            if m.has(&id) {
                lines.push(m.get(&id, args));
            } else {
                let mut a = args.clone();
                set(&mut a, "text", &f.text);
                lines.push(m.get("deny-other", &a));
            }
            let why = format!("whynot-{}", f.step);
            if m.has(&why) {
                lines.push(m.get(&why, args));
            }
            lines.extend(rules(m, &[f]));
        }
    }
}
