//! Why a member was not eligible at joining, in the designer's words and with
//! the member's own values: `age at joining 70 years (outside the join ages
//! 30 days to 59 years)`, `prepaid_balance = 2.00, needs >= 9`.

use crate::age::{age_days, age_years};
use crate::input::Members;
use crate::plan::{Literal, Plan, Requirement};
use crate::terminal_text::escape;

/// Each comparison of `req` with the member's value, the ones that fail
/// first: `credit_score = 600, needs >= 650`. `None` where the member's values
/// were not read.
pub fn compared(req: &Requirement, members: &Members, i: usize) -> Option<String> {
    let values = members.explained_attributes.get(&(i as u32))?;
    let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
    let vals: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
    let mut parts: Vec<(bool, String)> = req
        .comparisons()
        .into_iter()
        .filter_map(|leaf| {
            let Requirement::Compare {
                attribute,
                op,
                value,
            } = leaf
            else {
                return None;
            };
            let held = crate::input::evaluate(leaf, &names, &vals).unwrap_or(false);
            let actual = (values.iter())
                .find(|(n, _)| n == attribute)
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            let actual = if actual.is_empty() {
                "(empty)".to_string()
            } else {
                escape(actual).into_owned()
            };
            let needed = match value {
                Literal::Number { text, .. } => text.clone(),
                Literal::Text(t) => format!("\"{}\"", escape(t)),
            };
            let verb = if held { "meets" } else { "needs" };
            Some((
                held,
                format!("{attribute} = {actual}, {verb} {} {needed}", op.symbol()),
            ))
        })
        .collect();
    parts.sort_by_key(|(held, _)| *held);
    Some(
        parts
            .into_iter()
            .map(|(_, p)| p)
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// Why member `i` was not eligible when joining: the join age, the
/// requirement, or both, by the rules in force on the join date.
pub fn why_ineligible(plan: &Plan, members: &Members, i: usize) -> String {
    let (birth, join) = (members.birth[i], members.join[i]);
    let rules = &plan.at(join).membership;
    let mut why = Vec::new();
    if !rules.join.value.contains(birth, join) {
        why.push(format!(
            "age at joining {} ({}), outside the join ages {}",
            crate::words::count(u64::from(age_years(birth, join)), "year"),
            crate::words::count(age_days(birth, join).unsigned_abs(), "day"),
            rules.join.value
        ));
    }
    if let Some(req) = &rules.requirement
        && !members.meets_requirements[i]
    {
        let text = crate::summary::requirement_text(&req.value);
        why.push(match compared(&req.value, members, i) {
            Some(values) => format!("the requirement `{text}` did not hold: {values}"),
            None => format!("the requirement `{text}` did not hold on the member's attributes"),
        });
    }
    if why.is_empty() {
        "was not eligible when joining".to_string()
    } else {
        format!("was not eligible when joining: {}", why.join("; "))
    }
}
