//! Mutated and truncated plans never panic: every one checks or gets
//! diagnostics, each located inside the file, and formatting a plan that
//! parses is idempotent.

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

/// Checks a plan text (with the common disease lists inline) against every
/// invariant of `mutual::invariants::plan_text`.
fn check_text(text: &str) {
    let common = std::fs::read_to_string(crate::root().join("plans/common/diseases.plan"))
        .expect("the lists");
    mutual::invariants::plan_text(&text.replace("include \"common/diseases.plan\"", &common));
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
