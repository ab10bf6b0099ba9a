//! Plans over time: dated rules (`from` / `until`) picked by the right day,
//! closing days that change, calendar-year caps, closing a plan, refunds of
//! a waiting-period illness, `only for`, `waiting_from`; the checks of
//! versions (E111–E114); `mutual fmt` on dated versions. Every figure is
//! worked out by hand in a comment.

use crate::run::{Out, run_csv};
use mutual::plan::Plan;
use mutual::source::Sources;

/// A plan written next to a copy of `plans/common`, loaded: the plan, or
/// every diagnostic as (code, line) when it does not check.
fn load(text: &str) -> Result<Plan, Vec<(String, usize)>> {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("common")).expect("common/");
    std::fs::copy(
        crate::root().join("plans/common/diseases.plan"),
        dir.path().join("common/diseases.plan"),
    )
    .expect("copy the disease lists");
    let file = dir.path().join("dated.plan");
    std::fs::write(&file, text).expect("write the plan");
    let mut sources = Sources::new();
    let loaded = mutual::load_plan(&file, &mut sources);
    match loaded.plan {
        Some(plan) if !loaded.diagnostics.has_errors() => Ok(plan),
        _ => Err(codes(&sources, &loaded.diagnostics)),
    }
}

/// (code, line) of each diagnostic, and (code, line) of each related place.
fn codes(sources: &Sources, diags: &mutual::diagnostic::Diagnostics) -> Vec<(String, usize)> {
    let line = |s: mutual::source::Span| sources.get(s.file).line_col(s.start as usize).0;
    let mut out = Vec::new();
    for d in &diags.items {
        out.push((d.code.to_string(), line(d.span)));
        for (span, _) in &d.related {
            out.push((format!("{}:related", d.code), line(*span)));
        }
    }
    out
}

/// A plan that must check.
fn plan(text: &str) -> Plan {
    load(text).unwrap_or_else(|e| panic!("the plan does not check: {e:?}\n{text}"))
}

/// The (start, end) of every period of a run.
fn periods(out: &Out) -> Vec<(String, String)> {
    out.periods
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split(',');
            (
                f.next().expect("start").to_string(),
                f.next().expect("end").to_string(),
            )
        })
        .collect()
}

const MEMBERS: &str = "id,birth_date,join_date,left_date\n";
const CLAIMS: &str = "id,member_id,disease,diagnosed_on,filed_on,benefit,cause\n";

/// A small plan: calendar months, a 10% fee, 1,000.00 per claim, a 90-day
/// waiting period; `{membership}`, `{benefit}` and `{sharing}` add lines.
fn toy(membership: &str, benefit: &str, sharing: &str) -> String {
    format!(
        "plan toy
  currency CNY
  launched 2019-01-01

membership
  join ages 18 years to 60 years
{membership}
benefit critical
  covers CI001, CI002
  waiting 90 days
  payout 1_000 CNY
{benefit}
sharing
  fee 10% of payouts
  split equally
  rounding half up, remainder borne by operator
{sharing}
diseases serious
  CI001 \"a\"
  CI002 \"b\"
  CI003 \"c\"
"
    )
}

// ---------------------------------------------------------------- benefits

#[test]
fn only_for_denies_other_causes_after_disease_not_covered_and_before_the_waiting_period() {
    // `accident` covers CI002 for accidents only; CI003 is listed but covered by
    // no benefit. Member m joined 2019-01-01: its 90 days end on 2019-04-01.
    let text = toy("", "", "  closes on day last\n")
        .replace("  covers CI001, CI002\n", "  covers CI001\n")
        + "
benefit accident
  covers CI002
  only for accident
  waiting 90 days
  payout 500 CNY
";
    let p = plan(&text);
    let m = format!("{MEMBERS}m,1990-01-01,2019-01-01,\nn,1990-01-01,2019-01-01,\n");
    let c = format!(
        "{CLAIMS}\
c1,m,CI003,2019-02-01,,,illness
c2,m,CI002,2019-02-01,,,illness
c3,m,CI002,2019-02-01,,,accident
c4,m,CI002,2019-04-01,,,
c5,m,CI002,2019-04-01,,,accident
c6,m,CI002,2019-04-02,,critical,illness
c7,n,CI001,2019-04-01,,,accident
c8,n,CI001,2019-04-02,,,illness
"
    );
    let out = run_csv(&p, &m, &c, "2019-04-30");
    // c1: CI003 is covered by no benefit: disease_not_covered comes first.
    assert_eq!(out.reason("c1"), "disease_not_covered");
    // c2: an illness, inside the waiting period: the cause is checked first.
    assert_eq!(out.reason("c2"), "cause_not_covered");
    // c3: an accident inside the 90 days (no `except`): in_waiting_period.
    assert_eq!(out.reason("c3"), "in_waiting_period");
    // c4: an empty cause is an illness: cause_not_covered even after the waiting period.
    assert_eq!(out.reason("c4"), "cause_not_covered");
    assert_eq!(
        out.claim("c5"),
        ("approved".into(), "covered".into(), "500.00".into())
    );
    // c6 names the other benefit, and is an illness: disease_not_covered
    // comes before cause_not_covered.
    assert_eq!(out.reason("c6"), "disease_not_covered");
    // `critical` has no `only for`: both causes are paid.
    assert_eq!(out.claim("c7").2, "1000.00");
    assert_eq!(out.claim("c8").2, "1000.00");
}

#[test]
fn only_for_is_picked_by_the_diagnosis_day() {
    // `critical` pays only for accidents from 2019-06-01: an illness diagnosed
    // on 2019-05-31 and filed later is paid; one diagnosed on 2019-06-01 is not.
    let text = toy(
        "",
        "  only for accident from 2019-06-01\n",
        "  closes on day last\n",
    );
    let p = plan(&text);
    let m = format!("{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\n");
    let c = format!(
        "{CLAIMS}c1,a,CI001,2019-05-31,2019-06-10,,\nc2,b,CI001,2019-06-01,,,\nc3,b,CI002,2019-06-02,,,accident\n"
    );
    let out = run_csv(&p, &m, &c, "2019-06-30");
    assert_eq!(out.claim("c1").2, "1000.00");
    assert_eq!(out.reason("c2"), "cause_not_covered");
    assert_eq!(out.claim("c3").2, "1000.00");
}

#[test]
fn waiting_from_counts_the_waiting_period_from_its_day() {
    // 90 days from 2018-06-01 end on 2018-08-30: a diagnosis on 2019-01-10 is
    // covered, though the member joined on 2019-01-01. Without waiting_from the
    // period ends on 2019-04-01. A waiting_from after joining delays it:
    // 2019-02-01 + 90 days = 2019-05-02. A diagnosis before joining is still before_join.
    let p = plan(&toy("", "", "  closes on day last\n"));
    let m = "id,birth_date,join_date,left_date,waiting_from
moved,1990-01-01,2019-01-01,,2018-06-01
fresh,1990-01-01,2019-01-01,,
late,1990-01-01,2019-01-01,,2019-02-01
late2,1990-01-01,2019-01-01,,2019-02-01
early,1990-01-01,2019-01-01,,2018-06-01
";
    let c = format!(
        "{CLAIMS}\
c1,moved,CI001,2019-01-10,,,
c2,fresh,CI001,2019-01-10,,,
c3,late,CI001,2019-05-01,,,
c4,late2,CI001,2019-05-02,,,
c5,early,CI001,2018-12-01,2019-01-05,,
"
    );
    let out = run_csv(&p, m, &c, "2019-05-31");
    assert_eq!(out.claim("c1").1, "covered");
    assert_eq!(out.reason("c2"), "in_waiting_period");
    assert_eq!(out.reason("c3"), "in_waiting_period");
    assert_eq!(out.reason("c4"), "covered");
    assert_eq!(out.reason("c5"), "before_join");
}

