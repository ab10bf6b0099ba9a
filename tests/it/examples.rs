//! Every plan under `plans/` checks, its examples pass, and the explanations
//! of a few chosen decisions and charges of each example are snapshots: a new
//! plan is validated by CI with no code change.

use assert_cmd::Command;
use mutual::explain;
use mutual::testing::{self, Coverage};
use std::path::Path;

fn load(path: &Path) -> (mutual::plan::Plan, mutual::source::Sources) {
    let mut sources = mutual::source::Sources::new();
    let loaded = mutual::load_plan(path, &mut sources);
    assert!(
        !loaded.diagnostics.has_errors(),
        "{}: {:?}",
        path.display(),
        loaded.diagnostics
    );
    (loaded.plan.expect("a plan"), sources)
}

#[test]
fn plans_check_their_examples_pass_and_explanations_are_stable() {
    insta::glob!("../../plans", "*.plan", |path| {
        let rel = crate::relative(path);
        let (plan, sources) = load(&rel);
        let mut coverage = Coverage::default();
        let mut shown = String::new();
        for ex in &plan.examples {
            let run = testing::run_data(&plan, ex).expect("the example runs");
            let result = testing::judge(&plan, ex, &run, &mut coverage);
            assert!(
                result.passed(),
                "{}: example \"{}\" fails:\n{}",
                rel.display(),
                ex.title,
                testing::render_results(&sources, std::slice::from_ref(&result))
            );
            let (m, c, l) = (&run.members, &run.claims, &run.ledger);
            shown.push_str(&format!("## example \"{}\"\n\n", ex.title));
            let first_denied = l.decisions.iter().find(|d| !d.approved());
            let first_approved = l.decisions.iter().find(|d| d.approved());
            for d in [first_denied, first_approved].into_iter().flatten() {
                let id = &c.all()[d.claim as usize].id;
                let e = explain::claim(&plan, &sources, m, c, l, id).expect("a decided claim");
                shown.push_str(&explain::render_human(&e, false));
                shown.push('\n');
            }
            // Explaining a claim decides the claims without sharing the periods:
            // every claim's explanation is the same as from the full run.
            let decided = explain::run_for_explain(&plan, m, c, &run.payments, ex.as_of, None)
                .expect("the claims are decided");
            // With accounts, deciding a claim needs the charges before it.
            if !mutual::engine::has_accounts(&plan) {
                assert_eq!(decided.strategy, mutual::engine::Strategy::NotShared);
            }
            for d in &l.decisions {
                let id = &c.all()[d.claim as usize].id;
                let full = explain::claim(&plan, &sources, m, c, l, id);
                let only = explain::claim(&plan, &sources, m, c, &decided, id);
                assert_eq!(
                    full.map(|e| explain::render_human(&e, false)),
                    only.map(|e| explain::render_human(&e, false)),
                    "claim {id}"
                );
            }
            // The charge of the first member (of a cohort: its first) charged in the
            // last period with charges.
            let charged = (0..l.periods.len()).rev().find_map(|p| {
                ex.members.iter().find_map(|em| {
                    let id = if em.count.is_some() {
                        format!("{}0", em.id)
                    } else {
                        em.id.clone()
                    };
                    let i = run.member(&id)?;
                    (l.charge_of(i, p).is_some_and(|x| x.0 > 0)).then_some((i, p))
                })
            });
            if let Some((i, p)) = charged {
                let e = explain::charge(&plan, &sources, m, c, l, i as usize, p);
                assert_eq!(
                    e.result,
                    format!("charged {}", l.charge_of(i, p).unwrap_or_default())
                );
                shown.push_str(&explain::render_human(&e, false));
                shown.push('\n');
            }
        }
        insta::assert_snapshot!(shown);
    });
}

/// A copy of `plans/` in a temporary folder, with one line of a plan replaced.
fn broken_copy(plan: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("common")).expect("common/");
    std::fs::copy(
        crate::root().join("plans/common/diseases.plan"),
        dir.path().join("common/diseases.plan"),
    )
    .expect("copy");
    let text = std::fs::read_to_string(crate::root().join("plans").join(plan)).expect("a plan");
    assert!(text.contains(from));
    std::fs::write(dir.path().join(plan), text.replacen(from, to, 1)).expect("write");
    dir
}

