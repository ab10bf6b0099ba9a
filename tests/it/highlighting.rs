//! The highlighting grammar of the VS Code extension
//! (`editors/vscode/syntaxes/plan.tmLanguage.json`, a TextMate grammar),
//! applied to the seed plans by a small TextMate tokeniser:
//!
//! - every regex of the grammar compiles, and the extension's manifest names
//!   the grammar for `.plan` files;
//! - every comment is scoped as a comment, every section header and statement
//!   word as a keyword, and chosen tokens of `plans/xianghubao.plan` as they
//!   should be;
//! - every character of every seed plan gets the scope that the way
//!   `grammar/plan.pest` reads it calls for (a keyword, a name, a number, a
//!   unit, a date, a text, an operator, a comment…): nothing that the
//!   language gives a meaning is left unscoped or scoped as something else;
//! - the scoped tokens of `plans/dishui.plan` are a snapshot.
//!
//! The tokeniser does what TextMate editors do with what this grammar uses:
//! top-level `patterns`, `include`s of the `repository`, `match` rules,
//! `begin`/`end` rules with `patterns` inside, `captures`, `beginCaptures`
//! and `endCaptures`. At each place the earliest match wins; a tie goes to
//! the `end` of the enclosing rule, then to the first pattern listed.

use crate::root;
use fancy_regex::Regex;
use pest::Parser;
use pest::iterators::Pair;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The generated parser of `grammar/plan.pest`: the reading every scope is
/// checked against.
mod pest_grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/plan.pest"]
    pub struct PlanGrammar;
}
use pest_grammar::{PlanGrammar, Rule};

/// What a regex matched, with its groups.
type Caps<'t> = fancy_regex::Captures<'t, str>;

const GRAMMAR: &str = "editors/vscode/syntaxes/plan.tmLanguage.json";

/// The words that start a section (`keyword.control.section.plan`).
const SECTION_WORDS: &[&str] = &[
    "plan",
    "membership",
    "benefit",
    "diseases",
    "sharing",
    "account",
    "viability",
    "example",
];

/// The words that start a statement (`keyword.other.plan`), as §4 and §8 of
/// `grammar/README.md` list them.
const STATEMENT_WORDS: &[&str] = &[
    "title", "operator", "currency", "launched", "closes", "join", "requires", "pays", "ends",
    "term", "covers", "waiting", "payout", "limit", "only", "in", "fee", "split", "cap", "excess",
    "rounding", "minimum", "resumes", "as", "member", "members", "claim", "claims", "payment",
    "expect",
];

// ------------------------------------------------------------- the grammar

/// The grammar as JSON, with every regex it holds compiled.
struct Grammar {
    json: Value,
    regexes: HashMap<String, Regex>,
}

/// A piece of a line (byte offsets) and its scopes, outermost first.
#[derive(Debug)]
struct Token {
    start: usize,
    end: usize,
    scopes: Vec<String>,
}

impl Token {
    fn has(&self, prefix: &str) -> bool {
        self.scopes.iter().any(|s| s.starts_with(prefix))
    }
}

/// Loads the grammar; the regexes that do not compile, with their errors.
fn load() -> (Grammar, Vec<String>) {
    let text = std::fs::read_to_string(root().join(GRAMMAR)).expect("the grammar file");
    let json: Value = serde_json::from_str(&text).expect("the grammar is JSON");
    let mut sources = Vec::new();
    collect_regexes(&json, &mut sources);
    let mut regexes = HashMap::new();
    let mut errors = Vec::new();
    for source in sources {
        match Regex::new(&source) {
            Ok(regex) => {
                regexes.insert(source, regex);
            }
            Err(e) => errors.push(format!("{source}: {e}")),
        }
    }
    (Grammar { json, regexes }, errors)
}

/// Every `match`, `begin` and `end` regex under `value`.
fn collect_regexes(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("match" | "begin" | "end", Value::String(s)) => out.push(s.clone()),
                    _ => collect_regexes(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_regexes(v, out)),
        _ => {}
    }
}