#[test]
fn waiting_from_in_an_example_member_line() {
    let text = toy("", "", "  closes on day last\n")
        + "
example \"a transferred member has served the waiting period\"
  as of 2019-01-31
  member moved birth_date=1990-01-01 join_date=2019-01-01 waiting_from=2018-06-01
  member fresh birth_date=1990-01-01 join_date=2019-01-01
  claim c1 member_id=moved disease=CI001 diagnosed_on=2019-01-10
  claim c2 member_id=fresh disease=CI001 diagnosed_on=2019-01-10
  expect claim.c1.reason = covered
  expect claim.c2.reason = in_waiting_period
";
    let p = plan(&text);
    let mut coverage = mutual::testing::Coverage::default();
    let result = mutual::testing::run_example(&p, &p.examples[0], &mut coverage);
    assert!(result.passed(), "{result:?}");
}

#[test]
fn a_payout_change_is_picked_by_the_diagnosis_day() {
    // 1,000.00 for diagnoses to 2019-06-30, 2,000.00 from 2019-07-01, whatever the filing day.
    // The waiting period changes too: 90 days to 2019-06-30, 10 from 2019-07-01
    // (counted from joining, by the rule of the diagnosis day).
    let text = toy("", "", "  closes on day last\n")
        .replace(
            "  payout 1_000 CNY\n",
            "  payout 1_000 CNY until 2019-06-30  # the old amount\n  payout 2_000 CNY from 2019-07-01\n",
        )
        .replace(
            "  waiting 90 days\n",
            "  waiting 90 days until 2019-06-30\n  waiting 10 days from 2019-07-01\n",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\nj1,1990-01-01,2019-06-25,\nj2,1990-01-01,2019-06-25,\nj3,1990-01-01,2019-06-25,\n"
    );
    let c = format!(
        "{CLAIMS}\
a1,a,CI001,2019-06-30,2019-07-05,,
b1,b,CI001,2019-07-01,2019-07-01,,
j1c,j1,CI001,2019-06-30,2019-07-20,,
j2c,j2,CI001,2019-07-04,,,
j3c,j3,CI001,2019-07-05,,,
"
    );
    let out = run_csv(&p, &m, &c, "2019-07-31");
    assert_eq!(out.claim("a1").2, "1000.00");
    assert_eq!(out.claim("b1").2, "2000.00");
    // j1 joined 2019-06-25; diagnosed 2019-06-30: 90 days apply (ends 2019-09-23).
    assert_eq!(out.reason("j1c"), "in_waiting_period");
    // Diagnosed 2019-07-04: 10 days from 2019-06-25 end on 2019-07-05.
    assert_eq!(out.reason("j2c"), "in_waiting_period");
    assert_eq!(out.claim("j3c").2, "2000.00");
    // July: payouts 1,000 + 2,000 + 2,000 = 5,000.00, fee 500.00.
    let july = out.period("2019-07-01");
    assert_eq!(july["payouts"], "5000.00");
    assert_eq!(july["fee"], "500.00");
}

#[test]
fn a_payout_table_version_is_picked_by_the_diagnosis_day() {
    // A table by age at diagnosis to 2019-06-30, then a fixed amount.
    let text = toy("", "", "  closes on day last\n").replace(
        "  payout 1_000 CNY\n",
        "  payout by age at diagnosis until 2019-06-30
    18 years to 39 years: 3_000 CNY
    40 years to 60 years: 1_500 CNY
  payout 700 CNY from 2019-07-01
",
    );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}young,1990-01-01,2019-01-01,\nold,1970-01-01,2019-01-01,\nyoung2,1990-01-01,2019-01-01,\n"
    );
    let c = format!(
        "{CLAIMS}y,young,CI001,2019-06-30,2019-07-10,,\no,old,CI001,2019-05-01,,,\ny2,young2,CI001,2019-07-01,,,\n"
    );
    let out = run_csv(&p, &m, &c, "2019-07-31");
    assert_eq!(out.claim("y").2, "3000.00");
    assert_eq!(out.claim("o").2, "1500.00");
    assert_eq!(out.claim("y2").2, "700.00");
}

#[test]
fn covers_limit_and_ends_on_payout_are_picked_by_the_diagnosis_day() {
    // CI002 is covered from 2019-07-01; from then, two payouts per member, and a
    // payout no longer ends the membership.
    let text = toy("", "", "  closes on day last\n")
        .replace(
            "  covers CI001, CI002\n",
            "  covers CI001\n  covers CI002 from 2019-07-01\n  limit 1 per member until 2019-06-30\n  limit 2 per member from 2019-07-01\n",
        )
        .replace(
            "  join ages 18 years to 60 years\n",
            "  join ages 18 years to 60 years\n  ends on payout of critical until 2019-06-30\n",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\nc,1990-01-01,2019-01-01,\n"
    );
    let c = format!(
        "{CLAIMS}\
a1,a,CI002,2019-06-30,2019-07-02,,
a2,a,CI002,2019-07-01,,,
b1,b,CI001,2019-06-29,2019-06-30,,
b2,b,CI001,2019-07-02,,,
c1,c,CI001,2019-07-01,,,
c2,c,CI001,2019-07-02,,,
c3,c,CI001,2019-07-03,,,
"
    );
    let out = run_csv(&p, &m, &c, "2019-07-31");
    // a1: CI002 was not covered on 2019-06-30; a2 is, from 2019-07-01.
    assert_eq!(out.reason("a1"), "disease_not_covered");
    assert_eq!(out.claim("a2").2, "1000.00");
    // b1, diagnosed 2019-06-29 (filed 06-30): its payout ends b's membership on 06-30.
    assert_eq!(out.claim("b1").2, "1000.00");
    assert_eq!(out.reason("b2"), "membership_ended");
    // c: diagnosed from 2019-07-01, two payouts, and the membership goes on.
    assert_eq!(out.claim("c1").2, "1000.00");
    assert_eq!(out.claim("c2").2, "1000.00");
    assert_eq!(out.reason("c3"), "limit_reached");
    assert_eq!(out.member("c")["status"], "active");
    assert_eq!(out.member("b")["status"], "ended");
}

// ---------------------------------------------------------------- membership

#[test]
fn joining_rules_are_picked_by_the_join_date() {
    // Join ages 18 to 60 until 2019-06-30, 18 to 50 from 2019-07-01. The age
    // limit is 65 for those who joined before, 51 for those who join after.
    // Born 1963-03-01: aged 56 on both join dates.
    let text = toy("", "", "  closes on day last\n").replace(
        "  join ages 18 years to 60 years\n",
        "  join ages 18 years to 60 years until 2019-06-30
  join ages 18 years to 50 years from 2019-07-01
  ends at age 65 years until 2019-06-30
  ends at age 51 years from 2019-07-01
  pays at join 9 CNY until 2019-06-30
  pays at join by age at join from 2019-07-01
    18 years to 39 years: 19 CNY
    40 years to 60 years: 29 CNY
",
    );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}before,1963-03-01,2019-06-30,\nafter,1963-03-01,2019-07-01,\nyoung,1969-01-01,2019-07-01,\nkept,1969-01-01,2019-01-01,\n"
    );
    let c = format!(
        "{CLAIMS}c1,before,CI001,2019-10-01,,,\nc2,after,CI001,2019-10-01,,,\nc3,young,CI001,2020-01-10,,,\nc4,kept,CI001,2020-01-10,,,\n"
    );
    let out = run_csv(&p, &m, &c, "2020-01-31");
    // before: 56 on 2019-06-30, within 18 to 60; 90 days end 2019-09-28.
    assert_eq!(out.claim("c1").2, "1000.00");
    assert_eq!(out.reason("c2"), "not_eligible");
    assert_eq!(out.member("after")["status"], "ineligible");
    // young joined 2019-07-01 aged 50: its membership ends on its 51st
    // birthday, 2020-01-01, by the rule of its join date.
    assert_eq!(out.reason("c3"), "membership_ended");
    assert_eq!(out.member("young")["status"], "ended");
    // kept joined 2019-01-01 aged 50: the limit of 65 of its join date holds.
    assert_eq!(out.claim("c4").2, "1000.00");
    // What each paid at joining: 9.00 to 2019-06-30, then 29.00 at 50.
    assert_eq!(out.member("before")["prepaid"], "9.00");
    assert_eq!(out.member("kept")["prepaid"], "9.00");
    assert_eq!(out.member("young")["prepaid"], "29.00");
    assert_eq!(out.member("after")["prepaid"], "0.00");
}

