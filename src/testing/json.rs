//! `mutual test --format json`: one object with every plan, example and
//! failure, and the totals.

use super::report::{PlanOutcome, TestRun, Totals, line_of};
use serde::Serialize;

#[derive(Serialize)]
struct Report<'a> {
    plans: Vec<PlanJson<'a>>,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct PlanJson<'a> {
    file: &'a str,
    /// `passed`, `failed`, `does_not_check` or `no_examples`.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a str>,
    examples: Vec<ExampleJson<'a>>,
}

#[derive(Serialize)]
struct ExampleJson<'a> {
    title: &'a str,
    file: String,
    line: usize,
    passed: bool,
    expectations: usize,
    /// Why the example could not run at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    failures: Vec<FailureJson<'a>>,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    target: &'a str,
    expected: &'a str,
    actual: &'a str,
    file: String,
    line: usize,
    text: String,
}

/// The run as one pretty-printed JSON object, with a final line break.
pub fn render(run: &TestRun) -> String {
    let plans = run.plans.iter().map(plan).collect();
    let report = Report {
        plans,
        totals: run.totals(),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}

fn plan(p: &super::report::PlanTest) -> PlanJson<'_> {
    let (status, errors, examples) = match &p.outcome {
        PlanOutcome::DoesNotCheck(e) => ("does_not_check", Some(e.as_str()), Vec::new()),
        PlanOutcome::NoExamples => ("no_examples", None, Vec::new()),
        PlanOutcome::Ran { results, .. } => {
            let all_passed = results.iter().all(|r| r.passed());
            let examples = results
                .iter()
                .map(|r| {
                    let (file, line, _) = line_of(&p.sources, r.span);
                    ExampleJson {
                        title: &r.title,
                        file,
                        line,
                        passed: r.passed(),
                        expectations: r.expectations,
                        error: r.error.as_deref(),
                        failures: r.failures.iter().map(|f| failure(p, f)).collect(),
                    }
                })
                .collect();
            (if all_passed { "passed" } else { "failed" }, None, examples)
        }
    };
    PlanJson {
        file: &p.file,
        status,
        errors,
        examples,
    }
}

fn failure<'a>(p: &super::report::PlanTest, f: &'a super::Failure) -> FailureJson<'a> {
    let (file, line, text) = line_of(&p.sources, f.span);
    FailureJson {
        target: &f.target,
        expected: &f.expected,
        actual: &f.actual,
        file,
        line,
        text,
    }
}
