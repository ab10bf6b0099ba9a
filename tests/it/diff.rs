//! `mutual diff`: every cell of its three files equals what two separate
//! `run`s give (a property over random pairs of 相互保's fee, cap and
//! waiting period); a plan diffed with itself changes nothing; two days of a
//! dated plan compare the rules in force on each.

use assert_cmd::Command;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const XHB: &str = "plans/xianghubao.plan";
const MEMBERS: &str = "plans/samples/xianghubao/members.csv";
const CLAIMS: &str = "plans/samples/xianghubao/claims.csv";
const UNTIL: &str = "2019-10-15";
/// The sample's members and claims, up to `UNTIL`.
const DATA: [&str; 6] = ["--members", MEMBERS, "--claims", CLAIMS, "--until", UNTIL];

fn mutual() -> Command {
    Command::cargo_bin("mutual").expect("the mutual binary is built")
}

type Row = BTreeMap<String, String>;

fn rows(path: &Path) -> Vec<Row> {
    crate::csv_rows(path)
}

/// The cells of `cols`, row by row.
fn columns(rows: &[Row], cols: &[&str]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| cols.iter().map(|c| r[*c].clone()).collect())
        .collect()
}

fn fen(s: &str) -> i64 {
    mutual::money::Money::parse(s).expect("money").fen()
}

/// 相互保 with another fee, cap per case and waiting period.
fn variant(fee: u32, cap_fen: u32, waiting: u32) -> String {
    let plan = std::fs::read_to_string(XHB).expect("the seed plan");
    let out = plan
        .replace("fee 10% of payouts", &format!("fee {fee}% of payouts"))
        .replace(
            "cap 0.10 CNY per case",
            &format!("cap {}.{:02} CNY per case", cap_fen / 100, cap_fen % 100),
        )
        .replace("waiting 90 days", &format!("waiting {waiting} days"));
    // The examples state the seed plan's figures: a variant keeps none.
    out.split("\nexample ")
        .next()
        .expect("the rules")
        .to_string()
        + "\n"
}