#[test]
fn a_requirement_change_is_picked_by_the_join_date() {
    let text = toy("", "", "  closes on day last\n").replace(
        "  join ages 18 years to 60 years\n",
        "  join ages 18 years to 60 years
  requires score >= 600 until 2019-03-31
  requires score >= 700 from 2019-04-01
",
    );
    let p = plan(&text);
    let m = "id,birth_date,join_date,left_date,score
a,1990-01-01,2019-03-31,,650
b,1990-01-01,2019-04-01,,650
c,1990-01-01,2019-04-01,,700
";
    let out = run_csv(&p, m, CLAIMS, "2019-04-30");
    assert_eq!(out.member("a")["status"], "active");
    assert_eq!(out.member("b")["status"], "ineligible");
    assert_eq!(out.member("c")["status"], "active");
}

#[test]
fn a_term_change_is_picked_by_the_join_date_for_the_payout_by_age_at_term_start() {
    // Terms of 1 year for those joining to 2019-06-30, 5 years after. m joined
    // 2019-01-01 aged 39 (born 1979-06-01); diagnosed 2020-02-01, after the
    // change: its term (1 year, by its join date) started 2020-01-01, when it
    // was 40: the 40-to-60 band pays 1,500.00. (With the 5-year term of the
    // diagnosis day, the term would start 2019-01-01, at 39: 3,000.00.)
    let text = toy("", "", "  closes on day last\n")
        .replace(
            "  join ages 18 years to 60 years\n",
            "  join ages 18 years to 60 years
  term 1 year until 2019-06-30
  term 5 years from 2019-07-01
",
        )
        .replace(
            "  payout 1_000 CNY\n",
            "  payout by age at term start
    18 years to 39 years: 3_000 CNY
    40 years to 60 years: 1_500 CNY
",
        );
    let p = plan(&text);
    let m = format!("{MEMBERS}m,1979-06-01,2019-01-01,\nn,1980-01-01,2019-07-01,\n");
    let c = format!("{CLAIMS}c1,m,CI001,2020-02-01,,,\nc2,n,CI001,2020-08-01,,,\n");
    let out = run_csv(&p, &m, &c, "2020-08-31");
    assert_eq!(out.claim("c1").2, "1500.00");
    // n joined 2019-07-01 aged 39, on a 5-year term: still 39 at the term
    // start on 2020-08-01 (with a 1-year term it would be 40 on 2020-07-01).
    assert_eq!(out.claim("c2").2, "3000.00");
}

#[test]
fn a_term_change_is_picked_by_the_join_date_for_the_annual_cap_by_age_at_term_start() {
    // The split in proportion to annual caps by age at term start: 300 to 39,
    // 600 from 40. m joined 2019-01-01 aged 39 on a 1-year term (the term of
    // its join date): in February 2020 its term started 2020-01-01, at 40:
    // weight 600, like o's. k's claim (k left 2020-01-20) of 1,000.00 + 10%:
    // 1,100.00 × 600 / 1,200 = 550.00 each. (With the 5-year term of the
    // closing day, m's weight would be 300: 366.67.)
    let text = toy("", "", "  closes on day last\n")
        .replace(
            "  join ages 18 years to 60 years\n",
            "  join ages 18 years to 60 years
  term 1 year until 2019-06-30
  term 5 years from 2019-07-01
",
        )
        .replace(
            "  split equally\n",
            "  split in proportion to annual cap
  cap per year by age at term start
    18 years to 39 years: 300 CNY
    40 years to 60 years: 600 CNY
",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}m,1979-06-01,2019-01-01,\no,1960-01-01,2019-01-01,\nk,1960-01-01,2019-01-01,2020-01-20\n"
    );
    let c = format!("{CLAIMS}c1,k,CI001,2020-01-10,2020-02-03,,\n");
    let out = run_csv(&p, &m, &c, "2020-02-29");
    let feb = out.period("2020-02-01");
    assert_eq!(feb["members"], "2");
    assert_eq!(out.charge("m", "2020-02-01"), "550.00");
    assert_eq!(out.charge("o", "2020-02-01"), "550.00");
    assert_eq!(feb["charged"], "1100.00");
}

// ---------------------------------------------------------------- sharing

