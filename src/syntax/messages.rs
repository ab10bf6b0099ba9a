//! Syntax errors in the designer's words: never a grammar rule name.

use super::Rule;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};

/// Every statement and header, with the first word it starts with and an example.
pub(crate) const SHAPES: &[(&str, &str)] = &[
    ("plan", "plan xianghubao"),
    ("membership", "membership"),
    ("benefit", "benefit critical \"重大疾病\""),
    ("diseases", "diseases critical_illnesses \"重大疾病\""),
    ("sharing", "sharing"),
    ("viability", "viability"),
    ("example", "example \"two accidents in the first period\""),
    ("include", "include \"common/diseases.plan\""),
    ("title", "title \"相互保\""),
    ("operator", "operator \"信美人寿相互保险社\""),
    ("currency", "currency CNY"),
    ("launched", "launched 2018-10-16"),
    ("join", "join ages 30 days to 59 years"),
    ("requires", "requires credit_score >= 650"),
    (
        "pays",
        "pays at join 9 CNY` or `pays at join by age at join",
    ),
    (
        "ends",
        "ends at age 60 years` or `ends on payout of critical",
    ),
    ("term", "term 1 year, renewed while age <= 70 years"),
    (
        "covers",
        "covers critical_illnesses` or `covers CI001 to CI028, MI01",
    ),
    ("waiting", "waiting 90 days, except accident"),
    (
        "payout",
        "payout by age at diagnosis` or `payout 10% of critical` or `payout 300_000 CNY",
    ),
    ("limit", "limit 1 per member"),
    ("only", "only for accident"),
    ("in", "in waiting: ends membership, refunds charges"),
    (
        "closes",
        "closes on days 6 and 20` (sharing) or `closes 2022-01-28, claims within 180 days` (the plan",
    ),
    ("fee", "fee 10% of payouts"),
    (
        "split",
        "split equally` or `split in proportion to annual cap",
    ),
    (
        "cap",
        "cap 0.10 CNY per case` or `cap per year by age at term start",
    ),
    ("excess", "excess borne by operator"),
    ("rounding", "rounding up, remainder carried"),
    ("minimum", "minimum 3_300_000 members"),
    ("as", "as of 2019-01-28"),
    (
        "member",
        "member m1 birth_date=1990-05-01 join_date=2018-10-16",
    ),
    (
        "members",
        "members bulk 1_000_000 birth_date=1990-05-01 join_date=2018-10-16",
    ),
    (
        "claim",
        "claim c1 member_id=m1 disease=CI001 diagnosed_on=2019-01-10",
    ),
    (
        "claims",
        "claims c 400 member_id=sick disease=CI001 diagnosed_on=2018-10-18",
    ),
    (
        "expect",
        "expect claim.c1.reason = covered` or `expect period[2019-01-20].charged = 0.20",
    ),
];

fn rule_words(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the line",
        Rule::quantity | Rule::decimal => {
            "a number with its unit, such as `90 days` or `300_000 CNY`"
        }
        Rule::unit => "a unit (`CNY`, `%`, `days` or `years`)",
        Rule::count => "a whole number such as `1`",
        Rule::date => "a date such as `2018-10-16`",
        Rule::name => "a name such as `critical`",
        Rule::text => "a text in double quotes, such as `\"相互保\"`",
        Rule::age_range => "an age range such as `30 days to 59 years`",
        Rule::by_age => "`by age at ...`",
        Rule::age_basis | Rule::at_join | Rule::at_diagnosis | Rule::at_term_start => {
            "`join`, `diagnosis` or `term start`"
        }
        Rule::disease_code => "a disease code such as `CI001`",
        Rule::close_day => "a day of the month (1 to 28) or `last`",
        Rule::equally | Rule::weighted => "`equally` or `in proportion to annual cap`",
        Rule::cap_basis => "`case`, `charge`, `year` or `calendar year`",
        Rule::in_force | Rule::from_date | Rule::until_date => "`from DATE` or `until DATE`",
        Rule::rounding_mode | Rule::half_up | Rule::up | Rule::down => "`up`, `half up` or `down`",
        Rule::remainder | Rule::carried | Rule::to_operator | Rule::distributed => {
            "`carried`, `borne by operator` or `distributed`"
        }
        Rule::condition | Rule::conjunction | Rule::negation | Rule::comparison => {
            "a condition such as `credit_score >= 650`"
        }
        Rule::compare_op => "a comparison (`=`, `!=`, `<`, `<=`, `>` or `>=`)",
        Rule::or_op | Rule::and_op => "`and` or `or`",
        Rule::not_op => "`not`",
        Rule::field => "a field such as `birth_date=1990-05-01`",
        Rule::expect_target => "what to check, such as `claim.c1.decision`",
        Rule::band_row => "a table row such as `30 days to 39 years: 300_000 CNY`",
        Rule::disease_row => "a disease such as `CI001 \"恶性肿瘤——重度\"`",
        _ => return None,
    })
}

