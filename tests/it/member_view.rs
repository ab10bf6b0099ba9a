//! The member view of `mutual explain` (`--view member`), in English and
//! Chinese, for each seed plan: a denied claim, an approved claim, a charge
//! a cap lowered, a charge with the yearly cap reached part-way, a refund, a
//! claim while cover was paused; each letter a reviewed snapshot.

use assert_cmd::Command;

struct Case {
    name: &'static str,
    plan: &'static str,
    sample: &'static str,
    until: &'static str,
    payments: bool,
    what: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "xianghubao-denied-waiting",
        plan: "xianghubao",
        sample: "xianghubao",
        until: "2019-10-15",
        payments: false,
        what: &["--claim", "c000000008"],
    },
    Case {
        name: "xianghubao-approved",
        plan: "xianghubao",
        sample: "xianghubao",
        until: "2019-10-15",
        payments: false,
        what: &["--claim", "c000000010"],
    },
    Case {
        name: "xianghubao-denied-requirement",
        plan: "xianghubao",
        sample: "xianghubao",
        until: "2019-10-15",
        payments: false,
        what: &["--claim", "c000000007"],
    },
    Case {
        name: "xianghubao-capped-charge",
        plan: "xianghubao",
        sample: "xianghubao",
        until: "2019-10-15",
        payments: false,
        what: &["--member", "m000000002"],
    },
    Case {
        name: "xianghubao-history-refund",
        plan: "xianghubao-history",
        sample: "xianghubao",
        until: "2019-10-15",
        payments: false,
        what: &["--member", "m000000149"],
    },
    Case {
        name: "jd-hubao-yearly-cap-part-way",
        plan: "jd-hubao",
        sample: "jd-hubao",
        until: "2019-11-12",
        payments: false,
        what: &["--member", "m000000017", "--period", "2019-11-05"],
    },
    Case {
        name: "jd-hubao-approved",
        plan: "jd-hubao",
        sample: "jd-hubao",
        until: "2019-11-12",
        payments: false,
        what: &["--claim", "c000000002"],
    },
    Case {
        name: "shuidi-paused-claim",
        plan: "shuidi",
        sample: "shuidi",
        until: "2019-12-31",
        payments: true,
        what: &["--claim", "c000000019"],
    },
    Case {
        name: "qingsong-charge-with-balance",
        plan: "qingsong",
        sample: "qingsong",
        until: "2016-12-31",
        payments: true,
        what: &["--member", "m000000001"],
    },
    Case {
        name: "dishui-denied-cause",
        plan: "dishui",
        sample: "dishui",
        until: "2019-12-31",
        payments: true,
        what: &["--claim", "c000000009"],
    },
];

fn letter(case: &Case, lang: &str) -> String {
    let s = format!("plans/samples/{}", case.sample);
    let mut cmd = Command::cargo_bin("mutual").expect("the mutual binary is built");
    cmd.args(["explain", &format!("plans/{}.plan", case.plan)])
        .args([
            "--members",
            &format!("{s}/members.csv"),
            "--claims",
            &format!("{s}/claims.csv"),
        ])
        .args(["--until", case.until, "--view", "member", "--lang", lang])
        .args(case.what);
    if case.payments {
        cmd.args(["--payments", &format!("{s}/payments.csv")]);
    }
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}: {}",
        case.name,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn member_letters_in_both_languages() {
    for case in CASES {
        let (en, zh) = (letter(case, "en"), letter(case, "zh"));
        assert!(en.starts_with("Dear member "), "{}: {en}", case.name);
        assert!(zh.starts_with("尊敬的会员 "), "{}: {zh}", case.name);
        for text in [&en, &zh] {
            assert!(
                !text.contains("✗"),
                "{}: a protection is never a failure",
                case.name
            );
            assert!(
                !text.contains("deny-") && !text.contains("charge-"),
                "{}: a message is missing: {text}",
                case.name
            );
        }
        insta::assert_snapshot!(format!("{}-en", case.name), en);
        insta::assert_snapshot!(format!("{}-zh", case.name), zh);
    }
}

#[test]
fn the_default_view_of_a_member_is_the_letter_and_of_a_claim_the_audit() {
    let s = "plans/samples/xianghubao";
    let run = |what: &[&str], lang: &str| {
        let out = Command::cargo_bin("mutual")
            .expect("built")
            .args([
                "explain",
                "plans/xianghubao.plan",
                "--members",
                &format!("{s}/members.csv"),
            ])
            .args([
                "--claims",
                &format!("{s}/claims.csv"),
                "--until",
                "2019-10-15",
            ])
            .args(what)
            .env("LANG", lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .output()
            .expect("runs");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    assert!(run(&["--member", "m000000002"], "zh_CN.UTF-8").starts_with("尊敬的会员 m000000002"));
    assert!(run(&["--member", "m000000002"], "C").starts_with("Dear member m000000002"));
    assert!(run(&["--claim", "c000000008"], "zh_CN.UTF-8").starts_with("claim c000000008: denied"));
    let audit = run(&["--member", "m000000002", "--view", "audit"], "C");
    assert!(audit.starts_with("charge of member m000000002"), "{audit}");
}
