//! Messages that a designer writing a plan from the reference understands:
//! each names what was written and how the language says it.

use assert_cmd::Command;

/// `mutual check --format plain` on 相互保 with `from` replaced by `to`.
fn check_variant(from: &str, to: &str) -> String {
    let dir = crate::plan_folder();
    let text = std::fs::read_to_string(crate::root().join("plans/xianghubao.plan")).expect("plan");
    assert!(text.contains(from), "no `{from}`");
    let plan = dir.path().join("p.plan");
    std::fs::write(&plan, text.replace(from, to)).expect("write");
    let out = Command::cargo_bin("mutual")
        .expect("the binary")
        .args(["check", "--format", "plain"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_code_range_with_a_hyphen_suggests_to() {
    let err = check_variant("covers critical_illnesses", "covers CI001-CI028");
    assert!(
        err.contains("a range of codes is written with `to`: `CI001 to CI028`"),
        "{err}"
    );
}

#[test]
fn a_date_with_one_digit_month_says_so() {
    let err = check_variant("launched 2018-10-16", "launched 2019-1-28");
    assert!(
        err.contains("the date `2019-1-28` needs a two-digit month and day"),
        "{err}"
    );
}

#[test]
fn a_statement_the_language_does_not_have_is_named() {
    let err = check_variant("fee 10% of payouts", "fee 10% per payouts");
    assert!(
        err.contains(
            "the language has no `fee` with `payouts`: expected `month`, `quarter` or `year`"
        ),
        "{err}"
    );
    // An account fee written under `sharing` is sent to the `account` section.
    let err = check_variant(
        "fee 10% of payouts",
        "fee 10% of payouts\n  fee 2 CNY per quarter",
    );
    assert!(
        err.contains("`fee per` does not belong in a `sharing` section")
            && err.contains("move it under `account`"),
        "{err}"
    );
    // A misspelt word is still called unexpected, with the word it resembles.
    let err = check_variant("fee 10% of payouts", "fee 10% of payout");
    assert!(
        err.contains("unexpected `payout`: expected `payouts`"),
        "{err}"
    );
}

#[test]
fn fmt_check_names_the_first_line_that_differs() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let plan = dir.path().join("f.plan");
    std::fs::write(&plan, "plan x\n  currency CNY\n   launched 2018-10-16\n").expect("write");
    let out = Command::cargo_bin("mutual")
        .expect("the binary")
        .args(["fmt", "--check"])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("f.plan:3: not in canonical form: `   launched 2018-10-16` should read `  launched 2018-10-16`"),
        "{err}"
    );
}

#[test]
fn a_rejected_line_feeds_no_other_diagnostic() {
    // The fee line is rejected; the viability hints (W500, W501) that quote
    // the fee must not appear with a fee of that line.
    for (from, to) in [
        ("fee 10% of payouts", "fee 200% of payouts"),
        ("fee 10% of payouts", "fee 10 days of payouts"),
        ("fee 10% of payouts", "fee 10% of payout"),
    ] {
        let err = check_variant(from, to);
        assert!(!err.contains("W50"), "{to}: {err}");
        assert!(err.contains("1 error, 0 warnings"), "{to}: {err}");
    }
}

#[test]
fn check_lists_the_versions_of_the_rules() {
    let out = Command::cargo_bin("mutual")
        .expect("the binary")
        .args([
            "check",
            "plans/xianghubao-history.plan",
            "plans/xianghubao.plan",
        ])
        .current_dir(crate::root())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    let expected = "plans/xianghubao-history.plan: the rules change over time
  from 2018-11-27:
    benefit critical › in waiting: ends the membership, refunds the charges
    sharing › fee: 8% of payouts
    viability › minimum members: 3240000
    viability › members needed: 3240000
  from 2019-01-01:
    sharing › cap per calendar year: 188.00
  closes on 2022-01-28: claims within 180 days
checked 2 plans: 0 errors, 0 warnings
";
    assert_eq!(err, expected, "a plan without dated rules adds nothing");
}