/// The first word of a line, and its span (relative to the line).
pub(crate) fn first_word(line: &str) -> (&str, usize, usize) {
    let start = line.len() - line.trim_start().len();
    let rest = &line[start..];
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .unwrap_or(rest.len());
    (&rest[..len], start, start + len)
}

/// A span on `line` (relative offsets) widened to whole characters, at least one wide where the line allows.
fn line_span(file: FileId, line_start: usize, line: &str, start: usize, end: usize) -> Span {
    let mut start = start.min(line.len());
    while !line.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, line.len());
    while !line.is_char_boundary(end) {
        end += 1;
    }
    Span::new(file, line_start + start, line_start + end)
}

/// A line whose first word starts no statement: E101, with the closest one.
fn unknown_word(
    file: FileId,
    line_start: usize,
    line: &str,
    (word, ws, we): (&str, usize, usize),
) -> Diagnostic {
    let code_len = line.trim_end().len();
    let span = line_span(
        file,
        line_start,
        line,
        ws,
        we.max(ws + 1).min(code_len.max(ws + 1)),
    );
    let mut d = Diagnostic::error(
        "E101",
        span,
        format!("`{word}` does not start any statement"),
    )
    .label("unknown word");
    let suggestion = did_you_mean(word, SHAPES.iter().map(|(k, _)| *k));
    d = match suggestion {
        Some(s) => {
            let example = SHAPES.iter().find(|(k, _)| *k == s).map(|(_, e)| *e).unwrap_or(s);
            let d = d.help(format!("did you mean `{s}`? A `{s}` line reads like `{example}`"));
            if s.contains(' ') { d } else { d.fix(span, s) }
        }
        None => d.help(
            "each line starts with a section (`plan`, `membership`, `benefit`, `diseases`, `sharing`, `viability`, `example`) or a statement such as `fee` or `waiting`; see grammar/README.md",
        ),
    };
    d
}

/// Where a line stopped parsing, and what was expected there, in words.
fn expected_words(error: &pest::error::Error<Rule>) -> (usize, Vec<String>) {
    let mut pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let mut expected: Vec<String> = Vec::new();
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        for r in positives {
            if let Some(w) = rule_words(*r)
                && !expected.iter().any(|e| e == w)
            {
                expected.push(w.to_string());
            }
        }
    }
    if let Some(attempts) = error.parse_attempts() {
        let further = attempts.max_position > pos;
        if further || expected.is_empty() || expected == ["the end of the line"] {
            if further {
                pos = attempts.max_position;
                expected.clear();
            }
            for t in attempts.expected_tokens() {
                let token = t.to_string();
                let word = token.chars().all(|c| c.is_ascii_lowercase());
                let punct = matches!(token.as_str(), "," | ":" | "=" | "<=" | "(" | ")" | "\"");
                if word || punct {
                    let w = format!("`{token}`");
                    if !expected.contains(&w) {
                        expected.push(w);
                    }
                }
            }
        }
    }
    (pos, expected)
}