#[test]
fn closing_days_that_change_cut_one_long_period() {
    // Days 6 and 20 to 2019-03-31, the last day of the month from 2019-04-01:
    // the old days' last closing day before 2019-04-01 is 2019-03-20; the next
    // period runs from 2019-03-21 to the first new closing day on or after
    // 2019-04-01, 2019-04-30.
    // The fee changes on 2019-04-16, inside the long period: it closes on
    // 2019-04-30, so it takes 20%.
    let text = toy("", "", "").replace(
        "  fee 10% of payouts\n",
        "  closes on days 6 and 20 until 2019-03-31\n  closes on day last from 2019-04-01\n  fee 10% of payouts until 2019-04-15\n  fee 20% of payouts from 2019-04-16\n",
    );
    let p = plan(&text);
    // c joins inside the long period, d leaves inside it.
    let m = format!(
        "{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\nc,1990-01-01,2019-03-25,\nd,1990-01-01,2019-01-01,2019-04-10\n"
    );
    // A claim filed 2019-04-02 falls in the long period.
    let c = format!("{CLAIMS}c1,a,CI001,2019-04-02,,,\n");
    let out = run_csv(&p, &m, &c, "2019-06-30");
    let expected = [
        ("2018-12-21", "2019-01-06"),
        ("2019-01-07", "2019-01-20"),
        ("2019-01-21", "2019-02-06"),
        ("2019-02-07", "2019-02-20"),
        ("2019-02-21", "2019-03-06"),
        ("2019-03-07", "2019-03-20"),
        ("2019-03-21", "2019-04-30"),
        ("2019-05-01", "2019-05-31"),
        ("2019-06-01", "2019-06-30"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(periods(&out), expected);
    // 1,000.00 + 20% = 1,200.00 over a, b and c, active on 2019-04-30
    // (without `ends on payout of`, a shares its own case): 400.00 each.
    let long = out.period("2019-03-21");
    assert_eq!(long["cases"], "1");
    assert_eq!(long["fee"], "200.00");
    assert_eq!(long["members"], "3");
    assert_eq!(out.charge("b", "2019-03-21"), "400.00");
    assert_eq!(out.charge("c", "2019-03-21"), "400.00");
    assert_eq!(out.charge("d", "2019-03-21"), "0.00");
}

#[test]
fn closing_days_that_change_the_other_way_and_on_a_closing_day() {
    // Monthly to 2019-03-31, days 6 and 20 from 2019-04-01: the last monthly
    // period ends 2019-03-31, the next runs 2019-04-01 to 2019-04-06.
    let text = toy("", "", "").replace(
        "  fee 10% of payouts\n",
        "  closes on day last until 2019-03-31\n  closes on days 6 and 20 from 2019-04-01\n  fee 10% of payouts\n",
    );
    let out = run_csv(&plan(&text), MEMBERS, CLAIMS, "2019-05-06");
    let got = periods(&out);
    let want: Vec<(String, String)> = [
        ("2019-01-01", "2019-01-31"),
        ("2019-02-01", "2019-02-28"),
        ("2019-03-01", "2019-03-31"),
        ("2019-04-01", "2019-04-06"),
        ("2019-04-07", "2019-04-20"),
        ("2019-04-21", "2019-05-06"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);

    // The new days start the day after an old closing day (2019-03-20): the
    // old schedule ends there, and the next period ends on 2019-03-31.
    let text = toy("", "", "").replace(
        "  fee 10% of payouts\n",
        "  closes on days 6 and 20 until 2019-03-20\n  closes on day last from 2019-03-21\n  fee 10% of payouts\n",
    );
    let out = run_csv(&plan(&text), MEMBERS, CLAIMS, "2019-04-30");
    let got = periods(&out);
    assert_eq!(
        got[got.len() - 3..],
        [
            ("2019-03-07".to_string(), "2019-03-20".to_string()),
            ("2019-03-21".to_string(), "2019-03-31".to_string()),
            ("2019-04-01".to_string(), "2019-04-30".to_string()),
        ]
    );

    // A new closing day earlier than the old one: monthly to 2019-03-09, the
    // 10th from 2019-03-10. The last monthly period ends 2019-02-28; the next
    // runs 2019-03-01 to 2019-03-10.
    let text = toy("", "", "").replace(
        "  fee 10% of payouts\n",
        "  closes on day last until 2019-03-09\n  closes on day 10 from 2019-03-10\n  fee 10% of payouts\n",
    );
    let out = run_csv(&plan(&text), MEMBERS, CLAIMS, "2019-05-10");
    let got = periods(&out);
    assert_eq!(
        got[got.len() - 4..],
        [
            ("2019-02-01".to_string(), "2019-02-28".to_string()),
            ("2019-03-01".to_string(), "2019-03-10".to_string()),
            ("2019-03-11".to_string(), "2019-04-10".to_string()),
            ("2019-04-11".to_string(), "2019-05-10".to_string()),
        ]
    );
}

#[test]
fn a_fee_change_is_picked_by_the_closing_day() {
    // 10% to 2019-02-14, 20% from 2019-02-15; monthly periods. A claim filed
    // 2019-02-10 is in the period closing 2019-02-28: 20%. One filed
    // 2019-01-31 is in the period closing that day: 10%.
    let text = toy("", "", "  closes on day last\n").replace(
        "  fee 10% of payouts\n",
        "  fee 10% of payouts until 2019-02-14\n  fee 20% of payouts from 2019-02-15\n",
    );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}a,1990-01-01,2018-10-01,\nb,1990-01-01,2018-10-01,\nc,1990-01-01,2018-10-01,\nd,1990-01-01,2018-10-01,\n"
    );
    let c = format!("{CLAIMS}c1,a,CI001,2019-01-31,,,\nc2,b,CI001,2019-02-10,,,\n");
    let out = run_csv(&p, &m, &c, "2019-02-28");
    let jan = out.period("2019-01-01");
    assert_eq!(jan["fee"], "100.00");
    assert_eq!(jan["pool"], "1100.00");
    // 1,100.00 over 4 members: 275.00 each.
    assert_eq!(out.charge("d", "2019-01-01"), "275.00");
    let feb = out.period("2019-02-01");
    assert_eq!(feb["fee"], "200.00");
    assert_eq!(feb["pool"], "1200.00");
    assert_eq!(out.charge("d", "2019-02-01"), "300.00");
    assert_eq!(out.member("d")["charged"], "575.00");
}

#[test]
fn a_calendar_year_cap_with_a_weighted_split_resets_in_january() {
    // Weights are the annual caps by age at joining: 300 at 30, 600 at 50.
    // At most 250.00 a calendar year. No fee. Claimants k1, k2, k3 (aged 30)
    // leave the day after their diagnosis, so they do not share their own case.
    //
    // Nov 2019 (k3's 1,000.00): y, o, k1, k2 share, weights 300+600+300+300 =
    //   1,500: shares 200, 400, 200, 200; o is cut to 250 by the calendar cap.
    //   charged 850.00, operator 150.00.
    // Dec 2019 (k1's): y, o, k2 share, weights 1,200: shares 250, 500, 250;
    //   left of 250 this year: y 50, o 0, k2 50. charged 100.00, operator 900.00.
    // Jan 2020 (k2's): y, o share, weights 900: 333.33…, 666.66…; a new
    //   calendar year: 250 each (the annual caps, 300 and 600 from a new
    //   membership year on 2020-01-01, do not bind). charged 500.00, operator 500.00.
    let text = toy("", "", "  closes on day last\n")
        .replace("  waiting 90 days\n", "")
        .replace("  fee 10% of payouts\n", "  fee 0% of payouts\n")
        .replace(
            "  split equally\n",
            "  split in proportion to annual cap
  cap per year by age at join
    18 years to 39 years: 300 CNY
    40 years to 60 years: 600 CNY
  cap 250 CNY per calendar year
",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}y,1989-06-01,2019-01-01,\no,1969-06-01,2019-01-01,\nk1,1989-06-01,2019-01-01,2019-12-11\nk2,1989-06-01,2019-01-01,2020-01-11\nk3,1989-06-01,2019-01-01,2019-11-11\n"
    );
    let c = format!(
        "{CLAIMS}n,k3,CI001,2019-11-10,,,\nd,k1,CI001,2019-12-10,,,\nj,k2,CI001,2020-01-10,,,\n"
    );
    let out = run_csv(&p, &m, &c, "2020-01-31");
    let nov = out.period("2019-11-01");
    assert_eq!(
        (nov["members"].as_str(), nov["charged"].as_str()),
        ("4", "850.00")
    );
    assert_eq!(nov["operator_borne"], "150.00");
    assert_eq!(out.charge("y", "2019-11-01"), "200.00");
    assert_eq!(out.charge("o", "2019-11-01"), "250.00");
    assert_eq!(out.charge("k1", "2019-11-01"), "200.00");
    let dec = out.period("2019-12-01");
    assert_eq!(
        (dec["members"].as_str(), dec["charged"].as_str()),
        ("3", "100.00")
    );
    assert_eq!(dec["operator_borne"], "900.00");
    assert_eq!(out.charge("y", "2019-12-01"), "50.00");
    assert_eq!(out.charge("o", "2019-12-01"), "0.00");
    assert_eq!(out.charge("k2", "2019-12-01"), "50.00");
    let jan = out.period("2020-01-01");
    assert_eq!(
        (jan["members"].as_str(), jan["charged"].as_str()),
        ("2", "500.00")
    );
    assert_eq!(jan["operator_borne"], "500.00");
    assert_eq!(out.charge("y", "2020-01-01"), "250.00");
    assert_eq!(out.charge("o", "2020-01-01"), "250.00");
    assert_eq!(out.member("y")["charged"], "500.00");
    assert_eq!(out.member("o")["charged"], "500.00");
    assert_eq!(out.member("k2")["charged"], "250.00");
}

#[test]
fn a_calendar_year_cap_with_an_equal_split_from_a_day_on() {
    // 相互宝's rule: at most 188 a calendar year from 2019-01-01, with a per-case
    // cap of 0.10. Here: at most 150.00 a calendar year from 2019-12-01, an
    // equal split, half-up rounding. Three members share every case.
    // Nov 2019, 3 claims of 1,000 by members who left: pool 3,300.00 (10%),
    //   1,100.00 each before the cap rule: charged 3,300.00.
    // Dec 2019, 1 claim: 366.67 each → the calendar cap (the November charges
    //   count: 1,100 > 150 already): 0.00 each, the operator bears 1,100.00.
    // Jan 2020, 1 claim: 366.666… each, capped at 150.00: 450.00 charged.
    let text = toy("", "", "  closes on day last\n")
        .replace("  waiting 90 days\n", "")
        .replace(
            "  split equally\n",
            "  split equally\n  cap 150 CNY per calendar year from 2019-12-01\n",
        );
    let p = plan(&text);
    let mut m = String::from(MEMBERS);
    for k in 0..3 {
        m.push_str(&format!("s{k},1990-01-01,2019-01-01,\n"));
    }
    for k in 0..5 {
        m.push_str(&format!("k{k},1990-01-01,2019-01-01,2019-10-01\n"));
    }
    let c = format!(
        "{CLAIMS}c0,k0,CI001,2019-09-01,2019-11-05,,\nc1,k1,CI001,2019-09-01,2019-11-06,,\nc2,k2,CI001,2019-09-01,2019-11-07,,\nc3,k3,CI001,2019-09-01,2019-12-05,,\nc4,k4,CI001,2019-09-01,2020-01-05,,\n"
    );
    let out = run_csv(&p, &m, &c, "2020-01-31");
    assert_eq!(out.period("2019-11-01")["charged"], "3300.00");
    assert_eq!(out.charge("s0", "2019-11-01"), "1100.00");
    let dec = out.period("2019-12-01");
    assert_eq!(dec["charged"], "0.00");
    assert_eq!(dec["operator_borne"], "1100.00");
    let jan = out.period("2020-01-01");
    assert_eq!(out.charge("s2", "2020-01-01"), "150.00");
    assert_eq!(jan["charged"], "450.00");
    assert_eq!(jan["operator_borne"], "650.00");
}

#[test]
fn an_annual_cap_from_a_day_on_counts_what_was_charged_before_it_in_the_membership_year() {
    // At most 300.00 a membership year from 2019-07-01; m joined 2019-01-01.
    // In March, a case of 1,000.00 + 10% over m and 3 others: 275.00 each. In
    // August, another such case: 275.00 before the cap, but 300.00 − 275.00 =
    // 25.00 is all that is left of the membership year 2019-01-01 to
    // 2019-12-31, for each of the 4: 100.00 charged, 1,000.00 borne by the operator.
    // (`mutual explain --member` counts the same: the charges of the periods
    // closing in the membership year.)
    let text = toy("", "", "  closes on day last\n")
        .replace("  waiting 90 days\n", "")
        .replace(
            "  split equally\n",
            "  split equally\n  cap 300 CNY per year from 2019-07-01\n",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}m,1990-01-01,2019-01-01,\na,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\nc,1990-01-01,2019-01-01,\nk1,1990-01-01,2019-01-01,2019-03-10\nk2,1990-01-01,2019-01-01,2019-03-10\n"
    );
    let c = format!("{CLAIMS}c1,k1,CI001,2019-03-05,,,\nc2,k2,CI001,2019-03-06,2019-08-06,,\n");
    let out = run_csv(&p, &m, &c, "2019-08-31");
    assert_eq!(out.charge("m", "2019-03-01"), "275.00");
    assert_eq!(out.charge("m", "2019-08-01"), "25.00");
    let aug = out.period("2019-08-01");
    assert_eq!(aug["charged"], "100.00");
    assert_eq!(aug["operator_borne"], "1000.00");
    assert_eq!(out.member("m")["charged"], "300.00");
    // The explanation of m's August charge says the same.
    let json = explain(&text, &m, &c, "2019-08-31", &["--member", "m"]);
    assert!(json.contains("\"result\": \"charged 25.00\""), "{json}");
}

