//! `mutual run`: decisions, periods and charges on hand-computed scenarios,
//! every boundary of the rules, and the published figures.

use chrono::NaiveDate;
use mutual::engine::{self, RunOptions};
use mutual::input::{Claims, Members};
use mutual::plan::{Cause, Plan};
use std::collections::HashMap;

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

/// Loads a plan file that must check.
pub fn plan(path: &str) -> Plan {
    let mut sources = mutual::source::Sources::new();
    let loaded = mutual::load_plan(&crate::root().join(path), &mut sources);
    loaded
        .plan
        .unwrap_or_else(|| panic!("{path} does not check: {:?}", loaded.diagnostics))
}

/// A seed plan with one line replaced, checked from a copy next to `plans/common`.
pub fn variant(path: &str, from: &str, to: &str) -> Plan {
    let text = std::fs::read_to_string(crate::root().join(path)).expect("the seed plan");
    assert!(text.contains(from), "{path} has no `{from}`");
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("common")).expect("common/");
    std::fs::copy(
        crate::root().join("plans/common/diseases.plan"),
        dir.path().join("common/diseases.plan"),
    )
    .expect("copy");
    let file = dir.path().join("variant.plan");
    std::fs::write(&file, text.replace(from, to)).expect("write");
    let mut sources = mutual::source::Sources::new();
    let loaded = mutual::load_plan(&file, &mut sources);
    loaded
        .plan
        .unwrap_or_else(|| panic!("the variant does not check: {:?}", loaded.diagnostics))
}

/// The output files of a run, as text, with rows by key. `members.csv` and
/// `charges.csv` are rendered only for small runs; large ones are read from the ledger.
pub struct Out {
    pub decisions: String,
    pub periods: String,
    pub members: String,
    pub charges: String,
    pub ledger: mutual::engine::Ledger,
}

fn rows(text: &str) -> Vec<HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

impl Out {
    /// (decision, reason, payout) of a claim; panics if the claim was not decided.
    pub fn claim(&self, id: &str) -> (String, String, String) {
        let r = rows(&self.decisions)
            .into_iter()
            .find(|r| r["claim_id"] == id)
            .unwrap_or_else(|| panic!("claim {id} not decided:\n{}", self.decisions));
        (
            r["decision"].clone(),
            r["reason"].clone(),
            r["payout"].clone(),
        )
    }

    pub fn reason(&self, id: &str) -> String {
        self.claim(id).1
    }

    pub fn has_claim(&self, id: &str) -> bool {
        rows(&self.decisions).iter().any(|r| r["claim_id"] == id)
    }

    pub fn period(&self, start: &str) -> HashMap<String, String> {
        rows(&self.periods)
            .into_iter()
            .find(|r| r["period_start"] == start)
            .unwrap_or_else(|| panic!("no period from {start}:\n{}", self.periods))
    }

    pub fn member(&self, id: &str) -> HashMap<String, String> {
        rows(&self.members)
            .into_iter()
            .find(|r| r["member_id"] == id)
            .unwrap_or_else(|| panic!("no member {id}:\n{}", self.members))
    }

    /// The charge of the member at input position `i` in the period starting on `start`.
    pub fn charge_at(&self, i: u32, start: &str) -> String {
        let p = self
            .ledger
            .periods
            .iter()
            .position(|f| f.period.start == d(start))
            .unwrap_or_else(|| panic!("no period from {start}"));
        self.ledger
            .charge_of(i, p)
            .expect("charges kept")
            .to_string()
    }

    pub fn charge(&self, member: &str, period_start: &str) -> String {
        rows(&self.charges)
            .into_iter()
            .find(|r| r["member_id"] == member && r["period_start"] == period_start)
            .map(|r| r["charge"].clone())
            .unwrap_or_else(|| "0.00".to_string())
    }

    /// Every file, for a snapshot.
    #[allow(dead_code)]
    pub fn all(&self) -> String {
        format!(
            "== decisions.csv\n{}== periods.csv\n{}== members.csv\n{}== charges.csv\n{}",
            self.decisions, self.periods, self.members, self.charges
        )
    }
}

/// Runs a plan over CSV text, as `mutual run --charges` would.
pub fn run_csv(plan: &Plan, members: &str, claims: &str, until: &str) -> Out {
    let (members, claims, _) = read_csv(plan, members, claims);
    run_data(plan, &members, &claims, until)
}

/// Reads members and claims from CSV text as `mutual run` does: the members
/// file with the claims' numbering, whose stamp is returned.
pub fn read_csv(plan: &Plan, members: &str, claims: &str) -> (Members, Claims, u64) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (mp, cp) = (
        dir.path().join("members.csv"),
        dir.path().join("claims.csv"),
    );
    std::fs::write(&mp, members).expect("write members");
    std::fs::write(&cp, claims).expect("write claims");
    let mut claims = mutual::input::read_claims(&cp).unwrap_or_else(|e| panic!("claims: {e}"));
    // The requirement in force on each member's join date, as `mutual run` reads them.
    let requirements = plan.requirements();
    let keys = claims.member_keys();
    let stamp = keys.stamp();
    let members = mutual::input::read_members_dated(&mp, &requirements, keys, &|_| {})
        .unwrap_or_else(|e| panic!("members: {e}"));
    (members, claims, stamp)
}