/// Turns a pest error on one line into a diagnostic.
pub(crate) fn syntax_error(
    file: FileId,
    line_start: usize,
    line: &str,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let (word, ws, we) = first_word(line);
    let code_len = line.trim_end().len();
    let starts_row = word.starts_with(|c: char| c.is_ascii_digit())
        || (word.starts_with(|c: char| c.is_ascii_uppercase())
            && word.ends_with(|c: char| c.is_ascii_digit()));

    // An unknown first word: say so, with the closest statement.
    let known = SHAPES.iter().find(|(k, _)| *k == word);
    if known.is_none() && !starts_row {
        return unknown_word(file, line_start, line, (word, ws, we));
    }
    let (pos, mut expected) = expected_words(error);
    // Literal words first, then descriptions; "the end of the line" last.
    expected.sort_by_key(|e| (e == "the end of the line", !e.starts_with('`'), e.clone()));
    let found = line[pos.min(line.len())..].trim_end();
    let found_word = found
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let (span_start, span_end) = if found_word.is_empty() || pos >= code_len {
        (code_len.saturating_sub(1).max(ws), code_len.max(ws + 1))
    } else {
        (pos, pos + found_word.len())
    };
    let span = line_span(file, line_start, line, span_start, span_end);
    let what = if found_word.is_empty() || pos >= code_len {
        "the line ends too early".to_string()
    } else {
        format!("unexpected `{found_word}`")
    };
    let message = if expected.is_empty() {
        what.clone()
    } else {
        format!("{what}: expected {}", join_or(&expected))
    };
    let token = token_at(line, pos);
    let message = match (known, plain_word(found_word)) {
        _ if short_date(token) => {
            format!("the date `{token}` needs a two-digit month and day, such as `2019-01-28`")
        }
        _ if hyphen_range(found_word) => format!(
            "`{found_word}` is not a code range: write a range with `to`, such as `CI001 to CI028`"
        ),
        (Some((k, _)), true) if !expected.is_empty() && !near_miss(found_word, &expected) => {
            format!(
                "the language has no `{k}` with `{}`: expected {}",
                phrase(found),
                join_or(&expected)
            )
        }
        _ => message,
    };
    let mut d = Diagnostic::error("E100", span, message).label(what);
    if let Some((k, example)) = known {
        d = d.help(format!("a `{k}` line reads like `{example}`"));
    } else if word.starts_with(|c: char| c.is_ascii_digit()) {
        d = d.help("a table row reads like `30 days to 39 years: 300_000 CNY`");
    } else {
        d = d.help("a disease row reads like `CI001 \"恶性肿瘤——重度\"`");
    }
    d
}

/// The whitespace-separated token of `line` that holds byte `pos`.
fn token_at(line: &str, pos: usize) -> &str {
    let pos = pos.min(line.len());
    let start = line[..pos].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = line[pos..]
        .find(char::is_whitespace)
        .map_or(line.len(), |i| pos + i);
    line.get(start..end).unwrap_or("")
}

/// A date written with a one-digit month or day: `2019-1-28`.
fn short_date(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (parts[1].len() == 1 || parts[2].len() == 1)
}

/// A code range written with a hyphen: `CI001-CI028`.
fn hyphen_range(word: &str) -> bool {
    matches!(word.split_once('-'), Some((a, b)) if is_disease_code(a) && is_disease_code(b))
}

/// Whether a word has the shape of a disease code: capitals, then digits (`CI001`).
pub(crate) fn is_disease_code(word: &str) -> bool {
    let letters = word.bytes().take_while(u8::is_ascii_uppercase).count();
    letters > 0 && word.len() > letters && word[letters..].bytes().all(|b| b.is_ascii_digit())
}

/// A word of lowercase letters: a word of the language, not a value.
fn plain_word(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase())
}

/// The first two words of what follows, as the designer wrote them (without a comment).
fn phrase(rest: &str) -> String {
    let code = rest.split('#').next().unwrap_or(rest);
    let words: Vec<&str> = code.split_whitespace().take(2).collect();
    words.join(" ")
}

/// Whether a word is a misspelling of one of the expected words (`payout` for `payouts`).
fn near_miss(word: &str, expected: &[String]) -> bool {
    let literals = expected
        .iter()
        .filter_map(|e| e.strip_prefix('`').and_then(|e| e.strip_suffix('`')));
    did_you_mean(word, literals).is_some()
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