/// `mutual explain … --format json` over a plan text and CSV texts.
fn explain(text: &str, members: &str, claims: &str, until: &str, args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (p, m, c) = (
        dir.path().join("p.plan"),
        dir.path().join("members.csv"),
        dir.path().join("claims.csv"),
    );
    std::fs::write(&p, text).expect("write");
    std::fs::write(&m, members).expect("write");
    std::fs::write(&c, claims).expect("write");
    let out = assert_cmd::Command::cargo_bin("mutual")
        .expect("the binary")
        .arg("explain")
        .arg(&p)
        .arg("--members")
        .arg(&m)
        .arg("--claims")
        .arg(&c)
        .args(["--until", until, "--format", "json"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

// ---------------------------------------------------------------- closing a plan

#[test]
fn closing_a_plan_with_a_surplus_carried_in() {
    // Rounding up with the remainder carried; closes 2019-06-15, claims within 30
    // days (to 2019-07-15 included).
    // May: one claim of 1,000.00, pool 1,100.00 over 3 members: 366.666… → 366.67
    //   each, 1,100.01 charged, 0.01 carried out.
    // June (closes 2019-06-30, after the closing day): no case; 0.01 carried in,
    //   to collect −0.01, members 0, the operator bears −0.01, nothing carried out.
    // July: a claim diagnosed 2019-06-10, filed 2019-07-15: paid, 1,100.00 borne
    //   by the operator; one filed 2019-07-16 is denied membership_ended, and so
    //   is one diagnosed on the closing day.
    let text = toy("", "", "  closes on day last\n")
        .replace("  waiting 90 days\n", "")
        .replace(
            "  rounding half up, remainder borne by operator\n",
            "  rounding up, remainder carried\n",
        )
        .replace(
            "  launched 2019-01-01\n",
            "  launched 2019-01-01\n  closes 2019-06-15, claims within 30 days\n",
        );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\nc,1990-01-01,2019-01-01,\nk,1990-01-01,2019-01-01,2019-05-02\nlast,1990-01-01,2019-06-14,\nlate,1990-01-01,2019-06-15,\n"
    );
    let c = format!(
        "{CLAIMS}\
may,k,CI001,2019-05-01,,,
win,a,CI001,2019-06-10,2019-07-15,,
out,b,CI001,2019-06-10,2019-07-16,,
onc,c,CI001,2019-06-15,,,
"
    );
    let out = run_csv(&p, &m, &c, "2019-07-31");
    let may = out.period("2019-05-01");
    assert_eq!(may["members"], "3");
    assert_eq!(may["charged"], "1100.01");
    assert_eq!(may["carried_out"], "0.01");
    let june = out.period("2019-06-01");
    assert_eq!(june["members"], "0");
    assert_eq!(june["carried_in"], "0.01");
    assert_eq!(june["charged"], "0.00");
    assert_eq!(june["operator_borne"], "-0.01");
    assert_eq!(june["carried_out"], "0.00");
    let july = out.period("2019-07-01");
    assert_eq!(july["carried_in"], "0.00");
    assert_eq!(july["members"], "0");
    assert_eq!(july["pool"], "1100.00");
    assert_eq!(july["operator_borne"], "1100.00");
    assert_eq!(july["carried_out"], "0.00");
    assert_eq!(out.claim("win").2, "1000.00");
    assert_eq!(out.reason("out"), "membership_ended");
    assert_eq!(out.reason("onc"), "membership_ended");
    assert_eq!(out.member("a")["status"], "ended");
    assert_eq!(out.member("last")["status"], "ended");
    assert_eq!(out.member("late")["status"], "ineligible");
    assert_eq!(out.member("a")["charged"], "366.67");
}

// ---------------------------------------------------------------- refunds

#[test]
fn a_waiting_period_illness_ends_the_membership_and_refunds_its_charges_once() {
    // w joined 2019-01-01 (90 days to 2019-04-01). Jan and Feb: one case each
    // (the claimants left on 2019-01-20), 1,100.00 over w and 3 others:
    // 275.00 each, twice. w's claim diagnosed 2019-03-10, filed 2019-03-12, is
    // denied in the waiting period: the membership ends 2019-03-12, 550.00 is
    // refunded, in the March period. A second claim (diagnosed 2019-03-11,
    // filed 2019-04-03) is in the waiting period too, but refunds nothing more.
    // March: one more case, shared by the 3 others only: 366.666… → 366.67.
    let text = toy(
        "",
        "  in waiting: ends membership, refunds charges\n",
        "  closes on day last\n",
    );
    let p = plan(&text);
    let m = format!(
        "{MEMBERS}w,1990-01-01,2019-01-01,\na,1990-01-01,2018-01-01,\nb,1990-01-01,2018-01-01,\nc,1990-01-01,2018-01-01,\nk1,1990-01-01,2018-01-01,2019-01-20\nk2,1990-01-01,2018-01-01,2019-01-20\nk3,1990-01-01,2018-01-01,2019-01-20\n"
    );
    let c = format!(
        "{CLAIMS}\
j,k1,CI001,2019-01-10,,,
f,k2,CI001,2019-01-11,2019-02-10,,
w1,w,CI002,2019-03-10,2019-03-12,,
m,k3,CI001,2019-01-12,2019-03-15,,
w2,w,CI001,2019-03-11,2019-04-03,,
"
    );
    let out = run_csv(&p, &m, &c, "2019-04-30");
    assert_eq!(out.charge("w", "2019-01-01"), "275.00");
    assert_eq!(out.charge("w", "2019-02-01"), "275.00");
    assert_eq!(out.reason("w1"), "in_waiting_period");
    assert_eq!(out.reason("w2"), "in_waiting_period");
    let w = out.member("w");
    assert_eq!(w["status"], "ended");
    assert_eq!(w["charged"], "550.00");
    assert_eq!(w["refunded"], "550.00");
    assert_eq!(w["balance"], "0.00");
    let march = out.period("2019-03-01");
    assert_eq!(march["refunded"], "550.00");
    assert_eq!(march["members"], "3");
    assert_eq!(out.charge("a", "2019-03-01"), "366.67");
    // The money of the period is not changed by the refund: the operator pays it apart.
    assert_eq!(march["charged"], "1100.01");
    assert_eq!(march["operator_borne"], "-0.01");
    assert_eq!(out.period("2019-04-01")["refunded"], "0.00");
    assert_eq!(out.period("2019-01-01")["refunded"], "0.00");
}

// ---------------------------------------------------------------- versions that change nothing

mod split {
    use super::{CLAIMS, load};
    use crate::run::{d, run_csv};
    use chrono::{Days, NaiveDate};
    use proptest::prelude::*;

    const SEEDS: [(&str, &str); 3] = [
        ("plans/xianghubao.plan", "2018-10-16"),
        ("plans/jd-hubao.plan", "2018-11-13"),
        ("plans/shuidi.plan", "2016-05-01"),
    ];

    fn day(base: NaiveDate, offset: i64) -> NaiveDate {
        if offset >= 0 {
            base.checked_add_days(Days::new(offset as u64))
        } else {
            base.checked_sub_days(Days::new(offset.unsigned_abs()))
        }
        .expect("a date")
    }

    /// The plan with every statement of `membership`, a benefit and `sharing`
    /// written as two identical versions, `until D-1` and `from D`, D taken
    /// in turn from `days` (offsets from the launch); a statement's table
    /// rows are copied under both.
    pub(super) fn split_every_rule(text: &str, launch: NaiveDate, days: &[i64]) -> String {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::new();
        let mut datable = false;
        let mut k = 0usize;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if !line.starts_with(' ') && !line.trim().is_empty() && !line.starts_with('#') {
                let word = line.split_whitespace().next().unwrap_or("");
                datable = matches!(word, "membership" | "benefit" | "sharing");
            }
            let statement = line.starts_with("  ") && !line.starts_with("   ");
            if !datable || !statement || line.trim_start().starts_with('#') {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            let code = line.split("  #").next().unwrap_or(line).trim_end();
            let mut rows = String::new();
            while i < lines.len() && lines[i].starts_with("    ") {
                rows.push_str(lines[i]);
                rows.push('\n');
                i += 1;
            }
            let at = day(launch, days[k % days.len()]);
            k += 1;
            let before = at.pred_opt().expect("a day before");
            out.push_str(&format!(
                "{code} until {before}\n{rows}{code} from {at}\n{rows}"
            ));
        }
        assert!(k >= 10, "too few statements split: {k}");
        out
    }

    /// A member: birth (days from 1950-01-01), join (days from the launch −
    /// 100), days to leaving, attributes variant, waiting_from (days before joining).
    type Member = (u32, u32, Option<u32>, u8, Option<u32>);

    #[derive(Clone, Debug)]
    struct Data {
        members: Vec<Member>,
        /// member, disease, diagnosed (days from the launch), filing delay,
        /// cause (0 empty, 1 illness, 2 accident), a benefit named
        claims: Vec<(usize, u8, u32, u32, u8, u8)>,
        /// identical members that share every period
        bulk: usize,
    }

    fn data() -> impl Strategy<Value = Data> {
        (
            prop::collection::vec(
                (
                    0u32..23_000,
                    0u32..500,
                    prop::option::of(0u32..500),
                    0u8..4,
                    prop::option::of(0u32..200),
                ),
                1..20,
            ),
            prop::collection::vec(
                (0usize..22, 0u8..5, 0u32..560, 0u32..40, 0u8..3, 0u8..4),
                0..24,
            ),
            0usize..40,
        )
            .prop_map(|(members, claims, bulk)| Data {
                members,
                claims,
                bulk,
            })
    }

    /// The members and claims files of `data` for a plan launched on `launch`.
    fn files(data: &Data, launch: NaiveDate) -> (String, String) {
        let mut m = String::from(
            "id,birth_date,join_date,left_date,credit_score,prepaid_balance,region,waiting_from\n",
        );
        let birth0 = d("1950-01-01");
        for (k, (b, j, left, attrs, wf)) in data.members.iter().enumerate() {
            let join = day(launch, i64::from(*j) - 100);
            let left = left.map_or(String::new(), |l| day(join, i64::from(l)).to_string());
            let wf = wf.map_or(String::new(), |w| day(join, -i64::from(w)).to_string());
            let (score, balance, region) = [
                ("700", "10", "CN"),
                ("600", "10", "CN"),
                ("", "5", "CN"),
                ("650", "9", "HK"),
            ][usize::from(*attrs)];
            m.push_str(&format!(
                "p{k},{},{join},{left},{score},{balance},{region},{wf}\n",
                day(birth0, i64::from(*b))
            ));
        }
        for k in 0..data.bulk {
            m.push_str(&format!(
                "bulk{k},1985-06-15,{},,700,10,CN,\n",
                day(launch, 20)
            ));
        }
        let mut c = String::from(CLAIMS);
        for (k, (who, disease, diag, delay, cause, benefit)) in data.claims.iter().enumerate() {
            let member = if *who < data.members.len() {
                format!("p{who}")
            } else {
                "nobody".to_string()
            };
            let diagnosed = day(launch, i64::from(*diag));
            c.push_str(&format!(
                "c{k:03},{member},{},{diagnosed},{},{},{}\n",
                ["CI001", "CI002", "CI050", "MI01", "ZZ001"][usize::from(*disease)],
                day(diagnosed, i64::from(*delay)),
                ["", "", "critical", "minor"][usize::from(*benefit)],
                ["", "illness", "accident"][usize::from(*cause)],
            ));
        }
        (m, c)
    }

    /// `mutual run --charges` over the sample data of a seed plan, from a copy of
    /// the plan written as `text`: the four output files.
    fn sample_run(name: &str, text: &str, until: &str) -> Vec<(String, Vec<u8>)> {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join("common")).expect("common/");
        std::fs::copy(
            crate::root().join("plans/common/diseases.plan"),
            dir.path().join("common/diseases.plan"),
        )
        .expect("copy");
        std::fs::write(dir.path().join("p.plan"), text).expect("write the plan");
        let samples = crate::root().join("plans/samples").join(name);
        let out = assert_cmd::Command::cargo_bin("mutual")
            .expect("the binary")
            .arg("run")
            .arg(dir.path().join("p.plan"))
            .arg("--members")
            .arg(samples.join("members.csv"))
            .arg("--claims")
            .arg(samples.join("claims.csv"))
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
                let bytes = std::fs::read(dir.path().join("out").join(f)).expect("an output");
                (f.to_string(), bytes)
            })
            .collect()
    }

    /// The same with the binary over the sample data (thousands of members):
    /// the members file is read with the requirement of each join date.
    #[test]
    fn identical_versions_change_nothing_in_the_files_of_mutual_run() {
        for ((path, launch), (name, until)) in SEEDS.iter().zip([
            ("xianghubao", "2019-10-15"),
            ("jd-hubao", "2019-11-12"),
            ("shuidi", "2017-04-30"),
        ]) {
            let text = std::fs::read_to_string(crate::root().join(path)).expect("a seed plan");
            let split = split_every_rule(&text, d(launch), &[0, 45, -1, 200, 13, 364, 1, 90]);
            let plain = sample_run(name, &text, until);
            let dated = sample_run(name, &split, until);
            for ((file, a), (_, b)) in plain.iter().zip(&dated) {
                assert!(a == b, "{name}: {file} differs");
            }
            assert!(plain[3].1.len() > 1000, "{name}: members were charged");
        }
    }

    /// The output files of a run that computes every member's share.
    fn per_member(plan: &mutual::plan::Plan, members: &str, claims: &str, until: &str) -> String {
        let (members, claims, _) = crate::run::read_csv(plan, members, claims);
        let options = mutual::engine::RunOptions {
            keep_charges: true,
            per_member: true,
            ..mutual::engine::RunOptions::new(d(until))
        };
        let ledger = mutual::engine::run(plan, &members, &claims, options).expect("a run");
        assert_eq!(ledger.strategy, mutual::engine::Strategy::PerMember);
        let text = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
            let mut buf = Vec::new();
            f(&mut buf).expect("write to memory");
            String::from_utf8(buf).expect("UTF-8")
        };
        use mutual::output::*;
        format!(
            "== decisions.csv\n{}== periods.csv\n{}== members.csv\n{}== charges.csv\n{}",
            text(&|w| write_decisions(w, plan, &claims, &ledger)),
            text(&|w| write_periods(w, &ledger)),
            text(&|w| write_members(w, &members, &ledger)),
            text(&|w| write_charges(w, &members, &ledger)),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Splitting every rule into two identical versions at random days
        /// changes no figure of any output file.
        #[test]
        fn identical_versions_change_nothing(
            seed in 0usize..3,
            days in prop::collection::vec(-60i64..620, 1..40),
            data in data(),
        ) {
            let (path, launch) = SEEDS[seed];
            let launch = d(launch);
            let text = std::fs::read_to_string(crate::root().join(path)).expect("a seed plan");
            let split = split_every_rule(&text, launch, &days);
            let plain = load(&text).expect("the seed plan checks");
            let dated = load(&split).unwrap_or_else(|e| panic!("{e:?}\n{split}"));
            prop_assert!(dated.changes());
            let (members, claims) = files(&data, launch);
            let until = day(launch, 540).to_string();
            let one = run_csv(&plain, &members, &claims, &until);
            let two = run_csv(&dated, &members, &claims, &until);
            prop_assert_eq!(one.all(), two.all(), "{}", split);
            // Computing every member's share, period by period, gives the same.
            prop_assert_eq!(per_member(&dated, &members, &claims, &until), one.all());
        }
    }
}