pub fn run_data(plan: &Plan, members: &Members, claims: &Claims, until: &str) -> Out {
    let options = RunOptions {
        keep_charges: true,
        ..RunOptions::new(d(until))
    };
    let ledger = engine::run(plan, members, claims, options).expect("the run succeeds");
    let text = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buf = Vec::new();
        f(&mut buf).expect("write to memory");
        String::from_utf8(buf).expect("UTF-8 output")
    };
    let small = members.len() <= 10_000;
    Out {
        decisions: text(&|w| mutual::output::write_decisions(w, plan, claims, &ledger)),
        periods: text(&|w| mutual::output::write_periods(w, &ledger)),
        members: if small {
            text(&|w| mutual::output::write_members(w, members, &ledger))
        } else {
            String::new()
        },
        charges: if small {
            text(&|w| mutual::output::write_charges(w, members, &ledger))
        } else {
            String::new()
        },
        ledger,
    }
}

const XHB: &str = "plans/xianghubao.plan";
const JD: &str = "plans/jd-hubao.plan";
const MEMBERS_XHB: &str = "id,birth_date,join_date,left_date,credit_score\n";
const CLAIMS: &str = "id,member_id,disease,diagnosed_on,filed_on,benefit,cause\n";

// ---------------------------------------------------------------- published figures

/// `n` sharing members plus `cases` claimants whose accident claims are approved in one period.
fn published(plan: &Plan, sharing: usize, cases: usize, diagnosed: &str) -> (Members, Claims) {
    let mut m = Members::default();
    let mut c = Claims::default();
    for k in 0..cases {
        let id = format!("claimant{k}");
        m.push(&id, d("1990-01-01"), d("2018-10-16"), None, true);
        c.push(
            &format!("c{k:04}"),
            &id,
            "CI001",
            d(diagnosed),
            Cause::Accident,
        );
    }
    m.push_many("m", sharing, d("1990-01-01"), d("2018-10-16"));
    let _ = plan;
    (m, c)
}

#[test]
fn launch_example_twenty_million_members_share_400_cases_at_6_60() {
    let plan = plan(XHB);
    let (m, c) = published(&plan, 20_000_000, 400, "2018-10-18");
    let out = run_data(&plan, &m, &c, "2018-10-20");
    let p = out.period("2018-10-07");
    assert_eq!(p["cases"], "400");
    assert_eq!(p["payouts"], "120000000.00");
    assert_eq!(p["fee"], "12000000.00");
    assert_eq!(p["members"], "20000000");
    assert_eq!(p["charged"], "132000000.00");
    assert_eq!(p["operator_borne"], "0.00");
    assert_eq!(out.charge_at(400, "2018-10-07"), "6.60");
    assert_eq!(out.charge_at(400 + 19_999_999, "2018-10-07"), "6.60");
    assert_eq!(
        out.charge_at(0, "2018-10-07"),
        "0.00",
        "a claimant does not share its own case"
    );
}

#[test]
fn cap_example_one_million_members_capped_at_5_00_operator_bears_11_5_million() {
    let plan = plan(XHB);
    let (m, c) = published(&plan, 1_000_000, 50, "2018-10-18");
    let out = run_data(&plan, &m, &c, "2018-10-20");
    let p = out.period("2018-10-07");
    assert_eq!(p["pool"], "16500000.00");
    assert_eq!(p["charged"], "5000000.00");
    assert_eq!(p["operator_borne"], "11500000.00");
    assert_eq!(p["carried_out"], "0.00");
    assert_eq!(out.charge_at(50 + 123, "2018-10-07"), "5.00");
}

#[test]
fn first_charge_23_million_members_two_accidents_at_8_percent_give_0_03() {
    let plan = variant(XHB, "fee 10% of payouts", "fee 8% of payouts");
    let (m, c) = published(&plan, 23_000_000, 2, "2018-10-18");
    let out = run_data(&plan, &m, &c, "2018-10-20");
    let p = out.period("2018-10-07");
    // 600,000 × 1.08 / 23,000,000 = 0.028174 → rounded up to 0.03.
    assert_eq!(p["pool"], "648000.00");
    assert_eq!(out.charge_at(2, "2018-10-07"), "0.03");
    assert_eq!(p["charged"], "690000.00");
    // The surplus of 42,000.00 is carried into the next period.
    assert_eq!(p["carried_out"], "42000.00");
}

// ---------------------------------------------------------------- boundaries: 相互保

