//! The command line as teams script it: the run's summary (text, JSON and
//! `summary.json`), `test --format json|junit`, `fmt --write`, completions
//! and the manual page, and the messages of common mistakes.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn mutual() -> Command {
    Command::cargo_bin("mutual").expect("the mutual binary is built")
}

const XHB: &str = "plans/xianghubao.plan";
const MEMBERS: &str = "plans/samples/xianghubao/members.csv";
const CLAIMS: &str = "plans/samples/xianghubao/claims.csv";
const UNTIL: &str = "2019-10-15";

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("UTF-8")
}

/// `mutual run` of the 相互保 sample into `out`, with `extra` options.
fn run_sample(out: &Path, extra: &[&str]) -> std::process::Output {
    mutual()
        .args(["run", XHB, "--members", MEMBERS, "--claims", CLAIMS])
        .args(["--until", UNTIL, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("runs")
}

/// The rows of a CSV file as maps from column to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    crate::csv_rows(path)
}

/// Σ of a money column, in fen.
fn fen_sum(rows: &[BTreeMap<String, String>], column: &str) -> i64 {
    rows.iter()
        .map(|r| {
            mutual::money::Money::parse(&r[column])
                .expect("money")
                .fen()
        })
        .sum()
}

fn fen(v: &serde_json::Value) -> i64 {
    mutual::money::Money::parse(v.as_str().expect("a money string"))
        .expect("money")
        .fen()
}

// ------------------------------------------------------------------ run summary

#[test]
fn the_run_summary_is_printed_on_stdout() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = run_sample(&dir.path().join("out"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout).replace(&dir.path().display().to_string(), "TMP");
    insta::assert_snapshot!("run_summary_text", stdout);
}

#[test]
fn the_json_summary_holds_the_figures_of_the_files() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let folder = dir.path().join("out");
    let out = run_sample(&folder, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("summary.json")).expect("summary.json"))
            .expect("summary.json is JSON");
    assert_eq!(printed, written, "the summary printed is the one written");

    let periods = rows(&folder.join("periods.csv"));
    let money = &printed["money"];
    for column in ["payouts", "fee", "charged", "operator_borne", "refunded"] {
        assert_eq!(fen(&money[column]), fen_sum(&periods, column), "{column}");
    }
    let last = periods.last().expect("a period");
    assert_eq!(money["carried_out"], last["carried_out"].as_str());
    let cases: u64 = periods
        .iter()
        .map(|p| p["cases"].parse::<u64>().expect("cases"))
        .sum();
    assert_eq!(money["cases"], cases);
    assert_eq!(printed["periods"]["shared"], periods.len());

    let decisions = rows(&folder.join("decisions.csv"));
    let claims = &printed["claims"];
    assert_eq!(claims["decided"], decisions.len());
    let approved = decisions
        .iter()
        .filter(|d| d["decision"] == "approved")
        .count();
    assert_eq!(claims["approved"], approved);
    assert_eq!(claims["denied"], decisions.len() - approved);
    let by_reason = claims["denied_by_reason"].as_object().expect("an object");
    for (reason, n) in by_reason {
        let counted = decisions.iter().filter(|d| d["reason"] == *reason).count();
        assert_eq!(n, &serde_json::json!(counted), "{reason}");
    }
    assert!(by_reason.values().any(|n| n != 0), "the sample has denials");

    let members = rows(&folder.join("members.csv"));
    assert_eq!(printed["members"]["total"], members.len());
    for status in ["ineligible", "pending", "left", "ended", "paused", "active"] {
        let counted = members.iter().filter(|m| m["status"] == status).count();
        assert_eq!(printed["members"][status], counted, "{status}");
    }
}

#[test]
fn the_json_summary_has_a_stable_shape() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = run_sample(&dir.path().join("out"), &["--format", "json"]);
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    insta::assert_json_snapshot!("run_summary_json", printed);
}