fn grammar() -> Grammar {
    let (grammar, errors) = load();
    assert!(
        errors.is_empty(),
        "regexes that do not compile:\n{}",
        errors.join("\n")
    );
    grammar
}

// ----------------------------------------------------------- the tokeniser

/// What matched at the earliest place: the `end` of the enclosing rule, or
/// one of the patterns.
enum Found<'g> {
    End,
    Rule(&'g Value),
}

impl Grammar {
    /// The `match` and `begin` rules of a pattern list, includes resolved.
    fn rules<'g>(&'g self, patterns: &'g Value, out: &mut Vec<&'g Value>, depth: usize) {
        assert!(depth < 32, "the grammar's includes nest too deep");
        for pattern in patterns.as_array().into_iter().flatten() {
            let pattern = match pattern["include"].as_str() {
                Some(name) => {
                    let key = name.strip_prefix('#').expect("only `#name` includes");
                    let rule = &self.json["repository"][key];
                    assert!(rule.is_object(), "no repository entry `{key}`");
                    rule
                }
                None => pattern,
            };
            if pattern.get("match").is_some() || pattern.get("begin").is_some() {
                out.push(pattern);
            } else {
                self.rules(&pattern["patterns"], out, depth + 1);
            }
        }
    }

    fn regex(&self, rule: &Value, key: &str) -> &Regex {
        &self.regexes[rule[key].as_str().expect("a regex")]
    }

    /// The scoped tokens of each line of `text`.
    fn tokenize(&self, text: &str) -> Vec<Vec<Token>> {
        let mut stack: Vec<&Value> = Vec::new();
        text.lines()
            .map(|line| self.tokenize_line(line, &mut stack))
            .collect()
    }

    fn tokenize_line<'g>(&'g self, line: &str, stack: &mut Vec<&'g Value>) -> Vec<Token> {
        let mut tokens = Vec::new();
        let mut pos = 0;
        let mut stalled = 0;
        loop {
            let scopes = scopes_of(stack);
            let Some((found, caps)) = self.earliest(line, pos, stack.last().copied()) else {
                push(&mut tokens, pos, line.len(), scopes);
                return tokens;
            };
            let whole = caps.get(0).expect("a match");
            push(&mut tokens, pos, whole.start(), scopes.clone());
            stalled = if whole.end() == pos { stalled + 1 } else { 0 };
            assert!(stalled < 8, "the grammar loops at byte {pos} of {line:?}");
            match found {
                Found::End => {
                    let rule = stack.pop().expect("an open rule");
                    captured(&mut tokens, &caps, &rule["endCaptures"], &scopes);
                }
                Found::Rule(rule) if rule.get("begin").is_some() => {
                    stack.push(rule);
                    captured(
                        &mut tokens,
                        &caps,
                        &rule["beginCaptures"],
                        &scopes_of(stack),
                    );
                }
                Found::Rule(rule) => {
                    let mut scopes = scopes;
                    scopes.extend(rule["name"].as_str().map(str::to_string));
                    captured(&mut tokens, &caps, &rule["captures"], &scopes);
                }
            }
            pos = whole.end();
        }
    }

    /// The earliest match from `pos` on: the open rule's `end` first, then
    /// its patterns (or the top-level ones) in order.
    fn earliest<'g, 't>(
        &'g self,
        line: &'t str,
        pos: usize,
        open: Option<&'g Value>,
    ) -> Option<(Found<'g>, Caps<'t>)> {
        let mut best: Option<(Found, Caps)> = None;
        let start = |b: &Option<(Found, Caps)>| {
            b.as_ref()
                .map_or(usize::MAX, |(_, c)| c.get(0).expect("a match").start())
        };
        if let Some(rule) = open {
            best = find(self.regex(rule, "end"), line, pos).map(|c| (Found::End, c));
        }
        let mut rules = Vec::new();
        self.rules(
            open.map_or(&self.json["patterns"], |r| &r["patterns"]),
            &mut rules,
            0,
        );
        for rule in rules {
            let key = if rule.get("match").is_some() {
                "match"
            } else {
                "begin"
            };
            let found = find(self.regex(rule, key), line, pos);
            if let Some(c) = found.filter(|c| c.get(0).expect("a match").start() < start(&best)) {
                best = Some((Found::Rule(rule), c));
            }
        }
        best
    }
}