// ---------------------------------------------------------------- check

/// The toy plan with its `fee` line replaced by `fee`, checked: (code, line) of each diagnostic.
fn check_fee(fee: &str) -> Vec<(String, usize)> {
    let text = toy("", "", "  closes on day last\n").replace("  fee 10% of payouts\n", fee);
    match load(&text) {
        Ok(_) => Vec::new(),
        Err(codes) => codes,
    }
}

fn pairs(v: &[(&str, usize)]) -> Vec<(String, usize)> {
    v.iter().map(|(c, l)| (c.to_string(), *l)).collect()
}

#[test]
fn versions_in_force_on_one_day_are_reported_on_both_lines() {
    // The toy's sharing section: `sharing` is line 13, the fee lines 14 and 15.
    let got =
        check_fee("  fee 10% of payouts until 2019-06-30\n  fee 8% of payouts from 2019-06-30\n");
    assert_eq!(got, pairs(&[("E113", 15), ("E113:related", 14)]));
    // Written in the other order: the same lines.
    let got =
        check_fee("  fee 8% of payouts from 2019-06-30\n  fee 10% of payouts until 2019-06-30\n");
    assert_eq!(got, pairs(&[("E113", 14), ("E113:related", 15)]));
    // An undated version is in force on every day: with any dated one, E113.
    let got = check_fee("  fee 10% of payouts\n  fee 8% of payouts from 2019-06-30\n");
    assert_eq!(got, pairs(&[("E113", 15), ("E113:related", 14)]));
}

