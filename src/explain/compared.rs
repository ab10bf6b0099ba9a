//! Two explanations of one figure, by an old and a new plan, side by side:
//! the steps paired by what they check, each pair that differs marked, so
//! that a designer sees which rule line changed the outcome.

use super::{Explanation, Outcome, Step};
use crate::terminal_text::escape;
use serde::Serialize;

/// One step of either explanation, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pair {
    /// Index of the step in the old explanation.
    pub old: Option<usize>,
    /// Index of the step in the new explanation.
    pub new: Option<usize>,
    /// Whether the two differ (text, outcome or rule line), or one is missing.
    pub differs: bool,
}

/// The two explanations, and their steps paired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Compared {
    pub old_plan: String,
    pub new_plan: String,
    pub old: Explanation,
    pub new: Explanation,
    pub pairs: Vec<Pair>,
}

impl Compared {
    pub fn new(old_plan: String, new_plan: String, old: Explanation, new: Explanation) -> Compared {
        let pairs = pair_steps(&old.steps, &new.steps);
        Compared {
            old_plan,
            new_plan,
            old,
            new,
            pairs,
        }
    }
}

fn same(a: &Step, b: &Step) -> bool {
    a.text == b.text
        && a.outcome == b.outcome
        && a.rule.as_ref().map(|r| &r.text) == b.rule.as_ref().map(|r| &r.text)
}

/// The steps paired by kind, in order: the longest common run of step kinds
/// (the lists are a few dozen steps long), the rest unpaired.
fn pair_steps(a: &[Step], b: &[Step]) -> Vec<Pair> {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i].step == b[j].step {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(n.max(m)));
    while i < n || j < m {
        if i < n && j < m && a[i].step == b[j].step {
            out.push(Pair {
                old: Some(i),
                new: Some(j),
                differs: !same(&a[i], &b[j]),
            });
            (i, j) = (i + 1, j + 1);
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(Pair {
                old: Some(i),
                new: None,
                differs: true,
            });
            i += 1;
        } else {
            out.push(Pair {
                old: None,
                new: Some(j),
                differs: true,
            });
            j += 1;
        }
    }
    out
}

/// The comparison as text: both outcomes, then every step; a step that
/// differs is marked `≠` and shown as the old plan has it, then the new.
pub fn render_compared(c: &Compared) -> String {
    let mut out = String::new();
    let differing = c.pairs.iter().filter(|p| p.differs).count();
    out.push_str(&format!("{}\n", escape(&c.new.subject)));
    out.push_str(&format!(
        "  old ({}): {}\n",
        escape(&c.old_plan),
        escape(&c.old.result)
    ));
    out.push_str(&format!(
        "  new ({}): {}\n",
        escape(&c.new_plan),
        escape(&c.new.result)
    ));
    out.push_str(&format!(
        "{} of {} differ (≠: the old plan's step, then the new plan's):\n",
        crate::words::count(differing as u64, "step"),
        c.pairs.len()
    ));
    for p in &c.pairs {
        match (
            p.old.map(|i| &c.old.steps[i]),
            p.new.map(|j| &c.new.steps[j]),
        ) {
            (Some(a), Some(_)) if !p.differs => line(&mut out, "   ", "", a),
            (a, b) => {
                match a {
                    Some(a) => line(&mut out, "≠  ", "old ", a),
                    None => out.push_str("≠  old (no such step)\n"),
                }
                match b {
                    Some(b) => line(&mut out, "   ", "new ", b),
                    None => out.push_str("   new (no such step)\n"),
                }
            }
        }
    }
    for (who, e) in [("old", &c.old), ("new", &c.new)] {
        for w in &e.why_not {
            out.push_str(&format!("why not ({who}): {}\n", escape(w)));
        }
    }
    out
}

fn line(out: &mut String, lead: &str, who: &str, s: &Step) {
    let mark = match s.outcome {
        Outcome::Pass => "✓",
        Outcome::Fail => "✗",
        Outcome::Info => "·",
    };
    out.push_str(&format!("{lead}{who}{mark} {}\n", escape(&s.text)));
    if let Some(rule) = &s.rule {
        out.push_str(&format!(
            "{}  {}:{}  {}\n",
            " ".repeat(lead.chars().count() + who.len()),
            escape(&rule.file),
            rule.line,
            escape(&rule.text)
        ));
    }
}