fn find<'t>(regex: &Regex, line: &'t str, pos: usize) -> Option<Caps<'t>> {
    regex.captures_from_pos(line, pos).expect("the regex runs")
}

/// The scopes that the open `begin`/`end` rules give.
fn scopes_of(stack: &[&Value]) -> Vec<String> {
    stack
        .iter()
        .filter_map(|rule| rule["name"].as_str().map(str::to_string))
        .collect()
}

fn push(tokens: &mut Vec<Token>, start: usize, end: usize, scopes: Vec<String>) {
    if start < end {
        tokens.push(Token { start, end, scopes });
    }
}

/// The tokens of a match: each piece between the edges of the captures,
/// with the scopes of the captures that hold it, in the order of their
/// numbers.
fn captured(tokens: &mut Vec<Token>, caps: &Caps, names: &Value, base: &[String]) {
    let groups: Vec<(usize, usize, &str)> = (0..caps.len())
        .filter_map(|i| {
            let m = caps.get(i)?;
            let name = names[i.to_string()]["name"].as_str()?;
            Some((m.start(), m.end(), name))
        })
        .collect();
    let whole = caps.get(0).expect("a match");
    let mut edges = vec![whole.start(), whole.end()];
    edges.extend(groups.iter().flat_map(|&(s, e, _)| [s, e]));
    edges.sort_unstable();
    edges.dedup();
    for piece in edges.windows(2) {
        let mut scopes = base.to_vec();
        let inside = groups
            .iter()
            .filter(|&&(s, e, _)| s <= piece[0] && piece[1] <= e);
        scopes.extend(inside.map(|&(_, _, name)| name.to_string()));
        push(tokens, piece[0], piece[1], scopes);
    }
}

// ------------------------------------------------------------ plan files

/// Every `.plan` file under `plans/`, relative to the crate root, sorted.
fn seed_plans() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&root().join("plans"), &mut out);
    out.sort();
    assert!(out.len() >= 7, "the seed plans are under plans/");
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|x| x == "plan") {
            out.push(crate::relative(&path));
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).expect("a plan file")
}

/// The token of `tokens` that holds byte `at`.
fn token_at(tokens: &[Token], at: usize) -> Option<&Token> {
    tokens.iter().find(|t| t.start <= at && at < t.end)
}

// ----------------------------------------------------------------- tests

#[test]
fn every_regex_of_the_grammar_compiles() {
    let (grammar, errors) = load();
    assert!(
        errors.is_empty(),
        "regexes that do not compile:\n{}",
        errors.join("\n")
    );
    assert_eq!(grammar.json["scopeName"], "source.plan");
    assert!(
        grammar.regexes.len() > 40,
        "{} regexes",
        grammar.regexes.len()
    );
}

#[test]
fn the_extension_manifest_names_the_grammar_for_plan_files() {
    let dir = root().join("editors/vscode");
    let text = std::fs::read_to_string(dir.join("package.json")).expect("package.json");
    let manifest: Value = serde_json::from_str(&text).expect("package.json is JSON");
    let (language, grammar) = (
        &manifest["contributes"]["languages"][0],
        &manifest["contributes"]["grammars"][0],
    );
    assert_eq!(
        (&language["id"], &language["extensions"][0]),
        (&"plan".into(), &".plan".into())
    );
    assert_eq!(
        (&grammar["language"], &grammar["scopeName"]),
        (&"plan".into(), &"source.plan".into())
    );
    let path = dir.join(grammar["path"].as_str().expect("a path"));
    assert_eq!(
        path.canonicalize().ok(),
        root().join(GRAMMAR).canonicalize().ok()
    );
}