/// `mutual test PATH`.
fn mutual_test(path: &Path) -> std::process::Output {
    Command::cargo_bin("mutual")
        .expect("the binary")
        .arg("test")
        .arg(path)
        .output()
        .expect("runs")
}

#[test]
fn a_wrong_expectation_fails_with_expected_and_actual() {
    let dir = broken_copy(
        "jd-hubao.plan",
        "expect charge[2018-11-25].young = 339.51",
        "expect charge[2018-11-25].young = 339.52",
    );
    let out = mutual_test(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL  a weighted split"), "{stdout}");
    assert!(
        stdout.contains("jd-hubao.plan:62  expect charge[2018-11-25].young = 339.52"),
        "{stdout}"
    );
    assert!(
        stdout.contains("expected: 339.52\n            actual: 339.51"),
        "{stdout}"
    );
    assert!(stdout.contains("examples: 1 passed, 1 failed"), "{stdout}");
}

#[test]
fn an_expectation_on_a_missing_claim_says_so() {
    let dir = broken_copy(
        "shuidi.plan",
        "expect claim.c7.reason = unknown_member",
        "expect claim.c99.reason = unknown_member",
    );
    let out = mutual_test(&dir.path().join("shuidi.plan"));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("actual: (no such claim decided)"),
        "{stdout}"
    );
}

#[test]
fn an_example_that_does_not_check_is_reported_with_its_line() {
    let dir = broken_copy(
        "shuidi.plan",
        "expect claim.c7.reason = unknown_member",
        "expect claim.c7.reason = unknown_membr",
    );
    let out = mutual_test(&dir.path().join("shuidi.plan"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E506") && stderr.contains("did you mean `unknown_member`?"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("does not check"));
}

#[test]
fn mutual_test_reports_coverage() {
    let out = Command::cargo_bin("mutual")
        .expect("the binary")
        .args(["test", "plans/shuidi.plan"])
        .current_dir(crate::root())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("reasons: 10/11 exercised\n    never: age_not_covered"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✓ payout band 41 years to 50 years: 150000.00"),
        "{stdout}"
    );
    assert!(stdout.contains("✓ cap per charge binds"), "{stdout}");
    assert!(stdout.contains("examples: 4 passed, 0 failed"), "{stdout}");
}

fn explain_sample(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("mutual")
        .expect("the binary")
        .args([
            "explain",
            "plans/jd-hubao.plan",
            "--members",
            "plans/samples/jd-hubao/members.csv",
            "--claims",
            "plans/samples/jd-hubao/claims.csv",
            "--until",
            "2019-11-12",
        ])
        .args(args)
        .current_dir(crate::root())
        .output()
        .expect("runs")
}

#[test]
fn explain_json_has_a_stable_shape() {
    let out = explain_sample(&["--claim", "c000000001", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "claim");
    assert!(v["subject"].is_string() && v["result"].is_string());
    assert!(v["why_not"].is_array());
    let steps = v["steps"].as_array().expect("steps");
    assert!(steps.len() >= 3);
    for s in steps {
        assert!(s["step"].is_string());
        assert!(["pass", "fail", "info"].contains(&s["outcome"].as_str().expect("an outcome")));
        assert!(s["text"].is_string());
        assert!(s["values"].is_object());
        if !s["rule"].is_null() {
            assert!(
                s["rule"]["file"]
                    .as_str()
                    .expect("a file")
                    .ends_with(".plan")
            );
            assert!(s["rule"]["line"].as_u64().expect("a line") > 0);
            assert!(s["rule"]["text"].is_string());
        }
    }
    assert_eq!(steps[0]["step"], "claim");
}

#[test]
fn explain_a_charge_adds_up_to_the_charge() {
    let out = explain_sample(&["--member", "m000000002", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["kind"], "charge");
    let steps = v["steps"].as_array().expect("steps");
    let names: Vec<&str> = steps
        .iter()
        .map(|s| s["step"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        &names[..5],
        ["period", "cases", "fee", "carried_in", "sharing_member"]
    );
}

#[test]
fn explain_refuses_unknown_claims_and_members() {
    let out = explain_sample(&["--claim", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no claim has the id `nope`"));
    let out = explain_sample(&["--member", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no member has the id `nope`"));
    let out = explain_sample(&["--member", "m000000002", "--period", "2030-01-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sharing period holds 2030-01-01"));
    let out = explain_sample(&[]);
    assert_eq!(out.status.code(), Some(2));
}
