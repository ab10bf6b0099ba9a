//! An explanation drawn as a tree for a terminal.

use super::*;

/// Renders an explanation as a tree; colour only when asked. Text from the
/// plan and the data files is shown with its control characters written visibly.
pub fn render_human(e: &Explanation, color: bool) -> String {
    let mut out = String::new();
    let paint = |text: &str, o: Outcome| -> String {
        if !color {
            return text.to_string();
        }
        match o {
            Outcome::Pass => text.green().to_string(),
            Outcome::Fail => text.red().to_string(),
            Outcome::Info => text.to_string(),
        }
    };
    let head = format!("{}: {}", escape(&e.subject), escape(&e.result));
    out.push_str(&if color { head.bold().to_string() } else { head });
    out.push('\n');
    for (k, step) in e.steps.iter().enumerate() {
        let last = k + 1 == e.steps.len();
        let (branch, cont) = if last {
            ("└─ ", "   ")
        } else {
            ("├─ ", "│  ")
        };
        let mark = match step.outcome {
            Outcome::Pass => "✓",
            Outcome::Fail => "✗",
            Outcome::Info => "·",
        };
        out.push_str(branch);
        out.push_str(&paint(mark, step.outcome));
        out.push(' ');
        out.push_str(&escape(&step.text));
        out.push('\n');
        if let Some(rule) = &step.rule {
            let cite = format!(
                "{}:{}  {}",
                escape(&rule.file),
                rule.line,
                escape(&rule.text)
            );
            out.push_str(cont);
            out.push_str("  ");
            out.push_str(&if color {
                cite.dimmed().to_string()
            } else {
                cite
            });
            out.push('\n');
        }
    }
    for w in &e.why_not {
        out.push_str("why not: ");
        out.push_str(&escape(w));
        out.push('\n');
    }
    out
}
