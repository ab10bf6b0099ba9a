//! Properties of `run` over random plans, members and claims: money is
//! conserved in every period, no member pays above a cap, and the fast path
//! (one charge per period) gives the same figures as computing every member.

use crate::run::d;
use chrono::{Days, NaiveDate};
use mutual::engine::{self, Ledger, RunOptions};
use mutual::input::{Claim, Claims, Members};
use mutual::money::Money;
use mutual::plan::{Cause, Plan};
use proptest::prelude::*;

#[derive(Clone, Debug)]
pub(crate) struct PlanParams {
    fee: u32,
    pub(crate) weighted: bool,
    case_cap: Option<u32>,
    pub(crate) charge_cap: Option<u32>,
    pub(crate) year_cap: Option<Option<u32>>, // Some(None): a table by age; Some(Some(x)): fixed
    rounding: &'static str,
    pub(crate) remainder: &'static str,
    term: bool,
    closes: (u8, u8),
    waiting: u32,
}

pub(crate) fn plan_params() -> impl Strategy<Value = PlanParams> {
    (
        0u32..=20,
        any::<bool>(),
        prop::option::of(1u32..=500),
        prop::option::of(1u32..=100_000),
        prop::option::of(prop::option::of(1u32..=200_000)),
        prop::sample::select(vec!["up", "half up", "down"]),
        prop::sample::select(vec!["carried", "borne by operator", "distributed"]),
        any::<bool>(),
        (1u8..=14, 15u8..=28),
        prop::sample::select(vec![0u32, 30, 90]),
    )
        .prop_map(
            |(
                fee,
                weighted,
                case_cap,
                charge_cap,
                year_cap,
                rounding,
                remainder,
                term,
                closes,
                waiting,
            )| PlanParams {
                fee,
                weighted,
                case_cap,
                charge_cap,
                year_cap,
                rounding,
                remainder,
                term,
                closes,
                waiting,
            },
        )
}

fn fen(n: u32) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

pub(crate) fn plan_text(p: &PlanParams) -> String {
    let mut s = String::from(
        "plan prop\n  currency CNY\n  launched 2020-01-01\n\nmembership\n  join ages 30 days to 70 years\n",
    );
    if p.term {
        s.push_str("  term 1 year, renewed while age <= 70 years\n  pays at join 9 CNY\n");
    } else {
        s.push_str("  ends at age 71 years\n");
    }
    s.push_str("  ends on payout of critical\n\n");
    s.push_str(&format!(
        "benefit critical\n  covers ci\n  waiting {} days, except accident\n  payout by age at diagnosis\n    30 days to 40 years: 300_000 CNY\n    41 years to 71 years: 100_000 CNY\n  limit 1 per member\n\n",
        p.waiting
    ));
    s.push_str("benefit minor\n  covers mi\n  payout 10% of critical\n  limit 2 per member\n\n");
    s.push_str("diseases ci\n  CI001 \"a\"\n  CI002 \"b\"\n\ndiseases mi\n  MI01 \"c\"\n\n");
    s.push_str(&format!(
        "sharing\n  closes on days {} and {}\n  fee {}% of payouts\n",
        p.closes.0, p.closes.1, p.fee
    ));
    let year_cap = if p.weighted && p.year_cap.is_none() {
        Some(None)
    } else {
        p.year_cap
    };
    s.push_str(if p.weighted {
        "  split in proportion to annual cap\n"
    } else {
        "  split equally\n"
    });
    if let Some(c) = p.case_cap {
        s.push_str(&format!("  cap {} CNY per case\n", fen(c)));
    }
    if let Some(c) = p.charge_cap {
        s.push_str(&format!("  cap {} CNY per charge\n", fen(c)));
    }
    match year_cap {
        Some(Some(c)) => s.push_str(&format!("  cap {} CNY per year\n", fen(c))),
        Some(None) => s.push_str(
            "  cap per year by age at term start\n    30 days to 40 years: 390 CNY\n    41 years to 50 years: 1_300 CNY\n    51 years to 71 years: 1_924 CNY\n",
        ),
        None => {}
    }
    s.push_str(&format!(
        "  excess borne by operator\n  rounding {}, remainder {}\n",
        p.rounding, p.remainder
    ));
    s
}