#[test]
fn a_needed_rule_without_a_version_on_a_day_is_one_e114() {
    // A gap in the middle: no fee on 2019-06-01. Reported once, on both lines,
    // and not also as a sharing section without a fee (E104).
    let got =
        check_fee("  fee 10% of payouts until 2019-05-31\n  fee 8% of payouts from 2019-06-02\n");
    assert_eq!(got, pairs(&[("E114", 15), ("E114:related", 14)]));
    // A first version starting after the launch (2019-01-01).
    let got = check_fee("  fee 10% of payouts from 2019-01-02\n");
    assert_eq!(got, pairs(&[("E114", 14)]));
    // A last version that ends.
    let got = check_fee("  fee 10% of payouts until 2030-12-31\n");
    assert_eq!(got, pairs(&[("E114", 14)]));
    // Each rule the plan needs: join ages, waiting, payout, closes on, split, rounding.
    for (from, to) in [
        (
            "  join ages 18 years to 60 years\n",
            "  join ages 18 years to 60 years from 2019-02-01\n",
        ),
        (
            "  waiting 90 days\n",
            "  waiting 90 days until 2019-12-31\n",
        ),
        (
            "  payout 1_000 CNY\n",
            "  payout 1_000 CNY from 2019-03-01\n",
        ),
        (
            "  closes on day last\n",
            "  closes on day last until 2019-12-31\n",
        ),
        ("  split equally\n", "  split equally from 2019-01-02\n"),
        (
            "  rounding half up, remainder borne by operator\n",
            "  rounding half up, remainder borne by operator until 2020-01-01\n",
        ),
    ] {
        let text = toy("", "", "  closes on day last\n").replace(from, to);
        let codes: Vec<String> = load(&text)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(codes, ["E114"], "{to}");
    }
}

#[test]
fn optional_rules_may_start_late_and_end() {
    let text = toy(
        "  requires score >= 600 from 2019-06-01\n",
        "  limit 1 per member until 2019-12-31\n",
        "  closes on day last\n  cap 10 CNY per charge from 2019-03-01 until 2019-09-30\n",
    );
    plan(&text);
}