/// What is wrong with the comment and the first word of a line, if anything.
fn comment_and_first_word(line: &str, tokens: &[Token]) -> Option<String> {
    if let Some(start) = mutual::syntax::comment_start(line) {
        let mut comment = tokens.iter().filter(|t| t.end > start);
        if let Some(t) = comment.find(|t| !t.has("comment.line.number-sign.plan")) {
            let word = &line[t.start..t.end];
            return Some(format!("`{word}` is not a comment: {:?}", t.scopes));
        }
    }
    let word = line.split_whitespace().next()?;
    let scope = if SECTION_WORDS.contains(&word) {
        "keyword.control.section.plan"
    } else if STATEMENT_WORDS.contains(&word) {
        "keyword.other.plan"
    } else {
        return None;
    };
    let first = token_at(tokens, line.find(word)?);
    let scoped = first.is_some_and(|t| t.has(scope));
    (!scoped).then(|| format!("`{word}` is not {scope}: {first:?}"))
}

#[test]
fn comments_and_first_words_of_the_seed_plans_are_scoped() {
    let grammar = grammar();
    let mut wrong = Vec::new();
    for path in seed_plans() {
        let text = read(&path);
        for (n, (line, tokens)) in text.lines().zip(grammar.tokenize(&text)).enumerate() {
            if let Some(problem) = comment_and_first_word(line, &tokens) {
                wrong.push(format!("{}:{}: {line}\n  {problem}", path.display(), n + 1));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The scopes of the first token of line `n` (from 1) whose text is `text`.
fn scopes_on(lines: &[&str], tokens: &[Vec<Token>], n: usize, text: &str) -> Vec<String> {
    let (line, tokens) = (lines[n - 1], &tokens[n - 1]);
    let token = tokens.iter().find(|t| &line[t.start..t.end] == text);
    let token = token.unwrap_or_else(|| panic!("no token `{text}` on line {n}: {line}"));
    token.scopes.clone()
}

#[test]
fn chosen_tokens_of_xianghubao_are_scoped() {
    let text = read(Path::new("plans/xianghubao.plan"));
    let lines: Vec<&str> = text.lines().collect();
    let tokens = grammar().tokenize(&text);
    let expected: &[(usize, &str, &str)] = &[
        (
            1,
            " 相互保: Alipay × 信美人寿相互保险社, launched 2018-10-16.",
            "comment.line.number-sign.plan",
        ),
        (5, "plan", "keyword.control.section.plan"),
        (5, "xianghubao", "entity.name.section.plan"),
        (7, "信美人寿相互保险社", "string.quoted.double.plan"),
        (9, "2018-10-16", "constant.other.date.plan"),
        (
            9,
            " article: launched on Alipay on 16 October 2018",
            "comment.line.number-sign.plan",
        ),
        (
            11,
            "common/diseases.plan",
            "string.quoted.double.include.plan",
        ),
        (13, "membership", "keyword.control.section.plan"),
        (14, "ages", "keyword.other.plan"),
        (14, "days", "keyword.other.unit.days.plan"),
        (15, ">=", "keyword.operator.comparison.plan"),
        (17, "critical", "entity.name.type.benefit.plan"),
        (19, "重大疾病", "string.quoted.double.plan"),
        (21, "accident", "constant.language.cause.plan"),
        (23, "300_000", "constant.numeric.decimal.plan"),
        (23, "CNY", "keyword.other.unit.currency.plan"),
        (29, "%", "keyword.other.unit.percentage.plan"),
        (31, "0.10", "constant.numeric.decimal.plan"),
        (33, "remainder", "keyword.other.plan"),
        (38, "example", "keyword.control.section.plan"),
        (40, "of", "keyword.other.plan"),
        (41, "members", "keyword.other.plan"),
        (41, "all", "variable.other.id.plan"),
        (41, "birth_date", "variable.parameter.field.plan"),
        (43, "CI001", "constant.other.disease-code.plan"),
        (43, "accident", "constant.other.value.plan"),
        (44, "period", "variable.language.expect.plan"),
        (44, "2018-10-20", "constant.other.date.plan"),
        (44, "cases", "variable.other.property.plan"),
        (45, "132000000.00", "constant.numeric.decimal.plan"),
    ];
    for &(n, text, scope) in expected {
        let scopes = scopes_on(&lines, &tokens, n, text);
        assert!(
            scopes.iter().any(|s| s == scope),
            "line {n} `{text}`: {scopes:?}, not {scope}"
        );
    }
}

#[test]
fn a_misspelt_unit_is_invalid_and_every_broken_plan_tokenises() {
    let grammar = grammar();
    for path in crate::plans_in("tests/plans/broken") {
        grammar.tokenize(&read(&path));
    }
    let text = read(Path::new("tests/plans/broken/unknown-unit.plan"));
    let lines: Vec<&str> = text.lines().collect();
    let tokens = grammar.tokenize(&text);
    let n = 1 + lines
        .iter()
        .position(|l| l.contains("90 dyas"))
        .expect("the line");
    assert!(scopes_on(&lines, &tokens, n, "dyas").contains(&"invalid.illegal.unit.plan".into()));
}

// ------------------------------------- every character, as pest reads it

/// The scope (a prefix) that each byte of `line` should have, from the
/// pairs that `grammar/plan.pest` parses it into; `None` for white space.
fn expected_scopes(line: &str) -> Vec<Option<&'static str>> {
    let mut pairs = PlanGrammar::parse(Rule::line, line)
        .unwrap_or_else(|e| panic!("a seed plan line parses: {line:?}\n{e}"));
    let mut out = vec![None; line.len()];
    mark(pairs.next().expect("a line"), &mut out);
    let texts: Vec<bool> = out
        .iter()
        .map(|s| s.is_some_and(|s| s.starts_with("string")))
        .collect();
    let comment = line.char_indices().find(|&(i, c)| c == '#' && !texts[i]);
    if let Some((start, _)) = comment {
        out[start..]
            .iter_mut()
            .for_each(|s| *s = Some("comment.line.number-sign.plan"));
    }
    for (i, c) in line.char_indices().filter(|(_, c)| c.is_whitespace()) {
        out[i..i + c.len_utf8()].iter_mut().for_each(|s| *s = None);
    }
    out
}

/// Marks the literal words of `pair` (the text its inner pairs leave), then
/// each inner pair.
fn mark(pair: Pair<Rule>, out: &mut [Option<&'static str>]) {
    let (rule, span) = (pair.as_rule(), pair.as_span());
    for (i, c) in span.as_str().char_indices() {
        let at = span.start() + i;
        out[at..at + c.len_utf8()]
            .iter_mut()
            .for_each(|s| *s = Some(literal_scope(rule, c)));
    }
    let mut names = 0;
    for inner in pair.into_inner() {
        let (start, end) = (inner.as_span().start(), inner.as_span().end());
        let scope = match inner.as_rule() {
            Rule::name if rule == Rule::field && is_disease_code(inner.as_str()) => {
                Some("constant.other.disease-code.plan")
            }
            Rule::name => {
                names += 1;
                Some(name_scope(rule, names - 1))
            }
            Rule::expect_target => {
                mark_target(inner.as_str(), &mut out[start..end]);
                continue;
            }
            other => leaf_scope(other, inner.as_str(), rule),
        };
        match scope {
            Some(scope) => out[start..end].iter_mut().for_each(|s| *s = Some(scope)),
            None => mark(inner, out),
        }
    }
}

/// A literal of the pest grammar: a word (a keyword) or a sign.
fn literal_scope(rule: Rule, c: char) -> &'static str {
    use Rule::*;
    match (rule, c) {
        (term, '<' | '=') => "keyword.operator.comparison.plan",
        (_, '=') => "keyword.operator.assignment.plan",
        (_, ',' | ':') => "punctuation.separator",
        (_, '(' | ')') => "punctuation.section.parens",
        (
            plan_header | membership_header | benefit_header | diseases_header | sharing_header
            | account_header | viability_header | example_header,
            _,
        ) => "keyword.control.section.plan",
        (include, _) => "keyword.control.import.plan",
        (from_date | until_date, _) => "keyword.control.in-force.plan",
        _ => "keyword.other.plan",
    }
}

/// `CI001`: a field's value that names a disease (`disease=CI001`).
fn is_disease_code(name: &str) -> bool {
    let digits = name.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < name.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// What a name means where it stands: the `index`th name of a `rule`.
fn name_scope(rule: Rule, index: usize) -> &'static str {
    use Rule::*;
    match (rule, index) {
        (plan_header, _) => "entity.name.section.plan",
        (benefit_header | ends_on_payout | share_of, _) => "entity.name.type.benefit.plan",
        (diseases_header | covers, _) => "entity.name.type.diseases.plan",
        (currency, _) => "keyword.other.unit.currency.plan",
        (waiting | only_for, _) => "constant.language.cause.plan",
        (member_row | members_row | claim_row | claims_row | payment_row, _) => {
            "variable.other.id.plan"
        }
        (field, 0) => "variable.parameter.field.plan",
        (comparison, 0) => "variable.other.column.plan",
        (field | comparison | expect, _) => "constant.other.value.plan",
        _ => panic!("a name in {rule:?}: give it a scope here"),
    }
}

/// The scope of a pair that is one token; `None` for a pair to look into.
fn leaf_scope(rule: Rule, source: &str, parent: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        Rule::text if parent == include => "string.quoted.double.include.plan",
        Rule::text => "string.quoted.double.plan",
        date => "constant.other.date.plan",
        decimal | count => "constant.numeric.decimal.plan",
        close_day if source.starts_with(|c: char| c.is_ascii_digit()) => {
            "constant.numeric.decimal.plan"
        }
        unit => "keyword.other.unit",
        disease_code => "constant.other.disease-code.plan",
        compare_op => "keyword.operator.comparison.plan",
        or_op | and_op | not_op => "keyword.operator.logical.plan",
        close_day | cap_basis | fee_every => "keyword.other.plan",
        _ => return None,
    })
}

/// `claim.c1.payout`, `period[2018-10-20].cases`: names, signs and a date.
fn mark_target(target: &str, out: &mut [Option<&'static str>]) {
    let date = target
        .find('[')
        .map(|open| open + 1..target.find(']').expect("a `]`"));
    for (i, c) in target.char_indices() {
        out[i] = Some(match c {
            '.' | '[' | ']' => "punctuation",
            _ if date.as_ref().is_some_and(|d| d.contains(&i)) => "constant.other.date.plan",
            _ => "variable",
        });
    }
}

#[test]
fn every_character_of_the_seed_plans_is_scoped_as_the_language_reads_it() {
    let grammar = grammar();
    let mut wrong = Vec::new();
    for path in seed_plans() {
        let text = read(&path);
        for (n, (line, tokens)) in text.lines().zip(grammar.tokenize(&text)).enumerate() {
            for (at, scope) in expected_scopes(line).into_iter().enumerate() {
                let Some(scope) = scope else { continue };
                let token = token_at(&tokens, at).expect("every byte is in a token");
                if !token.has(scope) {
                    let word = &line[token.start..token.end];
                    let place = format!("{}:{}:{}", path.display(), n + 1, token.start + 1);
                    wrong.push(format!("{place} `{word}`: {:?}, not {scope}", token.scopes));
                }
            }
        }
    }
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "{} misscoped:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

// --------------------------------------------------------------- snapshot

/// Each line of `text`, then its tokens with their scopes (white space left
/// out); a token the grammar leaves unscoped shows `(none)`.
fn render(text: &str, tokens: &[Vec<Token>]) -> String {
    let mut out = String::new();
    for (n, (line, tokens)) in text.lines().zip(tokens).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out += &format!("{:>3} {line}\n", n + 1);
        for t in tokens
            .iter()
            .filter(|t| !line[t.start..t.end].trim().is_empty())
        {
            let scopes = if t.scopes.is_empty() {
                "(none)".to_string()
            } else {
                t.scopes.join(" ")
            };
            out += &format!("      `{}` {scopes}\n", &line[t.start..t.end]);
        }
    }
    out
}

#[test]
fn the_tokens_of_dishui_are_a_snapshot() {
    let text = read(Path::new("plans/dishui.plan"));
    let tokens = grammar().tokenize(&text);
    insta::assert_snapshot!("dishui_tokens", render(&text, &tokens));
}