#[test]
fn the_30th_day_of_life_is_the_first_day_one_may_join() {
    // Born 2018-09-16: 2018-10-16 is day 30 of life. Born 2018-09-17: day 29.
    let out = run_csv(
        &plan(XHB),
        &format!(
            "{MEMBERS_XHB}day30,2018-09-16,2018-10-16,,700\nday29,2018-09-17,2018-10-16,,700\n"
        ),
        &format!("{CLAIMS}c1,day30,CI001,2019-03-01,,,\nc2,day29,CI001,2019-03-01,,,\n"),
        "2019-03-06",
    );
    assert_eq!(
        out.claim("c1"),
        ("approved".into(), "covered".into(), "300000.00".into())
    );
    assert_eq!(out.reason("c2"), "not_eligible");
    assert_eq!(out.member("day29")["status"], "ineligible");
    assert_eq!(out.member("day30")["status"], "ended");
}

#[test]
fn the_40th_birthday_changes_the_payout_and_the_60th_ends_the_membership() {
    let out = run_csv(
        &plan(XHB),
        &format!(
            "{MEMBERS_XHB}a,1979-01-10,2018-10-16,,700\nb,1979-01-10,2018-10-16,,700\nc,1959-03-02,2018-10-16,,700\ne,1959-03-02,2018-10-16,,700\n"
        ),
        &format!(
            "{CLAIMS}c1,a,CI001,2019-01-09,,,accident\nc2,b,CI001,2019-01-10,,,accident\nc3,c,CI001,2019-03-01,,,\nc4,e,CI001,2019-03-02,,,\n"
        ),
        "2019-03-20",
    );
    assert_eq!(
        out.claim("c1").2,
        "300000.00",
        "the day before the 40th birthday"
    );
    assert_eq!(out.claim("c2").2, "100000.00", "on the 40th birthday");
    assert_eq!(
        out.claim("c3"),
        ("approved".into(), "covered".into(), "100000.00".into())
    );
    assert_eq!(out.reason("c4"), "membership_ended");
    assert_eq!(out.member("e")["status"], "ended");
}

#[test]
fn a_29_february_birth_turns_a_year_older_on_28_february() {
    // Born 1979-02-29 … no such day; born 1980-02-29: 39 on 2019-02-28, 40 on 2020-02-29.
    let out = run_csv(
        &plan(XHB),
        &format!(
            "{MEMBERS_XHB}a,1980-02-29,2018-10-16,,700\nb,1980-02-29,2018-10-16,,700\nc,1980-02-29,2018-10-16,,700\n"
        ),
        &format!(
            "{CLAIMS}c1,a,CI001,2020-02-28,,,\nc2,b,CI001,2020-02-29,,,\nc3,c,CI001,2019-02-28,,,\n"
        ),
        "2020-03-06",
    );
    assert_eq!(out.claim("c1").2, "300000.00");
    assert_eq!(out.claim("c2").2, "100000.00");
    assert_eq!(out.claim("c3").2, "300000.00");
}

#[test]
fn the_waiting_period_ends_on_day_90_and_accidents_skip_it() {
    // Joined 2018-10-16: day 89 is 2019-01-13, day 90 is 2019-01-14.
    let m = format!(
        "{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\nb,1990-01-01,2018-10-16,,700\nc,1990-01-01,2018-10-16,,700\n"
    );
    let c = format!(
        "{CLAIMS}c1,a,CI001,2019-01-13,,,\nc2,b,CI001,2019-01-14,,,\nc3,c,CI001,2018-10-17,,,accident\n"
    );
    let out = run_csv(&plan(XHB), &m, &c, "2019-01-20");
    assert_eq!(out.reason("c1"), "in_waiting_period");
    assert_eq!(out.reason("c2"), "covered");
    assert_eq!(out.reason("c3"), "covered");
}

#[test]
fn the_first_failing_rule_decides() {
    let m = format!(
        "{MEMBERS_XHB}low,1990-01-01,2018-10-16,,600\nempty,1990-01-01,2018-10-16,,\nold,1950-01-01,2018-10-16,,700\nleft,1990-01-01,2018-10-16,2019-01-01,700\nok,1990-01-01,2018-10-16,,700\n"
    );
    let c = format!(
        "{CLAIMS}c1,nobody,CI001,2019-02-01,,,\nc2,low,CI001,2019-02-01,,,\nc3,empty,CI001,2019-02-01,,,\nc4,old,CI001,2019-02-01,,,\nc5,ok,CI001,2018-10-01,,,\nc6,left,CI001,2019-01-01,,,\nc7,ok,ZZ001,2019-02-01,,,\nc8,ok,CI001,2019-02-01,,minor,\nc9,ok,CI002,2019-02-02,2019-02-10,,\n"
    );
    let out = run_csv(&plan(XHB), &m, &c, "2019-02-20");
    assert_eq!(out.reason("c1"), "unknown_member");
    assert_eq!(out.reason("c2"), "not_eligible", "a credit score below 650");
    assert_eq!(
        out.reason("c3"),
        "not_eligible",
        "an empty attribute fails the requirement"
    );
    assert_eq!(out.reason("c4"), "not_eligible", "too old to join");
    assert_eq!(out.reason("c5"), "before_join");
    assert_eq!(
        out.reason("c6"),
        "after_leaving",
        "diagnosed on the day of leaving"
    );
    assert_eq!(out.reason("c7"), "disease_not_covered");
    assert_eq!(
        out.reason("c8"),
        "disease_not_covered",
        "the claim names a benefit that does not list the disease"
    );
    assert_eq!(out.reason("c9"), "covered");
    assert!(
        out.decisions.contains("c7,ok,,ZZ001,"),
        "no benefit lists ZZ001:\n{}",
        out.decisions
    );
}