pub(crate) fn load(text: &str) -> Plan {
    load_with_sources(text).0
}

pub(crate) fn load_with_sources(text: &str) -> (Plan, mutual::source::Sources) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("prop.plan");
    std::fs::write(&path, text).expect("write the plan");
    let mut sources = mutual::source::Sources::new();
    let loaded = mutual::load_plan(&path, &mut sources);
    let plan = loaded.plan.unwrap_or_else(|| {
        panic!(
            "the generated plan does not check: {:?}\n{text}",
            loaded.diagnostics
        )
    });
    (plan, sources)
}

pub(crate) fn day(base: &str, offset: u32) -> NaiveDate {
    d(base)
        .checked_add_days(Days::new(u64::from(offset)))
        .expect("a date")
}

#[derive(Clone, Debug)]
pub(crate) struct Data {
    pub(crate) members: Vec<(u32, u32, Option<u32>)>, // birth offset from 1950, join offset from 2019-10-01, left offset after join
    claims: Vec<(usize, u8, u32, u32, bool)>, // member (or unknown), disease, diagnosed offset from 2019-12-01, filing delay, accident
    pub(crate) bulk: usize,
}

pub(crate) fn data() -> impl Strategy<Value = Data> {
    (
        prop::collection::vec(
            (0u32..25_000, 0u32..450, prop::option::of(0u32..500)),
            1..25,
        ),
        prop::collection::vec(
            (0usize..30, 0u8..4, 0u32..540, 0u32..40, any::<bool>()),
            0..15,
        ),
        0usize..3000,
    )
        .prop_map(|(members, claims, bulk)| Data {
            members,
            claims,
            bulk,
        })
}

pub(crate) fn build(data: &Data) -> (Members, Claims) {
    let mut m = Members::default();
    for (k, (b, j, left)) in data.members.iter().enumerate() {
        let join = day("2019-10-01", *j);
        let left = left.map(|l| {
            join.checked_add_days(Days::new(u64::from(l)))
                .expect("a date")
        });
        m.push(&format!("p{k}"), day("1950-01-01", *b), join, left, true);
    }
    // Identical members sharing every period, so that amounts are spread thin.
    m.push_many("bulk", data.bulk, d("1985-06-15"), d("2019-12-01"));
    let mut c = Claims::default();
    for (k, (who, disease, diag, delay, accident)) in data.claims.iter().enumerate() {
        let diagnosed_on = day("2019-12-01", *diag);
        c.add(Claim {
            id: format!("c{k:03}").into(),
            member_id: if *who < data.members.len() {
                format!("p{who}").into()
            } else {
                "nobody".into()
            },
            disease: ["CI001", "CI002", "MI01", "ZZ001"][*disease as usize].into(),
            diagnosed_on,
            filed_on: diagnosed_on
                .checked_add_days(Days::new(u64::from(*delay)))
                .expect("a date"),
            benefit: None,
            cause: if *accident {
                Cause::Accident
            } else {
                Cause::Illness
            },
            line: 0,
        });
    }
    (m, c)
}

fn run(plan: &Plan, m: &Members, c: &Claims, per_member: bool) -> Ledger {
    let options = RunOptions {
        keep_charges: true,
        per_member,
        ..RunOptions::new(d("2021-03-31"))
    };
    engine::run(plan, m, c, options).expect("the money identity holds in every period")
}