#[test]
fn a_first_version_from_the_launch_day_or_before_is_in_force_from_the_launch() {
    // `from` the launch day, or a day before it: no day from the launch on
    // lacks a fee. (The days before the first change used to be checked as
    // a plan of their own, without a fee: E104.)
    for fee in [
        "  fee 10% of payouts from 2019-01-01\n",
        "  fee 10% of payouts from 2018-06-01\n",
        "  fee 5% of payouts until 2018-05-31\n  fee 10% of payouts from 2018-06-01\n",
        // A gap that ends before the launch does not matter either.
        "  fee 5% of payouts until 2018-01-31\n  fee 10% of payouts from 2018-06-01\n",
        "  fee 5% of payouts until 2018-01-31\n  fee 10% of payouts from 2019-01-01\n",
    ] {
        assert_eq!(check_fee(fee), [], "{fee}");
    }
    // A gap that reaches the launch day does.
    assert_eq!(
        check_fee("  fee 5% of payouts until 2018-01-31\n  fee 10% of payouts from 2019-01-02\n"),
        pairs(&[("E114", 15), ("E114:related", 14)])
    );
    // Every rule the plan must have may start on the launch day.
    let text = toy("", "", "  closes on day last from 2019-01-01\n")
        .replace(
            "  covers CI001, CI002\n",
            "  covers CI001, CI002 from 2019-01-01\n",
        )
        .replace(
            "  payout 1_000 CNY\n",
            "  payout 1_000 CNY from 2018-01-01\n",
        )
        .replace(
            "  join ages 18 years to 60 years\n",
            "  join ages 18 years to 60 years from 2019-01-01\n",
        );
    let p = plan(&text);
    // And the plan runs: a fee of 10% from the launch.
    let m = format!("{MEMBERS}a,1990-01-01,2019-01-01,\nb,1990-01-01,2019-01-01,\n");
    let c = format!("{CLAIMS}c1,a,CI001,2019-04-02,,,\n");
    let out = run_csv(&p, &m, &c, "2019-04-30");
    assert_eq!(out.period("2019-04-01")["fee"], "100.00");
    assert_eq!(out.claim("c1").2, "1000.00");
}

#[test]
fn a_version_whose_days_are_wrong_is_reported_alone() {
    // `until` before `from`: E112, not also a fee missing after 2019-05-31.
    let got = check_fee(
        "  fee 10% of payouts until 2019-05-31\n  fee 8% of payouts from 2019-06-01 until 2019-05-31\n",
    );
    assert_eq!(got, pairs(&[("E112", 15)]));
}

#[test]
fn statements_that_are_not_rules_cannot_be_dated() {
    let text = toy("", "", "  closes on day last\n")
        .replace("  currency CNY\n", "  currency CNY from 2019-01-01\n")
        + "
example \"dated\"
  as of 2019-06-30 until 2019-12-31
  member a birth_date=1990-01-01 join_date=2019-01-01
  claim c1 member_id=a disease=CI001 diagnosed_on=2019-05-01 from 2019-01-01
  expect claim.c1.reason = covered
";
    let got = load(&text).expect_err("dated statements of the header and an example");
    assert_eq!(got, pairs(&[("E111", 2), ("E111", 25), ("E111", 27)]));
}

// ---------------------------------------------------------------- mutual fmt

/// `mutual fmt` of a plan text (the plan need not check).
fn fmt(text: &str) -> String {
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("p.plan");
    std::fs::write(&file, text).expect("write");
    let out = assert_cmd::Command::cargo_bin("mutual")
        .expect("the binary")
        .arg("fmt")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The dated words of a text, in order: (`from` or `until`, date).
fn dated_words(text: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| matches!(w[0], "from" | "until") && w[1].len() == 10 && w[1].starts_with("20"))
        .map(|w| (w[0].to_string(), w[1].to_string()))
        .collect()
}

#[test]
fn fmt_puts_versions_in_date_order_with_their_comments() {
    let text = "plan p
  currency CNY
  launched 2018-10-16

sharing
  fee   8%   of payouts from 2018-11-27   # 相互宝
  closes on days 6 and 20
  fee 10% of payouts  until 2018-11-26 # 相互保
  split equally
  cap 188 CNY per calendar year from 2020-01-01  # later
  cap 0.10 CNY per case
  cap 100 CNY per calendar year from 2019-01-01 until 2019-12-31  # first
  rounding up, remainder carried
";
    let want = "plan p
  currency CNY
  launched 2018-10-16

sharing
  fee 10% of payouts until 2018-11-26  # 相互保
  closes on days 6 and 20
  fee 8% of payouts from 2018-11-27  # 相互宝
  split equally
  cap 100 CNY per calendar year from 2019-01-01 until 2019-12-31  # first
  cap 0.10 CNY per case
  cap 188 CNY per calendar year from 2020-01-01  # later
  rounding up, remainder carried
";
    let once = fmt(text);
    assert_eq!(once, want);
    assert_eq!(fmt(&once), once);
}

#[test]
fn fmt_puts_versions_with_tables_in_date_order() {
    // A table version and a one-line version of `payout`, written latest
    // first: the earlier version, with its rows, comes first.
    let text = "benefit critical
  covers CI001
  payout 700 CNY from 2020-01-01  # the new amount
  waiting 90 days
  payout by age at diagnosis until 2019-12-31  # the old table
    18 years to 39 years: 3_000 CNY  # young
    40 years to 60 years: 1_500 CNY
  limit 1 per member
";
    let want = "benefit critical
  covers CI001
  payout by age at diagnosis until 2019-12-31  # the old table
    18 years to 39 years: 3_000 CNY  # young
    40 years to 60 years: 1_500 CNY
  waiting 90 days
  payout 700 CNY from 2020-01-01  # the new amount
  limit 1 per member
";
    let once = fmt(text);
    assert_eq!(once, want);
    assert_eq!(fmt(&once), once);
    // A table of annual caps is a version of `cap X CNY per year`.
    let text = "sharing
  cap 500 CNY per year from 2020-01-01
  split in proportion to annual cap
  cap per year by age at join until 2019-12-31  # by age
    18 years to 39 years: 300 CNY
    40 years to 60 years: 600 CNY
";
    let want = "sharing
  cap per year by age at join until 2019-12-31  # by age
    18 years to 39 years: 300 CNY
    40 years to 60 years: 600 CNY
  split in proportion to annual cap
  cap 500 CNY per year from 2020-01-01
";
    let once = fmt(text);
    assert_eq!(once, want);
    assert_eq!(fmt(&once), once);
}

#[test]
fn fmt_of_dated_plans_is_idempotent_and_keeps_every_date() {
    let history = std::fs::read_to_string(crate::root().join("plans/xianghubao-history.plan"))
        .expect("the history plan");
    let once = fmt(&history);
    assert_eq!(once, history, "the history plan is canonical");
    for (path, launch) in [
        ("plans/xianghubao.plan", "2018-10-16"),
        ("plans/jd-hubao.plan", "2018-11-13"),
        ("plans/shuidi.plan", "2016-05-01"),
    ] {
        let text = std::fs::read_to_string(crate::root().join(path)).expect("a seed plan");
        // Versions written latest first, so that fmt has them to sort.
        let split = split::split_every_rule(&text, crate::run::d(launch), &[30, -5, 400, 0]);
        let reversed = reverse_versions(&split);
        let once = fmt(&reversed);
        assert_eq!(fmt(&once), once, "{path}: fmt(fmt(p)) != fmt(p)");
        let mut before = dated_words(&reversed);
        let mut after = dated_words(&once);
        before.sort();
        after.sort();
        assert_eq!(before, after, "{path}: every date kept");
        // Sorted again, the versions are as split_every_rule wrote them.
        assert_eq!(once, fmt(&split), "{path}: versions in date order");
        // And the plan means the same.
        let (a, b) = (load(&split).expect("checks"), load(&once).expect("checks"));
        assert_eq!(
            mutual::summary::summarize(&a),
            mutual::summary::summarize(&b),
            "{path}"
        );
    }
}

/// Swaps each `X until D` (with its rows) with the `X from D'` block that
/// follows it, as split_every_rule writes them.
fn reverse_versions(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let block = |i: usize| {
        let mut j = i + 1;
        while j < lines.len() && lines[j].starts_with("    ") {
            j += 1;
        }
        j
    };
    let mut out: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let is_until = lines[i].starts_with("  ") && lines[i].contains(" until ");
        if is_until {
            let j = block(i);
            if j < lines.len() && lines[j].contains(" from ") {
                let k = block(j);
                out.extend(&lines[j..k]);
                out.extend(&lines[i..j]);
                i = k;
                continue;
            }
        }
        out.push(lines[i]);
        i += 1;
    }
    out.join("\n") + "\n"
}