#[test]
fn a_second_claim_reaches_the_limit_or_finds_the_membership_ended() {
    // c1 is filed on 01-20 and ends the membership then; c2 was diagnosed before that
    // (so the membership had not ended) but the one payout is used up.
    let m = format!("{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\n");
    let c = format!(
        "{CLAIMS}c1,a,CI001,2019-01-15,2019-01-20,,\nc2,a,CI002,2019-01-16,2019-01-25,,\nc3,a,CI003,2019-01-21,2019-01-26,,\n"
    );
    let out = run_csv(&plan(XHB), &m, &c, "2019-02-06");
    assert_eq!(out.reason("c1"), "covered");
    assert_eq!(out.reason("c2"), "limit_reached");
    assert_eq!(out.reason("c3"), "membership_ended");
    assert_eq!(out.member("a")["paid_out"], "300000.00");
}

#[test]
fn claims_are_processed_by_filing_date_and_claims_filed_after_until_do_not_exist() {
    let m = format!("{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\n");
    // c2 is diagnosed later but filed first: it is decided first and ends the membership.
    let c = format!(
        "{CLAIMS}c1,a,CI001,2019-01-15,2019-01-30,,\nc2,a,CI002,2019-01-20,2019-01-25,,\nc3,a,CI003,2019-02-01,2019-02-07,,\n"
    );
    let out = run_csv(&plan(XHB), &m, &c, "2019-02-06");
    assert_eq!(out.reason("c2"), "covered");
    assert_eq!(out.reason("c1"), "limit_reached");
    assert!(!out.has_claim("c3"));
    assert!(out.decisions.find("c2,").unwrap() < out.decisions.find("c1,").unwrap());
}

#[test]
fn a_member_leaving_on_a_closing_day_does_not_share_that_period() {
    let m = format!(
        "{MEMBERS_XHB}claimant,1990-01-01,2018-10-16,,700\nleaves_on_close,1990-01-01,2018-10-16,2019-01-20,700\nleaves_after,1990-01-01,2018-10-16,2019-01-21,700\nstays,1990-01-01,2018-10-16,,700\n"
    );
    let c = format!("{CLAIMS}c1,claimant,CI001,2019-01-15,,,\n");
    let out = run_csv(&plan(XHB), &m, &c, "2019-01-20");
    let p = out.period("2019-01-07");
    assert_eq!(p["members"], "2");
    assert_eq!(out.charge("leaves_on_close", "2019-01-07"), "0.00");
    // 330,000.00 over two members, capped at 0.10 per case.
    assert_eq!(out.charge("leaves_after", "2019-01-07"), "0.10");
    assert_eq!(out.charge("stays", "2019-01-07"), "0.10");
    assert_eq!(p["charged"], "0.20");
    assert_eq!(p["operator_borne"], "329999.80");
    assert_eq!(out.member("leaves_on_close")["status"], "left");
}

// ---------------------------------------------------------------- sharing

#[test]
fn rounding_up_carries_the_surplus_into_the_next_period() {
    // 7,000,000 members share one case: 330,000 / 7,000,000 = 0.047142… → 0.05 each,
    // 350,000.00 charged, 20,000.00 carried out and taken off the next period's pool.
    let plan = plan(XHB);
    let mut m = Members::default();
    let mut c = Claims::default();
    m.push("a", d("1990-01-01"), d("2018-10-16"), None, true);
    // b joins after the first closing day, so it does not share the first period.
    m.push("b", d("1990-01-01"), d("2018-10-21"), None, true);
    c.push("c1", "a", "CI001", d("2018-10-18"), Cause::Accident);
    c.push("c2", "b", "CI001", d("2018-10-25"), Cause::Accident);
    m.push_many("m", 7_000_000, d("1990-01-01"), d("2018-10-16"));
    let out = run_data(&plan, &m, &c, "2018-11-06");
    let p1 = out.period("2018-10-07");
    assert_eq!(p1["charged"], "350000.00");
    assert_eq!(p1["operator_borne"], "0.00");
    assert_eq!(p1["carried_out"], "20000.00");
    let p2 = out.period("2018-10-21");
    assert_eq!(p2["carried_in"], "20000.00");
    // (330,000 − 20,000) / 7,000,000 = 0.044285… → 0.05; 350,000 − 310,000 = 40,000 carried.
    assert_eq!(out.charge_at(2 + 5, "2018-10-21"), "0.05");
    assert_eq!(p2["carried_out"], "40000.00");
}