#[test]
fn quiet_prints_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = run_sample(&dir.path().join("out"), &["--quiet"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    assert!(dir.path().join("out/summary.json").exists());
}

// ------------------------------------------------------------- test formats

/// A folder holding a copy of 相互保 with one expectation made wrong
/// (`all123` is charged 5.00, not 4.99) and one plan that does not check.
fn plans_with_a_failure() -> tempfile::TempDir {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string(XHB).expect("the seed plan");
    let wrong = plan.replace(
        "expect charge[2018-10-20].all123 = 5.00",
        "expect charge[2018-10-20].all123 = 4.99",
    );
    assert_ne!(plan, wrong, "the expectation to change is in the plan");
    std::fs::write(dir.path().join("a.plan"), wrong).expect("write");
    std::fs::write(dir.path().join("b.plan"), "plan broken\n").expect("write");
    dir
}

fn test_output(dir: &Path, format: &str) -> (Option<i32>, String) {
    let out = mutual()
        .current_dir(dir)
        .args(["test", "--format", format, "a.plan", "b.plan"])
        .output()
        .expect("runs");
    (out.status.code(), text(&out.stdout))
}

#[test]
fn junit_has_one_test_case_per_example_and_the_failure_with_its_line() {
    let dir = plans_with_a_failure();
    let (code, xml) = test_output(dir.path(), "junit");
    assert_eq!(code, Some(1));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    let examples = std::fs::read_to_string(dir.path().join("a.plan"))
        .expect("a.plan")
        .lines()
        .filter(|l| l.starts_with("example "))
        .count();
    // One test case per example, and one for the plan that does not check.
    assert_eq!(xml.matches("<testcase ").count(), examples + 1);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert_eq!(xml.matches("<error ").count(), 1);
    assert!(
        xml.contains("a.plan:57  expect charge[2018-10-20].all123 = 4.99"),
        "{xml}"
    );
    assert!(xml.contains("expected: 4.99"), "{xml}");
    assert!(xml.contains("actual: 5.00"), "{xml}");
    insta::assert_snapshot!("test_junit", xml);
}

#[test]
fn test_json_lists_plans_examples_and_failures() {
    let dir = plans_with_a_failure();
    let (code, json) = test_output(dir.path(), "json");
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["broken"], 1);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["plans"][0]["status"], "failed");
    assert_eq!(v["plans"][1]["status"], "does_not_check");
    let failed: Vec<&serde_json::Value> = v["plans"][0]["examples"]
        .as_array()
        .expect("examples")
        .iter()
        .filter(|e| e["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    let f = &failed[0]["failures"][0];
    assert_eq!(
        (f["expected"].as_str(), f["actual"].as_str()),
        (Some("4.99"), Some("5.00"))
    );
    assert_eq!(f["line"], 57);
}

#[test]
fn junit_of_passing_seed_plans_has_no_failures() {
    let out = mutual()
        .args(["test", "--format", "junit", "plans"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let xml = text(&out.stdout);
    assert!(
        !xml.contains("<failure") && !xml.contains("<error"),
        "{xml}"
    );
    assert!(xml.contains("failures=\"0\" errors=\"0\""), "{xml}");
}

// ------------------------------------------------------------------------ fmt

#[test]
fn fmt_write_rewrites_in_place_and_then_check_passes() {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string(XHB).expect("the seed plan");
    let messy = plan.replace("  join ages", "      join ages");
    assert_ne!(plan, messy);
    let path = dir.path().join("p.plan");
    std::fs::write(&path, &messy).expect("write");
    let check = || {
        mutual()
            .arg("fmt")
            .arg("--check")
            .arg(&path)
            .output()
            .expect("runs")
    };
    let before = check();
    assert_eq!(before.status.code(), Some(1));
    assert!(
        text(&before.stderr).contains("p.plan:14: not in canonical form"),
        "{}",
        text(&before.stderr)
    );
    let write = mutual()
        .args(["fmt", "--write"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    assert!(write.stdout.is_empty(), "--write prints no plan");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), plan);
    assert_eq!(check().status.code(), Some(0));
    let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
    assert_eq!(
        leftovers, 2,
        "only common/ and p.plan: no temporary file left"
    );
}

#[test]
fn fmt_of_several_files_names_each() {
    let out = mutual()
        .args(["fmt", XHB, "plans/jd-hubao.plan"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    assert!(s.starts_with("==> plans/xianghubao.plan <==\n"), "{s}");
    assert!(s.contains("\n\n==> plans/jd-hubao.plan <==\n"), "{s}");
    let one = mutual().args(["fmt", XHB]).output().expect("runs");
    assert!(
        !text(&one.stdout).contains("==>"),
        "one file is printed alone"
    );
}

// ----------------------------------------------------- completions and manual

#[test]
fn completions_name_every_command_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = mutual()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        for command in [
            "check",
            "run",
            "explain",
            "test",
            "fmt",
            "diff",
            "completions",
            "man",
        ] {
            assert!(script.contains(command), "{shell}: {command}");
        }
        assert!(script.contains("payments"), "{shell}: options too");
    }
    let bad = mutual()
        .args(["completions", "cmd"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_manual_pages_are_roff() {
    let main = mutual().arg("man").output().expect("runs");
    assert_eq!(main.status.code(), Some(0));
    let page = text(&main.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH mutual 1"), "{page}");
    assert!(page.contains("explain"), "subcommands are listed");
    let run = mutual().args(["man", "run"]).output().expect("runs");
    let page = text(&run.stdout);
    assert!(page.contains(".TH mutual-run 1"), "{page}");
    assert!(page.contains("payments"), "the options of run");
    let none = mutual().args(["man", "nope"]).output().expect("runs");
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn help_lists_every_command_with_a_line() {
    let out = mutual().arg("--help").output().expect("runs");
    let help = text(&out.stdout);
    for command in [
        "check",
        "run",
        "explain",
        "test",
        "fmt",
        "completions",
        "man",
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("{command} is not listed:\n{help}"));
        assert!(
            line.split_whitespace().count() > 2,
            "{command} has a description: {line}"
        );
    }
}

// ------------------------------------------------------------------ messages

#[test]
fn a_day_the_calendar_lacks_is_said_so() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = mutual()
        .args(["run", XHB, "--members", MEMBERS, "--claims", CLAIMS])
        .args(["--until", "2019-02-29", "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("`2019-02-29` is not a day in the calendar: February 2019 has 28 days"),
        "{err}"
    );
    let month = mutual()
        .args(["explain", XHB, "--members", MEMBERS, "--claims", CLAIMS])
        .args(["--until", "2019-13-01", "--claim", "c1"])
        .output()
        .expect("runs");
    assert!(text(&month.stderr).contains("there is no month 13"));
}

#[test]
fn a_missing_plan_and_a_missing_csv_are_reported_alike() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let plan = mutual()
        .args(["run", "nope.plan", "--members", MEMBERS, "--claims", CLAIMS])
        .args(["--until", UNTIL, "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let csv = mutual()
        .args(["run", XHB, "--members", "nope.csv", "--claims", CLAIMS])
        .args(["--until", UNTIL, "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!((plan.status.code(), csv.status.code()), (Some(1), Some(1)));
    let (plan, csv) = (text(&plan.stderr), text(&csv.stderr));
    assert!(plan.starts_with("nope.plan:1:1: "), "{plan}");
    assert!(csv.starts_with("nope.csv:1:1: "), "{csv}");
    assert!(
        plan.contains("cannot read the file: no such file"),
        "{plan}"
    );
    assert!(csv.contains("cannot read the file: no such file"), "{csv}");
    assert!(
        !plan.contains('╭'),
        "no source box for a file that has no lines: {plan}"
    );
}

/// `mutual explain` of the 相互保 sample, the subject still to give.
fn explain_sample() -> Command {
    let mut cmd = mutual();
    cmd.args(["explain", XHB, "--members", MEMBERS, "--claims", CLAIMS])
        .args(["--until", UNTIL]);
    cmd
}

#[test]
fn explain_without_a_subject_names_both_options() {
    let out = explain_sample().output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--claim") && err.contains("--member"), "{err}");
}

#[test]
fn explaining_an_ineligible_member_shows_the_value_and_the_requirement() {
    // m000000012 has a credit score of 624; the plan requires 650.
    let row = std::fs::read_to_string(MEMBERS)
        .expect("members")
        .lines()
        .find(|l| l.starts_with("m000000012,"))
        .map(str::to_string);
    assert_eq!(
        row.as_deref(),
        Some("m000000012,2005-11-10,2019-05-09,,624")
    );
    let out = explain_sample()
        .args(["--member", "m000000012", "--view", "audit"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("was not eligible when joining: the requirement `credit_score >= 650` did not hold: credit_score = 624, needs >= 650"),
        "{s}"
    );
}

#[test]
fn a_denied_claim_shows_the_members_value() {
    let out = explain_sample()
        .args(["--claim", "c000000007"])
        .output()
        .expect("runs");
    let s = text(&out.stdout);
    assert!(s.contains("claim c000000007: denied: not_eligible"), "{s}");
    assert!(s.contains("credit_score = 548, needs >= 650"), "{s}");
}

#[test]
fn swapped_members_and_claims_are_recognised() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = mutual()
        .args(["run", XHB, "--members", CLAIMS, "--claims", MEMBERS])
        .args(["--until", UNTIL, "--out"])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{CLAIMS} (given to --members) is a claims file")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{MEMBERS} (given to --claims) is a members file")),
        "{err}"
    );
    assert!(
        err.contains("help: swap the files of --members and --claims"),
        "{err}"
    );
}

#[test]
fn one_of_a_kind_is_singular() {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string(XHB).expect("the seed plan");
    std::fs::write(dir.path().join("p.plan"), plan).expect("write");
    let check = mutual()
        .current_dir(dir.path())
        .args(["check", "p.plan"])
        .output()
        .expect("runs");
    assert!(text(&check.stderr).contains("checked 1 plan: 0 errors, 0 warnings"));
    let test = mutual()
        .current_dir(dir.path())
        .args(["test", "p.plan"])
        .output()
        .expect("runs");
    let out = text(&test.stdout);
    assert!(!out.contains(" 1 expectations"), "{out}");
    assert!(
        !out.contains("(1 cases)") && !out.contains(" 1 members"),
        "{out}"
    );
}

#[test]
fn fmt_check_names_line_breaks_that_differ() {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string(XHB).expect("the seed plan");
    let path = dir.path().join("crlf.plan");
    std::fs::write(&path, plan.replace('\n', "\r\n")).expect("write");
    let out = mutual()
        .arg("fmt")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("its line breaks differ"), "{err}");
    let write = mutual()
        .args(["fmt", "--write"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), plan);
}