/// Classes follow up to four membership years: a run over three years is
/// shared by classes, one over seven member by member, each with the figures
/// of computing every member.
#[test]
fn long_runs_leave_classes_for_the_per_member_computation() {
    let params = PlanParams {
        fee: 10,
        weighted: true,
        case_cap: Some(20),
        charge_cap: None,
        year_cap: Some(None),
        rounding: "half up",
        remainder: "borne by operator",
        term: true,
        closes: (10, 25),
        waiting: 30,
    };
    let plan = load(&plan_text(&params));
    let data = Data {
        members: (0..20).map(|k| (9_000 + k * 700, k * 20, None)).collect(),
        claims: (0..10)
            .map(|k| {
                (
                    k as usize,
                    (k % 2) as u8,
                    40 + (k as u32) * 150,
                    3,
                    k % 3 == 0,
                )
            })
            .collect(),
        bulk: 50,
    };
    let (m, c) = build(&data);
    for (until, strategy) in [
        ("2022-09-30", engine::Strategy::Classes),
        ("2026-09-30", engine::Strategy::PerMember),
    ] {
        let options = RunOptions::new(d(until));
        let fast = engine::run(&plan, &m, &c, options).expect("a run");
        assert_eq!(fast.strategy, strategy, "until {until}");
        let slow = engine::run(
            &plan,
            &m,
            &c,
            RunOptions {
                per_member: true,
                ..options
            },
        )
        .expect("a run");
        assert_eq!(fast.periods, slow.periods, "until {until}");
        for i in 0..m.len() {
            assert_eq!(fast.charged(i), slow.charged(i), "member {i} until {until}");
        }
        assert!(
            fast.periods.iter().any(|f| f.charged.0 > 0),
            "until {until}: something is charged"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(2018), ..ProptestConfig::default() })]

    #[test]
    fn money_is_conserved_and_caps_hold(params in plan_params(), data in data()) {
        let plan = load(&plan_text(&params));
        let (m, c) = build(&data);
        let ledger = run(&plan, &m, &c, false);
        let mut year_total: std::collections::HashMap<(u32, u32), i64> = std::collections::HashMap::new();
        for (p, f) in ledger.periods.iter().enumerate() {
            prop_assert_eq!(f.charged + f.operator_borne, f.pool - f.carried_in + f.carried_out);
            let mut sum = Money::ZERO;
            let mut count = 0u64;
            ledger.for_each_charge(p, |i, charge| {
                sum += charge;
                count += 1;
                assert!(charge.0 > 0, "a negative charge");
                if let Some(cap) = &plan.sharing.case_cap {
                    assert!(charge.0 <= cap.value.0 * f.cases as i64, "above the per-case cap");
                }
                if let Some(cap) = &plan.sharing.charge_cap {
                    assert!(charge.0 <= cap.value.0, "above the per-charge cap");
                }
                let iu = i as usize;
                if plan.sharing.annual_cap.is_some() {
                    let (k, _) = engine::membership_year(m.join[iu], f.period.end);
                    let cap = engine::annual_cap(&plan, m.birth[iu], m.join[iu], f.period.end).unwrap_or_default();
                    let total = year_total.entry((i, k)).or_default();
                    *total += charge.0;
                    assert!(*total <= cap.0, "above the annual cap: {total} > {cap}");
                }
            });
            prop_assert_eq!(sum, f.charged);
            prop_assert!(count <= f.members);
            if plan.sharing.remainder.value == mutual::ast::Remainder::Carried {
                // Rounding up never collects less than the capped shares: the surplus is never negative.
                // (Rounding half up or down may carry a shortfall, collected in the next period.)
                if plan.sharing.rounding.value == mutual::ast::RoundingMode::Up {
                    prop_assert!(f.carried_out.0 >= 0, "a negative surplus carried");
                }
            } else {
                prop_assert_eq!(f.carried_out, Money::ZERO);
            }
        }
        let total_charged: Money = (0..m.len()).map(|i| ledger.charged(i)).sum();
        let period_charged: Money = ledger.periods.iter().map(|f| f.charged).sum();
        prop_assert_eq!(total_charged, period_charged);
    }

    #[test]
    fn the_fast_path_matches_computing_every_member(mut params in plan_params(), data in data()) {
        params.weighted = false;
        params.year_cap = None;
        let plan = load(&plan_text(&params));
        let (m, c) = build(&data);
        let fast = run(&plan, &m, &c, false);
        let slow = run(&plan, &m, &c, true);
        let fast_is_uniform = matches!(fast.charges, engine::Charges::Uniform { .. });
        prop_assert!(fast_is_uniform);
        let slow_is_per_member = matches!(slow.charges, engine::Charges::PerMember(_));
        prop_assert!(slow_is_per_member);
        for (a, b) in fast.periods.iter().zip(&slow.periods) {
            prop_assert_eq!(
                (a.members, a.charged, a.operator_borne, a.carried_out, a.excess.reduced()),
                (b.members, b.charged, b.operator_borne, b.carried_out, b.excess.reduced())
            );
        }
        for i in 0..m.len() {
            prop_assert_eq!(fast.charged(i), slow.charged(i));
        }
        for p in 0..fast.periods.len() {
            for i in 0..m.len() as u32 {
                prop_assert_eq!(fast.charge_of(i, p), slow.charge_of(i, p));
            }
        }
    }

    #[test]
    fn sharing_by_classes_matches_computing_every_member(mut params in plan_params(), data in data()) {
        // Classes serve plans whose members' shares differ, with no remainder distributed.
        if params.remainder == "distributed" {
            params.remainder = "carried";
        }
        if !params.weighted && params.year_cap.is_none() {
            params.year_cap = Some(None);
        }
        let plan = load(&plan_text(&params));
        let (m, c) = build(&data);
        let options = RunOptions::new(d("2021-03-31"));
        let fast = engine::run(&plan, &m, &c, options).expect("a run");
        prop_assert_eq!(fast.strategy, engine::Strategy::Classes);
        let slow = run(&plan, &m, &c, true);
        prop_assert_eq!(slow.strategy, engine::Strategy::PerMember);
        for (a, b) in fast.periods.iter().zip(&slow.periods) {
            prop_assert_eq!(
                (a.members, a.weight_total, a.charged, a.operator_borne, a.carried_out, a.excess.reduced(), a.caps_bound),
                (b.members, b.weight_total, b.charged, b.operator_borne, b.carried_out, b.excess.reduced(), b.caps_bound)
            );
        }
        for i in 0..m.len() {
            prop_assert_eq!(fast.charged(i), slow.charged(i));
        }
        // Kept charges (`--charges`) are each class's: every member's, every period.
        let kept = run(&plan, &m, &c, false);
        let by_class = matches!(kept.charges, engine::Charges::Classes { .. });
        prop_assert!(by_class);
        for p in 0..kept.periods.len() {
            for i in 0..m.len() as u32 {
                prop_assert_eq!(kept.charge_of(i, p), slow.charge_of(i, p));
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            kept.for_each_charge(p, |i, x| a.push((i, x)));
            slow.for_each_charge(p, |i, x| b.push((i, x)));
            prop_assert_eq!(a, b);
        }
        // Explaining one member follows its charges period by period.
        for i in (0..data.members.len()).chain([m.len() - 1]) {
            let one = engine::run(&plan, &m, &c, RunOptions { track: Some(i as u32), ..options }).expect("a run");
            for p in 0..one.periods.len() {
                prop_assert_eq!(one.charge_of(i as u32, p), slow.charge_of(i as u32, p));
            }
        }
    }

    #[test]
    fn every_explained_charge_is_the_charge_made(params in plan_params(), data in data()) {
        let (plan, sources) = load_with_sources(&plan_text(&params));
        let (m, c) = build(&data);
        let ledger = run(&plan, &m, &c, false);
        for p in 0..ledger.periods.len() {
            // The named members, and a few of the bulk.
            for i in (0..data.members.len()).chain(data.members.len()..m.len().min(data.members.len() + 3)) {
                let e = mutual::explain::charge(&plan, &sources, &m, &c, &ledger, i, p);
                let made = ledger.charge_of(i as u32, p).unwrap_or_default();
                prop_assert_eq!(&e.result, &format!("charged {made}"));
                if plan.sharing.remainder.value != mutual::ast::Remainder::Distributed {
                    let rounding = e.steps.iter().find(|s| s.step == "rounding");
                    if let Some(r) = rounding {
                        let shown = r.values.get("charge").and_then(|v| v.as_str()).unwrap_or("");
                        prop_assert_eq!(shown, made.to_string());
                    }
                }
            }
        }
    }
}