#[test]
fn a_period_with_no_cases_charges_nobody_and_keeps_the_surplus() {
    let plan = plan(XHB);
    let mut m = Members::default();
    let mut c = Claims::default();
    m.push("a", d("1990-01-01"), d("2018-10-16"), None, true);
    c.push("c1", "a", "CI001", d("2018-10-18"), Cause::Accident);
    m.push_many("m", 7_000_000, d("1990-01-01"), d("2018-10-16"));
    let out = run_data(&plan, &m, &c, "2018-11-06");
    let p2 = out.period("2018-10-21");
    assert_eq!(p2["cases"], "0");
    assert_eq!(p2["carried_in"], "20000.00");
    assert_eq!(p2["charged"], "0.00");
    assert_eq!(p2["carried_out"], "20000.00");
}

#[test]
fn a_period_with_no_members_leaves_everything_to_the_operator() {
    let m = format!("{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\n");
    let c = format!("{CLAIMS}c1,a,CI001,2018-10-18,,,accident\n");
    let out = run_csv(&plan(XHB), &m, &c, "2018-10-20");
    let p = out.period("2018-10-07");
    assert_eq!(p["members"], "0");
    assert_eq!(p["charged"], "0.00");
    assert_eq!(p["operator_borne"], "330000.00");
    assert_eq!(p["carried_out"], "0.00");
}

// ---------------------------------------------------------------- boundaries: 京东互保

const MEMBERS_JD: &str = "id,birth_date,join_date,left_date\n";

#[test]
fn jd_renews_while_70_and_ends_on_the_anniversary_at_71() {
    // Joined at 70 on 2018-12-01: the anniversary 2019-12-01 comes at 71, so the membership ends.
    // Joined at 69 on 2018-12-01: renewed at 70 on 2019-12-01.
    let m = format!(
        "{MEMBERS_JD}at70,1948-11-15,2018-12-01,\nat70b,1948-11-15,2018-12-01,\nat69,1949-11-15,2018-12-01,\n"
    );
    let c = format!(
        "{CLAIMS}c1,at70,CI001,2019-11-30,,,\nc2,at70b,CI001,2019-12-01,,,\nc3,at69,CI001,2019-12-02,,,\n"
    );
    let out = run_csv(&plan(JD), &m, &c, "2019-12-10");
    assert_eq!(
        out.claim("c1"),
        ("approved".into(), "covered".into(), "50000.00".into())
    );
    assert_eq!(out.reason("c2"), "membership_ended");
    assert_eq!(out.claim("c3").2, "50000.00");
    assert_eq!(out.member("at70b")["status"], "ended");
    assert_eq!(out.member("at70")["prepaid"], "99.00");
}

#[test]
fn jd_pays_by_age_at_the_term_start_and_minor_is_ten_percent() {
    // Born 1978-01-10, joined 2018-12-01 at 40: the term starting then pays 300,000 even
    // after the 41st birthday; the renewed term from 2019-12-01 (age 41) pays 200,000.
    let m = format!(
        "{MEMBERS_JD}a,1978-01-10,2018-12-01,\nb,1978-01-10,2018-12-01,\nc,1978-01-10,2018-12-01,\n"
    );
    let c = format!(
        "{CLAIMS}c1,a,CI001,2019-11-30,,,\nc2,b,CI001,2019-12-01,,,\nc3,c,MI01,2019-11-30,,,\n"
    );
    let out = run_csv(&plan(JD), &m, &c, "2019-12-10");
    assert_eq!(out.claim("c1").2, "300000.00");
    assert_eq!(out.claim("c2").2, "200000.00");
    assert_eq!(out.claim("c3").2, "30000.00");
    assert_eq!(out.member("a")["prepaid"], "9.00");
}

#[test]
fn jd_minor_before_and_after_critical() {
    let m = format!("{MEMBERS_JD}a,1990-01-01,2018-12-01,\nb,1990-01-01,2018-12-01,\n");
    let c = format!(
        "{CLAIMS}c1,a,MI01,2019-04-01,,,\nc2,a,CI001,2019-05-01,,,\nc3,b,CI001,2019-04-01,,,\nc4,b,MI02,2019-05-01,,,\nc5,a,MI03,2019-04-15,2019-04-20,,\n"
    );
    let out = run_csv(&plan(JD), &m, &c, "2019-06-10");
    assert_eq!(out.reason("c1"), "covered");
    assert_eq!(
        out.reason("c2"),
        "covered",
        "a minor payout does not end the membership"
    );
    assert_eq!(out.reason("c3"), "covered");
    assert_eq!(
        out.reason("c4"),
        "membership_ended",
        "the critical payout ended it"
    );
    assert_eq!(
        out.reason("c5"),
        "limit_reached",
        "one minor payout per member"
    );
    assert_eq!(out.member("a")["paid_out"], "330000.00");
}

