//! Completion: the keywords valid where the cursor is, disease list names
//! and codes, benefit names, causes, and the targets of `expect`.

use super::analysis::Analysis;
use super::symbols::{self, Symbol};
use crate::ast::{Header, Section, StatementKind};
use crate::plan::{CLAIM_FIELDS, MEMBER_FIELDS, PERIOD_FIELDS};
use crate::source::FileId;
use lsp_types::{CompletionItem, CompletionItemKind};

/// The words that start a section (a line that is not indented).
const SECTIONS: [(&str, &str); 9] = [
    ("plan", "plan NAME"),
    ("membership", "membership"),
    ("benefit", "benefit NAME \"title\""),
    ("diseases", "diseases NAME \"title\""),
    ("sharing", "sharing"),
    ("account", "account"),
    ("viability", "viability"),
    ("example", "example \"title\""),
    ("include", "include \"path\""),
];

/// The statements each section may hold, as they start.
fn statements(section: &Header) -> &'static [&'static str] {
    match section {
        Header::Plan { .. } => &["title", "operator", "currency", "launched", "closes"],
        Header::Membership => &[
            "join ages",
            "requires",
            "pays at join",
            "ends at age",
            "ends on payout of",
            "term",
        ],
        Header::Benefit { .. } => &[
            "covers",
            "waiting",
            "payout",
            "limit",
            "only for",
            "in waiting: ends membership, refunds charges",
        ],
        Header::Sharing => &[
            "closes on days",
            "fee",
            "split",
            "cap",
            "excess",
            "rounding",
        ],
        Header::Account => &["minimum balance", "resumes after a top-up", "fee"],
        Header::Viability => &["minimum"],
        Header::Example { .. } => &[
            "as of", "member", "members", "claim", "claims", "payment", "expect",
        ],
        Header::Diseases { .. } | Header::Include { .. } => &[],
    }
}

/// What may be written at byte `offset` of `file`, given the text before it on its line.
pub fn complete(analysis: &Analysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let text = &analysis.source(file).text;
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let section = analysis.ast(file).and_then(|f| {
        f.sections
            .iter()
            .rev()
            .find(|s| (s.header.span.start as usize) < line_start)
    });
    if !before.starts_with([' ', '\t']) {
        return SECTIONS
            .iter()
            .map(|(k, shape)| item(k, CompletionItemKind::KEYWORD, shape))
            .collect();
    }
    let words: Vec<&str> = before.split_whitespace().collect();
    let typing_first = words.len() <= 1 && !before.ends_with(char::is_whitespace);
    if words.is_empty() || typing_first {
        let Some(section) = section else {
            return Vec::new();
        };
        return statements(&section.header.node)
            .iter()
            .map(|k| item(k, CompletionItemKind::KEYWORD, "statement"))
            .collect();
    }
    after_words(analysis, section, &words, before)
}

/// Completion inside a statement, from the words already written.
fn after_words(
    analysis: &Analysis,
    section: Option<&Section>,
    words: &[&str],
    before: &str,
) -> Vec<CompletionItem> {
    let last = if before.ends_with(char::is_whitespace) {
        ""
    } else {
        words[words.len() - 1]
    };
    match words[0] {
        "covers" => diseases(analysis, true),
        "expect" => section.map(|s| expect_targets(s, last)).unwrap_or_default(),
        "ends" if words.get(1) == Some(&"on") => benefits(analysis),
        "waiting" | "only" => causes(),
        "claim" | "claims" => match last.split_once('=') {
            Some(("disease", _)) => diseases(analysis, false),
            Some(("cause", _)) => causes(),
            Some(("benefit", _)) => benefits(analysis),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..Default::default()
    }
}

/// Disease list names (when `lists`) and every disease code, with its name.
fn diseases(analysis: &Analysis, lists: bool) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    for file in &analysis.loaded.files {
        for section in &file.sections {
            let Header::Diseases { name, title } = &section.header.node else {
                continue;
            };
            if lists {
                let detail = title.as_ref().map_or("disease list", |t| t.node.as_str());
                out.push(item(&name.node, CompletionItemKind::MODULE, detail));
            }
            for row in &section.rows {
                if let crate::ast::Row::Disease { code, name, .. } = row {
                    out.push(item(&code.node, CompletionItemKind::CONSTANT, &name.node));
                }
            }
        }
    }
    out
}

fn benefits(analysis: &Analysis) -> Vec<CompletionItem> {
    symbols::occurrences(&analysis.loaded.files)
        .into_iter()
        .filter(|o| o.defines)
        .filter_map(|o| match o.symbol {
            Symbol::Benefit(name) => Some(item(&name, CompletionItemKind::CLASS, "benefit")),
            _ => None,
        })
        .collect()
}

fn causes() -> Vec<CompletionItem> {
    ["accident", "illness"]
        .iter()
        .map(|c| item(c, CompletionItemKind::ENUM_MEMBER, "cause"))
        .collect()
}

/// `claim.ID.FIELD`, `period[DATE].FIELD`, `member.ID.FIELD`, `charge[DATE].ID`:
/// the forms, then the example's ids, then the fields.
fn expect_targets(example: &Section, last: &str) -> Vec<CompletionItem> {
    let (claims, members) = example_ids(example);
    let field = |fields: &[&str]| -> Vec<CompletionItem> {
        fields
            .iter()
            .map(|f| item(f, CompletionItemKind::FIELD, "column"))
            .collect()
    };
    let ids = |ids: &[String], what: &str| -> Vec<CompletionItem> {
        ids.iter()
            .map(|i| item(i, CompletionItemKind::VARIABLE, what))
            .collect()
    };
    let parts: Vec<&str> = last.split('.').collect();
    match parts.as_slice() {
        ["claim", _] => ids(&claims, "claim"),
        ["member", _] => ids(&members, "member"),
        ["claim", _, _] => field(&CLAIM_FIELDS),
        ["member", _, _] => field(&MEMBER_FIELDS),
        [p, _] if p.starts_with("period[") => field(&PERIOD_FIELDS),
        [p, _] if p.starts_with("charge[") => ids(&members, "member"),
        _ => ["claim.", "period[", "member.", "charge["]
            .iter()
            .map(|t| item(t, CompletionItemKind::KEYWORD, "expect target"))
            .collect(),
    }
}

/// The claim ids and member ids an example declares (a group by its prefix).
fn example_ids(example: &Section) -> (Vec<String>, Vec<String>) {
    let (mut claims, mut members) = (Vec::new(), Vec::new());
    for stmt in &example.statements {
        match &stmt.kind {
            StatementKind::Claim { name, .. } => claims.push(name.node.clone()),
            StatementKind::Claims { prefix, .. } => claims.push(format!("{}0", prefix.node)),
            StatementKind::Member { name, .. } => members.push(name.node.clone()),
            StatementKind::Members { prefix, .. } => members.push(format!("{}0", prefix.node)),
            _ => {}
        }
    }
    (claims, members)
}