fn run(dir: &Path, plan: &Path, out: &str) {
    let done = mutual()
        .arg("run")
        .arg(plan)
        .args([
            "--members",
            MEMBERS,
            "--claims",
            CLAIMS,
            "--until",
            UNTIL,
            "-q",
            "--out",
        ])
        .arg(dir.join(out))
        .output()
        .expect("runs");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

fn diff(dir: &Path, old: &Path, new: &Path) -> std::process::Output {
    mutual()
        .arg("diff")
        .arg(old)
        .arg(new)
        .args(DATA)
        .arg("--out")
        .arg(dir.join("diff"))
        .output()
        .expect("runs")
}

/// Every cell of the diff's files against the two runs' files.
fn assert_diff_matches_runs(dir: &Path) {
    let (a, b, d) = (dir.join("old"), dir.join("new"), dir.join("diff"));
    // periods.csv: every period of either run, figure by figure.
    let (pa, pb, pd) = (
        rows(&a.join("periods.csv")),
        rows(&b.join("periods.csv")),
        rows(&d.join("periods.csv")),
    );
    let key = |r: &Row| (r["period_start"].clone(), r["period_end"].clone());
    let mut keys: Vec<_> = pa.iter().chain(&pb).map(key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        pd.iter().map(key).collect::<Vec<_>>(),
        keys,
        "the periods of either run"
    );
    for r in &pd {
        let old = pa.iter().find(|p| key(p) == key(r));
        let new = pb.iter().find(|p| key(p) == key(r));
        for (col, from) in [
            ("members", "members"),
            ("payouts", "payouts"),
            ("charged", "charged"),
            ("operator_borne", "operator_borne"),
        ] {
            let cell = |side: Option<&Row>| side.map(|p| p[from].clone()).unwrap_or_default();
            assert_eq!(
                r[&format!("{col}_old")],
                cell(old),
                "{col}_old {:?}",
                key(r)
            );
            assert_eq!(
                r[&format!("{col}_new")],
                cell(new),
                "{col}_new {:?}",
                key(r)
            );
        }
        for col in ["charged", "operator_borne"] {
            let v = |side: Option<&Row>| side.map(|p| fen(&p[col])).unwrap_or(0);
            assert_eq!(
                fen(&r[&format!("{col}_delta")]),
                v(new) - v(old),
                "{col}_delta"
            );
        }
    }
    // members.csv: exactly the members whose status, charged or paid_out differ.
    let (ma, mb, md) = (
        rows(&a.join("members.csv")),
        rows(&b.join("members.csv")),
        rows(&d.join("members.csv")),
    );
    let expected: Vec<Vec<String>> = ma
        .iter()
        .zip(&mb)
        .filter(|(x, y)| {
            x["status"] != y["status"]
                || x["charged"] != y["charged"]
                || x["paid_out"] != y["paid_out"]
        })
        .map(|(x, y)| {
            vec![
                x["member_id"].clone(),
                x["status"].clone(),
                y["status"].clone(),
                x["charged"].clone(),
                y["charged"].clone(),
                mutual::money::Money(fen(&y["charged"]) - fen(&x["charged"])).to_string(),
                x["paid_out"].clone(),
                y["paid_out"].clone(),
            ]
        })
        .collect();
    let got = columns(
        &md,
        &[
            "member_id",
            "status_old",
            "status_new",
            "charged_old",
            "charged_new",
            "charged_delta",
            "paid_out_old",
            "paid_out_new",
        ],
    );
    assert_eq!(got, expected, "members.csv");
    // decisions.csv: the claims whose decision, reason or payout differ, in claims-file order.
    let (da, db, dd) = (
        rows(&a.join("decisions.csv")),
        rows(&b.join("decisions.csv")),
        rows(&d.join("decisions.csv")),
    );
    let order: Vec<String> = rows(Path::new(CLAIMS))
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    let by_id = |rs: &[Row]| -> BTreeMap<String, Row> {
        rs.iter()
            .map(|r| (r["claim_id"].clone(), r.clone()))
            .collect()
    };
    let (oa, ob) = (by_id(&da), by_id(&db));
    let expected: Vec<Vec<String>> = order
        .iter()
        .filter_map(|id| {
            let (x, y) = (oa.get(id)?, ob.get(id)?);
            let differs = ["decision", "reason", "payout"]
                .iter()
                .any(|c| x[*c] != y[*c]);
            differs.then(|| {
                vec![
                    id.clone(),
                    x["decision"].clone(),
                    x["reason"].clone(),
                    x["payout"].clone(),
                    y["decision"].clone(),
                    y["reason"].clone(),
                    y["payout"].clone(),
                ]
            })
        })
        .collect();
    let got = columns(
        &dd,
        &[
            "claim_id",
            "decision_old",
            "reason_old",
            "payout_old",
            "decision_new",
            "reason_new",
            "payout_new",
        ],
    );
    assert_eq!(got, expected, "decisions.csv");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, rng_seed: proptest::test_runner::RngSeed::Fixed(16), ..ProptestConfig::default() })]

    #[test]
    fn every_cell_equals_two_separate_runs(
        fees in (1u32..=15, 1u32..=15),
        caps in (1u32..=30, 1u32..=30),
        waits in (prop::sample::select(vec![30u32, 90, 180]), prop::sample::select(vec![30u32, 90, 180])),
    ) {
        let dir = crate::plan_folder();
        let (old, new) = (dir.path().join("old.plan"), dir.path().join("new.plan"));
        std::fs::write(&old, variant(fees.0, caps.0, waits.0)).expect("write");
        std::fs::write(&new, variant(fees.1, caps.1, waits.1)).expect("write");
        run(dir.path(), &old, "old");
        run(dir.path(), &new, "new");
        let done = diff(dir.path(), &old, &new);
        prop_assert_eq!(done.status.code(), Some(0), "{}", String::from_utf8_lossy(&done.stderr));
        assert_diff_matches_runs(dir.path());
    }
}