#[test]
fn jd_splits_in_proportion_to_the_annual_cap_and_stops_at_it() {
    // Two sharing members: young (cap 390) and fifty (cap 1,300). One case of 300,000:
    // pool 330,000; shares 330,000 × 390/1,690 = 76,153.84… and × 1,300/1,690 = 253,846.15…,
    // both far above the caps: each pays the whole cap, the operator bears the rest.
    let m = format!(
        "{MEMBERS_JD}claimant,1990-01-01,2018-11-13,\nyoung,1990-01-01,2018-11-13,\nfifty,1968-06-01,2018-11-13,\n"
    );
    let c = format!(
        "{CLAIMS}c1,claimant,CI001,2018-11-20,,,accident\nc2,claimant,MI01,2018-11-21,,,accident\n"
    );
    let out = run_csv(&plan(JD), &m, &c, "2018-12-10");
    let p = out.period("2018-11-11");
    assert_eq!(p["members"], "2");
    assert_eq!(out.charge("young", "2018-11-11"), "390.00");
    assert_eq!(out.charge("fifty", "2018-11-11"), "1300.00");
    assert_eq!(p["operator_borne"], "328310.00");
    // The minor claim (filed 11-21) is in the same period: the claimant ended on 11-20,
    // so c2 is denied and the next period has no cases.
    assert_eq!(out.reason("c2"), "membership_ended");
    assert_eq!(out.member("young")["balance"], "-381.00");
}

#[test]
fn jd_annual_cap_reached_part_way_through_a_period() {
    // 1,000 members aged 30 (cap 390, weight equal): a first period charges 300 each;
    // in the second, a share of 330 each meets only 90 left of the cap.
    let plan = plan(JD);
    let mut m = Members::default();
    let mut c = Claims::default();
    m.push("claimant0", d("1990-01-01"), d("2018-11-13"), None, true);
    // Joins after the first closing day: shares neither period.
    m.push("claimant1", d("1990-01-01"), d("2018-11-26"), None, true);
    // 1,000 sharing members; case 1: 300,000 × 1.1 = 330,000 → 330 each, capped at 390: 330.
    // case 2 in the next period: 330 each again, only 60 left → 60.
    m.push_many("m", 1_000, d("1990-01-01"), d("2018-11-13"));
    c.push("c1", "claimant0", "CI001", d("2018-11-20"), Cause::Accident);
    c.push("c2", "claimant1", "CI001", d("2018-12-01"), Cause::Accident);
    let out = run_data(&plan, &m, &c, "2018-12-10");
    assert_eq!(out.charge("m0", "2018-11-11"), "330.00");
    assert_eq!(out.charge("m0", "2018-11-26"), "60.00");
    let p2 = out.period("2018-11-26");
    assert_eq!(p2["charged"], "60000.00");
    assert_eq!(p2["operator_borne"], "270000.00");
    assert_eq!(out.member("m0")["charged"], "390.00");
    assert_eq!(out.member("m0")["balance"], "-381.00");
}

// ---------------------------------------------------------------- 水滴互助: remainder distributed

#[test]
fn distributed_remainder_gives_the_leftover_fen_to_the_first_members_in_input_order() {
    // Without the per-charge cap: 324,000.00 over 7 members is 46,285.714285… each.
    // Each is charged 46,285.71 (rounded down) and the 3 fen left over go to the
    // first three members in input order (the remainders are all equal).
    let plan = variant(
        "plans/shuidi.plan",
        "  cap 3 CNY per charge  # assumed: at most 3 per charge\n",
        "",
    );
    let mut members = String::from(
        "id,birth_date,join_date,left_date,prepaid_balance,region\nsick,1980-01-01,2016-06-01,,10,CN\n",
    );
    for k in 1..=7 {
        members.push_str(&format!("m{k},1990-01-01,2016-06-01,,10,CN\n"));
    }
    let claims = format!("{CLAIMS}c1,sick,CI001,2017-01-05,2017-01-10,,\n");
    let out = run_csv(&plan, &members, &claims, "2017-01-15");
    let p = out.period("2017-01-06");
    assert_eq!(p["members"], "7");
    assert_eq!(p["charged"], "324000.00");
    assert_eq!(p["operator_borne"], "0.00");
    assert_eq!(out.charge("m1", "2017-01-06"), "46285.72");
    assert_eq!(out.charge("m3", "2017-01-06"), "46285.72");
    assert_eq!(out.charge("m4", "2017-01-06"), "46285.71");
    assert_eq!(out.charge("m7", "2017-01-06"), "46285.71");
}

#[test]
fn a_members_file_with_quotes_reads_the_same_as_one_without() {
    // Without quotes the file is read in parallel blocks; with them, record by record.
    let plain = format!(
        "{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\nb,1975-03-01,2018-10-16,,650\nc,1990-01-01,2018-10-16,2019-01-01,600\n"
    );
    let quoted = format!(
        "{MEMBERS_XHB}\"a\",1990-01-01,2018-10-16,,700\nb,1975-03-01,2018-10-16,,\"650\"\nc,1990-01-01,2018-10-16,2019-01-01,600\n"
    );
    let claims = format!(
        "{CLAIMS}c1,a,CI001,2019-01-15,,,\nc2,b,CI002,2019-01-16,,,\nc3,c,CI003,2019-01-17,,,\n"
    );
    let one = run_csv(&plan(XHB), &plain, &claims, "2019-02-06");
    let two = run_csv(&plan(XHB), &quoted, &claims, "2019-02-06");
    assert_eq!(one.all(), two.all());
    assert_eq!(one.reason("c3"), "not_eligible");
}

