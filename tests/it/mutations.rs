//! Mutated and truncated plans never panic: every one checks or gets
//! diagnostics, each located inside the file, and formatting a plan that
//! parses is idempotent.

use mutual::diagnostic::{Format, render};
use mutual::source::{SourceFile, Sources};
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    " ",
    "\n",
    "#",
    "\"",
    ":",
    ",",
    "(",
    ")",
    "%",
    "_",
    "-",
    "0",
    "9",
    "300_000",
    "0.001",
    "CNY",
    "days",
    "years",
    "to",
    "by age at",
    "of",
    "and",
    "or",
    "not",
    ">=",
    "=",
    "benefit",
    "sharing",
    "plan",
    "covers",
    "payout",
    "cap",
    "per",
    "year",
    "case",
    "CI001",
    "MI30",
    "2019-02-30",
    "重大疾病",
    "\u{feff}",
    "\r\n",
    "\t",
];

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, m: &Mutation) {
    match m {
        Mutation::Truncate(a) => {
            let at = boundary(text, *a);
            text.truncate(at);
        }
        Mutation::Delete(a, n) => {
            let start = boundary(text, *a);
            let end = boundary(text, start + n);
            if end > start {
                text.replace_range(start..end, "");
            }
        }
        Mutation::Insert(a, t) => {
            let at = boundary(text, *a);
            text.insert_str(at, TOKENS[*t]);
        }
        Mutation::DuplicateLine(a) | Mutation::SwapLines(a, _) => {
            let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            let i = a % lines.len();
            match m {
                Mutation::SwapLines(_, b) => {
                    let j = b % lines.len();
                    lines.swap(i, j);
                }
                _ => {
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
            }
            *text = lines.join("\n");
        }
    }
}

fn seeds() -> Vec<String> {
    [
        "plans/xianghubao.plan",
        "plans/jd-hubao.plan",
        "plans/shuidi.plan",
    ]
    .iter()
    .map(|p| std::fs::read_to_string(crate::root().join(p)).expect("a seed plan"))
    .collect()
}

/// Parses and checks a plan text (with the common disease lists inline), as `mutual check` would.
fn check_text(text: &str) {
    let common = std::fs::read_to_string(crate::root().join("plans/common/diseases.plan"))
        .expect("the lists");
    let text = text.replace("include \"common/diseases.plan\"", &common);
    let mut sources = Sources::new();
    let id = sources.add(SourceFile::new(
        "mutated.plan",
        "mutated.plan",
        text.clone(),
    ));
    let (file, parse_diags) = mutual::syntax::parse_file(id, sources.get(id));
    let (plan, check_diags) = mutual::check::check(std::slice::from_ref(&file));
    let all: Vec<_> = parse_diags
        .items
        .iter()
        .chain(&check_diags.items)
        .cloned()
        .collect();
    for d in &all {
        assert!(
            d.span.end as usize <= text.len() && d.span.start <= d.span.end,
            "a span outside the file: {d:?}"
        );
        assert!(!d.message.is_empty());
        let plain = render(&sources, std::slice::from_ref(d), Format::Plain, false);
        assert!(plain.starts_with("mutated.plan:"), "no location: {plain}");
        let _ = render(&sources, std::slice::from_ref(d), Format::Human, false);
    }
    assert!(
        !all.iter().any(|d| d.code == "E000"),
        "an internal error: {all:?}"
    );
    // A file of disease lists only is a library, not a plan: no plan and no error.
    let library = file
        .sections
        .iter()
        .all(|s| matches!(s.header.node, mutual::ast::Header::Diseases { .. }));
    if plan.is_none() && !library {
        assert!(
            all.iter().any(|d| d.is_error()),
            "no plan and no error:\n{text}"
        );
    }
    if !parse_diags.has_errors() {
        let once = mutual::fmt::format(&file, sources.get(id));
        let id2 = sources.add(SourceFile::new(
            "formatted.plan",
            "formatted.plan",
            once.clone(),
        ));
        let (file2, d2) = mutual::syntax::parse_file(id2, sources.get(id2));
        assert!(
            !d2.has_errors(),
            "the formatted text does not parse:\n{once}"
        );
        assert_eq!(
            mutual::fmt::format(&file2, sources.get(id2)),
            once,
            "fmt is not idempotent"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, rng_seed: proptest::test_runner::RngSeed::Fixed(2018), ..ProptestConfig::default() })]

    #[test]
    fn mutated_plans_never_panic(seed in 0usize..3, mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut text = seeds()[seed].clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        check_text(&text);
    }
}

#[test]
fn every_truncation_of_a_seed_plan_is_handled() {
    for text in seeds() {
        let mut at = 0;
        while at <= text.len() {
            if text.is_char_boundary(at) {
                check_text(&text[..at]);
            }
            at += 7;
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let plan =
        std::fs::read_to_string(crate::root().join("plans/xianghubao.plan")).expect("a seed plan");
    let deep = format!(
        "{}credit_score >= 650{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    check_text(&plan.replace("credit_score >= 650", &deep));
    let nots = format!("{}credit_score >= 650", "not ".repeat(100_000));
    check_text(&plan.replace("credit_score >= 650", &nots));
}