#[test]
fn a_fee_and_cap_change_of_xianghubao() {
    let dir = crate::plan_folder();
    let (old, new) = (dir.path().join("old.plan"), dir.path().join("new.plan"));
    std::fs::write(&old, variant(10, 10, 90)).expect("write");
    std::fs::write(&new, variant(8, 15, 90)).expect("write");
    run(dir.path(), &old, "old");
    run(dir.path(), &new, "new");
    let done = diff(dir.path(), &old, &new);
    assert_eq!(done.status.code(), Some(0));
    assert_diff_matches_runs(dir.path());
    let members = rows(&dir.path().join("diff/members.csv"));
    assert!(
        !members.is_empty(),
        "a lower fee and a higher cap change charges"
    );
    let out =
        String::from_utf8_lossy(&done.stdout).replace(&dir.path().display().to_string(), "TMP");
    insta::assert_snapshot!("diff_fee_and_cap", out);
}

#[test]
fn a_plan_diffed_with_itself_changes_nothing() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let done = mutual()
        .args([
            "diff",
            XHB,
            XHB,
            "--members",
            MEMBERS,
            "--claims",
            CLAIMS,
            "--until",
            UNTIL,
        ])
        .args(["--format", "json", "--out"])
        .arg(dir.path().join("diff"))
        .output()
        .expect("runs");
    assert_eq!(done.status.code(), Some(0));
    let d = dir.path().join("diff");
    assert!(rows(&d.join("members.csv")).is_empty());
    assert!(rows(&d.join("decisions.csv")).is_empty());
    let periods = rows(&d.join("periods.csv"));
    assert!(!periods.is_empty());
    for p in &periods {
        assert_eq!(
            (
                p["charged_delta"].as_str(),
                p["operator_borne_delta"].as_str()
            ),
            ("0.00", "0.00")
        );
        assert_eq!(p["charged_old"], p["charged_new"]);
    }
    let v: serde_json::Value = serde_json::from_slice(&done.stdout).expect("JSON on stdout");
    assert_eq!(v["claims_changed"], 0);
    assert_eq!(v["members_changed"], 0);
    assert_eq!(v["charged"]["delta"], "0.00");
    assert_eq!(v["largest_increase"], serde_json::Value::Null);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("summary.json")).expect("summary.json"))
            .expect("JSON");
    assert_eq!(v, written);
}

#[test]
fn two_days_of_a_dated_plan_compare_the_rules_in_force_on_each() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let done = mutual()
        .args([
            "diff",
            "plans/xianghubao-history.plan",
            "--as-of",
            "2018-11-26",
            "--vs",
            "2018-11-27",
        ])
        .args([
            "--members",
            MEMBERS,
            "--claims",
            CLAIMS,
            "--until",
            UNTIL,
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&done.stdout).expect("JSON");
    // The fee falls from 10% to 8% of the same payouts.
    let payouts = fen(v["payouts"]["old"].as_str().expect("payouts"));
    assert_eq!(v["payouts"]["old"], v["payouts"]["new"]);
    assert_eq!(fen(v["fee"]["old"].as_str().expect("fee")), payouts / 10);
    assert_eq!(
        fen(v["fee"]["new"].as_str().expect("fee")),
        payouts * 8 / 100
    );
    let same_day = mutual()
        .args(["diff", XHB, "--as-of", "2018-11-26", "--vs", "2018-11-27"])
        .args(DATA)
        .arg("--out")
        .arg(dir.path().join("x"))
        .output()
        .expect("runs");
    assert_eq!(
        same_day.status.code(),
        Some(1),
        "a plan whose rules never change"
    );
    let neither = mutual()
        .args([
            "diff",
            XHB,
            "--members",
            MEMBERS,
            "--claims",
            CLAIMS,
            "--until",
            UNTIL,
            "--out",
        ])
        .arg(dir.path().join("y"))
        .output()
        .expect("runs");
    assert_eq!(
        neither.status.code(),
        Some(2),
        "NEW or --as-of/--vs is needed"
    );
}