#[test]
fn a_claims_file_with_quotes_reads_the_same_as_one_without() {
    // The same: claims files are read in parallel blocks unless they hold a quote.
    let members = format!(
        "{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\nb,1975-03-01,2018-10-16,,650\nc,1990-01-01,2018-10-16,,600\n"
    );
    let plain = format!(
        "{CLAIMS}c1,a,CI001,2019-01-15,,,accident\nc2,b,CI002,2019-01-10,2019-01-20,critical,\nc3,c,CI003,2019-01-17,,,\n"
    );
    let quoted = format!(
        "{CLAIMS}c1,\"a\",CI001,2019-01-15,,,accident\nc2,b,CI002,2019-01-10,2019-01-20,\"critical\",\nc3,c,\"CI003\",2019-01-17,,,\n"
    );
    let one = run_csv(&plan(XHB), &members, &plain, "2019-02-06");
    let two = run_csv(&plan(XHB), &members, &quoted, "2019-02-06");
    assert_eq!(one.all(), two.all());
    assert_eq!(one.reason("c1"), "covered");
    assert_eq!(one.reason("c2"), "in_waiting_period");
    assert_eq!(one.reason("c3"), "not_eligible");
}

/// Runs `mutual run --charges` on the sample data of `plan`, with the claims
/// file's rows in the given order and the given number of threads.
fn sample_run(
    plan: &str,
    until: &str,
    reverse_claims: bool,
    threads: &str,
) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().expect("a temp dir");
    let samples = crate::root().join("plans/samples").join(plan);
    let claims = std::fs::read_to_string(samples.join("claims.csv")).expect("the sample claims");
    let mut lines: Vec<&str> = claims.lines().collect();
    if reverse_claims {
        lines[1..].reverse();
    }
    std::fs::write(dir.path().join("claims.csv"), lines.join("\n") + "\n").expect("write");
    let out = assert_cmd::Command::cargo_bin("mutual")
        .expect("the binary")
        .env("RAYON_NUM_THREADS", threads)
        .arg("run")
        .arg(crate::root().join(format!("plans/{plan}.plan")))
        .arg("--members")
        .arg(samples.join("members.csv"))
        .arg("--claims")
        .arg(dir.path().join("claims.csv"))
        .args(["--until", until, "--charges", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    ["decisions.csv", "periods.csv", "members.csv", "charges.csv"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(dir.path().join("out").join(f)).expect("an output"),
            )
        })
        .collect()
}

#[test]
fn results_do_not_depend_on_the_order_of_claims_or_the_number_of_threads() {
    for (plan, until) in [
        ("xianghubao", "2019-10-15"),
        ("jd-hubao", "2019-11-12"),
        ("shuidi", "2017-04-30"),
    ] {
        let base = sample_run(plan, until, false, "2");
        assert_eq!(
            sample_run(plan, until, true, "2"),
            base,
            "{plan}: claims in reverse order"
        );
        assert_eq!(
            sample_run(plan, until, false, "1"),
            base,
            "{plan}: one thread"
        );
    }
}

#[test]
fn member_ids_are_matched_after_trimming_spaces_but_not_across_case() {
    let m =
        format!("{MEMBERS_XHB} m1 ,1990-01-01,2018-10-16,,700\nm2,1990-01-01,2018-10-16,,700\n");
    let c = format!(
        "{CLAIMS}c1,m1,CI001,2019-02-01,,,\nc2, m2 ,CI001,2019-02-01,,,\nc3,M2,CI001,2019-02-01,,,\n"
    );
    let out = run_csv(&plan(XHB), &m, &c, "2019-02-06");
    assert_eq!(out.reason("c1"), "covered");
    assert_eq!(out.reason("c2"), "covered");
    assert_eq!(out.reason("c3"), "unknown_member");
    assert!(out.members.contains("\nm1,ended,"), "{}", out.members);
}

#[test]
fn claims_find_their_members_by_number_as_by_id() {
    for (name, until) in [("xianghubao", "2019-10-15"), ("jd-hubao", "2019-11-12")] {
        let plan = plan(&format!("plans/{name}.plan"));
        let samples = crate::root().join("plans/samples").join(name);
        let mut claims =
            mutual::input::read_claims(&samples.join("claims.csv")).expect("sample claims");
        let req = plan.membership.requirement.as_ref().map(|r| &r.value);
        let keys = claims.member_keys();
        let stamp = keys.stamp();
        let members = mutual::input::read_members(&samples.join("members.csv"), req, keys)
            .expect("sample members");
        // The members file was read with the claims' numbering.
        let by_key = members.by_key(stamp).expect("members keyed by the claims");
        assert!(by_key.contains(&u32::MAX), "{name}: an unknown member");
        for (c, &k) in claims
            .all()
            .iter()
            .zip(claims.keys(stamp).expect("numbered"))
        {
            let m = by_key[k as usize];
            let having_id = (0..members.len()).find(|&i| members.id(i) == c.member_id);
            assert_eq!((m != u32::MAX).then_some(m as usize), having_id);
            assert_eq!(members.find(&c.member_id), (m != u32::MAX).then_some(m));
        }
        let by_number = run_data(&plan, &members, &claims, until);
        // Numbered again: the members do not know the new numbering, so
        // the claims find their members by id.
        claims.member_keys();
        assert!(claims.keys(stamp).is_none());
        let by_id = run_data(&plan, &members, &claims, until);
        assert_eq!(by_number.decisions, by_id.decisions, "{name}");
        assert_eq!(by_number.periods, by_id.periods, "{name}");
        assert!(by_number.decisions.contains("unknown_member"), "{name}");
    }
}

