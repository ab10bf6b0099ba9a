//! The language reference (`grammar/README.md`) as hover text: each
//! statement's and section's entry, found by the words that start it.

/// The reference, built into the binary so that hover needs no file.
const REFERENCE: &str = include_str!("../../grammar/README.md");

/// The words that start each section and statement.
pub const KEYWORDS: [&str; 44] = [
    "plan",
    "membership",
    "benefit",
    "diseases",
    "sharing",
    "account",
    "viability",
    "example",
    "include",
    "title",
    "operator",
    "currency",
    "launched",
    "closes",
    "join ages",
    "requires",
    "pays at join",
    "ends at age",
    "ends on payout of",
    "term",
    "covers",
    "waiting",
    "payout",
    "limit",
    "only for",
    "in waiting",
    "closes on",
    "fee",
    "split",
    "cap",
    "cap per year",
    "excess",
    "rounding",
    "minimum",
    "minimum balance",
    "resumes after a top-up",
    "fee per",
    "payment",
    "as of",
    "member",
    "members",
    "claim",
    "claims",
    "expect",
];

/// The most lines of one entry shown on hover.
const MAX_LINES: usize = 14;

/// One documented shape: `join ages A to B`, with its text.
struct Entry {
    shape: String,
    text: String,
    /// A row of a table (a short meaning), not a paragraph of its own.
    table: bool,
}

/// The reference's entry for a statement or section keyword (`join ages`,
/// `fee per`, `membership`), as Markdown.
pub fn keyword(keyword: &str) -> Option<String> {
    let entries: &[Entry] = &ENTRIES;
    let starts = |k: &str, e: &Entry| {
        let want: Vec<&str> = k.split_whitespace().collect();
        let words = e.shape.split_whitespace();
        let words = words.map(|w| w.trim_end_matches([':', ',']));
        words.take(want.len()).eq(want.iter().copied())
    };
    // `closes` is not `closes on`: a longer keyword's entries are its own.
    let longer: Vec<&str> = KEYWORDS
        .iter()
        .copied()
        .filter(|k| k.len() > keyword.len() && k.starts_with(&format!("{keyword} ")))
        .collect();
    let own = |e: &&Entry| starts(keyword, e) && !longer.iter().any(|l| starts(l, e));
    // `fee per` is written `fee 2 CNY per quarter`: its words in order.
    let in_order = |e: &&Entry| {
        let mut words = e.shape.split_whitespace();
        keyword.split_whitespace().all(|k| words.any(|w| w == k))
    };
    let found: Vec<&Entry> = match entries.iter().filter(own).collect::<Vec<_>>() {
        v if !v.is_empty() => v,
        _ => entries.iter().filter(in_order).take(1).collect(),
    };
    // A section's or a statement's own entry before a row of a summary
    // table; several rows of one statement (the four `expect` targets) go together.
    if let Some(own) = found.iter().find(|e| !e.table) {
        return Some(own.text.clone());
    }
    let rows: Vec<&str> = found.iter().map(|e| e.text.as_str()).collect();
    (!rows.is_empty()).then(|| rows.join("\n\n"))
}

/// Every entry of the reference: bold shapes, table rows and section headings.
/// The reference's entries, read from it once.
static ENTRIES: std::sync::LazyLock<Vec<Entry>> = std::sync::LazyLock::new(entries);

fn entries() -> Vec<Entry> {
    let lines: Vec<&str> = REFERENCE.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(shape) = bold_shape(line) {
            out.push(Entry {
                shape,
                text: paragraphs(&lines[i..]),
                table: false,
            });
        } else if let Some(shape) = line.strip_prefix("### `").and_then(|s| s.split('`').next()) {
            out.push(Entry {
                shape: shape.to_string(),
                text: format!("**`{shape}`**\n\n{}", paragraphs(&lines[i + 1..])),
                table: false,
            });
        } else if let Some((shape, meaning)) = table_row(line) {
            out.push(Entry {
                text: format!("**`{shape}`**: {meaning}"),
                shape,
                table: true,
            });
        }
    }
    out
}

/// `**`join ages A to B`**, required …` gives `join ages A to B`.
fn bold_shape(line: &str) -> Option<String> {
    let rest = line.strip_prefix("**`")?;
    Some(rest.split('`').next()?.to_string())
}

/// `| `title "TEXT"` | the name people see | …` gives the shape and its meaning.
fn table_row(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("| `")?;
    let (shape, rest) = rest.split_once("` |")?;
    let meaning = rest.split(" |").next()?.trim();
    Some((shape.to_string(), meaning.to_string()))
}

/// The prose from the first line on, without code blocks, up to the next
/// entry or heading, at most `MAX_LINES` lines.
fn paragraphs(lines: &[&str]) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let new_paragraph = i > 0 && lines[i - 1].is_empty();
        let next_entry =
            i > 0 && (line.starts_with('#') || new_paragraph && line.starts_with("**`"));
        if in_code || line.starts_with("---") {
            continue;
        }
        if next_entry || line.starts_with('|') || out.len() >= MAX_LINES {
            break;
        }
        if !(line.is_empty() && out.last().is_none_or(|l: &&str| l.is_empty())) {
            out.push(*line);
        }
    }
    out.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_has_an_entry() {
        for k in KEYWORDS {
            assert!(
                keyword(k).is_some_and(|t| !t.is_empty()),
                "no entry for `{k}`"
            );
        }
    }

    #[test]
    fn a_keyword_finds_its_own_entry() {
        assert!(keyword("fee").unwrap().contains("management fee"));
        assert!(keyword("fee per").unwrap().contains("calendar"));
        assert!(keyword("closes").unwrap().contains("claims for illnesses"));
        assert!(keyword("closes on").unwrap().contains("closing days"));
        assert!(keyword("minimum balance").unwrap().contains("paused"));
        assert!(
            keyword("membership")
                .unwrap()
                .contains("who becomes a member")
        );
        let expect = keyword("expect").unwrap();
        assert!(expect.contains("period[DATE]") && expect.contains("charge[DATE]"));
    }
}
