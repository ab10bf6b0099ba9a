//! `mutual test --format junit`: JUnit XML, the report CI systems show as
//! tests. One `<testsuite>` per plan file, one `<testcase>` per example; a
//! failed expectation is a `<failure>` with the plan line, the expected and
//! the actual value; an example that cannot run, or a plan that does not
//! check, is an `<error>`.

use super::report::{PlanOutcome, PlanTest, TestRun, line_of};
use crate::terminal_text::{escape, escape_lines};
use std::fmt::Write;

/// Text from a plan or a path, safe inside an XML attribute or element:
/// control characters written visibly (XML 1.0 cannot hold most of them),
/// then the XML escapes.
fn xml(text: &str) -> String {
    quick_xml::escape::escape(escape(text).as_ref()).into_owned()
}

/// `xml`, keeping line breaks: for the body of a failure.
fn xml_lines(text: &str) -> String {
    quick_xml::escape::escape(escape_lines(text).as_ref()).into_owned()
}

/// The whole run as a JUnit XML document.
pub fn render(run: &TestRun) -> String {
    let totals = run.totals();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let tests = totals.passed + totals.failed + totals.broken;
    let errors = totals.broken + examples_that_cannot_run(run);
    let _ = writeln!(
        out,
        "<testsuites name=\"mutual test\" tests=\"{tests}\" failures=\"{}\" errors=\"{errors}\">",
        totals.failed - examples_that_cannot_run(run)
    );
    for plan in &run.plans {
        suite(&mut out, plan);
    }
    out.push_str("</testsuites>\n");
    out
}

fn examples_that_cannot_run(run: &TestRun) -> usize {
    run.plans
        .iter()
        .map(|p| match &p.outcome {
            PlanOutcome::Ran { results, .. } => {
                results.iter().filter(|r| r.error.is_some()).count()
            }
            _ => 0,
        })
        .sum()
}

/// One plan file as a `<testsuite>`.
fn suite(out: &mut String, p: &PlanTest) {
    let file = xml(&p.file);
    match &p.outcome {
        PlanOutcome::NoExamples => {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{file}\" tests=\"0\" failures=\"0\" errors=\"0\"/>"
            );
        }
        PlanOutcome::DoesNotCheck(errors) => {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\">"
            );
            let _ = writeln!(
                out,
                "    <testcase name=\"check\" classname=\"{file}\" file=\"{file}\">"
            );
            let _ = writeln!(
                out,
                "      <error message=\"the plan does not check\" type=\"check\">{}</error>",
                xml_lines(errors)
            );
            out.push_str("    </testcase>\n  </testsuite>\n");
        }
        PlanOutcome::Ran { results, .. } => {
            let failed = results
                .iter()
                .filter(|r| !r.passed() && r.error.is_none())
                .count();
            let errors = results.iter().filter(|r| r.error.is_some()).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{file}\" tests=\"{}\" failures=\"{failed}\" errors=\"{errors}\">",
                results.len()
            );
            for r in results {
                case(out, p, r);
            }
            out.push_str("  </testsuite>\n");
        }
    }
}

/// One example as a `<testcase>`.
fn case(out: &mut String, p: &PlanTest, r: &super::ExampleResult) {
    let (file, line, _) = line_of(&p.sources, r.span);
    let head = format!(
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\"",
        xml(&r.title),
        xml(&p.file),
        xml(&file)
    );
    if r.passed() {
        let _ = writeln!(out, "{head}/>");
        return;
    }
    let _ = writeln!(out, "{head}>");
    if let Some(e) = &r.error {
        let _ = writeln!(
            out,
            "      <error message=\"the example cannot run: {}\" type=\"example\"/>",
            xml(e)
        );
    }
    for f in &r.failures {
        let (file, line, text) = line_of(&p.sources, f.span);
        let message = format!("{}: expected {}, actual {}", f.target, f.expected, f.actual);
        let body = format!(
            "{file}:{line}  {text}\n  expected: {}\n    actual: {}",
            f.expected, f.actual
        );
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"expectation\">{}</failure>",
            xml(&message),
            xml_lines(&body)
        );
    }
    out.push_str("    </testcase>\n");
}