#[test]
fn explain_diff_marks_the_step_that_changed_a_claim() {
    let dir = crate::plan_folder();
    let (old, new) = (dir.path().join("old.plan"), dir.path().join("new.plan"));
    std::fs::write(&old, variant(10, 10, 90)).expect("write");
    std::fs::write(&new, variant(10, 10, 60)).expect("write");
    // c000000008: diagnosed on day 74 of the membership, in a 90-day waiting period but not a 60-day one.
    let explain = |format: &str| {
        mutual()
            .arg("explain")
            .arg(&new)
            .arg("--diff")
            .arg(&old)
            .args(["--members", MEMBERS, "--claims", CLAIMS, "--until", UNTIL])
            .args(["--claim", "c000000008", "--format", format])
            .output()
            .expect("runs")
    };
    let human = explain("human");
    assert_eq!(
        human.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&human.stderr)
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("old (") && text.contains("denied: in_waiting_period"),
        "{text}"
    );
    assert!(text.contains("approved: covered, pays 300000.00"), "{text}");
    assert!(
        text.contains(
            "≠  old ✗ diagnosed 2018-12-30, before the 90-day waiting period ends on 2019-01-15"
        ),
        "{text}"
    );
    assert!(
        text.contains("new.plan:21  waiting 60 days, except accident"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_slice(&explain("json").stdout).expect("JSON");
    let pairs = json["pairs"].as_array().expect("pairs");
    let differing: Vec<&str> = pairs
        .iter()
        .filter(|p| p["differs"] == true)
        .map(|p| {
            let side = if p["new"].is_null() { "old" } else { "new" };
            let k = p[side].as_u64().expect("an index") as usize;
            json[side]["steps"][k]["step"].as_str().expect("a step")
        })
        .collect();
    assert_eq!(differing.first(), Some(&"waiting_period"), "{differing:?}");
    let same = pairs.iter().filter(|p| p["differs"] == false).count();
    assert!(
        same >= 5,
        "the steps before the waiting period are the same"
    );
}

#[test]
fn a_prepaid_plan_diffed_with_a_higher_minimum_reads_the_payments() {
    let dir = crate::plan_folder();
    let plan = std::fs::read_to_string("plans/qingsong.plan").expect("the seed plan");
    let stricter = plan.replace("minimum balance 1 CNY", "minimum balance 2 CNY");
    assert_ne!(
        plan, stricter,
        "the minimum is written `minimum balance 1 CNY`"
    );
    let rules = |p: &str| p.split("\nexample ").next().expect("rules").to_string() + "\n";
    let (old, new) = (dir.path().join("old.plan"), dir.path().join("new.plan"));
    std::fs::write(&old, rules(&plan)).expect("write");
    std::fs::write(&new, rules(&stricter)).expect("write");
    let s = "plans/samples/qingsong";
    let done = mutual()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .args([
            "--members",
            &format!("{s}/members.csv"),
            "--claims",
            &format!("{s}/claims.csv"),
        ])
        .args([
            "--payments",
            &format!("{s}/payments.csv"),
            "--until",
            "2016-12-31",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path().join("diff"))
        .output()
        .expect("runs");
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let members = rows(&dir.path().join("diff/members.csv"));
    assert!(
        members
            .iter()
            .any(|m| m["status_old"] == "active" && m["status_new"] == "paused"),
        "a higher minimum pauses more members"
    );
    let decisions = rows(&dir.path().join("diff/decisions.csv"));
    let v: serde_json::Value = serde_json::from_slice(&done.stdout).expect("JSON");
    assert_eq!(v["claims_changed"], decisions.len());
    assert_eq!(v["members_changed"], members.len());
}