#[test]
fn members_read_in_many_blocks_are_numbered_at_their_place() {
    // About 2.5 MB of members: the file is read in several blocks.
    let n = 60_000;
    let mut m = String::from(MEMBERS_XHB);
    for i in 0..n {
        m.push_str(&format!("m{i:07},1990-01-01,2018-10-16,,700\n"));
    }
    let mut c = String::from(CLAIMS);
    for (k, i) in (0..n).step_by(997).chain([n + 5, 3]).enumerate() {
        c.push_str(&format!("c{k:05},m{i:07},CI001,2019-02-01,,,\n"));
    }
    let (members, claims, stamp) = read_csv(&plan(XHB), &m, &c);
    let by_key = members.by_key(stamp).expect("keyed");
    let numbers = claims.keys(stamp).expect("numbered");
    for (claim, &k) in claims.all().iter().zip(numbers) {
        let expected: Option<u32> = claim.member_id[1..]
            .parse::<u32>()
            .ok()
            .filter(|&i| i < n as u32);
        let m = by_key[k as usize];
        assert_eq!((m != u32::MAX).then_some(m), expected, "{}", claim.id);
        assert_eq!(members.find(&claim.member_id), expected, "{}", claim.id);
    }
}

#[test]
fn claims_know_whether_their_ids_increase() {
    let day = d("2019-02-01");
    let mut claims = Claims::default();
    claims.push("c1", "m1", "CI001", day, Cause::Illness);
    claims.push("c2", "m1", "CI001", day, Cause::Illness);
    assert!(claims.ids_increase());
    claims.push("c10", "m1", "CI001", day, Cause::Illness);
    assert!(!claims.ids_increase(), "`c10` sorts before `c2`");
    let read = |rows: &str| {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("claims.csv");
        std::fs::write(&path, format!("{CLAIMS}{rows}")).expect("write claims");
        mutual::input::read_claims(&path).expect("claims")
    };
    let up = "a,m1,CI001,2019-02-01,,,\nb,m1,CI001,2019-02-01,,,\n";
    let down = "b,m1,CI001,2019-02-01,,,\na,m1,CI001,2019-02-01,,,\n";
    assert!(read(up).ids_increase());
    assert!(!read(down).ids_increase());
    assert!(!Claims::new(read(down).all().to_vec()).ids_increase());
}

#[test]
fn member_ids_are_numbered_one_number_each() {
    let ids: Vec<String> = (0..20_000).map(|i| format!("m{}", i % 7_000)).collect();
    let (mut keys, of) = mutual::input::MemberKeys::number(ids.len(), |i| ids[i].as_str());
    assert_eq!(keys.len(), 7_000);
    let mut number_of: HashMap<&str, u32> = HashMap::new();
    let mut id_of: HashMap<u32, &str> = HashMap::new();
    for (id, &k) in ids.iter().zip(&of) {
        assert_eq!(*number_of.entry(id).or_insert(k), k, "{id}: one number");
        assert_eq!(*id_of.entry(k).or_insert(id), id.as_str(), "{k}: one id");
        assert_eq!(keys.get(id), Some(k));
        assert!((k as usize) < keys.bound());
    }
    assert_eq!(keys.get("m7000"), None);
    assert_eq!(keys.insert("m5"), of[5]);
    let new = keys.insert("someone else");
    assert!(!id_of.contains_key(&new) && (new as usize) < keys.bound());
    assert_eq!(keys.len(), 7_001);
}

#[test]
fn members_added_after_reading_keep_the_numbering() {
    let (mut members, claims, stamp) = read_csv(
        &plan(XHB),
        &format!("{MEMBERS_XHB}a,1990-01-01,2018-10-16,,700\n"),
        &format!(
            "{CLAIMS}c1,a,CI001,2019-02-01,,,\nc2,b,CI001,2019-02-01,,,\nc3,k7,CI001,2019-02-01,,,\n"
        ),
    );
    assert_eq!(members.find("b"), None);
    members.push("b", d("1990-01-01"), d("2018-10-16"), None, true);
    members.push_cohort("k", 10, d("1990-01-01"), d("2018-10-16"), None, true);
    assert_eq!(members.find("a"), Some(0));
    assert_eq!(members.find("b"), Some(1));
    assert_eq!(members.find("k7"), Some(9));
    let by_key = members.by_key(stamp).expect("still numbered");
    let found: Vec<u32> = claims
        .keys(stamp)
        .expect("numbered")
        .iter()
        .map(|&k| by_key[k as usize])
        .collect();
    assert_eq!(found, [0, 1, 9]);
}
